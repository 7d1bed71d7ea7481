"""`isvc satisfaction`: CSAT both ways, per provider team and per customer team."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt

EPILOG = "Example: isvc satisfaction --since 30d   ·   isvc satisfaction --team it --json"

# TSV/CSV/NDJSON: one row per team and view (provider or customer).
COLUMNS = ["view", "team", "csat_pct", "average", "ratings", "resolved", "response_rate_pct",
           "request_quality_average", "request_quality_ratings"]


def satisfaction(
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only requests this provider team served (its customers broken down).")] = None,
    since: Annotated[str, typer.Option("--since", help="Ratings given (and requests resolved) since: 90d, 12w or a date.")] = "90d",
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Satisfaction both ways: CSAT, averages and response rates per team, and request quality.

    CSAT is the share of 4-5 ratings; the response rate is the share of resolved requests
    their requester rated; request quality is the providers' rating of each customer team's
    requests.
    """
    from isvc.domain.timeutil import parse_since, to_iso
    from isvc.render.output import emit_object, emit_rows
    from isvc.services import ratings as svc

    d = desk()
    output = fmt(json_, format_)
    report = svc.satisfaction(d, to_iso(parse_since(since, d.now)), team)
    if output == "json":
        emit_object(svc.satisfaction_dict(report), output, lambda: None)
        return
    rows = ([{"view": "provider"} | row for row in report.providers]
            + [{"view": "customer"} | row for row in report.customers])

    def table() -> None:
        from isvc.cli._common import viewer_tz

        _tables(report, viewer_tz())

    emit_rows(rows, output, COLUMNS, table)


def _tables(report, tz) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from isvc.render.console import console
    from isvc.render.humanize import local

    con = console()
    since = local(report.since, tz)
    scope = f" · requests served by {report.team}" if report.team else ""
    if not report.providers and not report.customers:
        con.print(f"No ratings and no resolved requests since {since}{scope}.", style="dim")
        return

    def num(value, suffix: str = "") -> Text | str:
        return Text("—", style="dim") if value is None else f"{value:g}{suffix}"

    def csat(value) -> Text | str:
        if value is None:
            return num(value)
        style = "green" if value >= 80 else "yellow" if value >= 60 else "red"
        return Text(f"{value:g}%", style=style)

    def new_table(title: str, *columns: str) -> Table:
        table = Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                      show_edge=False, pad_edge=False)
        for i, column in enumerate(columns):
            table.add_column(column, no_wrap=True, justify="left" if i == 0 else "right",
                             style="bold" if i == 0 else None)
        return table

    con.print(Text.assemble(("Satisfaction", "bold"), f" since {since}{scope}"))
    providers = new_table("By provider team", "provider", "CSAT", "avg", "ratings", "resolved",
                          "response")
    for row in report.providers:
        providers.add_row(row["team"], csat(row["csat_pct"]), num(row["average"]),
                          str(row["ratings"]), str(row["resolved"]),
                          num(row["response_rate_pct"], "%"))
    customers = new_table("By customer team", "customer", "CSAT", "avg", "ratings",
                          "request quality", "rated")
    customers.caption = "request quality: the providers' 1-5 rating of the requests"
    customers.caption_justify = "left"
    for row in report.customers:
        customers.add_row(row["team"] or Text("(no team)", style="dim"), csat(row["csat_pct"]),
                          num(row["average"]), str(row["ratings"]),
                          num(row["request_quality_average"]),
                          str(row["request_quality_ratings"]))
    for table in (providers, customers):
        if table.row_count:
            con.print()
            con.print(table)

app = typer.Typer(add_completion=False)
app.command("satisfaction", epilog=EPILOG)(satisfaction)
