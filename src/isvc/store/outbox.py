"""The notification outbox: rows written beside the change that caused them, claimed and
delivered one at a time by `isvc notify send`."""

from __future__ import annotations

import json
import sqlite3

COLUMNS = (
    "id, kind, channel, recipient, person, number, subject, body, payload, message_id, "
    "dedupe_key, status, attempts, next_attempt_at, claimed_at, last_error, created_at, sent_at"
)


def _row(row: sqlite3.Row | None) -> dict | None:
    if row is None:
        return None
    out = dict(row)
    out["payload"] = json.loads(out["payload"]) if out["payload"] else {}
    return out


def enqueue(conn: sqlite3.Connection, *, kind: str, channel: str, recipient: str,
            subject: str, body: str, now: str, number: int | None = None,
            person: str | None = None, payload: dict | None = None,
            message_id: str | None = None, dedupe_key: str | None = None) -> int | None:
    """Add one message; call inside the write transaction of the change that caused it.

    Returns its id, or None when ``dedupe_key`` was already queued (nothing is added).
    """
    cur = conn.execute(
        "INSERT OR IGNORE INTO outbox(kind, channel, recipient, person, number, subject, body, "
        "payload, message_id, dedupe_key, next_attempt_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, channel, recipient, person, number, subject, body,
         json.dumps(payload, sort_keys=True) if payload else None, message_id, dedupe_key,
         now, now),
    )
    return cur.lastrowid if cur.rowcount else None


def get(conn: sqlite3.Connection, outbox_id: int) -> dict | None:
    return _row(conn.execute(f"SELECT {COLUMNS} FROM outbox WHERE id = ?", (outbox_id,)).fetchone())


def claim_next(conn: sqlite3.Connection, now: str, stale_before: str, *,
               channels: tuple[str, ...] | None = None, only_id: int | None = None) -> dict | None:
    """The next message due, marked ``sending``; call inside a write transaction.

    A message left ``sending`` by a process that died is due again once its claim is
    older than ``stale_before``: that is the one message a crash may repeat.
    ``channels`` limits the claim to those channels (mail waits while SMTP is not set
    up); ``only_id`` claims that one message if it is pending, whenever it is due.
    """
    if channels is not None and not channels:
        return None
    where = ["(status = 'pending' OR (status = 'sending' AND claimed_at < ?))"]
    args: list = [stale_before]
    if only_id is not None:
        where.append("id = ?")
        args.append(only_id)
    else:
        where.append("status IN ('pending', 'sending') AND next_attempt_at <= ?")
        args.append(now)
    if channels is not None:
        where.append(f"channel IN ({', '.join('?' * len(channels))})")
        args.extend(channels)
    row = conn.execute(
        f"SELECT {COLUMNS} FROM outbox WHERE {' AND '.join(where)} "
        "ORDER BY next_attempt_at, id LIMIT 1",
        args,
    ).fetchone()
    if row is None:
        return None
    conn.execute("UPDATE outbox SET status = 'sending', claimed_at = ?, attempts = attempts + 1 "
                 "WHERE id = ?", (now, row["id"]))
    return get(conn, row["id"])


def set_message_id(conn: sqlite3.Connection, outbox_id: int, message_id: str) -> None:
    """The Message-ID a mail queued without one goes out with (stored before it is sent,
    so a repeat after a crash carries the same one)."""
    conn.execute("UPDATE outbox SET message_id = ? WHERE id = ? AND message_id IS NULL",
                 (message_id, outbox_id))


def count_due(conn: sqlite3.Connection, now: str, stale_before: str, channel: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending') "
        "AND next_attempt_at <= ? AND (status = 'pending' OR claimed_at < ?) AND channel = ?",
        (now, stale_before, channel),
    ).fetchone()[0]


def count_waiting(conn: sqlite3.Connection) -> int:
    """Messages pending or sending (an index count, however long the history)."""
    return conn.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"
                        ).fetchone()[0]


def pending_since(conn: sqlite3.Connection, created_since: str, limit: int) -> list[int]:
    """The newest ``limit`` pending messages queued at or after ``created_since``, oldest
    first: what a command just queued (config notify.send_immediately)."""
    rows = conn.execute(
        "SELECT id FROM outbox WHERE status = 'pending' AND created_at >= ? "
        "ORDER BY id DESC LIMIT ?", (created_since, limit)).fetchall()
    return sorted(r[0] for r in rows)


def ids_with_status(conn: sqlite3.Connection, status: str) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM outbox WHERE status = ? ORDER BY id",
                                       (status,))]


def mark_sent(conn: sqlite3.Connection, outbox_id: int, now: str) -> None:
    conn.execute("UPDATE outbox SET status = 'sent', sent_at = ?, claimed_at = NULL, "
                 "last_error = NULL WHERE id = ?", (now, outbox_id))


def mark_failed_attempt(conn: sqlite3.Connection, outbox_id: int, error: str,
                        next_attempt_at: str | None) -> None:
    """A refused or failed attempt: due again at ``next_attempt_at``, or ``failed`` for
    good when that is None."""
    if next_attempt_at is None:
        conn.execute("UPDATE outbox SET status = 'failed', claimed_at = NULL, last_error = ? "
                     "WHERE id = ?", (error, outbox_id))
    else:
        conn.execute("UPDATE outbox SET status = 'pending', claimed_at = NULL, last_error = ?, "
                     "next_attempt_at = ? WHERE id = ?", (error, next_attempt_at, outbox_id))


def set_status(conn: sqlite3.Connection, outbox_id: int, status: str, now: str) -> None:
    """``pending`` again (retry now, attempts reset) or ``dropped``."""
    if status == "pending":
        conn.execute("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, "
                     "claimed_at = NULL WHERE id = ?", (now, outbox_id))
    else:
        conn.execute("UPDATE outbox SET status = ?, claimed_at = NULL WHERE id = ?",
                     (status, outbox_id))


def list_rows(conn: sqlite3.Connection, *, status: str | None = None, number: int | None = None,
              limit: int = 50) -> list[dict]:
    where, args = [], []
    if status:
        where.append("status = ?")
        args.append(status)
    if number is not None:
        where.append("number = ?")
        args.append(number)
    sql = f"SELECT {COLUMNS} FROM outbox"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ?"
    return [_row(r) for r in conn.execute(sql, (*args, limit))]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute("SELECT status, count(*) FROM outbox GROUP BY status")}


def number_for_message_id(conn: sqlite3.Connection, message_id: str) -> int | None:
    """The request a message isvc sent belongs to (replies thread back through it)."""
    row = conn.execute("SELECT number FROM outbox WHERE message_id = ? AND number IS NOT NULL",
                       (message_id,)).fetchone()
    return row[0] if row else None
