"""The business-time engine (SLA-SPEC §2–§8): pure functions, no I/O, no clock.

An instant is business time iff its wall time in the calendar's zone lies in a
half-open window of its local date. Business time is real elapsed time, so inside
the engine every instant is an integer count of microseconds since the Unix epoch
("us"): sums are exact and there is no float drift. Each local date's windows are
mapped once to real intervals (``_day_segments``), which is where DST is handled;
everything else walks those intervals day by day, never minute by minute.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from isvc.domain.calendar import Calendar, Windows, windows_on
from isvc.errors import InvalidInput

Pause = tuple[datetime, datetime | None]
"""``(start, end)`` of a pause; ``end`` is None while the pause is still open."""

State = Literal["on_track", "at_risk", "breached", "met"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SECOND = 1_000_000
_MINUTE = 60 * _SECOND
_DAY = 1440 * _MINUTE
_ONE_DAY = timedelta(days=1)

# Spans are (start_us, end_us); a pause's end is None while it is open.
Span = tuple[int, int]
PauseSpan = tuple[int, int | None]


# --- instants <-> microseconds ----------------------------------------------------


def _us(t: datetime, what: str = "timestamp") -> int:
    if not isinstance(t, datetime):
        raise InvalidInput(f"{what} {t!r}: expected a date and time with an offset")
    if t.tzinfo is None or t.utcoffset() is None:
        raise InvalidInput(f"naive {what} {t.isoformat()}: add an offset or Z")
    d = t - _EPOCH
    return (d.days * 86_400 + d.seconds) * _SECOND + d.microseconds


def _instant(us: int, zone: ZoneInfo) -> datetime:
    # astimezone sets fold=1 on the second of two repeated wall times, so the
    # offset printed is that instant's own (2025-11-02T01:30:00-05:00).
    return (_EPOCH + timedelta(microseconds=us)).astimezone(zone)


# --- one local date -> real intervals ---------------------------------------------


@lru_cache(maxsize=8192)
def _zone_shift(tz: str, ordinal: int) -> tuple[int, int | None, int]:
    """(offset before, transition instant or None, offset after), all in us, around a date.

    Probes three days centred on the date: that covers every real instant whose
    local date it is, and no zone changes its offset twice within three days.
    """
    zone = ZoneInfo(tz)
    lo = (ordinal - _EPOCH_ORDINAL - 1) * 86_400  # seconds
    hi = lo + 3 * 86_400
    before, after = _offset_s(zone, lo), _offset_s(zone, hi)
    if before == after:
        return before * _SECOND, None, after * _SECOND
    while hi - lo > 1:  # transitions fall on whole seconds
        mid = (lo + hi) // 2
        if _offset_s(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return before * _SECOND, hi * _SECOND, after * _SECOND


def _offset_s(zone: ZoneInfo, seconds: int) -> int:
    offset = datetime.fromtimestamp(seconds, zone).utcoffset()
    assert offset is not None
    return offset.days * 86_400 + offset.seconds


@lru_cache(maxsize=16384)
def _day_segments(tz: str, day: date, windows: Windows) -> tuple[Span, ...]:
    """The real intervals whose wall time falls in `windows` on local date `day`.

    Wall time is real time plus the offset, piecewise: before the transition instant
    T with one offset, from T on with the other. A window's real preimage is its wall
    interval shifted by each offset and cut to that offset's side of T. So skipped
    wall times get nothing and repeated ones are counted on both sides of T.
    """
    ordinal = day.toordinal()
    before, t, after = _zone_shift(tz, ordinal)
    base = (ordinal - _EPOCH_ORDINAL) * _DAY  # local midnight, read as if it were UTC
    if t is None:
        return tuple((base + s * _MINUTE - before, base + e * _MINUTE - before) for s, e in windows)
    early: list[Span] = []
    late: list[Span] = []
    for s, e in windows:
        wall_start, wall_end = base + s * _MINUTE, base + e * _MINUTE
        if wall_start - before < t:
            early.append((wall_start - before, min(wall_end - before, t)))
        if wall_end - after > t:
            late.append((max(wall_start - after, t), wall_end - after))
    return tuple(_joined(early + late))


def _joined(spans: list[Span]) -> list[Span]:
    # Sorted, disjoint spans; glue the ones that touch (a 24x7 day across a DST change).
    out: list[Span] = []
    for a, b in spans:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# --- walking the calendar ---------------------------------------------------------


def _segments(cal: Calendar, start: int, end: int | None) -> Iterator[Span]:
    """Business time in [start, end) as sorted real spans, walking day by day.

    With end None the walk is unbounded (the caller stops it); it fails instead of
    looping forever when the calendar can never be open again.
    """
    # Local dates do not run backwards in real time (Chile's fall-back at midnight
    # repeats Saturday's last hour, it does not reopen Saturday), so days come in order.
    zone = ZoneInfo(cal.tz)
    day = _instant(start, zone).date()
    last = None if end is None else _instant(end, zone).date()
    reopens = _last_open_override(cal)
    while last is None or day <= last:
        windows = windows_on(cal, day)
        if windows:
            for a, b in _day_segments(cal.tz, day, windows):
                if end is not None and a >= end:
                    return
                if b > start:
                    yield max(a, start), b if end is None else min(b, end)
        elif end is None and reopens is not None and day > reopens:
            raise InvalidInput(
                f"calendar has no business hours after {reopens.isoformat()}:"
                " a target can never be reached"
            )
        day += _ONE_DAY


def _last_open_override(cal: Calendar) -> date | None:
    """None when the weekly hours open at least once; else the last date that opens."""
    if any(cal.hours.values()):
        return None
    opened = [d for d, w in cal.overrides.items() if w]
    return max(opened) if opened else date.min


def _pause_spans(pauses: Iterable[Pause], floor: int) -> list[PauseSpan]:
    """Pauses clipped to [floor, inf), sorted and merged (§6); an open one swallows later ones."""
    spans: list[PauseSpan] = []
    for pause in pauses:
        start, end = pause
        s = _us(start, "pause start")
        e = None if end is None else _us(end, "pause end")
        if e is not None and e < s:
            raise InvalidInput(f"pause starting {start.isoformat()}: ends before it starts")
        s = max(s, floor)
        if e is None or e > s:
            spans.append((s, e))
    spans.sort(key=lambda p: p[0])
    merged: list[PauseSpan] = []
    for s, e in spans:
        if merged and (merged[-1][1] is None or s <= merged[-1][1]):
            ps, pe = merged[-1]
            merged[-1] = (ps, None if pe is None or e is None else max(pe, e))
        else:
            merged.append((s, e))
    return merged


def _unpaused(segments: Iterable[Span], pauses: list[PauseSpan]) -> Iterator[Span]:
    """`segments` minus `pauses`; both sorted and disjoint."""
    i = 0
    for a, b in segments:
        while i < len(pauses) and _ended(pauses[i], a):
            i += 1
        j = i
        while a < b and j < len(pauses) and pauses[j][0] < b:
            ps, pe = pauses[j]
            if ps > a:
                yield a, ps
            if pe is None:
                return
            a = max(a, pe)
            j += 1
        if a < b:
            yield a, b


def _ended(pause: PauseSpan, t: int) -> bool:
    return pause[1] is not None and pause[1] <= t


def _counted(cal: Calendar, start: int, end: int | None, spans: list[PauseSpan]) -> Iterator[Span]:
    """Business time in [start, end) that no pause covers."""
    segments = _segments(cal, start, end)
    return _unpaused(segments, spans) if spans else segments


def _elapsed_us(cal: Calendar, start: int, end: int, spans: list[PauseSpan]) -> int:
    return sum(b - a for a, b in _counted(cal, start, end, spans))


def _reach_us(cal: Calendar, start: int, need_us: int, spans: list[PauseSpan]) -> int | None:
    """Earliest t >= start with need_us of unpaused business time in [start, t)."""
    # An open pause stops the clock for good: nothing after its start can count.
    stop = spans[-1][0] if spans and spans[-1][1] is None else None
    left = need_us
    for a, b in _counted(cal, start, stop, spans):
        if b - a >= left:
            return a + left
        left -= b - a
    return None


def _reach_all_us(cal: Calendar, start: int, needs_us: list[int],
                  spans: list[PauseSpan]) -> list[int | None]:
    """Like _reach_us for several ascending amounts in one walk (due and at-risk together)."""
    stop = spans[-1][0] if spans and spans[-1][1] is None else None
    out: list[int | None] = []
    used = 0
    i = 0
    for a, b in _counted(cal, start, stop, spans):
        while i < len(needs_us) and used + (b - a) >= needs_us[i]:
            out.append(a + needs_us[i] - used)
            i += 1
        if i == len(needs_us):
            return out
        used += b - a
    return out + [None] * (len(needs_us) - len(out))


def _span(a: datetime, b: datetime) -> tuple[int, int]:
    start, end = _us(a, "start"), _us(b, "end")
    if end < start:
        raise InvalidInput(f"end {b.isoformat()} is before start {a.isoformat()}")
    return start, end


def _in_zone(cal: Calendar, us: int | None) -> datetime | None:
    return None if us is None else _instant(us, ZoneInfo(cal.tz))


def _risk_minutes(target_minutes: int, percent: int) -> int:
    # elapsed * 100 >= percent * target  <=>  elapsed >= ceil(percent * target / 100)
    return -(-percent * target_minutes // 100)


# --- public API -------------------------------------------------------------------
#
# Instants come back in the calendar zone (ZoneInfo). Between two datetimes sharing
# a tzinfo, Python compares, subtracts and adds timedeltas on the wall clock and
# ignores `fold`, which is wrong around a DST change: convert to UTC first
# (t.astimezone(UTC)) for real-time arithmetic.


def business_intervals(
    cal: Calendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The real intervals of business time within [start, end), in the calendar zone."""
    a, b = _span(start, end)
    zone = ZoneInfo(cal.tz)
    for x, y in _segments(cal, a, b):
        yield _instant(x, zone), _instant(y, zone)


