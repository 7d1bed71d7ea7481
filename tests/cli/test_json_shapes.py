"""The machine-readable contract of ../shared/JSON.md: exact keys, types, UTC instants with Z,
null (never a missing key) for absent values."""

from __future__ import annotations

import json
import re

import pytest

from testkit import ISO_Z

REQUEST_KEYS = {
    "number", "title", "body", "status", "priority", "team", "type", "requester", "assignee",
    "watchers", "tags", "fields", "channel", "waiting_on", "created_at", "updated_at",
    "first_response_at", "resolved_at", "closed_at", "agreement", "sla",
}
EVENT_KEYS = {"id", "at", "actor", "kind", "from", "to", "message", "internal"}
TEAM_KEYS = {"handle", "name", "members", "calendar", "agreements"}
PERSON_KEYS = {"handle", "name", "email", "teams", "primary_team", "active", "role"}
STATUSES = {"new", "acknowledged", "in_progress", "waiting", "resolved", "closed", "cancelled"}
PRIORITIES = {"low", "normal", "high", "urgent"}


def is_instant(value) -> bool:
    return isinstance(value, str) and re.match(ISO_Z, value) is not None


def is_opt(value, kind) -> bool:
    return value is None or isinstance(value, kind)


def check_request(obj: dict, *, events: bool = False, queue: bool = False) -> None:
    extra = ({"events"} if events else set()) | ({"blocks"} if queue else set())
    assert set(obj) == REQUEST_KEYS | extra
    if queue:  # open requests waiting on it, directly or through others
        assert isinstance(obj["blocks"], int) and obj["blocks"] >= 0
    assert isinstance(obj["number"], int) and not isinstance(obj["number"], bool)
    assert isinstance(obj["title"], str) and obj["title"]
    assert isinstance(obj["body"], str)
    assert obj["status"] in STATUSES
    assert obj["priority"] in PRIORITIES
    assert isinstance(obj["team"], str)
    assert is_opt(obj["type"], str)
    assert isinstance(obj["requester"], str)
    assert is_opt(obj["assignee"], str)
    assert isinstance(obj["watchers"], list) and all(isinstance(w, str) for w in obj["watchers"])
    assert isinstance(obj["tags"], list) and all(isinstance(t, str) for t in obj["tags"])
    assert isinstance(obj["fields"], dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in obj["fields"].items())
    assert isinstance(obj["channel"], str)
    assert obj["waiting_on"] is None or obj["waiting_on"] == "requester" or (
        isinstance(obj["waiting_on"], int) and not isinstance(obj["waiting_on"], bool))
    assert is_instant(obj["created_at"]) and is_instant(obj["updated_at"])
    for key in ("first_response_at", "resolved_at", "closed_at"):
        assert obj[key] is None or is_instant(obj[key]), (key, obj[key])
    assert is_opt(obj["agreement"], str)
    assert is_opt(obj["sla"], dict)
    if events:
        assert isinstance(obj["events"], list) and obj["events"]
        for event in obj["events"]:
            check_event(event)
        ids = [e["id"] for e in obj["events"]]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        ats = [e["at"] for e in obj["events"]]
        assert ats == sorted(ats)  # time order


def check_event(event: dict) -> None:
    assert EVENT_KEYS <= set(event)  # the contract allows added keys, e.g. "field"
    assert isinstance(event["id"], int)
    assert is_instant(event["at"])
    assert isinstance(event["actor"], str) and event["actor"]
    assert isinstance(event["kind"], str) and event["kind"]
    assert is_opt(event["from"], str) and is_opt(event["to"], str)
    assert is_opt(event["message"], str)
    assert isinstance(event["internal"], bool)


@pytest.fixture
def busy(quick_desk):
    """One request touched by every kind of event, and a quiet one."""
    d = quick_desk
    d("--as", "ana", "request", "new", "VPN drops", "--team", "it", "--priority", "high",
      "--type", "it/network", "--body", "Since the update", "--field", "asset=7731",
      "--tag", "vpn", "--tag", "remote", "--watch", "mihai")
    d("--as", "ana", "request", "new", "Quiet one", "--team", "payroll")
    d("--as", "jim", "request", "ack", "1", "-m", "On it", env={"ISVC_NOW": "2026-11-23T11:30:00+02:00"})
    d("--as", "jim", "request", "assign", "1", "alina")
    d("--as", "alina", "request", "comment", "1", "-m", "check logs", "--internal")
    d("--as", "alina", "request", "wait", "1", "-m", "Which client?")
    d("--as", "boss", "request", "edit", "1", "--priority", "urgent")
    return d


