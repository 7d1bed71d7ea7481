"""Fixes from a user trial of canned replies: a desk reply is edited or removed by its author
or a desk admin; adding one (or overriding a built-in by editing it) still needs a team or
an admin.

The desk: the root `desk` (it: jim, alina, boss; payroll: ana; sales: mihai; boss the only
admin).
"""

from __future__ import annotations

from testkit import expect_error


def test_only_the_author_or_an_admin_edits_or_removes_a_desk_reply(quick_desk, db):
    isvc = quick_desk
    isvc("--as", "jim", "reply", "add", "vpn-client", "--body", "Install the 5.2 client.")
    before = (db.query("SELECT * FROM canned_replies"), db.count("audit_log"))
    expect_error(isvc("--as", "alina", "reply", "edit", "vpn-client", "--body", "x", code=None), 2,
                 "only its author jim or an admin (boss) may edit reply vpn-client; you are alina")
    expect_error(isvc("--as", "alina", "reply", "remove", "vpn-client", code=None), 2,
                 "only its author jim or an admin (boss) may remove reply vpn-client; "
                 "you are alina")
    expect_error(isvc("--as", "newbie", "reply", "edit", "vpn-client", "--body", "x", code=None), 2,
                 "only its author jim or an admin (boss) may edit reply vpn-client; you are newbie")
    assert (db.query("SELECT * FROM canned_replies"), db.count("audit_log")) == before
    isvc("--as", "jim", "reply", "edit", "vpn-client", "--body", "Install the 5.3 client.")
    isvc("--as", "boss", "reply", "edit", "vpn-client", "--description", "VPN client")
    assert isvc.json("reply", "show", "vpn-client")["body"] == "Install the 5.3 client."
    removed = isvc("--as", "jim", "reply", "remove", "vpn-client")
    assert removed.stderr == "Removed reply vpn-client.\n"
    isvc("--as", "jim", "reply", "add", "vpn-client", "--body", "Again.")
    isvc("--as", "boss", "reply", "remove", "vpn-client")  # an admin
    assert db.count("canned_replies") == 0


def test_an_override_belongs_to_whoever_made_it(quick_desk, db):
    isvc = quick_desk
    isvc("--as", "alina", "reply", "edit", "working", "--description", "Still on it")  # a member
    assert isvc.json("reply", "show", "working")["author"] == "alina"
    expect_error(isvc("--as", "jim", "reply", "edit", "working", "--description", "x", code=None),
                 2, "only its author alina or an admin (boss) may edit reply working; you are jim")
    expect_error(isvc("--as", "jim", "reply", "remove", "working", code=None), 2,
                 "only its author alina or an admin (boss) may remove reply working; you are jim")
    assert isvc("--as", "alina", "reply", "remove", "working").stderr == (
        "Removed reply working; the built-in one is back.\n")


def test_built_ins_and_adding_still_need_a_team_or_an_admin(quick_desk, db):
    isvc = quick_desk
    for args in (["add", "x", "--body", "hi"], ["edit", "ack", "--body", "hi"], ["remove", "ack"]):
        expect_error(isvc("--as", "newbie", "reply", *args, code=None), 2,
                     f"only team members or an admin (boss) may {args[0]} canned replies; "
                     "you are newbie")
    expect_error(isvc("--as", "jim", "reply", "remove", "ack", code=None), 2,
                 "reply ack is built in and cannot be removed; `isvc reply add ack` overrides it "
                 "with your own")
    assert db.count("canned_replies") == 0


def test_on_a_desk_without_admins_everyone_may(isvc):
    isvc("team", "add", "it")
    isvc("--as", "jim", "reply", "add", "hello", "--body", "Hello.")
    isvc("--as", "ana", "reply", "edit", "hello", "--body", "Hi.")  # a personal desk: all admins
    isvc("--as", "ana", "reply", "remove", "hello")


def test_help_says_who_may(isvc):
    env = {"COLUMNS": "200", "NO_COLOR": "1"}
    assert "(a desk reply: its author, admins)" in isvc("reply", "edit", "--help", env=env).stdout
    assert "(its author, admins)" in isvc("reply", "remove", "--help", env=env).stdout
