"""Complexity, not seconds: the interactive queries read through indexes, never the history.

Timings live in ``benchmarks/`` (they are flaky on shared machines); these tests assert what
makes them hold at a million requests:

- the queue and its footer counts (``store.requests.queue_sql``/``queue``/``queue_counts``,
  run through ``services.requests.queue`` as ``isvc queue`` runs them) are answered from
  the partial indexes over *open* requests (a few thousand rows), never from the history
  (``SCAN requests``, or a search that walks a whole team's or person's history);
- ``request list`` with its everyday filters and ``request show`` search an index and never
  ``SCAN requests`` or ``SCAN events``;
- one ``isvc queue`` runs a bounded number of SQL statements, the same for 300 or 1,200
  requests and for ``--limit 5`` or ``--limit 100`` (no query per row).

The last tests prove the checks can fail: without the partial indexes, or with a full scan,
they do. The plans are those SQLite makes without ``ANALYZE`` statistics, as isvc's own
databases have none.
"""

from __future__ import annotations

import inspect
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from itertools import product

import pytest

from isvc.cli import _common
from isvc.cli.request import request_list
from isvc.domain.filters import RequestFilter, parse_sort, parse_statuses
from isvc.domain.models import Priority, Request, Status
from isvc.domain.timeutil import to_iso
from isvc.services import requests as svc
from isvc.store import db as store_db
from isvc.store import requests as store
from testkit import Recorder

# Tables that grow with the history: reading them whole is the thing to avoid.
HISTORY_TABLES = ("requests", "events", "request_tags", "watchers", "waits", "links")
PEOPLE = ("jim", "alina", "ana", "mihai", "boss")
TEAMS = ("it", "payroll", "sales")
STATUSES = tuple(Status)
FIRST = datetime(2026, 3, 1, 8, tzinfo=timezone.utc)  # 1,200 requests 5 h apart end in November
# what `isvc request list` sorts by without --sort
DEFAULT_SORT = parse_sort(inspect.signature(request_list).parameters["sort"].default)


# -- a desk with some rows, made through the store ----------------------------------

def _fill(conn: sqlite3.Connection, n: int, start: int = 0) -> None:
    """``n`` requests in every status, team and priority, each with a journal (some internal
    notes), some tags, watchers, waits and links, created a few hours apart."""
    with store_db.write(conn):
        for i in range(start, start + n):
            at = to_iso(FIRST + timedelta(hours=5 * i))
            status = STATUSES[i % len(STATUSES)]
            req = Request(
                number=0, title=f"Request {i}: the printer on floor {i % 7} jams",
                body="It jams on every second page.", status=status,
                priority=list(Priority)[i % 4], team=TEAMS[i % 3],
                requester=PEOPLE[i % 5], assignee=None if i % 4 == 0 else PEOPLE[(i + 1) % 5],
                created_at=at, updated_at=at, tags=["printer"] if i % 3 == 0 else [],
                watchers=[PEOPLE[(i + 2) % 5]] if i % 5 == 0 else [],
                waiting_on="requester" if status == Status.WAITING else None,
            )
            number = store.insert_request(conn, req)
            store.insert_event(conn, number, at, req.requester, "filed", to_value="new",
                               message=req.body)
            store.insert_event(conn, number, at, "jim", "note", message="checked the toner",
                               internal=True)
            store.insert_event(conn, number, at, "jim", "reply", message="on my way")
            if status == Status.WAITING:
                store.open_wait(conn, number, at, "which floor?")
            if i % 11 == 0 and number > 1:
                store.add_link(conn, number, number - 1, "relates", at, "jim")


@pytest.fixture
def db_path(desk, isvc_home):
    """The desk fixture's database (teams it, payroll, sales; five people), with 300 requests."""
    path = isvc_home / "isvc.db"
    conn = store_db.open_db(path)
    _fill(conn, 300)
    conn.close()
    return path


@pytest.fixture
def conn(db_path):
    conn = store_db.open_db(db_path)
    yield conn
    conn.close()


# -- reading query plans ----------------------------------------------------------



