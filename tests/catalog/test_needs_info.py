"""`isvc request needs-info`: the request waits on its requester and the round-trip is
journaled; `needs_info_counts` (for `isvc customers`) and `isvc type stats` count them."""

from __future__ import annotations

import json

import pytest

from isvc.services.catalog import needs_info_counts
from isvc.store.db import open_db
from testkit import expect_error

from .conftest import PO

PO_ARGS = ["--type", PO, "--field", "cost_centre=CC-1", "--field", "amount=10 EUR"]


def file(isvc, who="ana", team="purchasing", *args, when="2026-11-23T09:30:00Z") -> int:
    return int(isvc("--as", who, "request", "new", "Something", "--team", team, *args,
                    env={"ISVC_NOW": when}).stdout)


def events(isvc, number) -> list[tuple]:
    return [(e["kind"], e["actor"], e["to"], e["message"])
            for e in isvc.json("--as", "boss", "request", "show", number)["events"]]


def test_needs_info_waits_on_the_requester_and_journals_the_round_trip(cat, isvc_home):
    cat("config", "set", "mail.address", "Desk <desk@example.com>")
    n = file(cat, "ana", "purchasing", *PO_ARGS)
    result = cat("--as", "pia", "request", "needs-info", n, "-m", "Which supplier?")
    assert result.stderr == f"#{n} waiting on the requester for more information.\n"
    assert result.stdout == ""
    data = cat.json("request", "show", n)
    assert (data["status"], data["waiting_on"]) == ("waiting", "requester")
    assert events(cat, n)[1:] == [("status", "pia", "waiting", "Which supplier?"),
                                  ("needs_info", "pia", "1", None)]
    # the requester hears the question (the wait's public message)
    conn = open_db(isvc_home / "isvc.db")
    rows = conn.execute("SELECT kind, recipient, body FROM outbox WHERE number = ?", (n,)).fetchall()
    conn.close()
    assert any(r["recipient"] == "ana@example.com" and "Which supplier?" in r["body"] for r in rows)


def test_each_round_trip_is_counted_and_json_is_the_request(cat):
    n = file(cat, "ana", "purchasing", *PO_ARGS)
    cat("--as", "pia", "request", "needs-info", n, "-m", "Which supplier?")
    cat("--as", "ana", "request", "comment", n, "-m", "IKEA")  # the requester's reply resumes it
    result = cat("--as", "boss", "request", "needs-info", n, "-m", "By when?", "--json")
    assert result.stderr == f"#{n} waiting on the requester for more information (round-trip 2).\n"
    data = json.loads(result.stdout)
    assert (data["number"], data["status"]) == (n, "waiting")
    assert [e for e in events(cat, n) if e[0] == "needs_info"] == [
        ("needs_info", "pia", "1", None), ("needs_info", "boss", "2", None)]


@pytest.mark.parametrize("who", ["ana", "mihai", "jim"])
def test_only_those_who_may_wait_the_request_may_ask(cat, db, who):
    n = file(cat, "ana", "purchasing", *PO_ARGS)
    before = db.counts()
    expect_error(cat("--as", who, "request", "needs-info", n, "-m", "?", code=None), 2,
                 f"only members of team purchasing, the assignee or an admin may wait #{n}; you are {who}")
    assert db.counts() == before


def test_refusals_write_nothing(cat, db):
    n = file(cat, "ana", "purchasing", *PO_ARGS)
    cat("--as", "pia", "request", "needs-info", n, "-m", "Which supplier?")
    before = db.counts()
    expect_error(cat("--as", "pia", "request", "needs-info", n, "-m", "And?", code=None), 2,
                 f"cannot wait #{n}: it is waiting; from there you can: resume, resolve, cancel")
    expect_error(cat("--as", "pia", "request", "needs-info", n, "-m", "  ", code=None), 2,
                 'say what is missing: -m "Which cost centre?"')
    expect_error(cat("--as", "pia", "request", "needs-info", 99, "-m", "?", code=None), 3,
                 "no request #99; see `isvc request list`")
    assert db.counts() == before
    result = cat("--as", "pia", "request", "needs-info", n, code=None)
    assert result.exit_code == 2 and "--message" in result.stderr  # -m is required


