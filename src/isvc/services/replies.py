"""Canned replies: the desk's own beside the built-ins, and rendering one for a request.

A desk reply with a built-in's name overrides it; removing the override brings the
built-in back. Team members and admins add replies (and override a built-in by editing
it); a desk reply is edited or removed by its author or an admin (all audited). Anyone
may list, read and render them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from isvc.domain import replies as domain
from isvc.domain.replies import Reply
from isvc.errors import InvalidInput, NotFound, PermissionDenied
from isvc.services.desk import Desk
from isvc.store import directory
from isvc.store import replies as store
from isvc.store.db import write


@dataclass
class Rendered:
    reply: Reply
    number: int
    text: str


@dataclass
class Removed:
    reply: Reply  # the desk reply that went
    restored: Reply | None  # the built-in of the same name, in effect again


def _require_editor(desk: Desk, what: str) -> None:
    """Members of a (provider) team, or an admin."""
    if desk.is_admin() or desk.teams_of():
        return
    admins = ", ".join(sorted(desk.admins()))
    raise PermissionDenied(f"only team members or an admin ({admins}) may {what}; "
                           f"you are {desk.actor}")


def _require_owner(desk: Desk, reply: Reply, what: str) -> None:
    """A desk reply: its author, or an admin."""
    if desk.is_admin() or (reply.author is not None and reply.author == desk.actor):
        return
    admins = ", ".join(sorted(desk.admins()))
    who = f"an admin ({admins})"
    if reply.author:
        who = f"its author {reply.author} or {who}"
    raise PermissionDenied(f"only {who} may {what} reply {reply.name}; you are {desk.actor}")


def _missing(name: str) -> NotFound:
    return NotFound(f"no reply {name}; see `isvc reply list`")


# -- reading -----------------------------------------------------------------------------

def catalog(desk: Desk) -> list[Reply]:
    """The replies in effect, by name."""
    return domain.merge(store.all_replies(desk.conn))


def get(desk: Desk, name: str) -> Reply:
    name = domain.check_name(name)
    own = store.get(desk.conn, name)
    built_in = domain.built_ins().get(name)
    if own is not None:
        return replace(own, overrides=built_in is not None)
    if built_in is not None:
        return built_in
    raise _missing(name)


# -- changing ----------------------------------------------------------------------------

def add(desk: Desk, name: str, body: str, description: str | None = None) -> Reply:
    name = domain.check_name(name)
    body = domain.validate_body(body)
    description = domain.clean_description(description)
    with write(desk.conn):
        _require_editor(desk, "add canned replies")
        if store.get(desk.conn, name) is not None:
            raise InvalidInput(f"reply {name} already exists; change it with `isvc reply edit {name}`")
        desk.ensure_actor()
        overrides = name in domain.built_ins()
        store.insert(desk.conn, Reply(name=name, body=body, description=description,
                                      source=domain.DESK, author=desk.actor,
                                      created_at=desk.now_iso, updated_at=desk.now_iso))
        directory.audit(desk.conn, desk.now_iso, desk.actor, "reply.add", name,
                        {"overrides_built_in": overrides})
    return get(desk, name)


def edit(desk: Desk, name: str, body: str | None = None,
         description: str | None = None) -> Reply:
    """Change a desk reply's text or description (``description=""`` clears it). Editing
    a built-in saves the desk's own copy, which overrides it."""
    name = domain.check_name(name)
    if body is None and description is None:
        raise InvalidInput("nothing to change; give --body, --body-file or --description")
    new_body = domain.validate_body(body) if body is not None else None
    new_description = domain.clean_description(description)
    with write(desk.conn):
        current = get(desk, name)
        if current.source == domain.DESK:
            _require_owner(desk, current, "edit")
        else:  # a built-in: editing it adds the desk's own copy
            _require_editor(desk, "edit canned replies")
        body_after = new_body if new_body is not None else current.body
        description_after = new_description if description is not None else current.description
        changed = [key for key, old, new in (("body", current.body, body_after),
                                              ("description", current.description, description_after))
                   if old != new]
        if not changed:
            raise InvalidInput(f"nothing changed on reply {name}")
        desk.ensure_actor()
        if current.source == domain.BUILT_IN:
            store.insert(desk.conn, Reply(name=name, body=body_after, description=description_after,
                                          source=domain.DESK, author=desk.actor,
                                          created_at=desk.now_iso, updated_at=desk.now_iso))
            directory.audit(desk.conn, desk.now_iso, desk.actor, "reply.add", name,
                            {"overrides_built_in": True, "changed": changed})
        else:
            store.update(desk.conn, name, body_after, description_after, desk.now_iso)
            detail: dict = {"changed": changed}
            if "description" in changed:
                detail |= {"from": current.description, "to": description_after}
            directory.audit(desk.conn, desk.now_iso, desk.actor, "reply.edit", name, detail)
    return get(desk, name)


