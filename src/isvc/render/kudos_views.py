"""Kudos: the JSON shape, the wall's panels, one kudos, the allowance, leaderboards."""

from __future__ import annotations

from datetime import datetime, timezone

from isvc.domain.kudos import Allowance, Kudos
from isvc.domain.timeutil import parse_iso, to_iso
from isvc.render.console import console

KUDOS_COLUMNS = ["id", "created_at", "from", "to", "to_kind", "value", "request", "lateral",
                 "private", "message"]
LEADERBOARD_COLUMNS = {
    "person": ["rank", "person", "name", "team", "received", "given", "lateral_received",
               "lateral_given", "lateral_share_pct"],
    "team": ["rank", "team", "name", "received", "given", "lateral_received", "lateral_given",
             "lateral_share_pct"],
    "value": ["rank", "value", "kudos", "lateral", "lateral_share_pct", "recipients", "givers"],
}
ALLOWANCE_COLUMNS = ["person", "allowance_per_week", "used", "left", "week_start", "refreshes_at"]


def kudos_dict(k: Kudos) -> dict:
    """JSON.md's Kudos shape, plus the teams and the retraction (keys only ever added)."""
    return {
        "id": k.id,
        "from": k.giver,
        "to": k.recipient,
        "to_kind": k.to_kind,
        "message": k.message,
        "value": k.value,
        "request": k.request,
        "lateral": k.lateral,
        "private": k.private,
        "created_at": k.created_at,
        "giver_team": k.giver_team,
        "recipient_team": k.recipient_team,
        "retracted_at": k.retracted_at,
        "retracted_by": k.retracted_by,
    }


def allowance_dict(person: str, a: Allowance) -> dict:
    return {
        "person": person,
        "allowance_per_week": a.per_week,
        "used": a.used,
        "left": a.left,
        "week_start": to_iso(a.week_start),
        "refreshes_at": None if a.unlimited else to_iso(a.refreshes_at),
    }


def relative(iso: str, now: datetime) -> str:
    """"just now", "5 minutes ago", "3 hours ago", "yesterday", "2 days ago", "3 weeks ago"."""
    seconds = (now - parse_iso(iso)).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} minute{'s' * (minutes != 1)} ago"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} hour{'s' * (hours != 1)} ago"
    days = hours // 24
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 61:
        return f"{days // 7} weeks ago"
    months = days // 30
    if months < 12:
        return f"{months} months ago"
    return parse_iso(iso).strftime("%d %b %Y")


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"


def _head(k: Kudos) -> str:
    parts = [f"{k.giver} → {k.to_label}"]
    if k.value:
        parts.append(k.value)
    if k.request is not None:
        title = f" {_short(k.request_title, 32)}" if k.request_title else ""
        parts.append(f"for #{k.request}{title}")
    return " · ".join(parts)


def _panel(k: Kudos, now: datetime, team_names: dict[str, str], width: int):
    from rich import box
    from rich.cells import cell_len
    from rich.panel import Panel
    from rich.text import Text

    when = relative(k.created_at, now)
    left = _head(k) + (" · 🔒 private" if k.private else "")
    room = width - 8 - cell_len(when)  # corners, the spaces around and inside the title
    if cell_len(left) > room - 1:
        left = _short(left, max(8, room - 2))
    fill = max(1, room - cell_len(left))
    title = Text.assemble((left, "bold"), " ", ("─" * fill, "dim"), " ", (when, "dim"))
    subtitle = None
    if k.lateral:
        frm = team_names.get(k.giver_team or "", k.giver_team or "?")
        to = team_names.get(k.recipient_team or "", k.recipient_team or "?")
        subtitle = Text(f"lateral: {frm} → {to}", style="cyan")
    if k.retracted:
        subtitle = Text(f"retracted by {k.retracted_by} {relative(k.retracted_at, now)}",
                        style="dim")
    return Panel(Text(k.message, style="dim strike" if k.retracted else ""), title=title,
                 title_align="left", subtitle=subtitle, subtitle_align="right",
                 box=box.ROUNDED, width=width, border_style="dim" if k.private else "none")


