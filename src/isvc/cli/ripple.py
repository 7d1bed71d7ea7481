"""`isvc ripple`: who waits on whom, and the team's requests others wait on most."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt

EPILOG = "Example: isvc ripple 412   ·   isvc ripple --team it --limit 5   ·   isvc ripple 412 --json"
SQLITE_MAX_INT = 2**63 - 1


def ripple(
    ctx: typer.Context,
    number: Annotated[Optional[int], typer.Argument(help="Request number: the chain through it.", min=1, max=SQLITE_MAX_INT, metavar="N")] = None,
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Rank this team's open requests by how many wait on them.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many rows with --team.", max=SQLITE_MAX_INT)] = 10,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """The ripple effect: what a request waits on and who waits on it.

    With N: a tree of every request N waits on (its blockers, transitively)
    and of every request and person waiting on N, each with its team,
    assignee, status and the business time left on its resolution clock;
    the longest chain through N (the critical path) is marked with ▶.
    With --team: the team's open requests that most others wait on, ranked.
    """
    from isvc.errors import InvalidInput
    from isvc.render.output import emit_object, emit_rows
    from isvc.services import ripple as svc

    if (number is None) == (team is None):
        raise InvalidInput("give a request number (isvc ripple 412) or --team T (isvc ripple --team it), "
                           "not both and not neither")
    source = ctx.get_parameter_source("limit")   # given, or the default
    if team is None and getattr(source, "name", "DEFAULT") != "DEFAULT":
        raise InvalidInput("--limit goes with --team, e.g. isvc ripple --team it --limit 5")
    d = desk()
    output = fmt(json_, format_)
    if number is not None:
        from isvc.render import ripple_views as views

        view = svc.ripple(d, number)
        if output in ("json", "ndjson"):
            emit_object(views.ripple_dict(view), output, lambda: None)
        else:
            emit_rows(views.ripple_rows(view), output, views.ROW_COLUMNS,
                      lambda: views.ripple_tree(view))
        return
    rows = svc.team_ranking(d, team, limit)

    def table() -> None:
        from isvc.render.ripple_views import team_table
        from isvc.store.directory import get_team

        team_table(rows, get_team(d.conn, team.strip().lstrip("+")).name)

    emit_rows([{k: r[k] for k in svc.TEAM_COLUMNS} for r in rows] if output != "table" else rows,
              output, svc.TEAM_COLUMNS, table)


app = typer.Typer(add_completion=False)
app.command("ripple", epilog=EPILOG)(ripple)
