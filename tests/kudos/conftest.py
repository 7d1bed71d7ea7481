"""Kudos fixtures: the root conftest's desk (it: jim, alina, boss; payroll: ana; sales:
mihai; boss the only admin) with company values, and a direct database probe."""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite(f"{__package__}.helpers")

from .helpers import Probe  # noqa: E402  (after register_assert_rewrite)


@pytest.fixture
def db(isvc_home) -> Probe:
    return Probe(isvc_home / "isvc.db")


@pytest.fixture
def kd(desk):
    """The desk with the values ownership, teamwork and customer-first."""
    desk("--as", "boss", "kudos", "values", "set", "ownership", "teamwork", "customer-first")
    return desk
