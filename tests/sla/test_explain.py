"""`isvc sla explain N`: the timeline of each clock, and that it adds up to the engine.

The desk: calendar "office" in Europe/Bucharest, Mon–Fri 09:00–12:00 and 13:00–17:00 (a
lunch break), Tue 1 Dec 2026 a holiday named "National Day"; agreement it-standard for
team it: first response urgent 1h, high 4h, normal 1d, low 2d; resolution urgent 4h,
high 2d, normal 5d, low 10d. Bucharest is UTC+2 in Nov/Dec 2026, so 13:30Z is 15:30
local. Fri 27 Nov 2026 is a Friday; Sat 28 / Sun 29 the weekend; Mon 30 Nov a working day.

Scenarios are built through the CLI with the clock pinned per command (ISVC_NOW).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isvc.cli import _common
from isvc.domain import businesstime as bt
from isvc.domain import explain
from isvc.domain.calendar import parse_calendar
from isvc.domain.timeutil import parse_iso

EXPLAIN_NOW = "2026-12-02T13:00:00Z"  # Wed 2 Dec 15:00 in Bucharest
RANGE_KINDS = {"counted", "closed", "holiday", "paused"}
LINE_KEYS = {"kind", "start", "end", "minutes", "total_minutes", "note"}

_SNAPSHOTS: dict[str, Path] = {}


def at(when: str) -> dict:
    return {"ISVC_NOW": when}


def _build_office(isvc) -> None:
    isvc("--as", "boss", "calendar", "add", "office", "--tz", "Europe/Bucharest",
         "--hours", "mon-fri 09:00-12:00,13:00-17:00")
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-12-01", "--name", "National Day")
    isvc("--as", "boss", "agreement", "add", "it-standard", "--provider", "it", "--calendar", "office",
         "--response", "urgent=1h,high=4h,normal=1d,low=2d",
         "--resolution", "urgent=4h,high=2d,normal=5d,low=10d")


@pytest.fixture
def office(request, tmp_path_factory, isvc_home, isvc):
    """The root `desk` plus calendar office and agreement it-standard, built once per session
    through the CLI and copied into each test's ISVC_HOME."""
    _common.reset()
    source = _SNAPSHOTS.get("office")
    if source is None:
        request.getfixturevalue("desk")
        _build_office(isvc)
        _common.reset()
        source = tmp_path_factory.mktemp("explain-office") / "home"
        shutil.copytree(isvc_home, source)
        _SNAPSHOTS["office"] = source
    else:
        shutil.copytree(source, isvc_home, dirs_exist_ok=True)
    return isvc


def file(isvc, when: str, *args: str, who: str = "mihai") -> int:
    return int(isvc("--as", who, "request", "new", *args, env=at(when)).stdout)


def act(isvc, when: str, who: str, *args: str) -> None:
    isvc("--as", who, "request", *args, env=at(when))


def explain_json(isvc, number: int, when: str = EXPLAIN_NOW, who: str = "jim") -> dict:
    return json.loads(isvc("--as", who, "sla", "explain", number, "--json", env=at(when)).stdout)


def explain_text(isvc, number: int, when: str = EXPLAIN_NOW, who: str = "jim", **env) -> str:
    return isvc("--as", who, "sla", "explain", number,
                env={**at(when), "COLUMNS": "100", **env}).stdout


def sla_of(isvc, number: int, when: str = EXPLAIN_NOW) -> dict:
    return isvc.json("--as", "jim", "request", "show", number, env=at(when))["sla"]


def summary(lines: list[dict]) -> list[tuple]:
    return [(ln["kind"], ln["start"], ln["end"], ln["minutes"], ln["total_minutes"]) for ln in lines]


