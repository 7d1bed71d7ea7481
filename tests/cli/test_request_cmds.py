"""`isvc request ...`: filing, showing, replies, assignment, watching, edits, redaction.

The lifecycle table and the role matrix have their own files in tests/services.
"""

from __future__ import annotations

import json

import pytest

from testkit import expect_error, expect_usage_error


def new(desk, *args, who="ana", **kw) -> int:
    result = desk("--as", who, "request", "new", *args, **kw)
    return int(result.stdout)


def show(desk, number, who="boss") -> dict:
    return desk.json("--as", who, "request", "show", number)


# -- request new ------------------------------------------------------------------------

def test_new_prints_only_the_number_and_confirms_on_stderr(quick_desk, db):
    result = quick_desk("--as", "ana", "request", "new", "VPN drops every hour", "--team", "it")
    assert result.stdout == "1\n"
    assert result.stderr == "Filed #1 for IT Service Desk (normal).\n"
    result = quick_desk("--as", "ana", "request", "new", "Printer jams", "--team", "it")
    assert result.stdout == "2\n"
    assert db.count("requests") == 2
    assert db.query("SELECT number, requester, status FROM requests ORDER BY number") == [
        (1, "ana", "new"), (2, "ana", "new")]


def test_new_with_every_option(quick_desk):
    data = quick_desk.json(
        "--as", "ana", "request", "new", "  VPN   drops  ", "--team", "it", "--priority", "HIGH",
        "--type", "it/network", "--body", "Since the update.", "--field", "asset=7731",
        "--field", "site = Cluj", "--tag", "VPN", "--tag", "#remote", "--watch", "mihai",
    )
    assert data["number"] == 1
    assert data["title"] == "VPN drops"  # whitespace collapsed
    assert data["body"] == "Since the update."
    assert data["priority"] == "high"
    assert data["type"] == "it/network"
    assert data["fields"] == {"asset": "7731", "site": "Cluj"}
    assert data["tags"] == ["remote", "vpn"]
    assert data["watchers"] == ["mihai"]
    assert data["requester"] == "ana" and data["assignee"] is None
    assert data["status"] == "new" and data["channel"] == "cli"
    assert data["created_at"] == data["updated_at"] == "2026-11-23T09:30:00Z"
    events = show(quick_desk, 1)["events"]
    assert [(e["kind"], e["to"], e["message"], e["actor"]) for e in events] == [
        ("filed", "new", "Since the update.", "ana")]


def test_new_default_priority_comes_from_the_config(quick_desk):
    quick_desk("config", "set", "requests.default_priority", "low")
    assert quick_desk.json("--as", "ana", "request", "new", "x", "--team", "it")["priority"] == "low"


def test_body_file_dash_reads_stdin(quick_desk):
    number = new(quick_desk, "From a pipe", "--team", "it", "--body-file", "-",
                 input="line one\nline two\n")
    assert show(quick_desk, number)["body"] == "line one\nline two"


