"""`isvc team add|edit|list|show` and `isvc person add|edit|deactivate|list|show`."""

from __future__ import annotations

import csv
import io
import json

import pytest

from testkit import expect_error

HANDLE_HELP = "a handle is 1-32 lower-case letters, digits, '.', '_' or '-', starting with a letter"


# -- teams -----------------------------------------------------------------------------------

def test_team_add_and_show(quick_desk, db):
    result = quick_desk("--as", "boss", "team", "add", "facilities", "--name", "Facilities")
    assert result.stderr == "Added team facilities (Facilities).\n" and result.stdout == ""
    assert quick_desk.json("team", "show", "facilities")["name"] == "Facilities"
    assert db.query("SELECT actor, action, subject FROM audit_log ORDER BY id DESC LIMIT 1") == [
        ("boss", "team.add", "facilities")]
    # the name defaults to the handle
    quick_desk("--as", "boss", "team", "add", "hr")
    assert quick_desk.json("team", "show", "hr")["name"] == "hr"


@pytest.mark.parametrize("who, args, code, message", [
    ("boss", ["it"], 2, "team 'it' already exists; see `isvc team show it`"),
    ("boss", ["IT Desk"], 2, f"team 'IT Desk' is not a valid handle; {HANDLE_HELP}"),
    ("boss", ["9lives"], 2, f"team '9lives' is not a valid handle; {HANDLE_HELP}"),
    ("ana", ["hr"], 2, "only an admin (boss) may add teams; you are ana"),
])
def test_team_add_refusals_write_nothing(quick_desk, db, who, args, code, message):
    before = db.counts()
    expect_error(quick_desk("--as", who, "team", "add", *args, code=None), code, message)
    assert db.counts() == before


def test_team_edit(quick_desk, db):
    result = quick_desk("--as", "boss", "team", "edit", "it", "--name", "IT")
    assert result.stderr == "Team it is now 'IT'.\n"
    assert quick_desk.json("team", "show", "it")["name"] == "IT"
    assert db.query("SELECT action, subject FROM audit_log ORDER BY id DESC LIMIT 1") == [("team.edit", "it")]
    before = db.counts()
    expect_error(quick_desk("--as", "boss", "team", "edit", "nope", "--name", "X", code=None), 3,
                 "no team 'nope'; see `isvc team list`")
    expect_error(quick_desk("--as", "jim", "team", "edit", "it", "--name", "X", code=None), 2,
                 "only an admin (boss) may edit teams; you are jim")
    assert db.counts() == before


def test_team_show_unknown_suggests(quick_desk):
    expect_error(quick_desk("team", "show", "payrol", code=None), 3,
                 "no team 'payrol' (did you mean 'payroll'?); see `isvc team list`")


def test_team_list_formats(quick_desk):
    teams = quick_desk.json("team", "list")
    assert [(t["handle"], t["members"]) for t in teams] == [
        ("it", ["alina", "boss", "jim"]), ("payroll", ["ana"]), ("sales", ["mihai"])]
    tsv = quick_desk("team", "list").stdout.splitlines()  # piped: TSV
    assert tsv == ["it\tIT Service Desk\talina,boss,jim\t\t", "payroll\tPayroll\tana\t\t",
                   "sales\tSales\tmihai\t\t"]
    rows = list(csv.reader(io.StringIO(quick_desk("team", "list", "--format", "csv").stdout)))
    assert rows[0] == ["handle", "name", "members", "calendar", "agreements"]
    assert rows[1] == ["it", "IT Service Desk", "alina,boss,jim", "", ""]
    nd = [json.loads(line) for line in quick_desk("team", "list", "--format", "ndjson").stdout.splitlines()]
    assert nd == teams


def test_team_tables(quick_desk):
    quick_desk("--as", "ana", "request", "new", "x", "--team", "it")
    env = {"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"}
    assert "IT Service Desk" in quick_desk("team", "list", env=env).stdout
    shown = quick_desk("team", "show", "it", env=env).stdout
    assert "alina, boss, jim" in shown and "isvc queue it" in shown


# -- people ----------------------------------------------------------------------------------

