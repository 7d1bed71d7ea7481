"""The database itself keeps the journal append-only (triggers), allows exactly one kind of
change (a redaction, once), and is created private (0600, the -wal and -shm files too)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from isvc.store import requests as store
from isvc.store.db import open_db, write


@pytest.fixture
def journal(desk, isvc_home) -> Path:
    """A request with a filed event, a reply holding a password, and an audit trail."""
    desk("--as", "ana", "request", "new", "VPN drops", "--team", "it", "--body", "details")
    desk("--as", "ana", "request", "comment", "1", "-m", "my password is hunter2")
    return isvc_home / "isvc.db"


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def reply_id(path: Path) -> int:
    conn = raw(path)
    try:
        return conn.execute("SELECT id FROM events WHERE kind = 'reply'").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("sql", [
    "UPDATE events SET message = 'nothing to see' WHERE kind = 'reply'",
    "UPDATE events SET actor = 'mallory'",
    "UPDATE events SET at = '2020-01-01T00:00:00Z' WHERE id = 1",
    "UPDATE events SET internal = 1 WHERE kind = 'reply'",
    # a forged redaction: right columns, but the text is not the redaction marker
    "UPDATE events SET redacted_by = 'boss', redacted_reason = 'x', message = 'edited' WHERE kind = 'reply'",
    # a redaction that also rewrites who wrote it
    ("UPDATE events SET redacted_by = 'boss', redacted_reason = 'x', "
     "message = '[redacted by boss: x]', actor = 'boss' WHERE kind = 'reply'"),
    "DELETE FROM events WHERE kind = 'reply'",
    "DELETE FROM events",
])
def test_the_journal_refuses_updates_and_deletes(journal, sql):
    conn = raw(journal)
    before = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    with pytest.raises(sqlite3.IntegrityError, match="the journal is append-only"):
        conn.execute(sql)
    assert conn.execute("SELECT * FROM events ORDER BY id").fetchall() == before
    conn.close()


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET actor = 'mallory'",
    "DELETE FROM audit_log",
])
def test_the_audit_log_refuses_updates_and_deletes(journal, sql):
    conn = raw(journal)
    before = conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall()
    assert before  # teams and people were added through the CLI
    with pytest.raises(sqlite3.IntegrityError, match="the audit log is append-only"):
        conn.execute(sql)
    assert conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall() == before
    conn.close()


def test_appending_is_allowed(journal):
    conn = raw(journal)
    conn.execute("INSERT INTO events(number, at, actor, kind, message) "
                 "VALUES (1, '2026-11-23T10:00:00Z', 'jim', 'reply', 'ok')")
    conn.execute("INSERT INTO audit_log(at, actor, action, subject) VALUES ('2026-11-23T10:00:00Z', 'jim', 'x', 'y')")
    conn.close()


def test_the_sanctioned_redaction_works_once(journal):
    event_id = reply_id(journal)
    conn = open_db(journal)
    with write(conn):
        store.redact_event(conn, event_id, "boss", "pasted a password")
    event = store.get_event(conn, event_id)
    assert event.message == "[redacted by boss: pasted a password]"
    assert (event.actor, event.kind, event.internal) == ("ana", "reply", False)
    assert store.is_redacted(conn, event_id)
    with pytest.raises(sqlite3.IntegrityError, match="the journal is append-only"), write(conn):
        store.redact_event(conn, event_id, "boss", "again, to hide the first reason")
    # nor can a redacted entry be changed back
    with pytest.raises(sqlite3.IntegrityError, match="the journal is append-only"), write(conn):
        conn.execute("UPDATE events SET message = 'my password is hunter2', redacted_by = NULL, "
                     "redacted_reason = NULL WHERE id = ?", (event_id,))
    assert store.get_event(conn, event_id).message == "[redacted by boss: pasted a password]"
    conn.close()


def test_redaction_through_the_cli_is_journaled(journal, desk):
    event_id = reply_id(journal)
    desk("--as", "boss", "request", "redact", "1", str(event_id), "--reason", "pasted a password")
    conn = raw(journal)
    rows = conn.execute("SELECT kind, actor, field, message, internal FROM events ORDER BY id").fetchall()
    conn.close()
    assert rows[-1] == ("redaction", "boss", str(event_id), "pasted a password", 1)
    assert ("reply", "ana", None, "[redacted by boss: pasted a password]", 0) in rows
    assert not any("hunter2" in (message or "") for _, _, _, message, _ in rows)


# -- file modes ----------------------------------------------------------------------------------

def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o000, 0o077])
def test_a_new_database_and_its_wal_and_shm_are_0600(tmp_path, umask):
    old = os.umask(umask)
    try:
        path = tmp_path / "sub" / "isvc.db"
        conn = open_db(path)
        with write(conn):
            conn.execute("INSERT INTO teams(handle, name, created_at) VALUES ('it', 'IT', 'x')")
        # while a connection is open in WAL mode the side files exist
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert candidate.exists(), candidate
            assert mode(candidate) == 0o600, (candidate, oct(mode(candidate)))
        conn.close()
    finally:
        os.umask(old)


def test_the_cli_creates_a_private_desk(isvc, isvc_home):
    isvc("--as", "jim", "team", "add", "it")
    assert mode(isvc_home / "isvc.db") == 0o600
