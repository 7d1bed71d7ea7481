"""The mail intake log: every message seen, its raw bytes (zlib) and what it became."""

from __future__ import annotations

import sqlite3
import zlib
from typing import Any, Iterable

# Everything but the raw bytes: lists and shows never decompress what they do not print.
_COLUMNS = (
    "id, fingerprint, message_id, received_at, sender, subject, size, outcome, reason, number, "
    "event_id, source, updated_at"
)

# Outcomes a person may still act on (`isvc mail quarantine ...`).
OPEN_OUTCOMES = ("quarantined", "held")


def by_fingerprint(conn: sqlite3.Connection, fingerprint: str) -> dict | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM mail_messages WHERE fingerprint = ?",
                       (fingerprint,)).fetchone()
    return dict(row) if row else None


def get(conn: sqlite3.Connection, mail_id: int) -> dict | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM mail_messages WHERE id = ?", (mail_id,)).fetchone()
    return dict(row) if row else None


def raw(conn: sqlite3.Connection, mail_id: int) -> bytes | None:
    row = conn.execute("SELECT raw FROM mail_messages WHERE id = ?", (mail_id,)).fetchone()
    return zlib.decompress(row[0]) if row else None


def insert(conn: sqlite3.Connection, *, fingerprint: str, raw: bytes, size: int, received_at: str,
           outcome: str, message_id: str | None = None, sender: str | None = None,
           subject: str | None = None, reason: str | None = None, number: int | None = None,
           event_id: int | None = None, source: str | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO mail_messages(fingerprint, message_id, received_at, sender, subject, size, "
        "raw, outcome, reason, number, event_id, source, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (fingerprint, message_id, received_at, sender, subject, size, zlib.compress(raw, 6),
         outcome, reason, number, event_id, source, received_at),
    )
    return cur.lastrowid


_UPDATABLE = {"message_id", "sender", "subject", "outcome", "reason", "number", "event_id",
              "updated_at"}


def update(conn: sqlite3.Connection, mail_id: int, **values: Any) -> None:
    unknown = set(values) - _UPDATABLE
    if unknown:
        raise ValueError(f"mail_messages columns not updatable: {sorted(unknown)}")
    sets = ", ".join(f"{key} = ?" for key in values)
    conn.execute(f"UPDATE mail_messages SET {sets} WHERE id = ?", (*values.values(), mail_id))


def list_rows(conn: sqlite3.Connection, *, outcomes: Iterable[str] | None = None,
              limit: int = 50) -> list[dict]:
    sql = f"SELECT {_COLUMNS} FROM mail_messages"
    args: list[Any] = []
    outcomes = list(outcomes or [])
    if outcomes:
        sql += f" WHERE outcome IN ({','.join('?' * len(outcomes))})"
        args.extend(outcomes)
    sql += " ORDER BY id DESC LIMIT ?"
    return [dict(r) for r in conn.execute(sql, (*args, limit))]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute(
        "SELECT outcome, count(*) FROM mail_messages GROUP BY outcome")}


# -- threading -------------------------------------------------------------------------

def thread_match(conn: sqlite3.Connection, message_ids: list[str]) -> dict | None:
    """What a reply's In-Reply-To/References ids point at, the first id that matches
    winning (pass In-Reply-To first, then References newest first): a message isvc sent
    (``{"number", "kind": the outbox kind, "outbox_id"}``) or one the intake took in and
    threaded or filed (``{"number", "kind": None, "outbox_id": None}``). A sent message
    about no request counts only when it is a digest (a reply to it is refused)."""
    ids = [m for m in dict.fromkeys(message_ids) if m][:200]
    if not ids:
        return None
    marks = ",".join("?" * len(ids))
    found: dict[str, dict] = {}
    for mid, number in conn.execute(
            f"SELECT message_id, number FROM mail_messages WHERE message_id IN ({marks}) "
            "AND number IS NOT NULL ORDER BY id", ids):
        found[mid] = {"number": number, "kind": None, "outbox_id": None}  # the newest wins
    for outbox_id, mid, number, kind in conn.execute(
            f"SELECT id, message_id, number, kind FROM outbox WHERE message_id IN ({marks})", ids):
        if number is not None or kind == "digest":
            found[mid] = {"number": number, "kind": kind, "outbox_id": outbox_id}  # isvc's own
    return next((found[m] for m in ids if m in found), None)


def outbox_message(conn: sqlite3.Connection, message_id: str) -> dict | None:
    """The outbox row of a message isvc sent (a bounce names it): number, recipient, kind."""
    row = conn.execute(
        "SELECT id, number, recipient, kind, subject FROM outbox WHERE message_id = ?",
        (message_id,)).fetchone()
    return dict(row) if row else None


def last_event_id(conn: sqlite3.Connection, number: int, kinds: tuple[str, ...]) -> int | None:
    """The newest event of these kinds on a request: inside the write transaction that
    added it, the one this message made."""
    marks = ",".join("?" * len(kinds))
    row = conn.execute(
        f"SELECT max(id) FROM events WHERE number = ? AND kind IN ({marks})", (number, *kinds)
    ).fetchone()
    return row[0] if row else None
