"""Webhooks as desk settings: `isvc notify webhook add|list|remove`, their validation and
exit codes, the audit log, and `matching` (what the enqueueing side asks)."""

from __future__ import annotations

import json

import pytest
from testkit import expect_error

URL = "https://hooks.example.com/services/T0/B0/xyz"


def _hooks(isvc) -> list[dict]:
    return isvc.json("notify", "webhook", "list")


def test_add_list_remove(quick_desk, db, monkeypatch):
    monkeypatch.setenv("ISVC_CHAT_SECRET", "shh")
    added = quick_desk("--as", "boss", "notify", "webhook", "add", "chat", URL,
                       "--event", "breached", "--event", "at-risk,breached", "--team", "it",
                       "--team", "+payroll", "--secret-env", "ISVC_CHAT_SECRET", "--json")
    assert added.stderr == "Added webhook chat for breached, at_risk (it, payroll).\n"
    hook = {"name": "chat", "url": URL, "events": ["breached", "at_risk"],
            "teams": ["it", "payroll"], "secret_env": "ISVC_CHAT_SECRET", "signed": True}
    assert json.loads(added.stdout) == hook
    quick_desk("--as", "boss", "notify", "webhook", "add", "all", "http://10.0.0.5:8080/in")
    assert _hooks(quick_desk) == [
        {"name": "all", "url": "http://10.0.0.5:8080/in", "events": [], "teams": [],
         "secret_env": None, "signed": False}, hook]
    tsv = quick_desk("notify", "webhook", "list").stdout
    assert tsv.splitlines()[1] == f"chat\t{URL}\tbreached,at_risk\tit,payroll\tISVC_CHAT_SECRET\ttrue"

    removed = quick_desk("--as", "boss", "notify", "webhook", "remove", "chat")
    assert removed.stderr == "Removed webhook chat.\n"
    assert [h["name"] for h in _hooks(quick_desk)] == ["all"]
    actions = db.query("SELECT action, subject, actor FROM audit_log "
                       "WHERE action LIKE 'webhook.%' ORDER BY id")
    assert actions == [("webhook.add", "chat", "boss"), ("webhook.add", "all", "boss"),
                       ("webhook.remove", "chat", "boss")]
    # the secret itself is never stored
    assert "shh" not in json.dumps(db.query("SELECT * FROM settings"))


def test_a_secret_variable_that_is_not_set_is_a_warning(quick_desk, monkeypatch):
    monkeypatch.delenv("ISVC_NOT_SET", raising=False)
    result = quick_desk("--as", "boss", "notify", "webhook", "add", "chat", URL,
                        "--secret-env", "ISVC_NOT_SET")
    assert result.stderr == ("Added webhook chat for every event (every team).\n"
                             "Warning: ISVC_NOT_SET is not set here; deliveries wait (and are "
                             "retried) until `isvc notify send` runs with it set, never "
                             "unsigned\n")


@pytest.mark.parametrize("args, code, message", [
    (["chat", "ftp://example.com/x"], 2,
     "webhook URL 'ftp://example.com/x' must start with https:// or http:// and name a host"),
    (["chat", "https://"], 2,
     "webhook URL 'https://' must start with https:// or http:// and name a host"),
    (["chat", "example.com/hook"], 2,
     "webhook URL 'example.com/hook' must start with https:// or http:// and name a host"),
    (["chat", "https://example.com/a b"], 2,
     "webhook URL 'https://example.com/a b' contains spaces or control characters"),
    (["chat", "https://example.com:99999/x"], 2,
     "webhook URL 'https://example.com:99999/x' is not a valid URL (Port out of range 0-65535)"),
    (["Chat!", URL], 2, None),
    (["chat", URL, "--event", "explosion"], 2,
     ("unknown event 'explosion'; events: ack, reply, resolved, at_risk, breached, oncall, "
      "reminder, digest")),
    (["chat", URL, "--team", "itt"], 3, "no team 'itt' (did you mean 'it'?); see `isvc team list`"),
    (["chat", URL, "--secret-env", "MY-SECRET"], 2,
     "--secret-env 'MY-SECRET' is not an environment variable name, e.g. ISVC_HOOK_SECRET"),
])
def test_add_refuses_bad_input_and_writes_nothing(quick_desk, db, args, code, message):
    result = quick_desk("--as", "boss", "notify", "webhook", "add", *args, code=None)
    if message is None:
        assert result.exit_code == code and result.stderr.startswith(
            "Error: webhook name 'Chat!' is not a valid handle")
    else:
        expect_error(result, code, message)
    assert _hooks(quick_desk) == []
    assert db.count("audit_log", "action LIKE 'webhook.%'") == 0


def test_only_admins_change_webhooks_and_names_are_unique(quick_desk):
    expect_error(quick_desk("--as", "jim", "notify", "webhook", "add", "chat", URL, code=None), 2,
                 "only an admin (boss) may add webhooks; you are jim")
    quick_desk("--as", "boss", "notify", "webhook", "add", "chat", URL)
    expect_error(quick_desk("--as", "boss", "notify", "webhook", "add", "chat", URL, code=None), 2,
                 "webhook 'chat' already exists; remove it first "
                 "(isvc notify webhook remove chat)")
    expect_error(quick_desk("--as", "jim", "notify", "webhook", "remove", "chat", code=None), 2,
                 "only an admin (boss) may remove webhooks; you are jim")
    expect_error(quick_desk("--as", "boss", "notify", "webhook", "remove", "nope", code=None), 3,
                 "no webhook 'nope'; see `isvc notify webhook list`")
    assert [h["name"] for h in _hooks(quick_desk)] == ["chat"]


def test_matching_by_event_and_team(quick_desk, isvc_home):
    from isvc.services import webhooks
    from isvc.store.db import open_db

    quick_desk("--as", "boss", "notify", "webhook", "add", "everything", URL)
    quick_desk("--as", "boss", "notify", "webhook", "add", "it-breaches", URL,
               "--event", "breached", "--team", "it")
    quick_desk("--as", "boss", "notify", "webhook", "add", "digests", URL, "--event", "digest")
    conn = open_db(isvc_home / "isvc.db")
    try:
        def names(event, team):
            return [h["name"] for h in webhooks.matching(conn, event, team)]

        assert names("breached", "it") == ["everything", "it-breaches"]
        assert names("breached", "payroll") == ["everything"]
        assert names("breached", None) == ["everything"]
        assert names("digest", "sales") == ["digests", "everything"]
        assert names("ack", "it") == ["everything"]
        hook = webhooks.matching(conn, "breached", "it")[1]
        assert hook == {"name": "it-breaches", "url": URL, "events": ["breached"],
                        "teams": ["it"], "secret_env": None}
    finally:
        conn.close()


def test_an_empty_desk_has_no_webhooks(isvc):
    assert isvc("notify", "webhook", "list").stdout == ""
    assert _hooks(isvc) == []
