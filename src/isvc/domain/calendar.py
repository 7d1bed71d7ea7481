"""Business calendars: weekly hours in an IANA zone, holidays and per-date overrides.

Semantics are SLA-SPEC §1. A window is ``(start_min, end_min)``, minutes from local
midnight, half-open, ``0 <= start < end <= 1440``; a day's windows are sorted and
disjoint. Parsing validates everything and raises ``InvalidInput`` with a one-line
message naming the bad part; the ``Calendar`` constructor only normalises types.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from isvc.errors import InvalidInput

Window = tuple[int, int]
Windows = tuple[Window, ...]

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FULL_DAY = 1440

_KEYS = ("tz", "day_minutes", "hours", "holidays", "overrides")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HHMM = re.compile(r"(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class Calendar:
    tz: str
    hours: Mapping[int, Windows] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    overrides: Mapping[date, Windows] = field(default_factory=dict)
    day_minutes: int = 480

    def __post_init__(self) -> None:
        # Normalise so that equal calendars compare equal however they were built:
        # all seven weekdays present, windows as tuples of int pairs.
        if not set(self.hours) <= set(range(7)):
            raise ValueError(f"hours keys must be weekdays 0..6, got {sorted(self.hours)}")
        hours = {d: _as_windows(self.hours.get(d, ())) for d in range(7)}
        overrides = {d: _as_windows(w) for d, w in sorted(self.overrides.items())}
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "holidays", frozenset(self.holidays))

    def __hash__(self) -> int:
        # Explicit because the mapping fields are dicts; frozen means it never changes.
        return hash(
            (
                self.tz,
                tuple(self.hours.items()),
                self.holidays,
                tuple(self.overrides.items()),
                self.day_minutes,
            )
        )


def _as_windows(windows: Any) -> Windows:
    return tuple((int(s), int(e)) for s, e in windows)


def windows_on(cal: Calendar, local_date: date) -> Windows:
    """The windows of one local date: override > holiday > weekly hours (§1)."""
    override = cal.overrides.get(local_date)
    if override is not None:
        return override
    if local_date in cal.holidays:
        return ()
    return cal.hours[local_date.weekday()]


# --- TOML-shaped dict <-> Calendar ------------------------------------------------


def parse_calendar(data: Mapping[str, Any], *, source: str = "calendar") -> Calendar:
    """Build a validated Calendar from the dict a TOML calendar file parses to."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{source}: expected a table with tz and hours")
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        raise InvalidInput(f'{source}: unknown key "{unknown[0]}" (expected {", ".join(_KEYS)})')
    return Calendar(
        tz=_parse_tz(data.get("tz"), source),
        hours=_parse_hours(data.get("hours", {}), source),
        holidays=_parse_holidays(data.get("holidays", []), source),
        overrides=_parse_overrides(data.get("overrides", {}), source),
        day_minutes=_parse_day_minutes(data.get("day_minutes", 480), source),
    )


def calendar_to_dict(cal: Calendar) -> dict[str, Any]:
    """The inverse of parse_calendar, TOML-ready (only str, int, list and dict values)."""
    return {
        "tz": cal.tz,
        "day_minutes": cal.day_minutes,
        "hours": {DAY_KEYS[d]: _windows_to_list(cal.hours[d]) for d in range(7)},
        "holidays": [d.isoformat() for d in sorted(cal.holidays)],
        "overrides": {d.isoformat(): _windows_to_list(w) for d, w in sorted(cal.overrides.items())},
    }


def _windows_to_list(windows: Windows) -> list[list[str]]:
    return [[format_minutes(s), format_minutes(e)] for s, e in windows]


