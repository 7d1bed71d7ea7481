"""Notifications: rows written to the outbox in the transaction of the change that caused
them (`isvc notify send` delivers them later; store.outbox owns the table).

- ``outgoing``: one change's notifications: config, Message-IDs and threading, recipients.
- ``request_events``: hooks called by services.requests: ``filed`` (ack, oncall),
  ``replied`` (reply), ``resolved`` (resolved).
- ``sla_watch``: ``check`` for `isvc sla check --notify`: at-risk and breach notices once
  per state change, reminders to requesters, automatic resolution.
- ``digest``: ``queue_digests`` for `isvc notify digest`.

The texts are composed in isvc.domain.notices. This module imports nothing at file time,
and a hook whose events config notify.events leaves out returns before importing the
rest: `isvc request new` pays only for the notices it writes.
"""

from __future__ import annotations


def section(desk, name: str) -> dict:
    """A config section over its defaults (a Desk built without a config gets them all)."""
    from isvc.config import DEFAULTS

    return {**DEFAULTS[name], **((desk.config or {}).get(name) or {})}


def events(desk) -> set[str]:
    """The kinds config notify.events turns on (an event not listed writes nothing)."""
    return set(section(desk, "notify").get("events") or ())


def filed(desk, number: int, thread_root: str | None = None) -> None:
    """A request was filed: "ack" to its requester, "oncall" when urgent out of hours.
    ``thread_root``: the Message-ID of the mail that filed it, when the intake has not yet
    recorded that mail against the number (the ack then replies to it)."""
    if events(desk) & {"ack", "oncall"}:
        from isvc.services.notify.request_events import filed as run

        run(desk, number, thread_root)


def replied(desk, req, message: str) -> None:
    """A public reply on ``req`` (as it was before the reply) by the acting person."""
    if "reply" in events(desk):
        from isvc.services.notify.request_events import replied as run

        run(desk, req, message)


def resolved(desk, req, message: str | None) -> None:
    """``req`` (as it was before) was resolved by the acting person with ``message``."""
    if "resolved" in events(desk):
        from isvc.services.notify.request_events import resolved as run

        run(desk, req, message)


def check(desk, team: str | None = None):
    """`isvc sla check --notify`: see sla_watch.check."""
    from isvc.services.notify.sla_watch import check as run

    return run(desk, team)


def queue_digests(desk, team: str | None = None, force: bool = False) -> list[dict]:
    """Queue each team's daily digest (or one team's): see digest.queue_digests."""
    from isvc.services.notify.digest import queue_digests as run

    return run(desk, team, force)
