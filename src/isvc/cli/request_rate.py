"""`isvc request rate`: satisfaction both ways, added to the request sub-app by ``register``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import JsonOpt, desk
from isvc.render.output import info

EPILOG = ('Example: isvc request rate 412 5 -m "Fixed before the payroll run"   ·   '
          'isvc request rate 412 --as-provider 3 -m "No asset number"')

SQLITE_MAX_INT = 2**63 - 1  # as isvc.cli.request: larger numbers are usage errors


def request_rate(
    number: Annotated[int, typer.Argument(help="Request number.", min=1, max=SQLITE_MAX_INT)],
    score: Annotated[int, typer.Argument(help="1 (poor) to 5 (excellent).", metavar="SCORE")],
    message: Annotated[Optional[str], typer.Option("--message", "-m", help="A comment with the score.")] = None,
    as_provider: Annotated[bool, typer.Option("--as-provider", help="Rate the request as its provider team: was everything needed there up front? (internal)")] = False,
    json_: JsonOpt = False,
) -> None:
    """Rate a resolved or closed request as its requester (1-5); rating again replaces it."""
    from isvc.services import ratings as svc

    rated = svc.rate(desk(), number, score, message, as_provider=as_provider)
    was = f" (was {rated.previous}/5)" if rated.previous is not None else ""
    if rated.internal:
        info(f"Rated #{number} as its provider: {rated.score}/5{was}; "
             "internal, the requester does not see it.")
    else:
        info(f"Rated #{number}: {rated.score}/5{was}. Thank you.")
    if json_:
        from isvc.render.output import dump_json

        print(dump_json(svc.rated_dict(rated)))


def register(app: typer.Typer) -> None:
    """Add `rate` to the `request` sub-app."""
    app.command("rate", epilog=EPILOG)(request_rate)