def check_adds_up(clock: dict, sla_clock: dict, created: str, end: str) -> None:
    """The timeline partitions [created, end), its counted minutes sum to the engine's
    elapsed figure, and its figures are `request show`'s."""
    lines = clock["lines"]
    assert all(set(ln) == LINE_KEYS for ln in lines)
    assert all(ln["kind"] in explain.KINDS for ln in lines)
    assert lines[0]["kind"] == "created" and lines[0]["start"] == created
    assert lines[-1]["kind"] in ("stopped", "now") and lines[-1]["start"] == end
    spans = [ln for ln in lines if ln["kind"] in RANGE_KINDS]
    cursor = created
    for ln in spans:
        assert ln["start"] == cursor, (ln, cursor)
        assert ln["end"] > ln["start"]
        cursor = ln["end"]
    assert cursor == end
    counted = [ln for ln in lines if ln["kind"] == "counted"]
    assert sum(ln["minutes"] for ln in counted) == clock["elapsed_business_minutes"]
    running = 0
    for ln in lines:
        if ln["kind"] == "counted":
            running += ln["minutes"]
        assert ln["total_minutes"] == running
    assert lines[-1]["total_minutes"] == clock["elapsed_business_minutes"]
    for key in ("target_minutes", "due_at", "at_risk_at", "state", "elapsed_business_minutes",
                "remaining_business_minutes", "paused"):
        assert clock[key] == sla_clock[key], key


# --- the main story: a weekend wait, the holiday, a resolve and a reopen --------------------


def _weekend_story(isvc) -> int:
    n = file(isvc, "2026-11-27T13:30:00Z", "VPN drops every hour", "--team", "it", "--priority", "high")
    isvc("--as", "jim", "request", "comment", n, "-m", "Looking at it", env=at("2026-11-27T14:02:00Z"))
    act(isvc, "2026-11-27T14:30:00Z", "jim", "wait", str(n), "-m", "Which VPN client version?")
    isvc("--as", "mihai", "request", "comment", n, "-m", "5.2.1", env=at("2026-11-30T08:00:00Z"))
    act(isvc, "2026-12-02T09:00:00Z", "jim", "resolve", str(n), "-m", "Gateway idle timeout raised")
    act(isvc, "2026-12-02T12:00:00Z", "mihai", "reopen", str(n))
    return n


def test_resolution_timeline_across_a_weekend_wait_the_holiday_and_a_reopen(office):
    n = _weekend_story(office)
    data = explain_json(office, n)
    assert (data["number"], data["agreement"], data["calendar"], data["tz"]) == (
        n, "it-standard", "office", "Europe/Bucharest")
    res = data["clocks"]["resolution"]
    assert summary(res["lines"]) == [
        ("created", "2026-11-27T13:30:00Z", None, None, 0),
        ("counted", "2026-11-27T13:30:00Z", "2026-11-27T14:30:00Z", 60, 60),
        ("paused", "2026-11-27T14:30:00Z", "2026-11-30T08:00:00Z", 90, 60),
        ("counted", "2026-11-30T08:00:00Z", "2026-11-30T15:00:00Z", 360, 420),
        ("holiday", "2026-11-30T15:00:00Z", "2026-12-02T07:00:00Z", 0, 420),
        ("counted", "2026-12-02T07:00:00Z", "2026-12-02T09:00:00Z", 120, 540),
        ("paused", "2026-12-02T09:00:00Z", "2026-12-02T12:00:00Z", 120, 540),
        ("counted", "2026-12-02T12:00:00Z", "2026-12-02T13:00:00Z", 60, 600),
        ("now", "2026-12-02T13:00:00Z", None, None, 600),
    ]
    notes = [ln["note"] for ln in res["lines"]]
    assert notes[0] == "created inside business hours: counting starts at once"
    assert notes[2] == ('paused: waiting on the requester ("Which VPN client version?"), '
                        "until mihai replied · 1h 30m not counted")
    assert notes[3] == "6h counted (closed 12:00–13:00)"
    assert notes[4] == "closed: National Day (Tue 01 Dec, holiday)"
    assert notes[6] == "paused: resolved by jim, until mihai reopened it · 2h not counted"
    assert notes[8] == "now: counting"
    assert (res["state"], res["elapsed_business_minutes"], res["remaining_business_minutes"]) == (
        "on_track", 600, 360)
    assert res["due_at"] == "2026-12-03T12:00:00Z"  # Thu 14:00: 6h left from Wed 15:00
    assert res["started_at"] == "2026-11-27T13:30:00Z" and res["stopped_at"] is None
    check_adds_up(res, sla_of(office, n)["resolution"], "2026-11-27T13:30:00Z", EXPLAIN_NOW)


