"""Migrations: blank -> current, old -> current, twice = once, three processes at once = once,
and a database from a newer isvc is refused."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from isvc.errors import SchemaTooNew
from isvc.store import migrations
from isvc.store.db import SCHEMA_VERSION, open_db

NAMES = migrations.registered_names()

FOUNDATION_TABLES = {"settings", "teams", "people", "memberships", "requests", "request_tags",
                     "watchers", "events", "waits", "links", "audit_log", "_sqlite_migrations"}
FOUNDATION_INDEXES = {
    "memberships_team", "requests_open_queue", "requests_open_status", "requests_open_assignee",
    "requests_team_created", "requests_requester_created", "requests_assignee_created",
    "requests_created", "requests_status", "request_tags_tag", "watchers_person", "events_number",
    "waits_number", "links_dst",
}
FOUNDATION_TRIGGERS = {"events_no_delete", "events_no_update", "audit_no_update", "audit_no_delete"}
OPEN = "status IN ('new','acknowledged','in_progress','waiting')"


def schema(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        conn.close()


def names_of(path: Path, kind: str) -> set[str]:
    return {name for type_, name, _, _ in schema(path) if type_ == kind}


def applied(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT migration_set, name FROM _sqlite_migrations ORDER BY id").fetchall()
    finally:
        conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def empty_sqlite_file(path: Path) -> None:
    """A valid SQLite file with no tables and user_version 0 (a header, nothing else)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")
    conn.close()
    assert path.stat().st_size > 0


def old_database(path: Path) -> None:
    """What the previous release left behind: every step but the newest, and some data."""
    from sqlite_utils import Database

    conn = sqlite3.connect(path, isolation_level=None)
    migrations._migrations().apply(Database(conn), stop_before=NAMES[-1])
    conn.execute(f"PRAGMA user_version = {len(NAMES) - 1}")
    conn.execute("INSERT INTO teams(handle, name, created_at) VALUES ('it', 'IT', '2026-01-01T00:00:00Z')")
    conn.close()


needs_two_steps = pytest.mark.skipif(
    len(NAMES) < 2, reason="only one migration is registered: there is no older schema to upgrade yet")


def test_the_version_bookkeeping_agrees():
    assert SCHEMA_VERSION == len(NAMES)
    assert len(set(NAMES)) == len(NAMES)
    assert NAMES == sorted(NAMES)  # numbered steps, applied in order
    assert NAMES[0] == "0001_foundation"


def test_blank_to_current(tmp_path):
    path = tmp_path / "blank.db"
    conn = open_db(path)
    conn.close()
    assert user_version(path) == SCHEMA_VERSION
    assert applied(path) == [("isvc", name) for name in NAMES]
    assert FOUNDATION_TABLES <= names_of(path, "table")
    assert FOUNDATION_INDEXES <= names_of(path, "index")
    assert FOUNDATION_TRIGGERS <= names_of(path, "trigger")
    sql = {name: text for _, name, _, text in schema(path)}
    # the queue's partial indexes cover exactly the open statuses
    for index in ("requests_open_queue", "requests_open_status", "requests_open_assignee"):
        assert sql[index].endswith(f"WHERE {OPEN}"), sql[index]
    assert "AUTOINCREMENT" in sql["requests"]  # numbers are never reused
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_applying_twice_changes_nothing(tmp_path):
    path = tmp_path / "twice.db"
    open_db(path).close()
    before_schema = schema(path)
    conn = sqlite3.connect(path)
    before_rows = conn.execute("SELECT * FROM _sqlite_migrations ORDER BY id").fetchall()
    conn.close()
    conn = open_db(path)
    assert migrations.migrate(conn) == []  # forced, even though user_version is current
    conn.close()
    assert schema(path) == before_schema
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT * FROM _sqlite_migrations ORDER BY id").fetchall() == before_rows
    conn.close()
    assert user_version(path) == SCHEMA_VERSION


def test_an_empty_sqlite_file_with_user_version_0_upgrades(tmp_path):
    path = tmp_path / "empty.db"
    empty_sqlite_file(path)
    open_db(path).close()
    assert user_version(path) == SCHEMA_VERSION
    assert applied(path) == [("isvc", name) for name in NAMES]
    assert FOUNDATION_TABLES <= names_of(path, "table")


def test_a_zero_byte_file_upgrades(tmp_path):
    path = tmp_path / "zero.db"
    path.touch()
    open_db(path).close()
    assert user_version(path) == SCHEMA_VERSION and len(applied(path)) == len(NAMES)


@needs_two_steps
def test_an_old_database_gets_only_the_missing_step_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    old_database(path)
    assert [name for _, name in applied(path)] == NAMES[:-1]
    conn = open_db(path)
    conn.close()
    assert [name for _, name in applied(path)] == NAMES
    assert user_version(path) == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT handle, name FROM teams").fetchall() == [("it", "IT")]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    # the upgraded schema is exactly the schema of a new database
    fresh = tmp_path / "fresh.db"
    open_db(fresh).close()
    assert schema(path) == schema(fresh)


def test_a_newer_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "newer.db"
    open_db(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = schema(path)
    with pytest.raises(SchemaTooNew) as caught:
        open_db(path)
    assert str(caught.value) == (
        f"{path} was written by a newer isvc (schema {SCHEMA_VERSION + 1}, this isvc knows "
        f"{SCHEMA_VERSION}); upgrade isvc to use it")
    assert caught.value.exit_code == 1
    assert schema(path) == before and user_version(path) == SCHEMA_VERSION + 1


def test_a_missing_database_is_not_created_when_asked_not_to(tmp_path):
    from isvc.errors import NotFound

    with pytest.raises(NotFound):
        open_db(tmp_path / "nope.db", create=False)
    assert not (tmp_path / "nope.db").exists()


# -- three processes at once --------------------------------------------------------------------

def _open_at_once(path: str, barrier, results) -> None:
    try:
        barrier.wait(timeout=30)
        open_db(Path(path)).close()
        results.put("ok")
    except BaseException as exc:  # report, do not hang the parent
        results.put(f"{type(exc).__name__}: {exc}")


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


STARTS = {
    "missing": lambda path: None,
    "zero-bytes": lambda path: path.touch(),
    "empty-sqlite": empty_sqlite_file,
    "old": old_database,
}


@pytest.mark.parametrize("start", [
    "missing", "zero-bytes", "empty-sqlite",
    pytest.param("old", marks=needs_two_steps),
])
def test_three_processes_opening_at_once_apply_each_step_exactly_once(tmp_path, start):
    ctx = _context()
    for round_ in range(8):  # the race is timing-dependent: give it several chances
        path = tmp_path / f"{start}-{round_}.db"
        STARTS[start](path)
        barrier = ctx.Barrier(3)
        results = ctx.Queue()
        workers = [ctx.Process(target=_open_at_once, args=(str(path), barrier, results)) for _ in range(3)]
        for worker in workers:
            worker.start()
        outcomes = sorted(results.get(timeout=60) for _ in workers)
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == ["ok", "ok", "ok"], (round_, outcomes)
        assert [w.exitcode for w in workers] == [0, 0, 0]
        rows = applied(path)
        assert sorted(name for _, name in rows) == sorted(NAMES), rows  # each step exactly once
        assert user_version(path) == SCHEMA_VERSION
        assert os.stat(path).st_size > 0
