"""Notices the request use cases write to the outbox, in the change's own transaction:
the acknowledgement, replies, the resolution, the on-call alarm, and their threading."""

from __future__ import annotations

import re

import pytest

from isvc.cli import _common

from .test_triggers_kit import MON, act, at, file, hook, nd, outbox, set_webhooks, sql, summary

assert nd  # the fixture, used by name

MSGID = re.compile(r"^isvc\.\d+\.[0-9a-f]{12}@example\.com$")


# -- the acknowledgement ----------------------------------------------------------------------

def test_ack_says_the_expected_times_in_the_calendar_zone(nd, isvc_home):
    n = file(nd, MON, "jim", "VPN down", "--requester", "ana")
    [row] = outbox(isvc_home)
    assert summary([row]) == [("ack", "mail", "ana@example.com", n)]
    assert row["person"] == "ana" and row["status"] == "pending"
    assert row["subject"] == f"[isvc #{n}] VPN down"
    assert MSGID.match(row["message_id"]) and row["message_id"].startswith(f"isvc.{n}.")
    assert row["dedupe_key"] == f"ack:{n}"
    assert row["payload"] == {"auto": True, "in_reply_to": None, "references": []}
    body = row["body"]
    assert body.startswith("Hello Ana,\n\n")
    assert f'We received your request #{n}, "VPN down". IT Service Desk will handle it.' in body
    # normal: 4h to first response from Mon 11:30 local; 2d (960 min) to resolution
    assert "First response by: Mon 23 Nov 15:30 (Europe/Bucharest)" in body
    assert "Resolution by:     Wed 25 Nov 11:30 (Europe/Bucharest)" in body
    assert f'reply to this mail and keep "[isvc #{n}]" in the subject' in body
    assert body.endswith("\n— IT Service Desk\n")


def test_ack_without_an_agreement_says_so(nd, isvc_home):
    nd("--as", "boss", "agreement", "retire", "it-std")
    file(nd, MON, "jim", "Printer jam", "--requester", "ana")
    [row] = outbox(isvc_home)
    assert "No service agreement covers this request" in row["body"]
    assert "First response by" not in row["body"]


def test_no_ack_without_an_address_nor_for_filing_ones_own(nd, isvc_home):
    file(nd, MON, "jim", "For mihai", "--requester", "mihai")   # mihai has no e-mail
    file(nd, MON, "ana", "Ana files her own")                     # the actor is the requester
    assert outbox(isvc_home) == []


def test_the_signature_falls_back_to_isvc(nd, isvc_home):
    nd("config", "set", "mail.address", "helpdesk@example.com")
    file(nd, MON, "jim", "VPN down", "--requester", "ana")
    [row] = outbox(isvc_home)
    assert row["body"].endswith("\n— isvc\n")
    assert row["message_id"].endswith("@example.com")
    nd("config", "set", "mail.address", "")
    file(nd, MON, "jim", "VPN down again", "--requester", "ana")
    assert outbox(isvc_home)[-1]["message_id"].endswith("@isvc.invalid")


def test_a_crafted_title_cannot_add_a_header(nd, isvc_home):
    n = file(nd, MON, "jim", "VPN\r\nBcc: evil@example.com", "--requester", "ana")
    [row] = outbox(isvc_home)
    assert "\n" not in row["subject"] and "\r" not in row["subject"]
    assert row["subject"] == f"[isvc #{n}] VPN Bcc: evil@example.com"


# -- replies ----------------------------------------------------------------------------------

def test_a_staff_reply_mails_the_requester_and_watchers_but_not_its_author(nd, isvc_home):
    n = file(nd, MON, "jim", "VPN down", "--requester", "ana", "--watch", "dan", "--watch", "jim")
    act(nd, MON, "jim", "comment", n, "-m", "Try the 5.2 client.")
    rows = outbox(isvc_home, "kind = 'reply'")
    assert sorted(summary(rows)) == [("reply", "mail", "ana@example.com", n),
                                     ("reply", "mail", "dan@example.com", n)]
    to_ana = next(r for r in rows if r["person"] == "ana")
    assert to_ana["body"].startswith("Hello Ana,\n\nJim Ionescu replied to your request")
    assert "    Try the 5.2 client." in to_ana["body"]
    assert to_ana["payload"]["auto"] is False
    to_dan = next(r for r in rows if r["person"] == "dan")
    assert "which you watch" in to_dan["body"]


