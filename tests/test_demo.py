"""`isvc demo`: the organisation, the requests and their journals, the calendars,
agreements and clocks, kudos and ratings, refusal, determinism, scale.

The demo bypasses the per-request services (it bulk-loads simulated histories), so these
tests hold its data to the invariants the services keep: the clocks in particular must be
what the services would have stored, event by event.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import sqlite3
import tempfile
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from isvc.cli import _common
from isvc.domain.models import OPEN_STATUSES, Status
from isvc.services.demo import OPEN_WINDOW_DAYS, history_days

OPEN = tuple(s.value for s in OPEN_STATUSES)
HISTORY = ("requests", "events", "waits", "request_tags", "watchers", "links")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)   # conftest's ISVC_NOW


def _build(isvc, path: Path, *args: str):
    return isvc("demo", "--db", path, "-q", *args)


@pytest.fixture
def demo_db(isvc, tmp_path) -> Path:
    path = tmp_path / "demo.db"
    _build(isvc, path)
    return path


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _dump(path: Path) -> dict[str, list[tuple]]:
    conn = _connect(path)
    tables = ("teams", "people", "memberships", "settings", "audit_log", "calendars",
              "agreements", "kudos", "ratings") + HISTORY
    out = {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")]
           for t in tables}
    conn.close()
    return out


# -- the organisation --------------------------------------------------------------------

def test_default_demo_builds_an_organisation(demo_db):
    conn = _connect(demo_db)
    teams = {r["handle"]: r["name"] for r in conn.execute("SELECT * FROM teams")}
    for handle in ("it", "hr", "facilities", "purchasing", "payroll"):
        assert handle in teams
    assert teams["it"] == "IT Service Desk" and teams["hr"] == "People & HR"
    providers = {r[0] for r in conn.execute("SELECT DISTINCT team FROM requests")}
    assert len(providers) >= 5
    assert set(teams) - providers, "some teams are customers only"
    people = conn.execute("SELECT * FROM people").fetchall()
    assert len(people) >= 25
    assert all(p["email"] and "@" in p["email"] for p in people)
    per_person = Counter(r[0] for r in conn.execute("SELECT person FROM memberships"))
    assert sum(1 for n in per_person.values() if n == 2) >= 3
    import json

    admins = json.loads(conn.execute("SELECT value FROM settings WHERE key = 'admins'").fetchone()[0])
    assert len(admins) >= 2 and set(admins) <= {p["handle"] for p in people}


def test_exactly_the_requests_asked_for_in_every_status(demo_db):
    conn = _connect(demo_db)
    assert [r[0] for r in conn.execute("SELECT number FROM requests ORDER BY number")] == \
        list(range(1, 301))
    statuses = Counter(r[0] for r in conn.execute("SELECT status FROM requests"))
    assert set(statuses) == {s.value for s in Status}
    assert statuses["closed"] > 150, "older requests are mostly closed"
    priorities = Counter(r[0] for r in conn.execute("SELECT priority FROM requests"))
    assert 0 < priorities["urgent"] < 0.06 * 300
    channels = Counter(r[0] for r in conn.execute("SELECT channel FROM requests"))
    assert channels["cli"] and channels["mail"]
    assert _count(conn, "request_tags") and _count(conn, "watchers") and _count(conn, "links")
    assert conn.execute("SELECT count(*) FROM requests WHERE fields != '{}'").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'note' AND internal = 1"
                        ).fetchone()[0]
    # the next request filed gets 301
    assert conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'requests'").fetchone()[0] == 300


def test_history_spans_eight_weeks_of_mostly_business_hours(demo_db):
    conn = _connect(demo_db)
    now = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
    zone = ZoneInfo("Europe/Bucharest")
    created = [datetime.fromisoformat(r[0].replace("Z", "+00:00"))
               for r in conn.execute("SELECT created_at FROM requests")]
    assert max(created) <= now
    assert now - timedelta(days=57) <= min(created) < now - timedelta(days=50)
    local = [c.astimezone(zone) for c in created]
    in_hours = sum(1 for c in local if c.weekday() < 5 and 9 <= c.hour < 17)
    assert 0.65 * len(local) < in_hours < len(local), "business hours, with some out of hours"
    recent = conn.execute("SELECT status FROM requests WHERE created_at >= '2026-11-19'").fetchall()
    old = conn.execute("SELECT status FROM requests WHERE created_at < '2026-10-15'").fetchall()
    assert sum(r[0] in OPEN for r in recent) > len(recent) / 3, "recent ones mostly open"
    assert all(r[0] in ("closed", "cancelled") for r in old), "old ones finished"


# -- the journal ---------------------------------------------------------------------------

def _check_journals(conn: sqlite3.Connection) -> None:
    members = defaultdict(set)
    for person, team in conn.execute("SELECT person, team FROM memberships"):
        members[team].add(person)
    events = defaultdict(list)
    for e in conn.execute("SELECT * FROM events ORDER BY id"):
        events[e["number"]].append(e)
    waits = defaultdict(list)
    for w in conn.execute("SELECT * FROM waits ORDER BY id"):
        waits[w["number"]].append(w)
    previous_created = ""
    for r in conn.execute("SELECT * FROM requests ORDER BY number"):
        n, journal = r["number"], events[r["number"]]
        where = f"#{n} ({r['status']})"
        assert journal[0]["kind"] == "filed" and journal[0]["at"] == r["created_at"], where
        assert journal[0]["actor"] == r["requester"], where
        assert [e["at"] for e in journal] == sorted(e["at"] for e in journal), where
        assert r["created_at"] >= previous_created, "numbers follow creation"
        previous_created = r["created_at"]
        own = [e for e in journal if not (e["kind"] == "link" and e["at"] > r["created_at"]
                                          and (e["message"] or "").startswith("a reply after"))]
        assert r["updated_at"] == own[-1]["at"], where
        changes = [e for e in journal if e["kind"] == "status"]
        assert (changes[-1]["to_value"] if changes else "new") == r["status"], where
        for before, after in zip(changes, changes[1:]):
            assert before["to_value"] == after["from_value"], where
        status = r["status"]
        if status == "closed":
            assert r["resolved_at"] and r["closed_at"] and r["resolved_at"] <= r["closed_at"], where
        elif status == "cancelled":
            assert r["closed_at"], where
        elif status == "resolved":
            assert r["resolved_at"] and not r["closed_at"], where
        else:
            assert not r["resolved_at"] and not r["closed_at"], where
        open_waits = [w for w in waits[n] if w["ended_at"] is None]
        if status == "waiting":
            assert len(open_waits) == 1 and open_waits[0]["reason"], "a wait carries the question"
            if r["waiting_on"] == "requester":
                assert (open_waits[0]["kind"], open_waits[0]["on_request"]) == ("requester", None)
            else:   # `request wait N --on M`
                assert (open_waits[0]["kind"], open_waits[0]["on_request"]) == \
                    ("request", int(r["waiting_on"])), where
        else:
            assert r["waiting_on"] is None and not open_waits, where
        for kind, field in (("requester", None), ("request", "request")):
            asked = [e for e in changes if e["to_value"] == "waiting" and e["field"] == field]
            spells = [w for w in waits[n] if w["kind"] == kind]
            assert [(e["at"], e["message"]) for e in asked] == \
                [(w["started_at"], w["reason"]) for w in spells], where
        for w in waits[n]:
            assert w["ended_at"] is None or w["started_at"] <= w["ended_at"], where
        # first response: the first public word from the provider side
        # (services/requests.py _is_staff_reply; assignees in these histories never change
        # after the first public word)
        staff = members[r["team"]] | {r["assignee"]}
        answers = [e for e in journal if e["actor"] in staff and (
            e["actor"] != r["requester"] or e["actor"] == r["assignee"]) and (
            e["kind"] == "reply" or (e["kind"] == "status" and (
                e["to_value"] == "acknowledged"
                or (e["message"] and e["to_value"] != "cancelled"))))]
        assert r["first_response_at"] == (answers[0]["at"] if answers else None), where
        if status == "closed":
            assert r["first_response_at"], where


def test_journals_are_consistent_with_the_status(demo_db):
    conn = _connect(demo_db)
    _check_journals(conn)
    # the generated history; the requests the demo's mail filed live afterwards, through
    # the services, and their journals follow their own time
    ats = [r[0] for r in conn.execute(
        "SELECT at FROM events WHERE number NOT IN "
        "(SELECT number FROM mail_messages WHERE number IS NOT NULL) ORDER BY id")]
    assert ats == sorted(ats), "event ids follow time across the desk, as they do live"


def test_follow_ups_are_linked_both_ways(demo_db):
    conn = _connect(demo_db)
    links = conn.execute("SELECT * FROM links WHERE kind != 'blocks'").fetchall()
    assert links
    for link in links:
        new, old = link["src"], link["dst"]
        assert link["kind"] == "follow_up"
        assert conn.execute("SELECT status FROM requests WHERE number = ?", (old,)).fetchone()[0] \
            == "closed"
        title = conn.execute("SELECT title FROM requests WHERE number = ?", (new,)).fetchone()[0]
        assert title.startswith("Follow-up: ")
        marks = conn.execute("SELECT number, to_value FROM events WHERE kind = 'link'").fetchall()
        assert (new, str(old)) in [tuple(m) for m in marks]
        assert (old, str(new)) in [tuple(m) for m in marks]


def _check_chains(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Waiting chains as `request wait N --on M` and M's resolution leave them: the link
    (M blocks N) journaled on both, N's wait on M pausing its clock, and N resumed by
    itself, journaled on both, when M was first resolved, cancelled or closed."""
    links = conn.execute("SELECT * FROM links WHERE kind = 'blocks' ORDER BY src, dst").fetchall()
    journal = defaultdict(list)
    for e in conn.execute("SELECT * FROM events WHERE kind IN ('link', 'status') ORDER BY id"):
        journal[e["number"]].append(e)
    status = dict(conn.execute("SELECT number, status FROM requests"))
    for link in links:
        m, n, at, actor = link["src"], link["dst"], link["created_at"], link["actor"]
        where = f"#{m} blocks #{n}"
        assert m < n, where   # a request waits on an older one: no cycles
        mine = [(e["at"], e["actor"], e["field"], e["to_value"], e["message"]) for e in journal[n]]
        assert mine[mine.index((at, actor, "blocks", str(m), f"blocked by #{m}")) + 1] == \
            (at, actor, "waiting_on", str(m), f"waiting on #{m}"), where
        theirs = [(e["at"], e["actor"], e["field"], e["to_value"], e["message"]) for e in journal[m]]
        assert (at, actor, "blocks", str(n), f"blocks #{n}") in theirs, where
        (wait,) = conn.execute("SELECT * FROM waits WHERE number = ? AND on_request = ?",
                               (n, m)).fetchall()
        assert (wait["kind"], wait["started_at"]) == ("request", at), where
        done = [e for e in journal[m] if e["kind"] == "status"
                and e["to_value"] in ("resolved", "cancelled", "closed")]
        if wait["ended_at"] is None:
            assert not done and status[m] in OPEN and status[n] == "waiting", where
            continue
        first = done[0]
        assert first["at"] == wait["ended_at"] > at, where
        resumed = [(e["at"], e["actor"], e["from_value"], e["to_value"], e["message"])
                   for e in journal[n] if e["kind"] == "status"]
        assert (first["at"], first["actor"], "waiting", "in_progress",
                f"#{m} {first['to_value']}: resumed") in resumed, where
        assert (first["at"], first["actor"], "waiting_on", str(n), f"resumed #{n}") in theirs, where
    return links


