"""The whole loop, end to end with real servers on 127.0.0.1: a mail piped in becomes a
request; the requester gets the acknowledgement with the expected times through SMTP;
their reply to it threads back onto the request; and a breach reaches a signed webhook
once per change of state, however often the check runs."""

from __future__ import annotations

import hashlib
import hmac
import json

from .delivery_kit import http_server, smtp_server, use_smtp  # noqa: F401  (fixtures)
from .test_triggers_kit import build

SECRET = "round-trip-secret"


def _mail(subject: str, mid: str, *, in_reply_to: str | None = None, body: str) -> bytes:
    lines = ["From: Ana Pop <ana@example.com>", "To: it@example.com", f"Subject: {subject}",
             "Date: Mon, 23 Nov 2026 11:29:00 +0200", f"Message-ID: <{mid}>"]
    if in_reply_to:
        lines += [f"In-Reply-To: <{in_reply_to}>", f"References: <{in_reply_to}>"]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body]
    return "\r\n".join(lines).encode()


def test_mail_in_ack_out_reply_back_and_one_breach_notice(isvc, isvc_home, desk, smtp_server,
                                                            http_server, monkeypatch):
    build(isvc)
    use_smtp(isvc_home, smtp_server)
    isvc("config", "set", "mail.default_team", "it")
    monkeypatch.setenv("ISVC_HOOK_SECRET", SECRET)
    isvc("--as", "boss", "notify", "webhook", "add", "chat", http_server.url,
         "--event", "breached", "--team", "it", "--secret-env", "ISVC_HOOK_SECRET")

    # 1. piped in: a new request from Ana
    filed = isvc("mail", "import", input=_mail("Scanner on floor 2 is offline", "scan-1@ana",
                                               body="It shows a red light since 9:00.\r\n"))
    assert "#1" in filed.stderr
    shown = isvc.json("--as", "boss", "request", "show", "1")
    assert (shown["channel"], shown["requester"], shown["team"]) == ("mail", "ana", "it")

    # 2. the acknowledgement reaches her through the SMTP server, with the expected times
    isvc("--as", "boss", "notify", "send")
    [ack] = smtp_server.received
    assert ack.rcpt_tos == ["ana@example.com"]
    message = ack.message
    assert message["Subject"] == "[isvc #1] Scanner on floor 2 is offline"
    assert message["In-Reply-To"] == "<scan-1@ana>"  # threads under her own mail
    assert message["Auto-Submitted"] == "auto-generated"
    text = ack.text
    # normal priority in office hours (Mon-Fri 09:00-17:00 Bucharest): a first response
    # within 4 business hours, resolution within 2 business days, from 11:30 on Monday
    assert "Mon 23 Nov 15:30" in text and "Wed 25 Nov 11:30" in text, text

    # 3. her reply to the acknowledgement threads back through its Message-ID alone
    ack_id = message["Message-ID"].strip("<>")
    isvc("mail", "import", input=_mail("Re: your request", "scan-2@ana", in_reply_to=ack_id,
                                       body="It is the Canon on the left.\r\n\r\n"
                                            "On Mon, IT Service Desk wrote:\r\n> Hello Ana,\r\n"))
    events = isvc.json("--as", "boss", "request", "show", "1")["events"]
    assert (events[-1]["kind"], events[-1]["actor"], events[-1]["message"]) == (
        "reply", "ana", "It is the Canon on the left.")

    # 4. the first-response clock runs out on Monday at 15:30 in Bucharest (13:30Z); the
    #    check runs before and again and again while the breach lasts
    times = ["2026-11-23T13:00:00Z", "2026-11-23T13:31:00Z", "2026-11-23T13:40:00Z",
             "2026-11-23T14:00:00Z", "2026-11-23T14:30:00Z"]
    states = []
    for now in times:
        checked = isvc("--as", "boss", "sla", "check", "--notify", "--json",
                       env={"ISVC_NOW": now}, code=None)
        assert checked.exit_code in (0, 4), checked.stderr
        states.append({(r["clock"], r["state"]) for r in json.loads(checked.stdout)})
        isvc("--as", "boss", "notify", "send", env={"ISVC_NOW": now})
    assert ("first_response", "breached") in states[-1]
    breached_runs = sum(1 for s in states if ("first_response", "breached") in s)
    assert breached_runs >= 2, "the check ran several times while the breach lasted"
    hooks = [json.loads(hit.body) for hit in http_server.hits]
    assert [(h["event"], h["clock"], h["request"]["number"]) for h in hooks] == [
        ("breached", "first_response", 1)], "one notice for one change of state"
    hit = http_server.hits[0]
    signed = f"{hit.headers['x-isvc-timestamp']}.".encode() + hit.body
    expected = hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert hit.headers["x-isvc-signature"] == f"sha256={expected}"
    assert "text" in hooks[0] and "#1" in hooks[0]["text"]
