"""Fixes from a new-user trial of the notifications: markup in the outbox table, webhook
secrets and texts, who may read the outbox, `notify retry` without arguments, help
texts, and the digest's times."""

from __future__ import annotations

import json

from testkit import expect_error

from .delivery_kit import http_server, queue, rows  # noqa: F401  (fixtures)
from .test_triggers_kit import MON, act, file, hook, nd, outbox, set_webhooks  # noqa: F401

TABLE = {"ISVC_FORCE_TABLE": "1", "COLUMNS": "160", "NO_COLOR": "1"}
SECRET = "correct horse battery staple"
MISSING = ("the secret variable ISVC_CHAT_SECRET is not set in this environment "
           "(notify send needs it)")


# -- 1. markup in the outbox table -----------------------------------------------------------


def test_the_outbox_table_shows_markup_literally(quick_desk, isvc_home):
    queue(isvc_home, subject="[isvc #1] Broken [/x] thing")
    failed = queue(isvc_home, subject="s", recipient="[bold]x[/bold]@example.com")
    import sqlite3

    with sqlite3.connect(isvc_home / "isvc.db") as conn:
        conn.execute("UPDATE outbox SET last_error = 'said [/y] no', attempts = 2 WHERE id = ?",
                     (failed,))
    result = quick_desk("--as", "jim", "notify", "list", env=TABLE)
    assert "Traceback" not in result.output
    assert "Broken [/x] thing" in result.stdout and "said [/y] no" in result.stdout
    assert "[bold]x[/bold]@example.com" in result.stdout
    shown = quick_desk("--as", "jim", "notify", "show", str(failed), env=TABLE).stdout
    assert "said [/y] no" in shown


# -- 5. webhooks -----------------------------------------------------------------------------


def test_a_hook_with_an_unset_secret_is_never_posted_unsigned(quick_desk, isvc_home, http_server,
                                                              monkeypatch):
    monkeypatch.delenv("ISVC_CHAT_SECRET", raising=False)
    quick_desk("--as", "boss", "notify", "webhook", "add", "chat", http_server.url,
               "--secret-env", "ISVC_CHAT_SECRET")
    queued = queue(isvc_home, kind="breached", channel="webhook", recipient="chat",
                   payload={"event": "breached"})
    result = quick_desk("notify", "send", "--json")
    assert http_server.hits == []
    report = json.loads(result.stdout)
    assert (report["sent"], report["failed"], report["waiting"]) == (0, 1, 1)
    [attempt] = report["attempts"]
    assert (attempt["ok"], attempt["final"], attempt["answer"]) == (False, False, MISSING)
    row = rows(isvc_home)[queued]
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 1, MISSING)
    assert row["next_attempt_at"] == "2026-11-23T09:31:00Z"
    # the test message says why, too
    expect_error(quick_desk("--as", "boss", "notify", "test", "--webhook", "chat", code=None), 1,
                 f"test message {queued + 1} not delivered: {MISSING}")
    # with the variable set, the retry goes out signed
    monkeypatch.setenv("ISVC_CHAT_SECRET", SECRET)
    monkeypatch.setenv("ISVC_NOW", "2026-11-23T09:31:00Z")
    assert quick_desk("notify", "send").stderr == "sent 1, failed 0, waiting 0\n"
    [hit] = http_server.hits
    assert hit.headers["x-isvc-signature"].startswith("sha256=")


def test_the_webhook_text_does_not_repeat_its_first_line(quick_desk, isvc_home, http_server):
    from isvc.services.delivery.webhook import message_text

    quick_desk("--as", "boss", "notify", "webhook", "add", "chat", http_server.url)
    queue(isvc_home, kind="digest", channel="webhook", recipient="chat",
          subject="IT digest, Mon 23 Nov: 3 open",
          body="IT digest, Mon 23 Nov: 3 open\n\nOpen requests: 3\n")
    queue(isvc_home, kind="breached", channel="webhook", recipient="chat",
          subject="[isvc #7] VPN drops", body="Resolution target passed.\n")
    quick_desk("notify", "send")
    texts = [json.loads(h.body)["text"] for h in http_server.hits]
    assert texts == ["IT digest, Mon 23 Nov: 3 open\n\nOpen requests: 3",
                     "[isvc #7] VPN drops\nResolution target passed."]
    assert message_text("", "just a body\n") == "just a body"


def test_a_real_webhook_notice_says_its_first_line_once(nd, isvc_home, http_server):
    set_webhooks(isvc_home, [{**hook("chat", ["ack"]), "url": http_server.url}])
    file(nd, MON, "ana", "VPN down")
    nd("notify", "send")
    [hit] = http_server.hits
    text = json.loads(hit.body)["text"]
    first = text.split("\n")[0]
    assert first.startswith("#1 filed: VPN down")
    assert text.count(first) == 1


# -- 6. who may read the outbox ---------------------------------------------------------------


def test_only_staff_read_the_outbox(quick_desk, isvc_home):
    message = queue(isvc_home)
    quick_desk("--as", "boss", "person", "add", "guest", "--name", "Guest")
    for args in (["notify", "list"], ["notify", "show", str(message)], ["notify", "show", "99"]):
        expect_error(quick_desk("--as", "guest", *args, code=None), 2,
                     "only desk admins and team members may read the outbox; you are guest")
    assert [m["id"] for m in quick_desk.json("--as", "ana", "notify", "list")] == [message]
    assert quick_desk.json("--as", "boss", "notify", "show", str(message))["id"] == message


# -- 8. `notify retry` without arguments, help texts ---------------------------------------------


def test_retry_without_arguments_says_what_to_give(quick_desk):
    expect_error(quick_desk("--as", "boss", "notify", "retry", code=None), 2,
                 "give message ids, or --failed")


def test_send_help_keeps_its_sentences_whole(quick_desk):
    out = quick_desk("notify", "send", "--help", env={"COLUMNS": "300"}).stdout
    assert "Exits 0 even when some failed: they are retried" in " ".join(out.split())
    assert "they\n" not in out


# -- 10. the digest's times ----------------------------------------------------------------------


def test_digest_times_are_in_the_teams_calendar_zone(nd, isvc_home, monkeypatch):
    from isvc.cli import _common
    from isvc.services.notify import queue_digests

    a = file(nd, MON, "ana", "VPN down")
    act(nd, MON, "jim", "take", a)
    set_webhooks(isvc_home, [hook("daily", ["digest"], ["it"])])
    # no config tz: the zone is the calendar of the team's agreement (office, Bucharest)
    monkeypatch.delenv("ISVC_TZ", raising=False)
    monkeypatch.setenv("ISVC_NOW", "2026-11-24T12:00:00Z")
    _common.reset()
    _common.GLOBAL.as_person = "jim"
    queue_digests(_common.desk(), "it", False)
    _common.reset()
    mail, web = outbox(isvc_home, "kind = 'digest'")
    for body in (mail["body"], web["body"]):
        assert f"Oldest open: #{a} VPN down (filed Mon 23 Nov 11:30)" in body  # 09:30Z
        assert f"  #{a} VPN down (was due Mon 23 Nov 15:30)" in body
        assert "Times are in Europe/Bucharest." in body
        assert "((" not in body and "))" not in body and "UTC" not in body
