"""Mail in: each message becomes a request, a reply, an internal note, or waits in the
quarantine with a reason. Nothing is lost and nothing is half-written.

One message, one write transaction: the ``mail_messages`` row (the raw bytes, zlib) is
written in the same transaction as the request or event the message made. Attachment
files are written before that transaction commits (an orphan file from a rolled-back
one is harmless: files are content-addressed). The outcomes:

- ``request``, ``reply``, ``note``, ``bounce``: stored; exit 0
- ``held``: an unknown sender under ``mail.unknown_senders = "hold"``; exit 0
- ``quarantined``: refused as data, with a reason; exit 65 (the mail server bounces),
  except automatic mail (auto-replies, bulk mail, newsletters) and bounces: exit 0, as a
  bounce of those is itself automatic mail and could start a loop
- a duplicate (same fingerprint as a stored message): nothing new; exit 0
- a temporary failure (database busy, disk error): nothing recorded; exit 75 (retry)

An unexpected exception while processing is not a reason to lose the message: it is
quarantined as "internal error: ..." in a fresh transaction (exit 65), and only when
that fails too does the intake answer 75.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from isvc.domain.mail import DEFAULT_TAG, Limits, MailRefused, find_tag, size_words
from isvc.domain.mailtag import strip_tags
from isvc.domain.models import Person, check_handle
from isvc.errors import DatabaseBusy, ExitCode, InvalidInput, IsvcError, NotFound
from isvc.services.desk import Desk
from isvc.store import directory
from isvc.store import mail as store
from isvc.store import requests as request_store
from isvc.store.db import write

# Stored outcomes; "dropped" is set by a person (`isvc mail quarantine drop`).
OUTCOMES = ("request", "reply", "note", "bounce", "quarantined", "held", "dropped")
RETRYABLE = ("quarantined", "held", "dropped")
# Of a message over mail.max_message_mb only its start is kept (headers and the first
# part of the body), enough to see who sent what; the sender's server bounces it (65).
OVERSIZE_KEEP = 1024 * 1024
# Temporary failures: nothing is recorded and the caller answers 75, so it comes again.
TEMPORARY = (DatabaseBusy, sqlite3.OperationalError, OSError, MemoryError)
MAX_TITLE = 200
KINDS = ("eml", "mbox", "maildir")
# Outbox kinds that go to staff only: a reply to one never reaches the customer.
INTERNAL_NOTICES = {"at_risk": "the at-risk notice", "breached": "the breach notice",
                    "oncall": "the on-call alert", "digest": "the daily digest"}


@dataclass
class Intake:
    """What one message became."""

    result: str                    # stored, duplicate (nothing new) or temporary (nothing recorded)
    outcome: str | None = None     # the row's outcome (OUTCOMES); None when temporary
    mail_id: int | None = None
    number: int | None = None
    event_id: int | None = None
    reason: str | None = None
    source: str | None = None
    sender: str | None = None
    subject: str | None = None
    automatic: bool = False        # quarantined as automatic mail or a bounce

    @property
    def exit_code(self) -> int:
        """For the mail server: 65 bounces a quarantined message, but never an automatic
        one or a bounce (a bounce of those is automatic mail too, and can loop): 0."""
        if self.result == "temporary":
            return ExitCode.TEMPORARY
        if self.result == "stored" and self.outcome == "quarantined" and not self.automatic:
            return ExitCode.DATA_REFUSED
        return ExitCode.OK


@dataclass
class Incoming:
    """One message read from a source, before intake."""

    raw: bytes                     # at most max_message_bytes + 1 bytes
    size: int                      # its real size, when known (else len(raw))
    source: str
    path: Path | None = None       # a Maildir file, marked seen once handled
    error: str | None = None       # it could not be read (this time): a temporary failure


@dataclass
class _Outcome:
    outcome: str
    reason: str | None = None
    number: int | None = None
    event_id: int | None = None
    automatic: bool = False


def _quarantine(reason: str, automatic: bool = False) -> _Outcome:
    return _Outcome("quarantined", reason, automatic=automatic)


def mail_config(desk: Desk) -> dict:
    from isvc.config import DEFAULTS

    return {**DEFAULTS["mail"], **(desk.config.get("mail") or {})}


def limits_of(desk: Desk) -> Limits:
    mail = mail_config(desk)
    try:
        return Limits.from_config(mail)
    except (TypeError, ValueError):
        raise InvalidInput("config mail.max_message_mb, max_attachment_mb, max_parts and "
                           "max_header_kb take whole numbers; fix the config file") from None


def _parser():
    from isvc.domain import mailparse

    return mailparse


# -- reading sources ---------------------------------------------------------------------

def detect_kind(source: str | None, forced: str | None) -> str:
    """``stdin`` (one message), ``eml``, ``mbox`` or ``maildir``."""
    if forced is not None:
        forced = forced.strip().lower()
        if forced not in KINDS:
            raise InvalidInput(f"unknown --format {forced!r}; use eml, mbox or maildir")
    if source in (None, "-"):
        if forced == "maildir":
            raise InvalidInput("a Maildir is a folder; give its path instead of -")
        return "mbox-stdin" if forced == "mbox" else "stdin"
    path = Path(source)
    if not path.exists():
        raise NotFound(f"no file or folder {source}")
    if path.is_dir():
        if forced not in (None, "maildir"):
            raise InvalidInput(f"{source} is a folder; --format {forced} reads a file")
        if not all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
            raise InvalidInput(f"{source} is a folder but not a Maildir (it needs cur/, new/ and tmp/)")
        return "maildir"
    if forced == "maildir":
        raise InvalidInput(f"{source} is a file, not a Maildir folder")
    if forced:
        return forced
    if path.suffix.lower() == ".eml":
        return "eml"  # one message, even when it starts with an mbox "From " line
    with open(path, "rb") as fh:
        return "mbox" if fh.read(5) == b"From " else "eml"


def read_stream(stream: BinaryIO, cap: int, source: str = "stdin") -> Incoming:
    """One message, reading at most ``cap + 1`` bytes: an over-size message is refused
    without reading gigabytes."""
    raw = stream.read(cap + 1) or b""
    return Incoming(raw=raw, size=len(raw), source=source)


def read_file(path: Path, cap: int, source: str | None = None) -> Incoming:
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        raw = fh.read(cap + 1)
    return Incoming(raw=raw, size=max(size, len(raw)), source=source or str(path))


def iter_mbox(stream: BinaryIO, cap: int, name: str) -> Iterator[Incoming]:
    """The messages of an mbox, byte-exact (the ``From `` separator line is not part of a
    message, nor is the blank line before the next one; ``>From`` quoting is kept).

    Reads in bounded chunks, so a huge message costs at most ``cap`` bytes of memory."""
    chunks: list[bytes] = []
    kept = size = 0
    index = 0
    at_line_start = True
    started = False

    def finish() -> Incoming:
        data = b"".join(chunks)
        trimmed = data
        if trimmed.endswith(b"\r\n\r\n"):
            trimmed = trimmed[:-2]
        elif trimmed.endswith(b"\n\n"):
            trimmed = trimmed[:-1]
        return Incoming(raw=trimmed, size=size - (len(data) - len(trimmed)),
                        source=f"{name} #{index}")

    while True:
        piece = stream.readline(64 * 1024)
        if not piece:
            break
        if at_line_start and piece.startswith(b"From "):
            if started or b"".join(chunks).strip():
                if not started:
                    index += 1  # text before the first separator is a message too
                yield finish()
            started = True
            index += 1
            chunks, kept, size = [], 0, 0
            at_line_start = piece.endswith(b"\n")
            while not at_line_start:  # the rest of an overlong separator line
                piece = stream.readline(64 * 1024)
                if not piece:
                    break
                at_line_start = piece.endswith(b"\n")
            continue
        at_line_start = piece.endswith(b"\n")
        size += len(piece)
        if kept <= cap:
            chunks.append(piece)
            kept += len(piece)
    if started or b"".join(chunks).strip():
        if not started:
            index += 1
        yield finish()


def _maildir_flags(name: str) -> tuple[str, str]:
    base, sep, info = name.rpartition(":")
    if sep and info.startswith("2,"):
        return base, info[2:]
    return name, ""


def iter_maildir(folder: Path, cap: int) -> Iterator[Incoming]:
    """Messages in new/ and cur/ not yet marked seen (no S flag), oldest name first."""
    for sub in ("new", "cur"):
        try:
            names = sorted(os.listdir(folder / sub))
        except FileNotFoundError:
            continue
        for name in names:
            if name.startswith("."):
                continue
            if "S" in _maildir_flags(name)[1]:
                continue
            path = folder / sub / name
            try:
                incoming = read_file(path, cap)
            except (FileNotFoundError, IsADirectoryError):
                continue  # another run took it a moment ago
            except OSError as exc:
                incoming = Incoming(b"", 0, str(path), error=f"cannot read {path}: {exc.strerror or exc}")
            incoming.path = path
            yield incoming


def mark_seen(path: Path) -> None:
    """Move a Maildir message to cur/ with the S flag (a plain rename: the bytes stay as
    they are). Gone already (another run did it): nothing to do."""
    base, flags = _maildir_flags(path.name)
    flags = "".join(sorted(set(flags) | {"S"}))
    target = path.parent.parent / "cur" / f"{base}:2,{flags}"
    try:
        os.rename(path, target)
    except FileNotFoundError:
        pass


# -- intake -------------------------------------------------------------------------------

def import_message(desk: Desk, raw: bytes, *, size: int | None = None,
                   source: str | None = None) -> Intake:
    """Take in one message (see the module's docstring for what it may become)."""
    return _intake(desk, raw, max(size or 0, len(raw)), source, row=None, accept=False)


def import_all(desk: Desk, messages: Iterator[Incoming], *, keep: bool = True) -> Iterator[Intake]:
    """Each message in its own transaction; Maildir files are marked seen once handled
    (stored, duplicate or quarantined) unless ``keep``. A temporary failure leaves the
    message where it is for the next run."""
    for incoming in messages:
        if incoming.error is not None:
            yield Intake("temporary", reason=incoming.error, source=incoming.source)
            continue
        result = import_message(desk, incoming.raw, size=incoming.size, source=incoming.source)
        if incoming.path is not None and not keep and result.result != "temporary":
            mark_seen(incoming.path)
        yield result


def _describe(exc: BaseException) -> str:
    if isinstance(exc, IsvcError):
        return str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return f"the database stayed busy ({exc}); try again"
    return f"{type(exc).__name__}: {exc}"


def _intake(desk: Desk, raw: bytes, size: int, source: str | None, *, row: dict | None,
            accept: bool, retried_by: str | None = None) -> Intake:
    fingerprint = row["fingerprint"] if row else None
    truncated = size > len(raw)
    try:
        limits = limits_of(desk)
        if size > limits.max_message_bytes or truncated:
            raw = raw[:min(OVERSIZE_KEEP, limits.max_message_bytes)]
        mp = _parser()
        if fingerprint is None:
            fingerprint = mp.fingerprint(raw)
            existing = store.by_fingerprint(desk.conn, fingerprint)
            if existing is not None:
                return _duplicate(existing, source)
        parsed, refusal = None, None
        if truncated or size > limits.max_message_bytes:
            refusal = _oversize_reason(size, len(raw), limits)
        else:
            try:
                parsed = mp.parse(raw, limits)
            except MailRefused as exc:
                refusal = str(exc) or "the message cannot be read"
        with write(desk.conn):
            return _record(desk, raw, size, source, fingerprint, parsed, refusal, row=row,
                           accept=accept, retried_by=retried_by)
    except TEMPORARY as exc:
        return Intake("temporary", reason=_describe(exc), source=source)
    except IsvcError as exc:
        reason = str(exc)  # refused by a rule of the desk (a deactivated sender, ...)
    except Exception as exc:  # noqa: BLE001 - a message is never lost to a bug
        reason = f"internal error: {type(exc).__name__}: {exc}"
    try:
        with write(desk.conn):
            return _record(desk, raw, size, source, fingerprint or _fallback_fingerprint(raw),
                           None, reason, row=row, accept=accept, retried_by=retried_by)
    except Exception as exc:  # noqa: BLE001 - even quarantining failed: let the sender retry
        return Intake("temporary", reason=f"{reason}; quarantining it failed too ({_describe(exc)})",
                      source=source)


def _fallback_fingerprint(raw: bytes) -> str:
    import hashlib

    return "raw-sha256:" + hashlib.sha256(raw).hexdigest()


def _oversize_reason(size: int, kept: int, limits: Limits) -> str:
    limit = f"mail.max_message_mb ({limits.max_message_bytes / (1024 * 1024):g} MB)"
    # from a pipe only max + 1 bytes are read, so the real size is not known
    what = "larger than" if size == limits.max_message_bytes + 1 else f"of {size} bytes is over"
    return f"message too large: {what} {limit}; only its first {kept} bytes were kept"


def _duplicate(existing: dict, source: str | None) -> Intake:
    return Intake("duplicate", existing["outcome"], existing["id"], existing["number"],
                  existing["event_id"], existing["reason"], source, existing["sender"],
                  existing["subject"])


def _peek(raw: bytes) -> tuple[str | None, str | None, str | None]:
    """(message id, sender, subject) of a message the parser refused, best effort, for
    the quarantine list."""
    try:
        from email.header import decode_header, make_header
        from email.parser import BytesHeaderParser
        from email.policy import compat32
        from email.utils import parseaddr

        msg = BytesHeaderParser(policy=compat32).parsebytes(raw[:256 * 1024])

        def text(name: str) -> str | None:
            value = msg.get(name)
            if value is None:
                return None
            try:
                value = str(make_header(decode_header(str(value))))
            except Exception:  # noqa: BLE001
                value = str(value)
            return " ".join(value.split())[:500] or None

        mid = text("Message-ID")
        sender = parseaddr(text("From") or "")[1].lower() or None
        return (mid.strip("<> ") if mid else None), sender, text("Subject")
    except Exception:  # noqa: BLE001 - the reason says what is wrong; this is decoration
        return None, None, None


def _record(desk: Desk, raw: bytes, size: int, source: str | None, fingerprint: str,
            parsed, refusal: str | None, *, row: dict | None, accept: bool,
            retried_by: str | None) -> Intake:
    """Inside the write transaction: the row, and what the message makes."""
    if row is None:
        existing = store.by_fingerprint(desk.conn, fingerprint)
        if existing is not None:  # another process stored it while we parsed
            return _duplicate(existing, source)
    if parsed is not None:
        message_id, sender, subject = parsed.message_id, parsed.from_addr, parsed.subject or None
    else:
        message_id, sender, subject = _peek(raw)
    if row is None:
        mail_id = store.insert(desk.conn, fingerprint=fingerprint, raw=raw, size=size,
                               received_at=desk.now_iso, outcome="quarantined", reason="processing",
                               message_id=message_id, sender=sender, subject=subject, source=source)
    else:
        mail_id = row["id"]
    if refusal is not None:
        done = _quarantine(refusal)
    else:
        route = _Route(desk, parsed, mail_id, accept)
        done = route.run()
        # notifications the sender's changes queued count for this command (send_immediately)
        queued = sum(getattr(d, "queued_notifications", 0) for d in route.acting)
        if queued:
            desk.queued_notifications = getattr(desk, "queued_notifications", 0) + queued
    store.update(desk.conn, mail_id, message_id=message_id, sender=sender, subject=subject,
                 outcome=done.outcome, reason=done.reason, number=done.number,
                 event_id=done.event_id, updated_at=desk.now_iso)
    if retried_by is not None:
        directory.audit(desk.conn, desk.now_iso, retried_by, "mail.retry", str(mail_id),
                        {"from": row["outcome"], "to": done.outcome, "number": done.number})
    return Intake("stored", done.outcome, mail_id, done.number, done.event_id, done.reason,
                  source, sender, subject, automatic=done.automatic)


# -- routing -----------------------------------------------------------------------------

_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|fw|aw|sv|wg|tr|antw|vs)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)+", re.I)


