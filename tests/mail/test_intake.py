"""`isvc mail import` end to end: new requests, replies, notes, loops, routing, senders,
attachments, the quarantine, and nothing half-written."""

from __future__ import annotations

import json
import os
import sqlite3
import tomllib
from pathlib import Path

import pytest
from testkit import expect_error

# -- helpers --------------------------------------------------------------------------------


def configure(home: Path, **mail) -> None:
    """Merge ``mail`` keys into [mail] of $ISVC_HOME/config.toml."""
    import tomli_w

    path = home / "config.toml"
    data = tomllib.loads(path.read_text()) if path.exists() else {}
    data.setdefault("mail", {}).update(mail)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(data))


def message(*, frm: str = "Ana Pop <ana@example.com>", to: str = "helpdesk@example.com",
            cc: str | None = None, subject: str = "Printer on the 3rd floor jams",
            body: str = "It jams on every second page.\n", mid: str = "m1@mail.example.com",
            in_reply_to: str | None = None, references: str | None = None,
            received: str = "from mx1.example.com by mail.example.com; Mon, 23 Nov 2026 08:00:00 +0000",
            extra: tuple[str, ...] = (), content_type: str = "text/plain; charset=utf-8",
            payload: str | None = None) -> bytes:
    lines = [f"Received: {received}", f"From: {frm}", f"To: {to}"]
    if cc:
        lines.append(f"Cc: {cc}")
    lines += [f"Subject: {subject}", "Date: Mon, 23 Nov 2026 07:59:00 +0000"]
    if mid:
        lines.append(f"Message-ID: <{mid}>")
    if in_reply_to:
        lines.append(f"In-Reply-To: <{in_reply_to}>")
    if references:
        lines.append(f"References: {references}")
    lines += list(extra)
    lines += ["MIME-Version: 1.0", f"Content-Type: {content_type}", ""]
    text = "\r\n".join(lines) + "\r\n" + (payload if payload is not None else body.replace("\n", "\r\n"))
    return text.encode("utf-8")


def with_attachments(files: list[tuple[str, str, bytes]], **kw) -> bytes:
    import base64

    boundary = "==isvc-test-boundary=="
    parts = [f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
             f"{kw.pop('body', 'See the attached files.')}\r\n"]
    for name, ctype, data in files:
        encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
        parts.append(f"--{boundary}\r\nContent-Type: {ctype}\r\n"
                     f"Content-Disposition: attachment; filename=\"{name}\"\r\n"
                     f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}")
    payload = "".join(parts) + f"--{boundary}--\r\n"
    return message(content_type=f"multipart/mixed; boundary=\"{boundary}\"", payload=payload, **kw)


def feed(isvc, raw: bytes, code: int = 0, *args: str):
    """One message on stdin, as a mail server's pipe delivers it."""
    return isvc("mail", "import", *args, input=raw, code=code)


def mail_rows(db) -> list[dict]:
    conn = sqlite3.connect(db.path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(
            "SELECT id, outcome, reason, number, event_id, sender, subject, message_id, source "
            "FROM mail_messages ORDER BY id")]
    finally:
        conn.close()


def request_json(isvc, number: int, as_: str = "boss") -> dict:
    return isvc.json("--as", as_, "request", "show", number)


@pytest.fixture
def mdesk(quick_desk, isvc_home):
    """The quick desk with mail.default_team = it and the desk's address set."""
    configure(isvc_home, default_team="it", address="IT Service Desk <helpdesk@example.com>")
    return quick_desk


# -- a new request ----------------------------------------------------------------------------


