"""`isvc kudos send` and `isvc kudos values`: every refusal is one line, the right exit
code, and writes nothing; what is sent is stored with its teams and lateral mark."""

from __future__ import annotations

import pytest

from .helpers import error, send, send_id

GOOD = "Thanks for fixing the payroll export before the deadline"


def test_send_to_a_person_prints_the_id_and_confirms_on_stderr(kd, db):
    result = send(kd, "ana", "@jim", GOOD, "--value", "Ownership")
    assert result.stdout == "1\n"
    assert result.stderr == "Sent kudos #1 to jim (ownership, lateral).\n"
    assert db.query("SELECT giver, recipient, to_kind, message, value, request, lateral, private, "
                    "giver_team, recipient_team, created_at, retracted_at FROM kudos") == [
        ("ana", "jim", "person", GOOD, "ownership", None, 1, 0, "payroll", "it",
         "2026-11-23T09:30:00Z", None)]


def test_send_to_a_team_and_bare_handles(kd, db):
    assert send_id(kd, "jim", "+payroll", "The payroll close went without a hitch, thank you all") == 1
    assert send_id(kd, "jim", "payroll", "A bare handle that is a team goes to the team") == 2
    assert send_id(kd, "jim", "ana", "A bare handle that is a person goes to the person") == 3
    assert db.query("SELECT recipient, to_kind, recipient_team FROM kudos ORDER BY id") == [
        ("payroll", "team", "payroll"), ("payroll", "team", "payroll"), ("ana", "person", "payroll")]


@pytest.mark.parametrize("args, code, text", [
    (["@jim"], 2, "Error: a kudos needs a message that says what they did; e.g. isvc kudos send "
                  '@ana "Thanks for fixing the payroll export before the deadline"'),
    (["@jim", "   "], 2, "Error: a kudos needs a message that says what they did"),
    (["@jim", "thx"], 2, "Error: 'thx' is a little short for a kudos: say what they did and why "
                         "it mattered (at least 3 words); e.g. isvc kudos send @ana"),
    (["@jim", "great job"], 2, "Error: 'great job' is a little short"),
    (["@jim", "ok ok ok"], 2, "Error: 'ok ok ok' is a little short"),
    (["@ana", GOOD], 2, "Error: kudos to yourself do not count; thank someone who helped you"),
    (["@me", GOOD], 2, "Error: kudos to yourself do not count"),
    (["ana", GOOD], 2, "Error: kudos to yourself do not count"),
    (["@jmi", GOOD], 3, "Error: no person 'jmi' (did you mean 'jim'?); see `isvc person list`"),
    (["+payrol", GOOD], 3, "Error: no team 'payrol' (did you mean 'payroll'?); see `isvc team list`"),
    (["nobody", GOOD], 3, "Error: no person or team 'nobody'"),
    (["@", GOOD], 2, "Error: say who the kudos is for: @person or +team"),
    (["@jim", GOOD, "--value", "ownrship"], 2,
     "Error: unknown value 'ownrship' (did you mean 'ownership'?); the values are: ownership, "
     "teamwork, customer-first"),
    (["@jim", GOOD, "--value", "zzz"], 2, "Error: unknown value 'zzz'; the values are:"),
    (["@jim", GOOD, "--for", "999"], 3, "Error: no request #999; see `isvc request list`"),
])
def test_refusals_are_one_line_and_write_nothing(kd, db, args, code, text):
    before = db.snapshot()
    line = error(send(kd, "ana", *args, code=None), code)
    assert line.startswith(text), line
    assert db.snapshot() == before


def test_sending_to_a_team_only_you_are_in_is_self_kudos(kd, db):
    before = db.snapshot()
    line = error(send(kd, "mihai", "+sales", GOOD, code=None), 2)
    assert line == ("Error: you are the only member of team sales: kudos to it would be kudos "
                    "to yourself; thank someone who helped you")
    assert db.snapshot() == before


def test_sending_to_your_own_team_is_allowed_but_not_lateral(kd):
    data = send(kd, "jim", "+it", "Thanks all for covering the desk during the outage",
                "--json").stdout
    import json

    k = json.loads(data)
    assert (k["to"], k["to_kind"], k["lateral"]) == ("it", "team", False)


def test_a_deactivated_person_cannot_be_thanked(kd, db):
    kd("--as", "boss", "person", "deactivate", "mihai")
    before = db.snapshot()
    line = error(send(kd, "ana", "@mihai", GOOD, code=None), 2)
    assert line == "Error: mihai is deactivated; kudos go to active colleagues"
    assert db.snapshot() == before


