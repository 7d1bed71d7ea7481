"""How a request's clocks were computed, line by line (`isvc sla explain`); pure.

No I/O and no clock: everything (the calendar, the pauses with their reasons, the
journal, ``now``) comes in as arguments. The figures come from the business-time engine
(``businesstime``); this module only lays the same arithmetic out as a timeline:

- ``created``: the creation instant, and where counting started;
- ``counted``: business time that counted, one line per business day (a day's windows
  around a break are one line), runs of three or more whole business days folded into
  one line, a 24×7 stretch one line;
- ``closed``/``holiday``: closed spells between them (overnight, breaks, weekends,
  override closures; ``holiday`` when the spell holds a holiday, named when the calendar
  knows the name);
- ``paused``: each pause (merged as the engine merges them) as one line however long,
  with its reason and the business time it kept off the clock;
- ``stopped`` or ``now``: where the timeline ends.

Every line covers ``[start, end)`` and the lines partition ``[created, end of clock)``
(``created``, ``stopped`` and ``now`` are instants). ``minutes`` is the business time
inside a line (for ``counted`` lines: the time counted; for ``paused`` lines: the time the
pause kept off the clock; 0 for closed spells); ``total_minutes`` is the running total of
counted time after the line. Counted minutes are differences of the floored running
total, so they always sum to the engine's ``elapsed_minutes`` exactly, even when pauses
start or end on odd seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo

from isvc.domain import businesstime as bt
from isvc.domain.calendar import DAY_NAMES, Calendar, format_minutes, windows_on
from isvc.domain.timeutil import parse_iso

Kind = Literal["created", "counted", "closed", "holiday", "paused", "stopped", "now"]
KINDS: tuple[str, ...] = ("created", "counted", "closed", "holiday", "paused", "stopped", "now")
CLOCKS = ("first_response", "resolution")
CLOCK_LABELS = {"first_response": "First response", "resolution": "Resolution"}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FOLD_DAYS = 3  # runs of this many whole business days or more become one line

_MINUTE = timedelta(minutes=1)
_TINY = timedelta(microseconds=1)
_LOOKAHEAD = timedelta(days=400)


# --- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PauseInfo:
    """One stored wait, with what the journal says about how it began and ended."""

    start: datetime
    end: datetime | None
    kind: str = "requester"  # requester | request | reopen
    reason: str | None = None
    on_request: int | None = None
    on_title: str | None = None
    started_by: str | None = None  # who set it waiting / resolved it
    ended_how: str | None = None  # after "until": "mihai replied", "mihai reopened it"

    def describe(self) -> str:
        """What the pause was: "waiting on the requester ("Which version?")"."""
        if self.kind == "reopen":
            return f"resolved by {self.started_by}" if self.started_by else "resolved"
        if self.kind == "request" or self.on_request is not None:
            text = f"waiting on request #{self.on_request}" if self.on_request else "waiting on another request"
            if self.on_title:
                text += f' ("{_clip(self.on_title)}")'
            return text
        text = "waiting on the requester"
        if self.reason:
            text += f' ("{_clip(self.reason)}")'
        return text

    def short(self) -> str:
        """"waiting on the requester", "waiting on request #398", "resolved"."""
        if self.kind == "reopen":
            return "resolved"
        if self.kind == "request" or self.on_request is not None:
            return f"waiting on request #{self.on_request}" if self.on_request else "waiting on another request"
        return "waiting on the requester"


@dataclass(frozen=True)
class Stop:
    """Where a clock stopped: the instant and, from the journal, what stopped it."""

    at: datetime
    verb: str  # "first reply", "acknowledged", "resolved", "cancelled", "first response"
    actor: str | None = None
    detail: str | None = None  # "with the move to waiting"

    @property
    def how(self) -> str:
        """"first reply by jim", "acknowledged by jim", "resolved"."""
        text = self.verb + (f" by {self.actor}" if self.actor else "")
        return text + (f" ({self.detail})" if self.detail else "")

    @property
    def cancelled(self) -> bool:
        return self.verb == "cancelled"


# --- outputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    kind: Kind
    start: datetime
    end: datetime | None  # None for the instants: created, stopped, now
    minutes: int | None  # business minutes inside the line (None for instants)
    total_minutes: int  # counted so far, after this line
    note: str
    over: bool = False  # counted after the due instant (the clock had breached)


@dataclass(frozen=True)
class ClockExplanation:
    clock: str  # first_response | resolution
    tz: str
    day_minutes: int
    target_minutes: int
    status: bt.ClockStatus
    created: datetime
    started_at: datetime | None  # where counting started (None: not yet known, waiting)
    stop: Stop | None
    end: datetime  # where the timeline ends: the stop, or now
    lines: tuple[Line, ...]
    breached_at: datetime | None  # the due instant, when the clock breached
    breach_recorded_at: datetime | None = None  # the stored breach (sticky, §7)
    paused_by: tuple[PauseInfo, ...] = ()  # what holds the clock now, when paused
    resumes_at: datetime | None = None  # now is closed hours: when counting resumes
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return CLOCK_LABELS.get(self.clock, self.clock)

    @property
    def counted_minutes(self) -> int:
        return sum(line.minutes or 0 for line in self.lines if line.kind == "counted")


@dataclass(frozen=True)
class RequestExplanation:
    number: int
    title: str
    priority: str
    status: str
    agreement: str | None
    calendar_name: str | None
    calendar: Calendar | None
    hours: str | None
    clocks: dict[str, ClockExplanation | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    message: str | None = None  # why there is nothing to explain (no agreement)


# --- formatting (calendar zone) ---------------------------------------------------------


def hm(minutes: int) -> str:
    """Exact business time in hours and minutes: 0m, 45m, 2h, 13h 10m, 73h 20m."""
    minutes = abs(int(minutes))
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours}h {mins}m"
    return f"{hours}h" if hours else f"{mins}m"


def target_text(minutes: int, day_minutes: int) -> str:
    """A target the way it was given: "4h", "2d", "90m"; days only when whole."""
    if minutes % day_minutes == 0:
        return f"{minutes // day_minutes}d"
    return hm(minutes)


def day_text(d: date) -> str:
    """"Mon 23 Nov"."""
    return f"{DAY_NAMES[d.weekday()]} {d.day:02d} {MONTHS[d.month - 1]}"


def days_text(first: date, last: date) -> str:
    """"Sat 28 Nov", "Sat 28 – Sun 29 Nov", "Mon 30 Nov – Tue 01 Dec"."""
    if first == last:
        return day_text(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{DAY_NAMES[first.weekday()]} {first.day:02d} – {day_text(last)}"
    return f"{day_text(first)} – {day_text(last)}"


def when(t: datetime, zone: ZoneInfo, ref: date | None = None) -> str:
    """"Mon 23 Nov 09:30" in the calendar zone; "09:30" when it falls on local date ``ref``."""
    local = t.astimezone(zone)
    clock = local.strftime("%H:%M")
    if ref is not None and local.date() == ref:
        return clock
    return f"{day_text(local.date())} {clock}"


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --- the journal -> pauses and stops ----------------------------------------------------


def _at(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_iso(str(value))


def _events_at(events: Sequence[Any], at: datetime | None) -> list[Any]:
    if at is None:
        return []
    return [e for e in events if _at(e.at) == at]


def pause_infos(waits: Iterable[dict], events: Sequence[Any],
                titles: dict[int, str] | None = None) -> list[PauseInfo]:
    """Stored waits (``started_at``, ``ended_at``, ``kind``, ``reason``, ``on_request``) with
    who began and ended them, read from the journal (events with ``at``, ``actor``,
    ``kind``, ``from_value``, ``to_value``)."""
    titles = titles or {}
    out = []
    for w in waits:
        start, end = _at(w["started_at"]), _at(w.get("ended_at"))
        kind = w.get("kind") or ("request" if w.get("on_request") else "requester")
        began = _events_at(events, start)
        ended = _events_at(events, end)
        started_by = None
        if kind == "reopen":
            started_by = next((e.actor for e in began if e.kind == "status" and e.to_value == "resolved"), None)
        else:
            started_by = next((e.actor for e in began if e.kind == "status" and e.to_value == "waiting"), None)
        out.append(PauseInfo(
            start=start, end=end, kind=kind, reason=w.get("reason"), on_request=w.get("on_request"),
            on_title=titles.get(w.get("on_request")) if w.get("on_request") else None,
            started_by=started_by, ended_how=_ended_how(kind, ended, w.get("on_request")),
        ))
    return out


def _ended_how(kind: str, ended: list[Any], on_request: int | None) -> str | None:
    """How a pause ended, to follow "until": "mihai replied", "mihai reopened it"."""
    reply = next((e for e in ended if e.kind == "reply"), None)
    status = next((e for e in ended if e.kind == "status"), None)
    if kind == "reopen":
        if reply is not None:
            return f"{reply.actor} replied and reopened it"
        return f"{status.actor} reopened it" if status is not None else "reopened"
    if reply is not None:
        return f"{reply.actor} replied"
    if kind == "request" and on_request:
        return f"#{on_request} was resolved"
    if status is not None:
        verb = {"resolved": "resolved it", "cancelled": "cancelled it"}.get(status.to_value, "resumed work")
        return f"{status.actor} {verb}"
    return None


def first_response_stop(at: datetime | None, events: Sequence[Any]) -> Stop | None:
    """What stopped the first-response clock at ``at``: a public reply, an acknowledgement,
    or a status change with a public message."""
    if at is None:
        return None
    here = _events_at(events, at)
    reply = next((e for e in here if e.kind == "reply"), None)
    if reply is not None:
        return Stop(at, "first reply", reply.actor)
    status = next((e for e in here if e.kind == "status"), None)
    if status is not None:
        if status.to_value == "acknowledged" and not status.message:
            return Stop(at, "acknowledged", status.actor)
        label = str(status.to_value or "").replace("_", " ")
        return Stop(at, "first reply", status.actor, f"with the move to {label}")
    return Stop(at, "first response")


def resolution_stop(at: datetime | None, events: Sequence[Any], cancelled: bool = False) -> Stop | None:
    """What stopped the resolution clock: the resolve (or the cancel) at ``at``."""
    if at is None:
        return None
    verb = "cancelled" if cancelled else "resolved"
    here = _events_at(events, at)
    event = next((e for e in here if e.kind == "status" and e.to_value == verb), None)
    if event is None:
        event = next((e for e in here if e.kind == "status"), None)
    return Stop(at, verb, event.actor if event is not None else None)


def stop_instant(clock: str, row: dict) -> datetime | None:
    """When a stored clock stopped, by the same rule as ``clocks.status``."""
    if clock == "first_response":
        stopped = row.get("first_response_at")
    else:
        stopped = row.get("resolved_at") if row.get("status") in ("resolved", "closed") else None
    if row.get("status") == "cancelled":
        stopped = stopped or row.get("closed_at")
    return _at(stopped)


# --- the timeline -----------------------------------------------------------------------


@dataclass
class _Pause:
    start: datetime
    end: datetime | None
    infos: list[PauseInfo]


def _merged(pauses: Sequence[PauseInfo], floor: datetime) -> list[_Pause]:
    """Clipped to [floor, inf) and merged exactly as the engine does (§6)."""
    spans = []
    for p in pauses:
        s = max(p.start.astimezone(UTC), floor)
        e = None if p.end is None else p.end.astimezone(UTC)
        if e is None or e > s:
            spans.append(_Pause(s, e, [p]))
    spans.sort(key=lambda p: p.start)
    merged: list[_Pause] = []
    for p in spans:
        last = merged[-1] if merged else None
        if last is not None and (last.end is None or p.start <= last.end):
            last.end = None if last.end is None or p.end is None else max(last.end, p.end)
            last.infos.extend(p.infos)
        else:
            merged.append(p)
    return merged


def _minus(segments: list[tuple[datetime, datetime]], pauses: list[_Pause]) -> list[tuple[datetime, datetime]]:
    out = []
    for a, b in segments:
        for p in pauses:
            if p.start >= b or (p.end is not None and p.end <= a):
                continue
            if p.start > a:
                out.append((a, p.start))
            a = b if p.end is None else max(a, p.end)
            if a >= b:
                break
        if a < b:
            out.append((a, b))
    # Glue spans that touch (a 24×7 calendar across midnight).
    glued: list[tuple[datetime, datetime]] = []
    for a, b in out:
        if glued and glued[-1][1] == a:
            glued[-1] = (glued[-1][0], b)
        else:
            glued.append((a, b))
    return glued


def _utc_intervals(cal: Calendar, a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
    if b <= a:
        return []
    return [(x.astimezone(UTC), y.astimezone(UTC)) for x, y in bt.business_intervals(cal, a, b)]


def _business(cal: Calendar, a: datetime, b: datetime | None) -> timedelta:
    if b is None or b <= a:
        return timedelta(0)
    return sum((y - x for x, y in _utc_intervals(cal, a, b)), timedelta(0))


def next_business_instant(cal: Calendar, t: datetime) -> datetime | None:
    """The first business instant at or after ``t`` (within about a year)."""
    t = t.astimezone(UTC)
    found = next(bt.business_intervals(cal, t, t + _LOOKAHEAD), None)
    return None if found is None else found[0].astimezone(UTC)


def _day_bounds(cal: Calendar, d: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The first and last business instants of local date ``d`` (None when closed)."""
    if not windows_on(cal, d):
        return None
    lo = datetime.combine(d, time(0), zone).astimezone(UTC)
    hi = datetime.combine(d + timedelta(days=1), time(0), zone).astimezone(UTC)
    spans = _utc_intervals(cal, lo, hi)
    spans = [(a, b) for a, b in spans if a.astimezone(zone).date() == d]
    return (spans[0][0], spans[-1][1]) if spans else None


