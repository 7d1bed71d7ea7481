"""Whole-file operations: status figures, integrity checks, consistent backups."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def pragma(conn: sqlite3.Connection, name: str):
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        problems.append(f"{table} row {rowid} points at a missing {parent}")
    return problems


def backup(conn: sqlite3.Connection, dest: Path, mode: int) -> None:
    """VACUUM INTO reads one snapshot (a read transaction in WAL), so writers carry on and
    the copy is consistent; it is also compacted."""
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    os.close(fd)
    os.unlink(dest)  # VACUUM INTO wants to create the file; we only reserved the name
    conn.execute("VACUUM INTO ?", (str(dest),))
    os.chmod(dest, mode)
