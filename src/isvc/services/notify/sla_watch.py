"""`isvc sla check --notify` (cron, every minute): notices written once per change.

- At risk / breached: every running clock at risk or breached now is compared with the
  state last announced for it (``sla_notices``); a new state, or a new due time (a new
  target re-arms), is announced to the assignee, the agreement's notify list ("+team":
  its active members) and the matching webhooks. A clock no longer at risk or breached
  loses its row, so a later change is announced again. Running it again with nothing
  changed writes nothing; the outbox dedupe key is a second guard.
- Reminders: a request waiting on its requester for ``notify.remind_after_days`` business
  days (its SLA calendar; calendar days without one) gets one reminder per wait.
- Automatic resolution: with ``notify.autoresolve_after_days`` > 0, a request still
  waiting that many further business days after its reminder is resolved by the acting
  person (the cron user), which mails the requester as any resolution does.

All of it in one write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from isvc.domain import notices
from isvc.services.notify.outgoing import Outgoing, events, reachable, setting
from isvc.store import notices as store


@dataclass
class Checked:
    rows: list[dict]                       # services.sla.check rows, after automatic resolution
    queued: int = 0                        # outbox rows written (all kinds)
    announced: int = 0                     # clocks whose new state was announced
    reminded: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check(desk, team: str | None = None) -> Checked:
    from isvc.services import sla
    from isvc.store.db import write

    with write(desk.conn):
        before = desk.queued_notifications
        out = Outgoing(desk)
        result = Checked(rows=[])
        _waiting(out, team, result)
        result.rows = sla.check(desk.conn, desk.now, team)
        result.announced = _announce(out, result.rows, team)
        result.queued = desk.queued_notifications - before
    return result


# -- at risk and breached -----------------------------------------------------------------

def _announce(out: Outgoing, rows: list[dict], team: str | None) -> int:
    desk = out.desk
    wanted = {"at_risk", "breached"} & events(desk)
    if not wanted:
        return 0  # neither is announced: leave what was announced as it is
    announced = store.sla_notices(desk.conn, team)
    current: dict[tuple[int, str], dict | None] = {}
    for row in rows:
        # a paused clock has no due time: keep what was announced until it runs again
        current[(row["number"], row["clock"])] = row if row["due_at"] else None
    gone = [key for key in announced if key not in current]
    if gone:
        store.delete_sla_notices(desk.conn, gone)
    changed = [row for key, row in current.items() if row is not None and (
        key not in announced or announced[key]["state"] != row["state"]
        or announced[key]["due_at"] != row["due_at"])]
    if not changed:
        return 0
    from isvc.store import sla as sla_store

    facts = store.request_facts(desk.conn, sorted({r["number"] for r in changed}))
    agreements = {ag.name: ag for ag in sla_store.list_agreements(desk.conn, True)}
    people = store.people(desk.conn, [f["assignee"] for f in facts.values()]
                          + [h for ag in agreements.values() for h in ag.notify])
    for row in changed:
        if row["state"] in wanted:
            _notice(out, row, facts[row["number"]], agreements, people)
        store.save_sla_notice(desk.conn, row["number"], row["clock"], row["state"],
                              row["due_at"], desk.now_iso)
    return len(changed)


def _notice(out: Outgoing, row: dict, facts: dict, agreements: dict, people: dict) -> None:
    number, clock, state, due = row["number"], row["clock"], row["state"], row["due_at"]
    tz = facts["tz"] or row.get("calendar_tz")
    ag = agreements.get(facts["agreement"])
    targets = ([facts["assignee"]] if facts["assignee"] else []) + (list(ag.notify) if ag else [])
    assignee = people.get(facts["assignee"]) if facts["assignee"] else None
    for person, target in out.expand(targets, people):
        if target == facts["assignee"]:
            why = "the request is assigned to you"
        elif target.startswith("+"):
            why = f"team {target[1:]} is on the notify list of agreement {ag.name}"
        else:
            why = f"you are on the notify list of agreement {ag.name}"
        subject, body = notices.sla_mail(
            state=state, clock=clock, tag=out.tag, number=number, title=facts["title"],
            team=facts["team"], priority=facts["priority"], due_at=due, tz=tz,
            to_name=notices.first_name(person["name"], person["handle"]),
            assignee_name=(assignee or {}).get("name") or facts["assignee"], why=why,
            signature=out.signature)
        out.mail(state, number, person, subject, body, auto=True,
                 dedupe_key=f"sla:{number}:{clock}:{state}:{due}:{person['email']}")
    out.announce(state, facts,
                 notices.sla_webhook_lines(clock=clock, state=state, due_at=due, tz=tz,
                                           assignee=facts["assignee"]),
                 {"clock": clock, "state": state, "due_at": due},
                 dedupe=f"sla:{number}:{clock}:{state}:{due}")


# -- waiting on the requester -------------------------------------------------------------------

def _waited(cal, since: str, now: datetime) -> tuple[int, int]:
    """(minutes waited, minutes in a day): business time in ``cal``, calendar time without."""
    from isvc.domain.timeutil import parse_iso

    start = parse_iso(since)
    if start >= now:
        return 0, cal.day_minutes if cal else 1440
    if cal is None:
        return int((now - start).total_seconds() // 60), 1440
    from isvc.domain import businesstime as bt

    return bt.elapsed_minutes(cal, start, now), cal.day_minutes


def _waiting(out: Outgoing, team: str | None, result: Checked) -> None:
    desk = out.desk
    remind_days = int(setting(desk, "notify", "remind_after_days") or 0)
    auto_days = int(setting(desk, "notify", "autoresolve_after_days") or 0)
    remind = "reminder" in events(desk) and remind_days > 0
    if not (remind or auto_days > 0):
        return
    waits = store.requester_waits(desk.conn, team)
    if not waits:
        return
    from isvc.services import sla

    cals = sla.calendars(desk.conn)
    keys = {w["wait_id"]: f"remind:{w['number']}:{w['wait_id']}" for w in waits}
    reminded = store.queued_at(desk.conn, list(keys.values()))
    people = store.people(desk.conn, [w["requester"] for w in waits])
    for w in waits:
        cal = cals.get(w["sla_calendar"]) if w["sla_calendar"] else None
        waited, day = _waited(cal, w["started_at"], desk.now)
        requester = people.get(w["requester"])
        key = keys[w["wait_id"]]
        can_remind = remind and reachable(requester)
        if auto_days > 0:
            if key in reminded:
                further, _ = _waited(cal, reminded[key], desk.now)
                due = further >= auto_days * day
            else:  # nobody could be reminded: count from when the reminder would have gone
                due = not can_remind and waited >= (max(remind_days, 0) + auto_days) * day
            if due:
                _autoresolve(desk, w, waited, day, cal is not None, result)
                continue
        if can_remind and key not in reminded and waited >= remind_days * day:
            subject, body = notices.reminder(
                tag=out.tag, number=w["number"], title=w["title"],
                to_name=notices.first_name(requester["name"], requester["handle"]),
                since=w["started_at"], tz=w["tz"] or (cal.tz if cal else None),
                question=w["reason"],
                waited=notices.business_days(waited, day) if cal else f"{waited // day} days",
                autoresolve_days=auto_days, signature=out.signature)
            if out.mail("reminder", w["number"], requester, subject, body, auto=True,
                        dedupe_key=key) is not None:
                result.reminded.append(w["number"])
                out.announce("reminder", w, [f"Waiting on {w['requester']} since "
                                             f"{notices.when(w['started_at'], w['tz'])}"],
                             {"waiting_since": w["started_at"]}, dedupe=key)


def _autoresolve(desk, w: dict, waited: int, day: int, business: bool, result: Checked) -> None:
    from isvc.services import access
    from isvc.services import requests as svc
    from isvc.store import requests as request_store

    req = request_store.get_request(desk.conn, w["number"])
    roles = access.roles_of(desk.actor, desk.teams_of(), desk.is_admin(), req)
    if not access.can("resolve", roles):
        result.warnings.append(
            f"#{req.number} waited {waited // day} {'business ' if business else ''}days on its "
            f"requester; {desk.actor} may not resolve it (run as a member of {req.team} "
            "or an admin)")
        return
    days = waited // day
    unit = "business day" if business else "day"
    plural = "" if days == 1 else "s"
    svc.transition(desk, req.number, "resolve",
                   f"Resolved automatically: no answer for {days} {unit}{plural}; reply to reopen")
    result.resolved.append(req.number)
