"""`isvc report`: service benchmarks over a period (the group's own command), peak hours,
and the other reports, each added at the bottom of this file."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt

EPILOG = ("Example: isvc report --team it --since 30d --by assignee   ·   "
          "isvc report --json   ·   isvc report --csv > report.csv")
PEAK_EPILOG = ("Example: isvc report peak --team it   ·   isvc report peak --since 30d --json   ·   "
               "isvc report peak --csv")

# No help= here: the callback's docstring is the group's help (it documents its options).
app = typer.Typer(add_completion=False)

TeamOpt = Annotated[Optional[str], typer.Option("--team", "-t", help="Only requests filed to this provider team.")]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV with a header (as --format csv).")]


def _output(json_: bool, csv_: bool, format_: str | None) -> str:
    from isvc.cli._common import fmt
    from isvc.errors import InvalidInput

    if csv_:
        if json_ or (format_ and format_.lower() != "csv"):
            raise InvalidInput("--csv asks for CSV; drop --json or --format")
        return "csv"
    return fmt(json_, format_)


@app.callback(invoke_without_command=True, epilog=EPILOG)
def report(
    ctx: typer.Context,
    team: TeamOpt = None,
    since: Annotated[str, typer.Option("--since", help="The period's start: 30d, 12w or a date; it ends now.")] = "30d",
    by: Annotated[str, typer.Option("--by", help="One row per team, type, assignee or customer (the requester's team).", metavar="team|type|assignee|customer")] = "team",
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Service reports; without a subcommand, the benchmarks of a period.

    From --since to now, one row per --by group and a total: requests in
    (filed) and out (resolved; closed and cancelled apart), the backlog at
    the start and end (and a daily trend), the median and p90 business time
    to the first response, in progress (handling) and to resolution on each
    request's calendar, agreement targets met and breaches, reopens per 100
    resolved, CSAT (the requesters' ratings, share of 4-5), lateral help
    given and received, and the phases skipped: requests closed without a
    closing message or never acknowledged. For desk admins and team members.
    CSV and TSV print the rows, then the total (group "all").
    """
    if ctx.invoked_subcommand is not None:
        given = [flag for flag, value, default in (
            ("--team", team, None), ("--since", since, "30d"), ("--by", by, "team"),
            ("--json", json_, False), ("--csv", csv_, False), ("--format", format_, None))
            if value != default]
        if given:
            from isvc.errors import InvalidInput

            raise InvalidInput(f"put {given[0]} after the report's name, e.g. "
                               f"isvc report {ctx.invoked_subcommand} {given[0]} ...")
        return
    from isvc.cli._common import desk
    from isvc.render.output import emit_object, emit_rows
    from isvc.services import reports as svc

    d = desk()
    output = _output(json_, csv_, format_)
    data = svc.summary(d, team=team, since=since, by=by.strip().lower())
    if output == "json":
        emit_object(data, output, lambda: None)
        return

    def table() -> None:
        from zoneinfo import ZoneInfo

        from isvc.render.report_views import summary_view

        summary_view(data, ZoneInfo(svc.zone_name(d)))

    emit_rows(svc.csv_rows(data), output, svc.COLUMNS, table)


@app.command("peak", epilog=PEAK_EPILOG)
def report_peak(
    team: TeamOpt = None,
    since: Annotated[str, typer.Option("--since", help="The period's start: 90d, 12w or a date; it ends now.")] = "90d",
    json_: JsonOpt = False,
    csv_: CsvOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Peak hours: arrivals by weekday and hour, and the share out of hours.

    A heatmap against business hours, and the requests that arrived out of
    hours (the urgent ones apart), to size an on-call rota. With --team, in
    the zone of the team's calendar (its default agreement's); without, in
    your zone (config tz) against the calendar most requests ran on. A
    request is out of hours when it arrived outside its own team's calendar,
    holidays included. CSV and TSV: one row per weekday, weekday,h00..h23.
    """
    from isvc.cli._common import desk
    from isvc.render.output import emit_object, emit_rows
    from isvc.services import reports as svc

    d = desk()
    output = _output(json_, csv_, format_)
    data = svc.peak(d, team=team, since=since)
    if output == "json":
        emit_object(data, output, lambda: None)
        return

    def table() -> None:
        from zoneinfo import ZoneInfo

        from isvc.render.report_views import peak_view

        peak_view(data, ZoneInfo(svc.zone_name(d)))

    emit_rows(svc.peak_rows(data), output, svc.PEAK_COLUMNS, table)


# -- the other reports ----------------------------------------------------------------------
# Each lives in its own module, isvc/cli/report_NAME.py, whose `register(app)` adds its
# command to this group (app.command("NAME", epilog=...)(function)); it is hooked in below
# with an import and a call, e.g.
#     from isvc.cli import report_NAME  # noqa: E402
#     report_NAME.register(app)

from isvc.cli import report_recurring  # noqa: E402

report_recurring.register(app)

from isvc.cli import report_html  # noqa: E402

report_html.register(app)
