"""`isvc notify list|show|retry|drop|send|digest`, their JSON shapes and exit codes, and
config notify.send_immediately."""

from __future__ import annotations

import json
import sqlite3
import sys
import types

import pytest
from testkit import expect_error

from isvc.store import db as store_db

from .delivery_kit import (  # noqa: F401, F811  (fixtures: imported, used as arguments)
    free_port,
    queue,
    rows,
    smtp_server,
    use_smtp,
    write_config,
)

OUTBOX_KEYS = ["id", "kind", "channel", "to", "person", "request", "subject", "body", "payload",
               "message_id", "dedupe_key", "status", "attempts", "next_attempt_at", "claimed_at",
               "last_error", "created_at", "sent_at"]


def test_list_and_show_shapes(quick_desk, isvc_home):
    quick_desk("--as", "ana", "request", "new", "Printer on fire", "--team", "it")
    first = queue(isvc_home, number=1, payload={"auto": True}, message_id="m1@example.com")
    second = queue(isvc_home, kind="digest", recipient="jim@example.com", message_id=None)
    listed = quick_desk.json("--as", "jim", "notify", "list")
    assert [m["id"] for m in listed] == [second, first]
    assert list(listed[1]) == OUTBOX_KEYS
    assert listed[1] == {
        "id": first, "kind": "ack", "channel": "mail", "to": "ana@example.com", "person": None,
        "request": 1, "subject": "[isvc #1] Printer on fire", "body": "We are on it.\n",
        "payload": {"auto": True}, "message_id": "m1@example.com", "dedupe_key": None,
        "status": "pending", "attempts": 0, "next_attempt_at": "2026-11-23T09:30:00Z",
        "claimed_at": None, "last_error": None, "created_at": "2026-11-23T09:30:00Z",
        "sent_at": None}
    def ids(*args: str) -> list[int]:
        return [m["id"] for m in quick_desk.json("--as", "jim", "notify", "list", *args)]

    assert ids("--request", "1") == [first]
    assert ids("--status", "sent") == []
    assert ids("--limit", "1") == [second]
    tsv = quick_desk("--as", "jim", "notify", "list").stdout.splitlines()
    assert tsv[1] == f"{first}\tack\tmail\tana@example.com\t1\tpending\t0\t2026-11-23T09:30:00Z\t\t"
    assert quick_desk.json("--as", "jim", "notify", "show", str(first)) == listed[1]
    table = quick_desk("--as", "jim", "notify", "show", str(first),
                       env={"ISVC_FORCE_TABLE": "1"}).stdout
    assert "Subject:" in table and "We are on it." in table and "<m1@example.com>" in table
    table = quick_desk("--as", "jim", "notify", "list",
                       env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "140"}).stdout
    assert "ana@example.com" in table and "pending" in table


def test_list_and_show_errors(quick_desk):
    expect_error(quick_desk("--as", "jim", "notify", "list", "--status", "lost", code=None), 2,
                 "unknown status 'lost'; use one of: pending, sending, sent, failed, dropped")
    expect_error(quick_desk("--as", "jim", "notify", "show", "9", code=None), 3,
                 "no message 9 in the outbox; see `isvc notify list`")


