"""`isvc calendar`: business-hours calendars (zone, weekly hours, holidays, overrides)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(
    add_completion=False,
    help="Business-hours calendars: zone, weekly hours, holidays and per-date overrides. "
    "Agreements count their clocks in one.",
    no_args_is_help=True,
)
holiday_app = typer.Typer(
    add_completion=False,
    help="A calendar's holiday dates: add, remove, or seed public holidays by country.",
    no_args_is_help=True,
    epilog="Example: isvc calendar holiday seed ro-office --country RO --years 2027",
)
app.add_typer(holiday_app, name="holiday")

HoursOpt = Annotated[
    list[str],
    typer.Option("--hours", help='Days and windows, e.g. "mon-fri 09:00-17:00", '
                 '"mon-fri 09:00-12:00,13:00-17:00", "sat 10:00-14:00" (repeat for more days; '
                 "days not named are closed).", metavar="DAYS WINDOWS"),
]
DayMinutesOpt = Annotated[
    Optional[int],
    typer.Option("--day-minutes", help="Minutes in one business day, for targets like 2d "
                 "(default 480; 1440 for a 24×7 calendar).", metavar="MINUTES"),
]
CountryOpt = Annotated[
    Optional[str],
    typer.Option("--country", help="Seed public holidays of this country (ISO code, e.g. RO, US).",
                 metavar="CODE"),
]
SubdivOpt = Annotated[
    Optional[str],
    typer.Option("--subdiv", help="The country's subdivision (state, region), e.g. NY.",
                 metavar="CODE"),
]
YearsOpt = Annotated[
    Optional[str],
    typer.Option("--years", help="Years to seed: 2027, 2026-2027 or 2026,2028 "
                 "(default: this year and next).", metavar="YEARS"),
]
NameArg = Annotated[str, typer.Argument(help="Calendar name, e.g. ro-office.")]
DateArg = Annotated[str, typer.Argument(help="A local date, YYYY-MM-DD.")]

LIST_COLUMNS = ["name", "tz", "hours", "day_minutes", "holiday_count", "last_holiday", "teams"]
SHOW_COLUMNS = ["name", "tz", "hours_summary", "day_minutes", "week_minutes", "teams", "warning"]


def _done(message: str, change) -> None:
    info(message)
    if change.recomputed:
        n = change.recomputed
        info(f"Recomputed the clocks of {n} open request{'s' if n != 1 else ''}.")


def _warn_holidays(saved) -> None:
    from isvc.render.output import warn
    from isvc.services.calendars import warn_if_holidays_run_out

    text = warn_if_holidays_run_out(saved.name, saved.calendar, desk().now)
    if text:
        warn(text)


@app.command("add", epilog='Example: isvc calendar add ro-office --tz Europe/Bucharest '
             '--hours "mon-fri 09:00-12:00,13:00-17:00" --country RO')
def calendar_add(
    name: NameArg,
    tz: Annotated[str, typer.Option("--tz", help="IANA time zone, e.g. Europe/Bucharest.")],
    hours: HoursOpt = [],
    day_minutes: DayMinutesOpt = None,
    country: CountryOpt = None,
    subdiv: SubdivOpt = None,
    years: YearsOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Add a calendar (admins), optionally with a country's public holidays."""
    from isvc.domain.calendar import describe_hours
    from isvc.render.output import dump_json
    from isvc.services import calendars

    d = desk()
    change = calendars.add_calendar(d, name, tz=tz, hours=hours, day_minutes=day_minutes,
                                    country=country, subdiv=subdiv, years=years)
    saved = change.calendar
    n = change.added
    seeded = f"; {n} holiday{'s' if n != 1 else ''} from {country.upper()}" if country else ""
    _done(f"Added calendar {saved.name}: {describe_hours(saved.calendar)}, "
          f"{saved.calendar.tz}{seeded}.", change)
    _warn_holidays(saved)
    if json_:
        print(dump_json(_show_dict(saved, d.now)))


