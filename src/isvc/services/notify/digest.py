"""A team's daily digest (`isvc notify digest`): open requests by status, what is breached
or at risk, unassigned, the oldest open, what came in since yesterday. At most once per
team and calendar day (the team calendar's zone, else config ``tz``, else UTC) unless
forced."""

from __future__ import annotations

from datetime import timedelta

from isvc.domain import notices
from isvc.errors import PermissionDenied
from isvc.services.notify.outgoing import Outgoing, events
from isvc.store import notices as store


def queue_digests(desk, team: str | None = None, force: bool = False) -> list[dict]:
    """Returns [{"team", "recipients" (how many: members with an address and webhooks),
    "queued" (rows written), "skipped" (why nothing was queued, or None)}]. A team member
    may queue their team's digest; every team's needs an admin."""
    from isvc.services.directory import require_team
    from isvc.store import directory
    from isvc.store.db import write

    with write(desk.conn):
        if team:
            team = require_team(desk, team)
            if team not in desk.teams_of() and not desk.is_admin():
                raise PermissionDenied(f"only members of team {team} or an admin may queue its "
                                       f"digest; you are {desk.actor}")
            teams = [team]
        else:
            desk.require_admin("queue every team's digest (give --team for your own team's)")
            teams = directory.team_handles(desk.conn)
        if "digest" not in events(desk):
            return [_skipped(t, "digest is not in notify.events") for t in teams]
        out = Outgoing(desk)
        return [_one(out, t, force) for t in teams]


def _skipped(team: str, why: str) -> dict:
    return {"team": team, "recipients": 0, "queued": 0, "skipped": why}


def _zone(desk, team: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for name in (store.team_zone(desk.conn, team), (desk.config or {}).get("tz")):
        if name:
            try:
                ZoneInfo(name)
                return name
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return "UTC"


def _one(out: Outgoing, team: str, force: bool) -> dict:
    from zoneinfo import ZoneInfo

    from isvc.domain.timeutil import to_iso
    from isvc.services import sla
    from isvc.store import directory

    desk = out.desk
    tz = _zone(desk, team)
    local = desk.now.astimezone(ZoneInfo(tz))
    day = local.date().isoformat()
    prefix = f"digest:{team}:{day}:"
    if not force and store.any_queued_with_prefix(desk.conn, prefix):
        return _skipped(team, f"already queued today ({day}); --force queues another")
    members = out.members(team)
    hooks = out.hooks("digest", team)
    if not members and not hooks:
        return _skipped(team, "no active member with an e-mail address and no webhook")
    figures = store.digest_figures(desk.conn, team, to_iso(desk.now - timedelta(days=1)))
    figures["breached"], figures["at_risk"] = _risks(sla.check(desk.conn, desk.now, team))
    team_row = directory.get_team(desk.conn, team)
    team_name = team_row.name if team_row else team
    label = f"{local:%a %d %b}"
    suffix = f"{local:%H%M%S}:" if force else ""
    recipients, queued = [], 0
    for person in members:
        subject, body = notices.digest(
            team_name=team_name, day=label,
            to_name=notices.first_name(person["name"], person["handle"]), figures=figures, tz=tz,
            signature=out.signature)
        recipients.append(person["email"])
        row = out.mail("digest", None, person, subject, body, auto=True,
                       dedupe_key=f"{prefix}{suffix}{person['email']}", what=f"digest.{team}")
        queued += row is not None
    if hooks:
        subject, body = notices.digest(team_name=team_name, day=label, to_name=None,
                                       figures=figures, tz=tz, signature=out.signature)
        payload = {"event": "digest", "team": team, "day": day, "figures": figures}
        for hook in hooks:
            recipients.append(hook["name"])
            if out.webhook("digest", hook, None, subject, body, payload,
                           dedupe_key=f"{prefix}{suffix}{hook['name']}") is not None:
                queued += 1
    return {"team": team, "recipients": len(recipients), "queued": queued, "skipped": None}


def _risks(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Each request once, in its worst state, with its earliest due time."""
    worst: dict[int, dict] = {}
    for row in rows:  # breached first, then by due time (services.sla.check's order)
        if row["number"] not in worst:
            worst[row["number"]] = {"number": row["number"], "title": row["title"],
                                    "due_at": row["due_at"], "state": row["state"]}
    breached = [r for r in worst.values() if r["state"] == "breached"]
    at_risk = [r for r in worst.values() if r["state"] == "at_risk"]
    return ([{k: r[k] for k in ("number", "title", "due_at")} for r in breached],
            [{k: r[k] for k in ("number", "title", "due_at")} for r in at_risk])
