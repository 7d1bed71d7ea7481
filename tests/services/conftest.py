"""Fixtures for the service-rule tests (lifecycle, roles, dedupe, concurrency).

The root conftest gives every test its own ISVC_HOME, a pinned clock (ISVC_NOW), the
`isvc` runner and the `desk` fixture. This file adds a probe that reads the database
directly (to prove a refused command wrote nothing) and cached desks: a desk is built
once per session through the CLI and copied into each test's ISVC_HOME, which keeps
the suite fast without changing what each test sees.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from isvc.cli import _common

pytest.register_assert_rewrite(f"{__package__}.helpers")

from .helpers import DbProbe  # noqa: E402  (after register_assert_rewrite)


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
