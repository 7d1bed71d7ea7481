"""The two clocks on a request (SLA-SPEC §5–§8), seen through `request show --json`.

it-std on the office calendar (UTC, Mon–Fri 09:00–17:00), see _support. 2026-11-23 is a
Monday; 27 Nov a Friday, 28–29 the weekend, 30 Nov the next Monday.
"""

from __future__ import annotations

from . import _support
from ._support import CLOCK_KEYS, act, at, db_rows, file, show, sla

sla_desk = _support.sla_desk  # the fixture

MON = "2026-11-23T09:30:00Z"


def clock(isvc, number, when, which="resolution") -> dict:
    return sla(isvc, number, when)[which]


def brief(c: dict) -> tuple:
    return (c["state"], c["due_at"], c["elapsed_business_minutes"], c["remaining_business_minutes"],
            c["paused"])


# -- due times -------------------------------------------------------------------------------

def test_the_sla_object_when_filed_inside_hours(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "VPN drops", "--team", "it")
    data = show(isvc, n, MON)
    assert data["agreement"] == "it-std"
    fr, res = data["sla"]["first_response"], data["sla"]["resolution"]
    assert set(data["sla"]) >= {"first_response", "resolution"}
    assert set(fr) >= CLOCK_KEYS and set(res) >= CLOCK_KEYS
    assert fr == fr | {"target_minutes": 240, "due_at": "2026-11-23T13:30:00Z",
                       "at_risk_at": "2026-11-23T12:42:00Z",  # 80% of 240 = 192 min
                       "state": "on_track", "elapsed_business_minutes": 0,
                       "remaining_business_minutes": 240, "paused": False}
    assert res == res | {"target_minutes": 960, "due_at": "2026-11-25T09:30:00Z",
                         "at_risk_at": "2026-11-24T14:18:00Z",  # 768 = 450 Mon + 318 Tue
                         "state": "on_track", "elapsed_business_minutes": 0,
                         "remaining_business_minutes": 960, "paused": False}
    # the at-risk instant itself is at risk (elapsed × 100 ≥ 80 × target), a minute before is not
    assert clock(isvc, n, "2026-11-23T12:41:00Z", "first_response")["state"] == "on_track"
    assert brief(clock(isvc, n, "2026-11-23T12:42:00Z", "first_response")) == (
        "at_risk", "2026-11-23T13:30:00Z", 192, 48, False)
    # at the due instant it is not yet breached (strict >), one second later it is
    assert clock(isvc, n, "2026-11-23T13:30:00Z", "first_response")["state"] == "at_risk"
    assert brief(clock(isvc, n, "2026-11-23T13:30:01Z", "first_response")) == (
        "breached", "2026-11-23T13:30:00Z", 240, 0, False)
    # and keeps counting in business time only: overnight nothing more elapses
    assert brief(clock(isvc, n, "2026-11-23T17:00:00Z", "first_response"))[2:4] == (450, -210)
    assert brief(clock(isvc, n, "2026-11-24T08:00:00Z", "first_response"))[2:4] == (450, -210)
    assert brief(clock(isvc, n, "2026-11-24T10:00:00Z", "first_response"))[2:4] == (510, -270)


def test_a_deadline_at_closing_time_is_breached_after_it_though_no_business_minute_passed(sla_desk):
    n = file(sla_desk, "2026-11-23T13:00:00Z", "x", "--team", "it")   # normal: 240 -> 17:00
    assert brief(clock(sla_desk, n, "2026-11-23T17:30:00Z", "first_response")) == (
        "breached", "2026-11-23T17:00:00Z", 240, 0, False)


def test_filed_out_of_hours_counting_starts_at_the_next_business_instant(sla_desk):
    isvc = sla_desk
    evening = file(isvc, "2026-11-23T18:00:00Z", "evening", "--team", "it")           # Mon 18:00
    saturday = file(isvc, "2026-11-28T13:15:00Z", "weekend", "--team", "it", "--priority", "high")
    early = file(isvc, "2026-11-24T08:59:59Z", "early", "--team", "it", "--priority", "urgent")
    got = sla(isvc, evening, "2026-11-24T08:00:00Z")
    assert got["first_response"]["due_at"] == "2026-11-24T13:00:00Z"   # Tue 09:00 + 4h
    assert got["resolution"]["due_at"] == "2026-11-25T17:00:00Z"       # 2 days, ends at closing
    assert got["first_response"]["elapsed_business_minutes"] == 0       # still closed
    got = sla(isvc, saturday, "2026-11-28T14:00:00Z")
    assert got["first_response"]["due_at"] == "2026-11-30T10:00:00Z"   # Mon 09:00 + 1h
    # used up exactly at a window end: Mon 17:00, not Tue 09:00
    assert got["resolution"]["due_at"] == "2026-11-30T17:00:00Z"
    assert sla(isvc, early, "2026-11-24T09:00:00Z")["first_response"]["due_at"] == "2026-11-24T09:30:00Z"


