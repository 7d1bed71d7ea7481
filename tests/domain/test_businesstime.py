"""The business-time engine against SLA-SPEC §2–§8, peers' cases and a brute-force reference."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isvc.domain.businesstime import (
    ClockStatus,
    at_instant,
    business_intervals,
    clock_status,
    due,
    elapsed_minutes,
    elapsed_seconds,
    parse_instant,
    parse_pause,
    parse_target,
)
from isvc.domain.calendar import Calendar, parse_calendar, parse_hours_spec
from isvc.errors import InvalidInput

ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def calendar(tz: str, hours: str, **extra) -> Calendar:
    return Calendar(tz=tz, hours=parse_hours_spec(hours), **extra)


OFFICE_RO = calendar("Europe/Bucharest", "mon-fri 09:00-17:00")
OFFICE_UTC = calendar("UTC", "mon-fri 09:00-17:00")
LUNCH_UTC = calendar("UTC", "mon-fri 09:00-12:00,13:00-17:00")
ALWAYS_RO = calendar("Europe/Bucharest", "mon-sun 00:00-24:00", day_minutes=1440)
ALWAYS_NY = calendar("America/New_York", "mon-sun 00:00-24:00", day_minutes=1440)
ALWAYS_UTC = calendar("UTC", "mon-sun 00:00-24:00", day_minutes=1440)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def same_instant(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.astimezone(UTC) == b.astimezone(UTC)


# --- §2 membership and DST --------------------------------------------------------


def test_24x7_bucharest_dst_days_have_1380_and_1500_minutes():
    spring = elapsed_minutes(ALWAYS_RO, t("2025-03-30T00:00+02:00"), t("2025-03-31T00:00+03:00"))
    autumn = elapsed_minutes(ALWAYS_RO, t("2025-10-26T00:00+03:00"), t("2025-10-27T00:00+02:00"))
    assert (spring, autumn) == (1380, 1500)


def test_ny_window_straddling_the_changed_hour_counts_real_minutes_only():
    ny = calendar("America/New_York", "sun 01:30-02:30")
    assert elapsed_minutes(ny, t("2025-11-02T00:00-04:00"), t("2025-11-03T00:00-05:00")) == 90
    assert elapsed_minutes(ny, t("2025-03-09T00:00-05:00"), t("2025-03-10T00:00-04:00")) == 30
    # the 90 minutes are 01:30-02:00 EDT, then 01:30-02:30 EST (01:00-01:30 EST is outside)
    spans = list(business_intervals(ny, t("2025-11-02T00:00Z"), t("2025-11-03T00:00Z")))
    assert [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in spans] == [
        (t("2025-11-02T05:30Z"), t("2025-11-02T06:00Z")),
        (t("2025-11-02T06:30Z"), t("2025-11-02T07:30Z")),
    ]


def test_the_repeated_hour_counts_twice_and_the_skipped_one_never():
    # 24x7: the real hour between 03:30+03:00 and 03:30+02:00 is business time.
    assert same_instant(
        due(ALWAYS_RO, t("2025-10-26T03:30+03:00"), 60), t("2025-10-26T03:30+02:00")
    )
    # 02:30 + 60 real minutes on the spring day is 04:30 (03:00-04:00 never happens).
    assert same_instant(
        due(ALWAYS_RO, t("2025-03-30T02:30+02:00"), 60), t("2025-03-30T04:30+03:00")
    )
    # A window inside the skipped hour has nothing in it.
    gap = calendar("Europe/Bucharest", "sun 03:00-04:00")
    assert elapsed_minutes(gap, t("2025-03-30T00:00+02:00"), t("2025-03-31T00:00+03:00")) == 0
    assert elapsed_minutes(gap, t("2025-10-26T00:00+03:00"), t("2025-10-27T00:00+02:00")) == 120


def test_due_in_the_repeated_hour_prints_its_own_offset():
    got = due(ALWAYS_NY, t("2025-11-02T00:30:00-04:00"), 120)
    assert got.isoformat() == "2025-11-02T01:30:00-05:00"  # the second 01:30
    assert got.fold == 1
    first = due(ALWAYS_NY, t("2025-11-02T00:30:00-04:00"), 60)
    assert first.isoformat() == "2025-11-02T01:30:00-04:00"


def test_office_hours_ignore_weekend_night_changes_only_the_offset_moves():
    # March: +02:00 -> +03:00 over the weekend
    got = due(OFFICE_RO, t("2025-03-28T16:00+02:00"), 120)
    assert got.isoformat() == "2025-03-31T10:00:00+03:00"
    # October: +03:00 -> +02:00 over the weekend
    got = due(OFFICE_RO, t("2025-10-24T16:00+03:00"), 120)
    assert got.isoformat() == "2025-10-27T10:00:00+02:00"
    assert (
        elapsed_minutes(OFFICE_RO, t("2025-10-24T00:00+03:00"), t("2025-10-28T00:00+02:00")) == 960
    )


def test_opening_instant_counts_closing_instant_does_not():
    assert elapsed_seconds(OFFICE_UTC, t("2025-01-06T09:00Z"), t("2025-01-06T09:00:01Z")) == 1
    assert elapsed_seconds(OFFICE_UTC, t("2025-01-06T17:00Z"), t("2025-01-06T17:00:01Z")) == 0
    assert elapsed_seconds(OFFICE_UTC, t("2025-01-06T16:59:59Z"), t("2025-01-06T17:00:00Z")) == 1


def test_input_offset_is_irrelevant():
    a = due(OFFICE_RO, t("2025-06-02T10:00+03:00"), 300)
    b = due(OFFICE_RO, t("2025-06-02T07:00Z"), 300)
    c = due(OFFICE_RO, t("2025-06-02T00:00-07:00"), 300)
    assert a == b == c and a.isoformat() == "2025-06-02T15:00:00+03:00"


def test_midnight_transition_zone_santiago():
    # Chile leaves DST at Sunday 00:00 -> Saturday 23:00 (Saturday's last hour repeats).
    cal = calendar("America/Santiago", "sat 23:00-24:00; sun 00:00-01:00")
    assert elapsed_minutes(cal, t("2025-04-05T12:00-03:00"), t("2025-04-06T12:00-04:00")) == 180
    # And enters it at Sunday 00:00 -> 01:00 (Sunday's first hour never happens).
    assert elapsed_minutes(cal, t("2025-09-06T12:00-04:00"), t("2025-09-07T12:00-03:00")) == 60


# --- §3 elapsed -------------------------------------------------------------------


def test_elapsed_basics():
    assert elapsed_minutes(OFFICE_UTC, t("2025-01-06T10:00Z"), t("2025-01-06T10:00Z")) == 0
    assert elapsed_seconds(OFFICE_UTC, t("2025-01-06T10:00Z"), t("2025-01-06T10:00:59Z")) == 59
    assert (
        elapsed_minutes(OFFICE_UTC, t("2025-01-06T10:00Z"), t("2025-01-06T10:00:59Z")) == 0
    )  # floor
    assert (
        elapsed_seconds(OFFICE_UTC, t("2025-01-06T10:00Z"), t("2025-01-06T10:00:00.250Z")) == 0.25
    )
    assert isinstance(
        elapsed_seconds(OFFICE_UTC, t("2025-01-06T10:00Z"), t("2025-01-06T11:00Z")), int
    )
    with pytest.raises(InvalidInput, match="is before start"):
        elapsed_minutes(OFFICE_UTC, t("2025-01-06T11:00Z"), t("2025-01-06T10:00Z"))


@pytest.mark.parametrize(
    "call",
    [
        lambda: due(OFFICE_UTC, datetime(2025, 1, 6, 9), 60),
        lambda: elapsed_minutes(OFFICE_UTC, datetime(2025, 1, 6, 9), t("2025-01-06T10:00Z")),
        lambda: elapsed_minutes(OFFICE_UTC, t("2025-01-06T10:00Z"), datetime(2025, 1, 7)),
        lambda: due(OFFICE_UTC, t("2025-01-06T09:00Z"), 60, [(datetime(2025, 1, 6, 10), None)]),
        lambda: clock_status(OFFICE_UTC, t("2025-01-06T09:00Z"), 60, datetime(2025, 1, 6, 10)),
        lambda: list(business_intervals(OFFICE_UTC, datetime(2025, 1, 6), t("2025-01-07T00:00Z"))),
    ],
)
def test_naive_instants_are_refused(call):
    with pytest.raises(InvalidInput, match="naive .*add an offset or Z"):
        call()


# --- §4 targets -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("90m", 90),
        ("4h", 240),
        ("2d", 960),
        ("1d", 480),
        ("240", 240),
        ("1h30m", 90),
        ("1d4h", 720),
        (" 2H ", 120),
        ("1h 30m", 90),
        ("0h5m", 5),
    ],
)
def test_parse_target(text, minutes):
    assert parse_target(text, 480) == minutes


def test_parse_target_day_is_day_minutes():
    assert parse_target("2d", 1440) == 2880
    assert parse_target("1d", 450) == 450


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("0", "must be more than zero"),
        ("0m", "must be more than zero"),
        ("0d0h", "must be more than zero"),
        ("-5", 'target "-5": use a whole number'),
        ("1.5h", 'target "1.5h": use a whole number'),
        ("abc", 'target "abc"'),
        ("", 'target ""'),
        ("4 hours", 'target "4 hours"'),
        ("m", 'target "m"'),
        ("30m1h", 'target "30m1h"'),
    ],
)
def test_parse_target_errors(text, fragment):
    with pytest.raises(InvalidInput) as err:
        parse_target(text, 480)
    assert fragment in str(err.value)
    assert "90m, 4h, 2d" in str(err.value)


@pytest.mark.parametrize("bad", [0, -60, 1.5, True, "60"])
def test_engine_refuses_bad_targets(bad):
    with pytest.raises(InvalidInput, match="must be a positive whole number of minutes"):
        due(OFFICE_UTC, t("2025-01-06T09:00Z"), bad)


def test_one_business_day_is_an_amount():
    # Wed 13:30 + 1d -> Thu 13:30 (uniform days, created inside hours: both readings agree)
    assert (
        due(OFFICE_RO, t("2025-06-04T13:30+03:00"), parse_target("1d", 480)).isoformat()
        == "2025-06-05T13:30:00+03:00"
    )
    # ... but it is 480 minutes, not "same time next business day": out of hours it starts at 09:00
    assert (
        due(OFFICE_RO, t("2025-06-04T20:00+03:00"), 480).isoformat() == "2025-06-05T17:00:00+03:00"
    )
    # and a half-day (override) in between stretches it
    half = calendar(
        "Europe/Bucharest", "mon-fri 09:00-17:00", overrides={date(2025, 6, 5): ((540, 780),)}
    )
    assert due(half, t("2025-06-04T13:30+03:00"), 480).isoformat() == "2025-06-06T09:30:00+03:00"


# --- §5 due -----------------------------------------------------------------------


def test_created_out_of_hours_counts_from_next_business_instant():
    # Sat 13:15 + 120 -> Mon 11:00
    assert (
        due(OFFICE_RO, t("2025-11-22T13:15+02:00"), 120).isoformat() == "2025-11-24T11:00:00+02:00"
    )


def test_used_up_exactly_at_window_end_is_due_at_that_end():
    assert due(OFFICE_UTC, t("2025-01-03T09:00Z"), 480) == t("2025-01-03T17:00Z")  # Fri 17:00
    assert due(LUNCH_UTC, t("2025-01-06T11:00Z"), 60) == t("2025-01-06T12:00Z")  # not 13:00
    assert due(LUNCH_UTC, t("2025-01-06T11:00Z"), 61) == t("2025-01-06T13:01Z")


def test_due_is_in_the_calendar_zone():
    got = due(OFFICE_RO, t("2025-06-02T07:00Z"), 60)
    assert got.tzinfo == ZoneInfo("Europe/Bucharest")


def test_seconds_are_kept():
    assert due(OFFICE_UTC, t("2025-01-06T16:59:30Z"), 1) == t("2025-01-07T09:00:30Z")
    assert due(OFFICE_UTC, t("2025-01-06T10:00:00.5Z"), 1) == t("2025-01-06T10:01:00.5Z")


def test_holidays_and_overrides_shift_the_due_time():
    cal = calendar(
        "Europe/Bucharest",
        "mon-fri 09:00-17:00",
        holidays=frozenset({date(2025, 12, 25), date(2025, 12, 26)}),
        overrides={date(2025, 12, 24): ((540, 780),), date(2025, 12, 27): ((600, 840),)},
    )
    # Wed 24 is a half-day (4h), Thu/Fri holidays, Sat 27 a make-up day (4h)
    assert due(cal, t("2025-12-24T09:00+02:00"), 480).isoformat() == "2025-12-27T14:00:00+02:00"
    assert due(cal, t("2025-12-24T09:00+02:00"), 481).isoformat() == "2025-12-29T09:01:00+02:00"


def test_a_calendar_that_never_opens_fails_instead_of_looping():
    never = Calendar("UTC")
    with pytest.raises(InvalidInput, match="no business hours"):
        due(never, t("2025-01-06T09:00Z"), 60)
    once = Calendar("UTC", overrides={date(2025, 1, 8): ((540, 600),)})
    assert due(once, t("2025-01-06T09:00Z"), 60) == t("2025-01-08T10:00Z")
    with pytest.raises(InvalidInput, match="no business hours after 2025-01-08"):
        due(once, t("2025-01-06T09:00Z"), 61)
    assert elapsed_minutes(never, t("2025-01-06T09:00Z"), t("2025-02-06T09:00Z")) == 0


def test_multi_week_target():
    # 20 business days from Mon 09:00 = four weeks later, Friday 17:00
    assert due(OFFICE_UTC, t("2025-01-06T09:00Z"), 20 * 480) == t("2025-01-31T17:00Z")


# --- §6 pauses --------------------------------------------------------------------


def test_pause_moves_due_by_the_business_time_it_covers():
    created = t("2025-01-09T10:00+02:00")  # Thursday
    pause = (t("2025-01-09T15:00+02:00"), t("2025-01-13T10:00+02:00"))  # Thu 15:00 -> Mon 10:00
    assert due(OFFICE_RO, created, 480).isoformat() == "2025-01-10T10:00:00+02:00"
    assert due(OFFICE_RO, created, 480, [pause]).isoformat() == "2025-01-13T13:00:00+02:00"
    # It removed Thu 15-17, the whole Friday and Mon 09-10: 660 minutes, not its 91 wall hours.
    a, b = t("2025-01-09T09:00+02:00"), t("2025-01-13T12:00+02:00")
    assert elapsed_minutes(OFFICE_RO, a, b) - elapsed_minutes(OFFICE_RO, a, b, [pause]) == 660
    # The spec's "removes Thu 15-17 and Mon 09-10" (180) holds when Friday is closed ...
    mon_thu = calendar("Europe/Bucharest", "mon-thu 09:00-17:00")
    assert elapsed_minutes(mon_thu, a, b) - elapsed_minutes(mon_thu, a, b, [pause]) == 180
    assert due(mon_thu, created, 480, [pause]).isoformat() == "2025-01-13T13:00:00+02:00"
    # ... and for a Fri 15:00 -> Mon 10:00 pause on a Mon-Fri calendar.
    friday = (t("2025-01-10T15:00+02:00"), t("2025-01-13T10:00+02:00"))
    a = t("2025-01-10T09:00+02:00")
    assert elapsed_minutes(OFFICE_RO, a, b) - elapsed_minutes(OFFICE_RO, a, b, [friday]) == 180
    assert due(OFFICE_RO, a, 480).isoformat() == "2025-01-10T17:00:00+02:00"
    assert due(OFFICE_RO, a, 480, [friday]).isoformat() == "2025-01-13T12:00:00+02:00"  # +180


def test_pause_over_closed_hours_changes_nothing():
    created = t("2025-01-09T10:00Z")
    weekend = (t("2025-01-10T17:00Z"), t("2025-01-13T09:00Z"))
    assert due(OFFICE_UTC, created, 960, [weekend]) == due(OFFICE_UTC, created, 960)


def test_pause_starting_at_or_after_due_does_not_move_it():
    created = t("2025-01-06T09:00Z")
    assert due(OFFICE_UTC, created, 120, [(t("2025-01-06T11:00Z"), None)]) == t("2025-01-06T11:00Z")
    assert due(OFFICE_UTC, created, 120, [(t("2025-01-06T11:00Z"), t("2025-01-07T11:00Z"))]) == t(
        "2025-01-06T11:00Z"
    )
    assert due(OFFICE_UTC, created, 120, [(t("2025-01-06T12:00Z"), None)]) == t("2025-01-06T11:00Z")


def test_open_pause_before_target_means_no_due_time():
    created = t("2025-01-06T09:00Z")
    assert due(OFFICE_UTC, created, 120, [(t("2025-01-06T10:59Z"), None)]) is None
    assert (
        due(OFFICE_UTC, created, 120, [(t("2025-01-04T10:00Z"), None)]) is None
    )  # before creation
    # an open pause that starts during closed hours still stops the clock before Tuesday
    assert due(OFFICE_UTC, created, 600, [(t("2025-01-06T20:00Z"), None)]) is None


def test_pauses_are_clipped_to_creation_and_merged():
    created = t("2025-01-06T09:00Z")
    pauses = [
        (t("2025-01-06T11:00Z"), t("2025-01-06T12:00Z")),
        (t("2025-01-03T00:00Z"), t("2025-01-06T10:00Z")),  # began before creation
        (t("2025-01-06T11:30Z"), t("2025-01-06T13:00Z")),  # overlaps the first
    ]
    # counted: 10:00-11:00, 13:00-... -> 120 minutes at 14:00
    assert due(OFFICE_UTC, created, 120, pauses) == t("2025-01-06T14:00Z")
    assert elapsed_minutes(OFFICE_UTC, created, t("2025-01-06T17:00Z"), pauses) == 300
    # an open pause swallows a later closed one
    assert (
        elapsed_minutes(
            OFFICE_UTC,
            created,
            t("2025-01-07T17:00Z"),
            [(t("2025-01-06T10:00Z"), None), (t("2025-01-07T10:00Z"), t("2025-01-07T11:00Z"))],
        )
        == 60
    )


def test_pause_must_not_end_before_it_starts():
    with pytest.raises(InvalidInput, match="ends before it starts"):
        due(
            OFFICE_UTC,
            t("2025-01-06T09:00Z"),
            60,
            [(t("2025-01-06T11:00Z"), t("2025-01-06T10:00Z"))],
        )


def test_reopen_is_a_pause_and_the_clock_resumes():
    created = t("2025-01-06T09:00Z")  # Monday, resolution target 2d = 960
    resolved, reopened = t("2025-01-06T15:00Z"), t("2025-01-07T11:00Z")
    pauses = [(resolved, reopened)]
    # 360 used before resolve; resumes Tue 11:00 with 600 left -> Tue 17:00 (360) + Wed 4h
    assert due(OFFICE_UTC, created, 960, pauses) == t("2025-01-08T13:00Z")
    met = clock_status(
        OFFICE_UTC,
        created,
        960,
        now=t("2025-01-09T09:00Z"),
        stopped_at=t("2025-01-08T12:00Z"),
        pauses=pauses,
    )
    assert (met.state, met.elapsed_minutes, met.remaining_minutes) == ("met", 900, 60)
    late = clock_status(
        OFFICE_UTC,
        created,
        960,
        now=t("2025-01-09T09:00Z"),
        stopped_at=t("2025-01-08T14:00Z"),
        pauses=pauses,
    )
    assert (late.state, late.elapsed_minutes, late.remaining_minutes) == ("breached", 1020, -60)


# --- §7 target changes recompute from creation ------------------------------------


def test_real_minute_target_change_moves_due_by_the_difference():
    # RT t/sla/due.t: SetSLA 2h -> 4h moves Due by exactly 2 h (a 24x7 calendar is "real minutes")
    created = t("2025-06-02T21:13:00Z")
    assert due(ALWAYS_UTC, created, 240) - due(ALWAYS_UTC, created, 120) == timedelta(hours=2)


def test_rt_business_hours_sunday_then_monday_agreement():
    # RT t/sla/business_hours.t: created Mon 2007-01-01 00:00Z; Sunday-only 9-17 -> start
    # Sun 07 09:00, due 10:00; switching to a Monday 9-17 agreement recomputes from creation.
    created = t("2007-01-01T00:00:00Z")
    sunday = calendar("UTC", "sun 09:00-17:00")
    monday = calendar("UTC", "mon 09:00-17:00")
    assert _first_business_instant(sunday, created) == t("2007-01-07T09:00Z")
    assert due(sunday, created, 60) == t("2007-01-07T10:00Z")
    assert due(monday, created, 60) == t("2007-01-01T10:00Z")


# --- §8 status --------------------------------------------------------------------


def test_status_strict_breach_and_met_at_due():
    created = t("2025-01-06T09:00Z")  # due Mon 17:00

    def at(now, **kw):
        return clock_status(OFFICE_UTC, created, 480, t(now), **kw)

    assert at("2025-01-06T12:00Z").state == "on_track"
    assert at("2025-01-06T17:00Z").state == "at_risk"  # at the due instant: not yet breached
    s = at("2025-01-06T17:30Z")
    assert (s.state, s.elapsed_minutes, s.remaining_minutes) == ("breached", 480, 0)
    assert at("2025-01-07T10:00Z").remaining_minutes == -60
    assert at("2025-01-06T18:00Z", stopped_at=t("2025-01-06T17:00Z")).state == "met"
    assert at("2025-01-06T18:00Z", stopped_at=t("2025-01-06T17:00:01Z")).state == "breached"
    stopped = at("2025-01-07T12:00Z", stopped_at=t("2025-01-06T11:00Z"))
    assert (stopped.state, stopped.elapsed_minutes, stopped.remaining_minutes) == ("met", 120, 360)


def test_status_at_risk_integer_maths():
    created = t("2025-01-06T09:00Z")

    def at(target, now):
        return clock_status(OFFICE_UTC, created, target, t(now))

    assert at(480, "2025-01-06T15:23Z").state == "on_track"  # 383 * 100 < 80 * 480
    assert at(480, "2025-01-06T15:24Z").state == "at_risk"  # 384 * 100 >= 80 * 480
    # 0.8 * 35 == 28.000000000000004 in floating point: integers say 28 is enough
    assert at(35, "2025-01-06T09:28Z").state == "at_risk"
    # 80% of 7 = 5.6 minutes: whole minutes elapsed, so at risk from the 6th minute
    assert at(7, "2025-01-06T09:05:59Z").state == "on_track"
    assert at(7, "2025-01-06T09:06Z").state == "at_risk"
    assert at_instant(OFFICE_UTC, created, 7, 80) == t("2025-01-06T09:06Z")
    assert at_instant(OFFICE_UTC, created, 480, 80) == t("2025-01-06T15:24Z")
    assert (
        clock_status(OFFICE_UTC, created, 480, t("2025-01-06T13:00Z"), at_risk_percent=50).state
        == "at_risk"
    )
    with pytest.raises(InvalidInput, match="at-risk percent"):
        at_instant(OFFICE_UTC, created, 480, 0)


def test_status_paused_and_open_pause():
    created = t("2025-01-06T09:00Z")
    pauses = [(t("2025-01-06T10:00Z"), None)]
    s = clock_status(OFFICE_UTC, created, 120, t("2025-01-08T10:00Z"), pauses=pauses)
    assert s == ClockStatus(
        due=None,
        at_risk_at=None,
        elapsed_minutes=60,
        remaining_minutes=60,
        state="on_track",
        paused=True,
    )
    s = clock_status(
        OFFICE_UTC,
        created,
        120,
        t("2025-01-08T10:00Z"),
        pauses=[(t("2025-01-06T10:00Z"), t("2025-01-06T11:00Z"))],
    )
    assert (s.state, s.paused, s.due) == ("breached", False, t("2025-01-06T12:00Z"))
    # not paused while stopped, and a stopped clock with no due time was met
    s = clock_status(
        OFFICE_UTC,
        created,
        120,
        t("2025-01-08T10:00Z"),
        stopped_at=t("2025-01-07T10:00Z"),
        pauses=pauses,
    )
    assert (s.state, s.paused) == ("met", False)


def test_status_of_product_mockup_explain_412():
    # MOCKUPS.md `sla explain 412` / JSON.md: office calendar, created Mon 23 Nov 2026 09:30,
    # paused Tue 10:40-15:20; resolution 2d = 960, first response 4h = 240.
    office = calendar("Europe/Bucharest", "mon-fri 09:00-17:00")
    created = t("2026-11-23T09:30+02:00")
    pauses = [(t("2026-11-24T10:40+02:00"), t("2026-11-24T15:20+02:00"))]
    now = t("2026-11-25T11:20+02:00")
    res = clock_status(office, created, 960, now, pauses=pauses)
    assert res.due == t("2026-11-25T12:10:00Z")
    assert res.at_risk_at == t("2026-11-25T08:58:00Z")
    assert (res.state, res.elapsed_minutes, res.remaining_minutes, res.paused) == (
        "at_risk",
        790,
        170,
        False,
    )
    first = clock_status(office, created, 240, now, stopped_at=t("2026-11-23T11:02+02:00"))
    assert first.due == t("2026-11-23T11:30:00Z") and first.at_risk_at == t("2026-11-23T10:42:00Z")
    assert (first.state, first.elapsed_minutes, first.remaining_minutes) == ("met", 92, 148)
    spans = [
        (a.strftime("%a %H:%M"), b.strftime("%a %H:%M"))
        for a, b in business_intervals(office, created, now)
    ]
    assert spans == [
        ("Mon 09:30", "Mon 17:00"),
        ("Tue 09:00", "Tue 17:00"),
        ("Wed 09:00", "Wed 11:20"),
    ]


# --- peers' suites ----------------------------------------------------------------


def _first_business_instant(cal: Calendar, after: datetime) -> datetime:
    return next(business_intervals(cal, after, after + timedelta(days=14)))[0]


def test_rt_starts():
    # RT t/sla/starts.t: Mon and Tue 09:00-17:00 GMT
    cal = calendar("UTC", "mon-tue 09:00-17:00")
    assert _first_business_instant(cal, t("2007-01-01T13:15:00Z")) == t("2007-01-01T13:15:00Z")
    assert _first_business_instant(cal, t("2007-01-01T19:15:00Z")) == t("2007-01-02T09:00:00Z")
    assert _first_business_instant(cal, t("2007-01-06T13:15:00Z")) == t("2007-01-08T09:00:00Z")


def test_rt_timezone():
    # RT t/sla/timezone.t: default hours Mon-Fri 09:00-18:00, 2 business hours, created 22:00Z
    created = t("2007-01-01T22:00:00Z")
    us = calendar("America/New_York", "mon-fri 09:00-18:00")
    assert _first_business_instant(us, created) == created
    assert due(us, created, 120) == t("2007-01-02T15:00:00Z")
    ru = calendar("Europe/Moscow", "mon-fri 09:00-18:00")
    assert _first_business_instant(ru, created) == t("2007-01-02T06:00:00Z")
    assert due(ru, created, 120) == t("2007-01-02T08:00:00Z")


def test_business_hours_pm():
    # Business::Hours t/1-business-hours.t: defaults Mon-Fri 09:00-18:00 (45 h a week)
    bh = calendar("UTC", "mon-fri 09:00-18:00")
    epoch = t("1970-01-01T00:00:00Z")  # a Thursday
    assert elapsed_minutes(bh, epoch, epoch + timedelta(days=7)) == 45 * 60
    sunday = t("1970-01-04T00:00:00Z")
    assert _first_business_instant(bh, sunday) == t("1970-01-05T09:00:00Z")
    # add 30 minutes from Thursday 20:00 (closed) -> Friday 09:30
    assert due(bh, epoch + timedelta(hours=20), 30) == t("1970-01-02T09:30:00Z")


def test_businesstimedelta_cases():
    # seppemans/businesstimedelta tests: 09:00-17:00 Mon-Fri UTC
    assert due(OFFICE_UTC, t("2016-01-23T13:14Z"), 120) == t("2016-01-25T11:00Z")  # Sat + 2h
    assert due(OFFICE_UTC, t("2016-01-22T09:00Z"), 480) == t("2016-01-22T17:00Z")  # exactly one day
    assert due(OFFICE_UTC, t("2016-01-23T13:14Z"), 720) == t("2016-01-26T13:00Z")  # Sat + 12h
    assert elapsed_seconds(OFFICE_UTC, t("2016-01-21T10:00Z"), t("2016-01-21T10:00:05Z")) == 5
    assert (
        elapsed_seconds(OFFICE_UTC, t("2016-01-20T10:00Z"), t("2016-01-21T10:00:05Z"))
        == 8 * 3600 + 5
    )
    assert elapsed_minutes(OFFICE_UTC, t("2016-01-18T02:00Z"), t("2016-01-24T00:00Z")) == 40 * 60
    # README: 09:00-18:00 with lunch 12-13; 40 h from Mon 09:00 ends Fri 18:00 (not next Mon 09:00)
    readme = calendar("UTC", "mon-fri 09:00-12:00,13:00-18:00")
    assert elapsed_minutes(readme, t("2016-01-18T09:00Z"), t("2016-01-25T09:00Z")) == 40 * 60
    assert due(readme, t("2016-01-18T09:00Z"), 40 * 60) == t("2016-01-22T18:00Z")
    xmas = calendar(
        "UTC", "mon-fri 09:00-12:00,13:00-18:00", holidays=frozenset({date(2015, 12, 25)})
    )
    assert elapsed_minutes(xmas, t("2015-12-21T09:00Z"), t("2015-12-28T09:00Z")) == 32 * 60
    # localized: a Santiago calendar seen from San Francisco
    santiago = calendar("America/Santiago", "mon-fri 09:00-12:00,13:00-18:00")
    assert (
        elapsed_minutes(santiago, t("2016-01-18T09:00-08:00"), t("2016-01-18T18:00-08:00"))
        == 4 * 60
    )
    # night shift 23:00-01:00, written split at midnight as isvc requires
    night = calendar("UTC", "mon 23:00-24:00; tue-fri 00:00-01:00,23:00-24:00; sat 00:00-01:00")
    assert elapsed_minutes(night, t("2016-01-21T10:00Z"), t("2016-01-22T10:00Z")) == 120


def test_jira_uneven_days():
    # Uneven days (Mon-Thu 8h, Fri 4h): "1d" is day_minutes of business time, not a date jump.
    cal = calendar("UTC", "mon-thu 09:00-17:00; fri 09:00-13:00")
    assert due(cal, t("2025-01-09T13:00Z"), parse_target("1d", 480)) == t("2025-01-10T13:00Z")
    assert due(cal, t("2025-01-10T10:00Z"), parse_target("1d", 480)) == t("2025-01-13T14:00Z")


# --- parsing instants and pauses --------------------------------------------------


def test_parse_instant():
    assert parse_instant("2025-03-28T16:00:00+02:00") == t("2025-03-28T14:00:00Z")
    assert parse_instant("2025-03-28T14:00:00Z").utcoffset() == timedelta(0)
    assert parse_instant("2025-03-28T14:00:00z") == t("2025-03-28T14:00:00Z")
    assert parse_instant("2025-03-28 14:00+00:00") == t("2025-03-28T14:00:00Z")
    with pytest.raises(
        InvalidInput, match='naive timestamp "2025-03-28T14:00": add an offset or Z'
    ):
        parse_instant("2025-03-28T14:00")
    with pytest.raises(InvalidInput, match="naive timestamp"):
        parse_instant("2025-03-28")
    with pytest.raises(InvalidInput, match='timestamp "yesterday": not ISO-8601'):
        parse_instant("yesterday")


def test_parse_pause():
    assert parse_pause("2025-01-09T15:00+02:00/2025-01-13T10:00+02:00") == (
        t("2025-01-09T15:00+02:00"),
        t("2025-01-13T10:00+02:00"),
    )
    assert parse_pause("2025-01-09T15:00Z/") == (t("2025-01-09T15:00Z"), None)
    with pytest.raises(InvalidInput, match="ends before it starts"):
        parse_pause("2025-01-13T10:00Z/2025-01-09T15:00Z")
    for bad in ["2025-01-09T15:00Z", "/2025-01-09T15:00Z", "a/b/c"]:
        with pytest.raises(InvalidInput, match="START/END"):
            parse_pause(bad)
    with pytest.raises(InvalidInput, match="naive"):
        parse_pause("2025-01-09T15:00/")


# --- brute-force reference (imports nothing from the engine) ----------------------
#
# A calendar here is a plain dict: {"tz", "hours": {weekday: [(s, e)]}, "holidays": set,
# "overrides": {date: [(s, e)]}}. Time walks in whole UTC minutes; each minute is business
# time iff its wall time in tz lies in a window of its local date (§2). All generated
# instants are whole UTC minutes and all offsets whole minutes, so a minute is in or out
# as a whole.


def ref_windows(cal: dict, day: date) -> list[tuple[int, int]]:
    if day in cal["overrides"]:
        return cal["overrides"][day]
    if day in cal["holidays"]:
        return []
    return cal["hours"].get(day.weekday(), [])


def ref_is_business(cal: dict, zone: ZoneInfo, utc_seconds: int) -> bool:
    local = datetime.fromtimestamp(utc_seconds, zone)
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in ref_windows(cal, local.date()))


def ref_business_minutes(cal: dict, start: int, minutes: int) -> list[int]:
    """Indexes k of the minutes [start + 60k, start + 60(k+1)) that are business time."""
    zone = ZoneInfo(cal["tz"])
    return [k for k in range(minutes) if ref_is_business(cal, zone, start + 60 * k)]


def ref_unpaused(start: int, business: list[int], pauses: list) -> list[int]:
    """The business minutes no pause [ps, pe) (pe None = open) covers."""

    def paused(u: int) -> bool:
        return any(ps <= u and (pe is None or u < pe) for ps, pe in pauses)

    return [k for k in business if not paused(start + 60 * k)]


def ref_to_toml(cal: dict) -> dict:
    def windows(ws):
        return [[f"{s // 60:02d}:{s % 60:02d}", f"{e // 60:02d}:{e % 60:02d}"] for s, e in ws]

    return {
        "tz": cal["tz"],
        "hours": {ALL_DAYS[d]: windows(ws) for d, ws in cal["hours"].items()},
        "holidays": [d.isoformat() for d in cal["holidays"]],
        "overrides": {d.isoformat(): windows(ws) for d, ws in cal["overrides"].items()},
    }


@cache
def dst_days(tz: str) -> list[date]:
    """Local dates in 2025-2026 on which tz changes its offset."""
    zone, days = ZoneInfo(tz), []
    u = datetime(2025, 1, 1, tzinfo=UTC)
    before = u.astimezone(zone).utcoffset()
    while u.year < 2027:
        u += timedelta(minutes=30)
        local = u.astimezone(zone)
        if local.utcoffset() != before:
            days.append(local.date())
            before = local.utcoffset()
    return days


ZONES = ["Europe/Bucharest", "America/New_York"]
ODD_ZONES = ["America/Santiago", "Australia/Lord_Howe"]  # midnight changes; a 30-minute change
HORIZON = 7 * 1440  # minutes the reference walks: a week, weekends and DST days included

_shapes = st.sampled_from(
    [
        (),
        (),
        ((540, 1020),),
        ((540, 1020),),
        ((540, 720), (780, 1020)),
        ((0, 1440),),
        ((90, 150),),
        ((0, 120), (150, 240)),
        ((60, 180),),
        ((1320, 1440),),
        ((0, 360),),
        ((30, 90), (100, 200), (1000, 1439)),
    ]
)
_random_windows = st.lists(st.integers(0, 1440), min_size=2, max_size=6, unique=True).map(
    lambda pts: tuple(zip(sorted(pts)[0::2], sorted(pts)[1::2]))
)
day_windows = st.one_of(_shapes, _random_windows)


@st.composite
def scenarios(draw, zones=ZONES):
    tz = draw(st.sampled_from(zones))
    pivot = draw(st.sampled_from(dst_days(tz)))
    nearby = st.dates(pivot - timedelta(days=5), pivot + timedelta(days=8))
    cal = {
        "tz": tz,
        "hours": {d: list(draw(day_windows)) for d in range(7)},
        "holidays": draw(st.sets(nearby, max_size=3)),
        "overrides": {
            d: list(w) for d, w in draw(st.dictionaries(nearby, day_windows, max_size=3)).items()
        },
    }
    midnight = int(datetime(pivot.year, pivot.month, pivot.day, tzinfo=UTC).timestamp())
    created = midnight + 60 * draw(st.integers(-4 * 1440, 2 * 1440))
    pause = st.tuples(
        st.integers(-1440, HORIZON).map(lambda m: created + 60 * m),
        st.one_of(st.none(), st.integers(1, 4 * 1440)),
    ).map(lambda p: (p[0], None if p[1] is None else p[0] + 60 * p[1]))
    pauses = draw(st.lists(pause, max_size=3))
    return cal, created, pauses


def as_dt(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def engine_pauses(pauses):
    return [(as_dt(s), None if e is None else as_dt(e)) for s, e in pauses]


def check_against_reference(cal: dict, created: int, pauses: list, data) -> None:
    engine_cal = parse_calendar(ref_to_toml(cal))
    ps = engine_pauses(pauses)
    business = ref_business_minutes(cal, created, HORIZON)
    counted = ref_unpaused(created, business, pauses)
    start = as_dt(created)

    # elapsed at a few points, whole minutes and (via the first minute) seconds
    for k in data.draw(st.lists(st.integers(0, HORIZON), min_size=1, max_size=4)):
        expected = sum(1 for c in counted if c < k)
        assert elapsed_seconds(engine_cal, start, start + timedelta(minutes=k), ps) == 60 * expected
    delta = data.draw(st.integers(1, 59))
    k = data.draw(st.integers(1, HORIZON))
    first_counts = bool(counted) and counted[0] == 0
    assert elapsed_seconds(
        engine_cal, start + timedelta(seconds=delta), start + timedelta(minutes=k), ps
    ) == 60 * sum(1 for c in counted if c < k) - (delta if first_counts else 0)

    # due: the end of the target-th counted minute
    open_pause = any(e is None for _, e in pauses)
    if counted:
        target = data.draw(st.integers(1, len(counted)))
        expected_due = start + timedelta(minutes=counted[target - 1] + 1)
        got = due(engine_cal, start, target, ps)
        assert same_instant(got, expected_due), (target, got, expected_due)
        risk = -(-80 * target // 100)
        assert same_instant(
            at_instant(engine_cal, start, target, 80, ps),
            start + timedelta(minutes=counted[risk - 1] + 1),
        )
        now_k = data.draw(st.integers(0, HORIZON))
        status = clock_status(
            engine_cal, start, target, start + timedelta(minutes=now_k), pauses=ps
        )
        elapsed = sum(1 for c in counted if c < now_k)
        if now_k > counted[target - 1] + 1:
            state = "breached"
        elif elapsed * 100 >= 80 * target:
            state = "at_risk"
        else:
            state = "on_track"
        assert (status.elapsed_minutes, status.state) == (elapsed, state)
    else:
        target = 1
    if open_pause and min(s for s, e in pauses if e is None) < created + 60 * HORIZON:
        # the clock stops for good inside the horizon: one more minute is never reached
        assert due(engine_cal, start, len(counted) + 1, ps) is None
    elif not counted:
        try:
            got = due(engine_cal, start, 1, ps)
        except InvalidInput:  # the calendar never opens again
            assert not any(cal["hours"].values())
        else:
            assert got is None or got > start + timedelta(minutes=HORIZON)

    # business intervals: sorted, disjoint, and the same minutes as the reference
    spans = list(business_intervals(engine_cal, start, start + timedelta(minutes=HORIZON)))
    utc_spans = [(a.astimezone(UTC), b.astimezone(UTC)) for a, b in spans]
    assert all(a < b for a, b in utc_spans)
    assert all(b1 <= a2 for (_, b1), (a2, _) in itertools.pairwise(utc_spans))
    bounds = [
        (int((a - start).total_seconds()), int((b - start).total_seconds())) for a, b in utc_spans
    ]
    assert all(a % 60 == 0 and b % 60 == 0 for a, b in bounds)
    assert [k for a, b in bounds for k in range(a // 60, b // 60)] == business


# Each example walks a week minute by minute (~50 ms): keep the counts modest.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), data=st.data())
def test_engine_matches_brute_force(scenario, data):
    check_against_reference(*scenario, data)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(ODD_ZONES), data=st.data())
def test_engine_matches_brute_force_in_odd_zones(scenario, data):
    check_against_reference(*scenario, data)


@settings(max_examples=60, deadline=None)
@given(
    created=st.integers(0, 60 * 24 * 365 * 2).map(
        lambda m: t("2025-01-01T00:00Z") + timedelta(minutes=m)
    ),
    target=st.integers(1, 5 * 480),
    cut=st.integers(0, 10 * 1440),
)
def test_due_and_elapsed_are_inverse(created, target, cut):
    cal = calendar(
        "Europe/Bucharest",
        "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00",
        holidays=frozenset({date(2025, 12, 25), date(2026, 1, 1)}),
    )
    got = due(cal, created, target).astimezone(UTC)  # exact arithmetic below
    assert elapsed_seconds(cal, created, got) == 60 * target
    assert elapsed_seconds(cal, created, got - timedelta(seconds=1)) == 60 * target - 1  # earliest
    middle = created + timedelta(minutes=cut)
    whole = elapsed_seconds(cal, created, middle + timedelta(days=3))
    assert whole == elapsed_seconds(cal, created, middle) + elapsed_seconds(
        cal, middle, middle + timedelta(days=3)
    )
