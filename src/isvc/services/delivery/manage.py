"""Looking after the outbox: listing, showing, retrying, dropping, test messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from isvc.errors import InvalidInput, IsvcError, NotFound
from isvc.services.desk import Desk
from isvc.store import directory
from isvc.store import outbox as store
from isvc.store.db import write

STATUSES = ("pending", "sending", "sent", "failed", "dropped")
_ADDRESS = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[^@\s<>,;\"()\[\]\\]+\.[^@\s<>,;\"()\[\]\\]+$")


def list_messages(desk: Desk, *, status: str | None = None, number: int | None = None,
                  limit: int = 50) -> list[dict]:
    desk.require_staff("read the outbox")
    if status is not None:
        status = status.strip().lower()
        if status not in STATUSES:
            raise InvalidInput(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}")
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    return store.list_rows(desk.conn, status=status, number=number, limit=limit)


def get_message(desk: Desk, outbox_id: int) -> dict:
    desk.require_staff("read the outbox")
    row = store.get(desk.conn, outbox_id)
    if row is None:
        raise NotFound(f"no message {outbox_id} in the outbox; see `isvc notify list`")
    return row


def retry(desk: Desk, ids: list[int], *, failed: bool = False) -> list[int]:
    """Pending again, due now, attempts reset: failed or dropped messages (or pending ones,
    brought forward). Returns the ids queued again."""
    if not ids and not failed:
        raise InvalidInput("give message ids, or --failed")
    if ids and failed:
        raise InvalidInput("give message ids or --failed, not both")
    with write(desk.conn):
        desk.require_admin("retry notifications")
        desk.ensure_actor()
        if failed:
            ids = store.ids_with_status(desk.conn, "failed")
        rows = [_existing(desk, i) for i in _unique(ids)]
        for row in rows:
            if row["status"] == "sent":
                raise InvalidInput(f"message {row['id']} was already sent (at {row['sent_at']}); "
                                   "`isvc notify test` checks the way it went")
            if row["status"] == "sending":
                raise InvalidInput(f"message {row['id']} is being sent right now")
        _mark(desk, rows, "pending", "notify.retry")
    return [r["id"] for r in rows]


def drop(desk: Desk, ids: list[int]) -> list[int]:
    """Never send these (the rows are kept, status dropped). Returns the ids dropped."""
    if not ids:
        raise InvalidInput("give the ids of the messages to drop (see `isvc notify list`)")
    with write(desk.conn):
        desk.require_admin("drop notifications")
        desk.ensure_actor()
        rows = [_existing(desk, i) for i in _unique(ids)]
        for row in rows:
            if row["status"] == "sent":
                raise InvalidInput(f"message {row['id']} was already sent (at {row['sent_at']})")
            if row["status"] == "sending":
                raise InvalidInput(f"message {row['id']} is being sent right now; try again "
                                   "in a minute")
        todo = [r for r in rows if r["status"] != "dropped"]
        _mark(desk, todo, "dropped", "notify.drop")
    return [r["id"] for r in todo]


def _mark(desk: Desk, rows: list[dict], status: str, action: str) -> None:
    """Set these messages' status and say so in the audit log (inside the caller's write)."""
    for row in rows:
        store.set_status(desk.conn, row["id"], status, desk.now_iso)
    if rows:
        ids = [r["id"] for r in rows]
        directory.audit(desk.conn, desk.now_iso, desk.actor, action,
                        ",".join(map(str, ids)), {"ids": ids})


def queue_test(desk: Desk, *, to: str | None = None, webhook: str | None = None) -> int:
    """Queue a test message to an address or a webhook; returns its outbox id."""
    from isvc.services import webhooks

    if (to is None) == (webhook is None):
        raise InvalidInput("give --to ADDRESS or --webhook NAME")
    if to is not None:
        to = to.strip()
        if not _ADDRESS.match(to) or not to.isascii():
            raise InvalidInput(f"--to {to!r} is not a mail address")
    with write(desk.conn):
        desk.require_admin("send test notifications")
        desk.ensure_actor()
        when = desk.now_iso
        body = (f"This is a test message from isvc, sent by {desk.actor} at {when}.\n"
                "If you can read it, notifications reach this destination.\n")
        if webhook is not None:
            hook = webhooks.get(desk.conn, webhook.strip())
            if hook is None:
                raise NotFound(f"no webhook {webhook!r}; see `isvc notify webhook list`")
            outbox_id = store.enqueue(desk.conn, kind="test", channel="webhook",
                                      recipient=hook["name"], subject="isvc test notification",
                                      body=body, now=when,
                                      payload={"event": "test"})
        else:
            outbox_id = store.enqueue(desk.conn, kind="test", channel="mail", recipient=to,
                                      subject="isvc test notification", body=body, now=when,
                                      person=None, payload={"auto": True})
    return outbox_id


def send_test(desk: Desk, now_fn: Callable[[], datetime], *, to: str | None = None,
              webhook: str | None = None):
    """Queue a test message and deliver it now. Returns the Attempt; raises IsvcError
    with the reason when it was not accepted (the message is then marked failed: a test
    is not retried)."""
    from isvc.services.delivery import send_pending

    outbox_id = queue_test(desk, to=to, webhook=webhook)
    report = send_pending(desk.conn, desk.config, now_fn, only_id=outbox_id)
    attempt = report.attempts[0] if report.attempts else None
    if attempt is not None and attempt.ok:
        return attempt
    reason = attempt.answer if attempt is not None else (
        report.problems[0] if report.problems else "not sent")
    with write(desk.conn):
        store.mark_failed_attempt(desk.conn, outbox_id, reason, None)
    raise IsvcError(f"test message {outbox_id} not delivered: {reason}")


def _existing(desk: Desk, outbox_id: int) -> dict:
    row = store.get(desk.conn, outbox_id)
    if row is None:
        raise NotFound(f"no message {outbox_id} in the outbox; see `isvc notify list`")
    return row


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))  # first occurrence order