def test_first_response_stops_at_the_first_reply_and_waiting_does_not_pause_it(office):
    n = _weekend_story(office)
    fr = explain_json(office, n)["clocks"]["first_response"]
    assert summary(fr["lines"]) == [
        ("created", "2026-11-27T13:30:00Z", None, None, 0),
        ("counted", "2026-11-27T13:30:00Z", "2026-11-27T14:02:00Z", 32, 32),
        ("stopped", "2026-11-27T14:02:00Z", None, None, 32),
    ]
    assert fr["lines"][-1]["note"] == "stopped: first reply by jim, met with 3h 28m to spare"
    assert (fr["state"], fr["stopped_at"], fr["stopped_by"]) == ("met", "2026-11-27T14:02:00Z", "jim")
    assert fr["notes"] == [("waiting does not pause this clock (the agreement counts the first "
                            "response straight through)")]
    check_adds_up(fr, sla_of(office, n)["first_response"], "2026-11-27T13:30:00Z", "2026-11-27T14:02:00Z")


def test_the_human_view_reads_like_the_mockup(office):
    n = _weekend_story(office)
    out = explain_text(office, n)
    # the header breaks before the calendar when it does not fit in 100 columns
    assert out.splitlines()[:2] == [
        f"#{n} VPN drops every hour · high · in progress · it-standard",
        '  calendar "office" (Mon–Fri 09:00–12:00, 13:00–17:00 Europe/Bucharest)',
    ]
    wide = explain_text(office, n, COLUMNS="140")
    assert wide.splitlines()[0] == (
        f'#{n} VPN drops every hour · high · in progress · it-standard · calendar "office" '
        "(Mon–Fri 09:00–12:00, 13:00–17:00 Europe/Bucharest)")
    assert re.search(r"First response\s+target 4h\s+due Mon 30 Nov 11:30\s+"
                     r"met at Fri 27 Nov 16:02 by jim \(32m used\)", out)
    assert re.search(r"Resolution\s+target 2d\s+due Thu 03 Dec 14:00\s+"
                     r"on track: 10h of 16h used, 6h left", out)
    assert "Resolution clock · times in Europe/Bucharest" in out
    assert "First response clock" not in out  # met: its verdict line says it all
    timeline = [re.sub(r"\s{2,}", " | ", re.sub(r"total\s+", "total ", line.strip()))
                for line in out.splitlines()]
    for expected in (
        "Fri 27 Nov 15:30 | created inside business hours: counting starts at once",
        "Fri 27 Nov 15:30 – 16:30 | 1h counted | total 1h",
        "Mon 30 Nov 10:00 – 17:00 | 6h counted (closed 12:00–13:00) | total 7h",
        "Mon 17:00 – Wed 09:00 | closed: National Day (Tue 01 Dec, holiday)",
        "Wed 02 Dec 09:00 – 11:00 | 2h counted | total 9h",
        "Wed 02 Dec 14:00 – 15:00 | 1h counted | total 10h",
        "Wed 02 Dec 15:00 | now: counting",
        "remaining 6h of business time | → | due Thu 03 Dec 14:00",
    ):
        assert expected in timeline, (expected, timeline)
    assert any(line.startswith("Fri 27 Nov 16:30 – Mon 10:00 | paused: waiting on the requester")
               for line in timeline)
    assert all(line == line.rstrip() for line in out.splitlines())  # nothing trails in a pipe
    assert "\x1b[" not in out


def _colours(text: str) -> set[str]:
    """The colour parameters of the SGR sequences in ``text`` (bold and dim are not colour)."""
    found = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        found |= {p for p in params.split(";") if p and (30 <= int(p) <= 38 or 90 <= int(p) <= 97)}
    return found


def test_colour_on_a_terminal_and_plain_words_with_no_color(office):
    n = file(office, "2026-11-28T11:15:00Z", "Printer on fire", "--team", "it", "--priority", "urgent")
    coloured = explain_text(office, n, ISVC_FORCE_TABLE="1")
    assert "31" in _colours(coloured)  # red: breached
    plain = explain_text(office, n, ISVC_FORCE_TABLE="1", NO_COLOR="1")
    assert _colours(plain) == set()
    words = re.sub(r"\x1b\[[0-9;]*m", "", plain)
    assert "BREACHED at Mon 30 Nov 14:00, overdue 8h" in words
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == words


# --- out of hours, breaches ---------------------------------------------------------------------