def test_lateral_detection(kd, db):
    # same primary team: not lateral
    send(kd, "jim", "@alina", "Thanks for covering my shift on Friday evening")
    # different primary teams
    send(kd, "jim", "@ana", "Thanks for explaining the payroll export format to me")
    # same team, but for a request another team served
    payroll_req = int(kd("--as", "mihai", "request", "new", "Payslip missing", "--team", "payroll").stdout)
    send(kd, "alina", "@jim", "Thanks for helping payroll find the missing payslip", "--for", payroll_req)
    # same team, for a request their own team served
    it_req = int(kd("--as", "mihai", "request", "new", "Laptop fan noise", "--team", "it").stdout)
    send(kd, "alina", "@jim", "Thanks for sorting out the noisy laptop fan so fast", "--for", it_req)
    assert db.query("SELECT giver, recipient, request, lateral, giver_team, recipient_team "
                    "FROM kudos ORDER BY id") == [
        ("jim", "alina", None, 0, "it", "it"),
        ("jim", "ana", None, 1, "it", "payroll"),
        ("alina", "jim", payroll_req, 1, "it", "it"),
        ("alina", "jim", it_req, 0, "it", "it"),
    ]


def test_for_a_request_journals_a_public_kudos_event(kd):
    number = int(kd("--as", "ana", "request", "new", "Export fails", "--team", "it").stdout)
    kid = send_id(kd, "ana", "@jim", GOOD, "--for", number, "--value", "ownership")
    events = kd.json("--as", "ana", "request", "show", number)["events"]
    kudos_events = [e for e in events if e["kind"] == "kudos"]
    assert kudos_events == [{
        "id": kudos_events[0]["id"], "at": "2026-11-23T09:30:00Z", "actor": "ana", "kind": "kudos",
        "field": str(kid), "from": None, "to": "jim", "message": GOOD, "internal": False}]


def test_a_private_kudos_for_a_request_shows_only_that_it_happened_to_the_team(kd):
    number = int(kd("--as", "ana", "request", "new", "Export fails", "--team", "it").stdout)
    send(kd, "alina", "@jim", GOOD, "--for", number, "--private")
    requester_view = kd.json("--as", "ana", "request", "show", number)["events"]
    assert [e for e in requester_view if e["kind"] == "kudos"] == []
    team_view = kd.json("--as", "jim", "request", "show", number)["events"]
    [event] = [e for e in team_view if e["kind"] == "kudos"]
    assert (event["internal"], event["message"], event["to"]) == (True, None, None)


# -- values -----------------------------------------------------------------------------

def test_values_list_and_json(kd):
    assert kd("kudos", "values").stdout == "ownership\nteamwork\ncustomer-first\n"
    assert kd("kudos", "values", "list").stdout == "ownership\nteamwork\ncustomer-first\n"
    assert kd.json("kudos", "values") == ["ownership", "teamwork", "customer-first"]


def test_values_set_is_for_admins_and_audited(kd, db):
    before = db.snapshot()
    line = error(kd("--as", "ana", "kudos", "values", "set", "speed", code=None), 2)
    assert line == "Error: only an admin (boss) may set the company values; you are ana"
    assert db.snapshot() == before
    line = error(kd("--as", "boss", "kudos", "values", "set", "two words", code=None), 2)
    assert line.startswith("Error: value 'two words' is not a single word")
    assert db.snapshot() == before
    result = kd("--as", "boss", "kudos", "values", "set", "Speed", "care")
    assert result.stderr == "Company values: speed, care.\n"
    assert db.query("SELECT value FROM settings WHERE key = 'kudos.values'") == [('["speed", "care"]',)]
    assert db.query("SELECT actor, action, subject FROM audit_log WHERE action = 'kudos.values' "
                    "ORDER BY id DESC LIMIT 1") == [("boss", "kudos.values", "kudos.values")]


def test_config_values_are_added_to_the_desks(kd, isvc_home):
    with open(isvc_home / "config.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[kudos]\nvalues = ["Craft", "teamwork"]\n')
    assert kd.json("kudos", "values") == ["ownership", "teamwork", "customer-first", "craft"]
    send(kd, "ana", "@jim", GOOD, "--value", "craft")


def test_no_values_configured_refuses_a_value(desk, db):
    before = db.snapshot()
    line = error(send(desk, "ana", "@jim", GOOD, "--value", "ownership", code=None), 2)
    assert line.startswith("Error: no company values are configured; an admin sets them with "
                           "`isvc kudos values set ownership teamwork ...`")
    assert db.snapshot() == before
    result = desk("kudos", "values")
    assert result.stdout == ""
    assert "No company values yet" in result.stderr


def test_require_value(kd, db):
    kd("config", "set", "kudos.require_value", "true")
    before = db.snapshot()
    line = error(send(kd, "ana", "@jim", GOOD, code=None), 2)
    assert line == ("Error: this desk asks every kudos to name a company value; add --value: "
                    "ownership, teamwork, customer-first")
    assert db.snapshot() == before
    send(kd, "ana", "@jim", GOOD, "--value", "teamwork")
    kd("config", "set", "kudos.require_value", "no")
    send(kd, "ana", "@jim", GOOD)
    error(kd("config", "set", "kudos.require_value", "maybe", code=None), 2)