@dataclass
class _Group:
    start: datetime
    end: datetime
    spans: list[tuple[datetime, datetime]]
    over: bool


def explain_clock(
    clock: str,
    cal: Calendar,
    created: datetime,
    target_minutes: int,
    now: datetime,
    *,
    stop: Stop | None = None,
    pauses: Sequence[PauseInfo] = (),
    pauses_apply: bool = True,
    at_risk_percent: int = 80,
    holiday_names: dict[date, str] | None = None,
    status: bt.ClockStatus | None = None,
    breach_recorded_at: datetime | None = None,
) -> ClockExplanation:
    """One clock's timeline from creation to its stop (or ``now``), and its figures.

    ``pauses`` are the request's waits; they stop this clock only when ``pauses_apply``
    (the first-response clock pauses only when the agreement says so). ``status`` may be
    passed in (``services.sla.live``); it is computed by the engine otherwise.
    """
    zone = ZoneInfo(cal.tz)
    names = holiday_names or {}
    applied = list(pauses) if pauses_apply else []
    if status is None:
        status = bt.clock_status(cal, created, target_minutes, now, stop.at if stop else None,
                                 [(p.start, p.end) for p in applied], at_risk_percent)
    c = created.astimezone(UTC)
    stop_at = stop.at.astimezone(UTC) if stop else None
    end = max(c, min(now.astimezone(UTC), stop_at) if stop_at else now.astimezone(UTC))
    running = stop_at is None or stop_at > now.astimezone(UTC)
    merged = _merged(applied, c)
    shown = [p for p in merged if p.start < end]
    counted = _minus(_utc_intervals(cal, c, end), merged)
    due = status.due.astimezone(UTC) if status.due is not None else None
    breached_at = due if status.state == "breached" else None
    if due is not None and c < due < end:  # the breach instant is a line boundary
        counted = [piece for a, b in counted
                   for piece in (((a, due), (due, b)) if a < due < b else ((a, b),))]

    groups = _groups(counted, shown, due, zone)
    lines: list[Line] = []
    total = timedelta(0)

    def floor_minutes(td: timedelta) -> int:
        return td // _MINUTE

    started_at = counted[0][0] if counted else _start_after(cal, c, merged)
    note = _created_note(cal, zone, c, started_at, merged)
    lines.append(Line("created", c, None, None, 0, note))

    cursor = c
    for g in groups:
        lines.extend(_gap(cal, zone, names, cursor, g.start, shown, end, running, floor_minutes(total)))
        before = floor_minutes(total)
        total += sum((b - a for a, b in g.spans), timedelta(0))
        minutes = floor_minutes(total) - before
        lines.append(Line("counted", g.start, g.end, minutes, floor_minutes(total),
                          _counted_note(g, minutes, zone, due, breached_at), over=g.over))
        cursor = g.end
    lines.extend(_gap(cal, zone, names, cursor, end, shown, end, running, floor_minutes(total)))
    lines = _fold_days(cal, zone, lines)

    paused_by: tuple[PauseInfo, ...] = ()
    resumes_at = None
    if stop is not None and not running:
        lines.append(Line("stopped", end, None, None, floor_minutes(total),
                          _stop_note(stop, status)))
    else:
        holding = [p for p in merged if p.start <= end and (p.end is None or end < p.end)]
        if status.paused and holding:
            paused_by = tuple(holding[0].infos)
            note = "now: paused, " + "; ".join(i.short() for i in paused_by)
        elif next_business_instant(cal, end) == end:
            note = "now: counting"
        else:
            resumes_at = _start_after(cal, end, merged)
            note = "now: closed hours"
            if resumes_at is not None:
                note += f", counting resumes {when(resumes_at, zone, end.astimezone(zone).date())}"
        lines.append(Line("now", end, None, None, floor_minutes(total), note))

    notes = []
    counted_total = floor_minutes(total)
    if not running and counted_total != status.elapsed_minutes:
        # A stopped clock keeps the verdict recorded when it stopped (§7); the calendar or
        # the agreement changed since, and today's calendar counts differently.
        notes.append(f"the verdict was recorded when the clock stopped ({hm(status.elapsed_minutes)}"
                     f" used); the calendar has changed since, and on today's calendar the"
                     f" timeline above counts {hm(counted_total)}")
    if not pauses_apply and any(p.kind != "reopen" for p in pauses):
        notes.append("waiting does not pause this clock (the agreement counts the first "
                     "response straight through)")
    return ClockExplanation(
        clock=clock, tz=cal.tz, day_minutes=cal.day_minutes, target_minutes=target_minutes,
        status=status, created=c, started_at=started_at, stop=stop, end=end, lines=tuple(lines),
        breached_at=breached_at, breach_recorded_at=breach_recorded_at, paused_by=paused_by,
        resumes_at=resumes_at, notes=tuple(notes),
    )


