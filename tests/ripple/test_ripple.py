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
from testkit import expect_error

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
    assert data["request"]["due_at"] is None      # ... so nothing is due
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
    assert up[0]["children"][0]["due_at"] is None        # done: nothing is due any more
    assert up[0]["due_at"].endswith("Z") and data["request"]["due_at"].endswith("Z")
    rows = {r[2]: r for r in (line.split("\t") for line in
                              chain("--as", "boss", "ripple", 3).stdout.splitlines())}
    assert rows["1"][9] == "" and rows["2"][9].endswith("Z")   # due_at in TSV too
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
    assert numbers(data["downstream"]) == [6, 2, 3, 4, 5]
    assert data["downstream"][0]["more"] == 1       # #7, under #6, past the level listed
    assert "the chain goes on past 1 level downstream; isvc ripple on its last request " \
        "shows the rest" in data["limits"]
    assert data["counts"]["downstream"] == 6 and data["critical_path"] == [1, 6, 7]


# -- long chains and wide fan-outs: true counts, and what is left out said ----------------

DEEP = 41        # #1 -> #2 -> ... -> #41: 40 levels
FAN = 30         # #41 blocks #42 ... #71


@pytest.fixture
def long_chain(snapshot, quick_desk):
    """#1 blocks #2, which blocks #3 ... up to #41; #41 blocks 30 requests (#42-#71)."""
    isvc = quick_desk

    def build():
        for i in range(1, DEEP + FAN + 1):
            assert new(isvc, f"Step {i}") == i
        for i in range(2, DEEP + 1):
            isvc("--as", "jim", "request", "link", i, "--blocked-by", i - 1)
        for i in range(DEEP + 1, DEEP + FAN + 1):
            isvc("--as", "jim", "request", "link", i, "--blocked-by", DEEP)

    snapshot("ripple-long-chain", build)
    return isvc


def deepest(nodes: list[dict]) -> dict:
    node = nodes[0]
    while node["children"]:
        node = node["children"][0]
    return node


def test_a_40_deep_chain_counts_everything_and_says_what_is_not_listed(long_chain):
    from isvc.services import ripple

    data = rj(long_chain, 1)
    assert data["counts"] == {"upstream": 0, "upstream_open": 0, "downstream": DEEP - 1 + FAN,
                              "downstream_open": DEEP - 1 + FAN, "people": 1}
    # the critical path is the true longest: all 41 and one of the 30 waiters
    assert data["critical_path"] == list(range(1, DEEP + 1)) + [DEEP + 1]
    rows = long_chain.json("--as", "boss", "ripple", "--team", "it", "--limit", 1)
    assert rows[0]["number"] == 1 and rows[0]["chain_length"] == len(data["critical_path"])
    # the tree lists 12 levels; the last one says one more hangs under it
    last = deepest(data["downstream"])
    assert (last["number"], last["depth"], last["more"]) == (1 + ripple.MAX_DEPTH,
                                                            ripple.MAX_DEPTH, 1)
    assert numbers(data["downstream"]) == list(range(2, 2 + ripple.MAX_DEPTH))
    assert data["limits"] == [f"the chain goes on past {ripple.MAX_DEPTH} levels downstream; "
                              "isvc ripple on its last request shows the rest"]
    out = table(long_chain, "ripple", 1)
    assert f"#1 waits on 0 requests (0 open) · {DEEP - 1 + FAN} requests and 1 person wait " \
        "on #1" in out
    assert "… and 1 more" in out
    # from the middle: both ways past the levels listed, counted in full
    data = rj(long_chain, 20)
    assert {k: data["counts"][k] for k in ("upstream", "downstream")} == {
        "upstream": 19, "downstream": DEEP - 20 + FAN}
    assert data["critical_path"] == list(range(1, DEEP + 2))
    assert deepest(data["upstream"])["number"] == 20 - ripple.MAX_DEPTH
    assert len(data["limits"]) == 2


