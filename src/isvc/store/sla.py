"""Calendars, agreements, and the clock columns stored on each request."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from isvc.domain.agreements import Agreement
from isvc.domain.models import OPEN_SQL

# -- calendars -----------------------------------------------------------------------


def get_calendar_row(conn: sqlite3.Connection, name: str) -> dict | None:
    row = conn.execute("SELECT * FROM calendars WHERE name = ?", (name,)).fetchone()
    if row is None:
        return None
    return {"name": row["name"], "definition": json.loads(row["definition"]),
            "holiday_names": json.loads(row["holiday_names"]),
            "created_at": row["created_at"], "updated_at": row["updated_at"]}


def calendar_definitions(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, definition JSON text) of every stored calendar."""
    return conn.execute("SELECT name, definition FROM calendars").fetchall()


def calendar_names(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("SELECT name FROM calendars ORDER BY name")]


def list_calendar_rows(conn: sqlite3.Connection) -> list[dict]:
    return [get_calendar_row(conn, name) for name in calendar_names(conn)]


def save_calendar(conn: sqlite3.Connection, name: str, definition: dict, holiday_names: dict,
                  now_iso: str) -> None:
    conn.execute(
        "INSERT INTO calendars(name, definition, holiday_names, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET definition = excluded.definition, "
        "holiday_names = excluded.holiday_names, updated_at = excluded.updated_at",
        (name, json.dumps(definition, sort_keys=True), json.dumps(holiday_names, sort_keys=True),
         now_iso, now_iso),
    )


def teams_using_calendar(conn: sqlite3.Connection, name: str) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT DISTINCT provider FROM agreements WHERE active = 1 AND (calendar = ? OR oncall_calendar = ?)",
        (name, name))]


# -- agreements ----------------------------------------------------------------------

def _agreement(row: sqlite3.Row) -> Agreement:
    return Agreement(
        name=row["name"], provider=row["provider"], customer=row["customer"],
        calendar=row["calendar"], response=json.loads(row["response"]),
        resolution=json.loads(row["resolution"]), at_risk_percent=row["at_risk_percent"],
        notify=json.loads(row["notify"]), oncall_calendar=row["oncall_calendar"],
        oncall=row["oncall"], pause_first_response=bool(row["pause_first_response"]),
        description=row["description"], active=bool(row["active"]),
    )


def get_agreement(conn: sqlite3.Connection, name: str) -> Agreement | None:
    row = conn.execute("SELECT * FROM agreements WHERE name = ?", (name,)).fetchone()
    return _agreement(row) if row else None


def list_agreements(conn: sqlite3.Connection, include_retired: bool = False) -> list[Agreement]:
    sql = "SELECT * FROM agreements"
    if not include_retired:
        sql += " WHERE active = 1"
    return [_agreement(row) for row in conn.execute(sql + " ORDER BY provider, customer IS NULL, name")]


def agreement_names_for_team(conn: sqlite3.Connection, team: str) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT name FROM agreements WHERE provider = ? AND active = 1 ORDER BY customer IS NULL, name",
        (team,))]


def save_agreement(conn: sqlite3.Connection, ag: Agreement, now_iso: str) -> None:
    conn.execute(
        "INSERT INTO agreements(name, provider, customer, calendar, response, resolution, "
        "at_risk_percent, notify, oncall_calendar, oncall, pause_first_response, description, "
        "active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET provider = excluded.provider, customer = excluded.customer, "
        "calendar = excluded.calendar, response = excluded.response, resolution = excluded.resolution, "
        "at_risk_percent = excluded.at_risk_percent, notify = excluded.notify, "
        "oncall_calendar = excluded.oncall_calendar, oncall = excluded.oncall, "
        "pause_first_response = excluded.pause_first_response, description = excluded.description, "
        "active = excluded.active, updated_at = excluded.updated_at",
        (ag.name, ag.provider, ag.customer, ag.calendar, json.dumps(ag.response),
         json.dumps(ag.resolution), ag.at_risk_percent, json.dumps(ag.notify), ag.oncall_calendar,
         ag.oncall, int(ag.pause_first_response), ag.description, int(ag.active), now_iso, now_iso),
    )


