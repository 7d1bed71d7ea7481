"""What `request list` and `queue` can filter and sort by, parsed and validated."""

from __future__ import annotations

from dataclasses import dataclass, field

from isvc.domain.models import OPEN_STATUSES, Priority, Status, parse_priority, parse_status
from isvc.errors import InvalidInput


@dataclass
class RequestFilter:
    statuses: list[Status] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    requester: str | None = None
    assignee: str | None = None      # a handle, or "" for unassigned
    priorities: list[Priority] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    text: str | None = None
    since: str | None = None         # ISO instants (stored form)
    until: str | None = None
    visible_to: str | None = None    # restrict to requests this person may see


def parse_statuses(values: list[str]) -> list[Status]:
    """``open`` and ``all`` are shorthands; commas separate several."""
    out: list[Status] = []
    for value in values:
        for part in value.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part == "open":
                out.extend(OPEN_STATUSES)
            elif part == "all":
                out.extend(Status)
            else:
                out.append(parse_status(part))
    return list(dict.fromkeys(out))


def parse_priorities(values: list[str]) -> list[Priority]:
    return list(dict.fromkeys(
        parse_priority(part) for value in values for part in value.split(",") if part.strip()
    ))


# sort key -> SQL expression; a leading "-" reverses
SORT_KEYS = {
    "number": "number",
    "created": "created_at",
    "updated": "updated_at",
    "priority": "priority_rank",
    "status": "status",
    "team": "team",
    "title": "title COLLATE NOCASE",
}


def parse_sort(value: str) -> list[tuple[str, bool]]:
    """``-created,priority`` -> [(column, descending)]; unknown keys are refused."""
    keys = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("-+")
        if name not in SORT_KEYS:
            allowed = ", ".join(SORT_KEYS)
            raise InvalidInput(f"unknown sort key {name!r}; use one of: {allowed} (prefix - to reverse)")
        keys.append((SORT_KEYS[name], descending))
    if not keys:
        raise InvalidInput("--sort needs at least one key, e.g. --sort -created")
    return keys
