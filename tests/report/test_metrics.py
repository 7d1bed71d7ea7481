"""The pure pieces of the reports: quantiles, spells, the backlog, the heatmap, and the
business time of many spells through a calendar's timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isvc.domain import metrics
from isvc.domain.businesstime import business_minutes_in, elapsed_seconds
from isvc.domain.calendar import Calendar, parse_hours_spec
from isvc.domain.timeutil import to_iso
from isvc.render.report_views import _hours_text, _legend, _per_week, sparkline

START = datetime(2026, 3, 20, tzinfo=UTC)  # around Europe's spring DST change
ZONES = ("UTC", "Europe/Bucharest", "America/New_York", "Asia/Kolkata")
instants = st.integers(0, 20 * 1440).map(lambda m: START + timedelta(minutes=m))


# -- quantiles ------------------------------------------------------------------------------


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60),
       st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_quantiles_are_observed_and_monotone(values, q1, q2):
    lo, hi = sorted((q1, q2))
    a, b = metrics.quantile(values, lo), metrics.quantile(values, hi)
    assert a in values and b in values
    assert a <= b
    assert metrics.quantile(values, 1.0) == max(values)
    assert metrics.quantile(values, 0.01) == min(values)  # rank 1 below 100 values


def test_quantiles_by_nearest_rank():
    assert metrics.quantile([], 0.5) is None
    assert metrics.quantile([30, 10, 20], 0.5) == 20
    assert metrics.quantile([10, 20, 30, 40], 0.5) == 20     # rank 2, never 25
    assert metrics.quantile([10, 20, 30, 40], 0.9) == 40
    assert metrics.quantile(list(range(1, 11)), 0.9) == 9


def test_the_agreement_status_uses_the_same_quantile():
    from isvc.services import agreements

    assert agreements._quantile is metrics.quantile


# -- spells ---------------------------------------------------------------------------------


def test_spells_in_progress_across_a_wait_and_a_reopen():
    events = [("t01", None, "new"), ("t02", "new", "acknowledged"),
              ("t03", "acknowledged", "in_progress"), ("t04", "in_progress", "waiting"),
              ("t05", "waiting", "in_progress"), ("t06", "in_progress", "resolved"),
              ("t07", "resolved", "in_progress"), ("t08", "in_progress", "resolved")]
    assert metrics.spells(events, "in_progress") == [("t03", "t04"), ("t05", "t06"),
                                                    ("t07", "t08")]
    assert metrics.spells(events, "waiting") == [("t04", "t05")]
    running = events[:5]
    assert metrics.spells(running, "in_progress") == [("t03", "t04")]
    assert metrics.spells(running, "in_progress", until="t09") == [("t03", "t04"), ("t05", "t09")]
    assert metrics.spells([], "in_progress", until="t09") == []


# -- the backlog ----------------------------------------------------------------------------


@st.composite
def histories(draw):
    """Requests as (created, finished or None) minute offsets, and a period."""
    n = draw(st.integers(0, 40))
    reqs = []
    for _ in range(n):
        created = draw(st.integers(0, 30 * 1440))
        finished = draw(st.one_of(st.none(), st.integers(created, 40 * 1440)))
        reqs.append((created, finished))
    since = draw(st.integers(0, 25 * 1440))
    until = draw(st.integers(since + 1, 35 * 1440))
    return reqs, since, until, draw(st.sampled_from(ZONES))


@settings(max_examples=150, deadline=None)
@given(histories())
def test_backlog_end_is_start_plus_created_minus_finished(case):
    reqs, since, until, tz = case

    def iso(minutes: int) -> str:
        return to_iso(START + timedelta(minutes=minutes))

    def open_at(t: int) -> int:
        return sum(1 for c, f in reqs if c < t and (f is None or f >= t))

    created = [iso(c) for c, _ in reqs if since <= c < until]
    finished = [iso(f) for _, f in reqs if f is not None and since <= f < until]
    days = metrics.local_days(START + timedelta(minutes=since), START + timedelta(minutes=until), tz)
    series = metrics.backlog_series(open_at(since), created, finished, days)
    assert series[-1]["open"] == open_at(until)
    assert series[-1]["open"] == open_at(since) + len(created) - len(finished)
    assert sum(d["created"] for d in series) == len(created)
    assert sum(d["resolved"] for d in series) == len(finished)
    # each day's figure is the count at that day's end
    for (day, _, end), point in zip(days, series):
        assert point["date"] == day.isoformat()
        end_minutes = int((datetime.fromisoformat(end.replace("Z", "+00:00")) - START)
                          .total_seconds() // 60)
        assert point["open"] == open_at(end_minutes)


@given(instants, st.integers(1, 40 * 1440), st.sampled_from(ZONES))
def test_local_days_tile_the_period(since, minutes, tz):
    until = since + timedelta(minutes=minutes)
    days = metrics.local_days(since, until, tz)
    assert days[0][1] == to_iso(since) and days[-1][2] == to_iso(until)
    for (d1, _, end), (d2, start, _) in zip(days, days[1:]):
        assert end == start and d2 == d1 + timedelta(days=1)
    for day, start, _ in days:
        local = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(ZoneInfo(tz))
        assert local.date() == day


# -- the heatmap ----------------------------------------------------------------------------


@given(st.lists(instants, max_size=80), st.sampled_from(ZONES))
def test_heatmap_sums_to_the_total(times, tz):
    local = [t.astimezone(ZoneInfo(tz)) for t in times]
    cells = metrics.heatmap(local)
    assert len(cells) == 7 and all(len(row) == 24 for row in cells)
    assert sum(map(sum, cells)) == len(times)
    for t in local:
        assert cells[t.weekday()][t.hour] >= 1
    best = metrics.busiest(cells)
    if times:
        assert best["count"] == max(map(max, cells))
        assert cells[metrics.WEEKDAYS.index(best["weekday"])][best["hour"]] == best["count"]
    else:
        assert best is None


@given(st.lists(st.lists(st.integers(0, 500), min_size=24, max_size=24), min_size=7, max_size=7))
def test_shades_grow_with_the_count(cells):
    levels, bounds = metrics.shade_levels(cells)
    pairs = sorted((c, lv) for row_c, row_l in zip(cells, levels) for c, lv in zip(row_c, row_l))
    for (c1, l1), (c2, l2) in zip(pairs, pairs[1:]):
        assert l1 <= l2
    for c, lv in pairs:
        assert (lv == 0) == (c == 0) and 0 <= lv <= 4
    if any(map(any, cells)):
        assert max(lv for _, lv in pairs) >= 1
        assert bounds == sorted(bounds)


def test_business_hours_mask_and_shift():
    office = parse_hours_spec("mon-fri 09:00-12:30,13:00-17:30")
    mask = metrics.hour_mask(office)
    assert [h for h in range(24) if mask[0][h]] == list(range(9, 18))  # 12 and 17 overlap
    assert not any(mask[5]) and not any(mask[6])
    # read two hours behind the calendar (a UTC+2 calendar seen in UTC)
    shifted = metrics.hour_mask(office, 120)
    assert [h for h in range(24) if shifted[0][h]] == list(range(7, 16))
    # a night shift seen from a zone ahead: Sunday night wraps into Monday's first hours
    night = {6: ((22 * 60, 1440),)}
    ahead = metrics.hour_mask(night, -180)
    assert [(d, h) for d in range(7) for h in range(24) if ahead[d][h]] == [(0, 1), (0, 2)]
    behind = metrics.hour_mask({0: ((0, 60),)}, 60)
    assert [(d, h) for d in range(7) for h in range(24) if behind[d][h]] == [(6, 23)]


# -- the business time of many spells --------------------------------------------------------

LUNCH_RO = Calendar(tz="Europe/Bucharest", hours=parse_hours_spec("mon-fri 09:00-12:00,13:00-17:00"),
                    holidays=frozenset({date(2026, 3, 25)}))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(instants, st.integers(0, 3 * 1440)), max_size=6))
def test_business_minutes_of_spells_equal_the_engines_elapsed_time(raw):
    spans, cursor = [], START
    for start, length in sorted(raw):
        start = max(start, cursor)
        end = start + timedelta(minutes=length)
        spans.append((start, end))
        cursor = end
    expected = sum(elapsed_seconds(LUNCH_RO, a, b) for a, b in spans) // 60
    assert business_minutes_in(LUNCH_RO, spans) == expected


def test_business_minutes_far_apart_in_time():
    """The timeline grows backwards and forwards; sums stay exact."""
    spans = [(datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 23, 10, tzinfo=UTC)),
             (datetime(2024, 1, 8, 8, tzinfo=UTC), datetime(2024, 1, 8, 9, tzinfo=UTC))]
    assert business_minutes_in(LUNCH_RO, spans) == 120
    assert business_minutes_in(LUNCH_RO, []) == 0


# -- the views' small pieces ----------------------------------------------------------------


def test_sparkline():
    assert sparkline([]) == ""
    assert sparkline([3, 3]) == "▄▄"
    assert sparkline([0, 7]) == "▁█"
    assert len(sparkline(list(range(200)))) <= 60
    assert sparkline(list(range(200)))[-1] == "█"


def test_hours_text_and_legend():
    assert _hours_text([False] * 9 + [True] * 3 + [False] + [True] * 4 + [False] * 7) == "09–12,13–17"
    assert _hours_text([False] * 24) == "closed"
    assert _hours_text([True] * 24) == "00–24"
    assert _legend([1, 1, 5], 9) == [("░", "1"), ("▓", "2–5"), ("█", "6–9")]


@pytest.mark.parametrize("count, days, words", [
    (0, 90, "none urgent, so nothing here calls for an on-call rota"),
    (13, 91, "about 1 urgent per week out of hours"),
    (39, 91, "about 3 urgent per week out of hours"),
    (3, 90, "about 1 urgent every 4 weeks out of hours"),
])
def test_on_call_words(count, days, words):
    assert _per_week(count, days) == words
