"""Canned replies through the CLI: the catalog, overrides, permissions, JSON, and
`request ack|comment|resolve --reply` writing the rendered text into the journal.

The desk: the root `desk` (it: jim, alina, boss; payroll: ana; sales: mihai; boss the only
admin). `rd` adds calendar office (Mon–Fri 09:00–17:00, Europe/Bucharest), agreement it-std
for team it, and mail.address; team payroll has no agreement. Now is Mon 23 Nov 09:30Z,
11:30 in Bucharest.
"""

from __future__ import annotations

import json

import pytest
from testkit import expect_error

DEFAULTS = ["ack", "closed-thanks", "need-info", "resolved", "working"]
LIST_KEYS = {"name", "description", "source", "overrides", "author", "created_at", "updated_at"}
SHOW_KEYS = LIST_KEYS | {"body", "placeholders"}
EVERY = "\n".join("{" + p + "}" for p in (
    "requester.first_name", "requester.name", "requester.handle", "request.number",
    "request.title", "request.priority", "request.status", "team.name", "agent.name",
    "agent.first_name", "due.first_response", "due.resolution", "desk.name"))


@pytest.fixture
def rd(request, snapshot, isvc):
    def build() -> None:
        request.getfixturevalue("desk")
        isvc("--as", "boss", "calendar", "add", "office", "--tz", "Europe/Bucharest",
             "--hours", "mon-fri 09:00-17:00")
        isvc("--as", "boss", "agreement", "add", "it-std", "--provider", "it", "--calendar",
             "office", "--response", "urgent=30m,high=1h,normal=4h,low=1d",
             "--resolution", "urgent=2h,high=1d,normal=2d,low=5d")
        isvc("config", "set", "mail.address", "IT Service Desk <helpdesk@example.com>")

    snapshot("replies", build)
    return isvc


def file(isvc, title="VPN drops", team="it", *extra) -> int:
    return int(isvc("--as", "ana", "request", "new", title, "--team", team, *extra).stdout)


def journal(isvc, number: int) -> list[tuple[str, str | None]]:
    events = isvc.json("--as", "boss", "request", "show", number)["events"]
    return [(e["kind"], e["message"]) for e in events]


def test_every_placeholder_for_a_request_with_an_agreement(rd):
    n = file(rd, "VPN drops", "it", "--priority", "normal")
    rd("--as", "jim", "reply", "add", "every", "--body", EVERY)
    out = rd("--as", "jim", "reply", "show", "every", "--for", n)
    assert out.stdout.splitlines() == [
        "Ana", "Ana Pop", "ana", str(n), "VPN drops", "normal", "new", "IT Service Desk",
        "Jim Ionescu", "Jim", "Mon 23 Nov 15:30", "Wed 25 Nov 11:30", "IT Service Desk"]
    assert out.stderr == f"every (desk) — for #{n}\n"


def test_every_placeholder_for_a_request_without_an_agreement(rd):
    rd("config", "set", "mail.address", "helpdesk@example.com")
    n = int(rd("--as", "jim", "request", "new", "Payslip", "--team", "payroll").stdout)
    rd("--as", "boss", "reply", "add", "every", "--body", EVERY)
    lines = rd("--as", "newbie", "reply", "show", "every", "--for", n).stdout.splitlines()
    assert lines == ["Jim", "Jim Ionescu", "jim", str(n), "Payslip", "normal", "new", "Payroll",
                     "newbie", "newbie", "no agreed time", "no agreed time", "the service desk"]


def test_a_paused_clock_says_so(rd):
    n = file(rd)
    rd("--as", "jim", "request", "wait", n, "-m", "Which client?")
    text = rd("--as", "jim", "reply", "show", "working", "--for", n).stdout
    assert "Expected resolution: paused while it waits." in text


# -- the built-ins ------------------------------------------------------------------------

def test_defaults_are_listed_and_usable(rd):
    rows = rd.json("reply", "list")
    assert [row["name"] for row in rows] == DEFAULTS
    assert all(set(row) == LIST_KEYS for row in rows)
    assert all(row["source"] == "built-in" and not row["overrides"] and row["author"] is None
               and row["created_at"] is None and row["description"] for row in rows)
    tsv = rd("reply", "list").stdout.splitlines()
    assert tsv[0] == "ack\tbuilt-in\tfalse\tWe have it, who is on it, and when to expect us."
    n = file(rd)
    for name in DEFAULTS:
        text = rd("--as", "jim", "reply", "show", name, "--for", n).stdout
        assert text.startswith("Hello Ana,\n\n") and "{" not in text, name
        assert text.rstrip().endswith("Jim from IT Service Desk"), name


