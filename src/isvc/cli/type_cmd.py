"""`isvc type`: the request catalog, a team's request types and the fields they must carry."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Request types: what each team's requests must carry up front.")

KeyArg = Annotated[str, typer.Argument(help="The type's key, team/name, e.g. purchasing/purchase-order.")]
FIELD_HELP = ("A field: name:kind[:required][:label=Label]; kinds text, number, money, date, "
              "choice(a|b|c), person, bool (repeat).")

TYPE_COLUMNS = ["key", "team", "title", "priority", "active", "fields"]
STATS_COLUMNS = ["type", "team", "title", "requests", "needs_info", "needs_info_requests", "share"]


def _type_json(t) -> dict:
    from isvc.domain.catalog import type_to_dict

    return type_to_dict(t)


def _print_type(t, json_: bool) -> None:
    if json_:
        from isvc.render.output import dump_json

        print(dump_json(_type_json(t)))


def _flat(t) -> dict:
    """A type for TSV/CSV: its fields as specs."""
    return _type_json(t) | {"fields": " ".join(f.spec for f in t.fields)}


@app.command("add", epilog='Example: isvc type add purchasing/purchase-order --title "Purchase order" '
             '--field "cost_centre:text:required" --field "amount:money:required" '
             '--field "urgency:choice(low|normal|high)" --priority normal')
def type_add(
    key: KeyArg,
    title: Annotated[str, typer.Option("--title", help="What requesters see, e.g. \"Purchase order\".")],
    field: Annotated[list[str], typer.Option("--field", "-f", help=FIELD_HELP)] = [],
    priority: Annotated[Optional[str], typer.Option("--priority", "-p", help="Default priority of its requests (low, normal, high, urgent).")] = None,
    description: Annotated[Optional[str], typer.Option("--description", help="When to use this type.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Add a request type to a team's catalog (team members, admins)."""
    from isvc.services import catalog as svc

    t = svc.add_type(desk(), key, title, field, priority=priority, description=description)
    info(f"Added type {t.key} ({t.title}) with {len(t.fields)} field(s).")
    _print_type(t, json_)