def elapsed_seconds(
    cal: Calendar, a: datetime, b: datetime, pauses: Iterable[Pause] = ()
) -> int | float:
    """Business seconds in [a, b) outside all pauses (§3); a float only for sub-second inputs."""
    start, end = _span(a, b)
    us = _elapsed_us(cal, start, end, _pause_spans(pauses, start))
    return us // _SECOND if us % _SECOND == 0 else us / _SECOND


def elapsed_minutes(cal: Calendar, a: datetime, b: datetime, pauses: Iterable[Pause] = ()) -> int:
    """Whole business minutes in [a, b) outside all pauses (floor, §3)."""
    start, end = _span(a, b)
    return _elapsed_us(cal, start, end, _pause_spans(pauses, start)) // _MINUTE


def due(
    cal: Calendar, created: datetime, target_minutes: int, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """When `target_minutes` of business time have elapsed since `created` (§5, §6).

    None when an open-ended pause starts before the target is reached.
    """
    _check_target(target_minutes)
    start = _us(created, "creation time")
    return _in_zone(
        cal, _reach_us(cal, start, target_minutes * _MINUTE, _pause_spans(pauses, start))
    )


def at_instant(
    cal: Calendar,
    created: datetime,
    target_minutes: int,
    percent: int,
    pauses: Iterable[Pause] = (),
) -> datetime | None:
    """When the clock turns at risk: the first t with elapsed_minutes * 100 >= percent * target.

    Elapsed is whole minutes (§8), so that is the due time of ceil(percent * target / 100)
    minutes, in integers; None if an open pause starts first.
    """
    _check_target(target_minutes)
    _check_percent(percent)
    start = _us(created, "creation time")
    need = _risk_minutes(target_minutes, percent) * _MINUTE
    return _in_zone(cal, _reach_us(cal, start, need, _pause_spans(pauses, start)))


_NAIVE_EPOCH = datetime(1970, 1, 1)


class _Timeline:
    """A calendar's business spans laid out once, with running totals, so that "when is
    N business minutes after t" is two binary searches instead of a day-by-day walk.

    Built lazily over the dates asked about and grown a year at a time; the spans come
    from the same ``_day_segments`` as the walkers, so DST is handled in one place.
    """

    def __init__(self, cal: Calendar) -> None:
        self.cal = cal
        self.zone = ZoneInfo(cal.tz)
        self.first: date | None = None
        self.last: date | None = None
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []  # business us before each span
        self.after: list[int] = []   # ... and at its end
        self.reopens = _last_open_override(cal)
        self.lo_us, self.hi_us = 1, 0  # the instants safely inside the built dates

    def _build(self, first: date, last: date) -> None:
        starts, ends, before, after, total = [], [], [], [], 0
        day = first
        while day <= last:
            windows = windows_on(self.cal, day)
            if windows:
                for a, b in _day_segments(self.cal.tz, day, windows):
                    starts.append(a)
                    ends.append(b)
                    before.append(total)
                    total += b - a
                    after.append(total)
            day += _ONE_DAY
        self.first, self.last = first, last
        self.starts, self.ends, self.before, self.after = starts, ends, before, after
        # A local date lies within a day of the same UTC date, so keep a 2-day margin.
        self.lo_us = (first.toordinal() - _EPOCH_ORDINAL + 2) * _DAY
        self.hi_us = (last.toordinal() - _EPOCH_ORDINAL - 1) * _DAY

    def cover(self, t: int) -> None:
        """Make sure the spans cover instant ``t`` (with a day's margin either side)."""
        if self.lo_us <= t <= self.hi_us:
            return
        day = _instant(t, self.zone).date()
        lo = min(day - timedelta(days=40), self.first or day)
        hi = max(day + timedelta(days=400), self.last or day)
        self._build(lo, hi)

    def at(self, t: int) -> int:
        """Business us from the timeline's start to ``t``."""
        self.cover(t)
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]

    def inverse(self, value: int, floor: int) -> int:
        """Earliest t >= floor with at(t) == value (value >= at(floor))."""
        while not self.after or value > self.after[-1]:
            if self.reopens is not None and self.last > self.reopens:
                raise InvalidInput(
                    f"calendar has no business hours after {self.reopens.isoformat()}:"
                    " a target can never be reached"
                )
            self._build(self.first, self.last + timedelta(days=400))
        i = bisect_left(self.after, value)  # the first span whose running total reaches value
        return max(floor, self.starts[i] + value - self.before[i])


