"""The Rich views: queue, request lists, a request with its journal, teams and people."""

from __future__ import annotations

from datetime import datetime

from isvc.domain.models import OPEN_STATUSES, Person, Request, Status, Team
from isvc.render.console import PRIORITY_STYLE, STATUS_STYLE, console
from isvc.render.humanize import age, local


def _status_text(status: Status):
    from rich.text import Text

    return Text(status.label, style=STATUS_STYLE.get(status.value, ""))


def _priority_text(priority: str):
    from rich.text import Text

    return Text(priority, style=PRIORITY_STYLE.get(priority, ""))


def queue_table(view, team_name: str | None, now: datetime, tz) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    counts = view.counts
    title = team_name or "All teams"
    if view.mine:
        title += f" · assigned to {view.mine}"
    summary = f"{view.total_open} open"
    if counts.get("breached"):
        summary += f" · {counts['breached']} breached"
    if counts.get("at_risk"):
        summary += f" · {counts['at_risk']} at risk"
    if counts.get("waiting_on_requester"):
        summary += f" · {counts['waiting_on_requester']} waiting on requester"
    header = Text.assemble((f" {title}", "bold"), f" · {summary}")
    stamp = now.astimezone(tz).strftime("%a %d %b %H:%M")
    pad = con.width - len(header.plain) - len(stamp) - 1
    if pad >= 3:  # the time on the right, when there is room for it
        header.append(" " * pad + stamp, style="dim")
    con.print(header, soft_wrap=True)
    if not view.rows:
        con.print("  Nothing open here. ", style="green")
        return
    clocks = view.extra.get("clocks", {})
    with_due = any(clocks.get(r.number) for r in view.rows)
    if with_due:
        from isvc.render.sla_views import due_cell
    blocks = view.extra.get("blocks", {})
    marks = {}  # "⛓ blocks 3": open requests waiting on the row, transitively
    rows = []
    for req in view.rows:
        if blocks.get(req.number):
            marks[len(rows)] = f"  ⛓ blocks {blocks[req.number]}"
        # user text as Text: "[/x]" in a title is shown, never read as Rich markup
        cells = [str(req.number), age(req.created_at, now), _priority_text(req.priority.value),
                 _status_text(req.status), Text(req.title + marks.get(len(rows), ""))]
        if not view.team:
            cells.append(Text(req.team))
        cells += [Text(req.requester), Text(req.assignee) if req.assignee else Text("—", style="dim")]
        if with_due:
            row_clocks = clocks.get(req.number) or {}
            # a narrow terminal keeps the words and drops the bar
            cells.append(due_cell(row_clocks, row_clocks.get("day_minutes", 480), bar=con.width >= 75))
        rows.append(cells)
    headers = ["#", "age", "pri", "status", "title"] + ([] if view.team else ["team"]) + [
        "requester", "owner"] + ([("due (business time)" if con.width >= 75 else "due")] if with_due else [])
    caps = {"requester": 12, "owner": 10}
    widths = [min(caps.get(h, 99), max(len(h), *(len(Text(c).plain if isinstance(c, str) else c.plain)
                                                   for c in (row[i] for row in rows))))
              for i, h in enumerate(headers)]
    # Every column keeps its natural width and the title gives way; on a terminal too narrow
    # even for that, the least needed columns go (never the number, priority or status).
    for droppable in ("requester", "team", "age", "owner"):
        others = sum(w for h, w in zip(headers, widths) if h != "title") + 3 * (len(headers) - 1)
        if con.width - others >= 16 or droppable not in headers:
            continue
        at = headers.index(droppable)
        for seq in (headers, widths, *rows):
            del seq[at]
    title_at = headers.index("title")
    others = sum(w for i, w in enumerate(widths) if i != title_at) + 3 * (len(headers) - 1)
    title_width = max(10, min(widths[title_at], con.width - others))
    for i, mark in marks.items():  # a title that gives way keeps its mark
        title = view.rows[i].title
        room = title_width - len(mark)
        if len(title) > room:
            title = title[:max(1, room - 1)] + "…"
        rows[i][title_at] = Text.assemble(title, (mark, "bold"))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=False, show_edge=False)
    for i, header in enumerate(headers):
        table.add_column(header, no_wrap=True, overflow="ellipsis",
                         justify="right" if header in ("#", "age") else "left",
                         style="bold" if header == "#" else None,
                         width=title_width if i == title_at else widths[i])
    for cells in rows:
        table.add_row(*cells)
    con.print(table)
    parts = [f"{s.label} {counts.get(s.value, 0)}" for s in OPEN_STATUSES]
    shown = f"showing {len(view.rows)} of {view.total_open}" if len(view.rows) < view.total_open else ""
    footer = Text(" " + " · ".join(parts), style="dim")
    for hint in (("isvc request show N · isvc sla explain N" + (f" · {shown}" if shown else "")),
                 shown, ""):
        pad = con.width - len(footer.plain) - len(hint) - 1
        if pad >= 2 or not hint:
            break
    if hint:
        footer.append(" " * pad + hint, style="dim")
    con.print(footer, soft_wrap=True)


