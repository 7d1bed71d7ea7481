"""Fixes from a new-user trial of the mail intake: Rich markup in user text, threading,
replies to staff-only notices, exit codes of automatic mail, retrying a cut message,
config robustness and help texts."""

from __future__ import annotations

import sqlite3

import pytest
from testkit import expect_error

from isvc.domain.mailtag import find_tag, strip_tags

from .test_intake import configure, feed, mail_rows, message, request_json

TABLE = {"ISVC_FORCE_TABLE": "1", "COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture
def mdesk(quick_desk, isvc_home):
    """The quick desk with mail.default_team = it and the desk's address set."""
    configure(isvc_home, default_team="it", address="IT Service Desk <helpdesk@example.com>")
    return quick_desk


def sent(db, *, kind: str, number: int | None, message_id: str,
         recipient: str = "jim@example.com") -> int:
    """An outbox row, as if isvc had mailed it."""
    from isvc.store import outbox

    conn = sqlite3.connect(db.path)
    with conn:
        row = outbox.enqueue(conn, kind=kind, channel="mail", recipient=recipient,
                             subject="[isvc #1] notice", body="b", now="2026-11-23T09:00:00Z",
                             number=number, message_id=message_id)
    conn.close()
    return row


def events(isvc, number: int, kind: str) -> list[dict]:
    return [e for e in request_json(isvc, number)["events"] if e["kind"] == kind]


# -- 1. Rich markup in user text ---------------------------------------------------------------


def test_markup_in_user_text_is_shown_literally_and_never_crashes(mdesk, isvc_home, db):
    feed(mdesk, message(subject="Broken [/x] thing"))
    feed(mdesk, message(subject="Re: [isvc #1] photo", mid="r@x", frm="stranger@else.example"))
    mdesk("--as", "boss", "request", "new", "[URGENT] VPN [bold]down[/bold]", "--team", "it")
    mdesk("--as", "boss", "person", "add", "evil", "--name", "[/evil]", "--team", "it")
    mdesk("--as", "boss", "team", "add", "odd", "--name", "Odd [/x] team")
    configure(isvc_home, unknown_senders="refuse")
    feed(mdesk, message(subject="Spam [/x] here", frm="spam@spam.example", mid="s@x"), 65)
    quarantined = mail_rows(db)[-1]["id"]
    mdesk("--as", "boss", "kudos", "send", "@jim", "Thanks for the [/x] fix, really")

    def table(*args: str) -> str:
        result = mdesk("--as", "boss", *args, env=TABLE)
        assert "Traceback" not in result.output
        return result.stdout

    assert "Broken [/x] thing" in table("queue", "it")
    listed = table("request", "list")
    assert "Broken [/x] thing" in listed and "[URGENT] VPN [bold]down[/bold]" in listed
    assert "Broken [/x] thing" in table("request", "show", "1")
    assert "[URGENT] VPN [bold]down[/bold]" in table("request", "show", "2")
    assert "[/evil]" in table("person", "list")
    assert "Odd [/x] team" in table("team", "list")
    listed = table("mail", "list")
    assert "Broken [/x] thing" in listed and "Re: [isvc #1] photo" in listed
    assert "Broken [/x] thing" in table("mail", "show", "1")
    assert "Spam [/x] here" in table("mail", "quarantine", "list")
    assert "Spam [/x] here" in table("mail", "quarantine", "show", str(quarantined))
    assert "Thanks for the [/x] fix, really" in table("kudos", "wall")


def test_markup_is_not_applied_either(mdesk):
    mdesk("--as", "boss", "request", "new", "VPN [bold]down[/bold]", "--team", "it")
    out = mdesk("--as", "boss", "request", "list",
                env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "200"}).stdout
    assert "VPN [bold]down[/bold]" in out
    assert "\x1b[1mdown" not in out


# -- 2. threading ------------------------------------------------------------------------------


def test_the_first_tag_wins_and_tags_come_out_of_titles():
    assert find_tag("Re: [isvc #14] [isvc #999] Docking") == 14
    assert find_tag("Fwd: Re: [ISVC #7] x") == 7
    assert find_tag("no tag") is None
    assert find_tag("Re: [ticket 3] x [ticket 4]", "[ticket {number}]") == 3
    assert strip_tags("Re: [isvc #999] Docking") == "Re: Docking"
    assert strip_tags("[isvc #1]   [isvc # 2] VPN [other #3]") == "VPN [other #3]"


