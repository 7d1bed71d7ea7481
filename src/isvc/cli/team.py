"""`isvc team`: provider and customer teams."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(add_completion=False, help="Teams: every team can be a provider (it has a queue) and a customer.",
                  no_args_is_help=True)


@app.command("add", epilog='Example: isvc team add it --name "IT Service Desk"')
def team_add(
    handle: Annotated[str, typer.Argument(help="Short handle, e.g. it, hr, payroll.")],
    name: Annotated[Optional[str], typer.Option("--name", help="Display name.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Add a team."""
    from isvc.render.output import dump_json
    from isvc.render.shapes import team_dict
    from isvc.services import directory

    team = directory.add_team(desk(), handle, name)
    info(f"Added team {team.handle} ({team.name}).")
    if json_:
        print(dump_json(team_dict(team)))


@app.command("edit", epilog='Example: isvc team edit it --name "IT Service Desk"')
def team_edit(
    handle: Annotated[str, typer.Argument(help="Team handle.")],
    name: Annotated[Optional[str], typer.Option("--name", help="New display name.")] = None,
) -> None:
    """Rename a team."""
    from isvc.services import directory

    team = directory.edit_team(desk(), handle, name)
    info(f"Team {team.handle} is now {team.name!r}.")


@app.command("list", epilog="Example: isvc team list --json")
def team_list(json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """List teams with their member and open-request counts."""
    from isvc.render.output import emit_rows
    from isvc.render.shapes import TEAM_COLUMNS, team_dict
    from isvc.services import directory
    from isvc.store.directory import open_counts_by_team

    d = desk()
    teams = directory.list_teams(d)

    def table() -> None:
        from isvc.render.tables import team_table

        team_table(teams, open_counts_by_team(d.conn))

    emit_rows([team_dict(t) for t in teams], fmt(json_, format_), TEAM_COLUMNS, table)


@app.command("show", epilog="Example: isvc team show it")
def team_show(
    handle: Annotated[str, typer.Argument(help="Team handle.")],
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Show a team: name, members, open requests."""
    from isvc.render.output import emit_object
    from isvc.render.shapes import TEAM_COLUMNS, team_dict
    from isvc.services import directory
    from isvc.store.directory import open_counts_by_team

    d = desk()
    team = directory.get_team(d, handle)

    def human() -> None:
        from isvc.render.tables import key_values

        key_values(f"{team.name} ({team.handle})", [
            ("members", ", ".join(team.members) or "—"),
            ("open requests", str(open_counts_by_team(d.conn).get(team.handle, 0))),
            ("calendar", team.calendar or "—"),
            ("queue", f"isvc queue {team.handle}"),
        ])

    emit_object(team_dict(team), fmt(json_, format_), human, TEAM_COLUMNS)