def test_the_table_shows_where_each_reply_comes_from(rd):
    rd("--as", "jim", "reply", "add", "ack", "--body", "Got it.")
    out = rd("reply", "list", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"}).stdout
    assert "desk (overrides built-in)" in out and "need-info" in out


def test_show_prints_the_template_and_json(rd):
    out = rd("reply", "show", "need-info")
    assert out.stdout.startswith("Hello {requester.first_name},\n")
    assert out.stderr.startswith("need-info (built-in): What we need")
    data = rd.json("reply", "show", "need-info")
    assert set(data) == SHOW_KEYS
    assert data["placeholders"] == ["requester.first_name", "request.number", "request.title",
                                    "message", "agent.first_name", "desk.name"]
    n = file(rd)
    data = rd.json("--as", "jim", "reply", "show", "need-info", "--for", n)
    assert set(data) == SHOW_KEYS | {"request", "text"}
    assert data["request"] == n and data["text"].startswith("Hello Ana,")


def test_unknown_reply_and_request(rd, db):
    expect_error(rd("reply", "show", "nope", code=None), 3, "no reply nope; see `isvc reply list`")
    expect_error(rd("reply", "show", "ack", "--for", "9", code=None), 3,
                 "no request #9; see `isvc request list`")
    expect_error(rd("reply", "show", "Bad Name", code=None), 2,
                 "reply name 'Bad Name' is not valid; names are lower-case letters, digits and "
                 "hyphens, starting with a letter (e.g. need-info)")


# -- adding, editing, overriding, removing ----------------------------------------------------

def test_add_edit_remove_with_audit(rd, db):
    added = rd.json("--as", "jim", "reply", "add", "vpn-client", "--body",
                    "Hi {requester.first_name}, install the 5.2 client.", "-d", "VPN client")
    assert set(added) == SHOW_KEYS
    assert added | {"body": None} == {
        "name": "vpn-client", "description": "VPN client", "source": "desk", "overrides": False,
        "author": "jim", "created_at": "2026-11-23T09:30:00Z", "updated_at": "2026-11-23T09:30:00Z",
        "body": None, "placeholders": ["requester.first_name"]}
    expect_error(rd("--as", "jim", "reply", "add", "vpn-client", "--body", "x", code=None), 2,
                 "reply vpn-client already exists; change it with `isvc reply edit vpn-client`")
    result = rd("--as", "jim", "reply", "edit", "vpn-client", "--body-file", "-",
                input="Install 5.3, {requester.first_name}.\n",
                env={"ISVC_NOW": "2026-11-24T08:00:00Z"})
    assert result.stderr == "Updated reply vpn-client.\n"
    shown = rd.json("reply", "show", "vpn-client")
    assert shown["body"] == "Install 5.3, {requester.first_name}."
    assert shown["author"] == "jim" and shown["updated_at"] == "2026-11-24T08:00:00Z"
    rd("--as", "boss", "reply", "edit", "vpn-client", "--description", "")  # an admin
    assert rd.json("reply", "show", "vpn-client")["description"] is None
    expect_error(rd("--as", "jim", "reply", "edit", "vpn-client", "--description", "", code=None),
                 2, "nothing changed on reply vpn-client")
    expect_error(rd("--as", "jim", "reply", "edit", "vpn-client", code=None), 2,
                 "nothing to change; give --body, --body-file or --description")
    assert rd("--as", "boss", "reply", "remove", "vpn-client").stderr == "Removed reply vpn-client.\n"
    expect_error(rd("reply", "show", "vpn-client", code=None), 3,
                 "no reply vpn-client; see `isvc reply list`")
    expect_error(rd("--as", "boss", "reply", "remove", "vpn-client", code=None), 3,
                 "no reply vpn-client; see `isvc reply list`")
    audit = db.query("SELECT actor, action, subject, detail FROM audit_log "
                     "WHERE action LIKE 'reply.%' ORDER BY id")
    assert [(a, b, c) for a, b, c, _ in audit] == [
        ("jim", "reply.add", "vpn-client"), ("jim", "reply.edit", "vpn-client"),
        ("boss", "reply.edit", "vpn-client"), ("boss", "reply.remove", "vpn-client")]
    assert json.loads(audit[1][3]) == {"changed": ["body"]}
    assert json.loads(audit[2][3]) == {"changed": ["description"], "from": "VPN client", "to": None}
    assert json.loads(audit[3][3]) == {"body": "Install 5.3, {requester.first_name}.",
                                       "description": None, "restores_built_in": False}


def test_bad_bodies_are_refused_and_nothing_is_written(rd, db):
    expect_error(rd("--as", "jim", "reply", "add", "x", "--body", "Hi {requester.nick}", code=None),
                 2, "unknown placeholder {requester.nick}; known placeholders: "
                 "{requester.first_name}, {requester.name}, {requester.handle}, {request.number}, "
                 "{request.title}, {request.priority}, {request.status}, {team.name}, "
                 "{agent.name}, {agent.first_name}, {due.first_response}, {due.resolution}, "
                 "{desk.name}, {message} (write {{ and }} for literal braces)")
    expect_error(rd("--as", "jim", "reply", "add", "x", "--body", "JSON: {\"a\": 1", code=None), 2,
                 "an unclosed { at line 1, column 7; close it with } or write {{ for a literal brace")
    expect_error(rd("--as", "jim", "reply", "add", "x", code=None), 2,
                 'a reply needs text: --body "..." or --body-file FILE (- for stdin)')
    expect_error(rd("--as", "jim", "reply", "add", "x", "--body", "a", "--body-file", "f", code=None),
                 2, "give --body or --body-file, not both")
    rd("--as", "jim", "reply", "add", "x", "--body", "ok")
    expect_error(rd("--as", "jim", "reply", "edit", "x", "--body", "}{", code=None), 2,
                 "a lone } at line 1, column 1; write }} for a literal brace")
    assert db.query("SELECT name, body FROM canned_replies") == [("x", "ok")]


def test_override_and_removal_bring_the_built_in_back(rd, db):
    builtin = rd("reply", "show", "ack").stdout
    result = rd("--as", "jim", "reply", "add", "ack", "--body", "Got it, {requester.first_name}.")
    assert result.stderr == "Added reply ack (it overrides the built-in one).\n"
    row = next(r for r in rd.json("reply", "list") if r["name"] == "ack")
    assert (row["source"], row["overrides"], row["author"], row["description"]) == ("desk", True, "jim", None)
    n = file(rd)
    rd("--as", "jim", "request", "ack", n, "--reply", "ack")
    assert journal(rd, n)[-1] == ("status", "Got it, Ana.")
    expect_error(rd("--as", "jim", "reply", "remove", "resolved", code=None), 2,
                 "reply resolved is built in and cannot be removed; `isvc reply add resolved` "
                 "overrides it with your own")
    assert rd("--as", "jim", "reply", "remove", "ack").stderr == \
        "Removed reply ack; the built-in one is back.\n"
    assert rd("reply", "show", "ack").stdout == builtin
    assert [r["source"] for r in rd.json("reply", "list")] == ["built-in"] * 5


def test_editing_a_built_in_saves_an_override(rd):
    result = rd("--as", "jim", "reply", "edit", "working", "--description", "Still on it")
    assert result.stderr == ("Saved reply working; it overrides the built-in one "
                             "(`isvc reply remove working` brings it back).\n")
    data = rd.json("reply", "show", "working")
    assert (data["source"], data["overrides"], data["description"]) == ("desk", True, "Still on it")
    assert data["body"].startswith("Hello {requester.first_name},")  # the built-in's text
    expect_error(rd("--as", "jim", "reply", "edit", "need-info", "--description",
                    "What we need from the requester, why, and how to answer.", code=None),
                 2, "nothing changed on reply need-info")


# -- permissions ----------------------------------------------------------------------------

def test_only_team_members_and_admins_change_replies(rd, db):
    before = db.counts()
    for args in (["add", "x", "--body", "hi"], ["edit", "ack", "--body", "hi"], ["remove", "ack"]):
        expect_error(rd("--as", "newbie", "reply", *args, code=None), 2,
                     f"only team members or an admin (boss) may {args[0]} canned replies; "
                     "you are newbie")
    assert db.counts() == before and db.count("canned_replies") == 0
    rd("--as", "mihai", "reply", "add", "sales-hello", "--body", "Hi")  # sales is a team too
    rd("--as", "newbie", "reply", "list")  # anyone reads them
    rd("--as", "newbie", "reply", "show", "ack")


def test_requesters_cannot_ack_with_a_reply(rd, db):
    n = file(rd)
    before = db.counts()
    expect_error(rd("--as", "ana", "request", "ack", n, "--reply", "ack", code=None), 2,
                 f"only members of team it, the assignee or an admin may ack #{n}; you are ana")
    assert db.counts() == before


# -- request ack / comment / resolve --reply ------------------------------------------------

def test_ack_comment_resolve_with_replies_write_the_rendered_text(rd):
    n = file(rd, "VPN drops", "it", "--priority", "high")
    rd("--as", "jim", "request", "ack", n, "--reply", "ack", "-m", "Restarting the gateway first.")
    rd("--as", "jim", "request", "comment", n, "--reply", "working")
    data = rd.json("--as", "jim", "request", "resolve", n, "--reply", "resolved")
    assert data["status"] == "resolved"
    events = journal(rd, n)
    ack, working, resolved = events[1][1], events[2][1], events[-1][1]
    assert events[1][0] == "status" and events[2][0] == "reply" and events[-1][0] == "status"
    assert ack == (
        "Hello Ana,\n\n"
        f"Thank you for request #{n}, \"VPN drops\". We have it, and Jim Ionescu (IT Service Desk) "
        "is looking after it.\n\n"
        "Restarting the gateway first.\n\n"
        "When to expect us:\n"
        "  first answer: Mon 23 Nov 12:30\n"
        "  resolution:   Tue 24 Nov 11:30\n\n"
        "Kind regards,\n"
        "Jim from IT Service Desk")
    assert working.startswith(f"Hello Ana,\n\nA quick update on request #{n}")
    assert "Expected resolution: Tue 24 Nov 11:30." in working
    assert "\n\n\n" not in working  # no -m: its slot left no gap
    assert f"run `isvc request reopen {n}`" in resolved
    assert resolved.endswith("Thank you for your patience,\nJim from IT Service Desk")


def test_status_placeholder_is_the_status_the_command_leaves(rd):
    n = file(rd)
    rd("--as", "jim", "reply", "add", "st", "--body", "Now {request.status}.")
    rd("--as", "jim", "request", "ack", n, "--reply", "st")
    rd("--as", "jim", "request", "resolve", n, "--reply", "st")
    assert [m for k, m in journal(rd, n) if k == "status"] == ["Now acknowledged.", "Now resolved."]


def test_m_without_a_message_slot_is_a_last_paragraph(rd):
    n = file(rd)
    rd("--as", "jim", "reply", "add", "short", "--body", "Hi {requester.first_name}.\n\nJim")
    rd("--as", "jim", "request", "comment", n, "--reply", "short", "-m", "PS: try 5.2")
    assert ("reply", "Hi Ana.\n\nJim\n\nPS: try 5.2") in journal(rd, n)


def test_reply_errors_write_nothing(rd, db):
    n = file(rd)
    before = db.counts()
    expect_error(rd("--as", "jim", "request", "ack", n, "--reply", "nope", code=None), 3,
                 "no reply nope; see `isvc reply list`")
    expect_error(rd("--as", "jim", "request", "comment", n, "--reply", "ack", "-m", " ", code=None),
                 2, "-m/--message must not be empty")
    expect_error(rd("--as", "jim", "request", "comment", n, code=None), 2,
                 'a comment needs text: -m "..." or --reply NAME')
    expect_error(rd("--as", "jim", "request", "resolve", 99, "--reply", "resolved", code=None), 3,
                 "no request #99; see `isvc request list`")
    assert db.counts() == before


def test_reply_as_an_internal_note(rd):
    n = file(rd)
    rd("--as", "jim", "reply", "add", "escalated", "--body", "Escalated to {team.name}.")
    rd("--as", "jim", "request", "comment", n, "--reply", "escalated", "--internal")
    events = rd.json("--as", "jim", "request", "show", n)["events"]
    assert (events[-1]["kind"], events[-1]["message"], events[-1]["internal"]) == \
        ("note", "Escalated to IT Service Desk.", True)
