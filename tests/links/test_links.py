"""`request link` / `unlink` and `request wait N --on M` (issue 7 §1, SLA-SPEC §6).

The root `desk`: teams it, payroll, sales; jim, alina, boss in it (boss the admin); ana in
payroll; mihai in sales. The clock is pinned to Mon 23 Nov 2026 09:30Z.
"""

from __future__ import annotations

import pytest

MON = "2026-11-23T09:30:00Z"


def at(when: str) -> dict:
    return {"ISVC_NOW": when}


def new(isvc, title: str, team: str = "it", who: str = "mihai", when: str = MON, *extra) -> int:
    return int(isvc("--as", who, "request", "new", title, "--team", team, *extra, env=at(when)).stdout)


def show(isvc, number: int, who: str = "boss", when: str = MON) -> dict:
    return isvc.json("--as", who, "request", "show", number, env=at(when))


def links(isvc, number: int) -> list[tuple]:
    return [(e["kind"], e["field"], e["from"], e["to"], e["message"])
            for e in show(isvc, number)["events"] if e["kind"] == "link"]


@pytest.fixture
def three(desk):
    """#1, #2 for it; #3 for payroll, all filed by mihai."""
    assert [new(desk, "VPN down"), new(desk, "Gateway"), new(desk, "Payslip", "payroll")] == [1, 2, 3]
    return desk


# -- link kinds and their journal --------------------------------------------------------------

@pytest.mark.parametrize("option, src, dst, kind, on_1, on_2", [
    ("--blocks", 1, 2, "blocks", "blocks #2", "blocked by #1"),
    ("--blocked-by", 2, 1, "blocks", "blocked by #2", "blocks #1"),
    ("--relates", 1, 2, "relates", "relates to #2", "relates to #1"),
    ("--duplicate-of", 1, 2, "duplicate_of", "duplicate of #2", "duplicated by #1"),
])
def test_each_kind_is_stored_and_journaled_on_both(three, db, option, src, dst, kind, on_1, on_2):
    isvc = three
    result = isvc("--as", "jim", "request", "link", 1, option, 2)
    assert result.stderr == f"#1 {on_1}.\n"
    assert db.query("SELECT src, dst, kind, actor FROM links") == [(src, dst, kind, "jim")]
    assert links(isvc, 1) == [("link", kind, None, "2", on_1)]
    assert links(isvc, 2) == [("link", kind, None, "1", on_2)]


