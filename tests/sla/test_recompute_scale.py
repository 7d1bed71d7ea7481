"""Recomputing many open requests at once gives the same clocks as computing each alone.

2,000 open requests are written straight into the store (one write transaction), spread
over four weeks of days, nights and weekends, every priority, some with finished or open
waits, filed by requesters of two customer teams. One `services.sla.recompute` call then
stores every clock; each is checked against the business-time engine called for that
request alone, with the agreement and calendar chosen here by the rules of §7 and the
on-call rule.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from isvc.domain import businesstime as bt
from isvc.domain.calendar import parse_calendar
from isvc.domain.models import Priority, Request, Status
from isvc.domain.timeutil import to_iso
from isvc.services import sla
from isvc.store import requests as rstore
from isvc.store.db import open_db, write

from . import _support

sla_desk = _support.sla_desk  # the fixture

COUNT = 2000
MINUTES = {  # it-std (see _support) and it-sales below, in minutes
    "it-std": ({"urgent": 30, "high": 60, "normal": 240, "low": 480},
               {"urgent": 120, "high": 480, "normal": 960, "low": 2400}),
    "it-sales": ({"urgent": 15, "high": 45, "normal": 120, "low": 480},
                 {"urgent": 90, "high": 240, "normal": 720, "low": 1920}),
}
OFFICE = {"tz": "UTC", "holidays": ["2026-11-26", "2026-12-25"],
          "hours": {d: [["09:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
          "overrides": {"2026-11-27": [["09:00", "13:00"]]}}
ALWAYS = {"tz": "UTC", "day_minutes": 1440, "hours": {d: [["00:00", "24:00"]] for d in
                                                       ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}


def _configure(isvc) -> None:
    isvc("--as", "boss", "calendar", "edit", "office", "--hours", "mon-fri 09:00-12:00,13:00-17:00")
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-11-26")
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-12-25")
    isvc("--as", "boss", "calendar", "override", "office", "2026-11-27", "--hours", "09:00-13:00")
    isvc("--as", "boss", "agreement", "edit", "it-std", "--oncall-calendar", "always", "--oncall", "jim")
    isvc("--as", "boss", "agreement", "add", "it-sales", "--provider", "it", "--customer", "sales",
         "--calendar", "office", "--response", "urgent=15m,high=45m,normal=2h,low=1d",
         "--resolution", "urgent=90m,high=4h,normal=12h,low=4d")


def _file_many(conn) -> dict[int, dict]:
    rng = random.Random(20261123)
    start = datetime(2026, 11, 2, tzinfo=UTC)            # a Monday
    made: dict[int, dict] = {}
    with write(conn):
        for i in range(COUNT):
            created = start + timedelta(minutes=rng.randrange(0, 28 * 24 * 60))
            priority = rng.choice(list(Priority))
            status = rng.choice([Status.NEW, Status.IN_PROGRESS, Status.WAITING])
            requester = rng.choice(["mihai", "ana", "alina"])    # sales, payroll, it
            req = Request(number=0, title=f"request {i}", body="", status=status,
                          priority=priority, team="it", requester=requester,
                          created_at=to_iso(created), updated_at=to_iso(created),
                          waiting_on="requester" if status == Status.WAITING else None)
            number = rstore.insert_request(conn, req)
            pauses = []
            if rng.random() < 0.3:                                # a finished wait
                s = created + timedelta(minutes=rng.randrange(0, 3000))
                e = s + timedelta(minutes=rng.randrange(1, 4000))
                pauses.append((s, e))
            if status == Status.WAITING:                          # still waiting
                s = created + timedelta(minutes=rng.randrange(5000, 6000))
                pauses.append((s, None))
            for s, e in pauses:
                rstore.open_wait(conn, number, to_iso(s), None, ended_at=to_iso(e) if e else None)
            made[number] = {"created": created, "priority": priority.value,
                            "requester": requester, "pauses": pauses}
    return made


def _expected(item: dict, office, always) -> dict:
    """One request, by hand: which agreement and calendar, then the engine's due times."""
    agreement = "it-sales" if item["requester"] == "mihai" else "it-std"
    created, priority = item["created"], item["priority"]
    in_hours = bt.elapsed_minutes(office, created, created + timedelta(minutes=1)) == 1
    on_call = agreement == "it-std" and priority == "urgent" and not in_hours
    cal = always if on_call else office
    fr, res = (MINUTES[agreement][0][priority], MINUTES[agreement][1][priority])
    return {"agreement": agreement, "sla_calendar": "always" if on_call else "office",
            "fr_target": fr, "res_target": res,
            "fr_due_at": to_iso(bt.due(cal, created, fr, [])),
            "res_due_at": to_iso(bt.due(cal, created, res, item["pauses"]))}


def test_recompute_of_2000_open_requests_matches_computing_each_alone(sla_desk, isvc_home):
    _configure(sla_desk)
    conn = open_db(isvc_home / "isvc.db")
    try:
        made = _file_many(conn)
        now = datetime(2026, 12, 2, 12, tzinfo=UTC)
        with write(conn):
            changed = sla.recompute(conn, list(made), now)
        assert changed == COUNT
        stored = {row["number"]: dict(row) for row in conn.execute(
            "SELECT number, agreement, sla_calendar, fr_target, res_target, fr_due_at, res_due_at "
            "FROM requests")}
    finally:
        conn.close()
    office = parse_calendar(OFFICE, source="office")
    always = parse_calendar(ALWAYS, source="always")
    mismatches = []
    for number, item in made.items():
        want = _expected(item, office, always)
        got = {k: stored[number][k] for k in want}
        if got != want:
            mismatches.append((number, got, want))
    assert not mismatches, f"{len(mismatches)} differ, e.g. {mismatches[:3]}"
    # the scenario covers what it means to
    assert {s["sla_calendar"] for s in stored.values()} == {"office", "always"}
    assert sum(s["res_due_at"] is None for s in stored.values()) > 100      # open waits
    assert {s["agreement"] for s in stored.values()} == {"it-std", "it-sales"}