@app.command("edit", epilog='Example: isvc calendar edit ro-office --hours "mon-thu 09:00-17:00" '
             '--hours "fri 09:00-14:00"')
def calendar_edit(
    name: NameArg,
    tz: Annotated[Optional[str], typer.Option("--tz", help="New IANA time zone.")] = None,
    hours: HoursOpt = [],
    day_minutes: DayMinutesOpt = None,
) -> None:
    """Change a calendar's zone, weekly hours (given --hours replace them all) or day size."""
    from isvc.domain.calendar import describe_hours
    from isvc.services import calendars

    change = calendars.edit_calendar(desk(), name, tz=tz, hours=hours or None,
                                     day_minutes=day_minutes)
    saved = change.calendar
    _done(f"Calendar {saved.name}: {describe_hours(saved.calendar)}, {saved.calendar.tz}, "
          f"day {saved.calendar.day_minutes} min.", change)


@holiday_app.command("add", epilog='Example: isvc calendar holiday add ro-office 2026-12-24 '
                     '--name "Christmas Eve"')
def holiday_add(
    name: NameArg,
    day: DateArg,
    holiday_name: Annotated[Optional[str], typer.Option("--name", help="What the day is.")] = None,
) -> None:
    """Close a date as a holiday (or rename a holiday already there)."""
    from isvc.services import calendars

    change = calendars.add_holiday(desk(), name, day, holiday_name)
    what = "Added holiday" if change.added else "Holiday"
    label = change.calendar.holiday_names.get(calendars.parse_date(day))
    _done(f"{what} {day.strip()}{f' ({label})' if label else ''} to calendar {name}.", change)


@holiday_app.command("remove", epilog="Example: isvc calendar holiday remove ro-office 2026-01-02")
def holiday_remove(name: NameArg, day: DateArg) -> None:
    """Remove a holiday date: the day follows the weekly hours again."""
    from isvc.services import calendars

    change = calendars.remove_holiday(desk(), name, day)
    _done(f"Removed holiday {day.strip()} from calendar {name}.", change)


@holiday_app.command("seed", epilog="Example: isvc calendar holiday seed ro-office --country RO "
                     "--years 2027")
def holiday_seed(
    name: NameArg,
    country: Annotated[str, typer.Option("--country", help="ISO country code, e.g. RO, US.",
                                         metavar="CODE")],
    subdiv: SubdivOpt = None,
    years: YearsOpt = None,
) -> None:
    """Add a country's public holidays (from `holidays`); stored dates win, none is removed."""
    from isvc.services import calendars

    change = calendars.seed_holidays(desk(), name, country=country, subdiv=subdiv, years=years)
    n = change.added
    _done(f"Added {n} holiday{'s' if n != 1 else ''} from {country.upper()}"
          f"{f'-{subdiv.upper()}' if subdiv else ''} to calendar {name}.", change)
    _warn_holidays(change.calendar)


@app.command("override", epilog='Example: isvc calendar override ro-office 2026-12-24 '
             '--hours "09:00-13:00"   ·   isvc calendar override ro-office 2026-12-24 --remove')
def calendar_override(
    name: NameArg,
    day: DateArg,
    hours: Annotated[Optional[str], typer.Option(
        "--hours", help='That date\'s windows, e.g. "09:00-13:00" or "09:00-12:00,13:00-15:00", '
        "or closed. They win over holidays and the weekly hours.",
        metavar="WINDOWS|closed")] = None,
    remove: Annotated[bool, typer.Option(
        "--remove", help="Drop the override of that date.")] = False,
) -> None:
    """Give one date its own hours (a half-day, a make-up day) or close it."""
    from isvc.errors import InvalidInput
    from isvc.services import calendars

    if hours is not None and remove:
        raise InvalidInput("give --hours or --remove, not both")
    if hours is None and not remove:
        raise InvalidInput('give --hours "09:00-13:00" (or --hours closed), or --remove')
    if remove:
        change = calendars.remove_override(desk(), name, day)
        _done(f"Removed the override of {day.strip()} from calendar {name}.", change)
        return
    change = calendars.set_override(desk(), name, day, hours)
    windows = change.calendar.calendar.overrides[calendars.parse_date(day)]
    _done(f"Calendar {name} on {day.strip()}: {_windows_text(windows)}.", change)