def clean_title(subject: str, tag: str = DEFAULT_TAG) -> str:
    """A request title from a subject: no tags in the desk's format (``tag``), no
    Re:/Fwd: prefixes, one line, at most 200 characters; "(no subject)" when nothing is
    left."""
    title = strip_tags(subject or "", tag)
    title = _PREFIX.sub("", title).strip()
    if len(title) > MAX_TITLE:
        title = title[:MAX_TITLE - 1].rstrip() + "…"
    return title or "(no subject)"


def _local(address: str) -> str:
    return address.rpartition("@")[0] if "@" in address else address


class _Route:
    """Decides what one parsed message becomes, and makes it (inside the transaction)."""

    def __init__(self, desk: Desk, parsed, mail_id: int, accept: bool):
        self.desk = desk
        self.conn = desk.conn
        self.p = parsed
        self.mail_id = mail_id
        self.accept = accept
        self.acting: list[Desk] = []
        self.cfg = mail_config(desk)
        from email.utils import parseaddr

        own = parseaddr(str(self.cfg.get("address") or ""))[1].strip().lower()
        routes = self.cfg.get("routes") or {}
        if not isinstance(routes, dict):
            routes = {}
        self.routes = {str(k).strip().lower(): v for k, v in routes.items()}
        # the desk's own addresses: mail from them is a loop; they never become watchers
        self.own = {a for a in [own, *self.routes] if a and not a.endswith("@")}
        self.own_locals = {k for k in self.routes if k.endswith("@")}

    def as_sender(self, handle: str) -> Desk:
        """The same desk, the same transaction, acting as the message's sender."""
        acting = Desk(conn=self.conn, actor=handle, now=self.desk.now, config=self.desk.config)
        self.acting.append(acting)
        return acting

    def is_desk_address(self, address: str) -> bool:
        return address in self.own or f"{_local(address)}@" in self.own_locals

    def run(self) -> _Outcome:
        p = self.p
        sender = (p.from_addr or "").strip().lower() or None
        if sender and sender in self.own:
            return _quarantine(f"mail loop: sent from the desk's own address {sender}")
        if p.bounce:
            return self.bounce(sender)
        if not sender:
            return _quarantine("no sender address (From is missing or cannot be read)")
        if p.automatic:
            return _quarantine(f"automatic mail ({p.automatic})", automatic=True)
        number, notice = self.thread()
        if notice is not None:
            return self.notice_reply(sender, number, notice)
        if number is not None:
            return self.reply(sender, number)
        return self.new_request(sender)

    # -- threading ------------------------------------------------------------------

    def tag_format(self) -> str:
        return str(self.cfg.get("tag") or DEFAULT_TAG)

    def _existing(self, number: int | None) -> int | None:
        if number is None:
            return None
        return number if request_store.get_request(self.conn, number) is not None else None

    def thread(self) -> tuple[int | None, str | None]:
        """(the request, the staff-only notice it answers or None). In-Reply-To and
        References that name a message isvc sent or took in win over the subject (a tag
        can be typed, copied or forged; the headers name the very message answered); else
        the subject's first tag, when that request exists."""
        ids = [*self.p.in_reply_to, *reversed(self.p.references)]
        match = store.thread_match(self.conn, ids)
        if match is not None:
            if match["kind"] in INTERNAL_NOTICES:
                return self._existing(match["number"]), match["kind"]
            number = self._existing(match["number"])
            if number is not None:
                return number, None
        return self._existing(find_tag(self.p.subject or "", self.tag_format())), None

    # -- a reply ----------------------------------------------------------------------

    def may_reply(self, handle: str, req) -> bool:
        return (handle == req.requester or handle in req.watchers or handle == req.assignee
                or req.team in directory.teams_of(self.conn, handle))

    def is_staff(self, person: Person | None) -> bool:
        """An active desk admin (a named one) or member of a team: whom staff-only notices
        go to."""
        if person is None or not person.active:
            return False
        return (person.handle in self.desk.admins()
                or bool(directory.teams_of(self.conn, person.handle)))

    def notice_reply(self, sender: str, number: int | None, kind: str) -> _Outcome:
        """A reply to a staff-only notice (at risk, breached, on call, the digest): from
        staff it is an internal note on the request, never a public reply (the customer
        must not get it); from anyone else the unverified-sender rule applies."""
        what = INTERNAL_NOTICES[kind]
        person = directory.person_by_email(self.conn, sender)
        staff = self.is_staff(person)
        if number is None:
            if kind == "digest":
                if staff:
                    return _quarantine("a reply to the daily digest, which is not a request")
                return _quarantine(f"unverified reply from {sender} to the daily digest, "
                                   "which is not a request")
            return _quarantine(f"a reply to {what} of a request that no longer exists")
        if not staff:
            return self.unverified(sender, person, number, self.reply_text())
        message = f"By mail, in reply to {what}:\n\n{self.reply_text()}{self.files_note()}"
        event_id = request_store.insert_event(self.conn, number, self.desk.now_iso, person.handle,
                                              "note", message=message, internal=True)
        request_store.update_request(self.conn, number, updated_at=self.desk.now_iso)
        self.keep_files(number, event_id)
        return _Outcome("note", f"a reply from {sender} to {what}: added as an internal note",
                        number, event_id)

    def reply(self, sender: str, number: int) -> _Outcome:
        from isvc.services import requests

        req = request_store.get_request(self.conn, number)
        person = directory.person_by_email(self.conn, sender)
        text = self.reply_text()
        if person is not None and self.may_reply(person.handle, req):
            as_sender = self.as_sender(person.handle)
            _, follow_up = requests.comment(as_sender, number, text + self.files_note())
            if follow_up is not None:
                event_id = store.last_event_id(self.conn, follow_up.number, ("filed",))
                self.keep_files(follow_up.number, event_id)
                return _Outcome("request", f"a reply to #{number} ({req.status.label}) filed "
                                f"follow-up #{follow_up.number}", follow_up.number, event_id)
            event_id = store.last_event_id(self.conn, number, ("reply",))
            self.keep_files(number, event_id)
            return _Outcome("reply", None, number, event_id)
        return self.unverified(sender, person, number, text)

    def unverified(self, sender: str, person: Person | None, number: int, text: str) -> _Outcome:
        """A reply from someone who may not answer on the request: an internal note or the
        quarantine (config mail.unverified_replies)."""
        policy = str(self.cfg.get("unverified_replies") or "note").strip().lower()
        if policy == "quarantine":
            return _quarantine(f"unverified reply from {sender} to #{number} "
                               "(mail.unverified_replies = quarantine)")
        if policy != "note":
            return _quarantine(f"config mail.unverified_replies is {policy!r}; use note or quarantine")
        actor = person.handle if person is not None else sender
        message = f"Unverified sender {sender} wrote:\n\n{text}{self.files_note()}"
        event_id = request_store.insert_event(self.conn, number, self.desk.now_iso, actor, "note",
                                              message=message, internal=True)
        request_store.update_request(self.conn, number, updated_at=self.desk.now_iso)
        self.keep_files(number, event_id)
        return _Outcome("note", f"unverified sender {sender}: added as an internal note", number,
                        event_id)

    def reply_text(self) -> str:
        text = (self.p.text or "").strip()
        trimmed = (_parser().trim_quoted(text) or "").strip()
        if trimmed:
            return trimmed
        if text:
            return text  # all of it was quote: keep it rather than nothing
        return "(attachments only)" if self.p.attachments else "(empty message)"

    # -- a bounce ---------------------------------------------------------------------

    def bounce(self, sender: str | None) -> _Outcome:
        p = self.p
        sent = store.outbox_message(self.conn, p.bounced_message_id) if p.bounced_message_id else None
        number = self._existing(sent["number"]) if sent and sent["number"] is not None else None
        if number is None:
            for subject in (p.bounced_subject, p.subject):
                number = self._existing(find_tag(subject or "", self.tag_format()))
                if number is not None:
                    break
        if number is None:
            return _quarantine("bounce (delivery status notification) for a message isvc did "
                               "not send", automatic=True)
        who, detail = _bounce_summary(p, sent)
        message = f"Delivery failed: {who}."
        if detail:
            message += f"\n\n{detail}"
        message += f"\n\n(The whole report: isvc mail show {self.mail_id})"
        # an internal note straight through the store: a bounce notifies nobody
        event_id = request_store.insert_event(self.conn, number, self.desk.now_iso,
                                              sender or "mailer-daemon", "note",
                                              message=message, internal=True)
        request_store.update_request(self.conn, number, updated_at=self.desk.now_iso)
        return _Outcome("bounce", f"delivery failed: {who}", number, event_id)

    # -- a new request ----------------------------------------------------------------

    def addresses(self) -> list[str]:
        p = self.p
        return list(dict.fromkeys(a.strip().lower() for a in [*p.delivered_to, *p.to, *p.cc]
                                  if a and "@" in a))

    def _team(self, handle, key: str) -> tuple[str | None, str | None]:
        handle = str(handle or "").strip().lstrip("+")
        if handle and directory.team_exists(self.conn, handle):
            return handle, None
        return None, f"config {key} names team {handle!r}, which does not exist; fix the config"

    def choose_team(self, sender: str) -> tuple[str | None, str | None]:
        """(team, None), or (None, why not): rules, routes, a team's handle as the local
        part of an address, the default team."""
        rules = self.cfg.get("rules") or []
        if not isinstance(rules, list):
            return None, "config mail.rules must be a list of tables"
        subject = self.p.subject or ""
        for i, rule in enumerate(rules):
            if not isinstance(rule, dict):
                return None, f"config mail.rules[{i}] must be a table like {{subject = \"...\", team = \"...\"}}"
            matched = True
            for key, value in (("subject", subject), ("from", sender)):
                pattern = rule.get(key)
                if not pattern:
                    continue
                try:
                    if not re.search(str(pattern), value, re.I):
                        matched = False
                except re.error as exc:
                    return None, f"config mail.rules[{i}].{key} is not a valid regular expression ({exc})"
            if matched:
                return self._team(rule.get("team"), f"mail.rules[{i}].team")
        addresses = [a for a in self.addresses() if a != sender]
        for address in addresses:
            for key in (address, f"{_local(address)}@"):
                if key in self.routes:
                    return self._team(self.routes[key], f'mail.routes["{key}"]')
        for address in addresses:
            local = _local(address)
            if re.fullmatch(r"[a-z][a-z0-9._-]{0,31}", local) and directory.team_exists(self.conn, local):
                return local, None
        default = str(self.cfg.get("default_team") or "").strip()
        if default:
            return self._team(default, "mail.default_team")
        to = addresses[0] if addresses else "(no recipient)"
        return None, f"no team for mail to {to}; set mail.default_team or a route"

    def new_request(self, sender: str) -> _Outcome:
        from isvc.services import requests

        team, problem = self.choose_team(sender)
        if team is None:
            return _quarantine(problem)
        person = directory.person_by_email(self.conn, sender)
        if person is None:
            policy = str(self.cfg.get("unknown_senders") or "accept").strip().lower()
            if policy not in ("accept", "hold", "refuse"):
                return _quarantine(f"config mail.unknown_senders is {policy!r}; use accept, hold or refuse")
            if policy == "hold" and not self.accept:
                return _Outcome("held", f"unknown sender {sender} held for review")
            if policy == "refuse" and not self.accept:
                return _quarantine(f"unknown sender {sender} refused (mail.unknown_senders = refuse)")
            person = self.create_person(sender)
        watchers = self.watchers(sender, person.handle)
        body = (self.p.text or "").strip() + self.files_note()
        filed = requests.file_request(self.as_sender(person.handle),
                                      clean_title(self.p.subject, self.tag_format()),
                                      team, body=body, watchers=watchers, channel="mail",
                                      thread_root=self.p.message_id)
        number = filed.request.number
        event_id = store.last_event_id(self.conn, number, ("filed",))
        self.keep_files(number, event_id)
        return _Outcome("request", None, number, event_id)

    def watchers(self, sender: str, requester: str) -> list[str]:
        """People the message was also sent to (To, Cc) whom the desk knows; never the desk's
        own addresses, and never a new person."""
        handles = []
        for address in dict.fromkeys(a.strip().lower() for a in [*self.p.to, *self.p.cc] if a):
            if address == sender or self.is_desk_address(address):
                continue
            person = directory.person_by_email(self.conn, address)
            if person is not None and person.active and person.handle != requester:
                handles.append(person.handle)
        return handles

    def create_person(self, sender: str) -> Person:
        handle = _handle_for(self.conn, sender)
        name = " ".join((self.p.from_name or "").split())[:100] or _local(sender)[:100] or handle
        person = Person(handle=handle, name=name, email=sender)
        directory.insert_person(self.conn, person, self.desk.now_iso)
        directory.audit(self.conn, self.desk.now_iso, self.desk.actor, "person.auto_create", handle,
                        {"reason": "mail from an unknown sender", "email": sender,
                         "mail_id": self.mail_id})
        return person

    # -- attachments ------------------------------------------------------------------

    def files_note(self) -> str:
        files = self.p.attachments
        if not files:
            return ""
        lines = []
        stored = [f for f in files if f.data is not None]
        over = [f for f in files if f.data is None]
        if stored:
            lines.append("Attached: " + ", ".join(f"{f.filename} ({size_words(f.size)})" for f in stored))
        if over:
            limit = self.cfg.get("max_attachment_mb")
            lines.append("Not stored (over mail.max_attachment_mb = " + f"{limit} MB): "
                         + ", ".join(f"{f.filename} ({size_words(f.size)})" for f in over)
                         + f"; the raw mail keeps it: isvc mail show {self.mail_id} --raw")
        return "\n\n" + "\n".join(f"[{line}]" for line in lines)

    def keep_files(self, number: int, event_id: int | None) -> None:
        if self.p.attachments:
            from isvc.services import attachments

            attachments.keep(self.desk, number, event_id, self.mail_id, self.p.attachments)