def test_retry_and_drop(quick_desk, isvc_home, db):
    a, b, c = (queue(isvc_home) for _ in range(3))
    with sqlite3.connect(isvc_home / "isvc.db") as conn:
        conn.execute("UPDATE outbox SET status = 'failed', attempts = 8, "
                     "last_error = '550 no' WHERE id IN (?, ?)", (a, b))
        conn.execute("UPDATE outbox SET status = 'sent', sent_at = '2026-11-23T09:00:00Z' "
                     "WHERE id = ?", (c,))
    expect_error(quick_desk("--as", "jim", "notify", "retry", "--failed", code=None), 2,
                 "only an admin (boss) may retry notifications; you are jim")
    expect_error(quick_desk("--as", "boss", "notify", "retry", code=None), 2,
                 "give message ids, or --failed")
    expect_error(quick_desk("--as", "boss", "notify", "retry", str(a), "--failed", code=None), 2,
                 "give message ids or --failed, not both")
    expect_error(quick_desk("--as", "boss", "notify", "retry", str(c), code=None), 2,
                 f"message {c} was already sent (at 2026-11-23T09:00:00Z); "
                 "`isvc notify test` checks the way it went")
    expect_error(quick_desk("--as", "boss", "notify", "retry", "99", code=None), 3,
                 "no message 99 in the outbox; see `isvc notify list`")

    done = quick_desk("--as", "boss", "notify", "drop", str(a))
    assert done.stderr == f"Dropped: {a}.\n"
    assert quick_desk("--as", "boss", "notify", "drop", str(a)).stderr == "Already dropped.\n"
    expect_error(quick_desk("--as", "boss", "notify", "drop", str(c), code=None), 2,
                 f"message {c} was already sent (at 2026-11-23T09:00:00Z)")
    expect_error(quick_desk("--as", "jim", "notify", "drop", str(b), code=None), 2,
                 "only an admin (boss) may drop notifications; you are jim")
    state = rows(isvc_home)
    assert state[a]["status"] == "dropped"  # kept

    again = quick_desk("--as", "boss", "notify", "retry", "--failed")
    assert again.stderr == f"Queued again: {b}; `isvc notify send` delivers them.\n"
    assert quick_desk("--as", "boss", "notify", "retry", "--failed").stderr == "No failed messages.\n"
    quick_desk("--as", "boss", "notify", "retry", str(a))
    state = rows(isvc_home)
    for i in (a, b):
        assert (state[i]["status"], state[i]["attempts"], state[i]["next_attempt_at"]) == (
            "pending", 0, "2026-11-23T09:30:00Z")
    assert db.query("SELECT action, actor FROM audit_log WHERE action LIKE 'notify.%' "
                    "ORDER BY id") == [("notify.drop", "boss"), ("notify.retry", "boss"),
                                       ("notify.retry", "boss")]