@app.command("show", epilog="Example: isvc calendar show ro-office")
def calendar_show(name: NameArg, json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """Show a calendar: its week, zone, day size, next holidays and overrides."""
    from isvc.render.output import emit_object
    from isvc.services import calendars

    d = desk()
    saved = calendars.get_calendar(d, name)
    data = _show_dict(saved, d.now)
    if data["warning"]:
        from isvc.render.output import warn

        warn(data["warning"])
    emit_object(data, fmt(json_, format_), lambda: _show_human(saved, data), SHOW_COLUMNS)


@app.command("list", epilog="Example: isvc calendar list --json")
def calendar_list(json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """List calendars: zone, hours, holidays and the teams whose agreements use them."""
    from isvc.render.output import emit_rows
    from isvc.services import calendars

    rows = [_list_dict(saved) for saved in calendars.list_calendars(desk())]
    emit_rows(rows, fmt(json_, format_), LIST_COLUMNS, lambda: _list_table(rows))


@app.command("import", epilog="Example: isvc calendar import ro-office calendars/ro-office.toml")
def calendar_import(
    name: NameArg,
    file: Annotated[str, typer.Argument(
        help="A TOML calendar file (the format `calendar export` writes).", metavar="FILE.toml")],
) -> None:
    """Create or replace a calendar from a TOML file, checked in full before anything is written."""
    from isvc.domain.calendar import describe_hours
    from isvc.services import calendars

    change = calendars.import_calendar(desk(), name, file)
    saved = change.calendar
    verb = "Created" if change.created else "Replaced"
    n = len(saved.calendar.holidays)
    _done(f"{verb} calendar {saved.name} from {file}: {describe_hours(saved.calendar)}, "
          f"{saved.calendar.tz}, {n} holiday{'s' if n != 1 else ''}.", change)
    _warn_holidays(saved)


@app.command("export", epilog="Example: isvc calendar export ro-office > ro-office.toml")
def calendar_export(name: NameArg) -> None:
    """Print a calendar as TOML (what `calendar import` and `sla due --calendar FILE` read)."""
    import sys

    from isvc.services import calendars

    sys.stdout.write(calendars.export_calendar(desk(), name))


# -- shapes and views -------------------------------------------------------------------


def _windows_text(windows) -> str:
    from isvc.domain.calendar import format_minutes

    if not windows:
        return "closed"
    return ", ".join(f"{format_minutes(s)}–{format_minutes(e)}" for s, e in windows)


def _windows_list(windows) -> list[list[str]]:
    from isvc.domain.calendar import format_minutes

    return [[format_minutes(s), format_minutes(e)] for s, e in windows]


def _hours_text(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if not minutes:
        return "—"
    return f"{hours}h {mins}m" if hours and mins else f"{hours}h" if hours else f"{mins}m"


def _holiday(saved, day) -> dict:
    return {"date": day.isoformat(), "name": saved.holiday_names.get(day)}


NEXT_HOLIDAYS = 5


def _show_dict(saved, now) -> dict:
    from zoneinfo import ZoneInfo

    from isvc.domain.calendar import DAY_KEYS, describe_hours
    from isvc.services.calendars import warn_if_holidays_run_out

    cal = saved.calendar
    today = now.astimezone(ZoneInfo(cal.tz)).date()
    holidays = sorted(cal.holidays)
    return {
        "name": saved.name,
        "tz": cal.tz,
        "day_minutes": cal.day_minutes,
        "hours": {DAY_KEYS[d]: _windows_list(cal.hours[d]) for d in range(7)},
        "hours_summary": describe_hours(cal),
        "week_minutes": sum(e - s for d in range(7) for s, e in cal.hours[d]),
        "holidays": [_holiday(saved, d) for d in holidays],
        "next_holidays": [_holiday(saved, d) for d in holidays if d >= today][:NEXT_HOLIDAYS],
        "overrides": {d.isoformat(): _windows_list(w) for d, w in sorted(cal.overrides.items())},
        "upcoming_overrides": {d.isoformat(): _windows_list(w)
                               for d, w in sorted(cal.overrides.items()) if d >= today},
        "teams": list(saved.teams),
        "warning": warn_if_holidays_run_out(saved.name, cal, now),
        "created_at": saved.created_at,
        "updated_at": saved.updated_at,
    }


def _list_dict(saved) -> dict:
    from isvc.domain.calendar import describe_hours

    cal = saved.calendar
    return {
        "name": saved.name,
        "tz": cal.tz,
        "hours": describe_hours(cal),
        "day_minutes": cal.day_minutes,
        "holiday_count": len(cal.holidays),
        "last_holiday": max(cal.holidays).isoformat() if cal.holidays else None,
        "teams": list(saved.teams),
    }


def _day_label(iso: str) -> str:
    from datetime import date

    return date.fromisoformat(iso).strftime("%a %d %b %Y")


def _show_human(saved, data: dict) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from isvc.domain.calendar import DAY_NAMES
    from isvc.render.console import console

    cal = saved.calendar
    con = console()
    con.print(Text.assemble((f"Calendar {saved.name}", "bold"),
                            f" · {cal.tz} · business day {_hours_text(cal.day_minutes)}"
                            f" ({cal.day_minutes} min)"))
    week = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, show_footer=True)
    week.add_column("day", footer="week", no_wrap=True)
    week.add_column("hours", no_wrap=True)
    week.add_column("total", justify="right", footer=_hours_text(data["week_minutes"]),
                    no_wrap=True)
    for d in range(7):
        windows = cal.hours[d]
        week.add_row(DAY_NAMES[d], Text(_windows_text(windows), style="" if windows else "dim"),
                     _hours_text(sum(e - s for s, e in windows)))
    con.print(week)
    if data["next_holidays"]:
        con.print("Next holidays", style="bold")
        for h in data["next_holidays"]:
            con.print(f"  {_day_label(h['date'])}  {h['name'] or ''}".rstrip())
        ahead = sum(h["date"] >= data["next_holidays"][0]["date"] for h in data["holidays"])
        if ahead > len(data["next_holidays"]):
            con.print(f"  … {ahead - len(data['next_holidays'])} more, the last on "
                      f"{data['holidays'][-1]['date']}", style="dim")
    else:
        con.print("No holidays ahead.", style="dim")
    if data["upcoming_overrides"]:
        con.print("Overrides", style="bold")
        for day, windows in data["upcoming_overrides"].items():
            text = ", ".join(f"{s}–{e}" for s, e in windows) or "closed"
            con.print(f"  {_day_label(day)}  {text}")
    used = ", ".join(data["teams"]) if data["teams"] else "no agreement yet"
    con.print(f"Used by: {used}", style="dim")


def _list_table(rows: list[dict]) -> None:
    from rich import box
    from rich.table import Table

    from isvc.render.console import console

    con = console()
    if not rows:
        con.print("No calendars yet; add one with `isvc calendar add`.", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column, justify in (("name", "left"), ("zone", "left"), ("hours", "left"),
                            ("holidays", "right"), ("last holiday", "left"), ("teams", "left")):
        table.add_column(column, justify=justify)
    for row in rows:
        table.add_row(row["name"], row["tz"], row["hours"], str(row["holiday_count"]),
                      row["last_holiday"] or "—", ", ".join(row["teams"]) or "—")
    con.print(table)
