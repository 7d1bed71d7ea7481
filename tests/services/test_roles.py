"""The role x action matrix of issue 2, as one table.

Every request here is filed by ana (payroll) for team it, assigned to mihai (sales: an
assignee from another team), watched by walt; jim is an it member, uma is unrelated, chief is
an admin outside team it. Each cell runs one command against a fresh copy of that desk.
"""

from __future__ import annotations

import pytest

from testkit import expect_error

ROLES = {
    "member": "jim",       # provider team member
    "assignee": "mihai",   # assignee from another team
    "requester": "ana",
    "watcher": "walt",
    "other": "uma",        # unrelated person
    "admin": "chief",      # admin, not in the provider team
}

Y, N = True, False
ALREADY = "already"  # permitted, but the request's state makes it a no-op refusal

#                    member assignee requester watcher other admin
MATRIX = {
    "comment":        (Y, Y, Y, Y, N, Y),
    "note":           (Y, Y, N, N, N, Y),
    "ack":            (Y, Y, N, N, N, Y),
    "start":          (Y, Y, N, N, N, Y),
    "wait":           (Y, Y, N, N, N, Y),
    "resume":         (Y, Y, N, N, N, Y),
    "resolve":        (Y, Y, N, N, N, Y),
    "cancel":         (Y, Y, Y, N, N, Y),
    "close":          (Y, Y, Y, N, N, Y),
    "reopen":         (Y, Y, Y, N, N, Y),
    "assign":         (Y, Y, N, N, N, Y),
    "take":           (Y, ALREADY, Y, Y, Y, Y),
    "edit":           (Y, Y, N, N, N, Y),
    "watch_self":     (Y, Y, Y, ALREADY, Y, Y),
    "watch_other":    (Y, Y, N, N, N, Y),
    "redact":         (N, N, N, N, N, Y),
    "view_internal":  (Y, Y, N, N, N, Y),
}

AGENTS = "members of team it, the assignee"
# action -> (request number, command line, how the refusal names the action, who may)
ACTIONS = {
    "comment": (1, ["request", "comment", "{n}", "-m", "a reply"], "comment on",
                f"{AGENTS}, the requester (ana), a watcher or an admin"),
    "note": (1, ["request", "comment", "{n}", "-m", "a note", "--internal"], "add internal notes to",
             f"{AGENTS} or an admin"),
    "ack": (1, ["request", "ack", "{n}", "-m", "seen"], "ack", f"{AGENTS} or an admin"),
    "start": (1, ["request", "start", "{n}"], "start", f"{AGENTS} or an admin"),
    "wait": (1, ["request", "wait", "{n}", "-m", "which one?"], "wait", f"{AGENTS} or an admin"),
    "resume": (2, ["request", "resume", "{n}"], "resume", f"{AGENTS} or an admin"),
    "resolve": (1, ["request", "resolve", "{n}", "-m", "done"], "resolve", f"{AGENTS} or an admin"),
    "cancel": (1, ["request", "cancel", "{n}"], "cancel", f"{AGENTS}, the requester (ana) or an admin"),
    "close": (3, ["request", "close", "{n}"], "close", f"{AGENTS}, the requester (ana) or an admin"),
    "reopen": (3, ["request", "reopen", "{n}", "-m", "again"], "reopen",
               f"{AGENTS}, the requester (ana) or an admin"),
    "assign": (1, ["request", "assign", "{n}", "alina"], "assign", f"{AGENTS} or an admin"),
    "take": (1, ["request", "take", "{n}"], "take", "anyone"),
    "edit": (1, ["request", "edit", "{n}", "--priority", "high"], "edit", f"{AGENTS} or an admin"),
    "watch_self": (1, ["request", "watch", "{n}"], "change the watchers of", "anyone"),
    "watch_other": (1, ["request", "watch", "{n}", "alina"], "change the watchers of", f"{AGENTS} or an admin"),
    "redact": (1, ["request", "redact", "{n}", "{event}", "--reason", "pasted a password"], "redact",
               "an admin"),
}