def test_a_new_mail_becomes_a_request_from_a_new_person_with_a_cc_watcher(mdesk, db):
    raw = message(frm="Dana Lee <Dana.Lee@Partner.example>", cc="Jim <jim@example.com>, stranger@else.example",
                  subject="Re: Fwd: VPN drops every hour")
    result = feed(mdesk, raw)
    assert "new request #1" in result.stderr
    req = request_json(mdesk, 1)
    assert req["channel"] == "mail"
    assert req["title"] == "VPN drops every hour"
    assert req["team"] == "it"
    assert req["requester"] == "dana.lee"
    assert req["watchers"] == ["jim"]
    assert req["body"].startswith("It jams on every second page.")
    person = mdesk.json("person", "show", "dana.lee")
    assert (person["name"], person["email"]) == ("Dana Lee", "dana.lee@partner.example")
    # an unknown Cc never becomes a person
    assert db.count("people", "email = ?", "stranger@else.example") == 0
    assert db.scalar("SELECT action FROM audit_log WHERE subject = 'dana.lee'") == "person.auto_create"
    [row] = mail_rows(db)
    assert (row["outcome"], row["number"], row["sender"], row["source"]) == (
        "request", 1, "dana.lee@partner.example", "stdin")
    filed = db.scalar("SELECT id FROM events WHERE number = 1 AND kind = 'filed'")
    assert row["event_id"] == filed
    # the whole message is kept, byte for byte
    assert mdesk("--as", "boss", "mail", "show", row["id"], "--raw").stdout_bytes == raw


def test_a_known_sender_files_as_themselves_and_handles_stay_unique(mdesk, db):
    feed(mdesk, message(frm="ana@example.com", mid="a@x"))
    assert request_json(mdesk, 1)["requester"] == "ana"
    # a new address whose local part is a taken handle gets a numeric suffix
    feed(mdesk, message(frm="jim@elsewhere.example", mid="b@x", subject="Other"))
    assert request_json(mdesk, 2)["requester"] == "jim2"
    feed(mdesk, message(frm="\"9 Lives\" <9.lives+tag@x.example>", mid="c@x", subject=""))
    req = request_json(mdesk, 3)
    assert req["requester"] == "lives-tag"
    assert req["title"] == "(no subject)"


def test_a_long_subject_is_cut_to_a_title(mdesk):
    feed(mdesk, message(subject="Word " * 80))
    title = request_json(mdesk, 1)["title"]
    assert len(title) <= 200 and title.startswith("Word Word")


# -- replies ---------------------------------------------------------------------------------


def _filed(isvc, **kw) -> int:
    feed(isvc, message(**kw))
    return 1


def test_a_reply_with_the_tag_is_a_public_reply_without_the_quote(mdesk, db):
    _filed(mdesk)
    body = "Still jamming after the restart.\n\nOn Mon, Ana wrote:\n> It jams on every second page.\n"
    result = feed(mdesk, message(subject="Re: [isvc #1] Printer on the 3rd floor jams", mid="r1@x",
                                 body=body))
    assert "reply from ana@example.com added to #1" in result.stderr
    events = request_json(mdesk, 1)["events"]
    reply = [e for e in events if e["kind"] == "reply"]
    assert len(reply) == 1 and not reply[0]["internal"]
    assert reply[0]["actor"] == "ana"
    assert reply[0]["message"] == "Still jamming after the restart."
    row = mail_rows(db)[-1]
    assert (row["outcome"], row["number"], row["event_id"]) == ("reply", 1, reply[0]["id"])


def test_a_reply_matching_only_in_reply_to_threads(mdesk, db):
    _filed(mdesk, mid="first@mail.example.com")
    feed(mdesk, message(subject="Re: that printer", mid="r2@x", in_reply_to="first@mail.example.com",
                        body="Any news?\n"))
    assert db.count("requests") == 1
    assert [e["message"] for e in request_json(mdesk, 1)["events"] if e["kind"] == "reply"] == ["Any news?"]
    # and References alone, through a message isvc sent (the outbox)
    from isvc.store import outbox

    conn = sqlite3.connect(db.path)
    with conn:
        outbox.enqueue(conn, kind="ack", channel="mail", recipient="ana@example.com", subject="s",
                       body="b", now="2026-11-23T09:00:00Z", number=1, message_id="isvc.1.ack@example.com")
    conn.close()
    feed(mdesk, message(subject="thanks", mid="r3@x", references="<zzz@x> <isvc.1.ack@example.com>",
                        body="Thanks!\n"))
    assert db.count("requests") == 1
    assert mail_rows(db)[-1]["outcome"] == "reply"


def test_an_unknown_tag_number_falls_back_to_headers_then_a_new_request(mdesk, db):
    _filed(mdesk, mid="first@x")
    feed(mdesk, message(subject="Re: [isvc #99] lost", mid="r@x", in_reply_to="first@x"))
    assert mail_rows(db)[-1]["number"] == 1 and mail_rows(db)[-1]["outcome"] == "reply"
    feed(mdesk, message(subject="Re: [isvc #99] lost", mid="r2@x"))
    assert mail_rows(db)[-1]["outcome"] == "request"
    assert db.count("requests") == 2


