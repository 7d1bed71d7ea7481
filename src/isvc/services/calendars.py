"""Business calendars kept on the desk, and the what-if calculator (SLA-SPEC §1, §3–§8).

A stored calendar is the TOML calendar format as JSON (``calendars.definition``) plus the
names of its holidays (``calendars.holiday_names``: date -> name). Every change builds the
whole new definition and validates it with the domain parser before anything is written,
so a refused change writes nothing. A change to a calendar that agreements use recomputes
the clocks of the open requests they govern, in the same write transaction.

Calendar files (``calendar import``, ``sla due --calendar FILE``) are the TOML format of
the issue, plus one optional table that ``calendar export`` writes so that names survive a
round trip::

    [holiday_names]
    "2026-12-25" = "Christmas Day"
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from difflib import get_close_matches
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from isvc.domain import businesstime as bt
from isvc.domain.calendar import (
    DAY_KEYS,
    Calendar,
    calendar_to_dict,
    describe_hours,
    format_minutes,
    parse_calendar,
    parse_hours_spec,
)
from isvc.domain.models import check_handle
from isvc.errors import InvalidInput, NotFound
from isvc.services.desk import Desk
from isvc.store import directory
from isvc.store import sla as store
from isvc.store.db import write

HOLIDAY_HORIZON_DAYS = 60
"""`calendar show` and `sla check` warn when no holiday is left beyond this many days."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HOURS_EXAMPLE = '--hours "mon-fri 09:00-17:00"'
_WINDOWS_FORMS = 'use e.g. "09:00-13:00", "09:00-12:00,13:00-17:00" or "closed"'


@dataclass(frozen=True)
class StoredCalendar:
    name: str
    calendar: Calendar
    holiday_names: dict[date, str] = field(default_factory=dict)
    teams: list[str] = field(default_factory=list)  # provider teams whose agreements use it
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class Change:
    """What a command changed, for its confirmation line."""

    calendar: StoredCalendar
    added: int = 0  # holiday dates that are new (seed, holiday add)
    recomputed: int = 0  # open requests whose clocks moved
    created: bool = False  # import: a new calendar rather than a replacement


# -- reading -------------------------------------------------------------------------


def _parse_row(row: dict, teams: list[str]) -> StoredCalendar:
    cal = parse_calendar(row["definition"], source=f"calendar {row['name']}")
    names = {date.fromisoformat(d): n for d, n in (row["holiday_names"] or {}).items()}
    return StoredCalendar(name=row["name"], calendar=cal,
                          holiday_names={d: n for d, n in names.items() if d in cal.holidays},
                          teams=teams, created_at=row["created_at"], updated_at=row["updated_at"])


def _require(conn: sqlite3.Connection, name: str) -> StoredCalendar:
    row = store.get_calendar_row(conn, name)
    if row is None:
        raise NotFound(f"no calendar {name!r}{_suggest(conn, name)}; see `isvc calendar list`")
    return _parse_row(row, store.teams_using_calendar(conn, name))


