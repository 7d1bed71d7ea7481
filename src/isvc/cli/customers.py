"""`isvc customers`: what each customer team and requester asks of the providers."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt

EPILOG = "Example: isvc customers --team it --since 30d   ·   isvc customers --json"


def customers(
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only requests filed to this provider team.")] = None,
    since: Annotated[str, typer.Option("--since", help="Requests filed since: 30d, 12w or a date.")] = "30d",
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Good customers: volume, urgent share, needs-info round trips, request quality.

    Per customer team (the requester's primary team) and each requester in it,
    over the requests filed in the period: how many, how many were urgent, how
    often the provider had to ask for missing information, and the providers'
    1-5 rating of the requests. TSV, CSV and JSON carry one row per team and
    per requester (`level`: team or requester).
    """
    from isvc.domain.timeutil import parse_since, to_iso
    from isvc.render.output import emit_rows
    from isvc.services import customers as svc

    d = desk()
    output = fmt(json_, format_)
    report = svc.customers(d, to_iso(parse_since(since, d.now)), team)

    def table() -> None:
        from isvc.cli._common import viewer_tz
        from isvc.render.customers_views import customers_table

        limit = d.config.get("requests", {}).get("urgent_share_limit")
        customers_table(report, viewer_tz(), limit if isinstance(limit, (int, float)) else None)

    emit_rows(report.rows, output, svc.COLUMNS, table)


app = typer.Typer(add_completion=False)
app.command("customers", epilog=EPILOG)(customers)
