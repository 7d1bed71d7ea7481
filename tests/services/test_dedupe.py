"""`--dedupe-key`: a cron job that retries files one request, and exits 0 every time."""

from __future__ import annotations

import json

from testkit import expect_error


def test_the_same_key_twice_returns_the_same_request(quick_desk, db):
    first = quick_desk("--as", "ana", "request", "new", "Backup failed", "--team", "it",
                       "--dedupe-key", "backup-2026-11-23")
    assert first.stdout == "1\n"
    events = db.count("events")
    second = quick_desk("--as", "ana", "request", "new", "Backup failed", "--team", "it",
                        "--dedupe-key", "backup-2026-11-23")
    assert second.exit_code == 0
    assert second.stdout == "1\n"
    assert second.stderr == "#1 was already filed with dedupe key 'backup-2026-11-23'; nothing new filed.\n"
    assert db.count("requests") == 1
    assert db.count("events") == events  # nothing journaled either


def test_the_key_wins_over_everything_else_and_json_prints_the_original(quick_desk, db):
    quick_desk("--as", "ana", "request", "new", "Backup failed", "--team", "it", "--priority", "high",
               "--dedupe-key", "k")
    data = json.loads(quick_desk("--as", "mihai", "request", "new", "Something else", "--team", "payroll",
                                 "--dedupe-key", "k", "--json").stdout)
    assert (data["number"], data["title"], data["team"], data["requester"], data["priority"]) == (
        1, "Backup failed", "it", "ana", "high")
    assert db.count("requests") == 1


def test_different_keys_and_no_key_file_new_requests(quick_desk, db):
    for key in ("a", "b"):
        quick_desk("--as", "ana", "request", "new", "x", "--team", "it", "--dedupe-key", key)
    quick_desk("--as", "ana", "request", "new", "x", "--team", "it")
    quick_desk("--as", "ana", "request", "new", "x", "--team", "it")
    assert db.count("requests") == 4
    assert sorted(r[0] for r in db.query("SELECT dedupe_key FROM requests") if r[0]) == ["a", "b"]


def test_a_key_stays_used_after_the_request_closes(quick_desk, db):
    quick_desk("--as", "ana", "request", "new", "x", "--team", "it", "--dedupe-key", "once")
    quick_desk("--as", "jim", "request", "resolve", "1", "-m", "done")
    quick_desk("--as", "jim", "request", "close", "1")
    again = quick_desk("--as", "ana", "request", "new", "x", "--team", "it", "--dedupe-key", "once")
    assert again.stdout == "1\n" and db.count("requests") == 1


def test_an_empty_key_is_refused(quick_desk, db):
    expect_error(quick_desk("request", "new", "x", "--team", "it", "--dedupe-key", "", code=None), 2,
                 "--dedupe-key must not be empty")
    assert db.count("requests") == 0
