"""`request new --priority urgent`: the urgency budget, off and on a terminal.

The root conftest pins ISVC_NOW to Mon 23 Nov 2026 09:30Z, so the 30-day window starts
Sat 24 Oct 09:30:00Z (inclusive). Earlier requests are filed with their own ISVC_NOW.
The quick desk: jim, alina, boss in it; ana in payroll; mihai in sales; boss the admin.
"""

from __future__ import annotations

import re

import pytest

from isvc.cli import _common
from isvc.errors import InvalidInput
from isvc.services import requests as requests_svc
from isvc.services import urgency
from isvc.store import customers as store
from testkit import Recorder, expect_error

WINDOW_START = "2026-10-24T09:30:00Z"
JUST_BEFORE = "2026-10-24T09:29:59Z"
LAST_WEEK = "2026-11-16T10:00:00Z"
OVER = ('2 of your last 6 requests (30 days) were urgent, over the 20% budget: '
        'say why with --justify "..." (shown to the agent)')


def file(isvc, who: str, *args, when: str | None = None, code: int = 0, team: str = "it",
         input: str | None = None):
    env = {"ISVC_NOW": when} if when else None
    return isvc("--as", who, "request", "new", "Payslip PDF is blank", "--team", team, *args,
                env=env, code=code, input=input)


def history(isvc, who: str = "ana", normal: int = 4, urgent: int = 0, when: str = LAST_WEEK):
    for _ in range(normal):
        file(isvc, who, when=when)
    for _ in range(urgent):
        file(isvc, who, "--priority", "urgent", "--justify", "earlier", when=when)


def events(db, number: int, kind: str = "justification") -> list[tuple]:
    return db.query("SELECT actor, message, internal FROM events WHERE number = ? AND kind = ?",
                    number, kind)


@pytest.fixture
def ana_at_limit(quick_desk):
    """ana: 4 normal requests last week, then 1 urgent now (1 of 5: exactly 20%)."""
    history(quick_desk)
    assert file(quick_desk, "ana", "-p", "urgent").stdout == "5\n"
    return quick_desk


def test_at_the_limit_is_allowed_above_is_refused_and_writes_nothing(ana_at_limit, db):
    before = db.counts() | {"outbox": db.count("outbox")}
    result = file(ana_at_limit, "ana", "--priority", "urgent", code=2)
    expect_error(result, 2, OVER)
    assert db.counts() | {"outbox": db.count("outbox")} == before  # nothing written at all


def test_not_urgent_is_never_checked(ana_at_limit):
    assert file(ana_at_limit, "ana", "--priority", "high").stdout == "6\n"
    assert file(ana_at_limit, "ana").stdout == "7\n"


def test_below_five_requests_urgency_is_free(quick_desk, db):
    for n in range(1, 5):  # 4 urgent of 4: the budget does not apply yet
        assert file(quick_desk, "ana", "-p", "urgent").stdout == f"{n}\n"
    expect_error(file(quick_desk, "ana", "-p", "urgent", code=2), 2,
                 '5 of your last 5 requests (30 days) were urgent, over the 20% budget: '
                 'say why with --justify "..." (shown to the agent)')
    assert db.count("requests") == 4


def test_the_window_starts_thirty_days_back_inclusive(quick_desk):
    # 4 normal requests exactly at the window's start count; 1 urgent a second before does not
    history(quick_desk, when=WINDOW_START)
    file(quick_desk, "ana", "-p", "urgent", "--justify", "old", when=JUST_BEFORE)
    assert file(quick_desk, "ana", "-p", "urgent").stdout == "6\n"  # 1 of 5: at the limit
    expect_error(file(quick_desk, "ana", "-p", "urgent", code=2), 2, OVER)
    # a day later the 4 normal ones have left the window: 2 of 2, below 5 requests
    assert file(quick_desk, "ana", "-p", "urgent", when="2026-11-24T09:30:00Z").stdout == "7\n"