def format_minutes(minutes: int) -> str:
    """600 -> "10:00"; 1440 -> "24:00"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_tz(value: Any, source: str) -> str:
    hint = 'an IANA zone such as "Europe/Bucharest"'
    if value is None:
        raise InvalidInput(f'{source}: missing "tz" ({hint})')
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{source}: tz must be {hint}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f'{source}: tz "{value}": unknown time zone (use {hint})') from None
    return value


def _parse_day_minutes(value: Any, source: str) -> int:
    # bool is an int subclass: `day_minutes = true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= FULL_DAY:
        raise InvalidInput(
            f"{source}: day_minutes {value!r}: must be a whole number of minutes from 1 to 1440"
        )
    return value


def _parse_hours(value: Any, source: str) -> dict[int, Windows]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{source}: hours must be a table of days (mon..sun)")
    hours: dict[int, Windows] = {}
    for key, windows in value.items():
        if key not in DAY_KEYS:
            raise InvalidInput(f'{source}: hours: unknown day "{key}" (use {", ".join(DAY_KEYS)})')
        hours[DAY_KEYS.index(key)] = _parse_windows(windows, f"{source}: hours.{key}")
    return hours


def _parse_holidays(value: Any, source: str) -> frozenset[date]:
    if not isinstance(value, list):
        raise InvalidInput(f'{source}: holidays must be a list of dates ("YYYY-MM-DD")')
    return frozenset(
        _parse_date(item, f"{source}: holidays item {n}") for n, item in enumerate(value, 1)
    )


def _parse_overrides(value: Any, source: str) -> dict[date, Windows]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{source}: overrides must be a table of dates to windows")
    overrides: dict[date, Windows] = {}
    for key, windows in value.items():
        day = _parse_date(key, f"{source}: overrides")
        overrides[day] = _parse_windows(windows, f"{source}: overrides.{day.isoformat()}")
    return overrides


def _parse_date(value: Any, label: str) -> date:
    # tomllib turns a bare TOML date into a date object; a datetime is not a date here.
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f'{label} "{value}": not a date (use YYYY-MM-DD)')


def _parse_windows(value: Any, label: str) -> Windows:
    example = 'such as [["09:00", "12:00"], ["13:00", "17:00"]], or [] for closed'
    if not isinstance(value, list):
        raise InvalidInput(f"{label}: expected a list of windows {example}")
    if len(value) == 2 and all(isinstance(v, str) for v in value):
        raise InvalidInput(
            f'{label}: expected a list of windows, write [["{value[0]}", "{value[1]}"]]'
        )
    windows = []
    for n, item in enumerate(value, 1):
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)
        ):
            raise InvalidInput(f'{label} window {n}: expected ["HH:MM", "HH:MM"], got {item!r}')
        windows.append(_parse_window(item[0], item[1], f'{label} window {n} "{item[0]}-{item[1]}"'))
    check_windows(windows, label)
    return tuple(windows)


def _parse_window(start: str, end: str, label: str) -> Window:
    s, e = _parse_hhmm(start), _parse_hhmm(end)
    if s is None or e is None:
        raise InvalidInput(f"{label}: times must be HH:MM (00:00 to 24:00)")
    if e > FULL_DAY:
        raise InvalidInput(f"{label}: end must be at most 24:00")
    if s >= e:
        why = f"{label}: start must be before end"
        if s > e:  # most likely an overnight shift
            why += (
                f'; split an overnight shift at midnight: ["{start}", "24:00"] on this day'
                f' and ["00:00", "{end}"] on the next'
            )
        raise InvalidInput(why)
    return s, e


def _parse_hhmm(text: str) -> int | None:
    m = _HHMM.fullmatch(text.strip())
    if not m or int(m[2]) > 59:
        return None
    return int(m[1]) * 60 + int(m[2])


def check_windows(windows: list[Window] | Windows, label: str) -> None:
    """Windows of one day must be sorted and disjoint (touching is fine: half-open)."""
    for n in range(1, len(windows)):
        (ps, pe), (s, e) = windows[n - 1], windows[n]
        this = f'{label} window {n + 1} "{format_minutes(s)}-{format_minutes(e)}"'
        prev = f'window {n} "{format_minutes(ps)}-{format_minutes(pe)}"'
        if s < ps:
            raise InvalidInput(f"{this}: windows must be in order (it starts before {prev})")
        if s < pe:
            raise InvalidInput(f"{this}: overlaps {prev}")


# --- CLI form: "mon-fri 09:00-17:00" ----------------------------------------------

_SPEC_HINT = (
    'use DAYS WINDOWS such as "mon-fri 09:00-17:00", '
    '"mon,wed 09:00-12:00,13:00-17:00", "sat-sun 10:00-14:00" or "sun closed"'
)


def parse_hours_spec(spec: str) -> dict[int, Windows]:
    """Parse the CLI form of weekly hours into {weekday: windows} for the days named.

    Clauses may be joined with ";" ("mon-fri 09:00-17:00; sat 10:00-14:00"); a day
    may appear only once. Ranges wrap around the week ("fri-mon").
    """
    try:
        return _parse_spec(spec)
    except InvalidInput as err:  # every message ends with the accepted form
        raise InvalidInput(f"{err} ({_SPEC_HINT})") from None


def _parse_spec(spec: str) -> dict[int, Windows]:
    result: dict[int, Windows] = {}
    clauses = [c.strip() for c in spec.split(";")]
    if not any(clauses):
        raise InvalidInput(f'hours "{spec}": empty')
    for clause in clauses:
        if not clause:
            continue
        parts = clause.split(None, 1)
        if len(parts) != 2:
            raise InvalidInput(f'hours "{clause}": expected days and windows')
        windows = _spec_windows(parts[1], clause)
        for day in _spec_days(parts[0], clause):
            if day in result:
                raise InvalidInput(f'hours "{spec}": {DAY_KEYS[day]} is listed twice')
            result[day] = windows
    return result


def _spec_days(text: str, clause: str) -> list[int]:
    days: list[int] = []
    for item in text.lower().split(","):
        ends = item.replace("–", "-").split("-")
        if len(ends) > 2 or not all(e in DAY_KEYS for e in ends):
            bad = next((e for e in ends if e not in DAY_KEYS), item)
            raise InvalidInput(f'hours "{clause}": unknown day "{bad}"')
        first, last = DAY_KEYS.index(ends[0]), DAY_KEYS.index(ends[-1])
        span = (last - first) % 7  # a range may wrap: sat-sun, fri-mon
        for k in range(span + 1):
            day = (first + k) % 7
            if day in days:
                raise InvalidInput(f'hours "{clause}": {DAY_KEYS[day]} is listed twice')
            days.append(day)
    return days


def _spec_windows(text: str, clause: str) -> Windows:
    text = "".join(text.split())
    if text.lower() == "closed":
        return ()
    windows = []
    for n, item in enumerate(text.split(","), 1):
        ends = item.replace("–", "-").split("-")
        if len(ends) != 2:
            raise InvalidInput(f'hours "{clause}": window "{item}" is not HH:MM-HH:MM')
        windows.append(_parse_window(ends[0], ends[1], f'hours "{clause}" window {n} "{item}"'))
    check_windows(windows, f'hours "{clause}"')
    return tuple(windows)


# --- human summary ----------------------------------------------------------------


def describe_hours(cal: Calendar) -> str:
    """One line: "Mon–Fri 09:00–17:00", "Mon–Fri 09:00–12:00, 13:00–17:00" or "24×7".

    Days with the same windows are grouped ("Mon–Wed, Fri ...; Thu ..."); groups are
    joined with "; ". A calendar closed all week reads "closed".
    """
    if all(cal.hours[d] == ((0, FULL_DAY),) for d in range(7)):
        return "24×7"
    groups: dict[Windows, list[int]] = {}
    for d in range(7):
        if cal.hours[d]:
            groups.setdefault(cal.hours[d], []).append(d)
    if not groups:
        return "closed"
    return "; ".join(f"{_day_runs(days)} {_windows_text(w)}" for w, days in groups.items())


def _day_runs(days: list[int]) -> str:
    # Consecutive weekdays collapse into a range: [0, 1, 2, 4] -> "Mon–Wed, Fri".
    runs: list[list[int]] = []
    for d in days:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ", ".join(
        DAY_NAMES[r[0]] if len(r) == 1 else f"{DAY_NAMES[r[0]]}–{DAY_NAMES[r[-1]]}" for r in runs
    )


def _windows_text(windows: Windows) -> str:
    return ", ".join(f"{format_minutes(s)}–{format_minutes(e)}" for s, e in windows)
