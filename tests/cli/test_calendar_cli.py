"""`isvc calendar`: stored business-hours calendars (SLA-SPEC §1).

The desk clock is pinned at Mon 2026-11-23 09:30Z (tests/conftest.py); tests that need
another "now" pass ISVC_NOW for one command.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timezone

import pytest

HINT = ('(use DAYS WINDOWS such as "mon-fri 09:00-17:00", "mon,wed 09:00-12:00,13:00-17:00", '
        '"sat-sun 10:00-14:00" or "sun closed")')
OFFICE = ("--tz", "Europe/Bucharest", "--hours", "mon-fri 09:00-17:00")


def expect_error(result, code: int, message: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""


def show(isvc, name: str, now: str | None = None) -> dict:
    env = {"ISVC_NOW": now} if now else None
    return isvc.json("calendar", "show", name, env=env)


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def package_names(country: str, year: int) -> dict[str, str]:
    import holidays

    return {d.isoformat(): n for d, n in holidays.country_holidays(country, years=[year]).items()}


def calendar_count(isvc_home) -> int:
    path = isvc_home / "isvc.db"
    if not path.exists():
        return 0
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM calendars").fetchone()[0]
    finally:
        conn.close()


# -- add, show, list ---------------------------------------------------------------------


def test_add_and_show(isvc):
    result = isvc("calendar", "add", "ro-office", "--tz", "Europe/Bucharest",
                  "--hours", "mon-fri 09:00-12:00,13:00-17:00", "--hours", "sat 10:00-14:00")
    assert result.stderr == ("Added calendar ro-office: Mon–Fri 09:00–12:00, 13:00–17:00; "
                             "Sat 10:00–14:00, Europe/Bucharest.\n")
    assert result.stdout == ""
    data = show(isvc, "ro-office")
    assert data["tz"] == "Europe/Bucharest" and data["day_minutes"] == 480
    assert data["hours"] == {
        **{d: [["09:00", "12:00"], ["13:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "sat": [["10:00", "14:00"]], "sun": []}
    assert data["week_minutes"] == 5 * 420 + 240
    assert data["holidays"] == [] and data["overrides"] == {} and data["warning"] is None
    assert data["teams"] == []


def test_show_draws_the_week(isvc):
    isvc("calendar", "add", "ro", "--tz", "Europe/Bucharest", "--hours",
         "mon-fri 09:00-12:00,13:00-17:30", "--country", "RO")
    isvc("calendar", "override", "ro", "2026-12-24", "--hours", "09:00-13:00")
    out = plain(isvc("calendar", "show", "ro", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "100"}).stdout)
    assert "Calendar ro · Europe/Bucharest · business day 8h (480 min)" in out
    assert re.search(r"\nMon +09:00–12:00, 13:00–17:30 +7h 30m\n", out), out
    assert re.search(r"\nSun +closed +—\n", out), out
    assert re.search(r"\nweek +37h 30m\n", out), out
    assert "Next holidays" in out and "Mon 30 Nov 2026  Saint Andrew's Day" in out
    assert "Overrides" in out and "Thu 24 Dec 2026  09:00–13:00" in out


def test_24x7_calendars_default_to_a_1440_minute_day(isvc):
    isvc("calendar", "add", "oncall", "--tz", "Europe/Bucharest", "--hours", "mon-sun 00:00-24:00")
    data = show(isvc, "oncall")
    assert data["day_minutes"] == 1440 and data["hours_summary"] == "24×7"
    isvc("calendar", "add", "short", *OFFICE, "--day-minutes", "420")
    assert show(isvc, "short")["day_minutes"] == 420


@pytest.mark.parametrize("args, message", [
    (["--tz", "Europe/Bucharest"], 'give the weekly opening hours, e.g. --hours "mon-fri 09:00-17:00"'),
    (["--tz", "Europe/Nowhere", "--hours", "mon-fri 09:00-17:00"],
     'calendar ro: tz "Europe/Nowhere": unknown time zone (use an IANA zone such as "Europe/Bucharest")'),
    (["--tz", "UTC", "--hours", "mon-fry 09:00-17:00"],
     f'hours "mon-fry 09:00-17:00": unknown day "fry" {HINT}'),
    (["--tz", "UTC", "--hours", "mon 09:00-12:00,11:00-13:00"],
     f'hours "mon 09:00-12:00,11:00-13:00" window 2 "11:00-13:00": overlaps window 1 "09:00-12:00" {HINT}'),
    (["--tz", "UTC", "--hours", "mon 13:00-17:00,09:00-12:00"],
     f'hours "mon 13:00-17:00,09:00-12:00" window 2 "09:00-12:00": windows must be in order '
     f'(it starts before window 1 "13:00-17:00") {HINT}'),
    (["--tz", "UTC", "--hours", "mon 09:00-25:00"],
     f'hours "mon 09:00-25:00" window 1 "09:00-25:00": end must be at most 24:00 {HINT}'),
    (["--tz", "UTC", "--hours", "fri 22:00-06:00"],
     'hours "fri 22:00-06:00" window 1 "22:00-06:00": start must be before end; split an overnight '
     'shift at midnight: ["22:00", "24:00"] on this day and ["00:00", "06:00"] on the next ' + HINT),
    (["--tz", "UTC", "--hours", "mon-fri 09:00-17:00", "--hours", "fri 10:00-12:00"],
     f'hours "mon-fri 09:00-17:00; fri 10:00-12:00": fri is listed twice {HINT}'),
    (["--tz", "UTC", "--hours", "mon-fri 09:00-17:00", "--day-minutes", "0"],
     "calendar ro: day_minutes 0: must be a whole number of minutes from 1 to 1440"),
    (["--tz", "UTC", "--hours", "mon-fri 09:00-17:00", "--country", "XX"],
     "--country XX: the holidays package knows no such country; use an ISO 3166 code such as RO, US or DE"),
    (["--tz", "UTC", "--hours", "mon-fri 09:00-17:00", "--years", "2027"],
     "--subdiv and --years seed public holidays: give --country too"),
    (["--tz", "UTC", "--hours", "mon-fri 09:00-17:00", "--country", "RO", "--years", "27"],
     '--years "27": use a year or a range, e.g. 2027 or 2026-2027'),
])
def test_add_refuses_invalid_calendars(isvc, isvc_home, args, message):
    expect_error(isvc("calendar", "add", "ro", *args, code=None), 2, message)
    assert calendar_count(isvc_home) == 0


def test_add_refuses_a_bad_name_and_a_duplicate(isvc):
    expect_error(isvc("calendar", "add", "RO office", *OFFICE, code=None), 2,
                 "calendar name 'RO office' is not a valid handle; a handle is 1-32 lower-case "
                 "letters, digits, '.', '_' or '-', starting with a letter")
    isvc("calendar", "add", "ro", *OFFICE)
    expect_error(isvc("calendar", "add", "ro", *OFFICE, code=None), 2,
                 "calendar 'ro' already exists; change it with `isvc calendar edit ro` or replace "
                 "it with `isvc calendar import`")


def test_unknown_calendars_are_not_found(isvc):
    isvc("calendar", "add", "ro-office", *OFFICE)
    for args in (["show", "ro-ofice"], ["export", "ro-ofice"], ["edit", "ro-ofice", "--tz", "UTC"],
                 ["holiday", "add", "ro-ofice", "2026-12-24"]):
        expect_error(isvc("calendar", *args, code=None), 3,
                     "no calendar 'ro-ofice' (did you mean 'ro-office'?); see `isvc calendar list`")


def test_list(isvc):
    isvc("calendar", "add", "ro", *OFFICE, "--country", "RO", "--years", "2026")
    isvc("calendar", "add", "oncall", "--tz", "UTC", "--hours", "mon-sun 00:00-24:00")
    rows = isvc.json("calendar", "list")
    assert rows == [
        {"name": "oncall", "tz": "UTC", "hours": "24×7", "day_minutes": 1440, "holiday_count": 0,
         "last_holiday": None, "teams": []},
        {"name": "ro", "tz": "Europe/Bucharest", "hours": "Mon–Fri 09:00–17:00", "day_minutes": 480,
         "holiday_count": len(package_names("RO", 2026)), "last_holiday": "2026-12-26", "teams": []},
    ]
    tsv = isvc("calendar", "list").stdout.splitlines()
    assert tsv[1].split("\t")[:3] == ["ro", "Europe/Bucharest", "Mon–Fri 09:00–17:00"]
    table = plain(isvc("calendar", "list", env={"ISVC_FORCE_TABLE": "1"}).stdout)
    assert "last holiday" in table and "2026-12-26" in table


def test_list_when_empty(isvc):
    assert isvc.json("calendar", "list") == []


# -- holidays ------------------------------------------------------------------------------


def test_seeding_romania_2026_keeps_the_names(isvc):
    result = isvc("calendar", "add", "ro", *OFFICE, "--country", "RO", "--years", "2026")
    expected = package_names("RO", 2026)
    assert f"; {len(expected)} holidays from RO." in result.stderr
    holidays = {h["date"]: h["name"] for h in show(isvc, "ro")["holidays"]}
    assert holidays == expected
    assert "2026-12-25" in holidays and "2026-01-01" in holidays
    assert holidays["2026-12-25"] == "Christmas Day"
    assert holidays["2026-01-01"] == "New Year's Day"


def test_default_years_are_this_year_and_next_by_the_desk_clock(isvc):
    isvc("calendar", "add", "ro", *OFFICE, "--country", "RO")
    years = {h["date"][:4] for h in show(isvc, "ro")["holidays"]}
    assert years == {"2026", "2027"}
    isvc("calendar", "add", "ro-later", *OFFICE, "--country", "RO",
         env={"ISVC_NOW": "2028-02-01T10:00:00Z"})
    assert {h["date"][:4] for h in show(isvc, "ro-later")["holidays"]} == {"2028", "2029"}


def test_stored_dates_win_over_the_package(isvc):
    isvc("calendar", "add", "ro", *OFFICE, "--country", "RO", "--years", "2026")
    result = isvc("calendar", "holiday", "remove", "ro", "2026-12-25")
    assert result.stderr == "Removed holiday 2026-12-25 from calendar ro.\n"
    assert "2026-12-25" not in {h["date"] for h in show(isvc, "ro")["holidays"]}
    # seeding another year neither brings it back nor touches 2026
    result = isvc("calendar", "holiday", "seed", "ro", "--country", "RO", "--years", "2027")
    assert result.stderr == f"Added {len(package_names('RO', 2027))} holidays from RO to calendar ro.\n"
    dates = {h["date"] for h in show(isvc, "ro")["holidays"]}
    assert "2026-12-25" not in dates and "2027-12-25" in dates
    # a stored name wins over the package's
    isvc("calendar", "holiday", "add", "ro", "2027-12-25", "--name", "Crăciunul")
    result = isvc("calendar", "holiday", "seed", "ro", "--country", "RO", "--years", "2027")
    assert result.stderr == "Added 0 holidays from RO to calendar ro.\n"
    names = {h["date"]: h["name"] for h in show(isvc, "ro")["holidays"]}
    assert names["2027-12-25"] == "Crăciunul"


def test_seed_never_removes_and_takes_a_subdivision(isvc):
    isvc("calendar", "add", "ny", "--tz", "America/New_York", "--hours", "mon-fri 09:00-17:00")
    isvc("calendar", "holiday", "add", "ny", "2026-12-24", "--name", "Office party")
    isvc("calendar", "holiday", "seed", "ny", "--country", "us", "--subdiv", "NY", "--years", "2026")
    names = {h["date"]: h["name"] for h in show(isvc, "ny")["holidays"]}
    assert names["2026-12-24"] == "Office party"
    assert names["2026-07-03"] == "Independence Day (observed)"
    assert "2026-02-12" in names  # Lincoln's Birthday: New York only
    expect_error(isvc("calendar", "holiday", "seed", "ny", "--country", "US", "--subdiv", "ZZ",
                      code=None), 2,
                 "--subdiv ZZ: US has no such subdivision (known: AK, AL, AR, AS, AZ, CA, CO, CT, "
                 "DC, DE, FL, GA, GU, HI, IA, ID, IL, IN, KS, KY, LA, MA, MD, ME, MI, MN, MO, MP, "
                 "MS, MT, NC, ND, NE, NH, NJ, NM, NV, NY, OH, OK, OR, PA, PR, RI, SC, SD, TN, TX, "
                 "UM, UT, VA, VI, VT, WA, WI, WV, WY)")
    missing = isvc("calendar", "holiday", "seed", "ny", code=2)
    assert "--country" in missing.stderr


def test_holiday_add_and_remove(isvc):
    isvc("calendar", "add", "ro", *OFFICE)
    result = isvc("calendar", "holiday", "add", "ro", "2026-12-24", "--name", "Christmas Eve")
    assert result.stderr == "Added holiday 2026-12-24 (Christmas Eve) to calendar ro.\n"
    result = isvc("calendar", "holiday", "add", "ro", "2026-12-24", "--name", "Ajunul")
    assert result.stderr == "Holiday 2026-12-24 (Ajunul) to calendar ro.\n"
    isvc("calendar", "holiday", "add", "ro", "2026-12-31")
    assert show(isvc, "ro")["holidays"] == [{"date": "2026-12-24", "name": "Ajunul"},
                                            {"date": "2026-12-31", "name": None}]
    expect_error(isvc("calendar", "holiday", "add", "ro", "24.12.2026", code=None), 2,
                 'date "24.12.2026": not a date (use YYYY-MM-DD)')
    expect_error(isvc("calendar", "holiday", "add", "ro", "2026-02-30", code=None), 2,
                 'date "2026-02-30": not a date (use YYYY-MM-DD)')
    expect_error(isvc("calendar", "holiday", "remove", "ro", "2026-12-25", code=None), 3,
                 "2026-12-25 is not a holiday of calendar ro; see `isvc calendar show ro`")
    isvc("calendar", "holiday", "remove", "ro", "2026-12-24")
    # the name goes with the date: adding it back starts without one
    isvc("calendar", "holiday", "add", "ro", "2026-12-24")
    assert show(isvc, "ro")["holidays"][0] == {"date": "2026-12-24", "name": None}


# -- the 60-day warning ----------------------------------------------------------------------

WARNING = ("Warning: holidays end on 2026-12-26; add next year's with "
           "`isvc calendar holiday seed ro --country RO --years 2027`\n")


def test_warning_when_holidays_run_out_within_60_days(isvc):
    isvc("calendar", "add", "ro", *OFFICE, "--country", "RO", "--years", "2026",
         env={"ISVC_NOW": "2026-06-01T09:00:00Z"})
    # 2026-10-26 + 60 days = 2026-12-25: a holiday after that is left, no warning
    quiet = isvc("calendar", "show", "ro", "--json", env={"ISVC_NOW": "2026-10-26T09:00:00Z"})
    assert quiet.stderr == "" and '"warning": null' in quiet.stdout
    # 2026-10-27 + 60 days = 2026-12-26, the last holiday: none is left beyond, warn
    loud = isvc("calendar", "show", "ro", "--json", env={"ISVC_NOW": "2026-10-27T09:00:00Z"})
    assert loud.stderr == WARNING
    assert show(isvc, "ro")["warning"] == WARNING.removeprefix("Warning: ").rstrip("\n")
    # seeding next year makes it go away
    result = isvc("calendar", "holiday", "seed", "ro", "--country", "RO", "--years", "2027")
    assert "Warning" not in result.stderr
    assert isvc("calendar", "show", "ro").stderr == ""


def test_warning_after_a_seed_that_does_not_reach_far_enough(isvc):
    isvc("calendar", "add", "ro", *OFFICE)
    result = isvc("calendar", "holiday", "seed", "ro", "--country", "RO", "--years", "2026")
    assert result.stderr.endswith(WARNING)


def test_warning_function_for_sla_check():
    from isvc.domain.calendar import Calendar, parse_hours_spec
    from isvc.services.calendars import warn_if_holidays_run_out

    hours = parse_hours_spec("mon-fri 09:00-17:00")
    now = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
    ny = Calendar(tz="America/New_York", hours=hours, holidays=frozenset({date(2026, 12, 25)}))
    assert warn_if_holidays_run_out("ny", ny, now) == (
        "holidays end on 2026-12-25; add next year's with "
        "`isvc calendar holiday seed ny --country US --years 2027`")
    assert warn_if_holidays_run_out("ny", ny, now, country="CA").endswith("--country CA --years 2027`")
    assert warn_if_holidays_run_out("ny", ny, datetime(2026, 9, 1, tzinfo=timezone.utc)) is None
    # long stale: seed from this year on
    old = Calendar(tz="UTC", hours=hours, holidays=frozenset({date(2024, 12, 25)}))
    assert warn_if_holidays_run_out("x", old, now).endswith("--country CC --years 2026-2027`")
    # no holidays at all (a 24x7 on-call calendar): nothing runs out
    assert warn_if_holidays_run_out("x", Calendar(tz="UTC", hours=hours), now) is None


# -- edit and override ------------------------------------------------------------------------


def test_edit(isvc):
    isvc("calendar", "add", "ro", *OFFICE, "--hours", "sat 10:00-14:00")
    result = isvc("calendar", "edit", "ro", "--hours", "mon-thu 09:00-17:00", "--hours", "fri 09:00-14:00")
    assert result.stderr == ("Calendar ro: Mon–Thu 09:00–17:00; Fri 09:00–14:00, Europe/Bucharest, "
                             "day 480 min.\n")
    data = show(isvc, "ro")
    assert data["hours"]["sat"] == [] and data["hours"]["fri"] == [["09:00", "14:00"]]
    isvc("calendar", "edit", "ro", "--tz", "Europe/London", "--day-minutes", "450")
    data = show(isvc, "ro")
    assert (data["tz"], data["day_minutes"], data["hours"]["mon"]) == (
        "Europe/London", 450, [["09:00", "17:00"]])
    expect_error(isvc("calendar", "edit", "ro", code=None), 2,
                 "nothing to change; give --tz, --hours or --day-minutes")
    expect_error(isvc("calendar", "edit", "ro", "--tz", "Mars/Base", code=None), 2,
                 'calendar ro: tz "Mars/Base": unknown time zone (use an IANA zone such as "Europe/Bucharest")')
    expect_error(isvc("calendar", "edit", "ro", "--day-minutes", "1441", code=None), 2,
                 "calendar ro: day_minutes 1441: must be a whole number of minutes from 1 to 1440")
    assert show(isvc, "ro")["tz"] == "Europe/London"


def test_override(isvc):
    isvc("calendar", "add", "ro", *OFFICE, "--country", "RO", "--years", "2026")
    result = isvc("calendar", "override", "ro", "2026-12-24", "--hours", "09:00-13:00")
    assert result.stderr == "Calendar ro on 2026-12-24: 09:00–13:00.\n"
    isvc("calendar", "override", "ro", "2026-12-28", "--hours", "closed")
    isvc("calendar", "override", "ro", "2026-12-26", "--hours", "10:00-12:00, 13:00-15:00")  # a make-up Saturday
    isvc("calendar", "override", "ro", "2026-01-05", "--hours", "closed")  # in the past
    data = show(isvc, "ro")
    assert data["overrides"] == {"2026-01-05": [], "2026-12-24": [["09:00", "13:00"]],
                                 "2026-12-26": [["10:00", "12:00"], ["13:00", "15:00"]],
                                 "2026-12-28": []}
    assert list(data["upcoming_overrides"]) == ["2026-12-24", "2026-12-26", "2026-12-28"]
    result = isvc("calendar", "override", "ro", "2026-12-28", "--remove")
    assert result.stderr == "Removed the override of 2026-12-28 from calendar ro.\n"
    assert "2026-12-28" not in show(isvc, "ro")["overrides"]


@pytest.mark.parametrize("args, code, message", [
    (["2026-12-24"], 2, 'give --hours "09:00-13:00" (or --hours closed), or --remove'),
    (["2026-12-24", "--hours", "closed", "--remove"], 2, "give --hours or --remove, not both"),
    (["2026-12-24", "--remove"], 3, "calendar ro has no override on 2026-12-24; see `isvc calendar show ro`"),
    (["2026-12-24", "--hours", "13:00-09:00"], 2,
     'calendar ro: overrides.2026-12-24 window 1 "13:00-09:00": start must be before end; split an '
     'overnight shift at midnight: ["13:00", "24:00"] on this day and ["00:00", "09:00"] on the next'),
    (["2026-12-24", "--hours", "09:00-12:00,11:00-13:00"], 2,
     'calendar ro: overrides.2026-12-24 window 2 "11:00-13:00": overlaps window 1 "09:00-12:00"'),
    (["2026-12-24", "--hours", "9-13"], 2,
     'calendar ro: overrides.2026-12-24 window 1 "9-13": times must be HH:MM (00:00 to 24:00)'),
    (["2026-12-24", "--hours", "09:00"], 2,
     '--hours "09:00": window "09:00" is not HH:MM-HH:MM (use e.g. "09:00-13:00", '
     '"09:00-12:00,13:00-17:00" or "closed")'),
    (["24/12/2026", "--hours", "closed"], 2, 'date "24/12/2026": not a date (use YYYY-MM-DD)'),
])
def test_override_refuses_bad_input(isvc, args, code, message):
    isvc("calendar", "add", "ro", *OFFICE)
    expect_error(isvc("calendar", "override", "ro", *args, code=None), code, message)
    assert show(isvc, "ro")["overrides"] == {}


# -- import and export ------------------------------------------------------------------------


def test_export_import_round_trip(isvc, tmp_path):
    isvc("calendar", "add", "ro", "--tz", "Europe/Bucharest", "--hours",
         "mon-fri 09:00-12:00,13:00-17:00", "--hours", "sat 10:00-14:00", "--country", "RO",
         "--years", "2026", "--day-minutes", "420")
    isvc("calendar", "override", "ro", "2026-12-24", "--hours", "09:00-13:00")
    isvc("calendar", "holiday", "add", "ro", "2026-12-31")  # no name
    text = isvc("calendar", "export", "ro").stdout
    assert 'mon = [["09:00", "12:00"], ["13:00", "17:00"]]' in text
    assert "sun = []" in text and '"2026-12-24" = [["09:00", "13:00"]]' in text

    import tomllib

    data = tomllib.loads(text)
    assert data["holiday_names"]["2026-12-25"] == "Christmas Day"
    assert "2026-12-31" in data["holidays"] and "2026-12-31" not in data["holiday_names"]

    path = tmp_path / "ro.toml"
    path.write_text(text, encoding="utf-8")
    result = isvc("calendar", "import", "ro-copy", str(path))
    assert result.stderr.startswith(f"Created calendar ro-copy from {path}: ")
    copy = isvc("calendar", "export", "ro-copy").stdout
    assert copy.replace("ro-copy", "ro") == text
    original, imported = show(isvc, "ro"), show(isvc, "ro-copy")
    for key in ("tz", "day_minutes", "hours", "holidays", "overrides"):
        assert original[key] == imported[key], key


def test_import_replaces_and_validates_first(isvc, isvc_home, tmp_path):
    isvc("calendar", "add", "ro", *OFFICE, "--country", "RO", "--years", "2026")
    good = tmp_path / "ro.toml"
    good.write_text('tz = "Europe/Bucharest"\nday_minutes = 450\nholidays = ["2026-12-25"]\n'
                    '[hours]\nmon = [["08:00", "16:00"]]\n[holiday_names]\n"2026-12-25" = "Crăciun"\n',
                    encoding="utf-8")
    result = isvc("calendar", "import", "ro", str(good))
    assert result.stderr == (f"Replaced calendar ro from {good}: Mon 08:00–16:00, Europe/Bucharest, "
                             "1 holiday.\nWarning: holidays end on 2026-12-25; add next year's with "
                             "`isvc calendar holiday seed ro --country RO --years 2027`\n")
    data = show(isvc, "ro")
    assert data["holidays"] == [{"date": "2026-12-25", "name": "Crăciun"}]
    assert data["day_minutes"] == 450 and data["hours"]["tue"] == []

    bad = tmp_path / "bad.toml"
    for text, message in [
        ('tz = "Europe/Bucharest"\n[hours]\nmon = [["09:00", "12:00"], ["11:00", "17:00"]]\n',
         'hours.mon window 2 "11:00-17:00": overlaps window 1 "09:00-12:00"'),
        ('tz = "Europe/Bucharest"\nholidays = ["2026-12-32"]\n',
         'holidays item 1 "2026-12-32": not a date (use YYYY-MM-DD)'),
        ('tz = "Europe/Bucharest"\n[hours]\nmon = ["09:00", "17:00"]\n',
         'hours.mon: expected a list of windows, write [["09:00", "17:00"]]'),
        ('tz = "Europe/Bucharest"\n[holiday_names]\n"2026-12-25" = "Christmas Day"\n',
         'holiday_names."2026-12-25": not one of the holidays'),
        ('[hours]\nmon = [["09:00", "17:00"]]\n',
         'missing "tz" (an IANA zone such as "Europe/Bucharest")'),
    ]:
        bad.write_text(text, encoding="utf-8")
        expect_error(isvc("calendar", "import", "ro", str(bad), code=None), 2, f"{bad}: {message}")
    assert show(isvc, "ro") == data
    expect_error(isvc("calendar", "import", "new", str(tmp_path / "missing.toml"), code=None), 2,
                 f"cannot read calendar file {tmp_path / 'missing.toml'}: No such file or directory")
    assert calendar_count(isvc_home) == 1


# -- admins, the audit log, and the clocks a calendar governs ------------------------------------


def test_only_admins_change_calendars(quick_desk, db):
    isvc = quick_desk
    isvc("--as", "boss", "calendar", "add", "ro", *OFFICE)
    denied = "only an admin (boss) may change calendars; you are jim"
    for args in (["add", "ro2", *OFFICE], ["edit", "ro", "--tz", "UTC"],
                 ["holiday", "add", "ro", "2026-12-25"], ["override", "ro", "2026-12-24", "--hours", "closed"],
                 ["holiday", "seed", "ro", "--country", "RO"]):
        expect_error(isvc("--as", "jim", "calendar", *args, code=None), 2, denied)
    # anyone may look
    assert isvc.json("--as", "jim", "calendar", "show", "ro")["tz"] == "Europe/Bucharest"
    actions = [row[0] for row in db.query("SELECT action FROM audit_log WHERE subject = 'ro' ORDER BY id")]
    assert actions == ["calendar.add"]


def test_changes_are_audited(isvc, db, tmp_path):
    isvc("calendar", "add", "ro", *OFFICE)
    isvc("calendar", "edit", "ro", "--day-minutes", "420")
    isvc("calendar", "holiday", "add", "ro", "2026-12-25", "--name", "Christmas Day")
    isvc("calendar", "holiday", "remove", "ro", "2026-12-25")
    isvc("calendar", "holiday", "seed", "ro", "--country", "RO", "--years", "2026")
    isvc("calendar", "override", "ro", "2026-12-24", "--hours", "09:00-13:00")
    isvc("calendar", "override", "ro", "2026-12-24", "--remove")
    path = tmp_path / "ro.toml"
    path.write_text(isvc("calendar", "export", "ro").stdout, encoding="utf-8")
    isvc("calendar", "import", "ro", str(path))
    actions = [row[0] for row in db.query("SELECT action FROM audit_log WHERE subject = 'ro' ORDER BY id")]
    assert actions == ["calendar.add", "calendar.edit", "calendar.holiday_add",
                       "calendar.holiday_remove", "calendar.seed", "calendar.override",
                       "calendar.override_remove", "calendar.import"]


def test_editing_a_calendar_recomputes_the_open_requests_it_governs(quick_desk, db):
    isvc = quick_desk
    isvc("--as", "boss", "calendar", "add", "ro", *OFFICE)
    isvc("--as", "boss", "agreement", "add", "it-standard", "--provider", "it", "--calendar", "ro",
         "--response", "urgent=1h,high=4h,normal=1d,low=2d",
         "--resolution", "urgent=4h,high=2d,normal=5d,low=10d")
    # filed Mon 23 Nov 09:30Z = 11:30 in Bucharest; normal: first response in 1d = 480 min
    isvc("--as", "ana", "request", "new", "VPN drops", "--team", "it")
    assert db.scalar("SELECT fr_due_at FROM requests WHERE number = 1") == "2026-11-24T09:30:00Z"
    assert isvc.json("calendar", "list")[0]["teams"] == ["it"]
    assert show(isvc, "ro")["teams"] == ["it"]
    # Tuesday becomes a holiday a minute later: the first response moves to Wednesday
    result = isvc("--as", "boss", "calendar", "holiday", "add", "ro", "2026-11-24",
                  env={"ISVC_NOW": "2026-11-23T09:31:00Z"})
    assert result.stderr.endswith("Recomputed the clocks of 1 open request.\n")
    assert db.scalar("SELECT fr_due_at FROM requests WHERE number = 1") == "2026-11-25T09:30:00Z"
    # a change that moves nothing says nothing about clocks
    result = isvc("--as", "boss", "calendar", "holiday", "add", "ro", "2027-06-01",
                  env={"ISVC_NOW": "2026-11-23T09:32:00Z"})
    assert "Recomputed" not in result.stderr
