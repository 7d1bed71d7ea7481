"""`isvc agreement status`: figures computed by hand for a small history.

it-std (office, UTC Mon–Fri 09–17; normal: first response 240, resolution 960 business
minutes). The clock is Mon 14 Dec 2026 12:00Z; `--since 7d` is the period
[Mon 7 Dec 12:00, Mon 14 Dec 12:00), compared with [Mon 30 Nov 12:00, Mon 7 Dec 12:00).

This period                 filed         answered (min)   resolved (business min)
  R1 normal                 Mon 7 13:00   13:10   (10)     Mon 15:00   120  met
  R2 normal                 Tue 8 09:00   09:30   (30)     Tue 12:00   180  met
  R3 normal                 Tue 8 10:00   10:20   (20)     Wed 10:00   480  met
  R4 normal                 Wed 9 09:00   14:00  (300 late) Fri 11 12:00 1140 breached
  O3 normal (open)          Thu 10 15:00  15:01   (1)      —  780 of 960: at risk
Previous period
  P1 normal                 Tue 1 09:00   09:05            Tue 10:00    60  met
  P2 normal                 Wed 2 09:00   09:10            Fri 4 12:00 1140 breached
Open now: O1 (Mon 14 11:00, normal, on track), O2 (Mon 14 09:00, high: answer due 10:00,
breached), O3 (at risk).
"""

from __future__ import annotations

import pytest

from . import _support
from ._support import RESOLUTION, RESPONSE, act, at, file

sla_desk = _support.sla_desk  # the fixture

NOW = "2026-12-14T12:00:00Z"
STATUS_KEYS = {"agreement", "provider", "open", "on_track", "at_risk", "breached",
               "first_response_met_pct", "resolution_met_pct", "median_first_response_minutes",
               "p90_first_response_minutes", "median_resolution_minutes",
               "p90_resolution_minutes", "trend_pts"}


def _request(isvc, filed, answered, resolved=None, priority="normal"):
    n = file(isvc, filed, "x", "--team", "it", "--priority", priority)
    if answered:
        act(isvc, answered, "jim", "ack", n)
    if resolved:
        act(isvc, resolved, "jim", "resolve", n, "-m", "done")
    return n


@pytest.fixture
def history(sla_desk):
    isvc = sla_desk
    isvc("--as", "boss", "agreement", "add", "payroll-std", "--provider", "payroll",
         "--calendar", "office", "--response", RESPONSE, "--resolution", RESOLUTION)
    _request(isvc, "2026-12-01T09:00:00Z", "2026-12-01T09:05:00Z", "2026-12-01T10:00:00Z")  # P1
    _request(isvc, "2026-12-02T09:00:00Z", "2026-12-02T09:10:00Z", "2026-12-04T12:00:00Z")  # P2
    _request(isvc, "2026-12-07T13:00:00Z", "2026-12-07T13:10:00Z", "2026-12-07T15:00:00Z")  # R1
    _request(isvc, "2026-12-08T09:00:00Z", "2026-12-08T09:30:00Z", "2026-12-08T12:00:00Z")  # R2
    _request(isvc, "2026-12-08T10:00:00Z", "2026-12-08T10:20:00Z", "2026-12-09T10:00:00Z")  # R3
    _request(isvc, "2026-12-09T09:00:00Z", "2026-12-09T14:00:00Z", "2026-12-11T12:00:00Z")  # R4
    _request(isvc, "2026-12-10T15:00:00Z", "2026-12-10T15:01:00Z")                           # O3
    _request(isvc, "2026-12-14T11:00:00Z", None)                                             # O1
    _request(isvc, "2026-12-14T09:00:00Z", None, priority="high")                            # O2
    return isvc


def test_status_rows_computed_by_hand(history):
    rows = history.json("agreement", "status", "--since", "7d", env=at(NOW))
    assert [r["agreement"] for r in rows] == ["it-std", "payroll-std"]
    for row in rows:
        assert set(row) >= STATUS_KEYS
    it = {k: rows[0][k] for k in STATUS_KEYS}
    assert it == {
        "agreement": "it-std", "provider": "it",
        "open": 3, "on_track": 1, "at_risk": 1, "breached": 1,
        # answered in the period: R1 10, R2 30, R3 20, R4 300 (late), O3 1 -> 4 of 5
        "first_response_met_pct": 80.0,
        "median_first_response_minutes": 20, "p90_first_response_minutes": 300,
        # resolved in the period: 120, 180, 480 met, 1140 breached -> 3 of 4
        "resolution_met_pct": 75.0,
        "median_resolution_minutes": 180, "p90_resolution_minutes": 1140,
        # previous period: 1 of 2
        "trend_pts": 25.0,
    }
    assert {k: rows[1][k] for k in STATUS_KEYS} == {
        "agreement": "payroll-std", "provider": "payroll", "open": 0, "on_track": 0,
        "at_risk": 0, "breached": 0, "first_response_met_pct": None, "resolution_met_pct": None,
        "median_first_response_minutes": None, "p90_first_response_minutes": None,
        "median_resolution_minutes": None, "p90_resolution_minutes": None, "trend_pts": None}


def test_status_since_a_date_and_the_default_period(history):
    # [Thu 10 Dec 00:00, now) against [Sat 5 Dec 12:00, Thu 10 Dec 00:00)
    (row,) = history.json("agreement", "status", "it-std", "--since", "2026-12-10", env=at(NOW))
    assert (row["resolution_met_pct"], row["median_resolution_minutes"], row["trend_pts"]) == (
        0.0, 1140, -100.0)
    assert (row["first_response_met_pct"], row["median_first_response_minutes"]) == (100.0, 1)
    assert (row["open"], row["on_track"], row["at_risk"], row["breached"]) == (3, 1, 1, 1)
    # 30 days by default: all six resolved, 4 met; nothing before to compare with
    (row,) = history.json("agreement", "status", "it-std", env=at(NOW))
    assert (row["resolution_met_pct"], row["trend_pts"]) == (66.7, None)
    assert (row["median_resolution_minutes"], row["p90_resolution_minutes"]) == (180, 1140)
    # first responses in 30 days: 5, 10, 10, 30, 20, 300, 1 -> 6 of 7
    assert row["first_response_met_pct"] == 85.7


def test_status_table_and_errors(history):
    out = history("agreement", "status", "--since", "7d",
                  env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "140", "NO_COLOR": "1", "ISVC_NOW": NOW}).stdout
    assert "it-std" in out and "75%" in out and "+25 pts" in out
    result = history("agreement", "status", "--since", "soon", env=at(NOW), code=2)
    assert result.stdout == "" and "--since" in result.stderr
    result = history("agreement", "status", "--since", "2027-01-01", env=at(NOW), code=2)
    assert "--since must be in the past" in result.stderr
    result = history("agreement", "status", "nope", env=at(NOW), code=3)
    assert "no agreement 'nope'" in result.stderr