def _created_note(cal: Calendar, zone: ZoneInfo, c: datetime, started_at: datetime | None,
                  merged: list[_Pause]) -> str:
    if started_at == c:
        return "created inside business hours: counting starts at once"
    if next_business_instant(cal, c) == c:
        if started_at is None:
            return "created inside business hours and paused at once: counting starts when the wait ends"
        return f"created inside business hours and paused at once: counting starts {when(started_at, zone)}"
    local = c.astimezone(zone)
    wins = windows_on(cal, local.date())
    minute = local.hour * 60 + local.minute
    where = "out of hours"
    if wins and minute < wins[0][0]:
        where = "before opening"
    elif wins and minute < wins[-1][1]:
        gap = next(((a, b) for (_, a), (b, _) in pairwise(wins) if a <= minute < b), None)
        if gap:
            where = f"during the {format_minutes(gap[0])}–{format_minutes(gap[1])} break"
    if started_at is None:
        return f"created {where}: counting starts when the wait ends"
    return f"created {where}: counting starts {when(started_at, zone, local.date())}"


def _start_after(cal: Calendar, t: datetime, merged: list[_Pause]) -> datetime | None:
    """The first business instant at or after ``t`` that no pause holds (None: an open pause)."""
    for _ in range(1000):
        nxt = next_business_instant(cal, t)
        if nxt is None:
            return None
        holder = next((p for p in merged if p.start <= nxt and (p.end is None or nxt < p.end)), None)
        if holder is None:
            return nxt
        if holder.end is None:
            return None
        t = holder.end
    return None


