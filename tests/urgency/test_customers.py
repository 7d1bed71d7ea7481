"""`isvc customers`: per customer team and requester, the requests filed in the period.

The clock is pinned to Mon 23 Nov 2026 09:30Z; the default period (30d) starts Sat 24 Oct
09:30Z. The scenario, every number checkable by hand (needs-info events are written
straight into the journal, as `request needs-info` journals them):

#  filed   requester (team)  to       priority  needs_info  provider rating
1  11-02   ana (payroll)     it       urgent    -           4 (jim)
2  11-03   ana (payroll)     it       normal    2           2 (jim)
3  11-04   ana (payroll)     payroll  normal    -           -
4  11-05   mihai (sales)     it       urgent    -           5 (alina)
5  11-06   mihai (sales)     it       normal    1           -
6  11-06   zoe (no team)     payroll  normal    -           -
7  11-10   jim (it)          payroll  high      -           3 (ana)
8  09-01   ana (payroll)     it       urgent    1           1 (jim)      <- before the period
9  11-12   alina (it)        payroll  normal    -           -
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from isvc.cli import _common
from isvc.services import customers as svc
from isvc.store import customers as store
from testkit import Recorder

SINCE_30D = "2026-10-24T09:30:00Z"
KEYS = ["level", "team", "requester", "requests", "urgent", "urgent_share_pct", "needs_info",
        "provider_rating_average", "provider_ratings"]


def day(d: str, hour: int = 10) -> str:
    return f"2026-{d}T{hour:02d}:00:00Z"


def row(level, team, requester, requests, urgent, share, needs_info, average, ratings) -> dict:
    return dict(zip(KEYS, (level, team, requester, requests, urgent, share, needs_info, average,
                           ratings)))


def build(isvc, home) -> None:
    def act(when, who, *args):
        return isvc("--as", who, "request", *args, env={"ISVC_NOW": when})

    filings = [("11-02", "ana", "it", "urgent"), ("11-03", "ana", "it", "normal"),
               ("11-04", "ana", "payroll", "normal"), ("11-05", "mihai", "it", "urgent"),
               ("11-06", "mihai", "it", "normal"), ("11-06", "zoe", "payroll", "normal"),
               ("11-10", "jim", "payroll", "high"), ("09-01", "ana", "it", "urgent"),
               ("11-12", "alina", "payroll", "normal")]
    for n, (when, who, team, priority) in enumerate(filings, 1):
        out = act(day(when), who, "new", f"Request {n}", "--team", team, "--priority", priority)
        assert out.stdout == f"{n}\n"
    for number, rater, score, when in [(1, "jim", 4, "11-03"), (2, "jim", 2, "11-04"),
                                       (4, "alina", 5, "11-06"), (7, "ana", 3, "11-11"),
                                       (8, "jim", 1, "09-02")]:
        act(day(when), rater, "ack", number)
        act(day(when, 11), rater, "rate", number, score, "--as-provider")
    conn = sqlite3.connect(home / "isvc.db")
    with conn:
        for number, when in [(2, "11-03"), (2, "11-05"), (5, "11-07"), (8, "09-02")]:
            conn.execute("INSERT INTO events(number, at, actor, kind, message) "
                         "VALUES (?, ?, 'jim', 'needs_info', 'Which employee number?')",
                         (number, day(when)))
    conn.close()


@pytest.fixture
def scenario(request, snapshot, isvc, isvc_home):
    snapshot("urgency-customers",
             lambda: (request.getfixturevalue("desk"), build(isvc, isvc_home)))
    return isvc


ALL = [
    row("team", "payroll", None, 3, 1, 33.3, 2, 3.0, 2),
    row("requester", "payroll", "ana", 3, 1, 33.3, 2, 3.0, 2),
    row("team", "it", None, 2, 0, 0.0, 0, 3.0, 1),
    row("requester", "it", "alina", 1, 0, 0.0, 0, None, 0),
    row("requester", "it", "jim", 1, 0, 0.0, 0, 3.0, 1),
    row("team", "sales", None, 2, 1, 50.0, 1, 5.0, 1),
    row("requester", "sales", "mihai", 2, 1, 50.0, 1, 5.0, 1),
    row("team", None, None, 1, 0, 0.0, 0, None, 0),
    row("requester", None, "zoe", 1, 0, 0.0, 0, None, 0),
]


def test_the_numbers_by_hand(scenario):
    assert scenario.json("customers") == ALL
    assert scenario.json("customers", "--format", "json") == ALL


def test_json_keys_are_stable(scenario):
    for obj in scenario.json("customers"):
        assert list(obj) == KEYS
    assert svc.COLUMNS == KEYS


def test_team_keeps_the_requests_that_provider_received(scenario):
    assert scenario.json("customers", "--team", "it") == [
        row("team", "payroll", None, 2, 1, 50.0, 2, 3.0, 2),
        row("requester", "payroll", "ana", 2, 1, 50.0, 2, 3.0, 2),
        row("team", "sales", None, 2, 1, 50.0, 1, 5.0, 1),
        row("requester", "sales", "mihai", 2, 1, 50.0, 1, 5.0, 1),
    ]
    payroll = scenario.json("customers", "--team", "+payroll")
    assert [(r["level"], r["team"], r["requester"], r["requests"]) for r in payroll] == [
        ("team", "it", None, 2), ("requester", "it", "alina", 1), ("requester", "it", "jim", 1),
        ("team", "payroll", None, 1), ("requester", "payroll", "ana", 1),
        ("team", None, None, 1), ("requester", None, "zoe", 1)]
    assert scenario.json("customers", "--team", "sales") == []


def test_since_brings_older_requests_in(scenario):
    rows = scenario.json("customers", "--since", "2026-08-01")
    assert rows[:2] == [row("team", "payroll", None, 4, 2, 50.0, 3, 2.33, 3),
                        row("requester", "payroll", "ana", 4, 2, 50.0, 3, 2.33, 3)]
    assert scenario.json("customers", "--since", "12d") == [  # since Wed 11 Nov 09:30
        row("team", "it", None, 1, 0, 0.0, 0, None, 0),
        row("requester", "it", "alina", 1, 0, 0.0, 0, None, 0)]


def test_tsv_csv_and_ndjson_carry_one_row_per_team_and_requester(scenario):
    tsv = scenario("customers").stdout.splitlines()
    assert tsv[:2] == ["team\tpayroll\t\t3\t1\t33.3\t2\t3.0\t2",
                       "requester\tpayroll\tana\t3\t1\t33.3\t2\t3.0\t2"]
    assert tsv[-1] == "requester\t\tzoe\t1\t0\t0.0\t0\t\t0"
    assert len(tsv) == 9
    csv = scenario("customers", "--format", "csv").stdout.splitlines()
    assert csv[0] == ",".join(KEYS)
    assert csv[4] == "requester,it,alina,1,0,0.0,0,,0"
    ndjson = scenario("customers", "--format", "ndjson").stdout.splitlines()
    assert len(ndjson) == 9 and '"requester": "mihai"' in ndjson[6]


def test_the_table_on_a_terminal(scenario):
    raw = scenario("customers", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "100"}).stdout
    out = re.sub(r"\x1b\[[0-9;]*m", "", raw)
    assert "Customers since Sat 24 Oct 12:30" in out  # the viewer's zone: Europe/Bucharest
    lines = out.splitlines()
    team = next(line for line in lines if line.startswith("payroll"))
    assert team.split() == ["payroll", "3", "1", "(33.3%)", "2", "3", "2"]
    assert any(line.startswith("  ana ") for line in lines)
    assert any(line.startswith("  mihai ") and "1 (50%)" in line for line in lines)
    assert "(no team)" in out and "request quality" in out
    assert "\x1b[1m" in raw  # team rows bold
    scoped = scenario("customers", "--team", "it", env={"ISVC_FORCE_TABLE": "1"}).stdout
    assert "requests to it" in re.sub(r"\x1b\[[0-9;]*m", "", scoped)
    empty = scenario("customers", "--team", "sales", env={"ISVC_FORCE_TABLE": "1"}).stdout
    assert "No requests filed since" in empty


def test_refusals_and_help(scenario):
    result = scenario("customers", "--team", "itt", code=3)
    assert result.stderr == "Error: no team 'itt' (did you mean 'it'?); see `isvc team list`\n"
    result = scenario("customers", "--since", "last quarter", code=2)
    assert "--since 'last quarter' is not understood" in result.stderr
    assert "Example: isvc customers" in scenario("customers", "--help").stdout
    assert "customers" in scenario("--help").stdout




@pytest.mark.parametrize("team", [None, "it"])
def test_the_report_reads_the_period_through_indexes_in_one_statement(scenario, team):
    _common.reset()
    desk = _common.desk()
    conn = desk.conn
    desk.conn = Recorder(conn)
    try:
        svc.customers(desk, SINCE_30D, team)
        statements = [s for s in desk.conn.statements if "FROM requests" in s[0]]
        assert [s[0] for s in statements] == [store.customers_sql(team is not None)]
        sql, params = statements[0]
        plan = [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        for step in plan:
            assert not step.startswith(("SCAN r ", "SCAN rt", "SCAN e", "SCAN requests",
                                        "SCAN events", "SCAN ratings")), plan
        index = "requests_team_created (team=? AND created_at>?)" if team else \
            "requests_created (created_at>?)"
        assert any(index in step for step in plan), plan
        assert any("events_number (number=?)" in step for step in plan), plan
    finally:
        desk.conn = conn
        _common.reset()


def test_summarize_is_pure_arithmetic():
    report = svc.summarize("2026-01-01T00:00:00Z", None, [
        {"requester": "a", "team": "hr", "requests": 3, "urgent": 3, "needs_info": 1,
         "provider_ratings": 2, "provider_points": 9},
        {"requester": "b", "team": "hr", "requests": 5, "urgent": 0, "needs_info": None,
         "provider_ratings": 1, "provider_points": 1},
        {"requester": "c", "team": None, "requests": 8, "urgent": 1, "needs_info": 0,
         "provider_ratings": 0, "provider_points": None},
    ])
    assert report.rows == [
        row("team", "hr", None, 8, 3, 37.5, 1, 3.33, 3),
        row("requester", "hr", "b", 5, 0, 0.0, 0, 1.0, 1),
        row("requester", "hr", "a", 3, 3, 100.0, 1, 4.5, 2),
        row("team", None, None, 8, 1, 12.5, 0, None, 0),
        row("requester", None, "c", 8, 1, 12.5, 0, None, 0),
    ]