def test_waiting_chains_are_linked_waited_and_resumed(isvc, demo_db):
    conn = _connect(demo_db)
    links = _check_chains(conn)
    assert links
    # the showcase: four open requests waiting on each other, across three teams
    chain = isvc.json("--db", demo_db, "--as", "alina", "ripple", "--team", "purchasing")
    assert chain and chain[0]["chain_length"] >= 4 and chain[0]["blocked_open"] >= 4
    number = chain[0]["number"]
    data = isvc.json("--db", demo_db, "--as", "alina", "ripple", number)
    assert data["critical_path"][0] == number and len(data["critical_path"]) >= 4
    teams = {n: t for n, t in conn.execute("SELECT number, team FROM requests")}
    assert len({teams[n] for n in data["critical_path"]}) >= 3
    assert data["waiting_people"]


def test_db_check_passes(isvc, demo_db):
    result = isvc("--db", demo_db, "db", "check")
    assert "ok" in result.stderr
    conn = _connect(demo_db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# -- calendars, agreements, clocks ---------------------------------------------------------

def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instant(text: str) -> datetime:
    return _utc(text).astimezone(ZoneInfo("Europe/Bucharest"))


def _desk(path: Path) -> sqlite3.Connection:
    from isvc.store.db import open_db

    return open_db(path, create=False)


def test_calendars_with_a_lunch_break_holidays_and_a_24x7_one(isvc, demo_db):
    import json

    conn = _connect(demo_db)
    calendars = {r["name"]: (json.loads(r["definition"]), json.loads(r["holiday_names"]))
                 for r in conn.execute("SELECT * FROM calendars")}
    assert len(calendars) >= 2
    round_the_clock = [name for name, (d, _) in calendars.items()
                       if all(d["hours"].get(day) == [["00:00", "24:00"]]
                              for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))]
    assert round_the_clock and all(calendars[n][0]["day_minutes"] == 1440 for n in round_the_clock)
    office, names = calendars["office"]
    assert office["tz"] == "Europe/Bucharest"
    assert office["hours"]["mon"] == [["09:00", "12:30"], ["13:00", "17:30"]], "a lunch break"
    assert not office["hours"].get("sat") and not office["hours"].get("sun")
    # Romanian public holidays from the start of the history to the end of next year
    for day in ("2026-04-13", "2026-12-01", "2026-12-25", "2027-01-01", "2027-05-03",
                "2027-12-25"):   # Orthodox Easter Monday 2026 and 2027, National Day, ...
        assert day in office["holidays"], day
    assert "2026-09-28" not in office["holidays"]
    assert min(office["holidays"]) <= "2026-08-15" and names["2026-12-01"]
    assert office["overrides"]["2026-12-24"] == [["09:00", "13:00"]], "Christmas Eve half-day"
    assert "holidays end" not in isvc("--db", demo_db, "calendar", "show", "office").stderr


