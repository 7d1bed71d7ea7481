"""Who is acting: --as > ISVC_USER > config user > OS login (mapped by [os_users]); people
created on first use; shared desks where the OS login is the identity."""

from __future__ import annotations

import grp
import os
import sqlite3
import stat
import tomllib

import pytest
import tomli_w

from isvc.store import directory
from isvc.store.db import open_db, write

from testkit import expect_error

HANDLE_HELP = "a handle is 1-32 lower-case letters, digits, '.', '_' or '-', starting with a letter"


def requester(desk, *global_args, env=None) -> str:
    data = desk.json(*global_args, "request", "new", "Who am I?", "--team", "it", env=env)
    return data["requester"]


def edit_config(home, **values) -> None:
    path = home / "config.toml"
    data = tomllib.loads(path.read_text()) if path.exists() else {}
    data.update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(data))


@pytest.fixture
def open_desk(isvc):
    """A desk with no admins configured: everyone is an admin, identity is not policed."""
    isvc("--as", "jim", "team", "add", "it")
    return isvc


def test_precedence_flag_env_config_os_login(open_desk, isvc_home):
    edit_config(isvc_home, user="cfguser")
    env = {"ISVC_USER": "envuser", "LOGNAME": "oslogin"}
    assert requester(open_desk, "--as", "flaguser", env=env) == "flaguser"
    assert requester(open_desk, env=env) == "envuser"
    assert requester(open_desk, env={"ISVC_USER": None, "LOGNAME": "oslogin"}) == "cfguser"
    edit_config(isvc_home, user="")  # an empty user falls through to the OS login
    assert requester(open_desk, env={"ISVC_USER": None, "LOGNAME": "oslogin"}) == "oslogin"


def test_os_login_is_mapped_by_os_users(open_desk, isvc_home):
    edit_config(isvc_home, os_users={"jdoe": "jim", "root-ish": "ana"})
    assert requester(open_desk, env={"LOGNAME": "jdoe"}) == "jim"
    assert requester(open_desk, env={"LOGNAME": "someone"}) == "someone"


def test_the_actor_is_recorded_on_every_event(open_desk):
    open_desk("--as", "ana", "request", "new", "x", "--team", "it")
    open_desk("request", "ack", "1", env={"ISVC_USER": "jim"})
    open_desk("request", "comment", "1", "-m", "hi", env={"LOGNAME": "alina"})
    events = open_desk.json("request", "show", "1")["events"]
    assert [(e["kind"], e["actor"]) for e in events] == [("filed", "ana"), ("status", "jim"), ("reply", "alina")]


def test_unknown_actor_is_created_on_first_write_and_audited(open_desk, db):
    # reading does not create anyone
    open_desk("--as", "ghost", "request", "list")
    open_desk("--as", "ghost", "queue")
    assert db.count("people", "handle = 'ghost'") == 0
    open_desk("--as", "newbie", "request", "new", "Hello", "--team", "it")
    person = open_desk.json("person", "show", "newbie")
    assert person["handle"] == "newbie" and person["name"] == "newbie" and person["active"] is True
    assert person["teams"] == []
    assert db.query("SELECT actor, action, subject, detail FROM audit_log WHERE subject = 'newbie'") == [
        ("newbie", "person.auto_create", "newbie", '{"reason": "first use"}')]
    # only once
    open_desk("--as", "newbie", "request", "comment", "1", "-m", "again")
    assert db.count("audit_log", "action = 'person.auto_create' AND subject = 'newbie'") == 1


@pytest.mark.parametrize("how, source", [
    (("--as", "Not Valid"), "--as"),
    ((), "ISVC_USER"),
])
def test_an_invalid_handle_is_refused(open_desk, db, how, source):
    before = db.counts()
    env = {} if how else {"ISVC_USER": "Not Valid"}
    expect_error(open_desk(*how, "request", "new", "x", "--team", "it", env=env, code=None), 2,
                 f"{source} 'Not Valid' is not a valid handle; {HANDLE_HELP}")
    assert db.counts() == before


def test_an_unmappable_os_login_says_so(open_desk):
    expect_error(open_desk("request", "list", env={"LOGNAME": "John Doe"}, code=None), 2,
                 f"OS user 'John Doe' is not a valid handle; {HANDLE_HELP}")


# -- shared desks ----------------------------------------------------------------------------------

