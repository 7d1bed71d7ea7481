"""The request lifecycle of issue 2: every allowed transition, every refused one, first
response, replies that move a request, follow-ups, and autoclose on a pinned clock."""

from __future__ import annotations

import pytest

from isvc.domain import lifecycle
from isvc.domain.lifecycle import COMMANDS
from isvc.domain.models import Status

from testkit import expect_error

NOW = "2026-11-23T09:30:00Z"

# The table of issue 2, written out by hand so that the code's table is checked against it.
ISSUE_TABLE = {
    "new": {"acknowledged", "in_progress", "waiting", "resolved", "cancelled"},
    "acknowledged": {"in_progress", "waiting", "resolved", "cancelled"},
    "in_progress": {"waiting", "resolved", "cancelled"},
    "waiting": {"in_progress", "resolved", "cancelled"},
    "resolved": {"closed", "in_progress"},
    "closed": set(),
    "cancelled": set(),
}

# One request in each status, all filed by ana for team it.
NUMBER_IN = {
    Status.NEW: 1, Status.ACKNOWLEDGED: 2, Status.IN_PROGRESS: 3, Status.WAITING: 4,
    Status.RESOLVED: 5, Status.CLOSED: 6, Status.CANCELLED: 7,
}

ALLOWED = [(cmd, src) for cmd, (_, sources) in COMMANDS.items() for src in sources]
REFUSED = [(cmd, st) for cmd, (_, sources) in COMMANDS.items() for st in Status if st not in sources]


@pytest.fixture
def every_status(request, snapshot, isvc):
    def build():
        d = request.getfixturevalue("desk")
        for status in NUMBER_IN:
            d("--as", "ana", "request", "new", f"Request that is {status.value}", "--team", "it")
        d("--as", "jim", "request", "ack", "2", "-m", "seen")
        d("--as", "jim", "request", "start", "3")
        d("--as", "jim", "request", "wait", "4", "-m", "which model?")
        d("--as", "jim", "request", "resolve", "5", "-m", "fixed")
        d("--as", "jim", "request", "resolve", "6", "-m", "fixed")
        d("--as", "jim", "request", "close", "6")
        d("--as", "jim", "request", "cancel", "7", "-m", "duplicate")

    snapshot("every-status", build)
    return isvc


def show(desk, number, who="jim") -> dict:
    return desk.json("--as", who, "request", "show", number)


def test_the_fixture_really_has_every_status(every_status):
    for status, number in NUMBER_IN.items():
        assert show(every_status, number)["status"] == status.value


def test_the_code_table_is_the_issue_table():
    table = {s.value: set() for s in Status}
    for src, dst in lifecycle.all_transitions():
        table[src.value].add(dst.value)
    assert table == ISSUE_TABLE
    assert lifecycle.FINAL == (Status.CLOSED, Status.CANCELLED)
    # and the commands are named as in the issue
    assert {cmd: target.value for cmd, (target, _) in COMMANDS.items()} == {
        "ack": "acknowledged", "start": "in_progress", "wait": "waiting", "resume": "in_progress",
        "resolve": "resolved", "cancel": "cancelled", "close": "closed", "reopen": "in_progress"}


@pytest.mark.parametrize("command, source", ALLOWED, ids=[f"{c}-from-{s.value}" for c, s in ALLOWED])
def test_allowed_transition(every_status, db, command, source):
    number = NUMBER_IN[source]
    target = COMMANDS[command][0]
    events_before = db.count("events", "number = ?", number)
    result = every_status("--as", "jim", "request", command, str(number), "-m", f"{command} it",
                          env={"ISVC_NOW": "2026-11-24T10:00:00Z"})
    assert result.stdout == ""
    assert result.stderr.startswith(f"#{number} ")
    data = show(every_status, number)
    assert data["status"] == target.value
    assert data["updated_at"] == "2026-11-24T10:00:00Z"
    status_events = [e for e in data["events"] if e["kind"] == "status"]
    last = status_events[-1]
    assert (last["from"], last["to"], last["actor"], last["message"], last["at"]) == (
        source.value, target.value, "jim", f"{command} it", "2026-11-24T10:00:00Z")
    assert db.count("events", "number = ?", number) == events_before + 1
    # the timestamps that go with the new status
    # closing keeps the resolution time; cancelling never had one; reopening clears it
    assert (data["resolved_at"] is not None) == (target in (Status.RESOLVED, Status.CLOSED))
    assert (data["closed_at"] is not None) == (target in (Status.CLOSED, Status.CANCELLED))
    assert data["waiting_on"] == ("requester" if target == Status.WAITING else None)
    if target in (Status.RESOLVED, Status.CLOSED, Status.CANCELLED) and source != Status.RESOLVED:
        assert (data["resolved_at"] or data["closed_at"]) == "2026-11-24T10:00:00Z"


