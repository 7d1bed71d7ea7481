"""Articles: adding, editing (every version kept), showing (a view counted), listing,
retiring, history; who may write."""

from __future__ import annotations

import re

import pytest
from testkit import expect_error

from .conftest import add_article


def test_add_prints_the_id_and_keeps_version_1(kb, db):
    result = kb("--as", "jim", "kb", "add", "--title", "  Wifi   setup ", "--body", "Join *corp*.\n\n",
                "--team", "it", "--tag", "Network", "--tag", "#wifi")
    assert result.stdout == "7\n"
    assert result.stderr == "Added KB #7: Wifi setup.\n"
    assert db.query("SELECT title, body, team, tags, version, active, author FROM kb_articles "
                    "WHERE id = 7") == [("Wifi setup", "Join *corp*.", "it", "network wifi", 1, 1, "jim")]
    assert db.query("SELECT version, title, body, editor FROM kb_versions WHERE article = 7") == [
        (1, "Wifi setup", "Join *corp*.", "jim")]


def test_the_article_json_shape(kb):
    article = kb.json("--as", "jim", "kb", "add", "--title", "Wifi", "--body", "Join corp.")
    assert article == {
        "id": 7, "title": "Wifi", "body": "Join corp.", "team": None, "tags": [], "version": 1,
        "latest_version": 1, "active": True, "author": "jim",
        "created_at": "2026-11-23T09:30:00Z", "updated_at": "2026-11-23T09:30:00Z",
        "editor": "jim", "edited_at": "2026-11-23T09:30:00Z",
    }


