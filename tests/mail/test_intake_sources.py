"""`isvc mail import` from an mbox and a Maildir: one transaction per message, a summary
line, marking seen, and resuming an interrupted run without duplicates."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

import pytest
from testkit import expect_error


def configure(home: Path, **mail) -> None:
    import tomli_w

    path = home / "config.toml"
    data = tomllib.loads(path.read_text()) if path.exists() else {}
    data.setdefault("mail", {}).update(mail)
    path.write_text(tomli_w.dumps(data))


def message(n: int, *, frm: str = "ana@example.com", extra: str = "", body: str | None = None) -> bytes:
    body = body if body is not None else f"Message number {n}.\n"
    return (f"From: {frm}\nTo: helpdesk@example.com\nSubject: Request {n}\n"
            f"Message-ID: <msg{n}@mail.example.com>\n{extra}\n{body}").encode()


def mbox(messages: list[bytes]) -> bytes:
    out = b""
    for i, raw in enumerate(messages):
        out += f"From sender@example.com Mon Nov 23 08:0{i}:00 2026\n".encode() + raw
        if not raw.endswith(b"\n"):
            out += b"\n"
        out += b"\n"
    return out


@pytest.fixture
def mdesk(quick_desk, isvc_home):
    configure(isvc_home, default_team="it")
    return quick_desk


def rows(db) -> list[tuple]:
    return db.query("SELECT id, outcome, number, source FROM mail_messages ORDER BY id")


# -- mbox ---------------------------------------------------------------------------------------


def test_an_mbox_imports_each_message_with_a_summary(mdesk, db, tmp_path):
    msgs = [message(1), message(2, body="Hi\n>From the ground floor it works.\n"),
            message(3, extra="Auto-Submitted: auto-replied\n"), message(4)]
    path = tmp_path / "archive.mbox"
    path.write_bytes(mbox(msgs))
    result = mdesk("mail", "import", str(path))  # a quarantined message does not fail a batch
    assert result.stderr == "4 messages: 3 new requests, 1 quarantined\n"
    assert [r[1] for r in rows(db)] == ["request", "request", "quarantined", "request"]
    assert rows(db)[0][3] == f"{path} #1"
    # byte-exact: the stored message is what sat between the separators (>From kept)
    assert mdesk("--as", "boss", "mail", "show", 2, "--raw").stdout_bytes == msgs[1]
    again = mdesk.json("mail", "import", str(path))
    assert [r["result"] for r in again] == ["duplicate"] * 4
    assert db.count("requests") == 3


def test_an_interrupted_mbox_import_resumes_without_duplicates(mdesk, db, tmp_path):
    msgs = [message(n) for n in range(1, 7)]
    whole = mbox(msgs)
    # killed after two messages: what a re-run sees is the file it saw before
    prefix = whole[:whole.index(b"From sender@example.com Mon Nov 23 08:02")]
    path = tmp_path / "inbox.mbox"
    path.write_bytes(prefix)
    assert mdesk("mail", "import", str(path)).stderr == "2 messages: 2 new requests\n"
    path.write_bytes(whole)
    result = mdesk("mail", "import", str(path))
    assert result.stderr == "6 messages: 2 duplicates, 4 new requests\n"
    assert db.count("mail_messages") == 6 and db.count("requests") == 6


def test_an_mbox_import_killed_mid_run_resumes_without_duplicates(mdesk, db, tmp_path, monkeypatch):
    from isvc.services import mail as svc

    path = tmp_path / "inbox.mbox"
    path.write_bytes(mbox([message(n) for n in range(1, 6)]))
    real = svc.import_message
    calls = []

    def dies_on_the_third(*args, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process is stopped in the middle of message 3
        return real(*args, **kw)

    monkeypatch.setattr(svc, "import_message", dies_on_the_third)
    interrupted = mdesk("mail", "import", str(path), code=None)
    assert interrupted.exit_code != 0  # Click: "Aborted!"
    assert db.count("mail_messages") == 2
    monkeypatch.setattr(svc, "import_message", real)
    assert mdesk("mail", "import", str(path)).stderr == "5 messages: 2 duplicates, 3 new requests\n"
    assert db.count("requests") == 5
    assert [r[0] for r in db.query("SELECT count(*) FROM mail_messages GROUP BY fingerprint")] == [1] * 5


def test_a_busy_database_fails_the_batch_with_75_and_keeps_nothing_half_done(mdesk, db, tmp_path, monkeypatch):
    from isvc.store import db as store_db

    path = tmp_path / "a.mbox"
    path.write_bytes(mbox([message(1), message(2)]))
    mdesk("--as", "boss", "team", "list")  # open (and migrate) the desk before locking it
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 150)
    blocker = sqlite3.connect(db.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        result = mdesk("mail", "import", str(path), code=75)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert result.stderr.startswith("2 messages: 2 temporary failures (first failure: the database stayed busy")
    assert db.count("mail_messages") == 0
    assert mdesk("mail", "import", str(path)).stderr == "2 messages: 2 new requests\n"


def test_mbox_on_stdin_and_forced_formats(mdesk, db, tmp_path):
    data = mbox([message(1), message(2)])
    result = mdesk("mail", "import", "-", "--format", "mbox", input=data)
    assert result.stderr == "2 messages: 2 new requests\n"
    # an .eml that starts with "From " would look like an mbox: --format eml takes it whole
    path = tmp_path / "odd.eml"
    path.write_bytes(b"From " + message(3))
    mdesk("mail", "import", str(path), "--format", "eml", code=None)
    assert db.count("mail_messages") == 3
    expect_error(mdesk("mail", "import", str(path), "--format", "pdf", code=None), 2,
                 "unknown --format 'pdf'; use eml, mbox or maildir")
    expect_error(mdesk("mail", "import", str(tmp_path), code=None), 2,
                 f"{tmp_path} is a folder but not a Maildir (it needs cur/, new/ and tmp/)")
    expect_error(mdesk("mail", "import", str(tmp_path / "nope.eml"), code=None), 3,
                 f"no file or folder {tmp_path / 'nope.eml'}")


# -- Maildir --------------------------------------------------------------------------------------


def _maildir(root: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    return root


def test_a_maildir_import_marks_messages_seen_and_a_rerun_imports_nothing(mdesk, db, tmp_path):
    md = _maildir(tmp_path / "Maildir")
    (md / "new" / "1700000001.M1P1.host").write_bytes(message(1))
    (md / "new" / "1700000002.M2P1.host").write_bytes(message(2, extra="Auto-Submitted: auto-replied\n"))
    (md / "cur" / "1700000003.M3P1.host:2,F").write_bytes(message(3))    # read by a client, not seen
    (md / "cur" / "1700000004.M4P1.host:2,RS").write_bytes(message(4))   # seen: left alone
    (md / "tmp" / "1700000005.M5P1.host").write_bytes(message(5))        # still being delivered
    result = mdesk("mail", "import", str(md))
    assert result.stderr == "3 messages: 2 new requests, 1 quarantined\n"
    assert sorted(r[1] for r in rows(db)) == ["quarantined", "request", "request"]
    assert sorted(p.name for p in (md / "new").iterdir()) == []
    assert sorted(p.name for p in (md / "cur").iterdir()) == [
        "1700000001.M1P1.host:2,S", "1700000002.M2P1.host:2,S", "1700000003.M3P1.host:2,FS",
        "1700000004.M4P1.host:2,RS"]
    # the bytes stay exactly as delivered
    assert (md / "cur" / "1700000001.M1P1.host:2,S").read_bytes() == message(1)
    assert mdesk("mail", "import", str(md)).stderr == f"No new messages in {md}.\n"
    assert db.count("mail_messages") == 3


def test_maildir_keep_leaves_it_untouched_and_duplicates_are_still_found(mdesk, db, tmp_path):
    md = _maildir(tmp_path / "Maildir")
    (md / "new" / "a").write_bytes(message(1))
    result = mdesk.json("mail", "import", str(md), "--keep")
    assert [(r["result"], r["outcome"], r["source"]) for r in result] == [
        ("stored", "request", str(md / "new" / "a"))]
    assert [p.name for p in (md / "new").iterdir()] == ["a"]
    assert mdesk("mail", "import", str(md)).stderr == "1 message: 1 duplicate\n"
    assert [p.name for p in (md / "cur").iterdir()] == ["a:2,S"]
    assert db.count("mail_messages") == 1


def test_a_temporary_failure_leaves_the_maildir_message_for_the_next_run(mdesk, db, tmp_path, monkeypatch):
    from isvc.store import attachments as att_store

    md = _maildir(tmp_path / "Maildir")
    raw = (b"From: ana@example.com\nTo: helpdesk@example.com\nSubject: file\nMessage-ID: <f@x>\n"
           b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
           b"see file\n--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\n"
           b"hello\n--b--\n")
    (md / "new" / "a").write_bytes(raw)
    (md / "new" / "b").write_bytes(message(2))

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(att_store, "write_file", full)
    result = mdesk("mail", "import", str(md), code=75)
    assert "1 temporary failure" in result.stderr and "No space left on device" in result.stderr
    assert [p.name for p in (md / "new").iterdir()] == ["a"]
    assert db.count("mail_messages") == 1


def test_an_unreadable_maildir_file_waits_and_the_others_go_through(mdesk, db, tmp_path, monkeypatch):
    from isvc.services import mail as svc

    md = _maildir(tmp_path / "Maildir")
    (md / "new" / "a").write_bytes(message(1))
    (md / "new" / "b").write_bytes(message(2))
    real = svc.read_file

    def unreadable_a(path, cap, source=None):
        if path.name == "a":
            raise PermissionError(13, "Permission denied")
        return real(path, cap, source)

    monkeypatch.setattr(svc, "read_file", unreadable_a)
    result = mdesk("mail", "import", str(md), code=75)
    assert "1 temporary failure" in result.stderr and "Permission denied" in result.stderr
    assert [p.name for p in (md / "new").iterdir()] == ["a"]
    assert db.count("mail_messages") == 1


# -- the installed isvc, as a mail server and cron run it -------------------------------------------


def _isvc_command() -> list[str]:
    import sys

    script = Path(sys.executable).with_name("isvc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "isvc"]


@pytest.fixture
def process_env(tmp_path):
    import subprocess

    home = tmp_path / "pipe-home"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LOGNAME": "mail", "ISVC_HOME": str(home),
           "ISVC_NOW": "2026-11-23T09:30:00Z", "ISVC_TZ": "UTC", "LANG": "C.UTF-8", "ISVC_USER": "mail"}
    for args in (["team", "add", "it"], ["config", "set", "mail.default_team", "it"],
                 ["config", "set", "mail.max_message_mb", "1"]):
        subprocess.run([*_isvc_command(), *args], env=env, check=True, capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=60)
    return env, home


def test_a_mail_server_pipe(process_env):
    """As Postfix's pipe(8) or procmail runs it: the message on stdin, the exit code read."""
    import subprocess

    env, home = process_env
    latin1 = (b"From: =?iso-8859-1?q?J=FCrgen?= <juergen@example.com>\nTo: it@example.com\n"
              b"Subject: Drucker\nMessage-ID: <p1@x>\nContent-Type: text/plain; charset=iso-8859-1\n\n"
              b"Der Drucker druckt nicht. Gr\xfc\xdfe\n")

    def pipe(data: bytes) -> subprocess.CompletedProcess:
        return subprocess.run([*_isvc_command(), "mail", "import"], input=data, env=env,
                              capture_output=True, timeout=60, check=False)

    first = pipe(latin1)
    assert (first.returncode, first.stdout) == (0, b""), first.stderr
    assert first.stderr == b"Mail 1: new request #1 from juergen@example.com.\n"
    assert pipe(latin1).returncode == 0  # delivered again: a duplicate, nothing new
    # 3 MB over a 1 MB limit: refused after reading 1 MB + 1 byte (the writer sees a broken pipe)
    huge = latin1.replace(b"<p1@x>", b"<p2@x>") + b"x" * (3 * 1024 * 1024)
    refused = pipe(huge)
    assert refused.returncode == 65, refused.stderr
    assert b"message too large" in refused.stderr
    conn = sqlite3.connect(home / "isvc.db")
    try:
        assert conn.execute("SELECT outcome, size FROM mail_messages ORDER BY id").fetchall() == [
            ("request", len(latin1)), ("quarantined", 1024 * 1024 + 1)]
        assert conn.execute("SELECT body FROM requests").fetchone()[0] == "Der Drucker druckt nicht. Grüße"
    finally:
        conn.close()


