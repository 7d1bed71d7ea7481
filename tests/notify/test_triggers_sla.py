"""`isvc sla check --notify`: at-risk and breach notices once per change however often cron
runs it, re-armed by a new due time; reminders once per wait; automatic resolution.

Times: the office calendar is Mon–Fri 09:00–17:00 in Bucharest (07:00–15:00Z in November).
A normal request filed Mon 23 Nov 09:30Z (11:30 local): first response (240 min) at risk
from 12:42Z, due 13:30Z; resolution (960 min) at risk from Tue 14:18Z, due Wed 09:30Z.
"""

from __future__ import annotations

from collections import Counter

import pytest

from .test_triggers_kit import MON, act, at, file, hook, nd, outbox, set_webhooks, sql

assert nd  # the fixture, used by name


def check(isvc, when: str, *args: str, who: str = "boss"):
    return isvc("--as", who, "sla", "check", *args, env=at(when), code=None)


def rows_now(isvc, when: str) -> list[dict]:
    return isvc.json("sla", "check", env=at(when), code=None)


@pytest.fixture
def watched(nd, isvc_home):
    """The agreement notifies +it and dan; chat hears breaches, risk hears it's at-risk
    notices, payroll-chat only payroll's."""
    nd("--as", "boss", "agreement", "edit", "it-std", "--notify", "+it", "--notify", "dan")
    set_webhooks(isvc_home, [hook("chat", ["breached"]), hook("risk", ["at_risk"], ["it"]),
                             hook("payroll-chat", [], ["payroll"])])
    return nd


def sla_rows(home) -> list[dict]:
    return outbox(home, "kind IN ('at_risk', 'breached')")


# -- at risk, then breached, once each --------------------------------------------------------

def test_at_risk_then_breached_each_announced_once(watched, isvc_home):
    n = file(watched, MON, "ana", "VPN down")
    act(watched, MON, "jim", "take", n)
    assert "0 notice(s) queued." in check(watched, "2026-11-23T12:00:00Z", "--notify").stderr
    result = check(watched, "2026-11-23T12:42:00Z", "--notify")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "3 notice(s) queued."
    rows = sla_rows(isvc_home)
    assert [(r["kind"], r["channel"], r["recipient"]) for r in rows] == [
        ("at_risk", "mail", "jim@example.com"), ("at_risk", "mail", "dan@example.com"),
        ("at_risk", "webhook", "risk")]
    jim, dan, risk = rows
    assert jim["subject"] == f"[isvc #{n}] At risk: VPN down"
    assert "is at risk: it is due Mon 23 Nov 15:30 (Europe/Bucharest)" in jim["body"]
    assert "the request is assigned to you" in jim["body"]
    assert "you are on the notify list of agreement it-std" in dan["body"]
    assert jim["dedupe_key"] == (
        f"sla:{n}:first_response:at_risk:2026-11-23T13:30:00Z:jim@example.com")
    assert jim["payload"]["auto"] is True
    assert risk["subject"] == f"#{n} at risk: VPN down (it, normal)"
    assert risk["payload"] == {
        "event": "at_risk", "clock": "first_response", "state": "at_risk",
        "due_at": "2026-11-23T13:30:00Z",
        "request": {"number": n, "title": "VPN down", "team": "it", "priority": "normal",
                    "status": "new", "assignee": "jim", "requester": "ana"}}
    assert risk["dedupe_key"] == f"sla:{n}:first_response:at_risk:2026-11-23T13:30:00Z:risk"
    # nothing changed: nothing more, however often it runs
    for minute in range(43, 60, 4):
        check(watched, f"2026-11-23T12:{minute}:00Z", "--notify")
    assert len(sla_rows(isvc_home)) == 3
    result = check(watched, "2026-11-23T13:31:00Z", "--notify")
    assert result.exit_code == 4  # unchanged: something is breached
    assert result.stderr.splitlines()[-1] == "3 notice(s) queued."
    assert [(r["kind"], r["recipient"]) for r in sla_rows(isvc_home)[3:]] == [
        ("breached", "jim@example.com"), ("breached", "dan@example.com"), ("breached", "chat")]
    assert sql(isvc_home, "SELECT number, clock, state, due_at FROM sla_notices") == [
        (n, "first_response", "breached", "2026-11-23T13:30:00Z")]


