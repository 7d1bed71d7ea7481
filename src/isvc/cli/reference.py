"""The README's generated parts: the command reference, the JSON shapes, the permissions.

cog runs these functions from the README (``uv run cog -r README.md``) and the test suite
checks the README is current (``cog --check``), so the docs cannot drift from the code:

- :func:`reference_markdown` walks the Typer app's command tree the way ``--help`` does
  (``list_commands``/``get_command``, so lazily loaded sub-apps and commands added later
  are picked up) and prints, per command: a heading, the usage line, the help text, the
  arguments and options, and the ``Example:`` epilog.
- :func:`json_shapes_markdown` calls the real shape functions in ``render/shapes.py`` on
  sample objects, so every key they emit is shown (and must be described in ``KEY_NOTES``).
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
}

_SAMPLE_NOW = "2026-11-25T09:20:00Z"


def sample_shapes() -> dict[str, Any]:
    """The documented shapes, made by the real shape functions from sample objects."""
    from isvc.domain.models import Event, Person, Priority, Request, Status, Team
    from isvc.render.shapes import event_dict, person_dict, request_dict, team_dict

    req = Request(
        number=412, title="VPN drops every hour", body="Since the update my VPN drops every hour.",
        status=Status.IN_PROGRESS, priority=Priority.HIGH, team="it", type="it/network",
        requester="mihai", assignee="jim", watchers=["ana"], tags=["remote", "vpn"],
        fields={"asset": "7731"}, channel="cli", waiting_on=None,
        created_at="2026-11-23T07:30:00Z", updated_at=_SAMPLE_NOW,
        first_response_at="2026-11-23T09:02:00Z",
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
    return {
        "request": request_dict(req),
        "event": [event_dict(e) for e in events],
        "team": team_dict(team),
        "person": person_dict(person, "member"),
    }


def _note(shape: str, key: str) -> tuple[str, str]:
    from isvc.domain.models import Priority, Status

    kind, note = KEY_NOTES.get(shape, {}).get(key, ("?", "(undocumented)"))
    return kind, note.format(
        statuses=", ".join(f"`{s.value}`" for s in Status),
        priorities=", ".join(f"`{p.value}`" for p in Priority),
    )


def _keys_table(shape: str, obj: dict) -> list[str]:
    lines = ["| Key | Type | Meaning |", "|---|---|---|"]
    for key in obj:
        kind, note = _note(shape, key)
        lines.append(f"| `{key}` | {kind} | {_escape_cell(note)} |")
    return lines + [""]


def json_shapes_markdown() -> str:
    from isvc.render.output import dump_json

    shapes = sample_shapes()
    req, events = shapes["request"], shapes["event"]
    out = [
        "### Request",
        "",
        "`request new|show|list --json` and `queue --json` (lists are arrays of these):",
        "",
        "```json", dump_json(req), "```", "",
        *_keys_table("request", req),
        "### Request events",
        "",
        "`request show N --json` adds `\"events\"`, the journal in time order. Internal notes "
        "are included only for members of the provider team and admins.",
        "",
        "```json", dump_json({"events": events}), "```", "",
        *_keys_table("event", events[0]),
        "### Team",
        "",
        "`team add|show|list --json`:",
        "",
        "```json", dump_json(shapes["team"]), "```", "",
        *_keys_table("team", shapes["team"]),
        "### Person",
        "",
        "`person add|show|list --json`:",
        "",
        "```json", dump_json(shapes["person"]), "```", "",
        *_keys_table("person", shapes["person"]),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


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