def test_filed_on_a_saturday_acknowledged_late_and_breached(office):
    n = file(office, "2026-11-28T11:15:00Z", "Printer on fire", "--team", "it", "--priority", "urgent")
    act(office, "2026-11-30T08:30:00Z", "jim", "ack", str(n))
    data = explain_json(office, n)
    fr, res = data["clocks"]["first_response"], data["clocks"]["resolution"]

    assert summary(fr["lines"]) == [
        ("created", "2026-11-28T11:15:00Z", None, None, 0),
        ("closed", "2026-11-28T11:15:00Z", "2026-11-30T07:00:00Z", 0, 0),
        ("counted", "2026-11-30T07:00:00Z", "2026-11-30T08:00:00Z", 60, 60),
        ("counted", "2026-11-30T08:00:00Z", "2026-11-30T08:30:00Z", 30, 90),
        ("stopped", "2026-11-30T08:30:00Z", None, None, 90),
    ]
    notes = [ln["note"] for ln in fr["lines"]]
    assert notes[0] == "created out of hours: counting starts Mon 30 Nov 09:00"
    assert notes[1] == "closed: weekend (Sat 28 – Sun 29 Nov)"
    assert notes[2] == "1h counted; target used up at 10:00"
    assert notes[3] == "30m counted past due"
    assert notes[4] == "stopped: acknowledged by jim, 30m over the target: BREACHED"
    assert (fr["state"], fr["breached_at"], fr["due_at"]) == (
        "breached", "2026-11-30T08:00:00Z", "2026-11-30T08:00:00Z")
    assert fr["started_at"] == "2026-11-30T07:00:00Z"

    # resolution: 4h, due Mon 14:00 (lunch skipped), still running two days later
    assert (res["state"], res["due_at"], res["breached_at"]) == (
        "breached", "2026-11-30T12:00:00Z", "2026-11-30T12:00:00Z")
    assert res["remaining_business_minutes"] == -480
    kinds = [ln["kind"] for ln in res["lines"]]
    assert kinds == ["created", "closed", "counted", "counted", "holiday", "counted", "now"]
    assert res["lines"][2]["note"] == "4h counted (closed 12:00–13:00); target used up at 14:00"
    assert res["lines"][3]["note"] == "3h counted past due"
    sla = sla_of(office, n)
    check_adds_up(fr, sla["first_response"], "2026-11-28T11:15:00Z", "2026-11-30T08:30:00Z")
    check_adds_up(res, sla["resolution"], "2026-11-28T11:15:00Z", EXPLAIN_NOW)

    out = explain_text(office, n)
    assert "BREACHED: acknowledged at 10:30 by jim, 30m over (1h 30m of 1h used)" in " ".join(out.split())
    assert "First response clock · times in Europe/Bucharest" in out  # breached: shown
    assert "1h 30m of 1h used: 30m over; it was due Mon 30 Nov 10:00" in out


def test_created_during_the_lunch_break(office):
    n = file(office, "2026-11-26T10:20:00Z", "Lunch", "--team", "it")
    fr = explain_json(office, n, "2026-11-26T11:30:00Z")["clocks"]["first_response"]
    assert fr["lines"][0]["note"] == "created during the 12:00–13:00 break: counting starts 13:00"
    assert fr["lines"][1]["note"] == "closed: break"
    assert fr["started_at"] == "2026-11-26T11:00:00Z"
    assert fr["lines"][-1]["note"] == "now: counting"


def test_now_in_closed_hours_says_when_counting_resumes(office):
    n = file(office, "2026-11-27T13:30:00Z", "Friday", "--team", "it")
    res = explain_json(office, n, "2026-11-28T10:00:00Z")["clocks"]["resolution"]
    assert res["lines"][-2]["note"] == "closed: weekend (Sat 28 Nov)"
    assert res["lines"][-1]["note"] == "now: closed hours, counting resumes Mon 30 Nov 09:00"


# --- paused now ---------------------------------------------------------------------------------


def test_an_open_wait_has_no_due_time(office):
    n = file(office, "2026-11-26T09:00:00Z", "New laptop", "--team", "it")
    act(office, "2026-11-26T12:00:00Z", "jim", "wait", str(n), "-m", "Which model do you want?")
    res = explain_json(office, n)["clocks"]["resolution"]
    assert (res["due_at"], res["paused"], res["state"]) == (None, True, "on_track")
    assert summary(res["lines"])[-2:] == [
        ("paused", "2026-11-26T12:00:00Z", EXPLAIN_NOW, 1320, 120),
        ("now", EXPLAIN_NOW, None, None, 120),
    ]
    assert res["lines"][-2]["note"] == ('paused: waiting on the requester ("Which model do you want?"), '
                                        "still waiting · 22h not counted so far")
    assert res["lines"][-1]["note"] == "now: paused, waiting on the requester"
    check_adds_up(res, sla_of(office, n)["resolution"], "2026-11-26T09:00:00Z", EXPLAIN_NOW)
    out = " ".join(explain_text(office, n).split())
    assert "no due time (paused) paused: 2h of 40h used, 38h left" in out
    assert "no due time while it waits; it is set again when the clock resumes" in out


