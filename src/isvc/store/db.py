"""Opening the database file: pragmas, file modes, schema check, write transactions."""

from __future__ import annotations

import grp
import os
import sqlite3
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from isvc.errors import DatabaseBusy, IsvcError, SchemaTooNew

# Bumped with every migration; checked on open without importing sqlite_utils.
SCHEMA_VERSION = 5
BUSY_TIMEOUT_MS = 10_000


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in str(exc) or "busy" in str(exc)
    )


def busy_error(exc: BaseException) -> DatabaseBusy:
    return DatabaseBusy(
        f"the database stayed busy for {BUSY_TIMEOUT_MS // 1000}s ({exc}); try again"
    )


def _connect_raw(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN ourselves, so read-then-write transactions
    # can start with BEGIN IMMEDIATE instead of Python's implicit deferred BEGIN.
    conn = sqlite3.connect(
        str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def open_db(path: Path, *, create: bool = True, migrate: bool = True) -> sqlite3.Connection:
    """Open (creating if asked) the desk at ``path`` and bring its schema up to date."""
    path = Path(path)
    exists = path.exists()
    if not exists and not create:
        from isvc.errors import NotFound

        raise NotFound(f"no database at {path}; create one with `isvc db init`")
    if not exists:
        _create_file(path, shared_group=None)
    try:
        conn = _connect_raw(path)
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if _is_locked(exc):
            raise busy_error(exc) from None
        raise IsvcError(f"{path} is not an isvc database ({exc})") from None
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{path} was written by a newer isvc (schema {version}, this isvc knows "
            f"{SCHEMA_VERSION}); upgrade isvc to use it"
        )
    if version < SCHEMA_VERSION and migrate:
        from isvc.store.migrations import migrate as run_migrations

        run_migrations(conn)
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new file to WAL. SQLite answers "locked" at once, without calling the busy
    handler, when another process is switching the same file: retry until the timeout."""
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return  # switched (or the file system cannot do WAL: carry on as before)
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _create_file(path: Path, shared_group: str | None) -> None:
    """Create an empty database file with its final mode before SQLite writes to it.

    SQLite gives the -wal and -shm files the mode of the database file, so setting it
    here covers all three.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o660 if shared_group else 0o600
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    except FileExistsError:
        return  # another process created it a moment ago: theirs is as good as ours
    os.close(fd)
    os.chmod(path, mode)
    if shared_group:
        apply_shared(path, shared_group)


def group_id(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        from isvc.errors import InvalidInput

        raise InvalidInput(f"no group {name!r} on this host; create it (groupadd) first") from None


def apply_shared(path: Path, group: str) -> None:
    """Group-writable files and a setgid directory: every member writes, nobody else reads."""
    gid = group_id(group)
    directory = path.parent
    os.chown(directory, -1, gid)
    os.chmod(directory, 0o2770)
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            os.chown(candidate, -1, gid)
            os.chmod(candidate, 0o660)


def init_db(path: Path, shared_group: str | None = None) -> sqlite3.Connection:
    path = Path(path)
    if shared_group:
        group_id(shared_group)  # fail before creating anything
        path.parent.mkdir(parents=True, exist_ok=True)
        old = os.umask(0o007)
        try:
            if not path.exists():
                _create_file(path, shared_group)
            conn = open_db(path)
        finally:
            os.umask(old)
        apply_shared(path, shared_group)
        return conn
    return open_db(path)


def file_mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A deferred BEGIN that reads and then writes can fail with "database is locked"
    when another writer commits in between; IMMEDIATE waits (busy_timeout) instead.
    Nested inside another write it joins that transaction: a mail import files a request
    and records the message as one change.
    """
    if conn.in_transaction:
        yield conn
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _is_locked(exc):
            raise busy_error(exc) from None
        raise
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        try:
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if _is_locked(exc):
                raise busy_error(exc) from None
            raise