def test_due_times_across_a_weekend_and_a_holiday(sla_desk):
    isvc = sla_desk
    friday = "2026-11-27T15:00:00Z"
    a = file(isvc, friday, "across the weekend", "--team", "it")
    got = sla(isvc, a, friday)
    assert got["first_response"]["due_at"] == "2026-11-30T11:00:00Z"   # Fri 15–17, Mon 09–11
    assert got["resolution"]["due_at"] == "2026-12-01T15:00:00Z"       # 120 + 480 + 360
    # Monday 30 Nov becomes a holiday: the open request moves a business day on
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-11-30", env=at(friday))
    got = sla(isvc, a, friday)
    assert got["first_response"]["due_at"] == "2026-12-01T11:00:00Z"
    assert got["resolution"]["due_at"] == "2026-12-02T15:00:00Z"
    # filed on the holiday itself, counting starts the day after
    b = file(isvc, "2026-11-30T10:00:00Z", "on the holiday", "--team", "it", "--priority", "high")
    assert sla(isvc, b, "2026-11-30T10:00:00Z")["first_response"]["due_at"] == "2026-12-01T10:00:00Z"


def test_due_times_in_a_real_zone_with_a_holiday(sla_desk):
    """Bucharest is UTC+2 in November; 1 December is Romania's national day."""
    isvc = sla_desk
    isvc("--as", "boss", "calendar", "add", "ro", "--tz", "Europe/Bucharest",
         "--hours", "mon-fri 09:00-17:00")
    isvc("--as", "boss", "calendar", "holiday", "add", "ro", "2026-12-01", "--name", "Ziua Națională")
    isvc("--as", "boss", "agreement", "add", "payroll-std", "--provider", "payroll",
         "--calendar", "ro", "--response", "urgent=30m,high=1h,normal=4h,low=1d",
         "--resolution", "urgent=2h,high=1d,normal=2d,low=5d")
    n = file(isvc, "2026-11-27T13:00:00Z", "payslip", "--team", "payroll")   # Fri 15:00 local
    got = sla(isvc, n, "2026-11-27T13:00:00Z")
    assert got["first_response"]["due_at"] == "2026-11-30T09:00:00Z"   # Mon 11:00 local
    # Fri 120 + Mon 480 + (Tue closed) + Wed 360 -> Wed 15:00 local
    assert got["resolution"]["due_at"] == "2026-12-02T13:00:00Z"


def test_request_new_tells_the_requester_what_to_expect(sla_desk):
    isvc = sla_desk
    result = isvc("--as", "mihai", "request", "new", "VPN", "--team", "it", env=at(MON))
    assert result.stdout == "1\n"
    assert "First response expected by Mon 23 Nov 13:30, resolution by Wed 25 Nov 09:30" in result.stderr
    assert "Mon–Fri 09:00–17:00" in result.stderr and "it-std" in result.stderr
    data = isvc.json("--as", "mihai", "request", "new", "VPN 2", "--team", "it", "--priority", "high",
                     env=at(MON))
    assert data["sla"]["first_response"]["due_at"] == "2026-11-23T10:30:00Z"
    assert data["sla"]["resolution"]["due_at"] == "2026-11-24T09:30:00Z"
    # no agreement, no promise
    result = isvc("--as", "mihai", "request", "new", "Payslip", "--team", "payroll", env=at(MON))
    assert "expected" not in result.stderr


# -- first response --------------------------------------------------------------------------

