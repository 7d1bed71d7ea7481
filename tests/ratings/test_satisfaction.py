"""`isvc satisfaction`: the numbers of the scenario in conftest.build_ratings, by hand.

Default period: 90 days before Mon 23 Nov 09:30Z, i.e. since 2026-08-25T09:30:00Z, so #8
(resolved and rated in May) is out; #10 was reopened, so it is not resolved; #7 was
cancelled.
"""

from __future__ import annotations

import re

import pytest

from isvc.cli import _common
from isvc.services import ratings as svc
from isvc.store import ratings as store

from .conftest import rows
from testkit import Recorder

SINCE_90D = "2026-08-25T09:30:00Z"

IT = {"team": "it", "csat_pct": 66.7, "average": 3.67, "ratings": 3, "resolved": 4,
      "response_rate_pct": 75.0}           # scores 5, 2, 4; #1-#4 resolved, #4 unrated
PAYROLL = {"team": "payroll", "csat_pct": 50.0, "average": 3.0, "ratings": 2, "resolved": 2,
           "response_rate_pct": 100.0}     # scores 1 (jim), 5 (zoe); #6 and #9 resolved

# customer team = the requester's primary team; request quality = the providers' ratings
C_IT = {"team": "it", "csat_pct": 0.0, "average": 1.0, "ratings": 1,
        "request_quality_average": 5.0, "request_quality_ratings": 1}           # jim's #6
C_PAYROLL = {"team": "payroll", "csat_pct": 50.0, "average": 3.5, "ratings": 2,
             "request_quality_average": 2.5, "request_quality_ratings": 2}      # ana: 5, 2; 2, 3
C_SALES = {"team": "sales", "csat_pct": 100.0, "average": 4.0, "ratings": 1,
           "request_quality_average": 4.0, "request_quality_ratings": 1}        # mihai's #3
C_NONE = {"team": None, "csat_pct": 100.0, "average": 5.0, "ratings": 1,
          "request_quality_average": None, "request_quality_ratings": 0}        # zoe's #9


def test_the_scenario_uses_agreements_and_none(rated, isvc_home):
    assert rows(isvc_home, "SELECT number, agreement FROM requests WHERE number IN (1, 3, 6)") == [
        (1, "it-std"), (3, "it-vip"), (6, None)]
    assert rows(isvc_home, "SELECT primary_team FROM people WHERE handle = 'zoe'") == [(None,)]


def test_the_numbers_by_hand(rated):
    assert rated.json("satisfaction") == {
        "since": SINCE_90D,
        "providers": [IT, PAYROLL],
        "customers": [C_IT, C_PAYROLL, C_SALES, C_NONE],
    }


def test_since_moves_both_periods(rated):
    # #8 comes in: it's scores 5, 2, 4, 1 (two of four happy), five resolved, four rated
    report = rated.json("satisfaction", "--since", "2026-01-01")
    assert report["since"] == "2026-01-01T00:00:00Z"
    assert report["providers"] == [
        IT | {"csat_pct": 50.0, "average": 3.0, "ratings": 4, "resolved": 5,
              "response_rate_pct": 80.0},
        PAYROLL]
    assert report["customers"] == [
        C_IT, C_PAYROLL | {"csat_pct": 33.3, "average": 2.67, "ratings": 3}, C_SALES, C_NONE]


def test_a_short_period_with_ratings_of_one_side_only(rated):
    # since Mon 16 Nov 09:30: only jim's provider rating of #5 (3); nothing resolved (#10 reopened)
    report = rated.json("satisfaction", "--since", "7d")
    assert report == {
        "since": "2026-11-16T09:30:00Z",
        "providers": [],
        "customers": [{"team": "payroll", "csat_pct": None, "average": None, "ratings": 0,
                       "request_quality_average": 3.0, "request_quality_ratings": 1}],
    }


def test_team_keeps_what_that_team_served(rated):
    assert rated.json("satisfaction", "--team", "it") == {
        "since": SINCE_90D, "providers": [IT], "customers": [C_PAYROLL, C_SALES]}
    assert rated.json("satisfaction", "--team", "+payroll") == {
        "since": SINCE_90D, "providers": [PAYROLL], "customers": [C_IT, C_NONE]}
    assert rated.json("satisfaction", "--team", "sales") == {
        "since": SINCE_90D, "providers": [], "customers": []}


def test_replacing_a_rating_counts_it_once(rated):
    rated("--as", "ana", "request", "rate", 2, 4)  # 2 -> 4 today: it's scores 5, 4, 4
    report = rated.json("satisfaction")
    assert report["providers"][0] == IT | {"csat_pct": 100.0, "average": 4.33}


