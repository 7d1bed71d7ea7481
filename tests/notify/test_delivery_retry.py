"""At least once, never twice without a crash: the retry schedule on a pinned clock, the
claim lease after a crash, concurrent senders (in-process and as real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from isvc.domain.timeutil import parse_iso, to_iso

from .delivery_kit import (  # noqa: F401, F811  (fixtures: imported, used as arguments)
    connect,
    queue,
    rows,
    smtp_server,
    use_smtp,
    write_config,
)

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)


def test_the_schedule():
    from isvc.services.delivery import next_attempt_at, retry_delay

    minutes = [retry_delay(n) / timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 5, 15, 60, 240, 720, 1440, 1440, 1440]
    assert next_attempt_at(1, 8, NOW) == "2026-11-23T09:31:00Z"
    assert next_attempt_at(7, 8, NOW) == "2026-11-24T09:30:00Z"
    assert next_attempt_at(8, 8, NOW) is None


def test_temporary_failures_follow_the_schedule_until_max_attempts(isvc, isvc_home, smtp_server,
                                                                   monkeypatch):
    use_smtp(isvc_home, smtp_server)
    write_config(isvc_home, notify={"max_attempts": 8})
    smtp_server.recorder.refuse["busy@example.com"] = "451 4.3.0 mailbox busy"
    queued = queue(isvc_home, recipient="busy@example.com")
    when = NOW
    waits = []
    for attempt in range(1, 9):
        monkeypatch.setenv("ISVC_NOW", to_iso(when))
        # a minute early nothing happens (except for the first, due at once)
        if attempt > 1:
            monkeypatch.setenv("ISVC_NOW", to_iso(when - timedelta(seconds=30)))
            assert isvc("notify", "send").stderr == "sent 0, failed 0, waiting 1\n"
            monkeypatch.setenv("ISVC_NOW", to_iso(when))
        isvc("notify", "send")
        row = rows(isvc_home)[queued]
        assert row["attempts"] == attempt
        if attempt < 8:
            assert row["status"] == "pending"
            nxt = parse_iso(row["next_attempt_at"])
            waits.append(int((nxt - when) / timedelta(minutes=1)))
            when = nxt
    assert waits == [1, 5, 15, 60, 240, 720, 1440]
    assert (row["status"], row["last_error"]) == (
        "failed", "recipient busy@example.com refused: 451 4.3.0 mailbox busy")
    assert smtp_server.received == []
    monkeypatch.setenv("ISVC_NOW", to_iso(when + timedelta(days=5)))
    assert isvc("notify", "send").stderr == "sent 0, failed 0, waiting 0\n"


def test_a_crash_after_acceptance_repeats_that_one_message_after_the_lease(
        isvc_home, smtp_server, monkeypatch):
    """The server accepted #1, then the sender died before marking it sent."""
    from isvc import clock
    from isvc import config as isvc_config
    from isvc.services.delivery import send_pending
    from isvc.store import outbox

    use_smtp(isvc_home, smtp_server)
    ids = [queue(isvc_home, recipient=f"user{n}@example.com") for n in range(3)]
    config = isvc_config.load()
    real_mark_sent = outbox.mark_sent
    calls = []

    def crash_once(conn, outbox_id, now):
        calls.append(outbox_id)
        if len(calls) == 1:
            raise SystemExit("killed")
        real_mark_sent(conn, outbox_id, now)

    monkeypatch.setattr(outbox, "mark_sent", crash_once)
    conn = connect(isvc_home)
    with pytest.raises(SystemExit):
        send_pending(conn, config, clock.now)
    conn.close()
    state = rows(isvc_home)
    assert [state[i]["status"] for i in ids] == ["sending", "pending", "pending"]
    assert len(smtp_server.received) == 1  # the server has it

    # another sender at the same moment: the claim is younger than the lease
    conn = connect(isvc_home)
    report = send_pending(conn, config, clock.now)
    assert (report.sent, report.waiting) == (2, 1)
    assert rows(isvc_home)[ids[0]]["status"] == "sending"
    # nine minutes later: still leased
    monkeypatch.setenv("ISVC_NOW", to_iso(NOW + timedelta(minutes=9)))
    assert send_pending(conn, config, clock.now).sent == 0
    # after the lease: that one message again, and nothing else
    monkeypatch.setenv("ISVC_NOW", to_iso(NOW + timedelta(minutes=10, seconds=1)))
    assert send_pending(conn, config, clock.now).sent == 1
    conn.close()
    got = [g.rcpt_tos[0] for g in smtp_server.received]
    assert sorted(got) == ["user0@example.com", "user0@example.com", "user1@example.com",
                           "user2@example.com"]
    assert [g.message["Message-ID"] for g in smtp_server.received if
            g.rcpt_tos == ["user0@example.com"]] == [f"<isvc.test.{ids[0]}@example.com>"] * 2
    state = rows(isvc_home)
    assert [state[i]["status"] for i in ids] == ["sent"] * 3
    assert state[ids[0]]["attempts"] == 2