@pytest.mark.parametrize("command, status", REFUSED, ids=[f"{c}-from-{s.value}" for c, s in REFUSED])
def test_refused_transition(every_status, db, command, status):
    number = NUMBER_IN[status]
    before = db.counts()
    result = every_status("--as", "jim", "request", command, str(number), "-m", "try", code=None)
    if status in (Status.CLOSED, Status.CANCELLED):
        hint = "it is final; a new reply files a follow-up request"
    else:
        allowed = [c for c, (_, sources) in COMMANDS.items() if status in sources]
        assert allowed, status
        hint = "from there you can: " + ", ".join(allowed)
    expect_error(result, 2, f"cannot {command} #{number}: it is {status.label}; {hint}")
    assert db.counts() == before
    assert show(every_status, number)["status"] == status.value


def test_refusal_lists_exactly_the_allowed_commands(every_status):
    result = every_status("--as", "jim", "request", "close", "4", code=2)
    assert result.stderr == "Error: cannot close #4: it is waiting; from there you can: resume, resolve, cancel\n"
    result = every_status("--as", "jim", "request", "resume", "1", code=2)
    assert result.stderr == ("Error: cannot resume #1: it is new; from there you can: ack, start, wait, "
                             "resolve, cancel\n")


def test_a_full_round_trip(every_status):
    d, n = every_status, "1"
    for command in ("start", "wait", "resume", "resolve", "reopen", "resolve", "close"):
        d("--as", "jim", "request", command, n, "-m", command)
    kinds = [(e["from"], e["to"]) for e in show(d, 1)["events"] if e["kind"] == "status"]
    assert kinds == [("new", "in_progress"), ("in_progress", "waiting"), ("waiting", "in_progress"),
                     ("in_progress", "resolved"), ("resolved", "in_progress"),
                     ("in_progress", "resolved"), ("resolved", "closed")]


def test_reopen_clears_resolved_at(every_status):
    every_status("--as", "ana", "request", "reopen", "5", "-m", "still broken")
    data = show(every_status, 5)
    assert data["status"] == "in_progress" and data["resolved_at"] is None


def test_an_empty_message_is_refused(every_status, db):
    before = db.counts()
    expect_error(every_status("--as", "jim", "request", "ack", "1", "-m", "  ", code=None), 2,
                 "-m/--message must not be empty")
    assert db.counts() == before


# -- first response ------------------------------------------------------------------------

def test_ack_is_the_first_response(every_status):
    every_status("--as", "jim", "request", "ack", "1", env={"ISVC_NOW": "2026-11-23T10:15:00Z"})
    assert show(every_status, 1)["first_response_at"] == "2026-11-23T10:15:00Z"
    assert show(every_status, 2)["first_response_at"] == NOW  # acked when built


def test_a_provider_members_first_public_reply_is_the_first_response(every_status):
    every_status("--as", "alina", "request", "comment", "1", "-m", "Looking into it",
                 env={"ISVC_NOW": "2026-11-23T11:00:00Z"})
    data = show(every_status, 1)
    assert data["status"] == "acknowledged"
    assert data["first_response_at"] == "2026-11-23T11:00:00Z"
    moved = [e for e in data["events"] if e["kind"] == "status"]
    assert [(e["from"], e["to"], e["actor"]) for e in moved] == [("new", "acknowledged", "alina")]
    # a later reply does not move it again
    every_status("--as", "jim", "request", "comment", "1", "-m", "more", env={"ISVC_NOW": "2026-11-23T12:00:00Z"})
    assert show(every_status, 1)["first_response_at"] == "2026-11-23T11:00:00Z"