def _groups(counted: list[tuple[datetime, datetime]], pauses: list[_Pause],
            due: datetime | None, zone: ZoneInfo) -> list[_Group]:
    """Counted spans of one local date become one line unless a pause or the due instant
    falls between them (then the breaks between windows show in the line's note)."""
    groups: list[_Group] = []
    for a, b in counted:
        over = due is not None and a >= due
        g = groups[-1] if groups else None
        if (g is not None and g.over == over
                and g.end.astimezone(zone).date() == a.astimezone(zone).date()
                and (b - _TINY).astimezone(zone).date() == a.astimezone(zone).date()
                and not any(p.start < a and (p.end is None or p.end > g.end) for p in pauses)
                and not (due is not None and g.end <= due < a)):
            g.spans.append((a, b))
            g.end = b
        else:
            groups.append(_Group(a, b, [(a, b)], over))
    return groups


def _counted_note(g: _Group, minutes: int, zone: ZoneInfo, due: datetime | None,
                  breached_at: datetime | None) -> str:
    note = f"{hm(minutes)} counted"
    if g.over:
        note += " past due"
    breaks = [(g.spans[i][1], g.spans[i + 1][0]) for i in range(len(g.spans) - 1)]
    if breaks:
        note += " (closed " + ", ".join(
            f"{x.astimezone(zone).strftime('%H:%M')}–{y.astimezone(zone).strftime('%H:%M')}"
            for x, y in breaks) + ")"
    if breached_at is not None and g.start < breached_at <= g.end:
        note += f"; target used up at {when(breached_at, zone, g.start.astimezone(zone).date())}"
    return note


