"""Requests, their tags, watchers, journal events, waits and links."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable

from isvc.domain.filters import RequestFilter
from isvc.domain.models import OPEN_SQL, Event, Priority, Request, Status

_REQUEST_COLUMNS = (
    "number, title, body, status, priority, team, type, requester, assignee, fields, channel, "
    "waiting_on, dedupe_key, created_at, updated_at, first_response_at, resolved_at, closed_at, "
    "agreement"
)


def _waiting_on(value: str | None) -> str | int | None:
    if value is None or value == "requester":
        return value
    return int(value)


def _request(row: sqlite3.Row, tags: list[str], watchers: list[str]) -> Request:
    return Request(
        number=row["number"], title=row["title"], body=row["body"],
        status=Status(row["status"]), priority=Priority(row["priority"]), team=row["team"],
        type=row["type"], requester=row["requester"], assignee=row["assignee"],
        fields=json.loads(row["fields"] or "{}"), channel=row["channel"],
        waiting_on=_waiting_on(row["waiting_on"]), dedupe_key=row["dedupe_key"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        first_response_at=row["first_response_at"], resolved_at=row["resolved_at"],
        closed_at=row["closed_at"], agreement=row["agreement"], tags=tags, watchers=watchers,
    )


def _hydrate(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[Request]:
    """Tags and watchers for a page of rows in two queries, not two per row."""
    numbers = [row["number"] for row in rows]
    tags: dict[int, list[str]] = {}
    watchers: dict[int, list[str]] = {}
    if numbers:
        marks = ",".join("?" * len(numbers))
        for number, tag in conn.execute(
            f"SELECT number, tag FROM request_tags WHERE number IN ({marks}) ORDER BY tag", numbers
        ):
            tags.setdefault(number, []).append(tag)
        for number, person in conn.execute(
            f"SELECT number, person FROM watchers WHERE number IN ({marks}) ORDER BY person",
            numbers,
        ):
            watchers.setdefault(number, []).append(person)
    return [_request(row, tags.get(row["number"], []), watchers.get(row["number"], []))
            for row in rows]


def insert_request(conn: sqlite3.Connection, req: Request) -> int:
    cur = conn.execute(
        "INSERT INTO requests(title, body, status, priority, priority_rank, team, type, requester, "
        "assignee, fields, channel, waiting_on, dedupe_key, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (req.title, req.body, req.status.value, req.priority.value, req.priority.rank, req.team,
         req.type, req.requester, req.assignee, json.dumps(req.fields, sort_keys=True),
         req.channel, None if req.waiting_on is None else str(req.waiting_on), req.dedupe_key,
         req.created_at, req.updated_at),
    )
    number = cur.lastrowid
    for tag in req.tags:
        add_tag(conn, number, tag)
    for person in req.watchers:
        add_watcher(conn, number, person)
    return number


def get_request(conn: sqlite3.Connection, number: int) -> Request | None:
    row = conn.execute(
        f"SELECT {_REQUEST_COLUMNS} FROM requests WHERE number = ?", (number,)
    ).fetchone()
    return _hydrate(conn, [row])[0] if row else None


def number_for_dedupe_key(conn: sqlite3.Connection, key: str) -> int | None:
    row = conn.execute("SELECT number FROM requests WHERE dedupe_key = ?", (key,)).fetchone()
    return row[0] if row else None


def update_request(conn: sqlite3.Connection, number: int, **values: Any) -> None:
    if "priority" in values:
        values["priority_rank"] = Priority(values["priority"]).rank
    if "fields" in values:
        values["fields"] = json.dumps(values["fields"], sort_keys=True)
    if "waiting_on" in values and values["waiting_on"] is not None:
        values["waiting_on"] = str(values["waiting_on"])
    sets = ", ".join(f"{key} = ?" for key in values)
    conn.execute(f"UPDATE requests SET {sets} WHERE number = ?", (*values.values(), number))


def add_tag(conn: sqlite3.Connection, number: int, tag: str) -> bool:
    cur = conn.execute("INSERT OR IGNORE INTO request_tags(number, tag) VALUES (?, ?)", (number, tag))
    return cur.rowcount > 0


def remove_tag(conn: sqlite3.Connection, number: int, tag: str) -> bool:
    cur = conn.execute("DELETE FROM request_tags WHERE number = ? AND tag = ?", (number, tag))
    return cur.rowcount > 0


def add_watcher(conn: sqlite3.Connection, number: int, person: str) -> bool:
    cur = conn.execute("INSERT OR IGNORE INTO watchers(number, person) VALUES (?, ?)", (number, person))
    return cur.rowcount > 0


def remove_watcher(conn: sqlite3.Connection, number: int, person: str) -> bool:
    cur = conn.execute("DELETE FROM watchers WHERE number = ? AND person = ?", (number, person))
    return cur.rowcount > 0


# -- the journal -------------------------------------------------------------------

def insert_event(conn: sqlite3.Connection, number: int, at: str, actor: str, kind: str, *,
                 field: str | None = None, from_value: Any = None, to_value: Any = None,
                 message: str | None = None, internal: bool = False) -> int:
    cur = conn.execute(
        "INSERT INTO events(number, at, actor, kind, field, from_value, to_value, message, internal) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (number, at, actor, kind, field, None if from_value is None else str(from_value),
         None if to_value is None else str(to_value), message, int(internal)),
    )
    return cur.lastrowid


def _event(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"], number=row["number"], at=row["at"], actor=row["actor"], kind=row["kind"],
        field=row["field"], from_value=row["from_value"], to_value=row["to_value"],
        message=row["message"], internal=bool(row["internal"]),
    )


def events_for(conn: sqlite3.Connection, number: int, include_internal: bool) -> list[Event]:
    sql = "SELECT * FROM events WHERE number = ?"
    if not include_internal:
        sql += " AND internal = 0"
    return [_event(row) for row in conn.execute(sql + " ORDER BY id", (number,))]


def get_event(conn: sqlite3.Connection, event_id: int) -> Event | None:
    row = conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
    return _event(row) if row else None


def redact_event(conn: sqlite3.Connection, event_id: int, by: str, reason: str) -> None:
    conn.execute(
        "UPDATE events SET redacted_by = ?, redacted_reason = ?, "
        "message = '[redacted by ' || ? || ': ' || ? || ']' WHERE id = ?",
        (by, reason, by, reason, event_id),
    )


def is_redacted(conn: sqlite3.Connection, event_id: int) -> bool:
    row = conn.execute("SELECT redacted_by FROM events WHERE id = ?", (event_id,)).fetchone()
    return bool(row and row[0])


# -- waits and links -----------------------------------------------------------------

def open_wait(conn: sqlite3.Connection, number: int, at: str, reason: str | None,
              on_request: int | None = None, kind: str = "requester",
              ended_at: str | None = None) -> None:
    conn.execute(
        "INSERT INTO waits(number, started_at, ended_at, on_request, reason, kind) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (number, at, ended_at, on_request, reason, kind),
    )


def close_wait(conn: sqlite3.Connection, number: int, at: str) -> None:
    conn.execute("UPDATE waits SET ended_at = ? WHERE number = ? AND ended_at IS NULL", (at, number))


def waits_for(conn: sqlite3.Connection, number: int) -> list[dict]:
    return [dict(row) for row in conn.execute(
        "SELECT started_at, ended_at, on_request, reason, kind FROM waits WHERE number = ? "
        "ORDER BY started_at", (number,))]


def add_link(conn: sqlite3.Connection, src: int, dst: int, kind: str, at: str, actor: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO links(src, dst, kind, created_at, actor) VALUES (?, ?, ?, ?, ?)",
        (src, dst, kind, at, actor),
    )


def blocked_by(conn: sqlite3.Connection, src: int) -> list[int]:
    """The requests ``src`` blocks (its outgoing blocks links)."""
    return [row[0] for row in conn.execute(
        "SELECT dst FROM links WHERE src = ? AND kind = 'blocks' ORDER BY dst", (src,))]


def link_exists(conn: sqlite3.Connection, src: int, dst: int, kind: str) -> bool:
    return conn.execute("SELECT 1 FROM links WHERE src = ? AND dst = ? AND kind = ?",
                        (src, dst, kind)).fetchone() is not None


def links_between(conn: sqlite3.Connection, a: int, b: int, kinds: tuple[str, ...]) -> list[tuple]:
    marks = ",".join("?" * len(kinds))
    return conn.execute(
        f"SELECT src, dst, kind FROM links WHERE ((src = ? AND dst = ?) OR (src = ? AND dst = ?)) "
        f"AND kind IN ({marks}) ORDER BY kind, src", (a, b, b, a, *kinds)).fetchall()


def delete_link(conn: sqlite3.Connection, src: int, dst: int, kind: str) -> None:
    conn.execute("DELETE FROM links WHERE src = ? AND dst = ? AND kind = ?", (src, dst, kind))


def waiting_on(conn: sqlite3.Connection, number: int) -> list[int]:
    """The requests waiting on request ``number``."""
    return [row[0] for row in conn.execute(
        "SELECT number FROM requests WHERE status = 'waiting' AND waiting_on = ? ORDER BY number",
        (str(number),))]


def links_for(conn: sqlite3.Connection, number: int) -> list[dict]:
    rows = conn.execute(
        "SELECT src, dst, kind FROM links WHERE src = ? UNION ALL "
        "SELECT src, dst, kind FROM links WHERE dst = ?", (number, number))
    return [dict(row) for row in rows]


# -- lists and the queue -------------------------------------------------------------

def _where(flt: RequestFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if flt.statuses:
        open_set = {s.value for s in flt.statuses}
        if open_set == {"new", "acknowledged", "in_progress", "waiting"}:
            where.append(f"status IN {OPEN_SQL}")  # verbatim: lets SQLite use the partial indexes
        else:
            where.append(f"status IN ({','.join('?' * len(open_set))})")
            args.extend(sorted(open_set))
    if flt.teams:
        where.append(f"team IN ({','.join('?' * len(flt.teams))})")
        args.extend(flt.teams)
    if flt.requester:
        where.append("requester = ?")
        args.append(flt.requester)
    if flt.assignee is not None:
        if flt.assignee == "":
            where.append("assignee IS NULL")
        else:
            where.append("assignee = ?")
            args.append(flt.assignee)
    if flt.priorities:
        where.append(f"priority IN ({','.join('?' * len(flt.priorities))})")
        args.extend(p.value for p in flt.priorities)
    for tag in flt.tags:
        where.append("number IN (SELECT number FROM request_tags WHERE tag = ?)")
        args.append(tag)
    if flt.text:
        where.append("(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\')")
        needle = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        args.extend([needle, needle])
    if flt.since:
        where.append("created_at >= ?")
        args.append(flt.since)
    if flt.until:
        where.append("created_at < ?")
        args.append(flt.until)
    if flt.visible_to:
        who = flt.visible_to
        where.append(
            "(requester = ? OR assignee = ? OR team IN (SELECT team FROM memberships WHERE person = ?)"
            " OR number IN (SELECT number FROM watchers WHERE person = ?))"
        )
        args.extend([who, who, who, who])
    return where, args


def list_requests(conn: sqlite3.Connection, flt: RequestFilter,
                  order: Iterable[tuple[str, bool]], limit: int | None) -> list[Request]:
    where, args = _where(flt)
    sql = f"SELECT {_REQUEST_COLUMNS} FROM requests"
    if where:
        sql += " WHERE " + " AND ".join(where)
    order = list(order)
    if not any(col == "number" for col, _ in order):
        order.append(("number", order[-1][1]))  # a stable order; matches the index tail (rowid)
    sql += " ORDER BY " + ", ".join(f"{col} {'DESC' if desc else 'ASC'}" for col, desc in order)
    if limit:
        sql += f" LIMIT {int(limit)}"
    return _hydrate(conn, conn.execute(sql, args).fetchall())


def queue_sql(team_filter: bool, assignee_filter: bool, extra_status: bool,
              blocks: dict[int, int] | None = None) -> str:
    # Without statistics SQLite may prefer a history index (team or assignee + created_at)
    # and read years of closed requests; the partial indexes hold only open ones.
    index = ("requests_open_due" if team_filter else
             "requests_open_assignee" if assignee_filter else "requests_open_risk")
    where = [f"status IN {OPEN_SQL}"]
    if team_filter:
        where.append("team = :team")
    if assignee_filter:
        where.append("assignee = :assignee")
    if extra_status:
        where.append("status = :status")
    # Most urgent first (SLA-SPEC views): breached (longest overdue first), at risk, then
    # the nearest due time; requests with no running clock (paused, no agreement) last,
    # by priority and age. Within each of those groups, requests that block others come
    # first, the most blocked first (``blocks``: {number: open requests waiting on it},
    # numbers the caller computed, written in as integers).
    blocking = ""
    if blocks:
        whens = " ".join(f"WHEN {int(n)} THEN {int(c)}" for n, c in sorted(blocks.items()))
        blocking = f"CASE number {whens} ELSE 0 END DESC, "
    return (f"SELECT {_REQUEST_COLUMNS} FROM requests INDEXED BY {index} "
            f"WHERE {' AND '.join(where)} ORDER BY CASE WHEN next_due_at IS NULL THEN 3 WHEN next_due_at < :now THEN 0 "
            f"WHEN next_risk_at <= :now THEN 1 ELSE 2 END, {blocking}next_due_at, priority_rank, created_at, "
            "number LIMIT :limit")


def queue(conn: sqlite3.Connection, team: str | None, assignee: str | None,
          status: str | None, limit: int, now_iso: str,
          blocks: dict[int, int] | None = None) -> list[Request]:
    sql = queue_sql(team is not None, assignee is not None, status is not None, blocks)
    rows = conn.execute(sql, {"team": team, "assignee": assignee, "status": status,
                              "limit": limit, "now": now_iso}).fetchall()
    return _hydrate(conn, rows)


def queue_counts(conn: sqlite3.Connection, team: str | None, now_iso: str,
                 assignee: str | None = None) -> dict[str, int]:
    """Open requests per status, plus waiting-on-requester, breached and at-risk counts:
    all answered from the partial indexes over open requests."""
    where = (f"status IN {OPEN_SQL}" + (" AND team = :team" if team else "")
             + (" AND assignee = :assignee" if assignee else ""))
    # Name the partial index: without statistics SQLite may pick a history index.
    index = "requests_open_assignee" if assignee and not team else "requests_open_status"
    source = f"requests INDEXED BY {index}"
    args = {"team": team, "now": now_iso, "assignee": assignee}
    counts = dict(conn.execute(
        f"SELECT status, count(*) FROM {source} WHERE {where} GROUP BY status", args).fetchall())
    counts["waiting_on_requester"] = conn.execute(
        f"SELECT count(*) FROM {source} WHERE {where} AND status = 'waiting' "
        "AND waiting_on = 'requester'", args).fetchone()[0]
    counts["breached"] = conn.execute(
        f"SELECT count(*) FROM {source} WHERE {where} AND next_due_at < :now", args).fetchone()[0]
    counts["at_risk"] = conn.execute(
        f"SELECT count(*) FROM {source} WHERE {where} AND next_due_at >= :now "
        "AND next_risk_at <= :now", args).fetchone()[0]
    return counts


def resolved_before(conn: sqlite3.Connection, cutoff: str) -> list[int]:
    return [row[0] for row in conn.execute(
        "SELECT number FROM requests WHERE status = 'resolved' AND resolved_at <= ? "
        "ORDER BY number", (cutoff,))]


def open_numbers_assigned_to(conn: sqlite3.Connection, person: str) -> list[int]:
    return [row[0] for row in conn.execute(
        f"SELECT number FROM requests WHERE status IN {OPEN_SQL} AND assignee = ? ORDER BY number",
        (person,))]
