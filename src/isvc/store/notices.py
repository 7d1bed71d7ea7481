"""What notifications read and remember: who gets mail, the thread a request's mail
belongs to, the last risk state announced per clock (``sla_notices``), requests waiting on
their requester, and a team's digest figures."""

from __future__ import annotations

import sqlite3

from isvc.domain.models import OPEN_SQL, OPEN_STATUSES

# -- a request and the people around it ---------------------------------------------------

_CONTEXT = """
SELECT r.number, r.title, r.body, r.team, r.priority, r.status, r.channel, r.requester,
       r.assignee, r.created_at, r.agreement, r.sla_calendar, r.fr_due_at, r.res_due_at,
       t.name AS team_name, p.name AS requester_name, p.email AS requester_email,
       p.active AS requester_active, json_extract(c.definition, '$.tz') AS tz
FROM requests r
JOIN teams t ON t.handle = r.team
JOIN people p ON p.handle = r.requester
LEFT JOIN calendars c ON c.name = r.sla_calendar
WHERE r.number = ?
"""


def request_context(conn: sqlite3.Connection, number: int) -> dict | None:
    """A request with its requester's name and address, its team's name, its stored due
    times and the zone of its SLA calendar: what a notice about it says, in one query."""
    row = conn.execute(_CONTEXT, (number,)).fetchone()
    return dict(row) if row else None


def people(conn: sqlite3.Connection, handles: list[str]) -> dict[str, dict]:
    """{handle: {handle, name, email, active}} for the handles that exist."""
    handles = sorted({h for h in handles if h})
    if not handles:
        return {}
    marks = ",".join("?" * len(handles))
    rows = conn.execute(f"SELECT handle, name, email, active FROM people WHERE handle IN ({marks})",
                        handles)
    return {r["handle"]: dict(r) for r in rows}


def team_members(conn: sqlite3.Connection, team: str) -> list[dict]:
    """A team's active members who have an e-mail address."""
    rows = conn.execute(
        "SELECT p.handle, p.name, p.email, p.active FROM memberships m "
        "JOIN people p ON p.handle = m.person "
        "WHERE m.team = ? AND p.active = 1 AND p.email IS NOT NULL AND p.email != '' "
        "ORDER BY p.handle", (team,))
    return [dict(r) for r in rows]


def thread_root(conn: sqlite3.Connection, number: int) -> str | None:
    """The Message-ID every mail about ``number`` replies to: the mail that filed it, else
    the first mail isvc queued about it."""
    row = conn.execute(
        "SELECT message_id FROM ("
        " SELECT 0 AS k, id, message_id FROM mail_messages"
        "  WHERE number = ? AND outcome = 'request' AND message_id IS NOT NULL"
        " UNION ALL"
        " SELECT 1 AS k, id, message_id FROM outbox"
        "  WHERE number = ? AND channel = 'mail' AND message_id IS NOT NULL"
        ") ORDER BY k, id LIMIT 1", (number, number)).fetchone()
    return row[0] if row else None


def request_facts(conn: sqlite3.Connection, numbers: list[int]) -> dict[int, dict]:
    """What a notice about each request says of it, with its team's SLA zone."""
    out: dict[int, dict] = {}
    for i in range(0, len(numbers), 900):
        chunk = numbers[i:i + 900]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
                "SELECT r.number, r.title, r.team, r.priority, r.status, r.assignee, r.requester, "
                "r.agreement, r.sla_calendar, json_extract(c.definition, '$.tz') AS tz "
                "FROM requests r LEFT JOIN calendars c ON c.name = r.sla_calendar "
                f"WHERE r.number IN ({marks})", chunk):
            out[r["number"]] = dict(r)
    return out


# -- the last risk state announced per clock --------------------------------------------------

def sla_notices(conn: sqlite3.Connection, team: str | None = None) -> dict[tuple[int, str], dict]:
    """{(number, clock): {state, due_at, noticed_at}}, for one team's requests or all."""
    sql = "SELECT n.number, n.clock, n.state, n.due_at, n.noticed_at FROM sla_notices n"
    args: tuple = ()
    if team:
        sql += " JOIN requests r ON r.number = n.number WHERE r.team = ?"
        args = (team,)
    return {(r["number"], r["clock"]): dict(r) for r in conn.execute(sql, args)}