def _handle_for(conn: sqlite3.Connection, address: str) -> str:
    """A new person's handle from an address's local part: lower-case, valid, unique."""
    base = re.sub(r"[^a-z0-9._-]+", "-", _local(address).lower())
    base = re.sub(r"^[^a-z]+", "", base).strip("-._") or "sender"
    base = base[:32]
    handle, n = base, 2
    while directory.person_exists(conn, handle):
        suffix = str(n)
        handle = base[:32 - len(suffix)] + suffix
        n += 1
    return check_handle(handle, "sender handle")


def _bounce_summary(p, sent: dict | None) -> tuple[str, str]:
    """(who it was for, what the mail system said): the outbox row, and the first paragraph
    of the report that carries a status code or a reason."""
    who = (f"the {sent['kind']} mail to {sent['recipient']} (outbox {sent['id']}) came back"
           if sent else f"a mail about this request came back ({p.subject or 'no subject'})")
    paragraphs = [" ".join(x.split()) for x in re.split(r"\n\s*\n", p.text or "") if x.strip()]
    said = [x for x in paragraphs
            if re.search(r"\b[245]\.\d{1,3}\.\d{1,3}\b|reason:|said:", x, re.I)]
    detail = said[0] if said else (paragraphs[0] if paragraphs else "")
    if len(detail) > 400:
        detail = detail[:399].rstrip() + "…"
    return who, detail


