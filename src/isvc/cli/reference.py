"""The README's generated parts: the command reference, the JSON shapes, the permissions.

cog runs these functions from the README (``uv run cog -r README.md``) and the test suite
checks the README is current (``cog --check``), so the docs cannot drift from the code:

- :func:`reference_markdown` walks the Typer app's command tree the way ``--help`` does
  (``list_commands``/``get_command``, so lazily loaded sub-apps and commands added later
  are picked up) and prints, per command: a heading, the usage line, the help text, the
  arguments and options, and the ``Example:`` epilog.
- :func:`json_shapes_markdown` calls the real shape functions on sample objects
  (``render/shapes.py``, ``services.sla.sla_object``, the agreement's ``to_json``, the
  calendar command's dicts, the explanation's JSON), with clocks and calculator answers
  computed by the business-time engine from a sample calendar, so every key they emit is
  shown and must be described in ``KEY_NOTES``. The few shapes a command assembles itself
  (``sla check`` and ``agreement status`` rows, the calculator's objects) are built the
  same way here, and ``tests/test_docs.py`` runs the real commands to check that they
  print exactly the documented keys.
- :func:`permissions_markdown` prints the role x action matrix of ``services/access.py``.

Everything here is plain Markdown, without Rich markup, and deterministic: it never reads
the terminal width, the clock, the environment or a database.

``python -m isvc.cli.reference`` prints the command reference.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any

import typer

# -- the command tree ------------------------------------------------------------------


@dataclass
class ParamDoc:
    names: str  # "`--team`, `-t`" or "`TITLE`"
    metavar: str  # "TEXT", "PATH", "" for flags
    help: str
    kind: str  # "argument" or "option"


@dataclass
class CommandDoc:
    path: str  # "isvc request new"
    usage: str  # "isvc request new [OPTIONS] TITLE"
    help: str  # plain text, paragraphs separated by blank lines
    epilog: str  # plain text, "" when the command has none
    params: list[ParamDoc] = field(default_factory=list)
    subcommands: list[str] = field(default_factory=list)  # full paths; empty for a leaf
    is_group: bool = False
    depth: int = 0  # 0 for the root

    @property
    def anchor(self) -> str:
        """GitHub's anchor for a ``### isvc request new`` heading."""
        return "#" + self.path.lower().replace(" ", "-")


_TYPE_NAMES = {
    "str": "TEXT",
    "text": "TEXT",
    "string": "TEXT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "float": "NUMBER",
    "path": "PATH",
    "filename": "FILE",
    "file": "FILE",
    "datetime": "DATETIME",
    "uuid": "UUID",
}


def _root_command(app: typer.Typer | None = None):
    import typer.main

    if app is None:
        from isvc.cli.app import app as isvc_app

        app = isvc_app
    return typer.main.get_command(app)


def _plain(text: str | None, markup_mode: str | None) -> str:
    """Help text as the user reads it, without Rich markup; paragraphs reflowed."""
    if not text:
        return ""
    text = inspect.cleandoc(text)
    if markup_mode == "rich" and "[" in text:
        from rich.text import Text

        text = Text.from_markup(text, emoji=False).plain
    paragraphs = []
    for para in re.split(r"\n\s*\n", text.strip()):
        if para.startswith("\b"):  # click's "do not rewrap this paragraph"
            paragraphs.append(para.lstrip("\b").strip("\n"))
        else:
            paragraphs.append(" ".join(line.strip() for line in para.splitlines()))
    return "\n\n".join(p for p in paragraphs if p)


def _metavar(param: Any) -> str:
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return ""
    return param.metavar or _value_type(param)


def _value_type(param: Any) -> str:
    """TEXT, INTEGER, PATH ... or the choices ``a|b|c``."""
    choices = getattr(param.type, "choices", None)
    if choices:
        return "|".join(str(getattr(c, "value", c)) for c in choices)
    name = (getattr(param.type, "name", "") or "").lower().removesuffix(" range")
    if name in ("bool", "boolean"):
        return ""
    return _TYPE_NAMES.get(name, name.upper() or "VALUE")


def _default_note(param: Any) -> str:
    if param.required or getattr(param, "show_default", None) is False:
        return ""
    default = param.default
    if callable(default) or default is None or isinstance(default, bool):
        return ""
    if isinstance(default, (list, tuple)):
        return ""
    default = getattr(default, "value", default)
    if isinstance(default, str) and not default:
        return ""
    return f"Default: `{default}`."


def _param_doc(param: Any, markup_mode: str | None) -> ParamDoc:
    help_text = _plain(getattr(param, "help", None), markup_mode)
    extras = []
    if param.param_type_name == "argument":
        name = (param.metavar or param.name or "").upper()
        label = f"`{name}...`" if param.nargs == -1 else f"`{name}`"
        extras.append("Required." if param.required else "Optional.")
        kind, metavar = "argument", _value_type(param)
    else:
        opts = ", ".join(f"`{o}`" for o in param.opts)
        if param.secondary_opts:
            opts += " / " + ", ".join(f"`{o}`" for o in param.secondary_opts)
        label = opts
        if param.required:
            extras.append("Required.")
        if getattr(param, "multiple", False) and "repeat" not in help_text.lower():
            extras.append("Repeatable.")
        kind, metavar = "option", _metavar(param)
    default = _default_note(param)
    if default:
        extras.append(default)
    text = " ".join(part for part in [help_text, *extras] if part)
    return ParamDoc(names=label, metavar=metavar, help=text, kind=kind)


def _usage(path: str, command: Any, is_group: bool) -> str:
    pieces = [path]
    if any(p.param_type_name == "option" for p in command.params) or not is_group:
        pieces.append("[OPTIONS]")
    for param in command.params:
        if param.param_type_name != "argument":
            continue
        name = (param.metavar or param.name or "").upper()
        if param.nargs == -1:
            name += "..."
        pieces.append(name if param.required else f"[{name}]")
    if is_group:
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def command_tree(app: typer.Typer | None = None) -> list[CommandDoc]:
    """Every visible command, depth first in the order ``--help`` lists them; the root first."""
    root = _root_command(app)
    docs: list[CommandDoc] = []

    def visit(command: Any, path: str, ctx: typer.Context, depth: int) -> None:
        mode = getattr(command, "rich_markup_mode", None)
        is_group = hasattr(command, "list_commands")
        doc = CommandDoc(
            path=path,
            usage=_usage(path, command, is_group),
            help=_plain(command.help, mode),
            epilog=_plain(command.epilog, mode),
            params=[_param_doc(p, mode) for p in command.params if not getattr(p, "hidden", False)],
            is_group=is_group,
            depth=depth,
        )
        docs.append(doc)
        if not is_group:
            return
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            sub_path = f"{path} {name}"
            doc.subcommands.append(sub_path)
            visit(sub, sub_path, typer.Context(sub, info_name=name, parent=ctx), depth + 1)

    visit(root, "isvc", typer.Context(root, info_name="isvc"), 0)
    return docs


def leaf_commands(app: typer.Typer | None = None) -> list[CommandDoc]:
    """The commands a user runs (not the groups that hold them)."""
    return [doc for doc in command_tree(app) if not doc.is_group]


# -- Markdown helpers -------------------------------------------------------------------