def _gap(cal: Calendar, zone: ZoneInfo, names: dict[date, str], x: datetime, y: datetime,
         pauses: list[_Pause], end: datetime, running: bool, total: int) -> list[Line]:
    """The lines of [x, y), where nothing counted: the pauses in it and the closed spells."""
    out: list[Line] = []
    cursor = x
    for p in pauses:
        ps, pe = max(p.start, x), y if p.end is None else min(p.end, y)
        if ps >= pe:
            continue
        if cursor < ps:
            out.append(_closed(cal, zone, names, cursor, ps, total))
        out.append(_paused(cal, zone, p, ps, pe, end, running, total))
        cursor = pe
    if cursor < y:
        out.append(_closed(cal, zone, names, cursor, y, total))
    return out


def _paused(cal: Calendar, zone: ZoneInfo, p: _Pause, ps: datetime, pe: datetime,
            end: datetime, running: bool, total: int) -> Line:
    held = _business(cal, ps, pe) // _MINUTE
    note = "paused: " + "; ".join(i.describe() for i in p.infos)
    if p.end is not None and p.end <= end:
        how = next((i.ended_how for i in reversed(p.infos) if i.ended_how), None)
        if how:
            note += f", until {how}"
    elif running:
        note += ", still waiting"
    so_far = " so far" if running and (p.end is None or p.end > end) else ""
    note += f" · {hm(held)} not counted{so_far}" if held else " · closed hours only, nothing held back"
    return Line("paused", ps, pe, held, total, note)


