"""The files in examples/ work as their comments and the README say: the calendar and the
agreements import into a fresh desk, the calculator gives the documented answers from the
calendar file, the config parses, and every isvc command in the crontab exists.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest

from isvc.cli import reference

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CALENDAR = EXAMPLES / "calendar.toml"
AGREEMENTS = EXAMPLES / "agreements.toml"


@pytest.fixture
def office(isvc):
    """A fresh desk with the example calendar and agreements, loaded as the files say."""
    isvc("team", "add", "it", "--name", "IT Service Desk")
    isvc("team", "add", "payroll", "--name", "Payroll")
    isvc("calendar", "import", "office", CALENDAR)
    isvc("agreement", "import", AGREEMENTS)
    return isvc


def test_the_calendar_imports_with_its_lunch_break_holidays_and_half_day(office):
    cal = office.json("calendar", "show", "office")
    assert cal["tz"] == "Europe/Bucharest"
    assert cal["day_minutes"] == 480
    lunch = [["09:00", "13:00"], ["14:00", "18:00"]]
    assert cal["hours"] == {**{day: lunch for day in ("mon", "tue", "wed", "thu", "fri")},
                            "sat": [], "sun": []}
    assert cal["week_minutes"] == 5 * 480
    assert cal["overrides"] == {"2026-12-24": [["09:00", "13:00"]]}
    holidays = {h["date"]: h["name"] for h in cal["holidays"]}
    assert holidays["2026-12-01"] == "National Day"
    assert holidays["2026-12-25"] == "Christmas Day"
    assert {"2026-01-01", "2027-12-26"} <= set(holidays)
    assert all(name for name in holidays.values()), "every example holiday has a name"
    assert cal["teams"] == ["it"]


def test_the_calendar_file_round_trips_through_export(office, tmp_path):
    exported = tmp_path / "office.toml"
    exported.write_text(office("calendar", "export", "office").stdout, encoding="utf-8")
    data = tomllib.loads(exported.read_text(encoding="utf-8"))
    example = tomllib.loads(CALENDAR.read_text(encoding="utf-8"))
    assert data == example


def test_the_agreements_import(office):
    agreements = {a["name"]: a for a in office.json("agreement", "list")}
    assert set(agreements) == {"it-standard", "it-payroll"}
    standard, payroll = agreements["it-standard"], agreements["it-payroll"]
    assert (standard["provider"], standard["customer"], standard["calendar"]) == ("it", "*", "office")
    assert standard["response_minutes"] == {"low": 960, "normal": 480, "high": 240, "urgent": 60}
    assert standard["resolution_minutes"] == {"low": 4800, "normal": 2400, "high": 960, "urgent": 240}
    assert standard["notify"] == ["+it"] and standard["at_risk_percent"] == 80
    assert (payroll["provider"], payroll["customer"]) == ("it", "payroll")
    assert payroll["response_minutes"]["urgent"] == 30
    assert payroll["resolution_minutes"]["low"] == 2400
    assert all(a["active"] for a in agreements.values())
    office("agreement", "lint")  # exit 0: no overlaps, targets grow from urgent to low


def test_the_most_specific_agreement_governs(office):
    office("person", "add", "ana", "--name", "Ana Pop", "--team", "payroll")
    office("person", "add", "jim", "--name", "Jim Ionescu", "--team", "it")
    mine = office.json("--as", "ana", "request", "new", "Payslips", "--team", "it")
    theirs = office.json("--as", "jim", "request", "new", "Monitor", "--team", "it")
    assert mine["agreement"] == "it-payroll"
    assert theirs["agreement"] == "it-standard"


def test_importing_the_agreements_twice_replaces_them(office):
    office("agreement", "import", AGREEMENTS)
    assert len(office.json("agreement", "list")) == 2


def test_the_calculator_answers_from_the_calendar_file(isvc):
    """The file alone, no database: the answers the file's comment and the README give."""
    due = isvc.json("sla", "due", "--calendar", CALENDAR, "--created",
                    "2026-12-23T16:00:00+02:00", "--target", "1d")
    # 2h on the 23rd, the 09:00-13:00 half-day of the 24th, Christmas and the weekend
    # closed, 2h on Monday the 28th.
    assert due == {"due": "2026-12-28T11:00:00+02:00"}
    paused = isvc("sla", "due", "--calendar", CALENDAR, "--created", "2026-12-23T16:00:00+02:00",
                  "--target", "1d", "--pause", "2026-12-24T10:00:00+02:00/2026-12-28T09:30:00+02:00")
    assert paused.stdout.strip() == "2026-12-28T15:30:00+02:00"
    dst = isvc("sla", "due", "--calendar", CALENDAR, "--created", "2027-03-26T17:00:00+02:00",
               "--target", "2h")
    assert dst.stdout.strip() == "2027-03-29T10:00:00+03:00"
    weekend = isvc("sla", "due", "--calendar", CALENDAR, "--created", "2026-11-28T13:15:00+02:00",
                   "--target", "2h")
    assert weekend.stdout.strip() == "2026-12-02T11:00:00+02:00"  # after the weekend and two holidays