_EXAMPLE = re.compile(r"^(Examples?(?: \([^)]*\))?):\s*(.*)$", re.DOTALL)


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _escape_prose(text: str) -> str:
    """Plain help text as Markdown: outside code spans, `<word` is not an HTML tag and
    `*` is not emphasis."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(
        part if part.startswith("`")
        else re.sub(r"<(?=[A-Za-z/!])", "&lt;", part).replace("*", "\\*")
        for part in parts
    )


def _first_sentence(text: str) -> str:
    return text.split("\n\n")[0]


def _epilog_markdown(epilog: str) -> list[str]:
    """``Example: a   ·   b`` becomes a label and a code block with one line per example."""
    if not epilog:
        return []
    match = _EXAMPLE.match(epilog)
    if not match:
        return [_escape_prose(epilog), ""]
    label, body = match.groups()
    examples = [e.strip() for e in re.split(r"\s+·\s+", body) if e.strip()]
    return [f"{label}:", "", "```sh", *examples, "```", ""]


def _params_table(params: list[ParamDoc]) -> list[str]:
    if not params:
        return []
    lines = ["| Argument or option | Value | Description |", "|---|---|---|"]
    for p in params:
        value = f"`{_escape_cell(p.metavar)}`" if p.metavar else ""
        description = _escape_cell(_escape_prose(p.help))
        lines.append(f"| {_escape_cell(p.names)} | {value} | {description} |")
    return lines + [""]


def reference_markdown(app: typer.Typer | None = None) -> str:
    """The command reference: global options, then one section per group and command."""
    docs = command_tree(app)
    by_path = {d.path: d for d in docs}
    root, rest = docs[0], docs[1:]
    out: list[str] = []
    out += [_escape_prose(root.help), ""] if root.help else []
    out += ["Usage:", "", "```", root.usage, "```", ""]
    out += ["Global options go before the command, e.g. `isvc --as ana request show 412`. "
            "Every command also takes `-h`/`--help`.", ""]
    out += _params_table(root.params)
    if root.epilog and not _EXAMPLE.match(root.epilog):
        out += [_escape_prose(root.epilog), ""]
    out += ["Commands:", ""]
    for doc in rest:
        indent = "  " * (doc.depth - 1)
        summary = _escape_prose(_first_sentence(doc.help)) if doc.help else ""
        out.append(f"{indent}- [`{doc.path}`]({doc.anchor})" + (f": {summary}" if summary else ""))
    out.append("")
    for doc in rest:
        out += [f"### {doc.path}", ""]
        out += ["```", doc.usage, "```", ""]
        if doc.help:
            out += [_escape_prose(doc.help), ""]
        if doc.is_group:
            subs = [by_path[s] for s in doc.subcommands]
            links = ", ".join(f"[`{s.path.rsplit(' ', 1)[1]}`]({s.anchor})" for s in subs)
            out += [f"Commands: {links}.", ""]
        out += _params_table(doc.params)
        out += _epilog_markdown(doc.epilog)
    return "\n".join(out).rstrip("\n") + "\n"


# -- JSON shapes --------------------------------------------------------------------------

# What each key of each shape means. A key the shape functions emit without a note here is
# shown as "(undocumented)" and fails tests/test_docs.py.
KEY_NOTES: dict[str, dict[str, tuple[str, str]]] = {
    "request": {
        "number": ("integer", "Sequential per database, never reused."),
        "title": ("string", "One line."),
        "body": ("string", "The details; `\"\"` when none were given."),
        "status": ("string", "One of {statuses}."),
        "priority": ("string", "One of {priorities}."),
        "team": ("string", "The provider team's handle."),
        "type": ("string or null", "The request type, e.g. `it/network`."),
        "requester": ("string", "Handle of the person served."),
        "assignee": ("string or null", "Handle of the owner; `null` while nobody owns it."),
        "watchers": ("array of strings", "Handles, sorted."),
        "tags": ("array of strings", "Lower-case tags, sorted."),
        "fields": ("object", "Custom fields: string keys, string values."),
        "channel": ("string", "Where it came from: `cli` (later also `mail`, `import`)."),
        "waiting_on": ("null, string or integer", "`null`, `\"requester\"`, or the number of the request it waits on."),
        "created_at": ("instant", "When it was filed."),
        "updated_at": ("instant", "When it last changed."),
        "first_response_at": ("instant or null", "The first response: an `ack`, or a public reply by the provider team."),
        "resolved_at": ("instant or null", "When it was resolved; cleared again by a reopen."),
        "closed_at": ("instant or null", "When it was closed or cancelled."),
        "agreement": ("string or null", "The service agreement that applies."),
        "sla": ("object or null", "`null` when no agreement applies; otherwise its `first_response` and `resolution` clocks."),
    },
    "event": {
        "id": ("integer", "The event's id: what `isvc request redact N EVENT` takes."),
        "at": ("instant", "When it happened."),
        "actor": ("string", "Who did it (from `--as`, `ISVC_USER`, the config or the OS login)."),
        "kind": ("string", "`filed`, `status`, `reply`, `note`, `assigned`, `watch`, `unwatch`, `edit`, `link` or `redaction`."),
        "field": ("string or null", "What an `edit` or `link` changed: `title`, `priority`, `fields.asset`, `tags`, `follow_up` ..."),
        "from": ("string, integer or null", "The value before: a status, an assignee, an edited value."),
        "to": ("string, integer or null", "The value after."),
        "message": ("string or null", "The text of a reply, a note or a status change."),
        "internal": ("boolean", "`true` for internal notes and redactions: listed only for the provider team and admins."),
    },
    "team": {
        "handle": ("string", "Short handle, e.g. `it`."),
        "name": ("string", "Display name."),
        "members": ("array of strings", "Handles of the members."),
        "calendar": ("string or null", "The business-hours calendar."),
        "agreements": ("array of strings", "Names of the service agreements it provides."),
    },
    "person": {
        "handle": ("string", "Short handle, e.g. `ana`."),
        "name": ("string", "Full name."),
        "email": ("string or null", "Email address (mail intake maps senders by it)."),
        "teams": ("array of strings", "Handles of their teams."),
        "primary_team": ("string or null", "Their customer team for agreements and reports."),
        "active": ("boolean", "`false` once deactivated."),
        "role": ("string", "`admin` or `member` on this desk."),
    },
    "sla_clock": {
        "target_minutes": ("integer", "The target for the request's priority, in business minutes."),
        "due_at": ("instant or null", "When the target is used up; `null` while a pause holds the clock (shown `paused`)."),
        "at_risk_at": ("instant or null", "When the clock turns at risk (the agreement's `at_risk_percent` of the target used); `null` while paused."),
        "state": ("string", "`on_track`, `at_risk`, `breached` or `met`. A running clock is breached strictly after `due_at`; a stopped one keeps the verdict recorded when it stopped."),
        "elapsed_business_minutes": ("integer", "Business time counted so far (up to the stop, outside pauses), in whole minutes."),
        "remaining_business_minutes": ("integer", "`target_minutes` minus elapsed; negative once overrun."),
        "paused": ("boolean", "`true` while waiting on the requester or on another request (the resolution clock; the first-response clock only if the agreement says so)."),
        "breach_recorded_at": ("instant or null", "When a breach was recorded. It stays recorded for reports even if a later priority or agreement change moves the due time."),
    },
    "type": {
        "key": ("string", "`team/name`, what `request new --type` takes."),
        "team": ("string", "The provider team whose type it is."),
        "name": ("string", "The name within the team."),
        "title": ("string", "What people see when choosing it."),
        "description": ("string or null", "When to use it."),
        "priority": ("string or null", "The priority its requests get without `--priority` ({priorities}); `null`: the desk's default."),
        "fields": ("array of objects", "Its fields, in order: `name`, `kind` (`text`, `number`, `money`, `date`, `choice`, `person`, `bool`), `required`, `choices` (for `choice`), `label`."),
        "active": ("boolean", "`false` once retired: no new requests of this type."),
        "created_at": ("string", "When it was added."),
        "updated_at": ("string", "When it last changed."),
    },
    "kb_article": {
        "id": ("integer", "The article's number (`kb show ID`, `request resolve N --kb ID`)."),
        "title": ("string", "Its title."),
        "body": ("string", "Markdown."),
        "team": ("string or null", "The team it belongs to; `null`: everyone's."),
        "tags": ("array of strings", "Its tags."),
        "version": ("integer", "The version shown (`kb show ID --version N`)."),
        "latest_version": ("integer", "The current version; every earlier one is kept (`kb history ID`)."),
        "active": ("boolean", "`false` once retired: no longer searched or offered."),
        "author": ("string", "Who wrote it first."),
        "created_at": ("string", "When it was added."),
        "updated_at": ("string", "When it last changed."),
        "editor": ("string or null", "Who wrote the version shown."),
        "edited_at": ("string or null", "When that version was written."),
    },
    "kb_hit": {
        "rank": ("integer", "1 for the best match."),
        "id": ("integer", "The article."),
        "title": ("string", "Its title."),
        "team": ("string or null", "Its team."),
        "tags": ("array of strings", "Its tags."),
        "version": ("integer", "Its current version."),
        "updated_at": ("string", "When it last changed."),
        "score": ("number", "How well it matches (BM25, title words count most): higher is better."),
        "snippet": ("string", "The best passage, the words found between « and »."),
    },
    "reply": {
        "name": ("string", "What `--reply NAME` takes."),
        "description": ("string or null", "When to use it."),
        "source": ("string", "`built-in` (shipped with isvc) or `desk` (added here)."),
        "overrides": ("boolean", "A desk reply with a built-in's name, used instead of it."),
        "author": ("string or null", "Who added it; `null` for a built-in."),
        "created_at": ("string or null", "When it was added; `null` for a built-in."),
        "updated_at": ("string or null", "When it last changed; `null` for a built-in."),
    },
    "customers": {
        "level": ("string", "`team` (a customer team's totals) or `requester` (one person in it)."),
        "team": ("string or null", "The customer team: the requesters' primary team; `null` for people in none."),
        "requester": ("string or null", "The person; `null` on a team row."),
        "requests": ("integer", "Requests filed in the period (to `--team` when given)."),
        "urgent": ("integer", "How many of them were urgent."),
        "urgent_share_pct": ("number", "Their share, in percent."),
        "needs_info": ("integer", "Round-trips for missing information (`request needs-info`) on them."),
        "provider_rating_average": ("number or null", "The providers' rating of these requests (1-5: was everything needed there up front?)."),
        "provider_ratings": ("integer", "How many provider ratings that average holds."),
    },
    "mail": {
        "id": ("integer", "The message's number in the intake log (`mail show ID`)."),
        "message_id": ("string or null", "Its Message-ID, without the angle brackets."),
        "received_at": ("string", "When isvc took it in."),
        "sender": ("string or null", "The From address, lower-cased; `null` when it has none."),
        "subject": ("string or null", "The decoded subject."),
        "size": ("integer", "Bytes of the raw message (kept, compressed, whatever it became)."),
        "outcome": ("string", "What it became: `request`, `reply`, `note` (an unverified sender's reply), `bounce` (a notification that came back), `quarantined`, `held` (an unknown sender, for review) or `dropped`."),
        "reason": ("string or null", "Why it was quarantined or held, or what was noted."),
        "request": ("integer or null", "The request it filed or was added to."),
        "event_id": ("integer or null", "The journal event it became on that request."),
        "source": ("string or null", "The file, mbox or Maildir it came from; `stdin` for a pipe."),
        "updated_at": ("string", "When its outcome last changed (a retry, a drop)."),
    },
    "intake": {
        "source": ("string", "Where the message was read from."),
        "result": ("string", "`stored`, `duplicate` (taken in before: nothing new, the fields describe the earlier one) or `temporary` (nothing recorded; it comes again, exit 75)."),
        "mail_id": ("integer or null", "Its number in the intake log."),
        "outcome": ("string or null", "As `outcome` above; `null` when temporary."),
        "reason": ("string or null", "Why it was quarantined or held."),
        "request": ("integer or null", "The request it filed or was added to."),
        "event_id": ("integer or null", "The journal event it became."),
        "sender": ("string or null", "The From address."),
        "subject": ("string or null", "The decoded subject."),
    },
    "attachment": {
        "id": ("integer", "The attachment's number (`attachment save ID`)."),
        "request": ("integer", "The request it belongs to."),
        "event_id": ("integer or null", "The journal event it came with."),
        "mail_id": ("integer or null", "The message it came in (`mail show ID --raw` has it whole)."),
        "filename": ("string", "The name the sender gave it: shown and offered when saving, never used as a path."),
        "content_type": ("string", "Its MIME type."),
        "size": ("integer", "Bytes."),
        "sha256": ("string or null", "Its SHA-256; `null` when it was not stored."),
        "stored": ("boolean", "`false` when it was over `mail.max_attachment_mb`: only the kept raw message has it."),
        "internal": ("boolean", "It came with an internal note: only the provider team and admins see it."),
        "created_at": ("string", "When it was taken in."),
    },
    "outbox": {
        "id": ("integer", "The message's number in the outbox (`notify show ID`)."),
        "kind": ("string", "What caused it: `ack`, `reply`, `resolved`, `at_risk`, `breached`, `oncall`, `reminder`, `digest` or `test`."),
        "channel": ("string", "`mail` or `webhook`."),
        "to": ("string", "An address, or a webhook's name."),
        "person": ("string or null", "The person the address belongs to."),
        "request": ("integer or null", "The request it is about."),
        "subject": ("string", "The subject (mail: tagged `[isvc #N]`)."),
        "body": ("string", "The plain-text body."),
        "payload": ("object", "What else it carries: for mail the thread (`in_reply_to`, `references`) and `auto` (a machine notice); for a webhook the JSON it POSTs (`event`, `request`, ...)."),
        "message_id": ("string or null", "The Message-ID it is sent with, without angle brackets: replies thread back through it."),
        "dedupe_key": ("string or null", "What makes it unique: a notice is queued once per key (e.g. one breach per clock, due time and recipient)."),
        "status": ("string", "`pending`, `sending`, `sent`, `failed` (for good) or `dropped`."),
        "attempts": ("integer", "Delivery attempts so far."),
        "next_attempt_at": ("string or null", "When it is due next; `null` unless pending or sending."),
        "claimed_at": ("string or null", "When a `notify send` took it (sending)."),
        "last_error": ("string or null", "The server's answer to the last failed attempt."),
        "created_at": ("string", "When it was queued (in the transaction of the change that caused it)."),
        "sent_at": ("string or null", "When the server accepted it."),
    },
    "kudos": {
        "id": ("integer", "The kudos number (`kudos show ID`)."),
        "from": ("string", "Who gave it."),
        "to": ("string", "Who received it: a person's or a team's handle (see `to_kind`)."),
        "to_kind": ("string", "`person` or `team`."),
        "message": ("string", "The thanks, in the giver's words."),
        "value": ("string or null", "The company value it names (`kudos values`)."),
        "request": ("integer or null", "The request it is for (`--for N`, or `request close --thanks`)."),
        "lateral": ("boolean", "Help across teams: giver and receiver in different teams, or a request another team served."),
        "private": ("boolean", "Seen only by giver, receiver and admins; never on leaderboards."),
        "created_at": ("instant", "When it was given."),
        "giver_team": ("string or null", "The giver's primary team at the time."),
        "recipient_team": ("string or null", "The receiver's primary team (or the team) at the time."),
        "retracted_at": ("instant or null", "When the giver took it back (within a day); kept, not deleted."),
        "retracted_by": ("string or null", "Who retracted it."),
    },
    "sla_check": {
        "number": ("integer", "The request."),
        "team": ("string", "Its provider team."),
        "clock": ("string", "`first_response` or `resolution`; a request may have a row for each."),
        "state": ("string", "`at_risk` or `breached` (only running clocks are listed)."),
        "due_at": ("instant or null", "The clock's due time."),
        "overdue_minutes": ("integer", "Business minutes past the target; `0` while at risk."),
        "assignee": ("string or null", "Who owns the request."),
        "remaining_business_minutes": ("integer", "Business minutes left; negative when breached."),
    },
    "agreement_status": {
        "agreement": ("string", "The agreement's name."),
        "provider": ("string", "Its provider team."),
        "open": ("integer", "Open requests it governs now."),
        "on_track": ("integer", "Of those, neither at risk nor breached (paused ones included)."),
        "at_risk": ("integer", "Of those, at risk now."),
        "breached": ("integer", "Of those, breached now or with a breach recorded."),
        "first_response_met_pct": ("number or null", "First responses in the period that met their target, in percent (one decimal); `null` when there were none."),
        "resolution_met_pct": ("number or null", "Resolutions in the period that met their target, in percent; `null` when there were none."),
        "median_first_response_minutes": ("integer or null", "Median business time to first response over the period."),
        "p90_first_response_minutes": ("integer or null", "90th percentile (nearest rank) of the same."),
        "median_resolution_minutes": ("integer or null", "Median business time to resolution over the period."),
        "p90_resolution_minutes": ("integer or null", "90th percentile (nearest rank) of the same."),
        "trend_pts": ("number or null", "`resolution_met_pct` minus the previous period's, in percentage points; `null` when either period has no resolutions."),
        "customer": ("string or null", "The customer team it is limited to; `null` for every customer."),
        "active": ("boolean", "`false` once retired."),
        "resolved_in_period": ("integer", "Resolutions in the period: what `resolution_met_pct` is a share of."),
    },
    "agreement": {
        "name": ("string", "Short name, e.g. `it-standard`."),
        "provider": ("string", "The team that promises."),
        "customer": ("string", "The customer team it is limited to, or `\"*\"` for every customer."),
        "calendar": ("string", "The calendar its clocks run on."),
        "at_risk_percent": ("integer", "A clock is at risk once this share of its target is used."),
        "response_minutes": ("object", "Priority -> first-response target, in business minutes."),
        "resolution_minutes": ("object", "Priority -> resolution target, in business minutes."),
        "notify": ("array of strings", "Who hears about risks and breaches: handles, `+team` for a team."),
        "pause_first_response": ("boolean", "`true` when waiting on the requester pauses the first-response clock too."),
        "oncall_calendar": ("string or null", "The calendar for urgent requests filed outside `calendar`'s hours (often 24×7)."),
        "oncall": ("string or null", "Who is on call then: a handle or `+team`."),
        "description": ("string or null", "What the agreement covers."),
        "active": ("boolean", "`false` once retired."),
    },
    "calendar": {
        "name": ("string", "The calendar's name."),
        "tz": ("string", "Its IANA time zone: every wall-clock time of the calendar is read there."),
        "day_minutes": ("integer", "Minutes in one business day: what `1d` in a target means."),
        "hours": ("object", "`mon`..`sun` -> windows `[start, end]` as `HH:MM` (`24:00` may end a day); `[]` is closed."),
        "hours_summary": ("string", "The week in words, e.g. `Mon–Fri 09:00–13:00, 14:00–18:00` or `24×7`."),
        "week_minutes": ("integer", "Business minutes in a week without holidays or overrides."),
        "holidays": ("array of objects", "Every holiday in date order: `date` (`YYYY-MM-DD`, local) and `name` (`null` when unnamed)."),
        "next_holidays": ("array of objects", "The next five holidays from today, in the same form."),
        "overrides": ("object", "Date -> that date's windows, replacing its hours; `[]` closes it."),
        "upcoming_overrides": ("object", "The overrides from today on."),
        "teams": ("array of strings", "Provider teams whose agreements use it."),
        "warning": ("string or null", "Set when its holidays run out within 60 days, with the command that adds more."),
        "created_at": ("instant", "When it was added."),
        "updated_at": ("instant", "When it last changed."),
    },
    "calendar_list": {
        "name": ("string", "The calendar's name."),
        "tz": ("string", "Its IANA time zone."),
        "hours": ("string", "The week in words."),
        "day_minutes": ("integer", "Minutes in one business day."),
        "holiday_count": ("integer", "How many holiday dates it holds."),
        "last_holiday": ("string or null", "The last of them (`YYYY-MM-DD`); `null` when there are none."),
        "teams": ("array of strings", "Provider teams whose agreements use it."),
    },
    "explain": {
        "number": ("integer", "The request."),
        "title": ("string", "Its title."),
        "priority": ("string", "Its priority: which targets apply."),
        "status": ("string", "Its status."),
        "agreement": ("string or null", "The agreement; `null` when none applies."),
        "calendar": ("string or null", "The calendar the clocks run on (the on-call one for an urgent request filed out of hours)."),
        "tz": ("string or null", "That calendar's zone."),
        "hours": ("string or null", "Its week in words."),
        "message": ("string or null", "Why there is nothing to explain (no agreement applies); otherwise `null`."),
        "clocks": ("object or null", "`first_response` and `resolution`, each a clock explanation (below) or `null`; `null` without an agreement."),
        "notes": ("array of strings", "Remarks about the whole request, e.g. that the on-call calendar applies."),
    },
    "explain_clock": {
        "target_minutes": ("integer", "As in the request's `sla` object."),
        "due_at": ("instant or null", "As in the request's `sla` object."),
        "at_risk_at": ("instant or null", "As in the request's `sla` object."),
        "state": ("string", "As in the request's `sla` object."),
        "elapsed_business_minutes": ("integer", "As in the request's `sla` object: the sum of the `counted` lines' minutes."),
        "remaining_business_minutes": ("integer", "As in the request's `sla` object."),
        "paused": ("boolean", "As in the request's `sla` object."),
        "created_at": ("instant", "When the request was filed."),
        "started_at": ("instant or null", "Where counting started: the creation, or the next business instant when it was filed out of hours; `null` while not yet known."),
        "stopped_at": ("instant or null", "When the clock stopped; `null` while it runs."),
        "stopped_by": ("string or null", "Who stopped it."),
        "stopped_how": ("string or null", "How: `acknowledged`, `first reply`, `resolved`, `cancelled` ..."),
        "breached_at": ("instant or null", "The due instant, once the clock has breached."),
        "breach_recorded_at": ("instant or null", "As in the request's `sla` object."),
        "lines": ("array of objects", "The timeline from creation to the stop or now (below); the lines follow each other without gaps."),
        "notes": ("array of strings", "Remarks about this clock, e.g. that waiting does not pause it."),
    },
    "explain_line": {
        "kind": ("string", "`created`, `counted`, `closed`, `holiday`, `paused`, `stopped` or `now`."),
        "start": ("instant", "Where the line starts."),
        "end": ("instant or null", "Where it ends (not included); `null` for the instants `created`, `stopped` and `now`."),
        "minutes": ("integer or null", "Business minutes inside it: counted (`counted`), kept off the clock (`paused`), `0` for closed spells; `null` for instants."),
        "total_minutes": ("integer", "Business minutes counted so far, after this line."),
        "note": ("string", "The line in words, as `sla explain` prints it."),
    },
    "queue_row": {
        "blocks": ("integer", "`queue --json` only: how many open requests wait on this one, directly or through others (`isvc ripple N` shows them)."),
    },
    "ripple": {
        "number": ("integer", "The request asked about."),
        "request": ("object", "That request as a node (below), `depth` 0."),
        "upstream": ("array of objects", "What it waits on: the requests that block it, each with what blocks them in `children`."),
        "downstream": ("array of objects", "What waits on it: the requests it blocks, each with what waits on them in `children`."),
        "critical_path": ("array of integers", "The longest chain through it, from the deepest blocker to the last waiter (ties: least time left); `[]` when nothing is linked."),
        "waiting_people": ("array of strings", "Requesters and watchers of the requests waiting on it, sorted."),
        "counts": ("object", "`upstream`, `upstream_open`, `downstream`, `downstream_open` (requests, transitively, even those the tree does not list) and `people`."),
        "limits": ("array of strings", "What was cut from a very large graph, in words; `[]` when nothing was."),
    },
    "ripple_node": {
        "number": ("integer", "The request."),
        "title": ("string", "Its title; `\"#N (not visible to you)\"` style nodes carry `null` details."),
        "team": ("string or null", "Its provider team."),
        "assignee": ("string or null", "Its owner."),
        "status": ("string or null", "One of {statuses}."),
        "priority": ("string or null", "One of {priorities}."),
        "requester": ("string or null", "Who asked."),
        "state": ("string or null", "Its resolution clock: `on_track`, `at_risk`, `breached`, `paused` or `met`; `null` without an agreement."),
        "due_at": ("instant or null", "When its resolution is due; `null` while paused or done."),
        "remaining_business_minutes": ("integer or null", "Business time left on its resolution clock; negative once overdue."),
        "depth": ("integer", "Links away from the request asked about."),
        "via": ("string or null", "`waits_on` (an open `request wait --on`) or `blocks` (a link only); `null` for the root."),
        "children": ("array of objects", "The next nodes in the same direction."),
        "more": ("integer", "Requests reached but not listed under this one (very deep or wide graphs); for the root, all those left out."),
    },
    "ripple_team": {
        "number": ("integer", "An open request of the team that others wait on."),
        "title": ("string", "Its title."),
        "status": ("string", "Its status."),
        "assignee": ("string or null", "Its owner."),
        "blocked_open": ("integer", "Open requests waiting on it, directly or through others (the ranking)."),
        "people_waiting": ("integer", "Their requesters and watchers."),
        "chain_length": ("integer", "Requests in the longest chain through it."),
        "remaining_business_minutes": ("integer or null", "Time left on its resolution clock."),
        "state": ("string or null", "Its resolution clock's state."),
    },
    "report": {
        "since": ("instant", "The period's start (`--since`)."),
        "until": ("instant", "Its end: now (not included)."),
        "team": ("string or null", "`--team`, or `null` for every team."),
        "by": ("string", "The grouping: `team`, `type`, `assignee` or `customer` (the requester's primary team)."),
        "rows": ("array of objects", "One row per group (below), busiest first."),
        "total": ("object", "The same figures over every group, `group` `\"all\"`."),
        "backlog": ("array of objects", "One entry per day of the period in the viewer's zone: `date`, `open` at the end of the day, `created`, and `resolved` (everything that left the backlog that day)."),
    },
    "report_row": {
        "group": ("string or null", "The team, type, assignee or customer team; `null` for requests without one."),
        "created": ("integer", "Requests filed in the period (volume in)."),
        "resolved": ("integer", "Requests whose latest resolution falls in the period (volume out)."),
        "closed": ("integer", "Requests closed in the period."),
        "cancelled": ("integer", "Requests cancelled in the period."),
        "backlog_start": ("integer", "Open at the start of the period."),
        "backlog_end": ("integer", "Open at its end."),
        "first_response_median_minutes": ("integer or null", "Time to first response of the requests first answered in the period, business minutes, median (nearest rank)."),
        "first_response_p90_minutes": ("integer or null", "The same, 90th percentile."),
        "handling_median_minutes": ("integer or null", "Business time spent `in_progress` (every spell) by the requests resolved in the period, median."),
        "handling_p90_minutes": ("integer or null", "The same, 90th percentile."),
        "resolution_median_minutes": ("integer or null", "Time to resolution (the resolution clock: business time, pauses excluded), median."),
        "resolution_p90_minutes": ("integer or null", "The same, 90th percentile."),
        "first_response_met_pct": ("number or null", "Share of first responses within the agreement."),
        "resolution_met_pct": ("number or null", "Share of resolutions within the agreement."),
        "breached": ("integer", "Clocks whose breach moment falls in the period."),
        "reopened": ("integer", "Reopens (resolved, then back in progress) in the period."),
        "reopen_rate_pct": ("number or null", "Reopens per 100 resolved."),
        "csat_avg": ("number or null", "Requesters' ratings (1–5) given in the period: the average."),
        "csat_count": ("integer", "How many ratings."),
        "csat_positive_pct": ("number or null", "Share of ratings of 4 or 5."),
        "lateral_given": ("integer or null", "Other teams' requests taken by the group's people; `null` where it has no meaning (by type)."),
        "lateral_received": ("integer or null", "The group's requests taken by people from outside the team; `null` by assignee."),
        "closed_without_message": ("integer", "Finished in the period with no closing message (the closure phase skipped)."),
        "never_acknowledged": ("integer", "Finished in the period without any first response (the start phase skipped)."),
    },
    "report_peak": {
        "since": ("instant", "The period's start (`--since`, default 90 days)."),
        "until": ("instant", "Its end: now."),
        "team": ("string or null", "`--team`, or `null` for every team."),
        "calendar": ("string or null", "The calendar whose business hours `business_hours` marks: the team's, or the one most requests used."),
        "timezone": ("string", "The zone the hours are read in."),
        "weekdays": ("array of strings", "`Mon` to `Sun`: the rows of `cells`."),
        "cells": ("array of arrays", "7 × 24 counts of requests filed, Monday first, hour 0–23 local."),
        "business_hours": ("array of arrays", "7 × 24 booleans: the hour overlaps the calendar's weekly hours."),
        "total": ("integer", "Requests filed in the period (the sum of `cells`)."),
        "out_of_hours": ("integer", "Of them, filed outside their own team's calendar (holidays included)."),
        "out_of_hours_pct": ("number or null", "That share, in percent."),
        "busiest": ("object or null", "`weekday`, `hour` and `count` of the busiest cell; `null` when nothing arrived."),
        "urgent_out_of_hours": ("integer", "Urgent requests filed out of hours: what an on-call rota must cover."),
    },
    "recurring": {
        "id": ("integer", "The group's id (its earliest request in the period): what `--open-problem` takes."),
        "size": ("integer", "Requests in the group."),
        "title": ("string", "The representative title."),
        "type": ("string or null", "Their request type (groups never mix types)."),
        "teams": ("array of objects", "`{\"team\", \"count\"}`, most first."),
        "requesters": ("integer", "Distinct requesters."),
        "top_requesters": ("array of strings", "Those who asked most, up to three."),
        "first_at": ("instant", "When the first was filed."),
        "last_at": ("instant", "When the last was filed."),
        "open": ("integer", "How many are still open."),
        "numbers": ("array of integers", "Every request of the group."),
        "kb_article": ("object or null", "`{\"id\", \"title\"}` of a knowledge-base article that answers it, if one matches well."),
        "problem": ("integer or null", "The problem request already linked to the group (`relates`)."),
        "suggestion": ("string", "What to do: `write a KB article`, `link to KB-N`, `point requesters to KB-N`, `open a problem request` or `problem #N already open`."),
    },
    "sla_due": {
        "due": ("string or null", "The due instant, ISO-8601 in the calendar's zone with its offset; `null` while an open-ended pause holds the clock."),
    },
    "sla_elapsed": {
        "elapsed_business_minutes": ("integer", "Business minutes in `[start, end)` outside the pauses, rounded down."),
    },
    "sla_status": {
        "due": ("string or null", "As for `sla due`: in the calendar's zone; `null` while paused."),
        "elapsed_business_minutes": ("integer", "Counted up to `--now`, or to `--stopped-at`."),
        "remaining_business_minutes": ("integer", "The target minus elapsed; negative once overrun."),
        "state": ("string", "`on_track`, `at_risk`, `breached` (strictly after the due instant) or `met` (stopped by then)."),
        "paused": ("boolean", "`--now` falls inside a pause."),
    },
}

_SAMPLE_NOW = "2026-11-25T09:20:00Z"  # Wed 25 Nov 11:20 in Bucharest

# The sample calendar: the Bucharest office of examples/calendar.toml, with a few of its
# holidays. The clocks, explanations and calculator results below are computed from it by
# the business-time engine, so their figures are real.
_SAMPLE_CALENDAR: dict[str, Any] = {
    "tz": "Europe/Bucharest",
    "day_minutes": 480,
    "hours": {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-11-30", "2026-12-01", "2026-12-25", "2026-12-26"],
    "overrides": {"2026-12-24": [["09:00", "13:00"]]},
}
_SAMPLE_HOLIDAY_NAMES = {"2026-11-30": "Saint Andrew's Day", "2026-12-01": "National Day",
                         "2026-12-25": "Christmas Day", "2026-12-26": "Christmas Day"}


def _sample_clocks() -> dict[str, Any]:
    """Request 412 (high: first response 4h, resolution 2d) and request 398 (normal), their
    clocks at ``_SAMPLE_NOW``, as the engine computes them; and the explanation of 412."""
    from datetime import date

    from isvc.domain import businesstime as bt
    from isvc.domain import explain
    from isvc.domain.calendar import describe_hours, parse_calendar
    from isvc.domain.timeutil import parse_iso

    cal = parse_calendar(_SAMPLE_CALENDAR, source="sample calendar")
    now = parse_iso(_SAMPLE_NOW)
    created, acked = parse_iso("2026-11-23T07:30:00Z"), parse_iso("2026-11-23T09:02:00Z")
    # Waiting on the requester from Mon 15:00 to Tue 10:00: 4h of business time.
    wait = (parse_iso("2026-11-23T13:00:00Z"), parse_iso("2026-11-24T08:00:00Z"))
    fr = bt.clock_status(cal, created, 240, now, acked, [], 80)
    res = bt.clock_status(cal, created, 960, now, None, [wait], 80)
    other = bt.clock_status(cal, parse_iso("2026-11-20T14:00:00Z"), 480, now, None, [], 80)

    names = {date.fromisoformat(d): n for d, n in _SAMPLE_HOLIDAY_NAMES.items()}
    pause = explain.PauseInfo(start=wait[0], end=wait[1], kind="requester",
                              reason="Which VPN client version?", started_by="jim",
                              ended_how="mihai replied")
    stop = explain.Stop(at=acked, verb="acknowledged", actor="jim")
    clocks = {
        "first_response": explain.explain_clock(
            "first_response", cal, created, 240, now, stop=stop, pauses=[pause],
            pauses_apply=False, holiday_names=names, status=fr),
        "resolution": explain.explain_clock(
            "resolution", cal, created, 960, now, pauses=[pause], holiday_names=names, status=res),
    }
    rx = explain.RequestExplanation(
        number=412, title="VPN drops every hour", priority="high", status="in_progress",
        agreement="it-standard", calendar_name="office", calendar=cal, hours=describe_hours(cal),
        clocks=clocks)
    return {"calendar": cal, "names": names, "first_response": fr, "resolution": res,
            "other": other, "explanation": rx}


def _check_row(number: int, team: str, clock: str, status: Any, assignee: str | None) -> dict:
    """A row of `sla check --json`: the keys services.sla.check computes that the CLI prints."""
    from isvc.cli.sla_clocks import CHECK_COLUMNS
    from isvc.domain.timeutil import to_iso

    row = {
        "number": number, "team": team, "clock": clock, "state": status.state,
        "due_at": to_iso(status.due), "overdue_minutes": max(0, -status.remaining_minutes),
        "assignee": assignee, "remaining_business_minutes": status.remaining_minutes,
    }
    return {key: row[key] for key in [*CHECK_COLUMNS, "remaining_business_minutes"]}


# The calculator examples: the same arguments make the README's samples here and are run
# against examples/calendar.toml by tests/test_examples.py.
_CALC_CREATED, _CALC_END, _CALC_NOW = ("2026-12-23T16:00:00+02:00", "2026-12-28T11:00:00+02:00",
                                       "2026-12-28T10:00:00+02:00")
CALCULATOR_EXAMPLES: dict[str, list[str]] = {
    "sla_due": ["sla", "due", "--created", _CALC_CREATED, "--target", "1d"],
    "sla_elapsed": ["sla", "elapsed", "--start", _CALC_CREATED, "--end", _CALC_END],
    "sla_status": ["sla", "status", "--created", _CALC_CREATED, "--target", "1d", "--now", _CALC_NOW],
}


def calculator_command(shape: str, calendar: str = "examples/calendar.toml") -> str:
    """``isvc sla due --calendar FILE ... --json``: the command behind a calculator sample."""
    noun, verb, *rest = CALCULATOR_EXAMPLES[shape]
    return " ".join(["isvc", noun, verb, "--calendar", calendar, *rest, "--json"])


def _calculator_samples(cal: Any) -> dict[str, Any]:
    """What `sla due|elapsed|status --json` print for ``CALCULATOR_EXAMPLES``, built as the
    commands build them from the calculator's functions."""
    from isvc.services.calendars import calc_due, calc_elapsed, calc_status

    due = calc_due(cal, _CALC_CREATED, "1d", [])
    minutes = calc_elapsed(cal, _CALC_CREATED, _CALC_END, [])
    _, st = calc_status(cal, _CALC_CREATED, "1d", _CALC_NOW, None, [], 80)
    return {
        "sla_due": {"due": due.isoformat() if due else None},
        "sla_elapsed": {"elapsed_business_minutes": minutes},
        "sla_status": {
            "due": st.due.isoformat() if st.due else None,
            "elapsed_business_minutes": st.elapsed_minutes,
            "remaining_business_minutes": st.remaining_minutes,
            "state": st.state,
            "paused": st.paused,
        },
    }


