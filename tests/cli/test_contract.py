"""The command-line contract across commands: help with an example everywhere, exit codes
for usage errors and a busy database, no traceback for absurd input, NO_COLOR."""

from __future__ import annotations

import re
import sqlite3

import pytest

from isvc.store import db as store_db

from isvc.cli.reference import leaf_commands
from testkit import expect_error, expect_usage_error

# Every leaf command of the app, found by walking it: a new command is covered at once.
COMMANDS = [doc.path.removeprefix("isvc ") for doc in leaf_commands()]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(isvc, isvc_home, command):
    result = isvc(*command.split(), "--help")
    assert "Example" in result.stdout
    assert f"isvc {command.split()[0]}" in result.stdout.split("Example", 1)[1]
    assert not (isvc_home / "isvc.db").exists()  # asking for help touches nothing


def test_unknown_command_and_option_are_usage_errors(isvc):
    expect_usage_error(isvc("bogus", code=None), "No such command")
    expect_usage_error(isvc("request", "list", "--colour", code=None), "No such option")


HUGE = "99999999999999999999"  # beyond SQLite's 64-bit integers


@pytest.mark.parametrize("args", [
    ["request", "show", HUGE],
    ["request", "ack", HUGE],
    ["request", "comment", HUGE, "-m", "x"],
    ["request", "list", "--limit", HUGE],
    ["queue", "--limit", HUGE],
    ["request", "redact", "1", HUGE, "--reason", "x"],
    ["request", "autoclose", "--days", HUGE],
])
def test_absurd_numbers_are_usage_errors_not_tracebacks(quick_desk, args):
    quick_desk("--as", "ana", "request", "new", "x", "--team", "it")
    expect_usage_error(quick_desk("--as", "boss", *args, code=None), "Invalid value")


def test_a_database_busy_past_the_timeout_exits_75(quick_desk, isvc_home, db, monkeypatch):
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 1000)
    holder = sqlite3.connect(isvc_home / "isvc.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        result = quick_desk("--as", "ana", "request", "new", "x", "--team", "it", code=None)
        # readers are not blocked by a writer in WAL mode
        assert quick_desk("request", "list", "--json").stdout.strip() == "[]"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    expect_error(result, 75, "the database stayed busy for 1s (database is locked); try again")
    assert db.count("requests") == 0
    quick_desk("--as", "ana", "request", "new", "x", "--team", "it")  # and it works once free


def test_no_color_is_honoured(quick_desk):
    quick_desk("--as", "ana", "request", "new", "Fire", "--team", "it", "--priority", "urgent")
    env = {"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"}
    colour = re.compile(r"\x1b\[[0-9;]*3[0-7]m|\x1b\[[0-9;]*38;")
    assert colour.search(quick_desk("queue", env=env).stdout)  # urgent is red on a terminal
    assert not colour.search(quick_desk("queue", env=env | {"NO_COLOR": "1"}).stdout)
