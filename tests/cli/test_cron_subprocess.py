"""The installed `isvc` run as a real process the way cron runs it: no terminal, no stdin,
a bare environment. Output is plain data on stdout, errors one line on stderr, and the exit
code is the contract."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def isvc_command() -> list[str]:
    script = Path(sys.executable).with_name("isvc")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "isvc"]


@pytest.fixture
def cron(tmp_path):
    home = tmp_path / "cron-home"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LOGNAME": "cronjob",
        "ISVC_HOME": str(home),
        "ISVC_NOW": "2026-11-23T09:30:00Z",
        "ISVC_TZ": "UTC",
        "LANG": "C.UTF-8",
    }

    def run(*args: str, code: int = 0, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [*isvc_command(), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
            env=env | (extra_env or {}), timeout=60, check=False,
        )
        assert proc.returncode == code, (args, proc.returncode, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc

    return run


def test_cron_files_requests_and_reads_the_queue(cron):
    assert cron("--version").stdout == "isvc 0.1.0\n"
    cron("db", "init")
    setup = cron("team", "add", "it", "--name", "IT")
    # the cron identity is new to the desk: added on first use, and said so
    assert setup.stdout == "" and setup.stderr == (
        "Added team it (IT).\nNote: 'cronjob' was not on this desk and was added as a person "
        "(first use); if that is a typo, check --as / ISVC_USER.\n")

    filed = cron("request", "new", "Nightly backup failed", "--team", "it", "--priority", "high",
                 "--dedupe-key", "backup-2026-11-23")
    assert filed.stdout == "1\n"  # only the number: `N=$(isvc request new ...)` works
    assert filed.stderr == "Filed #1 for IT (high).\n"
    # a retried cron job files nothing new and still exits 0
    again = cron("request", "new", "Nightly backup failed", "--team", "it",
                 "--dedupe-key", "backup-2026-11-23")
    assert again.stdout == "1\n" and "already filed" in again.stderr

    # --body-file - with no stdin reads nothing and never waits
    assert cron("request", "new", "Disk 91% full", "--team", "it", "--body-file", "-").stdout == "2\n"

    queue = cron("queue", "it")
    assert "\x1b[" not in queue.stdout  # no colour, no table: TSV on a pipe
    rows = [line.split("\t") for line in queue.stdout.splitlines()]
    assert rows == [
        ["1", "new", "high", "it", "cronjob", "", "2026-11-23T09:30:00Z", "Nightly backup failed"],
        ["2", "new", "normal", "it", "cronjob", "", "2026-11-23T09:30:00Z", "Disk 91% full"],
    ]
    assert cron("db", "check").returncode == 0


def test_cron_exit_codes_propagate(cron):
    cron("team", "add", "it")
    missing = cron("request", "show", "42", code=3)
    assert missing.stdout == "" and missing.stderr == "Error: no request #42; see `isvc request list`\n"
    bad_team = cron("request", "new", "x", "--team", "nope", code=3)
    assert bad_team.stderr == "Error: no team 'nope'; see `isvc team list`\n"
    bad_status = cron("request", "list", "--status", "later", code=2)
    assert bad_status.stderr.startswith("Error: unknown status 'later'")
    usage = cron("request", "new", "no team given", code=2)
    assert "--team" in usage.stderr
    cron("request", "new", "x", "--team", "it")
    cron("request", "resolve", "1", "-m", "done")
    refused = cron("request", "resolve", "1", code=2)
    assert refused.stderr == ("Error: cannot resolve #1: it is resolved; from there you can: close, "
                              "reopen\n")
    closed = cron("request", "autoclose", "--days", "0")
    assert closed.stderr == "closed 1 request(s): #1\n"
    nowhere = str(Path(os.devnull).parent / "no-such-isvc.db")
    no_db = cron("db", "status", extra_env={"ISVC_DB": nowhere}, code=3)
    assert no_db.stderr == f"Error: no database at {nowhere}; create one with `isvc db init`\n"