CELLS = [(action, role, MATRIX[action][i]) for action in MATRIX for i, role in enumerate(ROLES)]


@pytest.fixture
def matrix_desk(request, snapshot, isvc):
    def build():
        d = request.getfixturevalue("desk")
        d("--as", "boss", "team", "add", "hr")
        d("--as", "boss", "person", "add", "walt", "--team", "sales")
        d("--as", "boss", "person", "add", "uma", "--team", "sales")
        d("--as", "boss", "person", "add", "chief", "--team", "hr")
        d("config", "set", "admins", "boss", "chief")
        for n in ("1", "2", "3"):
            d("--as", "ana", "request", "new", f"Matrix {n}", "--team", "it",
              "--body", "my password is hunter2", "--watch", "walt")
            d("--as", "jim", "request", "assign", n, "mihai")
            d("--as", "jim", "request", "comment", n, "-m", "INTERNAL-NOTE", "--internal")
        d("--as", "jim", "request", "wait", "2", "-m", "which model?")
        d("--as", "jim", "request", "resolve", "3", "-m", "done")

    snapshot("matrix", build)
    return isvc


def command_line(action: str, db) -> tuple[int, list[str]]:
    number, argv, _, _ = ACTIONS[action]
    event = db.scalar("SELECT id FROM events WHERE number = ? AND kind = 'filed'", number)
    return number, [a.format(n=number, event=event) for a in argv]


def internal_events(desk, who: str) -> list[dict]:
    events = desk.json("--as", who, "request", "show", "1")["events"]
    return [e for e in events if e["internal"]]


def test_the_matrix_desk_has_its_roles(matrix_desk):
    data = matrix_desk.json("--as", "chief", "request", "show", "1")
    assert (data["team"], data["requester"], data["assignee"], data["watchers"]) == ("it", "ana", "mihai", ["walt"])
    teams = {p["handle"]: (p["teams"], p["role"]) for p in matrix_desk.json("person", "list")}
    assert teams["jim"] == (["it"], "member") and teams["mihai"] == (["sales"], "member")
    assert teams["uma"] == (["sales"], "member") and teams["walt"] == (["sales"], "member")
    assert teams["chief"] == (["hr"], "admin") and teams["ana"] == (["payroll"], "member")


@pytest.mark.parametrize("action, role, expected", CELLS, ids=[f"{a}-{r}" for a, r, _ in CELLS])
def test_role_action_matrix(matrix_desk, db, action, role, expected):
    who = ROLES[role]
    if action == "view_internal":
        notes = internal_events(matrix_desk, who)
        if expected:
            assert [e["message"] for e in notes] == ["INTERNAL-NOTE"]
        else:
            assert notes == []
        return

    number, argv = command_line(action, db)
    before = db.counts()
    journaled = db.count("events", "number = ?", number)
    result = matrix_desk("--as", who, *argv, code=None)
    if expected is True:
        assert result.exit_code == 0, (result.stdout, result.stderr)
        assert db.count("events", "number = ?", number) > journaled
        assert db.scalar("SELECT actor FROM events ORDER BY id DESC LIMIT 1") == who
        if action == "take":
            assert matrix_desk.json("--as", who, "request", "show", str(number))["assignee"] == who
    elif expected == ALREADY:
        message = {"take": f"#{number} is already assigned to {who}",
                   "watch_self": f"{who} is already watching #{number}"}[action]
        expect_error(result, 2, message)
        assert db.counts() == before
    else:
        _, _, verb, may = ACTIONS[action]
        expect_error(result, 2, f"only {may} may {verb} #{number}; you are {who}")
        assert db.counts() == before


@pytest.mark.parametrize("role", ["requester", "watcher", "other"])
def test_internal_notes_never_reach_non_agents_in_any_format(matrix_desk, role):
    who = ROLES[role]
    for fmt in ("json", "ndjson", "tsv", "csv"):
        out = matrix_desk("--as", who, "request", "show", "1", "--format", fmt).stdout
        assert "INTERNAL-NOTE" not in out, fmt
    table = matrix_desk("--as", who, "request", "show", "1", env={"ISVC_FORCE_TABLE": "1"}).stdout
    assert "INTERNAL-NOTE" not in table
    assert "INTERNAL-NOTE" not in matrix_desk("--as", who, "request", "list", "--json").stdout


