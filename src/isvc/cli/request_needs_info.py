"""`isvc request needs-info`: ask the requester for what the request lacks, counted per type;
added to the request sub-app by ``register``."""

from __future__ import annotations

from typing import Annotated

import typer

from isvc.cli._common import JsonOpt, desk
from isvc.render.output import info

SQLITE_MAX_INT = 2**63 - 1  # as isvc.cli.request: larger numbers are usage errors

NumberArg = Annotated[int, typer.Argument(help="Request number.", min=1, max=SQLITE_MAX_INT)]


def request_needs_info(
    number: NumberArg,
    message: Annotated[str, typer.Option("--message", "-m", help="What is missing, as a question to the requester.")],
    json_: JsonOpt = False,
) -> None:
    """Wait on the requester for missing information; the round-trip is counted (`isvc type stats`)."""
    from isvc.services import catalog as svc

    d = desk()
    req, asked = svc.needs_info(d, number, message)
    nth = "" if asked == 1 else f" (round-trip {asked})"
    info(f"#{req.number} waiting on the requester for more information{nth}.")
    if json_:
        from isvc.cli.request import _print_request

        _print_request(req, True)


def register(app: typer.Typer) -> None:
    """Add `needs-info` to the `request` sub-app."""
    app.command("needs-info", epilog='Example: isvc request needs-info 412 -m "Which cost centre?"')(
        request_needs_info)