def test_a_30_wide_fan_out_counts_the_ones_left_out_at_the_root(long_chain):
    from isvc.services import ripple

    data = rj(long_chain, DEEP)
    assert len(data["downstream"]) == ripple.WIDTH
    assert data["request"]["more"] == FAN - ripple.WIDTH
    assert data["counts"]["downstream"] == FAN and data["counts"]["upstream"] == DEEP - 1
    assert f"{FAN - ripple.WIDTH} waiting requests not listed (at most {ripple.WIDTH} " \
        "under each)" in data["limits"]
    assert len(data["critical_path"]) == DEEP + 1
    out = table(long_chain, "ripple", DEEP)
    assert f"… and {FAN - ripple.WIDTH} more" in out
    assert f"#{DEEP} waits on {DEEP - 1} requests ({DEEP - 1} open) · {FAN} requests" in out
    # the report's longest chains: the 30 chains differing in their last request are one
    from isvc.services.ripple import longest_chains

    _common.reset()
    _common.GLOBAL.as_person = "boss"
    try:
        chains = longest_chains(_common.desk())
    finally:
        _common.reset()
    assert [c["numbers"] for c in chains] == [list(range(1, DEEP + 2))]


def test_past_the_count_limit_the_counts_are_lower_bounds(long_chain, monkeypatch):
    from isvc.services import ripple

    monkeypatch.setattr(ripple, "COUNT_MAX", 25)
    data = rj(long_chain, 1)
    assert data["counts"]["downstream"] == 25
    assert data["limits"][-2:] == [
        "the requests past the first 25 downstream, which were not counted: the downstream "
        "counts are lower bounds",
        "any longer critical path through requests that were not counted"]
    assert len(data["critical_path"]) == 26
    out = table(long_chain, "ripple", 1)
    assert "at least 25 requests and at least 1 person wait on #1" in out
    assert "#1 waits on 0 requests" in out    # upstream was walked in full


def test_one_of_a_number_or_a_team_is_required(quick_desk):
    isvc = quick_desk
    for args in ((), (1, "--team", "it")):
        result = isvc("--as", "boss", "ripple", *args, code=2)
        assert result.stderr.startswith("Error: give a request number (isvc ripple 412) or --team T")
    assert "no request #9" in isvc("--as", "boss", "ripple", 9, code=3).stderr
    assert "no team 'nope'" in isvc("--as", "boss", "ripple", "--team", "nope", code=3).stderr
    assert "at least 1" in isvc("--as", "boss", "ripple", "--team", "it", "--limit", "0",
                                code=2).stderr


def test_limit_goes_with_team_only(chain):
    for args in ((2, "--limit", 3), (2, "-n", 10), (2, "--limit", 0, "--json")):
        expect_error(chain("--as", "boss", "ripple", *args, code=None), 2,
                     "--limit goes with --team, e.g. isvc ripple --team it --limit 5")
    assert len(chain.json("--as", "boss", "ripple", "--team", "it", "--limit", 1)) == 1
    assert len(chain.json("--as", "boss", "ripple", "--team", "it")) == 2   # 10 by default


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
        # 1 -> 2 -> 5 adds only #5 to the chain above it: not listed
        assert chains == [
            {"numbers": [1, 2, 3, 4], "length": 4, "teams": ["payroll", "it", "it", "it"],
             "titles": ["Payroll export file", "Bank connector", "Salary run tooling",
                        "Bonus letters"], "people_waiting": 2},
        ]
        assert longest_chains(d, team="sales") == []
        assert longest_chains(d, team="payroll") == chains
    finally:
        _common.reset()
    six = new(chain, "Payslip letters")
    chain("--as", "jim", "request", "link", six, "--blocked-by", 5)   # 1 -> 2 -> 5 -> 6
    _common.GLOBAL.as_person = "boss"
    d = _common.desk()
    try:
        chains = longest_chains(d)
        # 5 -> 6 brings two requests: a chain of its own
        assert [c["numbers"] for c in chains] == [[1, 2, 3, 4], [1, 2, 5, 6]]
        assert [c["people_waiting"] for c in chains] == [2, 2]
        assert longest_chains(d, limit=1) == chains[:1]
    finally:
        _common.reset()
    chain("--as", "jim", "request", "resolve", 3, "-m", "done")
    _common.GLOBAL.as_person = "boss"
    d = _common.desk()
    try:
        assert [c["numbers"] for c in longest_chains(d)] == [[1, 2, 5, 6]]
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
