"""`isvc queue`: the view agents live in."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt

EPILOG = "Example: isvc queue it --limit 40   ·   isvc queue --mine   ·   isvc queue it --json"


def queue(
    team: Annotated[Optional[str], typer.Argument(help="Team handle (default: all teams).")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only requests assigned to me.")] = False,
    status: Annotated[Optional[str], typer.Option("--status", "-s", help="Only this open status.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many rows.", max=2**63 - 1)] = 25,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Open requests, most urgent first, with their age, owner and status counts."""
    from isvc.services import requests as svc

    d = desk()
    output = fmt(json_, format_)
    view = svc.queue(d, team, mine=mine, status=status, limit=limit,
                     with_clocks=output not in ("tsv", "csv"))
    from isvc.render.output import emit_rows
    from isvc.render.shapes import REQUEST_LIST_COLUMNS, request_dict

    def table() -> None:
        from isvc.cli._common import viewer_tz
        from isvc.render.tables import queue_table
        from isvc.store.directory import get_team

        name = get_team(d.conn, view.team).name if view.team else None
        queue_table(view, name, d.now, viewer_tz())

    clocks = view.extra["clocks"]
    blocks = view.extra["blocks"]  # open requests waiting on each row, transitively
    if clocks:
        from isvc.services.sla import sla_object

        rows = [request_dict(r, sla_object(clocks.get(r.number))) | {"blocks": blocks[r.number]}
                for r in view.rows]
    else:
        rows = [request_dict(r) | {"blocks": blocks[r.number]} for r in view.rows]
    emit_rows(rows, output, REQUEST_LIST_COLUMNS, table)


app = typer.Typer(add_completion=False)
app.command("queue", epilog=EPILOG)(queue)
