"""`isvc request`: filing, the lifecycle, replies, assignment, edits."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt, read_body
from isvc.render.output import info

app = typer.Typer(add_completion=False, help="Requests: file them, work them, close them.", no_args_is_help=True)

SQLITE_MAX_INT = 2**63 - 1  # larger numbers would reach SQLite as an OverflowError traceback
NumberArg = Annotated[int, typer.Argument(help="Request number.", min=1, max=SQLITE_MAX_INT)]
MessageOpt = Annotated[Optional[str], typer.Option("--message", "-m", help="A public message to the requester.")]


# Canned replies (`isvc reply`): the option `request ack|comment|resolve` take. Kept here,
# not in isvc.cli.reply, so the request commands do not build the reply commands.
ReplyOpt = Annotated[
    Optional[str],
    typer.Option("--reply", metavar="NAME",
                 help="Send canned reply NAME (see `isvc reply list`), written for this request. "
                 "With -m as well, your text fills the reply's {message} slot, or is added as "
                 "its last paragraph when it has none."),
]


def reply_message(number: int, reply: str | None, message: str | None,
                  command: str | None = None) -> str | None:
    """The message a request command sends: -m as given, or canned reply ``reply`` rendered
    for request ``number`` by the acting person (``command``: the status it leaves)."""
    if reply is None:
        return message
    from isvc.services import replies

    return replies.render_for(desk(), reply, number, message=message, command=command).text


def _with_sla(reqs) -> list[dict]:
    """Request JSON objects with their ``sla`` clocks at the desk's now."""
    from isvc.render.shapes import request_dict
    from isvc.services.sla import sla_json

    d = desk()
    slas = sla_json(d.conn, [r.number for r in reqs], d.now)
    return [request_dict(r, slas.get(r.number)) for r in reqs]


def _print_request(req, json_: bool) -> None:
    if json_:
        from isvc.render.output import dump_json

        print(dump_json(_with_sla([req])[0]))


def _ask_justification(d, team: str, requester, priority, type_) -> str | None:
    """On a terminal, an urgent request past its requester's urgency budget: ask why
    (off one the service refuses instead). Reads nothing unless it would be urgent."""
    from isvc.cli._common import ask, can_ask

    if not can_ask():
        return None
    from isvc.services import urgency

    found = urgency.preview(d, team, requester=requester, priority=priority, type=type_)
    if found is None or not found[1].needed:
        return None
    info(found[1].reason(urgency.whose(d, found[0])) + ".")
    return ask("Why is it urgent? (shown to the agent)")