@pytest.mark.parametrize("who, args", [
    ("ana", []),                  # the requester's own reply
    ("jim", ["--internal"]),      # an internal note
    ("mihai", []),                # someone outside the provider team (here: a watcher)
])
def test_replies_that_are_not_a_first_response(every_status, who, args):
    every_status("--as", "jim", "request", "watch", "1", "mihai")
    every_status("--as", who, "request", "comment", "1", "-m", "hello", *args)
    data = show(every_status, 1)
    assert data["status"] == "new"
    assert data["first_response_at"] is None


def test_a_team_member_filing_for_themselves_does_not_respond_to_themselves(every_status):
    every_status("--as", "jim", "request", "new", "My own laptop", "--team", "it")
    every_status("--as", "jim", "request", "comment", "8", "-m", "adding detail")
    data = show(every_status, 8)
    assert data["status"] == "new" and data["first_response_at"] is None


def test_a_message_on_a_transition_is_a_response_but_cancelling_is_not(every_status):
    every_status("--as", "jim", "request", "new", "x", "--team", "it", "--requester", "ana")
    every_status("--as", "jim", "request", "wait", "8", "-m", "which one?",
                 env={"ISVC_NOW": "2026-11-23T13:00:00Z"})
    assert show(every_status, 8)["first_response_at"] == "2026-11-23T13:00:00Z"
    every_status("--as", "jim", "request", "cancel", "1", "-m", "duplicate")
    assert show(every_status, 1)["first_response_at"] is None


# -- replies that move a request -----------------------------------------------------------

def test_the_requesters_reply_resumes_a_request_waiting_on_them(every_status):
    every_status("--as", "ana", "request", "comment", "4", "-m", "model X200")
    data = show(every_status, 4)
    assert data["status"] == "in_progress" and data["waiting_on"] is None
    last = data["events"][-1]
    assert (last["kind"], last["from"], last["to"], last["actor"]) == ("status", "waiting", "in_progress", "ana")


@pytest.mark.parametrize("who", ["jim", "mihai"])
def test_other_replies_leave_a_waiting_request_waiting(every_status, who):
    every_status("--as", "jim", "request", "watch", "4", "mihai")
    every_status("--as", who, "request", "comment", "4", "-m", "any news?")
    data = show(every_status, 4)
    assert data["status"] == "waiting" and data["waiting_on"] == "requester"


def test_the_requesters_reply_reopens_a_resolved_request(every_status):
    every_status("--as", "ana", "request", "comment", "5", "-m", "still broken")
    data = show(every_status, 5)
    assert data["status"] == "in_progress" and data["resolved_at"] is None
    assert data["events"][-1]["from"] == "resolved" and data["events"][-1]["actor"] == "ana"


def test_an_agents_reply_leaves_a_resolved_request_resolved(every_status):
    every_status("--as", "jim", "request", "comment", "5", "-m", "fyi")
    assert show(every_status, 5)["status"] == "resolved"


@pytest.mark.parametrize("number, label", [(6, "closed"), (7, "cancelled")])
def test_a_reply_to_a_final_request_files_a_linked_follow_up(every_status, db, number, label):
    old_title = f"Request that is {label}"
    result = every_status("--as", "ana", "request", "comment", str(number), "-m", "It broke again")
    assert result.stdout == "8\n"
    assert result.stderr == f"#{number} is {label}: your reply filed follow-up #8.\n"
    old = show(every_status, number)
    assert old["status"] == label  # final stays final
    follow = show(every_status, 8)
    assert follow["status"] == "new" and follow["requester"] == "ana" and follow["team"] == "it"
    assert follow["title"] == f"Follow-up: {old_title}" and follow["body"] == "It broke again"
    assert [e["kind"] for e in follow["events"]] == ["filed", "link"]
    assert follow["events"][1]["to"] == str(number)
    assert old["events"][-1]["kind"] == "link" and old["events"][-1]["to"] == "8"
    assert db.query("SELECT src, dst, kind FROM links") == [(8, number, "follow_up")]
    # with --json the follow-up is printed
    data = every_status.json("--as", "ana", "request", "comment", str(number), "-m", "and again")
    assert data["number"] == 9 and data["title"] == f"Follow-up: {old_title}"


def test_a_follow_up_of_a_follow_up_keeps_one_prefix(every_status):
    every_status("--as", "ana", "request", "comment", "6", "-m", "again")
    every_status("--as", "jim", "request", "cancel", "8")
    every_status("--as", "ana", "request", "comment", "8", "-m", "again!")
    assert show(every_status, 9)["title"] == "Follow-up: Request that is closed"


