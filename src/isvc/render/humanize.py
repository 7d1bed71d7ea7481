"""Human times: "3d", "2h 50m", "Mon 23 Nov 09:30" in the viewer's zone."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from isvc.domain.timeutil import parse_iso, two_units


def viewer_zone(name: str | None):
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            from isvc.errors import InvalidInput

            raise InvalidInput(f"unknown time zone {name!r} in config tz / ISVC_TZ; use an IANA name like Europe/Bucharest") from None
    return datetime.now().astimezone().tzinfo or timezone.utc


def age(since_iso: str, now: datetime) -> str:
    """The coarsest unit that still says something: 45s -> "0m", 3h -> "3h", 9d -> "9d"."""
    seconds = (now - parse_iso(since_iso)).total_seconds()
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 24:
        return f"{hours}h"
    days = hours // 24
    if days < 60:
        return f"{days}d"
    return f"{days // 30}mo"


def plural(n: int | None, word: str, many: str | None = None) -> str:
    """A count and the noun that agrees with it: "1 request", "2,345 requests", "1 person",
    "3 people" (``many`` for an irregular plural); "— requests" for no figure."""
    noun = word if n == 1 else (many or word + "s")
    return f"{'—' if n is None else f'{n:,}'} {noun}"


def duration(minutes: int) -> str:
    """Two units at most: 1d 3h, 2h 50m, 45m (d = 24h here; SLA views use business_duration)."""
    return two_units(minutes, 1440)


def local(iso: str | None, tz, *, with_year: bool = False) -> str:
    if not iso:
        return "—"
    dt = parse_iso(iso).astimezone(tz)
    return dt.strftime("%a %d %b %Y %H:%M" if with_year else "%a %d %b %H:%M")


def business_duration(minutes: int, day_minutes: int = 480) -> str:
    """Business time in two units at most, a day being ``day_minutes``: "1d 3h", "2h 50m"."""
    return two_units(minutes, day_minutes)