def test_requests_to_any_team_count(quick_desk):
    for team in ("it", "payroll", "sales", "it"):
        file(quick_desk, "ana", team=team, when=LAST_WEEK)
    file(quick_desk, "ana", "-p", "urgent", team="payroll")
    expect_error(file(quick_desk, "ana", "-p", "urgent", team="sales", code=2), 2, OVER)


def test_justify_past_the_budget_files_and_journals_it(ana_at_limit, db):
    result = file(ana_at_limit, "ana", "-p", "urgent", "--justify", "The payroll run closes at noon")
    assert result.stdout == "6\n"
    assert events(db, 6) == [("ana", "The payroll run closes at noon", 0)]
    # the agent sees it: in the journal and in the header
    shown = ana_at_limit.json("--as", "jim", "request", "show", 6)
    assert [(e["kind"], e["message"]) for e in shown["events"]] == [
        ("filed", None), ("justification", "The payroll run closes at noon")]
    table = ana_at_limit("--as", "jim", "request", "show", 6,
                         env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"}).stdout
    table = re.sub(r"\x1b\[[0-9;]*m", "", table)
    assert "urgent — justified: The payroll run closes at noon" in table
    assert 'justification  "The payroll run closes at noon"' in table


def test_justify_within_the_budget_is_kept_anyway(quick_desk, db):
    assert file(quick_desk, "ana", "-p", "urgent", "--justify", "server room flooding").stdout == "1\n"
    assert events(db, 1) == [("ana", "server room flooding", 0)]


def test_justify_needs_an_urgent_request_and_some_text(quick_desk, db):
    expect_error(file(quick_desk, "ana", "-p", "high", "--justify", "because", code=2), 2,
                 "--justify explains an urgent request; this one is high "
                 "(add --priority urgent, or drop --justify)")
    expect_error(file(quick_desk, "ana", "-p", "urgent", "--justify", "  ", code=2), 2,
                 '--justify must not be empty: say why it is urgent, e.g. '
                 '--justify "payroll run closes at noon"')
    assert db.count("requests") == 0


def test_on_behalf_the_requesters_budget_applies(ana_at_limit, db):
    # jim (it) files for ana: ana's budget, named as hers; jim's own history is empty
    expect_error(file(ana_at_limit, "jim", "-p", "urgent", "--requester", "ana", code=2), 2,
                 "2 of ana's last 6 requests (30 days) were urgent, over the 20% budget: "
                 'say why with --justify "..." (shown to the agent)')
    file(ana_at_limit, "jim", "-p", "urgent", "--requester", "ana", "--justify", "ana is away")
    assert events(db, 6) == [("jim", "ana is away", 0)]
    # and jim, far over his own budget, files urgent for mihai (a clean history) freely
    history(ana_at_limit, "jim", normal=0, urgent=5)
    assert file(ana_at_limit, "jim", "-p", "urgent", "--requester", "mihai").stdout == "12\n"


def test_a_dedupe_key_already_used_is_not_checked(ana_at_limit):
    file(ana_at_limit, "ana", "--dedupe-key", "k1", "-p", "urgent", "--justify", "why")
    assert file(ana_at_limit, "ana", "--dedupe-key", "k1", "-p", "urgent").stdout == "6\n"


# -- on a terminal: ask -------------------------------------------------------------

@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(_common, "can_ask", lambda: True)


def test_on_a_terminal_past_the_budget_it_asks(ana_at_limit, terminal, db):
    result = file(ana_at_limit, "ana", "-p", "urgent", input="Auditors arrive at 10\n")
    # the prompt goes to stderr (stdout stays data; CliRunner echoes the typed input there)
    assert result.stdout.splitlines()[-1] == "6"
    assert result.stderr.startswith(
        "2 of your last 6 requests (30 days) were urgent, over the 20% budget.\n"
        "Why is it urgent? (shown to the agent):")
    assert events(db, 6) == [("ana", "Auditors arrive at 10", 0)]


def test_on_a_terminal_within_the_budget_it_does_not_ask(quick_desk, terminal, db):
    result = file(quick_desk, "ana", "-p", "urgent")
    assert result.stdout == "1\n" and "Why" not in result.stderr
    assert events(db, 1) == []


def test_on_a_terminal_for_someone_else_it_names_them(ana_at_limit, terminal, db):
    result = file(ana_at_limit, "boss", "-p", "urgent", "--requester", "@ana", input="Payday\n")
    assert "2 of ana's last 6 requests" in result.stderr
    assert events(db, 6) == [("boss", "Payday", 0)]


def test_on_a_terminal_with_justify_given_it_does_not_ask(ana_at_limit, terminal, db):
    file(ana_at_limit, "ana", "-p", "urgent", "--justify", "Given")
    assert events(db, 6) == [("ana", "Given", 0)]


# -- the service: where the rule runs, and what it costs -------------------------------

def test_mail_never_asks(ana_at_limit):
    _common.reset()
    d = _common.desk()
    d.actor = "ana"
    filed = requests_svc.file_request(d, "By mail", "it", priority="urgent", channel="mail")
    assert filed.request.number == 6
    _common.reset()


def add_outage_type(home) -> None:
    """A catalog type of team it whose default priority is urgent."""
    import sqlite3

    conn = sqlite3.connect(home / "isvc.db")
    with conn:
        conn.execute("INSERT INTO request_types(key, team, name, title, priority, created_at, "
                     "updated_at) VALUES ('it/outage', 'it', 'outage', 'Outage', 'urgent', ?, ?)",
                     (LAST_WEEK, LAST_WEEK))
    conn.close()


def test_a_types_default_urgent_priority_is_budgeted(ana_at_limit, isvc_home, db):
    add_outage_type(isvc_home)
    expect_error(file(ana_at_limit, "ana", "--type", "it/outage", code=2), 2, OVER)
    assert file(ana_at_limit, "ana", "--type", "outage", "-p", "normal").stdout == "6\n"


def test_preview_reads_the_types_default_priority(ana_at_limit, isvc_home):
    add_outage_type(isvc_home)
    _common.reset()
    d = _common.desk()
    d.actor = "ana"
    for kind in ("it/outage", "outage"):
        handle, decision = urgency.preview(d, "it", type=kind)
        assert handle == "ana" and decision.needed and (decision.filed, decision.urgent) == (6, 2)
    assert urgency.preview(d, "it", type="it/outage", priority="normal") is None
    assert urgency.preview(d, "it") is None
    _common.reset()




@pytest.mark.parametrize("priority", ["urgent", "normal"])
def test_the_check_is_one_indexed_query_and_only_for_urgent(ana_at_limit, priority):
    _common.reset()
    d = _common.desk()
    d.actor = "ana"
    conn = d.conn
    d.conn = Recorder(conn)
    try:
        requests_svc.file_request(d, "Printer", "it", priority=priority, justify=(
            "why" if priority == "urgent" else None))
        # not urgent, or --justify given: the budget is not even read
        assert store.WINDOW_SQL not in d.conn.sql
        d.conn.statements.clear()
        if priority == "urgent":
            with pytest.raises(InvalidInput, match="over the 20% budget"):
                requests_svc.file_request(d, "Printer", "it", priority="urgent")
            assert d.conn.sql.count(store.WINDOW_SQL) == 1
        plan = [row[3] for row in conn.execute(
            "EXPLAIN QUERY PLAN " + store.WINDOW_SQL,
            {"requester": "ana", "since": "2026-10-24T09:30:00Z", "until": "2026-11-23T09:30:00Z"})]
        assert plan == [("SEARCH requests USING INDEX requests_requester_created "
                         "(requester=? AND created_at>? AND created_at<?)")]
    finally:
        d.conn = conn
        _common.reset()
