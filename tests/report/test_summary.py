"""`isvc report`: the benchmarks of a period, against figures worked out by hand.

The history and its numbers are described in conftest.HISTORY.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from isvc.services import reports as svc
from testkit import expect_error

from .conftest import NOW, at

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[(?:[0-9]+;)*(?:3[0-9]|4[0-9]|9[0-7])(?:;[0-9]+)*m")

ROW_KEYS = [
    "group", "created", "resolved", "closed", "cancelled", "backlog_start", "backlog_end",
    "first_response_median_minutes", "first_response_p90_minutes", "handling_median_minutes",
    "handling_p90_minutes", "resolution_median_minutes", "resolution_p90_minutes",
    "first_response_met_pct", "resolution_met_pct", "breached", "reopened", "reopen_rate_pct",
    "csat_avg", "csat_count", "csat_positive_pct", "lateral_given", "lateral_received",
    "closed_without_message", "never_acknowledged",
]

IT = {
    "group": "it",
    "created": 5,                      # C D E F G
    "resolved": 4,                     # B C D G
    "closed": 1,                       # C
    "cancelled": 1,                    # E
    "backlog_start": 2,                # A B
    "backlog_end": 2,                  # A F
    "first_response_median_minutes": 15,   # F 10, G 15, C 20
    "first_response_p90_minutes": 20,
    "handling_median_minutes": 120,        # C 120, D 510 (B and G never in progress)
    "handling_p90_minutes": 510,
    "resolution_median_minutes": 180,      # G 120, C 180, D 540, B 2400
    "resolution_p90_minutes": 2400,
    "first_response_met_pct": 100.0,
    "resolution_met_pct": 75.0,            # B breached
    "breached": 2,                     # D's first response (due Mon 15:00), F open past due
    "reopened": 1,                     # D
    "reopen_rate_pct": 25.0,
    "csat_avg": 4.0,                   # C 5, G 3
    "csat_count": 2,
    "csat_positive_pct": 50.0,
    "lateral_given": 0,
    "lateral_received": 1,             # G, taken by ana of payroll
    "closed_without_message": 1,       # D
    "never_acknowledged": 2,           # D, E
}

PAYROLL = {
    "group": "payroll", "created": 1, "resolved": 0, "closed": 0, "cancelled": 0,
    "backlog_start": 0, "backlog_end": 1,
    "first_response_median_minutes": 60, "first_response_p90_minutes": 60,
    "handling_median_minutes": None, "handling_p90_minutes": None,
    "resolution_median_minutes": None, "resolution_p90_minutes": None,
    "first_response_met_pct": 100.0, "resolution_met_pct": None, "breached": 0,
    "reopened": 0, "reopen_rate_pct": None, "csat_avg": None, "csat_count": 0,
    "csat_positive_pct": None,
    "lateral_given": 1,                # ana helped it
    "lateral_received": 0, "closed_without_message": 0, "never_acknowledged": 0,
}


def report(isvc, *args, who: str = "boss") -> dict:
    return isvc.json("--as", who, "report", "--since", "7d", *args, env=at(NOW))


def test_the_documented_keys_in_order(history):
    data = report(history)
    assert list(data) == ["since", "until", "team", "by", "rows", "total", "backlog"]
    assert svc.COLUMNS == ROW_KEYS
    for row in data["rows"] + [data["total"]]:
        assert list(row) == ROW_KEYS
    for day in data["backlog"]:
        assert list(day) == ["date", "open", "created", "resolved"]
    assert (data["since"], data["until"]) == ("2026-11-16T09:30:00Z", NOW)
    assert (data["team"], data["by"]) == (None, "team")


def test_each_team_computed_by_hand(history):
    data = report(history)
    assert data["rows"] == [IT, PAYROLL]
    assert data["total"] == {
        **IT, "group": "all", "created": 6, "backlog_end": 3,
        "first_response_p90_minutes": 60,  # 10, 15, 20, 60
        "lateral_given": 1,                 # each lateral assignment once
    }


def test_the_daily_backlog_in_the_viewers_zone(history):
    """Days are Bucharest dates (UTC+2); `resolved` is what left the backlog that day."""
    data = report(history)
    days = [(d["date"], d["open"], d["created"], d["resolved"]) for d in data["backlog"]]
    assert days == [
        ("2026-11-16", 3, 2, 1),   # C and D filed, C resolved
        ("2026-11-17", 1, 0, 2),   # B and D resolved (C closed: already out)
        ("2026-11-18", 2, 1, 0),   # F
        ("2026-11-19", 2, 1, 1),   # G filed and resolved
        ("2026-11-20", 3, 1, 0),   # H
        ("2026-11-21", 3, 1, 1),   # E filed and cancelled
        ("2026-11-22", 3, 0, 0),
        ("2026-11-23", 3, 0, 0),
    ]
    total = data["total"]
    assert days[-1][1] == total["backlog_end"]
    assert sum(d[2] for d in days) == total["created"]
    assert sum(d[3] for d in days) == total["resolved"] + total["cancelled"]


def test_the_daily_backlog_starts_on_the_first_request_s_day(history):
    """A period reaching back more than a year lists no empty days before the first request
    in scope (A, filed Mon 2 Nov); the period's figures still cover the whole period."""
    data = report(history, "--since", "400d")
    assert data["since"] == "2025-10-19T09:30:00Z"
    days = data["backlog"]
    assert [d["date"] for d in days[:2]] == ["2026-11-02", "2026-11-03"]
    assert len(days) == 22 and days[-1]["date"] == "2026-11-23"
    assert (days[0]["open"], days[0]["created"], days[0]["resolved"]) == (1, 1, 0)
    total = data["total"]
    assert (total["created"], total["backlog_start"], total["backlog_end"]) == (8, 0, 3)
    assert sum(d["created"] for d in days) == total["created"]
    assert days[-1]["open"] == total["backlog_end"]
    # in a team's report, the team's first request (H, Fri 20 Nov); none: no days at all
    payroll = report(history, "--since", "400d", "--team", "payroll")["backlog"]
    assert [(d["date"], d["open"]) for d in payroll] == [
        ("2026-11-20", 1), ("2026-11-21", 1), ("2026-11-22", 1), ("2026-11-23", 1)]
    assert report(history, "--since", "400d", "--team", "sales")["backlog"] == []
    # a period starting after the first request keeps its own first day
    assert report(history, "--since", "2026-11-17")["backlog"][0]["date"] == "2026-11-17"