@app.command("new", epilog='Example: isvc request new "VPN drops every hour" --team it --priority high --body-file notes.txt')
def request_new(
    title: Annotated[str, typer.Argument(help="What is needed, in a line.")],
    team: Annotated[str, typer.Option("--team", "-t", help="The provider team.")],
    priority: Annotated[Optional[str], typer.Option("--priority", "-p", help="low, normal, high or urgent.")] = None,
    type_: Annotated[Optional[str], typer.Option("--type", help="Request type, e.g. it/network.")] = None,
    body: Annotated[Optional[str], typer.Option("--body", "-b", help="The details.")] = None,
    body_file: Annotated[Optional[str], typer.Option("--body-file", help="Read the details from a file (- for stdin).")] = None,
    requester: Annotated[Optional[str], typer.Option("--requester", help="File on behalf of this person (team members, admins).")] = None,
    field: Annotated[list[str], typer.Option("--field", "-f", help="A custom field key=value (repeat).")] = [],
    tag: Annotated[list[str], typer.Option("--tag", help="A tag (repeat).")] = [],
    watch: Annotated[list[str], typer.Option("--watch", help="A watcher (repeat).")] = [],
    dedupe_key: Annotated[Optional[str], typer.Option("--dedupe-key", help="Idempotency key: a key already used returns that request.")] = None,
    justify: Annotated[Optional[str], typer.Option("--justify", help="Why it is urgent (shown to the agent); needed past the urgency budget.")] = None,
    no_suggest: Annotated[bool, typer.Option("--no-suggest", help="Do not offer knowledge-base articles first (only offered on a terminal).")] = False,
    json_: JsonOpt = False,
) -> None:
    """File a request. Prints its number on stdout (the request with --json)."""
    from isvc.services import requests as svc
    from isvc.store.directory import get_team

    d = desk()
    from isvc.cli.kb import offer_articles  # light; searches only on a terminal, with articles

    offer = offer_articles(d, title, body, body_file, no_suggest, team=team)
    if offer.deflected:  # an article answered it: nothing filed, nothing on stdout
        return
    if justify is None:
        justify = _ask_justification(d, team, requester, priority, type_)
    fields = svc.parse_fields(field)
    if type_ and not field:  # the request catalog: on a terminal, ask for the required fields
        from isvc.cli.type_cmd import ask_required_fields

        fields = ask_required_fields(d, team, type_)
    filed = svc.file_request(
        d, title, team, priority=priority, type=type_, body=read_body(body, body_file),
        requester=requester, fields=fields, tags=tag, watchers=watch,
        dedupe_key=dedupe_key, justify=justify,
    )
    req = filed.request
    if filed.existing:
        info(f"#{req.number} was already filed with dedupe key {dedupe_key!r}; nothing new filed.")
    else:
        offer.filed(req.number)  # the articles shown did not answer it: "suggested"
        team_name = get_team(d.conn, req.team).name
        who = "" if req.requester == d.actor else f" on behalf of {req.requester}"
        from isvc.render.sla_views import expectations
        from isvc.services.sla import live

        clocks = live(d.conn, [req.number], d.now).get(req.number)
        agreement = f"{clocks['row']['agreement']} agreement, " if clocks else ""
        info(f"Filed #{req.number} for {team_name} ({agreement}{req.priority.value}){who}.")
        if clocks:
            info(expectations(clocks))
    if json_:
        _print_request(req, True)
    else:
        print(req.number)


