"""The JSON contract (README "JSON shapes"): keys are only ever added, never renamed."""

from __future__ import annotations

from isvc.domain.models import Event, Person, Request, Team

REQUEST_COLUMNS = [
    "number", "title", "body", "status", "priority", "team", "type", "requester", "assignee",
    "watchers", "tags", "fields", "channel", "waiting_on", "created_at", "updated_at",
    "first_response_at", "resolved_at", "closed_at", "agreement", "sla",
]
# What TSV/CSV list output carries (the body and nested objects stay in JSON).
REQUEST_LIST_COLUMNS = [
    "number", "status", "priority", "team", "requester", "assignee", "created_at", "title",
]


def request_dict(req: Request, sla: dict | None = None) -> dict:
    return {
        "number": req.number,
        "title": req.title,
        "body": req.body,
        "status": req.status.value,
        "priority": req.priority.value,
        "team": req.team,
        "type": req.type,
        "requester": req.requester,
        "assignee": req.assignee,
        "watchers": list(req.watchers),
        "tags": list(req.tags),
        "fields": dict(req.fields),
        "channel": req.channel,
        "waiting_on": req.waiting_on,
        "created_at": req.created_at,
        "updated_at": req.updated_at,
        "first_response_at": req.first_response_at,
        "resolved_at": req.resolved_at,
        "closed_at": req.closed_at,
        "agreement": req.agreement,
        "sla": sla,
    }


EVENT_COLUMNS = ["id", "at", "actor", "kind", "field", "from", "to", "message", "internal"]


def event_dict(event: Event) -> dict:
    return {
        "id": event.id,
        "at": event.at,
        "actor": event.actor,
        "kind": event.kind,
        "field": event.field,
        "from": event.from_value,
        "to": event.to_value,
        "message": event.message,
        "internal": event.internal,
    }


TEAM_COLUMNS = ["handle", "name", "members", "calendar", "agreements"]


def team_dict(team: Team) -> dict:
    return {
        "handle": team.handle,
        "name": team.name,
        "members": list(team.members),
        "calendar": team.calendar,
        "agreements": list(team.agreements),
    }


PERSON_COLUMNS = ["handle", "name", "email", "teams", "primary_team", "active", "role"]


def person_dict(person: Person, role: str) -> dict:
    return {
        "handle": person.handle,
        "name": person.name,
        "email": person.email,
        "teams": list(person.teams),
        "primary_team": person.primary_team,
        "active": person.active,
        "role": role,
    }