def test_a_team_alone(history):
    data = report(history, "--team", "it")
    assert data["team"] == "it"
    assert data["rows"] == [IT]
    assert data["total"] == {**IT, "group": "all"}
    assert data["backlog"][-1]["open"] == IT["backlog_end"]
    # help given counts whatever team was helped: payroll's row keeps ana's help to it
    payroll = report(history, "--team", "+payroll")
    assert payroll["rows"] == [PAYROLL]
    assert payroll["total"]["lateral_given"] == 1
    assert payroll["total"]["lateral_received"] == 0


def test_a_helper_in_two_teams_counts_for_each_and_the_total_once(history):
    history("--as", "boss", "person", "edit", "ana", "--team", "sales")   # payroll and sales
    data = report(history)
    given = {row["group"]: row["lateral_given"] for row in data["rows"]}
    assert given == {"it": 0, "payroll": 1, "sales": 1}   # sales provides nothing: a row all
    assert data["total"]["lateral_given"] == 1             # the one assignment, once
    # a team's own report is its requests: sales has none, so no row and nothing given
    sales = report(history, "--team", "sales")
    assert sales["rows"] == [] and sales["total"]["lateral_given"] == 0
    assert report(history, "--team", "payroll")["total"]["lateral_given"] == 1


def test_by_assignee(history):
    data = report(history, "--by", "assignee")
    rows = {row["group"]: row for row in data["rows"]}
    assert [row["group"] for row in data["rows"]] == [None, "jim", "ana"]
    assert rows["jim"]["created"] == 2 and rows["jim"]["resolved"] == 2      # C, D
    assert rows["jim"]["handling_median_minutes"] == 120
    assert rows["jim"]["handling_p90_minutes"] == 510
    assert rows["jim"]["closed_without_message"] == 1
    assert rows["ana"]["lateral_given"] == 1 and rows["jim"]["lateral_given"] == 0
    assert rows[None]["lateral_given"] is None  # nobody gives help
    assert all(row["lateral_received"] is None for row in data["rows"])
    assert data["total"]["lateral_received"] == 1
    assert data["total"]["lateral_given"] == 1
    assert rows[None]["created"] == 3       # E, F, H
    assert rows[None]["backlog_end"] == 3   # A, F, H


def test_by_customer_is_the_requesters_team(history):
    data = report(history, "--by", "customer")
    rows = {row["group"]: row for row in data["rows"]}
    assert set(rows) == {"sales", "payroll"}
    sales = rows["sales"]  # mihai filed everything
    assert {k: sales[k] for k in ("created", "resolved", "backlog_end", "lateral_received")} == {
        "created": 6, "resolved": 4, "backlog_end": 3, "lateral_received": 1}
    assert rows["payroll"]["created"] == 0 and rows["payroll"]["lateral_given"] == 1


def test_by_type_gives_no_lateral_help(history):
    data = report(history, "--by", "type")
    assert [row["group"] for row in data["rows"]] == [None]
    assert data["rows"][0]["lateral_given"] is None
    assert data["total"]["lateral_given"] is None
    assert data["rows"][0]["created"] == 6


