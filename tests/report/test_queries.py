"""How the reports read the database: a bounded number of statements whatever the history,
indexes where the period is the question, and one read of the requests table where the
backlog at the start needs every request still open then."""

from __future__ import annotations

import sqlite3

import pytest

from isvc.store import reports as store

from .conftest import NOW, at, file

PARAMS = {"since": "2026-11-16T09:30:00Z", "until": NOW, "team": "it", "numbers": "[1, 2]",
          "lateral": store.LATERAL_MESSAGE + "%"}


def plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, PARAMS)]


@pytest.fixture
def conn(history, isvc_home):
    conn = sqlite3.connect(isvc_home / "isvc.db")
    yield conn
    conn.close()


@pytest.mark.parametrize("team", [False, True])
def test_peak_reads_the_period_through_an_index(conn, team):
    details = plan(conn, store.arrivals_sql(team))
    index = "requests_team_created" if team else "requests_created"
    assert details == [f"SEARCH r USING INDEX {index} "
                       f"({'team=? AND ' if team else ''}created_at>? AND created_at<?)"]


@pytest.mark.parametrize("by", ["team", "customer"])
def test_ratings_and_journal_through_their_indexes(conn, by):
    csat = plan(conn, store.csat_sql(by, True))
    assert csat[0].startswith("SEARCH rt USING INDEX ratings_side_rated (side=? AND rated_at>?")
    assert not any(d.startswith("SCAN") for d in csat)
    events = plan(conn, store.STATUS_EVENTS_SQL)
    assert "SEARCH e USING INDEX events_number (number=?)" in events
    lateral = plan(conn, store.lateral_events_sql(by))
    assert "SEARCH e USING INDEX events_number (number=?)" in lateral
    assert "SCAN e" not in lateral  # never the whole journal


@pytest.mark.parametrize("by", ["team", "type", "assignee", "customer"])
def test_one_read_of_requests_in_table_order(conn, by):
    for sql in (store.summary_counts_sql(by, False), store.summary_counts_sql(by, True),
                store.period_rows_sql(by, True)):
        details = plan(conn, sql)
        assert details[0] == "SCAN r", details  # not an index walk with a lookup per row


def _selects(traced: list[str]) -> list[str]:
    return [s for s in traced if s.lstrip().upper().startswith(("SELECT", "WITH"))]


@pytest.mark.parametrize("args", [("report",), ("report", "--by", "customer"),
                                  ("report", "peak"), ("report", "peak", "--team", "it")])
def test_the_number_of_statements_does_not_grow_with_the_history(history, traced, args):
    history("--as", "boss", *args, "--since", "7d", "--json", env=at(NOW))
    before = len(_selects(traced))
    for day in range(17, 21):
        file(history, f"2026-11-{day}T10:00:00Z", "More", "--team", "it")
    traced.clear()
    history("--as", "boss", *args, "--since", "7d", "--json", env=at(NOW))
    assert len(_selects(traced)) == before
