"""`isvc report recurring`: groups of similar requests and what to do about each;
added to the `report` sub-app by ``register``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk

SQLITE_MAX_INT = 2**63 - 1  # as isvc.cli.request: larger numbers are usage errors

EPILOG = ("Example: isvc report recurring --since 90d --team it   ·   "
          "isvc report recurring --open-problem 412   ·   isvc report recurring --json")


def recurring(
    since: Annotated[str, typer.Option("--since", help="Requests created since: 90d, 12w or a date.")] = "90d",
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only requests filed to this provider team.")] = None,
    min_size: Annotated[int, typer.Option("--min-size", help="Show groups of at least this many requests.")] = 3,
    limit: Annotated[Optional[int], typer.Option("--limit", help="Show at most this many groups.")] = None,
    open_problem: Annotated[Optional[int], typer.Option(
        "--open-problem", metavar="GROUP", min=1, max=SQLITE_MAX_INT,
        help="File one problem request for group GROUP (its id) and link its requests to it.")] = None,
    json_: JsonOpt = False,
    csv_: Annotated[bool, typer.Option("--csv", help="Print CSV, one row per group.")] = False,
    format_: FormatOpt = None,
) -> None:
    """Recurring problems: groups of similar requests, and the action each calls for.

    Requests of the same type (or untyped) with similar titles and bodies are
    grouped; for each group: its size, teams, requesters, first and last
    request, how many are still open, a knowledge-base article that matches it,
    the problem request linked to it, and a suggestion: write a KB article, link
    or point requesters to one, open a problem request, or nothing while one is
    open. --open-problem files that problem request in the group's main team
    (tagged problem), links every request of the group to it (relates) and
    prints its number.
    """
    from isvc.cli.report import _output
    from isvc.errors import InvalidInput
    from isvc.services import recurring as svc

    output = _output(json_, csv_, format_)
    d = desk()
    if open_problem is not None:
        if csv_ or format_ is not None:
            raise InvalidInput("--open-problem prints the new request's number (or the request "
                               "with --json); leave out --csv and --format")
        _open(d, svc, open_problem, since, team, min_size, json_)
        return
    rows = svc.groups(d, since=since, team=team, min_size=min_size, limit=limit)

    def table() -> None:
        from isvc.cli._common import viewer_tz
        from isvc.domain.timeutil import parse_since, to_iso
        from isvc.render.recurring_views import recurring_table

        recurring_table(rows, to_iso(parse_since(since, d.now)), viewer_tz(), team, min_size)

    from isvc.render.output import emit_rows

    if output in ("json", "ndjson"):
        emit_rows(rows, output, svc.COLUMNS)
    else:
        emit_rows([svc.flat(r) for r in rows], output, svc.COLUMNS, table)


def _open(d, svc, group_id: int, since: str, team: str | None, min_size: int,
          json_: bool) -> None:
    from isvc.render.output import info

    opened = svc.open_problem(d, group_id, since=since, team=team, min_size=min_size)
    req = opened.problem
    info(f"Filed problem #{req.number} for team {req.team}: {opened.linked} request(s) of "
         f"group {group_id} linked to it (relates).")
    if json_:
        from isvc.render.output import dump_json
        from isvc.render.shapes import request_dict
        from isvc.services.sla import sla_json

        print(dump_json(request_dict(req, sla_json(d.conn, [req.number], d.now).get(req.number))))
    else:
        print(req.number)


def register(app: typer.Typer) -> None:
    """Add `recurring` to the `report` sub-app."""
    app.command("recurring", epilog=EPILOG)(recurring)
