"""Delivering the outbox: at least once, one message at a time, retried on a schedule.

The loop, per message:

1. a short write transaction claims ONE due row (``sending``, attempts + 1) and commits;
2. the message is delivered outside any transaction (SMTP or an HTTP POST);
3. a new short write transaction marks it ``sent`` (only once the server accepted it) or
   records the failed attempt with the next time from :data:`SCHEDULE`.

A process that dies between 2 and 3 leaves its row ``sending``; another run takes it
again once the claim is older than :data:`LEASE`, so a crash repeats at most that one
message, and two runs at once never take the same row (the claim is BEGIN IMMEDIATE).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from isvc.domain.timeutil import to_iso
from isvc.errors import InvalidInput, NotFound
from isvc.services.delivery.errors import Blocked, DeliveryError
from isvc.store import outbox as store
from isvc.store.db import write

LEASE = timedelta(minutes=10)
# Minutes to wait after the 1st, 2nd ... failed attempt; every 24 h after the last.
SCHEDULE = (1, 5, 15, 60, 240, 720)
DAILY = 1440
CHANNELS = ("mail", "webhook")

__all__ = [
    "LEASE",
    "SCHEDULE",
    "Attempt",
    "Blocked",
    "DeliveryError",
    "SendReport",
    "next_attempt_at",
    "retry_delay",
    "send_pending",
    "send_queued",
]


@dataclass
class Attempt:
    """What happened to one message in a run."""

    id: int
    kind: str
    channel: str
    recipient: str
    ok: bool
    answer: str                  # the server's answer, or why it failed
    final: bool = False          # failed for good (permanent error or attempts used up)
    next_attempt_at: str | None = None
    unreachable: bool = False    # the server, not the message: the channel paused this run


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0              # attempts that failed in this run (retried later or final)
    waiting: int = 0             # messages still pending or sending after the run
    problems: list[str] = field(default_factory=list)   # config problems, each said once
    attempts: list[Attempt] = field(default_factory=list)

    def summary(self) -> str:
        return f"sent {self.sent}, failed {self.failed}, waiting {self.waiting}"


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts: 1 min, 5 min, 15 min, 1 h, 4 h, 12 h,
    then every 24 h."""
    minutes = SCHEDULE[attempts - 1] if 1 <= attempts <= len(SCHEDULE) else DAILY
    return timedelta(minutes=minutes)


def next_attempt_at(attempts: int, max_attempts: int, now: datetime) -> str | None:
    """When to try again after ``attempts`` attempts; None once they are used up."""
    if attempts >= max_attempts:
        return None
    return to_iso(now + retry_delay(attempts))


def _max_attempts(config: dict) -> int:
    try:
        return max(1, int((config.get("notify") or {}).get("max_attempts") or 8))
    except (TypeError, ValueError):
        raise InvalidInput("notify.max_attempts must be a whole number") from None


def send_pending(conn: sqlite3.Connection, config: dict, now_fn: Callable[[], datetime], *,
                 limit: int | None = None, only_id: int | None = None,
                 ids: Iterable[int] | None = None) -> SendReport:
    """Deliver what is due (or just ``only_id``, or just ``ids``), one message at a time.

    One bad message never stops the run: each failure is recorded on its row. Raises only
    for a config that must not be used (a password in the config file), an unknown or
    unsendable ``only_id``, or a database that stays busy.
    """
    from isvc.services.delivery import smtp

    smtp.refuse_password_in_file(config)
    max_attempts = _max_attempts(config)
    report = SendReport()
    targets: list[int] | None = None
    if only_id is not None:
        _check_sendable(conn, only_id, now_fn())
        targets = [only_id]
    elif ids is not None:
        targets = list(ids)

    open_channels = set(CHANNELS)
    from_header = sender = ""
    session = None
    try:
        smtp_settings = smtp.settings(config)
        from_header, sender = smtp.sender_address(config)
        session = smtp.Session(smtp_settings)
    except Blocked as exc:
        open_channels.discard("mail")
        now = now_fn()
        if _mail_waiting(conn, now, targets):
            report.problems.append(str(exc))

    unsigned_warned: set[str] = set()
    handled = 0
    try:
        while limit is None or handled < limit:
            if targets is not None:
                if not targets:
                    break
                target = targets.pop(0)
            else:
                target = None
            now = now_fn()
            with write(conn):
                row = store.claim_next(conn, to_iso(now), to_iso(now - LEASE),
                                       channels=tuple(sorted(open_channels)), only_id=target)
                if row is not None and row["channel"] == "mail" and not row["message_id"]:
                    row["message_id"] = smtp.new_message_id(sender)
                    store.set_message_id(conn, row["id"], row["message_id"])
            if row is None:
                if target is None:
                    break
                continue
            handled += 1
            attempt = _deliver(conn, row, session, from_header, sender, now_fn, report,
                               unsigned_warned)
            if not attempt.ok and not attempt.final:
                attempt.next_attempt_at = next_attempt_at(row["attempts"], max_attempts, now_fn())
                attempt.final = attempt.next_attempt_at is None
            with write(conn):
                if attempt.ok:
                    store.mark_sent(conn, row["id"], to_iso(now_fn()))
                else:
                    store.mark_failed_attempt(conn, row["id"], attempt.answer,
                                              attempt.next_attempt_at)
            report.attempts.append(attempt)
            if attempt.ok:
                report.sent += 1
            else:
                report.failed += 1
            if attempt.unreachable:
                open_channels.discard(attempt.channel)
    finally:
        if session is not None:
            session.close()
    report.waiting = store.count_waiting(conn)
    return report


