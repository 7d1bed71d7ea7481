"""Kudos use cases: sending (to a person or a team, maybe for a request), company values,
the weekly giving allowance, the wall, leaderboards, showing and retracting.

Every refusal is raised before anything is written, inside the write transaction, so a
refused command leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from isvc.domain import kudos as rules
from isvc.domain.kudos import Allowance, Kudos
from isvc.domain.models import Request
from isvc.domain.timeutil import parse_iso, parse_since, to_iso
from isvc.errors import InvalidInput, NotFound, PermissionDenied
from isvc.services.desk import Desk
from isvc.services.directory import require_person, require_team
from isvc.store import directory
from isvc.store import kudos as store
from isvc.store.db import write

VALUES_SETTING = "kudos.values"
HINT_SETTING = "kudos.thanks_hint_shown"


@dataclass
class Sent:
    kudos: Kudos
    allowance: Allowance


@dataclass
class Leaderboard:
    by: str
    since: str | None
    rows: list[dict]


# -- configuration -----------------------------------------------------------------

def _config(desk: Desk) -> dict:
    return desk.config.get("kudos") or {}


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _policy(desk: Desk, key: str, default):
    """An organisation's kudos policy: the desk's setting (`isvc kudos policy`) wins; a
    personal desk may also use its config file. A shared desk ignores config files: each
    OS user has one, and nobody may raise their own allowance."""
    from isvc.store.directory import get_setting

    stored = get_setting(desk.conn, f"kudos.{key}")
    if stored is not None:
        return stored
    if desk.shared:
        return default
    return _config(desk).get(key, default)


def set_policy(desk: Desk, allowance: int | None, require: bool | None) -> dict:
    from isvc.store.db import write
    from isvc.store.directory import audit, set_setting

    if allowance is not None and allowance < 0:
        raise InvalidInput("--allowance is a whole number of kudos per week, 0 for unlimited")
    with write(desk.conn):
        desk.require_admin("set the kudos policy")
        desk.ensure_actor()
        if allowance is not None:
            set_setting(desk.conn, "kudos.allowance_per_week", allowance)
        if require is not None:
            set_setting(desk.conn, "kudos.require_value", require)
        audit(desk.conn, desk.now_iso, desk.actor, "kudos.policy", "kudos",
              {"allowance_per_week": allowance, "require_value": require})
    return policy(desk)


def policy(desk: Desk) -> dict:
    return {"allowance_per_week": allowance_per_week(desk), "require_value": require_value(desk)}


def require_value(desk: Desk) -> bool:
    return _truthy(_policy(desk, "require_value", False))


def allowance_per_week(desk: Desk) -> int:
    raw = _policy(desk, "allowance_per_week", 0)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if value < 0 or isinstance(raw, bool):
        raise InvalidInput(f"config kudos.allowance_per_week is {raw!r}; use a whole number, "
                           "0 for unlimited (`isvc config set kudos.allowance_per_week 5`)")
    return value


def week_zone(desk: Desk):
    """Giving weeks start Monday 00:00 in the viewer's config zone (tz / ISVC_TZ), else UTC."""
    name = desk.config.get("tz")
    if not name:
        return timezone.utc
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r} in config tz / ISVC_TZ; use an IANA "
                           "name like Europe/Bucharest") from None


def values(desk: Desk) -> list[str]:
    """The company values: the desk's list (`kudos values set`), then the config's extras."""
    stored = directory.get_setting(desk.conn, VALUES_SETTING, []) or []
    configured = _config(desk).get("values") or []
    if isinstance(configured, str):
        configured = [configured]
    try:
        extra = rules.clean_values(str(v) for v in configured)
    except InvalidInput as exc:
        raise InvalidInput(f"config kudos.values: {exc}") from None
    return list(stored) + [v for v in extra if v not in stored]


def set_values(desk: Desk, new_values: list[str]) -> list[str]:
    cleaned = rules.clean_values(new_values)
    if not cleaned:
        raise InvalidInput("name at least one value, e.g. isvc kudos values set ownership teamwork")
    with write(desk.conn):
        desk.require_admin("set the company values")
        desk.ensure_actor()
        before = directory.get_setting(desk.conn, VALUES_SETTING, [])
        directory.set_setting(desk.conn, VALUES_SETTING, cleaned)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "kudos.values", VALUES_SETTING,
                        {"from": before, "to": cleaned})
    return values(desk)


# -- the allowance -------------------------------------------------------------------

def allowance(desk: Desk, giver: str | None = None) -> Allowance:
    tz = week_zone(desk)
    start = rules.week_start(desk.now, tz)
    per_week = allowance_per_week(desk)
    used = store.given_since(desk.conn, giver or desk.actor, to_iso(start))
    return Allowance(per_week=per_week, used=used, week_start=start,
                     refreshes_at=rules.next_refresh(desk.now, tz))


