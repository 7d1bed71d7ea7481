"""`isvc request rate`: who may rate which side, when, and what the journal keeps.

The lifecycle desk (conftest): ana (payroll) filed #1..#7 for it; #1 new, #2 acknowledged,
#3 in progress, #4 waiting, #5 resolved, #6 closed, #7 cancelled. jim, alina and boss are
in it (boss is the admin), mihai in sales.
"""

from __future__ import annotations

import json

import pytest

from .conftest import act, rows

NOW = "2026-11-23T09:30:00Z"


def expect_error(result, code: int, message: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""


def nothing_rated(home) -> None:
    assert rows(home, "SELECT * FROM ratings") == []
    assert rows(home, "SELECT * FROM events WHERE kind = 'rating'") == []


def rating_events(home, number: int) -> list[tuple]:
    return rows(home, "SELECT actor, field, from_value, to_value, message, internal FROM events "
                      "WHERE number = ? AND kind = 'rating' ORDER BY id", number)


# -- the requester's side: refusals ---------------------------------------------------------

@pytest.mark.parametrize("who", ["mihai", "boss"])  # a stranger; the admin is no exception
def test_only_the_requester_rates_the_service(lifecycle, isvc_home, who):
    result = act(lifecycle, NOW, who, "rate", 5, 5, code=None)
    hint = " (the team rates the request itself with --as-provider)" if who == "boss" else ""
    expect_error(result, 2, f"only the requester (ana) may rate #5; you are {who}{hint}")
    nothing_rated(isvc_home)


def test_the_team_cannot_rate_the_requester_side(lifecycle, isvc_home):
    result = act(lifecycle, NOW, "jim", "rate", 5, 5, code=None)
    expect_error(result, 2, "only the requester (ana) may rate #5; you are jim "
                            "(the team rates the request itself with --as-provider)")
    nothing_rated(isvc_home)


@pytest.mark.parametrize("score", [0, 6, 42])
def test_a_score_outside_1_to_5_is_refused(lifecycle, isvc_home, score):
    result = act(lifecycle, NOW, "ana", "rate", 5, score, code=None)
    expect_error(result, 2, f"a rating is a whole number from 1 (poor) to 5 (excellent); got {score}")
    result = act(lifecycle, NOW, "jim", "rate", 5, "--as-provider", score, code=None)
    expect_error(result, 2, f"a rating is a whole number from 1 (poor) to 5 (excellent); got {score}")
    nothing_rated(isvc_home)


@pytest.mark.parametrize("score", ["-1", "4.5", "five", "99999999999999999999"])
def test_a_score_that_is_not_a_small_whole_number_is_a_usage_error(lifecycle, isvc_home, score):
    result = act(lifecycle, NOW, "ana", "rate", 5, score, code=None)
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    nothing_rated(isvc_home)


@pytest.mark.parametrize("number, label", [
    (1, "new"), (2, "acknowledged"), (3, "in progress"), (4, "waiting")])
def test_an_open_request_is_not_rated_yet(lifecycle, isvc_home, number, label):
    result = act(lifecycle, NOW, "ana", "rate", number, 4, code=None)
    expect_error(result, 2, f"cannot rate #{number} yet: it is {label}; the requester rates the "
                            "service once it is resolved or closed")
    nothing_rated(isvc_home)


def test_a_cancelled_request_is_not_rated(lifecycle, isvc_home):
    result = act(lifecycle, NOW, "ana", "rate", 7, 4, code=None)
    expect_error(result, 2, "cannot rate #7: it was cancelled; only resolved or closed requests "
                            "are rated")
    result = act(lifecycle, NOW, "jim", "rate", 7, "--as-provider", 4, code=None)
    expect_error(result, 2, "cannot rate #7: it was cancelled; cancelled requests are not rated")
    nothing_rated(isvc_home)


def test_an_unknown_request_and_an_empty_comment(lifecycle, isvc_home):
    expect_error(act(lifecycle, NOW, "ana", "rate", 99, 4, code=None), 3,
                 "no request #99; see `isvc request list`")
    expect_error(act(lifecycle, NOW, "ana", "rate", 5, 4, "-m", "  ", code=None), 2,
                 "-m/--message must not be empty")
    nothing_rated(isvc_home)


# -- the requester's side: rating, replacing, the journal ------------------------------------

def test_rating_again_replaces_the_score_and_both_are_journaled(lifecycle, isvc_home):
    first = act(lifecycle, "2026-11-20T08:00:00Z", "ana", "rate", 5, 2, "-m", "Took three days",
                "--json")
    assert first.stderr == "Rated #5: 2/5. Thank you.\n"
    assert json.loads(first.stdout) == {
        "number": 5, "side": "requester", "score": 2, "comment": "Took three days",
        "rater": "ana", "rated_at": "2026-11-20T08:00:00Z", "previous": None}
    second = act(lifecycle, NOW, "ana", "rate", 5, 4, "-m", "  The fix held all week ", "--json")
    assert second.stderr == "Rated #5: 4/5 (was 2/5). Thank you.\n"
    assert json.loads(second.stdout)["previous"] == 2

    assert rows(isvc_home, "SELECT number, side, score, comment, rater, rated_at FROM ratings") == [
        (5, "requester", 4, "The fix held all week", "ana", NOW)]
    assert rating_events(isvc_home, 5) == [
        ("ana", "requester", None, "2", "Took three days", 0),
        ("ana", "requester", "2", "4", "The fix held all week", 0),
    ]
    assert rows(isvc_home, "SELECT updated_at FROM requests WHERE number = 5") == [(NOW,)]


def test_a_closed_request_is_rated_and_the_rating_is_public(lifecycle):
    act(lifecycle, NOW, "ana", "rate", 6, 5, "-m", "Quick and kind")
    for who in ("ana", "jim", "mihai"):  # the requester, the team, anyone who may look
        events = lifecycle.json("--as", who, "request", "show", 6)["events"]
        ratings = [e for e in events if e["kind"] == "rating"]
        assert ratings == [{
            "id": ratings[0]["id"], "at": NOW, "actor": "ana", "kind": "rating",
            "field": "requester", "from": None, "to": "5", "message": "Quick and kind",
            "internal": False}], who


def test_an_admin_rates_for_the_requester_only_by_acting_as_them(lifecycle, isvc_home):
    act(lifecycle, NOW, "ana", "rate", 5, 3)  # `--as ana`, as boss would type it
    assert rows(isvc_home, "SELECT rater FROM ratings") == [("ana",)]


def test_a_reopened_request_keeps_its_rating_until_rated_again(lifecycle, isvc_home):
    act(lifecycle, "2026-11-20T08:00:00Z", "ana", "rate", 5, 5)
    act(lifecycle, "2026-11-20T09:00:00Z", "ana", "reopen", 5, "-m", "Blank again")
    expect_error(act(lifecycle, NOW, "ana", "rate", 5, 1, code=None), 2,
                 "cannot rate #5 yet: it is in progress; the requester rates the service once it "
                 "is resolved or closed")
    assert rows(isvc_home, "SELECT score FROM ratings") == [(5,)]


# -- the provider's side -------------------------------------------------------------------

def test_the_provider_rates_the_request_internally(lifecycle, isvc_home):
    result = act(lifecycle, "2026-11-20T08:00:00Z", "jim", "rate", 2, "--as-provider", 2, "-m",
                 "No employee number, no month", "--json")
    assert result.stderr == ("Rated #2 as its provider: 2/5; internal, the requester does not "
                             "see it.\n")
    assert json.loads(result.stdout)["side"] == "provider"
    result = act(lifecycle, NOW, "alina", "rate", 2, "--as-provider", 3)  # another member replaces it
    assert result.stderr == ("Rated #2 as its provider: 3/5 (was 2/5); internal, the requester "
                             "does not see it.\n")
    assert rows(isvc_home, "SELECT side, score, comment, rater FROM ratings") == [
        ("provider", 3, None, "alina")]
    assert rating_events(isvc_home, 2) == [
        ("jim", "provider", None, "2", "No employee number, no month", 1),
        ("alina", "provider", "2", "3", None, 1),
    ]


def test_the_provider_side_is_hidden_from_the_requester(lifecycle):
    act(lifecycle, NOW, "ana", "rate", 5, 4, "-m", "Thanks")
    act(lifecycle, NOW, "jim", "rate", 5, "--as-provider", 2, "-m", "Had to ask for the month")

    def kinds(who: str) -> list[tuple]:
        events = lifecycle.json("--as", who, "request", "show", 5)["events"]
        return [(e["field"], e["to"], e["message"]) for e in events if e["kind"] == "rating"]

    assert kinds("ana") == [("requester", "4", "Thanks")]
    assert kinds("mihai") == [("requester", "4", "Thanks")]
    assert kinds("jim") == [("requester", "4", "Thanks"),
                            ("provider", "2", "Had to ask for the month")]
    assert kinds("boss") == kinds("jim")  # admins see internal events
    human = lifecycle("--as", "ana", "request", "show", 5,
                      env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "140"}).stdout
    assert "Had to ask for the month" not in human