def matching_agreement(conn: sqlite3.Connection, provider: str, customer: str | None) -> Agreement | None:
    """The most specific active agreement: provider + customer team, then the provider's default."""
    row = conn.execute(
        "SELECT * FROM agreements WHERE active = 1 AND provider = ? AND (customer = ? OR customer IS NULL) "
        "ORDER BY customer IS NULL LIMIT 1", (provider, customer)).fetchone()
    return _agreement(row) if row else None


def open_numbers_for_agreements(conn: sqlite3.Connection, providers: list[str]) -> list[int]:
    """Open requests whose clocks an agreement or calendar edit may move."""
    if not providers:
        return []
    marks = ",".join("?" * len(providers))
    return [row[0] for row in conn.execute(
        f"SELECT number FROM requests WHERE status IN {OPEN_SQL} AND team IN ({marks})", providers)]


# -- clock columns ----------------------------------------------------------------------

CLOCK_COLUMNS = (
    "agreement", "sla_calendar", "at_risk_percent",
    "fr_target", "fr_due_at", "fr_risk_at", "fr_breached_at", "fr_met", "fr_elapsed",
    "res_target", "res_due_at", "res_risk_at", "res_breached_at", "res_met", "res_elapsed",
    "next_due_at", "next_risk_at",
)


def clock_inputs(conn: sqlite3.Connection, number: int) -> dict | None:
    """What the clocks are computed from: times, priority, status, requester's team."""
    row = conn.execute(
        "SELECT r.number, r.team, r.priority, r.status, r.created_at, r.first_response_at, "
        "r.resolved_at, r.closed_at, p.primary_team AS customer, "
        + ", ".join(f"r.{c}" for c in CLOCK_COLUMNS) +
        " FROM requests r LEFT JOIN people p ON p.handle = r.requester WHERE r.number = ?",
        (number,)).fetchone()
    return dict(row) if row else None


def clock_inputs_many(conn: sqlite3.Connection, numbers: list[int]) -> dict[int, dict]:
    """clock_inputs for many requests, a few hundred per query."""
    # Plain tuples and one look-up table of customers: building 100,000 sqlite3.Row
    # dicts through a join costs more than the clocks' arithmetic.
    customers = dict(conn.execute("SELECT handle, primary_team FROM people").fetchall())
    names = ("number", "team", "priority", "status", "created_at", "first_response_at",
             "resolved_at", "closed_at", "requester") + CLOCK_COLUMNS
    cur = conn.cursor()
    cur.row_factory = None
    out: dict[int, dict] = {}
    for i in range(0, len(numbers), 900):
        chunk = numbers[i:i + 900]
        for values in cur.execute(
                f"SELECT {', '.join(names)} FROM requests "
                f"WHERE number IN ({','.join('?' * len(chunk))})", chunk):
            row = dict(zip(names, values))
            row["customer"] = customers.get(row["requester"])
            out[values[0]] = row
    return out


def pauses_for(conn: sqlite3.Connection, numbers: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {n: [] for n in numbers}
    if not numbers:
        return out
    marks = ",".join("?" * len(numbers))
    for row in conn.execute(
        f"SELECT number, started_at, ended_at, kind, on_request, reason FROM waits "
        f"WHERE number IN ({marks}) ORDER BY number, started_at", numbers):
        out[row["number"]].append(dict(row))
    return out


def save_clocks(conn: sqlite3.Connection, number: int, values: dict[str, Any]) -> None:
    save_clocks_many(conn, [(number, values)])


# The indexes on clock columns; a recompute of thousands of requests rebuilds them once
# instead of updating them row by row (call inside the write transaction).
_CLOCK_INDEXES = ("requests_open_due", "requests_open_risk")
_BULK = 5000


def save_clocks_many(conn: sqlite3.Connection, items: list[tuple[int, dict[str, Any]]]) -> None:
    rebuild = []
    if len(items) >= _BULK:
        marks = ",".join("?" * len(_CLOCK_INDEXES))
        rebuild = conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
            _CLOCK_INDEXES).fetchall()
        for name, _ in rebuild:
            conn.execute(f"DROP INDEX {name}")
    conn.executemany(
        f"UPDATE requests SET {', '.join(f'{c} = ?' for c in CLOCK_COLUMNS)} WHERE number = ?",
        [(*[values[c] for c in CLOCK_COLUMNS], number) for number, values in items])
    for _, sql in rebuild:
        conn.execute(sql)


