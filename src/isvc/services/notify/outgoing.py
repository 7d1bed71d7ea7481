"""One change's notifications: the config read once, Message-IDs that thread every mail
about a request together, who can be reached, and the outbox rows themselves."""

from __future__ import annotations

import os

from isvc.domain import notices
from isvc.domain.mailtag import DEFAULT_TAG, check_tag_format
from isvc.errors import InvalidInput
from isvc.services.notify import events, section
from isvc.store import notices as store
from isvc.store import outbox

__all__ = ["Outgoing", "events", "reachable", "request_json", "setting"]

_UNKNOWN = object()


def setting(desk, name: str, key: str):
    return section(desk, name).get(key)


def reachable(person: dict | None) -> bool:
    """Only active people with an e-mail address get mail."""
    return bool(person and person.get("active") and person.get("email"))


class Outgoing:
    """Writes outbox rows for one change (call inside its write transaction) and counts
    them on the desk (``Desk.queued_notifications``)."""

    def __init__(self, desk):
        self.desk = desk
        self.conn = desk.conn
        mail = section(desk, "mail")
        self.tag = mail.get("tag") or DEFAULT_TAG
        try:
            check_tag_format(self.tag)
        except InvalidInput:  # a bad mail.tag must not stop the change; the intake reports it
            self.tag = DEFAULT_TAG
        address = mail.get("address") or ""
        self.signature = notices.sender_name(address)
        self.domain = notices.mail_domain(address)
        self._roots: dict[int, str | None] = {}
        self._hooks: dict[tuple[str, str | None], list[dict]] = {}
        self._teams: dict[str, list[dict]] = {}

    # -- threading ----------------------------------------------------------------------------

    def new_thread(self, number: int, root: str | None = None) -> None:
        """``number`` was just filed: its thread starts at ``root`` (the mail that filed
        it), or at the first mail queued about it."""
        self._roots[number] = root

    def root(self, number: int) -> str | None:
        found = self._roots.get(number, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._roots[number] = store.thread_root(self.conn, number)
        return found

    def message_id(self, number: int | None, what: str | None = None) -> str:
        # os.urandom(6).hex() is what secrets.token_hex(6) returns, without importing secrets
        return f"isvc.{number if number is not None else what}.{os.urandom(6).hex()}@{self.domain}"

    # -- rows -----------------------------------------------------------------------------------

    def mail(self, kind: str, number: int | None, person: dict, subject: str, body: str, *,
             auto: bool, dedupe_key: str | None = None, what: str | None = None) -> int | None:
        """One mail to ``person`` ({handle, email, ...}); threaded when about a request."""
        root = self.root(number) if number is not None else None
        message_id = self.message_id(number, what or kind)
        payload = {"auto": auto, "in_reply_to": root, "references": [root] if root else []}
        row = outbox.enqueue(
            self.conn, kind=kind, channel="mail", recipient=person["email"],
            person=person.get("handle"), number=number, subject=subject, body=body,
            payload=payload, message_id=message_id, dedupe_key=dedupe_key, now=self.desk.now_iso)
        if row is not None:
            self.desk.queued_notifications += 1
            if number is not None and root is None:
                self._roots[number] = message_id  # the first mail about it: later ones reply to it
        return row

    def hooks(self, event: str, team: str | None) -> list[dict]:
        """The webhooks subscribed to ``event`` for ``team`` (isvc.services.webhooks)."""
        key = (event, team)
        if key not in self._hooks:
            try:
                from isvc.services.webhooks import matching
            except ImportError:  # webhooks not installed in this build: none match
                self._hooks[key] = []
            else:
                self._hooks[key] = list(matching(self.conn, event, team))
        return self._hooks[key]

    def announce(self, kind: str, facts: dict, lines: list[str], extra: dict | None = None,
                 dedupe: str | None = None) -> None:
        """One row per webhook subscribed to ``kind`` for the request's team: a chat-sized
        subject and body, and the payload {"event", "request", **extra}; ``dedupe`` (a key
        prefix) gets the hook's name appended."""
        hooks = self.hooks(kind, facts["team"])
        if not hooks:
            return
        subject, body = notices.webhook_text(kind=kind, number=facts["number"],
                                             title=facts["title"], team=facts["team"],
                                             priority=facts["priority"], lines=lines)
        payload = {"event": kind, "request": request_json(facts), **(extra or {})}
        for hook in hooks:
            self.webhook(kind, hook, facts["number"], subject, body, payload,
                         dedupe_key=f"{dedupe}:{hook['name']}" if dedupe else None)

    def webhook(self, kind: str, hook: dict, number: int | None, subject: str, body: str,
                payload: dict, dedupe_key: str | None = None) -> int | None:
        row = outbox.enqueue(
            self.conn, kind=kind, channel="webhook", recipient=hook["name"], number=number,
            subject=subject, body=body, payload=payload, dedupe_key=dedupe_key,
            now=self.desk.now_iso)
        if row is not None:
            self.desk.queued_notifications += 1
        return row

    # -- recipients ---------------------------------------------------------------------------

    def members(self, team: str) -> list[dict]:
        """A team's active members with an e-mail address (read once per change)."""
        if team not in self._teams:
            self._teams[team] = store.team_members(self.conn, team)
        return self._teams[team]

    def expand(self, targets: list[str],
               people: dict[str, dict] | None = None) -> list[tuple[dict, str]]:
        """Handles and "+team" entries -> [(person, target)] of reachable people, each once;
        ``people`` may hold the handles already read."""
        handles = [t for t in targets if t and not t.startswith("+")]
        missing = [h for h in handles if people is None or h not in people]
        found = dict(people or {})
        if missing:
            found.update(store.people(self.conn, missing))
        out: list[tuple[dict, str]] = []
        seen: set[str] = set()
        for target in targets:
            if not target:
                continue
            group = self.members(target[1:]) if target.startswith("+") else [found.get(target)]
            for person in group:
                if reachable(person) and person["email"].lower() not in seen:
                    seen.add(person["email"].lower())
                    out.append((person, target))
        return out


def request_json(facts: dict) -> dict:
    """The ``request`` object of a webhook payload."""
    return {key: facts.get(key) for key in
            ("number", "title", "team", "priority", "status", "assignee", "requester")}
