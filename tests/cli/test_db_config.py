"""`isvc db init|status|check|backup` and `isvc config show|get|set|path`."""

from __future__ import annotations

import json
import sqlite3
import stat
import tomllib

import pytest

from isvc.config import SETTABLE
from isvc.store.db import SCHEMA_VERSION

from testkit import expect_error


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- db init / status -------------------------------------------------------------------------

def test_db_init_creates_a_personal_desk(isvc, isvc_home):
    path = isvc_home / "isvc.db"
    result = isvc("db", "init")
    assert result.stderr.startswith(f"Created {path} (") and "0600" in result.stderr
    assert result.stdout == ""
    assert mode(path) == 0o600
    result = isvc("db", "init")  # again: brings it up to date, changes nothing
    assert result.stderr.startswith(f"Updated {path} (")


def test_db_init_at_a_given_path(isvc, tmp_path):
    path = tmp_path / "elsewhere" / "desk.db"
    isvc("--db", str(path), "db", "init")
    assert path.exists() and mode(path) == 0o600
    status = isvc.json("--db", str(path), "db", "status")
    assert status["path"] == str(path.resolve())
    # ISVC_DB names the file too
    assert isvc.json("db", "status", env={"ISVC_DB": str(path)})["path"] == str(path.resolve())


@pytest.mark.parametrize("args, message", [
    (["--admin", "ana"], "--admin goes with --shared; on a personal desk set admins in the config"),
    (["--shared", "no-such-group-here"], "no group 'no-such-group-here' on this host; create it (groupadd) first"),
])
def test_db_init_refusals_create_nothing(isvc, isvc_home, args, message):
    expect_error(isvc("db", "init", *args, code=None), 2, message)
    assert not (isvc_home / "isvc.db").exists()


def test_db_status(quick_desk, isvc_home, db):
    quick_desk("--as", "ana", "request", "new", "x", "--team", "it")
    data = quick_desk.json("db", "status")
    assert data["path"] == str((isvc_home / "isvc.db").resolve())
    assert data["schema_version"] == data["schema_version_supported"] == SCHEMA_VERSION
    assert data["journal_mode"] == "wal"
    assert data["mode"] == "0o600"
    assert data["shared_group"] is None
    assert data["counts"] == {t: db.count(t) for t in ("teams", "people", "requests", "events", "audit_log")}
    assert data["counts"]["teams"] == 3 and data["counts"]["requests"] == 1
    assert isinstance(data["size_bytes"], int) and data["size_bytes"] > 0
    table = quick_desk("db", "status", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "150"}).stdout
    assert "wal journal" in table and "personal" in table


def test_db_commands_need_an_existing_database(isvc, isvc_home):
    path = isvc_home / "isvc.db"
    for args in (["db", "status"], ["db", "check"], ["db", "backup", str(isvc_home / "b.db")]):
        expect_error(isvc(*args, code=None), 3, f"no database at {path}; create one with `isvc db init`")
    assert not path.exists()


def test_a_file_that_is_not_a_database(isvc, isvc_home):
    isvc_home.mkdir()
    (isvc_home / "isvc.db").write_bytes(b"this is not sqlite, just text " * 100)
    result = isvc("request", "list", code=1)
    assert result.stderr.startswith(f"Error: {isvc_home / 'isvc.db'} is not an isvc database (")
    assert "Traceback" not in result.output


def test_a_database_from_a_newer_isvc_is_refused(quick_desk, isvc_home):
    path = isvc_home / "isvc.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    conn.close()
    expect_error(quick_desk("request", "list", code=None), 1,
                 f"{path} was written by a newer isvc (schema {SCHEMA_VERSION + 7}, this isvc knows "
                 f"{SCHEMA_VERSION}); upgrade isvc to use it")


# -- db check ----------------------------------------------------------------------------------

def test_db_check_ok(quick_desk):
    result = quick_desk("db", "check")
    assert result.stdout == ""
    assert result.stderr == "ok: integrity and foreign keys check out.\n"


def test_db_check_finds_a_dangling_reference_and_exits_4(quick_desk, isvc_home):
    conn = sqlite3.connect(isvc_home / "isvc.db")  # foreign keys are off in a bare connection
    conn.execute("INSERT INTO events(number, at, actor, kind) VALUES (999, '2026-01-01T00:00:00Z', 'x', 'reply')")
    conn.commit()
    event_id = conn.execute("SELECT max(id) FROM events").fetchone()[0]
    conn.close()
    result = quick_desk("db", "check", code=4)
    assert result.stdout == f"events row {event_id} points at a missing requests\n"
    assert result.stderr == "1 problem(s) found.\n"


# -- db backup ---------------------------------------------------------------------------------

def test_db_backup(quick_desk, tmp_path):
    quick_desk("--as", "ana", "request", "new", "Keep me", "--team", "it")
    dest = tmp_path / "backup.db"
    result = quick_desk("db", "backup", str(dest))
    assert result.stderr == f"Backed up to {dest}.\n"
    assert mode(dest) == 0o600
    conn = sqlite3.connect(dest)
    assert conn.execute("SELECT title FROM requests").fetchall() == [("Keep me",)]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    # the backup is a working desk
    assert quick_desk.json("--db", str(dest), "request", "show", "1")["title"] == "Keep me"