def request_table(rows: list[Request], now: datetime) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    if not rows:
        con.print("No requests match.", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("#", justify="right", style="bold", no_wrap=True)
    table.add_column("age", justify="right", no_wrap=True)
    table.add_column("pri", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("team", no_wrap=True)
    table.add_column("title", overflow="ellipsis", no_wrap=True, ratio=1, min_width=20)
    table.add_column("requester", no_wrap=True, max_width=12, overflow="ellipsis")
    table.add_column("owner", no_wrap=True, max_width=12, overflow="ellipsis")
    for req in rows:
        table.add_row(str(req.number), age(req.created_at, now), _priority_text(req.priority.value),
                      _status_text(req.status), Text(req.team), Text(req.title),
                      Text(req.requester), Text(req.assignee or "—"))
    con.print(table)


_KIND_WORDS = {
    "filed": "filed", "reply": "replied", "note": "note 🔒", "assigned": "assigned",
    "watch": "watching", "unwatch": "unwatched", "edit": "changed", "redaction": "redacted",
    "link": "linked", "needs_info": "needs info",
}


def _event_line(event, requester: str) -> tuple[str, str]:
    """(what happened, detail) for one journal event."""
    kind = event.kind
    if kind == "status":
        to = Status(event.to_value).label
        what = {"acknowledged": "acknowledged", "in progress": "started", "waiting": "waiting",
                "resolved": "resolved", "closed": "closed", "cancelled": "cancelled"}.get(to, to)
        if event.from_value == "waiting" and to == "in progress":
            what = "resumed"
        if event.from_value == "resolved" and to == "in progress":
            what = "reopened"
        detail = ("on another request" if event.field == "request" else "on requester") if to == "waiting" else ""
        if event.message:
            detail = (detail + " " if detail else "") + f'"{event.message}"'
        return what, detail
    if kind == "edit":
        if event.field == "tags":
            return "tagged", f"+{event.to_value}" if event.to_value else f"-{event.from_value}"
        return "changed", f"{event.field}: {event.from_value or '—'} → {event.to_value or '—'}"
    if kind == "assigned":
        detail = f"{event.from_value or '—'} → {event.to_value or '—'}"
        if event.message:
            detail += f" ({event.message})"
        return "assigned", detail
    if kind == "kudos":
        to = f" → {event.to_value}" if event.to_value else ""
        return "kudos", (to.lstrip() + (f' "{event.message}"' if event.message else "")).strip()
    if kind == "kudos_retracted":
        return "retracted", f"kudos {event.field}" if event.field else "a kudos"
    if kind == "rating":
        side = "rated the request" if event.field == "provider" else "rated"
        detail = f"{event.to_value}/5" + (f" (was {event.from_value}/5)" if event.from_value else "")
        if event.message:
            detail += f' "{event.message}"'
        return side, detail
    if kind in ("watch", "unwatch"):
        return _KIND_WORDS[kind], event.to_value or ""
    if kind == "redaction":
        return "redacted", f"event {event.field}: {event.message}"
    detail = f'"{event.message}"' if event.message else ""
    if kind == "note":
        detail += " (internal)"
    if kind == "link":
        detail = event.message or ""
        if event.to_value is None and event.from_value is not None:
            return "unlinked", detail
        if event.field == "waiting_on":  # waiting on another request, or resumed by it
            return ("resumed" if detail.startswith("resumed") else "waits"), detail
    return _KIND_WORDS.get(kind, kind), detail


def request_view(view, team_name: str, requester: Person | None, now: datetime, tz,
                 clocks: dict | None = None, field_labels: dict[str, str] | None = None) -> None:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    con = console()
    req = view.request
    head = Text()
    head.append(f"{team_name} · ")
    head.append(req.priority.value, style=PRIORITY_STYLE.get(req.priority.value, ""))
    head.append(" · ")
    head.append(req.status.label, style=STATUS_STYLE.get(req.status.value, ""))
    head.append(f" · owner {req.assignee or '—'} · requester {req.requester}")
    if requester and requester.primary_team:
        head.append(f" ({requester.primary_team})")
    lines = [head]
    second = []
    if req.type:
        second.append(f"type {req.type}")
    if req.tags:
        second.append("tags " + ", ".join(req.tags))
    second.append(f"filed {local(req.created_at, tz)} by {req.channel}")
    if req.watchers:
        second.append("watchers " + ", ".join(req.watchers))
    lines.append(Text(" · ".join(second), style="dim"))
    if req.fields and field_labels:  # a catalog type: its labels, in the type's order
        names = [k for k in field_labels if k in req.fields]
        names += sorted(k for k in req.fields if k not in field_labels)
        lines.append(Text(" · ".join(f"{field_labels.get(k, k)}: {req.fields[k]}" for k in names),
                          style="dim"))
    elif req.fields:
        lines.append(Text(" · ".join(f"{k} {v}" for k, v in sorted(req.fields.items())), style="dim"))
    justified = [e.message for e in view.events if e.kind == "justification" and e.message]
    if justified:  # the urgency budget: why the requester says it is urgent
        lines.append(Text(f"{req.priority.value} — justified: {justified[-1]}"))
    if clocks:
        from isvc.render.sla_views import clock_line

        lines.append(clock_line(clocks, tz))
    from isvc.services.links import words

    links = [f"waiting on #{req.waiting_on}"] if isinstance(req.waiting_on, int) else []
    grouped: dict[str, list[str]] = {}  # "blocks #415, #418 · blocked by #398"
    for link in sorted(view.links, key=lambda k: (k["src"], k["dst"])):
        word, _, other = words(link["kind"], link["src"], link["dst"], req.number).rpartition(" ")
        grouped.setdefault(word, []).append(other)
    links += [f"{word} {', '.join(others)}" for word, others in grouped.items()]
    if links:
        lines.append(Text(" · ".join(links)))
    body = Text("\n").join(lines)
    con.print(Panel(body, title=Text(f"#{req.number} {req.title}", style="bold"), title_align="left",
                    box=box.ROUNDED, expand=True))
    table = Table(box=None, show_header=False, pad_edge=True, expand=True)
    table.add_column("when", no_wrap=True, style="dim")
    table.add_column("who", no_wrap=True)
    table.add_column("what", no_wrap=True)
    table.add_column("detail", ratio=1, overflow="fold")
    for event in view.events:
        what, detail = _event_line(event, req.requester)
        style = "yellow" if event.internal else ""
        table.add_row(local(event.at, tz), Text(event.actor), Text(what, style=style or "bold"),
                      Text(detail, style=style))
    con.print(table)


def team_table(teams: list[Team], open_counts: dict[str, int]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("team", style="bold")
    table.add_column("name")
    table.add_column("members", justify="right")
    table.add_column("open", justify="right")
    for team in teams:
        table.add_row(Text(team.handle), Text(team.name), str(len(team.members)),
                      str(open_counts.get(team.handle, 0)))
    console().print(table)


def people_table(people: list[tuple[Person, str]]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("person", style="bold")
    table.add_column("name")
    table.add_column("email")
    table.add_column("teams")
    table.add_column("role")
    for person, role in people:
        name = person.name if person.active else f"{person.name} (inactive)"
        teams = ", ".join(f"{t}*" if t == person.primary_team and len(person.teams) > 1 else t
                          for t in person.teams)
        table.add_row(Text(person.handle), Text(name), Text(person.email or "—"),
                      Text(teams or "—"), Text(role),
                      style="" if person.active else "dim")
    console().print(table)


def key_values(title: str, pairs: list[tuple[str, str]]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, show_header=False, title=Text(title, style="bold"),
                  title_justify="left")
    table.add_column("key", style="dim")
    table.add_column("value")
    for key, value in pairs:  # values are user text: never read as Rich markup
        table.add_row(Text(key) if isinstance(key, str) else key,
                      Text(value) if isinstance(value, str) else value)
    console().print(table)