def test_the_requesters_reply_resumes_a_request_waiting_on_them(mdesk):
    _filed(mdesk)
    mdesk("--as", "jim", "request", "wait", 1, "-m", "Which printer model?")
    assert request_json(mdesk, 1)["status"] == "waiting"
    feed(mdesk, message(subject="Re: [isvc #1] Printer", mid="r@x", body="An HP 4250.\n"))
    req = request_json(mdesk, 1)
    assert req["status"] == "in_progress"
    assert req["waiting_on"] is None


def test_a_reply_to_a_closed_request_files_a_follow_up(mdesk, db):
    _filed(mdesk)
    mdesk("--as", "jim", "request", "resolve", 1, "-m", "Replaced the roller.")
    mdesk("--as", "ana", "request", "close", 1)
    feed(mdesk, message(subject="Re: [isvc #1] Printer", mid="r@x", body="It is back.\n"))
    assert db.count("requests") == 2
    row = mail_rows(db)[-1]
    assert (row["outcome"], row["number"]) == ("request", 2)
    assert "follow-up #2" in row["reason"]


def test_a_team_member_reply_by_mail_is_public_and_acknowledges(mdesk):
    _filed(mdesk)
    feed(mdesk, message(frm="jim@example.com", subject="Re: [isvc #1] Printer", mid="j@x",
                        body="On my way.\n"))
    req = request_json(mdesk, 1)
    assert req["status"] == "acknowledged"
    assert req["first_response_at"] is not None


def test_an_outsiders_reply_becomes_an_unverified_internal_note(mdesk, db):
    _filed(mdesk)
    feed(mdesk, message(frm="Eve <eve@evil.example>", subject="Re: [isvc #1] Printer", mid="e@x",
                        body="Please wire the money.\n"))
    [note] = [e for e in request_json(mdesk, 1)["events"] if e["kind"] == "note"]
    assert note["internal"] is True
    assert note["actor"] == "eve@evil.example"
    assert note["message"].startswith("Unverified sender eve@evil.example wrote:")
    assert "Please wire the money." in note["message"]
    # the requester does not see it, and no person was created for eve
    events = request_json(mdesk, 1, as_="ana")["events"]
    assert not [e for e in events if e["kind"] == "note"]
    assert db.count("people", "email = ?", "eve@evil.example") == 0
    assert mail_rows(db)[-1]["outcome"] == "note"
    # a known person who is not on the request: their handle is the actor
    feed(mdesk, message(frm="mihai@example.com", subject="Re: [isvc #1] Printer", mid="m@x"))
    assert mail_rows(db)[-1]["outcome"] == "note"


def test_unverified_replies_can_be_quarantined(mdesk, isvc_home, db):
    _filed(mdesk)
    configure(isvc_home, unverified_replies="quarantine")
    feed(mdesk, message(frm="eve@evil.example", subject="Re: [isvc #1] x", mid="e@x"), 65)
    row = mail_rows(db)[-1]
    assert row["outcome"] == "quarantined"
    assert row["reason"] == "unverified reply from eve@evil.example to #1 (mail.unverified_replies = quarantine)"


# -- duplicates --------------------------------------------------------------------------------


def test_the_same_message_delivered_twice_creates_nothing_new(mdesk, db):
    feed(mdesk, message(received="from mx1 by a; Mon, 23 Nov 2026 08:00:00 +0000"))
    before = db.counts()
    again = feed(mdesk, message(received="from mx2.backup by b; Mon, 23 Nov 2026 08:05:00 +0000"))
    assert "imported before (request #1); nothing new" in again.stderr
    assert db.counts() == before
    assert len(mail_rows(db)) == 1
    [result] = mdesk.json("mail", "import", input=message())
    assert (result["result"], result["mail_id"], result["outcome"], result["request"]) == (
        "duplicate", 1, "request", 1)


def test_two_different_messages_with_the_same_message_id_are_both_kept(mdesk, db):
    feed(mdesk, message(mid="same@x", subject="First", body="one\n"))
    feed(mdesk, message(mid="same@x", subject="Second", body="two\n"))
    rows = mail_rows(db)
    assert [r["message_id"] for r in rows] == ["same@x", "same@x"]
    assert [r["outcome"] for r in rows] == ["request", "request"]