def test_db_backup_refusals(quick_desk, tmp_path):
    dest = tmp_path / "backup.db"
    dest.write_text("precious")
    expect_error(quick_desk("db", "backup", str(dest), code=None), 2,
                 f"{dest} exists; choose another name or add --force")
    assert dest.read_text() == "precious"
    expect_error(quick_desk("db", "backup", str(tmp_path / "no" / "b.db"), code=None), 2,
                 f"folder {tmp_path / 'no'} does not exist")
    quick_desk("db", "backup", str(dest), "--force")
    assert sqlite3.connect(dest).execute("SELECT count(*) FROM teams").fetchone()[0] == 3


def test_db_backup_while_another_connection_writes(quick_desk, isvc_home, tmp_path):
    """A writer holding an open transaction does not block the backup, and the copy holds
    only committed data."""
    quick_desk("--as", "ana", "request", "new", "Committed", "--team", "it")
    writer = sqlite3.connect(isvc_home / "isvc.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO teams(handle, name, created_at) VALUES ('tmp', 'tmp', 'x')")
    try:
        quick_desk("db", "backup", str(tmp_path / "b.db"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    conn = sqlite3.connect(tmp_path / "b.db")
    assert conn.execute("SELECT handle FROM teams ORDER BY handle").fetchall() == [
        ("it",), ("payroll",), ("sales",)]
    conn.close()


# -- config ---------------------------------------------------------------------------------------

def test_config_path(isvc, isvc_home, tmp_path):
    assert isvc("config", "path").stdout == f"{isvc_home / 'config.toml'}\n"
    other = tmp_path / "other.toml"
    assert isvc("config", "path", env={"ISVC_CONFIG": str(other)}).stdout == f"{other}\n"


def test_config_show(quick_desk, isvc_home):
    data = quick_desk.json("config", "show")
    assert data["admins"] == ["boss"]
    assert data["requests"] == {"autoclose_days": 5, "default_priority": "normal",
                                "urgent_share_limit": 0.2}
    assert data["tz"] == "Europe/Bucharest"  # ISVC_TZ from the environment
    result = quick_desk("config", "show")
    assert result.stderr == f"# {isvc_home / 'config.toml'}\n"
    assert tomllib.loads(result.stdout)["admins"] == ["boss"]


def test_config_get(quick_desk):
    assert quick_desk("config", "get", "requests.autoclose_days").stdout == "5\n"
    assert quick_desk("config", "get", "requests.default_priority").stdout == "normal\n"
    assert json.loads(quick_desk("config", "get", "admins").stdout) == ["boss"]
    assert json.loads(quick_desk("config", "get", "requests").stdout) == {
        "autoclose_days": 5, "default_priority": "normal", "urgent_share_limit": 0.2}
    expect_error(quick_desk("config", "get", "nope", code=None), 2,
                 "unknown config key 'nope'; see `isvc config show`")
    expect_error(quick_desk("config", "get", "requests.nope", code=None), 2,
                 "unknown config key 'requests.nope'; see `isvc config show`")


def test_config_set(isvc, isvc_home):
    result = isvc("config", "set", "requests.autoclose_days", "3")
    assert result.stderr == f"Set requests.autoclose_days = 3 in {isvc_home / 'config.toml'}.\n"
    assert isvc("config", "get", "requests.autoclose_days").stdout == "3\n"
    isvc("config", "set", "admins", "ana,jim", "boss")
    assert json.loads(isvc("config", "get", "admins").stdout) == ["ana", "jim", "boss"]
    isvc("config", "set", "tz", "America/New_York")
    isvc("config", "set", "user", "ana")
    saved = tomllib.loads((isvc_home / "config.toml").read_text())
    assert saved == {"requests": {"autoclose_days": 3}, "admins": ["ana", "jim", "boss"],
                     "tz": "America/New_York", "user": "ana"}
    # the file wins over defaults, the environment over the file
    assert isvc.json("config", "show")["tz"] == "Europe/Bucharest"
    assert isvc.json("config", "show", env={"ISVC_TZ": None})["tz"] == "America/New_York"


@pytest.mark.parametrize("args, message", [
    (["requests.autoclose_days", "soon"], "config key 'requests.autoclose_days' takes a whole number, not 'soon'"),
    (["colour", "blue"], ("config key 'colour' cannot be set; settable keys: "
                          + ", ".join(sorted(SETTABLE)))),
    (["user", "ana", "jim"], "config key 'user' takes one value"),
    (["tz", "Mars/Olympus"], ("unknown time zone 'Mars/Olympus' in config tz / ISVC_TZ; use an IANA "
                              "name like Europe/Bucharest")),
    (["requests.default_priority", "asap"], "unknown priority 'asap'; use one of: low, normal, high, urgent"),
])
def test_config_set_refusals_leave_the_file_alone(isvc, isvc_home, args, message):
    isvc("config", "set", "user", "ana")
    before = (isvc_home / "config.toml").read_bytes()
    expect_error(isvc("config", "set", *args, code=None), 2, message)
    assert (isvc_home / "config.toml").read_bytes() == before


def test_a_broken_config_file_is_one_clear_error(isvc, isvc_home):
    isvc_home.mkdir()
    (isvc_home / "config.toml").write_text("admins = [unclosed\n")
    result = isvc("request", "list", code=2)
    assert result.stderr.startswith(f"Error: config file {isvc_home / 'config.toml'} is not valid TOML (")
    assert result.stderr.endswith("); fix or remove it\n")