def test_request_new_json(quick_desk):
    data = quick_desk.json("--as", "ana", "request", "new", "VPN drops", "--team", "it")
    check_request(data)
    # absent values are null, not missing
    for key in ("type", "assignee", "waiting_on", "first_response_at", "resolved_at", "closed_at",
                "agreement", "sla"):
        assert data[key] is None, key
    assert data["watchers"] == [] and data["tags"] == [] and data["fields"] == {}


def test_request_show_json(busy):
    data = busy.json("--as", "jim", "request", "show", "1")
    check_request(data, events=True)
    assert data["status"] == "waiting" and data["waiting_on"] == "requester"
    assert data["assignee"] == "alina" and data["watchers"] == ["mihai"]
    assert data["tags"] == ["remote", "vpn"] and data["fields"] == {"asset": "7731"}
    # an instant given with an offset is stored and printed in UTC with Z
    assert data["first_response_at"] == "2026-11-23T09:30:00Z"
    kinds = [e["kind"] for e in data["events"]]
    assert kinds == ["filed", "status", "assigned", "note", "status", "edit"]
    status = data["events"][1]
    assert (status["from"], status["to"], status["message"], status["actor"], status["internal"]) == (
        "new", "acknowledged", "On it", "jim", False)
    assert status["at"] == "2026-11-23T09:30:00Z"
    assert data["events"][3]["internal"] is True


def test_request_list_and_queue_json(busy):
    for args in (("request", "list"), ("queue",), ("queue", "it")):
        rows = json.loads(busy(*args, "--json").stdout)
        assert isinstance(rows, list) and rows
        for row in rows:
            check_request(row, queue=args[0] == "queue")
    assert [r["number"] for r in json.loads(busy("queue", "it", "--json").stdout)] == [1]
    for line in busy("request", "list", "--format", "ndjson").stdout.splitlines():
        check_request(json.loads(line))


def test_transition_and_other_commands_print_the_request_with_json(busy):
    check_request(busy.json("--as", "jim", "request", "resume", "1"))
    check_request(busy.json("--as", "jim", "request", "take", "1"))
    check_request(busy.json("--as", "jim", "request", "assign", "1", "alina"))
    check_request(busy.json("--as", "jim", "request", "edit", "1", "--tag", "x"))
    check_request(busy.json("--as", "jim", "request", "comment", "1", "-m", "hi"))


def test_errors_under_json_keep_stdout_empty(busy):
    result = busy("request", "show", "42", "--json", code=3)
    assert result.stdout == "" and result.stderr.startswith("Error: ")
    result = busy("request", "list", "--json", "--status", "nope", code=2)
    assert result.stdout == ""


def test_team_shapes(quick_desk):
    team = json.loads(quick_desk("--as", "boss", "team", "add", "hr", "--name", "People & Culture",
                                 "--json").stdout)
    assert set(team) == TEAM_KEYS
    assert team == {"handle": "hr", "name": "People & Culture", "members": [], "calendar": None,
                    "agreements": []}
    shown = quick_desk.json("team", "show", "it")
    assert set(shown) == TEAM_KEYS
    assert shown["handle"] == "it" and shown["name"] == "IT Service Desk"
    assert shown["members"] == ["alina", "boss", "jim"]
    assert isinstance(shown["agreements"], list) and is_opt(shown["calendar"], str)
    listed = quick_desk.json("team", "list")
    assert [t["handle"] for t in listed] == ["hr", "it", "payroll", "sales"]
    assert all(set(t) == TEAM_KEYS for t in listed)


def test_person_shapes(quick_desk):
    person = json.loads(quick_desk("--as", "boss", "person", "add", "eva", "--name", "Eva Dinu",
                                   "--email", "eva@example.com", "--team", "sales", "--team", "it",
                                   "--json").stdout)
    assert set(person) == PERSON_KEYS
    assert person == {"handle": "eva", "name": "Eva Dinu", "email": "eva@example.com",
                      "teams": ["it", "sales"], "primary_team": "sales", "active": True,
                      "role": "member"}
    boss = quick_desk.json("person", "show", "boss")
    assert set(boss) == PERSON_KEYS and boss["role"] == "admin" and boss["email"] is None
    listed = quick_desk.json("person", "list")
    assert all(set(p) == PERSON_KEYS for p in listed)
    assert {p["handle"] for p in listed} >= {"ana", "alina", "boss", "jim", "mihai", "eva"}
    assert all(isinstance(p["active"], bool) and p["role"] in ("admin", "member") for p in listed)
