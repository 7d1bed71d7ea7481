"""Attachments: keeping the files a message brought, listing them, saving one, backing
them up beside the database."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from isvc.errors import InvalidInput, IsvcError, NotFound
from isvc.services import access
from isvc.services.desk import Desk
from isvc.store import attachments as store
from isvc.store import requests as request_store


@dataclass
class Saved:
    attachment: dict
    path: Path


def _root(desk: Desk) -> Path:
    root = store.folder(desk.conn)
    if root is None:
        raise IsvcError("this desk has no database file, so it cannot keep attachments")
    return root


def keep(desk: Desk, number: int, event_id: int | None, mail_id: int | None,
         files: list) -> list[int]:
    """Write each file (``MailAttachment``s) and add its row; call inside the write
    transaction that adds the event. Files over the limit (``data`` None) get a row
    without a stored file: the raw mail keeps them."""
    ids = []
    root = _root(desk) if any(f.data is not None for f in files) else None
    for f in files:
        digest, stored = "", None
        if f.data is not None:
            digest, stored = store.write_file(root, f.data, shared=desk.shared)
        ids.append(store.insert(
            desk.conn, number=number, event_id=event_id, mail_id=mail_id,
            filename=f.filename or "attachment", content_type=f.content_type or "application/octet-stream",
            size=f.size, sha256=digest, stored_name=stored, created_at=desk.now_iso))
    return ids


def _viewable(desk: Desk, number: int) -> bool:
    """Whether the actor may see the request's internal events (and their attachments);
    raises when they may not see the request at all."""
    req = request_store.get_request(desk.conn, number)
    if req is None:
        raise NotFound(f"no request #{number}; see `isvc request list`")
    roles = access.roles_of(desk.actor, desk.teams_of(), desk.is_admin(), req)
    access.require("view", roles, req, desk.actor, "see")
    return access.can("view_internal", roles)


def for_request(desk: Desk, number: int) -> list[dict]:
    internal = _viewable(desk, number)
    return store.for_request(desk.conn, number, include_internal=internal)


def get(desk: Desk, attachment_id: int) -> dict:
    row = store.get(desk.conn, attachment_id)
    if row is None:
        raise NotFound(f"no attachment {attachment_id}; see `isvc request attachments N`")
    internal = _viewable(desk, row["number"])
    if row["internal"] and not internal:
        # an attachment of an internal note: as good as absent for the requester
        raise NotFound(f"no attachment {attachment_id}; see `isvc request attachments N`")
    return row


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str, fallback: str) -> str:
    """A file name that stays in the folder it is saved to: no separators, no leading
    dots, no control characters, at most 200 bytes."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    while len(name.encode("utf-8")) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:-1] + dot + ext) if dot and len(ext) <= 10 and stem else name[:-1]
    if not name or name in (".", ".."):
        return fallback
    return name


def save(desk: Desk, attachment_id: int, out: str | None, force: bool) -> Saved:
    row = get(desk, attachment_id)
    if row["stored_name"] is None:
        raise InvalidInput(
            f"attachment {attachment_id} ({row['filename']}, {row['size']} bytes) was over the "
            f"size limit and was not stored on its own; the raw mail keeps it: "
            f"isvc mail show {row['mail_id']} --raw")
    source = store.file_path(_root(desk), row["stored_name"])
    try:
        with open(source, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise IsvcError(f"the file of attachment {attachment_id} is missing from {source.parent.parent}; "
                        "restore the attachments folder from a backup") from None
    import hashlib

    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise IsvcError(f"the file of attachment {attachment_id} ({source}) does not match its "
                        "checksum; restore it from a backup")
    name = safe_filename(row["filename"], f"attachment-{attachment_id}")
    dest = Path(out) if out else Path(name)
    if out and dest.is_dir():
        dest = dest / name
    if not dest.parent.is_dir():
        raise InvalidInput(f"folder {dest.parent} does not exist")
    _write_new(dest, data, force)
    return Saved(row, dest)


def _write_new(dest: Path, data: bytes, force: bool) -> None:
    if not force:
        try:
            # O_EXCL: the existence check and the create are one step; nothing is overwritten
            fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            raise InvalidInput(f"{dest} exists; choose another name with --out or add --force") from None
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return
    if dest.is_dir():
        raise InvalidInput(f"{dest} is a folder; give a file name with --out")
    from isvc.files import replace_atomically

    replace_atomically(dest, data, 0o600)


def backup_files(desk_conn, backup_db: Path) -> tuple[Path, int] | None:
    """Copy the attachments folder beside a backup as ``<backup stem>-attachments/``.

    Returns (folder, files copied), or None when the desk keeps no attachment files."""
    from isvc.store import directory

    root = store.folder(desk_conn)
    if not store.has_files(root):
        return None
    backup_db = Path(backup_db)
    dest = backup_db.parent / f"{backup_db.stem}-attachments"
    shared = directory.get_setting(desk_conn, "shared_group") is not None
    copied = store.copy_folder(root, dest, shared=shared)
    return dest, copied
