"""`isvc report recurring` (issue 7 §3): groups of similar requests, the knowledge-base
article and problem request of each, the suggestion, and `--open-problem`.

The desk: the root `desk` (it: jim, alina, boss; payroll: ana; sales: mihai; boss the
only admin) with, filed at the times shown (the clock is Mon 23 Nov 2026 09:30Z):

     #1-5   VPN drops every hour (5 wordings)   it       30, 20, 10, 5, 2 days ago
     #6-8   printer on floor 3 jams             it       50, 40, 35 days ago
     #9-11  payslip for October missing         payroll  8, 6, 4 days ago
     #12    Laptop won't boot                   it       1 day ago
     #13    VPN drops every hour                it       120 days ago (outside 90d)
     #14-16 "[bold]Badge[/] reader dead"        it       60, 59, 58 days ago
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from testkit import expect_error

from isvc.services import recurring

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
KEYS = ["id", "size", "title", "type", "teams", "requesters", "top_requesters", "first_at",
        "last_at", "open", "numbers", "kb_article", "problem", "suggestion"]

FILED = [
    ("mihai", "VPN drops every hour", "it", 30),
    ("ana", "VPN keeps dropping every hour since update", "it", 20),
    ("mihai", "vpn drops every hour!", "it", 10),
    ("jim", "VPN drops every hour", "it", 5),
    ("alina", "VPN drops every hour on Wi-Fi", "it", 2),
    ("ana", "Printer on floor 3 jams", "it", 50),
    ("mihai", "Printer jams on floor 3 again", "it", 40),
    ("jim", "Printer floor 3 paper jam", "it", 35),
    ("mihai", "Payslip for October is missing", "payroll", 8),
    ("jim", "Payslip for October is missing", "payroll", 6),
    ("ana", "October payslip missing", "payroll", 4),
    ("mihai", "Laptop won't boot", "it", 1),
    ("mihai", "VPN drops every hour", "it", 120),
    ("ana", "[bold]Badge[/] reader dead", "it", 60),
    ("mihai", "[bold]Badge[/] reader dead", "it", 59),
    ("jim", "[bold]Badge[/] reader dead", "it", 58),
]


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def rec(request, snapshot, isvc):
    def build():
        request.getfixturevalue("desk")
        for number, (who, title, team, days) in enumerate(FILED, 1):
            out = isvc("--as", who, "request", "new", title, "--team", team,
                       env={"ISVC_NOW": ago(days)}).stdout
            assert int(out) == number

    snapshot("recurring", build)
    return isvc


def report(isvc, *args, who="boss"):
    return isvc.json("--as", who, "report", "recurring", *args)


def by_id(groups) -> dict[int, dict]:
    return {g["id"]: g for g in groups}


# -- the groups ----------------------------------------------------------------------------

def test_groups_in_the_documented_shape_largest_then_most_recent(rec):
    groups = report(rec)
    assert [list(g) for g in groups] == [KEYS] * len(groups)
    assert [g["id"] for g in groups] == [1, 9, 6, 14]  # 3-groups: the most recent first
    vpn = groups[0]
    assert vpn == {
        "id": 1, "size": 5, "title": "VPN drops every hour", "type": None,
        "teams": [{"team": "it", "count": 5}], "requesters": 4,
        "top_requesters": ["mihai", "ana", "jim"], "first_at": ago(30), "last_at": ago(2),
        "open": 5, "numbers": [1, 2, 3, 4, 5], "kb_article": None, "problem": None,
        "suggestion": "open a problem request",
    }
    assert by_id(groups)[9]["teams"] == [{"team": "payroll", "count": 3}]
    assert by_id(groups)[6]["suggestion"] == "write a KB article"  # 3 < 5, not recent


def test_the_service_signature_other_reports_call(rec):
    from isvc.cli import _common

    expected = report(rec)
    _common.reset()
    _common.GLOBAL.as_person = "boss"
    desk = _common.desk()
    assert recurring.groups(desk) == expected
    assert [g["id"] for g in recurring.groups(desk, since="200d", team="it", min_size=4,
                                              limit=1)] == [1]


def test_the_period_team_min_size_and_limit_choose_the_groups(rec):
    wide = by_id(report(rec, "--since", "200d"))[1]
    assert wide["size"] == 6 and wide["numbers"] == [1, 2, 3, 4, 5, 13]
    assert wide["first_at"] == ago(120) and wide["id"] == 1
    assert [g["id"] for g in report(rec, "--team", "payroll")] == [9]
    assert [g["id"] for g in report(rec, "--min-size", "4")] == [1]
    assert [g["id"] for g in report(rec, "--limit", "2")] == [1, 9]
    assert report(rec, "--since", "1d") == []


@pytest.mark.parametrize("args, code, message", [
    (["--min-size", "1"], 2,
     "--min-size must be at least 2: a recurring problem needs two requests"),
    (["--limit", "0"], 2, "--limit must be at least 1"),
    (["--team", "nosuch"], 3, "no team 'nosuch'; see `isvc team list`"),
    (["--since", "soon"], 2, "--since 'soon' is not understood; use a span like 30d, 12h, 2w "
                             "or a date like 2026-11-01"),
    (["--csv", "--json"], 2, "--csv asks for CSV; drop --json or --format"),
])
def test_bad_options_are_one_line_errors(rec, args, code, message):
    expect_error(rec("--as", "jim", "report", "recurring", *args, code=None), code, message)


def test_only_team_members_and_admins_see_recurring_problems(rec):
    rec("--as", "boss", "person", "add", "zed", "--name", "Zed Outsider")
    expect_error(rec("--as", "zed", "report", "recurring", code=None), 2,
                 "only desk admins and team members may see reports; you are zed")


def test_open_counts_follow_the_requests(rec):
    rec("--as", "jim", "request", "resolve", 1, "-m", "gateway timeout raised")
    assert by_id(report(rec))[1]["open"] == 4


# -- knowledge base ------------------------------------------------------------------------

def test_a_strongly_matching_article_is_linked_and_suggested(rec):
    rec("--as", "ana", "kb", "add", "--title", "Payslip for October missing",
        "--body", "October payslips are published on the 3rd working day.", "--team", "payroll")
    rec("--as", "jim", "kb", "add", "--title", "Reset your VPN password",
        "--body", "Use the self-service portal.", "--team", "it")
    groups = by_id(report(rec))
    assert groups[9]["kb_article"] == {"id": 1, "title": "Payslip for October missing"}
    assert groups[9]["suggestion"] == "link to KB-1"
    assert groups[1]["kb_article"] is None  # "vpn" alone is not a strong match
    for number in (9, 10, 11):
        rec("--as", "ana", "request", "resolve", number, "-m", "see the article")
    assert by_id(report(rec))[9]["suggestion"] == "point requesters to KB-1"


# -- other formats -------------------------------------------------------------------------

def test_csv_has_one_row_per_group_with_numbers_joined_by_spaces(rec):
    out = rec("--as", "boss", "report", "recurring", "--csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == recurring.COLUMNS
    assert [r["id"] for r in rows] == ["1", "9", "6", "14"]
    assert rows[0]["numbers"] == "1 2 3 4 5"
    assert rows[0]["teams"] == "it:5"
    assert rows[0]["top_requesters"] == "mihai ana jim"
    assert rows[0]["kb_article"] == "" and rows[0]["problem"] == ""


def test_the_table_prints_titles_literally_and_the_next_command(rec):
    out = rec("--as", "boss", "report", "recurring",
              env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "180", "NO_COLOR": "1"}).stdout
    assert "Recurring problems" in out and "4 groups" in out
    assert "[bold]Badge[/] reader dead" in out
    assert "VPN drops every hour" in out and "open a problem request" in out
    assert "isvc report recurring --open-problem ID" in out


def test_the_table_says_when_nothing_recurs(rec):
    out = rec("--as", "boss", "report", "recurring", "--since", "1d",
              env={"ISVC_FORCE_TABLE": "1", "NO_COLOR": "1"}).stdout
    assert "No groups of 3 or more similar requests since" in out


# -- --open-problem ------------------------------------------------------------------------

def relates(db, number: int) -> list[int]:
    return sorted(r[0] for r in db.query(
        "SELECT dst FROM links WHERE src = ? AND kind = 'relates'", number))


def test_open_problem_files_one_request_and_links_the_group_then_refuses_twice(rec, db):
    result = rec("--as", "jim", "report", "recurring", "--open-problem", 1)
    assert result.stdout == "17\n"
    assert result.stderr.startswith("Filed problem #17 for team it: 5 request(s) of group 1 "
                                    "linked to it (relates).\n")
    problem = rec.json("--as", "jim", "request", "show", 17)
    assert problem["title"] == "Problem: VPN drops every hour"
    assert (problem["team"], problem["priority"], problem["requester"]) == ("it", "normal", "jim")
    assert problem["tags"] == ["problem"] and problem["status"] == "new"
    assert "5 similar requests" in problem["body"] and "#1 #2 #3 #4 #5" in problem["body"]
    assert problem["sla"] is None or "resolution" in problem["sla"]
    assert relates(db, 17) == [1, 2, 3, 4, 5]
    journal = [e["message"] for e in rec.json("--as", "jim", "request", "show", 3)["events"]
               if e["kind"] == "link"]
    assert journal == ["relates to #17"]

    groups = by_id(report(rec))
    assert groups[1]["size"] == 5  # the problem request is not a member of its group
    assert (groups[1]["problem"], groups[1]["suggestion"]) == (17, "problem #17 already open")

    before = db.counts()
    expect_error(rec("--as", "jim", "report", "recurring", "--open-problem", 1, code=None), 2,
                 "group 1 already has problem #17 open; see `isvc request show 17`")
    assert db.counts() == before

    rec("--as", "jim", "request", "cancel", 17, "-m", "fixed at the gateway")
    again = by_id(report(rec))[1]
    assert (again["problem"], again["suggestion"]) == (17, "open a problem request")


def test_a_problem_linked_by_hand_counts_too(rec):
    number = int(rec("--as", "jim", "request", "new", "VPN gateway root cause", "--team", "it",
                     "--tag", "problem").stdout)
    rec("--as", "jim", "request", "link", 4, "--relates", number)
    vpn = by_id(report(rec))[1]
    assert vpn["problem"] == number and vpn["suggestion"] == f"problem #{number} already open"


def test_open_problem_prints_the_request_with_json(rec):
    made = rec.json("--as", "boss", "report", "recurring", "--open-problem", 9)
    assert made["number"] == 17 and made["team"] == "payroll"
    assert made["title"] == "Problem: Payslip for October is missing"


def test_only_agents_of_the_main_team_or_admins_open_problems(rec, db):
    before = db.counts()
    expect_error(rec("--as", "mihai", "report", "recurring", "--open-problem", 1, code=None), 2,
                 "only members of team it or an admin may open a problem request for group 1; "
                 "you are mihai")
    expect_error(rec("--as", "ana", "report", "recurring", "--open-problem", 1, code=None), 2,
                 "only members of team it or an admin may open a problem request for group 1; "
                 "you are mihai".replace("mihai", "ana"))
    assert db.counts() == before
    assert rec("--as", "ana", "report", "recurring", "--open-problem", 9).stdout == "17\n"


def test_an_id_that_is_not_a_current_group_is_refused(rec, db):
    before = db.counts()
    for group_id in (12, 2, 999):
        expect_error(rec("--as", "boss", "report", "recurring", "--open-problem", group_id,
                         code=None), 3,
                     f"no recurring group {group_id} since 2026-08-25; the groups are listed by "
                     "`isvc report recurring` (the id is the first column)")
    assert db.counts() == before


def test_open_problem_is_all_or_nothing(rec, db, monkeypatch):
    from isvc.errors import InvalidInput
    from isvc.services import links

    real, calls = links.add, []

    def failing(desk, src, dst, kind):
        calls.append(dst)
        if len(calls) == 3:
            raise InvalidInput("the disk is full")
        return real(desk, src, dst, kind)

    monkeypatch.setattr(links, "add", failing)
    before = db.counts()
    expect_error(rec("--as", "jim", "report", "recurring", "--open-problem", 1, code=None), 2,
                 "the disk is full")
    assert db.counts() == before
    assert db.count("requests", "title LIKE 'Problem:%'") == 0


def test_open_problem_takes_no_other_format(rec):
    expect_error(rec("--as", "jim", "report", "recurring", "--open-problem", 1, "--csv",
                     code=None), 2,
                 "--open-problem prints the new request's number (or the request with --json); "
                 "leave out --csv and --format")


# -- how it reads ------------------------------------------------------------------------------

@pytest.mark.parametrize("team", [False, True])
def test_the_period_is_read_through_an_index(rec, team):
    from isvc.cli import _common
    from isvc.store import recurring as store

    _common.reset()
    conn = _common.desk().conn
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN " + store.period_sql(team), {"since": ago(90), "team": "it"}))
    assert ("requests_team_created" if team else "requests_created") in plan
    assert "SCAN requests" not in plan
    links_plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN " + store.PROBLEM_LINKS_SQL, {"tag": "problem"}))
    assert "SCAN" not in links_plan.replace("SCAN CONSTANT", "")
