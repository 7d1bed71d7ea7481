"""The real corpus (../shared/data/email, 179 messages from two mail libraries' test
suites): every message is taken in without a crash and ends up stored or quarantined with
a reason; the expectations below were checked by reading the files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "email"  # see tests/data/README.md


# Files that repeat an earlier file: byte-identical, or different only in line ends (CRLF
# or LF) or in Received lines. Each is a duplicate: no row, no request.
DUPLICATES = {
    "mailrb_mime_emails_raw_email12.eml": "mailrb_attachment_emails_attachment_content_location.eml",
    "mailrb_attachment_emails_attachment_pdf_lf.eml": "mailrb_attachment_emails_attachment_pdf.eml",
    "mailrb_attachment_emails_attachment_pdf_non_ascii_lf.eml": "mailrb_attachment_emails_attachment_pdf_non_ascii.eml",
    "mailrb_plain_emails_raw_email8.eml": "mailrb_attachment_emails_attachment_with_encoded_name.eml",
    "mailrb_plain_emails_basic_email.eml": "mailrb_attachments_basic_email.eml",
    "mailrb_plain_emails_basic_email_lf.eml": "mailrb_attachments_basic_email.eml",
    "mailrb_multipart_report_emails_multi_address_bounce2.eml": "mailrb_multipart_report_emails_multi_address_bounce1.eml",
    "mailrb_rfc2822_example05.eml": "mailrb_rfc2822_example01.eml",
    "mailrb_rfc2822_example09.eml": "mailrb_rfc2822_example01.eml",   # + 7 Received lines
}

# Two of the corpus's bounces return messages whose Message-IDs the test puts in the
# outbox first, as if isvc had sent them: those become notes on request #1.
OURS = {
    "mailrb_multipart_report_emails_report_530.eml": "200712232303.lBNN3jDq002941@mail12.rrrr.com.au",
    "mailrb_multipart_report_emails_multi_address_bounce1.eml": "118707422.15521266992174819.JavaMail.root@lvmail01",
}

NO_SENDER = "no sender address (From is missing or cannot be read)"
NOT_OURS = "bounce (delivery status notification) for a message isvc did not send"

# file: (outcome, decoded subject, sender, reason or None)
EXPECTED = {
    # RFC 2822's examples: a hello, the same Message-ID on a different message (Sender
    # added: both kept), Mary's reply (she is not on the request: an unverified note), and
    # John's answer to it (the requester, threaded by References: a public reply)
    "mailrb_rfc2822_example01.eml": ("request", "Saying Hello", "jdoe@machine.example", None),
    "mailrb_rfc2822_example02.eml": ("request", "Saying Hello", "jdoe@machine.example", None),
    "mailrb_rfc2822_example06.eml": ("note", "Re: Saying Hello", "mary@example.net",
                                     "unverified sender mary@example.net: added as an internal note"),
    "mailrb_rfc2822_example07.eml": ("reply", "Re: Saying Hello", "jdoe@machine.example", None),
    # two ISO-2022-JP encoded words, folded over three lines; an In-Reply-To nobody knows
    "mailrb_rfc2822_example14.eml": ("request", "Re: TEST テストテスト", "atsushi@example.com", None),
    # raw UTF-8 in the headers (RFC 6532)
    "mailrb_rfc6532_utf8_headers.eml": ("request", "Säying Hello", "jdöe@mächine.example", None),
    "mailrb_multi_charset_japanese.eml": ("request", "まみむめも", "raasdnil@gmail.com", None),
    "mailrb_multi_charset_japanese_iso_2022.eml": ("request", "まみむめも", "raasdnil@gmail.com", None),
    "mailrb_attachment_emails_attachment_pdf.eml": (
        "request", "Another PDF with 🎉 Unicode chars in it 🍿", "xxxx@xxxx.com", None),
    "mailrb_attachment_emails_attachment_with_quoted_filename.eml": (
        "request", "Eelanalüüsi päring", "jeff@37signals.com", None),               # ISO-8859-1 Q
    "mailrb_plain_emails_raw_email.eml": ("request", "NOTE: 한국말로 하는 것", "jamis@37signals.com", None),  # EUC-KR
    "mailrb_plain_emails_raw_email_with_partially_quoted_subject.eml": (
        "request", 'Re: Test: "漢字" mid "漢字" tail', "jamis@37signals.com", None),
    "mailrb_error_emails_empty_in_reply_to.eml": (
        "request", "illegal copy of our patient education software", "ak@g.com", None),
    "mmp_m0001.eml": ("request", "Die Hasen und die Frösche (Microsoft Outlook 00)", "doug@example.com", None),
    "mmp_m3001.eml": ("request", "Test message from PINE", "doug@penguin.example.com", None),
    "mmp_m3003.eml": ("request", "PNG graphic", "doug@penguin.example.com", None),
    "mmp_m2010.eml": ("request", "The Hare and the Tortoise", "dwsauder@example.com", None),
    "mmp_m0022.eml": ("request", "long att", "test@test.sk", None),
    # junk mail marked as such; no From header at all
    "mailrb_error_emails_bad_date_header.eml": (
        "quarantined", "You may_be Eligible for Legitimate_Cash from_GovAgencies!",
        "infoz@reactive-outpost.com", "automatic mail (Precedence: junk)"),
    "mailrb_error_emails_bad_encoded_subject.eml": ("quarantined", "TEST", None, NO_SENDER),
    # delivery status notifications of messages isvc never sent
    "mailrb_multipart_report_emails_report_422.eml": (
        "quarantined", "Warning: could not send message for past 8 hours", "mailer-daemon@tppppp.com.au", NOT_OURS),
    "mailrb_multipart_report_emails_multipart_report_multiple_status.eml": (
        "quarantined", "Mail System Error - Returned Mail", "postmaster@ci.com", NOT_OURS),
    "mailrb_mime_emails_raw_email_with_mimepart_without_content_type.eml": (
        "quarantined", "Warning: could not send message for past 1 day", "mailer-daemon@antivirus.uqam.ca", NOT_OURS),
    # ... and of two it did (see OURS)
    "mailrb_multipart_report_emails_report_530.eml": (
        "bounce", "Returned mail: see transcript for details", "mailer-daemon@tttttt.com.au", None),
    "mailrb_multipart_report_emails_multi_address_bounce1.eml": (
        "bounce", "Undelivered Mail Returned to Sender", "mailer-daemon@lvmail01.ll.com", None),
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Every corpus file through `isvc mail import FILE --json`, into one desk."""
    import json
    import os

    import tomli_w
    from typer.testing import CliRunner

    from isvc.cli import _common
    from isvc.cli.app import app
    from isvc.store import outbox

    home = tmp_path_factory.mktemp("corpus") / "home"
    home.mkdir()
    (home / "config.toml").write_text(tomli_w.dumps({"mail": {"default_team": "it"}}))
    env = {"ISVC_HOME": str(home), "ISVC_NOW": "2026-11-23T09:30:00Z", "ISVC_TZ": "UTC",
           "ISVC_USER": "boss", "ISVC_DB": None, "ISVC_CONFIG": None}
    runner = CliRunner()

    def run(*args, **kw):
        _common.reset()
        return runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=False, **kw)

    saved = {k: os.environ.get(k) for k in env}
    try:
        assert run("team", "add", "it").exit_code == 0
        assert run("request", "new", "Mail to the outside", "--team", "it").exit_code == 0
        conn = sqlite3.connect(home / "isvc.db")
        with conn:
            for mid in OURS.values():
                outbox.enqueue(conn, kind="reply", channel="mail", recipient="someone@example.org",
                               subject="[isvc #1] Mail to the outside", body="b",
                               now="2026-11-23T09:00:00Z", number=1, message_id=mid)
        conn.close()
        results, codes = {}, {}
        for path in sorted(CORPUS.glob("*.eml")):
            result = run("mail", "import", path, "--json")
            codes[path.name] = result.exit_code
            if result.stdout.strip():
                [results[path.name]] = json.loads(result.stdout)
            else:
                results[path.name] = {"error": result.stderr}
        desk_rows = sqlite3.connect(home / "isvc.db")
        desk_rows.row_factory = sqlite3.Row
        rows = {r["id"]: dict(r) for r in desk_rows.execute("SELECT * FROM mail_messages")}
        requests = {r["number"]: dict(r) for r in desk_rows.execute("SELECT * FROM requests")}
        attachments = [dict(r) for r in desk_rows.execute("SELECT * FROM attachments")]
        desk_rows.close()
        yield {"codes": codes, "results": results, "rows": rows, "requests": requests,
               "attachments": attachments, "home": home}
    finally:
        _common.reset()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def test_the_corpus_has_179_messages():
    assert len(list(CORPUS.glob("*.eml"))) == 179