def sample_shapes() -> dict[str, Any]:
    """The documented shapes, made by the real shape functions from sample objects.

    Keys are shape names (those of ``KEY_NOTES``); a list value is a list of the shape.
    """
    from isvc.cli.calendar import _list_dict, _show_dict
    from isvc.domain.kudos import Kudos
    from isvc.render.kudos_views import kudos_dict
    from isvc.domain.agreements import Agreement, to_json
    from isvc.domain.models import Event, Person, Priority, Request, Status, Team
    from isvc.domain.timeutil import parse_iso
    from isvc.render.explain_view import explanation_json
    from isvc.render.shapes import event_dict, person_dict, request_dict, team_dict
    from isvc.services.calendars import StoredCalendar
    from isvc.services.sla import sla_object

    clocks = _sample_clocks()
    # The stored clock columns sla_object reads, as services.sla.live passes them.
    row = {"fr_target": 240, "res_target": 960, "fr_breached_at": None, "res_breached_at": None}
    sla = sla_object({"row": row, "first_response": clocks["first_response"],
                      "resolution": clocks["resolution"]})
    req = Request(
        number=412, title="VPN drops every hour", body="Since the update my VPN drops every hour.",
        status=Status.IN_PROGRESS, priority=Priority.HIGH, team="it", type="it/network",
        requester="mihai", assignee="jim", watchers=["ana"], tags=["remote", "vpn"],
        fields={"asset": "7731"}, channel="cli", waiting_on=None,
        created_at="2026-11-23T07:30:00Z", updated_at=_SAMPLE_NOW,
        first_response_at="2026-11-23T09:02:00Z", agreement="it-standard",
    )
    events = [
        Event(id=1093, number=412, at="2026-11-23T07:30:00Z", actor="mihai", kind="filed",
              to_value="new", message="Since the update my VPN drops every hour."),
        Event(id=1101, number=412, at="2026-11-23T09:02:00Z", actor="jim", kind="status",
              from_value="new", to_value="acknowledged",
              message="Looking at it now. Which client version?"),
        Event(id=1107, number=412, at="2026-11-24T13:31:00Z", actor="jim", kind="note",
              message="Same as #398: the gateway's idle timeout.", internal=True),
        Event(id=1110, number=412, at=_SAMPLE_NOW, actor="jim", kind="edit", field="priority",
              from_value="normal", to_value="high"),
    ]
    team = Team(handle="it", name="IT Service Desk", members=["alina", "jim"])
    person = Person(handle="ana", name="Ana Pop", email="ana@example.com", teams=["payroll"],
                    primary_team="payroll")
    agreement = Agreement(
        name="it-standard", provider="it", calendar="office",
        response={"low": 960, "normal": 480, "high": 240, "urgent": 60},
        resolution={"low": 4800, "normal": 2400, "high": 960, "urgent": 240},
        notify=["+it"], oncall_calendar="oncall", oncall="+it",
        description="IT for everyone: office hours, Bucharest",
    )
    saved = StoredCalendar(
        name="office", calendar=clocks["calendar"], holiday_names=clocks["names"], teams=["it"],
        created_at="2026-11-02T08:00:00Z", updated_at="2026-11-20T08:00:00Z")
    status_row = {
        "agreement": "it-standard", "provider": "it", "open": 42, "on_track": 35,
        "at_risk": 4, "breached": 3, "first_response_met_pct": 96.2,
        "resolution_met_pct": 91.5, "median_first_response_minutes": 38,
        "p90_first_response_minutes": 170, "median_resolution_minutes": 610,
        "p90_resolution_minutes": 2260, "trend_pts": 2.4, "customer": None, "active": True,
        "resolved_in_period": 118,
    }
    explanation = explanation_json(clocks["explanation"])
    return {
        "request": request_dict(req, sla),
        "sla_clock": sla["resolution"],
        "event": [event_dict(e) for e in events],
        "team": team_dict(team),
        "person": person_dict(person, "member"),
        "agreement": to_json(agreement),
        "calendar": _show_dict(saved, parse_iso(_SAMPLE_NOW)),
        "calendar_list": _list_dict(saved),
        "sla_check": [_check_row(398, "it", "first_response", clocks["other"], None),
                      _check_row(412, "it", "resolution", clocks["resolution"], "jim")],
        "agreement_status": status_row,
        "kudos": kudos_dict(Kudos(
            id=12, giver="ana", recipient="jim", to_kind="person", value="ownership",
            message="Thanks for fixing the payroll export before the deadline", request=412,
            lateral=True, giver_team="payroll", recipient_team="it", created_at=_SAMPLE_NOW)),
        **_mail_samples(),
        **_self_service_samples(),
        **_insight_samples(),
        "explain": explanation,
        "explain_clock": explanation["clocks"]["resolution"],
        "explain_line": explanation["clocks"]["resolution"]["lines"][0],
        **_calculator_samples(clocks["calendar"]),
    }