def test_a_requester_reply_mails_the_assignee_or_nobody(nd, isvc_home):
    n = file(nd, MON, "ana", "VPN down")
    act(nd, MON, "ana", "comment", n, "-m", "Any news?")
    assert outbox(isvc_home) == []          # nobody assigned: the queue shows it
    act(nd, MON, "jim", "take", n)
    act(nd, MON, "ana", "comment", n, "-m", "Still down.")
    [row] = outbox(isvc_home)
    assert summary([row]) == [("reply", "mail", "jim@example.com", n)]
    assert row["body"].startswith("Hello Jim,\n\nAna Pop replied to #")
    assert "assigned to you" in row["body"]


def test_a_watcher_reply_goes_to_the_assignee(nd, isvc_home):
    n = file(nd, MON, "jim", "VPN down", "--requester", "ana", "--watch", "dan")
    act(nd, MON, "jim", "take", n)
    before = len(outbox(isvc_home))
    act(nd, MON, "dan", "comment", n, "-m", "Same here.")
    assert summary(outbox(isvc_home)[before:]) == [("reply", "mail", "jim@example.com", n)]


def test_a_status_note_is_a_public_reply(nd, isvc_home):
    n = file(nd, MON, "ana", "VPN down")
    act(nd, MON, "jim", "wait", n, "-m", "Which VPN client version?")
    act(nd, MON, "jim", "resume", n)
    [row] = outbox(isvc_home)
    assert (row["kind"], row["recipient"]) == ("reply", "ana@example.com")
    assert "    Which VPN client version?" in row["body"]


def test_an_internal_note_notifies_nobody(nd, isvc_home):
    n = file(nd, MON, "jim", "VPN down", "--requester", "ana", "--watch", "dan")
    before = outbox(isvc_home)
    act(nd, MON, "jim", "comment", n, "-m", "It is the firewall.", "--internal")
    assert outbox(isvc_home) == before


# -- resolution -------------------------------------------------------------------------------

def test_resolving_mails_the_requester_the_note_and_how_to_reopen(nd, isvc_home):
    n = file(nd, MON, "ana", "VPN down")
    act(nd, MON, "jim", "resolve", n, "-m", "Replaced the certificate.")
    [row] = outbox(isvc_home)
    assert summary([row]) == [("resolved", "mail", "ana@example.com", n)]
    assert row["payload"]["auto"] is False
    assert "was resolved by Jim Ionescu" in row["body"]
    assert "    Replaced the certificate." in row["body"]
    assert "reply to this mail within 5 days and the request is reopened" in row["body"]


def test_resolving_ones_own_request_mails_nobody(nd, isvc_home):
    n = file(nd, MON, "jim", "My own")
    act(nd, MON, "jim", "resolve", n)
    assert outbox(isvc_home) == []


# -- config notify.events ---------------------------------------------------------------------

def test_events_left_out_of_the_config_write_nothing(nd, isvc_home):
    nd("config", "set", "notify.events", "reply")
    n = file(nd, MON, "jim", "VPN down", "--requester", "ana")
    act(nd, MON, "jim", "resolve", n, "-m", "Done.")
    assert outbox(isvc_home) == []
    act(nd, MON, "jim", "reopen", n)
    act(nd, MON, "jim", "comment", n, "-m", "Looking again.")
    assert summary(outbox(isvc_home)) == [("reply", "mail", "ana@example.com", n)]
    nd("config", "set", "notify.events", "ack,resolved")
    act(nd, MON, "jim", "resolve", n, "-m", "Done now.")
    assert [r["kind"] for r in outbox(isvc_home)] == ["reply", "resolved"]


def _statements(isvc, traced, *args) -> list[str]:
    traced.clear()
    isvc(*args, env=at(MON))
    return list(traced)




def test_filing_with_its_events_off_runs_no_notification_query(nd, traced, monkeypatch):
    new = ("--as", "jim", "request", "new", "VPN", "--team", "it", "--requester", "ana")
    nd("config", "set", "notify.events", "reply")
    off = _statements(nd, traced, *new)
    from isvc.services import notify

    hook_on = notify.filed
    monkeypatch.setattr(notify, "filed", lambda desk, number, thread_root=None: None)
    without_hook = _statements(nd, traced, *new)
    assert len(off) == len(without_hook)
    assert not any("outbox" in s or "webhooks" in s for s in off)
    monkeypatch.setattr(notify, "filed", hook_on)
    nd("config", "set", "notify.events", "ack,oncall")
    on = _statements(nd, traced, *new)
    extra = [s for s in on if s not in without_hook]
    # the request with its requester and calendar zone, the webhooks setting, the row itself
    assert len(on) - len(without_hook) <= 4, extra
    assert sum("INSERT" in s and "outbox" in s for s in on) == 1