_TIMELINES: dict[int, tuple[Calendar, _Timeline]] = {}


def _timeline(cal: Calendar) -> _Timeline:
    # Keyed by identity (hashing a calendar per call costs more than the lookup saves);
    # the entry keeps the calendar alive so the id cannot be reused meanwhile.
    entry = _TIMELINES.get(id(cal))
    if entry is None:
        if len(_TIMELINES) > 64:
            _TIMELINES.clear()
        entry = _TIMELINES[id(cal)] = (cal, _Timeline(cal))
    return entry[1]


def _reach_fast_us(cal: Calendar, start: int, needs_us: list[int],
                   spans: list[PauseSpan]) -> list[int | None]:
    """_reach_all_us through the calendar's timeline (same results, no day walk)."""
    line = _timeline(cal)
    if not spans:  # the common case: nothing paused
        base = line.at(start)
        return [line.inverse(base + need, start) for need in needs_us]
    out: list[int | None] = []
    used = 0          # unpaused business us counted so far
    cur = start
    base = line.at(cur)
    for ps, pe in spans + [(None, None)]:
        if ps is not None and ps <= cur:
            if pe is None:
                break
            if pe > cur:
                cur, base = pe, line.at(pe)
            continue
        limit = None if ps is None else line.at(ps) - base   # business us until the pause
        while len(out) < len(needs_us):
            left = needs_us[len(out)] - used
            if limit is not None and left > limit:
                break
            out.append(line.inverse(base + left, cur))
        if len(out) == len(needs_us) or ps is None:
            break
        used += limit
        if pe is None:
            break
        cur, base = pe, line.at(pe)
    return out + [None] * (len(needs_us) - len(out))