def wall(rows: list[Kudos], now: datetime, team_names: dict[str, str],
         heading: str | None = None) -> None:
    con = console()
    if heading:
        con.print(heading, style="bold")
    if not rows:
        con.print("No kudos here yet. Thank someone: isvc kudos send @person \"what they did\"",
                  style="dim")
        return
    width = min(con.width, 100)
    for k in rows:
        con.print(_panel(k, now, team_names, width))


def detail(k: Kudos, now: datetime, tz, team_names: dict[str, str]) -> None:
    from rich.table import Table
    from rich.text import Text

    from isvc.render.humanize import local

    con = console()
    con.print(_panel(k, now, team_names, min(con.width, 100)))
    table = Table(box=None, show_header=False, pad_edge=True)
    table.add_column("key", style="dim")
    table.add_column("value")
    teams = f"{team_names.get(k.giver_team or '', k.giver_team or '—')} → " \
            f"{team_names.get(k.recipient_team or '', k.recipient_team or '—')}"
    rows = [
        ("kudos", f"#{k.id}"),
        ("given", local(k.created_at, tz)),
        ("teams", teams + (" (lateral)" if k.lateral else "")),
        ("request", f"#{k.request} {k.request_title or ''}".rstrip() if k.request else "—"),
        ("visible to", f"{k.giver}, {k.to_label} and admins" if k.private else "everyone"),
    ]
    if k.retracted:
        rows.append(("retracted", f"{local(k.retracted_at, tz)} by {k.retracted_by}"))
    for key, value in rows:
        table.add_row(key, Text(value))  # a request title is user text, not Rich markup
    con.print(table)


def allowance(person: str, a: Allowance, now: datetime) -> None:
    from isvc.domain.kudos import span_words

    con = console()
    if a.unlimited:
        con.print(f"{person}: {a.used} kudos given this week (since "
                  f"{a.week_start.strftime('%a %d %b %H:%M')}); no weekly allowance on this desk.")
        return
    colour = "red" if a.exhausted else "yellow" if a.left == 1 else "green"
    con.print(f"{person}: [{colour}]{a.left} of {a.per_week}[/] kudos left this week "
              f"({a.used} given).")
    zone = " UTC" if a.refreshes_at.tzinfo is timezone.utc else ""
    con.print(f"Refreshes {a.refreshes_at.strftime('%a %d %b %H:%M')}{zone} "
              f"(in {span_words(now, a.refreshes_at)}).", style="dim")


def leaderboard_table(view, since_words: str) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    if not view.rows:
        con.print(f"No kudos {since_words}.", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  title=f"Kudos by {view.by} · {since_words}", title_justify="left",
                  title_style="bold")
    table.add_column("#", justify="right", style="dim")
    if view.by == "value":
        table.add_column("value", style="bold")
        for name in ("kudos", "lateral", "recipients", "givers"):
            table.add_column(name, justify="right")
        for r in view.rows:
            table.add_row(str(r["rank"]), Text(r["value"]), str(r["kudos"]),
                          f"{r['lateral']} ({r['lateral_share_pct']}%)", str(r["recipients"]),
                          str(r["givers"]))
    else:
        table.add_column(view.by, style="bold")
        table.add_column("name")
        if view.by == "person":
            table.add_column("team")
        table.add_column("received", justify="right")
        table.add_column("given", justify="right")
        table.add_column("lateral", justify="right")
        for r in view.rows:
            cells = [str(r["rank"]), Text(r[view.by]), Text(r["name"] or "")]
            if view.by == "person":
                cells.append(Text(r["team"] or "—"))
            lateral = r["lateral_received"] + r["lateral_given"]
            cells += [str(r["received"]), str(r["given"]), f"{lateral} ({r['lateral_share_pct']}%)"]
            table.add_row(*cells)
    con.print(table)
