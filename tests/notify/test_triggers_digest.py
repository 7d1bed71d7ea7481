"""A team's daily digest: once per team and day unless forced, to its members with an
address and the webhooks subscribed to "digest"."""

from __future__ import annotations

import pytest

from isvc.cli import _common
from isvc.errors import PermissionDenied

from .test_triggers_kit import MON, act, at, file, hook, nd, outbox, set_webhooks

assert nd  # the fixture, used by name

LATER = "2026-11-24T12:00:00Z"  # Tue 14:00 in Bucharest


def queue(monkeypatch, who: str, when: str, team: str | None = None, force: bool = False):
    from isvc.services.notify import queue_digests

    monkeypatch.setenv("ISVC_NOW", when)
    _common.reset()
    _common.GLOBAL.as_person = who
    return queue_digests(_common.desk(), team, force)


@pytest.fixture
def busy(nd, isvc_home):
    """it: a breached (first response), b at risk, c on track; b and c filed since
    yesterday and unassigned."""
    a = file(nd, MON, "ana", "VPN down")
    b = file(nd, "2026-11-24T08:30:00Z", "ana", "Laptop slow")
    c = file(nd, "2026-11-24T11:00:00Z", "ana", "New chair", "--priority", "low")
    act(nd, MON, "jim", "take", a)
    set_webhooks(isvc_home, [hook("daily", ["digest"], ["it"]), hook("breaches", ["breached"])])
    return a, b, c


def test_the_digest_goes_once_a_day_to_members_and_hooks(busy, isvc_home, monkeypatch):
    a, b, c = busy
    [it] = queue(monkeypatch, "jim", LATER, "it")
    assert it == {"team": "it", "recipients": 2, "queued": 2, "skipped": None}
    mail, web = outbox(isvc_home, "kind = 'digest'")
    assert (mail["channel"], mail["recipient"], mail["number"]) == ("mail", "jim@example.com", None)
    assert mail["dedupe_key"] == "digest:it:2026-11-24:jim@example.com"
    assert mail["payload"] == {"auto": True, "in_reply_to": None, "references": []}
    assert mail["message_id"].startswith("isvc.digest.it.")
    assert mail["subject"] == "IT Service Desk digest, Tue 24 Nov: 3 open, 1 breached, 1 at risk"
    body = mail["body"]
    assert body.startswith("Hello Jim,\n\nHere is IT Service Desk's queue on Tue 24 Nov.")
    assert "Open requests: 3 (3 new)" in body
    assert "Unassigned: 2" in body
    assert "New since yesterday: 2" in body
    assert f"Oldest open: #{a} VPN down (filed Mon 23 Nov 11:30)" in body
    assert "Times are in Europe/Bucharest." in body
    assert f"Breached:\n  #{a} VPN down (was due Mon 23 Nov 15:30" in body
    assert f"At risk:\n  #{b} Laptop slow (due Tue 24 Nov 14:30" in body
    assert body.endswith("— IT Service Desk\n")
    assert (web["channel"], web["recipient"]) == ("webhook", "daily")
    assert web["payload"]["event"] == "digest" and web["payload"]["team"] == "it"
    assert web["payload"]["figures"]["unassigned"] == 2
    # again the same day: skipped; --force: queued again
    [again] = queue(monkeypatch, "jim", "2026-11-24T14:00:00Z", "it")
    assert again["queued"] == 0 and again["skipped"].startswith("already queued today")
    [forced] = queue(monkeypatch, "jim", "2026-11-24T14:00:00Z", "it", force=True)
    assert forced["queued"] == 2 and forced["skipped"] is None
    assert outbox(isvc_home, "kind = 'digest'")[-2]["dedupe_key"] == \
        "digest:it:2026-11-24:160000:jim@example.com"
    # the next day (in the desk's zone) is a new day
    [tomorrow] = queue(monkeypatch, "jim", "2026-11-24T22:30:00Z", "it")  # Wed 00:30 local
    assert tomorrow["queued"] == 2
    assert c


def test_every_teams_digest_needs_an_admin(busy, isvc_home, monkeypatch):
    with pytest.raises(PermissionDenied, match="only an admin"):
        queue(monkeypatch, "jim", LATER)
    with pytest.raises(PermissionDenied, match="only members of team payroll or an admin"):
        queue(monkeypatch, "jim", LATER, "payroll")
    results = {r["team"]: r for r in queue(monkeypatch, "boss", LATER)}
    assert results["it"]["queued"] == 2
    assert results["payroll"] == {"team": "payroll", "recipients": 1, "queued": 1, "skipped": None}
    assert results["sales"]["recipients"] == 1   # dan
    assert sorted(r["recipient"] for r in outbox(isvc_home, "kind = 'digest'")) == [
        "ana@example.com", "daily", "dan@example.com", "jim@example.com"]


def test_no_digest_when_it_is_off_or_nobody_can_get_it(nd, isvc_home, monkeypatch):
    nd("--as", "boss", "team", "add", "ops", "--name", "Operations")
    [ops] = queue(monkeypatch, "boss", LATER, "ops")
    assert ops["queued"] == 0 and ops["skipped"].startswith("no active member")
    nd("config", "set", "notify.events", "ack")
    [it] = queue(monkeypatch, "boss", LATER, "it")
    assert it["skipped"] == "digest is not in notify.events"
    assert outbox(isvc_home) == []


def test_notify_digest_command(nd, isvc_home):
    file(nd, MON, "ana", "VPN down")
    result = nd("--as", "jim", "notify", "digest", "--team", "it", env=at(LATER))
    assert result.exit_code == 0
    assert [r["recipient"] for r in outbox(isvc_home, "kind = 'digest'")] == ["jim@example.com"]
