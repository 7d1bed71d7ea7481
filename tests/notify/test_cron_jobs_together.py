"""The cron recipes of examples/crontab run at the same time as each other and as people
using the desk, as real processes: mail intake from a Maildir, `sla check --notify`,
`notify send` to a real SMTP server, the digest and backups, while colleagues file and
answer requests. Nothing is lost, nothing is done twice, nobody sees "database is locked".
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from .delivery_kit import smtp_server, use_smtp  # noqa: F401  (fixture)
from .test_triggers_kit import build

MAILS = 16
PEOPLE_FILINGS = 10
EARLIER = "2026-11-19T08:00:00Z"  # Thursday: these requests are breached by Monday


def _isvc_command() -> list[str]:
    script = Path(sys.executable).with_name("isvc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "isvc"]


def _mail(i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Colleague {i} <colleague{i}@example.com>"
    msg["To"] = "it@example.com"
    msg["Subject"] = f"Cron mail number {i}"
    msg["Message-ID"] = f"<cron-{i}@mail.example.com>"
    msg.set_content(f"Message {i}: the printer on floor {i % 5} jams.\n")
    return msg.as_bytes()


class Jobs:
    """Runs isvc processes in loops and records every run's outcome."""

    def __init__(self, env: dict):
        self.env = env
        self.runs: list[tuple[tuple, int, str]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def run(self, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([*_isvc_command(), *args], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, env=self.env, timeout=120,
                              check=False)
        with self.lock:
            self.runs.append((args, proc.returncode, proc.stderr))
        return proc

    def loop(self, *args: str, pause: float = 0.0) -> threading.Thread:
        def body():
            while not self.stop.is_set():
                self.run(*args)
                time.sleep(pause)

        thread = threading.Thread(target=body, daemon=True)
        thread.start()
        return thread


def test_the_cron_recipes_run_together_with_people(isvc, isvc_home, desk, smtp_server, tmp_path):
    build(isvc)
    use_smtp(isvc_home, smtp_server)
    isvc("config", "set", "mail.default_team", "it")
    for i in range(4):  # filed last Thursday: breached now, so --notify has news to send
        number = isvc("--as", "ana", "request", "new", f"Old request {i}", "--team", "it",
                      "--priority", "high", env={"ISVC_NOW": EARLIER}).stdout.strip()
        isvc("--as", "boss", "request", "assign", number, "jim", env={"ISVC_NOW": EARLIER})
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    backups = tmp_path / "backups"
    backups.mkdir()

    env = dict(os.environ)
    env.pop("ISVC_USER", None)
    jobs = Jobs(env)

    def deliver_mail():  # the mail server drops messages into the Maildir as they arrive
        for i in range(MAILS):
            tmp = maildir / "tmp" / f"{i}.cron"
            tmp.write_bytes(_mail(i))
            os.rename(tmp, maildir / "new" / f"{i}.cron")
            time.sleep(0.05)

    def people():  # colleagues at the command line meanwhile
        for i in range(PEOPLE_FILINGS):
            proc = jobs.run("--as", "mihai", "request", "new", f"Desk request {i}", "--team", "it")
            if proc.returncode == 0 and i % 2:
                jobs.run("--as", "jim", "request", "comment", proc.stdout.strip(),
                         "-m", f"Looking at it ({i})")

    threads = [
        threading.Thread(target=deliver_mail), threading.Thread(target=people),
        jobs.loop("mail", "import", str(maildir)),
        jobs.loop("--as", "boss", "sla", "check", "--notify"),
        jobs.loop("--as", "boss", "notify", "send"),
        jobs.loop("--as", "boss", "notify", "digest", pause=0.5),
    ]
    threads[0].start()
    threads[1].start()
    for n in range(3):
        jobs.run("db", "backup", str(backups / f"isvc-{n}.db"))
    threads[0].join()
    threads[1].join()
    time.sleep(1.0)  # a last round of each loop after the final mail arrived
    jobs.stop.set()
    for thread in threads[2:]:
        thread.join()
    # the next minute's runs pick up whatever the last loop round left
    jobs.run("mail", "import", str(maildir))
    jobs.run("--as", "boss", "notify", "send")

    print(f"{len(jobs.runs)} runs")
    allowed = {"sla": {0, 4}}
    for args, code, stderr in jobs.runs:
        noun = next(a for a in args if not a.startswith("-") and a not in ("boss", "mihai", "jim"))
        assert code in allowed.get(noun, {0}), (args, code, stderr)
        assert "locked" not in stderr and "busy" not in stderr, (args, stderr)
        assert "Traceback" not in stderr, (args, stderr)

    conn = sqlite3.connect(isvc_home / "isvc.db")
    try:
        # every mail became exactly one request; none is left unseen in the Maildir
        assert conn.execute("SELECT count(*) FROM mail_messages").fetchone()[0] == MAILS
        titles = [r[0] for r in conn.execute(
            "SELECT title FROM requests WHERE channel = 'mail' ORDER BY title")]
        assert sorted(titles) == sorted(f"Cron mail number {i}" for i in range(MAILS))
        assert not list((maildir / "new").iterdir())
        # every colleague's request was filed once, numbers without gaps
        filed = conn.execute("SELECT count(*) FROM requests WHERE title LIKE 'Desk request %'")
        assert filed.fetchone()[0] == PEOPLE_FILINGS
        numbers = [r[0] for r in conn.execute("SELECT number FROM requests ORDER BY number")]
        assert numbers == list(range(1, len(numbers) + 1))
        # each breached clock was announced once to its assignee, however many checks ran
        checked = json.loads(jobs.run("sla", "check", "--json").stdout)
        expected = sum(1 for row in checked if row["state"] == "breached" and row["assignee"] == "jim")
        assert expected >= 4
        notices = conn.execute("SELECT recipient FROM outbox WHERE kind = 'breached' "
                               "AND channel = 'mail'").fetchall()
        assert notices == [("jim@example.com",)] * expected
        # one digest per team for the day, however many runs
        digests = conn.execute("SELECT count(DISTINCT dedupe_key), count(*) FROM outbox "
                               "WHERE kind = 'digest'").fetchone()
        assert digests[0] == digests[1]
        # every queued mail reached the SMTP server exactly once
        statuses = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status"))
        sent_ids = {r[0] for r in conn.execute(
            "SELECT message_id FROM outbox WHERE channel = 'mail' AND status = 'sent'")}
    finally:
        conn.close()
    assert set(statuses) == {"sent"}, statuses
    received_ids = [r.message["Message-ID"].strip("<>") for r in smtp_server.received]
    assert len(received_ids) == len(set(received_ids)), "a message was delivered twice"
    assert set(received_ids) == sent_ids
    # the backups taken meanwhile are whole databases
    for n in range(3):
        backup = sqlite3.connect(backups / f"isvc-{n}.db")
        try:
            assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            backup.close()