# --- long clocks fold -----------------------------------------------------------------------------


def test_weeks_of_whole_days_fold_into_one_line_per_week(office):
    n = file(office, "2026-11-02T10:00:00Z", "Old one", "--team", "it", "--priority", "low")
    act(office, "2026-11-27T10:00:00Z", "jim", "resolve", str(n), "-m", "Done")
    res = explain_json(office, n)["clocks"]["resolution"]
    counted = [ln for ln in res["lines"] if ln["kind"] == "counted"]
    folded = [ln for ln in counted if "whole business days" in ln["note"]]
    assert [ln["note"] for ln in folded] == [
        "28h counted: 4 whole business days, closed overnight",
        "35h counted: 5 whole business days, closed overnight",
        "21h counted past due: 3 whole business days, closed overnight",
        "28h counted past due: 4 whole business days, closed overnight",
    ]
    assert folded[1]["start"] == "2026-11-09T07:00:00Z" and folded[1]["end"] == "2026-11-13T15:00:00Z"
    assert len(res["lines"]) < 25
    assert (res["state"], res["elapsed_business_minutes"]) == ("breached", 133 * 60)
    assert res["lines"][-1]["note"] == "stopped: resolved by jim, 53h over the target: BREACHED"
    check_adds_up(res, sla_of(office, n)["resolution"], "2026-11-02T10:00:00Z", "2026-11-27T10:00:00Z")


# --- who may see it, and what there is to see ------------------------------------------------------


def test_no_agreement_is_one_line_and_exit_0(office):
    n = file(office, "2026-11-26T09:00:00Z", "Payslip", "--team", "payroll", who="ana")
    out = office("--as", "ana", "sla", "explain", n, env=at(EXPLAIN_NOW)).stdout
    assert out == (f"#{n} has no agreement: team payroll has none that covers requester ana's team "
                   "(payroll); add one with `isvc agreement add`\n")
    data = explain_json(office, n, who="ana")
    assert (data["number"], data["agreement"], data["clocks"], data["calendar"]) == (n, None, None, None)
    assert data["message"] == out.strip()


def test_an_unknown_request_exits_3(office):
    result = office("--as", "jim", "sla", "explain", 999, code=3)
    assert result.stderr.startswith("Error: no request #999")
    assert result.stdout == ""


def test_the_on_call_calendar_is_named(office):
    office("--as", "boss", "calendar", "add", "always", "--tz", "Europe/Bucharest",
           "--hours", "mon-sun 00:00-24:00")
    office("--as", "boss", "agreement", "edit", "it-standard", "--oncall-calendar", "always", "--oncall", "jim")
    n = file(office, "2026-11-28T20:00:00Z", "Server down", "--team", "it", "--priority", "urgent")
    data = explain_json(office, n, "2026-11-28T21:30:00Z")
    assert data["calendar"] == "always"
    assert data["hours"] == "24×7"
    res = data["clocks"]["resolution"]
    assert summary(res["lines"]) == [
        ("created", "2026-11-28T20:00:00Z", None, None, 0),
        ("counted", "2026-11-28T20:00:00Z", "2026-11-28T21:30:00Z", 90, 90),
        ("now", "2026-11-28T21:30:00Z", None, None, 90),
    ]
    out = explain_text(office, n, "2026-11-28T21:30:00Z")
    assert 'its clocks run on the on-call calendar "always"' in " ".join(out.split())


# --- the domain, directly ---------------------------------------------------------------------------

BUCHAREST_OFFICE = parse_calendar({
    "tz": "Europe/Bucharest",
    "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
})


def t(text: str) -> datetime:
    return parse_iso(text)