def test_no_crash_and_every_message_is_kept_or_a_known_duplicate(imported):
    codes, results, rows = imported["codes"], imported["results"], imported["rows"]
    assert {name: code for name, code in codes.items() if code not in (0, 65)} == {}
    assert {name: r for name, r in results.items() if "error" in r} == {}
    duplicates = {name for name, r in results.items() if r["result"] == "duplicate"}
    assert duplicates == set(DUPLICATES)
    for name, first in DUPLICATES.items():
        assert results[name]["mail_id"] == results[first]["mail_id"], name
    assert len(rows) == 179 - len(DUPLICATES)
    for row in rows.values():
        assert row["outcome"] in ("request", "reply", "note", "bounce", "quarantined"), row
        if row["outcome"] == "quarantined":
            assert row["reason"] and not row["reason"].startswith("internal error"), row
        else:
            assert row["number"] is not None and row["event_id"] is not None, row
    # exit 65 exactly for what was quarantined, but automatic mail and bounces (0: a
    # bounce of those would be automatic mail too)
    for name, result in results.items():
        if result["result"] == "stored":
            quiet = (result["reason"] or "").startswith(("automatic mail (", "bounce ("))
            refused = result["outcome"] == "quarantined" and not quiet
            assert codes[name] == (65 if refused else 0), name
    # most of a real mailbox becomes work, not quarantine
    outcomes = [r["outcome"] for r in rows.values()]
    assert outcomes.count("request") > 150


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_named_messages(imported, name):
    outcome, subject, sender, reason = EXPECTED[name]
    result = imported["results"][name]
    row = imported["rows"][result["mail_id"]]
    assert (result["result"], row["outcome"], row["subject"], row["sender"]) == (
        "stored", outcome, subject, sender)
    if reason is not None:
        assert row["reason"] == reason
    if outcome == "request":
        req = imported["requests"][row["number"]]
        assert req["channel"] == "mail"
        assert req["title"] == subject.removeprefix("Re: ")
    if outcome == "bounce":
        assert row["number"] == 1


