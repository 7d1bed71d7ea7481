"""Request use cases: filing, the lifecycle, replies and notes, assignment, edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from isvc.domain import lifecycle
from isvc.domain.filters import RequestFilter
from isvc.domain.models import (
    Event, Priority, Request, Status, parse_priority,
)
from isvc.errors import InvalidInput, NotFound
from isvc.services import access
from isvc.services.desk import Desk
from isvc.services.directory import require_person, require_team
from isvc.store import directory
from isvc.store import requests as store
from isvc.store.db import write

MAX_TITLE = 200


@dataclass
class Filed:
    request: Request
    existing: bool = False  # a --dedupe-key that was already used


@dataclass
class RequestView:
    request: Request
    events: list[Event]
    links: list[dict]
    waits: list[dict]
    can_see_internal: bool


@dataclass
class QueueView:
    team: str | None
    rows: list[Request]
    counts: dict[str, int]
    total_open: int
    mine: str | None = None
    extra: dict = field(default_factory=dict)


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("a request needs a title; e.g. isvc request new \"Laptop won't boot\" --team it")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"the title is {len(title)} characters; keep it under {MAX_TITLE} and put detail in --body")
    return title


def _clean_tag(tag: str) -> str:
    tag = tag.strip().lstrip("#").lower()
    if not tag or any(c.isspace() or c == "," for c in tag) or len(tag) > 40:
        raise InvalidInput(f"tag {tag!r} is not valid; tags are single words without commas")
    return tag


def parse_fields(pairs: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidInput(f"--field {pair!r} must look like key=value")
        fields[key] = value.strip()
    return fields


def _load(desk: Desk, number: int) -> Request:
    req = store.get_request(desk.conn, number)
    if req is None:
        raise NotFound(f"no request #{number}; see `isvc request list`")
    return req


def _roles(desk: Desk, req: Request) -> set[str]:
    return access.roles_of(desk.actor, desk.teams_of(), desk.is_admin(), req)


def _is_staff_reply(desk: Desk, req: Request) -> bool:
    """SLA-SPEC §7: only a provider-team member (or the assignee) who is not the requester
    stops the first-response clock; an assignee who is also the requester counts."""
    team_member = req.team in desk.teams_of()
    # a lateral helper who owns the request speaks for the team; a requester who took their
    # own request does not (no answering oneself to stop the clock)
    staff = team_member or (req.assignee == desk.actor and desk.actor != req.requester)
    return staff and (desk.actor != req.requester or req.assignee == desk.actor)


def _touch(desk: Desk, number: int, **values) -> None:
    store.update_request(desk.conn, number, updated_at=desk.now_iso, **values)


def _event(desk: Desk, number: int, kind: str, **kw) -> int:
    return store.insert_event(desk.conn, number, desk.now_iso, desk.actor, kind, **kw)


def _clocks(desk: Desk, number: int) -> None:
    """Every change that can move a clock ends here, inside its transaction."""
    from isvc.services import sla

    sla.recompute(desk.conn, [number], desk.now)


def _notices():
    """Notifications (isvc.services.notify): outbox rows written inside the caller's
    transaction; imported only when a hook runs."""
    from isvc.services import notify

    return notify


def _first_response(desk: Desk, req: Request) -> None:
    if req.first_response_at is None and _is_staff_reply(desk, req):
        _touch(desk, req.number, first_response_at=desk.now_iso)
        req.first_response_at = desk.now_iso


# -- filing ----------------------------------------------------------------------

def file_request(desk: Desk, title: str, team: str, *, priority: str | None = None,
                 type: str | None = None, body: str = "", requester: str | None = None,
                 fields: dict[str, str] | None = None, tags: list[str] = (),
                 watchers: list[str] = (), dedupe_key: str | None = None,
                 channel: str = "cli", thread_root: str | None = None,
                 justify: str | None = None) -> Filed:
    """``thread_root``: the Message-ID of the mail that filed it (the acknowledgement
    replies to it, so the requester's mail client threads the conversation).
    ``justify``: why it is urgent (required past the requester's urgency budget, see
    isvc.services.urgency), journaled as a ``justification`` event the agent sees."""
    title = _clean_title(title)
    prio = parse_priority(priority or desk.config.get("requests", {}).get("default_priority", "normal"))
    clean_tags = sorted({_clean_tag(t) for t in tags})
    if dedupe_key is not None and not dedupe_key.strip():
        raise InvalidInput("--dedupe-key must not be empty")
    with write(desk.conn):
        if dedupe_key:
            existing = store.number_for_dedupe_key(desk.conn, dedupe_key)
            if existing is not None:
                return Filed(store.get_request(desk.conn, existing), existing=True)
        team = require_team(desk, team)
        if type:  # a catalog type: its fields validated and normalised, its default priority
            from isvc.services import catalog

            type, fields, rtype = catalog.typed_fields(desk, team, type, fields or {})
            if rtype is not None and rtype.priority and priority is None:
                prio = parse_priority(rtype.priority)
        desk.ensure_actor()
        if requester and requester.lstrip("@") not in (desk.actor, "me"):
            requester = require_person(desk, requester)
            if team not in desk.teams_of() and not desk.is_admin():
                raise InvalidInput(
                    f"only members of team {team} or an admin may file for someone else; you are {desk.actor}")
        else:
            requester = desk.actor
        watcher_handles = sorted({require_person(desk, w) for w in watchers} - {requester})
        req = Request(
            number=0, title=title, body=body.strip(), status=Status.NEW, priority=prio, team=team,
            type=type, requester=requester, created_at=desk.now_iso, updated_at=desk.now_iso,
            fields=dict(fields or {}), tags=clean_tags, watchers=watcher_handles, channel=channel,
            dedupe_key=dedupe_key or None,
        )
        if channel != "mail" and (req.priority == Priority.URGENT or justify is not None):
            from isvc.services import urgency  # one indexed query, only for urgent requests

            justify = urgency.enforce(desk, requester, req.priority, justify)
        number = store.insert_request(desk.conn, req)
        _event(desk, number, "filed", to_value=Status.NEW.value, message=req.body or None)
        if justify:
            _event(desk, number, "justification", message=justify)
        _clocks(desk, number)
        _notices().filed(desk, number, thread_root)
    return Filed(store.get_request(desk.conn, number))


# -- reading -----------------------------------------------------------------------

def show(desk: Desk, number: int) -> RequestView:
    req = _load(desk, number)
    roles = _roles(desk, req)
    access.require("view", roles, req, desk.actor, "see")
    internal = access.can("view_internal", roles)
    return RequestView(
        request=req,
        events=store.events_for(desk.conn, number, include_internal=internal),
        links=store.links_for(desk.conn, number),
        waits=store.waits_for(desk.conn, number),
        can_see_internal=internal,
    )


def list_requests(desk: Desk, flt: RequestFilter, order: list[tuple[str, bool]],
                  limit: int | None) -> list[Request]:
    if limit is not None and limit < 1:
        raise InvalidInput("--limit must be at least 1")
    flt.teams = [require_team(desk, t) for t in flt.teams]
    if flt.requester:
        flt.requester = require_person(desk, flt.requester)
    if flt.assignee:
        flt.assignee = require_person(desk, flt.assignee)
    return store.list_requests(desk.conn, flt, order, limit)


def queue(desk: Desk, team: str | None, *, mine: bool = False, status: str | None = None,
          limit: int = 25, with_clocks: bool = True) -> QueueView:
    """The open requests most urgent first; ``with_clocks`` adds each row's live clock
    figures (the table and JSON show them; TSV does not, and skips the engine)."""
    from isvc.domain.models import OPEN_STATUSES, parse_status

    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    if team:
        team = require_team(desk, team)
    if status:
        st = parse_status(status)
        if st not in OPEN_STATUSES:
            raise InvalidInput(f"the queue holds open requests; --status {st.value} is not open "
                               f"(use `isvc request list --status {st.value}`)")
        status = st.value
    assignee = desk.actor if mine else None
    from isvc.services.ripple import blocking_counts

    blocks = blocking_counts(desk)  # one indexed query over open requests
    rows = store.queue(desk.conn, team, assignee, status, limit, desk.now_iso, blocks)
    counts = store.queue_counts(desk.conn, team, desk.now_iso, assignee)
    total = sum(counts.get(s.value, 0) for s in OPEN_STATUSES)
    clocks = {}
    if with_clocks:
        from isvc.services import sla

        clocks = sla.live(desk.conn, [r.number for r in rows], desk.now)
    return QueueView(team=team, rows=rows, counts=counts, total_open=total, mine=assignee,
                     extra={"clocks": clocks,
                            "blocks": {r.number: blocks.get(r.number, 0) for r in rows}})


# -- the lifecycle -------------------------------------------------------------------

def transition(desk: Desk, number: int, command: str, message: str | None = None,
               on: int | None = None, kb: int | None = None) -> Request:
    """ack, start, wait, resume, resolve, cancel, close, reopen; ``wait`` with ``on`` waits
    on request ``on`` (until it is resolved, cancelled or closed) instead of the requester;
    ``resolve`` with ``kb`` links the knowledge-base article that solved it."""
    if message is not None and not message.strip():
        raise InvalidInput("-m/--message must not be empty")
    if on is not None and command != "wait":
        raise InvalidInput("only `wait` waits on another request")
    if kb is not None and command != "resolve":
        raise InvalidInput("only `resolve` links a knowledge-base article")
    with write(desk.conn):
        req = _load(desk, number)
        access.require(command, _roles(desk, req), req, desk.actor)
        target = lifecycle.target_of(command, req.status, number)
        if on is not None:
            if on == number:
                raise InvalidInput(f"#{number} cannot wait on itself")
            other = _load(desk, on)
            if not other.is_open:
                raise InvalidInput(f"#{on} is {other.status.label}; wait only on an open request")
        desk.ensure_actor()
        if on is not None:
            from isvc.services import links

            links.add(desk, on, number, "blocks")
            _event(desk, number, "link", field="waiting_on", to_value=on, message=f"waiting on #{on}")
            _touch(desk, on)
        _apply_status(desk, req, target, message, wait_on=on)
        if kb is not None:
            from isvc.services.kb import link_article

            link_article(desk, number, kb)  # same transaction: no article, no resolve
    return store.get_request(desk.conn, number)


def close(desk: Desk, number: int, message: str | None = None, thanks: str | None = None,
          value: str | None = None):
    """Close a resolved request; ``thanks`` becomes a kudos tied to it, in the same
    transaction: to the assignee, or to the provider team when nobody (active) owns it.
    Returns (request, kudos or None)."""
    from isvc.domain.kudos import check_message
    from isvc.services import kudos

    if thanks is None:
        if value is not None:
            raise InvalidInput('--value goes with --thanks, e.g. --thanks "..." --value ownership')
        return transition(desk, number, "close", message), None
    check_message(thanks)
    if message is not None and not message.strip():
        raise InvalidInput("-m/--message must not be empty")
    with write(desk.conn):
        req = _load(desk, number)
        access.require("close", _roles(desk, req), req, desk.actor)
        target = lifecycle.target_of("close", req.status, number)
        desk.ensure_actor()
        _apply_status(desk, req, target, message)
        owner = directory.get_person(desk.conn, req.assignee) if req.assignee else None
        # nobody owns it, or its owner has left: the thanks go to the team that served it
        to_kind, handle = ("person", owner.handle) if owner and owner.active else ("team", req.team)
        given = kudos.give(desk, to_kind, handle, thanks, value=value, request=req)
    return store.get_request(desk.conn, number), given


def _apply_status(desk: Desk, req: Request, target: Status, message: str | None,
                  wait_on: int | None = None) -> None:
    now = desk.now_iso
    changes: dict = {"status": target.value}
    if req.status == Status.WAITING:
        store.close_wait(desk.conn, req.number, now)
        changes["waiting_on"] = None
    if target == Status.WAITING:
        if wait_on is None:
            store.open_wait(desk.conn, req.number, now, message, None)
            changes["waiting_on"] = "requester"
        else:
            store.open_wait(desk.conn, req.number, now, message, wait_on, kind="request")
            changes["waiting_on"] = str(wait_on)
    if target == Status.RESOLVED:
        changes["resolved_at"] = now
    if req.status == Status.RESOLVED and target == Status.IN_PROGRESS:
        # Reopened: the same resolution clock resumes, the resolved spell is a pause (§7).
        changes["resolved_at"] = None
        store.open_wait(desk.conn, req.number, req.resolved_at or now, "resolved until reopened",
                        kind="reopen", ended_at=now)
    if target in (Status.CLOSED, Status.CANCELLED):
        changes["closed_at"] = now
    _touch(desk, req.number, **changes)
    _event(desk, req.number, "status", from_value=req.status.value, to_value=target.value,
           field="request" if target == Status.WAITING and wait_on is not None else None,
           message=message.strip() if message else None)
    if target == Status.ACKNOWLEDGED or (message and target != Status.CANCELLED):
        _first_response(desk, req)
    _clocks(desk, req.number)
    if target == Status.RESOLVED:
        _notices().resolved(desk, req, message.strip() if message else None)
    elif message:
        _notices().replied(desk, req, message.strip())  # a status note is a public reply
    if target in (Status.RESOLVED, Status.CANCELLED, Status.CLOSED):
        _resume_waiters(desk, req.number, target)


def _resume_waiters(desk: Desk, number: int, target: Status) -> None:
    """Requests waiting on ``number`` resume by themselves once it is done, journaled on
    both, in the caller's transaction (SLA-SPEC §6: the pause ends here)."""
    from isvc.services import links

    now = desk.now_iso
    for waiter in links.waiters(desk, number):
        store.close_wait(desk.conn, waiter, now)
        _touch(desk, waiter, status=Status.IN_PROGRESS.value, waiting_on=None)
        _event(desk, waiter, "status", from_value=Status.WAITING.value,
               to_value=Status.IN_PROGRESS.value, message=f"#{number} {target.label}: resumed")
        _event(desk, number, "link", field="waiting_on", to_value=waiter,
               message=f"resumed #{waiter}")
        _clocks(desk, waiter)


def comment(desk: Desk, number: int, message: str, internal: bool = False) -> tuple[Request, Request | None]:
    """A public reply or an internal note. Returns the request and, when the request was
    already final, the follow-up request the reply filed."""
    if not message or not message.strip():
        raise InvalidInput("a comment needs text: -m \"...\"")
    message = message.strip()
    with write(desk.conn):
        req = _load(desk, number)
        roles = _roles(desk, req)
        access.require("note" if internal else "comment", roles, req, desk.actor,
                       "add internal notes to" if internal else "comment on")
        desk.ensure_actor()
        if not internal and req.status in lifecycle.FINAL:
            return req, _file_follow_up(desk, req, message)
        _event(desk, number, "note" if internal else "reply", message=message, internal=internal)
        _touch(desk, number)
        if internal:
            return store.get_request(desk.conn, number), None
        _notices().replied(desk, req, message)
        if req.status == Status.NEW and _is_staff_reply(desk, req):
            _touch(desk, number, status=Status.ACKNOWLEDGED.value)
            _event(desk, number, "status", from_value=req.status.value,
                   to_value=Status.ACKNOWLEDGED.value, message="first reply")
        _first_response(desk, req)
        if req.status == Status.WAITING and req.waiting_on == "requester" and desk.actor == req.requester:
            _apply_status(desk, req, Status.IN_PROGRESS, None)
        elif req.status == Status.RESOLVED and desk.actor == req.requester:
            _apply_status(desk, req, Status.IN_PROGRESS, None)
        else:
            _clocks(desk, number)
    return store.get_request(desk.conn, number), None


def _file_follow_up(desk: Desk, old: Request, message: str) -> Request:
    title = old.title if old.title.lower().startswith("follow-up") else f"Follow-up: {old.title}"
    req = Request(
        number=0, title=title[:MAX_TITLE], body=message, status=Status.NEW, priority=old.priority,
        team=old.team, type=old.type, requester=desk.actor if desk.actor == old.requester else old.requester,
        created_at=desk.now_iso, updated_at=desk.now_iso, tags=list(old.tags), channel=old.channel,
    )
    number = store.insert_request(desk.conn, req)
    _event(desk, number, "filed", to_value=Status.NEW.value, message=message)
    _clocks(desk, number)
    store.add_link(desk.conn, number, old.number, "follow_up", desk.now_iso, desk.actor)
    _event(desk, number, "link", field="follow_up", to_value=old.number,
           message=f"follow-up to #{old.number} ({old.status.label})")
    _event(desk, old.number, "link", field="follow_up", to_value=number,
           message=f"a reply after {old.status.label} filed #{number}")
    _notices().filed(desk, number)
    return store.get_request(desk.conn, number)


def assign(desk: Desk, number: int, person: str | None, *, take: bool = False) -> Request:
    with write(desk.conn):
        req = _load(desk, number)
        roles = _roles(desk, req)
        if take:
            access.require("take", roles, req, desk.actor)
            person = desk.actor
        else:
            access.require("assign", roles, req, desk.actor)
            person = require_person(desk, person) if person else None
            if person and not directory.get_person(desk.conn, person).active:
                raise InvalidInput(f"{person} is deactivated; assign #{number} to someone active")
        desk.ensure_actor()
        if req.status in lifecycle.FINAL:
            raise InvalidInput(f"#{number} is {req.status.label}; it can no longer be assigned")
        if person == req.assignee:
            raise InvalidInput(f"#{number} is already assigned to {person or 'nobody'}")
        lateral = person is not None and req.team not in desk.teams_of(person)
        _touch(desk, number, assignee=person)
        _event(desk, number, "assigned", from_value=req.assignee, to_value=person,
               message=f"lateral help from outside team {req.team}" if lateral else None)
    return store.get_request(desk.conn, number)


def watch(desk: Desk, number: int, person: str | None, *, remove: bool = False) -> Request:
    with write(desk.conn):
        req = _load(desk, number)
        roles = _roles(desk, req)
        desk.ensure_actor()
        who = require_person(desk, person) if person else desk.actor
        access.require("watch_self" if who == desk.actor else "watch_other", roles, req,
                       desk.actor, "change the watchers of")
        changed = (store.remove_watcher if remove else store.add_watcher)(desk.conn, number, who)
        if not changed:
            state = "not watching" if remove else "already watching"
            raise InvalidInput(f"{who} is {state} #{number}")
        _event(desk, number, "unwatch" if remove else "watch", to_value=who)
        _touch(desk, number)
    return store.get_request(desk.conn, number)


def edit(desk: Desk, number: int, *, title: str | None = None, priority: str | None = None,
         team: str | None = None, type: str | None = None, fields: dict[str, str] | None = None,
         add_tags: list[str] = (), remove_tags: list[str] = ()) -> Request:
    with write(desk.conn):
        req = _load(desk, number)
        access.require("edit", _roles(desk, req), req, desk.actor)
        desk.ensure_actor()
        changes: dict = {}
        if title is not None:
            changes["title"] = _clean_title(title)
        if priority is not None:
            changes["priority"] = parse_priority(priority).value
        if team is not None:
            changes["team"] = require_team(desk, team)
        if type is not None:
            changes["type"] = type.strip() or None
        typed = None
        if type is not None or team is not None or fields:
            from isvc.services import catalog  # the (new) team's catalog, as `request new --type`

            typed = catalog.typed_edit(desk, req, changes.get("team", req.team), type, fields or {})
            if typed is not None:
                changes["type"] = typed[0]
        unchanged = set()
        for key, new in changes.items():
            old = getattr(req, key)
            old = old.value if isinstance(old, Priority) else old
            if old != new:
                _event(desk, number, "edit", field=key, from_value=old, to_value=new)
            else:
                unchanged.add(key)
        changes = {k: v for k, v in changes.items() if k not in unchanged}  # a cleared type stays
        if typed is not None:
            for key in [*req.fields, *(k for k in typed[1] if k not in req.fields)]:
                before, after = req.fields.get(key), typed[1].get(key)
                if before != after:
                    _event(desk, number, "edit", field=f"fields.{key}", from_value=before,
                           to_value=after)
            if typed[1] != req.fields:
                changes["fields"] = typed[1]
        elif fields:
            merged = dict(req.fields)
            for key, value in fields.items():
                if merged.get(key) != (value or None):
                    _event(desk, number, "edit", field=f"fields.{key}", from_value=merged.get(key),
                           to_value=value or None)
                if value:
                    merged[key] = value
                else:
                    merged.pop(key, None)
            if merged != req.fields:
                changes["fields"] = merged
        tag_changed = False
        for tag in add_tags:
            if store.add_tag(desk.conn, number, _clean_tag(tag)):
                _event(desk, number, "edit", field="tags", to_value=_clean_tag(tag))
                tag_changed = True
        for tag in remove_tags:
            if store.remove_tag(desk.conn, number, _clean_tag(tag)):
                _event(desk, number, "edit", field="tags", from_value=_clean_tag(tag))
                tag_changed = True
        if not changes and not tag_changed:
            raise InvalidInput(f"nothing changed on #{number}; give a new --title, --priority, "
                               "--team, --type, --field or --tag")
        _touch(desk, number, **changes)
        if "priority" in changes or "team" in changes:
            _clocks(desk, number)  # a new target: recomputed from creation (§7)
    return store.get_request(desk.conn, number)


def redact(desk: Desk, number: int, event_id: int, reason: str) -> Event:
    if not reason or not reason.strip():
        raise InvalidInput("--reason is required: say why the text is removed")
    reason = reason.strip()
    with write(desk.conn):
        req = _load(desk, number)
        access.require("redact", _roles(desk, req), req, desk.actor)
        desk.ensure_actor()
        event = store.get_event(desk.conn, event_id)
        if event is None or event.number != number:
            raise NotFound(f"#{number} has no event {event_id}; see `isvc request show {number} --json`")
        if store.is_redacted(desk.conn, event_id):
            raise InvalidInput(f"event {event_id} is already redacted")
        if not event.message:
            raise InvalidInput(f"event {event_id} has no text to redact")
        store.redact_event(desk.conn, event_id, desk.actor, reason)
        if event.kind == "filed" and req.body == event.message:
            # the filed event carries the body: a password pasted there must go from both
            _touch(desk, number, body=store.get_event(desk.conn, event_id).message)
        _event(desk, number, "redaction", field=str(event_id), message=reason, internal=True)
    return store.get_event(desk.conn, event_id)


def autoclose(desk: Desk, days: int | None = None, dry_run: bool = False) -> list[int]:
    """Close requests resolved at least ``days`` calendar days ago (cron)."""
    days = days if days is not None else int(desk.config.get("requests", {}).get("autoclose_days", 5))
    if days < 0:
        raise InvalidInput("--days must be 0 or more")
    from isvc.domain.timeutil import to_iso

    cutoff = to_iso(desk.now - timedelta(days=days))
    if dry_run:
        return store.resolved_before(desk.conn, cutoff)
    with write(desk.conn):
        desk.require_admin("close requests automatically (run autoclose)")
        numbers = store.resolved_before(desk.conn, cutoff)
        if numbers:
            desk.ensure_actor()
        for number in numbers:
            req = store.get_request(desk.conn, number)
            _touch(desk, number, status=Status.CLOSED.value, closed_at=desk.now_iso)
            _event(desk, number, "status", from_value=req.status.value, to_value=Status.CLOSED.value,
                   message=f"closed automatically {days} days after resolution")
    return numbers