# -- loops, automatic mail and bounces ---------------------------------------------------------


def test_an_auto_reply_is_quarantined_with_exit_0(mdesk, db):
    # exit 0: a bounce (65) of an auto-reply is automatic mail too, and can loop
    result = feed(mdesk, message(subject="Out of office",
                                 extra=("Auto-Submitted: auto-replied",)), 0)
    [row] = mail_rows(db)
    assert row["outcome"] == "quarantined"
    assert row["reason"].startswith("automatic mail (") and "auto-replied" in row["reason"]
    assert "quarantined" in result.stderr
    assert db.count("requests") == 0


def test_mail_from_the_desks_own_address_is_a_loop(mdesk, db):
    feed(mdesk, message(frm="helpdesk@example.com", subject="[isvc #1] Filed"), 65)
    assert mail_rows(db)[0]["reason"] == "mail loop: sent from the desk's own address helpdesk@example.com"


def _bounce(original_mid: str, subject: str = "Undelivered Mail Returned to Sender") -> bytes:
    boundary = "dsn-boundary"
    payload = (
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\n"
        "This is the mail system at host mx.example.com.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        "<gone@example.com>: host mx.example.com said: 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "From: IT Service Desk <helpdesk@example.com>\r\nTo: gone@example.com\r\n"
        "Subject: [isvc #1] Printer on the 3rd floor jams\r\n"
        f"Message-ID: <{original_mid}>\r\n\r\n"
        f"--{boundary}--\r\n"
    )
    return message(frm="Mail Delivery System <MAILER-DAEMON@mx.example.com>", subject=subject,
                   mid="bounce1@mx.example.com", extra=("Auto-Submitted: auto-replied",),
                   content_type=f"multipart/report; report-type=delivery-status; boundary=\"{boundary}\"",
                   payload=payload)


def test_a_bounce_of_isvcs_own_mail_becomes_an_internal_note(mdesk, db):
    from isvc.store import outbox

    _filed(mdesk)
    conn = sqlite3.connect(db.path)
    with conn:
        outbox.enqueue(conn, kind="ack", channel="mail", recipient="gone@example.com",
                       subject="[isvc #1] Printer", body="b", now="2026-11-23T09:00:00Z", number=1,
                       message_id="isvc.1.7@example.com")
    conn.close()
    outbox_before = db.count("outbox")
    feed(mdesk, _bounce("isvc.1.7@example.com"))
    row = mail_rows(db)[-1]
    assert (row["outcome"], row["number"]) == ("bounce", 1)
    [note] = [e for e in request_json(mdesk, 1)["events"] if e["kind"] == "note"]
    assert note["internal"] and note["message"].startswith("Delivery failed:")
    assert "gone@example.com" in note["message"]
    assert db.count("outbox") == outbox_before  # a bounce notifies nobody
    # a bounce of a message isvc never sent is quarantined
    feed(mdesk, _bounce("someone-elses@x.example").replace(b"bounce1@", b"bounce2@")
         .replace(b"[isvc #1]", b"Lunch"), 0)
    assert mail_rows(db)[-1]["outcome"] == "quarantined"


# -- senders ---------------------------------------------------------------------------------


def test_hold_keeps_an_unknown_sender_for_review_and_retry_accept_takes_it_in(mdesk, isvc_home, db):
    configure(isvc_home, unknown_senders="hold")
    result = feed(mdesk, message(frm="New Hire <new.hire@example.com>"), 0)
    assert "held" in result.stderr
    [row] = mail_rows(db)
    assert (row["outcome"], row["reason"]) == ("held", "unknown sender new.hire@example.com held for review")
    assert db.count("requests") == 0 and db.count("people", "email = ?", "new.hire@example.com") == 0
    [listed] = mdesk.json("--as", "jim", "mail", "quarantine", "list")
    assert listed["id"] == row["id"] and listed["outcome"] == "held"
    # retry without --accept: still held (exit 0); only admins may retry
    expect_error(mdesk("--as", "jim", "mail", "quarantine", "retry", row["id"], code=None), 2,
                 "only an admin (boss) may retry quarantined mail; you are jim")
    mdesk("--as", "boss", "mail", "quarantine", "retry", row["id"])
    assert mail_rows(db)[0]["outcome"] == "held"
    mdesk("--as", "boss", "mail", "quarantine", "retry", row["id"], "--accept")
    [row] = mail_rows(db)
    assert (row["outcome"], row["number"]) == ("request", 1)
    assert request_json(mdesk, 1)["requester"] == "new.hire"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'mail.retry'") == 2