def save_sla_notice(conn: sqlite3.Connection, number: int, clock: str, state: str,
                    due_at: str | None, now_iso: str) -> None:
    conn.execute(
        "INSERT INTO sla_notices(number, clock, state, due_at, noticed_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(number, clock) DO UPDATE SET state = excluded.state, "
        "due_at = excluded.due_at, noticed_at = excluded.noticed_at",
        (number, clock, state, due_at, now_iso))


def delete_sla_notices(conn: sqlite3.Connection, keys: list[tuple[int, str]]) -> None:
    conn.executemany("DELETE FROM sla_notices WHERE number = ? AND clock = ?", keys)


# -- waiting on the requester ------------------------------------------------------------------

def requester_waits(conn: sqlite3.Connection, team: str | None = None) -> list[dict]:
    """Requests waiting on their requester, with the open wait (id, since when, the question)."""
    sql = ("SELECT r.number, r.title, r.team, r.priority, r.status, r.assignee, r.requester, "
           "r.sla_calendar, "
           "json_extract(c.definition, '$.tz') AS tz, w.id AS wait_id, w.started_at, "
           "w.reason FROM requests r "
           "JOIN waits w ON w.number = r.number AND w.ended_at IS NULL AND w.kind = 'requester' "
           "LEFT JOIN calendars c ON c.name = r.sla_calendar "
           f"WHERE r.status IN {OPEN_SQL} AND r.status = 'waiting' AND r.waiting_on = 'requester'")
    args: tuple = ()
    if team:
        sql += " AND r.team = ?"
        args = (team,)
    return [dict(r) for r in conn.execute(sql + " ORDER BY r.number", args)]


def queued_at(conn: sqlite3.Connection, dedupe_keys: list[str]) -> dict[str, str]:
    """{dedupe_key: created_at} of the outbox rows queued under these keys."""
    out: dict[str, str] = {}
    for i in range(0, len(dedupe_keys), 900):
        chunk = dedupe_keys[i:i + 900]
        marks = ",".join("?" * len(chunk))
        out.update(conn.execute(
            f"SELECT dedupe_key, created_at FROM outbox WHERE dedupe_key IN ({marks})",
            chunk).fetchall())
    return out


def any_queued_with_prefix(conn: sqlite3.Connection, prefix: str) -> bool:
    """Whether an outbox row's dedupe key starts with ``prefix`` (read through its index:
    a range, not LIKE)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return conn.execute("SELECT 1 FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ? LIMIT 1",
                        (prefix, upper)).fetchone() is not None


# -- a team's digest --------------------------------------------------------------------------

def team_zone(conn: sqlite3.Connection, team: str) -> str | None:
    """The zone of the team's calendar: its own, else its agreements' (the default one,
    for every customer, first), as `isvc team show` names it; None when it has none."""
    row = conn.execute(
        "SELECT json_extract(c.definition, '$.tz') FROM teams t "
        "JOIN calendars c ON c.name = t.calendar WHERE t.handle = ?", (team,)).fetchone()
    if row and row[0]:
        return row[0]
    row = conn.execute(
        "SELECT json_extract(c.definition, '$.tz') FROM agreements a "
        "JOIN calendars c ON c.name = a.calendar WHERE a.provider = ? AND a.active = 1 "
        "ORDER BY a.customer IS NOT NULL, a.name LIMIT 1", (team,)).fetchone()
    return row[0] if row else None


def digest_figures(conn: sqlite3.Connection, team: str, since_iso: str) -> dict:
    """Open requests by status, unassigned, the oldest open, and how many were filed since."""
    counts = dict(conn.execute(
        f"SELECT status, count(*) FROM requests WHERE status IN {OPEN_SQL} AND team = ? "
        "GROUP BY status", (team,)).fetchall())
    by_status = {s.value: counts.get(s.value, 0) for s in OPEN_STATUSES}
    unassigned = conn.execute(
        f"SELECT count(*) FROM requests WHERE status IN {OPEN_SQL} AND team = ? "
        "AND assignee IS NULL", (team,)).fetchone()[0]
    oldest = conn.execute(
        f"SELECT number, title, created_at FROM requests WHERE status IN {OPEN_SQL} AND team = ? "
        "ORDER BY created_at, number LIMIT 1", (team,)).fetchone()
    new = conn.execute("SELECT count(*) FROM requests WHERE team = ? AND created_at >= ?",
                       (team, since_iso)).fetchone()[0]
    return {"open": by_status, "unassigned": unassigned,
            "oldest": dict(oldest) if oldest else None, "new_since_yesterday": new}
