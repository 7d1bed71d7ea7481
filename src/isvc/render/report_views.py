"""`isvc report` and `isvc report peak` on a terminal.

Colour carries meaning (green good, yellow watch, red bad, dim nothing there) and every
figure is also written out, so the views read the same with NO_COLOR.
"""

from __future__ import annotations

from isvc.domain.timeutil import parse_iso
from isvc.render.console import console
from isvc.render.humanize import business_duration, plural

SPARKS = "▁▂▃▄▅▆▇█"
SHADES = " ░▒▓█"
SPARK_WIDTH = 60
NO_GROUP = {"team": "(no team)", "type": "(no type)", "assignee": "(unassigned)",
            "customer": "(no team)"}
BY_WORDS = {"team": "provider team", "type": "request type", "assignee": "assignee",
            "customer": "customer team"}


def sparkline(values: list[int], width: int = SPARK_WIDTH) -> str:
    """One block per value (every n-th, counted back from the last, when there are more
    than ``width``), scaled from the lowest to the highest."""
    if not values:
        return ""
    if len(values) > width:
        step = -(-len(values) // width)
        values = values[::-1][::step][::-1]
    lo, hi = min(values), max(values)
    if hi == lo:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[(v - lo) * (len(SPARKS) - 1) // (hi - lo)] for v in values)


def _period(since: str, until: str, tz) -> str:
    from isvc.render.humanize import local

    days = round((parse_iso(until) - parse_iso(since)).total_seconds() / 86400)
    return f"{plural(days, 'day')} since {local(since, tz)}"


def _dash():
    from rich.text import Text

    return Text("—", style="dim")


def _count(value: int | None, style: str = "") -> object:
    from rich.text import Text

    if value is None:
        return _dash()
    return Text(f"{value:,}", style=style if value else "dim")


def _pct(value: float | None, good: float = 90, fair: float = 75) -> object:
    from rich.text import Text

    if value is None:
        return _dash()
    style = "green" if value >= good else "yellow" if value >= fair else "red"
    return Text(f"{value:.0f}%", style=style)


def _times(median: int | None, p90: int | None) -> object:
    from rich.text import Text

    if median is None:
        return _dash()
    return Text.assemble(business_duration(median), ("/" + business_duration(p90), "dim"))


def _backlog(start: int, end: int) -> object:
    from rich.text import Text

    delta = end - start
    style = "red" if delta > 0 else "green" if delta < 0 else "dim"
    sign = f"+{delta}" if delta > 0 else f"−{-delta}" if delta < 0 else "±0"
    return Text.assemble(f"{start:,} → {end:,} ", (sign, style))


def _csat(row: dict) -> object:
    from rich.text import Text

    if not row["csat_count"]:
        return _dash()
    positive = row["csat_positive_pct"]
    style = "green" if positive >= 80 else "yellow" if positive >= 60 else "red"
    return Text.assemble((f"{row['csat_avg']:.1f}", style), (f" ({row['csat_count']:,})", "dim"))


def _lateral(row: dict) -> object:
    from rich.text import Text

    given, received = row["lateral_given"], row["lateral_received"]
    if not given and not received:
        return _dash()
    parts = []
    if given is not None:
        parts.append((f"+{given}", "green" if given else "dim"))
    if received is not None:
        parts.append((f"−{received}", "yellow" if received else "dim"))
    return Text(" ").join(Text(text, style=style) for text, style in parts)


def _reopened(row: dict) -> object:
    from rich.text import Text

    if not row["reopened"] or row["reopen_rate_pct"] is None:
        return _count(row["reopened"])
    rate = row["reopen_rate_pct"]
    return Text.assemble(f"{row['reopened']:,} ",
                         (f"{rate:.0f}%", "yellow" if rate >= 10 else "dim"))


def _label(row: dict, by: str, total: bool):
    from rich.text import Text

    if total:
        return Text("all", style="bold")
    if row["group"] is None:
        return Text(NO_GROUP[by], style="dim")
    return Text(str(row["group"]))


def summary_view(data: dict, tz) -> None:
    """The flow table, the times-and-quality table, the backlog trend, the phases skipped."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    by, total = data["by"], data["total"]
    scope = f" · team {data['team']}" if data["team"] else ""
    con.print(Text.assemble(("Service report", "bold"), " · ", _period(data["since"], data["until"], tz),
                            scope, f" · by {BY_WORDS[by]}"))
    if not data["rows"]:
        con.print("No requests were open, filed or rated in this period.", style="dim")
        return
    rows = [(row, False) for row in data["rows"]] + [(total, True)]

    def new_table() -> Table:
        return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)

    flow = new_table()
    flow.add_column(BY_WORDS[by], no_wrap=True, max_width=24)
    for name in ("in", "out", "closed", "cxl.", "backlog", "reopened", "breached", "no\nmsg",
                 "no\nack."):
        flow.add_column(name, justify="right", no_wrap=True)
    for row, is_total in rows:
        flow.add_row(
            _label(row, by, is_total), _count(row["created"], "bold"), _count(row["resolved"]),
            _count(row["closed"]), _count(row["cancelled"]),
            _backlog(row["backlog_start"], row["backlog_end"]), _reopened(row),
            _count(row["breached"], "bold red"),
            _count(row["closed_without_message"], "yellow"),
            _count(row["never_acknowledged"], "yellow"),
            style="bold" if is_total else None, end_section=len(rows) > 2 and rows[-2][0] is row)
    con.print()
    con.print(flow)
    con.print(" in: filed · out: resolved · cxl.: cancelled · reopened: and per 100 resolved\n"
              " no msg: closed without a closing message · no ack.: never acknowledged",
              style="dim")

    quality = new_table()
    quality.add_column(BY_WORDS[by], no_wrap=True, max_width=24)
    for name in ("1st response", "handling", "resolution", "1st\nmet", "res.\nmet", "CSAT",
                 "lateral"):
        quality.add_column(name, justify="right", no_wrap=True)
    for row, is_total in rows:
        quality.add_row(
            _label(row, by, is_total),
            _times(row["first_response_median_minutes"], row["first_response_p90_minutes"]),
            _times(row["handling_median_minutes"], row["handling_p90_minutes"]),
            _times(row["resolution_median_minutes"], row["resolution_p90_minutes"]),
            _pct(row["first_response_met_pct"]), _pct(row["resolution_met_pct"]),
            _csat(row), _lateral(row),
            style="bold" if is_total else None, end_section=len(rows) > 2 and rows[-2][0] is row)
    con.print()
    con.print(quality)
    con.print(" times: median/p90 in business time on each request's calendar (1d = 8h) · "
              "CSAT: average (ratings)\n lateral: +given by the group's people −received on "
              "its requests", style="dim")

    series = data["backlog"]
    if series:
        opened = [day["open"] for day in series]
        last = series[-1]
        con.print()
        con.print(Text.assemble(
            ("Backlog ", "bold"), (sparkline(opened), "cyan"),
            f" {total['backlog_start']:,} → {last['open']:,} open",
            (f" (daily; low {min(opened):,}, high {max(opened):,})", "dim")))
    skipped_close, skipped_ack = total["closed_without_message"], total["never_acknowledged"]
    if skipped_close or skipped_ack:
        con.print(Text.assemble(
            ("Phases skipped: ", "bold"),
            (f"{skipped_close:,} closed without a closing message", "yellow" if skipped_close else "dim"),
            " · ", (f"{skipped_ack:,} never acknowledged", "yellow" if skipped_ack else "dim"),
            (f" (of {total['resolved'] + total['cancelled']:,} finished)", "dim")))
    else:
        con.print(Text.assemble(("Phases skipped: ", "bold"),
                                ("none: every finished request was acknowledged and closed "
                                 "with a message", "green")))


# -- peak hours ------------------------------------------------------------------------------


def _hours_text(mask_row: list[bool]) -> str:
    """The business hours of one weekday row: "09–17", "09–12,13–17" or "closed"."""
    runs, start = [], None
    for hour, on in enumerate(mask_row + [False]):
        if on and start is None:
            start = hour
        elif not on and start is not None:
            runs.append(f"{start:02d}–{hour:02d}")
            start = None
    return ",".join(runs) or "closed"


def _legend(bounds: list[int], top: int) -> list[tuple[str, str]]:
    """(shade, "from–to") of each level that holds a range of counts."""
    out, low = [], 1
    for level, high in enumerate(bounds + [top], start=1):
        if high >= low:
            out.append((SHADES[level], f"{low}" if high == low else f"{low}–{high}"))
            low = high + 1
    return out


def _per_week(count: int, days: float) -> str:
    """What the urgent arrivals out of hours mean for an on-call rota."""
    if count == 0:
        return "none urgent, so nothing here calls for an on-call rota"
    rate = count / max(days / 7, 1 / 7)  # per week
    if rate >= 0.75 or round(1 / rate) < 2:
        return f"about {max(1, round(rate))} urgent per week out of hours"
    return f"about 1 urgent every {round(1 / rate)} weeks out of hours"


def peak_view(data: dict, tz) -> None:
    """The weekday x hour heatmap, business hours marked, and the out-of-hours share."""
    from rich.text import Text

    from isvc.domain.metrics import shade_levels

    con = console()
    scope = f" · team {data['team']}" if data["team"] else ""
    con.print(Text.assemble(("Arrivals by weekday and hour", "bold"), scope, " · ",
                            _period(data["since"], data["until"], tz)))
    calendar = (f"business hours of calendar {data['calendar']}" if data["calendar"]
                else "no calendar: no business hours to compare with")
    con.print(f" hours in {data['timezone']} · {calendar}", style="dim")
    if not data["total"]:
        con.print("No requests arrived in this period.", style="dim")
        return
    levels, bounds = shade_levels(data["cells"])
    header = Text("     ")
    for hour in range(0, 24, 3):
        header.append(f"{hour:02d}    ")
    header.append(f"  {'hours':<11} {'arrivals':>8}", style="dim")
    con.print()
    con.print(header)
    for day, name in enumerate(data["weekdays"]):
        line = Text(f"{name}  ")
        mask = data["business_hours"][day]
        for hour in range(24):
            level = levels[day][hour]
            # business hours: underlined (kept without colour), green; the rest yellow
            style = "green underline" if mask[hour] else "yellow"
            if level:
                line.append(SHADES[level] * 2, style=style)
            else:
                line.append("··" if mask[hour] else "  ", style="dim underline" if mask[hour] else "")
        line.append(f"  {_hours_text(mask):<11}", style="dim")
        line.append(f" {sum(data['cells'][day]):>8,}")
        con.print(line)
    legend = Text("     per hour: ", style="dim")
    for shade, span in _legend(bounds, max(max(row) for row in data["cells"])):
        legend.append(f"{shade * 2} {span}  ")
    legend.append("· business hours underlined, ·· if none", style="dim")
    con.print(legend)
    con.print()
    busiest = data["busiest"]
    con.print(Text.assemble(
        (f"{data['total']:,}", "bold"),
        " request arrived" if data["total"] == 1 else " requests arrived", "; the busiest hour was ",
        (f"{busiest['weekday']} {busiest['hour']:02d}:00–{(busiest['hour'] + 1) % 24:02d}:00", "bold"),
        f" ({busiest['count']:,})."))
    days = (parse_iso(data["until"]) - parse_iso(data["since"])).total_seconds() / 86400
    share = data["out_of_hours_pct"] or 0
    urgent = data["urgent_out_of_hours"]
    con.print(Text.assemble(
        (f"{plural(data['out_of_hours'], 'request')} ({share:.0f}%) arrived out of hours",
         "yellow" if data["out_of_hours"] else "green"),
        f", {urgent:,} urgent: " if urgent else ", ", _per_week(urgent, days), "."))
    con.print(" out of hours: outside the request's own team calendar, holidays included",
              style="dim")