def test_refuse_quarantines_an_unknown_sender(mdesk, isvc_home, db):
    configure(isvc_home, unknown_senders="refuse")
    feed(mdesk, message(frm="spam@spam.example"), 65)
    [row] = mail_rows(db)
    assert row["outcome"] == "quarantined"
    assert row["reason"].startswith("unknown sender spam@spam.example refused")
    # a known sender still gets through
    feed(mdesk, message(frm="ana@example.com", mid="ok@x"), 0)


def test_a_deactivated_sender_is_quarantined_with_the_reason(mdesk, db):
    mdesk("--as", "boss", "person", "deactivate", "ana")
    feed(mdesk, message(), 65)
    assert "ana is deactivated" in mail_rows(db)[0]["reason"]
    assert db.count("requests") == 0


# -- routing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("config, to, cc, team", [
    ({}, "payroll@example.com", None, "payroll"),                          # a team's handle
    ({"routes": {"salaries@example.com": "payroll"}}, "salaries@example.com", None, "payroll"),
    ({"routes": {"ventes@": "sales"}}, "Ventes <VENTES@fr.example.com>", None, "sales"),
    ({"routes": {"ventes@": "sales"}}, "someone@example.com", "ventes@x.example", "sales"),
    ({"rules": [{"subject": "invoice|purchase order", "team": "payroll"}]}, "helpdesk@example.com", None, "payroll"),
    ({"rules": [{"subject": "invoice", "from": "@vendor\\.example$", "team": "sales"}],
      "routes": {"helpdesk@example.com": "payroll"}}, "helpdesk@example.com", None, "payroll"),
    ({}, "helpdesk@example.com", None, "it"),                               # the default team
])
def test_routing(quick_desk, isvc_home, config, to, cc, team):
    configure(isvc_home, default_team="it", **config)
    feed(quick_desk, message(to=to, cc=cc, subject="Invoice 2291 for the new chairs"))
    assert request_json(quick_desk, 1)["team"] == team


def test_a_rule_matches_the_sender(quick_desk, isvc_home):
    configure(isvc_home, rules=[{"from": "@vendor\\.example$", "team": "sales"}])
    feed(quick_desk, message(frm="billing@vendor.example"))
    assert request_json(quick_desk, 1)["team"] == "sales"


def test_no_team_is_quarantined_and_retry_after_setting_the_default(quick_desk, isvc_home, db):
    feed(quick_desk, message(to="helpdesk@example.com"), 65)
    [row] = mail_rows(db)
    assert row["reason"] == "no team for mail to helpdesk@example.com; set mail.default_team or a route"
    [shown] = [r for r in quick_desk.json("--as", "boss", "mail", "quarantine", "list") if r["id"] == row["id"]]
    assert shown["subject"] == "Printer on the 3rd floor jams" and shown["sender"] == "ana@example.com"
    configure(isvc_home, default_team="it")
    quick_desk("--as", "boss", "mail", "quarantine", "retry", row["id"])
    rows = mail_rows(db)
    assert len(rows) == 1 and rows[0]["outcome"] == "request" and rows[0]["number"] == 1


@pytest.mark.parametrize("config, key", [
    ({"default_team": "nope"}, "mail.default_team"),
    ({"routes": {"helpdesk@example.com": "nope"}}, 'mail.routes["helpdesk@example.com"]'),
    ({"rules": [{"subject": ".", "team": "nope"}]}, "mail.rules[0].team"),
])
def test_an_unknown_team_in_the_config_names_the_key(quick_desk, isvc_home, db, config, key):
    configure(isvc_home, **config)
    feed(quick_desk, message(), 65)
    assert mail_rows(db)[0]["reason"] == f"config {key} names team 'nope', which does not exist; fix the config"


def test_a_bad_rule_pattern_is_named(quick_desk, isvc_home, db):
    configure(isvc_home, rules=[{"subject": "([unclosed", "team": "it"}])
    feed(quick_desk, message(), 65)
    assert mail_rows(db)[0]["reason"].startswith("config mail.rules[0].subject is not a valid regular expression")