def test_the_body_from_a_file_and_from_stdin(kb, tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Steps\r\n\r\n1. Plug in\r\n", encoding="utf-8")
    first = kb.json("--as", "jim", "kb", "add", "--title", "Dock", "--body-file", path)
    assert first["body"] == "# Steps\n\n1. Plug in"
    second = kb.json("--as", "jim", "kb", "add", "--title", "Dock 2", "--body-file", "-",
                     input="From *stdin*\n")
    assert second["body"] == "From *stdin*"


@pytest.mark.parametrize("args, message", [
    (["--title", " ", "--body", "x"], 'an article needs a title, e.g. --title "Reset your VPN password"'),
    (["--title", "x", "--body", " \n "], "an article needs a body: --body TEXT or --body-file FILE.md (- for stdin)"),
    (["--title", "x"], "an article needs a body: --body TEXT or --body-file FILE.md (- for stdin)"),
    (["--title", "x", "--body", "y", "--tag", "a b"], "tag 'a b' is not valid; tags are single words without commas"),
    (["--title", "x" * 201, "--body", "y"], "the title is 201 characters; keep it under 200"),
])
def test_bad_articles_are_refused(kb, db, args, message):
    expect_error(kb("--as", "jim", "kb", "add", *args, code=None), 2, message)
    assert db.count("kb_articles") == 6


def test_an_unknown_team_is_not_found(kb):
    expect_error(kb("--as", "jim", "kb", "add", "--title", "x", "--body", "y", "--team", "itt", code=None),
                 3, "no team 'itt' (did you mean 'it'?); see `isvc team list`")


def test_every_edit_keeps_the_previous_version(kb, db):
    kb("--as", "alina", "kb", "edit", 1, "--title", "Reset your VPN password (new portal)")
    kb("--as", "boss", "kb", "edit", 1, "--body", "Use the new portal.", "--untag", "network",
       "--tag", "mfa", env={"ISVC_NOW": "2026-11-24T08:00:00Z"})
    kb("--as", "jim", "kb", "edit", 1, "--team", "", env={"ISVC_NOW": "2026-11-25T08:00:00Z"})
    assert db.query("SELECT version, title, body, team, tags, editor, edited_at FROM kb_versions "
                    "WHERE article = 1 ORDER BY version") == [
        (1, "Reset your VPN password",
         "Open the self-service **portal** and choose *Reset*.\n\nPasswords expire every 90 days.",
         "it", "network", "jim", "2026-11-23T09:30:00Z"),
        (2, "Reset your VPN password (new portal)",
         "Open the self-service **portal** and choose *Reset*.\n\nPasswords expire every 90 days.",
         "it", "network", "alina", "2026-11-23T09:30:00Z"),
        (3, "Reset your VPN password (new portal)", "Use the new portal.", "it", "mfa", "boss",
         "2026-11-24T08:00:00Z"),
        (4, "Reset your VPN password (new portal)", "Use the new portal.", None, "mfa", "jim",
         "2026-11-25T08:00:00Z"),
    ]
    current = db.query("SELECT title, body, team, tags, version, author, updated_at FROM kb_articles "
                       "WHERE id = 1")
    assert current == [("Reset your VPN password (new portal)", "Use the new portal.", None, "mfa",
                        4, "jim", "2026-11-25T08:00:00Z")]
    history = kb.json("kb", "history", 1)
    assert [(v["version"], v["editor"], v["changes"]) for v in history] == [
        (1, "jim", ["created"]), (2, "alina", ["title"]), (3, "boss", ["body", "tags"]),
        (4, "jim", ["team"])]
    assert set(history[0]) == {"article", "version", "title", "team", "tags", "editor",
                               "edited_at", "changes"}
    assert kb("kb", "history", 1).stdout.splitlines()[1] == (
        "2\talina\t2026-11-23T09:30:00Z\ttitle\tReset your VPN password (new portal)")


def test_show_an_earlier_version(kb):
    kb("--as", "jim", "kb", "edit", 1, "--title", "VPN password", "--body", "New text.")
    old = kb.json("kb", "show", 1, "--version", 1)
    assert (old["title"], old["version"], old["latest_version"], old["editor"]) == (
        "Reset your VPN password", 1, 2, "jim")
    assert old["body"].startswith("Open the self-service")
    current = kb.json("kb", "show", 1)
    assert (current["title"], current["body"], current["version"]) == ("VPN password", "New text.", 2)
    expect_error(kb("kb", "show", 1, "--version", 3, code=None), 3,
                 "KB #1 has no version 3; it has 2 (see `isvc kb history 1`)")


def test_an_edit_that_changes_nothing_is_refused(kb, db):
    expect_error(kb("--as", "jim", "kb", "edit", 1, "--title", "Reset your VPN password",
                    "--tag", "network", code=None),
                 2, "nothing changed on KB #1; give a new --title, --body, --body-file, --team, "
                    "--tag or --untag")
    assert db.count("kb_versions", "article = 1") == 1


def test_show_on_a_pipe_is_the_raw_markdown_and_counts_a_view(kb, db):
    result = kb("--as", "mihai", "kb", "show", 1)
    assert result.stdout == ("Open the self-service **portal** and choose *Reset*.\n\n"
                             "Passwords expire every 90 days.\n")
    assert result.stderr == ""
    kb("--as", "ana", "kb", "show", 1, "--json")
    assert db.query("SELECT article, kind, person, number, at FROM kb_events") == [
        (1, "view", "mihai", None, "2026-11-23T09:30:00Z"),
        (1, "view", "ana", None, "2026-11-23T09:30:00Z")]


def test_show_on_a_terminal_renders_the_markdown(kb):
    result = kb("kb", "show", 1, env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "80"})
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    lines = text.splitlines()
    assert lines[0] == "KB #1  Reset your VPN password"
    assert lines[1].startswith("version 1 · team it · #network · by jim, Mon 23 Nov 2026 11:30")
    assert "**" not in text  # rendered, not raw
    assert "Open the self-service portal and choose Reset." in text
    assert "\x1b[1mportal" in result.stdout  # **portal** in bold


