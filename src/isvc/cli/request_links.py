"""`isvc request link` / `unlink`: links between requests, added to the request sub-app by ``register``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import desk
from isvc.render.output import info

SQLITE_MAX_INT = 2**63 - 1  # as isvc.cli.request: larger numbers are usage errors

NumberArg = Annotated[int, typer.Argument(help="Request number.", min=1, max=SQLITE_MAX_INT)]


def request_link(
    number: NumberArg,
    blocked_by: Annotated[Optional[int], typer.Option("--blocked-by", help="N cannot finish before M.", min=1, max=SQLITE_MAX_INT, metavar="M")] = None,
    blocks: Annotated[Optional[int], typer.Option("--blocks", help="M cannot finish before N.", min=1, max=SQLITE_MAX_INT, metavar="M")] = None,
    relates: Annotated[Optional[int], typer.Option("--relates", help="N and M are related.", min=1, max=SQLITE_MAX_INT, metavar="M")] = None,
    duplicate_of: Annotated[Optional[int], typer.Option("--duplicate-of", help="N asks for the same as M.", min=1, max=SQLITE_MAX_INT, metavar="M")] = None,
) -> None:
    """Link two requests (give exactly one of --blocked-by, --blocks, --relates, --duplicate-of)."""
    from isvc.errors import InvalidInput
    from isvc.services import links as svc

    given = {k: v for k, v in (("blocked_by", blocked_by), ("blocks", blocks), ("relates", relates),
                               ("duplicate_of", duplicate_of)) if v is not None}
    if len(given) != 1:
        raise InvalidInput("give exactly one of --blocked-by, --blocks, --relates, --duplicate-of")
    (option, other), = given.items()
    linked = svc.link(desk(), number, other, option)
    info(f"#{number} {svc.words(linked.kind, linked.src, linked.dst, number)}.")


def request_unlink(
    number: NumberArg,
    other: Annotated[int, typer.Argument(help="The other request.", min=1, max=SQLITE_MAX_INT)],
    kind: Annotated[Optional[str], typer.Option("--kind", help="Only this kind: blocks, relates or duplicate-of (default: all).")] = None,
) -> None:
    """Remove the links between two requests."""
    from isvc.services import links as svc

    removed = svc.unlink(desk(), number, other, kind)
    for link in removed:
        info(f"#{number} no longer {svc.words(link.kind, link.src, link.dst, number)}.")


def register(app: typer.Typer) -> None:
    """Add `link` and `unlink` to the `request` sub-app."""
    app.command("link", epilog="Example: isvc request link 412 --blocked-by 398   ·   "
                "isvc request link 412 --duplicate-of 401")(request_link)
    app.command("unlink", epilog="Example: isvc request unlink 412 398   ·   "
                "isvc request unlink 412 398 --kind relates")(request_unlink)
