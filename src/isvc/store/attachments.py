"""Attachments: their rows, and their files beside the database.

Files live in ``<database folder>/<database stem>-attachments/<sha256[:2]>/<sha256>``:
content-addressed, so the same file mailed twice is kept once, and a file is written
(temp name, then ``os.replace``) before the transaction that records it commits. A file
whose transaction rolled back is an orphan nobody points at: harmless. The name the
sender gave is metadata only and never part of a path.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from pathlib import Path

from isvc.files import replace_atomically

_COLUMNS = (
    "a.id, a.number, a.event_id, a.mail_id, a.filename, a.content_type, a.size, a.sha256, "
    "a.stored_name, a.created_at, coalesce(e.internal, 0) AS internal"
)
_STORED_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$")


def database_file(conn: sqlite3.Connection) -> Path | None:
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


def folder(conn: sqlite3.Connection) -> Path | None:
    """The attachments folder of the open desk (None for an in-memory database)."""
    db = database_file(conn)
    return db.parent / f"{db.stem}-attachments" if db else None


def modes(shared: bool) -> tuple[int, int]:
    """(file mode, folder mode): private to the owner, or to the shared desk's group."""
    return (0o660, 0o2770) if shared else (0o600, 0o700)


def _make_dir(path: Path, dir_mode: int) -> None:
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, dir_mode)


def write_file(root: Path, data: bytes, *, shared: bool) -> tuple[str, str]:
    """Store ``data``; returns (sha256, stored name relative to ``root``).

    Raises OSError when the disk refuses: the caller's transaction rolls back and the
    message is tried again later.
    """
    file_mode, dir_mode = modes(shared)
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{digest[:2]}/{digest}"
    _make_dir(root, dir_mode)
    sub = root / digest[:2]
    _make_dir(sub, dir_mode)
    target = sub / digest
    try:
        if target.stat().st_size == len(data):
            return digest, stored  # already kept (content-addressed)
    except FileNotFoundError:
        pass
    replace_atomically(target, data, file_mode, durable=True)
    return digest, stored


def file_path(root: Path, stored_name: str) -> Path:
    if not _STORED_NAME.match(stored_name or ""):
        raise ValueError(f"not a stored attachment name: {stored_name!r}")
    return root / stored_name


def insert(conn: sqlite3.Connection, *, number: int, event_id: int | None, mail_id: int | None,
           filename: str, content_type: str, size: int, sha256: str, stored_name: str | None,
           created_at: str) -> int:
    cur = conn.execute(
        "INSERT INTO attachments(number, event_id, mail_id, filename, content_type, size, sha256, "
        "stored_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (number, event_id, mail_id, filename, content_type, size, sha256, stored_name, created_at),
    )
    return cur.lastrowid


def get(conn: sqlite3.Connection, attachment_id: int) -> dict | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM attachments a LEFT JOIN events e ON e.id = a.event_id "
        "WHERE a.id = ?", (attachment_id,)).fetchone()
    return dict(row) if row else None


def for_request(conn: sqlite3.Connection, number: int, include_internal: bool) -> list[dict]:
    sql = (f"SELECT {_COLUMNS} FROM attachments a LEFT JOIN events e ON e.id = a.event_id "
           "WHERE a.number = ?")
    if not include_internal:
        sql += " AND coalesce(e.internal, 0) = 0"
    return [dict(r) for r in conn.execute(sql + " ORDER BY a.id", (number,))]


def for_mail(conn: sqlite3.Connection, mail_id: int, number: int | None) -> list[dict]:
    """The files one message brought (to request ``number``: the index's way in)."""
    if number is None:
        return []
    return [dict(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM attachments a LEFT JOIN events e ON e.id = a.event_id "
        "WHERE a.number = ? AND a.mail_id = ? ORDER BY a.id", (number, mail_id))]


def copy_folder(source: Path, dest: Path, *, shared: bool) -> int:
    """Copy the stored files into ``dest`` (same layout); files already there are kept
    (a name is its content). Returns how many files ``dest`` received."""
    import shutil

    file_mode, dir_mode = modes(shared)
    copied = 0
    for sub in sorted(p for p in source.iterdir() if p.is_dir() and len(p.name) == 2):
        for item in sorted(sub.iterdir()):
            if not _STORED_NAME.match(f"{sub.name}/{item.name}"):
                continue  # temp files of a write in progress
            _make_dir(dest, dir_mode)
            _make_dir(dest / sub.name, dir_mode)
            target = dest / sub.name / item.name
            if target.exists():
                continue
            shutil.copyfile(item, target)
            os.chmod(target, file_mode)
            copied += 1
    return copied


def has_files(root: Path | None) -> bool:
    if root is None or not root.is_dir():
        return False
    return any(_STORED_NAME.match(f"{sub.name}/{item.name}")
               for sub in root.iterdir() if sub.is_dir() for item in sub.iterdir())
