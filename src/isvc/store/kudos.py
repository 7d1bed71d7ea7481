"""Kudos rows: giving, retracting, counting a giver's week, the wall, leaderboard windows."""

from __future__ import annotations

import sqlite3
from typing import Iterable

from isvc.domain.kudos import Kudos

_COLUMNS = (
    "k.id, k.giver, k.recipient, k.to_kind, k.message, k.value, k.request, k.lateral, k.private, "
    "k.giver_team, k.recipient_team, k.created_at, k.retracted_at, k.retracted_by"
)


def _kudos(row: sqlite3.Row) -> Kudos:
    keys = row.keys()
    return Kudos(
        id=row["id"], giver=row["giver"], recipient=row["recipient"], to_kind=row["to_kind"],
        message=row["message"], value=row["value"], request=row["request"],
        lateral=bool(row["lateral"]), private=bool(row["private"]),
        giver_team=row["giver_team"], recipient_team=row["recipient_team"],
        created_at=row["created_at"], retracted_at=row["retracted_at"],
        retracted_by=row["retracted_by"],
        request_title=row["request_title"] if "request_title" in keys else None,
    )


def insert_kudos(conn: sqlite3.Connection, k: Kudos) -> int:
    cur = conn.execute(
        "INSERT INTO kudos(giver, recipient, to_kind, message, value, request, lateral, private, "
        "giver_team, recipient_team, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (k.giver, k.recipient, k.to_kind, k.message, k.value, k.request, int(k.lateral),
         int(k.private), k.giver_team, k.recipient_team, k.created_at),
    )
    return cur.lastrowid


def get_kudos(conn: sqlite3.Connection, kudos_id: int) -> Kudos | None:
    row = conn.execute(
        f"SELECT {_COLUMNS}, r.title AS request_title FROM kudos k "
        "LEFT JOIN requests r ON r.number = k.request WHERE k.id = ?", (kudos_id,)
    ).fetchone()
    return _kudos(row) if row else None


def mark_retracted(conn: sqlite3.Connection, kudos_id: int, at: str, by: str) -> None:
    conn.execute("UPDATE kudos SET retracted_at = ?, retracted_by = ? WHERE id = ?",
                 (at, by, kudos_id))


def given_since(conn: sqlite3.Connection, giver: str, since_iso: str) -> int:
    """Kudos ``giver`` gave at or after ``since_iso`` that still stand (retracted ones are
    given back)."""
    return conn.execute(
        "SELECT count(*) FROM kudos WHERE giver = ? AND created_at >= ? AND retracted_at IS NULL",
        (giver, since_iso),
    ).fetchone()[0]


def _visible(viewer: str, viewer_teams: Iterable[str], is_admin: bool) -> tuple[str, list]:
    """Private kudos: only the giver, the receiver (a team's members) and admins see them."""
    if is_admin:
        return "1", []
    teams = sorted(viewer_teams)
    marks = ",".join("?" * len(teams))
    team_clause = f" OR (k.to_kind = 'team' AND k.recipient IN ({marks}))" if teams else ""
    return (f"(k.private = 0 OR k.giver = ? OR (k.to_kind = 'person' AND k.recipient = ?){team_clause})",
            [viewer, viewer, *teams])


def wall(conn: sqlite3.Connection, viewer: str, viewer_teams: Iterable[str], is_admin: bool, *,
         team: str | None = None, since_iso: str | None = None,
         limit: int | None = None) -> list[Kudos]:
    """Standing kudos the viewer may see, newest first; ``team``: given or received by it."""
    visible, args = _visible(viewer, viewer_teams, is_admin)
    where = ["k.retracted_at IS NULL", visible]
    if team:
        where.append("(k.giver_team = ? OR k.recipient_team = ?)")
        args += [team, team]
    if since_iso:
        where.append("k.created_at >= ?")
        args.append(since_iso)
    sql = (f"SELECT {_COLUMNS}, r.title AS request_title FROM kudos k "
           f"LEFT JOIN requests r ON r.number = k.request WHERE {' AND '.join(where)} "
           "ORDER BY k.created_at DESC, k.id DESC")
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return [_kudos(row) for row in conn.execute(sql, args)]


def public_since(conn: sqlite3.Connection, since_iso: str | None) -> list[Kudos]:
    """What leaderboards count: standing, non-private kudos in the window."""
    sql = f"SELECT {_COLUMNS} FROM kudos k WHERE k.retracted_at IS NULL AND k.private = 0"
    args: list = []
    if since_iso:
        sql += " AND k.created_at >= ?"
        args.append(since_iso)
    return [_kudos(row) for row in conn.execute(sql + " ORDER BY k.created_at, k.id", args)]


def opted_out(conn: sqlite3.Connection) -> set[str]:
    """People who asked not to appear on leaderboards (`isvc person edit me --no-leaderboard`)."""
    return {row[0] for row in conn.execute("SELECT handle FROM people WHERE leaderboard = 0")}


def names(conn: sqlite3.Connection, table: str, handles: Iterable[str]) -> dict[str, str]:
    """Display names of people or teams, for views."""
    assert table in ("people", "teams")
    handles = sorted(set(h for h in handles if h))
    if not handles:
        return {}
    marks = ",".join("?" * len(handles))
    return dict(conn.execute(
        f"SELECT handle, name FROM {table} WHERE handle IN ({marks})", handles).fetchall())