def test_ack_stops_the_first_response_clock(sla_desk):
    isvc = sla_desk
    early, on_time, late = (file(isvc, MON, t, "--team", "it") for t in ("a", "b", "c"))
    act(isvc, "2026-11-23T10:02:00Z", "jim", "ack", early)
    act(isvc, "2026-11-23T13:30:00Z", "jim", "ack", on_time)      # exactly at the due instant
    act(isvc, "2026-11-23T13:30:01Z", "jim", "ack", late)
    later = "2026-11-24T12:00:00Z"
    got = {n: clock(isvc, n, later, "first_response") for n in (early, on_time, late)}
    assert brief(got[early]) == ("met", "2026-11-23T13:30:00Z", 32, 208, False)
    assert got[on_time]["state"] == "met"
    assert got[late]["state"] == "breached"
    assert show(isvc, early, later)["first_response_at"] == "2026-11-23T10:02:00Z"
    # the resolution clock runs on
    assert clock(isvc, early, later)["state"] == "on_track"
    assert clock(isvc, early, later)["elapsed_business_minutes"] == 450 + 180


def test_only_a_public_reply_by_the_provider_team_stops_the_first_response(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "VPN", "--team", "it", "--watch", "ana")
    act(isvc, "2026-11-23T09:40:00Z", "mihai", "comment", n, "-m", "Any news?")          # requester
    act(isvc, "2026-11-23T09:45:00Z", "ana", "comment", n, "-m", "Same here")            # watcher
    act(isvc, "2026-11-23T09:50:00Z", "jim", "comment", n, "-m", "Looks like #3", "--internal")
    data = show(isvc, n, "2026-11-23T10:00:00Z")
    assert data["first_response_at"] is None and data["status"] == "new"
    assert brief(data["sla"]["first_response"]) == ("on_track", "2026-11-23T13:30:00Z", 30, 210, False)
    act(isvc, "2026-11-23T10:15:00Z", "alina", "comment", n, "-m", "Looking at it")
    data = show(isvc, n, "2026-11-23T11:00:00Z")
    assert data["first_response_at"] == "2026-11-23T10:15:00Z"
    assert data["status"] == "acknowledged"
    assert brief(data["sla"]["first_response"]) == ("met", "2026-11-23T13:30:00Z", 45, 195, False)


def test_a_provider_member_who_is_the_requester_does_not_stop_their_own_clock(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "My own laptop", "--team", "it", who="jim")
    act(isvc, "2026-11-23T10:00:00Z", "jim", "comment", n, "-m", "Still broken")
    assert show(isvc, n, "2026-11-23T10:01:00Z")["first_response_at"] is None
    act(isvc, "2026-11-23T10:05:00Z", "alina", "comment", n, "-m", "On it")
    assert show(isvc, n, "2026-11-23T10:06:00Z")["first_response_at"] == "2026-11-23T10:05:00Z"
    # an owner who is also the requester counts as staff (RT)
    m = file(isvc, MON, "Server room too warm", "--team", "it", who="jim")
    act(isvc, "2026-11-23T10:10:00Z", "jim", "take", m)
    act(isvc, "2026-11-23T10:20:00Z", "jim", "comment", m, "-m", "Called facilities")
    assert show(isvc, m, "2026-11-23T10:21:00Z")["first_response_at"] == "2026-11-23T10:20:00Z"


# -- pauses ------------------------------------------------------------------------------------

def test_waiting_on_the_requester_pauses_resolution_by_business_time(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "Odd error", "--team", "it", "--priority", "low")   # resolution 5d = 2400
    act(isvc, "2026-11-23T09:35:00Z", "jim", "ack", n)
    assert clock(isvc, n, MON)["due_at"] == "2026-11-30T09:30:00Z"
    act(isvc, "2026-11-27T15:00:00Z", "jim", "wait", n, "-m", "Which client version?")   # Fri
    saturday = show(isvc, n, "2026-11-28T12:00:00Z")
    assert saturday["status"] == "waiting" and saturday["waiting_on"] == "requester"
    res = saturday["sla"]["resolution"]
    assert res["paused"] is True
    assert res["due_at"] is None                    # open-ended pause: no due time
    # 450 Mon + 3 × 480 + 360 Fri until the pause
    assert (res["elapsed_business_minutes"], res["remaining_business_minutes"]) == (2250, 150)
    assert saturday["sla"]["first_response"]["paused"] is False
    # the requester answers on Monday 10:00: that resumes the request
    act(isvc, "2026-11-30T10:00:00Z", "mihai", "comment", n, "-m", "5.2.1")
    data = show(isvc, n, "2026-11-30T10:00:00Z")
    assert data["status"] == "in_progress" and data["waiting_on"] is None
    # a 67-hour pause moved the due time by its 3 business hours (Fri 15–17, Mon 09–10)
    assert brief(data["sla"]["resolution"]) == ("at_risk", "2026-11-30T12:30:00Z", 2250, 150, False)
    act(isvc, "2026-11-30T12:00:00Z", "jim", "resolve", n, "-m", "Upgrade the client")
    assert brief(clock(isvc, n, "2026-12-07T12:00:00Z")) == (
        "met", "2026-11-30T12:30:00Z", 2370, 30, False)


