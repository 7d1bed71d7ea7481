"""Thanks at closure: `isvc request close N --thanks "..." [--value X]` closes the request
and, in the same transaction, sends a kudos to its assignee (else its team), tied to it."""

from __future__ import annotations

import pytest

from .helpers import error, resolved_request

THANKS = "Fixed before the payroll run, thank you so much!"


def test_close_with_thanks_creates_a_kudos_to_the_assignee(kd, db):
    number = resolved_request(kd)
    result = kd("--as", "ana", "request", "close", number, "--thanks", THANKS, "--value", "ownership")
    assert result.stderr == f"#{number} closed.\nThanked jim with kudos #1 (lateral).\n"
    assert db.query("SELECT status FROM requests WHERE number = ?", number) == [("closed",)]
    assert db.query("SELECT giver, recipient, to_kind, message, value, request, lateral "
                    "FROM kudos") == [("ana", "jim", "person", THANKS, "ownership", number, 1)]
    events = kd.json("--as", "ana", "request", "show", number)["events"]
    assert [(e["kind"], e["to"], e["message"]) for e in events][-2:] == [
        ("status", "closed", None), ("kudos", "jim", THANKS)]
    assert events[-1]["field"] == "1"
    wall = kd.json("--as", "mihai", "kudos", "wall")
    assert [(k["from"], k["to"], k["request"]) for k in wall] == [("ana", "jim", number)]


def test_close_with_thanks_and_json_prints_the_request(kd):
    number = resolved_request(kd)
    data = kd.json("--as", "ana", "request", "close", number, "--thanks", THANKS, "-m", "All good now")
    assert (data["number"], data["status"]) == (number, "closed")


def test_without_an_assignee_the_team_is_thanked(kd, db):
    number = resolved_request(kd, assignee=None)
    kd("--as", "ana", "request", "close", number, "--thanks", THANKS)
    assert db.query("SELECT recipient, to_kind, recipient_team, lateral FROM kudos") == [
        ("it", "team", "it", 1)]


def test_a_deactivated_assignee_passes_the_thanks_to_the_team(kd, db):
    number = resolved_request(kd)
    kd("--as", "boss", "person", "deactivate", "jim")
    kd("--as", "ana", "request", "close", number, "--thanks", THANKS)
    assert db.query("SELECT recipient, to_kind FROM kudos") == [("it", "team")]


def test_close_without_thanks_is_unchanged(kd, db):
    number = resolved_request(kd)
    result = kd("--as", "ana", "request", "close", number)
    assert result.stderr == f"#{number} closed.\n"
    assert db.query("SELECT count(*) FROM kudos") == [(0,)]


@pytest.mark.parametrize("who, args, code, text", [
    ("ana", ["--thanks", "thx"], 2, "Error: 'thx' is a little short for a kudos"),
    ("ana", ["--thanks", "   "], 2, "Error: a kudos needs a message"),
    ("ana", ["--thanks", THANKS, "--value", "ownrship"], 2,
     "Error: unknown value 'ownrship' (did you mean 'ownership'?)"),
    ("ana", ["--value", "ownership"], 2, "Error: --value goes with --thanks"),
    ("jim", ["--thanks", THANKS], 2, "Error: kudos to yourself do not count"),
    ("mihai", ["--thanks", THANKS], 2,
     "Error: only members of team it, the assignee, the requester (ana) or an admin may close"),
])
def test_refused_thanks_leave_the_request_resolved(kd, db, who, args, code, text):
    number = resolved_request(kd)
    before = db.snapshot()
    line = error(kd("--as", who, "request", "close", number, *args, code=None), code)
    assert line.startswith(text), line
    assert db.snapshot() == before


def test_thanks_on_a_request_that_is_not_resolved_is_refused(kd, db):
    number = int(kd("--as", "ana", "request", "new", "Still open", "--team", "it").stdout)
    before = db.snapshot()
    line = error(kd("--as", "ana", "request", "close", number, "--thanks", THANKS, code=None), 2)
    assert line.startswith(f"Error: cannot close #{number}: it is new")
    assert db.snapshot() == before


def test_thanks_over_the_allowance_refuse_the_close(kd, db):
    kd("config", "set", "kudos.allowance_per_week", "1")
    kd("--as", "ana", "kudos", "send", "@alina", "Thanks for the laptop swap this morning")
    number = resolved_request(kd)
    before = db.snapshot()
    line = error(kd("--as", "ana", "request", "close", number, "--thanks", THANKS, code=None), 2)
    assert line.startswith("Error: you have given all 1 kudos of this week's allowance; it refreshes")
    assert db.snapshot() == before
    kd("--as", "ana", "request", "close", number)  # closing without thanks still works


def test_the_requester_gets_the_thanks_hint_once_on_a_terminal(kd, monkeypatch):
    first, second, third = (resolved_request(kd) for _ in range(3))
    assert "Tip" not in kd("--as", "ana", "request", "close", first).stderr  # not a terminal
    monkeypatch.setattr("isvc.cli._common.interactive", lambda: True)
    result = kd("--as", "ana", "request", "close", second)
    assert result.stderr.splitlines()[-1] == (
        f'Tip: say thanks: isvc kudos send @jim "what they did and why it mattered" --for {second}')
    assert "Tip" not in kd("--as", "ana", "request", "close", third).stderr
