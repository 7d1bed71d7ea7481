"""Shared pieces of the SLA integration tests (fixtures are imported by each module).

Every scenario runs on a UTC calendar unless it says otherwise, so the due times in the
assertions can be checked by hand: "office" is Mon–Fri 09:00–17:00, "always" is 24×7.
2026-11-23 is a Monday; the root conftest pins ISVC_NOW to Mon 23 Nov 09:30Z.

The agreement "it-std" (provider it, every customer, calendar office):
    first response  urgent 30m   high 1h    normal 4h (240)   low 1d (480)
    resolution      urgent 2h    high 1d    normal 2d (960)   low 5d (2400)
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from isvc.cli import _common

OFFICE = ("--tz", "UTC", "--hours", "mon-fri 09:00-17:00")
ALWAYS = ("--tz", "UTC", "--hours", "mon-sun 00:00-24:00")
RESPONSE = "urgent=30m,high=1h,normal=4h,low=1d"
RESOLUTION = "urgent=2h,high=1d,normal=2d,low=5d"

CLOCK_KEYS = {"target_minutes", "due_at", "at_risk_at", "state", "elapsed_business_minutes",
              "remaining_business_minutes", "paused"}

_SNAPSHOTS: dict[str, Path] = {}


def at(when: str) -> dict:
    """The env that pins one command's clock."""
    return {"ISVC_NOW": when}


def build_sla_desk(isvc) -> None:
    isvc("--as", "boss", "calendar", "add", "office", *OFFICE)
    isvc("--as", "boss", "calendar", "add", "always", *ALWAYS)
    isvc("--as", "boss", "agreement", "add", "it-std", "--provider", "it", "--calendar", "office",
         "--response", RESPONSE, "--resolution", RESOLUTION)


@pytest.fixture
def sla_desk(request, tmp_path_factory, isvc_home, isvc):
    """The root `desk` (teams it, payroll, sales; jim, alina, boss in it; ana in payroll;
    mihai in sales; boss the admin) plus the calendars and it-std above. Built once per
    session through the CLI, then copied into each test's ISVC_HOME."""
    _common.reset()
    source = _SNAPSHOTS.get("sla")
    if source is None:
        request.getfixturevalue("desk")
        build_sla_desk(isvc)
        _common.reset()  # closes the desk, checkpointing the WAL into the file
        source = tmp_path_factory.mktemp("sla-snapshot") / "home"
        shutil.copytree(isvc_home, source)
        _SNAPSHOTS["sla"] = source
    else:
        shutil.copytree(source, isvc_home, dirs_exist_ok=True)
    return isvc


def file(isvc, when: str, *args: str, who: str = "mihai") -> int:
    """File a request at ``when``; returns its number."""
    return int(isvc("--as", who, "request", "new", *args, env=at(when)).stdout)


def show(isvc, number: int, when: str, who: str = "boss") -> dict:
    return isvc.json("--as", who, "request", "show", number, env=at(when))


def sla(isvc, number: int, when: str) -> dict:
    return show(isvc, number, when)["sla"]


def act(isvc, when: str, who: str, *args: str, code: int = 0):
    return isvc("--as", who, "request", *args, env=at(when), code=code)


def db_rows(home: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(home / "isvc.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def db_dump(home: Path) -> list[str]:
    """Every row of every table, as SQL text (the file's data, independent of its pages)."""
    conn = sqlite3.connect(home / "isvc.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def loads(text: str):
    return json.loads(text)
