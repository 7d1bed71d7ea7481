"""The page's own figures as pure functions: weeks, compliance per week, the first-response
buckets, CSAT per week and score; the percentage axis."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from isvc.domain.timeutil import to_iso
from isvc.render.html_report import pct_axis
from isvc.services.html_report import (FIRST_RESPONSE_EDGES, compliance, csat,
                                       first_response_distribution, weeks)

UTC = timezone.utc
BUCHAREST = ZoneInfo("Europe/Bucharest")


def test_weeks_start_on_monday_midnight_local_and_cut_at_the_ends():
    start = datetime(2026, 10, 21, 12, tzinfo=UTC)  # a Wednesday
    end = datetime(2026, 11, 4, 8, tzinfo=UTC)      # a Wednesday
    got = weeks(start, end, BUCHAREST)
    assert [w["label_date"] for w in got] == ["2026-10-21", "2026-10-26", "2026-11-02"]
    assert got[0]["start"] == "2026-10-21T12:00:00Z"
    # Monday 26 Oct 00:00 in Bucharest is 22:00Z (summer time ended on the 25th: +02:00)
    assert got[0]["end"] == got[1]["start"] == "2026-10-25T22:00:00Z"
    assert got[1]["end"] == "2026-11-01T22:00:00Z"
    assert got[-1]["end"] == "2026-11-04T08:00:00Z"


def test_a_week_across_the_summer_time_change_is_seven_local_days():
    got = weeks(datetime(2026, 3, 23, tzinfo=UTC), datetime(2026, 4, 13, tzinfo=UTC), BUCHAREST)
    starts = [w["start"] for w in got]
    assert "2026-03-22T22:00:00Z" not in starts  # the period starts at 02:00 local Monday
    assert "2026-03-29T21:00:00Z" in starts       # Monday 30 March 00:00 at +03:00


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                    timezones=st.just(UTC)),
       st.integers(min_value=1, max_value=400 * 24 * 60),
       st.sampled_from([UTC, BUCHAREST, ZoneInfo("America/New_York")]))
def test_weeks_tile_the_period(start, minutes, tz):
    start = start.replace(microsecond=0, second=0)
    end = start + timedelta(minutes=minutes)
    got = weeks(start, end, tz)
    assert got[0]["start"] == to_iso(start) and got[-1]["end"] == to_iso(end)
    for a, b in zip(got, got[1:]):
        assert a["end"] == b["start"]
        local = datetime.fromisoformat(b["start"].replace("Z", "+00:00")).astimezone(tz)
        assert (local.weekday(), local.hour, local.minute) == (0, 0, 0)
    for w in got:
        assert w["start"] < w["end"]


def _weeks3():
    return [{"start": "2026-11-02T00:00:00Z", "end": "2026-11-09T00:00:00Z", "label_date": "2026-11-02"},
            {"start": "2026-11-09T00:00:00Z", "end": "2026-11-16T00:00:00Z", "label_date": "2026-11-09"},
            {"start": "2026-11-16T00:00:00Z", "end": "2026-11-20T00:00:00Z", "label_date": "2026-11-16"}]


def test_compliance_counts_each_clock_in_the_week_it_stopped():
    resolved = [
        {"agreement": "it", "at": "2026-11-02T00:00:00Z", "met": 1},   # a week's first instant
        {"agreement": "it", "at": "2026-11-08T23:59:59Z", "met": 0},
        {"agreement": "it", "at": "2026-11-16T10:00:00Z", "met": 1},
        {"agreement": "hr", "at": "2026-11-09T00:00:00Z", "met": 1},
        {"agreement": "hr", "at": "2026-11-20T00:00:00Z", "met": 0},   # the period's end: out
        {"agreement": None, "at": "2026-11-10T00:00:00Z", "met": 1},
    ]
    responded = [{"agreement": "it", "at": "2026-11-03T00:00:00Z", "met": 1, "minutes": 5}]
    got = {r["agreement"]: r for r in compliance(_weeks3(), resolved, responded)}
    assert list(got) == ["hr", "it"]
    it = got["it"]
    assert [w["resolved"] for w in it["weeks"]] == [2, 0, 1]
    assert [w["resolution_met_pct"] for w in it["weeks"]] == [50.0, None, 100.0]
    assert (it["resolved"], it["resolution_met"], it["resolution_met_pct"]) == (3, 2, 66.7)
    assert (it["responded"], it["first_response_met_pct"]) == (1, 100.0)
    assert got["hr"]["resolved"] == 1 and got["hr"]["responded"] == 0
    assert got["hr"]["first_response_met_pct"] is None


def test_first_response_buckets_are_half_open():
    rows = [{"met": 1, "minutes": m} for m in (0, 14, 15, 59, 60, 479, 480, 2399, 2400, 99999)]
    rows.append({"met": 0, "minutes": None})
    got = first_response_distribution(rows)
    counts = {b["min_minutes"]: b["count"] for b in got["buckets"]}
    assert counts == {0: 2, 15: 1, 30: 1, 60: 1, 120: 0, 240: 1, 480: 1, 960: 1, 2400: 2}
    assert [b["min_minutes"] for b in got["buckets"]] == list(FIRST_RESPONSE_EDGES)
    assert got["buckets"][-1]["max_minutes"] is None
    assert got["count"] == 10 and got["met"] == 10
    assert got["median_minutes"] == 60 and got["p90_minutes"] == 2400


def test_csat_per_week_and_score():
    ratings = [{"at": "2026-11-02T10:00:00Z", "score": s} for s in (5, 4, 1)]
    ratings += [{"at": "2026-11-17T10:00:00Z", "score": 3}]
    comments = [{"number": 7, "score": 1, "comment": "Slow", "rated_at": "2026-11-02T10:00:00Z",
                 "team": "it", "title": "VPN"}]
    got = csat(_weeks3(), ratings, comments)
    assert got["count"] == 4 and got["average"] == 3.25 and got["csat_pct"] == 50.0
    assert [s["count"] for s in got["scores"]] == [1, 0, 1, 1, 1]
    assert got["weeks"] == [{"count": 3, "average": 3.33, "csat_pct": 66.7},
                            {"count": 0, "average": None, "csat_pct": None},
                            {"count": 1, "average": 3.0, "csat_pct": 0.0}]
    assert got["comments"][0]["comment"] == "Slow"


def test_pct_axis():
    assert pct_axis([]) == (0, 4)
    assert pct_axis([10.0, 100.0]) == (0, 4)
    assert pct_axis([80.8, 99.0]) == (70, 3)
    assert pct_axis([91.0, 100.0]) == (80, 4)
    assert pct_axis([96.0, 100.0]) == (90, 2)
    assert pct_axis([100.0]) == (90, 2)
    assert pct_axis([55.0]) == (50, 5)