def test_headers_that_name_a_known_message_win_over_the_subject_tag(mdesk, db):
    feed(mdesk, message(mid="first@x", subject="Printer jams"))
    feed(mdesk, message(mid="second@x", subject="Scanner offline"))
    # the tag says #2, but the reply answers the mail that filed #1
    feed(mdesk, message(subject="Re: [isvc #2] Printer jams", mid="r1@x",
                        in_reply_to="first@x", body="Still jamming.\n"))
    assert (mail_rows(db)[-1]["outcome"], mail_rows(db)[-1]["number"]) == ("reply", 1)
    # a message isvc sent (the outbox) wins too, from References
    sent(db, kind="ack", number=2, message_id="isvc.2.ack@example.com",
         recipient="ana@example.com")
    feed(mdesk, message(subject="Re: [isvc #1] wrong tag", mid="r2@x",
                        references="<zz@x> <isvc.2.ack@example.com>", body="Thanks.\n"))
    assert (mail_rows(db)[-1]["outcome"], mail_rows(db)[-1]["number"]) == ("reply", 2)
    # unknown ids: the tag decides
    feed(mdesk, message(subject="Re: [isvc #2] x", mid="r3@x", in_reply_to="nobody@x"))
    assert mail_rows(db)[-1]["number"] == 2


def test_the_first_tag_in_the_subject_is_ours(mdesk, db):
    feed(mdesk, message(mid="first@x", subject="Re: [isvc #999] Docking"))
    # an unknown tag never becomes part of a new request's title
    assert request_json(mdesk, 1)["title"] == "Docking"
    feed(mdesk, message(subject="Re: [isvc #1] [isvc #999] Docking", mid="r@x", body="More.\n"))
    row = mail_rows(db)[-1]
    assert (row["outcome"], row["number"]) == ("reply", 1)


def test_a_new_title_drops_tags_of_the_desks_own_format(mdesk, isvc_home):
    configure(isvc_home, tag="[ticket {number}]")
    feed(mdesk, message(subject="Fwd: [ticket 42] [isvc #5] Docking"))
    assert request_json(mdesk, 1)["title"] == "[isvc #5] Docking"


# -- 3. replies to staff-only notices ------------------------------------------------------------


def test_a_staff_reply_to_a_breach_notice_is_an_internal_note(mdesk, db):
    feed(mdesk, message(mid="first@x"))
    sent(db, kind="breached", number=1, message_id="isvc.1.breach@example.com")
    outbox_before = db.count("outbox")
    result = feed(mdesk, message(frm="jim@example.com", subject="Re: [isvc #1] Breached: Printer",
                                 mid="j@x", in_reply_to="isvc.1.breach@example.com",
                                 body="I am on it, the toner is ordered.\n"))
    assert "to the breach notice: added as an internal note on #1" in result.stderr
    [note] = events(mdesk, 1, "note")
    assert note["internal"] is True and note["actor"] == "jim"
    assert note["message"] == ("By mail, in reply to the breach notice:\n\n"
                               "I am on it, the toner is ordered.")
    assert events(mdesk, 1, "reply") == []
    assert request_json(mdesk, 1)["status"] == "new"  # no first response either
    # the requester sees nothing of it, and nobody is mailed
    assert not [e for e in request_json(mdesk, 1, as_="ana")["events"] if e["kind"] == "note"]
    assert db.count("outbox") == outbox_before
    row = mail_rows(db)[-1]
    assert (row["outcome"], row["number"], row["event_id"]) == ("note", 1, note["id"])


@pytest.mark.parametrize("kind, words", [("at_risk", "the at-risk notice"),
                                         ("oncall", "the on-call alert")])
def test_an_admin_reply_to_other_staff_notices_is_internal_too(mdesk, db, kind, words):
    feed(mdesk, message(mid="first@x"))
    sent(db, kind=kind, number=1, message_id="isvc.1.n@example.com",
         recipient="boss@example.com")
    mdesk("--as", "boss", "person", "edit", "boss", "--email", "boss@example.com")
    feed(mdesk, message(frm="boss@example.com", subject="Re: whatever", mid="b@x",
                        references="<isvc.1.n@example.com>", body="Escalating.\n"))
    [note] = events(mdesk, 1, "note")
    assert note["internal"] and note["message"].startswith(f"By mail, in reply to {words}:")


