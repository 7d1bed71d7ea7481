"""The request catalog's rows (request_types) and the needs-info counts over requests."""

from __future__ import annotations

import json
import sqlite3

from isvc.domain.catalog import FieldDef, RequestType


def _type(row: sqlite3.Row) -> RequestType:
    fields = [FieldDef(name=f["name"], kind=f["kind"], required=bool(f.get("required")),
                       choices=list(f.get("choices") or []), label=f.get("label"))
              for f in json.loads(row["fields"] or "[]")]
    return RequestType(
        key=row["key"], team=row["team"], name=row["name"], title=row["title"],
        description=row["description"], priority=row["priority"], fields=fields,
        active=bool(row["active"]), created_at=row["created_at"], updated_at=row["updated_at"],
    )


def _fields_json(t: RequestType) -> str:
    return json.dumps([f.to_dict() for f in t.fields], ensure_ascii=False)


def get_type(conn: sqlite3.Connection, key: str) -> RequestType | None:
    row = conn.execute("SELECT * FROM request_types WHERE key = ?", (key,)).fetchone()
    return _type(row) if row else None


def list_types(conn: sqlite3.Connection, team: str | None = None,
               include_retired: bool = False) -> list[RequestType]:
    where, args = [], []
    if team:
        where.append("team = ?")
        args.append(team)
    if not include_retired:
        where.append("active = 1")
    sql = "SELECT * FROM request_types"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_type(row) for row in conn.execute(sql + " ORDER BY key", args)]


def team_has_types(conn: sqlite3.Connection, team: str) -> bool:
    """Whether ``team`` has a catalog at all (active or retired types)."""
    return conn.execute("SELECT 1 FROM request_types WHERE team = ? LIMIT 1",
                        (team,)).fetchone() is not None


def insert_type(conn: sqlite3.Connection, t: RequestType) -> None:
    conn.execute(
        "INSERT INTO request_types(key, team, name, title, description, priority, fields, active, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (t.key, t.team, t.name, t.title, t.description, t.priority, _fields_json(t), int(t.active),
         t.created_at, t.updated_at),
    )


def update_type(conn: sqlite3.Connection, t: RequestType) -> None:
    conn.execute(
        "UPDATE request_types SET title = ?, description = ?, priority = ?, fields = ?, "
        "active = ?, updated_at = ? WHERE key = ?",
        (t.title, t.description, t.priority, _fields_json(t), int(t.active), t.updated_at, t.key),
    )


def needs_info_rows(conn: sqlite3.Connection, since_iso: str | None,
                    team: str | None = None) -> list[sqlite3.Row]:
    """Requests filed since ``since_iso`` grouped by (type, provider team, the requester's
    primary team, requester): how many, how many needs-info round-trips they had, and how
    many had at least one. The events_number index answers each request's count."""
    where, args = [], []
    if since_iso:
        where.append("r.created_at >= ?")
        args.append(since_iso)
    if team:
        where.append("r.team = ?")
        args.append(team)
    sql = (
        "SELECT type, team, customer_team, requester, count(*) AS requests, "
        "coalesce(sum(asked), 0) AS needs_info, "
        "coalesce(sum(asked > 0), 0) AS needs_info_requests FROM ("
        " SELECT r.type AS type, r.team AS team, p.primary_team AS customer_team,"
        " r.requester AS requester,"
        " (SELECT count(*) FROM events e WHERE e.number = r.number AND e.kind = 'needs_info') AS asked"
        " FROM requests r LEFT JOIN people p ON p.handle = r.requester"
        + (" WHERE " + " AND ".join(where) if where else "")
        + ") GROUP BY type, team, customer_team, requester"
    )
    return conn.execute(sql, args).fetchall()


def needs_info_events(conn: sqlite3.Connection, number: int) -> int:
    return conn.execute("SELECT count(*) FROM events WHERE number = ? AND kind = 'needs_info'",
                        (number,)).fetchone()[0]
