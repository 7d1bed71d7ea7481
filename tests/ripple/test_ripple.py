"""`isvc ripple N`, `isvc ripple --team T`, the queue's "⛓ blocks N" and the report's
longest chains (issue 7 §1).

The root `desk`: teams it, payroll, sales; jim, alina, boss in it (boss the admin); ana in
payroll; mihai in sales. The clock is pinned to Mon 23 Nov 2026 09:30Z.
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from isvc.cli import _common

MON = "2026-11-23T09:30:00Z"
LATER = "2026-12-09T15:00:00Z"   # two weeks on: a 5-day resolution target has passed
NODE_KEYS = ["number", "title", "team", "assignee", "status", "priority", "requester", "state",
             "due_at", "remaining_business_minutes", "depth", "via", "children", "more"]
TEAM_KEYS = ["number", "title", "status", "assignee", "blocked_open", "people_waiting",
             "chain_length", "remaining_business_minutes", "state"]


def new(isvc, title: str, team: str = "it", who: str = "mihai", *extra) -> int:
    return int(isvc("--as", who, "request", "new", title, "--team", team, *extra).stdout)


def table(isvc, *args, who: str = "boss", env: dict | None = None) -> str:
    env = {"ISVC_FORCE_TABLE": "1", "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return re.sub(r"\x1b\[[0-9;]*m", "", isvc("--as", who, *args, env=env).stdout)


def rj(isvc, number: int, who: str = "boss", **kw) -> dict:
    return isvc.json("--as", who, "ripple", number, **kw)


@pytest.fixture
def agreements(quick_desk):
    isvc = quick_desk
    isvc("--as", "boss", "calendar", "add", "office", "--tz", "Europe/Bucharest",
         "--hours", "mon-fri 09:00-17:00")
    for team in ("it", "payroll"):
        isvc("--as", "boss", "agreement", "add", f"{team}-std", "--provider", team,
             "--calendar", "office", "--response", "urgent=1h,high=4h,normal=1d,low=2d",
             "--resolution", "urgent=4h,high=2d,normal=5d,low=10d")
    return isvc


@pytest.fixture
def chain(agreements):
    """#1 (payroll) ← #2 waits on it ← #3 blocked by #2 ← #4 blocked by #3; #5 blocked by #2.

    #4 is watched by alina; everything filed by mihai except #5 (ana)."""
    isvc = agreements
    assert [new(isvc, "Payroll export file", "payroll"), new(isvc, "Bank connector"),
            new(isvc, "Salary run tooling"), new(isvc, "Bonus letters"),
            new(isvc, "Payslip archive", "it", "ana")] == [1, 2, 3, 4, 5]
    isvc("--as", "jim", "request", "wait", 2, "--on", 1, "-m", "needs the new export format")
    isvc("--as", "jim", "request", "link", 3, "--blocked-by", 2)
    isvc("--as", "jim", "request", "link", 4, "--blocked-by", 3)
    isvc("--as", "jim", "request", "link", 5, "--blocked-by", 2)
    isvc("--as", "jim", "request", "watch", 4, "alina")
    return isvc


def numbers(nodes: list[dict]) -> list[int]:
    out = []
    for n in nodes:
        out.append(n["number"])
        out += numbers(n["children"])
    return out


# -- `isvc ripple N` ---------------------------------------------------------------------------

def test_the_tree_shows_both_ways_the_critical_path_and_who_waits(chain):
    out = table(chain, "ripple", 2)
    lines = out.splitlines()
    assert "▶ #2 Bank connector" in lines[0]
    assert "#2 waits on" in out and "waiting on #2" in out
    line = {n: next(x for x in lines if f"#{n} " in x and "critical path" not in x)
            for n in (1, 3, 4, 5)}
    for n in (1, 3, 4):
        assert f"▶ #{n} " in line[n], line[n]
    assert "▶" not in line[5]
    assert "payroll · —" in line[1] and "in progress" not in line[1]
    # who waits: the requesters and watchers of the requests waiting
    assert "for mihai, alina" in line[4] and "for ana" in line[5]
    # the chain reads in order, one level deeper each step down
    assert lines.index(line[3]) < lines.index(line[4])
    assert line[4].index("#4") > line[3].index("#3")
    assert "critical path (the longest chain through #2, 4 requests): #1 → #2 → #3 → #4" in out
    assert "#2 waits on 1 request (1 open) · 3 requests and 3 people wait on #2" in out