def test_the_mockup_412_resolution_clock():
    # MOCKUPS.md: created Mon 23 Nov 09:30, paused Tue 10:40–15:20, now Wed 11:20, 2d target.
    pause = explain.PauseInfo(t("2026-11-24T10:40+02:00"), t("2026-11-24T15:20+02:00"),
                              reason="Which VPN client version?", ended_how="mihai replied")
    ex = explain.explain_clock("resolution", BUCHAREST_OFFICE, t("2026-11-23T09:30+02:00"), 960,
                               t("2026-11-25T11:20+02:00"), pauses=[pause])
    rows = [(ln.kind, ln.minutes, ln.total_minutes, ln.note) for ln in ex.lines]
    assert rows == [
        ("created", None, 0, "created inside business hours: counting starts at once"),
        ("counted", 450, 450, "7h 30m counted"),
        ("closed", 0, 450, "closed hours (overnight)"),
        ("counted", 100, 550, "1h 40m counted"),
        ("paused", 280, 550, ('paused: waiting on the requester ("Which VPN client version?"), '
                              "until mihai replied · 4h 40m not counted")),
        ("counted", 100, 650, "1h 40m counted"),
        ("closed", 0, 650, "closed hours (overnight)"),
        ("counted", 140, 790, "2h 20m counted"),
        ("now", None, 790, "now: counting"),
    ]
    assert ex.status.due == t("2026-11-25T14:10+02:00") and ex.status.state == "at_risk"
    from isvc.render.explain_view import verdict

    assert verdict(ex) == "AT RISK: 13h 10m of 16h used, 2h 50m left"


def test_waiting_on_another_request_and_merged_pauses_keep_every_reason():
    cal = BUCHAREST_OFFICE
    waits = [
        {"started_at": "2026-11-24T08:00:00Z", "ended_at": "2026-11-24T10:00:00Z", "kind": "request",
         "on_request": 398, "reason": None},
        {"started_at": "2026-11-24T09:00:00Z", "ended_at": "2026-11-24T11:00:00Z", "kind": "requester",
         "on_request": None, "reason": "Which client?"},
    ]
    pauses = explain.pause_infos(waits, [], {398: "Badge readers down at gate B"})
    ex = explain.explain_clock("resolution", cal, t("2026-11-24T07:00:00Z"), 960,
                               t("2026-11-24T12:00:00Z"), pauses=pauses)
    paused = [ln for ln in ex.lines if ln.kind == "paused"]
    assert len(paused) == 1  # overlapping waits merge, as the engine merges them
    assert paused[0].note == ('paused: waiting on request #398 ("Badge readers down at gate B"); '
                              'waiting on the requester ("Which client?"), until #398 was resolved'
                              " · 3h not counted")
    assert ex.counted_minutes == ex.status.elapsed_minutes == 120


def test_a_pause_over_closed_hours_holds_nothing_back():
    pause = explain.PauseInfo(t("2026-11-27T16:00:00Z"), t("2026-11-30T06:00:00Z"))
    ex = explain.explain_clock("resolution", BUCHAREST_OFFICE, t("2026-11-27T13:00:00Z"), 960,
                               t("2026-11-30T08:00:00Z"), pauses=[pause])
    kinds = [(ln.kind, ln.note) for ln in ex.lines if ln.kind in ("closed", "paused")]
    assert kinds == [
        ("closed", "closed hours (after closing)"),
        ("paused", "paused: waiting on the requester · closed hours only, nothing held back"),
        ("closed", "closed hours (opens 09:00)"),
    ]
    assert ex.counted_minutes == ex.status.elapsed_minutes == 120 + 60


def test_closed_spells_name_short_days_holidays_weekends_and_override_closures():
    cal = parse_calendar({
        "tz": "Europe/Bucharest",
        "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-12-25", "2026-12-26"],  # Boxing Day is a Saturday: changes nothing
        "overrides": {"2026-12-24": [["09:00", "13:00"]], "2026-12-28": []},
    })
    ex = explain.explain_clock("resolution", cal, t("2026-12-23T10:00+02:00"), 960,
                               t("2026-12-30T12:00+02:00"),
                               holiday_names={date(2026, 12, 25): "Christmas Day"})
    closed = [(ln.kind, ln.note) for ln in ex.lines if ln.kind in ("closed", "holiday")]
    assert closed == [
        ("closed", "closed hours (overnight)"),
        ("holiday", ("closed: short day Thu 24 Dec (09:00–13:00, override), Christmas Day (Fri 25 Dec,"
                     " holiday), weekend (Sat 26 – Sun 27 Dec), Mon 28 Dec closed by override")),
        ("closed", "closed hours (overnight)"),
    ]
    assert ex.counted_minutes == ex.status.elapsed_minutes == 7 * 60 + 4 * 60 + 8 * 60 + 3 * 60