def _self_service_samples() -> dict[str, Any]:
    from isvc.cli.reply import reply_dict
    from isvc.domain.catalog import FieldDef, RequestType, type_to_dict
    from isvc.domain.kb import Article, Hit
    from isvc.domain.replies import Reply
    from isvc.render.kb_views import article_dict, hit_dict

    rtype = RequestType(
        key="purchasing/purchase-order", team="purchasing", name="purchase-order",
        title="Purchase order", description="Anything bought from a supplier", priority=None,
        fields=[FieldDef("cost_centre", "text", True, label="Cost centre"),
                FieldDef("amount", "money", True), FieldDef("supplier", "text"),
                FieldDef("urgency", "choice", False, ["low", "normal", "high"])],
        created_at="2026-11-02T08:00:00Z", updated_at="2026-11-02T08:00:00Z")
    article = Article(
        id=7, title="Reset your VPN password", body="The VPN uses your directory password...",
        team="it", tags=["password", "vpn"], version=2, latest_version=2, active=True,
        author="alina", created_at="2026-11-02T08:00:00Z", updated_at="2026-11-20T10:00:00Z",
        editor="jim", edited_at="2026-11-20T10:00:00Z")
    hit = Hit(id=7, title="Reset your VPN password", team="it", tags=["password", "vpn"],
              version=2, updated_at="2026-11-20T10:00:00Z", score=8.3,
              snippet="The \x02VPN\x03 uses your directory \x02password\x03...",
              title_marked="Reset your VPN password")
    reply = Reply(name="vpn-steps", body="Hello {requester.first_name}, ...",
                  description="The VPN password reset steps", source="desk", author="alina",
                  created_at="2026-11-02T08:00:00Z", updated_at="2026-11-02T08:00:00Z")
    customer = {"level": "requester", "team": "sales", "requester": "mihai", "requests": 9,
                "urgent": 2, "urgent_share_pct": 22.2, "needs_info": 1,
                "provider_rating_average": 3.5, "provider_ratings": 2}
    return {"type": type_to_dict(rtype), "kb_article": article_dict(article),
            "kb_hit": [hit_dict(hit, 1)], "reply": reply_dict(reply), "customers": customer}


