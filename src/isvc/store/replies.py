"""Canned-reply rows (table ``canned_replies``): the desk's own replies; the built-ins live
in code (isvc.domain.replies) and are never stored."""

from __future__ import annotations

import sqlite3

from isvc.domain.replies import DESK, Reply

_COLUMNS = "name, body, description, author, created_at, updated_at"


def _reply(row: sqlite3.Row) -> Reply:
    return Reply(name=row["name"], body=row["body"], description=row["description"],
                 source=DESK, author=row["author"], created_at=row["created_at"],
                 updated_at=row["updated_at"])


def get(conn: sqlite3.Connection, name: str) -> Reply | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM canned_replies WHERE name = ?", (name,)).fetchone()
    return _reply(row) if row else None


def all_replies(conn: sqlite3.Connection) -> list[Reply]:
    return [_reply(row) for row in
            conn.execute(f"SELECT {_COLUMNS} FROM canned_replies ORDER BY name")]


def insert(conn: sqlite3.Connection, reply: Reply) -> None:
    conn.execute(
        "INSERT INTO canned_replies(name, body, description, author, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (reply.name, reply.body, reply.description, reply.author, reply.created_at,
         reply.updated_at),
    )


def update(conn: sqlite3.Connection, name: str, body: str, description: str | None,
           updated_at: str) -> None:
    conn.execute(
        "UPDATE canned_replies SET body = ?, description = ?, updated_at = ? WHERE name = ?",
        (body, description, updated_at, name),
    )


def delete(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("DELETE FROM canned_replies WHERE name = ?", (name,)).rowcount > 0