def plan(conn: sqlite3.Connection, sql: str, params=()) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


def partial_indexes(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'")}


_ACCESS = re.compile(
    r"^(?P<op>SCAN|SEARCH) (?P<table>\w+)"
    r"(?: USING (?:(?:COVERING )?INDEX (?P<index>\w+)|INTEGER PRIMARY KEY|PRIMARY KEY))?"
    r"(?: \((?P<terms>[^)]*)\))?"
)


def _accesses(details: list[str]) -> list[re.Match]:
    return [m for d in details if (m := _ACCESS.match(d))]


def assert_indexed(conn: sqlite3.Connection, sql: str, params=()) -> list[str]:
    """No full scan of a history table: every read of one is a SEARCH, or a SCAN of a partial
    index (which holds open requests only)."""
    details = plan(conn, sql, params)
    partial = partial_indexes(conn)
    touched = False
    for m in _accesses(details):
        if m["table"] not in HISTORY_TABLES:
            continue  # teams, people, memberships, settings: a few dozen rows
        touched = True
        if m["op"] == "SCAN" and m["index"] not in partial:
            raise AssertionError(
                f"full scan of {m['table']} ({m.group(0)!r})\nsql: {sql}\nparams: {params}\n"
                f"plan: {details}")
    assert touched or not re.search(r"\b(requests|events)\b", sql), (sql, details)
    return details


def assert_open_only(conn: sqlite3.Connection, sql: str, params=()) -> list[str]:
    """Stronger, for the queue and its counts: every read of ``requests`` goes through a
    partial index over open requests, or searches by status (the open statuses), so it
    touches open requests only, however long the history."""
    details = assert_indexed(conn, sql, params)
    partial = partial_indexes(conn)
    for m in _accesses(details):
        if m["table"] != "requests":
            continue
        by_status = (m["terms"] or "").startswith("status=")
        if m["index"] not in partial and not by_status:
            raise AssertionError(
                f"the queue reads history: {m.group(0)!r} is not a partial index over open "
                f"requests\nsql: {sql}\nparams: {params}\nplan: {details}")
    return details


# -- the desk a command gets, with its statements recorded --------------------------------

@pytest.fixture
def desk_rec(db_path):
    """The desk `isvc` commands get (isvc.cli._common.desk), acting as the admin boss, its
    connection wrapped in a Recorder: the services run exactly what the commands run."""
    _common.reset()
    _common.GLOBAL.as_person = "boss"
    desk = _common.desk()
    desk.conn = Recorder(desk.conn)
    yield desk
    desk.conn = desk.conn.conn
    _common.reset()


def _raw(conn) -> sqlite3.Connection:
    return conn.conn if isinstance(conn, Recorder) else conn


# -- the queue and its footer --------------------------------------------------------

# every named parameter the queue's SQL may use (extra names are ignored by sqlite3)
QUEUE_PARAMS = {"team": "it", "assignee": "jim", "status": "waiting", "limit": 25,
                "now": "2026-11-23T09:30:00Z"}


def check_queue_plans(desk, teams=("it", None), mines=(False, True)) -> None:
    """The shapes of `isvc queue` (a team or all, --mine, --status), its footer counts and
    whatever else the service reads for the page: open requests only, everything indexed."""
    conn = _raw(desk.conn)
    for team, mine, status in product([t is not None for t in teams], mines, (False, True)):
        assert_open_only(conn, store.queue_sql(team, mine, status), QUEUE_PARAMS)
    for team, mine in product(teams, mines):
        desk.conn.statements.clear()
        view = svc.queue(desk, team, mine=mine)
        if team and not mine:
            assert view.rows, "the test data should fill the it queue"
        assert any("GROUP BY" in sql for sql, _ in desk.conn.statements), \
            "the footer counts should be among the statements"
        for sql, params in desk.conn.statements:
            if re.search(r"\bFROM requests\b", sql) and "WHERE number IN" not in sql:
                assert_open_only(conn, sql, params)
            else:
                assert_indexed(conn, sql, params)


def test_queue_and_counts_read_open_requests_only(desk_rec):
    check_queue_plans(desk_rec)


def test_queue_reads_the_page_in_a_fixed_number_of_queries(desk_rec):
    counts = set()
    for limit in (5, 25, 100):
        desk_rec.conn.statements.clear()
        view = svc.queue(desk_rec, "it", limit=limit)
        assert 0 < len(view.rows) <= limit
        counts.add(len(desk_rec.conn.statements))
    assert len(counts) == 1, f"statements per page grow with its length: {counts}"


def test_the_waiting_graph_reads_open_requests_and_searches_links(desk_rec):
    """The queue's "⛓ blocks N" (and `ripple --team`): blocks links and waits between open
    requests, found from the partial index over open requests, links searched by dst."""
    from isvc.store.ripple import open_edges_sql

    conn = _raw(desk_rec.conn)
    details = assert_open_only(conn, open_edges_sql())
    links = [m for m in _accesses(details) if m["table"] == "links"]
    assert links and all(m["op"] == "SEARCH" and (m["terms"] or "").startswith("dst=")
                         for m in links), details
    # the queue ranks the requests that block others first: still the partial indexes
    for team, mine in product((True, False), (False, True)):
        assert_open_only(conn, store.queue_sql(team, mine, False, {151: 3, 7: 1}), QUEUE_PARAMS)


def test_ripple_searches_by_number(desk_rec):
    from isvc.services import ripple

    store.add_link(desk_rec.conn.conn, 150, 151, "blocks", "2026-11-23T09:30:00Z", "jim")
    store.add_link(desk_rec.conn.conn, 151, 152, "blocks", "2026-11-23T09:30:00Z", "jim")
    desk_rec.conn.statements.clear()
    view = ripple.ripple(desk_rec, 151)
    assert view.counts["upstream"] == view.counts["downstream"] == 1
    reads = [(sql, p) for sql, p in desk_rec.conn.statements
             if re.search(r"\bFROM (requests|events|waits|links|watchers|request_tags)\b", sql)]
    assert reads
    for sql, params in reads:
        details = assert_indexed(desk_rec.conn.conn, sql, params)
        for m in _accesses(details):
            assert m["table"] not in HISTORY_TABLES or m["op"] == "SEARCH" or \
                m["index"] in partial_indexes(desk_rec.conn.conn), (sql, details)


# -- request list and request show -------------------------------------------------------

LIST_FILTERS = {
    "team": RequestFilter(teams=["it"]),
    "status open": RequestFilter(statuses=parse_statuses(["open"])),
    "team and status open": RequestFilter(teams=["it"], statuses=parse_statuses(["open"])),
    "requester": RequestFilter(requester="ana"),
    "assignee": RequestFilter(assignee="jim"),
    "unassigned open": RequestFilter(assignee="", statuses=parse_statuses(["open"])),
    "created since": RequestFilter(since="2026-04-01T00:00:00Z"),
    "team created since": RequestFilter(teams=["it"], since="2026-04-01T00:00:00Z"),
}


@pytest.mark.parametrize("name", list(LIST_FILTERS))
def test_request_list_filters_search_an_index(desk_rec, name):
    rows = svc.list_requests(desk_rec, LIST_FILTERS[name], DEFAULT_SORT, 50)
    assert rows, f"the test data should match {name}"
    assert desk_rec.conn.statements
    for sql, params in desk_rec.conn.statements:
        assert_indexed(desk_rec.conn.conn, sql, params)


def _open_only(conn, m) -> bool:
    return m["index"] in partial_indexes(conn) or (m["terms"] or "").startswith("status=")


@pytest.mark.parametrize("name", list(LIST_FILTERS))
def test_request_list_reads_its_page_in_index_order(desk_rec, name):
    """`request list --limit 50` must not sort a whole team's (or person's, or period's)
    history to show 50 rows: on a 1,000,000-request desk `request list --team it` sorts
    370,000 rows that way. A sort is fine over open requests only (a few thousand)."""
    svc.list_requests(desk_rec, LIST_FILTERS[name], DEFAULT_SORT, 50)
    conn = desk_rec.conn.conn
    sql, params = next((sql, params) for sql, params in desk_rec.conn.statements
                       if "FROM requests" in sql and "LIMIT" in sql)  # the page
    details = plan(conn, sql, params)
    if any("TEMP B-TREE FOR ORDER BY" in d for d in details):
        history = [m.group(0) for m in _accesses(details)
                   if m["table"] == "requests" and not _open_only(conn, m)]
        assert not history, f"sorts the history to show {name}: {details}\nsql: {sql}"


def test_request_show_searches_by_number(desk_rec):
    view = svc.show(desk_rec, 151)
    assert view.events and any(e.internal for e in view.events)
    reads = [(sql, p) for sql, p in desk_rec.conn.statements
             if re.search(r"\bFROM (requests|events|waits|links)\b", sql)]
    assert len(reads) >= 4  # the request, its journal, its links, its waits
    for sql, params in reads:
        details = assert_indexed(desk_rec.conn.conn, sql, params)
        for m in _accesses(details):
            assert m["table"] not in HISTORY_TABLES or m["op"] == "SEARCH", (sql, details)


# -- statements per command ----------------------------------------------------------



def _queue_statements(isvc, traced, *args, env=None) -> list[str]:
    traced.clear()
    result = isvc("--as", "jim", "queue", "it", *args, env=env)
    assert result.stdout.strip(), "the queue should show rows"
    return list(traced)


def test_one_queue_runs_a_bounded_number_of_statements(db_path, isvc, traced):
    small = _queue_statements(isvc, traced)
    # opening the desk, the page and what hangs off it (tags, watchers, clocks), the footer
    # counts, the calendars and agreements: a couple of dozen at most, never one per row
    assert 0 < len(small) <= 24, small
    assert len(_queue_statements(isvc, traced, "--limit", "5")) == len(small)
    assert len(_queue_statements(isvc, traced, "--limit", "100")) == len(small)

    conn = store_db.open_db(db_path)
    _fill(conn, 900, start=300)  # four times the history, four times the open requests
    conn.close()
    assert len(_queue_statements(isvc, traced)) == len(small)
    assert len(_queue_statements(isvc, traced, "--limit", "100")) == len(small)
    table = _queue_statements(isvc, traced, env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"})
    # the table adds the team's name and the page's clock figures (calendars, pauses,
    # agreements: a fixed handful), nothing per row; TSV shows no clocks and skips them
    assert len(table) <= len(small) + 8, table
    assert len(_queue_statements(isvc, traced, "--limit", "100",
                                 env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"})) == len(table)

    # a read-only view writes nothing (no lock, no fsync) ...
    writes = [s for s in small if re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE|BEGIN)", s, re.I)]
    assert not writes, writes
    # ... and every statement it runs reads through an index
    conn = store_db.open_db(db_path)
    try:
        for sql in small + table:
            if sql.lstrip().upper().startswith("SELECT"):
                assert_indexed(conn, sql)
    finally:
        conn.close()


# -- the checks can fail ---------------------------------------------------------------

def test_without_the_partial_indexes_the_queue_checks_fail(desk_rec):
    # `isvc queue it`, the view the benchmark's goals measure
    check_queue_plans(desk_rec, teams=("it",), mines=(False,))  # passes as migrated ...
    conn = desk_rec.conn.conn
    for index in partial_indexes(conn):
        conn.execute(f"DROP INDEX {index}")
    with pytest.raises(AssertionError, match="the queue reads history"):
        check_queue_plans(desk_rec, teams=("it",), mines=(False,))  # ... not without them


def test_a_full_scan_fails_the_index_check(conn):
    with pytest.raises(AssertionError, match="full scan of requests"):
        assert_indexed(conn, "SELECT number FROM requests WHERE title LIKE ?", ("%printer%",))
    conn.execute("DROP INDEX events_number")
    rec = Recorder(conn)
    store.events_for(rec, 151, include_internal=True)
    with pytest.raises(AssertionError, match="full scan of events"):
        for sql, params in rec.statements:
            assert_indexed(conn, sql, params)