def test_a_non_staff_reply_to_a_notice_follows_the_unverified_rule(mdesk, db, isvc_home):
    feed(mdesk, message(mid="first@x"))
    sent(db, kind="at_risk", number=1, message_id="isvc.1.risk@example.com")
    feed(mdesk, message(frm="eve@evil.example", subject="Re: At risk", mid="e@x",
                        in_reply_to="isvc.1.risk@example.com", body="Pay me.\n"))
    [note] = events(mdesk, 1, "note")
    assert note["internal"] and note["message"].startswith("Unverified sender eve@evil.example")
    configure(isvc_home, unverified_replies="quarantine")
    feed(mdesk, message(frm="eve@evil.example", subject="Re: At risk", mid="e2@x",
                        in_reply_to="isvc.1.risk@example.com", body="Pay me.\n"), 65)
    assert mail_rows(db)[-1]["reason"].startswith("unverified reply from eve@evil.example to #1")
    assert events(mdesk, 1, "reply") == []


def test_a_reply_to_the_digest_is_quarantined(mdesk, db):
    sent(db, kind="digest", number=None, message_id="isvc.digest.it.1@example.com")
    feed(mdesk, message(frm="jim@example.com", subject="Re: IT Service Desk digest", mid="j@x",
                        in_reply_to="isvc.digest.it.1@example.com", body="Thanks!\n"), 65)
    row = mail_rows(db)[-1]
    assert (row["outcome"], row["reason"]) == (
        "quarantined", "a reply to the daily digest, which is not a request")
    assert db.count("requests") == 0


# -- 4. automatic mail exits 0 --------------------------------------------------------------------


@pytest.mark.parametrize("extra, words", [
    (("Auto-Submitted: auto-replied",), "Auto-Submitted: auto-replied"),
    (("Precedence: bulk",), "Precedence: bulk"),
    (("Precedence: junk",), "Precedence: junk"),
    (("X-Autoreply: yes",), "X-Autoreply: yes"),
    (("List-Id: <news.shop.example>", "List-Unsubscribe: <mailto:off@shop.example>"),
     "a newsletter: List-Id <news.shop.example> with List-Unsubscribe"),
])
def test_automatic_mail_is_quarantined_with_exit_0(mdesk, db, extra, words):
    result = feed(mdesk, message(subject="Hello", extra=extra), 0)
    [row] = mail_rows(db)
    assert (row["outcome"], row["reason"]) == ("quarantined", f"automatic mail ({words})")
    assert "quarantined" in result.stderr
    [shown] = mdesk.json("mail", "import", input=message(subject="Hello", extra=extra))
    assert shown["result"] == "duplicate"


def test_list_mail_a_person_writes_is_still_a_request(mdesk, db):
    feed(mdesk, message(extra=("List-Id: <staff.example.com>",)), 0)
    feed(mdesk, message(mid="m2@x", extra=("List-Id: <staff.example.com>", "Precedence: normal",
                                           "List-Unsubscribe: <mailto:x@example.com>")), 0)
    assert [r["outcome"] for r in mail_rows(db)] == ["request", "request"]


def test_a_bounce_of_a_message_isvc_did_not_send_exits_0(mdesk, db):
    from .test_intake import _bounce

    feed(mdesk, _bounce("someone-elses@x.example").replace(b"[isvc #1]", b"Lunch"), 0)
    assert mail_rows(db)[-1]["reason"].startswith("bounce (delivery status notification)")


def test_other_quarantines_keep_exit_65(quick_desk, mdesk, isvc_home, db):
    configure(isvc_home, unknown_senders="refuse")
    feed(mdesk, message(frm="spam@spam.example"), 65)
    configure(isvc_home, unknown_senders="accept", default_team="")
    feed(mdesk, message(mid="no-team@x"), 65)


def test_a_person_retrying_an_automatic_message_still_gets_65(mdesk, db):
    feed(mdesk, message(subject="Out of office", extra=("Auto-Submitted: auto-replied",)), 0)
    mdesk("--as", "boss", "mail", "quarantine", "retry", "1", code=65)


# -- 9. a message cut at the size limit --------------------------------------------------------


def test_retrying_a_message_cut_at_the_size_limit_is_refused(mdesk, isvc_home, db):
    configure(isvc_home, max_message_mb=1)
    feed(mdesk, message(body="x" * (2 * 1024 * 1024)), 65)
    [row] = mail_rows(db)
    configure(isvc_home, max_message_mb=25)  # even with a higher limit now
    expect_error(mdesk("--as", "boss", "mail", "quarantine", "retry", row["id"], code=None), 2,
                 f"mail {row['id']} was over the size limit when it came and only its first "
                 "1 MB was kept; it cannot be taken in again: ask the sender to send it again "
                 "(smaller)")
    assert mail_rows(db) == [row]
    assert db.count("requests") == 0


# -- 7. config robustness ----------------------------------------------------------------------