# -- on call ----------------------------------------------------------------------------------

SAT = "2026-11-28T10:00:00Z"      # Saturday noon in Bucharest: outside office hours
NIGHT = "2026-11-24T21:00:00Z"    # Tuesday 23:00 in Bucharest


@pytest.fixture
def oncall(nd, isvc_home):
    nd("--as", "boss", "agreement", "edit", "it-std", "--oncall-calendar", "always",
       "--oncall", "jim")
    set_webhooks(isvc_home, [hook("pager", ["oncall"]), hook("chat", ["breached"]),
                             hook("hr-pager", ["oncall"], ["payroll"])])
    return nd


@pytest.mark.parametrize("when", [SAT, NIGHT])
def test_an_urgent_request_out_of_hours_wakes_whoever_is_on_call(oncall, isvc_home, when):
    n = file(oncall, when, "ana", "Payroll server down", "--priority", "urgent",
             "--body", "Nobody can log in.")
    rows = outbox(isvc_home)
    assert summary(rows) == [("oncall", "mail", "jim@example.com", n),
                             ("oncall", "webhook", "pager", n)]  # no ack: ana filed it herself
    mail, web = rows
    assert mail["subject"] == f"[isvc #{n}] On call, urgent: Payroll server down"
    assert mail["body"].startswith(
        "Hello Jim,\n\nAn urgent request was filed outside working hours")
    assert "    Nobody can log in." in mail["body"]
    assert mail["payload"]["auto"] is True
    assert web["subject"] == f"#{n} on call: Payroll server down (it, urgent)"
    assert web["payload"]["event"] == "oncall"
    assert web["payload"]["request"] == {"number": n, "title": "Payroll server down", "team": "it",
                                         "priority": "urgent", "status": "new", "assignee": None,
                                         "requester": "ana"}
    assert web["person"] is None and web["message_id"] is None


def test_on_call_is_only_for_urgent_requests_out_of_hours(oncall, isvc_home):
    file(oncall, SAT, "ana", "Not urgent", "--priority", "high")
    file(oncall, MON, "ana", "Urgent in hours", "--priority", "urgent")
    assert outbox(isvc_home) == []


def test_on_call_to_a_team_mails_each_active_member_with_an_address(oncall, isvc_home):
    oncall("--as", "boss", "person", "edit", "alina", "--email", "alina@example.com")
    oncall("--as", "boss", "agreement", "edit", "it-std", "--oncall", "+it")
    n = file(oncall, SAT, "ana", "Down", "--priority", "urgent")
    assert sorted(r["recipient"] for r in outbox(isvc_home, "channel = 'mail'")) == [
        "alina@example.com", "jim@example.com"]
    # the person on call who files it is not woken by their own request
    before = len(outbox(isvc_home))
    m = file(oncall, SAT, "jim", "Down too", "--priority", "urgent")
    assert summary(outbox(isvc_home)[before:]) == [("oncall", "mail", "alina@example.com", m),
                                                   ("oncall", "webhook", "pager", m)]
    assert n != m


# -- threading --------------------------------------------------------------------------------

def test_every_later_mail_replies_to_the_first_one(nd, isvc_home):
    n = file(nd, MON, "jim", "VPN down", "--requester", "ana", "--watch", "dan")
    act(nd, MON, "jim", "comment", n, "-m", "Which client?")
    act(nd, MON, "jim", "resolve", n, "-m", "Fixed.")
    rows = outbox(isvc_home)
    assert [r["kind"] for r in rows] == ["ack", "reply", "reply", "resolved"]
    root = rows[0]["message_id"]
    assert rows[0]["payload"]["in_reply_to"] is None
    for row in rows[1:]:
        assert row["payload"] == {"auto": False, "in_reply_to": root, "references": [root]}
    assert len({r["message_id"] for r in rows}) == 4


def test_without_an_ack_the_first_mail_sent_is_the_root(nd, isvc_home):
    n = file(nd, MON, "ana", "VPN down")
    act(nd, MON, "jim", "comment", n, "-m", "Which client?")
    act(nd, MON, "jim", "resolve", n, "-m", "Fixed.")
    first, second = outbox(isvc_home)
    assert first["payload"]["in_reply_to"] is None
    assert second["payload"]["in_reply_to"] == first["message_id"]