def business_minutes_in(cal: Calendar, spans: Iterable[tuple[datetime, datetime]]) -> int:
    """Whole business minutes (floor of the total, §3) in disjoint spans ``[a, b)``.

    Through the calendar's timeline, two binary searches per span: the business time many
    requests spent in a status (handling time) without a day-by-day walk for each.
    """
    line = _timeline(cal)
    total = 0
    for a, b in spans:
        start, end = _span(a, b)
        line.cover(start)
        line.cover(end)  # both covered before reading: a rebuild moves the running totals
        total += line.at(end) - line.at(start)
    return total // _MINUTE


def reach_iso(
    cal: Calendar, created: datetime, minutes: list[int], pauses: Iterable[Pause] = ()
) -> list[str | None]:
    """When each of the ascending business-minute amounts is used up, as stored text
    (UTC, whole seconds, ``Z``).

    One walk for several amounts — a due time and its at-risk instant together — which
    is what recomputing many clocks needs; each equals ``due(cal, created, m, pauses)``.
    """
    for m in minutes:
        _check_target(m)
    if list(minutes) != sorted(minutes):
        raise ValueError("reach_iso needs ascending amounts")
    start = _us(created, "creation time")
    return reach_iso_prepared(cal, start, minutes, _pause_spans(pauses, start))


def prepare(created: datetime, pauses: Iterable[Pause]) -> tuple[int, list[PauseSpan]]:
    """A clock's start and merged pauses in the engine's units, for reach_iso_prepared:
    computed once per request when several clocks share them."""
    start = _us(created, "creation time")
    return start, _pause_spans(pauses, start)