def test_the_specs_example_thursday_to_monday_over_a_closed_friday(sla_desk):
    """SLA-SPEC §6: "pause Thu 15:00 → Mon 10:00 removes Thu 15–17 and Mon 09–10" (so
    Friday is closed: here a holiday)."""
    isvc = sla_desk
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-11-27")
    n = file(isvc, MON, "x", "--team", "it", "--priority", "low")        # 2400 business min
    act(isvc, "2026-11-23T09:31:00Z", "jim", "ack", n)
    # Mon 450 + Tue 480 + Wed 480 + Thu 480 + (Fri closed) + Mon 480 + Tue 30
    assert clock(isvc, n, MON)["due_at"] == "2026-12-01T09:30:00Z"
    act(isvc, "2026-11-26T15:00:00Z", "jim", "wait", n, "-m", "Logs?")
    act(isvc, "2026-11-30T10:00:00Z", "jim", "resume", n)
    assert brief(clock(isvc, n, "2026-11-30T10:00:00Z")) == (
        "on_track", "2026-12-01T12:30:00Z", 1770, 630, False)


def test_waiting_does_not_pause_the_first_response_clock(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "x", "--team", "it")
    act(isvc, "2026-11-23T10:00:00Z", "jim", "wait", n)   # no message: no reply either
    got = sla(isvc, n, "2026-11-23T14:00:00Z")
    assert brief(got["first_response"]) == ("breached", "2026-11-23T13:30:00Z", 270, -30, False)
    assert got["resolution"]["paused"] is True and got["resolution"]["due_at"] is None
    assert got["resolution"]["elapsed_business_minutes"] == 30
    act(isvc, "2026-11-23T15:00:00Z", "jim", "resume", n)
    # 5 business hours of pause: Wed 09:30 + 5h -> Wed 14:30
    assert clock(isvc, n, "2026-11-23T15:00:00Z")["due_at"] == "2026-11-25T14:30:00Z"


def test_a_pause_that_starts_after_the_due_time_does_not_move_it(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "x", "--team", "it", "--priority", "urgent")      # resolution 2h -> 11:30
    act(isvc, "2026-11-23T09:35:00Z", "jim", "ack", n)
    act(isvc, "2026-11-23T12:00:00Z", "jim", "wait", n, "-m", "Logs?")
    act(isvc, "2026-11-23T14:00:00Z", "jim", "resume", n)
    res = clock(isvc, n, "2026-11-23T14:00:00Z")
    assert (res["state"], res["due_at"]) == ("breached", "2026-11-23T11:30:00Z")
    assert res["breach_recorded_at"] == "2026-11-23T11:30:00Z"


# -- resolve and reopen ------------------------------------------------------------------------

def test_resolve_gives_a_met_or_breached_verdict(sla_desk):
    isvc = sla_desk
    on_time, late = file(isvc, MON, "a", "--team", "it"), file(isvc, MON, "b", "--team", "it")
    for n in (on_time, late):
        act(isvc, "2026-11-23T10:00:00Z", "jim", "ack", n)
    act(isvc, "2026-11-25T09:30:00Z", "jim", "resolve", on_time, "-m", "done")   # the due instant
    act(isvc, "2026-11-25T09:31:00Z", "jim", "resolve", late, "-m", "done")
    later = "2026-12-10T12:00:00Z"
    assert brief(clock(isvc, on_time, later)) == ("met", "2026-11-25T09:30:00Z", 960, 0, False)
    assert brief(clock(isvc, late, later)) == ("breached", "2026-11-25T09:30:00Z", 961, -1, False)
    # closing keeps the verdict
    act(isvc, "2026-11-26T09:00:00Z", "jim", "close", on_time)
    assert clock(isvc, on_time, later)["state"] == "met"