def test_an_mbox_import_killed_by_a_signal_resumes_without_duplicates(process_env, tmp_path):
    import signal
    import subprocess
    import time

    env, home = process_env
    total = 300
    path = tmp_path / "big.mbox"
    path.write_bytes(mbox([message(n) for n in range(total)]))
    proc = subprocess.Popen([*_isvc_command(), "mail", "import", str(path)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        conn = sqlite3.connect(home / "isvc.db", timeout=10)
        try:
            stored = conn.execute("SELECT count(*) FROM mail_messages").fetchone()[0]
        finally:
            conn.close()
        if stored >= 20:
            proc.send_signal(signal.SIGKILL)  # no clean-up, mid-transaction or between two
            break
        time.sleep(0.01)
    proc.wait(timeout=60)
    proc.stderr.close()
    rerun = subprocess.run([*_isvc_command(), "mail", "import", str(path)], env=env,
                           capture_output=True, timeout=300, check=False, stdin=subprocess.DEVNULL)
    assert rerun.returncode == 0, rerun.stderr
    conn = sqlite3.connect(home / "isvc.db")
    try:
        assert conn.execute("SELECT count(*), count(DISTINCT fingerprint) FROM mail_messages").fetchone() == (
            total, total)
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == total
        assert conn.execute("SELECT count(*) FROM mail_messages WHERE number IS NULL").fetchone()[0] == 0
    finally:
        conn.close()
    summary = rerun.stderr.decode()
    assert summary.startswith(f"{total} messages: ")
    if proc.returncode == -signal.SIGKILL:  # killed part-way (unless it finished first)
        import re

        found = re.fullmatch(rf"{total} messages: (\d+) duplicates, (\d+) new requests\n", summary)
        assert found, summary
        before, after = int(found.group(1)), int(found.group(2))
        assert before >= stored and after > 0 and before + after == total