def test_show_lists_the_links_in_words(three, monkeypatch):
    isvc = three
    new(isvc, "Printer")  # 4
    isvc("--as", "jim", "request", "link", 1, "--blocks", 2)
    isvc("--as", "jim", "request", "link", 1, "--blocked-by", 3)
    isvc("--as", "jim", "request", "link", 1, "--relates", 4)
    isvc("--as", "jim", "request", "link", 2, "--duplicate-of", 4)
    monkeypatch.setenv("ISVC_FORCE_TABLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    out = isvc("--as", "boss", "request", "show", 1).stdout
    assert "blocks #2" in out and "blocked by #3" in out and "relates to #4" in out
    assert "duplicate of #4" in isvc("--as", "boss", "request", "show", 2).stdout


def test_exactly_one_kind_is_required(three, db):
    isvc = three
    for args in ((), ("--blocks", 2, "--relates", 2)):
        result = isvc("--as", "jim", "request", "link", 1, *args, code=2)
        assert "give exactly one of --blocked-by, --blocks, --relates, --duplicate-of" in result.stderr
    assert db.count("links") == 0


def test_self_links_and_unknown_requests_are_refused(three):
    isvc = three
    assert "cannot be linked to itself" in isvc("--as", "jim", "request", "link", 1, "--relates", 1, code=2).stderr
    assert "no request #99" in isvc("--as", "jim", "request", "link", 1, "--blocks", 99, code=3).stderr
    assert "no request #99" in isvc("--as", "jim", "request", "link", 99, "--blocks", 1, code=3).stderr
    assert links(isvc, 1) == []


def test_the_same_link_twice_is_refused(three):
    isvc = three
    isvc("--as", "jim", "request", "link", 1, "--blocks", 2)
    result = isvc("--as", "jim", "request", "link", 2, "--blocked-by", 1, code=2)
    assert "#2 is already linked: blocked by #1" in result.stderr
    assert len(links(isvc, 1)) == 1


# -- cycles ------------------------------------------------------------------------------------

def test_a_two_request_cycle_is_refused_and_named(three):
    isvc = three
    isvc("--as", "jim", "request", "link", 3, "--blocks", 1)
    result = isvc("--as", "jim", "request", "link", 1, "--blocks", 3, code=2)
    assert "cycle #1 → #3 → #1" in result.stderr
    result = isvc("--as", "jim", "request", "link", 3, "--blocked-by", 1, code=2)
    assert "cycle #1 → #3 → #1" in result.stderr
    assert [e[3] for e in links(isvc, 1)] == ["3"]


def test_a_longer_cycle_is_named_in_full(three):
    isvc = three
    isvc("--as", "jim", "request", "link", 1, "--blocks", 2)
    isvc("--as", "jim", "request", "link", 2, "--blocks", 3)
    result = isvc("--as", "jim", "request", "link", 3, "--blocks", 1, code=2)
    assert "cycle #3 → #1 → #2 → #3" in result.stderr
    # other kinds are not ordering constraints: no cycle to refuse
    isvc("--as", "jim", "request", "link", 3, "--relates", 1)


# -- unlink ------------------------------------------------------------------------------------

def test_unlink_removes_and_journals_on_both(three, db):
    isvc = three
    isvc("--as", "jim", "request", "link", 1, "--blocked-by", 2)
    isvc("--as", "jim", "request", "link", 1, "--relates", 2)
    result = isvc("--as", "jim", "request", "unlink", 1, 2, "--kind", "blocked-by")
    assert result.stderr == "#1 no longer blocked by #2.\n"
    assert db.query("SELECT src, dst, kind FROM links") == [(1, 2, "relates")]
    assert links(isvc, 1)[-1] == ("link", "blocks", "2", None, "no longer blocked by #2")
    assert links(isvc, 2)[-1] == ("link", "blocks", "1", None, "no longer blocks #1")
    isvc("--as", "jim", "request", "unlink", 2, 1)
    assert db.query("SELECT * FROM links") == []
    assert "there is no link between #1 and #2" in isvc("--as", "jim", "request", "unlink", 1, 2, code=2).stderr


def test_unlink_refuses_an_unknown_kind(three):
    isvc = three
    isvc("--as", "jim", "request", "link", 1, "--relates", 2)
    assert "not a link kind" in isvc("--as", "jim", "request", "unlink", 1, 2, "--kind", "parent", code=2).stderr


# -- who may -----------------------------------------------------------------------------------

def test_agents_of_either_team_and_admins_may_link(three):
    isvc = three
    isvc("--as", "ana", "request", "link", 1, "--relates", 3)        # payroll agent, #3 is payroll's
    isvc("--as", "jim", "request", "link", 2, "--relates", 3)        # it agent, #2 is it's
    isvc("--as", "boss", "request", "link", 1, "--blocks", 3)        # admin
    result = isvc("--as", "ana", "request", "link", 1, "--blocks", 2, code=2)  # neither is payroll's
    assert "only members of team it or an admin may link #1 and #2; you are ana" in result.stderr
    result = isvc("--as", "mihai", "request", "link", 1, "--relates", 3, code=2)  # the requester
    assert "only members of team it or payroll or an admin" in result.stderr
    assert "you are mihai" in isvc("--as", "mihai", "request", "unlink", 1, 3, code=2).stderr
    isvc("--as", "ana", "request", "unlink", 1, 3, "--kind", "relates")


# -- waiting on another request ----------------------------------------------------------------

def test_wait_on_refuses_itself_unknown_and_final_requests(three):
    isvc = three
    assert "cannot wait on itself" in isvc("--as", "jim", "request", "wait", 1, "--on", 1, code=2).stderr
    assert "no request #9" in isvc("--as", "jim", "request", "wait", 1, "--on", 9, code=3).stderr
    isvc("--as", "jim", "request", "resolve", 2)
    assert "#2 is resolved; wait only on an open request" in isvc(
        "--as", "jim", "request", "wait", 1, "--on", 2, code=2).stderr
    assert "only" in isvc("--as", "mihai", "request", "wait", 1, "--on", 3, code=2).stderr
    assert show(isvc, 1)["status"] == "new"


def test_wait_on_adds_the_blocks_link_once(three, db):
    isvc = three
    isvc("--as", "jim", "request", "link", 1, "--blocked-by", 3)
    result = isvc("--as", "jim", "request", "wait", 1, "--on", 3, "-m", "Payroll first")
    assert result.stderr == "#1 waiting on #3.\n"
    assert db.query("SELECT src, dst, kind FROM links") == [(3, 1, "blocks")]
    data = show(isvc, 1)
    assert data["status"] == "waiting" and data["waiting_on"] == 3
    assert db.query("SELECT number, on_request, kind, reason, ended_at FROM waits") == [
        (1, 3, "request", "Payroll first", None)]
    status = [e for e in data["events"] if e["kind"] == "status"][-1]
    assert (status["to"], status["field"], status["message"]) == ("waiting", "request", "Payroll first")
    assert links(isvc, 1)[-1] == ("link", "waiting_on", None, "3", "waiting on #3")


def test_wait_on_refuses_a_cycle(three):
    isvc = three
    isvc("--as", "jim", "request", "link", 1, "--blocks", 2)
    result = isvc("--as", "jim", "request", "wait", 1, "--on", 2, code=2)
    assert "cycle #2 → #1 → #2" in result.stderr
    assert show(isvc, 1)["status"] == "new"


def test_plain_wait_still_waits_on_the_requester(three):
    isvc = three
    isvc("--as", "jim", "request", "wait", 1, "-m", "Which client?")
    assert show(isvc, 1)["waiting_on"] == "requester"


@pytest.mark.parametrize("command, label", [("resolve", "resolved"), ("cancel", "cancelled")])
def test_finishing_m_resumes_every_request_waiting_on_it(three, db, command, label):
    isvc = three
    new(isvc, "Printer")  # 4
    isvc("--as", "jim", "request", "wait", 1, "--on", 2)
    isvc("--as", "jim", "request", "wait", 4, "--on", 2)
    isvc("--as", "jim", "request", "wait", 2)  # #2 itself waits on its requester
    isvc("--as", "alina", "request", command, 2, env=at("2026-11-23T11:00:00Z"))
    for n in (1, 4):
        data = show(isvc, n)
        assert data["status"] == "in_progress" and data["waiting_on"] is None
        last = data["events"][-1]
        assert (last["kind"], last["actor"], last["from"], last["to"], last["message"]) == (
            "status", "alina", "waiting", "in_progress", f"#2 {label}: resumed")
    assert [e[4] for e in links(isvc, 2)[-2:]] == ["resumed #1", "resumed #4"]
    assert db.query("SELECT number, ended_at FROM waits WHERE kind = 'request' ORDER BY number") == [
        (1, "2026-11-23T11:00:00Z"), (4, "2026-11-23T11:00:00Z")]


def test_a_requester_reply_does_not_resume_a_request_waiting_on_another(three):
    isvc = three
    isvc("--as", "jim", "request", "wait", 1, "--on", 2)
    isvc("--as", "mihai", "request", "comment", 1, "-m", "any news?")
    data = show(isvc, 1)
    assert data["status"] == "waiting" and data["waiting_on"] == 2


def test_show_says_what_it_waits_on(three, monkeypatch):
    isvc = three
    isvc("--as", "jim", "request", "wait", 1, "--on", 2)
    monkeypatch.setenv("ISVC_FORCE_TABLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    out = isvc("--as", "boss", "request", "show", 1).stdout
    assert "waiting on #2" in out and "blocked by #2" in out


def test_wait_on_pauses_the_resolution_clock(desk):
    isvc = desk
    isvc("--as", "boss", "calendar", "add", "office", "--tz", "UTC", "--hours", "mon-fri 09:00-17:00")
    isvc("--as", "boss", "agreement", "add", "it-std", "--provider", "it", "--calendar", "office",
         "--response", "urgent=30m,high=1h,normal=4h,low=1d",
         "--resolution", "urgent=2h,high=1d,normal=2d,low=5d")
    n = new(isvc, "Odd error")                                  # normal: resolution 2d = 960 min
    m = new(isvc, "Switch firmware")
    isvc("--as", "jim", "request", "ack", n, env=at("2026-11-23T09:35:00Z"))
    assert show(isvc, n)["sla"]["resolution"]["due_at"] == "2026-11-25T09:30:00Z"
    isvc("--as", "jim", "request", "wait", n, "--on", m, env=at("2026-11-23T10:00:00Z"))
    paused = show(isvc, n, when="2026-11-23T15:00:00Z")["sla"]["resolution"]
    assert paused["paused"] is True and paused["elapsed_business_minutes"] == 30
    isvc("--as", "jim", "request", "resolve", m, env=at("2026-11-23T14:00:00Z"))
    res = show(isvc, n, when="2026-11-23T14:00:00Z")["sla"]["resolution"]
    # a 4-hour pause inside business hours moves the due time by 4 hours
    assert res["paused"] is False and res["due_at"] == "2026-11-25T13:30:00Z"
    assert res["elapsed_business_minutes"] == 30