def test_a_request_filed_by_mail_threads_on_the_mail_that_filed_it(nd, isvc_home):
    n = file(nd, MON, "ana", "VPN down")
    sql(isvc_home, "INSERT INTO mail_messages(fingerprint, message_id, received_at, sender, "
                   "subject, size, raw, outcome, number, updated_at) VALUES "
                   "('f1', 'CAF00@mail.example.com', ?, 'ana@example.com', 'VPN down', 3, x'00', "
                   "'request', ?, ?)", MON, n, MON)
    act(nd, MON, "jim", "comment", n, "-m", "Which client?")
    [row] = outbox(isvc_home)
    assert row["payload"]["in_reply_to"] == "CAF00@mail.example.com"
    assert row["payload"]["references"] == ["CAF00@mail.example.com"]


def test_the_requester_who_filed_by_mail_gets_the_ack(nd, isvc_home):
    from isvc.services import requests as svc

    _common.reset()
    d = _common.desk()
    d.actor = "ana"
    filed = svc.file_request(d, "VPN down", "it", channel="mail")
    [row] = outbox(isvc_home)
    assert summary([row]) == [("ack", "mail", "ana@example.com", filed.request.number)]
    assert d.queued_notifications == 1


# -- the same transaction ---------------------------------------------------------------------

def test_a_failure_after_the_ack_was_queued_rolls_back_the_request_and_the_row(nd, isvc_home,
                                                                             monkeypatch):
    from isvc.store import outbox as store_outbox

    enqueue = store_outbox.enqueue

    def enqueue_then_fail(conn, **kw):
        enqueue(conn, **kw)
        assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_outbox, "enqueue", enqueue_then_fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        nd("--as", "jim", "request", "new", "VPN", "--team", "it", "--requester", "ana",
           env=at(MON))
    assert sql(isvc_home, "SELECT count(*) FROM requests")[0][0] == 0
    assert outbox(isvc_home) == []


def test_a_failed_clock_recompute_after_a_reply_rolls_back_reply_and_mail(nd, isvc_home,
                                                                          monkeypatch):
    n = file(nd, MON, "ana", "VPN down")
    from isvc.services import sla

    def broken(*args, **kw):
        raise RuntimeError("engine down")

    monkeypatch.setattr(sla, "recompute", broken)
    with pytest.raises(RuntimeError, match="engine down"):
        act(nd, MON, "jim", "comment", n, "-m", "On it.")
    assert outbox(isvc_home) == []
    assert sql(isvc_home, "SELECT count(*) FROM events WHERE kind = 'reply'")[0][0] == 0


# -- webhooks for request events --------------------------------------------------------------

def test_request_events_reach_only_the_webhooks_subscribed_to_them(nd, isvc_home):
    set_webhooks(isvc_home, [hook("all-it", [], ["it"]), hook("resolutions", ["resolved"]),
                             hook("payroll", [], ["payroll"])])
    n = file(nd, MON, "ana", "VPN down")
    act(nd, MON, "jim", "comment", n, "-m", "On it.")
    act(nd, MON, "jim", "comment", n, "-m", "Internal.", "--internal")
    act(nd, MON, "jim", "resolve", n, "-m", "Fixed.")
    hooks = outbox(isvc_home, "channel = 'webhook'")
    assert [(r["kind"], r["recipient"]) for r in hooks] == [
        ("ack", "all-it"), ("reply", "all-it"), ("resolved", "all-it"),
        ("resolved", "resolutions")]
    assert hooks[0]["subject"] == f"#{n} filed: VPN down (it, normal)"
    assert hooks[1]["payload"]["by"] == "jim"
    assert hooks[2]["payload"]["request"]["status"] == "resolved"


def test_the_intake_can_name_the_mail_an_ack_replies_to(nd, isvc_home):
    from isvc.services import notify
    from isvc.store.db import write

    n = file(nd, MON, "jim", "VPN down", "--requester", "ana")
    sql(isvc_home, "DELETE FROM outbox")
    _common.reset()
    d = _common.desk()
    d.actor = "jim"
    with write(d.conn):
        notify.filed(d, n, thread_root="CAF01@mail.example.com")
    [row] = outbox(isvc_home)
    assert row["payload"]["in_reply_to"] == "CAF01@mail.example.com"
    assert row["payload"]["references"] == ["CAF01@mail.example.com"]
