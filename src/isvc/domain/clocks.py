"""A request's two clocks (SLA-SPEC §7), computed from its history; pure.

The results are stored on the request (so queues sort by them with an index) and
recomputed on every event that can move them.
"""

from __future__ import annotations

from typing import NamedTuple
from functools import lru_cache
from datetime import datetime

from isvc.domain import businesstime as bt
from isvc.domain.agreements import Agreement
from isvc.domain.calendar import Calendar, windows_on
from isvc.domain.timeutil import parse_iso, to_iso

OPEN = ("new", "acknowledged", "in_progress", "waiting")


def is_business_instant(cal: Calendar, t: datetime) -> bool:
    from zoneinfo import ZoneInfo

    local = t.astimezone(ZoneInfo(cal.tz))
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in windows_on(cal, local.date()))


def choose_calendar(ag: Agreement, priority: str, created: datetime,
                    calendars: dict[str, Calendar]) -> str:
    """Urgent requests filed outside the agreement's hours run on its on-call calendar."""
    main = calendars[ag.calendar]
    if (priority == "urgent" and ag.oncall_calendar and ag.oncall_calendar in calendars
            and not is_business_instant(main, created)):
        return ag.oncall_calendar
    return ag.calendar


class ClockInput(NamedTuple):  # a NamedTuple: built 100,000 times per calendar edit
    created_at: str
    priority: str
    status: str
    first_response_at: str | None
    resolved_at: str | None
    pauses: tuple[tuple[str, str | None], ...]   # resolution-clock pauses (ISO)


def _pauses(pauses) -> list[bt.Pause]:
    return [(parse_iso(s), parse_iso(e) if e else None) for s, e in pauses]


_FIELDS = ("target", "due_at", "risk_at", "breached_at", "met", "elapsed")
_FR_KEYS = tuple(f"fr_{k}" for k in _FIELDS)
_RES_KEYS = tuple(f"res_{k}" for k in _FIELDS)


@lru_cache(maxsize=8)
def _now_iso(now: datetime) -> str:
    return to_iso(now)


def _one(cal: Calendar, created: datetime, prepared, target: int | None, stopped: str | None,
         pauses: list[bt.Pause], pauses_iso, running: bool, percent: int, now_iso: str,
         old_due: str | None, old_breach: str | None) -> dict:
    # Instants here are stored text (UTC, whole seconds, Z): it orders like the instants
    # it names, so comparisons need no parsing (this runs for every open request after a
    # calendar edit).
    if target is None:
        return (None, None, None, None, None, None)
    risk_minutes = -(-percent * target // 100)  # elapsed*100 >= percent*target, whole minutes
    if not (0 < risk_minutes <= target):
        raise ValueError(f"bad target {target} or at-risk percent {percent}")
    risk_at, due_at = bt.reach_iso_prepared(cal, prepared[0], [risk_minutes, target], prepared[1])
    breach = old_breach
    # A breach recorded while the clock ran stays recorded (§7), even if this
    # recomputation (a priority or agreement change) moves the due time later. An old
    # due time inside a pause (the resolved spell before a reopen) passed while the
    # clock stood still: that is no breach.
    if (breach is None and old_due and running and now_iso > old_due
            and not any(s <= old_due and (e is None or old_due < e) for s, e in pauses_iso)):
        breach = old_due
    if breach is None and due_at is not None:
        if (stopped is None and running and now_iso > due_at) or (stopped is not None and stopped > due_at):
            breach = due_at
    met = elapsed = None
    if stopped is not None:
        met = int(due_at is None or stopped <= due_at) if breach is None else 0
        stop = parse_iso(stopped)
        elapsed = bt.elapsed_minutes(cal, created, max(stop, created), pauses)
    return (target, due_at, risk_at, breach, met, elapsed)  # the order of _FIELDS


def compute(inp: ClockInput, ag: Agreement | None, calendars: dict[str, Calendar],
            now: datetime, old: dict | None = None) -> dict:
    """The stored clock columns for one request (see store.sla.CLOCK_COLUMNS)."""
    old = old or {}
    if ag is None or ag.calendar not in calendars:
        out = dict.fromkeys(("agreement", "sla_calendar", "at_risk_percent", "next_due_at",
                             "next_risk_at") + _FR_KEYS + _RES_KEYS)
        return out
    created = parse_iso(inp.created_at)
    cal_name = choose_calendar(ag, inp.priority, created, calendars)
    cal = calendars[cal_name]
    is_open = inp.status in OPEN
    res_pauses = _pauses(inp.pauses)
    fr_running = is_open and inp.first_response_at is None
    res_stop = inp.resolved_at if inp.status in ("resolved", "closed") else None
    # Resolving without a reply still ends the wait for a first response.
    fr_stop = inp.first_response_at or res_stop
    now_iso = _now_iso(now)
    res_prepared = bt.prepare(created, res_pauses)
    if ag.pause_first_response:
        fr_args = (res_prepared, res_pauses, inp.pauses)
    else:
        fr_args = ((res_prepared[0], []), [], ())
    fr = _one(cal, created, fr_args[0], ag.response.get(inp.priority), fr_stop, *fr_args[1:],
              fr_running, ag.at_risk_percent, now_iso, old.get("fr_due_at"), old.get("fr_breached_at"))
    res = _one(cal, created, res_prepared, ag.resolution.get(inp.priority), res_stop, res_pauses,
               inp.pauses, is_open, ag.at_risk_percent, now_iso, old.get("res_due_at"),
               old.get("res_breached_at"))
    running = [c for c, on in ((fr, fr_running), (res, is_open)) if on and c[1]]
    out = {
        "agreement": ag.name, "sla_calendar": cal_name, "at_risk_percent": ag.at_risk_percent,
        "next_due_at": min((c[1] for c in running), default=None),
        "next_risk_at": min((c[2] for c in running if c[2]), default=None),
    }
    out.update(zip(_FR_KEYS, fr))
    out.update(zip(_RES_KEYS, res))
    return out


def status(row: dict, clock: str, cal: Calendar, pauses: list[bt.Pause],
           now: datetime) -> bt.ClockStatus | None:
    """The live figures of one stored clock at ``now`` (for the rows on screen)."""
    prefix = "fr" if clock == "first_response" else "res"
    target = row.get(f"{prefix}_target")
    if not target:
        return None
    if clock == "first_response":
        stopped = row.get("first_response_at") or (
            row.get("resolved_at") if row["status"] in ("resolved", "closed") else None)
    else:
        stopped = row.get("resolved_at") if row["status"] in ("resolved", "closed") else None
    if row["status"] == "cancelled":
        stopped = stopped or row.get("closed_at")
    st = bt.clock_status(cal, parse_iso(row["created_at"]), target, now,
                         parse_iso(stopped) if stopped else None, pauses,
                         row.get("at_risk_percent") or 80)
    met, due, elapsed = (row.get(f"{prefix}_{k}") for k in ("met", "due_at", "elapsed"))
    if stopped and met is not None and due and elapsed is not None:
        # A stopped clock shows the verdict recorded when it stopped (§7): a later calendar
        # edit must not rewrite it, and a breach recorded before a re-target stays a breach.
        from dataclasses import replace

        st = replace(st, due=parse_iso(due), elapsed_minutes=elapsed,
                     remaining_minutes=target - elapsed, state="met" if met else "breached")
    return st
