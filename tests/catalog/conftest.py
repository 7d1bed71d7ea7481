"""Catalog fixtures: the root conftest's desk (it: jim, alina, boss; payroll: ana; sales:
mihai; boss the only admin) plus a purchasing team (pia) and its purchase-order type."""

from __future__ import annotations

import pytest

PO = "purchasing/purchase-order"
PO_FIELDS = ["cost_centre:text:required:label=Cost centre", "amount:money:required",
             "supplier:text", "needed_by:date", "urgency:choice(low|normal|high)"]


def build_catalog(isvc) -> None:
    isvc("--as", "boss", "team", "add", "purchasing", "--name", "Purchasing")
    isvc("--as", "boss", "person", "add", "pia", "--name", "Pia Lupu", "--team", "purchasing")
    args = ["--as", "pia", "type", "add", PO, "--title", "Purchase order", "--priority", "high"]
    for spec in PO_FIELDS:
        args += ["--field", spec]
    isvc(*args)


@pytest.fixture
def cat(request, snapshot, isvc):
    """The desk with team purchasing (pia) and the type purchasing/purchase-order."""

    def build() -> None:
        request.getfixturevalue("desk")
        build_catalog(isvc)

    snapshot("catalog", build)
    return isvc