@app.command("show", epilog="Example: isvc request show 412   ·   isvc request show 412 --json")
def request_show(number: NumberArg, json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """A request: its header and its journal as a timeline."""
    from isvc.render.output import emit_object
    from isvc.render.shapes import event_dict
    from isvc.services import requests as svc

    d = desk()
    view = svc.show(d, number)
    data = _with_sla([view.request])[0] | {"events": [event_dict(e) for e in view.events]}

    def human() -> None:
        from isvc.cli._common import viewer_tz
        from isvc.render.tables import request_view
        from isvc.store.directory import get_person, get_team

        from isvc.services.sla import live

        from isvc.services.catalog import field_labels

        clocks = live(d.conn, [number], d.now).get(number) or {}
        request_view(view, get_team(d.conn, view.request.team).name,
                     get_person(d.conn, view.request.requester), d.now, viewer_tz(), clocks,
                     field_labels=field_labels(d, view.request))

    emit_object(data, fmt(json_, format_), human)


@app.command("list", epilog="Example: isvc request list --team it --status open --since 7d --sort -created --limit 50")
def request_list(
    status: Annotated[list[str], typer.Option("--status", "-s", help="Status (repeat or comma-separate; `open`, `all`). Default: all.")] = [],
    team: Annotated[list[str], typer.Option("--team", "-t", help="Provider team (repeat).")] = [],
    requester: Annotated[Optional[str], typer.Option("--requester", help="Filed by this person (`me`).")] = None,
    assignee: Annotated[Optional[str], typer.Option("--assignee", help="Assigned to this person (`me`).")] = None,
    unassigned: Annotated[bool, typer.Option("--unassigned", help="Only requests nobody owns.")] = False,
    mine: Annotated[bool, typer.Option("--mine", help="Assigned to me.")] = False,
    priority: Annotated[list[str], typer.Option("--priority", "-p", help="Priority (repeat or comma-separate).")] = [],
    tag: Annotated[list[str], typer.Option("--tag", help="Has this tag (repeat: all of them).")] = [],
    text: Annotated[Optional[str], typer.Option("--text", "-q", help="Words in the title or body.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Created since: 30d, 12h, 2w or a date.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Created before: 30d, 12h, 2w or a date.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="Keys: number, created, updated, priority, status, team, title; prefix - to reverse.")] = "-created",
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", help="At most this many.", max=SQLITE_MAX_INT)] = 50,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """List requests with filters, newest first by default."""
    from isvc.domain.filters import RequestFilter, parse_priorities, parse_sort, parse_statuses
    from isvc.domain.timeutil import parse_since, to_iso
    from isvc.errors import InvalidInput
    from isvc.render.output import emit_rows
    from isvc.render.shapes import REQUEST_LIST_COLUMNS, request_dict
    from isvc.services import requests as svc

    d = desk()
    if sum(bool(x) for x in (assignee, unassigned, mine)) > 1:
        raise InvalidInput("give one of --assignee, --unassigned, --mine")
    flt = RequestFilter(
        statuses=parse_statuses(status), teams=list(team), priorities=parse_priorities(priority),
        requester=requester, tags=[t.lower() for t in tag], text=text,
        assignee="" if unassigned else (d.actor if mine else assignee),
        since=to_iso(parse_since(since, d.now)) if since else None,
        until=to_iso(parse_since(until, d.now, what="--until")) if until else None,
    )
    output = fmt(json_, format_)
    rows = svc.list_requests(d, flt, parse_sort(sort), limit)

    def table() -> None:
        from isvc.render.tables import request_table

        request_table(rows, d.now)

    data = _with_sla(rows) if output in ("json", "ndjson") else [request_dict(r) for r in rows]
    emit_rows(data, output, REQUEST_LIST_COLUMNS, table)


_TRANSITIONS = {
    "ack": ("Acknowledge: the first response to the requester.", "acknowledged", 'isvc request ack 412 -m "On it, back by noon."'),
    "start": ("Start work on a request.", "in progress", "isvc request start 412"),
    "wait": ("Wait on the requester (pauses the resolution clock).", "waiting on the requester", 'isvc request wait 412 -m "Which VPN client version?"'),
    "resume": ("Resume work after waiting.", "in progress again", "isvc request resume 412"),
    "resolve": ("Resolve, with a closing message.", "resolved", 'isvc request resolve 412 -m "Gateway timeout raised; fixed."'),
    "cancel": ("Cancel a request that is no longer needed.", "cancelled", 'isvc request cancel 412 -m "Duplicate of #398"'),
    "reopen": ("Reopen a resolved request (its resolution clock resumes).", "reopened", 'isvc request reopen 412 -m "Still dropping"'),
}


_REPLY_COMMANDS = ("ack",)  # also take --reply NAME, a canned reply (as resolve and comment do)


def _make_transition(command: str, help_text: str, done: str, example: str):
    def run(number: NumberArg, message: MessageOpt = None, json_: JsonOpt = False) -> None:
        from isvc.services import requests as svc

        req = svc.transition(desk(), number, command, message)
        info(f"#{req.number} {done}.")
        _print_request(req, json_)

    def run_with_reply(number: NumberArg, message: MessageOpt = None, reply: ReplyOpt = None,
                       json_: JsonOpt = False) -> None:
        run(number, reply_message(number, reply, message, command), json_)

    fn = run_with_reply if command in _REPLY_COMMANDS else run
    fn.__name__ = f"request_{command}"
    fn.__doc__ = help_text
    app.command(command, epilog=f"Example: {example}")(fn)


for _name, (_help, _done, _example) in _TRANSITIONS.items():
    if _name not in ("wait", "resolve"):  # these have their own commands below (--on, --kb)
        _make_transition(_name, _help, _done, _example)


@app.command("wait", epilog='Example: isvc request wait 412 -m "Which VPN client version?"   ·   isvc request wait 412 --on 398')
def request_wait(
    number: NumberArg,
    message: MessageOpt = None,
    on: Annotated[Optional[int], typer.Option("--on", help="Wait on this request instead of the requester; resumes by itself when it is resolved.", min=1, max=SQLITE_MAX_INT)] = None,
    json_: JsonOpt = False,
) -> None:
    """Wait on the requester, or on another request with --on (pauses the resolution clock)."""
    from isvc.services import requests as svc

    req = svc.transition(desk(), number, "wait", message, on=on)
    info(f"#{req.number} waiting on " + (f"#{on}." if on is not None else "the requester."))
    _print_request(req, json_)


@app.command("resolve", epilog=f"Example: {_TRANSITIONS['resolve'][2]}   ·   isvc request resolve 412 --kb 12")
def request_resolve(
    number: NumberArg,
    message: MessageOpt = None,
    reply: ReplyOpt = None,
    kb: Annotated[Optional[int], typer.Option("--kb", help="The knowledge-base article that solved it (linked and journaled).", min=1, max=SQLITE_MAX_INT, metavar="ID")] = None,
    json_: JsonOpt = False,
) -> None:
    """Resolve, with a closing message; --kb links the article that solved it."""
    from isvc.services import requests as svc

    message = reply_message(number, reply, message, "resolve")
    req = svc.transition(desk(), number, "resolve", message, kb=kb)
    info(f"#{req.number} resolved" + (f", solved by KB #{kb}." if kb is not None else "."))
    _print_request(req, json_)


@app.command("close", epilog='Example: isvc request close 412 --thanks "Fixed before the payroll run, thank you!" --value ownership')
def request_close(
    number: NumberArg,
    message: MessageOpt = None,
    thanks: Annotated[Optional[str], typer.Option("--thanks", help="Thank whoever solved it: a kudos to the assignee (else the team), tied to the request.")] = None,
    value: Annotated[Optional[str], typer.Option("--value", help="A company value for the thanks (see `isvc kudos values`).")] = None,
    json_: JsonOpt = False,
) -> None:
    """Close a resolved request, optionally with thanks."""
    from isvc.cli._common import interactive
    from isvc.services import requests as svc

    d = desk()
    req, given = svc.close(d, number, message, thanks, value)
    info(f"#{req.number} closed.")
    if given:
        info(f"Thanked {given.to_label} with kudos #{given.id}" + (" (lateral)." if given.lateral else "."))
    elif d.actor == req.requester and interactive():
        from isvc.services.kudos import thanks_hint_due

        if thanks_hint_due(d):
            who = f"@{req.assignee}" if req.assignee else f"+{req.team}"
            info(f'Tip: say thanks: isvc kudos send {who} "what they did and why it mattered" --for {number}')
    _print_request(req, json_)


@app.command("autoclose", epilog="Example (cron, daily): isvc request autoclose --days 5")
def request_autoclose(
    days: Annotated[Optional[int], typer.Option("--days", help="Close requests resolved at least this many days ago (default: config requests.autoclose_days).", max=36500)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be closed.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Close resolved requests nobody reopened (for cron)."""
    from isvc.render.output import dump_json
    from isvc.services import requests as svc

    numbers = svc.autoclose(desk(), days, dry_run)
    verb = "would close" if dry_run else "closed"
    info(f"{verb} {len(numbers)} request(s)" + (": " + ", ".join(f"#{n}" for n in numbers) if numbers else "."))
    if json_:
        print(dump_json(numbers))


@app.command("comment", epilog='Example: isvc request comment 412 -m "Try the 5.2.2 client"   ·   isvc request comment 412 -m "Same as #398" --internal   ·   isvc request comment 412 --reply working')
def request_comment(
    number: NumberArg,
    message: Annotated[Optional[str], typer.Option("--message", "-m", help="The text (or --reply).")] = None,
    internal: Annotated[bool, typer.Option("--internal", help="An internal note: never shown to the requester.")] = False,
    reply: ReplyOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Reply on a request, or add an internal note."""
    from isvc.errors import InvalidInput
    from isvc.services import requests as svc

    if message is None and reply is None:
        raise InvalidInput('a comment needs text: -m "..." or --reply NAME')
    req, follow_up = svc.comment(desk(), number, reply_message(number, reply, message), internal)
    if follow_up:
        info(f"#{number} is {req.status.label}: your reply filed follow-up #{follow_up.number}.")
        _print_request(follow_up, json_)
        if not json_:
            print(follow_up.number)
        return
    info(f"{'Noted' if internal else 'Replied'} on #{number} ({req.status.label}).")
    _print_request(req, json_)


@app.command("assign", epilog="Example: isvc request assign 412 jim   ·   isvc request assign 412 nobody")
def request_assign(
    number: NumberArg,
    person: Annotated[str, typer.Argument(help="Who owns it now (`me`; `nobody` to clear).")],
    json_: JsonOpt = False,
) -> None:
    """Assign a request to someone."""
    from isvc.services import requests as svc

    req = svc.assign(desk(), number, None if person == "nobody" else person)
    info(f"#{number} is now owned by {req.assignee or 'nobody'}.")
    _print_request(req, json_)


@app.command("take", epilog="Example: isvc request take 412")
def request_take(number: NumberArg, json_: JsonOpt = False) -> None:
    """Take a request yourself (anyone may help another team: it counts as lateral help)."""
    from isvc.services import requests as svc

    req = svc.assign(desk(), number, None, take=True)
    info(f"You own #{number} now.")
    _print_request(req, json_)


@app.command("watch", epilog="Example: isvc request watch 412   ·   isvc request watch 412 ana")
def request_watch(
    number: NumberArg,
    person: Annotated[Optional[str], typer.Argument(help="Who (default: me).")] = None,
) -> None:
    """Follow a request: watchers see it and may comment."""
    from isvc.services import requests as svc

    d = desk()
    svc.watch(d, number, person)
    info(f"{person or d.actor} is watching #{number}.")


@app.command("unwatch", epilog="Example: isvc request unwatch 412")
def request_unwatch(
    number: NumberArg,
    person: Annotated[Optional[str], typer.Argument(help="Who (default: me).")] = None,
) -> None:
    """Stop following a request."""
    from isvc.services import requests as svc

    d = desk()
    svc.watch(d, number, person, remove=True)
    info(f"{person or d.actor} no longer watches #{number}.")


@app.command("edit", epilog="Example: isvc request edit 412 --priority urgent --tag vpn --field asset=7731")
def request_edit(
    number: NumberArg,
    title: Annotated[Optional[str], typer.Option("--title", help="New title.")] = None,
    priority: Annotated[Optional[str], typer.Option("--priority", "-p", help="New priority.")] = None,
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Move to another team.")] = None,
    type_: Annotated[Optional[str], typer.Option("--type", help="New request type.")] = None,
    field: Annotated[list[str], typer.Option("--field", "-f", help="Set key=value (empty value removes it).")] = [],
    tag: Annotated[list[str], typer.Option("--tag", help="Add a tag.")] = [],
    untag: Annotated[list[str], typer.Option("--untag", help="Remove a tag.")] = [],
    json_: JsonOpt = False,
) -> None:
    """Change a request's title, priority, team, type, fields or tags (each change journaled)."""
    from isvc.services import requests as svc

    req = svc.edit(desk(), number, title=title, priority=priority, team=team, type=type_,
                   fields=svc.parse_fields(field), add_tags=tag, remove_tags=untag)
    info(f"Updated #{number}.")
    _print_request(req, json_)


@app.command("redact", epilog='Example: isvc request redact 412 1093 --reason "pasted a password"')
def request_redact(
    number: NumberArg,
    event: Annotated[int, typer.Argument(help="Event id (see `isvc request show N --json`).", min=1, max=SQLITE_MAX_INT)],
    reason: Annotated[str, typer.Option("--reason", help="Why the text is removed.")],
) -> None:
    """Replace a journal entry's text (admins only; the redaction is journaled)."""
    from isvc.services import requests as svc

    svc.redact(desk(), number, event, reason)
    info(f"Redacted event {event} on #{number}.")


def _register_more() -> None:
    """Commands that live in their own modules but belong to `isvc request`."""
    from isvc.cli.request_attachments import register as register_attachments
    from isvc.cli.request_links import register as register_links
    from isvc.cli.request_needs_info import register as register_needs_info
    from isvc.cli.request_rate import register as register_rate

    register_rate(app)
    register_links(app)
    register_attachments(app)
    register_needs_info(app)


_register_more()
