"""Teams and people: adding, editing, deactivating, and looking them up."""

from __future__ import annotations

import re
from difflib import get_close_matches

from isvc.domain.models import Person, Team, check_handle
from isvc.errors import InvalidInput, NotFound
from isvc.services.desk import Desk
from isvc.store import directory
from isvc.store.db import write

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _suggest(value: str, options: list[str]) -> str:
    close = get_close_matches(value, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def require_team(desk: Desk, handle: str) -> str:
    handle = handle.strip().lstrip("+")
    if not directory.team_exists(desk.conn, handle):
        hint = _suggest(handle, directory.team_handles(desk.conn))
        raise NotFound(f"no team {handle!r}{hint}; see `isvc team list`")
    return handle


def require_person(desk: Desk, handle: str) -> str:
    handle = handle.strip().lstrip("@")
    if handle == "me":
        return desk.actor
    if not directory.person_exists(desk.conn, handle):
        hint = _suggest(handle, directory.person_handles(desk.conn))
        raise NotFound(f"no person {handle!r}{hint}; see `isvc person list`")
    return handle


def add_team(desk: Desk, handle: str, name: str | None) -> Team:
    handle = check_handle(handle, "team")
    with write(desk.conn):
        desk.require_admin("add teams")
        desk.ensure_actor()
        if directory.team_exists(desk.conn, handle):
            raise InvalidInput(f"team {handle!r} already exists; see `isvc team show {handle}`")
        directory.insert_team(desk.conn, handle, name or handle, desk.now_iso)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "team.add", handle, {"name": name})
    return directory.get_team(desk.conn, handle)


def edit_team(desk: Desk, handle: str, name: str | None) -> Team:
    with write(desk.conn):
        desk.require_admin("edit teams")
        handle = require_team(desk, handle)
        if name:
            directory.update_team(desk.conn, handle, name=name)
            directory.audit(desk.conn, desk.now_iso, desk.actor, "team.edit", handle, {"name": name})
    return directory.get_team(desk.conn, handle)


def _with_agreements(desk: Desk, team: Team) -> Team:
    """A team's active agreements as a provider, and the calendar of its default one."""
    from isvc.store import sla

    agreements = [a for a in sla.list_agreements(desk.conn) if a.provider == team.handle]
    team.agreements = [a.name for a in agreements]
    default = next((a for a in agreements if a.customer is None), None)
    team.calendar = team.calendar or (default.calendar if default else None)
    return team


def get_team(desk: Desk, handle: str) -> Team:
    handle = require_team(desk, handle)
    return _with_agreements(desk, directory.get_team(desk.conn, handle))


def list_teams(desk: Desk) -> list[Team]:
    return [_with_agreements(desk, t) for t in directory.list_teams(desk.conn)]


def _check_email(email: str | None) -> str | None:
    if email is None:
        return None
    email = email.strip()
    if not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an email address; use e.g. ana@example.com")
    return email


def add_person(desk: Desk, handle: str, name: str | None, email: str | None,
               teams: list[str], primary: str | None) -> Person:
    handle = check_handle(handle, "person")
    email = _check_email(email)
    with write(desk.conn):
        desk.require_admin("add people")
        if directory.person_exists(desk.conn, handle):
            raise InvalidInput(f"person {handle!r} already exists; change them with `isvc person edit {handle}`")
        team_handles = [require_team(desk, t) for t in teams]
        if primary:
            primary = require_team(desk, primary)
            if primary not in team_handles:
                team_handles.insert(0, primary)
        if email and directory.person_by_email(desk.conn, email):
            raise InvalidInput(f"{email} already belongs to {directory.person_by_email(desk.conn, email).handle}")
        person = Person(handle=handle, name=name or handle, email=email, teams=team_handles,
                        primary_team=primary or (team_handles[0] if team_handles else None))
        directory.insert_person(desk.conn, person, desk.now_iso)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "person.add", handle,
                        {"teams": team_handles, "email": email})
        if desk.actor != handle:
            desk.ensure_actor()
    return directory.get_person(desk.conn, handle)


def edit_person(desk: Desk, handle: str, *, name: str | None = None, email: str | None = None,
                add_teams: list[str] = (), remove_teams: list[str] = (),
                primary: str | None = None, leaderboard: bool | None = None,
                active: bool | None = None) -> Person:
    email = _check_email(email)
    with write(desk.conn):
        handle = require_person(desk, handle)
        if handle != desk.actor or add_teams or remove_teams or primary or active is not None:
            desk.require_admin("edit other people or team memberships")
        changes: dict = {}
        if name:
            changes["name"] = name
        if email:
            owner = directory.person_by_email(desk.conn, email)
            if owner and owner.handle != handle:
                raise InvalidInput(f"{email} already belongs to {owner.handle}")
            changes["email"] = email
        if leaderboard is not None:
            changes["leaderboard"] = int(leaderboard)
        if active is not None:
            desk.require_admin("reactivate or deactivate people")
            changes["active"] = int(active)
        for team in add_teams:
            directory.add_membership(desk.conn, handle, require_team(desk, team))
        for team in remove_teams:
            directory.remove_membership(desk.conn, handle, require_team(desk, team))
        if primary:
            primary = require_team(desk, primary)
            directory.add_membership(desk.conn, handle, primary)
            changes["primary_team"] = primary
        person = directory.get_person(desk.conn, handle)
        if person.primary_team and person.primary_team not in person.teams:
            changes["primary_team"] = person.teams[0] if person.teams else None
        if not person.primary_team and person.teams and "primary_team" not in changes:
            changes["primary_team"] = person.teams[0]
        if changes:
            directory.update_person(desk.conn, handle, **changes)
        if not (changes or add_teams or remove_teams):
            raise InvalidInput("nothing to change; give --name, --email, --team, --remove-team, "
                               "--primary or --leaderboard/--no-leaderboard")
        directory.audit(desk.conn, desk.now_iso, desk.actor, "person.edit", handle,
                        {**changes, "add_teams": list(add_teams), "remove_teams": list(remove_teams)})
    return directory.get_person(desk.conn, handle)


def deactivate_person(desk: Desk, handle: str, reassign_to: str | None) -> tuple[Person, list[int]]:
    """Open requests move to ``reassign_to`` (or back to their team's queue); history stays."""
    from isvc.store import requests as rq

    with write(desk.conn):
        desk.require_admin("deactivate people")
        desk.ensure_actor()
        handle = require_person(desk, handle)
        if reassign_to:
            reassign_to = require_person(desk, reassign_to)
            if reassign_to == handle:
                raise InvalidInput("--reassign-to must name someone else")
        moved = rq.open_numbers_assigned_to(desk.conn, handle)
        for number in moved:
            rq.update_request(desk.conn, number, assignee=reassign_to, updated_at=desk.now_iso)
            rq.insert_event(desk.conn, number, desk.now_iso, desk.actor, "assigned",
                            from_value=handle, to_value=reassign_to,
                            message=f"{handle} was deactivated")
        directory.update_person(desk.conn, handle, active=0)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "person.deactivate", handle,
                        {"reassigned_to": reassign_to, "requests": moved})
    return directory.get_person(desk.conn, handle), moved


def get_person(desk: Desk, handle: str) -> Person:
    return directory.get_person(desk.conn, require_person(desk, handle))


def list_people(desk: Desk, team: str | None, include_inactive: bool) -> list[Person]:
    if team:
        team = require_team(desk, team)
    return directory.list_people(desk.conn, team, include_inactive)


def role_of(desk: Desk, person: Person) -> str:
    return "admin" if desk.is_admin(person.handle) else "member"