def test_desk_addresses_never_become_watchers(mdesk, isvc_home, db):
    # a person whose address is also a route is not added as a watcher
    mdesk("--as", "boss", "person", "add", "helpbot", "--name", "Bot", "--email", "support@example.com")
    configure(isvc_home, routes={"support@example.com": "it"})
    feed(mdesk, message(to="support@example.com, jim@example.com", cc="ana@example.com",
                        frm="mihai@example.com"))
    assert request_json(mdesk, 1)["watchers"] == ["ana", "jim"]


# -- attachments ----------------------------------------------------------------------------------


def test_attachments_are_stored_under_generated_names(mdesk, isvc_home, db, tmp_path, monkeypatch):
    evil = b"#!/bin/sh\nrm -rf ~\n"
    png = bytes(range(256)) * 4
    feed(mdesk, with_attachments([("../../evil.sh", "application/x-sh", evil),
                                  ("screen shot.png", "image/png", png)]))
    rows = mdesk.json("--as", "ana", "request", "attachments", 1)
    assert [r["size"] for r in rows] == [len(evil), len(png)]
    assert all(r["stored"] for r in rows)
    assert rows[1]["filename"] == "screen shot.png"
    import hashlib

    assert rows[0]["sha256"] == hashlib.sha256(evil).hexdigest()
    folder = isvc_home / "isvc-attachments"
    stored = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert stored == sorted(f"{h[:2]}/{h}" for h in (hashlib.sha256(evil).hexdigest(),
                                                     hashlib.sha256(png).hexdigest()))
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in folder.rglob("*") if p.is_file())
    assert not (isvc_home.parent / "evil.sh").exists() and not (tmp_path.parent / "evil.sh").exists()
    # the request's filed event says what came along
    req = request_json(mdesk, 1)
    assert "[Attached: " in req["body"]
    # save: a safe name in the current folder, never overwriting without --force
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    mdesk("--as", "ana", "attachment", "save", rows[0]["id"])
    assert [p.name for p in work.iterdir()] == ["evil.sh"]
    assert (work / "evil.sh").read_bytes() == evil
    (work / "evil.sh").write_bytes(b"mine")
    expect_error(mdesk("--as", "ana", "attachment", "save", rows[0]["id"], code=None), 2,
                 "evil.sh exists; choose another name with --out or add --force")
    assert (work / "evil.sh").read_bytes() == b"mine"
    mdesk("--as", "ana", "attachment", "save", rows[0]["id"], "--force")
    assert (work / "evil.sh").read_bytes() == evil
    mdesk("--as", "ana", "attachment", "save", rows[1]["id"], "--out", str(tmp_path / "x.png"))
    assert (tmp_path / "x.png").read_bytes() == png


def test_an_over_limit_attachment_is_kept_in_the_raw_mail_only(mdesk, isvc_home, db):
    configure(isvc_home, max_attachment_mb=1)
    big = os.urandom(1024 * 1024 + 10)
    feed(mdesk, with_attachments([("big.bin", "application/octet-stream", big)]))
    [row] = mdesk.json("--as", "ana", "request", "attachments", 1)
    assert row["stored"] is False and row["sha256"] is None and row["size"] == len(big)
    body = request_json(mdesk, 1)["body"]
    assert "big.bin" in body and "isvc mail show 1 --raw" in body
    expect_error(mdesk("--as", "ana", "attachment", "save", row["id"], code=None), 2,
                 f"attachment {row['id']} (big.bin, {len(big)} bytes) was over the size limit and was "
                 "not stored on its own; the raw mail keeps it: isvc mail show 1 --raw")


def test_attachments_of_an_unverified_note_are_for_agents_only(mdesk, db):
    _filed(mdesk)
    feed(mdesk, with_attachments([("invoice.pdf", "application/pdf", b"%PDF-1.4 fake")],
                                 frm="eve@evil.example", subject="Re: [isvc #1] x", mid="e@x"))
    assert mdesk.json("--as", "ana", "request", "attachments", 1) == []
    [row] = mdesk.json("--as", "jim", "request", "attachments", 1)
    assert row["internal"] is True
    expect_error(mdesk("--as", "ana", "attachment", "save", row["id"], code=None), 3,
                 f"no attachment {row['id']}; see `isvc request attachments N`")