def refresh_words(desk: Desk, when: datetime) -> str:
    """"Mon 30 Nov 00:00 (in 6d 14h)", in the week's zone (named when it is UTC)."""
    zone = " UTC" if when.tzinfo is timezone.utc else ""
    return f"{when.strftime('%a %d %b %H:%M')}{zone} (in {rules.span_words(desk.now, when)})"


def _check_allowance(desk: Desk) -> Allowance:
    current = allowance(desk)
    if current.exhausted:
        raise InvalidInput(
            f"you have given all {current.per_week} kudos of this week's allowance; it refreshes "
            f"{refresh_words(desk, current.refreshes_at)}"
        )
    return current


# -- sending -------------------------------------------------------------------------

def _recipient(desk: Desk, to: str) -> tuple[str, str]:
    """(to_kind, handle) from ``@ana``, ``+payroll`` or a bare handle (a person first)."""
    kind, handle = rules.split_recipient(to)
    if not handle:
        raise InvalidInput("say who the kudos is for: @person or +team, e.g. @ana or +payroll")
    if handle == "me" and kind != "team":
        return "person", desk.actor
    if kind == "person":
        return "person", require_person(desk, handle)
    if kind == "team":
        return "team", require_team(desk, handle)
    if directory.person_exists(desk.conn, handle):
        return "person", handle
    if directory.team_exists(desk.conn, handle):
        return "team", handle
    from difflib import get_close_matches

    options = directory.person_handles(desk.conn) + directory.team_handles(desk.conn)
    close = get_close_matches(handle, options, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise NotFound(f"no person or team {handle!r}{hint}; write @person or +team "
                   "(see `isvc person list`, `isvc team list`)")


def _value(desk: Desk, value: str | None) -> str | None:
    if value is None or not value.strip():
        if require_value(desk):
            known = values(desk)
            listed = f": {', '.join(known)}" if known else ""
            raise InvalidInput(f"this desk asks every kudos to name a company value; add "
                               f"--value{listed}")
        return None
    return rules.match_value(value, values(desk))


def give(desk: Desk, to_kind: str, handle: str, message: str, *, value: str | None = None,
         request: Request | None = None, private: bool = False) -> Kudos:
    """Check and record one kudos. Call inside a write transaction, after ensure_actor."""
    text = rules.check_message(message)
    if to_kind == "person":
        if handle == desk.actor:
            raise InvalidInput("kudos to yourself do not count; thank someone who helped you")
        person = directory.get_person(desk.conn, handle)
        if not person.active:
            raise InvalidInput(f"{handle} is deactivated; kudos go to active colleagues")
        recipient_team = person.primary_team
    else:
        members = directory.get_team(desk.conn, handle).members
        if members == [desk.actor]:
            raise InvalidInput(f"you are the only member of team {handle}: kudos to it would be "
                               "kudos to yourself; thank someone who helped you")
        recipient_team = handle
    chosen = _value(desk, value)
    _check_allowance(desk)
    giver = directory.get_person(desk.conn, desk.actor)
    giver_team = giver.primary_team if giver else None
    lateral = rules.is_lateral(to_kind, giver_team, recipient_team,
                               request.team if request else None,
                               set(giver.teams) if giver else set())
    k = Kudos(id=0, giver=desk.actor, recipient=handle, to_kind=to_kind, message=text,
              value=chosen, request=request.number if request else None, lateral=lateral,
              private=private, giver_team=giver_team, recipient_team=recipient_team,
              created_at=desk.now_iso)
    k.id = store.insert_kudos(desk.conn, k)
    if request is not None:
        from isvc.store import requests as rq

        # public on the request's journal; a private one shows only that it happened
        rq.insert_event(desk.conn, request.number, desk.now_iso, desk.actor, "kudos",
                        field=str(k.id), to_value=None if private else k.to_label,
                        message=None if private else text, internal=private)
    return store.get_kudos(desk.conn, k.id)


def send(desk: Desk, to: str, message: str | None, *, value: str | None = None,
         request: int | None = None, private: bool = False) -> Sent:
    rules.check_message(message)  # the friendliest refusal first, before any lookup
    with write(desk.conn):
        to_kind, handle = _recipient(desk, to)
        req = None
        if request is not None:
            from isvc.store import requests as rq

            req = rq.get_request(desk.conn, request)
            if req is None:
                raise NotFound(f"no request #{request}; see `isvc request list`")
        desk.ensure_actor()
        k = give(desk, to_kind, handle, message or "", value=value, request=req, private=private)
        left = allowance(desk)
    return Sent(kudos=k, allowance=left)


# -- reading -------------------------------------------------------------------------

def _explicit_admin(desk: Desk) -> bool:
    """Private kudos open to the desk's named admins only (a desk without admins treats
    everyone as admin for management, but privacy does not lapse with it)."""
    return desk.actor in desk.admins()


def can_see(desk: Desk, k: Kudos) -> bool:
    if not k.private or k.giver == desk.actor or _explicit_admin(desk):
        return True
    if k.to_kind == "person":
        return k.recipient == desk.actor
    return k.recipient in desk.teams_of()


def get(desk: Desk, kudos_id: int) -> Kudos:
    k = store.get_kudos(desk.conn, kudos_id)
    if k is None:
        raise NotFound(f"no kudos #{kudos_id}; see `isvc kudos wall`")
    if not can_see(desk, k):
        raise PermissionDenied(f"kudos #{kudos_id} is private: only its giver and receiver see it")
    return k


def _limit(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise InvalidInput("--limit must be at least 1")


def wall(desk: Desk, *, team: str | None = None, since: str | None = None,
         limit: int | None = 20) -> list[Kudos]:
    _limit(limit)
    if team:
        team = require_team(desk, team)
    since_iso = to_iso(parse_since(since, desk.now)) if since else None
    return store.wall(desk.conn, desk.actor, desk.teams_of(), _explicit_admin(desk), team=team,
                      since_iso=since_iso, limit=limit)


def leaderboard(desk: Desk, *, since: str | None = "30d", by: str = "person",
                limit: int | None = 10) -> Leaderboard:
    _limit(limit)
    by = (by or "person").strip().lower()
    since_iso = to_iso(parse_since(since, desk.now)) if since else None
    rows = rules.leaderboard(store.public_since(desk.conn, since_iso), by,
                             hidden=store.opted_out(desk.conn))
    if limit is not None:
        rows = rows[:limit]
    if by == "person":
        people = {p.handle: p for p in directory.list_people(desk.conn)}
        for row in rows:
            person = people.get(row["person"])
            row["name"] = person.name if person else row["person"]
            row["team"] = person.primary_team if person else None
    elif by == "team":
        names = store.names(desk.conn, "teams", [r["team"] for r in rows])
        for row in rows:
            row["name"] = names.get(row["team"], row["team"])
    return Leaderboard(by=by, since=since_iso, rows=rows)


# -- retracting ----------------------------------------------------------------------

def retract(desk: Desk, kudos_id: int) -> Kudos:
    """Only the giver, within 24 hours; the row stays, marked, and the retraction is
    journaled (audit log, and the request's journal when the kudos was for one)."""
    with write(desk.conn):
        k = store.get_kudos(desk.conn, kudos_id)
        if k is None:
            raise NotFound(f"no kudos #{kudos_id}; see `isvc kudos wall`")
        if k.giver != desk.actor:
            raise PermissionDenied(f"only its giver ({k.giver}) may retract kudos #{kudos_id}; "
                                   f"you are {desk.actor}")
        if k.retracted:
            raise InvalidInput(f"kudos #{kudos_id} was already retracted ({k.retracted_at})")
        given = parse_iso(k.created_at)
        if desk.now > rules.retract_deadline(given):
            raise InvalidInput(f"kudos #{kudos_id} was given {k.created_at}, more than a day ago; "
                               "kudos can be retracted within 24 hours of giving")
        desk.ensure_actor()
        store.mark_retracted(desk.conn, kudos_id, desk.now_iso, desk.actor)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "kudos.retract", f"kudos #{kudos_id}",
                        {"to": k.to_label, "request": k.request, "given_at": k.created_at})
        if k.request is not None:
            from isvc.store import requests as rq

            rq.insert_event(desk.conn, k.request, desk.now_iso, desk.actor, "kudos_retracted",
                            field=str(k.id), from_value=None if k.private else k.to_label,
                            message=f"retracted kudos #{k.id}", internal=k.private)
    return store.get_kudos(desk.conn, kudos_id)


# -- the closing hint ----------------------------------------------------------------

def thanks_hint_due(desk: Desk) -> bool:
    """True the first time a person closes without thanks (then remembered): the hint to
    thank is shown once, not on every close."""
    shown = directory.get_setting(desk.conn, HINT_SETTING, []) or []
    if desk.actor in shown:
        return False
    with write(desk.conn):
        shown = directory.get_setting(desk.conn, HINT_SETTING, []) or []
        if desk.actor in shown:
            return False
        directory.set_setting(desk.conn, HINT_SETTING, sorted({*shown, desk.actor}))
    return True
