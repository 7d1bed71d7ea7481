"""`isvc request attachments`: a request's files, added to the request sub-app by ``register``."""

from __future__ import annotations

from typing import Annotated

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt

SQLITE_MAX_INT = 2**63 - 1


def request_attachments(
    number: Annotated[int, typer.Argument(help="Request number.", min=1, max=SQLITE_MAX_INT)],
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """The files that came with a request's mail (attachments of internal notes: agents only)."""
    from isvc.render.mail_shapes import ATTACHMENT_COLUMNS, attachment_dict
    from isvc.render.output import emit_rows
    from isvc.services import attachments as svc

    rows = svc.for_request(desk(), number)

    def table() -> None:
        from isvc.render.mail_views import attachment_table

        attachment_table(rows)

    emit_rows([attachment_dict(r) for r in rows], fmt(json_, format_), ATTACHMENT_COLUMNS, table)


def register(app: typer.Typer) -> None:
    """Add `attachments` to the `request` sub-app."""
    app.command("attachments", epilog="Example: isvc request attachments 412   ·   "
                "isvc attachment save 7")(request_attachments)