def test_reopen_resumes_the_same_clock_with_the_resolved_spell_as_a_pause(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "VPN", "--team", "it")
    act(isvc, "2026-11-23T10:00:00Z", "jim", "ack", n)
    act(isvc, "2026-11-23T11:30:00Z", "jim", "resolve", n, "-m", "Try now")   # 120 business min
    assert clock(isvc, n, "2026-11-23T12:00:00Z")["state"] == "met"
    # reopened a week later, long after the original due time (Wed 25 09:30)
    act(isvc, "2026-11-30T09:00:00Z", "jim", "reopen", n, "-m", "Still drops")
    data = show(isvc, n, "2026-11-30T09:00:00Z")
    res = data["sla"]["resolution"]
    # no fresh budget (840 left, not 960) and no breach: Mon 480 + Tue 360 -> Tue 15:00
    assert brief(res) == ("on_track", "2026-12-01T15:00:00Z", 120, 840, False)
    assert res["breach_recorded_at"] is None
    # the first-response clock is not re-armed
    assert data["first_response_at"] == "2026-11-23T10:00:00Z"
    assert data["sla"]["first_response"]["state"] == "met"
    act(isvc, "2026-12-01T14:00:00Z", "jim", "resolve", n, "-m", "Fixed for good")
    assert brief(clock(isvc, n, "2026-12-02T09:00:00Z")) == ("met", "2026-12-01T15:00:00Z", 900, 60, False)
    status = isvc.json("agreement", "status", "it-std", env=at("2026-12-02T09:00:00Z"))[0]
    assert status["resolution_met_pct"] == 100.0 and status["breached"] == 0


def test_a_requester_reply_reopens_without_a_fresh_budget(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "VPN", "--team", "it")
    act(isvc, "2026-11-23T09:40:00Z", "jim", "ack", n)
    act(isvc, "2026-11-24T16:30:00Z", "jim", "resolve", n, "-m", "Fixed")     # 450 + 450 = 900
    act(isvc, "2026-11-26T10:00:00Z", "mihai", "comment", n, "-m", "It is not")
    data = show(isvc, n, "2026-11-26T10:00:00Z")
    assert data["status"] == "in_progress" and data["resolved_at"] is None
    assert brief(data["sla"]["resolution"]) == ("at_risk", "2026-11-26T11:00:00Z", 900, 60, False)
    assert clock(isvc, n, "2026-11-26T11:30:00Z")["state"] == "breached"
    act(isvc, "2026-11-26T12:00:00Z", "jim", "resolve", n, "-m", "Now it is")
    assert brief(clock(isvc, n, "2026-11-27T09:00:00Z")) == (
        "breached", "2026-11-26T11:00:00Z", 1020, -60, False)


# -- priority changes ----------------------------------------------------------------------------

def test_a_priority_change_recomputes_from_creation(sla_desk):
    isvc = sla_desk
    a = file(isvc, MON, "a", "--team", "it", "--priority", "low")
    b = file(isvc, MON, "b", "--team", "it", "--priority", "low")
    assert clock(isvc, a, MON, "first_response")["due_at"] == "2026-11-24T09:30:00Z"
    act(isvc, "2026-11-23T09:50:00Z", "jim", "edit", a, "--priority", "high")
    got = sla(isvc, a, "2026-11-23T09:50:00Z")
    assert brief(got["first_response"]) == ("on_track", "2026-11-23T10:30:00Z", 20, 40, False)
    assert got["first_response"]["target_minutes"] == 60
    assert got["resolution"]["due_at"] == "2026-11-24T09:30:00Z"
    assert got["first_response"]["breach_recorded_at"] is None
    # a recomputed due time already in the past: breached now, at that due time
    act(isvc, "2026-11-23T14:00:00Z", "jim", "edit", b, "--priority", "urgent")
    got = sla(isvc, b, "2026-11-23T14:00:00Z")
    assert brief(got["first_response"]) == ("breached", "2026-11-23T10:00:00Z", 270, -240, False)
    assert got["first_response"]["breach_recorded_at"] == "2026-11-23T10:00:00Z"
    assert (got["resolution"]["due_at"], got["resolution"]["breach_recorded_at"]) == (
        "2026-11-23T11:30:00Z", "2026-11-23T11:30:00Z")
    # sla check sees it at once
    rows = isvc.json("sla", "check", "--team", "it", env=at("2026-11-23T14:00:00Z"), code=4)
    assert {(r["number"], r["clock"], r["state"]) for r in rows} >= {
        (b, "first_response", "breached"), (b, "resolution", "breached")}


