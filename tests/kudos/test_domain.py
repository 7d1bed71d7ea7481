"""The pure rules: messages, recipients, values, lateral help, giving weeks, leaderboards."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from isvc.domain import kudos as rules
from isvc.domain.kudos import Kudos
from isvc.errors import InvalidInput

BUCHAREST = ZoneInfo("Europe/Bucharest")
UTC = timezone.utc


@pytest.mark.parametrize("text", ["", "   ", None, "thx", "great job", "ok ok ok", "ty ty ty ty"])
def test_short_messages_are_refused(text):
    with pytest.raises(InvalidInput):
        rules.check_message(text)


def test_a_message_needs_three_words_and_twelve_characters():
    assert rules.check_message("thanks a lot") == "thanks a lot"
    assert rules.check_message("  Thanks   for\nthe  fix!  ") == "Thanks for the fix!"
    with pytest.raises(InvalidInput, match="at least 3 words"):
        rules.check_message("thx")
    with pytest.raises(InvalidInput, match="under 2000"):
        rules.check_message("word " * 500)


def test_recipients_are_written_with_at_or_plus():
    assert rules.split_recipient("@ana") == ("person", "ana")
    assert rules.split_recipient("+payroll") == ("team", "payroll")
    assert rules.split_recipient(" ana ") == (None, "ana")


def test_values_are_single_lower_case_words_without_duplicates():
    assert rules.clean_values(["Ownership", "teamwork,customer-first", "ownership"]) == [
        "ownership", "teamwork", "customer-first"]
    with pytest.raises(InvalidInput, match="single word"):
        rules.clean_values(["two words"])


def test_unknown_value_suggests_the_closest():
    known = ["ownership", "teamwork"]
    assert rules.match_value("OWNERSHIP", known) == "ownership"
    with pytest.raises(InvalidInput, match=r"unknown value 'ownrship' \(did you mean 'ownership'\?\)"):
        rules.match_value("ownrship", known)
    with pytest.raises(InvalidInput) as exc:
        rules.match_value("zzz", known)
    assert "did you mean" not in str(exc.value)
    with pytest.raises(InvalidInput, match="no company values are configured"):
        rules.match_value("ownership", [])


@pytest.mark.parametrize("to_kind, giver, recipient, served_by, giver_teams, lateral", [
    ("person", "it", "it", None, set(), False),           # same team
    ("person", "it", "payroll", None, set(), True),       # across teams
    ("person", "it", "it", "payroll", set(), True),       # a request another team served
    ("person", "it", "it", "it", set(), False),
    ("person", "it", "it", "payroll", {"payroll"}, False),  # the giver is in that team too
    ("team", "it", "it", None, set(), False),             # thanking your own team
    ("team", "it", "payroll", None, {"payroll"}, False),  # a team you belong to
    ("team", "it", "payroll", None, set(), True),
    ("person", None, "payroll", "payroll", set(), False),  # no team to cross from
])
def test_lateral(to_kind, giver, recipient, served_by, giver_teams, lateral):
    assert rules.is_lateral(to_kind, giver, recipient, served_by, giver_teams) is lateral


def test_week_starts_monday_midnight_in_the_zone():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
    assert rules.week_start(now, BUCHAREST) == datetime(2026, 11, 23, 0, 0, tzinfo=BUCHAREST)
    assert rules.week_start(now, BUCHAREST).astimezone(UTC) == datetime(2026, 11, 22, 22, 0, tzinfo=UTC)
    assert rules.next_refresh(now, BUCHAREST).astimezone(UTC) == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)
    # Sunday 23:30 UTC is already Monday in Bucharest, still Sunday in UTC
    late_sunday = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert rules.week_start(late_sunday, BUCHAREST).astimezone(UTC) == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)
    assert rules.week_start(late_sunday, None) == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert rules.next_refresh(late_sunday, None) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def test_a_week_across_the_clock_change_is_a_week_of_local_midnights():
    # Bucharest leaves summer time on Sunday 25 Oct 2026: that week lasts 7 days and 1 hour
    sunday = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    start = rules.week_start(sunday, BUCHAREST)
    refresh = rules.next_refresh(sunday, BUCHAREST)
    assert start.astimezone(UTC) == datetime(2026, 10, 18, 21, 0, tzinfo=UTC)
    assert refresh.astimezone(UTC) == datetime(2026, 10, 25, 22, 0, tzinfo=UTC)
    assert rules.span_words(sunday, refresh) == "10h"


def _k(giver, recipient, to_kind="person", *, gt=None, rt=None, lateral=False, value=None):
    return Kudos(id=0, giver=giver, recipient=recipient, to_kind=to_kind, message="m",
                 created_at="2026-11-23T09:30:00Z", giver_team=gt, recipient_team=rt,
                 lateral=lateral, value=value)


def test_leaderboard_by_person_team_and_value():
    rows = [
        _k("ana", "jim", gt="payroll", rt="it", lateral=True, value="ownership"),
        _k("alina", "jim", gt="it", rt="it", value="teamwork"),
        _k("jim", "payroll", "team", gt="it", rt="payroll", lateral=True, value="teamwork"),
    ]
    people = rules.leaderboard(rows, "person")
    assert [(r["person"], r["received"], r["given"], r["lateral_share_pct"]) for r in people] == [
        ("jim", 2, 1, 67), ("alina", 0, 1, 0), ("ana", 0, 1, 100)]
    assert [r["rank"] for r in people] == [1, 2, 3]
    teams = rules.leaderboard(rows, "team")
    assert [(r["team"], r["received"], r["given"]) for r in teams] == [("it", 2, 2), ("payroll", 1, 1)]
    values = rules.leaderboard(rows, "value")
    assert [(r["value"], r["kudos"], r["lateral"], r["recipients"]) for r in values] == [
        ("teamwork", 2, 1, 2), ("ownership", 1, 1, 1)]
    hidden = rules.leaderboard(rows, "person", hidden={"jim"})
    assert "jim" not in [r["person"] for r in hidden]
    with pytest.raises(InvalidInput, match="--by 'values'"):
        rules.leaderboard(rows, "values")