def test_every_provider_team_has_an_agreement(isvc, demo_db):
    import json

    conn = _connect(demo_db)
    agreements = conn.execute("SELECT * FROM agreements WHERE active = 1").fetchall()
    providers = {r[0] for r in conn.execute("SELECT DISTINCT team FROM requests")}
    defaults = {a["provider"] for a in agreements if a["customer"] is None}
    assert providers <= defaults
    assert any(a["customer"] for a in agreements), "a customer-specific agreement"
    assert all(json.loads(a["notify"]) for a in agreements)
    oncall = [a for a in agreements if a["oncall_calendar"]]
    assert oncall and all(a["oncall"] for a in oncall)
    calendars = {r["name"]: json.loads(r["definition"])
                 for r in conn.execute("SELECT * FROM calendars")}
    assert all(calendars[a["oncall_calendar"]]["day_minutes"] == 1440 for a in oncall)
    it = next(a for a in agreements if a["name"] == "it-standard")
    assert json.loads(it["response"]) == {"urgent": 60, "high": 240, "normal": 480, "low": 960}
    assert json.loads(it["resolution"]) == {"urgent": 240, "high": 960, "normal": 2400, "low": 4800}
    isvc("--db", demo_db, "agreement", "lint")
    # every request has its agreement's clocks
    missing = conn.execute("SELECT count(*) FROM requests WHERE agreement IS NULL "
                           "OR fr_target IS NULL OR res_target IS NULL").fetchone()[0]
    assert missing == 0


def _states(path: Path) -> dict[str, list[int]]:
    """Open requests by what the queue's due column shows."""
    from isvc.render.sla_views import running_clock
    from isvc.services.sla import live

    conn = _desk(path)
    numbers = [r[0] for r in conn.execute(f"SELECT number FROM requests WHERE status IN {OPEN}")]
    out = defaultdict(list)
    for number, clocks in live(conn, numbers, NOW).items():
        _, st = running_clock(clocks)
        out["paused" if st.paused and st.state != "breached" else st.state].append(number)
    conn.close()
    return out


def test_clocks_in_every_state(demo_db):
    states = _states(demo_db)
    assert {"on_track", "at_risk", "breached", "paused"} <= set(states), states
    conn = _connect(demo_db)

    def story(words: str) -> int:
        """The showcase request whose text says ``words``."""
        (number,), = conn.execute("SELECT number FROM requests WHERE body LIKE ?",
                                  (f"%{words}%",)).fetchall()
        return number

    assert story("I lose the CRM session each time") in states["at_risk"]
    assert story("nobody can save the quarter-end forecasts") in states["paused"]
    assert story("None of the badges work at gate B since 08:30") in states["breached"]
    assert story("duplicate batch id") in states["breached"]
    assert story("Sara Lindqvist joins Marketing next Monday") in states["on_track"]
    # the history: mostly met, some breached, on both clocks
    for clock in ("fr", "res"):
        verdicts = Counter(r[0] for r in conn.execute(
            f"SELECT {clock}_met FROM requests WHERE status = 'closed'"))
        met = verdicts[1] / (verdicts[0] + verdicts[1])
        assert verdicts[0] and 0.75 < met < 0.99, (clock, verdicts)


