"""A desk from before agreements (schema 1) upgrades to schema 2 with its requests intact
and no clocks until an agreement covers them."""

from __future__ import annotations

import sqlite3

from isvc.store.db import SCHEMA_VERSION

from ._support import at

REQUEST_SQL = (
    "INSERT INTO requests(title, body, status, priority, priority_rank, team, requester, "
    "assignee, created_at, updated_at, first_response_at, resolved_at) "
    "VALUES (?, '', ?, ?, ?, 'it', ?, ?, ?, ?, ?, ?)")


def schema_1_database(path) -> None:
    from sqlite_utils import Database

    from isvc.store.migrations import _migrations

    conn = sqlite3.connect(path, isolation_level=None)
    _migrations().apply(Database(conn), stop_before="0002_agreements")
    conn.execute("PRAGMA user_version = 1")
    t = "2026-11-20T10:00:00Z"
    conn.execute("INSERT INTO teams(handle, name, created_at) VALUES ('it', 'IT', ?)", (t,))
    conn.execute("INSERT INTO teams(handle, name, created_at) VALUES ('sales', 'Sales', ?)", (t,))
    for handle, team in (("jim", "it"), ("boss", "it"), ("mihai", "sales")):
        conn.execute("INSERT INTO people(handle, name, primary_team, created_at) VALUES (?, ?, ?, ?)",
                     (handle, handle.title(), team, t))
        conn.execute("INSERT INTO memberships(person, team) VALUES (?, ?)", (handle, team))
    conn.execute(REQUEST_SQL, ("Old and open", "in_progress", "normal", 2, "mihai", "jim",
                               "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z",
                               "2026-11-20T10:30:00Z", None))
    conn.execute(REQUEST_SQL, ("Old and resolved", "resolved", "high", 1, "mihai", None,
                               "2026-11-19T09:00:00Z", "2026-11-19T12:00:00Z",
                               "2026-11-19T09:10:00Z", "2026-11-19T12:00:00Z"))
    conn.execute("INSERT INTO events(number, at, actor, kind, to_value) "
                 "VALUES (1, '2026-11-20T10:00:00Z', 'mihai', 'filed', 'new')")
    conn.execute("INSERT INTO waits(number, started_at, ended_at) "
                 "VALUES (1, '2026-11-20T10:40:00Z', '2026-11-20T10:50:00Z')")
    conn.close()


def test_schema_1_upgrades_with_requests_intact_and_no_clocks(isvc, tmp_path):
    path = tmp_path / "old.db"
    schema_1_database(path)
    before = sqlite3.connect(path).execute(
        "SELECT number, title, status, priority, requester, assignee, created_at, updated_at, "
        "first_response_at, resolved_at FROM requests ORDER BY number").fetchall()
    assert "0002_agreements" not in [r[0] for r in sqlite3.connect(path).execute(
        "SELECT name FROM _sqlite_migrations")]

    shown = isvc.json("--db", path, "--as", "boss", "request", "show", 1, env=at("2026-11-23T09:30:00Z"))
    assert (shown["title"], shown["status"], shown["assignee"]) == ("Old and open", "in_progress", "jim")
    assert shown["agreement"] is None and shown["sla"] is None
    assert [e["kind"] for e in shown["events"]] == ["filed"]
    listed = isvc.json("--db", path, "--as", "boss", "request", "list", "--sort", "-number")
    assert [(r["number"], r["sla"]) for r in listed] == [(2, None), (1, None)]

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute(
        "SELECT number, title, status, priority, requester, assignee, created_at, updated_at, "
        "first_response_at, resolved_at FROM requests ORDER BY number").fetchall() == before
    clocks = conn.execute(
        "SELECT agreement, sla_calendar, fr_due_at, res_due_at, fr_met, res_met, next_due_at, "
        "next_risk_at FROM requests").fetchall()
    assert clocks == [(None,) * 8] * 2
    assert conn.execute("SELECT kind FROM waits").fetchall() == [("requester",)]
    conn.close()

    # the first agreement gives the open request its clocks; the resolved one keeps none
    isvc("--db", path, "--as", "boss", "calendar", "add", "office", "--tz", "UTC", "--hours",
         "mon-fri 09:00-17:00")
    isvc("--db", path, "--as", "boss", "agreement", "add", "it-std", "--provider", "it",
         "--calendar", "office", "--response", "urgent=30m,high=1h,normal=4h,low=1d",
         "--resolution", "urgent=2h,high=1d,normal=2d,low=5d", env=at("2026-11-23T09:30:00Z"))
    now = at("2026-11-23T09:30:00Z")
    first = isvc.json("--db", path, "--as", "boss", "request", "show", 1, env=now)["sla"]
    # filed Fri 20 Nov 10:00: Fri 410 (420 less the 10-minute wait) + Mon 480 + Tue 70
    assert first["resolution"]["due_at"] == "2026-11-24T10:10:00Z"
    assert first["first_response"]["state"] == "met"
    assert isvc.json("--db", path, "--as", "boss", "request", "show", 2, env=now)["sla"] is None
