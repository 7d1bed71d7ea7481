"""The nouns of the desk as plain dataclasses and enums."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from isvc.errors import InvalidInput


class Status(str, Enum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING)
# The SQL literal of the open set; every query that wants the partial index repeats it
# verbatim, because SQLite only uses a partial index when the WHERE clause implies it.
OPEN_SQL = "('new','acknowledged','in_progress','waiting')"


class Priority(str, Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 is the most urgent: the queue sorts ascending."""
        return _RANK[self]


_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


def _choice(enum: type[Enum], value: str, what: str):
    try:
        return enum(value.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidInput(f"unknown {what} {value!r}; use one of: {allowed}") from None


def parse_status(value: str) -> Status:
    return _choice(Status, value, "status")


def parse_priority(value: str) -> Priority:
    return _choice(Priority, value, "priority")


@dataclass
class Team:
    handle: str
    name: str
    calendar: str | None = None
    members: list[str] = field(default_factory=list)
    agreements: list[str] = field(default_factory=list)


@dataclass
class Person:
    handle: str
    name: str
    email: str | None = None
    teams: list[str] = field(default_factory=list)
    primary_team: str | None = None
    active: bool = True
    role: str = "member"
    leaderboard: bool = True


@dataclass
class Request:
    number: int
    title: str
    body: str
    status: Status
    priority: Priority
    team: str
    requester: str
    created_at: str
    updated_at: str
    type: str | None = None
    assignee: str | None = None
    watchers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    channel: str = "cli"
    waiting_on: str | int | None = None
    first_response_at: str | None = None
    resolved_at: str | None = None
    closed_at: str | None = None
    agreement: str | None = None
    dedupe_key: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass
class Event:
    id: int
    number: int
    at: str
    actor: str
    kind: str
    from_value: str | None = None
    to_value: str | None = None
    message: str | None = None
    internal: bool = False
    field: str | None = None


HANDLE_HELP = "a handle is 1-32 lower-case letters, digits, '.', '_' or '-', starting with a letter"


def check_handle(value: str, what: str) -> str:
    import re

    handle = value.strip().lstrip("@+")
    if not re.fullmatch(r"[a-z][a-z0-9._-]{0,31}", handle):
        raise InvalidInput(f"{what} {value!r} is not a valid handle; {HANDLE_HELP}")
    return handle
