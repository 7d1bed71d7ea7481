"""The SLA-ordered queue and `isvc sla check` (cron), on one hand-made scenario.

it-std is retired and replaced by it-sales (customer sales, same targets), so that a
request filed by ana (payroll) has no agreement. The clock is Wed 25 Nov 12:00Z:

  #1 A  Mon 23 09:30 urgent   first response due Mon 10:00   breached, overdue 1080 min
  #2 B  Wed 25 09:00 urgent   first response due Wed 09:30   breached, overdue 150 min
  #3 C  Wed 25 11:05 high     first response due Wed 12:05   at risk (55 of 60 min)
  #4 D  Wed 25 11:30 low      first response due Thu 11:30   on track
  #5 E  Wed 25 11:30 normal   first response due Wed 15:30   on track
  #6 F  Wed 25 10:00 normal   answered, waiting on mihai     paused
  #7 G  Wed 25 10:00 normal   filed by ana                   no agreement
"""

from __future__ import annotations

import pytest

from . import _support
from ._support import RESOLUTION, RESPONSE, act, at, db_dump, db_rows, file

sla_desk = _support.sla_desk  # the fixture

NOW = "2026-11-25T12:00:00Z"
CHECK_KEYS = {"number", "team", "clock", "state", "due_at", "overdue_minutes", "assignee"}
TABLE_ENV = {"ISVC_FORCE_TABLE": "1", "COLUMNS": "120", "NO_COLOR": "1", "ISVC_NOW": NOW}