def test_a_later_period_sees_only_the_backlog(history):
    later = history.json("--as", "boss", "report", "--since", "1d",
                         env=at("2026-11-30T09:30:00Z"))
    total = later["total"]
    assert (total["created"], total["resolved"], total["backlog_start"], total["backlog_end"]) == (
        0, 0, 3, 3)
    assert total["first_response_median_minutes"] is None
    assert total["reopen_rate_pct"] is None
    assert [d["open"] for d in later["backlog"]] == [3, 3]


def test_an_iso_date_starts_the_period(history):
    data = report(history, "--since", "2026-11-17")
    assert data["since"] == "2026-11-17T00:00:00Z"
    assert data["total"]["created"] == 4   # D and C came on the 16th


def test_csv_rows_then_the_total(history):
    out = history("--as", "boss", "report", "--since", "7d", "--csv", env=at(NOW)).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ROW_KEYS
    assert [r[0] for r in rows[1:]] == ["it", "payroll", "all"]
    total = dict(zip(rows[0], rows[-1]))
    assert total["created"] == "6" and total["handling_p90_minutes"] == "510"
    assert dict(zip(rows[0], rows[2]))["resolution_median_minutes"] == ""  # null
    assert history("--as", "boss", "report", "--since", "7d", "--format", "csv",
                   env=at(NOW)).stdout == out


def test_tsv_and_ndjson(history):
    tsv = history("--as", "boss", "report", "--since", "7d", "--format", "tsv", env=at(NOW)).stdout
    lines = tsv.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["it", "payroll", "all"]
    nd = history("--as", "boss", "report", "--since", "7d", "-F", "ndjson", env=at(NOW)).stdout
    assert [json.loads(line)["group"] for line in nd.splitlines()] == ["it", "payroll", "all"]


def test_the_table(history, monkeypatch):
    monkeypatch.setenv("ISVC_FORCE_TABLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    raw = history("--as", "boss", "report", "--since", "7d", env=at(NOW)).stdout
    assert not COLOUR.search(raw)  # NO_COLOR: bold and dim only
    out = ANSI.sub("", raw)
    assert "Service report · 7 days since Mon 16 Nov 11:30 · by provider team" in out
    assert "2 → 2 ±0" in out and "2 → 3 +1" in out          # it's and the total backlog
    assert "2h/1d" in out                          # it's handling: 120 / 510 min (1d = 480)
    assert "4.0 (2)" in out                                   # CSAT
    assert "Backlog " in out and "2 → 3 open" in out
    assert ("Phases skipped: 1 closed without a closing message · 2 never acknowledged "
            "(of 5 finished)") in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_an_empty_period(quick_desk):
    out = quick_desk("--as", "boss", "report", env={"ISVC_FORCE_TABLE": "1"}).stdout
    assert "No requests were open, filed or rated in this period." in out
    data = quick_desk.json("--as", "boss", "report")
    assert data["rows"] == []
    assert data["total"]["created"] == 0 and data["total"]["csat_avg"] is None
    assert data["backlog"] == []   # no request yet: no days to draw


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("args, code, message", [
    (("--team", "itt"), 3, "no team 'itt' (did you mean 'it'?); see `isvc team list`"),
    (("--by", "week"), 2, "unknown --by 'week'; use one of: team, type, assignee, customer"),
    (("--since", "2027-01-01"), 2,
     "--since 2027-01-01 is not in the past (now is 2026-11-23T09:30:00Z); give a span like "
     "30d or an earlier date"),
    (("--since", "0d"), 2,
     "--since 0d is not in the past (now is 2026-11-23T09:30:00Z); give a span like "
     "30d or an earlier date"),
    (("--since", "lately"), 2,
     "--since 'lately' is not understood; use a span like 30d, 12h, 2w or a date like 2026-11-01"),
    (("--csv", "--json"), 2, "--csv asks for CSV; drop --json or --format"),
    (("--csv", "--format", "tsv"), 2, "--csv asks for CSV; drop --json or --format"),
    (("--team", "it", "peak"), 2, "put --team after the report's name, e.g. "
                                  "isvc report peak --team ..."),
])
def test_bad_input_is_one_line(quick_desk, args, code, message):
    expect_error(quick_desk("--as", "boss", "report", *args, code=None), code, message)


def test_reports_are_for_staff(quick_desk):
    quick_desk("--as", "boss", "person", "add", "carol", "--name", "Carol Dinu")
    for args in (("report",), ("report", "peak"), ("report", "--team", "it")):
        expect_error(quick_desk("--as", "carol", *args, "--json", code=None), 2,
                     "only desk admins and team members may see reports; you are carol")
    quick_desk.json("--as", "mihai", "report")  # a member of any team may
