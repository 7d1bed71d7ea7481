"""The words of the notifications isvc sends: pure functions from plain values to
``(subject, body)``. No I/O and no clock: instants come in as stored ISO text with the IANA
zone to show them in.

Every mail body opens with a greeting, says the one thing, and closes with the desk's
name (the display name of config ``mail.address``, else "isvc"). Subjects of mail about a
request carry the subject tag (``mail.tag``) so replies thread back to it.
"""

from __future__ import annotations

import re

from isvc.domain.mailtag import clean_header, format_tag, tagged_subject

CLOCK_LABELS = {"first_response": "first response", "resolution": "resolution"}
STATE_LABELS = {"at_risk": "at risk", "breached": "breached"}
# what a webhook's one line calls each kind: "#12 filed: VPN down (it, urgent)"
EVENT_LABELS = {"ack": "filed", "reply": "reply", "resolved": "resolved", "oncall": "on call",
                "reminder": "reminder sent", "digest": "digest", **STATE_LABELS}

_ANGLE = re.compile(r"^\s*(.*?)\s*<\s*([^<>\s]+)\s*>\s*$")


# -- who sends ------------------------------------------------------------------------

def sender_name(address: str | None) -> str:
    """The display name of ``mail.address`` ("IT Service Desk <helpdesk@...>"), else "isvc"."""
    m = _ANGLE.match(clean_header(address or ""))
    name = m.group(1).strip().strip('"').strip() if m else ""
    return clean_header(name) or "isvc"


