"""Notices written by the request use cases, inside their transactions: the
acknowledgement and the on-call alarm when a request is filed, public replies, and the
resolution, each as mail to the people concerned and a row per subscribed webhook. Each
reads a few rows at most; an event that config notify.events leaves out reads nothing."""

from __future__ import annotations

from isvc.domain import notices
from isvc.services.notify.outgoing import Outgoing, events, reachable, setting
from isvc.store import notices as store


def filed(desk, number: int, thread_root: str | None = None) -> None:
    on = events(desk)
    want_ack, want_oncall = "ack" in on, "oncall" in on
    if not (want_ack or want_oncall):
        return
    ctx = store.request_context(desk.conn, number)
    if ctx is None:
        return
    out = Outgoing(desk)
    if thread_root or ctx["channel"] != "mail":
        # filed here, no mail about it exists yet; or the intake named the mail: no query
        out.new_thread(number, thread_root)
    if want_ack:
        _ack(out, ctx)
        out.announce("ack", ctx, [f"Requester: {ctx['requester']}", _expected(ctx)],
                     {"first_response_due_at": ctx["fr_due_at"],
                      "resolution_due_at": ctx["res_due_at"]},
                     dedupe=f"ack:{ctx['number']}")
    if want_oncall and ctx["priority"] == "urgent" and ctx["agreement"]:
        _oncall(out, ctx)


def _expected(ctx: dict) -> str:
    if not ctx["agreement"]:
        return "No service agreement covers it"
    return (f"First response due {notices.when(ctx['fr_due_at'], ctx['tz'])}, "
            f"resolution due {notices.when(ctx['res_due_at'], ctx['tz'])}")


def _ack(out: Outgoing, ctx: dict) -> None:
    desk = out.desk
    requester = {"handle": ctx["requester"], "name": ctx["requester_name"],
                 "email": ctx["requester_email"], "active": ctx["requester_active"]}
    # never about one's own action, except to a requester whose mail filed it
    if not reachable(requester) or (ctx["requester"] == desk.actor and ctx["channel"] != "mail"):
        return
    subject, body = notices.ack(
        tag=out.tag, number=ctx["number"], title=ctx["title"], team_name=ctx["team_name"],
        to_name=notices.first_name(ctx["requester_name"], ctx["requester"]),
        first_response_due=ctx["fr_due_at"], resolution_due=ctx["res_due_at"], tz=ctx["tz"],
        covered=bool(ctx["agreement"]), signature=out.signature)
    out.mail("ack", ctx["number"], requester, subject, body, auto=True,
             dedupe_key=f"ack:{ctx['number']}")


def _oncall(out: Outgoing, ctx: dict) -> None:
    """An urgent request filed outside the agreement calendar's working hours."""
    from isvc.domain.clocks import is_business_instant
    from isvc.services import sla
    from isvc.store import sla as sla_store

    desk = out.desk
    ag = sla_store.get_agreement(desk.conn, ctx["agreement"])
    if ag is None or not ag.oncall:
        return
    cal = sla.calendars(desk.conn).get(ag.calendar)
    if cal is None or is_business_instant(cal, desk.now):
        return
    number = ctx["number"]
    for person, _ in out.expand([ag.oncall]):
        if person["handle"] == desk.actor:
            continue
        subject, body = notices.oncall(
            tag=out.tag, number=number, title=ctx["title"], team=ctx["team"],
            priority=ctx["priority"], to_name=notices.first_name(person["name"], person["handle"]),
            requester_name=ctx["requester_name"], filed_at=ctx["created_at"],
            tz=ctx["tz"] or cal.tz, text=ctx["body"] or "", signature=out.signature)
        out.mail("oncall", number, person, subject, body, auto=True,
                 dedupe_key=f"oncall:{number}:{person['email']}")
    out.announce("oncall", ctx,
                 [f"Filed out of hours: {notices.when(ctx['created_at'], ctx['tz'] or cal.tz)}",
                  f"Requester: {ctx['requester']}", f"On call: {ag.oncall}"],
                 {"oncall": ag.oncall}, dedupe=f"oncall:{number}")


def replied(desk, req, message: str) -> None:
    """Staff (not the requester) -> the requester and watchers; the requester or a watcher
    -> the assignee (nobody assigned: nothing, the queue shows it). Never the author."""
    if "reply" not in events(desk):
        return
    actor = desk.actor
    if actor == req.requester:
        staff = False
    elif actor == req.assignee:
        staff = True
    elif actor in req.watchers:
        staff = req.team in desk.teams_of()  # a team member who also watches speaks for the team
    else:
        staff = True
    if staff:
        targets = [(req.requester, "requester")] + [(w, "watcher") for w in req.watchers]
    else:
        targets = [(req.assignee, "assignee")] if req.assignee else []
    targets = [(h, role) for h, role in targets if h and h != actor]
    out = Outgoing(desk)
    out.announce("reply", _facts(req), [f"By: {actor}"], {"by": actor})
    if not targets:
        return
    found = store.people(desk.conn, [h for h, _ in targets] + [actor])
    author = found.get(actor) or {"name": actor}
    seen: set[str] = set()
    for handle, role in targets:
        person = found.get(handle)
        if not reachable(person) or person["email"].lower() in seen:
            continue
        seen.add(person["email"].lower())
        subject, body = notices.reply(
            tag=out.tag, number=req.number, title=req.title,
            to_name=notices.first_name(person["name"], handle), author_name=author["name"] or actor,
            text=message, role=role, signature=out.signature)
        out.mail("reply", req.number, person, subject, body, auto=False)


def resolved(desk, req, message: str | None) -> None:
    """To the requester, with the resolution note and how long a reply reopens it."""
    if "resolved" not in events(desk):
        return
    out = Outgoing(desk)
    out.announce("resolved", _facts(req, "resolved"), [f"By: {desk.actor}"],
                 {"by": desk.actor, "message": message})
    if req.requester == desk.actor:
        return
    found = store.people(desk.conn, [req.requester, desk.actor])
    person = found.get(req.requester)
    if not reachable(person):
        return
    by = found.get(desk.actor) or {"name": desk.actor}
    subject, body = notices.resolved(
        tag=out.tag, number=req.number, title=req.title,
        to_name=notices.first_name(person["name"], req.requester), by_name=by["name"] or desk.actor,
        message=message, reopen_days=int(setting(desk, "requests", "autoclose_days") or 0),
        signature=out.signature)
    out.mail("resolved", req.number, person, subject, body, auto=False)


def _facts(req, status: str | None = None) -> dict:
    """A Request as the plain values a webhook payload carries."""
    return {"number": req.number, "title": req.title, "team": req.team,
            "priority": req.priority.value, "status": status or req.status.value,
            "assignee": req.assignee, "requester": req.requester}