def test_agreement_status_has_something_to_say(isvc, demo_db):
    rows = isvc.json("--db", demo_db, "agreement", "status")
    conn = _connect(demo_db)
    names = {r[0] for r in conn.execute("SELECT name FROM agreements")}
    assert {r["agreement"] for r in rows} == names
    for row in rows:
        for key in ("first_response_met_pct", "resolution_met_pct"):
            assert row[key] is not None and 50 <= row[key] <= 100, (row["agreement"], key, row[key])
    assert any(r["resolution_met_pct"] < 100 for r in rows)
    assert len({r["resolution_met_pct"] for r in rows}) > 2, "teams keep their promises differently"
    assert any(r["trend_pts"] for r in rows)
    assert sum(r["open"] for r in rows) == conn.execute(
        f"SELECT count(*) FROM requests WHERE status IN {OPEN}").fetchone()[0]
    assert sum(r["breached"] for r in rows) and sum(r["at_risk"] for r in rows)


def test_recomputing_the_clocks_changes_nothing(tmp_path, demo_db):
    """The stored clocks are what the services compute: recomputing them (as a calendar or
    agreement edit would) changes no row."""
    from isvc.services import sla
    from isvc.store.db import write

    copy = tmp_path / "copy.db"
    source = _desk(demo_db)
    source.execute("VACUUM INTO ?", (str(copy),))
    source.close()
    conn = _desk(copy)
    numbers = [r[0] for r in conn.execute(
        f"SELECT number FROM requests WHERE status IN {OPEN} OR status = 'cancelled' "
        "OR number % 7 = 0 ORDER BY number")]
    with write(conn):
        assert sla.recompute(conn, numbers, NOW) == 0
        providers = [r[0] for r in conn.execute("SELECT DISTINCT provider FROM agreements")]
        assert sla.recompute_open(conn, providers, NOW) == 0


def _one_command(reply: sqlite3.Row, event: sqlite3.Row) -> bool:
    """A reply and the status change it causes are one command (services.requests.comment:
    the first staff reply acknowledges; the requester's reply resumes or reopens)."""
    return (reply["kind"] == "reply" and event["kind"] == "status" and event["at"] == reply["at"]
            and event["actor"] == reply["actor"]
            and ((event["from_value"], event["to_value"], event["message"])
                 == ("new", "acknowledged", "first reply")
                 or (event["from_value"] in ("waiting", "resolved")
                     and event["to_value"] == "in_progress")))


def _replay(conn: sqlite3.Connection, now: datetime) -> dict[int, dict]:
    """Every request's clocks as the services would have stored them: recomputed after
    each command that can move them (services.requests._clocks: filing, public replies,
    status changes, priority edits), each time from the values stored before, then once
    more at ``now``, with recompute's rule that a stopped resolution clock keeps its verdict."""
    from isvc.domain.clocks import ClockInput, compute
    from isvc.services.sla import calendars
    from isvc.store import sla as store

    cals = calendars(conn)
    events = defaultdict(list)
    for e in conn.execute("SELECT * FROM events ORDER BY id"):
        events[e["number"]].append(e)
    waits = defaultdict(list)
    for w in conn.execute("SELECT * FROM waits ORDER BY id"):
        waits[w["number"]].append(w)

    def pauses(number: int, at: str | None) -> tuple:
        out = []
        for w in waits[number]:
            if at is None:
                out.append((w["started_at"], w["ended_at"]))
            elif w["kind"] == "reopen":   # written when the request reopens, already ended
                if w["ended_at"] <= at:
                    out.append((w["started_at"], w["ended_at"]))
            elif w["started_at"] <= at:
                ended = w["ended_at"] if w["ended_at"] and w["ended_at"] <= at else None
                out.append((w["started_at"], ended))
        return tuple(out)

    def kept(status: str, old: dict | None) -> bool:
        return (status in ("resolved", "closed") and old is not None
                and old["res_met"] is not None)

    result = {}
    for r in conn.execute("SELECT r.*, p.primary_team AS customer FROM requests r "
                          "JOIN people p ON p.handle = r.requester"):
        n = r["number"]
        ag = store.matching_agreement(conn, r["team"], r["customer"])
        journal = events[n]
        edits = [e for e in journal if e["kind"] == "edit" and e["field"] == "priority"]
        priority = edits[0]["from_value"] if edits else r["priority"]
        status, resolved, old, moved = "new", None, None, False
        fr = r["first_response_at"]
        for i, e in enumerate(journal):
            if e["kind"] == "status":
                if e["to_value"] == "resolved":
                    resolved = e["at"]
                elif e["from_value"] == "resolved":
                    resolved = None
                status, moved = e["to_value"], True
            elif e["kind"] in ("filed", "reply"):
                moved = True
            elif e["kind"] == "edit" and e["field"] == "priority":
                priority, moved = e["to_value"], True
            if moved and (i + 1 == len(journal) or not _one_command(e, journal[i + 1])):
                moved = False
                if not kept(status, old):
                    responded = fr if fr and fr <= e["at"] else None
                    inp = ClockInput(r["created_at"], priority, status, responded, resolved,
                                     pauses(n, e["at"]))
                    old = compute(inp, ag, cals, _utc(e["at"]), old)
        assert status == r["status"] and priority == r["priority"], n
        if not kept(status, old):
            inp = ClockInput(r["created_at"], priority, status, fr, r["resolved_at"],
                             pauses(n, None))
            old = compute(inp, ag, cals, now, old)
        result[n] = old
    return result


