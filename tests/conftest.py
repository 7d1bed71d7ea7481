"""Every test gets its own ISVC_HOME (database, config) and a pinned clock."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from isvc.cli import _common
from isvc.cli.app import app

pytest.register_assert_rewrite("testkit")

from testkit import DbProbe  # noqa: E402  (after register_assert_rewrite)

NOW = "2026-11-23T09:30:00Z"  # a Monday, inside business hours in Europe


@pytest.fixture(autouse=True)
def isvc_home(tmp_path, monkeypatch):
    home = tmp_path / "isvc-home"
    monkeypatch.setenv("ISVC_HOME", str(home))
    monkeypatch.setenv("ISVC_NOW", NOW)
    monkeypatch.setenv("ISVC_TZ", "Europe/Bucharest")
    for var in ("ISVC_DB", "ISVC_USER", "ISVC_CONFIG", "ISVC_FORCE_TABLE", "NO_COLOR",
                "UV_RUN_RECURSION_DEPTH"):
        monkeypatch.delenv(var, raising=False)
    _common.reset()
    yield home
    _common.reset()


class Isvc:
    """Run isvc commands in-process the way a user types them."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, code: int | None = 0, env=None):
        _common.reset()
        result = self.runner.invoke(app, [str(a) for a in args], input=input, env=env,
                                    catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, (
                f"isvc {' '.join(map(str, args))} exited {result.exit_code}, expected {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def json(self, *args: str, **kw):
        return json.loads(self(*args, "--json", **kw).stdout)


@pytest.fixture
def isvc():
    return Isvc()


@pytest.fixture
def desk(isvc):
    """A small desk: teams it and payroll; jim and alina in it, ana in payroll, mihai in sales."""
    isvc("team", "add", "it", "--name", "IT Service Desk")
    isvc("team", "add", "payroll", "--name", "Payroll")
    isvc("team", "add", "sales", "--name", "Sales")
    isvc("person", "add", "jim", "--name", "Jim Ionescu", "--team", "it", "--email", "jim@example.com")
    isvc("person", "add", "alina", "--name", "Alina Radu", "--team", "it")
    isvc("person", "add", "ana", "--name", "Ana Pop", "--team", "payroll", "--email", "ana@example.com")
    isvc("person", "add", "mihai", "--name", "Mihai Stan", "--team", "sales")
    isvc("person", "add", "boss", "--name", "Boss", "--team", "it")
    isvc("config", "set", "admins", "boss")
    return isvc


# A probe that reads the database directly (to prove a refused command wrote nothing),
# and desks built once per session through the CLI and copied into each test's
# ISVC_HOME: the suite stays fast without changing what each test sees.

@pytest.fixture
def db(isvc_home) -> DbProbe:
    return DbProbe(isvc_home / "isvc.db")


_SNAPSHOTS: dict[str, Path] = {}


@pytest.fixture
def snapshot(tmp_path_factory, isvc_home):
    """``snapshot(name, build)``: run ``build`` once per session, then copy its ISVC_HOME."""

    def use(name: str, build) -> None:
        _common.reset()
        source = _SNAPSHOTS.get(name)
        if source is None:
            build()
            _common.reset()  # close the desk: the WAL is checkpointed into the file
            source = tmp_path_factory.mktemp(f"snapshot-{name}") / "home"
            shutil.copytree(isvc_home, source)
            _SNAPSHOTS[name] = source
        else:
            shutil.copytree(source, isvc_home, dirs_exist_ok=True)

    return use


@pytest.fixture
def quick_desk(request, snapshot, isvc):
    """The root conftest's `desk` (teams it, payroll, sales; jim, alina, boss in it; ana in
    payroll; mihai in sales; boss the only admin), built once and copied per test."""
    snapshot("desk", lambda: request.getfixturevalue("desk"))
    return isvc


@pytest.fixture
def traced(monkeypatch):
    """Every SQL statement any connection isvc opens runs, in order (bound values inlined)."""
    from isvc.store import db as store_db

    statements: list[str] = []
    connect = store_db._connect_raw

    def connect_traced(path):
        conn = connect(path)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(store_db, "_connect_raw", connect_traced)
    return statements
