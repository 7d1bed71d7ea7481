"""Bulk loading a new desk (`isvc demo --requests 100000`): one transaction, executemany.

The generator above this module streams rows in chunks; everything goes in inside ONE
``BEGIN IMMEDIATE ... COMMIT`` (never a commit per batch), so a build that fails or is
interrupted leaves the file as empty as it found it. Rows carry their final values (the
status, the stamps, the clocks, the whole journal), exactly what the services would have
written one command at a time; ``isvc db check`` must pass afterwards.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

from isvc.errors import IsvcError
from isvc.store.db import write
from isvc.store.sla import CLOCK_COLUMNS

# Bigger page cache while loading: the secondary indexes of a million requests are
# inserted in random order and thrash the default 2 MB cache. Negative = KiB.
_LOAD_CACHE_KIB = 131_072

# ... then the clock columns (store.sla.CLOCK_COLUMNS: agreement, calendar, both clocks)
REQUEST_COLUMNS = (
    "number", "title", "body", "status", "priority", "priority_rank", "team", "type",
    "requester", "assignee", "fields", "channel", "waiting_on", "created_at", "updated_at",
    "first_response_at", "resolved_at", "closed_at",
) + CLOCK_COLUMNS
EVENT_COLUMNS = (
    "number", "at", "actor", "kind", "field", "from_value", "to_value", "message", "internal",
)
# kind (requester, request, reopen) arrived with the agreements schema; older desks lack it
WAIT_COLUMNS = ("number", "started_at", "ended_at", "on_request", "reason", "kind")


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return (f"INSERT INTO {table}({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


def holds_data(conn: sqlite3.Connection) -> bool:
    """Whether the file already holds something a demo must not overwrite: any team,
    person or request, or (in a file isvc never migrated) any table at all."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    if version == 0:
        return bool(tables)
    for table in ("teams", "people", "requests"):
        if table in tables and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            return True
    return False


@contextmanager
def load(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """The single write transaction of a bulk load into a new, empty desk.

    While it runs the file uses a rollback journal instead of WAL: a rollback journal
    only keeps the pages that existed before (a new desk has a handful), where WAL would
    write every new page twice (log, then checkpoint). ``synchronous = OFF`` skips the
    fsyncs of a file nobody else uses yet. WAL and NORMAL come back afterwards, whatever
    happened.
    """
    conn.execute("PRAGMA journal_mode = DELETE")  # stays WAL if another connection holds it
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(f"PRAGMA cache_size = -{_LOAD_CACHE_KIB}")
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with write(conn):
            indexes = _drop_indexes(conn)
            yield conn
            for sql in indexes:
                conn.execute(sql)
            _check_foreign_keys(conn)
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -2000")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA optimize")  # table statistics for the query planner


def _check_foreign_keys(conn: sqlite3.Connection) -> None:
    """Foreign keys are checked once over the loaded rows instead of on every insert;
    a dangling reference aborts the load (the transaction rolls back)."""
    problem = conn.execute("PRAGMA foreign_key_check").fetchone()
    if problem is not None:
        table, rowid, parent, _ = problem
        raise IsvcError(f"bulk load: {table} row {rowid} points at a missing {parent}")


_BULK_TABLES = ("requests", "events", "waits", "request_tags", "watchers", "links", "kudos",
                "ratings")


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the secondary indexes of the history tables (inside the transaction) and
    return their SQL: building an index once over sorted rows is several times faster
    than updating it row by row in random order. Whatever the schema holds is put back
    as it was, so this follows future migrations by itself."""
    marks = ",".join("?" * len(_BULK_TABLES))
    rows = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name", _BULK_TABLES).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def insert_teams(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(handle, name, created_at)"""
    conn.executemany(_insert_sql("teams", ("handle", "name", "created_at")), rows)


def insert_people(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(handle, name, email, primary_team, active, leaderboard, created_at)"""
    conn.executemany(_insert_sql("people", (
        "handle", "name", "email", "primary_team", "active", "leaderboard", "created_at")), rows)


def insert_memberships(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(person, team)"""
    conn.executemany(_insert_sql("memberships", ("person", "team")), rows)


def insert_audit(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(at, actor, action, subject, detail JSON or None)"""
    conn.executemany(_insert_sql("audit_log", ("at", "actor", "action", "subject", "detail")), rows)


def insert_requests(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Rows in REQUEST_COLUMNS order, with explicit numbers (1..N in creation order) and
    their clock columns as isvc.domain.clocks.compute gives them (the queue sorts by them;
    nothing recomputes them after the load); AUTOINCREMENT's counter follows, so the next
    request filed gets N+1."""
    conn.executemany(_insert_sql("requests", REQUEST_COLUMNS), rows)


def insert_events(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Rows in EVENT_COLUMNS order, in time order (ids follow time, as they do live)."""
    conn.executemany(_insert_sql("events", EVENT_COLUMNS), rows)


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def insert_waits(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows in WAIT_COLUMNS order (ended_at None while the wait is still open)."""
    if not rows:
        return
    if "kind" in _columns(conn, "waits"):
        conn.executemany(_insert_sql("waits", WAIT_COLUMNS), rows)
    else:
        conn.executemany(_insert_sql("waits", WAIT_COLUMNS[:-1]), (row[:-1] for row in rows))


def insert_tags(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(number, tag)"""
    conn.executemany("INSERT INTO request_tags(number, tag) VALUES (?, ?)", rows)


def insert_watchers(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(number, person)"""
    conn.executemany("INSERT INTO watchers(number, person) VALUES (?, ?)", rows)


def insert_links(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(src, dst, kind, created_at, actor)"""
    conn.executemany(_insert_sql("links", ("src", "dst", "kind", "created_at", "actor")), rows)


KUDOS_COLUMNS = (
    "id", "giver", "recipient", "to_kind", "message", "value", "request", "lateral", "private",
    "giver_team", "recipient_team", "created_at", "retracted_at", "retracted_by",
)
RATING_COLUMNS = ("number", "side", "score", "comment", "rater", "rated_at")


def insert_kudos(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Rows in KUDOS_COLUMNS order, with explicit ids (1..K in time order, as they are
    given live); AUTOINCREMENT's counter follows."""
    conn.executemany(_insert_sql("kudos", KUDOS_COLUMNS), rows)


def insert_ratings(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Rows in RATING_COLUMNS order: one per request and side, the latest rating."""
    conn.executemany(_insert_sql("ratings", RATING_COLUMNS), rows)