def test_clocks_are_what_the_services_would_have_stored_event_by_event(demo_db):
    from isvc.store.sla import CLOCK_COLUMNS

    conn = _connect(demo_db)
    expected = _replay(conn, NOW)
    stored = {r["number"]: r for r in conn.execute("SELECT * FROM requests")}
    assert len(expected) == len(stored) == 300
    for number, values in expected.items():
        assert {c: stored[number][c] for c in CLOCK_COLUMNS} == \
            {c: values[c] for c in CLOCK_COLUMNS}, number
    # the replay covers the histories that differ from one computation at the end: priority
    # changes and cancellations (the 5,000-request desk below has breaches that stay so)
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'edit' AND field = 'priority'"
                        ).fetchone()[0]
    assert conn.execute("SELECT count(*) FROM requests WHERE status = 'cancelled'").fetchone()[0]


# -- kudos and ratings ---------------------------------------------------------------------

VALUES = ["ownership", "teamwork", "customer-first", "craft", "candour"]
NOW_ISO = "2026-11-23T09:30:00Z"


def _check_kudos(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """What services.kudos.give and retract would have allowed and recorded: active
    givers and receivers, nobody thanking themselves, a known value, the primary teams
    and the lateral mark as give computes them, at most 5 a week per giver (weeks from
    Monday 00:00 in UTC or in Bucharest), ids in time order; a kudos for a request as
    `request close N --thanks` leaves it: the requester's close without a message, then
    at the same instant the kudos event naming its id."""
    from isvc.domain.kudos import is_lateral

    people = {r["handle"]: r for r in conn.execute("SELECT * FROM people")}
    teams_of = defaultdict(set)
    members = defaultdict(set)
    for person, team in conn.execute("SELECT person, team FROM memberships"):
        teams_of[person].add(team)
        members[team].add(person)
    values = json.loads(conn.execute("SELECT value FROM settings WHERE key = 'kudos.values'"
                                     ).fetchone()[0])
    rows = conn.execute("SELECT * FROM kudos ORDER BY id").fetchall()
    assert [r["created_at"] for r in rows] == sorted(r["created_at"] for r in rows)
    assert [r["id"] for r in rows] == list(range(1, len(rows) + 1))
    journal = defaultdict(list)
    for e in conn.execute("SELECT * FROM events WHERE number IN "
                          "(SELECT request FROM kudos) ORDER BY id"):
        journal[e["number"]].append(e)
    for k in rows:
        where = f"kudos #{k['id']}"
        giver = people[k["giver"]]
        assert giver["active"] and giver["primary_team"] == k["giver_team"], where
        if k["to_kind"] == "person":
            assert k["recipient"] != k["giver"], f"{where}: kudos to yourself"
            recipient = people[k["recipient"]]
            assert recipient["active"] and recipient["primary_team"] == k["recipient_team"], where
        else:
            assert k["recipient_team"] == k["recipient"] and members[k["recipient"]], where
            assert members[k["recipient"]] != {k["giver"]}, where
        assert k["value"] is None or k["value"] in values, where
        assert len(k["message"].split()) >= 3 and len(k["message"]) >= 12, where
        assert k["created_at"] <= NOW_ISO, where
        if k["retracted_at"]:
            assert k["retracted_by"] == k["giver"], where
            assert k["created_at"] < k["retracted_at"] <= _iso(_utc(k["created_at"])
                                                              + timedelta(hours=24)), where
        request = None
        if k["request"] is not None:
            request = conn.execute("SELECT * FROM requests WHERE number = ?",
                                   (k["request"],)).fetchone()
            events = journal[k["request"]]
            (i, e), = [(i, e) for i, e in enumerate(events) if e["kind"] == "kudos"]
            label = k["recipient"] if k["to_kind"] == "person" else f"+{k['recipient']}"
            assert (e["field"], e["at"], e["actor"], e["internal"]) == \
                (str(k["id"]), k["created_at"], k["giver"], k["private"]), where
            assert (e["to_value"], e["message"]) == \
                ((None, None) if k["private"] else (label, k["message"])), where
            close = events[i - 1]
            assert (close["kind"], close["to_value"], close["at"], close["actor"],
                    close["message"]) == ("status", "closed", e["at"], request["requester"],
                                          None), where
            assert k["giver"] == request["requester"] and request["closed_at"] == e["at"], where
            owner = request["assignee"]
            assert (k["to_kind"], k["recipient"]) == \
                (("person", owner) if owner else ("team", request["team"])), where
        assert bool(k["lateral"]) == is_lateral(
            k["to_kind"], k["giver_team"], k["recipient_team"],
            request["team"] if request else None, teams_of[k["giver"]]), where
    assert conn.execute("SELECT count(*) FROM events WHERE kind = 'kudos'").fetchone()[0] == \
        sum(k["request"] is not None for k in rows)
    for zone in (timezone.utc, ZoneInfo("Europe/Bucharest")):
        week = Counter()
        for k in rows:
            day = _utc(k["created_at"]).astimezone(zone).date()
            week[k["giver"], day - timedelta(days=day.weekday())] += 1
        assert max(week.values()) <= 5, "nobody gives more than the weekly allowance"
    retracts = conn.execute("SELECT subject FROM audit_log WHERE action = 'kudos.retract'")
    assert sorted(r[0] for r in retracts) == \
        sorted(f"kudos #{k['id']}" for k in rows if k["retracted_at"])
    return rows


def _check_ratings(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Ratings as services.ratings.rate records them: the requester's of a resolved or
    closed request, the provider's by a team member or the assignee, both after the
    resolution; each rating journaled (the requester's public, the provider's internal),
    a second rating "from" the first; and the request's updated_at moved."""
    members = defaultdict(set)
    for person, team in conn.execute("SELECT person, team FROM memberships"):
        members[team].add(person)
    journal = defaultdict(list)
    for e in conn.execute("SELECT * FROM events WHERE kind = 'rating' ORDER BY id"):
        journal[e["number"], e["field"]].append(e)
    rows = conn.execute("SELECT t.*, r.status, r.requester, r.assignee, r.team, "
                        "r.resolved_at, r.updated_at FROM ratings t "
                        "JOIN requests r USING (number)").fetchall()
    assert len(rows) == len(journal)
    for rt in rows:
        where = f"#{rt['number']} {rt['side']}"
        assert rt["status"] in ("resolved", "closed"), where
        assert rt["resolved_at"] <= rt["rated_at"] <= rt["updated_at"] <= NOW_ISO, where
        if rt["side"] == "requester":
            assert rt["rater"] == rt["requester"], where
        else:
            assert rt["rater"] != rt["requester"], where
            assert rt["rater"] in members[rt["team"]] or rt["rater"] == rt["assignee"], where
        events = journal[rt["number"], rt["side"]]
        assert (events[-1]["at"], events[-1]["actor"], events[-1]["to_value"],
                events[-1]["message"], events[-1]["internal"]) == \
            (rt["rated_at"], rt["rater"], str(rt["score"]), rt["comment"],
             int(rt["side"] == "provider")), where
        assert events[0]["from_value"] is None, where
        for before, after in zip(events, events[1:]):
            assert after["from_value"] == before["to_value"] and before["at"] < after["at"], where
            assert before["at"] >= rt["resolved_at"], where
    return rows


def test_values_and_the_weekly_allowance_are_set(isvc, demo_db):
    assert isvc.json("--db", demo_db, "kudos", "values") == VALUES
    assert isvc.json("--db", demo_db, "kudos", "policy")["allowance_per_week"] == 5
    conn = _connect(demo_db)
    actions = {r[0]: r[1] for r in conn.execute("SELECT action, actor FROM audit_log")}
    assert actions["kudos.values"] == actions["kudos.policy"] == "alina"


def test_a_few_dozen_kudos_over_the_weeks_within_the_rules(demo_db):
    conn = _connect(demo_db)
    rows = _check_kudos(conn)
    assert 20 <= len(rows) <= 80, len(rows)
    lateral = sum(k["lateral"] for k in rows)
    assert 5 <= lateral < len(rows), "some lateral, some within a team"
    assert any(k["lateral"] and k["request"] is None and k["to_kind"] == "person"
               and k["giver_team"] == "it" and k["recipient_team"] == "payroll" for k in rows)
    assert sum(k["request"] is not None for k in rows) >= 5, "thanks tied to requests"
    assert sum(k["to_kind"] == "team" for k in rows) >= 2
    assert 2 <= sum(k["private"] for k in rows) <= 4
    assert sum(k["retracted_at"] is not None for k in rows) == 1
    assert len({k["value"] for k in rows}) >= 4
    weeks = {_utc(k["created_at"]).isocalendar()[:2] for k in rows}
    assert len(weeks) >= 6, "spread over the weeks"
    recent = [k for k in rows if k["created_at"] >= "2026-11-16"]
    assert len(recent) >= 3, "the wall has something fresh"


def test_ratings_both_ways(demo_db):
    conn = _connect(demo_db)
    rows = _check_ratings(conn)
    done = conn.execute("SELECT count(*) FROM requests WHERE status IN ('resolved', 'closed')"
                        ).fetchone()[0]
    sides = Counter(r["side"] for r in rows)
    assert sides["requester"] > done / 2, "most resolved requests are rated"
    assert 0.1 * done < sides["provider"] < sides["requester"]
    scores = Counter(r["score"] for r in rows if r["side"] == "requester")
    assert scores[4] + scores[5] > 0.65 * sides["requester"], "mostly 4-5"
    assert scores[1] and scores[2] and scores[3], "and some 1-3"
    assert 0.1 * len(rows) < sum(bool(r["comment"]) for r in rows) < 0.7 * len(rows)
    again = conn.execute("SELECT count(*) FROM events WHERE kind = 'rating' "
                         "AND from_value IS NOT NULL").fetchone()[0]
    assert again, "a few rated twice"


def test_satisfaction_wall_and_leaderboard_have_something_to_show(isvc, demo_db):
    env = {"ISVC_USER": "alina"}
    report = isvc.json("--db", demo_db, "satisfaction", env=env)
    providers = {r["team"]: r for r in report["providers"]}
    assert set(providers) == {"it", "hr", "facilities", "purchasing", "payroll", "platform"}
    for team, row in providers.items():
        assert row["csat_pct"] is not None and 50 <= row["csat_pct"] <= 100, (team, row)
        assert 30 <= row["response_rate_pct"] <= 100, (team, row)
    assert len({r["csat_pct"] for r in providers.values()}) > 2, "teams differ"
    quality = [r for r in report["customers"] if r["request_quality_ratings"]]
    assert len(quality) >= 5
    wall = isvc.json("--db", demo_db, "kudos", "wall", env=env)
    assert wall and {"from", "to", "message", "value", "request", "lateral"} <= set(wall[0])
    assert any(k["request"] for k in wall) and any(k["lateral"] for k in wall)
    for by in ("person", "team", "value"):
        board = isvc.json("--db", demo_db, "kudos", "leaderboard", "--by", by, env=env)
        assert board and board[0]["rank"] == 1, by
    mine = isvc.json("--db", demo_db, "kudos", "allowance", env=env)
    assert mine["allowance_per_week"] == 5 and mine["left"] >= 1, "the try-it line works"


# -- using it --------------------------------------------------------------------------

def test_without_db_a_temporary_folder_and_a_tour_that_works(isvc, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # your own desk (ISVC_DB) is never the target
    mine = tmp_path / "mine.db"
    isvc("--db", mine, "team", "add", "it")
    result = isvc("demo", env={"ISVC_DB": str(mine)})
    export = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("export ")]
    assert len(export) == 1
    assignments = dict(part.split("=", 1) for part in export[0].split()[1:])
    path = Path(assignments["ISVC_DB"])
    assert path.parent.parent == tmp_path and path.name == "isvc.db" and path.exists()
    assert str(path) in result.stderr
    assert assignments["ISVC_USER"] == "alina"
    # on stdout (TSV on a pipe): the IT queue, most urgent first, then agreement status
    from isvc.cli.agreement import STATUS_COLUMNS
    from isvc.render.kudos_views import KUDOS_COLUMNS
    from isvc.render.shapes import REQUEST_LIST_COLUMNS

    from isvc.render.notify_views import OUTBOX_COLUMNS

    rows = [line.split("\t") for line in result.stdout.splitlines()]
    kinds = {"ack", "reply", "resolved", "at_risk", "breached", "oncall", "reminder", "digest"}
    outbox = [row for row in rows if len(row) == len(OUTBOX_COLUMNS) and row[1] in kinds]
    rows_left = [row for row in rows if row not in outbox]
    queue = [row for row in rows_left if len(row) == len(REQUEST_LIST_COLUMNS)]
    status = [row for row in rows_left if len(row) == len(STATUS_COLUMNS)]
    wall = [row for row in rows_left if len(row) == len(KUDOS_COLUMNS)]
    assert len(queue) + len(status) + len(wall) + len(outbox) == len(rows)
    assert queue and all(row[3] == "it" and row[1] in OPEN for row in queue)
    assert rows.index(status[0]) > rows.index(queue[-1]), "the queue first"
    assert {row[0] for row in status} >= {"it-standard", "it-sales"}
    # then the newest three kudos, as `isvc kudos wall --limit 3` shows them
    assert len(wall) == 3 and rows.index(wall[0]) > rows.index(status[-1])
    assert [row[1] for row in wall] == sorted((row[1] for row in wall), reverse=True)
    assert "$ isvc kudos wall --limit 3" in result.stderr
    # last, the outbox: what the demo's mail and the clock check queued for delivery
    assert len(outbox) == 8 and rows.index(outbox[0]) > rows.index(wall[-1])
    assert "$ isvc notify list --limit 8" in result.stderr
    assert {row[5] for row in outbox} == {"pending"}
    # the tour: every command runs against the demo as printed
    tour = [shlex.split(line.strip().split("#")[0]) for line in result.stderr.splitlines()
            if line.startswith("  isvc ")]
    commands = [" ".join(c) for c in tour]
    assert any(c.startswith("isvc request show ") for c in commands)
    for needed in ("isvc request list", "isvc queue hr", "isvc team list", "isvc person list",
                   "isvc db status", "isvc agreement status", "isvc sla explain ",
                   "isvc sla check", "isvc calendar show office", "isvc kudos wall",
                   "isvc kudos leaderboard --by team", "isvc satisfaction",
                   "isvc kudos send @ana ", "isvc mail list", "isvc mail quarantine list",
                   "isvc notify list", "isvc request attachments ", "isvc kb search ",
                   "isvc type show ", "isvc reply list", "isvc customers", "isvc ripple ",
                   "isvc ripple --team ", "isvc report", "isvc report peak",
                   "isvc report recurring", "isvc report html ", "isvc export requests"):
        assert any(c.startswith(needed) for c in commands), needed
    # the demo wrote the HTML report beside its database, and the tour writes IT's own
    assert (path.parent / "report.html").read_text().lstrip().lower().startswith("<!doctype html")
    assert f"--out {path.parent / 'report-it.html'}" in result.stderr
    send = next(c for c in tour if c[:3] == ["isvc", "kudos", "send"])
    assert send[-2:] == ["--value", "teamwork"] and len(send[4].split()) >= 3, "one argument"
    for command, args in zip(commands, tour):
        # sla check exits 4 while something is breached (the demo has breaches on purpose)
        isvc(*args[1:], env=assignments, code=4 if command == "isvc sla check" else 0)
    assert (path.parent / "report-it.html").stat().st_size > 10_000
    # the try-it line sent a kudos from the demo user, within this week's allowance
    sent = isvc.json("kudos", "wall", "--limit", "1", env=assignments)[0]
    assert (sent["from"], sent["to"], sent["value"], sent["lateral"]) == \
        ("alina", "ana", "teamwork", True)
    # a request the tour shows for its thanks at closure: the kudos, then a rating
    thanked = next(c for c in commands[commands.index("isvc satisfaction"):]
                   if c.startswith("isvc request show "))
    events = isvc.json(*thanked.split()[1:], env=assignments)["events"]
    i = next(i for i, e in enumerate(events) if e["kind"] == "kudos")
    close, kudos = events[i - 1], events[i]
    assert (close["kind"], close["to"], close["at"], close["actor"]) == \
        ("status", "closed", kudos["at"], kudos["actor"])
    assert any(e["kind"] == "rating" for e in events[i + 1:])
    shown = next(c for c in commands if c.startswith("isvc request show "))
    data = isvc.json(*shown.split()[1:], env=assignments)
    kinds = [e["kind"] for e in data["events"]]
    assert {"reply", "note"} <= set(kinds), "the request the tour shows has a story"
    assert any(e["kind"] == "status" and e["to"] == "waiting" for e in data["events"])
    # the explained request waited on its requester and its clock ran across a weekend
    explained = int(next(c for c in commands if c.startswith("isvc sla explain ")).split()[-1])
    conn = _connect(path)
    assert conn.execute("SELECT count(*) FROM waits WHERE number = ? AND kind = 'requester' "
                        "AND ended_at IS NOT NULL", (explained,)).fetchone()[0]
    row = conn.execute("SELECT created_at, resolved_at FROM requests WHERE number = ?",
                       (explained,)).fetchone()
    start = _instant(row["created_at"]).date()
    end = (_instant(row["resolved_at"]) if row["resolved_at"] else NOW).date()
    assert any((start + timedelta(days=k)).weekday() >= 5 for k in range((end - start).days + 1))
    text = isvc("sla", "explain", explained, "--json", env=assignments).stdout.lower()
    assert "weekend" in text and "paus" in text
    assert _count(_connect(mine), "requests") == 0


def test_a_db_that_holds_data_is_refused_and_left_alone(isvc, tmp_path):
    path = tmp_path / "desk.db"
    isvc("--db", path, "team", "add", "it", "--name", "IT")
    _common.reset()  # close that desk: its WAL is checkpointed into the file
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = isvc("demo", "--db", path, code=2)
    assert result.stderr.startswith("Error: ") and "already holds data" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    conn = _connect(path)
    assert _count(conn, "teams") == 1 and _count(conn, "requests") == 0


def test_an_empty_db_is_fine(isvc, tmp_path):
    path = tmp_path / "empty.db"
    isvc("--db", path, "db", "init")
    _build(isvc, path, "--requests", "40")
    assert _count(_connect(path), "requests") == 40


def test_same_seed_same_desk(isvc, tmp_path, demo_db):
    again = tmp_path / "again.db"
    _build(isvc, again)
    assert _dump(again) == _dump(demo_db)
    other = tmp_path / "other.db"
    _build(isvc, other, "--seed", "8")
    assert _dump(other)["requests"] != _dump(demo_db)["requests"]


def test_at_scale_the_backlog_stays_recent_and_small(isvc, tmp_path):
    path = tmp_path / "big.db"
    _build(isvc, path, "--requests", "5000")
    conn = _connect(path)
    assert _count(conn, "requests") == 5000
    assert history_days(5000) > 150
    first = conn.execute("SELECT min(created_at) FROM requests").fetchone()[0]
    assert first < "2026-05-15", "the history stretches with the volume"
    opened = conn.execute(f"SELECT count(*), min(created_at) FROM requests WHERE status IN {OPEN}"
                          ).fetchone()
    assert 0 < opened[0] < 0.05 * 5000
    window = datetime(2026, 11, 23, 9, 30) - timedelta(days=OPEN_WINDOW_DAYS)
    assert opened[1] >= window.strftime("%Y-%m-%dT%H:%M:%SZ")
    _check_journals(conn)
    isvc("--db", path, "db", "check")
    # waiting chains: a share of the history, more of the backlog, some of 3 open or more
    links = _check_chains(conn)
    chained = {n for link in links for n in (link["src"], link["dst"])}
    assert 0.005 * 5000 < len(chained) < 0.03 * 5000, len(chained)
    open_chained = conn.execute(f"SELECT count(*) FROM requests WHERE status IN {OPEN} AND "
                                f"number IN ({','.join(map(str, chained))})").fetchone()[0]
    assert open_chained > 0.05 * opened[0], (open_chained, opened[0])
    # kudos scale with the requests, within the rules; ratings likewise
    kudos = _check_kudos(conn)
    weeks = history_days(5000) / 7
    assert 300 < len(kudos) <= 30 * weeks, len(kudos)
    assert len(_check_ratings(conn)) > 0.6 * conn.execute(
        "SELECT count(*) FROM requests WHERE status IN ('resolved', 'closed')").fetchone()[0]
    # every open, cancelled or reprioritised request's clocks survive a recompute unchanged
    from isvc.store.sla import CLOCK_COLUMNS

    expected = _replay(conn, NOW)
    stored = {r["number"]: r for r in conn.execute("SELECT * FROM requests")}
    for number, values in expected.items():
        assert all(stored[number][c] == values[c] for c in CLOCK_COLUMNS), number
    # ... including the histories where that differs from one computation on the final
    # state (a breach recorded before a priority change or a cancellation stays)
    from isvc.domain.clocks import ClockInput, compute
    from isvc.services.sla import calendars
    from isvc.store import sla as store

    cals = calendars(conn)
    kept = 0
    for r in conn.execute("SELECT r.*, p.primary_team AS customer FROM requests r "
                          "JOIN people p ON p.handle = r.requester WHERE r.status = 'cancelled' "
                          "OR r.number IN (SELECT number FROM events WHERE field = 'priority')"):
        pauses = tuple(tuple(w) for w in conn.execute(
            "SELECT started_at, ended_at FROM waits WHERE number = ?", (r["number"],)))
        once = compute(ClockInput(r["created_at"], r["priority"], r["status"],
                                  r["first_response_at"], r["resolved_at"], pauses),
                       store.matching_agreement(conn, r["team"], r["customer"]), cals, NOW)
        kept += once["res_breached_at"] != r["res_breached_at"] \
            or once["fr_breached_at"] != r["fr_breached_at"]
    assert kept
    assert set(_states(path)) == {"on_track", "at_risk", "breached", "paused"}


def test_history_grows_slower_than_volume():
    assert history_days(300) == history_days(10) == 56
    assert 700 <= history_days(100_000) <= 800       # ~2 years
    assert 2000 <= history_days(1_000_000) <= 2300    # ~6 years


def test_under_uv_run_the_tour_prints_commands_that_work_from_a_checkout(isvc):
    # `uv run isvc demo` in a checkout: isvc is not on PATH, so the lines say `uv run isvc`
    result = isvc("demo", "--requests", "40", env={"UV_RUN_RECURSION_DEPTH": "1"})
    tour = [line for line in result.stderr.splitlines() if line.startswith("  uv run isvc ")]
    assert tour and not [line for line in result.stderr.splitlines() if line.startswith("  isvc ")]


def test_self_service_types_articles_and_replies(isvc, demo_db):
    """Every provider team has request types with fields, the knowledge base answers the
    questions people ask, and the desk has a canned reply of its own."""
    env = {"ISVC_USER": "alina"}
    types = isvc.json("--db", demo_db, "type", "list", env=env)
    assert {t["team"] for t in types} == {"it", "hr", "facilities", "purchasing", "payroll",
                                         "platform"}
    assert all(any(f["required"] for f in t["fields"]) for t in types)
    articles = isvc.json("--db", demo_db, "kb", "list", env=env)
    assert len(articles) == 20
    hits = isvc.json("--db", demo_db, "kb", "search", "forgot my vpn passwords", env=env)
    assert hits[0]["title"] == "Reset your VPN password"
    names = {r["name"]: r["source"] for r in isvc.json("--db", demo_db, "reply", "list", env=env)}
    assert names["vpn-steps"] == "desk" and names["ack"] == "built-in"