def _insight_samples() -> dict[str, Any]:
    """Reports, ripple and recurring problems: services assemble these dicts themselves,
    so the samples are written out here and tests/test_docs.py checks the real commands
    print exactly these keys."""
    row = {
        "group": "it", "created": 63, "resolved": 51, "closed": 45, "cancelled": 4,
        "backlog_start": 5, "backlog_end": 13, "first_response_median_minutes": 40,
        "first_response_p90_minutes": 202, "handling_median_minutes": 476,
        "handling_p90_minutes": 2072, "resolution_median_minutes": 692,
        "resolution_p90_minutes": 2258, "first_response_met_pct": 100.0,
        "resolution_met_pct": 84.3, "breached": 10, "reopened": 5, "reopen_rate_pct": 9.8,
        "csat_avg": 3.97, "csat_count": 33, "csat_positive_pct": 75.8, "lateral_given": 0,
        "lateral_received": 4, "closed_without_message": 0, "never_acknowledged": 3,
    }
    backlog = [{"date": "2026-11-24", "open": 13, "created": 4, "resolved": 3},
               {"date": "2026-11-25", "open": 12, "created": 2, "resolved": 3}]
    report = {"since": "2026-10-26T09:20:00Z", "until": _SAMPLE_NOW, "team": "it",
              "by": "team", "rows": [row], "total": row | {"group": "all"}, "backlog": backlog}
    office = [[h in range(9, 17) for h in range(24)] for _ in range(5)] + [[False] * 24] * 2
    cells = [[0] * 24 for _ in range(7)]
    for weekday, hour, count in ((0, 9, 5), (0, 10, 3), (1, 9, 4), (3, 14, 2), (5, 22, 1)):
        cells[weekday][hour] = count
    peak = {"since": "2026-08-27T09:20:00Z", "until": _SAMPLE_NOW, "team": "it",
            "calendar": "office", "timezone": "Europe/Bucharest",
            "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], "cells": cells,
            "business_hours": office, "total": 15, "out_of_hours": 1, "out_of_hours_pct": 6.7,
            "busiest": {"weekday": "Mon", "hour": 9, "count": 5}, "urgent_out_of_hours": 0}
    recurring = {
        "id": 19, "size": 13, "title": "Account locked after password change",
        "type": "it/access", "teams": [{"team": "it", "count": 13}], "requesters": 11,
        "top_requesters": ["diana", "bianca", "vlad"], "first_at": "2026-10-01T07:33:13Z",
        "last_at": "2026-11-19T11:53:33Z", "open": 1, "numbers": [19, 29, 67, 71, 89],
        "kb_article": None, "problem": None, "suggestion": "open a problem request",
    }

    def node(number, title, team, assignee, status, state, due, left, depth, via):
        return {"number": number, "title": title, "team": team, "assignee": assignee,
                "status": status, "priority": "normal", "requester": "dragos", "state": state,
                "due_at": due, "remaining_business_minutes": left, "depth": depth, "via": via,
                "children": [], "more": 0}

    root = node(261, "Rack and cable the new GPU build servers", "it", "dragos", "waiting",
                "paused", None, 900, 0, None)
    quote = node(254, "Quotes for two GPU build servers", "purchasing", "paul", "in_progress",
                 "at_risk", "2026-11-25T13:20:00Z", 240, 1, "waits_on")
    runners = node(272, "More CI runners for the release branch", "platform", "nadia",
                   "waiting", "paused", None, 1380, 1, "waits_on")
    ripple = {"number": 261, "request": root, "upstream": [quote], "downstream": [runners],
              "critical_path": [254, 261, 272], "waiting_people": ["andrei", "carmen"],
              "counts": {"upstream": 1, "upstream_open": 1, "downstream": 1,
                         "downstream_open": 1, "people": 2},
              "limits": []}
    team_row = {"number": 254, "title": "Quotes for two GPU build servers",
                "status": "in_progress", "assignee": "paul", "blocked_open": 2,
                "people_waiting": 3, "chain_length": 3, "remaining_business_minutes": 240,
                "state": "at_risk"}
    return {"queue_row": {"blocks": 2}, "ripple": ripple, "ripple_node": quote,
            "ripple_team": [team_row], "report": report, "report_row": row,
            "report_peak": peak, "recurring": [recurring]}