def test_person_add(quick_desk, db):
    result = quick_desk("--as", "boss", "person", "add", "eva", "--name", "Eva Dinu", "--team", "sales",
                        "--team", "payroll", "--primary", "payroll", "--email", "Eva@Example.com")
    assert result.stderr == "Added eva (Eva Dinu) in payroll, sales.\n"
    eva = quick_desk.json("person", "show", "eva")
    assert eva["teams"] == ["payroll", "sales"] and eva["primary_team"] == "payroll"
    assert eva["email"] == "Eva@Example.com"
    assert db.query("SELECT actor, action, subject FROM audit_log WHERE action = 'person.add' "
                    "ORDER BY id DESC LIMIT 1") == [("boss", "person.add", "eva")]
    # a --primary not among --team joins that team too
    quick_desk("--as", "boss", "person", "add", "ion", "--team", "sales", "--primary", "it")
    ion = quick_desk.json("person", "show", "ion")
    assert ion["teams"] == ["it", "sales"] and ion["primary_team"] == "it"
    # no team at all
    quick_desk("--as", "boss", "person", "add", "zoe")
    zoe = quick_desk.json("person", "show", "zoe")
    assert zoe["teams"] == [] and zoe["primary_team"] is None and zoe["name"] == "zoe"


@pytest.mark.parametrize("who, args, code, message", [
    ("boss", ["jim"], 2, "person 'jim' already exists; change them with `isvc person edit jim`"),
    ("boss", ["Eva Dinu"], 2, f"person 'Eva Dinu' is not a valid handle; {HANDLE_HELP}"),
    ("boss", ["eva", "--email", "not-an-address"], 2,
     "'not-an-address' is not an email address; use e.g. ana@example.com"),
    ("boss", ["eva", "--email", "JIM@example.com"], 2, "JIM@example.com already belongs to jim"),
    ("boss", ["eva", "--team", "it", "--team", "nope"], 3, "no team 'nope'; see `isvc team list`"),
    ("boss", ["eva", "--primary", "nope"], 3, "no team 'nope'; see `isvc team list`"),
    ("jim", ["eva"], 2, "only an admin (boss) may add people; you are jim"),
])
def test_person_add_refusals_write_nothing(quick_desk, db, who, args, code, message):
    before = db.counts()
    expect_error(quick_desk("--as", who, "person", "add", *args, code=None), code, message)
    assert db.counts() == before


def test_person_edit_self_and_others(quick_desk, db):
    # anyone may change their own name and email ...
    result = quick_desk("--as", "ana", "person", "edit", "me", "--name", "Ana Maria Pop",
                        "--email", "ana.pop@example.com")
    assert result.stderr == "Updated ana: teams payroll (primary payroll).\n"
    ana = quick_desk.json("person", "show", "ana")
    assert (ana["name"], ana["email"]) == ("Ana Maria Pop", "ana.pop@example.com")
    assert db.query("SELECT actor, action, subject FROM audit_log ORDER BY id DESC LIMIT 1") == [
        ("ana", "person.edit", "ana")]
    before = db.counts()
    # ... but not their teams, and not other people
    expect_error(quick_desk("--as", "ana", "person", "edit", "ana", "--team", "it", code=None), 2,
                 "only an admin (boss) may edit other people or team memberships; you are ana")
    expect_error(quick_desk("--as", "ana", "person", "edit", "jim", "--name", "J", code=None), 2,
                 "only an admin (boss) may edit other people or team memberships; you are ana")
    expect_error(quick_desk("--as", "boss", "person", "edit", "zed", "--name", "Z", code=None), 3,
                 "no person 'zed'; see `isvc person list`")
    expect_error(quick_desk("--as", "boss", "person", "edit", "jim", code=None), 2,
                 "nothing to change; give --name, --email, --team, --remove-team, --primary or "
                 "--leaderboard/--no-leaderboard")
    expect_error(quick_desk("--as", "boss", "person", "edit", "ana", "--email", "jim@example.com",
                            code=None), 2, "jim@example.com already belongs to jim")
    expect_error(quick_desk("--as", "boss", "person", "edit", "ana", "--team", "nope", code=None), 3,
                 "no team 'nope'; see `isvc team list`")
    assert db.counts() == before


