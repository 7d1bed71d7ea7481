"""Rich pieces for clocks: the queue's due column, clock lines, the agreement status table."""

from __future__ import annotations

from isvc.render.console import console
from isvc.render.humanize import business_duration

STATE_STYLE = {"breached": "bold red", "at_risk": "yellow", "on_track": "green", "met": "green",
               "paused": "dim"}
BAR_WIDTH = 8


def _bar(elapsed: int, target: int) -> str:
    """Eight cells of the target consumed, in eighths."""
    eighths = min(BAR_WIDTH * 8, max(0, elapsed * BAR_WIDTH * 8 // max(1, target)))
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part and full < BAR_WIDTH else ""
    return ("█" * full + partial).ljust(BAR_WIDTH, "░")


def running_clock(clocks: dict) -> tuple[str, object] | None:
    """The clock that matters now: the first response while it runs, else resolution."""
    fr, res = clocks.get("first_response"), clocks.get("resolution")
    if fr is not None and clocks["row"].get("first_response_at") is None and clocks["row"]["status"] in (
            "new", "acknowledged", "in_progress", "waiting"):
        if res is not None and res.due is not None and fr.due is not None and res.due < fr.due:
            return "resolution", res
        return "first_response", fr
    if res is not None:
        return "resolution", res
    return None


def due_cell(clocks: dict, day_minutes: int = 480, bar: bool = True):
    """"██████▌░ 2h 50m left", "████████ overdue 1h 5m", "███░░░░░ paused"."""
    from rich.text import Text

    picked = running_clock(clocks) if clocks else None
    if picked is None:
        return Text("no agreement", style="dim")
    which, st = picked
    target = clocks["row"]["fr_target" if which == "first_response" else "res_target"]
    if st.paused and st.state != "breached":
        state, words = "paused", "paused"
    elif st.state == "breached":
        over = business_duration(max(0, -st.remaining_minutes), day_minutes)
        state, words = "breached", f"overdue {over}"
    else:
        state, words = st.state, f"{business_duration(st.remaining_minutes, day_minutes)} left"
    if which == "first_response":
        words += " · reply"
    text = Text(_bar(st.elapsed_minutes, target) + " " if bar else "", style=STATE_STYLE.get(state, ""))
    text.append(words, style=STATE_STYLE.get(state, ""))
    return text


def clock_summary(name: str, st, target: int, row: dict, day_minutes: int) -> str:
    """One phrase for a request's header: "first response met (1h 32m)"."""
    if st is None:
        return f"{name}: no target"
    used = business_duration(st.elapsed_minutes, day_minutes)
    if st.state == "met":
        return f"{name} met ({used})"
    if st.state == "breached":
        if st.remaining_minutes < 0 and not _stopped(name, row):
            return f"{name} BREACHED, overdue {business_duration(-st.remaining_minutes, day_minutes)}"
        return f"{name} breached ({used} of {business_duration(target, day_minutes)})"
    if st.paused:
        return f"{name} paused, {business_duration(st.remaining_minutes, day_minutes)} left"
    word = "at risk" if st.state == "at_risk" else "on track"
    return f"{name} {word}, {business_duration(st.remaining_minutes, day_minutes)} left"


def _stopped(name: str, row: dict) -> bool:
    if name.startswith("first"):
        return row.get("first_response_at") is not None
    return row.get("status") in ("resolved", "closed")


def _pct(value) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _mins(value, day_minutes: int = 480) -> str:
    return "—" if value is None else business_duration(value, day_minutes)


def agreement_status_table(rows: list[dict], since: str, d) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    con.print(Text.assemble(("Agreements", "bold"), f" · last {since} (vs the {since} before)"))
    if not rows:
        con.print("No agreements yet: add one with `isvc agreement add`.", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col, justify in (("agreement", "left"), ("open", "right"),
                         ("on track", "right"), ("at risk", "right"), ("breached", "right"),
                         ("1st met", "right"), ("res. met", "right"),
                         ("median 1st", "right"), ("median res.", "right"), ("trend", "left")):
        table.add_column(col, justify=justify, no_wrap=True)
    for row in rows:
        trend = row["trend_pts"]
        if trend is None:
            trend_text = Text("—", style="dim")
        elif trend > 0:
            trend_text = Text(f"▲ +{trend:g} pts", style="green")
        elif trend < 0:
            trend_text = Text(f"▼ −{-trend:g} pts", style="red")
        else:
            trend_text = Text("▬", style="dim")
        table.add_row(
            Text(row["agreement"]), str(row["open"]),
            Text(str(row["on_track"]), style="green" if row["on_track"] else "dim"),
            Text(str(row["at_risk"]), style="yellow" if row["at_risk"] else "dim"),
            Text(str(row["breached"]), style="bold red" if row["breached"] else "dim"),
            _pct(row["first_response_met_pct"]), _pct(row["resolution_met_pct"]),
            _mins(row["median_first_response_minutes"]), _mins(row["median_resolution_minutes"]),
            trend_text,
        )
    con.print(table)
    con.print(" times are business time (1d = one business day) · isvc agreement show NAME",
              style="dim")


def check_table(rows: list[dict], warnings: list[str]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    for warning in warnings:
        con.print(Text(f"Warning: {warning}", style="yellow"))
    if not rows:
        con.print("Nothing at risk or breached.", style="green")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col in ("#", "team", "clock", "state", "due", "over / left", "owner"):
        table.add_column(col, no_wrap=True)
    for row in rows:
        state = row["state"]
        if state == "breached":
            when = f"overdue {business_duration(row['overdue_minutes'], row['day_minutes'])}"
        else:
            when = f"{business_duration(row['remaining_business_minutes'], row['day_minutes'])} left"
        table.add_row(str(row["number"]), Text(row["team"]), row["clock"].replace("_", " "),
                      Text(state.replace("_", " "), style=STATE_STYLE.get(state, "")),
                      row["due_local"], when, Text(row["assignee"] or "—"))
    con.print(table)


def _local(dt, cal) -> str:
    from zoneinfo import ZoneInfo

    return dt.astimezone(ZoneInfo(cal.tz)).strftime("%a %d %b %H:%M")


def expectations(clocks: dict) -> str:
    """What a requester is told when filing: both due times and the hours behind them."""
    from isvc.domain.calendar import describe_hours

    cal = clocks["calendar"]
    fr, res = clocks.get("first_response"), clocks.get("resolution")
    parts = []
    if fr is not None and fr.due is not None:
        parts.append(f"first response expected by {_local(fr.due, cal)}")
    if res is not None and res.due is not None:
        parts.append(f"resolution by {_local(res.due, cal)}")
    hours = "around the clock" if describe_hours(cal).startswith("24") else f"business hours {describe_hours(cal)}"
    text = ", ".join(parts) or "no due times while it waits"
    return f"  {text[0].upper()}{text[1:]}\n  ({hours}, {cal.tz}; calendar {clocks['row']['sla_calendar']})."


def clock_line(clocks: dict, tz=None):
    """The header line of `request show`: both clocks in words, coloured by state; due
    times in the viewer's zone ``tz``, like the rest of the view."""
    from rich.text import Text

    row, day = clocks["row"], clocks["day_minutes"]
    line = Text()
    for i, (name, key, prefix) in enumerate((("first response", "first_response", "fr"),
                                             ("resolution", "resolution", "res"))):
        st = clocks.get(key)
        if i:
            line.append(" · ")
        if st is None:
            line.append(f"{name}: no target", style="dim")
            continue
        state = "paused" if st.paused and st.state not in ("breached", "met") else st.state
        line.append(clock_summary(name, st, row[f"{prefix}_target"], row, day),
                    style=STATE_STYLE.get(state, ""))
        if st.due is not None and st.state not in ("met",):
            when = st.due.astimezone(tz).strftime("%a %d %b %H:%M") if tz else _local(st.due, clocks["calendar"])
            line.append(f" (due {when})", style="dim")
    line.append(f" · {row['agreement']}", style="dim")
    return line