def remove(desk: Desk, name: str) -> Removed:
    name = domain.check_name(name)
    with write(desk.conn):
        own = store.get(desk.conn, name)
        built_in = domain.built_ins().get(name)
        if own is not None:
            _require_owner(desk, own, "remove")
        else:
            _require_editor(desk, "remove canned replies")
            if built_in is not None:
                raise InvalidInput(f"reply {name} is built in and cannot be removed; "
                                   f"`isvc reply add {name}` overrides it with your own")
            raise _missing(name)
        desk.ensure_actor()
        store.delete(desk.conn, name)
        # the text goes into the audit log, so a removal can be undone by hand
        directory.audit(desk.conn, desk.now_iso, desk.actor, "reply.remove", name,
                        {"body": own.body, "description": own.description,
                         "restores_built_in": built_in is not None})
    return Removed(reply=replace(own, overrides=built_in is not None), restored=built_in)


# -- rendering -----------------------------------------------------------------------------

def facts_for(desk: Desk, number: int, command: str | None = None) -> domain.RequestFacts:
    """What a reply may say about request ``number``, sent by the acting person; the
    status is the one ``command`` (ack, resolve...) leaves it in."""
    from isvc.domain import lifecycle
    from isvc.services import sla
    from isvc.store import requests as requests_store

    req = requests_store.get_request(desk.conn, number)
    if req is None:
        raise NotFound(f"no request #{number}; see `isvc request list`")
    status = req.status
    if command is not None:
        try:
            status = lifecycle.target_of(command, req.status, number)
        except InvalidInput:
            pass  # the command itself refuses it, after checking who may
    requester = directory.get_person(desk.conn, req.requester)
    agent = directory.get_person(desk.conn, desk.actor)
    team = directory.get_team(desk.conn, req.team)
    clocks = sla.live(desk.conn, [number], desk.now).get(number) or {}
    fr, res = clocks.get("first_response"), clocks.get("resolution")
    return domain.RequestFacts(
        number=number, title=req.title, priority=req.priority.value, status=status.label,
        team=req.team, team_name=team.name if team else None,
        requester=domain.Party(req.requester, requester.name if requester else None),
        agent=domain.Party(desk.actor, agent.name if agent else None),
        first_response_due=fr.due if fr else None, first_response_target=fr is not None,
        resolution_due=res.due if res else None, resolution_target=res is not None,
        calendar_tz=clocks["calendar"].tz if clocks else None,
        desk_address=str((desk.config.get("mail") or {}).get("address") or ""),
    )


def render_for(desk: Desk, name: str, number: int, message: str | None = None,
               command: str | None = None) -> Rendered:
    """Reply ``name`` written for request ``number``: the text a command sends. ``message``
    (-m) fills the reply's {message} slot, or follows as a last paragraph."""
    if message is not None and not message.strip():
        raise InvalidInput("-m/--message must not be empty")
    reply = get(desk, name)
    values = domain.values_for(facts_for(desk, number, command))
    return Rendered(reply=reply, number=number,
                    text=domain.compose(reply.body, values, message))