# -- autoclose -------------------------------------------------------------------------------

def at(text: str) -> dict:
    return {"ISVC_NOW": text}


def test_autoclose_is_for_admins(every_status):
    result = every_status("--as", "jim", "request", "autoclose", "--days", "0", code=2,
                          env=at("2027-01-01T00:00:00Z"))
    assert result.stderr == ("Error: only an admin (boss) may close requests automatically "
                             "(run autoclose); you are jim\n")
    assert show(every_status, 5)["status"] == "resolved"


def test_autoclose_after_the_configured_days(every_status):
    d = every_status  # #5 was resolved at 2026-11-23T09:30:00Z; the default is 5 days
    d("config", "set", "admins", "boss", "cron")  # the cron job's identity is an admin
    d("--as", "boss", "person", "add", "cron", "--name", "Cron jobs")
    result = d("--as", "cron", "request", "autoclose", env=at("2026-11-28T09:29:59Z"))
    assert result.stderr == "closed 0 request(s).\n"
    assert show(d, 5)["status"] == "resolved"
    result = d("--as", "cron", "request", "autoclose", "--json", env=at("2026-11-28T09:30:00Z"))
    assert result.stdout.split() == ["[", "5", "]"]
    assert result.stderr == "closed 1 request(s): #5\n"
    data = show(d, 5)
    assert data["status"] == "closed" and data["closed_at"] == "2026-11-28T09:30:00Z"
    last = data["events"][-1]
    assert (last["from"], last["to"], last["actor"], last["message"]) == (
        "resolved", "closed", "cron", "closed automatically 5 days after resolution")
    # running again closes nothing more
    assert d("--as", "cron", "request", "autoclose", env=at("2026-12-30T00:00:00Z")).stderr == "closed 0 request(s).\n"


def test_autoclose_days_option_config_and_dry_run(every_status):
    d = every_status
    result = d("--as", "boss", "request", "autoclose", "--days", "2", "--dry-run", env=at("2026-11-25T09:30:00Z"))
    assert result.stderr == "would close 1 request(s): #5\n"
    assert show(d, 5)["status"] == "resolved"
    d("config", "set", "requests.autoclose_days", "1")
    d("--as", "boss", "request", "autoclose", env=at("2026-11-24T09:30:00Z"))
    assert show(d, 5)["status"] == "closed"


def test_autoclose_skips_reopened_requests(every_status):
    every_status("--as", "ana", "request", "reopen", "5")
    every_status("--as", "boss", "request", "autoclose", "--days", "0", env=at("2027-01-01T00:00:00Z"))
    assert show(every_status, 5)["status"] == "in_progress"


def test_autoclose_refuses_negative_days(every_status):
    expect_error(every_status("request", "autoclose", "--days", "-1", code=None), 2,
                 "--days must be 0 or more")


def test_a_requester_cannot_answer_their_own_request_by_taking_it(every_status):
    """The first-response clock stops on a reply from the provider side. A requester from
    another team who takes their own request is not the provider side."""
    every_status("--as", "ana", "request", "take", "1")
    every_status("--as", "ana", "request", "comment", "1", "-m", "bump")
    data = show(every_status, 1)
    assert data["status"] == "new" and data["first_response_at"] is None


def test_a_team_member_who_owns_their_own_request_counts_as_staff(every_status):
    """SLA-SPEC §7 (after RT): an owner who is also the requester counts as staff."""
    every_status("--as", "jim", "request", "new", "My own laptop", "--team", "it")
    every_status("--as", "jim", "request", "take", "8")
    every_status("--as", "jim", "request", "comment", "8", "-m", "ordered a new one",
                 env={"ISVC_NOW": "2026-11-23T14:00:00Z"})
    data = show(every_status, 8)
    assert data["status"] == "acknowledged" and data["first_response_at"] == "2026-11-23T14:00:00Z"


def test_a_lateral_helper_who_takes_a_request_responds_for_the_team(every_status):
    every_status("--as", "mihai", "request", "take", "1")
    every_status("--as", "mihai", "request", "comment", "1", "-m", "I can help",
                 env={"ISVC_NOW": "2026-11-23T15:00:00Z"})
    data = show(every_status, 1)
    assert data["status"] == "acknowledged" and data["first_response_at"] == "2026-11-23T15:00:00Z"
