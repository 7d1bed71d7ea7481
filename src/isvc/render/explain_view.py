"""`isvc sla explain N`: the human view (Rich) and the JSON shape of an explanation.

The view follows MOCKUPS.md: a header line, one verdict line per clock, then the
timeline of the resolution clock (and of the first-response clock while it runs or when
it breached). Words carry the meaning (AT RISK, BREACHED, paused) so it reads the same
with NO_COLOR; colour only repeats it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from isvc.domain.explain import (
    ClockExplanation,
    Line,
    RequestExplanation,
    hm,
    target_text,
    when,
)
from isvc.domain.timeutil import to_iso

STATE_STYLE = {"breached": "bold red", "at_risk": "yellow", "on_track": "green", "met": "green",
               "paused": "dim"}
LINE_STYLE = {"created": "bold", "stopped": "bold", "closed": "dim", "holiday": "dim magenta",
              "paused": "dim italic", "counted": ""}


# --- JSON ---------------------------------------------------------------------------------


def line_json(line: Line) -> dict:
    return {
        "kind": line.kind,
        "start": to_iso(line.start),
        "end": to_iso(line.end),
        "minutes": line.minutes,
        "total_minutes": line.total_minutes,
        "note": line.note,
    }


def clock_json(ex: ClockExplanation | None) -> dict | None:
    if ex is None:
        return None
    st = ex.status
    stopped = ex.stop is not None and any(line.kind == "stopped" for line in ex.lines)
    return {
        "target_minutes": ex.target_minutes,
        "due_at": to_iso(st.due),
        "at_risk_at": to_iso(st.at_risk_at),
        "state": st.state,
        "elapsed_business_minutes": st.elapsed_minutes,
        "remaining_business_minutes": st.remaining_minutes,
        "paused": st.paused,
        "created_at": to_iso(ex.created),
        "started_at": to_iso(ex.started_at),
        "stopped_at": to_iso(ex.stop.at) if stopped else None,
        "stopped_by": ex.stop.actor if stopped else None,
        "stopped_how": ex.stop.verb if stopped else None,
        "breached_at": to_iso(ex.breached_at),
        "breach_recorded_at": to_iso(ex.breach_recorded_at),
        "lines": [line_json(line) for line in ex.lines],
        "notes": list(ex.notes),
    }


def explanation_json(rx: RequestExplanation) -> dict:
    return {
        "number": rx.number,
        "title": rx.title,
        "priority": rx.priority,
        "status": rx.status,
        "agreement": rx.agreement,
        "calendar": rx.calendar_name,
        "tz": rx.calendar.tz if rx.calendar else None,
        "hours": rx.hours,
        "message": rx.message,
        "clocks": None if rx.agreement is None else {
            name: clock_json(rx.clocks.get(name)) for name in ("first_response", "resolution")},
        "notes": list(rx.notes),
    }


# --- words ----------------------------------------------------------------------------------


def _state(ex: ClockExplanation) -> str:
    st = ex.status
    return "paused" if st.paused and st.state not in ("breached", "met") else st.state


def _stopped(ex: ClockExplanation) -> bool:
    return any(line.kind == "stopped" for line in ex.lines)


def verdict(ex: ClockExplanation) -> str:
    """"met at 11:02 by jim (1h 32m used)", "AT RISK: 13h 10m of 16h used, 2h 50m left"."""
    st, zone = ex.status, ZoneInfo(ex.tz)
    used, target = hm(st.elapsed_minutes), hm(ex.target_minutes)
    ref = st.due.astimezone(zone).date() if st.due is not None else None
    if _stopped(ex) and ex.stop is not None:
        at = when(ex.stop.at, zone, ref)
        by = f" by {ex.stop.actor}" if ex.stop.actor else ""
        if ex.stop.cancelled:
            return f"cancelled at {at}{by} ({used} used)"
        if st.state == "met":
            return f"met at {at}{by} ({used} used)"
        over = -st.remaining_minutes
        late = f"{hm(over)} over" if over > 0 else "after the due time"
        return f"BREACHED: {ex.stop.verb} at {at}{by}, {late} ({used} of {target} used)"
    if st.state == "breached":
        over = -st.remaining_minutes
        text = f"BREACHED at {when(st.due, zone)}" if st.due is not None else "BREACHED"
        text += f", overdue {hm(over)}" if over > 0 else ", out of hours"
        return text + (" · paused now" if st.paused else "")
    left = f"{used} of {target} used, {hm(st.remaining_minutes)} left"
    if st.paused:
        return f"paused: {left}"
    if st.state == "at_risk":
        return f"AT RISK: {left}"
    return f"on track: {left}"


def due_text(ex: ClockExplanation) -> str:
    st = ex.status
    if st.due is None:
        return "no due time (paused)"
    return f"due {when(st.due, ZoneInfo(ex.tz))}"


def footer(ex: ClockExplanation) -> list[str]:
    """The figures under a timeline: what is left and where the due time comes from."""
    st, zone = ex.status, ZoneInfo(ex.tz)
    target = target_text(ex.target_minutes, ex.day_minutes)
    of = f"{hm(st.elapsed_minutes)} of {target}" + (
        f" ({hm(ex.target_minutes)})" if target != hm(ex.target_minutes) else "")
    out = []
    if _stopped(ex):
        due = f"; it was due {when(st.due, zone)}" if st.due is not None else ""
        if ex.stop is not None and ex.stop.cancelled:
            out.append(f"{of} used before it was cancelled{due}")
        elif st.state == "met":
            out.append(f"{of} used, {hm(st.remaining_minutes)} to spare{due}")
        else:
            over = -st.remaining_minutes
            over_text = f"{hm(over)} over" if over > 0 else "stopped after the due time"
            out.append(f"{of} used: {over_text}{due}")
    elif st.state == "breached":
        over = -st.remaining_minutes
        text = f"target used up at {when(st.due, zone)}" if st.due is not None else "target used up"
        out.append(f"{of} used: {text}, overdue {hm(over)} of business time" if over > 0
                   else f"{of} used: due {when(st.due, zone)} passed out of hours")
    elif st.due is None:
        out.append(f"{of} used, {hm(st.remaining_minutes)} left: no due time while it waits;"
                   " it is set again when the clock resumes")
    else:
        out.append(f"remaining {hm(st.remaining_minutes)} of business time  →  due {when(st.due, zone)}")
        if st.state == "on_track" and st.at_risk_at is not None:
            out.append(f"at risk from {when(st.at_risk_at, zone)}")
    if ex.breach_recorded_at is not None and st.state != "breached":
        out.append(f"a breach was recorded at {when(ex.breach_recorded_at, zone)} before the"
                   " target changed; it still counts in reports")
    out.extend(ex.notes)
    return out


def _span(line: Line, zone: ZoneInfo) -> str:
    """"Mon 23 Nov 09:30 – 17:00"; "Fri 27 Nov 16:30 – Mon 10:00" within a week; closed
    spells by weekday only ("Mon 17:00 – Tue 09:00"): their neighbours carry the dates."""
    if line.end is None:
        return when(line.start, zone)
    start, end = line.start.astimezone(zone), line.end.astimezone(zone)
    if start.date() == end.date():
        return f"{when(line.start, zone)} – {end.strftime('%H:%M')}"
    near = (end.date() - start.date()).days < 7
    if line.kind in ("closed", "holiday") and near:
        return f"{start.strftime('%a %H:%M')} – {end.strftime('%a %H:%M')}"
    return f"{when(line.start, zone)} – {end.strftime('%a %H:%M') if near else when(line.end, zone)}"


# --- Rich -----------------------------------------------------------------------------------


def _rows(con, rows: list[tuple[str, str, str, str, str]], indent: int = 1) -> None:
    """Rows of (when, what, total, what's style, total's style) as aligned columns: the
    text wraps under its own column, nothing trails (pipes and copy-paste stay clean)."""
    import textwrap

    from rich.text import Text

    if not rows:
        return
    left = max(len(r[0]) for r in rows)
    right = max(len(r[2]) for r in rows)
    room = max(24, con.width - indent - left - 2 - (right + 2 if right else 0))
    for when_, what, total, style, total_style in rows:
        parts = textwrap.wrap(what, room) or [""]
        line = Text(" " * indent)
        line.append(when_.ljust(left), style="dim" if style.startswith("dim") else "")
        line.append("  ")
        line.append(parts[0], style=style)
        if total:
            line.append(" " * (room - len(parts[0]) + 2) + total.rjust(right), style=total_style)
        line.rstrip()
        con.print(line)
        for part in parts[1:]:
            con.print(Text(" " * (indent + left + 2)) + Text(part, style=style))


def render(rx: RequestExplanation, con=None) -> None:
    import textwrap

    from rich.text import Text

    from isvc.render.console import PRIORITY_STYLE, console

    con = con or console()
    head = Text()
    head.append(f"#{rx.number} {rx.title}", style="bold")
    head.append(" · ")
    head.append(rx.priority, style=PRIORITY_STYLE.get(rx.priority, ""))
    head.append(f" · {rx.status.replace('_', ' ')}")
    if rx.agreement is None:  # one line, unwrapped, so scripts can grep it
        con.print(Text(rx.message or f"#{rx.number} has no agreement"), soft_wrap=True)
        return
    head.append(f" · {rx.agreement}")
    where = f"calendar \"{rx.calendar_name}\" ({rx.hours} {rx.calendar.tz})"
    if head.cell_len + 3 + len(where) <= con.width:
        con.print(head + Text(" · " + where))
    else:  # break where it reads well rather than mid-phrase
        con.print(head)
        con.print(Text("  " + where))
    for note in rx.notes:
        con.print(Text(note, style="dim"))
    con.print()

    summary, shown = [], []
    for name in ("first_response", "resolution"):
        ex = rx.clocks.get(name)
        if ex is None:
            label = name.replace("_", " ").capitalize()
            summary.append((f"{label:<16} no target", "", "", "dim", ""))
            continue
        head_cells = f"{ex.label:<16} target {target_text(ex.target_minutes, ex.day_minutes):<5}  {due_text(ex)}"
        summary.append((head_cells, verdict(ex), "", STATE_STYLE.get(_state(ex), ""), ""))
        if name == "resolution" or not _stopped(ex) or ex.status.state == "breached":
            shown.append(ex)
    _rows(con, summary, indent=0)

    for ex in sorted(shown, key=lambda e: e.clock):
        con.print()
        zone = ZoneInfo(ex.tz)
        con.print(Text.assemble((f"{ex.label} clock", "bold"), (f" · times in {ex.tz}", "dim")))
        rows = []
        for line in ex.lines:
            style = LINE_STYLE.get(line.kind, "")
            if line.kind == "counted" and line.over:
                style = "red"
            elif line.kind == "now":
                style = ("bold " + STATE_STYLE.get(_state(ex), "")).strip()
            elif line.kind == "stopped":
                style = ("bold " + STATE_STYLE.get(ex.status.state, "")).strip()
            total = f"total {hm(line.total_minutes):>7}" if line.kind == "counted" else ""
            rows.append((_span(line, zone), line.note, total, style, "red" if line.over else ""))
        _rows(con, rows)
        for i, text in enumerate(footer(ex)):
            style = STATE_STYLE.get(_state(ex), "") if i == 0 else "dim"
            for j, part in enumerate(textwrap.wrap(text, max(24, con.width - 3))):
                con.print(Text((" " if j == 0 else "   ") + part, style=style))


def now_text(now: datetime, tz: str) -> str:
    return when(now, ZoneInfo(tz))