def test_a_fresh_claim_is_not_taken_by_a_second_sender(isvc_home):
    from isvc.store import outbox
    from isvc.store.db import write

    first = queue(isvc_home)
    conn = connect(isvc_home)
    with write(conn):
        claimed = outbox.claim_next(conn, to_iso(NOW), to_iso(NOW - timedelta(minutes=10)))
    assert claimed["id"] == first and claimed["status"] == "sending"
    other = connect(isvc_home)
    with write(other):
        assert outbox.claim_next(other, to_iso(NOW + timedelta(minutes=5)),
                                 to_iso(NOW - timedelta(minutes=5))) is None
    with write(other):
        again = outbox.claim_next(other, to_iso(NOW + timedelta(minutes=11)),
                                  to_iso(NOW + timedelta(minutes=1)))
    assert again["id"] == first and again["attempts"] == 2
    conn.close()
    other.close()


def _isvc_command() -> list[str]:
    script = Path(sys.executable).with_name("isvc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "isvc"]


def test_two_senders_at_once_deliver_each_message_once(isvc_home, smtp_server, tmp_path):
    use_smtp(isvc_home, smtp_server)
    smtp_server.recorder.delay = 0.05  # long enough for the two runs to overlap
    total = 40
    for n in range(total):
        queue(isvc_home, recipient=f"user{n}@example.com")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "LOGNAME": "cronjob", "ISVC_HOME": str(isvc_home), "ISVC_NOW": to_iso(NOW),
           "ISVC_TZ": "UTC", "LANG": "C.UTF-8"}
    procs = [subprocess.Popen([*_isvc_command(), "notify", "send"], env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
        assert out == "" and "Traceback" not in err
    sent = [int(err.split("sent ")[1].split(",")[0]) for _, err in outs]
    assert sum(sent) == total
    assert min(sent) > 0, sent  # they did run at the same time
    got = sorted(g.rcpt_tos[0] for g in smtp_server.received)
    assert got == sorted(f"user{n}@example.com" for n in range(total))
    assert {r["status"] for r in rows(isvc_home).values()} == {"sent"}
    assert {r["attempts"] for r in rows(isvc_home).values()} == {1}


def test_limit_and_one_message_by_id(isvc, isvc_home, smtp_server, monkeypatch):
    use_smtp(isvc_home, smtp_server)
    ids = [queue(isvc_home, recipient=f"user{n}@example.com") for n in range(4)]
    assert isvc("notify", "send", "--limit", "2").stderr == "sent 2, failed 0, waiting 2\n"
    assert isvc("notify", "send", "--id", str(ids[3])).stderr == "sent 1, failed 0, waiting 1\n"
    assert [g.rcpt_tos[0] for g in smtp_server.received] == [
        "user0@example.com", "user1@example.com", "user3@example.com"]
    # --id sends a message now even if its next attempt is later
    smtp_server.recorder.refuse["user2@example.com"] = "451 later"
    isvc("notify", "send")
    assert rows(isvc_home)[ids[2]]["next_attempt_at"] == "2026-11-23T09:31:00Z"
    del smtp_server.recorder.refuse["user2@example.com"]
    assert isvc("notify", "send", "--id", str(ids[2])).stderr == "sent 1, failed 0, waiting 0\n"