def test_json_has_the_documented_shape(chain):
    data = rj(chain, 2)
    assert list(data) == ["number", "request", "upstream", "downstream", "critical_path",
                          "waiting_people", "counts", "limits"]
    assert data["number"] == 2 and list(data["request"]) == NODE_KEYS
    assert data["request"]["depth"] == 0 and data["request"]["via"] is None
    (up,) = data["upstream"]
    assert list(up) == NODE_KEYS
    assert (up["number"], up["team"], up["via"], up["depth"]) == (1, "payroll", "waits_on", 1)
    assert up["state"] == "on_track" and up["remaining_business_minutes"] > 0
    assert up["due_at"].endswith("Z") and up["requester"] == "mihai"
    three, five = data["downstream"]
    assert (three["number"], three["via"], five["number"]) == (3, "blocks", 5)
    assert [c["number"] for c in three["children"]] == [4]
    assert three["children"][0]["depth"] == 2
    assert data["request"]["state"] == "paused"  # #2 waits on #1: its clock is paused
    assert data["critical_path"] == [1, 2, 3, 4]
    assert data["waiting_people"] == ["alina", "ana", "mihai"]
    assert data["counts"] == {"upstream": 1, "upstream_open": 1, "downstream": 3,
                              "downstream_open": 3, "people": 3}
    assert data["limits"] == []


def test_piped_output_is_one_line_per_request(chain):
    out = chain("--as", "boss", "ripple", 3).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(r[0], r[2]) for r in rows] == [("request", "3"), ("upstream", "2"),
                                           ("upstream", "1"), ("downstream", "4")]
    assert all(r[-1] == "true" for r in rows)  # one chain: all of it critical


def test_clock_states_and_time_left_in_business_time(chain):
    later = {"ISVC_NOW": LATER}
    data = rj(chain, 3, env=later)
    assert data["request"]["state"] == "breached" and data["request"]["remaining_business_minutes"] < 0
    out = table(chain, "ripple", 3, env=later)
    assert "overdue" in out.splitlines()[0]
    assert "paused" in next(x for x in out.splitlines() if "#2 " in x)


def test_resolved_requests_are_shown_but_stop_nothing(chain):
    chain("--as", "ana", "request", "resolve", 1, "-m", "new format live")  # #2 resumes
    data = rj(chain, 3)
    up = data["upstream"]
    assert [n["number"] for n in up] == [2]
    assert up[0]["via"] == "blocks" and up[0]["children"][0]["status"] == "resolved"
    assert up[0]["children"][0]["state"] == "met" and up[0]["children"][0]["remaining_business_minutes"] is None
    assert data["counts"]["upstream"] == 2 and data["counts"]["upstream_open"] == 1
    assert data["critical_path"] == [2, 3, 4]
    assert "resolved" in next(x for x in table(chain, "ripple", 3).splitlines() if "#1 " in x)
    # a resolved request in the middle: shown, and what is behind it is not walked
    chain("--as", "jim", "request", "resolve", 3, "-m", "done")
    data = rj(chain, 4)
    assert numbers(data["upstream"]) == [3] and data["critical_path"] == []
    assert data["counts"] == {"upstream": 1, "upstream_open": 0, "downstream": 0,
                              "downstream_open": 0, "people": 0}
    assert "#4 waits on 1 request (0 open) · 0 requests and 0 people wait on #4" in \
        table(chain, "ripple", 4)


def test_a_request_alone_says_so(agreements):
    new(agreements, "Lonely")
    out = table(agreements, "ripple", 1)
    assert "#1 waits on nothing" in out and "nothing waits on #1" in out
    assert "critical path" not in out
    data = rj(agreements, 1)
    assert data["critical_path"] == [] and data["upstream"] == data["downstream"] == []


def test_titles_are_printed_literally(agreements):
    isvc = agreements
    new(isvc, "[bold]Gateway[/bold] [/x]")
    new(isvc, "Waits [red]on[/red] it")
    isvc("--as", "jim", "request", "link", 2, "--blocked-by", 1)
    out = table(isvc, "ripple", 2)
    assert "[bold]Gateway[/bold] [/x]" in out and "Waits [red]on[/red] it" in out
    out = table(isvc, "ripple", "--team", "it")
    assert "[bold]Gateway[/bold] [/x]" in out