# -- the quarantine and the intake log ------------------------------------------------------

def _load(desk: Desk, mail_id: int) -> dict:
    row = store.get(desk.conn, mail_id)
    if row is None:
        raise NotFound(f"no mail {mail_id}; see `isvc mail list`")
    return row


def list_mail(desk: Desk, outcome: str | None = None, limit: int = 50) -> list[dict]:
    desk.require_staff("read the mail intake")
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    outcomes = None
    if outcome:
        outcome = outcome.strip().lower()
        if outcome not in OUTCOMES:
            raise InvalidInput(f"unknown outcome {outcome!r}; use one of: {', '.join(OUTCOMES)}")
        outcomes = [outcome]
    return store.list_rows(desk.conn, outcomes=outcomes, limit=limit)


def quarantine(desk: Desk, limit: int = 50) -> list[dict]:
    """Quarantined and held messages, newest first."""
    desk.require_staff("read the mail quarantine")
    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    return store.list_rows(desk.conn, outcomes=store.OPEN_OUTCOMES, limit=limit)


@dataclass
class MailView:
    row: dict
    parsed: object | None          # ParsedMail, or None when the parser refuses it
    parse_problem: str | None
    attachments: list[dict]


def _visible(desk: Desk, mail_id: int, quarantined_only: bool) -> dict:
    desk.require_staff("read the mail intake")
    row = _load(desk, mail_id)
    if quarantined_only and row["outcome"] not in RETRYABLE:
        became = f" #{row['number']}" if row["number"] else ""
        raise NotFound(f"mail {mail_id} is not in the quarantine (it became {row['outcome']}{became}); "
                       f"see `isvc mail show {mail_id}`")
    return row