def _suggest(conn: sqlite3.Connection, name: str) -> str:
    close = get_close_matches(name, store.calendar_names(conn), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def get_calendar(desk: Desk, name: str) -> StoredCalendar:
    return _require(desk.conn, name)


def list_calendars(desk: Desk) -> list[StoredCalendar]:
    return [_parse_row(row, store.teams_using_calendar(desk.conn, row["name"]))
            for row in store.list_calendar_rows(desk.conn)]


def stored_calendar(conn: sqlite3.Connection, name: str) -> Calendar:
    """One stored calendar, parsed (NotFound with a hint when there is none)."""
    return _require(conn, name).calendar


# -- writing -------------------------------------------------------------------------


@contextmanager
def _changing(desk: Desk, name: str) -> Iterator[StoredCalendar]:
    """An admin's change to a stored calendar, in one write transaction: yields it as it is."""
    with write(desk.conn):
        desk.require_admin("change calendars")
        yield _require(desk.conn, name)


def _save(desk: Desk, name: str, definition: dict[str, Any], names: dict[date, str],
          action: str, detail: dict | None) -> tuple[StoredCalendar, int]:
    """Validate, store, audit and recompute; call inside the write transaction."""
    cal = parse_calendar(definition, source=f"calendar {name}")
    kept = {d.isoformat(): n for d, n in sorted(names.items()) if d in cal.holidays and n}
    store.save_calendar(desk.conn, name, calendar_to_dict(cal), kept, desk.now_iso)
    directory.audit(desk.conn, desk.now_iso, desk.actor, action, name, detail)
    teams = store.teams_using_calendar(desk.conn, name)
    recomputed = 0
    if teams:
        from isvc.services import sla

        recomputed = sla.recompute_open(desk.conn, teams, desk.now)
    return _require(desk.conn, name), recomputed


def _hours(specs: list[str]) -> dict[str, list[list[str]]]:
    """Several --hours options -> the TOML hours table (days not named are closed)."""
    parsed = parse_hours_spec("; ".join(specs))
    return {DAY_KEYS[d]: [[format_minutes(s), format_minutes(e)] for s, e in w]
            for d, w in sorted(parsed.items())}


def _is_24x7(hours: dict[str, list[list[str]]]) -> bool:
    return all(hours.get(day) == [["00:00", "24:00"]] for day in DAY_KEYS)


def add_calendar(desk: Desk, name: str, *, tz: str, hours: list[str],
                 day_minutes: int | None = None, country: str | None = None,
                 subdiv: str | None = None, years: str | None = None) -> Change:
    """A new calendar; with ``country`` its public holidays are seeded from `holidays`."""
    name = check_handle(name, "calendar name")
    if not hours:
        raise InvalidInput(f"give the weekly opening hours, e.g. {_HOURS_EXAMPLE}")
    if (subdiv or years) and not country:
        raise InvalidInput("--subdiv and --years seed public holidays: give --country too")
    table = _hours(hours)
    if day_minutes is None:  # §1: 480, or a whole day for a calendar open round the clock
        day_minutes = 1440 if _is_24x7(table) else 480
    definition = {"tz": tz, "day_minutes": day_minutes, "hours": table}
    cal = parse_calendar(definition, source=f"calendar {name}")  # fail before the holidays
    names: dict[date, str] = {}
    if country:
        names = package_holidays(country, subdiv, parse_years(years, _default_years(desk, cal)))
        definition["holidays"] = [d.isoformat() for d in sorted(names)]
    with write(desk.conn):
        desk.require_admin("change calendars")
        if store.get_calendar_row(desk.conn, name) is not None:
            raise InvalidInput(f"calendar {name!r} already exists; change it with `isvc calendar "
                               f"edit {name}` or replace it with `isvc calendar import`")
        saved, _ = _save(desk, name, definition, names, "calendar.add",
                         {"tz": tz, "hours": hours, "day_minutes": day_minutes,
                          "country": country, "subdiv": subdiv, "holidays": len(names)})
    return Change(saved, added=len(names), created=True)


def edit_calendar(desk: Desk, name: str, *, tz: str | None = None,
                  hours: list[str] | None = None, day_minutes: int | None = None) -> Change:
    """Change the zone, the weekly hours (replaced as a whole) or the day size."""
    if tz is None and not hours and day_minutes is None:
        raise InvalidInput("nothing to change; give --tz, --hours or --day-minutes")
    with _changing(desk, name) as current:
        definition = calendar_to_dict(current.calendar)
        if tz is not None:
            definition["tz"] = tz
        if hours:
            definition["hours"] = _hours(hours)
        if day_minutes is not None:
            definition["day_minutes"] = day_minutes
        saved, recomputed = _save(desk, name, definition, current.holiday_names, "calendar.edit",
                                  {"tz": tz, "hours": hours or None, "day_minutes": day_minutes})
    return Change(saved, recomputed=recomputed)


def add_holiday(desk: Desk, name: str, day: str, holiday_name: str | None = None) -> Change:
    """Add a holiday date (or rename one that is already there)."""
    when = parse_date(day)
    with _changing(desk, name) as current:
        definition = calendar_to_dict(current.calendar)
        names = dict(current.holiday_names)
        is_new = when not in current.calendar.holidays
        definition["holidays"] = sorted({*definition["holidays"], when.isoformat()})
        if holiday_name and holiday_name.strip():
            names[when] = holiday_name.strip()
        saved, recomputed = _save(desk, name, definition, names, "calendar.holiday_add",
                                  {"date": when.isoformat(), "name": holiday_name})
    return Change(saved, added=int(is_new), recomputed=recomputed)


def remove_holiday(desk: Desk, name: str, day: str) -> Change:
    when = parse_date(day)
    with _changing(desk, name) as current:
        if when not in current.calendar.holidays:
            raise NotFound(f"{when.isoformat()} is not a holiday of calendar {name}; "
                           f"see `isvc calendar show {name}`")
        definition = calendar_to_dict(current.calendar)
        definition["holidays"].remove(when.isoformat())
        saved, recomputed = _save(desk, name, definition, current.holiday_names,
                                  "calendar.holiday_remove",
                                  {"date": when.isoformat(),
                                   "name": current.holiday_names.get(when)})
    return Change(saved, recomputed=recomputed)


def seed_holidays(desk: Desk, name: str, *, country: str, subdiv: str | None = None,
                  years: str | None = None) -> Change:
    """Add the public holidays the `holidays` package knows; dates already stored win, and
    nothing is ever removed."""
    with _changing(desk, name) as current:
        found = package_holidays(country, subdiv,
                                 parse_years(years, _default_years(desk, current.calendar)))
        new = {d: n for d, n in found.items() if d not in current.calendar.holidays}
        names = dict(current.holiday_names)
        for d, n in found.items():  # a stored date keeps its stored name
            names.setdefault(d, n)
        definition = calendar_to_dict(current.calendar)
        definition["holidays"] = sorted({*definition["holidays"], *(d.isoformat() for d in new)})
        saved, recomputed = _save(desk, name, definition, names, "calendar.seed",
                                  {"country": country, "subdiv": subdiv, "years": years,
                                   "added": sorted(d.isoformat() for d in new)})
    return Change(saved, added=len(new), recomputed=recomputed)


def set_override(desk: Desk, name: str, day: str, hours: str) -> Change:
    """One date's windows replace its hours (half-days, make-up days); "closed" closes it."""
    when = parse_date(day)
    windows = parse_windows(hours)
    with _changing(desk, name) as current:
        definition = calendar_to_dict(current.calendar)
        definition["overrides"][when.isoformat()] = windows
        saved, recomputed = _save(desk, name, definition, current.holiday_names,
                                  "calendar.override", {"date": when.isoformat(), "hours": windows})
    return Change(saved, recomputed=recomputed)


def remove_override(desk: Desk, name: str, day: str) -> Change:
    when = parse_date(day)
    with _changing(desk, name) as current:
        if when not in current.calendar.overrides:
            raise NotFound(f"calendar {name} has no override on {when.isoformat()}; "
                           f"see `isvc calendar show {name}`")
        definition = calendar_to_dict(current.calendar)
        del definition["overrides"][when.isoformat()]
        saved, recomputed = _save(desk, name, definition, current.holiday_names,
                                  "calendar.override_remove", {"date": when.isoformat()})
    return Change(saved, recomputed=recomputed)


def import_calendar(desk: Desk, name: str, path: str) -> Change:
    """Create or replace a calendar from a TOML file, validated in full before writing."""
    name = check_handle(name, "calendar name")
    cal, names = load_calendar_file(path)
    with write(desk.conn):
        desk.require_admin("change calendars")
        created = store.get_calendar_row(desk.conn, name) is None
        saved, recomputed = _save(desk, name, calendar_to_dict(cal), names, "calendar.import",
                                  {"file": str(path), "replaced": not created})
    return Change(saved, recomputed=recomputed, created=created)


# -- files -----------------------------------------------------------------------------


def load_calendar_file(path: str | Path) -> tuple[Calendar, dict[date, str]]:
    """A TOML calendar file -> (calendar, holiday names); InvalidInput naming the bad part."""
    from isvc.tomlfiles import read_toml

    source = str(path)
    data = read_toml(path, "calendar file")
    raw_names = data.pop("holiday_names", {})
    cal = parse_calendar(data, source=source)
    return cal, _parse_holiday_names(raw_names, cal, source)


def _parse_holiday_names(value: Any, cal: Calendar, source: str) -> dict[date, str]:
    if not isinstance(value, dict):
        raise InvalidInput(f'{source}: holiday_names must be a table of dates to names')
    names: dict[date, str] = {}
    for key, text in value.items():
        when = parse_date(key, f"{source}: holiday_names")
        if when not in cal.holidays:
            raise InvalidInput(f'{source}: holiday_names."{key}": not one of the holidays')
        if not isinstance(text, str):
            raise InvalidInput(f'{source}: holiday_names."{key}": the name must be a string')
        names[when] = text
    return names


def export_calendar(desk: Desk, name: str) -> str:
    """The TOML text of a stored calendar; `calendar import` reads it back unchanged.

    tomli_w writes the values; the windows are laid out one day per line, as people
    write them by hand (tomli_w would spread every nested array over several lines).
    """
    import tomli_w

    saved = _require(desk.conn, name)
    cal = saved.calendar
    data = calendar_to_dict(cal)
    lines = [f"# isvc calendar {name}: {describe_hours(cal)}, {cal.tz}",
             f"# read back with: isvc calendar import {name} FILE.toml",
             tomli_w.dumps({"tz": cal.tz, "day_minutes": cal.day_minutes}).rstrip("\n")]
    if data["holidays"]:
        lines += ["holidays = [", *(f'    "{d}",' for d in data["holidays"]), "]"]
    else:
        lines.append("holidays = []")
    lines += ["", "[hours]  # a missing day or [] is closed"]
    lines += [f"{day} = {_toml_windows(w)}" for day, w in data["hours"].items()]
    if data["overrides"]:
        lines += ["", "[overrides]  # date -> windows replacing that day; [] closes it"]
        lines += [f'"{day}" = {_toml_windows(w)}' for day, w in data["overrides"].items()]
    text = "\n".join(lines) + "\n"
    if saved.holiday_names:
        names = {d.isoformat(): n for d, n in sorted(saved.holiday_names.items())}
        text += "\n" + tomli_w.dumps({"holiday_names": names})
    return text


def _toml_windows(windows: list[list[str]]) -> str:
    # Windows are "HH:MM" strings the parser produced: nothing to escape.
    return "[" + ", ".join(f'["{s}", "{e}"]' for s, e in windows) + "]"


# -- the what-if calculator --------------------------------------------------------------


def calculator_calendar(spec: str, open_desk: Callable[[], Desk]) -> Calendar:
    """``--calendar``: a TOML calendar file when one exists at that path, else a stored
    calendar's name. The database is opened (by ``open_desk``) only in the second case."""
    path = Path(spec).expanduser()
    if path.is_file():
        return load_calendar_file(path)[0]
    if path.is_dir():
        raise InvalidInput(f"--calendar {spec}: is a directory; give a TOML calendar file "
                           "or a stored calendar's name")
    try:
        conn = open_desk().conn
    except NotFound:
        raise NotFound(f"no calendar file {spec!r}, and no database to find a stored calendar "
                       "of that name in; give the path of a TOML calendar file") from None
    if store.get_calendar_row(conn, spec) is None:
        raise NotFound(f"no calendar file or stored calendar {spec!r}{_suggest(conn, spec)}; "
                       "give the path of a TOML calendar file or a name from `isvc calendar list`")
    return stored_calendar(conn, spec)


def _pauses(texts: list[str]) -> list[bt.Pause]:
    return [bt.parse_pause(text) for text in texts]


def calc_due(cal: Calendar, created: str, target: str, pauses: list[str]) -> datetime | None:
    """The due instant in the calendar's zone; None when an open-ended pause holds the clock."""
    start = bt.parse_instant(created)
    minutes = bt.parse_target(target, cal.day_minutes)
    return bt.due(cal, start, minutes, _pauses(pauses))


def calc_elapsed(cal: Calendar, start: str, end: str, pauses: list[str]) -> int:
    return bt.elapsed_minutes(cal, bt.parse_instant(start), bt.parse_instant(end), _pauses(pauses))


def calc_status(cal: Calendar, created: str, target: str, now: str, stopped_at: str | None,
                pauses: list[str], at_risk_percent: int = 80) -> tuple[int, bt.ClockStatus]:
    """(target minutes, the clock at ``now``)."""
    minutes = bt.parse_target(target, cal.day_minutes)
    status = bt.clock_status(
        cal, bt.parse_instant(created), minutes, bt.parse_instant(now),
        bt.parse_instant(stopped_at) if stopped_at is not None else None,
        _pauses(pauses), at_risk_percent)
    return minutes, status


# -- holidays ------------------------------------------------------------------------------


def warn_if_holidays_run_out(name: str, cal: Calendar, now: datetime,
                             country: str | None = None,
                             days: int = HOLIDAY_HORIZON_DAYS) -> str | None:
    """The warning text when no holiday of ``cal`` lies more than ``days`` days after ``now``
    (dates read in the calendar's zone); None otherwise, and for a calendar with no holidays
    at all (a 24×7 on-call calendar usually has none on purpose).

    ``country`` is the hint's --country; by default the country of the calendar's zone.
    """
    if not cal.holidays:
        return None
    today = now.astimezone(ZoneInfo(cal.tz)).date()
    horizon = today + timedelta(days=days)
    last = max(cal.holidays)
    if last > horizon:
        return None
    first_year = max(last.year + 1, today.year)
    last_year = max(first_year, horizon.year)
    years = str(first_year) if first_year == last_year else f"{first_year}-{last_year}"
    code = country or zone_country(cal.tz) or "CC"
    return (f"holidays end on {last.isoformat()}; add next year's with "
            f"`isvc calendar holiday seed {name} --country {code} --years {years}`")


def holiday_warnings(conn: sqlite3.Connection, now: datetime) -> dict[str, str]:
    """{calendar name: warning} for every stored calendar whose holidays run out soon."""
    out = {}
    for row in store.list_calendar_rows(conn):
        cal = parse_calendar(row["definition"], source=f"calendar {row['name']}")
        text = warn_if_holidays_run_out(row["name"], cal, now)
        if text:
            out[row["name"]] = text
    return out


def zone_country(tz: str) -> str | None:
    """The ISO country code of an IANA zone from tzdata's zone.tab ("Europe/Bucharest" -> "RO")."""
    try:
        from importlib.resources import files

        text = files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ImportError, OSError):
        try:
            text = Path("/usr/share/zoneinfo/zone.tab").read_text(encoding="utf-8")
        except OSError:
            return None
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and not line.startswith("#") and parts[2] == tz:
            return parts[0]
    return None