@pytest.fixture
def shared_desk(quick_desk, isvc_home):
    """The desk, marked shared (as `db init --shared` does) with boss the only admin."""
    conn = open_db(isvc_home / "isvc.db")
    with write(conn):
        directory.set_setting(conn, "shared_group", "helpdesk")
        directory.set_setting(conn, "admins", ["boss"])
    conn.close()
    return quick_desk


def test_shared_desk_refuses_as_for_non_admins(shared_desk, db):
    before = db.counts()
    for how, env in ((("--as", "jim"), {"LOGNAME": "ana"}),
                     ((), {"LOGNAME": "ana", "ISVC_USER": "jim"})):
        expect_error(shared_desk(*how, "request", "new", "x", "--team", "it", env=env, code=None), 2,
                     "on a shared desk only admins may act as someone else; you are ana")
    assert db.counts() == before


def test_shared_desk_honours_as_for_admins(shared_desk):
    assert requester(shared_desk, "--as", "jim", env={"LOGNAME": "boss"}) == "jim"
    assert requester(shared_desk, env={"LOGNAME": "boss", "ISVC_USER": "jim"}) == "jim"
    # naming oneself is fine for anyone
    assert requester(shared_desk, "--as", "ana", env={"LOGNAME": "ana"}) == "ana"


def test_shared_desk_identity_is_the_os_login(shared_desk, isvc_home):
    edit_config(isvc_home, user="jim", os_users={"ana_os": "ana"})
    assert requester(shared_desk, env={"LOGNAME": "mihai"}) == "mihai"  # config user ignored
    assert requester(shared_desk, env={"LOGNAME": "ana_os"}) == "ana"  # [os_users] still maps


def test_shared_desk_ignores_admins_from_a_personal_config(shared_desk, isvc_home, db):
    edit_config(isvc_home, admins=["ana"])  # ana's own config file cannot make her an admin
    before = db.counts()
    expect_error(shared_desk("team", "add", "hr", env={"LOGNAME": "ana"}, code=None), 2,
                 "only an admin (boss) may add teams; you are ana")
    assert db.counts() == before
    assert shared_desk.json("person", "show", "ana", env={"LOGNAME": "ana"})["role"] == "member"
    shared_desk("team", "add", "hr", env={"LOGNAME": "boss"})


@pytest.mark.skipif(not hasattr(os, "getgid"), reason="POSIX groups only")
def test_db_init_shared_with_my_primary_group(isvc, tmp_path):
    group = grp.getgrgid(os.getgid()).gr_name
    folder = tmp_path / "srv-isvc"
    path = folder / "isvc.db"
    result = isvc("--db", str(path), "db", "init", "--shared", group, "--admin", "boss",
                  env={"LOGNAME": "boss"})
    assert result.stderr == f"Created {path} (shared with group {group}).\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o660 and path.stat().st_gid == os.getgid()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o2770  # setgid: new files get the group
    status = isvc.json("--db", str(path), "db", "status", env={"LOGNAME": "boss"})
    assert status["shared_group"] == group and status["mode"] == "0o660"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT actor, action, subject FROM audit_log").fetchall() == [
        ("boss", "db.init_shared", group)]
    conn.close()
    # -wal and -shm, made by a later writer, get the same mode and group
    conn = open_db(path)
    with write(conn):
        conn.execute("INSERT INTO teams(handle, name, created_at) VALUES ('it', 'IT', 'x')")
    for suffix in ("-wal", "-shm"):
        side = folder / f"isvc.db{suffix}"
        assert stat.S_IMODE(side.stat().st_mode) == 0o660, suffix
        assert side.stat().st_gid == os.getgid()
    conn.close()
    # identity is policed: only the admin may act as someone else
    expect_error(isvc("--db", str(path), "--as", "boss", "request", "list", env={"LOGNAME": "ana"},
                      code=None), 2, "on a shared desk only admins may act as someone else; you are ana")
    isvc("--db", str(path), "--as", "ana", "request", "new", "x", "--team", "it", env={"LOGNAME": "boss"})
    # a backup of a shared desk stays readable by the group
    isvc("--db", str(path), "db", "backup", str(folder / "b.db"), env={"LOGNAME": "boss"})
    assert stat.S_IMODE((folder / "b.db").stat().st_mode) == 0o660