def test_threading_in_the_rfc_examples(imported):
    results = imported["results"]
    filed = results["mailrb_rfc2822_example02.eml"]["request"]
    assert results["mailrb_rfc2822_example01.eml"]["request"] != filed
    assert results["mailrb_rfc2822_example06.eml"]["request"] == filed
    assert results["mailrb_rfc2822_example07.eml"]["request"] == filed
    assert imported["requests"][filed]["requester"] == "jdoe"


def test_corpus_attachments_are_kept(imported):
    import hashlib

    by_request = {}
    for a in imported["attachments"]:
        by_request.setdefault(a["number"], []).append(a)
    pdf = imported["results"]["mailrb_attachment_emails_attachment_pdf.eml"]["request"]
    [a] = by_request[pdf]
    assert (a["filename"], a["content_type"], a["size"]) == ("broken.pdf", "application/pdf", 1026)
    folder = imported["home"] / "isvc-attachments"
    data = (folder / a["stored_name"]).read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == a["sha256"]
    png = imported["results"]["mmp_m3003.eml"]["request"]
    [a] = by_request[png]
    assert (a["filename"], a["size"]) == ("redball.png", 1453)
    assert (folder / a["stored_name"]).read_bytes().startswith(b"\x89PNG")
    # no stored name is ever the sender's
    assert all(a["stored_name"] is None or a["stored_name"] == f"{a['sha256'][:2]}/{a['sha256']}"
               for a in imported["attachments"])
