"""Shared pieces of the notification trigger tests (no tests here).

The desk is the root conftest's (teams it, payroll, sales; jim (it, jim@example.com), alina
and boss in it, boss the admin; ana in payroll (ana@example.com); mihai in sales) plus:

- dan in sales with dan@example.com (a watcher);
- calendar "office": Europe/Bucharest, Mon–Fri 09:00–17:00; "always": 24x7 Bucharest;
- agreement it-std (provider it, calendar office):
      first response  urgent 30m  high 1h  normal 4h  low 1d
      resolution      urgent 2h   high 1d  normal 2d  low 5d
- mail.address "IT Service Desk <helpdesk@example.com>".

ISVC_NOW is pinned at Mon 23 Nov 2026 09:30Z, 11:30 in Bucharest.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

RESPONSE = "urgent=30m,high=1h,normal=4h,low=1d"
RESOLUTION = "urgent=2h,high=1d,normal=2d,low=5d"
MON = "2026-11-23T09:30:00Z"


def at(when: str) -> dict:
    return {"ISVC_NOW": when}


def build(isvc) -> None:
    isvc("--as", "boss", "person", "add", "dan", "--name", "Dan Munteanu", "--team", "sales",
         "--email", "dan@example.com")
    isvc("--as", "boss", "calendar", "add", "office", "--tz", "Europe/Bucharest",
         "--hours", "mon-fri 09:00-17:00")
    isvc("--as", "boss", "calendar", "add", "always", "--tz", "Europe/Bucharest",
         "--hours", "mon-sun 00:00-24:00")
    isvc("--as", "boss", "agreement", "add", "it-std", "--provider", "it", "--calendar", "office",
         "--response", RESPONSE, "--resolution", RESOLUTION)
    isvc("config", "set", "mail.address", "IT Service Desk <helpdesk@example.com>")


@pytest.fixture
def nd(request, snapshot, isvc):
    """The notify desk above, built once per session and copied per test."""

    def make() -> None:
        request.getfixturevalue("desk")
        build(isvc)

    snapshot("notify-triggers", make)
    return isvc


def file(isvc, when: str, who: str, title: str, *args: str) -> int:
    return int(isvc("--as", who, "request", "new", title, "--team", "it", *args,
                    env=at(when)).stdout)


def act(isvc, when: str, who: str, *args: str, code: int = 0):
    return isvc("--as", who, "request", *args, env=at(when), code=code)


def outbox(home: Path, where: str = "1", *args) -> list[dict]:
    """The outbox rows, oldest first, payload decoded."""
    conn = sqlite3.connect(home / "isvc.db")
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute(f"SELECT * FROM outbox WHERE {where} ORDER BY id",
                                              args)]
    finally:
        conn.close()
    for row in rows:
        row["payload"] = json.loads(row["payload"]) if row["payload"] else {}
    return rows


def sql(home: Path, statement: str, *args) -> list[tuple]:
    conn = sqlite3.connect(home / "isvc.db")
    try:
        with conn:
            return conn.execute(statement, args).fetchall()
    finally:
        conn.close()


def set_webhooks(home: Path, hooks: list[dict]) -> None:
    """Register webhooks the way the desk setting stores them."""
    from isvc.store import directory
    from isvc.store.db import open_db, write

    conn = open_db(home / "isvc.db")
    try:
        with write(conn):
            directory.set_setting(conn, "webhooks", hooks)
    finally:
        conn.close()


def hook(name: str, events: list[str], teams: list[str] = ()) -> dict:
    return {"name": name, "url": "http://127.0.0.1:9/x", "events": events, "teams": list(teams),
            "secret_env": None}


def summary(rows: list[dict]) -> list[tuple]:
    """(kind, channel, recipient, number) of each row."""
    return [(r["kind"], r["channel"], r["recipient"], r["number"]) for r in rows]