def package_holidays(country: str, subdiv: str | None, years: list[int]) -> dict[date, str]:
    """Public holidays from the `holidays` package (imported only here: it is slow)."""
    import holidays

    code = country.strip().upper()
    try:
        found = holidays.country_holidays(code, subdiv=subdiv, years=years)
    except NotImplementedError:
        try:
            known = holidays.country_holidays(code).subdivisions
        except NotImplementedError:
            raise InvalidInput(f"--country {country}: the holidays package knows no such "
                               "country; use an ISO 3166 code such as RO, US or DE") from None
        raise InvalidInput(f"--subdiv {subdiv}: {code} has no such subdivision "
                           f"(known: {', '.join(known) or 'none'})") from None
    return {d: n for d, n in sorted(found.items()) if d.year in years}


def _default_years(desk: Desk, cal: Calendar) -> list[int]:
    year = desk.now.astimezone(ZoneInfo(cal.tz)).year
    return [year, year + 1]


_YEARS = re.compile(r"(\d{4})(?:-(\d{4}))?")


def parse_years(text: str | None, default: list[int]) -> list[int]:
    """"2026", "2026-2027" or "2026,2028" -> [2026, ...]; None -> ``default``."""
    if text is None:
        return default
    years: set[int] = set()
    for item in text.replace(" ", "").split(","):
        m = _YEARS.fullmatch(item)
        if not m or (m[2] and int(m[2]) < int(m[1])):
            raise InvalidInput(f'--years "{text}": use a year or a range, e.g. 2027 or 2026-2027')
        first, last = int(m[1]), int(m[2] or m[1])
        if not (1900 <= first and last <= 2199 and last - first < 50):
            raise InvalidInput(f'--years "{text}": use years from 1900 to 2199, at most 50 at once')
        years.update(range(first, last + 1))
    return sorted(years)


# -- small parsers --------------------------------------------------------------------------


def parse_date(text: str, label: str = "date") -> date:
    value = text.strip() if isinstance(text, str) else text
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f'{label} "{text}": not a date (use YYYY-MM-DD)')


def parse_windows(text: str) -> list[list[str]]:
    """The CLI form of one date's hours -> TOML windows ("closed" -> []).

    Only the shape is checked here; the calendar parser then checks the times and order
    and names the bad window.
    """
    compact = "".join(text.split()).replace("–", "-")
    if compact.lower() == "closed":
        return []
    if not compact:
        raise InvalidInput(f'--hours "{text}": empty ({_WINDOWS_FORMS})')
    windows = []
    for item in compact.split(","):
        ends = item.split("-")
        if len(ends) != 2:
            raise InvalidInput(
                f'--hours "{text}": window "{item}" is not HH:MM-HH:MM ({_WINDOWS_FORMS})')
        windows.append(ends)
    return windows
