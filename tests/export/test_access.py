"""Who may export what: staff only; a member their own teams' requests and journals;
internal notes only on request and only of the exporter's teams; private kudos as the
wall shows them."""

from __future__ import annotations

import pytest

from isvc.services import export as svc
from testkit import expect_error

from .helpers import export, jsonl

IT_NOTE = "it-secret: check the gateway logs"
PAYROLL_NOTE = "payroll-secret: bank file late"


def messages(rows: list[dict]) -> set:
    return {r["message"] for r in rows}


@pytest.mark.parametrize("kind", svc.KINDS)
def test_a_plain_requester_may_not_export(xd, kind):
    expect_error(export(xd, "pat", kind, code=None), 2,
                 "only desk admins and team members may export data; you are pat")


def test_an_unknown_person_may_not_export_either(xd, db):
    before = db.count("people")
    expect_error(export(xd, "stranger", "requests", code=None), 2,
                 "only desk admins and team members may export data; you are stranger")
    assert db.count("people") == before  # reading added nobody


def test_a_member_exports_their_own_teams_requests(xd):
    assert [r["number"] for r in jsonl(export(xd, "jim", "requests").stdout)] == [1, 3]
    assert [r["number"] for r in jsonl(export(xd, "ana", "requests").stdout)] == [2]
    # ana filed #1 with it: not hers to export (it is it's data); mihai's sales provides nothing
    assert export(xd, "mihai", "requests").stdout == ""
    assert {r["number"] for r in jsonl(export(xd, "jim", "events").stdout)} == {1, 3}


def test_an_admin_exports_every_team(xd):
    assert [r["number"] for r in jsonl(export(xd, "boss", "requests").stdout)] == [1, 2, 3]
    assert [r["number"] for r in jsonl(export(xd, "boss", "requests", "--team", "payroll").stdout)] == [2]


def test_a_member_may_not_name_another_team(xd):
    expect_error(export(xd, "jim", "events", "--team", "payroll", code=None), 2,
                 "you may export your own teams' requests only (it); jim is not in team payroll")
    assert [r["number"] for r in jsonl(export(xd, "jim", "requests", "--team", "it").stdout)] == [1, 3]


def test_internal_notes_are_left_out_by_default(xd):
    for who in ("boss", "jim", "ana"):
        rows = jsonl(export(xd, who, "events").stdout)
        assert rows and not any(r["internal"] for r in rows), who
        assert not messages(rows) & {IT_NOTE, PAYROLL_NOTE, "a password"}
    for fmt in ("csv", "json"):
        out = export(xd, "boss", "events", "--format", fmt).stdout
        assert "secret" not in out


def test_include_internal_adds_the_notes_of_the_exporters_teams(xd):
    jim = jsonl(export(xd, "jim", "events", "--include-internal").stdout)
    assert IT_NOTE in messages(jim) and PAYROLL_NOTE not in messages(jim)
    ana = jsonl(export(xd, "ana", "events", "--include-internal").stdout)
    assert PAYROLL_NOTE in messages(ana) and IT_NOTE not in messages(ana)
    boss = jsonl(export(xd, "boss", "events", "--include-internal").stdout)
    assert {IT_NOTE, PAYROLL_NOTE, "a password"} <= messages(boss)
    assert [r for r in boss if r["internal"]] == [r for r in boss if r["kind"] in ("note", "redaction")]


def test_internal_notes_follow_the_teams_even_where_the_scope_is_wider(xd, isvc_home):
    """The store's rule on its own: every team's events, internal notes of payroll only."""
    from isvc.store import export as store
    from isvc.store.db import open_db

    conn = open_db(isvc_home / "isvc.db")
    try:
        rows = list(store.events(conn, since=None, until=None, teams=None, internal=["payroll"]))
        assert PAYROLL_NOTE in messages(rows) and IT_NOTE not in messages(rows)
        assert {r["number"] for r in rows} == {1, 2, 3}
        none = list(store.events(conn, since=None, until=None, teams=None, internal=[]))
        assert not any(r["internal"] for r in none)
    finally:
        conn.close()


def test_private_kudos_as_the_wall_shows_them(xd):
    def given(who):
        return {(r["from"], r["to"], r["private"]) for r in jsonl(export(xd, who, "kudos").stdout)}

    public = {("jim", "ana", False), ("mihai", "it", False)}
    assert given("boss") == public | {("ana", "jim", True), ("mihai", "ana", True)}
    assert given("jim") == public | {("ana", "jim", True)}       # the receiver
    assert given("ana") == public | {("ana", "jim", True), ("mihai", "ana", True)}
    assert given("alina") == public                               # neither giver nor receiver
    wall = {(k["from"], k["to"], k["private"])
            for k in xd.json("--as", "alina", "kudos", "wall")}
    assert given("alina") == wall


def test_kudos_team_filter_takes_given_or_received(xd):
    rows = jsonl(export(xd, "boss", "kudos", "--team", "sales").stdout)
    assert {r["from"] for r in rows} == {"mihai"} and len(rows) == 2
    rows = jsonl(export(xd, "boss", "kudos", "--team", "it").stdout)
    assert {(r["from"], r["to"]) for r in rows} == {("jim", "ana"), ("ana", "jim"), ("mihai", "it")}


def test_agreements_for_any_member_and_by_provider(xd):
    assert [r["name"] for r in jsonl(export(xd, "ana", "agreements").stdout)] == ["it-std"]
    assert export(xd, "boss", "agreements", "--team", "payroll").stdout == ""


def test_retracted_kudos_are_exported_marked(xd):
    xd("--as", "jim", "kudos", "retract", "1")
    row = jsonl(export(xd, "boss", "kudos").stdout)[0]
    assert row["id"] == 1 and row["retracted_by"] == "jim" and row["retracted_at"]