def reach_iso_prepared(cal: Calendar, start: int, minutes: list[int],
                       spans: list[PauseSpan]) -> list[str | None]:
    """reach_iso without re-validating its inputs (positive, ascending whole minutes):
    the inner loop of recomputing every open request after a calendar edit."""
    found = _reach_fast_us(cal, start, [m * _MINUTE for m in minutes], spans)
    return [None if us is None else _iso_second(us // _SECOND) for us in found]


@lru_cache(maxsize=65536)
def _iso_second(seconds: int) -> str:
    # Due times cluster on window ends (17:00, 12:30...), so most are formatted once.
    return (_NAIVE_EPOCH + timedelta(seconds=seconds)).isoformat() + "Z"


@dataclass(frozen=True)
class ClockStatus:
    due: datetime | None
    at_risk_at: datetime | None
    elapsed_minutes: int
    remaining_minutes: int  # negative = overrun
    state: State
    paused: bool  # now is inside a pause (never while stopped)


def clock_status(
    cal: Calendar,
    created: datetime,
    target_minutes: int,
    now: datetime,
    stopped_at: datetime | None = None,
    pauses: Iterable[Pause] = (),
    at_risk_percent: int = 80,
) -> ClockStatus:
    """A clock's figures at `now` (§8).

    Open: breached iff now > due (strict), else at risk by integer maths on whole
    minutes. Stopped: met iff stopped_at <= due.
    """
    _check_target(target_minutes)
    _check_percent(at_risk_percent)
    start, now_us = _us(created, "creation time"), _us(now, "now")
    stop = None if stopped_at is None else _us(stopped_at, "stop time")
    spans = _pause_spans(pauses, start)
    due_us = _reach_us(cal, start, target_minutes * _MINUTE, spans)
    risk_us = _reach_us(cal, start, _risk_minutes(target_minutes, at_risk_percent) * _MINUTE, spans)
    # A `now` a little before creation (clock skew) counts as nothing elapsed.
    until = max(start, now_us if stop is None else min(now_us, stop))
    elapsed = _elapsed_us(cal, start, until, spans) // _MINUTE
    state: State
    if stop is not None:
        state = "met" if due_us is None or stop <= due_us else "breached"
    elif due_us is not None and now_us > due_us:
        state = "breached"
    elif elapsed * 100 >= at_risk_percent * target_minutes:
        state = "at_risk"
    else:
        state = "on_track"
    paused = stop is None and any(s <= now_us and (e is None or now_us < e) for s, e in spans)
    return ClockStatus(
        due=_in_zone(cal, due_us),
        at_risk_at=_in_zone(cal, risk_us),
        elapsed_minutes=elapsed,
        remaining_minutes=target_minutes - elapsed,
        state=state,
        paused=paused,
    )


def _check_target(target_minutes: int) -> None:
    if (
        isinstance(target_minutes, bool)
        or not isinstance(target_minutes, int)
        or target_minutes <= 0
    ):
        raise InvalidInput(f"target {target_minutes!r}: must be a positive whole number of minutes")


def _check_percent(percent: int) -> None:
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 < percent <= 100:
        raise InvalidInput(f"at-risk percent {percent!r}: must be a whole number from 1 to 100")


# --- parsing user input -----------------------------------------------------------

_TARGET = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
_TARGET_FORMS = (
    "use a whole number with m, h or d, e.g. 90m, 4h, 2d or 1h30m (a plain number is minutes)"
)


def parse_target(text: str, day_minutes: int) -> int:
    """Target minutes: "90m", "4h", "2d" (d = day_minutes), "1h30m", or plain "240" minutes."""
    compact = "".join(str(text).split()).lower()
    if compact.isdigit():
        minutes = int(compact)
    else:
        m = _TARGET.fullmatch(compact)
        if not compact or not m:
            raise InvalidInput(f'target "{text}": {_TARGET_FORMS}')
        d, h, mins = (int(g) if g else 0 for g in m.groups())
        minutes = d * day_minutes + h * 60 + mins
    if minutes <= 0:
        raise InvalidInput(f'target "{text}": must be more than zero ({_TARGET_FORMS})')
    return minutes


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant with an offset or Z; naive ones are refused (§2)."""
    s = text.strip()
    if s.endswith("z"):
        s = s[:-1] + "Z"
    try:
        t = datetime.fromisoformat(s)
    except ValueError:
        raise InvalidInput(
            f'timestamp "{text}": not ISO-8601'
            " (use e.g. 2025-03-28T16:00:00+02:00 or 2025-03-28T14:00:00Z)"
        ) from None
    if t.tzinfo is None or t.utcoffset() is None:
        raise InvalidInput(f'naive timestamp "{text}": add an offset or Z (e.g. {t.isoformat()}Z)')
    return t


def parse_pause(text: str) -> Pause:
    """A pause from "START/END", or "START/" while it is still open (end None)."""
    parts = text.split("/")
    if len(parts) != 2 or not parts[0].strip():
        raise InvalidInput(f'pause "{text}": use START/END or START/ for one still open')
    start = parse_instant(parts[0])
    end = parse_instant(parts[1]) if parts[1].strip() else None
    if end is not None and end < start:
        raise InvalidInput(f'pause "{text}": ends before it starts')
    return start, end