def test_list_retire_and_list_all(kb, db):
    assert [a["id"] for a in kb.json("kb", "list")] == [1, 2, 3, 4, 5, 6]
    assert [a["id"] for a in kb.json("kb", "list", "--team", "payroll")] == [3, 4]
    assert [a["id"] for a in kb.json("kb", "list", "--tag", "printer")] == [2]
    result = kb("--as", "ana", "kb", "retire", 3)
    assert (result.stdout, result.stderr) == ("", "Retired KB #3: Résumé templates.\n")
    assert [a["id"] for a in kb.json("kb", "list")] == [1, 2, 4, 5, 6]
    listed = kb.json("kb", "list", "--all")
    assert [(a["id"], a["active"]) for a in listed][2] == (3, False)
    assert set(listed[0]) == {"id", "title", "team", "tags", "version", "latest_version",
                              "active", "author", "created_at", "updated_at"}
    assert kb("kb", "list", "--team", "payroll").stdout == (
        "4\tPayslip corrections\tpayroll\t\t1\ttrue\tana\t2026-11-23T09:30:00Z\n")
    expect_error(kb("--as", "ana", "kb", "retire", 3, code=None), 2, "KB #3 is already retired")
    assert kb.json("kb", "show", 3)["active"] is False  # still readable
    assert db.query("SELECT actor, action, subject FROM audit_log WHERE action = 'kb.retire'") == [
        ("ana", "kb.retire", "kb#3")]


@pytest.mark.parametrize("args", [["show", 99], ["edit", 99, "--title", "x"], ["retire", 99],
                                  ["history", 99]])
def test_unknown_articles_are_not_found(kb, args):
    expect_error(kb("--as", "boss", "kb", *args, code=None), 3,
                 "no KB article #99; see `isvc kb list --all`")


# -- who may write -----------------------------------------------------------------------

@pytest.fixture
def carol(kb):
    """carol: on the desk, in no team, not an admin."""
    kb("--as", "boss", "person", "add", "carol", "--name", "Carol")
    return kb


@pytest.mark.parametrize("args, who, what", [
    (["add", "--title", "x", "--body", "y"], "a team", "add KB articles"),
    (["add", "--title", "x", "--body", "y", "--team", "it"], "team it", "add KB articles to team it"),
    (["edit", 1, "--title", "x"], "team it", "edit KB #1"),
    (["edit", 5, "--title", "x"], "a team", "edit KB #5"),
    (["retire", 1], "team it", "retire KB #1"),
    (["retire", 6], "a team", "retire KB #6"),
])
def test_only_team_members_and_admins_write(carol, db, args, who, what):
    before = db.query("SELECT * FROM kb_articles")
    expect_error(carol("--as", "carol", "kb", *args, code=None), 2,
                 f"only members of {who} or an admin may {what}; you are carol")
    assert db.query("SELECT * FROM kb_articles") == before
    assert db.count("kb_versions") == 6


def test_a_stranger_may_not_write_and_is_not_added(kb, db):
    expect_error(kb("--as", "stranger", "kb", "add", "--title", "x", "--body", "y", code=None), 2,
                 "only members of a team or an admin may add KB articles; you are stranger")
    assert db.count("people", "handle = 'stranger'") == 0


def test_members_of_any_team_write_the_team_less_articles(kb):
    kb("--as", "mihai", "kb", "edit", 5, "--tag", "hardware")  # sales edits everyone's article
    assert kb.json("kb", "show", 5)["tags"] == ["hardware"]
    expect_error(kb("--as", "mihai", "kb", "edit", 3, "--tag", "forms", code=None), 2,
                 "only members of team payroll or an admin may edit KB #3; you are mihai")


def test_everyone_reads(carol):
    assert carol("--as", "carol", "kb", "show", 1).stdout.startswith("Open the self-service")
    assert len(carol.json("--as", "carol", "kb", "list")) == 6
    assert carol.json("--as", "carol", "kb", "search", "vpn")[0]["id"] == 1
    assert len(carol.json("--as", "carol", "kb", "history", 1)) == 1


def test_an_admin_outside_every_team_writes(kb, isvc_home):
    kb("--as", "boss", "person", "add", "carol", "--name", "Carol")
    kb("--as", "boss", "config", "set", "admins", "boss", "carol")
    assert add_article(kb, "carol", "Badges", "Ask reception.") == 7


def test_kb_help_lists_the_commands(isvc):
    out = isvc("kb", "--help").stdout
    for name in ("add", "edit", "show", "list", "retire", "history", "search", "stats"):
        assert name in out
