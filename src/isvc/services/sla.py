"""Keeping every request's clocks right, and reading them back for views and scripts."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from operator import itemgetter

from isvc.domain import clocks
from isvc.domain.agreements import Agreement
from isvc.domain.calendar import Calendar, parse_calendar
from isvc.domain.timeutil import parse_iso
from isvc.store import sla as store

_CACHE: dict[tuple[str, str], Calendar] = {}  # (name, definition JSON) -> parsed


def calendars(conn: sqlite3.Connection) -> dict[str, Calendar]:
    """Every stored calendar, parsed once per process and version."""
    out = {}
    for name, definition in store.calendar_definitions(conn):
        # Keyed on the definition itself: an edit within the same second must not hit a
        # stale entry in a long-lived process.
        key = (name, definition)
        if key not in _CACHE:
            import json

            _CACHE[key] = parse_calendar(json.loads(definition), source=f"calendar {name}")
        out[name] = _CACHE[key]
    return out


def _pauses(rows: list[dict]) -> tuple[tuple[str, str | None], ...]:
    return tuple((w["started_at"], w["ended_at"]) for w in rows)


_clock_values = itemgetter(*store.CLOCK_COLUMNS)


def recompute(conn: sqlite3.Connection, numbers: list[int], now: datetime,
              cals: dict[str, Calendar] | None = None) -> int:
    """Recompute and store the clocks of ``numbers``; call inside the write transaction.

    Returns how many requests' clocks changed.
    """
    cals = cals if cals is not None else calendars(conn)
    pauses = store.pauses_for(conn, numbers)
    inputs = store.clock_inputs_many(conn, numbers)
    agreements: dict[tuple[str, str | None], Agreement | None] = {}
    changed = []
    for number in numbers:
        row = inputs.get(number)
        if row is None:
            continue
        if row["status"] in ("resolved", "closed") and row["res_met"] is not None:
            continue  # resolved: keeps the verdict recorded when it stopped (closing too)
        key = (row["team"], row["customer"])
        if key not in agreements:
            agreements[key] = store.matching_agreement(conn, *key)
        inp = clocks.ClockInput(
            created_at=row["created_at"], priority=row["priority"], status=row["status"],
            first_response_at=row["first_response_at"], resolved_at=row["resolved_at"],
            pauses=_pauses(pauses[number]),
        )
        values = clocks.compute(inp, agreements[key], cals, now, old=row)
        if _clock_values(values) != _clock_values(row):
            changed.append((number, values))
    store.save_clocks_many(conn, changed)
    return len(changed)


def recompute_open(conn: sqlite3.Connection, providers: list[str], now: datetime) -> int:
    """After an agreement or calendar edit: the open requests it governs (closed ones keep
    the verdict recorded when they closed)."""
    return recompute(conn, store.open_numbers_for_agreements(conn, providers), now)


def live(conn: sqlite3.Connection, numbers: list[int], now: datetime) -> dict[int, dict]:
    """Each request's clocks at ``now``: {number: {"first_response": ClockStatus|None, ...}}.

    Computed only for the rows asked for (a screenful), from the stored columns.
    """
    rows = store.clock_rows(conn, numbers)
    pauses = store.pauses_for(conn, numbers)
    cals = calendars(conn)
    pause_fr = {ag.name: ag.pause_first_response for ag in store.list_agreements(conn, True)}
    out: dict[int, dict] = {}
    for number in numbers:
        row = rows.get(number)
        if row is None or not row["agreement"] or row["sla_calendar"] not in cals:
            out[number] = {}
            continue
        cal = cals[row["sla_calendar"]]
        res_pauses = [(parse_iso(s), parse_iso(e) if e else None) for s, e in _pauses(pauses[number])]
        fr_pauses = res_pauses if pause_fr.get(row["agreement"]) else []
        out[number] = {
            "row": row,
            "calendar": cal,
            "day_minutes": cal.day_minutes,
            "first_response": clocks.status(row, "first_response", cal, fr_pauses, now),
            "resolution": clocks.status(row, "resolution", cal, res_pauses, now),
        }
    return out


def _clock_json(row: dict, prefix: str, status) -> dict | None:
    if status is None:
        return None
    from isvc.domain.timeutil import to_iso

    return {
        "target_minutes": row[f"{prefix}_target"],
        "due_at": to_iso(status.due),
        "at_risk_at": to_iso(status.at_risk_at),
        "state": status.state,
        "elapsed_business_minutes": status.elapsed_minutes,
        "remaining_business_minutes": status.remaining_minutes,
        "paused": status.paused,
        "breach_recorded_at": row[f"{prefix}_breached_at"],
    }


def sla_object(clocks_now: dict) -> dict | None:
    """The ``sla`` object of the request JSON shape, from ``live`` figures."""
    if not clocks_now:
        return None
    row = clocks_now["row"]
    return {
        "first_response": _clock_json(row, "fr", clocks_now["first_response"]),
        "resolution": _clock_json(row, "res", clocks_now["resolution"]),
    }


def sla_json(conn: sqlite3.Connection, numbers: list[int], now: datetime) -> dict[int, dict | None]:
    """The ``sla`` object for each of ``numbers``."""
    return {number: sla_object(c) for number, c in live(conn, numbers, now).items()}


def check(conn: sqlite3.Connection, now: datetime, team: str | None = None) -> list[dict]:
    """Every running clock that is at risk or breached now, most overdue first (`sla check`).

    Read-only: safe to run every minute beside other writers.
    """
    from isvc.domain.timeutil import to_iso

    rows = store.watch_rows(conn, to_iso(now), team)
    figures = live(conn, [r["number"] for r in rows], now)
    out = []
    for row in rows:
        clocks_now = figures.get(row["number"]) or {}
        for clock, prefix in (("first_response", "fr"), ("resolution", "res")):
            st = clocks_now.get(clock)
            if st is None or st.state not in ("at_risk", "breached"):
                continue
            stopped = row["first_response_at"] if clock == "first_response" else None
            if stopped:
                continue  # a stopped clock's verdict is history, not something to act on
            out.append({
                "number": row["number"],
                "team": row["team"],
                "clock": clock,
                "state": st.state,
                "due_at": to_iso(st.due),
                "overdue_minutes": max(0, -st.remaining_minutes),
                "assignee": row["assignee"],
                "remaining_business_minutes": st.remaining_minutes,
                "priority": row["priority"],
                "title": row["title"],
                "day_minutes": clocks_now["day_minutes"],
                "calendar_tz": clocks_now["calendar"].tz,
            })
    # The queue's order: breached first, the earliest due (longest overdue) first; business
    # minutes of a 24x7 and an office calendar are not comparable, instants are.
    out.sort(key=lambda r: (r["state"] != "breached", r["due_at"] or ""))
    return out
