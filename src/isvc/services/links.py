"""Links between requests (blocks, relates, duplicate of) and waiting on another request.

A link is a row ``links(src, dst, kind)``: "blocked by M" is stored as M blocks N. Links
are not journal rows; adding or removing one is journaled on both requests as a ``link``
event (field = the stored kind, to = the other number when added, from when removed).
"""

from __future__ import annotations

from dataclasses import dataclass

from isvc.domain.models import Request
from isvc.errors import InvalidInput, NotFound, PermissionDenied
from isvc.services import access
from isvc.services.desk import Desk
from isvc.store import requests as store
from isvc.store.db import write

# the option a user gives -> (stored kind, whether N is the src of the row)
OPTIONS: dict[str, tuple[str, bool]] = {
    "blocks": ("blocks", True),
    "blocked_by": ("blocks", False),
    "relates": ("relates", True),
    "duplicate_of": ("duplicate_of", True),
}
USER_KINDS = ("blocks", "relates", "duplicate_of")


@dataclass
class Linked:
    number: int
    other: int
    kind: str
    src: int
    dst: int


def words(kind: str, src: int, dst: int, me: int) -> str:
    """How a link reads from request ``me``: "blocks #4", "blocked by #2", ..."""
    mine = src == me
    other = dst if mine else src
    word = {
        "blocks": "blocks" if mine else "blocked by",
        "relates": "relates to",
        "duplicate_of": "duplicate of" if mine else "duplicated by",
        "follow_up": "follow-up of" if mine else "followed up by",
    }.get(kind, kind.replace("_", " "))
    return f"{word} #{other}"


def _load(desk: Desk, number: int) -> Request:
    req = store.get_request(desk.conn, number)
    if req is None:
        raise NotFound(f"no request #{number}; see `isvc request list`")
    return req


def _require_agent(desk: Desk, a: Request, b: Request, verb: str) -> None:
    """Agents of either request's team (or its assignee) and admins may link them."""
    for req in (a, b):
        roles = access.roles_of(desk.actor, desk.teams_of(), desk.is_admin(), req)
        if roles & {"agent", "admin"}:
            return
    teams = " or ".join(dict.fromkeys((a.team, b.team)))
    raise PermissionDenied(f"only members of team {teams} or an admin may {verb} "
                           f"#{a.number} and #{b.number}; you are {desk.actor}")


def _blocks_path(desk: Desk, start: int, goal: int) -> list[int] | None:
    """A chain of blocks links start → ... → goal, or None."""
    seen = {start}
    frontier = [[start]]
    while frontier:
        nxt = []
        for path in frontier:
            for dst in store.blocked_by(desk.conn, path[-1]):
                if dst == goal:
                    return path + [dst]
                if dst not in seen:
                    seen.add(dst)
                    nxt.append(path + [dst])
        frontier = nxt
    return None


def _exists(desk: Desk, src: int, dst: int, kind: str) -> bool:
    return store.link_exists(desk.conn, src, dst, kind)


def add(desk: Desk, src: int, dst: int, kind: str) -> bool:
    """Store one link and journal it on both requests, inside the caller's transaction.
    Refuses a blocks link that would close a cycle; returns False when it already exists."""
    if _exists(desk, src, dst, kind):
        return False
    if kind == "blocks":
        back = _blocks_path(desk, dst, src)
        if back is not None:
            cycle = " → ".join(f"#{n}" for n in [src] + back)
            raise InvalidInput(f"#{src} cannot block #{dst}: that would make a cycle {cycle}")
    if kind == "relates" and _exists(desk, dst, src, kind):
        return False
    store.add_link(desk.conn, src, dst, kind, desk.now_iso, desk.actor)
    for me, other in ((src, dst), (dst, src)):
        store.insert_event(desk.conn, me, desk.now_iso, desk.actor, "link", field=kind,
                           to_value=other, message=words(kind, src, dst, me))
    return True


def link(desk: Desk, number: int, other: int, option: str) -> Linked:
    if option not in OPTIONS:
        raise InvalidInput(f"unknown link kind {option!r}; use --blocked-by, --blocks, --relates or --duplicate-of")
    if number == other:
        raise InvalidInput(f"#{number} cannot be linked to itself")
    kind, mine = OPTIONS[option]
    src, dst = (number, other) if mine else (other, number)
    with write(desk.conn):
        a, b = _load(desk, number), _load(desk, other)
        _require_agent(desk, a, b, "link")
        desk.ensure_actor()
        if not add(desk, src, dst, kind):
            raise InvalidInput(f"#{number} is already linked: {words(kind, src, dst, number)}")
        for n in (number, other):
            store.update_request(desk.conn, n, updated_at=desk.now_iso)
    return Linked(number, other, kind, src, dst)


def unlink(desk: Desk, number: int, other: int, kind: str | None = None) -> list[Linked]:
    """Remove the links between two requests (of one kind with ``kind``)."""
    kinds = USER_KINDS
    if kind is not None:
        key = kind.strip().lower().replace("-", "_")
        key = "blocks" if key == "blocked_by" else key
        if key not in USER_KINDS:
            raise InvalidInput(f"--kind {kind!r} is not a link kind; use blocks, relates or duplicate-of")
        kinds = (key,)
    with write(desk.conn):
        a, b = _load(desk, number), _load(desk, other)
        _require_agent(desk, a, b, "unlink")
        desk.ensure_actor()
        rows = store.links_between(desk.conn, number, other, kinds)
        if not rows:
            what = f"{kinds[0].replace('_', ' ')} link" if kind else "link"
            raise InvalidInput(f"there is no {what} between #{number} and #{other}")
        removed = []
        for src, dst, k in rows:
            if k == "blocks":
                waiter = store.get_request(desk.conn, dst)
                if waiter.status.value == "waiting" and waiter.waiting_on == src:
                    raise InvalidInput(f"#{dst} is waiting on #{src}; resume #{dst} before removing the link")
            store.delete_link(desk.conn, src, dst, k)
            for me, them in ((src, dst), (dst, src)):
                store.insert_event(desk.conn, me, desk.now_iso, desk.actor, "link", field=k,
                                   from_value=them, message="no longer " + words(k, src, dst, me))
            removed.append(Linked(number, other, k, src, dst))
        for n in (number, other):
            store.update_request(desk.conn, n, updated_at=desk.now_iso)
    return removed


def waiters(desk: Desk, number: int) -> list[int]:
    """The requests waiting on request ``number``."""
    return store.waiting_on(desk.conn, number)
