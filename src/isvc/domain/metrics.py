"""Service benchmarks as pure functions: quantiles, spells in a status, the daily backlog
and the weekday x hour heatmap of arrivals. No I/O, no clock: callers pass instants.

Stored instants are ISO-8601 UTC text with ``Z`` at whole seconds, which sorts like the
instants it names, so the backlog is binned with binary searches over sorted text.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from isvc.domain.timeutil import to_iso

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def quantile(values: Sequence[int], q: float) -> int | None:
    """Nearest-rank quantile: an observed value, never an interpolated one."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(q * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def pct(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent with one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def spells(events: Iterable[tuple[str, str | None, str | None]], status: str,
           until: str | None = None) -> list[tuple[str, str]]:
    """The ``[start, end)`` spells a request spent in ``status``, from its status events
    ``(at, from, to)`` in journal order. A spell starts when an event moves the request to
    ``status`` and ends at the next status event; one still running ends at ``until``
    (dropped without it)."""
    out: list[tuple[str, str]] = []
    started: str | None = None
    for at, _from, to in events:
        if started is not None and to != status:
            if at > started:
                out.append((started, at))
            started = None
        elif started is None and to == status:
            started = at
    if started is not None and until is not None and until > started:
        out.append((started, until))
    return out


# -- the backlog ---------------------------------------------------------------------------


def local_days(since: datetime, until: datetime, tz: str) -> list[tuple[date, str, str]]:
    """The local dates of ``tz`` that [since, until) touches, each as ``(date, start, end)``
    with its bounds as stored instants, clipped to the period (the first and last days
    may be partial)."""
    zone = ZoneInfo(tz)
    first = since.astimezone(zone).date()
    last = (until - timedelta(microseconds=1)).astimezone(zone).date()
    lo, hi = to_iso(since), to_iso(until)
    out = []
    day = first
    while day <= last:
        start = to_iso(datetime.combine(day, time(), zone))
        end = to_iso(datetime.combine(day + timedelta(days=1), time(), zone))
        out.append((day, max(start, lo), min(end, hi)))
        day += timedelta(days=1)
    return out


def local_day_start(at: datetime, tz: str) -> datetime:
    """Midnight, in ``tz``, of the local date ``at`` falls on."""
    zone = ZoneInfo(tz)
    return datetime.combine(at.astimezone(zone).date(), time(), zone)


def _between(ordered: Sequence[str], start: str, end: str) -> int:
    return bisect_left(ordered, end) - bisect_left(ordered, start)


def backlog_series(open_at_start: int, created: Iterable[str], finished: Iterable[str],
                   days: Sequence[tuple[date, str, str]]) -> list[dict]:
    """Per local day: the requests that arrived, those that left the backlog, and how many
    were open at the day's end (``open_at_start`` plus arrivals minus departures so far).

    ``created`` and ``finished`` are the stored instants inside the period; ``days`` come
    from ``local_days`` and cover it.
    """
    arrived, left = sorted(created), sorted(finished)
    out = []
    running = open_at_start
    for day, start, end in days:
        came, went = _between(arrived, start, end), _between(left, start, end)
        running += came - went
        out.append({"date": day.isoformat(), "open": running, "created": came, "resolved": went})
    return out


# -- arrivals by weekday x hour --------------------------------------------------------------


def heatmap(local_times: Iterable[datetime]) -> list[list[int]]:
    """Arrivals binned by weekday (Monday first) and hour of their (local) wall time."""
    cells = [[0] * 24 for _ in range(7)]
    for t in local_times:
        cells[t.weekday()][t.hour] += 1
    return cells


def hour_mask(hours: Mapping[int, Sequence[tuple[int, int]]],
              shift_minutes: int = 0) -> list[list[bool]]:
    """Which weekday x hour cells overlap the weekly ``hours`` (weekday -> windows of
    minutes from local midnight). The cells may be read in another zone than the hours
    are written in: ``shift_minutes`` is the hours' UTC offset minus the cells' one."""
    week = 7 * 1440
    spans = [(day * 1440 + s, day * 1440 + e) for day, windows in hours.items()
             for s, e in windows]
    mask = [[False] * 24 for _ in range(7)]
    for day in range(7):
        for hour in range(24):
            a = (day * 1440 + hour * 60 + shift_minutes) % week
            # the cell [a, a + 60) may run past the week's end into Monday
            mask[day][hour] = any(a < hi + k and lo + k < a + 60
                                  for lo, hi in spans for k in (0, week))
    return mask


def busiest(cells: Sequence[Sequence[int]]) -> dict | None:
    """The weekday and hour with the most arrivals (the earliest in the week on a tie)."""
    best = None
    for day, row in enumerate(cells):
        for hour, count in enumerate(row):
            if count and (best is None or count > best["count"]):
                best = {"weekday": WEEKDAYS[day], "hour": hour, "count": count}
    return best


def shade_levels(cells: Sequence[Sequence[int]]) -> tuple[list[list[int]], list[int]]:
    """Each cell's shade from 0 (no arrivals) to 4, by the quartiles of the non-empty cells;
    and the upper bounds of levels 1..3 (level 4 holds the rest)."""
    counts = [c for row in cells for c in row if c]
    bounds = [quantile(counts, q) or 0 for q in (0.25, 0.5, 0.75)]
    levels = [[0 if c == 0 else 1 + sum(c > b for b in bounds) for c in row] for row in cells]
    return levels, bounds