def test_plain_sla_check_stays_read_only(watched, isvc_home):
    n = file(watched, MON, "ana", "VPN down")
    before = outbox(isvc_home)
    result = check(watched, "2026-11-23T13:31:00Z")
    assert result.exit_code == 4 and "queued" not in result.stderr
    assert outbox(isvc_home) == before
    assert sql(isvc_home, "SELECT count(*) FROM sla_notices") == [(0,)]
    assert n


def _expected(observed: list[list[dict]]) -> Counter:
    """The notices the observed `sla check` rows call for: one per change of (state, due)
    per clock, a clock that left the list starting afresh; to jim and dan by mail, to chat
    when breached and to risk when at risk."""
    last: dict[tuple, tuple] = {}
    want: Counter = Counter()
    for rows in observed:
        seen = {}
        for r in rows:
            key = (r["number"], r["clock"])
            seen[key] = (r["state"], r["due_at"])
        for key in list(last):
            if key not in seen:
                del last[key]
        for key, value in seen.items():
            if last.get(key) != value:
                last[key] = value
                state = value[0]
                hook_name = "chat" if state == "breached" else "risk"
                for recipient in ("jim@example.com", "dan@example.com", hook_name):
                    want[(state, key[0], recipient)] += 1
    return want


def test_twenty_runs_queue_exactly_one_notice_per_state_change(watched, isvc_home):
    a = file(watched, MON, "ana", "VPN down")
    b = file(watched, "2026-11-23T10:00:00Z", "ana", "Laptop dead", "--priority", "high")
    c = file(watched, "2026-11-23T10:10:00Z", "ana", "New chair", "--priority", "low")
    for n in (a, b, c):
        act(watched, "2026-11-23T10:10:00Z", "jim", "assign", n, "jim")
    times = [f"2026-11-23T{h:02d}:{m:02d}:00Z" for h, m in
             [(10, 20), (10, 50), (11, 0), (11, 30), (12, 0), (12, 42), (12, 50), (13, 0),
              (13, 31), (14, 0), (15, 0)]]
    times += ["2026-11-24T08:00:00Z", "2026-11-24T10:00:00Z", "2026-11-24T14:18:00Z",
              "2026-11-24T14:30:00Z", "2026-11-25T07:00:00Z", "2026-11-25T09:31:00Z",
              "2026-11-25T12:00:00Z", "2026-11-26T09:00:00Z", "2026-11-27T14:00:00Z"]
    assert len(times) == 20
    observed = []
    for when in times:
        observed.append(rows_now(watched, when))
        check(watched, when, "--notify")
        check(watched, when, "--notify")  # a second run in the same minute adds nothing
    got = Counter((r["kind"], r["number"], r["recipient"]) for r in sla_rows(isvc_home))
    want = _expected(observed)
    assert got == want
    assert sum(want.values()) >= 12  # the scenario did change: several clocks, both states
    assert {k[0] for k in want} == {"at_risk", "breached"} and {k[1] for k in want} == {a, b, c}


def test_a_priority_change_that_moves_the_due_time_rearms(watched, isvc_home):
    n = file(watched, MON, "ana", "VPN down")
    act(watched, MON, "jim", "take", n)
    check(watched, "2026-11-23T12:42:00Z", "--notify")                # at risk, due 13:30Z
    assert len(sla_rows(isvc_home)) == 3
    # urgent: 30 min to first response, due 10:00Z, already past: breached at a new due time
    act(watched, "2026-11-23T12:45:00Z", "jim", "edit", n, "--priority", "urgent")
    check(watched, "2026-11-23T12:46:00Z", "--notify")
    new = [r for r in sla_rows(isvc_home)[3:] if ":first_response:" in r["dedupe_key"]]
    assert [(r["kind"], r["recipient"]) for r in new] == [
        ("breached", "jim@example.com"), ("breached", "dan@example.com"), ("breached", "chat")]
    assert all(":2026-11-23T10:00:00Z:" in r["dedupe_key"] for r in new)
    # low: 1 day to first response, back on track: the notice is forgotten ...
    act(watched, "2026-11-23T12:47:00Z", "jim", "edit", n, "--priority", "low")
    check(watched, "2026-11-23T12:48:00Z", "--notify")
    assert sql(isvc_home, "SELECT count(*) FROM sla_notices") == [(0,)]
    count = len(sla_rows(isvc_home))
    # ... so the next time it is at risk (80% of 480 min: Tue 09:54 local) it is announced
    check(watched, "2026-11-24T08:00:00Z", "--notify")
    later = sla_rows(isvc_home)[count:]
    assert {r["kind"] for r in later} == {"at_risk"} and len(later) == 3