def test_person_edit_memberships_and_primary(quick_desk):
    quick_desk("--as", "boss", "person", "edit", "ana", "--team", "sales", "--primary", "sales")
    ana = quick_desk.json("person", "show", "ana")
    assert ana["teams"] == ["payroll", "sales"] and ana["primary_team"] == "sales"
    quick_desk("--as", "boss", "person", "edit", "ana", "--remove-team", "sales")
    ana = quick_desk.json("person", "show", "ana")
    # removing the primary team falls back to a remaining one
    assert ana["teams"] == ["payroll"] and ana["primary_team"] == "payroll"
    assert quick_desk.json("team", "show", "sales")["members"] == ["mihai"]


def test_person_deactivate_moves_open_requests_and_keeps_history(quick_desk, db):
    d = quick_desk
    for title in ("one", "two", "three"):
        d("--as", "ana", "request", "new", title, "--team", "it")
    for n in ("1", "2", "3"):
        d("--as", "alina", "request", "assign", n, "alina")
    d("--as", "alina", "request", "resolve", "3", "-m", "done")
    result = d("--as", "boss", "person", "deactivate", "alina", "--reassign-to", "jim")
    assert result.stderr == "Deactivated alina; 2 open request(s) moved to jim.\n"
    assert d.json("person", "show", "alina")["active"] is False
    rows = {r["number"]: r["assignee"] for r in d.json("request", "list")}
    assert rows == {1: "jim", 2: "jim", 3: "alina"}  # the resolved one keeps its history
    moved = d.json("--as", "boss", "request", "show", "1")["events"][-1]
    assert (moved["kind"], moved["from"], moved["to"], moved["actor"], moved["message"]) == (
        "assigned", "alina", "jim", "boss", "alina was deactivated")
    assert db.count("events", "actor = 'alina'") == 4  # her own history stays
    # deactivated people are hidden by --active
    assert "alina" not in [p["handle"] for p in d.json("person", "list", "--active")]
    assert "alina" in [p["handle"] for p in d.json("person", "list")]


def test_person_deactivate_without_reassign_returns_to_the_queue(quick_desk):
    quick_desk("--as", "ana", "request", "new", "one", "--team", "it")
    quick_desk("--as", "alina", "request", "take", "1")
    result = quick_desk("--as", "boss", "person", "deactivate", "alina")
    assert result.stderr == "Deactivated alina; 1 open request(s) moved to their team queues.\n"
    assert quick_desk.json("request", "show", "1")["assignee"] is None


@pytest.mark.parametrize("who, args, code, message", [
    ("jim", ["alina"], 2, "only an admin (boss) may deactivate people; you are jim"),
    ("boss", ["zed"], 3, "no person 'zed'; see `isvc person list`"),
    ("boss", ["alina", "--reassign-to", "zed"], 3, "no person 'zed'; see `isvc person list`"),
    ("boss", ["alina", "--reassign-to", "alina"], 2, "--reassign-to must name someone else"),
])
def test_person_deactivate_refusals(quick_desk, db, who, args, code, message):
    before = db.counts()
    expect_error(quick_desk("--as", who, "person", "deactivate", *args, code=None), code, message)
    assert db.counts() == before


def test_person_list_and_show(quick_desk):
    it_people = quick_desk.json("person", "list", "--team", "it")
    assert [p["handle"] for p in it_people] == ["alina", "boss", "jim"]
    expect_error(quick_desk("person", "list", "--team", "nope", code=None), 3,
                 "no team 'nope'; see `isvc team list`")
    me = quick_desk.json("--as", "jim", "person", "show", "me")
    assert me["handle"] == "jim" and me["email"] == "jim@example.com" and me["role"] == "member"
    expect_error(quick_desk("person", "show", "jimm", code=None), 3,
                 "no person 'jimm' (did you mean 'jim'?); see `isvc person list`")
    tsv = quick_desk("person", "list", "--team", "payroll").stdout
    assert tsv == "ana\tAna Pop\tana@example.com\tpayroll\tpayroll\ttrue\tmember\n"
    rows = list(csv.reader(io.StringIO(quick_desk("person", "list", "--format", "csv").stdout)))
    assert rows[0] == ["handle", "name", "email", "teams", "primary_team", "active", "role"]
    nd = quick_desk("person", "list", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line)["handle"] for line in nd] == [p["handle"] for p in quick_desk.json("person", "list")]
    table = quick_desk("person", "show", "ana", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"}).stdout
    assert "Ana Pop (ana)" in table and "ana@example.com" in table
