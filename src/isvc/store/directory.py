"""Teams, people, memberships, desk settings and the audit log."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from isvc.domain.models import Person, Team


def get_setting(conn: sqlite3.Connection, key: str, default: Any = None) -> Any:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def set_setting(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute(
        "INSERT INTO settings(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )


def audit(conn: sqlite3.Connection, at: str, actor: str, action: str, subject: str,
          detail: dict | None = None) -> None:
    conn.execute(
        "INSERT INTO audit_log(at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (at, actor, action, subject, json.dumps(detail) if detail else None),
    )


def audit_rows(conn: sqlite3.Connection, limit: int = 50) -> list[dict]:
    rows = conn.execute(
        "SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [dict(row) | {"detail": json.loads(row["detail"] or "null")} for row in rows]


# -- teams -------------------------------------------------------------------------

def insert_team(conn: sqlite3.Connection, handle: str, name: str, created_at: str) -> None:
    conn.execute(
        "INSERT INTO teams(handle, name, created_at) VALUES (?, ?, ?)", (handle, name, created_at)
    )


def update_team(conn: sqlite3.Connection, handle: str, **values: Any) -> None:
    sets = ", ".join(f"{key} = ?" for key in values)
    conn.execute(f"UPDATE teams SET {sets} WHERE handle = ?", (*values.values(), handle))


def team_exists(conn: sqlite3.Connection, handle: str) -> bool:
    return conn.execute("SELECT 1 FROM teams WHERE handle = ?", (handle,)).fetchone() is not None


def get_team(conn: sqlite3.Connection, handle: str) -> Team | None:
    row = conn.execute("SELECT * FROM teams WHERE handle = ?", (handle,)).fetchone()
    if row is None:
        return None
    members = [r[0] for r in conn.execute(
        "SELECT person FROM memberships WHERE team = ? ORDER BY person", (handle,))]
    return Team(handle=row["handle"], name=row["name"], calendar=row["calendar"], members=members)


def list_teams(conn: sqlite3.Connection) -> list[Team]:
    members: dict[str, list[str]] = {}
    for team, person in conn.execute("SELECT team, person FROM memberships ORDER BY team, person"):
        members.setdefault(team, []).append(person)
    return [
        Team(handle=row["handle"], name=row["name"], calendar=row["calendar"],
             members=members.get(row["handle"], []))
        for row in conn.execute("SELECT * FROM teams ORDER BY handle")
    ]


def team_handles(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT handle FROM teams ORDER BY handle")]


def open_counts_by_team(conn: sqlite3.Connection) -> dict[str, int]:
    from isvc.domain.models import OPEN_SQL

    return dict(conn.execute(
        f"SELECT team, count(*) FROM requests WHERE status IN {OPEN_SQL} GROUP BY team"
    ).fetchall())


# -- people ------------------------------------------------------------------------

def insert_person(conn: sqlite3.Connection, person: Person, created_at: str) -> None:
    conn.execute(
        "INSERT INTO people(handle, name, email, primary_team, active, leaderboard, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (person.handle, person.name, person.email, person.primary_team, int(person.active),
         int(person.leaderboard), created_at),
    )
    for team in person.teams:
        add_membership(conn, person.handle, team)


def add_membership(conn: sqlite3.Connection, person: str, team: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO memberships(person, team) VALUES (?, ?)", (person, team)
    )


def remove_membership(conn: sqlite3.Connection, person: str, team: str) -> None:
    conn.execute("DELETE FROM memberships WHERE person = ? AND team = ?", (person, team))


def update_person(conn: sqlite3.Connection, handle: str, **values: Any) -> None:
    sets = ", ".join(f"{key} = ?" for key in values)
    conn.execute(f"UPDATE people SET {sets} WHERE handle = ?", (*values.values(), handle))


def _person(conn: sqlite3.Connection, row: sqlite3.Row) -> Person:
    teams = [r[0] for r in conn.execute(
        "SELECT team FROM memberships WHERE person = ? ORDER BY team", (row["handle"],))]
    return Person(
        handle=row["handle"], name=row["name"], email=row["email"], teams=teams,
        primary_team=row["primary_team"], active=bool(row["active"]),
        leaderboard=bool(row["leaderboard"]),
    )


def get_person(conn: sqlite3.Connection, handle: str) -> Person | None:
    row = conn.execute("SELECT * FROM people WHERE handle = ?", (handle,)).fetchone()
    return _person(conn, row) if row else None


def person_by_email(conn: sqlite3.Connection, email: str) -> Person | None:
    row = conn.execute("SELECT * FROM people WHERE email = ?", (email,)).fetchone()
    return _person(conn, row) if row else None


def person_exists(conn: sqlite3.Connection, handle: str) -> bool:
    return conn.execute("SELECT 1 FROM people WHERE handle = ?", (handle,)).fetchone() is not None


def list_people(conn: sqlite3.Connection, team: str | None = None,
                include_inactive: bool = True) -> list[Person]:
    sql = "SELECT * FROM people"
    where, args = [], []
    if team:
        where.append("handle IN (SELECT person FROM memberships WHERE team = ?)")
        args.append(team)
    if not include_inactive:
        where.append("active = 1")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_person(conn, row) for row in conn.execute(sql + " ORDER BY handle", args)]


def person_handles(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT handle FROM people ORDER BY handle")]


def teams_of(conn: sqlite3.Connection, person: str) -> set[str]:
    return {row[0] for row in conn.execute(
        "SELECT team FROM memberships WHERE person = ?", (person,))}


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = ("teams", "people", "requests", "events", "audit_log")
    return {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in tables}
