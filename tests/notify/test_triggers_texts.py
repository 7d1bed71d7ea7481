"""The texts of the notices (isvc.domain.notices): pure functions, plain values in."""

from __future__ import annotations

import pytest

from isvc.domain import notices


@pytest.mark.parametrize("address, name, domain", [
    ("IT Service Desk <helpdesk@example.com>", "IT Service Desk", "example.com"),
    ('"Help, Desk" <help@Example.ORG>', "Help, Desk", "example.org"),
    ("helpdesk@example.com", "isvc", "example.com"),
    ("<helpdesk@example.com>", "isvc", "example.com"),
    ("", "isvc", "isvc.invalid"),
    ("not an address", "isvc", "isvc.invalid"),
    ("Evil\r\nBcc: x <a@b.example>", "Evil Bcc: x", "b.example"),
])
def test_sender_name_and_message_id_domain(address, name, domain):
    assert notices.sender_name(address) == name
    assert notices.mail_domain(address) == domain


def test_times_are_shown_in_the_promised_zone_with_the_weekday():
    assert notices.when("2026-11-23T13:30:00Z", "Europe/Bucharest") == \
        "Mon 23 Nov 15:30 (Europe/Bucharest)"
    assert notices.when("2026-11-02T06:30:00Z", "America/New_York") == \
        "Mon 02 Nov 01:30 (America/New_York)"
    assert notices.when("2026-11-23T13:30:00Z", None) == "Mon 23 Nov 13:30 (UTC)"
    assert notices.when(None, "UTC").startswith("not set")


def test_greetings_use_the_first_name_or_the_handle():
    assert notices.first_name("Ana Pop", "ana") == "Ana"
    assert notices.first_name("", "ana") == "ana"
    assert notices.first_name(None, None) == "there"


def _ack(**kw):
    args = dict(tag="[isvc #{number}]", number=12, title="VPN down", team_name="IT",
                to_name="Ana", first_response_due="2026-11-23T13:30:00Z",
                resolution_due="2026-11-25T09:30:00Z", tz="Europe/Bucharest", covered=True,
                signature="IT Service Desk")
    return notices.ack(**(args | kw))


def test_every_mail_opens_with_a_greeting_and_closes_with_the_desk():
    subject, body = _ack()
    assert subject == "[isvc #12] VPN down"
    assert body.startswith("Hello Ana,\n\n") and body.endswith("\n— IT Service Desk\n")
    _, uncovered = _ack(covered=False, first_response_due=None, resolution_due=None)
    assert "No service agreement covers this request" in uncovered
    for subject, body in [
        notices.reply(tag="[T{number}]", number=3, title="t", to_name="Jim", author_name="Ana Pop",
                      text="line one\n\nline two", role="assignee", signature="isvc"),
        notices.resolved(tag="[T{number}]", number=3, title="t", to_name="Ana", by_name="Jim",
                         message=None, reopen_days=0, signature="isvc"),
        notices.reminder(tag="[T{number}]", number=3, title="t", to_name="Ana",
                         since="2026-11-23T10:00:00Z", tz="UTC", question=None, waited="3 days",
                         autoresolve_days=0, signature="isvc"),
        notices.sla_mail(state="breached", clock="resolution", tag="[T{number}]", number=3,
                         title="t", team="it", priority="high", due_at="2026-11-23T10:00:00Z",
                         tz="UTC", to_name="Jim", assignee_name=None, why="x", signature="isvc"),
    ]:
        assert subject.startswith("[T3] ")
        assert body.startswith(("Hello Jim,\n\n", "Hello Ana,\n\n"))
        assert body.endswith("\n— isvc\n")


def test_resolution_mail_says_how_long_a_reply_reopens():
    _, body = notices.resolved(tag="[isvc #{number}]", number=3, title="t", to_name="Ana",
                               by_name="Jim", message="Fixed.", reopen_days=1, signature="isvc")
    assert "within 1 day and the request is reopened" in body
    _, body = notices.resolved(tag="[isvc #{number}]", number=3, title="t", to_name="Ana",
                               by_name="Jim", message=None, reopen_days=0, signature="isvc")
    assert "No resolution note was given." in body and "within" not in body


def test_webhook_lines_are_one_clean_line():
    subject, body = notices.webhook_text(kind="breached", number=12, title="VPN\ndown",
                                         team="it", priority="urgent", lines=["Assignee: jim"])
    assert subject == "#12 breached: VPN down (it, urgent)"
    assert body == "#12 breached: VPN down (it, urgent)\nAssignee: jim\n"
