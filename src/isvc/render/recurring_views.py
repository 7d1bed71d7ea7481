"""`isvc report recurring` on a terminal: one row per group of similar requests."""

from __future__ import annotations

from isvc.render.console import console

TEAMS_SHOWN = 2


def _day(iso: str, tz) -> str:
    from isvc.domain.timeutil import parse_iso

    return parse_iso(iso).astimezone(tz).strftime("%d %b")


def _suggestion(text: str):
    from rich.text import Text

    if text.startswith("problem #"):
        return Text(text, style="dim")
    if text == "open a problem request":
        return Text(text, style="bold yellow")
    if "KB-" in text:
        return Text(text, style="cyan")
    return Text(text)


def recurring_table(rows: list[dict], since_iso: str, tz, team: str | None,
                    min_size: int) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from isvc.render.humanize import local, plural

    con = console()
    since = local(since_iso, tz)
    scope = f" · requests to {team}" if team else ""
    if not rows:
        con.print(Text(f"No groups of {min_size} or more similar requests since {since}{scope}.",
                       style="dim"))
        return
    requests = sum(r["size"] for r in rows)
    con.print(Text.assemble(("Recurring problems", "bold"),
                            f" since {since}{scope} · {plural(len(rows), 'group')}"
                            f" · {plural(requests, 'request')}"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("title · type · action", min_width=22)
    table.add_column("teams")
    table.add_column("people", justify="right", no_wrap=True)
    table.add_column("first – last")
    table.add_column("open", justify="right", no_wrap=True)
    for row in rows:
        teams = Text(" · ".join(f"{t['team']} {t['count']}" for t in row["teams"][:TEAMS_SHOWN]))
        if len(row["teams"]) > TEAMS_SHOWN:
            teams.append(f" +{len(row['teams']) - TEAMS_SHOWN}", style="dim")
        title = Text(row["title"])
        details = [row["type"] or "untyped"]
        if row["kb_article"]:
            details.append(f"KB-{row['kb_article']['id']}")
        title.append("\n" + " · ".join(details), style="dim")
        title.append("\n→ ").append_text(_suggestion(row["suggestion"]))
        span = Text(f"{_day(row['first_at'], tz)} – {_day(row['last_at'], tz)}")
        table.add_row(str(row["id"]), str(row["size"]), title, teams, str(row["requesters"]),
                      span, Text(str(row["open"]), style="" if row["open"] else "dim"))
    table.caption = "isvc report recurring --open-problem ID   ·   isvc request show N"
    table.caption_justify = "left"
    table.caption_style = "dim"
    con.print()
    con.print(table)
