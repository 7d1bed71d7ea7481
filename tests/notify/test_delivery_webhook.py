"""Webhook delivery to a real HTTP server on 127.0.0.1: the JSON body and headers, the
HMAC signature (recomputed here), retries on 5xx and timeouts, failing for good on 4xx,
and a hook removed after its message was queued."""

from __future__ import annotations

import hashlib
import hmac
import json

from testkit import expect_error

from .delivery_kit import http_server, queue, rows  # noqa: F401, F811  (fixtures)

SECRET = "correct horse battery staple"


def _hook(isvc, server, name="chat", *extra):
    isvc("--as", "boss", "notify", "webhook", "add", name, server.url, *extra)


REQUEST = {"number": 7, "title": "VPN drops", "team": "it", "priority": "high",
           "status": "new", "assignee": None, "requester": "ana"}


def test_a_signed_post_with_the_documented_body(quick_desk, isvc_home, http_server, monkeypatch):
    monkeypatch.setenv("ISVC_CHAT_SECRET", SECRET)
    _hook(quick_desk, http_server, "chat", "--secret-env", "ISVC_CHAT_SECRET")
    queued = queue(isvc_home, kind="breached", channel="webhook", recipient="chat",
                   subject="[isvc #7] VPN drops", body="Resolution target passed.\n",
                   payload={"event": "breached", "request": REQUEST, "clock": "resolution",
                            "state": "breached", "due_at": "2026-11-23T09:00:00Z"})
    assert quick_desk("notify", "send").stderr == "sent 1, failed 0, waiting 0\n"
    (hit,) = http_server.hits
    assert hit.path == "/hook"
    assert hit.headers["content-type"] == "application/json"
    assert hit.headers["x-isvc-event"] == "breached"
    assert hit.headers["x-isvc-delivery"] == str(queued)
    assert hit.headers["user-agent"].startswith("isvc/")
    stamp = hit.headers["x-isvc-timestamp"]
    assert stamp == "1795426200"  # 2026-11-23T09:30:00Z, the pinned clock
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + hit.body, hashlib.sha256)
    assert hit.headers["x-isvc-signature"] == "sha256=" + expected.hexdigest()
    assert json.loads(hit.body) == {
        "text": "[isvc #7] VPN drops\nResolution target passed.", "event": "breached",
        "request": REQUEST, "clock": "resolution", "state": "breached",
        "due_at": "2026-11-23T09:00:00Z", "id": queued, "sent_at": "2026-11-23T09:30:00Z"}
    assert rows(isvc_home)[queued]["status"] == "sent"


def test_without_the_secret_variable_nothing_is_posted_and_it_is_retried(
        quick_desk, isvc_home, http_server, monkeypatch):
    monkeypatch.delenv("ISVC_CHAT_SECRET", raising=False)
    _hook(quick_desk, http_server, "chat", "--secret-env", "ISVC_CHAT_SECRET")
    first = queue(isvc_home, kind="ack", channel="webhook", recipient="chat",
                  payload={"event": "ack"})
    queue(isvc_home, kind="ack", channel="webhook", recipient="chat", payload={"event": "ack"})
    result = quick_desk("notify", "send")
    missing = ("the secret variable ISVC_CHAT_SECRET is not set in this environment "
               "(notify send needs it)")
    assert result.stderr.startswith(f"Warning: webhook chat: {missing}; its messages wait and "
                                    "are retried\n")
    assert result.stderr.endswith("sent 0, failed 2, waiting 2\n")
    assert http_server.hits == []  # never posted unsigned
    row = rows(isvc_home)[first]
    assert (row["status"], row["last_error"]) == ("pending", missing)
    # once the variable is set, the next run signs and sends them
    monkeypatch.setenv("ISVC_CHAT_SECRET", SECRET)
    monkeypatch.setenv("ISVC_NOW", "2026-11-23T09:31:00Z")
    assert quick_desk("notify", "send").stderr == "sent 2, failed 0, waiting 0\n"
    assert all("x-isvc-signature" in h.headers for h in http_server.hits)