def mail_domain(address: str | None) -> str:
    """The domain of ``mail.address`` for Message-IDs, else "isvc.invalid"."""
    text = clean_header(address or "")
    m = _ANGLE.match(text)
    addr = m.group(2) if m else text.strip()
    local, at, domain = addr.rpartition("@")
    domain = domain.strip().lower()
    if at and local and re.fullmatch(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?", domain):
        return domain
    return "isvc.invalid"


def first_name(name: str | None, handle: str | None = None) -> str:
    """How a greeting addresses someone: the first word of their name, else their handle."""
    words = (name or "").split()
    return words[0] if words else (handle or "there")


def when(iso: str | None, tz: str | None) -> str:
    """"Mon 23 Nov 11:30 (Europe/Bucharest)": an instant in the zone it is promised in."""
    if not iso:
        return "not set (the clock is paused)"
    from zoneinfo import ZoneInfo

    from isvc.domain.timeutil import parse_iso

    zone = tz or "UTC"
    return f"{parse_iso(iso).astimezone(ZoneInfo(zone)):%a %d %b %H:%M} ({zone})"


def _clock_time(iso: str | None, tz: str | None) -> str:
    """"Mon 23 Nov 11:30" in ``tz``, for a text that names its zone once."""
    if not iso:
        return "not set (the clock is paused)"
    from zoneinfo import ZoneInfo

    from isvc.domain.timeutil import parse_iso

    return f"{parse_iso(iso).astimezone(ZoneInfo(tz or 'UTC')):%a %d %b %H:%M}"


def business_days(minutes: int, day_minutes: int) -> str:
    days = minutes // max(1, day_minutes)
    return f"{days} business day" + ("" if days == 1 else "s")


# -- the letter around every mail ---------------------------------------------------------

def _letter(to_name: str, paragraphs: list[str], signature: str, closing: str) -> str:
    parts = [f"Hello {to_name},", *[p for p in paragraphs if p], f"{closing}\n— {signature}"]
    return "\n\n".join(parts) + "\n"


def _quoted(text: str) -> str:
    return "\n".join(f"    {line}" if line.strip() else "" for line in text.strip().splitlines())


def _reply_hint(tag: str, number: int, what: str = "To answer") -> str:
    return (f"{what}, reply to this mail and keep \"{format_tag(tag, number)}\" in the "
            "subject: that keeps your answer on the request.")


# -- request mail -----------------------------------------------------------------------------

def ack(*, tag: str, number: int, title: str, team_name: str, to_name: str,
        first_response_due: str | None, resolution_due: str | None, tz: str | None,
        covered: bool, signature: str) -> tuple[str, str]:
    """To the requester when a request is filed: its number and what to expect."""
    if covered:
        lines = ["What to expect:"]
        if first_response_due:
            lines.append(f"  First response by: {when(first_response_due, tz)}")
        if resolution_due:
            lines.append(f"  Resolution by:     {when(resolution_due, tz)}")
        expect = "\n".join(lines) if len(lines) > 1 else ""
    else:
        expect = ("No service agreement covers this request, so there are no promised "
                  "times; we will answer as soon as we can.")
    body = _letter(to_name, [
        f"We received your request #{number}, \"{title}\". {team_name} will handle it.",
        expect,
        _reply_hint(tag, number, "To add details or answer our questions"),
    ], signature, "Thank you for reaching out,")
    return tagged_subject(tag, number, title), body


def reply(*, tag: str, number: int, title: str, to_name: str, author_name: str, text: str,
          role: str, signature: str) -> tuple[str, str]:
    """A public reply, to the other side: ``role`` is why the recipient gets it
    ("requester", "watcher" or "assignee")."""
    about = {
        "requester": f"replied to your request #{number}, \"{title}\":",
        "watcher": f"replied to request #{number}, \"{title}\", which you watch:",
        "assignee": f"replied to #{number}, \"{title}\", which is assigned to you:",
    }[role]
    hint = (_reply_hint(tag, number) if role != "assignee" else
            f"Reply to this mail, or answer with `isvc request comment {number} -m \"...\"`.")
    body = _letter(to_name, [f"{author_name} {about}", _quoted(text), hint], signature,
                   "Kind regards,")
    return tagged_subject(tag, number, title), body


def resolved(*, tag: str, number: int, title: str, to_name: str, by_name: str,
             message: str | None, reopen_days: int, signature: str) -> tuple[str, str]:
    """To the requester when their request is resolved."""
    note = (f"How it was resolved:\n\n{_quoted(message)}" if message and message.strip()
            else "No resolution note was given.")
    if reopen_days > 0:
        reopen = (f"If this did not solve the problem, reply to this mail within "
                  f"{reopen_days} day{'' if reopen_days == 1 else 's'} and the request is "
                  "reopened; after that, a reply files a new request.")
    else:
        reopen = "If this did not solve the problem, reply to this mail and we will look again."
    body = _letter(to_name, [
        f"Your request #{number}, \"{title}\", was resolved by {by_name}.", note, reopen,
    ], signature, "Thank you for your patience,")
    return tagged_subject(tag, number, title), body


def reminder(*, tag: str, number: int, title: str, to_name: str, since: str, tz: str | None,
             question: str | None, waited: str, autoresolve_days: int,
             signature: str) -> tuple[str, str]:
    """To the requester of a request that has waited on them for a while."""
    asked = f"Our question was:\n\n{_quoted(question)}" if question and question.strip() else ""
    then = (f"If we do not hear from you within {autoresolve_days} more business "
            f"day{'' if autoresolve_days == 1 else 's'}, we will resolve the request; a reply "
            "after that reopens it." if autoresolve_days > 0 else "")
    body = _letter(to_name, [
        f"We are waiting for your answer on request #{number}, \"{title}\": we asked on "
        f"{when(since, tz)}, {waited} ago.",
        asked,
        _reply_hint(tag, number),
        then,
    ], signature, "Thank you,")
    return tagged_subject(tag, number, title), body


# -- notices to the people who serve ----------------------------------------------------------

def oncall(*, tag: str, number: int, title: str, team: str, priority: str, to_name: str,
           requester_name: str, filed_at: str, tz: str | None, text: str,
           signature: str) -> tuple[str, str]:
    """To whoever is on call: an urgent request filed outside working hours."""
    body = _letter(to_name, [
        f"An {priority} request was filed outside working hours and you are on call:",
        f"  #{number} {title}\n  Team: {team}\n  Requester: {requester_name}\n"
        f"  Filed: {when(filed_at, tz)}",
        _quoted(text) if text.strip() else "",
        f"Take it with `isvc request take {number}`, or reply to this mail.",
    ], signature, "Thank you,")
    return tagged_subject(tag, number, f"On call, {priority}: {title}"), body


def sla_mail(*, state: str, clock: str, tag: str, number: int, title: str, team: str,
             priority: str, due_at: str | None, tz: str | None, to_name: str,
             assignee_name: str | None, why: str, signature: str) -> tuple[str, str]:
    """At risk or breached, to the assignee and the agreement's notify list."""
    label = CLOCK_LABELS.get(clock, clock)
    what = f"The {label} target of #{number}, \"{title}\" ({team}, {priority}),"
    if state == "breached":
        said = f"{what} is breached: it was due {when(due_at, tz)}."
    else:
        said = f"{what} is at risk: it is due {when(due_at, tz)}."
    owner = f"Assigned to: {assignee_name}" if assignee_name else "Nobody is assigned yet."
    body = _letter(to_name, [said, owner, f"You get this notice because {why}."], signature,
                   "Thank you,")
    state_label = STATE_LABELS.get(state, state).capitalize()
    return tagged_subject(tag, number, f"{state_label}: {title}"), body


def webhook_text(*, kind: str, number: int, title: str, team: str, priority: str,
                 lines: list[str]) -> tuple[str, str]:
    """A chat-sized message: "#12 breached: VPN down (it, urgent)" and a few lines."""
    event = EVENT_LABELS.get(kind, kind.replace("_", " "))
    subject = clean_header(f"#{number} {event}: {title} ({team}, {priority})")
    return subject, "\n".join([subject, *lines]) + "\n"


def sla_webhook_lines(*, clock: str, state: str, due_at: str | None, tz: str | None,
                      assignee: str | None) -> list[str]:
    label = CLOCK_LABELS.get(clock, clock).capitalize()
    verb = "was due" if state == "breached" else "is due"
    return [f"{label} {verb} {when(due_at, tz)}", f"Assignee: {assignee or 'nobody'}"]


# -- the daily digest -------------------------------------------------------------------------

def digest(*, team_name: str, day: str, to_name: str | None, figures: dict, tz: str | None,
           signature: str) -> tuple[str, str]:
    """A team's day at a glance. ``figures``: open (status -> count), breached and at_risk
    (lists of {number, title, due_at}), unassigned, oldest ({number, title, created_at} or
    None), new_since_yesterday."""
    total = sum(figures["open"].values())
    subject = clean_header(
        f"{team_name} digest, {day}: {total} open, {len(figures['breached'])} breached, "
        f"{len(figures['at_risk'])} at risk")
    by_status = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in figures["open"].items()
                          if n) or "none"
    lines = [f"Open requests: {total} ({by_status})",
             f"Unassigned: {figures['unassigned']}",
             f"New since yesterday: {figures['new_since_yesterday']}"]
    # times in the team's zone, named once below (not in brackets inside brackets)
    oldest = figures.get("oldest")
    if oldest:
        lines.append(f"Oldest open: #{oldest['number']} {oldest['title']} "
                     f"(filed {_clock_time(oldest['created_at'], tz)})")
    sections = ["\n".join(lines)]
    for key, heading, verb in (("breached", "Breached", "was due"), ("at_risk", "At risk", "due")):
        rows = figures[key]
        if rows:
            sections.append(f"{heading}:\n" + "\n".join(
                f"  #{r['number']} {r['title']} ({verb} {_clock_time(r['due_at'], tz)})"
                for r in rows))
    if oldest or figures["breached"] or figures["at_risk"]:
        sections.append(f"Times are in {tz or 'UTC'}.")
    if to_name is None:  # a webhook: no letter around it
        return subject, "\n\n".join([subject, *sections]) + "\n"
    body = _letter(to_name, [f"Here is {team_name}'s queue on {day}.", *sections], signature,
                   "Have a good day,")
    return subject, body