def test_a_stopped_clock_forgets_its_notice(watched, isvc_home):
    n = file(watched, MON, "ana", "VPN down")
    check(watched, "2026-11-23T12:42:00Z", "--notify")
    assert sql(isvc_home, "SELECT clock FROM sla_notices") == [("first_response",)]
    act(watched, "2026-11-23T12:50:00Z", "jim", "comment", n, "-m", "Looking.")
    check(watched, "2026-11-23T12:51:00Z", "--notify")
    assert sql(isvc_home, "SELECT count(*) FROM sla_notices") == [(0,)]


def test_notices_left_out_of_notify_events_are_not_queued(watched, isvc_home):
    watched("config", "set", "notify.events", "breached")
    file(watched, MON, "ana", "VPN down")
    check(watched, "2026-11-23T12:42:00Z", "--notify")
    assert sla_rows(isvc_home) == []
    check(watched, "2026-11-23T13:31:00Z", "--notify")
    assert {r["kind"] for r in sla_rows(isvc_home)} == {"breached"}


def test_team_filter_touches_only_that_teams_notices(watched, isvc_home):
    n = file(watched, MON, "ana", "VPN down")
    check(watched, "2026-11-23T12:42:00Z", "--notify", "--team", "payroll")
    assert sla_rows(isvc_home) == []
    check(watched, "2026-11-23T12:42:00Z", "--notify", "--team", "it")
    assert {r["number"] for r in sla_rows(isvc_home)} == {n}


# -- reminders and automatic resolution -------------------------------------------------------
# jim waits on ana Mon 10:00Z (12:00 local); three business days later is Thu 26 10:00Z.

def _waiting(isvc, who: str = "ana") -> int:
    n = file(isvc, MON, who, "VPN down")
    act(isvc, "2026-11-23T10:00:00Z", "jim", "wait", n, "-m", "Which VPN client version?")
    return n


def reminders(home) -> list[dict]:
    return outbox(home, "kind = 'reminder'")


def test_one_reminder_per_wait(nd, isvc_home):
    n = _waiting(nd)
    check(nd, "2026-11-26T09:59:00Z", "--notify")
    assert reminders(isvc_home) == []
    result = check(nd, "2026-11-26T10:00:00Z", "--notify")
    assert "1 notice(s) queued; 1 reminder(s)." in result.stderr
    [row] = reminders(isvc_home)
    wait_id = sql(isvc_home, "SELECT id FROM waits WHERE number = ? AND ended_at IS NULL", n)[0][0]
    assert (row["recipient"], row["number"], row["dedupe_key"]) == (
        "ana@example.com", n, f"remind:{n}:{wait_id}")
    assert row["subject"] == f"[isvc #{n}] VPN down"
    assert row["body"].startswith("Hello Ana,\n\nWe are waiting for your answer")
    assert "Mon 23 Nov 12:00 (Europe/Bucharest), 3 business days ago" in row["body"]
    assert "    Which VPN client version?" in row["body"]
    assert row["payload"]["auto"] is True
    for when in ("2026-11-26T12:00:00Z", "2026-11-27T10:00:00Z", "2026-11-30T10:00:00Z"):
        check(nd, when, "--notify")
    assert len(reminders(isvc_home)) == 1
    # she answers, jim asks again: a new wait, a new reminder three business days later
    act(nd, "2026-12-01T08:00:00Z", "ana", "comment", n, "-m", "5.2")
    act(nd, "2026-12-01T10:00:00Z", "jim", "wait", n, "-m", "And the OS?")
    check(nd, "2026-12-03T10:00:00Z", "--notify")
    assert len(reminders(isvc_home)) == 1
    check(nd, "2026-12-04T10:00:00Z", "--notify")
    assert len(reminders(isvc_home)) == 2