# -- counting ----------------------------------------------------------------------------------

@pytest.fixture
def asked(cat):
    """#1 ana PO (asked twice), #2 ana PO, #3 mihai PO (asked once), #4 mihai untyped to it
    (asked once, by jim), #5 ana PO filed a month earlier (asked once)."""
    file(cat, "ana", "purchasing", *PO_ARGS)
    file(cat, "ana", "purchasing", *PO_ARGS)
    file(cat, "mihai", "purchasing", *PO_ARGS)
    file(cat, "mihai", "it")
    file(cat, "ana", "purchasing", *PO_ARGS, when="2026-10-20T09:00:00Z")
    for number, who, times in ((1, "pia", 2), (3, "pia", 1), (4, "jim", 1), (5, "pia", 1)):
        for _ in range(times):
            cat("--as", who, "request", "needs-info", number, "-m", "?")
            cat("--as", who, "request", "resume", number)
    return cat


def test_needs_info_counts_per_type_customer_team_and_requester(asked, isvc_home):
    conn = open_db(isvc_home / "isvc.db")
    try:
        recent = needs_info_counts(conn, "2026-11-01T00:00:00Z")
        everything = needs_info_counts(conn, None)
    finally:
        conn.close()
    assert recent == {
        "by_type": {PO: {"requests": 3, "needs_info": 3, "needs_info_requests": 2},
                    None: {"requests": 1, "needs_info": 1, "needs_info_requests": 1}},
        "by_team": {"payroll": {"requests": 2, "needs_info": 2, "needs_info_requests": 1},
                    "sales": {"requests": 2, "needs_info": 2, "needs_info_requests": 2}},
        "by_requester": {"ana": {"requests": 2, "needs_info": 2, "needs_info_requests": 1},
                         "mihai": {"requests": 2, "needs_info": 2, "needs_info_requests": 2}},
    }
    assert everything["by_type"][PO] == {"requests": 4, "needs_info": 4, "needs_info_requests": 3}


def test_type_stats_json(asked):
    asked("--as", "pia", "type", "add", "purchasing/chairs", "--title", "Chairs")
    rows = asked.json("type", "stats", "--since", "30d")
    assert rows == [
        {"type": None, "team": "it", "title": None, "active": None, "requests": 1, "needs_info": 1,
         "needs_info_requests": 1, "share": 1.0},
        {"type": PO, "team": "purchasing", "title": "Purchase order", "active": True, "requests": 3,
         "needs_info": 3, "needs_info_requests": 2, "share": 0.667},
        {"type": "purchasing/chairs", "team": "purchasing", "title": "Chairs", "active": True,
         "requests": 0, "needs_info": 0, "needs_info_requests": 0, "share": None},
    ]
    assert [r["requests"] for r in asked.json("type", "stats", "--since", "2026-10-01")] == [1, 4, 0]
    assert [r["type"] for r in asked.json("type", "stats", "--team", "it")] == [None]


def test_type_stats_table_and_tsv(asked):
    out = asked("type", "stats", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120", "NO_COLOR": "1"}).stdout
    assert "(untyped)" in out and "75%" in out  # the default --since 90d takes in #5
    tsv = asked("type", "stats").stdout.splitlines()
    assert tsv[1] == "\t".join([PO, "purchasing", "Purchase order", "4", "4", "3", "0.75"])


def test_type_stats_refuses_a_bad_since(cat):
    expect_error(cat("type", "stats", "--since", "lately", code=None), 2,
                 "--since 'lately' is not understood; use a span like 30d, 12h, 2w or a date like 2026-11-01")