def test_requests_the_viewer_may_not_see_are_not_leaked(chain, monkeypatch):
    from isvc.services import access

    monkeypatch.setitem(access.RULES, "view", frozenset({"admin", "agent", "requester", "watcher"}))
    data = rj(chain, 5, who="ana")   # ana is #5's requester and in payroll (#1's team)
    (two,) = data["upstream"]
    assert two["title"] == "#2 (not visible to you)" and two["assignee"] is None
    assert two["requester"] is None and two["status"] == "waiting"
    assert two["children"][0]["title"] == "Payroll export file"  # payroll: ana's team
    out = table(chain, "ripple", 5, who="ana")
    assert "#2 (not visible to you)" in out and "#2 #2" not in out and "Bank connector" not in out
    result = chain("--as", "ana", "ripple", 3, code=2)
    assert "may see #3" in result.stderr


def test_cycles_in_stored_data_do_not_loop(chain, isvc_home):
    conn = sqlite3.connect(isvc_home / "isvc.db")   # as an old or hand-edited file might hold
    conn.execute("INSERT INTO links(src, dst, kind, created_at, actor) "
                 "VALUES (4, 1, 'blocks', ?, 'jim')", (MON,))
    conn.commit()
    conn.close()
    data = rj(chain, 2)
    path = data["critical_path"]
    assert len(set(path)) == len(path) and 2 in path
    assert sorted(set(numbers(data["upstream"]))) == [1, 3, 4]
    assert "#2 waits on" in table(chain, "ripple", 2)


def test_fan_out_and_depth_are_limited_and_said(agreements, monkeypatch):
    from isvc.services import ripple

    isvc = agreements
    for i in range(7):
        new(isvc, f"Request {i + 1}")
    for waiter in (2, 3, 4, 5, 6):
        isvc("--as", "jim", "request", "link", waiter, "--blocked-by", 1)
    isvc("--as", "jim", "request", "link", 7, "--blocked-by", 6)
    monkeypatch.setattr(ripple, "WIDTH", 2)
    data = rj(isvc, 1)
    shown = [n["number"] for n in data["downstream"]]
    assert shown[0] == 6 and len(shown) == 2   # the critical path goes first
    assert data["counts"]["downstream"] == 6   # counted all the same
    assert "3 waiting requests not listed (at most 2 under each)" in data["limits"]
    out = table(isvc, "ripple", 1)
    assert "… and 3 more" in out and "Not shown: 3 waiting requests not listed" in out
    monkeypatch.setattr(ripple, "WIDTH", 20)
    monkeypatch.setattr(ripple, "MAX_DEPTH", 1)
    data = rj(isvc, 1)
    assert 7 not in numbers(data["downstream"])
    assert any("past 1 levels downstream" in note for note in data["limits"])


def test_one_of_a_number_or_a_team_is_required(quick_desk):
    isvc = quick_desk
    for args in ((), (1, "--team", "it")):
        result = isvc("--as", "boss", "ripple", *args, code=2)
        assert result.stderr.startswith("Error: give a request number (isvc ripple 412) or --team T")
    assert "no request #9" in isvc("--as", "boss", "ripple", 9, code=3).stderr
    assert "no team 'nope'" in isvc("--as", "boss", "ripple", "--team", "nope", code=3).stderr
    assert "at least 1" in isvc("--as", "boss", "ripple", "--team", "it", "--limit", "0",
                                code=2).stderr


# -- `isvc ripple --team T` ----------------------------------------------------------------------

def test_the_team_ranking(chain):
    rows = chain.json("--as", "boss", "ripple", "--team", "it")
    assert [list(r) for r in rows] == [TEAM_KEYS] * 2
    assert [(r["number"], r["blocked_open"], r["people_waiting"], r["chain_length"])
            for r in rows] == [(2, 3, 3, 4), (3, 1, 2, 4)]
    assert rows[0]["state"] == "paused" and rows[0]["assignee"] is None
    payroll = chain.json("--as", "boss", "ripple", "--team", "payroll")
    assert [(r["number"], r["blocked_open"], r["people_waiting"]) for r in payroll] == [(1, 4, 3)]
    assert len(chain.json("--as", "boss", "ripple", "--team", "it", "--limit", "1")) == 1
    out = table(chain, "ripple", "--team", "it")
    assert "IT Service Desk" in out and "Bank connector" in out and "blocks" in out
    assert chain.json("--as", "boss", "ripple", "--team", "sales") == []
    assert "Nothing of this team's blocks another open request" in table(
        chain, "ripple", "--team", "sales")


