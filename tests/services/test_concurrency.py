"""Several OS processes filing at once: every request gets a number, 1..N with no gap and no
duplicate, and nobody sees "database is locked" (write transactions are BEGIN IMMEDIATE
and wait for the busy timeout instead of failing)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from isvc.cli import _common

WORKER = textwrap.dedent("""
    # One OS process filing COUNT requests through isvc's real command tree, without paying
    # interpreter start-up each time: the root click command is built once and invoked per
    # request, exactly as the console script invokes it.
    import os, sys, time
    from pathlib import Path
    import typer.main
    from isvc.cli import _common
    from isvc.cli.app import app

    go, count = Path(sys.argv[1]), int(sys.argv[2])
    command = typer.main.get_command(app)
    (go.parent / f"ready-{os.getpid()}").touch()
    while not go.exists():
        time.sleep(0.002)
    errors = 0
    for i in range(count):
        _common.reset()
        try:
            code = command.main(["request", "new", f"{os.environ['ISVC_USER']} #{i}", "--team", "it"],
                                prog_name="isvc", standalone_mode=False)
        except SystemExit as exc:
            code = exc.code
        sys.stdout.flush()
        if code not in (0, None):
            errors += 1
            sys.stderr.write(f"exit {code}\\n")
    _common.reset()
    sys.exit(1 if errors else 0)
""")


SHELL_LOOP = 'for i in $(seq {count}); do "$@" request new "$ISVC_USER $i" --team it || echo "exit $?" >&2; done'


def isvc_command() -> list[str]:
    script = Path(sys.executable).with_name("isvc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "isvc"]


@pytest.fixture
def team_desk(isvc, isvc_home):
    isvc("--as", "jim", "team", "add", "it")
    _common.reset()  # close our connection: only the workers write from here on
    return isvc_home


def run_at_once(commands: list[list[str]], home: Path, go: Path | None) -> list[subprocess.CompletedProcess]:
    procs = []
    for i, argv in enumerate(commands):
        env = os.environ | {"ISVC_HOME": str(home), "ISVC_DB": str(home / "isvc.db"), "ISVC_USER": f"writer{i}"}
        procs.append(subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=env))
    if go is not None:  # start them together, once every worker has imported isvc
        deadline = time.monotonic() + 60
        while len(list(go.parent.glob("ready-*"))) < len(procs) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
    out = []
    for proc, argv in zip(procs, commands, strict=True):
        stdout, stderr = proc.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(argv, proc.returncode, stdout, stderr))
    return out


def check_numbers(results, db, expected: int) -> None:
    stderr = "".join(r.stderr for r in results)
    assert "locked" not in stderr and "busy" not in stderr, stderr[-2000:]
    assert [r.returncode for r in results] == [0] * len(results), stderr[-2000:]
    assert "exit " not in stderr, stderr[-2000:]
    numbers = [int(line) for r in results for line in r.stdout.split()]
    assert len(numbers) == expected
    assert sorted(numbers) == list(range(1, expected + 1))  # no gap, no duplicate
    assert db.count("requests") == expected
    assert db.query("SELECT min(number), max(number), count(DISTINCT number) FROM requests") == [
        (1, expected, expected)]
    assert db.count("events", "kind = 'filed'") == expected
    # each writer's requests got increasing numbers (each one waits for the previous)
    for i, result in enumerate(results):
        mine = [int(line) for line in result.stdout.split()]
        assert mine == sorted(mine)
        assert db.count("requests", "requester = ?", f"writer{i}") == len(mine)


def test_three_processes_file_200_requests_each_at_once(team_desk, db, tmp_path):
    go = tmp_path / "go"
    worker = [sys.executable, "-c", WORKER, str(go), "200"]
    results = run_at_once([worker, worker, worker], team_desk, go)
    check_numbers(results, db, 600)
    # the three acting people were created on first use, once each
    assert db.count("audit_log", "action = 'person.auto_create'") == 3 + 1  # + jim


def test_three_shell_loops_of_the_installed_isvc_at_once(team_desk, db):
    """Each `isvc request new` its own process, as cron or a mail hook would run it."""
    loop = ["sh", "-c", SHELL_LOOP.format(count=10), "sh", *isvc_command()]
    results = run_at_once([loop, loop, loop], team_desk, None)
    check_numbers(results, db, 30)