def send_queued(desk, now_fn: Callable[[], datetime]) -> SendReport | None:
    """Deliver what this command queued (config notify.send_immediately); None when
    there was nothing."""
    if not desk.queued_notifications or desk.conn.in_transaction:
        return None
    ids = store.pending_since(desk.conn, desk.now_iso, desk.queued_notifications)
    if not ids:
        return None
    return send_pending(desk.conn, desk.config, now_fn, ids=ids)


def _check_sendable(conn: sqlite3.Connection, outbox_id: int, now: datetime) -> None:
    row = store.get(conn, outbox_id)
    if row is None:
        raise NotFound(f"no message {outbox_id} in the outbox; see `isvc notify list`")
    status = row["status"]
    if status == "sent":
        raise InvalidInput(f"message {outbox_id} was sent at {row['sent_at']}; nothing to send")
    if status == "failed":
        raise InvalidInput(f"message {outbox_id} failed for good ({row['last_error']}); "
                           f"`isvc notify retry {outbox_id}` queues it again")
    if status == "dropped":
        raise InvalidInput(f"message {outbox_id} was dropped; `isvc notify retry {outbox_id}` "
                           "queues it again")
    if status == "sending" and row["claimed_at"] >= to_iso(now - LEASE):
        raise InvalidInput(f"message {outbox_id} is being sent by another run right now")


def _mail_waiting(conn: sqlite3.Connection, now: datetime, targets: list[int] | None) -> bool:
    if targets is None:
        return store.count_due(conn, to_iso(now), to_iso(now - LEASE), "mail") > 0
    for outbox_id in targets:
        row = store.get(conn, outbox_id)
        if row is not None and row["channel"] == "mail":
            return True
    return False


def _deliver(conn, row: dict, session, from_header: str, sender: str,
             now_fn: Callable[[], datetime], report: SendReport,
             unsigned_warned: set[str]) -> Attempt:
    """Hand one claimed row to its server; never raises for a delivery problem."""
    attempt = Attempt(id=row["id"], kind=row["kind"], channel=row["channel"],
                      recipient=row["recipient"], ok=False, answer="")
    try:
        if row["channel"] == "mail":
            from isvc.services.delivery import smtp

            msg = smtp.build_message(row, from_header, now_fn())
            attempt.answer = session.send(msg, sender, row["recipient"].strip())
        elif row["channel"] == "webhook":
            from isvc.services import webhooks
            from isvc.services.delivery import webhook

            hook = webhooks.get(conn, row["recipient"])
            if hook is None:
                raise DeliveryError(f"webhook {row['recipient']} no longer exists",
                                    permanent=True)
            secret = webhooks.secret_of(hook)
            if hook["secret_env"] and not secret:
                # never unsigned: the receiver would take it as forged (or trust a forgery)
                missing = (f"the secret variable {hook['secret_env']} is not set in this "
                           "environment (notify send needs it)")
                if hook["name"] not in unsigned_warned:
                    unsigned_warned.add(hook["name"])
                    report.problems.append(f"webhook {hook['name']}: {missing}; its messages "
                                           "wait and are retried")
                raise DeliveryError(missing)
            attempt.answer = webhook.post(hook, row, secret, now_fn())
        else:
            raise DeliveryError(f"unknown channel {row['channel']!r}", permanent=True)
        attempt.ok = True
    except DeliveryError as exc:
        attempt.answer = str(exc)
        attempt.final = exc.permanent
        if exc.connection and row["channel"] == "mail":
            # the server, not this message: the rest of the mail waits for the next run
            attempt.unreachable = True
            report.problems.append(f"mail paused until the next run: {exc}")
    except Exception as exc:  # a bug or an odd row must not stop the run
        attempt.answer = f"{type(exc).__name__}: {exc}"
    return attempt