def test_json_shape(rated):
    report = rated.json("satisfaction")
    assert list(report) == ["since", "providers", "customers"]
    for row in report["providers"]:
        assert list(row) == ["team", "csat_pct", "average", "ratings", "resolved",
                             "response_rate_pct"]
    for row in report["customers"]:
        assert list(row) == ["team", "csat_pct", "average", "ratings", "request_quality_average",
                             "request_quality_ratings"]
    assert rated.json("satisfaction", "--format", "json") == report


def test_tsv_csv_and_ndjson_carry_one_row_per_team_and_view(rated):
    tsv = rated("satisfaction").stdout.splitlines()
    assert tsv[0] == "provider\tit\t66.7\t3.67\t3\t4\t75.0\t\t"
    assert tsv[-1] == "customer\t\t100.0\t5.0\t1\t\t\t\t0"
    assert len(tsv) == 6
    csv = rated("satisfaction", "--format", "csv").stdout.splitlines()
    assert csv[0] == ("view,team,csat_pct,average,ratings,resolved,response_rate_pct,"
                      "request_quality_average,request_quality_ratings")
    assert csv[3] == "customer,it,0.0,1.0,1,,,5.0,1"
    ndjson = rated("satisfaction", "--format", "ndjson").stdout.splitlines()
    assert len(ndjson) == 6 and '"view": "customer"' in ndjson[2]


def test_tables_on_a_terminal(rated):
    raw = rated("satisfaction", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "100"}).stdout
    out = re.sub(r"\x1b\[[0-9;]*m", "", raw)
    assert "Satisfaction since Tue 25 Aug 12:30" in out  # the viewer's zone: Europe/Bucharest
    assert "By provider team" in out and "By customer team" in out
    assert "66.7%" in out and "75%" in out and "(no team)" in out
    assert "request quality" in out
    empty = rated("satisfaction", "--team", "sales", env={"ISVC_FORCE_TABLE": "1"}).stdout
    assert "No ratings and no resolved requests since" in empty


def test_refusals(rated):
    result = rated("satisfaction", "--team", "itt", code=3)
    assert result.stderr == "Error: no team 'itt' (did you mean 'it'?); see `isvc team list`\n"
    result = rated("satisfaction", "--since", "last quarter", code=2)
    assert "--since 'last quarter' is not understood" in result.stderr
    assert "Example: isvc satisfaction" in rated("satisfaction", "--help").stdout


# -- complexity: the period, through indexes, in two statements ----------------------------



@pytest.mark.parametrize("team", [None, "it"])
def test_the_report_reads_only_the_period_through_indexes(rated, team):
    _common.reset()
    desk = _common.desk()
    conn = desk.conn
    desk.conn = Recorder(conn)
    try:
        svc.satisfaction(desk, SINCE_90D, team)
        statements = [s for s in desk.conn.statements if "ratings" in s[0]]
        assert [s[0] for s in statements] == [store.rating_totals_sql(team is not None),
                                              store.resolved_totals_sql(team is not None)]
        plans = []
        for sql, params in statements:
            plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
            plans.append(plan)
            for step in plan:
                assert not step.startswith(("SCAN r", "SCAN rt", "SCAN p", "SCAN requests",
                                            "SCAN ratings", "SCAN events")), (sql, plan)
        ratings_plan, resolved_plan = plans
        assert any("ratings_side_rated (side=? AND rated_at>?)" in s for s in ratings_plan)
        assert any("SEARCH r USING INTEGER PRIMARY KEY" in s for s in ratings_plan)
        assert any("requests_agreement_resolved (agreement=? AND resolved_at>?)" in s
                   for s in resolved_plan)
        assert any("rt USING PRIMARY KEY" in s for s in resolved_plan)
    finally:
        desk.conn = conn
        _common.reset()


def test_summarize_is_pure_arithmetic():
    report = svc.summarize("2026-01-01T00:00:00Z", None, [
        {"side": "requester", "provider": "it", "customer": "hr", "ratings": 3, "happy": 1,
         "points": 10},
        {"side": "requester", "provider": "it", "customer": None, "ratings": 1, "happy": 1,
         "points": 5},
        {"side": "provider", "provider": "it", "customer": "hr", "ratings": 2, "happy": 0,
         "points": 3},
    ], [{"provider": "it", "resolved": 6, "rated": 4}, {"provider": "ops", "resolved": 3, "rated": 0}])
    assert report.providers == [
        {"team": "it", "csat_pct": 50.0, "average": 3.75, "ratings": 4, "resolved": 6,
         "response_rate_pct": 66.7},
        {"team": "ops", "csat_pct": None, "average": None, "ratings": 0, "resolved": 3,
         "response_rate_pct": 0.0},
    ]
    assert report.customers == [
        {"team": "hr", "csat_pct": 33.3, "average": 3.33, "ratings": 3,
         "request_quality_average": 1.5, "request_quality_ratings": 2},
        {"team": None, "csat_pct": 100.0, "average": 5.0, "ratings": 1,
         "request_quality_average": None, "request_quality_ratings": 0},
    ]