def _closed(cal: Calendar, zone: ZoneInfo, names: dict[date, str], x: datetime, y: datetime,
            total: int) -> Line:
    lx, ly = x.astimezone(zone), (y - _TINY).astimezone(zone)
    first, last = lx.date(), ly.date()
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    shut = [d for d in days if not windows_on(cal, d)]
    parts: list[str] = []
    holiday = False
    run: list[date] = []

    def flush() -> None:
        if not run:
            return
        span = days_text(run[0], run[-1])
        if all(d.weekday() >= 5 for d in run):
            parts.append(f"weekend ({span})")
        else:
            parts.append(f"closed day{'s' if len(run) > 1 else ''} ({span})")
        run.clear()

    for d in shut:
        if d in cal.overrides:
            flush()
            parts.append(f"{day_text(d)} closed by override")
        elif d in cal.holidays and cal.hours[d.weekday()]:  # a holiday on a closed day changes nothing
            flush()
            holiday = True
            name = names.get(d)
            parts.append(f"{name} ({day_text(d)}, holiday)" if name else f"{day_text(d)} holiday")
        else:
            if run and (d - run[-1]).days != 1:
                flush()
            run.append(d)
    flush()
    weekly_first, weekly_last = cal.hours[first.weekday()], cal.hours[last.weekday()]
    if first in cal.overrides and cal.overrides[first] and (
            not weekly_first or cal.overrides[first][-1][1] != weekly_first[-1][1]):
        parts.insert(0, f"short day {day_text(first)} ({_hours(cal.overrides[first])}, override)")
    if last != first and last in cal.overrides and cal.overrides[last] and (
            not weekly_last or cal.overrides[last][0][0] != weekly_last[0][0]):
        parts.append(f"special hours {day_text(last)} ({_hours(cal.overrides[last])}, override)")
    if parts:
        note = "closed: " + ", ".join(parts)
    elif first == last:
        wins = windows_on(cal, first)
        minute_x = lx.hour * 60 + lx.minute
        if wins and minute_x >= wins[-1][1]:
            note = "closed hours (after closing)"
        elif wins and minute_x < wins[0][0]:
            note = f"closed hours (opens {format_minutes(wins[0][0])})"
        else:
            note = "closed: break"
    elif (last - first).days == 1:
        note = "closed hours (overnight)"
    else:
        note = "closed hours"
    return Line("holiday" if holiday else "closed", x, y, 0, total, note)