def test_a_recorded_breach_survives_a_priority_change_that_moves_the_due_later(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "x", "--team", "it", "--priority", "urgent")   # fr 10:00, res 11:30
    later = "2026-11-23T12:00:00Z"
    assert sla(isvc, n, later)["resolution"]["state"] == "breached"
    act(isvc, later, "jim", "edit", n, "--priority", "low")
    got = sla(isvc, n, "2026-11-23T12:01:00Z")
    # the clocks show the new due times...
    assert got["first_response"]["due_at"] == "2026-11-24T09:30:00Z"
    assert got["resolution"]["due_at"] == "2026-11-30T09:30:00Z"
    # ...and the breaches that happened stay recorded
    assert got["first_response"]["breach_recorded_at"] == "2026-11-23T10:00:00Z"
    assert got["resolution"]["breach_recorded_at"] == "2026-11-23T11:30:00Z"
    row = isvc.json("agreement", "status", "it-std", env=at("2026-11-23T12:01:00Z"))[0]
    assert (row["open"], row["breached"], row["at_risk"], row["on_track"]) == (1, 1, 0, 0)
    # answered and resolved well within the new targets: still counted breached, once
    act(isvc, "2026-11-23T12:05:00Z", "jim", "ack", n)
    act(isvc, "2026-11-24T10:00:00Z", "jim", "resolve", n, "-m", "done")
    got = sla(isvc, n, "2026-11-24T10:01:00Z")
    assert got["first_response"]["state"] == "breached"
    assert got["resolution"]["state"] == "breached"
    row = isvc.json("agreement", "status", "it-std", env=at("2026-11-24T10:01:00Z"))[0]
    assert (row["first_response_met_pct"], row["resolution_met_pct"]) == (0.0, 0.0)
    assert (row["open"], row["breached"]) == (0, 0)


# -- agreement and calendar edits --------------------------------------------------------------------

def test_editing_the_agreement_recomputes_open_requests_only(sla_desk):
    isvc = sla_desk
    open_ = file(isvc, MON, "open", "--team", "it")
    done = file(isvc, MON, "done", "--team", "it")
    act(isvc, "2026-11-23T10:00:00Z", "jim", "resolve", done, "-m", "fixed")   # 30 min: met
    result = isvc("--as", "boss", "agreement", "edit", "it-std",
                  "--response", "urgent=30m,high=1h,normal=1h,low=1d",
                  "--resolution", "urgent=2h,high=1d,normal=20m,low=5d",
                  env=at("2026-11-23T11:00:00Z"))
    assert "recomputed the clocks of 1 open request(s)" in result.stderr
    got = sla(isvc, open_, "2026-11-23T11:00:00Z")
    assert (got["first_response"]["target_minutes"], got["first_response"]["due_at"]) == (
        60, "2026-11-23T10:30:00Z")
    assert got["first_response"]["state"] == "breached"   # the new due time is already past
    assert got["resolution"]["due_at"] == "2026-11-23T09:50:00Z"
    # the resolved one keeps the verdict recorded when it stopped, closing included
    act(isvc, "2026-11-23T11:05:00Z", "jim", "close", done)
    got = sla(isvc, done, "2026-11-23T11:10:00Z")
    assert brief(got["resolution"]) == ("met", "2026-11-25T09:30:00Z", 30, 930, False)
    assert got["resolution"]["target_minutes"] == 960
    assert got["resolution"]["breach_recorded_at"] is None
    assert db_rows(home(), "SELECT res_met, res_target FROM requests WHERE number = ?",
                   done) == [(1, 960)]