def show(desk: Desk, mail_id: int, *, quarantined_only: bool = False) -> MailView:
    row = _visible(desk, mail_id, quarantined_only)
    from isvc.store import attachments as attachment_store

    raw = store.raw(desk.conn, mail_id)
    parsed, problem = None, None
    try:
        parsed = _parser().parse(raw, limits_of(desk))
    except MailRefused as exc:
        problem = str(exc)
    except IsvcError:
        raise
    except Exception as exc:  # noqa: BLE001 - showing must work for the messages that broke intake
        problem = f"internal error: {type(exc).__name__}: {exc}"
    return MailView(row, parsed, problem, attachment_store.for_mail(desk.conn, mail_id, row["number"]))


def raw_bytes(desk: Desk, mail_id: int, *, quarantined_only: bool = False) -> bytes:
    _visible(desk, mail_id, quarantined_only)
    return store.raw(desk.conn, mail_id)


def retry(desk: Desk, mail_id: int, *, accept: bool = False) -> Intake:
    """Take a quarantined, held or dropped message in again with the current config
    (after setting mail.default_team, say); its row is updated, never duplicated.
    ``accept`` takes an unknown sender in whatever mail.unknown_senders says."""
    desk.require_admin("retry quarantined mail")
    row = _load(desk, mail_id)
    if row["outcome"] not in RETRYABLE:
        raise InvalidInput(f"mail {mail_id} became {row['outcome']} #{row['number']}; only "
                           "quarantined, held or dropped mail can be retried")
    raw = store.raw(desk.conn, mail_id)
    if row["size"] > len(raw):  # cut at the size limit: the rest of it was never kept
        kept = (f"{len(raw) // (1024 * 1024)} MB" if len(raw) % (1024 * 1024) == 0
                else size_words(len(raw)))
        raise InvalidInput(f"mail {mail_id} was over the size limit when it came and only its "
                           f"first {kept} was kept; it cannot be taken in again: ask the sender "
                           "to send it again (smaller)")
    return _intake(desk, raw, row["size"], row["source"], row=row, accept=accept,
                   retried_by=desk.actor)


def drop(desk: Desk, mail_id: int) -> dict:
    """Mark a quarantined or held message dropped; its raw bytes are kept."""
    with write(desk.conn):
        desk.require_admin("drop quarantined mail")
        row = _load(desk, mail_id)
        if row["outcome"] not in store.OPEN_OUTCOMES:
            raise InvalidInput(f"mail {mail_id} is {row['outcome']}; only quarantined or held "
                               "mail can be dropped")
        store.update(desk.conn, mail_id, outcome="dropped", updated_at=desk.now_iso)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "mail.drop", str(mail_id),
                        {"sender": row["sender"], "subject": row["subject"], "reason": row["reason"]})
    return store.get(desk.conn, mail_id)
