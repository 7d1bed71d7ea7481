"""`isvc kudos`: thanks tied to real work, company values, the wall and leaderboards."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(add_completion=False, help="Kudos: thank a colleague or a team, for a request, "
                  "in the name of a company value.", no_args_is_help=True)
values_app = typer.Typer(add_completion=False, help="The company values a kudos can name.",
                         epilog="Example: isvc kudos values set ownership teamwork customer-first")
app.add_typer(values_app, name="values")

SQLITE_MAX_INT = 2**63 - 1
IdArg = Annotated[int, typer.Argument(help="Kudos id (see `isvc kudos wall`).", min=1, max=SQLITE_MAX_INT)]


def _team_names(d, rows) -> dict[str, str]:
    from isvc.store.kudos import names

    handles = [h for k in rows for h in (k.giver_team, k.recipient_team)]
    return names(d.conn, "teams", handles)


@app.command("send", epilog='Example: isvc kudos send @ana "Thanks for fixing the payroll export '
             'before the deadline" --value ownership --for 377')
def kudos_send(
    to: Annotated[str, typer.Argument(help="@person or +team.")],
    message: Annotated[Optional[str], typer.Argument(help="What they did and why it mattered (at least 3 words).", metavar="MESSAGE")] = None,
    value: Annotated[Optional[str], typer.Option("--value", help="A company value (see `isvc kudos values`).")] = None,
    for_: Annotated[Optional[int], typer.Option("--for", help="The request this thanks is for.", min=1, max=SQLITE_MAX_INT, metavar="N")] = None,
    private: Annotated[bool, typer.Option("--private", help="Only the giver and the receiver (and admins) see it.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Thank a person or a team. Prints the kudos id on stdout (the kudos with --json)."""
    from isvc.render.kudos_views import kudos_dict
    from isvc.render.output import dump_json
    from isvc.services import kudos as svc

    d = desk()
    sent = svc.send(d, to, message, value=value, request=for_, private=private)
    k, left = sent.kudos, sent.allowance
    notes = [n for n in (k.value, f"for #{k.request}" if k.request else None,
                         "lateral" if k.lateral else None, "private" if k.private else None) if n]
    info(f"Sent kudos #{k.id} to {k.to_label}" + (f" ({', '.join(notes)})" if notes else "") + ".")
    if not left.unlimited:
        info(f"{left.left} of {left.per_week} left this week; refreshes "
             f"{svc.refresh_words(d, left.refreshes_at)}.")
    print(dump_json(kudos_dict(k)) if json_ else k.id)