def clock_rows(conn: sqlite3.Connection, numbers: list[int]) -> dict[int, dict]:
    if not numbers:
        return {}
    marks = ",".join("?" * len(numbers))
    rows = conn.execute(
        f"SELECT number, created_at, status, first_response_at, resolved_at, closed_at, "
        + ", ".join(CLOCK_COLUMNS) + f" FROM requests WHERE number IN ({marks})", numbers)
    return {row["number"]: dict(row) for row in rows}


# -- agreement status figures ------------------------------------------------------------

def open_states(conn: sqlite3.Connection, now_iso: str) -> dict[str, dict[str, int]]:
    """Per agreement: open requests now, and how many are on track, at risk, breached."""
    rows = conn.execute(
        f"""SELECT agreement,
               count(*) AS open,
               sum(CASE WHEN {BREACHED_SQL} THEN 1 ELSE 0 END) AS breached,
               sum(CASE WHEN NOT ({BREACHED_SQL}) AND next_risk_at <= :now THEN 1 ELSE 0 END) AS at_risk
            FROM requests WHERE status IN {OPEN_SQL} AND agreement IS NOT NULL
            GROUP BY agreement""", {"now": now_iso})
    out = {}
    for row in rows:
        at_risk = row["at_risk"] or 0
        breached = row["breached"] or 0
        out[row["agreement"]] = {"open": row["open"], "breached": breached, "at_risk": at_risk,
                                 "on_track": row["open"] - breached - at_risk}
    return out


# A request is breached now when a clock's verdict was a breach, a breach was recorded,
# or a running clock is past its due time.
# IS, not =: a running clock's verdict is NULL, and NULL would make the NOT(...) of the
# at-risk count NULL too.
BREACHED_SQL = ("(fr_met IS 0 OR fr_breached_at IS NOT NULL OR res_breached_at IS NOT NULL "
                "OR (next_due_at IS NOT NULL AND next_due_at < :now))")


def period_figures(conn: sqlite3.Connection, agreement: str, start: str, end: str) -> dict:
    """Verdicts and business minutes of the clocks that stopped within [start, end)."""
    fr = conn.execute(
        "SELECT fr_met, fr_elapsed FROM requests WHERE agreement = ? AND first_response_at >= ? "
        "AND first_response_at < ? AND fr_met IS NOT NULL", (agreement, start, end)).fetchall()
    res = conn.execute(
        "SELECT res_met, res_elapsed FROM requests WHERE agreement = ? AND resolved_at >= ? "
        "AND resolved_at < ? AND res_met IS NOT NULL", (agreement, start, end)).fetchall()
    return {
        "fr_met": [r[0] for r in fr], "fr_elapsed": [r[1] for r in fr if r[1] is not None],
        "res_met": [r[0] for r in res], "res_elapsed": [r[1] for r in res if r[1] is not None],
    }


def watch_rows(conn: sqlite3.Connection, now_iso: str, team: str | None) -> list[dict]:
    """Open requests at risk or breached now (sla check), most overdue first."""
    sql = (f"SELECT number, team, assignee, title, priority, status, created_at, first_response_at, "
           f"resolved_at, {', '.join(CLOCK_COLUMNS)} FROM requests "
           f"WHERE status IN {OPEN_SQL} AND next_risk_at <= :now")
    if team:
        sql += " AND team = :team"
    sql += " ORDER BY next_due_at"
    return [dict(r) for r in conn.execute(sql, {"now": now_iso, "team": team})]
