"""`isvc demo`: the organisation, the requests and their journals, refusal, determinism, scale.

The demo bypasses the per-request services (it bulk-loads simulated histories), so these
tests hold its data to the invariants the services keep.
"""

from __future__ import annotations

import hashlib
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
    tables = ("teams", "people", "memberships", "settings", "audit_log") + HISTORY
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
            assert r["waiting_on"] == "requester" and len(open_waits) == 1, where
            assert open_waits[0]["reason"], "a wait carries the question"
        else:
            assert r["waiting_on"] is None and not open_waits, where
        asked = [e for e in changes if e["to_value"] == "waiting"]
        on_requester = [w for w in waits[n] if w["kind"] == "requester"]
        assert [(e["at"], e["message"]) for e in asked] == \
            [(w["started_at"], w["reason"]) for w in on_requester], where
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
    ats = [r[0] for r in conn.execute("SELECT at FROM events ORDER BY id")]
    assert ats == sorted(ats), "event ids follow time across the desk, as they do live"


def test_follow_ups_are_linked_both_ways(demo_db):
    conn = _connect(demo_db)
    links = conn.execute("SELECT * FROM links").fetchall()
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


def test_db_check_passes(isvc, demo_db):
    result = isvc("--db", demo_db, "db", "check")
    assert "ok" in result.stderr
    conn = _connect(demo_db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


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
    # the IT queue on stdout (TSV on a pipe), most urgent first
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows and all(row[3] == "it" and row[1] in OPEN for row in rows)
    # the tour: every command runs against the demo as printed
    tour = [line.strip().split("#")[0].strip() for line in result.stderr.splitlines()
            if line.startswith("  isvc ")]
    assert any(c.startswith("isvc request show ") for c in tour)
    for needed in ("isvc request list", "isvc queue hr", "isvc team list", "isvc person list",
                   "isvc db status"):
        assert any(c.startswith(needed) for c in tour), needed
    for command in tour:
        isvc(*command.split()[1:], env=assignments)
    shown = next(c for c in tour if c.startswith("isvc request show "))
    data = isvc.json(*shown.split()[1:], env=assignments)
    kinds = [e["kind"] for e in data["events"]]
    assert {"reply", "note"} <= set(kinds), "the request the tour shows has a story"
    assert any(e["kind"] == "status" and e["to"] == "waiting" for e in data["events"])
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


def test_history_grows_slower_than_volume():
    assert history_days(300) == history_days(10) == 56
    assert 700 <= history_days(100_000) <= 800       # ~2 years
    assert 2000 <= history_days(1_000_000) <= 2300    # ~6 years