def plain(text: str) -> str:
    """Without the bold/dim escapes (NO_COLOR removes colour, not emphasis)."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture
def scenario(sla_desk):
    isvc = sla_desk
    isvc("--as", "boss", "agreement", "retire", "it-std")
    isvc("--as", "boss", "agreement", "add", "it-sales", "--provider", "it", "--customer", "sales",
         "--calendar", "office", "--response", RESPONSE, "--resolution", RESOLUTION)
    numbers = {
        "A": file(isvc, "2026-11-23T09:30:00Z", "A", "--team", "it", "--priority", "urgent"),
        "B": file(isvc, "2026-11-25T09:00:00Z", "B", "--team", "it", "--priority", "urgent"),
        "C": file(isvc, "2026-11-25T11:05:00Z", "C", "--team", "it", "--priority", "high"),
        "D": file(isvc, "2026-11-25T11:30:00Z", "D", "--team", "it", "--priority", "low"),
        "E": file(isvc, "2026-11-25T11:30:00Z", "E", "--team", "it"),
        "F": file(isvc, "2026-11-25T10:00:00Z", "F", "--team", "it"),
        "G": file(isvc, "2026-11-25T10:00:00Z", "G", "--team", "it", who="ana"),
    }
    act(isvc, "2026-11-25T10:30:00Z", "jim", "wait", numbers["F"], "-m", "Which laptop?")
    act(isvc, "2026-11-25T10:31:00Z", "jim", "assign", numbers["A"], "alina")
    return isvc, numbers


def test_queue_json_order_is_breached_then_at_risk_then_nearest_due_then_the_rest(scenario):
    isvc, _ = scenario
    rows = isvc.json("queue", "it", env=at(NOW))
    assert [r["title"] for r in rows] == ["A", "B", "C", "E", "D", "F", "G"]
    states = {r["title"]: r["sla"] and (r["sla"]["first_response"]["state"],
                                        r["sla"]["resolution"]["paused"]) for r in rows}
    assert states == {"A": ("breached", False), "B": ("breached", False), "C": ("at_risk", False),
                      "D": ("on_track", False), "E": ("on_track", False), "F": ("met", True),
                      "G": None}
    # the order is the database's: limits cut the same list
    assert [r["title"] for r in isvc.json("queue", "it", "--limit", "3", env=at(NOW))] == ["A", "B", "C"]
    # an hour later C is breached too, and overdue less than B
    later = isvc.json("queue", "it", env=at("2026-11-25T13:00:00Z"))
    assert [r["title"] for r in later][:3] == ["A", "B", "C"]


def test_queue_table_shows_time_left_overdue_and_paused(scenario):
    isvc, n = scenario
    out = plain(isvc("queue", "it", env=TABLE_ENV).stdout)
    header = out.splitlines()[0]
    assert "7 open · 2 breached · 1 at risk · 1 waiting on requester" in header
    lines = {}
    for line in out.splitlines()[1:]:
        first = line.split()[0] if line.split() else ""
        if first.isdigit():
            lines[int(first)] = line
    assert set(lines) == set(n.values())
    assert "overdue" in lines[n["A"]] and "overdue" in lines[n["B"]]
    for key in ("C", "D", "E"):
        assert " left" in lines[n[key]] and "overdue" not in lines[n[key]]
    assert "paused" in lines[n["F"]]
    assert "no agreement" in lines[n["G"]]
    # business time, in business days of 480 minutes: 1080 min over is 2d 2h
    assert "overdue 2d 2h" in lines[n["A"]] and "overdue 2h 30m" in lines[n["B"]]
    assert "5m left" in lines[n["C"]] and "3h 30m left" in lines[n["E"]]


# -- sla check -------------------------------------------------------------------------------

def test_sla_check_lists_breached_then_at_risk_and_exits_4(scenario):
    isvc, n = scenario
    result = isvc("sla", "check", "--json", env=at(NOW), code=4)
    rows = __import__("json").loads(result.stdout)
    for row in rows:
        assert set(row) >= CHECK_KEYS
    got = [(r["number"], r["clock"], r["state"], r["due_at"], r["overdue_minutes"], r["assignee"])
           for r in rows]
    assert got == [
        # A: first response 30 min, 1110 business minutes in (450 Mon + 480 Tue + 180 Wed)
        (n["A"], "first_response", "breached", "2026-11-23T10:00:00Z", 1080, "alina"),
        (n["A"], "resolution", "breached", "2026-11-23T11:30:00Z", 990, "alina"),
        (n["B"], "first_response", "breached", "2026-11-25T09:30:00Z", 150, None),
        (n["B"], "resolution", "breached", "2026-11-25T11:00:00Z", 60, None),
        (n["C"], "first_response", "at_risk", "2026-11-25T12:05:00Z", 0, None),
    ]
    assert all(r["team"] == "it" for r in rows)
    # the table names the same rows
    table = plain(isvc("sla", "check", env=TABLE_ENV, code=4).stdout)
    assert "overdue" in table and "at risk" in table


def test_sla_check_exits_0_with_only_at_risk_rows_and_filters_by_team(scenario):
    isvc, n = scenario
    for key in ("A", "B"):
        act(isvc, "2026-11-25T11:59:00Z", "jim", "cancel", n[key], "-m", "dup")
    rows = isvc.json("sla", "check", env=at(NOW), code=0)
    assert [(r["number"], r["state"]) for r in rows] == [(n["C"], "at_risk")]
    # another team's breaches are not it's: payroll gets an agreement and a breached request
    isvc("--as", "boss", "agreement", "add", "payroll-std", "--provider", "payroll",
         "--calendar", "office", "--response", RESPONSE, "--resolution", RESOLUTION)
    p = file(isvc, "2026-11-25T09:00:00Z", "Payslip", "--team", "payroll", "--priority", "urgent")
    assert isvc.json("sla", "check", "--team", "it", env=at(NOW), code=0) == rows
    pay = isvc.json("sla", "check", "--team", "payroll", env=at(NOW), code=4)
    assert {(r["number"], r["team"]) for r in pay} == {(p, "payroll")}
    assert len(isvc.json("sla", "check", env=at(NOW), code=4)) == 3
    result = isvc("sla", "check", "--team", "nope", env=at(NOW), code=3)
    assert result.stdout == "" and "no team 'nope'" in result.stderr


def test_sla_check_on_a_calm_desk_prints_an_empty_list(sla_desk):
    file(sla_desk, "2026-11-25T11:00:00Z", "x", "--team", "it")
    # answered late: a breached first response, but a stopped clock is history, not work
    late = file(sla_desk, "2026-11-25T09:00:00Z", "y", "--team", "it")
    act(sla_desk, "2026-11-25T13:30:00Z", "jim", "ack", late)
    later = at("2026-11-25T14:00:00Z")
    assert sla_desk.json("request", "show", late, env=later)["sla"]["first_response"]["state"] == "breached"
    assert sla_desk.json("sla", "check", env=later, code=0) == []
    out = plain(sla_desk("sla", "check", env=TABLE_ENV).stdout)
    assert "Nothing at risk or breached" in out


def test_sla_check_is_read_only(scenario, isvc_home):
    isvc, _ = scenario
    before = db_dump(isvc_home)
    listed = isvc("request", "list", "--json", env=at(NOW)).stdout
    events = db_rows(isvc_home, "SELECT count(*) FROM events")
    # an hour on, clocks have moved on paper (C breached now), yet nothing is written
    for when in (NOW, "2026-11-25T13:00:00Z", "2026-12-31T13:00:00Z"):
        isvc("sla", "check", "--json", env=at(when), code=4)
        isvc("sla", "check", env=at(when), code=4)
    assert db_dump(isvc_home) == before
    assert isvc("request", "list", "--json", env=at(NOW)).stdout == listed
    assert db_rows(isvc_home, "SELECT count(*) FROM events") == events


def test_sla_check_warns_when_the_holidays_run_out(scenario):
    isvc, _ = scenario
    quiet = isvc("sla", "check", "--json", env=at(NOW), code=4)
    assert quiet.stderr == ""
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-12-25", env=at(NOW))
    result = isvc("sla", "check", "--json", env=at(NOW), code=4)
    assert "calendar office: holidays end on 2026-12-25" in result.stderr
    assert "isvc calendar holiday seed office" in result.stderr
    assert isinstance(__import__("json").loads(result.stdout), list)  # stdout stays JSON
    # a holiday more than 60 days ahead silences it
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2027-05-01", env=at(NOW))
    assert isvc("sla", "check", "--json", env=at(NOW), code=4).stderr == ""