@app.command("list", epilog="Example: isvc type list --team purchasing   ·   isvc type list --all --json")
def type_list(
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only this team's types.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include retired types.")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """List request types."""
    from isvc.render.output import emit_rows
    from isvc.services import catalog as svc

    types = svc.list_types(desk(), team, all_)
    output = fmt(json_, format_)

    def table() -> None:
        from rich import box
        from rich.table import Table

        from isvc.render.console import console

        if not types:
            info("No request types" + (f" for team {team}" if team else "")
                 + "; add one with `isvc type add TEAM/NAME --title ... --field ...`.")
            return
        tab = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for col in ("type", "title", "priority", "fields (* required)"):
            tab.add_column(col)
        for t in types:
            names = ", ".join(f.name + ("*" if f.required else "") for f in t.fields)
            tab.add_row(t.key + ("" if t.active else " (retired)"), t.title, t.priority or "—",
                        names or "—")
        console().print(tab)

    rows = [_type_json(t) for t in types] if output in ("json", "ndjson") else [_flat(t) for t in types]
    emit_rows(rows, output, TYPE_COLUMNS, table)


@app.command("show", epilog="Example: isvc type show purchasing/purchase-order --json")
def type_show(key: KeyArg, json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """A request type: title, default priority and each field with its kind."""
    from isvc.render.output import emit_object
    from isvc.services import catalog as svc

    t = svc.get_type(desk(), key)

    def human() -> None:
        from rich import box
        from rich.table import Table

        from isvc.render.console import console
        from isvc.render.tables import key_values

        pairs = [("title", t.title), ("team", t.team), ("priority", t.priority or "the desk's default"),
                 ("status", "active" if t.active else "retired")]
        if t.description:
            pairs.append(("description", t.description))
        key_values(t.key, pairs)
        if t.fields:
            tab = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            for col in ("field", "label", "kind", "required"):
                tab.add_column(col)
            for f in t.fields:
                tab.add_row(f.name, f.display, f.kind_text, "yes" if f.required else "")
            console().print(tab)
        else:
            info("No fields declared.")

    output = fmt(json_, format_)
    if output in ("tsv", "csv"):
        emit_object(_flat(t), output, human, columns=TYPE_COLUMNS)
    else:
        emit_object(_type_json(t), output, human)


@app.command("edit", epilog='Example: isvc type edit purchasing/purchase-order --field "supplier:text:required" '
             '--remove-field urgency --priority high')
def type_edit(
    key: KeyArg,
    title: Annotated[Optional[str], typer.Option("--title", help="New title.")] = None,
    description: Annotated[Optional[str], typer.Option("--description", help="New description (\"\" clears it).")] = None,
    priority: Annotated[Optional[str], typer.Option("--priority", "-p", help="New default priority (\"default\" clears it).")] = None,
    field: Annotated[list[str], typer.Option("--field", "-f", help="Add a field, or replace the one of that name: " + FIELD_HELP)] = [],
    remove_field: Annotated[list[str], typer.Option("--remove-field", help="Remove the field of this name (repeat).")] = [],
    json_: JsonOpt = False,
) -> None:
    """Change a request type (team members, admins); requests already filed keep their values."""
    from isvc.services import catalog as svc

    t = svc.edit_type(desk(), key, title=title, description=description, priority=priority,
                      set_fields=field, remove_fields=remove_field)
    info(f"Updated type {t.key}.")
    _print_type(t, json_)


@app.command("retire", epilog="Example: isvc type retire purchasing/purchase-order")
def type_retire(key: KeyArg, json_: JsonOpt = False) -> None:
    """Retire a request type: no new requests of it; filed ones keep it."""
    from isvc.services import catalog as svc

    t = svc.retire_type(desk(), key)
    info(f"Retired type {t.key}.")
    _print_type(t, json_)


@app.command("import", epilog="Example: isvc type import catalog/purchasing.toml")
def type_import(
    path: Annotated[str, typer.Argument(help="A TOML file of [\\[types]] tables (see `isvc type export`).")],
) -> None:
    """Add or update request types from TOML (checked first; all or nothing)."""
    from isvc.services import catalog as svc

    result = svc.import_types(desk(), path)
    parts = []
    for word, keys in (("added", result.added), ("updated", result.updated),
                       ("unchanged", result.unchanged)):
        if keys:
            parts.append(f"{word} {', '.join(keys)}")
    info(f"Imported {len(result.added) + len(result.updated) + len(result.unchanged)} type(s)"
         + (": " + "; ".join(parts) if parts else "") + ".")


@app.command("export", epilog="Example: isvc type export --team purchasing > catalog/purchasing.toml")
def type_export(
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only this team's types.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include retired types (import makes them active).")] = False,
) -> None:
    """Print request types as TOML, ready for version control and `type import`."""
    from isvc.services import catalog as svc

    print(svc.export_types(desk(), team, all_), end="")


@app.command("stats", epilog="Example: isvc type stats --since 90d   ·   isvc type stats --team purchasing --json")
def type_stats(
    since: Annotated[str, typer.Option("--since", help="Requests filed since: 90d, 12w or a date.")] = "90d",
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only this provider team.")] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Per type: requests filed, needs-info round-trips, and the share that needed one."""
    from isvc.render.output import emit_rows
    from isvc.services import catalog as svc

    rows = svc.type_stats(desk(), since, team)

    def table() -> None:
        from rich import box
        from rich.table import Table

        from isvc.render.console import console

        if not rows:
            info(f"No requests or types since {since}.")
            return
        tab = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        tab.add_column("type")
        tab.add_column("team")
        for col in ("requests", "needs info", "asked on", "share"):
            tab.add_column(col, justify="right")
        for r in rows:
            name = r["type"] or "(untyped)"
            if r["active"] is False:
                name += " (retired)"
            share = "—" if r["share"] is None else f"{r['share'] * 100:.0f}%"
            tab.add_row(name, r["team"], str(r["requests"]), str(r["needs_info"]),
                        str(r["needs_info_requests"]), share)
        console().print(tab)
        info("needs info: round-trips; asked on: requests that needed at least one; "
             "a high share means the form should ask for more up front.")

    emit_rows(rows, fmt(json_, format_), STATS_COLUMNS, table)


# -- used by `isvc request new` ------------------------------------------------------------

def ask_required_fields(d, team: str, type_key: str) -> dict[str, str]:
    """On a terminal, ask for a catalog type's required fields one by one (kind and
    choices shown, a bad value asked again). Off a terminal, or when the type is not
    a catalog type, nothing is asked: filing then refuses with every missing field."""
    from isvc.cli._common import ask, can_ask

    if not can_ask():
        return {}
    from isvc.errors import InvalidInput, IsvcError
    from isvc.services import catalog as svc

    try:
        rtype = svc.resolve_for_filing(d, team, type_key)
    except IsvcError:
        return {}  # filing says what is wrong with the team or the type
    if rtype is None or not rtype.required:
        return {}
    info(f"{rtype.title} ({rtype.key}) needs {len(rtype.required)} field(s):")
    values: dict[str, str] = {}
    for f in rtype.required:
        while True:
            text = ask(f"{f.display} ({f.kind_text})")
            try:
                values[f.name] = svc.check_value(d, f, text)
                break
            except InvalidInput as exc:
                info(f"  {exc}; try again")
    return values
