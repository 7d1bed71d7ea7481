"""A request's two clocks (SLA-SPEC §7), computed from its history; pure.

The results are stored on the request (so queues sort by them with an index) and
recomputed on every event that can move them.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class ClockInput:
    created_at: str
    priority: str
    status: str
    first_response_at: str | None
    resolved_at: str | None
    pauses: tuple[tuple[str, str | None], ...]   # resolution-clock pauses (ISO)


def _pauses(pauses) -> list[bt.Pause]:
    return [(parse_iso(s), parse_iso(e) if e else None) for s, e in pauses]


def _one(cal: Calendar, created: datetime, target: int | None, stopped: str | None,
         pauses: list[bt.Pause], pauses_iso, running: bool, percent: int, now_iso: str,
         old_due: str | None, old_breach: str | None) -> dict:
    # Instants here are stored text (UTC, whole seconds, Z): it orders like the instants
    # it names, so comparisons need no parsing (this runs for every open request after a
    # calendar edit).
    if target is None:
        return {"target": None, "due_at": None, "risk_at": None, "breached_at": None,
                "met": None, "elapsed": None}
    risk_minutes = -(-percent * target // 100)  # elapsed*100 >= percent*target, whole minutes
    risk_at, due_at = bt.reach_iso(cal, created, [risk_minutes, target], pauses)
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
    return {"target": target, "due_at": due_at, "risk_at": risk_at,
            "breached_at": breach, "met": met, "elapsed": elapsed}


def compute(inp: ClockInput, ag: Agreement | None, calendars: dict[str, Calendar],
            now: datetime, old: dict | None = None) -> dict:
    """The stored clock columns for one request (see store.sla.CLOCK_COLUMNS)."""
    old = old or {}
    empty = {c: None for c in ("sla_calendar", "at_risk_percent", "next_due_at", "next_risk_at")}
    if ag is None or ag.calendar not in calendars:
        out = {"agreement": None, **empty}
        for prefix in ("fr", "res"):
            out.update({f"{prefix}_{k}": None for k in ("target", "due_at", "risk_at", "breached_at", "met", "elapsed")})
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
    now_iso = to_iso(now)
    fr_pauses = (res_pauses, inp.pauses) if ag.pause_first_response else ([], ())
    fr = _one(cal, created, ag.response.get(inp.priority), fr_stop, *fr_pauses, fr_running,
              ag.at_risk_percent, now_iso, old.get("fr_due_at"), old.get("fr_breached_at"))
    res = _one(cal, created, ag.resolution.get(inp.priority), res_stop, res_pauses, inp.pauses,
               is_open, ag.at_risk_percent, now_iso, old.get("res_due_at"), old.get("res_breached_at"))
    running = [c for c, on in ((fr, fr_running), (res, is_open)) if on and c["due_at"]]
    out = {
        "agreement": ag.name, "sla_calendar": cal_name, "at_risk_percent": ag.at_risk_percent,
        "next_due_at": min((c["due_at"] for c in running), default=None),
        "next_risk_at": min((c["risk_at"] for c in running if c["risk_at"]), default=None),
    }
    for prefix, clock in (("fr", fr), ("res", res)):
        out.update({f"{prefix}_{k}": v for k, v in clock.items()})
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
