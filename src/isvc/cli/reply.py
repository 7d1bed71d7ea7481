"""`isvc reply`: canned replies, and the --reply option of `request ack|comment|resolve`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt, read_body
from isvc.render.output import info

app = typer.Typer(
    add_completion=False,
    help="Canned replies: reusable messages with placeholders such as {requester.first_name}, "
    "{request.number}, {due.resolution} and {agent.first_name}. Built-in ones (ack, need-info, "
    "working, resolved, closed-thanks) come with every desk; a desk reply of the same name "
    "overrides one. Use them with `isvc request ack|comment|resolve N --reply NAME`.",
    no_args_is_help=True,
)

SQLITE_MAX_INT = 2**63 - 1
NameArg = Annotated[str, typer.Argument(help="Reply name, e.g. need-info.")]
BodyOpt = Annotated[Optional[str], typer.Option("--body", "-b", help="The text, with {placeholders} ({{ and }} for literal braces).")]
BodyFileOpt = Annotated[Optional[str], typer.Option("--body-file", help="Read the text from a file (- for stdin).")]
DescriptionOpt = Annotated[Optional[str], typer.Option("--description", "-d", help="What it is for, in a line (\"\" clears it on edit).")]

LIST_COLUMNS = ["name", "source", "overrides", "description"]


def reply_dict(reply, *, body: bool = False) -> dict:
    """The JSON shape of a canned reply (``body``: with its text and placeholders)."""
    from isvc.domain.replies import placeholders_in

    data = {
        "name": reply.name,
        "description": reply.description,
        "source": reply.source,
        "overrides": reply.overrides,
        "author": reply.author,
        "created_at": reply.created_at,
        "updated_at": reply.updated_at,
    }
    if body:
        data |= {"body": reply.body, "placeholders": placeholders_in(reply.body)}
    return data


def _where_from(reply) -> str:
    return "desk (overrides built-in)" if reply.overrides else reply.source


def _table(replies) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from isvc.render.console import console

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("reply", style="bold")
    table.add_column("from")
    table.add_column("description")
    for reply in replies:
        table.add_row(Text(reply.name), Text(_where_from(reply)), Text(reply.description or "—"))
    console().print(table)


@app.command("list", epilog="Example: isvc reply list   ·   isvc reply list --json")
def reply_list(json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """The replies in effect: the desk's own and the built-ins they do not override."""
    from isvc.render.output import emit_rows
    from isvc.services import replies

    rows = replies.catalog(desk())
    emit_rows([reply_dict(r) for r in rows], fmt(json_, format_), LIST_COLUMNS,
              lambda: _table(rows))


@app.command("show", epilog="Example: isvc reply show need-info   ·   isvc reply show ack --for 412")
def reply_show(
    name: NameArg,
    for_: Annotated[Optional[int], typer.Option("--for", help="Write it for this request, as `--reply` would send it.", min=1, max=SQLITE_MAX_INT, metavar="N")] = None,
    json_: JsonOpt = False,
) -> None:
    """A reply's text: the template, or with --for N the message request N would get."""
    from isvc.render.output import dump_json
    from isvc.services import replies

    d = desk()
    reply = replies.get(d, name)
    text = reply.body
    data = reply_dict(reply, body=True)
    if for_ is not None:
        text = replies.render_for(d, name, for_).text
        data |= {"request": for_, "text": text}
    if json_:
        print(dump_json(data))
        return
    info(f"{reply.name} ({_where_from(reply)})" + (f": {reply.description}" if reply.description else "")
         + (f" — for #{for_}" if for_ is not None else ""))
    print(text)


@app.command("add", epilog='Example: isvc reply add vpn-client --body-file vpn.txt --description "Install the 5.2 VPN client"')
def reply_add(
    name: NameArg,
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    description: DescriptionOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Add a canned reply (team members, admins).

    A built-in's name overrides that built-in. Unknown placeholders are refused, with the list of known ones.
    """
    from isvc.services import replies

    reply = replies.add(desk(), name, read_body(body, body_file), description)
    info(f"Added reply {reply.name}" + (" (it overrides the built-in one)." if reply.overrides else "."))
    _print(reply, json_)


@app.command("edit", epilog='Example: isvc reply edit need-info --body-file need-info.txt   ·   isvc reply edit ack --description "First answer"')
def reply_edit(
    name: NameArg,
    body: BodyOpt = None,
    body_file: BodyFileOpt = None,
    description: DescriptionOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Change a reply's text or description (a desk reply: its author, admins).

    Editing a built-in (team members, admins) saves the desk's own copy, which overrides it.
    """
    from isvc.services import replies

    text = read_body(body, body_file) if body is not None or body_file is not None else None
    d = desk()
    before = replies.get(d, name)
    reply = replies.edit(d, name, text, description)
    if before.source == "built-in":
        info(f"Saved reply {reply.name}; it overrides the built-in one "
             f"(`isvc reply remove {reply.name}` brings it back).")
    else:
        info(f"Updated reply {reply.name}.")
    _print(reply, json_)


@app.command("remove", epilog="Example: isvc reply remove vpn-client")
def reply_remove(name: NameArg) -> None:
    """Remove one of the desk's replies (its author, admins).

    Removing an override brings the built-in back; built-ins themselves stay.
    """
    from isvc.services import replies

    removed = replies.remove(desk(), name)
    info(f"Removed reply {removed.reply.name}"
         + ("; the built-in one is back." if removed.restored else "."))


def _print(reply, json_: bool) -> None:
    if json_:
        from isvc.render.output import dump_json

        print(dump_json(reply_dict(reply, body=True)))