@pytest.mark.parametrize("shape", sorted(reference.CALCULATOR_EXAMPLES))
def test_the_readme_calculator_samples_come_from_the_example_calendar(isvc, shape):
    noun, verb, *rest = reference.CALCULATOR_EXAMPLES[shape]
    assert isvc.json(noun, verb, "--calendar", CALENDAR, *rest) == reference.sample_shapes()[shape]


def test_a_stored_calendar_answers_like_its_file(office):
    args = ["sla", "due", "--created", "2026-12-23T16:00:00+02:00", "--target", "1d"]
    assert (office.json(*args[:2], "--calendar", "office", *args[2:])
            == office.json(*args[:2], "--calendar", CALENDAR, *args[2:]))


def test_the_example_config_parses_and_loads(isvc, monkeypatch):
    example = tomllib.loads((EXAMPLES / "config.toml").read_text(encoding="utf-8"))
    assert example["tz"] == "Europe/Bucharest"
    monkeypatch.setenv("ISVC_CONFIG", str(EXAMPLES / "config.toml"))
    monkeypatch.delenv("ISVC_TZ")
    shown = isvc.json("config", "show")
    assert "Europe/Bucharest" in str(shown)
    assert isvc("config", "get", "requests.autoclose_days").stdout.strip() == "5"


# -- the crontab ---------------------------------------------------------------------------


def _crontab_jobs() -> list[str]:
    text = (EXAMPLES / "crontab").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if re.match(r"^[\d*@]", line)]


def _isvc_commands(job: str) -> list[list[str]]:
    """The command words after each `isvc` of a crontab line (options and arguments dropped)."""
    command = re.split(r"\s+", job.strip(), maxsplit=5)[5]
    return _commands_in(shlex.split(command.replace("\\%", "%"), posix=True))


def _commands_in(words: list[str]) -> list[list[str]]:
    found = []
    for i, word in enumerate(words):
        if word == "isvc":
            path = []
            for w in words[i + 1:]:
                if not re.fullmatch(r"[a-z][a-z-]*", w):
                    break
                path.append(w)
            found.append(path)
        elif " " in word:  # the script of `sh -c '...'`
            found += _commands_in(shlex.split(word, posix=True))
    return found


def test_the_crontab_parser_finds_the_commands():
    assert _isvc_commands("*/5 * * * *  chronic isvc sla check --json > /tmp/x || mail a") == [
        ["sla", "check"]]
    assert _isvc_commands("*/5 * * * *  chronic sh -c 'isvc sla check --notify; [ $? -le 4 ]'") == [
        ["sla", "check"]]
    assert _isvc_commands("30 2 * * *  isvc db backup /b/isvc-$(date +\\%F).db && find /b") == [
        ["db", "backup"]]


def test_every_isvc_command_in_the_crontab_exists(isvc):
    commands = [words for job in _crontab_jobs() for words in _isvc_commands(job)]
    assert ["sla", "check"] in commands
    assert ["agreement", "lint"] in commands
    for words in commands:
        assert words, "a bare `isvc` in the crontab"
        isvc(*words, "--help")  # exit 0, or the fixture fails naming the command


def test_the_crontab_notifies_on_clock_changes_and_stays_quiet_on_exit_4():
    """`sla check --notify` exits 4 while something is breached: the notices carry that
    news, so the job treats 0 and 4 as success and only other exits reach cron's mail."""
    jobs = [job for job in _crontab_jobs() if "isvc sla check" in job]
    assert len(jobs) == 1
    job = jobs[0]
    assert job.startswith("*/5 ") and "--notify" in job
    script = shlex.split(re.split(r"\s+", job, maxsplit=5)[5])[-1]
    for rc, ok in ((0, True), (4, True), (2, False), (75, False)):
        fake = script.replace("isvc sla check --notify", f"sh -c 'exit {rc}'")
        result = subprocess.run(["sh", "-c", fake], capture_output=True, check=False)
        assert (result.returncode == 0) == ok, (rc, fake)
