"""Calendars: parsing and validation (SLA-SPEC §1), the CLI hours form, summaries."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isvc.domain.calendar import (
    Calendar,
    calendar_to_dict,
    describe_hours,
    parse_calendar,
    parse_hours_spec,
    windows_on,
)
from isvc.errors import InvalidInput

OFFICE = {
    "tz": "Europe/Bucharest",
    "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
}
NINE_TO_FIVE = ((540, 1020),)


def cal_with(**changes) -> dict:
    return {**OFFICE, **changes}


# --- parsing ----------------------------------------------------------------------


def test_parse_office_calendar():
    cal = parse_calendar(
        cal_with(
            holidays=["2025-12-25", date(2025, 12, 26)],  # tomllib gives bare TOML dates as date
            overrides={"2025-12-24": [["09:00", "13:00"]], "2025-12-27": [["10:00", "14:00"]]},
        )
    )
    assert cal.tz == "Europe/Bucharest"
    assert cal.day_minutes == 480
    assert cal.hours == {
        0: NINE_TO_FIVE,
        1: NINE_TO_FIVE,
        2: NINE_TO_FIVE,
        3: NINE_TO_FIVE,
        4: NINE_TO_FIVE,
        5: (),
        6: (),
    }
    assert cal.holidays == {date(2025, 12, 25), date(2025, 12, 26)}
    assert cal.overrides == {date(2025, 12, 24): ((540, 780),), date(2025, 12, 27): ((600, 840),)}


def test_lunch_break_24h_end_and_single_digit_hours():
    cal = parse_calendar(
        {
            "tz": "UTC",
            "day_minutes": 1440,
            "hours": {
                "mon": [["9:00", "12:00"], ["13:00", "17:00"]],
                "sat": [["22:00", "24:00"]],
                "sun": [["00:00", "06:00"]],
                "tue": [],
            },
        }
    )
    assert cal.hours[0] == ((540, 720), (780, 1020))
    assert cal.hours[5] == ((1320, 1440),)
    assert cal.hours[6] == ((0, 360),)
    assert cal.hours[1] == ()
    assert cal.day_minutes == 1440


def test_touching_windows_are_allowed():
    cal = parse_calendar({"tz": "UTC", "hours": {"mon": [["09:00", "12:00"], ["12:00", "17:00"]]}})
    assert cal.hours[0] == ((540, 720), (720, 1020))


def test_missing_sections_mean_closed():
    cal = parse_calendar({"tz": "UTC"})
    assert all(w == () for w in cal.hours.values())
    assert cal.holidays == frozenset() and cal.overrides == {}


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({"hours": {}}, 'calendar: missing "tz"'),
        (cal_with(tz="Mars/Olympus_Mons"), 'calendar: tz "Mars/Olympus_Mons": unknown time zone'),
        (cal_with(tz="../etc/passwd"), 'calendar: tz "../etc/passwd": unknown time zone'),
        (cal_with(tz=3), "calendar: tz must be an IANA zone"),
        (cal_with(holiday=["2025-12-25"]), 'calendar: unknown key "holiday"'),
        (cal_with(hours={"monday": [["09:00", "17:00"]]}), 'calendar: hours: unknown day "monday"'),
        (cal_with(hours=[["09:00", "17:00"]]), "calendar: hours must be a table of days"),
        (
            cal_with(hours={"mon": [["09:00", "12:00"], ["12:00", "11:00"]]}),
            'calendar: hours.mon window 2 "12:00-11:00": start must be before end',
        ),
        (
            cal_with(hours={"mon": [["22:00", "06:00"]]}),
            (
                'calendar: hours.mon window 1 "22:00-06:00": start must be before end;'
                " split an overnight shift at midnight"
            ),
        ),
        (
            cal_with(hours={"tue": [["09:00", "09:00"]]}),
            'calendar: hours.tue window 1 "09:00-09:00": start must be before end',
        ),
        (
            cal_with(hours={"mon": [["09:00", "25:00"]]}),
            'calendar: hours.mon window 1 "09:00-25:00": end must be at most 24:00',
        ),
        (
            cal_with(hours={"mon": [["09:00", "24:30"]]}),
            'calendar: hours.mon window 1 "09:00-24:30": end must be at most 24:00',
        ),
        (
            cal_with(hours={"mon": [["9am", "5pm"]]}),
            'calendar: hours.mon window 1 "9am-5pm": times must be HH:MM',
        ),
        (
            cal_with(hours={"mon": [["09:60", "17:00"]]}),
            'calendar: hours.mon window 1 "09:60-17:00": times must be HH:MM',
        ),
        (
            cal_with(hours={"wed": [["09:00", "12:00"], ["11:00", "17:00"]]}),
            'calendar: hours.wed window 2 "11:00-17:00": overlaps window 1 "09:00-12:00"',
        ),
        (
            cal_with(hours={"wed": [["13:00", "17:00"], ["09:00", "12:00"]]}),
            'calendar: hours.wed window 2 "09:00-12:00": windows must be in order',
        ),
        (
            cal_with(hours={"mon": ["09:00", "17:00"]}),
            'calendar: hours.mon: expected a list of windows, write [["09:00", "17:00"]]',
        ),
        (
            cal_with(hours={"mon": [["09:00"]]}),
            'calendar: hours.mon window 1: expected ["HH:MM", "HH:MM"]',
        ),
        (cal_with(hours={"mon": "09:00-17:00"}), "calendar: hours.mon: expected a list of windows"),
        (
            cal_with(holidays=["2025-02-30"]),
            'calendar: holidays item 1 "2025-02-30": not a date (use YYYY-MM-DD)',
        ),
        (
            cal_with(holidays=["2025-12-25", "25/12/2025"]),
            'calendar: holidays item 2 "25/12/2025": not a date',
        ),
        (cal_with(holidays=["20251225"]), 'calendar: holidays item 1 "20251225": not a date'),
        (cal_with(holidays="2025-12-25"), "calendar: holidays must be a list of dates"),
        (cal_with(overrides={"2025-13-01": []}), 'calendar: overrides "2025-13-01": not a date'),
        (
            cal_with(overrides={"2025-12-24": [["13:00", "09:00"]]}),
            'calendar: overrides.2025-12-24 window 1 "13:00-09:00": start must be before end',
        ),
        (cal_with(day_minutes=0), "calendar: day_minutes 0: must be a whole number of minutes"),
        (cal_with(day_minutes=-480), "calendar: day_minutes -480: must be a whole number"),
        (cal_with(day_minutes=7.5), "calendar: day_minutes 7.5: must be a whole number"),
        (cal_with(day_minutes="480"), "calendar: day_minutes '480': must be a whole number"),
        (cal_with(day_minutes=True), "calendar: day_minutes True: must be a whole number"),
        (
            cal_with(day_minutes=1441),
            "calendar: day_minutes 1441: must be a whole number of minutes from 1 to 1440",
        ),
    ],
)
def test_validation_errors(data, fragment):
    with pytest.raises(InvalidInput) as err:
        parse_calendar(data)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_source_names_the_file():
    with pytest.raises(InvalidInput, match=r'^calendars/office\.toml: tz "Nowhere"'):
        parse_calendar(cal_with(tz="Nowhere"), source="calendars/office.toml")


# --- precedence -------------------------------------------------------------------


def test_windows_on_precedence_override_then_holiday_then_weekly():
    cal = parse_calendar(
        cal_with(
            holidays=["2025-12-24", "2025-12-25", "2025-12-27"],  # Wed, Thu, Sat
            overrides={
                "2025-12-24": [["09:00", "13:00"]],  # half-day beats the holiday
                "2025-12-26": [],  # ad-hoc closure of a Friday
                "2025-12-28": [["10:00", "14:00"]],
            },  # make-up Sunday
        )
    )
    assert windows_on(cal, date(2025, 12, 23)) == NINE_TO_FIVE
    assert windows_on(cal, date(2025, 12, 24)) == ((540, 780),)
    assert windows_on(cal, date(2025, 12, 25)) == ()
    assert windows_on(cal, date(2025, 12, 26)) == ()
    assert windows_on(cal, date(2025, 12, 27)) == ()  # a holiday on a closed day changes nothing
    assert windows_on(cal, date(2025, 12, 28)) == ((600, 840),)
    assert windows_on(cal, date(2025, 12, 29)) == NINE_TO_FIVE


def test_holiday_closes_a_24x7_calendar():
    cal = parse_calendar(
        {
            "tz": "UTC",
            "hours": {
                d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            },
            "holidays": ["2025-12-25"],
        }
    )
    assert windows_on(cal, date(2025, 12, 25)) == ()
    assert windows_on(cal, date(2025, 12, 26)) == ((0, 1440),)


# --- round trip -------------------------------------------------------------------


def test_to_dict_is_toml_ready_and_round_trips():
    cal = parse_calendar(
        cal_with(
            day_minutes=450,
            holidays=["2026-01-01", "2025-12-25"],
            overrides={"2025-12-24": [["09:00", "13:00"]], "2025-12-31": []},
        )
    )
    data = calendar_to_dict(cal)
    assert data == {
        "tz": "Europe/Bucharest",
        "day_minutes": 450,
        "hours": {
            "mon": [["09:00", "17:00"]],
            "tue": [["09:00", "17:00"]],
            "wed": [["09:00", "17:00"]],
            "thu": [["09:00", "17:00"]],
            "fri": [["09:00", "17:00"]],
            "sat": [],
            "sun": [],
        },
        "holidays": ["2025-12-25", "2026-01-01"],
        "overrides": {"2025-12-24": [["09:00", "13:00"]], "2025-12-31": []},
    }
    assert parse_calendar(data) == cal
    import tomllib

    import tomli_w

    assert parse_calendar(tomllib.loads(tomli_w.dumps(data))) == cal


def _windows():
    # Sorted, disjoint windows from a sorted set of distinct boundaries.
    return st.lists(st.integers(0, 1440), max_size=6, unique=True).map(
        lambda pts: tuple(zip(sorted(pts)[0::2], sorted(pts)[1::2]))
    )


@settings(max_examples=60, deadline=None)
@given(
    tz=st.sampled_from(["UTC", "Europe/Bucharest", "America/New_York", "Asia/Kolkata"]),
    hours=st.dictionaries(st.integers(0, 6), _windows()),
    holidays=st.frozensets(st.dates(date(2024, 1, 1), date(2027, 12, 31)), max_size=5),
    overrides=st.dictionaries(
        st.dates(date(2024, 1, 1), date(2027, 12, 31)), _windows(), max_size=4
    ),
    day_minutes=st.integers(1, 1440),
)
def test_round_trip_property(tz, hours, holidays, overrides, day_minutes):
    cal = Calendar(
        tz=tz, hours=hours, holidays=holidays, overrides=overrides, day_minutes=day_minutes
    )
    assert parse_calendar(calendar_to_dict(cal)) == cal
    assert hash(parse_calendar(calendar_to_dict(cal))) == hash(cal)


def test_calendar_normalises_and_is_hashable():
    a = Calendar("UTC", hours={0: [(540, 1020)]})
    b = Calendar("UTC", hours={0: ((540, 1020),), 3: ()})
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1


# --- the CLI form -----------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("mon-fri 09:00-17:00", {d: NINE_TO_FIVE for d in range(5)}),
        (
            "mon,wed 09:00-12:00,13:00-17:00",
            {0: ((540, 720), (780, 1020)), 2: ((540, 720), (780, 1020))},
        ),
        ("sat 10:00-14:00", {5: ((600, 840),)}),
        ("sun closed", {6: ()}),
        ("sat-sun 00:00-24:00", {5: ((0, 1440),), 6: ((0, 1440),)}),
        (
            "fri-mon 08:00-12:00",
            {4: ((480, 720),), 5: ((480, 720),), 6: ((480, 720),), 0: ((480, 720),)},
        ),
        (
            "Mon-Thu,Sat 9:00-13:00",
            {
                0: ((540, 780),),
                1: ((540, 780),),
                2: ((540, 780),),
                3: ((540, 780),),
                5: ((540, 780),),
            },
        ),
        ("mon 09:00-12:00, 13:00-17:00", {0: ((540, 720), (780, 1020))}),
        (
            "mon–fri 09:00–17:00",
            {d: NINE_TO_FIVE for d in range(5)},
        ),  # en dashes, as describe_hours prints
        (
            "mon-fri 09:00-17:00; sat 10:00-14:00; sun closed",
            {**{d: NINE_TO_FIVE for d in range(5)}, 5: ((600, 840),), 6: ()},
        ),
    ],
)
def test_parse_hours_spec(spec, expected):
    assert parse_hours_spec(spec) == expected


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("mon-fry 09:00-17:00", 'hours "mon-fry 09:00-17:00": unknown day "fry"'),
        ("09:00-17:00", 'hours "09:00-17:00": expected days and windows'),
        ("mon-fri", 'hours "mon-fri": expected days and windows'),
        ("", 'hours "": empty'),
        ("mon-fri 9-17", 'hours "mon-fri 9-17" window 1 "9-17": times must be HH:MM'),
        (
            "mon 22:00-06:00",
            'window 1 "22:00-06:00": start must be before end; split an overnight shift',
        ),
        ("mon 09:00-25:00", "end must be at most 24:00"),
        ("mon 09:00-12:00,11:00-17:00", 'window 2 "11:00-17:00": overlaps window 1 "09:00-12:00"'),
        ("mon-fri,wed 09:00-17:00", "wed is listed twice"),
        ("mon-fri 09:00-17:00; fri 10:00-12:00", "fri is listed twice"),
        ("mon 09:00", 'window "09:00" is not HH:MM-HH:MM'),
        ("mon-tue-wed 09:00-17:00", "unknown day"),
    ],
)
def test_parse_hours_spec_errors(spec, fragment):
    with pytest.raises(InvalidInput) as err:
        parse_hours_spec(spec)
    message = str(err.value)
    assert fragment in message
    assert message.endswith(
        '"mon,wed 09:00-12:00,13:00-17:00", "sat-sun 10:00-14:00" or "sun closed")'
    )


# --- summaries --------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, text",
    [
        ("mon-fri 09:00-17:00", "Mon–Fri 09:00–17:00"),
        ("mon-fri 09:00-12:00,13:00-17:00", "Mon–Fri 09:00–12:00, 13:00–17:00"),
        ("mon-sun 00:00-24:00", "24×7"),
        ("mon-fri 09:00-17:00; sat 10:00-14:00", "Mon–Fri 09:00–17:00; Sat 10:00–14:00"),
        ("mon-wed,fri 09:00-17:00; thu 09:00-13:00", "Mon–Wed, Fri 09:00–17:00; Thu 09:00–13:00"),
        ("sat 22:00-24:00; sun 00:00-06:00", "Sat 22:00–24:00; Sun 00:00–06:00"),
        ("sun closed", "closed"),
    ],
)
def test_describe_hours(spec, text):
    assert describe_hours(Calendar("UTC", hours=parse_hours_spec(spec))) == text