def test_a_server_error_is_retried_and_the_delivery_id_stays(quick_desk, isvc_home, http_server,
                                                             monkeypatch):
    _hook(quick_desk, http_server)
    http_server.recorder.script = [500]
    queued = queue(isvc_home, kind="ack", channel="webhook", recipient="chat")
    result = quick_desk("notify", "send")
    assert result.stderr == (
        f"message {queued} to chat: webhook chat: HTTP 500 Internal Server Error: nope "
        "(next attempt 2026-11-23T09:31:00Z)\nsent 0, failed 1, waiting 1\n")
    monkeypatch.setenv("ISVC_NOW", "2026-11-23T09:31:00Z")
    assert quick_desk("notify", "send").stderr == "sent 1, failed 0, waiting 0\n"
    assert [h.headers["x-isvc-delivery"] for h in http_server.hits] == [str(queued)] * 2
    row = rows(isvc_home)[queued]
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 2, None)


def test_a_client_error_fails_for_good_but_408_and_429_are_retried(quick_desk, isvc_home,
                                                                   http_server):
    _hook(quick_desk, http_server)
    http_server.recorder.script = [400, 408, 429]
    bad, slow, limited = (queue(isvc_home, kind="ack", channel="webhook", recipient="chat")
                          for _ in range(3))
    assert quick_desk("notify", "send").stderr.endswith("sent 0, failed 3, waiting 2\n")
    state = rows(isvc_home)
    assert (state[bad]["status"], state[bad]["last_error"]) == (
        "failed", "webhook chat: HTTP 400 Bad Request: nope")
    assert state[slow]["status"] == state[limited]["status"] == "pending"


def test_a_slow_receiver_times_out_and_is_retried(quick_desk, isvc_home, http_server,
                                                  monkeypatch):
    from isvc.services.delivery import webhook

    monkeypatch.setattr(webhook, "TIMEOUT", 0.3)
    _hook(quick_desk, http_server)
    http_server.recorder.delay = 1.5
    queued = queue(isvc_home, kind="ack", channel="webhook", recipient="chat")
    quick_desk("notify", "send")
    row = rows(isvc_home)[queued]
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == (
        "pending", 1, "2026-11-23T09:31:00Z")
    assert "timed out" in row["last_error"]
    http_server.recorder.delay = 0
    monkeypatch.setenv("ISVC_NOW", "2026-11-23T09:31:00Z")
    quick_desk("notify", "send")
    assert rows(isvc_home)[queued]["status"] == "sent"


def test_a_redirect_is_not_followed(quick_desk, isvc_home, http_server):
    _hook(quick_desk, http_server)
    http_server.recorder.script = [302]
    queued = queue(isvc_home, kind="ack", channel="webhook", recipient="chat")
    quick_desk("notify", "send")
    row = rows(isvc_home)[queued]
    assert row["status"] == "failed" and "HTTP 302" in row["last_error"]
    assert len(http_server.hits) == 1


def test_a_removed_hook_fails_its_queued_messages(quick_desk, isvc_home, http_server):
    _hook(quick_desk, http_server)
    queued = queue(isvc_home, kind="ack", channel="webhook", recipient="chat")
    quick_desk("--as", "boss", "notify", "webhook", "remove", "chat")
    quick_desk("notify", "send")
    row = rows(isvc_home)[queued]
    assert (row["status"], row["last_error"]) == ("failed", "webhook chat no longer exists")
    assert http_server.hits == []


def test_webhooks_go_out_while_mail_waits_for_smtp(quick_desk, isvc_home, http_server):
    _hook(quick_desk, http_server)
    mail = queue(isvc_home)
    hook = queue(isvc_home, kind="ack", channel="webhook", recipient="chat")
    result = quick_desk("notify", "send")
    assert result.stderr.startswith("Warning: smtp.host is not set")
    assert result.stderr.endswith("sent 1, failed 0, waiting 1\n")
    state = rows(isvc_home)
    assert (state[mail]["status"], state[mail]["attempts"]) == ("pending", 0)
    assert state[hook]["status"] == "sent"


def test_notify_test_webhook(quick_desk, isvc_home, http_server):
    _hook(quick_desk, http_server, "chat", "--event", "breached")
    result = quick_desk("--as", "boss", "notify", "test", "--webhook", "chat")
    assert result.stderr == "Test message 1 to chat accepted: HTTP 200 OK\n"
    body = json.loads(http_server.hits[0].body)
    assert body["event"] == "test" and body["id"] == 1
    assert body["text"].startswith("isvc test notification\nThis is a test message from isvc")
    http_server.recorder.script = [404]
    expect_error(quick_desk("--as", "boss", "notify", "test", "--webhook", "chat", code=None), 1,
                 "test message 2 not delivered: webhook chat: HTTP 404 Not Found: nope")
    assert rows(isvc_home)[2]["status"] == "failed"