def _mail_samples() -> dict[str, Any]:
    from isvc.render.mail_shapes import attachment_dict, intake_dict, mail_dict
    from isvc.render.notify_views import outbox_dict
    from isvc.services.mail import Intake

    row = {"id": 17, "message_id": "CAF1x8Qm@mail.example.com", "received_at": _SAMPLE_NOW,
           "sender": "mihai@example.com", "subject": "Re: [isvc #412] VPN drops every hour",
           "size": 4210, "outcome": "reply", "reason": None, "number": 412, "event_id": 1112,
           "source": "stdin", "updated_at": _SAMPLE_NOW}
    intake = Intake(result="stored", outcome="reply", mail_id=17, number=412, event_id=1112,
                    source="stdin", sender="mihai@example.com",
                    subject="Re: [isvc #412] VPN drops every hour")
    attachment = {"id": 5, "number": 412, "event_id": 1112, "mail_id": 17,
                  "filename": "vpn-log.txt", "content_type": "text/plain", "size": 18233,
                  "sha256": "9f2c" + "0" * 56 + "a1b3", "stored_name": "9f/9f2c...",
                  "internal": 0, "created_at": _SAMPLE_NOW}
    outbox = {"id": 88, "kind": "ack", "channel": "mail", "recipient": "mihai@example.com",
              "person": "mihai", "number": 412, "subject": "[isvc #412] VPN drops every hour",
              "body": "Hello Mihai,\n\nwe received your request #412 ...",
              "payload": {"auto": True, "in_reply_to": "CAF1x8Qk@mail.example.com",
                          "references": ["CAF1x8Qk@mail.example.com"]},
              "message_id": "isvc.412.4be1c09a7f3e@example.com", "dedupe_key": "ack:412",
              "status": "sent", "attempts": 1, "next_attempt_at": "2026-11-23T07:30:00Z",
              "claimed_at": None, "last_error": None, "created_at": "2026-11-23T07:30:00Z",
              "sent_at": "2026-11-23T07:31:02Z"}
    return {"mail": mail_dict(row), "intake": intake_dict(intake),
            "attachment": attachment_dict(attachment), "outbox": outbox_dict(outbox)}