def test_editing_the_calendar_recomputes_open_requests(sla_desk):
    isvc = sla_desk
    n = file(isvc, "2026-11-23T15:00:00Z", "x", "--team", "it")
    assert clock(isvc, n, "2026-11-23T15:00:00Z", "first_response")["due_at"] == "2026-11-24T11:00:00Z"
    result = isvc("--as", "boss", "calendar", "edit", "office", "--hours", "mon-fri 08:00-18:00",
                  env=at("2026-11-23T15:10:00Z"))
    assert "Recomputed the clocks of 1 open request." in result.stderr
    # Mon 15–18 = 180, Tue 08–09 = 60
    assert clock(isvc, n, "2026-11-23T15:10:00Z", "first_response")["due_at"] == "2026-11-24T09:00:00Z"
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-11-24",
         env=at("2026-11-23T15:20:00Z"))
    got = sla(isvc, n, "2026-11-23T15:20:00Z")
    assert got["first_response"]["due_at"] == "2026-11-25T09:00:00Z"
    # resolution: Mon 180 + Wed 600 + Thu 180 -> Thu 11:00
    assert got["resolution"]["due_at"] == "2026-11-26T11:00:00Z"


def test_closed_requests_keep_their_verdict_when_the_calendar_changes(sla_desk):
    isvc = sla_desk
    n = file(isvc, MON, "x", "--team", "it")
    act(isvc, "2026-11-23T09:40:00Z", "jim", "ack", n)
    act(isvc, "2026-11-24T15:00:00Z", "jim", "resolve", n, "-m", "done")   # 450 + 360 = 810: met
    before = sla(isvc, n, "2026-11-24T15:00:00Z")
    assert brief(before["resolution"]) == ("met", "2026-11-25T09:30:00Z", 810, 150, False)
    # on a 24x7 week the 16 hours would have run out on Tue 01:30: the verdict must not flip
    isvc("--as", "boss", "calendar", "edit", "office", "--hours", "mon-sun 00:00-24:00",
         env=at("2026-11-24T16:00:00Z"))
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-11-23",
         env=at("2026-11-24T16:01:00Z"))
    after = sla(isvc, n, "2026-11-24T16:02:00Z")
    assert brief(after["resolution"]) == brief(before["resolution"])
    assert brief(after["first_response"]) == brief(before["first_response"])
    act(isvc, "2026-11-24T16:05:00Z", "jim", "close", n)
    assert brief(sla(isvc, n, "2026-11-24T16:06:00Z")["resolution"]) == brief(before["resolution"])


# -- on call ------------------------------------------------------------------------------------------

def test_urgent_requests_out_of_hours_run_on_the_on_call_calendar(sla_desk):
    isvc = sla_desk
    isvc("--as", "boss", "agreement", "edit", "it-std", "--oncall-calendar", "always",
         "--oncall", "jim")
    sat = "2026-11-28T13:00:00Z"
    result = isvc("--as", "mihai", "request", "new", "Site down", "--team", "it", "--priority",
                  "urgent", env=at(sat))
    urgent = int(result.stdout)
    assert "First response expected by Sat 28 Nov 13:30, resolution by Sat 28 Nov 15:00" in result.stderr
    assert "calendar always" in result.stderr
    normal = file(isvc, sat, "Printer", "--team", "it")
    got = sla(isvc, urgent, sat)
    assert (got["first_response"]["due_at"], got["resolution"]["due_at"]) == (
        "2026-11-28T13:30:00Z", "2026-11-28T15:00:00Z")
    assert sla(isvc, urgent, "2026-11-28T13:20:00Z")["first_response"]["elapsed_business_minutes"] == 20
    assert sla(isvc, normal, sat)["first_response"]["due_at"] == "2026-11-30T13:00:00Z"
    # the closing instant is out of hours; the opening instant is in
    closing = file(isvc, "2026-11-23T17:00:00Z", "a", "--team", "it", "--priority", "urgent")
    opening = file(isvc, "2026-11-24T09:00:00Z", "b", "--team", "it", "--priority", "urgent")
    late = file(isvc, "2026-11-23T16:30:00Z", "c", "--team", "it", "--priority", "urgent")
    assert sla(isvc, closing, sat)["first_response"]["due_at"] == "2026-11-23T17:30:00Z"
    assert sla(isvc, opening, sat)["first_response"]["due_at"] == "2026-11-24T09:30:00Z"
    # filed in hours: office hours, even when the target reaches past closing time
    assert sla(isvc, late, sat)["resolution"]["due_at"] == "2026-11-24T10:30:00Z"


def home():
    import os
    from pathlib import Path

    return Path(os.environ["ISVC_HOME"])