@values_app.callback(invoke_without_command=True)
def kudos_values(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List the company values (`kudos values set` changes them)."""
    if ctx.invoked_subcommand is None:
        _print_values(json_)


def _print_values(json_: bool) -> None:
    from isvc.render.output import dump_json
    from isvc.services import kudos as svc

    d = desk()
    current = svc.values(d)
    if json_:
        print(dump_json(current))
        return
    if not current:
        info("No company values yet; an admin sets them: isvc kudos values set ownership teamwork")
    for value in current:
        print(value)
    if current and svc.require_value(d):
        info("Every kudos must name one (config kudos.require_value).")


@values_app.command("list", epilog="Example: isvc kudos values list --json")
def kudos_values_list(json_: JsonOpt = False) -> None:
    """List the company values, one a line."""
    _print_values(json_)


@values_app.command("set", epilog="Example: isvc kudos values set ownership teamwork customer-first")
def kudos_values_set(
    values: Annotated[list[str], typer.Argument(help="The values, single words (replaces the list).")],
    json_: JsonOpt = False,
) -> None:
    """Set the desk's company values (admins); the config's kudos.values are added to them."""
    from isvc.render.output import dump_json
    from isvc.services import kudos as svc

    current = svc.set_values(desk(), values)
    info(f"Company values: {', '.join(current)}.")
    if json_:
        print(dump_json(current))


@app.command("policy", epilog="Example: isvc kudos policy --allowance 5 --require-value")
def kudos_policy(
    allowance: Annotated[Optional[int], typer.Option("--allowance", help="Kudos each person may give per week (0 = unlimited).")] = None,
    require: Annotated[Optional[bool], typer.Option("--require-value/--no-require-value", help="Every kudos must name a company value.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Show or set the organisation's kudos policy (admins set it; it wins over config files)."""
    from isvc.render.output import dump_json
    from isvc.services import kudos as svc

    d = desk()
    if allowance is None and require is None:
        current = svc.policy(d)
    else:
        current = svc.set_policy(d, allowance, require)
        info("Kudos policy updated.")
    if json_:
        print(dump_json(current))
        return
    per_week = current["allowance_per_week"]
    print(f"allowance: {per_week} per person per week" if per_week else "allowance: unlimited")
    print("value: required" if current["require_value"] else "value: optional")


@app.command("allowance", epilog="Example: isvc kudos allowance   ·   isvc kudos allowance --json")
def kudos_allowance(json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """How many kudos you have left this week, and when the allowance refreshes."""
    from isvc.render.kudos_views import ALLOWANCE_COLUMNS, allowance, allowance_dict
    from isvc.render.output import emit_object
    from isvc.services import kudos as svc

    d = desk()
    current = svc.allowance(d)
    emit_object(allowance_dict(d.actor, current), fmt(json_, format_),
                lambda: allowance(d.actor, current, d.now), ALLOWANCE_COLUMNS)


@app.command("wall", epilog="Example: isvc kudos wall --team payroll --since 7d --limit 10")
def kudos_wall(
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Given or received by this team.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Given since: 7d, 12h, 2w or a date.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many.", max=SQLITE_MAX_INT)] = 20,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """The kudos feed, newest first (private ones only for their giver and receiver)."""
    from isvc.render.kudos_views import KUDOS_COLUMNS, kudos_dict
    from isvc.render.output import emit_rows
    from isvc.services import kudos as svc

    d = desk()
    rows = svc.wall(d, team=team, since=since, limit=limit)

    def panels() -> None:
        from isvc.render.kudos_views import wall

        wall(rows, d.now, _team_names(d, rows))

    emit_rows([kudos_dict(k) for k in rows], fmt(json_, format_), KUDOS_COLUMNS, panels)


@app.command("leaderboard", epilog="Example: isvc kudos leaderboard --since 90d --by team")
def kudos_leaderboard(
    since: Annotated[str, typer.Option("--since", help="Kudos given since: 30d, 2w or a date.")] = "30d",
    by: Annotated[str, typer.Option("--by", help="person, team or value.")] = "person",
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many rows.", max=SQLITE_MAX_INT)] = 10,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Kudos received and given, and the lateral share (help across teams).

    Private and retracted kudos are not counted; people who opted out
    (`isvc person edit me --no-leaderboard`) never appear.
    """
    from isvc.render.kudos_views import LEADERBOARD_COLUMNS
    from isvc.render.output import emit_rows
    from isvc.services import kudos as svc

    view = svc.leaderboard(desk(), since=since, by=by, limit=limit)

    def table() -> None:
        from isvc.render.kudos_views import leaderboard_table

        leaderboard_table(view, f"since {since}" if "-" in since else f"last {since}")

    emit_rows(view.rows, fmt(json_, format_), LEADERBOARD_COLUMNS[view.by], table)


@app.command("show", epilog="Example: isvc kudos show 12   ·   isvc kudos show 12 --json")
def kudos_show(kudos_id: IdArg, json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """One kudos: who thanked whom, for what, and whether it was retracted."""
    from isvc.render.kudos_views import KUDOS_COLUMNS, kudos_dict
    from isvc.render.output import emit_object
    from isvc.services import kudos as svc

    d = desk()
    k = svc.get(d, kudos_id)

    def human() -> None:
        from isvc.cli._common import viewer_tz
        from isvc.render.kudos_views import detail

        detail(k, d.now, viewer_tz(), _team_names(d, [k]))

    emit_object(kudos_dict(k), fmt(json_, format_), human, KUDOS_COLUMNS)


@app.command("retract", epilog="Example: isvc kudos retract 12")
def kudos_retract(kudos_id: IdArg, json_: JsonOpt = False) -> None:
    """Take back a kudos you gave, within a day (kept and journaled, not deleted)."""
    from isvc.render.kudos_views import kudos_dict
    from isvc.render.output import dump_json
    from isvc.services import kudos as svc

    k = svc.retract(desk(), kudos_id)
    info(f"Retracted kudos #{k.id} to {k.to_label}; it no longer counts against your allowance.")
    if json_:
        print(dump_json(kudos_dict(k)))