def test_body_file_reads_a_file(quick_desk, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Détails: ça marche pas\n", encoding="utf-8")
    number = new(quick_desk, "From a file", "--team", "it", "--body-file", str(notes))
    assert show(quick_desk, number)["body"] == "Détails: ça marche pas"


def test_body_file_errors(quick_desk, tmp_path, db):
    before = db.counts()
    missing = tmp_path / "missing.txt"
    expect_error(quick_desk("request", "new", "x", "--team", "it", "--body-file", str(missing), code=None),
                 2, f"cannot read --body-file {missing}: No such file or directory")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    expect_error(quick_desk("request", "new", "x", "--team", "it", "--body-file", str(binary), code=None),
                 2, f"--body-file {binary} is not UTF-8 text")
    expect_error(quick_desk("request", "new", "x", "--team", "it", "--body", "a", "--body-file", "-",
                            input="b", code=None),
                 2, "give --body or --body-file, not both")
    assert db.counts() == before


@pytest.mark.parametrize("args, code, message", [
    (["x", "--team", "nope"], 3, "no team 'nope'; see `isvc team list`"),
    (["x", "--team", "itt"], 3, "no team 'itt' (did you mean 'it'?); see `isvc team list`"),
    (["x", "--team", "it", "--priority", "asap"], 2,
     "unknown priority 'asap'; use one of: low, normal, high, urgent"),
    (["   ", "--team", "it"], 2,
     "a request needs a title; e.g. isvc request new \"Laptop won't boot\" --team it"),
    (["x" * 201, "--team", "it"], 2,
     "the title is 201 characters; keep it under 200 and put detail in --body"),
    (["x", "--team", "it", "--field", "asset"], 2, "--field 'asset' must look like key=value"),
    (["x", "--team", "it", "--field", "=7"], 2, "--field '=7' must look like key=value"),
    (["x", "--team", "it", "--tag", "two words"], 2,
     "tag 'two words' is not valid; tags are single words without commas"),
    (["x", "--team", "it", "--watch", "zed"], 3, "no person 'zed'; see `isvc person list`"),
    (["x", "--team", "it", "--requester", "zed"], 3, "no person 'zed'; see `isvc person list`"),
    (["x", "--team", "it", "--dedupe-key", "  "], 2, "--dedupe-key must not be empty"),
])
def test_new_refuses_bad_input_and_writes_nothing(quick_desk, db, args, code, message):
    before = db.counts()
    expect_error(quick_desk("--as", "newcomer", "request", "new", *args, code=None), code, message)
    # not even the unknown acting person is created: the whole transaction rolled back
    assert db.counts() == before
    assert db.count("people", "handle = 'newcomer'") == 0


def test_new_usage_errors(quick_desk):
    expect_usage_error(quick_desk("request", "new", "x", code=None), "Missing option", "--team")
    expect_usage_error(quick_desk("request", "new", "--team", "it", code=None), "Missing argument")


def test_file_on_behalf_of_someone(quick_desk):
    result = quick_desk("--as", "jim", "request", "new", "New laptop for Ana", "--team", "it",
                        "--requester", "ana")
    assert result.stderr == "Filed #1 for IT Service Desk (normal) on behalf of ana.\n"
    assert show(quick_desk, 1)["requester"] == "ana"
    assert show(quick_desk, 1)["events"][0]["actor"] == "jim"
    # `me` and one's own handle are not "someone else"
    assert quick_desk.json("--as", "mihai", "request", "new", "x", "--team", "it",
                           "--requester", "me")["requester"] == "mihai"


def test_only_team_members_or_admins_file_for_someone_else(quick_desk, db):
    before = db.counts()
    expect_error(
        quick_desk("--as", "mihai", "request", "new", "x", "--team", "it", "--requester", "ana", code=None),
        2, "only members of team it or an admin may file for someone else; you are mihai")
    assert db.counts() == before
    # an admin may, whatever their teams
    quick_desk("--as", "boss", "request", "new", "x", "--team", "payroll", "--requester", "mihai")


# -- request show -------------------------------------------------------------------

def test_show_unknown_request(quick_desk):
    expect_error(quick_desk("request", "show", "99", code=None), 3, "no request #99; see `isvc request list`")
    expect_error(quick_desk("request", "show", "99", "--json", code=None), 3,
                 "no request #99; see `isvc request list`")


@pytest.mark.parametrize("bad", ["abc", "0", "-1"])
def test_show_refuses_a_bad_number(quick_desk, bad):
    result = quick_desk("request", "show", bad, code=None)
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.output


def test_show_formats(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it", "--tag", "vpn")
    as_json = quick_desk.json("--as", "ana", "request", "show", "1")
    assert json.loads(quick_desk("--as", "ana", "request", "show", "1", "--format", "json").stdout) == as_json
    lines = quick_desk("--as", "ana", "request", "show", "1", "--format", "ndjson").stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0]) == as_json
    tsv = quick_desk("--as", "ana", "request", "show", "1", "--format", "tsv").stdout
    assert tsv.startswith("1\tVPN drops\t") and tsv.count("\n") == 1
    expect_error(quick_desk("request", "show", "1", "--format", "yaml", code=None), 2,
                 "unknown format 'yaml'; use one of: table, json, ndjson, csv, tsv")


