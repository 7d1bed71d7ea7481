"""Whole tables for `isvc export`, read through one cursor each and handed on row by row.

Nothing here builds a list of all rows: a caller iterating a million journal events holds
one chunk at a time. Each row is a dict whose keys are the export's column names, in the
export's order (SQL aliases); the service turns stored values into output values.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

CHUNK = 500  # rows fetched at a time (and tags/watchers looked up per chunk)


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: every query of an export sees the same state of the file,
    however long the export runs and whoever writes meanwhile."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")  # nothing was written: this only ends the snapshot


def _stream(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> Iterator[list[dict]]:
    """Chunks of rows as dicts, from one cursor."""
    cursor = conn.cursor()
    names: list[str] = []

    def as_dict(cur: sqlite3.Cursor, row: tuple) -> dict:
        if not names:
            names.extend(d[0] for d in cur.description)
        return dict(zip(names, row))

    cursor.row_factory = as_dict
    cursor.execute(sql, args)
    try:
        while True:
            rows = cursor.fetchmany(CHUNK)
            if not rows:
                return
            yield rows
    finally:
        cursor.close()


class _Where:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, sql: str, *args: Any) -> None:
        self.parts.append(sql)
        self.args.extend(args)

    def window(self, column: str, since: str | None, until: str | None) -> None:
        """``since`` inclusive, ``until`` exclusive (stored instants sort as text)."""
        if since:
            self.add(f"{column} >= ?", since)
        if until:
            self.add(f"{column} < ?", until)

    def among(self, column: str, values: Sequence[str]) -> None:
        if not values:
            self.add("0")
        else:
            self.add(f"{column} IN ({','.join('?' * len(values))})", *values)

    @property
    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.parts)) if self.parts else ""


# -- requests ------------------------------------------------------------------------

REQUESTS_SQL = (
    "SELECT number, title, body, status, priority, team, type, requester, assignee, "
    "NULL AS watchers, NULL AS tags, fields, channel, waiting_on, created_at, updated_at, "
    "first_response_at, resolved_at, closed_at, agreement, "
    "fr_due_at AS first_response_due_at, fr_met AS first_response_met, "
    "fr_elapsed AS first_response_business_minutes, "
    "res_due_at AS resolution_due_at, res_met AS resolution_met, "
    "res_elapsed AS resolution_business_minutes FROM requests"
)


def _lists(conn: sqlite3.Connection, sql: str, numbers: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for number, value in conn.execute(sql.format(marks=",".join("?" * len(numbers))), numbers):
        out.setdefault(number, []).append(value)
    return out


def requests(conn: sqlite3.Connection, *, since: str | None, until: str | None,
             teams: Sequence[str] | None) -> Iterator[dict]:
    """Requests by number, filed in [since, until), of ``teams`` (None: every team), with
    their watchers and tags (two lookups per chunk, not two per request)."""
    where = _Where()
    where.window("created_at", since, until)
    if teams is not None:
        where.among("team", teams)
    for rows in _stream(conn, REQUESTS_SQL + where.sql + " ORDER BY number", where.args):
        numbers = [row["number"] for row in rows]
        watchers = _lists(conn, "SELECT number, person FROM watchers WHERE number IN ({marks}) "
                          "ORDER BY number, person", numbers)
        tags = _lists(conn, "SELECT number, tag FROM request_tags WHERE number IN ({marks}) "
                      "ORDER BY number, tag", numbers)
        for row in rows:
            row["watchers"] = watchers.get(row["number"], [])
            row["tags"] = tags.get(row["number"], [])
            yield row


# -- the journal ---------------------------------------------------------------------

EVENT_FIELDS = ('e.id, e.number, e.at, e.actor, e.kind, e.field, e.from_value AS "from", '
                'e.to_value AS "to", e.message, e.internal')


def events(conn: sqlite3.Connection, *, since: str | None, until: str | None,
           teams: Sequence[str] | None, internal: bool | Sequence[str]) -> Iterator[dict]:
    """Journal events in the order recorded, at in [since, until), of the requests of
    ``teams`` (None: every team). ``internal``: False leaves internal notes out, True keeps
    them all, a list of teams keeps those of these teams' requests only."""
    where = _Where()
    where.window("e.at", since, until)
    join = ""
    if teams is not None or (internal is not True and internal is not False):
        # CROSS JOIN keeps events the outer loop: read in id order, no sort of the journal
        join = " CROSS JOIN requests r ON r.number = e.number"
    if teams is not None:
        where.among("r.team", teams)
    if internal is False:
        where.add("e.internal = 0")
    elif internal is not True:
        inner = _Where()
        inner.among("r.team", internal)
        where.add(f"(e.internal = 0 OR {inner.parts[0]})", *inner.args)
    sql = f"SELECT {EVENT_FIELDS} FROM events e{join}{where.sql} ORDER BY e.id"
    for rows in _stream(conn, sql, where.args):
        yield from rows


# -- kudos ---------------------------------------------------------------------------

KUDOS_SQL = (
    'SELECT k.id, k.giver AS "from", k.recipient AS "to", k.to_kind, k.message, k.value, '
    "k.request, k.lateral, k.private, k.created_at, k.giver_team, k.recipient_team, "
    "k.retracted_at, k.retracted_by FROM kudos k"
)


def kudos(conn: sqlite3.Connection, *, since: str | None, until: str | None, team: str | None,
          viewer: str, viewer_teams: Sequence[str], sees_private: bool) -> Iterator[dict]:
    """Kudos by id (retracted ones too, marked), given in [since, until), given or received
    by ``team``; private ones only as the wall shows them to ``viewer``."""
    from isvc.store.kudos import _visible

    where = _Where()
    visible, args = _visible(viewer, viewer_teams, sees_private)
    where.add(visible, *args)
    where.window("k.created_at", since, until)
    if team:
        where.add("(k.giver_team = ? OR k.recipient_team = ?)", team, team)
    for rows in _stream(conn, KUDOS_SQL + where.sql + " ORDER BY k.id", where.args):
        yield from rows


# -- agreements ----------------------------------------------------------------------

def agreements(conn: sqlite3.Connection, *, since: str | None, until: str | None,
               team: str | None) -> Iterator[dict]:
    """Agreements by name (retired ones too), created in [since, until), of provider
    ``team``; ``response`` and ``resolution`` as stored (JSON: priority -> minutes)."""
    where = _Where()
    where.window("created_at", since, until)
    if team:
        where.add("provider = ?", team)
    sql = ("SELECT name, provider, customer, calendar, response, resolution, at_risk_percent, "
           "active, created_at, updated_at FROM agreements" + where.sql + " ORDER BY name")
    for rows in _stream(conn, sql, where.args):
        yield from rows