def test_no_reminder_when_reminders_are_off(nd, isvc_home):
    nd("config", "set", "notify.events", "ack,reply")
    _waiting(nd)
    check(nd, "2026-11-26T10:00:00Z", "--notify")
    assert reminders(isvc_home) == []


def test_autoresolve_after_the_further_period(nd, isvc_home):
    nd("config", "set", "notify.autoresolve_after_days", "2")
    n = _waiting(nd)
    check(nd, "2026-11-26T10:00:00Z", "--notify")                  # the reminder
    assert "within 2 more business days, we will resolve" in reminders(isvc_home)[0]["body"]
    check(nd, "2026-11-30T09:59:00Z", "--notify")                  # 2 days less a minute
    assert nd.json("request", "show", n, env=at("2026-11-30T09:59:00Z"))["status"] == "waiting"
    result = check(nd, "2026-11-30T10:00:00Z", "--notify")
    assert f"resolved automatically: #{n}" in result.stderr
    shown = nd.json("--as", "boss", "request", "show", n, env=at("2026-11-30T10:00:00Z"))
    assert shown["status"] == "resolved"
    [resolved] = outbox(isvc_home, "kind = 'resolved'")
    assert resolved["recipient"] == "ana@example.com"
    text = "Resolved automatically: no answer for 5 business days; reply to reopen"
    assert f"    {text}" in resolved["body"]
    # threaded on the first mail about it: the question jim asked when he set it waiting
    first = outbox(isvc_home, "number = ? AND channel = 'mail'", n)[0]
    assert (first["kind"], first["payload"]["in_reply_to"]) == ("reply", None)
    assert resolved["payload"]["in_reply_to"] == first["message_id"]
    assert reminders(isvc_home)[0]["payload"]["in_reply_to"] == first["message_id"]
    status = [e for e in shown["events"] if e["kind"] == "status"][-1]
    assert (status["actor"], status["message"]) == ("boss", text)
    check(nd, "2026-12-01T10:00:00Z", "--notify")
    assert len(outbox(isvc_home, "kind = 'resolved'")) == 1


def test_autoresolve_needs_a_cron_user_who_may_resolve(nd, isvc_home):
    nd("config", "set", "notify.autoresolve_after_days", "2")
    n = _waiting(nd)
    check(nd, "2026-11-26T10:00:00Z", "--notify")
    result = check(nd, "2026-11-30T10:00:00Z", "--notify", who="mihai")
    assert f"Warning: #{n} waited 5 business days on its requester; mihai may not resolve it" \
        in result.stderr
    assert nd.json("request", "show", n, env=at("2026-11-30T10:00:00Z"))["status"] == "waiting"


def test_autoresolve_without_an_address_counts_from_when_the_reminder_was_due(nd, isvc_home):
    nd("config", "set", "notify.autoresolve_after_days", "2")
    n = _waiting(nd, who="mihai")                                   # mihai has no e-mail
    check(nd, "2026-11-26T10:00:00Z", "--notify")
    assert reminders(isvc_home) == []
    check(nd, "2026-11-30T09:59:00Z", "--notify")
    assert nd.json("request", "show", n, env=at("2026-11-30T09:59:00Z"))["status"] == "waiting"
    check(nd, "2026-11-30T10:00:00Z", "--notify")
    assert nd.json("request", "show", n, env=at("2026-11-30T10:00:00Z"))["status"] == "resolved"
    assert outbox(isvc_home, "kind = 'resolved'") == []             # nobody to mail


def test_without_a_calendar_reminders_count_calendar_days(nd, isvc_home):
    nd("--as", "boss", "agreement", "retire", "it-std")
    n = _waiting(nd)
    check(nd, "2026-11-26T09:59:00Z", "--notify")
    assert reminders(isvc_home) == []
    check(nd, "2026-11-26T10:00:00Z", "--notify")
    [row] = reminders(isvc_home)
    assert row["number"] == n and "3 days ago" in row["body"]