def test_send_by_id_refuses_what_is_not_waiting(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    sent = queue(isvc_home)
    isvc("notify", "send")
    expect_error(isvc("notify", "send", "--id", str(sent), code=None), 2,
                 f"message {sent} was sent at 2026-11-23T09:30:00Z; nothing to send")
    expect_error(isvc("notify", "send", "--id", "42", code=None), 3,
                 "no message 42 in the outbox; see `isvc notify list`")


def test_send_json_report(isvc, isvc_home, smtp_server):
    use_smtp(isvc_home, smtp_server)
    smtp_server.recorder.refuse["gone@example.com"] = "550 no such user"
    ok, bad = queue(isvc_home), queue(isvc_home, recipient="gone@example.com")
    report = json.loads(isvc("notify", "send", "--json").stdout)
    assert (report["sent"], report["failed"], report["waiting"], report["problems"]) == (
        1, 1, 0, [])
    assert [(a["id"], a["ok"], a["final"]) for a in report["attempts"]] == [
        (ok, True, False), (bad, False, True)]
    assert report["attempts"][0]["answer"].startswith("250 ")


def test_a_busy_database_exits_75(isvc, isvc_home, monkeypatch):
    queue(isvc_home)
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(isvc_home / "isvc.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = isvc("notify", "send", code=None)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 75
    assert result.stderr.endswith("(database is locked); try again\n")
    assert rows(isvc_home)[1]["attempts"] == 0


# -- send_immediately --------------------------------------------------------------------


@pytest.fixture
def queues_on_team_add(monkeypatch):
    """`isvc team add` queues one mail (the way a request command queues its notices)."""
    from isvc.services import directory
    from isvc.store import outbox

    real = directory.add_team

    def add_team(desk, handle, name):
        team = real(desk, handle, name)
        from isvc.store.db import write

        with write(desk.conn):
            outbox.enqueue(desk.conn, kind="ack", channel="mail", recipient="ana@example.com",
                           subject=f"team {handle}", body="new team\n", now=desk.now_iso,
                           message_id=f"team.{handle}@example.com")
        desk.queued_notifications += 1
        return team

    monkeypatch.setattr(directory, "add_team", add_team)


def test_send_immediately_delivers_what_the_command_queued(quick_desk, isvc_home, smtp_server,
                                                           queues_on_team_add):
    use_smtp(isvc_home, smtp_server)
    older = queue(isvc_home, recipient="older@example.com")  # cron's business, not this command's
    write_config(isvc_home, notify={"send_immediately": True})
    result = quick_desk("--as", "boss", "team", "add", "hr", "--name", "HR")
    assert result.stderr == "Added team hr (HR).\n"
    assert [g.rcpt_tos for g in smtp_server.received] == [["ana@example.com"]]
    state = rows(isvc_home)
    assert state[older]["status"] == "pending"
    assert [r["status"] for r in state.values() if r["subject"] == "team hr"] == ["sent"]


def test_send_immediately_is_best_effort(quick_desk, isvc_home, queues_on_team_add):
    write_config(isvc_home, smtp={"host": "127.0.0.1", "port": free_port(), "security": "none",
                                  "timeout": 2},
                 mail={"address": "helpdesk@example.com"}, notify={"send_immediately": True})
    result = quick_desk("--as", "boss", "team", "add", "hr", "--name", "HR")  # exit 0
    lines = result.stderr.splitlines()
    assert lines[0] == "Added team hr (HR)."
    assert len(lines) == 2 and lines[1].startswith(
        "Warning: 0 notification(s) sent now; mail paused until the next run: "
        "cannot reach 127.0.0.1:")
    assert lines[1].endswith("`isvc notify send` retries")
    (row,) = rows(isvc_home).values()
    assert (row["status"], row["attempts"]) == ("pending", 1)  # stays for cron


def test_without_send_immediately_the_outbox_waits_for_cron(quick_desk, isvc_home, smtp_server,
                                                            queues_on_team_add):
    use_smtp(isvc_home, smtp_server)
    assert quick_desk("--as", "boss", "team", "add", "hr", "--name", "HR").stderr == (
        "Added team hr (HR).\n")
    assert smtp_server.received == []
    assert [r["status"] for r in rows(isvc_home).values()] == ["pending"]


def test_send_immediately_does_nothing_for_commands_that_queue_nothing(quick_desk, isvc_home,
                                                                       smtp_server):
    use_smtp(isvc_home, smtp_server)
    write_config(isvc_home, notify={"send_immediately": True})
    queue(isvc_home)
    quick_desk("--as", "boss", "team", "add", "hr", "--name", "HR")
    quick_desk("--version")
    assert smtp_server.received == []


# -- digest --------------------------------------------------------------------------------


def test_digest_prints_one_line_per_team(quick_desk, monkeypatch):
    calls = []

    def queue_digests(desk, team, force):
        calls.append((team, force))
        return [{"team": "it", "recipients": 3, "queued": 3, "skipped": None},
                {"team": "payroll", "recipients": 0, "queued": 0,
                 "skipped": "already queued today"}]

    try:
        import isvc.services.notify as real
    except ImportError:
        fake = types.ModuleType("isvc.services.notify")
        fake.queue_digests = queue_digests
        monkeypatch.setitem(sys.modules, "isvc.services.notify", fake)
    else:
        monkeypatch.setattr(real, "queue_digests", queue_digests)
    result = quick_desk("notify", "digest")
    assert result.stdout == ""
    assert result.stderr == ("it: queued 3 for 3 recipient(s)\n"
                             "payroll: skipped (already queued today)\n")
    shown = quick_desk.json("notify", "digest", "--team", "it", "--force")
    assert shown[0] == {"team": "it", "recipients": 3, "queued": 3, "skipped": None}
    assert calls == [(None, False), ("it", True)]