@pytest.mark.parametrize("number", [2, 3, 4, 5, 6])  # acknowledged on: open or done
def test_the_provider_rates_from_acknowledged_on(lifecycle, isvc_home, number):
    act(lifecycle, NOW, "jim", "rate", number, "--as-provider", 4)
    assert rows(isvc_home, "SELECT number, side, score FROM ratings") == [(number, "provider", 4)]


def test_the_provider_does_not_rate_a_new_request(lifecycle, isvc_home):
    expect_error(act(lifecycle, NOW, "jim", "rate", 1, "--as-provider", 4, code=None), 2,
                 "cannot rate #1 as its provider yet: it is new; acknowledge it first "
                 "(isvc request ack 1)")
    nothing_rated(isvc_home)


def test_only_the_team_or_the_assignee_rates_the_provider_side(lifecycle, isvc_home):
    expect_error(act(lifecycle, NOW, "mihai", "rate", 5, "--as-provider", 4, code=None), 2,
                 "only members of team it or the assignee may rate #5 as its provider; "
                 "you are mihai")
    expect_error(act(lifecycle, NOW, "ana", "rate", 5, "--as-provider", 4, code=None), 2,
                 "only members of team it or the assignee may rate #5 as its provider; you are "
                 "ana, its requester: rate the service without --as-provider")
    nothing_rated(isvc_home)
    act(lifecycle, "2026-11-20T08:00:00Z", "mihai", "take", 3)  # lateral help: mihai owns #3
    act(lifecycle, NOW, "mihai", "rate", 3, "--as-provider", 5)
    assert rows(isvc_home, "SELECT number, rater FROM ratings") == [(3, "mihai")]


def test_a_team_member_who_filed_the_request_does_not_rate_it_as_provider(lifecycle, isvc_home):
    number = int(act(lifecycle, "2026-11-20T08:00:00Z", "jim", "new", "My own laptop", "--team",
                     "it").stdout)
    act(lifecycle, "2026-11-20T08:10:00Z", "alina", "resolve", number, "-m", "Replaced")
    expect_error(act(lifecycle, NOW, "jim", "rate", number, "--as-provider", 5, code=None), 2,
                 f"only members of team it or the assignee may rate #{number} as its provider; "
                 "you are jim, its requester: rate the service without --as-provider")
    act(lifecycle, NOW, "jim", "rate", number, 5)  # as its requester, of course
    act(lifecycle, NOW, "alina", "rate", number, "--as-provider", 5)
    assert rows(isvc_home, "SELECT side, rater FROM ratings ORDER BY side") == [
        ("provider", "alina"), ("requester", "jim")]


def test_help_has_an_example(isvc, isvc_home):
    out = isvc("request", "rate", "--help").stdout
    assert "Example: isvc request rate" in out and "--as-provider" in out
    assert not (isvc_home / "isvc.db").exists()
