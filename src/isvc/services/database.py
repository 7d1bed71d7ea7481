"""The database as a whole: init (personal or shared), status, check, backup."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from isvc.errors import InvalidInput
from isvc.store import directory, maintenance
from isvc.store.db import SCHEMA_VERSION, file_mode, init_db, write


def init(path: Path, shared_group: str | None, admins: list[str], actor: str, now_iso: str) -> sqlite3.Connection:
    if admins and not shared_group:
        raise InvalidInput("--admin goes with --shared; on a personal desk set admins in the config")
    conn = init_db(path, shared_group)
    if shared_group:
        with write(conn):
            current = directory.get_setting(conn, "admins", [])
            if directory.get_setting(conn, "shared_group") and current and actor not in current:
                from isvc.errors import PermissionDenied

                raise PermissionDenied(
                    f"this desk is already shared; only an admin ({', '.join(current)}) may change it; you are {actor}")
            directory.set_setting(conn, "shared_group", shared_group)
            if admins:
                directory.set_setting(conn, "admins", sorted(set(admins)))
            directory.audit(conn, now_iso, actor, "db.init_shared", shared_group, {"admins": admins})
    return conn


def status(conn: sqlite3.Connection, path: Path) -> dict:
    size = sum(os.path.getsize(p) for p in (path, Path(f"{path}-wal")) if p.exists())
    return {
        "path": str(path.resolve()),
        "schema_version": maintenance.pragma(conn, "user_version"),
        "schema_version_supported": SCHEMA_VERSION,
        "sqlite_version": sqlite3.sqlite_version,
        "journal_mode": maintenance.pragma(conn, "journal_mode"),
        "size_bytes": size,
        "mode": oct(file_mode(path)),
        "shared_group": directory.get_setting(conn, "shared_group"),
        "counts": directory.counts(conn),
    }


def check(conn: sqlite3.Connection) -> list[str]:
    return maintenance.integrity_problems(conn)


def backup(conn: sqlite3.Connection, dest: Path, force: bool) -> Path:
    dest = Path(dest)
    if dest.exists():
        if not force:
            raise InvalidInput(f"{dest} exists; choose another name or add --force")
        dest.unlink()
    if not dest.parent.exists():
        raise InvalidInput(f"folder {dest.parent} does not exist")
    shared = directory.get_setting(conn, "shared_group") is not None
    maintenance.backup(conn, dest, 0o660 if shared else 0o600)
    return dest


# Settings kept in the desk, which win over every user's config file.
DESK_SETTINGS = ("admins", "shared_group", "kudos.allowance_per_week", "kudos.require_value",
                 "kudos.values")


def desk_settings(path: Path) -> dict:
    """The desk-level settings that are set, read from the database at ``path``."""
    from isvc.store.db import open_db

    conn = open_db(path, create=False)
    try:
        found = {key: directory.get_setting(conn, key) for key in DESK_SETTINGS}
    finally:
        conn.close()
    return {key: value for key, value in found.items() if value is not None}