def test_db_backup_copies_the_attachments(mdesk, isvc_home, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    result = mdesk("db", "backup", str(backups / "plain.db"))
    assert "attachments" not in result.stderr  # nothing to copy yet
    assert not (backups / "plain-attachments").exists()
    feed(mdesk, with_attachments([("a.txt", "text/plain", b"hello")]))
    result = mdesk("db", "backup", str(backups / "nightly.db"))
    assert f"Copied the attachments to {backups / 'nightly-attachments'}/ (1 new file)." in result.stderr
    import hashlib

    digest = hashlib.sha256(b"hello").hexdigest()
    assert (backups / "nightly-attachments" / digest[:2] / digest).read_bytes() == b"hello"


# -- the quarantine and the log ------------------------------------------------------------------


def test_quarantine_show_raw_drop_and_list(mdesk, db):
    raw = message(subject="Out of office", extra=("Auto-Submitted: auto-replied",))
    feed(mdesk, raw, 0)
    feed(mdesk, message(mid="ok@x"))
    shown = mdesk.json("--as", "jim", "mail", "quarantine", "show", 1)
    assert shown["outcome"] == "quarantined" and shown["text"].startswith("It jams")
    assert mdesk("--as", "jim", "mail", "quarantine", "show", 1, "--raw").stdout_bytes == raw
    expect_error(mdesk("--as", "jim", "mail", "quarantine", "show", 2, code=None), 3,
                 "mail 2 is not in the quarantine (it became request #1); see `isvc mail show 2`")
    listed = mdesk.json("--as", "jim", "mail", "list")
    assert [(r["id"], r["outcome"]) for r in listed] == [(2, "request"), (1, "quarantined")]
    assert [r["id"] for r in mdesk.json("--as", "jim", "mail", "list", "--outcome", "request")] == [2]
    # only admins drop
    expect_error(mdesk("--as", "jim", "mail", "quarantine", "drop", 1, code=None), 2,
                 "only an admin (boss) may drop quarantined mail; you are jim")
    dropped = mdesk.json("--as", "boss", "mail", "quarantine", "drop", 1)
    assert dropped["outcome"] == "dropped"
    assert mdesk.json("--as", "jim", "mail", "quarantine", "list") == []
    # nothing is deleted: the raw bytes are still there
    assert mdesk("--as", "boss", "mail", "show", 1, "--raw").stdout_bytes == raw
    expect_error(mdesk("--as", "boss", "mail", "quarantine", "drop", 2, code=None), 2,
                 "mail 2 is request; only quarantined or held mail can be dropped")


def test_people_outside_every_team_cannot_read_the_intake(quick_desk, isvc_home):
    quick_desk("--as", "boss", "person", "add", "guest", "--name", "Guest")
    expect_error(quick_desk("--as", "guest", "mail", "list", code=None), 2,
                 "only desk admins and team members may read the mail intake; you are guest")


# -- failures: nothing half-written -------------------------------------------------------------


def test_a_busy_database_exits_75_and_stores_nothing(mdesk, db, monkeypatch):
    from isvc.store import db as store_db

    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    blocker = sqlite3.connect(db.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        result = feed(mdesk, message(), 75)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "busy" in result.stderr
    assert db.count("mail_messages") == 0 and db.count("requests") == 0
    feed(mdesk, message(), 0)  # the mail server's retry goes through
    assert db.count("requests") == 1


def test_a_failure_inside_the_transaction_leaves_nothing_half_written(mdesk, db, monkeypatch):
    from isvc.store import requests as store

    def boom(*args, **kw):
        raise RuntimeError("disk ate the journal")

    original = store.insert_event
    monkeypatch.setattr(store, "insert_event", boom)
    result = feed(mdesk, message(), 65)
    assert "internal error: RuntimeError: disk ate the journal" in result.stderr
    assert db.count("requests") == 0 and db.count("events") == 0
    [row] = mail_rows(db)
    assert (row["outcome"], row["number"], row["event_id"]) == ("quarantined", None, None)
    assert row["reason"] == "internal error: RuntimeError: disk ate the journal"
    # fixed: a retry takes it in, in the same row
    monkeypatch.setattr(store, "insert_event", original)
    mdesk("--as", "boss", "mail", "quarantine", "retry", row["id"])
    assert [(r["outcome"], r["number"]) for r in mail_rows(db)] == [("request", 1)]


def test_when_even_the_quarantine_fails_the_answer_is_75(mdesk, db, monkeypatch):
    from isvc.store import mail as mail_store

    def broken(*args, **kw):
        raise IndexError("list index out of range")

    monkeypatch.setattr(mail_store, "insert", broken)
    result = feed(mdesk, message(), 75)
    assert result.stderr.startswith("Error: internal error: IndexError: list index out of range; "
                                    "quarantining it failed too")
    assert db.count("mail_messages") == 0 and db.count("requests") == 0


def test_a_disk_error_writing_an_attachment_is_temporary(mdesk, db, monkeypatch):
    from isvc.store import attachments as att_store

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(att_store, "write_file", full)
    result = feed(mdesk, with_attachments([("a.txt", "text/plain", b"x")]), 75)
    assert "No space left on device" in result.stderr
    assert db.count("mail_messages") == 0 and db.count("requests") == 0


def test_an_over_size_message_on_stdin_is_refused_without_reading_it_all(mdesk, isvc_home, db):
    configure(isvc_home, max_message_mb=1)
    raw = message(body="x" * (3 * 1024 * 1024))
    feed(mdesk, raw, 65)
    [row] = mail_rows(db)
    assert row["outcome"] == "quarantined"
    assert row["reason"].startswith("message too large")
    assert row["subject"] == "Printer on the 3rd floor jams"
    size, kept = db.query("SELECT size, length(raw) FROM mail_messages")[0]
    assert size == 1024 * 1024 + 1  # read stopped one byte past the limit
    assert kept < 1024 * 1024


def test_a_missing_database_is_temporary_for_the_mail_server(isvc, isvc_home):
    result = isvc("mail", "import", input=message(), code=75)
    assert result.stderr.startswith("Error: no database at")
    assert not (isvc_home / "isvc.db").exists()


def test_import_json_and_a_single_eml_file(mdesk, tmp_path):
    path = tmp_path / "one.eml"
    path.write_bytes(message())
    [result] = mdesk.json("mail", "import", str(path))
    assert result == {"source": str(path), "result": "stored", "mail_id": 1, "outcome": "request",
                      "reason": None, "request": 1, "event_id": result["event_id"],
                      "sender": "ana@example.com", "subject": "Printer on the 3rd floor jams"}
    shown = mdesk.json("--as", "jim", "mail", "show", 1)
    assert set(shown) >= {"id", "message_id", "received_at", "sender", "subject", "size", "outcome",
                          "reason", "request", "event_id", "source", "updated_at", "to", "cc", "text",
                          "attachments"}
    assert json.loads(mdesk("--as", "jim", "mail", "list", "--json").stdout)[0]["request"] == 1


def test_a_shared_desk_keeps_attachments_group_readable(mdesk, isvc_home, monkeypatch):
    from isvc.services.desk import Desk

    monkeypatch.setattr(Desk, "shared", property(lambda self: True))
    feed(mdesk, with_attachments([("a.txt", "text/plain", b"for the group")]))
    folder = isvc_home / "isvc-attachments"
    [stored] = [p for p in folder.rglob("*") if p.is_file()]
    assert stored.stat().st_mode & 0o777 == 0o660
    assert stored.parent.stat().st_mode & 0o7777 == 0o2770


def test_the_acknowledgement_of_a_mailed_request_replies_to_that_mail(mdesk, db):
    """The requester's mail client threads the acknowledgement under their own message."""
    feed(mdesk, message(mid="first-of-thread@mail.example.com"))
    conn = sqlite3.connect(db.path)
    try:
        rows = conn.execute("SELECT kind, recipient, subject, payload FROM outbox "
                            "WHERE channel = 'mail' ORDER BY id").fetchall()
    finally:
        conn.close()
    assert [(kind, to, subject) for kind, to, subject, _ in rows] == [
        ("ack", "ana@example.com", "[isvc #1] Printer on the 3rd floor jams")]
    payload = json.loads(rows[0][3])
    assert payload["in_reply_to"] == "first-of-thread@mail.example.com"
    assert payload["references"] == ["first-of-thread@mail.example.com"]