def _hours(windows: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{format_minutes(s)}–{format_minutes(e)}" for s, e in windows)


def _fold_days(cal: Calendar, zone: ZoneInfo, lines: list[Line]) -> list[Line]:
    """Runs of FOLD_DAYS or more whole business days, only nights between, become one line."""
    def whole(line: Line) -> bool:
        if line.kind != "counted" or line.end is None or "target used up" in line.note:
            return False
        d = line.start.astimezone(zone).date()
        if (line.end - _TINY).astimezone(zone).date() != d:
            return False
        return _day_bounds(cal, d, zone) == (line.start, line.end)

    def overnight(line: Line) -> bool:
        return line.kind == "closed" and line.note == "closed hours (overnight)"

    out: list[Line] = []
    i = 0
    while i < len(lines):
        j, days = i, 0
        if whole(lines[i]):
            days = 1
            while (j + 2 < len(lines) and overnight(lines[j + 1]) and whole(lines[j + 2])
                   and lines[j + 2].over == lines[i].over):
                j += 2
                days += 1
        if days < FOLD_DAYS:
            out.append(lines[i])
            i += 1
            continue
        run = lines[i:j + 1]
        minutes = sum(line.minutes or 0 for line in run if line.kind == "counted")
        past = " past due" if run[0].over else ""
        out.append(Line("counted", run[0].start, run[-1].end, minutes, run[-1].total_minutes,
                        f"{hm(minutes)} counted{past}: {days} whole business days, closed overnight",
                        over=run[0].over))
        i = j + 1
    return out


def _stop_note(stop: Stop, status: bt.ClockStatus) -> str:
    note = f"stopped: {stop.how}"
    if stop.cancelled:
        return note
    if status.state == "met":
        spare = status.remaining_minutes
        if status.due is None or spare <= 0:
            return note + ", met"
        return note + f", met with {hm(spare)} to spare"
    if status.state == "breached":
        over = -status.remaining_minutes
        return note + (f", {hm(over)} over the target: BREACHED" if over > 0
                       else ", after the due time: BREACHED")
    return note


# --- the whole request ------------------------------------------------------------------


def no_agreement_message(number: int, team: str, requester: str, customer: str | None, *,
                         agreement: str | None = None, missing_calendar: str | None = None,
                         later_agreement: str | None = None) -> str:
    """One line saying why request ``number`` has no clocks, and what to do about it."""
    if agreement:
        cal = f"calendar {missing_calendar}" if missing_calendar else "a calendar"
        return (f"#{number}'s agreement {agreement} runs on {cal}, which does not exist;"
                f" add it with `isvc calendar add` or change the agreement with"
                f" `isvc agreement edit {agreement}`")
    if later_agreement:
        return (f"#{number} has no agreement: it was closed before agreement {later_agreement}"
                f" covered it, and closed requests keep the verdict they had")
    whose = (f"requester {requester}'s team ({customer})" if customer
             else f"requester {requester} (who has no team)")
    return (f"#{number} has no agreement: team {team} has none that covers {whose};"
            f" add one with `isvc agreement add`")