@pytest.mark.parametrize("text, section", [
    ('smtp = "oops"\n', "smtp"),
    ("mail = 5\n", "mail"),
    ("notify = 5\n", "notify"),
    ("kudos = [1]\n", "kudos"),
    ("[mail]\nroutes = \"it\"\n", "mail.routes"),
])
def test_a_section_of_the_wrong_type_is_one_line(isvc, isvc_home, text, section):
    path = isvc_home / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    for args in (["config", "show"], ["config", "set", "smtp.port", "25"], ["queue"]):
        expect_error(isvc(*args, code=None), 2, f"config [{section}] must be a table; fix {path}")
    assert path.read_text() == text


@pytest.mark.parametrize("key, value, allowed", [
    ("mail.unknown_senders", "maybe", "accept, hold or refuse"),
    ("mail.unverified_replies", "drop", "note or quarantine"),
    ("smtp.security", "tls", "starttls, ssl or none"),
    ("notify.events", "ack,bogus", "ack, reply, resolved, at_risk, breached, oncall, reminder "
                                   "or digest"),
])
def test_config_set_refuses_a_word_it_does_not_know(isvc, isvc_home, key, value, allowed):
    bad = value.split(",")[-1]
    expect_error(isvc("config", "set", key, value, code=None), 2,
                 f"config key {key!r} takes {allowed}, not {bad!r}")
    assert not (isvc_home / "config.toml").exists()


def test_config_set_checks_ranges_and_the_tag(isvc, isvc_home):
    for value in ("0", "65536"):
        expect_error(isvc("config", "set", "smtp.port", value, code=None), 2,
                     f"config key 'smtp.port' takes a whole number from 1 to 65535, not {value}")
    expect_error(isvc("config", "set", "notify.max_attempts", "0", code=None), 2,
                 "config key 'notify.max_attempts' takes a whole number of at least 1, not 0")
    expect_error(isvc("config", "set", "mail.tag", "[isvc]", code=None), 2,
                 "mail.tag '[isvc]' must contain {number} once and some text around it, "
                 "e.g. \"[isvc #{number}]\"")
    assert not (isvc_home / "config.toml").exists()
    isvc("config", "set", "mail.unknown_senders", "HOLD")
    isvc("config", "set", "notify.events", "ack", "Digest")
    isvc("config", "set", "mail.tag", "[ticket {number}]")
    for key, value in (("notify.max_attempts", "3"), ("smtp.timeout", "10"),
                       ("mail.max_parts", "50"), ("mail.max_header_kb", "64"),
                       ("smtp.port", "465")):
        isvc("config", "set", key, value)
        assert isvc("config", "get", key).stdout == f"{value}\n"
    assert isvc("config", "get", "mail.unknown_senders").stdout == "hold\n"
    assert isvc.json("config", "show")["notify"]["events"] == ["ack", "digest"]


def test_bools_print_as_toml(isvc, isvc_home):
    result = isvc("config", "set", "notify.send_immediately", "yes")
    assert result.stderr == (f"Set notify.send_immediately = true in "
                             f"{isvc_home / 'config.toml'}.\n")
    assert isvc("config", "get", "notify.send_immediately").stdout == "true\n"
    assert isvc("config", "get", "kudos.require_value").stdout == "false\n"


# -- 8. help texts -------------------------------------------------------------------------------


def _commands(app):
    for command in app.registered_commands:
        yield command
    for group in app.registered_groups:
        yield from _commands(group.typer_instance)


@pytest.mark.parametrize("module", ["isvc.cli.mail", "isvc.cli.notify"])
def test_help_paragraphs_have_no_hard_line_breaks(module):
    import importlib

    app = importlib.import_module(module).app
    for command in _commands(app):
        doc = command.callback.__doc__ or ""
        for paragraph in doc.strip().split("\n\n"):
            assert "\n" not in paragraph.strip(), (command.callback.__name__, paragraph)
        epilog = command.epilog or ""
        assert "\n" not in epilog and "(a mail server's pipe)" not in epilog
        assert "crontab:" not in epilog


def test_the_import_help_says_which_quarantines_exit_0(isvc):
    from isvc.cli.mail import mail_import

    doc = " ".join(mail_import.__doc__.split())
    assert "quarantined as automatic mail" in doc and "or a bounce" in doc
    assert "65 when quarantined for any other reason" in doc


def test_the_sla_check_example_notifies():
    import typer.main

    from isvc.cli.app import app

    group = typer.main.get_command(app)
    import click

    ctx = click.Context(group)
    check = group.get_command(ctx, "sla").get_command(ctx, "check")
    assert "isvc sla check --notify" in check.epilog
