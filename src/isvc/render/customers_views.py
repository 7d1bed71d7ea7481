"""`isvc customers` on a terminal: customer teams in bold, their requesters indented."""

from __future__ import annotations

from isvc.render.console import console


def customers_table(report, tz, limit: float | None = None) -> None:
    """``limit``: the urgency budget's share (config requests.urgent_share_limit); urgent
    shares above it are shown in red."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from isvc.render.humanize import local

    con = console()
    since = local(report.since, tz)
    scope = f" · requests to {report.team}" if report.team else ""
    if not report.rows:
        con.print(f"No requests filed since {since}{scope}.", style="dim")
        return

    def num(value, suffix: str = "") -> Text | str:
        return Text("—", style="dim") if value is None else f"{value:g}{suffix}"

    def share(row) -> Text:
        value = row["urgent_share_pct"]
        if not row["urgent"]:
            return Text("0", style="dim")
        over = limit is not None and value is not None and value > 100 * limit
        return Text(f"{row['urgent']} ({value:g}%)", style="red" if over else "")

    con.print(Text.assemble(("Customers", "bold"), f" since {since}{scope}"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("customer", no_wrap=True)
    for column in ("requests", "urgent", "needs info", "request quality", "rated"):
        table.add_column(column, no_wrap=True, justify="right")
    table.caption = ("needs info: round trips for missing details · request quality: the "
                     "providers' 1-5 rating")
    table.caption_justify = "left"
    for row in report.rows:
        if row["level"] == "team":
            name = Text(row["team"] or "(no team)", style="bold" if row["team"] else "bold dim")
        else:
            name = Text(f"  {row['requester']}")
        table.add_row(name, str(row["requests"]), share(row),
                      num(row["needs_info"]) if row["needs_info"] else Text("0", style="dim"),
                      num(row["provider_rating_average"]), str(row["provider_ratings"]),
                      style="bold" if row["level"] == "team" else None)
    con.print()
    con.print(table)
