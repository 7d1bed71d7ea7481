"""`isvc export`: whole tables as JSON Lines, CSV or JSON, for spreadsheets and warehouses.

The columns below are a contract like the JSON shapes: one ordered list per kind, each
column with its meaning (the README's export section is generated from ``COLUMNS``).
Columns are only ever added at the end, never renamed, reordered or removed.

Value conventions: instants are ISO-8601 UTC with ``Z``; durations are whole minutes
with the unit in the name; absent values are ``null`` in JSON and an empty cell in CSV;
lists (watchers, tags) stay arrays in JSON and are joined with a comma in CSV (handles
and tags hold no commas); ``fields`` is an object in JSON and its JSON text in CSV;
true/false are JSON booleans and ``true``/``false`` in CSV. Every CSV cell of text that
starts with = + - @ tab, carriage return or ' gets one ' in front (spreadsheet formula
injection); numbers isvc computed are written as numbers.

Who may export what:
- staff only: desk admins and members of a team (a plain requester is refused);
- requests and events: an admin exports every team's; a team member their own teams'
  (the requests those teams provide; requests they filed with other teams are not in
  it, `isvc request list --requester me --json` lists those);
- internal notes (events with internal=true) only with ``--include-internal``, and only
  of requests of teams the exporter belongs to (every request's for an admin);
- kudos: exactly what the wall shows the exporter, retracted ones too (marked): public
  kudos, and private ones only to their giver, their receiver (a receiving team's
  members) and the desk's named admins;
- agreements: all of them, retired ones too (``active`` says which).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterator

from isvc.domain.agreements import PRIORITIES
from isvc.domain.timeutil import parse_since, period_start, to_iso
from isvc.errors import InvalidInput, PermissionDenied
from isvc.services.desk import Desk

KINDS = ("requests", "events", "kudos", "agreements")
FORMATS = ("jsonl", "csv", "json")
_FORMAT_ALIASES = {"ndjson": "jsonl"}
# The agreement target columns, most urgent first.
_TARGET_PRIORITIES = tuple(reversed(PRIORITIES))  # urgent, high, normal, low


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str  # one line, for the README


def _targets(clock: str, what: str) -> tuple[Column, ...]:
    return tuple(Column(f"{clock}_{p}_minutes", f"{what} target for {p} requests, in business minutes")
                 for p in _TARGET_PRIORITIES)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "requests": (
        Column("number", "the request's number"),
        Column("title", "its title"),
        Column("body", "its description as filed"),
        Column("status", "new, acknowledged, in_progress, waiting, resolved, closed or cancelled"),
        Column("priority", "low, normal, high or urgent"),
        Column("team", "the provider team's handle"),
        Column("type", "its catalog type (team/name); null when none"),
        Column("requester", "handle of the person it serves"),
        Column("assignee", "handle of its owner; null when unassigned"),
        Column("watchers", "handles of the people following it, sorted"),
        Column("tags", "its tags, sorted"),
        Column("fields", "the type's fields: a JSON object of name to value"),
        Column("channel", "how it came in: cli, mail, ..."),
        Column("waiting_on", 'null, "requester", or the number of the request it waits on'),
        Column("created_at", "when it was filed"),
        Column("updated_at", "its last change"),
        Column("first_response_at", "the first reply to the requester; null before it"),
        Column("resolved_at", "when it was last resolved; null when not resolved"),
        Column("closed_at", "when it was closed or cancelled; null while open"),
        Column("agreement", "the agreement its clocks run under; null when none applies"),
        Column("first_response_due_at", "when the first response is (was) due, in business time"),
        Column("first_response_met", "whether the first response came in time; null while "
               "its clock runs or without an agreement"),
        Column("first_response_business_minutes", "business minutes from filing to the first "
               "response; null until then"),
        Column("resolution_due_at", "when resolution is (was) due, in business time, waits "
               "on the requester excluded"),
        Column("resolution_met", "whether it was resolved in time; null while its clock runs "
               "or without an agreement"),
        Column("resolution_business_minutes", "business minutes from filing to resolution, "
               "waits excluded; null until resolved"),
    ),
    "events": (
        Column("id", "the journal event's id (ascending in the order recorded)"),
        Column("number", "the request it belongs to"),
        Column("at", "when it happened"),
        Column("actor", "handle of who did it"),
        Column("kind", "what happened: filed, status, assigned, reply, note, edit, watch, "
               "link, rating, kudos, ..."),
        Column("field", "the field an edit changed, or the id of what the event refers to"),
        Column("from", "the value before, as text"),
        Column("to", "the value after, as text"),
        Column("message", "the text written; a redacted event carries its redaction notice"),
        Column("internal", "true for internal notes (exported only with --include-internal)"),
    ),
    "kudos": (
        Column("id", "the kudos id"),
        Column("from", "handle of the giver"),
        Column("to", "handle of the person or team thanked"),
        Column("to_kind", "person or team"),
        Column("message", "the thanks as written"),
        Column("value", "the company value it names; null when none"),
        Column("request", "the request it is for; null when none"),
        Column("lateral", "true for help across teams"),
        Column("private", "true when only giver, receiver and admins see it"),
        Column("created_at", "when it was given"),
        Column("giver_team", "the giver's primary team when given"),
        Column("recipient_team", "the receiver's primary team (or the team thanked) when given"),
        Column("retracted_at", "when the giver took it back; null when it stands"),
        Column("retracted_by", "who took it back; null when it stands"),
    ),
    "agreements": (
        Column("name", "the agreement's name"),
        Column("provider", "the team that promises"),
        Column("customer", "the customer team it is for; null: every customer of the provider"),
        Column("calendar", "the business calendar its clocks count in"),
        *_targets("response", "first-response"),
        *_targets("resolution", "resolution"),
        Column("at_risk_percent", "share of a target after which a clock is at risk"),
        Column("active", "false once retired"),
        Column("created_at", "when it was made"),
        Column("updated_at", "its last change"),
    ),
}


def columns(kind: str) -> list[str]:
    return [c.name for c in COLUMNS[kind]]


@dataclass
class Export:
    kind: str
    format: str          # jsonl, csv or json
    columns: list[str]
    rows: Iterator[dict]  # lazily read: iterate once, inside the command


def parse_kind(kind: str) -> str:
    value = kind.strip().lower()
    if value not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    return value


def parse_format(fmt: str) -> str:
    value = fmt.strip().lower()
    value = _FORMAT_ALIASES.get(value, value)
    if value not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    return value


def _window(desk: Desk, since: str | None, until: str | None) -> tuple[str | None, str | None]:
    since_at = period_start(since, desk.now) if since else None
    until_at = parse_since(until, desk.now, what="--until") if until else None
    if since_at is not None and until_at is not None and until_at <= since_at:
        raise InvalidInput(f"--until {until} is not after --since {since}; nothing would match")
    return to_iso(since_at), to_iso(until_at)


def export(desk: Desk, kind: str, fmt: str = "jsonl", *, since: str | None = None,
           until: str | None = None, team: str | None = None,
           include_internal: bool = False) -> Export:
    """Check everything (arguments, permissions) up front, then hand back rows that are
    read from the database only as they are iterated."""
    from isvc.services.directory import require_team
    from isvc.store import export as store

    kind = parse_kind(kind)
    fmt = parse_format(fmt)
    if include_internal and kind != "events":
        raise InvalidInput("--include-internal goes with `isvc export events` "
                           "(internal notes are journal events)")
    since_iso, until_iso = _window(desk, since, until)
    desk.require_staff("export data")
    if team is not None:
        team = require_team(desk, team)
    conn = desk.conn
    source: Callable[[], Iterator[dict]]
    if kind in ("requests", "events"):
        teams = _request_scope(desk, team)
        if kind == "requests":
            def source():
                return map(_request_row, store.requests(conn, since=since_iso, until=until_iso,
                                                        teams=teams))
        else:
            internal: bool | list[str] = False
            if include_internal:
                internal = True if desk.is_admin() else sorted(desk.teams_of())

            def source():
                return map(_event_row, store.events(conn, since=since_iso, until=until_iso,
                                                    teams=teams, internal=internal))
    elif kind == "kudos":
        viewer, viewer_teams = desk.actor, sorted(desk.teams_of())
        sees_private = desk.actor in desk.admins()  # named admins: as the wall decides

        def source():
            return map(_kudos_row, store.kudos(conn, since=since_iso, until=until_iso, team=team,
                                               viewer=viewer, viewer_teams=viewer_teams,
                                               sees_private=sees_private))
    else:
        def source():
            return map(_agreement_row, store.agreements(conn, since=since_iso, until=until_iso,
                                                        team=team))

    def rows() -> Iterator[dict]:
        with store.snapshot(conn):
            yield from source()

    return Export(kind=kind, format=fmt, columns=columns(kind), rows=rows())


def _request_scope(desk: Desk, team: str | None) -> list[str] | None:
    """The provider teams whose requests (and journals) the exporter may take: every team
    for an admin (None), their own teams for a member."""
    if desk.is_admin():
        return None if team is None else [team]
    mine = sorted(desk.teams_of())
    if team is None:
        return mine
    if team not in mine:
        raise PermissionDenied(f"you may export your own teams' requests only "
                               f"({', '.join(mine)}); {desk.actor} is not in team {team}")
    return [team]


# -- stored values to exported values ------------------------------------------------

def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _request_row(row: dict) -> dict:
    row["fields"] = json.loads(row["fields"] or "{}")
    waiting = row["waiting_on"]
    if waiting is not None and waiting != "requester":
        row["waiting_on"] = int(waiting)
    row["first_response_met"] = _flag(row["first_response_met"])
    row["resolution_met"] = _flag(row["resolution_met"])
    return row


def _event_row(row: dict) -> dict:
    row["internal"] = bool(row["internal"])
    return row


def _kudos_row(row: dict) -> dict:
    row["lateral"] = bool(row["lateral"])
    row["private"] = bool(row["private"])
    return row


def _agreement_row(row: dict) -> dict:
    response = json.loads(row["response"])
    resolution = json.loads(row["resolution"])
    out = {"name": row["name"], "provider": row["provider"], "customer": row["customer"],
           "calendar": row["calendar"]}
    out.update((f"response_{p}_minutes", response.get(p)) for p in _TARGET_PRIORITIES)
    out.update((f"resolution_{p}_minutes", resolution.get(p)) for p in _TARGET_PRIORITIES)
    out.update(at_risk_percent=row["at_risk_percent"], active=bool(row["active"]),
               created_at=row["created_at"], updated_at=row["updated_at"])
    return out
