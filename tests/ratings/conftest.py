"""Fixtures for the satisfaction tests: desks built once per session through the CLI,
then copied into each test's ISVC_HOME (the root conftest gives ``isvc`` and ``desk``).

2026-11-23 is a Monday; the root conftest pins ISVC_NOW to Mon 23 Nov 09:30Z, and each
step below pins its own instant with ``env=at(...)``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest




def at(when: str) -> dict:
    """The env that pins one command's clock."""
    return {"ISVC_NOW": when}


def act(isvc, when: str, who: str, *args, code: int = 0):
    """`isvc --as WHO request ARGS...` at ``when``."""
    return isvc("--as", who, "request", *args, env=at(when), code=code)


def file(isvc, when: str, who: str, team: str, title: str = "Payslip PDF is blank") -> int:
    return int(act(isvc, when, who, "new", title, "--team", team).stdout)


def rows(home: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(home / "isvc.db")
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture
def snapshot(snapshot, request, isvc):
    """The root conftest's ``snapshot``, building on its ``desk`` and handing ``build`` the
    runner: ``snapshot(name, build)`` runs ``build(isvc)`` once per session."""

    def use(name: str, build) -> None:
        snapshot(f"ratings-{name}", lambda: (request.getfixturevalue("desk"), build(isvc)))

    return use


def build_lifecycle(isvc) -> None:
    """Requests filed by ana (payroll) for it, one in each interesting status:
    #1 new, #2 acknowledged, #3 in progress, #4 waiting, #5 resolved, #6 closed, #7 cancelled.
    """
    t = "2026-11-16T10:00:00Z"
    for _ in range(7):
        file(isvc, t, "ana", "it")
    later = "2026-11-17T10:00:00Z"
    act(isvc, later, "jim", "ack", 2)
    act(isvc, later, "jim", "start", 3)
    act(isvc, later, "jim", "wait", 4, "-m", "Which payslip month?")
    act(isvc, later, "jim", "resolve", 5, "-m", "Regenerated the PDF.")
    act(isvc, later, "jim", "resolve", 6, "-m", "Regenerated the PDF.")
    act(isvc, "2026-11-18T10:00:00Z", "ana", "close", 6)
    act(isvc, later, "ana", "cancel", 7, "-m", "Found it in my inbox")


@pytest.fixture
def lifecycle(snapshot, isvc):
    snapshot("lifecycle", build_lifecycle)
    return isvc


def build_ratings(isvc) -> None:
    """A small quarter of ratings, every number in the satisfaction tests checkable by hand.

    Agreements: it-std (it, every customer) and it-vip (it, for sales); payroll has none,
    so both an agreement and none are in play for the resolved counts.

    #   requester (team)  provider  status (when)              requester rates  provider rates
    1   ana (payroll)     it        resolved 11-03             5 on 11-04       -
    2   ana (payroll)     it        resolved 11-05             2 on 11-06       2 (jim) 11-02
    3   mihai (sales)     it        closed (resolved 11-10)    4 on 11-11       4 (alina) 11-10
    4   mihai (sales)     it        resolved 11-12             -                -
    5   ana (payroll)     it        in progress                -                3 (jim) 11-16
    6   jim (it)          payroll   resolved 11-03             1 on 11-04       5 (ana) 11-03
    7   mihai (sales)     payroll   cancelled 11-03            -                -
    8   ana (payroll)     it        resolved 2026-05-05        1 on 05-06       -
    9   zoe (no team)     payroll   resolved 11-03             5 on 11-04       -
    10  ana (payroll)     it        reopened 11-19 (resolved 11-18, no longer)  -
    """
    boss = ("--as", "boss")
    isvc(*boss, "calendar", "add", "office", "--tz", "UTC", "--hours", "mon-fri 09:00-17:00")
    targets = ("--response", "urgent=30m,high=1h,normal=4h,low=1d",
               "--resolution", "urgent=2h,high=1d,normal=2d,low=5d")
    isvc(*boss, "agreement", "add", "it-std", "--provider", "it", "--calendar", "office", *targets)
    isvc(*boss, "agreement", "add", "it-vip", "--provider", "it", "--customer", "sales",
         "--calendar", "office", *targets)

    def day(d: str, hour: int = 10) -> str:
        return f"2026-{d}T{hour:02d}:00:00Z"

    n1 = file(isvc, day("11-02"), "ana", "it")
    n2 = file(isvc, day("11-02"), "ana", "it")
    n3 = file(isvc, day("11-09"), "mihai", "it")
    n4 = file(isvc, day("11-09"), "mihai", "it")
    n5 = file(isvc, day("11-16"), "ana", "it")
    n6 = file(isvc, day("11-02"), "jim", "payroll")
    n7 = file(isvc, day("11-02"), "mihai", "payroll")
    n8 = file(isvc, day("05-04"), "ana", "it")
    n9 = file(isvc, day("11-02"), "zoe", "payroll")  # zoe: created on first use, no team
    n10 = file(isvc, day("11-17"), "ana", "it")
    assert [n1, n2, n3, n4, n5, n6, n7, n8, n9, n10] == list(range(1, 11))

    act(isvc, day("11-03"), "jim", "resolve", 1, "-m", "Done")
    act(isvc, day("11-04"), "ana", "rate", 1, 5, "-m", "Same day!")
    act(isvc, day("11-02", 11), "jim", "ack", 2)
    act(isvc, day("11-02", 12), "jim", "rate", 2, "--as-provider", 2, "-m", "No employee number")
    act(isvc, day("11-05"), "jim", "resolve", 2, "-m", "Done")
    act(isvc, day("11-06"), "ana", "rate", 2, 2)
    act(isvc, day("11-10"), "alina", "resolve", 3, "-m", "Done")
    act(isvc, day("11-10", 11), "alina", "rate", 3, "--as-provider", 4)
    act(isvc, day("11-11"), "mihai", "close", 3)
    act(isvc, day("11-11", 11), "mihai", "rate", 3, 4)
    act(isvc, day("11-12"), "jim", "resolve", 4, "-m", "Done")
    act(isvc, day("11-16", 11), "jim", "start", 5)
    act(isvc, day("11-16", 12), "jim", "rate", 5, "--as-provider", 3)
    act(isvc, day("11-03"), "ana", "resolve", 6, "-m", "Done")
    act(isvc, day("11-03", 11), "ana", "rate", 6, "--as-provider", 5)
    act(isvc, day("11-04"), "jim", "rate", 6, 1, "-m", "Wrong month")
    act(isvc, day("11-03"), "mihai", "cancel", 7)
    act(isvc, day("05-05"), "jim", "resolve", 8, "-m", "Done")
    act(isvc, day("05-06"), "ana", "rate", 8, 1)
    act(isvc, day("11-03"), "ana", "resolve", 9, "-m", "Done")
    act(isvc, day("11-04"), "zoe", "rate", 9, 5)
    act(isvc, day("11-18"), "jim", "resolve", 10, "-m", "Done")
    act(isvc, day("11-19"), "ana", "reopen", 10, "-m", "Not fixed")


@pytest.fixture
def rated(snapshot, isvc):
    snapshot("rated", build_ratings)
    return isvc