def test_with_no_admins_configured_everyone_is_an_admin(matrix_desk, db):
    matrix_desk("config", "set", "admins", "")
    assert matrix_desk.json("config", "show")["admins"] == []
    assert matrix_desk.json("--as", "uma", "person", "show", "uma")["role"] == "admin"
    assert [e["message"] for e in internal_events(matrix_desk, "uma")] == ["INTERNAL-NOTE"]
    filed = db.scalar("SELECT id FROM events WHERE number = 1 AND kind = 'filed'")
    # uma is unrelated to #1, yet with no admins configured every action is hers
    for argv in (
        ["request", "redact", "1", str(filed), "--reason", "password"],
        ["request", "comment", "1", "-m", "a note", "--internal"],
        ["request", "watch", "1", "alina"],
        ["request", "edit", "1", "--priority", "high"],
        ["request", "assign", "1", "alina"],
        ["request", "ack", "1", "-m", "seen"],
        ["request", "take", "1"],
        ["request", "watch", "1"],
        ["request", "comment", "1", "-m", "a reply"],
        ["request", "wait", "1", "-m", "which?"],
        ["request", "resume", "1"],
        ["request", "resolve", "1", "-m", "done"],
        ["request", "reopen", "1", "-m", "again"],
        ["request", "resolve", "1", "-m", "done"],
        ["request", "close", "1"],
        ["request", "cancel", "2"],
        ["team", "add", "facilities"],
        ["person", "add", "newbie"],
        ["person", "edit", "jim", "--name", "Jim I."],
    ):
        result = matrix_desk("--as", "uma", *argv, code=None)
        assert result.exit_code == 0, (argv, result.stderr)
    assert matrix_desk.json("--as", "uma", "request", "show", "1")["status"] == "closed"
    assert matrix_desk.json("--as", "uma", "request", "show", "2")["status"] == "cancelled"


@pytest.mark.parametrize("who, allowed", [("boss", True), ("chief", True), ("jim", False), ("ana", False)])
def test_directory_changes_are_for_admins(matrix_desk, db, who, allowed):
    before = db.counts()
    result = matrix_desk("--as", who, "team", "add", "facilities", code=None)
    if allowed:
        assert result.exit_code == 0
    else:
        expect_error(result, 2, f"only an admin (boss, chief) may add teams; you are {who}")
        assert db.counts() == before


def test_a_requester_who_takes_their_own_request_gains_no_agent_rights(matrix_desk, db):
    """`take` is open to anyone (lateral help), but a requester must never see internal notes:
    owning their own request must not make them an agent of it."""
    matrix_desk("--as", "ana", "request", "take", "1")
    assert matrix_desk.json("--as", "ana", "request", "show", "1")["assignee"] == "ana"
    assert internal_events(matrix_desk, "ana") == []
    before = db.counts()
    for action in ("note", "ack", "resolve", "edit", "watch_other"):
        _, argv = command_line(action, db)
        _, _, verb, may = ACTIONS[action]
        expect_error(matrix_desk("--as", "ana", *argv, code=None), 2,
                     f"only {may} may {verb} #1; you are ana")
    assert db.counts() == before
    # what a requester may do, she still may
    matrix_desk("--as", "ana", "request", "cancel", "1")


def test_an_unrelated_person_who_takes_a_request_becomes_its_agent(matrix_desk):
    """Lateral help: whoever owns a request works it, internal notes included."""
    matrix_desk("--as", "uma", "request", "take", "1")
    assert [e["message"] for e in internal_events(matrix_desk, "uma")] == ["INTERNAL-NOTE"]
    matrix_desk("--as", "uma", "request", "ack", "1", "-m", "on it")
