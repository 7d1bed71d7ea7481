"""Canned replies: names, placeholders, validation, rendering and the built-in defaults.

Pure: no I/O and no clock. A reply body is plain text with placeholders in braces,
``{requester.first_name}``; ``{{`` and ``}}`` stand for literal braces. A body is
validated when it is added or edited (unknown placeholders and malformed braces are
refused); rendering never fails: a value that is missing renders as sensible text, and a
line holding only placeholders that came out empty (``{message}`` without -m) is dropped
with its blank line, so no gap is left in the letter.

Every built-in follows the three phases of a service interaction: it opens (a greeting and
what it is about), does the one thing, and closes politely (a sign-off).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from isvc.errors import InvalidInput

BUILT_IN = "built-in"
DESK = "desk"

MAX_BODY = 10_000
MAX_DESCRIPTION = 200
NAME_HELP = "names are lower-case letters, digits and hyphens, starting with a letter (e.g. need-info)"
_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")

NO_AGREED_TIME = "no agreed time"
PAUSED = "paused while it waits"
DEFAULT_DESK_NAME = "the service desk"

# Every placeholder a reply may use, in the order `isvc reply` lists them.
PLACEHOLDERS: dict[str, str] = {
    "requester.first_name": "the requester's first name (their handle when they have no name)",
    "requester.name": "the requester's full name",
    "requester.handle": "the requester's handle",
    "request.number": "the request's number, e.g. 412",
    "request.title": "the request's title",
    "request.priority": "low, normal, high or urgent",
    "request.status": "the status once the command has acted, e.g. resolved",
    "team.name": "the provider team's name",
    "agent.name": "the full name of whoever sends the reply",
    "agent.first_name": "the first name of whoever sends the reply",
    "due.first_response": f'the first-response due time in the agreement calendar\'s zone ("Wed 25 Nov 11:30"; "{NO_AGREED_TIME}" when none)',
    "due.resolution": f'the resolution due time, likewise ("{PAUSED}" while the clock is paused)',
    "desk.name": f'the display name of config mail.address, else "{DEFAULT_DESK_NAME}"',
    "message": "the text given with -m beside --reply (empty otherwise: its line is dropped)",
}


@dataclass(frozen=True)
class Reply:
    name: str
    body: str
    description: str | None
    source: str  # BUILT_IN or DESK
    author: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    overrides: bool = False  # a desk reply that hides a built-in of the same name


# -- names and text ---------------------------------------------------------------------

def check_name(value: str) -> str:
    name = (value or "").strip().lower()
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"reply name {value!r} is not valid; {NAME_HELP}")
    return name


def clean_description(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(f"the description is {len(text)} characters; keep it under {MAX_DESCRIPTION}")
    return text or None


def known_list() -> str:
    return ", ".join("{" + key + "}" for key in PLACEHOLDERS)


# -- placeholders -------------------------------------------------------------------------

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|\{|\}")


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def tokens(text: str, *, strict: bool = True) -> Iterator[tuple[str, str]]:
    """("text", literal) and ("field", name) pieces of ``text``.

    ``strict`` refuses malformed braces (InvalidInput); otherwise they stay literal text.
    Whether a field name is known is not checked here.
    """
    pos = 0
    for m in _TOKEN.finditer(text):
        if m.start() > pos:
            yield "text", text[pos:m.start()]
        pos = m.end()
        token = m.group(0)
        if token == "{{":
            yield "text", "{"
        elif token == "}}":
            yield "text", "}"
        elif m.group(1) is not None and m.group(1).strip():
            yield "field", m.group(1).strip()
        elif not strict:
            yield "text", token
        elif token == "{":
            raise InvalidInput(f"an unclosed {{ at {_where(text, m.start())}; close it with }} "
                               "or write {{ for a literal brace")
        elif token == "}":
            raise InvalidInput(f"a lone }} at {_where(text, m.start())}; write }}}} for a literal brace")
        else:
            raise InvalidInput(f"an empty placeholder {token} at {_where(text, m.start())}; "
                               f"known placeholders: {known_list()}")
    if pos < len(text):
        yield "text", text[pos:]


def placeholders_in(text: str) -> list[str]:
    """The placeholders ``text`` uses, once each, in order (malformed braces are skipped)."""
    seen: dict[str, None] = {}
    for kind, value in tokens(text, strict=False):
        if kind == "field":
            seen.setdefault(value)
    return list(seen)


def validate_body(body: str | None) -> str:
    """The body as stored (outer blank lines trimmed), or InvalidInput saying what is wrong."""
    text = re.sub(r"\A(?:[ \t]*\n)+", "", (body or "").replace("\r\n", "\n")).rstrip()
    if not text.strip():
        raise InvalidInput("a reply needs text: --body \"...\" or --body-file FILE (- for stdin)")
    if len(text) > MAX_BODY:
        raise InvalidInput(f"the reply is {len(text)} characters; keep it under {MAX_BODY}")
    unknown: dict[str, None] = {}
    for kind, value in tokens(text, strict=True):
        if kind == "field" and value not in PLACEHOLDERS:
            unknown.setdefault(value)
    if unknown:
        names = ", ".join("{" + name + "}" for name in unknown)
        word = "placeholder" if len(unknown) == 1 else "placeholders"
        raise InvalidInput(f"unknown {word} {names}; known placeholders: {known_list()} "
                           "(write {{ and }} for literal braces)")
    return text


def escape(text: str) -> str:
    """``text`` as a reply body that renders back to exactly ``text``."""
    return text.replace("{", "{{").replace("}", "}}")


# -- rendering --------------------------------------------------------------------------

def render(body: str, values: Mapping[str, str]) -> str:
    """``body`` with its placeholders filled from ``values``; never fails.

    A placeholder with no value renders empty, an unknown or malformed one stays as
    written. A line made only of placeholders that came out empty is dropped, and so is a
    blank line it would leave doubled. Text without placeholders comes back unchanged.
    """
    lines: list[tuple[str, bool]] = []  # (rendered text, droppable)
    parts: list[str] = []
    had_field = False
    for kind, value in tokens(body, strict=False):
        if kind == "field":
            if value in PLACEHOLDERS:
                parts.append(str(values.get(value) or ""))
                had_field = True
            else:
                parts.append("{" + value + "}")
            continue
        chunks = value.split("\n")
        for i, chunk in enumerate(chunks):
            if i:
                line = "".join(parts)
                lines.append((line, had_field and not line.strip()))
                parts, had_field = [], False
            parts.append(chunk)
    line = "".join(parts)
    lines.append((line, had_field and not line.strip()))
    out: list[str] = []
    skip_blank = False
    for text, droppable in lines:
        if droppable:
            skip_blank = not out or not out[-1].strip()
            continue
        if skip_blank and not text.strip():
            skip_blank = False
            continue
        skip_blank = False
        out.append(text)
    return "\n".join(out)


def compose(body: str, values: Mapping[str, str], message: str | None = None) -> str:
    """The text a command sends: ``body`` rendered; ``message`` (-m) fills its {message}
    slot, or follows as a last paragraph when the body has none."""
    message = message.strip() if message else ""
    text = render(body, {**values, "message": message}).strip()
    if message and "message" not in placeholders_in(body):
        text = f"{text}\n\n{message}" if text else message
    return text


# -- the values of one request ------------------------------------------------------------

def first_name(name: str | None, handle: str | None) -> str:
    words = (name or "").split()
    return words[0] if words else (handle or "there")


def format_due(due: datetime | None, tz: str | None, *, has_target: bool) -> str:
    """A due time in the calendar's zone, "Wed 25 Nov 11:30"; words when there is none."""
    if not has_target:
        return NO_AGREED_TIME
    if due is None:
        return PAUSED
    if tz:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            due = due.astimezone(ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return due.strftime("%a %d %b %H:%M")


def desk_name(address: str | None) -> str:
    """The display name of config mail.address ("IT Service Desk <help@...>"), else
    "the service desk"."""
    from isvc.domain.mailtag import clean_header

    m = re.match(r"^\s*(.*?)\s*<[^<>]*>\s*$", clean_header(address or ""))
    name = m.group(1).strip().strip('"').strip() if m else ""
    return name or DEFAULT_DESK_NAME


@dataclass
class Party:
    """Just what a reply says about someone: the requester, or whoever sends it."""

    handle: str
    name: str | None = None


@dataclass
class RequestFacts:
    """What a reply may say about one request, as plain values."""

    number: int
    title: str
    priority: str
    status: str  # a label, "in progress"
    team: str
    team_name: str | None
    requester: Party
    agent: Party
    first_response_due: datetime | None = None
    resolution_due: datetime | None = None
    first_response_target: bool = False
    resolution_target: bool = False
    calendar_tz: str | None = None
    desk_address: str | None = None


def values_for(facts: RequestFacts) -> dict[str, str]:
    """Every placeholder's text for one request; each has a sensible fallback."""
    req, agent = facts.requester, facts.agent
    return {
        "requester.first_name": first_name(req.name, req.handle),
        "requester.name": (req.name or "").strip() or req.handle,
        "requester.handle": req.handle,
        "request.number": str(facts.number),
        "request.title": facts.title,
        "request.priority": facts.priority,
        "request.status": facts.status,
        "team.name": (facts.team_name or "").strip() or facts.team,
        "agent.name": (agent.name or "").strip() or agent.handle,
        "agent.first_name": first_name(agent.name, agent.handle),
        "due.first_response": format_due(facts.first_response_due, facts.calendar_tz,
                                         has_target=facts.first_response_target),
        "due.resolution": format_due(facts.resolution_due, facts.calendar_tz,
                                     has_target=facts.resolution_target),
        "desk.name": desk_name(facts.desk_address),
    }


# -- the built-in replies -----------------------------------------------------------------
# Short and human; each opens, does one thing, and closes. `{message}` is where -m goes.

_DEFAULTS: dict[str, tuple[str, str]] = {
    "ack": (
        "We have it, who is on it, and when to expect us.",
        """\
Hello {requester.first_name},

Thank you for request #{request.number}, "{request.title}". We have it, and {agent.name} ({team.name}) is looking after it.

{message}

When to expect us:
  first answer: {due.first_response}
  resolution:   {due.resolution}

Kind regards,
{agent.first_name} from {desk.name}""",
    ),
    "need-info": (
        "What we need from the requester, why, and how to answer.",
        """\
Hello {requester.first_name},

Thank you for request #{request.number}, "{request.title}". Before we can go on, we need a little more from you.

{message}

The exact error message, when it started and what you already tried all help: we ask so we can fix it the first time instead of guessing. Just reply to this message; we pick it up again as soon as you answer.

Thank you for your help,
{agent.first_name} from {desk.name}""",
    ),
    "working": (
        "A progress update: someone is on it, and the expected resolution.",
        """\
Hello {requester.first_name},

A quick update on request #{request.number}, "{request.title}": {agent.name} is working on it.

{message}

Expected resolution: {due.resolution}. There is nothing you need to do; we will write again when it is done.

Kind regards,
{agent.first_name} from {desk.name}""",
    ),
    "resolved": (
        "It is done: please confirm, and how to reopen if not.",
        """\
Hello {requester.first_name},

Good news: request #{request.number}, "{request.title}", is resolved.

{message}

Could you check that everything works for you now? If it does not, just reply to this message (or run `isvc request reopen {request.number}`) and we will pick it up again.

Thank you for your patience,
{agent.first_name} from {desk.name}""",
    ),
    "closed-thanks": (
        "Thanks for confirming; the request is closed.",
        """\
Hello {requester.first_name},

Thank you for confirming. Request #{request.number}, "{request.title}", is now closed.

{message}

If anything else comes up, file a new request at any time; we are glad to help.

Best wishes,
{agent.first_name} from {desk.name}""",
    ),
}


def built_ins() -> dict[str, Reply]:
    """The replies every desk has, by name; a desk reply of the same name overrides one."""
    return {name: Reply(name=name, body=body, description=description, source=BUILT_IN)
            for name, (description, body) in _DEFAULTS.items()}


def merge(desk_replies: list[Reply]) -> list[Reply]:
    """The replies in effect, sorted by name: the desk's, then built-ins not overridden."""
    defaults = built_ins()
    out = {name: reply for name, reply in defaults.items()}
    for reply in desk_replies:
        out[reply.name] = replace(reply, overrides=reply.name in defaults)
    return [out[name] for name in sorted(out)]