def test_show_as_a_table_for_the_requester_hides_internal_notes(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it")
    quick_desk("--as", "jim", "request", "comment", "1", "-m", "secret-note-text", "--internal")
    quick_desk("--as", "jim", "request", "comment", "1", "-m", "public-reply-text")
    env = {"ISVC_FORCE_TABLE": "1", "COLUMNS": "160", "NO_COLOR": "1"}
    as_requester = quick_desk("--as", "ana", "request", "show", "1", env=env).stdout
    assert "#1 VPN drops" in as_requester
    assert "public-reply-text" in as_requester
    assert "secret-note-text" not in as_requester
    as_agent = quick_desk("--as", "jim", "request", "show", "1", env=env).stdout
    assert "secret-note-text" in as_agent


# -- request comment ------------------------------------------------------------------

def test_comment_and_note_are_journaled(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it")
    result = quick_desk("--as", "ana", "request", "comment", "1", "-m", "  Still broken  ")
    assert result.stderr == "Replied on #1 (new).\n"
    assert result.stdout == ""
    result = quick_desk("--as", "jim", "request", "comment", "1", "-m", "check logs", "--internal")
    assert result.stderr == "Noted on #1 (new).\n"
    events = show(quick_desk, 1, who="jim")["events"]
    assert [(e["kind"], e["actor"], e["message"], e["internal"]) for e in events[1:]] == [
        ("reply", "ana", "Still broken", False), ("note", "jim", "check logs", True)]


def test_comment_json_prints_the_request(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it")
    data = quick_desk.json("--as", "ana", "request", "comment", "1", "-m", "hello")
    assert data["number"] == 1 and data["status"] == "new"


def test_comment_errors(quick_desk, db):
    new(quick_desk, "VPN drops", "--team", "it")
    before = db.counts()
    expect_error(quick_desk("request", "comment", "7", "-m", "hi", code=None), 3,
                 "no request #7; see `isvc request list`")
    expect_error(quick_desk("--as", "ana", "request", "comment", "1", "-m", "   ", code=None), 2,
                 'a comment needs text: -m "..."')
    expect_error(quick_desk("request", "comment", "1", code=None), 2,
                 'a comment needs text: -m "..." or --reply NAME')
    assert db.counts() == before


# -- assign, take -----------------------------------------------------------------------

def test_assign_take_and_clear(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it")
    result = quick_desk("--as", "jim", "request", "assign", "1", "alina")
    assert result.stderr == "#1 is now owned by alina.\n"
    assert show(quick_desk, 1)["assignee"] == "alina"
    result = quick_desk("--as", "jim", "request", "take", "1")
    assert result.stderr == "You own #1 now.\n"
    assert show(quick_desk, 1)["assignee"] == "jim"
    quick_desk("--as", "jim", "request", "assign", "1", "nobody")
    assert show(quick_desk, 1)["assignee"] is None
    quick_desk("--as", "jim", "request", "assign", "1", "me")
    assert show(quick_desk, 1)["assignee"] == "jim"
    assigned = [(e["from"], e["to"], e["actor"]) for e in show(quick_desk, 1)["events"]
                if e["kind"] == "assigned"]
    assert assigned == [(None, "alina", "jim"), ("alina", "jim", "jim"), ("jim", None, "jim"),
                        (None, "jim", "jim")]


def test_assign_to_someone_outside_the_team_is_lateral_help(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it")
    quick_desk("--as", "jim", "request", "assign", "1", "mihai")
    event = show(quick_desk, 1)["events"][-1]
    assert event["kind"] == "assigned" and event["message"] == "lateral help from outside team it"


def test_assign_errors(quick_desk, db):
    new(quick_desk, "VPN drops", "--team", "it")
    quick_desk("--as", "jim", "request", "assign", "1", "jim")
    before = db.counts()
    expect_error(quick_desk("--as", "jim", "request", "assign", "1", "zed", code=None), 3,
                 "no person 'zed'; see `isvc person list`")
    expect_error(quick_desk("--as", "jim", "request", "assign", "1", "jim", code=None), 2,
                 "#1 is already assigned to jim")
    expect_error(quick_desk("--as", "jim", "request", "take", "1", code=None), 2,
                 "#1 is already assigned to jim")
    expect_error(quick_desk("--as", "jim", "request", "assign", "9", "jim", code=None), 3,
                 "no request #9; see `isvc request list`")
    assert db.counts() == before
    quick_desk("--as", "jim", "request", "cancel", "1")
    expect_error(quick_desk("--as", "jim", "request", "assign", "1", "alina", code=None), 2,
                 "#1 is cancelled; it can no longer be assigned")


# -- watch, unwatch -----------------------------------------------------------------------

def test_watch_and_unwatch(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it")
    result = quick_desk("--as", "mihai", "request", "watch", "1")
    assert result.stderr == "mihai is watching #1.\n"
    quick_desk("--as", "jim", "request", "watch", "1", "alina")
    assert show(quick_desk, 1)["watchers"] == ["alina", "mihai"]
    result = quick_desk("--as", "mihai", "request", "unwatch", "1")
    assert result.stderr == "mihai no longer watches #1.\n"
    assert show(quick_desk, 1)["watchers"] == ["alina"]
    kinds = [(e["kind"], e["to"]) for e in show(quick_desk, 1)["events"][1:]]
    assert kinds == [("watch", "mihai"), ("watch", "alina"), ("unwatch", "mihai")]


def test_watch_errors(quick_desk, db):
    new(quick_desk, "VPN drops", "--team", "it", "--watch", "mihai")
    before = db.counts()
    expect_error(quick_desk("--as", "mihai", "request", "watch", "1", code=None), 2,
                 "mihai is already watching #1")
    expect_error(quick_desk("--as", "jim", "request", "unwatch", "1", code=None), 2,
                 "jim is not watching #1")
    expect_error(quick_desk("--as", "jim", "request", "watch", "1", "zed", code=None), 3,
                 "no person 'zed'; see `isvc person list`")
    expect_error(quick_desk("--as", "jim", "request", "watch", "5", code=None), 3,
                 "no request #5; see `isvc request list`")
    assert db.counts() == before


# -- edit -----------------------------------------------------------------------------------

def test_edit_journals_each_change(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it", "--field", "asset=1", "--tag", "old")
    result = quick_desk(
        "--as", "jim", "request", "edit", "1", "--title", "VPN drops hourly", "--priority", "urgent",
        "--team", "payroll", "--type", "it/network", "--field", "asset=7731", "--field", "site=Cluj",
        "--tag", "vpn", "--untag", "old")
    assert result.stderr == "Updated #1.\n"
    data = show(quick_desk, 1)
    assert (data["title"], data["priority"], data["team"], data["type"]) == (
        "VPN drops hourly", "urgent", "payroll", "it/network")
    assert data["fields"] == {"asset": "7731", "site": "Cluj"}
    assert data["tags"] == ["vpn"]
    edits = {(e["field"], e["from"], e["to"]) for e in data["events"] if e["kind"] == "edit"}
    assert edits == {
        ("title", "VPN drops", "VPN drops hourly"), ("priority", "normal", "urgent"),
        ("team", "it", "payroll"), ("type", None, "it/network"),
        ("fields.asset", "1", "7731"), ("fields.site", None, "Cluj"),
        ("tags", None, "vpn"), ("tags", "old", None),
    }
    assert all(e["actor"] == "jim" for e in data["events"] if e["kind"] == "edit")


def test_edit_empty_field_value_removes_it(quick_desk):
    new(quick_desk, "VPN drops", "--team", "it", "--field", "asset=1")
    quick_desk("--as", "jim", "request", "edit", "1", "--field", "asset=")
    assert show(quick_desk, 1)["fields"] == {}


@pytest.mark.parametrize("args, code, message", [
    ([], 2, "nothing changed on #1; give a new --title, --priority, --team, --type, --field or --tag"),
    (["--title", "VPN drops"], 2,
     "nothing changed on #1; give a new --title, --priority, --team, --type, --field or --tag"),
    (["--title", "New title", "--priority", "asap"], 2,
     "unknown priority 'asap'; use one of: low, normal, high, urgent"),
    (["--title", "New title", "--team", "nope"], 3, "no team 'nope'; see `isvc team list`"),
    (["--title", "New title", "--field", "oops"], 2, "--field 'oops' must look like key=value"),
])
def test_edit_refusals_write_nothing(quick_desk, db, args, code, message):
    new(quick_desk, "VPN drops", "--team", "it")
    before = db.counts()
    expect_error(quick_desk("--as", "jim", "request", "edit", "1", *args, code=None), code, message)
    assert db.counts() == before
    assert show(quick_desk, 1)["title"] == "VPN drops"


# -- redact ---------------------------------------------------------------------------------

def test_redact_replaces_the_text_and_is_journaled(quick_desk, db):
    new(quick_desk, "VPN drops", "--team", "it")
    quick_desk("--as", "ana", "request", "comment", "1", "-m", "my password is hunter2")
    event_id = show(quick_desk, 1)["events"][-1]["id"]
    result = quick_desk("--as", "boss", "request", "redact", "1", str(event_id), "--reason", "pasted a password")
    assert result.stderr == f"Redacted event {event_id} on #1.\n"
    events = show(quick_desk, 1)["events"]
    redacted = next(e for e in events if e["id"] == event_id)
    assert redacted["message"] == "[redacted by boss: pasted a password]"
    assert redacted["kind"] == "reply" and redacted["actor"] == "ana"  # the rest is untouched
    journal = events[-1]
    assert (journal["kind"], journal["actor"], journal["message"], journal["internal"]) == (
        "redaction", "boss", "pasted a password", True)
    assert db.count("events", "message LIKE '%hunter2%'") == 0
    # the requester sees the redacted text, not the (internal) redaction entry
    as_ana = show(quick_desk, 1, who="ana")["events"]
    assert [e["kind"] for e in as_ana] == ["filed", "reply"]


def test_redacting_the_filed_event_also_redacts_the_body(quick_desk, db):
    """A password pasted into the request's body at filing must not survive a redaction of
    the `filed` event: the body is the same text and `request show` prints it."""
    new(quick_desk, "VPN drops", "--team", "it", "--body", "password: hunter2")
    filed = show(quick_desk, 1)["events"][0]
    quick_desk("--as", "boss", "request", "redact", "1", str(filed["id"]), "--reason", "password")
    data = show(quick_desk, 1, who="ana")
    assert "hunter2" not in data["body"]
    assert db.count("requests", "body LIKE '%hunter2%'") == 0


def test_redact_errors(quick_desk, db):
    new(quick_desk, "VPN drops", "--team", "it", "--body", "secret")
    new(quick_desk, "Other", "--team", "it")
    filed, = [e["id"] for e in show(quick_desk, 1)["events"]]
    other_filed = show(quick_desk, 2)["events"][0]["id"]
    quick_desk("--as", "jim", "request", "ack", "1")
    no_text = show(quick_desk, 1)["events"][-1]["id"]
    before = db.counts()
    expect_error(quick_desk("--as", "boss", "request", "redact", "1", str(other_filed), "--reason", "x", code=None),
                 3, f"#1 has no event {other_filed}; see `isvc request show 1 --json`")
    expect_error(quick_desk("--as", "boss", "request", "redact", "1", "999", "--reason", "x", code=None),
                 3, "#1 has no event 999; see `isvc request show 1 --json`")
    expect_error(quick_desk("--as", "boss", "request", "redact", "1", str(no_text), "--reason", "x", code=None),
                 2, f"event {no_text} has no text to redact")
    expect_error(quick_desk("--as", "boss", "request", "redact", "1", str(filed), "--reason", "  ", code=None),
                 2, "--reason is required: say why the text is removed")
    expect_usage_error(quick_desk("--as", "boss", "request", "redact", "1", str(filed), code=None),
                       "Missing option", "--reason")
    expect_error(quick_desk("--as", "jim", "request", "redact", "1", str(filed), "--reason", "x", code=None),
                 2, "only an admin may redact #1; you are jim")
    assert db.counts() == before
    quick_desk("--as", "boss", "request", "redact", "1", str(filed), "--reason", "x")
    expect_error(quick_desk("--as", "boss", "request", "redact", "1", str(filed), "--reason", "y", code=None),
                 2, f"event {filed} is already redacted")