def test_ties_rank_by_people_then_time_left(agreements):
    isvc = agreements
    for title, prio in (("A", "normal"), ("B", "high"), ("C", "normal"), ("D", "normal"),
                        ("E", "normal")):
        new(isvc, title, "it", "mihai", "--priority", prio)
    isvc("--as", "jim", "request", "link", 3, "--blocked-by", 1)
    isvc("--as", "jim", "request", "link", 4, "--blocked-by", 2)
    rows = isvc.json("--as", "boss", "ripple", "--team", "it")
    assert [r["number"] for r in rows] == [2, 1]   # same counts; #2 (high) has less time left
    isvc("--as", "jim", "request", "watch", 3, "ana")
    rows = isvc.json("--as", "boss", "ripple", "--team", "it")
    assert [r["number"] for r in rows] == [1, 2]   # more people wait on #1 now


# -- the report's longest chains ---------------------------------------------------------------

def test_longest_chains_for_the_report(chain):
    from isvc.services.ripple import longest_chains

    chain("--as", "jim", "request", "link", 5, "--relates", 1)   # not a wait
    _common.reset()
    _common.GLOBAL.as_person = "boss"
    d = _common.desk()
    try:
        chains = longest_chains(d)
        assert chains == [
            {"numbers": [1, 2, 3, 4], "length": 4, "teams": ["payroll", "it", "it", "it"],
             "titles": ["Payroll export file", "Bank connector", "Salary run tooling",
                        "Bonus letters"], "people_waiting": 2},
            {"numbers": [1, 2, 5], "length": 3, "teams": ["payroll", "it", "it"],
             "titles": ["Payroll export file", "Bank connector", "Payslip archive"],
             "people_waiting": 2},
        ]
        assert longest_chains(d, limit=1) == chains[:1]
        assert longest_chains(d, team="sales") == []
        assert longest_chains(d, team="payroll") == chains
    finally:
        _common.reset()
    chain("--as", "jim", "request", "resolve", 3, "-m", "done")
    _common.GLOBAL.as_person = "boss"
    d = _common.desk()
    try:
        assert [c["numbers"] for c in longest_chains(d)] == [[1, 2, 5]]
    finally:
        _common.reset()


# -- the queue and `request show` -----------------------------------------------------------

def test_the_queue_marks_and_ranks_the_requests_that_block_others(chain):
    rows = chain.json("--as", "boss", "queue", "it")
    blocks = {r["number"]: r["blocks"] for r in rows}
    assert blocks == {2: 3, 3: 1, 4: 0, 5: 0}
    out = table(chain, "queue", "it")
    line = {n: next(x for x in out.splitlines() if x.lstrip().startswith(f"{n} ")) for n in blocks}
    assert "⛓ blocks 1" in line[3] and "⛓ blocks 3" in line[2] and "⛓" not in line[4] + line[5]
    # #2 waits (paused): its clock does not run, so it comes in the last group
    # on track: #3 (blocks 1) before #4 and #5 (block nothing), though filed before them
    order = [r["number"] for r in rows]
    assert order.index(3) < order.index(4) < order.index(5) and order[-1] == 2
    # a breached request that blocks nothing still comes before an on-track blocker
    chain("--as", "boss", "request", "new", "Old one", "--team", "it")  # #6
    later = chain.json("--as", "boss", "queue", "it", env={"ISVC_NOW": LATER})
    assert all(r["sla"]["resolution"]["state"] == "breached" for r in later if r["number"] != 2)


def test_queue_groups_put_blockers_first(agreements):
    isvc = agreements
    for title in ("First", "Second", "Third"):
        new(isvc, title)
    isvc("--as", "jim", "request", "link", 2, "--blocks", 1)
    order = [r["number"] for r in isvc.json("--as", "boss", "queue", "it")]
    assert order == [2, 1, 3]
    later = {"ISVC_NOW": "2026-11-23T12:00:00Z"}
    new(isvc, "Fourth", "it", "mihai", "--priority", "urgent")   # at 09:30: breached by 12:00
    order = [r["number"] for r in isvc.json("--as", "boss", "queue", "it", env=later)]
    assert order == [4, 2, 1, 3]


def test_request_show_says_what_it_blocks_and_what_blocks_it(chain):
    out = table(chain, "request", "show", 2)
    assert "waiting on #1 · blocked by #1 · blocks #3, #5" in out
    assert "blocked by #2" in table(chain, "request", "show", 3)
