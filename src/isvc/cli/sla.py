"""`isvc sla`: service-level clocks, and the business-time calculator.

`due`, `elapsed` and `status` are the what-if calculator (SLA-SPEC §3–§8). Given a
calendar file they never open the database, so they work anywhere.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import JsonOpt, desk

app = typer.Typer(
    add_completion=False,
    help="Service-level clocks in business time, and a calculator for what-if questions.",
    no_args_is_help=True,
)

# -- options the calculator commands share ------------------------------------------------

_INSTANT = "An ISO-8601 instant with an offset or Z, e.g. 2025-03-28T16:00:00+02:00."


def _instant_opt(flag: str, what: str):
    return typer.Option(flag, metavar="ISO", help=f"{what}. {_INSTANT}")


CalendarOpt = Annotated[
    str,
    typer.Option("--calendar", "-c", metavar="FILE|NAME",
                 help="A TOML calendar file (when a file exists at that path), else a stored "
                 "calendar's name (`isvc calendar list`)."),
]
TargetOpt = Annotated[
    str,
    typer.Option("--target", "-t", metavar="TARGET",
                 help="Business time: 90m, 4h, 2d (d = the calendar's day_minutes), 1h30m, "
                 "or plain minutes."),
]
PauseOpt = Annotated[
    list[str],
    typer.Option("--pause", metavar="START/END",
                 help="Waiting for the customer, START/END; START/ while still waiting "
                 "(repeat for several)."),
]
CreatedOpt = Annotated[str, _instant_opt("--created", "When the clock started (creation)")]


def _calendar(spec: str):
    """A calendar file is read without touching the database; a name opens it (never creates)."""
    from isvc.services.calendars import calculator_calendar

    return calculator_calendar(spec, lambda: desk(create=False))


def _iso(instant) -> Optional[str]:
    return None if instant is None else instant.isoformat()


# -- the calculator -------------------------------------------------------------------------


@app.command("due", epilog="Example: isvc sla due --calendar ro-office.toml "
             "--created 2025-03-28T16:00:00+02:00 --target 2h")
def sla_due(
    calendar: CalendarOpt,
    created: CreatedOpt,
    target: TargetOpt,
    pause: PauseOpt = [],
    json_: JsonOpt = False,
) -> None:
    """When a target is used up: the due instant in the calendar's zone (or `paused`)."""
    from isvc.render.output import dump_json
    from isvc.services.calendars import calc_due

    due = calc_due(_calendar(calendar), created, target, pause)
    print(dump_json({"due": _iso(due)}) if json_ else _iso(due) or "paused")


@app.command("elapsed", epilog="Example: isvc sla elapsed --calendar ro-office "
             "--start 2025-03-28T16:00:00+02:00 --end 2025-03-31T10:00:00+03:00")
def sla_elapsed(
    calendar: CalendarOpt,
    start: Annotated[str, _instant_opt("--start", "From")],
    end: Annotated[str, _instant_opt("--end", "Until (not included)")],
    pause: PauseOpt = [],
    json_: JsonOpt = False,
) -> None:
    """Business minutes between two instants, outside pauses (whole minutes, rounded down)."""
    from isvc.render.output import dump_json
    from isvc.services.calendars import calc_elapsed

    minutes = calc_elapsed(_calendar(calendar), start, end, pause)
    print(dump_json({"elapsed_business_minutes": minutes}) if json_ else minutes)


@app.command("status", epilog="Example: isvc sla status --calendar ro-office.toml --created "
             "2025-03-28T16:00:00+02:00 --target 2h --now 2025-03-31T09:50:00+03:00 --json")
def sla_status(
    calendar: CalendarOpt,
    created: CreatedOpt,
    target: TargetOpt,
    now: Annotated[str, _instant_opt("--now", "The moment asked about")],
    stopped_at: Annotated[Optional[str], _instant_opt(
        "--stopped-at", "When the clock stopped (replied, resolved), if it did")] = None,
    pause: PauseOpt = [],
    at_risk_percent: Annotated[int, typer.Option(
        "--at-risk-percent", metavar="PERCENT",
        help="At risk once this share of the target is used.")] = 80,
    json_: JsonOpt = False,
) -> None:
    """A clock at a moment: due, elapsed, remaining; on_track, at_risk, breached or met."""
    from isvc.render.output import dump_json
    from isvc.services.calendars import calc_status

    cal = _calendar(calendar)
    minutes, status = calc_status(cal, created, target, now, stopped_at, pause, at_risk_percent)
    data = {
        "due": _iso(status.due),
        "elapsed_business_minutes": status.elapsed_minutes,
        "remaining_business_minutes": status.remaining_minutes,
        "state": status.state,
        "paused": status.paused,
    }
    if json_:
        print(dump_json(data))
        return
    left = status.remaining_minutes
    balance = f"{left} left" if left >= 0 else f"{-left} over"
    due = f"due {data['due']}" if data["due"] else "no due time while paused"
    print(f"{status.state}{', paused' if status.paused else ''}: "
          f"{status.elapsed_minutes} of {minutes} business minutes used, {balance}; {due}")


def _register_clock_commands() -> None:
    from isvc.cli.sla_clocks import register

    register(app)


_register_clock_commands()
