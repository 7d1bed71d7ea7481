"""Instants as stored (ISO-8601 UTC text with ``Z``) and relative spans like ``30d``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from isvc.errors import InvalidInput

UTC = timezone.utc


def to_iso(dt: datetime | None) -> str | None:
    """Stored and JSON form: second precision, UTC, ``Z`` suffix."""
    if dt is None:
        return None
    return dt.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str | None, *, what: str = "timestamp") -> datetime | None:
    """Parse an ISO-8601 instant; naive timestamps are refused (their zone is a guess)."""
    if text is None:
        return None
    try:
        dt = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{what} {text!r} is not an ISO-8601 instant; use e.g. 2026-11-23T09:30:00Z"
        ) from None
    if dt.tzinfo is None:
        raise InvalidInput(
            f"{what} {text!r} has no time zone; add an offset or Z, e.g. {text}Z"
        )
    return dt


_SPAN = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")
_SPAN_UNITS = {"m": 1, "min": 1, "h": 60, "d": 1440, "w": 10080}


# Nothing in a desk is older, and stored instants compare as text only with 4-digit years:
# a period reaching further back starts here (it means "from the beginning").
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def period_start(text: str, now: datetime, *, what: str = "--since") -> datetime:
    """The start of a report's or an export's period: ``parse_since``, and in the past."""
    start = parse_since(text, now, what=what)
    if start >= now:
        raise InvalidInput(f"{what} {text} is not in the past (now is {to_iso(now)}); "
                           "give a span like 30d or an earlier date")
    return start


def parse_since(text: str, now: datetime, *, what: str = "--since") -> datetime:
    """``30d`` / ``12h`` / ``2w`` ago (calendar time), or an ISO date or instant."""
    value = text.strip().lower()
    match = _SPAN.match(value)
    if match:
        minutes = int(match.group(1)) * _SPAN_UNITS[match.group(2)]
        try:
            return max(now - timedelta(minutes=minutes), EARLIEST)
        except OverflowError:  # "999999999d": further back than dates go
            return EARLIEST
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return max(datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC),
                       EARLIEST)
        except ValueError:
            pass
    elif re.match(r"\d{4}-\d{2}-\d{2}t", value):  # an instant; a word like "yesterday" is not
        return max(parse_iso(text, what=what), EARLIEST)
    raise InvalidInput(
        f"{what} {text!r} is not understood; use a span like 30d, 12h, 2w or a date like 2026-11-01"
    )


def two_units(minutes: int, day_minutes: int = 1440) -> str:
    """A span in two units at most: "1d 3h", "2h 50m", "45m". A day is ``day_minutes``:
    1440 for calendar time, a calendar's business day (480) for business time."""
    minutes = abs(int(minutes))
    days, rem = divmod(minutes, day_minutes)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m"