def sample_keys(shape: str) -> list[str]:
    """The keys of one documented shape, in the order the code emits them."""
    sample = sample_shapes()[shape]
    return list((sample[0] if isinstance(sample, list) else sample).keys())


def _note(shape: str, key: str) -> tuple[str, str]:
    from isvc.domain.models import Priority, Status

    kind, note = KEY_NOTES.get(shape, {}).get(key, ("?", "(undocumented)"))
    note = note.replace("{statuses}", ", ".join(f"`{s.value}`" for s in Status))
    return kind, note.replace("{priorities}", ", ".join(f"`{p.value}`" for p in Priority))


def _keys_table(shape: str, obj: dict) -> list[str]:
    lines = ["| Key | Type | Meaning |", "|---|---|---|"]
    for key in obj:
        kind, note = _note(shape, key)
        lines.append(f"| `{key}` | {kind} | {_escape_cell(note)} |")
    return lines + [""]


def _shortened(explanation: dict, keep: int = 2) -> dict:
    """An explanation with each clock's timeline cut to its first ``keep`` lines."""
    clocks = {name: clock if clock is None else clock | {"lines": clock["lines"][:keep]}
              for name, clock in (explanation["clocks"] or {}).items()}
    return explanation | {"clocks": clocks}


def json_shapes_markdown() -> str:
    from isvc.render.output import dump_json

    shapes = sample_shapes()
    req, events = shapes["request"], shapes["event"]

    def block(data: Any) -> list[str]:
        return ["```json", dump_json(data), "```", ""]

    def compact(data: Any) -> list[str]:
        """A block with each array of plain values on one line (the 7 x 24 grids)."""
        text = re.sub(r"\[\s*([^\[\]{}]*?)\s*\]",
                      lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", dump_json(data))
        return ["```json", text, "```", ""]

    def section(title: str, intro: str, shape: str, data: Any = None) -> list[str]:
        shown = shapes[shape] if data is None else data
        sample = shapes[shape]
        keys = sample[0] if isinstance(sample, list) else sample
        return [f"### {title}", "", intro, "", *block(shown), *_keys_table(shape, keys)]

    out = [
        *section("Request", "`request new|show|list --json` and `queue --json` (lists are "
                 "arrays of these):", "request"),
        "### Request clocks: `sla`",
        "",
        "A request's `sla` object holds its two clocks, `first_response` and `resolution` (as "
        "above); each is `null` when the agreement sets no target for it. The figures are "
        "computed at the moment of the command, in business time on the agreement's calendar:",
        "",
        *_keys_table("sla_clock", shapes["sla_clock"]),
        *section("Request events", "`request show N --json` adds `\"events\"`, the journal in "
                 "time order. Internal notes are included only for members of the provider "
                 "team and admins.", "event", {"events": events}),
        *section("Team", "`team add|show|list --json`:", "team"),
        *section("Kudos", "`kudos send|show|retract --json` and `kudos wall --json` (an array):",
                 "kudos"),
        *section("Person", "`person add|show|list --json`:", "person"),
        *section("Agreement", "`agreement add|show|list --json` (`agreement export` writes "
                 "the same keys, but `active`, as TOML):", "agreement"),
        *section("Calendar", "`calendar add|show --json` (times are local to `tz`):",
                 "calendar"),
        *section("Calendar list rows", "`calendar list --json` (an array):", "calendar_list",
                 [shapes["calendar_list"]]),
        *section("Request type", "`type add|show|edit|retire --json` and `type list --json` "
                 "(an array):", "type"),
        *section("Knowledge-base article", "`kb add|edit|show|retire --json` (`kb list --json`: "
                 "the same without `body`, `editor`, `edited_at`):", "kb_article"),
        *section("Knowledge-base search hits", "`kb search --json`: best first:", "kb_hit"),
        *section("Canned reply", "`reply list --json` (an array); `reply show --json` adds "
                 "`body` and `placeholders`, and with `--for N` also `request` and `text`:",
                 "reply"),
        *section("`customers` rows", "`customers --json`: each customer team's row, then its "
                 "requesters' rows, by volume:", "customers", [shapes["customers"]]),
        *section("Mail", "`mail list|show --json` and `mail quarantine list|show|retry|drop "
                 "--json` (lists are arrays; `show` adds `from_name`, `to`, `cc`, `date`, "
                 "`in_reply_to`, `references`, `text`, `parse_problem` and `attachments`):",
                 "mail"),
        *section("Mail import results", "`mail import --json`: an array, one object per "
                 "message read:", "intake", [shapes["intake"]]),
        *section("Attachment", "`request attachments N --json` (an array) and `attachment "
                 "show ID --json`:", "attachment"),
        *section("Outbox message", "`notify list|show --json`: a notification waiting, sent "
                 "or failed:", "outbox"),
        *section("`sla check` rows", "`sla check --json`: one row per running clock that is "
                 "at risk or breached, breached first and most overdue first (an array, `[]` "
                 "when all is well):", "sla_check"),
        *section("`agreement status` rows", "`agreement status [NAME] [--since 30d] --json`: "
                 "one row per agreement. Times are business minutes; the period is `--since` "
                 "until now, compared with the period of the same length before it:",
                 "agreement_status", [shapes["agreement_status"]]),
        "### `queue` rows",
        "",
        "`queue --json` rows are requests (above) with one more key:",
        "",
        *_keys_table("queue_row", shapes["queue_row"]),
        "### `ripple`",
        "",
        "`ripple N --json`: what request N waits on and what waits on it, transitively:",
        "",
        *compact(shapes["ripple"]),
        *_keys_table("ripple", shapes["ripple"]),
        "A node, in `request`, `upstream`, `downstream` and `children`:",
        "",
        *_keys_table("ripple_node", shapes["ripple_node"]),
        *section("`ripple --team` rows", "`ripple --team T --json`: the team's open requests "
                 "that others wait on, most waited on first:", "ripple_team"),
        "### `report`",
        "",
        "`report [--team T] [--since 30d] [--by team|type|assignee|customer] --json` (`--csv`: "
        "the rows, then the total; times are business minutes on each request's calendar):",
        "",
        *compact(shapes["report"] | {"rows": ["..."], "total": "..."}),
        *_keys_table("report", shapes["report"]),
        "A row, in `rows` and `total`:",
        "",
        *compact(shapes["report_row"]),
        *_keys_table("report_row", shapes["report_row"]),
        "### `report peak`",
        "",
        "`report peak [--team T] [--since 90d] --json` (`--csv`: one row per weekday, "
        "`weekday,h00..h23`):",
        "",
        *compact(shapes["report_peak"]),
        *_keys_table("report_peak", shapes["report_peak"]),
        "### `report recurring` groups",
        "",
        "`report recurring [--since 90d] [--team T] --json`: groups of similar requests, "
        "largest first (`--csv`: `teams` as `it:5 hr:2`, lists joined by spaces):",
        "",
        *compact(shapes["recurring"]),
        *_keys_table("recurring", shapes["recurring"][0]),
        "### `sla explain`",
        "",
        "`sla explain N --json`: how each due time of request N was computed. Here each "
        "clock's `lines` is cut to its first two entries:",
        "",
        *block(_shortened(shapes["explain"])),
        *_keys_table("explain", shapes["explain"]),
        "A clock explanation, in `clocks`:",
        "",
        *_keys_table("explain_clock", shapes["explain_clock"]),
        "A line of a clock's timeline, in `lines`:",
        "",
        *_keys_table("explain_line", shapes["explain_line"]),
        "### The calculator: `sla due|elapsed|status`",
        "",
        "The what-if calculator's `--json` objects. Unlike the rest, its instants are local: "
        "ISO-8601 in the calendar's zone with that instant's offset "
        "(`2026-12-28T11:00:00+02:00`). The examples use the office calendar of "
        "[examples/calendar.toml](examples/calendar.toml).",
        "",
        f"`{calculator_command('sla_due')}` (2h on the 23rd, the half-day of the 24th, "
        "Christmas and the weekend closed, 2h on Monday the 28th):",
        "",
        *block(shapes["sla_due"]),
        *_keys_table("sla_due", shapes["sla_due"]),
        f"`{calculator_command('sla_elapsed')}`:",
        "",
        *block(shapes["sla_elapsed"]),
        *_keys_table("sla_elapsed", shapes["sla_elapsed"]),
        f"`{calculator_command('sla_status')}`:",
        "",
        *block(shapes["sla_status"]),
        *_keys_table("sla_status", shapes["sla_status"]),
        *export_columns_markdown(),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def export_columns_markdown() -> list[str]:
    """`isvc export`'s columns, in order, from the one list the export writes."""
    from isvc.services.export import COLUMNS

    out = ["### Export columns", "",
           "`isvc export KIND`: the keys of each JSON or JSONL object and the columns of the "
           "CSV, in this order; a contract like the shapes above. In CSV, lists are joined "
           "with commas, `fields` is its JSON text, booleans are `true`/`false` and `null` is "
           "an empty cell.", ""]
    for kind, columns in COLUMNS.items():
        out += [f"`{kind}`:", "", "| Column | Meaning |", "|---|---|"]
        out += [f"| `{c.name}` | {_escape_cell(c.meaning)} |"
                for c in columns]
        out.append("")
    return out


# -- the request lifecycle ---------------------------------------------------------------


def lifecycle_markdown() -> str:
    """Which command moves a request from which status to which (domain/lifecycle.py)."""
    from isvc.domain.lifecycle import COMMANDS, FINAL

    lines = ["| Command | From | To |", "|---|---|---|"]
    for command, (target, sources) in COMMANDS.items():
        froms = ", ".join(f"`{s.value}`" for s in sources)
        lines.append(f"| `isvc request {command}` | {froms} | `{target.value}` |")
    final = " and ".join(f"`{s.value}`" for s in FINAL)
    lines += ["", f"{final} are final: a later reply files a new request, "
              "linked to the old one as a follow-up."]
    return "\n".join(lines) + "\n"


# -- roles and permissions -----------------------------------------------------------------

ACTION_NOTES: dict[str, str] = {
    "view": "see a request (`request show`)",
    "view_internal": "see internal notes",
    "comment": "reply (`request comment`)",
    "note": "add an internal note (`request comment --internal`)",
    "ack": "acknowledge (`request ack`)",
    "start": "start work (`request start`)",
    "wait": "wait on the requester (`request wait`)",
    "resume": "resume (`request resume`)",
    "resolve": "resolve (`request resolve`)",
    "cancel": "cancel (`request cancel`)",
    "close": "close (`request close`)",
    "reopen": "reopen (`request reopen`)",
    "assign": "assign (`request assign`)",
    "take": "take it yourself (`request take`)",
    "edit": "edit title, priority, team, type, fields, tags (`request edit`)",
    "watch_self": "watch or unwatch yourself (`request watch N`)",
    "watch_other": "add or remove another watcher (`request watch N PERSON`)",
    "redact": "redact a journal entry (`request redact`)",
}

_ROLE_COLUMNS = [
    ("admin", "admin"),
    ("agent", "provider team / assignee"),
    ("requester", "requester"),
    ("watcher", "watcher"),
    ("anyone", "anyone else"),
]


def permissions_markdown() -> str:
    from isvc.services.access import RULES

    head = "| Action | " + " | ".join(label for _, label in _ROLE_COLUMNS) + " |"
    lines = [head, "|---|" + ":-:|" * len(_ROLE_COLUMNS)]
    for action, roles in RULES.items():
        marks = ["yes" if (role in roles or "anyone" in roles) else "—"
                 for role, _ in _ROLE_COLUMNS]
        what = _escape_cell(ACTION_NOTES.get(action, action))
        lines.append(f"| {what} | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    print(reference_markdown(), end="")


if __name__ == "__main__":
    main()
