"""`isvc person`: the colleagues on the desk."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(add_completion=False, help="People: who files, who serves, who may do what.", no_args_is_help=True)

TeamOpt = Annotated[list[str], typer.Option("--team", "-t", help="A team (repeat for several).")]


@app.command("add", epilog='Example: isvc person add ana --name "Ana Pop" --email ana@example.com --team payroll')
def person_add(
    handle: Annotated[str, typer.Argument(help="Short handle, e.g. ana.")],
    name: Annotated[Optional[str], typer.Option("--name", help="Full name.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Email address (mail intake maps senders by it).")] = None,
    team: TeamOpt = [],
    primary: Annotated[Optional[str], typer.Option("--primary", help="Primary team (default: the first --team).")] = None,
    json_: JsonOpt = False,
) -> None:
    """Add a person, in one or more teams."""
    from isvc.render.output import dump_json
    from isvc.render.shapes import person_dict
    from isvc.services import directory

    d = desk()
    person = directory.add_person(d, handle, name, email, team, primary)
    where = f" in {', '.join(person.teams)}" if person.teams else ""
    info(f"Added {person.handle} ({person.name}){where}.")
    if json_:
        print(dump_json(person_dict(person, directory.role_of(d, person))))


@app.command("edit", epilog="Example: isvc person edit ana --team hr --primary payroll   ·   isvc person edit me --no-leaderboard")
def person_edit(
    handle: Annotated[str, typer.Argument(help="Handle, or `me`.")],
    name: Annotated[Optional[str], typer.Option("--name", help="New full name.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="New email address.")] = None,
    team: Annotated[list[str], typer.Option("--team", "-t", help="Add to this team.")] = [],
    remove_team: Annotated[list[str], typer.Option("--remove-team", help="Remove from this team.")] = [],
    primary: Annotated[Optional[str], typer.Option("--primary", help="Make this the primary (customer) team.")] = None,
    leaderboard: Annotated[Optional[bool], typer.Option("--leaderboard/--no-leaderboard", help="Appear on leaderboards or not.")] = None,
    active: Annotated[Optional[bool], typer.Option("--active", help="Reactivate a deactivated person (admins).")] = None,
) -> None:
    """Change a person's name, email, teams or primary team."""
    from isvc.services import directory

    person = directory.edit_person(desk(), handle, name=name, email=email, add_teams=team,
                                   remove_teams=remove_team, primary=primary, leaderboard=leaderboard,
                                   active=active)
    info(f"Updated {person.handle}: teams {', '.join(person.teams) or '—'} (primary {person.primary_team or '—'}).")


@app.command("deactivate", epilog="Example: isvc person deactivate ana --reassign-to jim")
def person_deactivate(
    handle: Annotated[str, typer.Argument(help="Handle.")],
    reassign_to: Annotated[Optional[str], typer.Option("--reassign-to", help="Who takes over their open requests (default: back to the team queue).")] = None,
) -> None:
    """Deactivate a person; their open requests move, their history stays."""
    from isvc.services import directory

    person, moved = directory.deactivate_person(desk(), handle, reassign_to)
    target = reassign_to or "their team queues"
    info(f"Deactivated {person.handle}; {len(moved)} open request(s) moved to {target}.")


@app.command("list", epilog="Example: isvc person list --team it --json")
def person_list(
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only members of this team.")] = None,
    active: Annotated[bool, typer.Option("--active", help="Hide deactivated people.")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """List people with their teams and role."""
    from isvc.render.output import emit_rows
    from isvc.render.shapes import PERSON_COLUMNS, person_dict
    from isvc.services import directory

    d = desk()
    people = [(p, directory.role_of(d, p)) for p in directory.list_people(d, team, not active)]

    def table() -> None:
        from isvc.render.tables import people_table

        people_table(people)

    emit_rows([person_dict(p, r) for p, r in people], fmt(json_, format_), PERSON_COLUMNS, table)


@app.command("show", epilog="Example: isvc person show ana   ·   isvc person show me")
def person_show(
    handle: Annotated[str, typer.Argument(help="Handle, or `me`.")],
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Show a person."""
    from isvc.render.output import emit_object
    from isvc.render.shapes import PERSON_COLUMNS, person_dict
    from isvc.services import directory

    d = desk()
    person = directory.get_person(d, handle)
    role = directory.role_of(d, person)

    def human() -> None:
        from isvc.render.tables import key_values

        key_values(f"{person.name} ({person.handle})", [
            ("email", person.email or "—"),
            ("teams", ", ".join(person.teams) or "—"),
            ("primary team", person.primary_team or "—"),
            ("role", role),
            ("active", "yes" if person.active else "no"),
        ])

    emit_object(person_dict(person, role), fmt(json_, format_), human, PERSON_COLUMNS)
