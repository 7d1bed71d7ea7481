"""`isvc sla due|elapsed|status`: the business-time calculator through the CLI (SLA-SPEC §2–§8).

Calendar files are written per test; the calculator must never open (or create) the
database when it is given one. Due instants are compared as printed: ISO-8601 in the
calendar's zone with that instant's own offset.
"""

from __future__ import annotations

import pytest

OFFICE_RO = """\
tz = "Europe/Bucharest"
[hours]
mon = [["09:00", "17:00"]]
tue = [["09:00", "17:00"]]
wed = [["09:00", "17:00"]]
thu = [["09:00", "17:00"]]
fri = [["09:00", "17:00"]]
"""

LUNCH_RO = """\
tz = "Europe/Bucharest"
[hours]
mon = [["09:00", "12:00"], ["13:00", "17:00"]]
tue = [["09:00", "12:00"], ["13:00", "17:00"]]
wed = [["09:00", "12:00"], ["13:00", "17:00"]]
thu = [["09:00", "12:00"], ["13:00", "17:00"]]
fri = [["09:00", "12:00"], ["13:00", "17:00"]]
"""


def always(tz: str) -> str:
    days = "\n".join(f'{d} = [["00:00", "24:00"]]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    return f'tz = "{tz}"\nday_minutes = 1440\n[hours]\n{days}\n'


@pytest.fixture
def cal(tmp_path):
    """``cal(text)`` -> the path of a calendar file holding ``text``."""
    made: dict[str, str] = {}

    def write(text: str = OFFICE_RO) -> str:
        if text not in made:
            path = tmp_path / f"calendar-{len(made)}.toml"
            path.write_text(text, encoding="utf-8")
            made[text] = str(path)
        return made[text]

    return write


@pytest.fixture(autouse=True)
def no_database_is_created(isvc_home, request):
    """With a calendar file the calculator is pure: no database appears in ISVC_HOME."""
    yield
    if "with_database" not in request.fixturenames:
        assert not (isvc_home / "isvc.db").exists()


@pytest.fixture
def with_database():
    """Marks a test that stores calendars (and so creates the database)."""


def expect_error(result, code: int, message: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""


def due(isvc, path: str, created: str, target: str, *pauses: str) -> str:
    args = ["sla", "due", "--calendar", path, "--created", created, "--target", target]
    for p in pauses:
        args += ["--pause", p]
    return isvc(*args).stdout.strip()


def status(isvc, path: str, created: str, target: str, now: str, *extra: str) -> dict:
    return isvc.json("sla", "status", "--calendar", path, "--created", created, "--target", target,
                     "--now", now, *extra)


# -- §5 due: the spec's worked examples --------------------------------------------------


def test_created_on_saturday_counts_from_monday_opening(isvc, cal):
    # Sat 13:15 + 120 -> Mon 11:00 [RT-starts][BTD]
    assert due(isvc, cal(), "2025-11-15T13:15:00+02:00", "120") == "2025-11-17T11:00:00+02:00"


def test_target_used_up_at_a_window_end_is_due_at_that_end(isvc, cal):
    assert due(isvc, cal(), "2025-11-14T09:00:00+02:00", "480") == "2025-11-14T17:00:00+02:00"
    # lunch break: 11:00 + 60 -> 12:00, not 13:00
    assert due(isvc, cal(LUNCH_RO), "2025-11-13T11:00:00+02:00", "60") == "2025-11-13T12:00:00+02:00"
    assert due(isvc, cal(LUNCH_RO), "2025-11-13T11:00:00+02:00", "61") == "2025-11-13T13:01:00+02:00"


def test_weekend_dst_changes_only_change_the_printed_offset(isvc, cal):
    # March: Fri 16:00+02:00 + 120 -> Mon 10:00+03:00 (spec §2)
    assert due(isvc, cal(), "2025-03-28T16:00:00+02:00", "2h") == "2025-03-31T10:00:00+03:00"
    # October: Fri 16:00+03:00 + 120 -> Mon 10:00+02:00
    assert due(isvc, cal(), "2025-10-24T16:00:00+03:00", "2h") == "2025-10-27T10:00:00+02:00"


def test_the_input_offset_is_irrelevant(isvc, cal):
    assert due(isvc, cal(), "2025-03-28T14:00:00Z", "2h") == "2025-03-31T10:00:00+03:00"
    assert due(isvc, cal(), "2025-03-28T09:00:00-05:00", "2h") == "2025-03-31T10:00:00+03:00"


def test_the_second_of_two_repeated_wall_times_prints_its_own_offset(isvc, cal):
    # New York falls back at 02:00 EDT: 01:00-04:00 + 90 real minutes is the second 01:30.
    ny = cal(always("America/New_York"))
    assert due(isvc, ny, "2025-11-02T01:00:00-04:00", "90") == "2025-11-02T01:30:00-05:00"
    assert due(isvc, ny, "2025-11-02T01:00:00-04:00", "30") == "2025-11-02T01:30:00-04:00"


def test_json_due_and_paused(isvc, cal):
    out = isvc.json("sla", "due", "--calendar", cal(), "--created", "2025-11-14T09:00:00+02:00",
                    "--target", "1d")
    assert out == {"due": "2025-11-14T17:00:00+02:00"}
    # an open-ended pause before the target is reached: no due time
    args = ("sla", "due", "--calendar", cal(), "--created", "2025-11-14T09:00:00+02:00",
            "--target", "4h", "--pause", "2025-11-14T10:00:00+02:00/")
    assert isvc(*args).stdout == "paused\n"
    assert isvc.json(*args) == {"due": None}
    # ... but one that starts at or after the due instant does not move it
    assert due(isvc, cal(), "2025-11-14T09:00:00+02:00", "4h", "2025-11-14T13:00:00+02:00/") == (
        "2025-11-14T13:00:00+02:00")


def test_a_pause_moves_due_by_the_business_time_it_covers(isvc, cal):
    # §6: pause Thu 15:00 -> Mon 10:00 removes Thu 15-17 and Mon 09-10, not its wall length.
    created = "2025-11-13T09:00:00+02:00"
    assert due(isvc, cal(), created, "8h") == "2025-11-13T17:00:00+02:00"
    assert due(isvc, cal(), created, "8h", "2025-11-13T15:00:00+02:00/2025-11-17T10:00:00+02:00") == (
        "2025-11-17T12:00:00+02:00")
    # overlapping pauses merge; a pause over closed hours changes nothing
    assert due(isvc, cal(), created, "8h", "2025-11-13T15:00:00+02:00/2025-11-14T09:30:00+02:00",
               "2025-11-14T09:00:00+02:00/2025-11-14T10:00:00+02:00",
               "2025-11-15T10:00:00+02:00/2025-11-16T10:00:00+02:00") == "2025-11-14T12:00:00+02:00"


@pytest.mark.parametrize("target, expected", [
    ("90m", "2025-11-12T15:00:00+02:00"),
    ("90", "2025-11-12T15:00:00+02:00"),
    ("1h30m", "2025-11-12T15:00:00+02:00"),
    ("4h", "2025-11-13T09:30:00+02:00"),
    ("1d", "2025-11-13T13:30:00+02:00"),  # Wed 13:30 + 1d -> Thu 13:30 (§4)
    ("2d", "2025-11-14T13:30:00+02:00"),
    ("1d4h", "2025-11-14T09:30:00+02:00"),
])
def test_target_units(isvc, cal, target, expected):
    assert due(isvc, cal(), "2025-11-12T13:30:00+02:00", target) == expected


def test_a_business_day_is_the_calendars_day_minutes(isvc, cal):
    short = cal(OFFICE_RO.replace('tz = "Europe/Bucharest"\n', 'tz = "Europe/Bucharest"\nday_minutes = 420\n'))
    # 1d = 420 minutes: Wed 09:00 + 1d -> Wed 16:00, not Thu 09:00
    assert due(isvc, short, "2025-11-12T09:00:00+02:00", "1d") == "2025-11-12T16:00:00+02:00"


# -- §3 elapsed ----------------------------------------------------------------------------


def elapsed(isvc, path: str, start: str, end: str, *pauses: str) -> int:
    args = ["sla", "elapsed", "--calendar", path, "--start", start, "--end", end]
    for p in pauses:
        args += ["--pause", p]
    return int(isvc(*args).stdout)


def test_elapsed_across_a_weekend_and_the_march_change(isvc, cal):
    assert elapsed(isvc, cal(), "2025-03-28T16:00:00+02:00", "2025-03-31T10:00:00+03:00") == 120
    out = isvc.json("sla", "elapsed", "--calendar", cal(), "--start", "2025-03-28T16:00:00+02:00",
                    "--end", "2025-03-31T10:00:00+03:00")
    assert out == {"elapsed_business_minutes": 120}


def test_elapsed_is_real_time_on_dst_days(isvc, cal):
    ro = cal(always("Europe/Bucharest"))
    assert elapsed(isvc, ro, "2025-03-30T00:00:00+02:00", "2025-03-31T00:00:00+03:00") == 1380
    assert elapsed(isvc, ro, "2025-10-26T00:00:00+03:00", "2025-10-27T00:00:00+02:00") == 1500
    # NY Sunday window 01:30-02:30: the repeated hour counts twice, the skipped one not at all
    ny = cal('tz = "America/New_York"\n[hours]\nsun = [["01:30", "02:30"]]\n')
    assert elapsed(isvc, ny, "2025-11-02T00:00:00-04:00", "2025-11-03T00:00:00-05:00") == 90
    assert elapsed(isvc, ny, "2025-03-09T00:00:00-05:00", "2025-03-10T00:00:00-04:00") == 30


def test_elapsed_floors_minutes_and_skips_pauses(isvc, cal):
    assert elapsed(isvc, cal(), "2025-11-12T09:00:30+02:00", "2025-11-12T09:02:00+02:00") == 1
    assert elapsed(isvc, cal(), "2025-11-12T10:00:00+02:00", "2025-11-12T10:00:00+02:00") == 0
    assert elapsed(isvc, cal(), "2025-11-12T09:00:00+02:00", "2025-11-12T17:00:00+02:00",
                   "2025-11-12T10:00:00+02:00/2025-11-12T11:30:00+02:00") == 390
    assert elapsed(isvc, cal(LUNCH_RO), "2025-11-12T09:00:00+02:00", "2025-11-12T17:00:00+02:00") == 420


# -- §8 status -----------------------------------------------------------------------------

CREATED = "2025-11-14T09:00:00+02:00"  # a Friday; 8h is due at 17:00


def test_status_states(isvc, cal):
    on_track = status(isvc, cal(), CREATED, "8h", "2025-11-14T10:00:00+02:00")
    assert on_track == {"due": "2025-11-14T17:00:00+02:00", "elapsed_business_minutes": 60,
                        "remaining_business_minutes": 420, "state": "on_track", "paused": False}
    # 80 % of 480 = 384 minutes: at risk from 15:24
    assert status(isvc, cal(), CREATED, "8h", "2025-11-14T15:23:00+02:00")["state"] == "on_track"
    assert status(isvc, cal(), CREATED, "8h", "2025-11-14T15:24:00+02:00")["state"] == "at_risk"
    assert status(isvc, cal(), CREATED, "8h", "2025-11-14T15:00:00+02:00",
                  "--at-risk-percent", "50")["state"] == "at_risk"


def test_breach_is_strict_and_counts_wall_time_after_due(isvc, cal):
    # a reply at the due instant is on time: at 17:00 the clock is not breached yet ...
    at_due = status(isvc, cal(), CREATED, "8h", "2025-11-14T17:00:00+02:00")
    assert at_due["state"] == "at_risk" and at_due["remaining_business_minutes"] == 0
    # ... at 17:30 it is, though no business minute passed since 17:00
    late = status(isvc, cal(), CREATED, "8h", "2025-11-14T17:30:00+02:00")
    assert late == {"due": "2025-11-14T17:00:00+02:00", "elapsed_business_minutes": 480,
                    "remaining_business_minutes": 0, "state": "breached", "paused": False}
    overrun = status(isvc, cal(), CREATED, "8h", "2025-11-17T10:00:00+02:00")
    assert overrun["state"] == "breached" and overrun["remaining_business_minutes"] == -60


def test_stopped_clocks_are_met_or_breached(isvc, cal):
    met = status(isvc, cal(), CREATED, "8h", "2025-11-20T10:00:00+02:00",
                 "--stopped-at", "2025-11-14T17:00:00+02:00")
    assert met["state"] == "met" and met["elapsed_business_minutes"] == 480
    missed = status(isvc, cal(), CREATED, "8h", "2025-11-20T10:00:00+02:00",
                    "--stopped-at", "2025-11-17T09:01:00+02:00")
    assert missed["state"] == "breached" and missed["remaining_business_minutes"] == -1


def test_status_while_paused(isvc, cal):
    out = status(isvc, cal(), CREATED, "8h", "2025-11-14T12:00:00+02:00",
                 "--pause", "2025-11-14T11:00:00+02:00/")
    assert out == {"due": None, "elapsed_business_minutes": 120,
                   "remaining_business_minutes": 360, "state": "on_track", "paused": True}
    closed = status(isvc, cal(), CREATED, "8h", "2025-11-14T12:00:00+02:00",
                    "--pause", "2025-11-14T10:00:00+02:00/2025-11-14T11:00:00+02:00")
    assert closed["due"] == "2025-11-17T10:00:00+02:00" and closed["paused"] is False


def test_status_reads_as_a_sentence_without_json(isvc, cal):
    out = isvc("sla", "status", "--calendar", cal(), "--created", CREATED, "--target", "8h",
               "--now", "2025-11-14T17:30:00+02:00").stdout
    assert out == ("breached: 480 of 480 business minutes used, 0 left; "
                   "due 2025-11-14T17:00:00+02:00\n")
    out = isvc("sla", "status", "--calendar", cal(), "--created", CREATED, "--target", "8h",
               "--now", "2025-11-14T12:00:00+02:00", "--pause", "2025-11-14T11:00:00+02:00/").stdout
    assert out == ("on_track, paused: 120 of 480 business minutes used, 360 left; "
                   "no due time while paused\n")
    out = isvc("sla", "status", "--calendar", cal(), "--created", CREATED, "--target", "1h",
               "--now", "2025-11-14T11:00:00+02:00").stdout
    assert out == "breached: 120 of 60 business minutes used, 60 over; due 2025-11-14T10:00:00+02:00\n"


# -- bad input: exit 2 with the engine's message -----------------------------------------

FORMS = "use a whole number with m, h or d, e.g. 90m, 4h, 2d or 1h30m (a plain number is minutes)"


@pytest.mark.parametrize("args, message", [
    (["--created", "2025-11-14T09:00:00", "--target", "1h"],
     'naive timestamp "2025-11-14T09:00:00": add an offset or Z (e.g. 2025-11-14T09:00:00Z)'),
    (["--created", "yesterday", "--target", "1h"],
     'timestamp "yesterday": not ISO-8601 (use e.g. 2025-03-28T16:00:00+02:00 or 2025-03-28T14:00:00Z)'),
    (["--created", CREATED, "--target", "0"], f'target "0": must be more than zero ({FORMS})'),
    (["--created", CREATED, "--target", "0h"], f'target "0h": must be more than zero ({FORMS})'),
    (["--created", CREATED, "--target=-30"], f'target "-30": {FORMS}'),
    (["--created", CREATED, "--target", "1.5h"], f'target "1.5h": {FORMS}'),
    (["--created", CREATED, "--target", "2.5"], f'target "2.5": {FORMS}'),
    (["--created", CREATED, "--target", "1w"], f'target "1w": {FORMS}'),
    (["--created", CREATED, "--target", "1h", "--pause", "2025-11-14T10:00:00+02:00"],
     'pause "2025-11-14T10:00:00+02:00": use START/END or START/ for one still open'),
    (["--created", CREATED, "--target", "1h", "--pause",
      "2025-11-14T11:00:00+02:00/2025-11-14T10:00:00+02:00"],
     'pause "2025-11-14T11:00:00+02:00/2025-11-14T10:00:00+02:00": ends before it starts'),
    (["--created", CREATED, "--target", "1h", "--pause", "2025-11-14T10:00:00/"],
     'naive timestamp "2025-11-14T10:00:00": add an offset or Z (e.g. 2025-11-14T10:00:00Z)'),
])
def test_due_refuses_bad_input(isvc, cal, args, message):
    expect_error(isvc("sla", "due", "--calendar", cal(), *args, code=None), 2, message)


def test_elapsed_refuses_end_before_start(isvc, cal):
    result = isvc("sla", "elapsed", "--calendar", cal(), "--start", "2025-11-14T10:00:00+02:00",
                  "--end", "2025-11-14T09:00:00+02:00", code=None)
    expect_error(result, 2, "end 2025-11-14T09:00:00+02:00 is before start 2025-11-14T10:00:00+02:00")


def test_status_refuses_bad_percent_and_naive_now(isvc, cal):
    base = ("sla", "status", "--calendar", cal(), "--created", CREATED, "--target", "1h")
    expect_error(isvc(*base, "--now", CREATED, "--at-risk-percent", "0", code=None), 2,
                 "at-risk percent 0: must be a whole number from 1 to 100")
    expect_error(isvc(*base, "--now", "2025-11-14T10:00:00", code=None), 2,
                 'naive timestamp "2025-11-14T10:00:00": add an offset or Z (e.g. 2025-11-14T10:00:00Z)')
    missing = isvc("sla", "status", "--calendar", cal(), "--created", CREATED, "--target", "1h", code=2)
    assert "--now" in missing.stderr


@pytest.mark.parametrize("text, message", [
    ('tz = "Europe/Nowhere"\n[hours]\nmon = [["09:00", "17:00"]]\n',
     'tz "Europe/Nowhere": unknown time zone (use an IANA zone such as "Europe/Bucharest")'),
    ('tz = "UTC"\n[hours]\nmonday = [["09:00", "17:00"]]\n',
     'hours: unknown day "monday" (use mon, tue, wed, thu, fri, sat, sun)'),
    ('tz = "UTC"\n[hours]\nmon = [["22:00", "06:00"]]\n',
     'hours.mon window 1 "22:00-06:00": start must be before end; split an overnight shift at '
     'midnight: ["22:00", "24:00"] on this day and ["00:00", "06:00"] on the next'),
    ('tz = "UTC"\n[hours]\nmon = [["09:00", "12:00"], ["11:00", "17:00"]]\n',
     'hours.mon window 2 "11:00-17:00": overlaps window 1 "09:00-12:00"'),
    ('tz = "UTC"\n[hours]\nmon = [["09:00", "24:30"]]\n',
     'hours.mon window 1 "09:00-24:30": end must be at most 24:00'),
    ('tz = "UTC"\ncolour = "blue"\n',
     'unknown key "colour" (expected tz, day_minutes, hours, holidays, overrides)'),
])
def test_invalid_calendar_files_name_the_bad_part(isvc, cal, text, message):
    path = cal(text)
    result = isvc("sla", "due", "--calendar", path, "--created", CREATED, "--target", "1h", code=None)
    expect_error(result, 2, f"{path}: {message}")


def test_a_file_that_is_not_toml(isvc, cal):
    path = cal("tz = Europe/Bucharest\n")
    result = isvc("sla", "elapsed", "--calendar", path, "--start", CREATED, "--end", CREATED, code=2)
    assert result.stderr.startswith(f"Error: {path}: not valid TOML (")


def test_a_calendar_that_never_opens_again(isvc, cal):
    path = cal('tz = "UTC"\n[overrides]\n"2025-11-14" = [["09:00", "10:00"]]\n')
    assert due(isvc, path, CREATED, "30m") == "2025-11-14T09:30:00+00:00"
    expect_error(isvc("sla", "due", "--calendar", path, "--created", CREATED, "--target", "2h",
                      code=None), 2,
                 "calendar has no business hours after 2025-11-14: a target can never be reached")


# -- --calendar NAME: a stored calendar ------------------------------------------------------


def test_no_file_and_no_database(isvc, isvc_home):
    result = isvc("sla", "due", "--calendar", "ro-office", "--created", CREATED, "--target", "1h",
                  code=None)
    expect_error(result, 3, "no calendar file 'ro-office', and no database to find a stored calendar"
                 " of that name in; give the path of a TOML calendar file")


def test_stored_calendar_by_name(isvc, with_database):
    isvc("calendar", "add", "ro-office", "--tz", "Europe/Bucharest", "--hours", "mon-fri 09:00-17:00")
    isvc("calendar", "override", "ro-office", "2025-11-14", "--hours", "09:00-13:00")
    # the half-day: Fri 09:00 + 8h -> 4h on Friday, 4h on Monday
    out = isvc.json("sla", "due", "--calendar", "ro-office", "--created", CREATED, "--target", "8h")
    assert out == {"due": "2025-11-17T13:00:00+02:00"}
    assert isvc.json("sla", "status", "--calendar", "ro-office", "--created", CREATED,
                     "--target", "8h", "--now", "2025-11-14T15:00:00+02:00")["elapsed_business_minutes"] == 240
    result = isvc("sla", "due", "--calendar", "ro-ofice", "--created", CREATED, "--target", "1h",
                  code=None)
    expect_error(result, 3, "no calendar file or stored calendar 'ro-ofice' (did you mean "
                 "'ro-office'?); give the path of a TOML calendar file or a name from "
                 "`isvc calendar list`")


def test_stored_calendar_and_exported_file_agree(isvc, tmp_path, with_database):
    isvc("calendar", "add", "ro", "--tz", "Europe/Bucharest", "--hours", "mon-fri 09:00-17:00",
         "--country", "RO", "--years", "2025")
    path = tmp_path / "ro.toml"
    path.write_text(isvc("calendar", "export", "ro").stdout, encoding="utf-8")
    # Wed 24 Dec 2025 16:00 + 2h: Christmas (25, 26) is closed, then the weekend
    for spec in ("ro", str(path)):
        out = isvc.json("sla", "due", "--calendar", spec, "--created", "2025-12-24T16:00:00+02:00",
                        "--target", "2h")
        assert out == {"due": "2025-12-29T10:00:00+02:00"}, spec


def test_help_lists_the_calculator(isvc):
    out = isvc("sla", "--help").stdout
    for command in ("due", "elapsed", "status"):
        assert command in out
    assert "Example: isvc sla due" in isvc("sla", "due", "--help").stdout