def test_a_24x7_clock_across_the_autumn_dst_change_is_one_line_of_real_time():
    always = parse_calendar({"tz": "Europe/Bucharest",
                             "hours": {d: [["00:00", "24:00"]] for d in
                                       ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
                             "day_minutes": 1440})
    ex = explain.explain_clock("resolution", always, t("2026-10-24T12:00+03:00"), 4 * 1440,
                               t("2026-10-26T12:00+02:00"))
    counted = [ln for ln in ex.lines if ln.kind == "counted"]
    assert len(counted) == 1
    assert counted[0].minutes == ex.status.elapsed_minutes == 49 * 60  # the 25-hour Sunday


def test_a_recorded_verdict_that_today_s_calendar_no_longer_gives_is_said():
    stop = explain.Stop(t("2026-11-23T11:00:00Z"), "resolved", "jim")
    recorded = bt.ClockStatus(due=t("2026-11-25T15:00:00Z"), at_risk_at=None, elapsed_minutes=100,
                              remaining_minutes=860, state="met", paused=False)
    ex = explain.explain_clock("resolution", BUCHAREST_OFFICE, t("2026-11-23T07:30:00Z"), 960,
                               t("2026-11-24T10:00:00Z"), stop=stop, status=recorded)
    assert ex.counted_minutes == 210
    assert ex.notes == ((
        "the verdict was recorded when the clock stopped (1h 40m used); the calendar has changed"
        " since, and on today's calendar the timeline above counts 3h 30m"),)


_instants = st.integers(min_value=0, max_value=21 * 24 * 3600).map(
    lambda s: datetime(2026, 10, 19, tzinfo=UTC) + timedelta(seconds=s))


@settings(max_examples=150, deadline=None)
@given(
    created=_instants,
    span=st.integers(min_value=0, max_value=12 * 24 * 3600),
    raw_pauses=st.lists(st.tuples(st.integers(0, 14 * 24 * 3600), st.integers(0, 5 * 24 * 3600),
                                  st.booleans()), max_size=4),
    target=st.integers(min_value=1, max_value=6000),
    lunch=st.booleans(),
    stopped=st.booleans(),
)
def test_every_timeline_partitions_the_clock_and_sums_to_the_engine(created, span, raw_pauses,
                                                                   target, lunch, stopped):
    hours = [["09:00", "12:00"], ["13:00", "17:00"]] if lunch else [["09:00", "17:00"]]
    cal = parse_calendar({"tz": "Europe/Bucharest", "holidays": ["2026-10-28", "2026-11-02"],
                          "hours": {d: hours for d in ("mon", "tue", "wed", "thu", "fri")}})
    pauses = [explain.PauseInfo(created + timedelta(seconds=a),
                                None if open_ else created + timedelta(seconds=a + b))
              for a, b, open_ in raw_pauses]
    now = created + timedelta(seconds=span)
    stop = explain.Stop(created + timedelta(seconds=span // 2), "resolved", "jim") if stopped else None
    ex = explain.explain_clock("resolution", cal, created, target, now, stop=stop, pauses=pauses)
    engine = bt.clock_status(cal, created, target, now, stop.at if stop else None,
                             [(p.start, p.end) for p in pauses])
    assert ex.status == engine
    assert ex.counted_minutes == engine.elapsed_minutes
    assert ex.lines[-1].total_minutes == engine.elapsed_minutes
    ranges = [ln for ln in ex.lines if ln.end is not None]
    cursor = created
    for ln in ranges:
        assert ln.start == cursor and ln.end > ln.start
        cursor = ln.end
    assert cursor == ex.end
    assert ex.lines[0].kind == "created" and ex.lines[-1].kind in ("stopped", "now")
    if engine.state == "breached":  # the breach instant ends a counted line
        assert ex.breached_at == engine.due
        assert any(ln.kind == "counted" and ln.end == engine.due for ln in ranges)
        assert all(ln.over == (ln.start >= engine.due) for ln in ranges if ln.kind == "counted")
