"""mailparse: raw mail bytes to ParsedMail, on the real corpus, on hostile input, and by
property (fingerprint, trim_quoted, html_to_text, parse never raising but MailRefused)."""

from __future__ import annotations

import email
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isvc.domain.mail import Limits, MailRefused, ParsedMail
from isvc.domain.mailparse import (
    decode_words,
    fingerprint,
    html_to_text,
    parse,
    safe_filename,
    trim_quoted,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "email"  # see tests/data/README.md
CORPUS_FILES = sorted(CORPUS.glob("*.eml"))
assert len(CORPUS_FILES) == 179, f"the mail corpus in {CORPUS} is incomplete"


def corpus(name: str) -> ParsedMail:
    return parse((CORPUS / name).read_bytes(), Limits())


def mail(*headers: str, body: str = "Hello.", nl: str = "\r\n") -> bytes:
    """A message from header lines and a body (str; encoded as UTF-8)."""
    return nl.join([*headers, "", body]).encode("utf-8", "surrogateescape")


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    try:
        result: object = fn(*args)
    except MailRefused as refused:
        result = refused
    return time.perf_counter() - start, result


# --------------------------------------------------------------------------- corpus


def test_the_corpus_is_all_there():
    assert len(CORPUS_FILES) >= 179


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_every_corpus_message_parses_or_is_refused_fast(path):
    seconds, result = timed(parse, path.read_bytes(), Limits())
    assert isinstance(result, ParsedMail | MailRefused)
    assert seconds < 1.0, f"{path.name} took {seconds:.2f} s"
    if isinstance(result, ParsedMail):
        assert "\r" not in result.text and result.text == result.text.rstrip()
        assert "\n" not in result.subject
        for attachment in result.attachments:
            assert attachment.filename and "/" not in attachment.filename
            assert "\\" not in attachment.filename
            assert attachment.data is None or len(attachment.data) == attachment.size


def test_iso_2022_jp_encoded_words_in_the_subject():
    parsed = corpus("mailrb_rfc2822_example14.eml")
    # "Re: TEST" then twice =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= (ESC $B %F%9%H ESC (B)
    assert parsed.subject == "Re: TEST テストテスト"
    assert parsed.in_reply_to == ["rid_5582199198@msgid.example.com"]
    assert parsed.text == "Hello"


def test_iso_2022_jp_body():
    parsed = corpus("mailrb_multi_charset_japanese_iso_2022.eml")
    assert parsed.subject == "まみむめも"  # =?UTF-8?B?44G+44G/44KA44KB44KC?=
    assert parsed.text == "すみません。"
    assert parsed.problems == []


def test_shift_jis_body():
    parsed = corpus("mailrb_multi_charset_japanese_shift_jis.eml")
    assert parsed.text == ("あいうえお\n\nこのメールはテスト用のメールです。\n\n"
                           "今後ともよろしくお願い申し上げます！")
    assert parsed.from_addr == "xxxxxxx@docomo.ne.jp"
    assert parsed.delivered_to == ["unknown@example.com"]


def test_ks_c_5601_1987_body():
    parsed = corpus("mailrb_multi_charset_ks_c_5601-1987.eml")
    assert parsed.text == "스티해"  # bytes bd ba c6 bc c7 d8, read as cp949
    assert parsed.date == "2014-05-28T08:18:19Z"
    assert parsed.message_id == "from@example.com"


def test_rfc2231_non_ascii_attachment_names():
    parsed = corpus("mailrb_attachment_emails_attachment_with_quoted_filename.eml")
    # filename*=ISO-8859-1''Eelanal%FC%FCsi%20p%E4ring.jpg
    assert [a.filename for a in parsed.attachments] == ["Eelanalüüsi päring.jpg"]
    assert parsed.subject == "Eelanalüüsi päring"  # =?ISO-8859-1?Q?Eelanal=FC=FCsi_p=E4ring?=
    long_name = corpus("mailrb_multi_charset_japanese_attachment_long_name.eml")
    # filename*0*=utf-8''... filename*1*=...: continuations joined before decoding
    assert [a.filename for a in long_name.attachments] == ["かきくけこ" * 5 + ".txt"]


def test_rfc2047_attachment_name():
    parsed = corpus("mailrb_multi_charset_japanese_attachment.eml")
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("てすと.txt", "text/plain")]
    assert parsed.text.startswith("testing")


def test_outlook_message_with_three_attachments():
    parsed = corpus("mmp_m0011.eml")
    assert [(a.filename, a.content_type, a.size) for a in parsed.attachments] == [
        ("blueball.png", "image/png", 1325),
        ("greenball.png", "image/png", 1298),
        ("redball.png", "image/png", 1453),
    ]
    assert all(a.data is not None and a.data.startswith(b"\x89PNG") for a in parsed.attachments)
    assert parsed.text.startswith("The Hare and the Tortoise\n\nA HARE one day ridiculed")


def test_windows_path_in_a_filename_keeps_the_last_component():
    parsed = corpus("mmp_m1005.eml")  # filename="C:\TEMP\nsmailEG.png"
    assert [a.filename for a in parsed.attachments] == [
        "nsmailEG.png", "nsmail39.png", "redball.png", "greenball.png"]


def test_bounce_with_its_returned_message():
    parsed = corpus("mailrb_multipart_report_emails_report_530.eml")
    assert parsed.bounce is True
    assert parsed.automatic == "Auto-Submitted: auto-generated (failure)"
    assert parsed.from_addr == "mailer-daemon@tttttt.com.au"
    assert parsed.bounced_message_id == "200712232303.lBNN3jDq002941@mail12.rrrr.com.au"
    assert parsed.bounced_subject == "Returned mail: User unknown"


def test_postmaster_bounce():
    parsed = corpus("mailrb_multipart_report_emails_multipart_report_multiple_status.eml")
    assert parsed.bounce is True
    assert parsed.automatic == "sent by postmaster"
    assert parsed.bounced_message_id == "4c2a146147ac8_61ff157c4ec1652df@s.h.c.mail"


def test_reply_threading_headers():
    parsed = corpus("mailrb_plain_emails_raw_email_reply.eml")
    assert parsed.message_id == "473FFE27.20003@xxx.org"
    assert parsed.in_reply_to == ["348F04F142D69C21-291E56D292BC@xxxx.net"]
    assert parsed.references == ["473FF3B8.9020707@xxx.org",
                                 "348F04F142D69C21-291E56D292BC@xxxx.net"]
    assert parsed.subject == "Re: Test reply email"


def test_empty_in_reply_to_and_invalid_references():
    parsed = corpus("mailrb_error_emails_empty_in_reply_to.eml")  # "In-Reply-To: "
    assert parsed.in_reply_to == []
    assert parsed.message_id == "F194F88AF3E341A6B2B135CC17912811@articondell"
    broken = corpus("mailrb_error_emails_multiple_references_with_one_invalid.eml")
    assert broken.references == ["foo@bar.net", "baz@bar.net"]  # "<invalid." is skipped


def test_html_only_message_becomes_text():
    parsed = corpus("mmp_m2003.eml")
    assert parsed.text.startswith(
        "Die Hasen und die Frösche\n\nDie Hasen klagten einst über ihre mißliche Lage; "
        '"wir leben", sprach ein Redner, "in steter Furcht vor Menschen und Tieren,')
    assert "<" not in parsed.text and "&quot;" not in parsed.text


def test_missing_filenames_are_generated():
    signed = corpus("mmp_m4001.eml")  # application/pgp-signature without a name
    assert [(a.filename, a.content_type) for a in signed.attachments] == [
        ("attachment-1.asc", "application/pgp-signature")]
    dsn = corpus("mailrb_multipart_report_emails_report_530.eml")
    assert [a.filename for a in dsn.attachments] == ["attachment-1.txt"]
    located = corpus("mailrb_mime_emails_raw_email12.eml")  # only Content-Location: Photo25.jpg
    assert [a.filename for a in located.attachments] == ["Photo25.jpg"]


def test_outlook_message_body_start():
    parsed = corpus("mmp_m0001.eml")
    assert parsed.subject == "Die Hasen und die Frösche (Microsoft Outlook 00)"
    assert parsed.from_addr == "doug@example.com" and parsed.from_name == "Doug Sauder"
    assert parsed.date == "2000-05-17T23:08:29Z"
    assert parsed.text.startswith("Die Hasen und die Frösche\n\n"
                                  "Die Hasen klagten einst über ihre mißliche Lage;")


def test_forwarded_message_is_an_eml_attachment():
    parsed = corpus("mailrb_attachment_emails_attachment_message_rfc822.eml")
    (forwarded,) = parsed.attachments
    assert (forwarded.filename, forwarded.content_type) == ("ForwardedMessage.eml",
                                                           "message/rfc822")
    inner = email.message_from_bytes(forwarded.data)
    assert inner["Return-Path"] == "<xxxx@xxxx.com>"
    assert parsed.text == "This is the first part."


def test_malformed_headers_are_worked_around():
    bad_subject = corpus("mailrb_error_emails_bad_encoded_subject.eml")  # =?NONE?B?VEVTVA=?=
    assert bad_subject.subject == "TEST"
    assert "Subject: encoded word text has an unknown charset 'none'; read as utf-8" in \
        bad_subject.problems
    assert bad_subject.from_addr is None and bad_subject.automatic == "null sender"
    bad_date = corpus("mailrb_plain_emails_raw_email_with_bad_date.eml")
    assert bad_date.date is None
    assert "Date header unreadable: 'Pn, 29 paX 2007 21:13:00 +0100'" in bad_date.problems
    utf8 = corpus("mailrb_rfc6532_utf8_headers.eml")  # raw UTF-8 header bytes
    assert (utf8.subject, utf8.from_addr, utf8.from_name) == (
        "Säying Hello", "jdöe@mächine.example", "Jöhn Doe")
    invalid = corpus("mmp_invalid-charset.eml")
    assert "body: text has an unknown charset 'invalid-charset'; read as utf-8" in \
        invalid.problems


def test_broken_base64_keeps_what_decodes():
    parsed = corpus("mmp_m4009.eml")
    assert [a.filename for a in parsed.attachments] == ["test10Mb.db"]
    assert "attachment 'test10Mb.db': broken base64, kept what decoded" in parsed.problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_corpus_messages_never_crash(data):
    path = data.draw(st.sampled_from(CORPUS_FILES))
    raw = bytearray(path.read_bytes())
    raw = raw[:data.draw(st.integers(0, len(raw)))]
    for _ in range(data.draw(st.integers(0, 8))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        parse(bytes(raw), Limits())
    except MailRefused:
        pass


# --------------------------------------------------------------------------- limits


def test_limits_refuse_with_the_setting_named():
    with pytest.raises(MailRefused, match=r"^message is 30\.0 MB, over the 25 MB limit "
                                          r"\(mail\.max_message_mb\)$"):
        parse(b"From: a@b.c\r\n\r\n" + b"x" * (30 * 1024 * 1024), Limits())
    with pytest.raises(MailRefused, match=r"^header block is 300 KB, over the 256 KB limit "
                                          r"\(mail\.max_header_kb\)$"):
        parse(b"From: a@b.c\r\nX-Big: " + b"a" * (300 * 1024 - 20) + b"\r\n\r\nhi", Limits())
    parts = b"".join(b"--b\r\n\r\npart\r\n" for _ in range(4)) + b"--b--\r\n"
    message = b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + parts
    assert len(parse(message, Limits(max_parts=4)).text.split("\n\n")) == 4
    with pytest.raises(MailRefused, match=r"^message has more than 3 MIME parts "
                                          r"\(mail\.max_parts\)$"):
        parse(message, Limits(max_parts=3))


@pytest.mark.parametrize(("raw", "reason"), [
    (b"", "message is empty"),
    (b" \r\n\t\r\n", "message is empty"),
    (b"just some text\nwith lines\n", "not a mail message: it does not start with header fields"),
    (b"\x00\x01\x02binary", "not a mail message: it does not start with header fields"),
])
def test_empty_and_non_mail_input_is_refused(raw, reason):
    with pytest.raises(MailRefused) as refused:
        parse(raw, Limits())
    assert str(refused.value) == reason


def test_attachment_over_the_limit_keeps_its_size_but_not_its_data():
    message = mail("From: a@b.c", "Content-Type: multipart/mixed; boundary=b", body=(
        "--b\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/pdf; name=big.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + "QUJD" * 300 + "\r\n--b--\r\n"))
    parsed = parse(message, Limits(max_attachment_bytes=800))
    (big,) = parsed.attachments
    assert (big.filename, big.size, big.data) == ("big.pdf", 900, None)
    assert parse(message, Limits()).attachments[0].data == b"ABC" * 300


# --------------------------------------------------------------------------- hostile


def hostile_parts(count: int) -> bytes:
    return (b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + b"--b\r\n\r\n" + b"x" * 80 + b"\r\n" + b"--b\r\n\r\npart\r\n" * count + b"--b--\r\n")


def hostile_nesting(depth: int) -> bytes:
    opening = b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
                       for i in range(depth))
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth + 1)))
    return (b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n" + opening
            + b"--b%d\r\n\r\nleaf\r\n" % depth + closing)


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("10,000 parts", lambda: hostile_parts(10_000), "more than 100 MIME parts"),
    ("10 MB of 100,000 parts",
     lambda: hostile_parts(100_000).replace(b"part\r\n", b"p" * 90 + b"\r\n"),
     "more than 100 MIME parts"),
    ("500-deep nesting", lambda: hostile_nesting(500), "more than 100 MIME parts"),
    ("3,000-deep message/rfc822",
     lambda: b"From: a@b.c\r\n" + b"Content-Type: message/rfc822\r\n\r\n" * 3000 + b"x",
     "more than 100 MIME parts"),
    ("2 MB header line", lambda: b"From: a@b.c\r\nX-Long: " + b"a" * 2_000_000 + b"\r\n\r\nx",
     "header block is 1.9 MB"),
    ("30 MB message", lambda: b"From: a@b.c\r\n\r\n" + b"x" * (30 * 1024 * 1024),
     "message is 30.0 MB"),
])
def test_hostile_messages_are_refused_fast(name, make, reason):
    raw = make()
    seconds, result = timed(parse, raw, Limits())
    print(f"{name}: {len(raw) / 1e6:.1f} MB refused in {seconds:.3f} s")
    assert isinstance(result, MailRefused) and reason in str(result)
    assert seconds < 5  # about 0.05 s here; loose so that a slow machine does not flake


@pytest.mark.parametrize(("name", "raw"), [
    # the stdlib's parameter parser is quadratic: minutes for this before the guard
    ("100,000 Content-Type parameters", b"From: a@b.c\r\nContent-Type: multipart/mixed; "
     b"boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; " + b"a=b; " * 100_000
     + b"\r\n\r\nhi\r\n--b--\r\n"),
    # policy.default's header parser recurses once per nested comment
    ("nested comments", b"From: (" + b"(" * 3000 + b")" * 3000 + b" a@b.c\r\nTo: (" + b"(" * 3000
     + b")" * 3000 + b" c@d.e\r\nContent-Type: text/plain; (" + b"(" * 3000 + b")" * 3000
     + b"\r\n\r\nhi\r\n"),
    ("200,000 separators in To", b"From: a@b.c\r\nTo: " + b";," * 100_000 + b"\r\n\r\nhi"),
    ("unfinished HTML tags", b"From: a@b.c\r\nContent-Type: text/html\r\n\r\n" + b"<a" * 500_000),
    ("unfinished HTML comments",
     b"From: a@b.c\r\nContent-Type: text/html\r\n\r\n" + b"<!-- > " * 150_000),
])
def test_hostile_headers_and_markup_parse_fast(name, raw):
    seconds, result = timed(parse, raw, Limits())
    print(f"{name}: {len(raw) / 1e6:.1f} MB parsed in {seconds:.3f} s")
    assert isinstance(result, ParsedMail)
    assert seconds < 5


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_but_mail_refused(raw):
    try:
        parse(raw, Limits())
    except MailRefused:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    b"From: a@b.c\r\n", b"To: ", b"Subject: =?utf-8?b?", b"?=", b"=?x?q?=FF?=",
    b"Content-Type: multipart/mixed; boundary=b\r\n", b"Content-Type: text/html\r\n",
    b"Content-Type: message/rfc822\r\n", b"Content-Disposition: attachment; filename*=",
    b"Content-Transfer-Encoding: base64\r\n", b"\r\n", b"\n", b"--b\r\n", b"--b--\r\n",
    b"<", b">", b"(", b")", b'"', b";", b"\xff\xfe", b"\x1b$B", b"<script>", b"<!--",
    b"Date: ", b"Auto-Submitted: ", b"Return-Path: <>\r\n", b"In-Reply-To: <", b"@",
]) | st.binary(max_size=20), max_size=60).map(b"".join))
def test_mail_shaped_garbage_never_raises_anything_but_mail_refused(raw):
    try:
        parse(b"From: x@y.z\r\n" + raw, Limits())
    except MailRefused:
        pass


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(("raw", "decoded"), [
    ("=?UTF-8?B?44G+44G/?= =?UTF-8?B?44KA44KB44KC?=", "まみむめも"),
    # one character split over two words: the bytes are joined before decoding
    ("=?UTF-8?B?4g==?= =?UTF-8?B?gqw=?=", "€"),
    ("=?iso-8859-1?Q?Caf=E9_cr=E8me?=  au   lait", "Café crème au lait"),
    ("Re: =?utf-8?q?=C3=BCber?= das", "Re: über das"),
    ("=?ks_c_5601-1987?B?vbrGvMfY?=", "스티해"),
    ("=?windows-1252?Q?=93quoted=94?=", "\u201cquoted\u201d"),
    ("\udcc3\udcbcber", "über"),           # raw UTF-8 bytes in a header
    ("\udcfcber", "über"),                 # raw Latin-1/cp1252 bytes
    ("red\x1b[31m\r\n alert\x07", "red [31m alert"),  # no terminal escapes
])
def test_subject_decoding(raw, decoded):
    assert decode_words(raw) == (decoded, [])


def test_subject_decoding_notes_what_it_could_not_read():
    assert decode_words("=?x-unknown?q?abc?=") == (
        "abc", ["encoded word text has an unknown charset 'x-unknown'; read as utf-8"])
    text, notes = decode_words("=?utf-8?b?QUJDR?=")
    assert text == "ABC" and notes == ["broken base64 in an encoded word"]


def test_addresses_are_lower_cased_and_unparseable_ones_skipped():
    parsed = parse(mail(
        'From: "Ann Lee" <Ann.Lee@Example.COM>', "To: desk@EXAMPLE.com, not an address, <>",
        "Cc: =?utf-8?q?J=C3=BCrgen?= <jurgen@example.com>", "Delivered-To: Desk@example.com",
        "X-Original-To: help@example.com", "Envelope-To: desk@example.com",
        "Message-ID:  < abc@example.com > ", "Date: Mon, 3 Feb 2025 10:12:00 +0100"), Limits())
    assert (parsed.from_addr, parsed.from_name) == ("ann.lee@example.com", "Ann Lee")
    assert parsed.to == ["desk@example.com"]
    assert parsed.cc == ["jurgen@example.com"]
    assert parsed.delivered_to == ["desk@example.com", "help@example.com"]
    assert parsed.message_id == "abc@example.com"
    assert parsed.date == "2025-02-03T09:12:00Z"


def test_sender_falls_back_to_sender_then_return_path():
    parsed = parse(mail("Sender: Bot <bot@example.com>", "Subject: x"), Limits())
    assert parsed.from_addr == "bot@example.com"
    assert "no From header; the sender is read from Sender" in parsed.problems
    parsed = parse(mail("Return-Path: <rp@example.com>", "Subject: x"), Limits())
    assert parsed.from_addr == "rp@example.com"


# --------------------------------------------------------------------------- automatic


@pytest.mark.parametrize(("headers", "automatic"), [
    (["From: ann@example.com", "Auto-Submitted: no"], None),
    (["From: ann@example.com", "Precedence: list", "List-Id: <x.example.com>"],
     "Precedence: list"),
    (["From: ann@example.com", "List-Id: <x.example.com>"], None),
    (["From: ann@example.com", "Precedence: bulk"], "Precedence: bulk"),
    (["From: ann@example.com", "Auto-Submitted: auto-replied",
      "Subject: Out of office: back on Monday"], "Auto-Submitted: auto-replied"),
    (["From: ann@example.com", "X-Autoreply: yes", "Subject: Vacation"], "X-Autoreply: yes"),
    (["From: ann@example.com", "X-Autorespond: on"], "X-Autorespond: on"),
    (["From: ann@example.com", "Return-Path: <>"], "null sender"),
    (["From: <>"], "null sender"),
    (["Subject: no sender at all"], "null sender"),
    (["From: Mail Delivery System <MAILER-DAEMON@mx.example.com>"], "sent by MAILER-DAEMON"),
    (["From: postmaster@example.com"], "sent by postmaster"),
])
def test_automatic_reasons(headers, automatic):
    assert parse(mail(*headers), Limits()).automatic == automatic


DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: desk@example.com
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Content-Type: multipart/report; report-type=delivery-status; boundary="r"

--r
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.
--r
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; nobody@example.org
Action: failed
Status: 5.1.1
--r
Content-Type: text/rfc822-headers

From: desk@example.com
Subject: =?utf-8?q?[isvc_#12]_Printer_=E2=80=93_fixed?=
Message-ID: <isvc.12.3@desk.example.com>
--r--
"""


def test_mailer_daemon_dsn_is_a_bounce():
    parsed = parse(DSN.encode(), Limits())
    assert parsed.bounce is True
    assert parsed.automatic == "Auto-Submitted: auto-replied"
    assert parsed.bounced_message_id == "isvc.12.3@desk.example.com"
    assert parsed.bounced_subject == "[isvc #12] Printer – fixed"
    assert parsed.text.startswith("I'm sorry to have to inform you")


def test_plain_text_bounce_finds_the_message_id_in_the_body():
    parsed = parse(mail("From: MAILER-DAEMON@old.example.com", "Subject: failure notice",
                        body="Sorry.\r\n--- Below this line is a copy of the message.\r\n\r\n"
                             "Message-ID: <abc.1@desk.example.com>\r\nSubject: hi\r\n"),
                   Limits())
    assert parsed.bounce is True and parsed.automatic == "sent by MAILER-DAEMON"
    assert parsed.bounced_message_id == "abc.1@desk.example.com"


def test_a_person_writing_about_undelivered_mail_is_no_bounce():
    parsed = parse(mail("From: ann@example.com", "Subject: Undelivered mail from the printer"),
                   Limits())
    assert (parsed.bounce, parsed.automatic) == (False, None)


def test_exchange_style_dsn_without_a_daemon_address_is_a_bounce():
    raw = DSN.replace("MAILER-DAEMON@mx.example.com", "ms-exchange@example.com")
    raw = raw.replace("Auto-Submitted: auto-replied\n", "")
    parsed = parse(raw.encode(), Limits())
    assert parsed.bounce is True and parsed.automatic == "delivery status notification"


# --------------------------------------------------------------------------- filenames


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("\\windows\\evil.exe", "evil.exe"),
    ("C:\\TEMP\\nsmailEG.png", "nsmailEG.png"),
    ("bad\x00na\x1bme\x7f.txt", "badname.txt"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),   # no right-to-left override
    ("...hidden", "hidden"),
    (".htaccess", "htaccess"),
    ("  spaced   out  .pdf ", "spaced out .pdf"),
    ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ("x" * 300, "x" * 120),
])
def test_safe_filenames(name, safe):
    assert safe_filename(name, "application/octet-stream", 1) == safe


@pytest.mark.parametrize(("name", "ctype", "generated"), [
    (None, "image/jpeg", "attachment-3.jpg"),
    ("", "application/pdf", "attachment-3.pdf"),
    ("../", "application/x-unknown", "attachment-3.bin"),
    ("\x00", "message/rfc822", "attachment-3.eml"),
])
def test_missing_filenames_are_generated_from_the_type(name, ctype, generated):
    assert safe_filename(name, ctype, 3) == generated


def test_hostile_filenames_in_a_message():
    parsed = parse(mail("From: a@b.c", "Content-Type: multipart/mixed; boundary=b", body=(
        "--b\r\n\r\nhi\r\n"
        "--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; "
        "filename=\"../../etc/passwd\"\r\n\r\nroot\r\n"
        "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        "filename*=utf-8''..%2F..%2Fevil%E2%80%AE.exe\r\n\r\nMZ\r\n--b--\r\n")), Limits())
    assert [a.filename for a in parsed.attachments] == ["passwd", "evil.exe"]
    assert parsed.text == "hi"


# --------------------------------------------------------------------------- html


def test_html_to_text():
    html = """<html><head><title>T</title><style>p{color:red}</style></head>
    <body><h1>Printer&nbsp;down</h1><p>It says &lt;E42&gt; &amp; stops.</p>
    <script>alert('x')</script><ul><li>one</li><li>two</li></ul>
    <p>See <a href="https://wiki.example.com/e42">the wiki</a> or
    <a href="https://example.com">https://example.com</a>.<br>Thanks<br/>Ann</p>
    <p></p><p></p><div>end</div></body></html>"""
    assert html_to_text(html) == (
        "Printer down\n\nIt says <E42> & stops.\n\n- one\n- two\n\n"
        "See the wiki (https://wiki.example.com/e42) or https://example.com.\nThanks\nAnn\n\nend")


def test_html_to_text_drops_script_even_unclosed():
    assert html_to_text("a<script>secret()") == "a"
    assert html_to_text("a<script/>secret()</script>b") == "ab"
    assert html_to_text("<head><title>x</title><body>body") == "body"


def test_html_to_text_survives_broken_markup():
    assert html_to_text("<![x[ broken") == "<![x[ broken"  # HTMLParser would assert
    assert html_to_text("a <b") == "a <b"  # no ">" follows: text, not a tag


HTML_FRAGMENTS = st.lists(st.one_of(
    st.sampled_from(["<p>", "</p>", "<br>", "<div>", "</div>", "<li>", "<ul>", "</ul>",
                     "<a href='https://x.example'>", "</a>", "<b>", "</b>", "&amp;",
                     "&nbsp;", "&#8364;", "<table><tr><td>", "</td></tr></table>", "\n",
                     "<pre>", "</pre>", "<blockquote>", "</blockquote>", "<img src=x>"]),
    st.text(alphabet=st.characters(blacklist_characters="<>&'\""), max_size=20),
), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_html_to_text_never_raises(text):
    assert isinstance(html_to_text(text), str)


@settings(max_examples=300, deadline=None)
@given(HTML_FRAGMENTS, HTML_FRAGMENTS, st.sampled_from(["script", "style", "SCRIPT"]))
def test_html_to_text_never_leaves_script_content(before, after, tag):
    out = html_to_text(f"{before}<{tag} type='x'>var SECRET_1 = 1;</{tag}>{after}")
    assert "SECRET_1" not in out and "<script" not in out.lower()


# --------------------------------------------------------------------------- fingerprint


ORIGINAL = (
    "From: Ann Lee <ann@example.com>\nTo: desk@example.com\nSubject: Printer\n"
    "Message-ID: <m1@example.com>\nDKIM-Signature: v=1; a=rsa-sha256; b=abc\n"
    "Date: Mon, 3 Feb 2025 10:12:00 +0100\n\nIt is broken.\nFrom the 3rd floor.\n")


def delivered(message: str, received: list[str], crlf: bool, mbox: bool = False) -> bytes:
    """The message as a mail server stores it: transport headers on top, maybe in an mbox."""
    head, body = message.split("\n\n", 1)
    top = "".join(f"Received: {r}\n" for r in received)
    top += "Delivered-To: desk@example.com\nReturn-Path: <ann@example.com>\n"
    if mbox:
        top = "From ann@example.com Mon Feb  3 10:12:00 2025\n" + top
        head += "\nStatus: RO\nX-Mozilla-Status: 0001"
        body = body.replace("\nFrom ", "\n>From ")
    text = top + head + "\n\n" + body
    return text.replace("\n", "\r\n").encode() if crlf else text.encode()


def test_same_message_delivered_twice_has_one_fingerprint():
    first = delivered(ORIGINAL, ["by mx1.example.com; Mon, 3 Feb 2025 10:12:01 +0100"], True)
    second = delivered(ORIGINAL, ["by mx2.example.com", "from relay by mx2"], False, mbox=True)
    assert first != second and fingerprint(first) == fingerprint(second)
    assert len(fingerprint(first)) == 64


def test_different_messages_sharing_a_message_id_differ():
    other = ORIGINAL.replace("It is broken.", "It works again.")
    assert fingerprint(ORIGINAL.encode()) != fingerprint(other.encode())
    resigned = ORIGINAL.replace("b=abc", "b=xyz")  # DKIM is content, not transport
    assert fingerprint(ORIGINAL.encode()) != fingerprint(resigned.encode())


def test_fingerprint_never_raises():
    assert len(fingerprint(b"")) == 64
    assert len(fingerprint(b"\xff\xfe\x00 no headers")) == 64


RECEIVED = st.lists(st.text(alphabet="abcdefghij .;:0123456789()[]<>@-", min_size=1,
                            max_size=40), max_size=5)
BODY = st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r"),
               max_size=200)


@settings(max_examples=200, deadline=None)
@given(RECEIVED, RECEIVED, BODY, st.booleans(), st.booleans())
def test_fingerprint_ignores_transport(received1, received2, body, crlf1, crlf2):
    message = ORIGINAL.split("\n\n")[0] + "\n\n" + body
    one = delivered(message, received1, crlf1)
    two = delivered(message, list(reversed(received2)) + received1, crlf2)
    assert fingerprint(one) == fingerprint(two)


@settings(max_examples=200, deadline=None)
@given(BODY, st.text(alphabet=st.characters(blacklist_categories=["Cs", "Zl", "Cc"]),
                     min_size=1, max_size=10))
def test_fingerprint_changes_with_the_body(body, extra):
    message = ORIGINAL.split("\n\n")[0] + "\n\n"
    assert fingerprint((message + body).encode()) != \
        fingerprint((message + body + extra).encode())


# --------------------------------------------------------------------------- trim_quoted


GMAIL = """Thanks, it prints again.

On Mon, 3 Feb 2025 at 10:12, Desk <desk@example.com> wrote:
> Did you restart it?
>
> On Mon, 3 Feb 2025 at 09:00, Ann <ann@example.com> wrote:
>> It is broken.
"""

GMAIL_TWO_LINES = """Thanks!

On Mon, 3 Feb 2025 at 10:12, Helpdesk Team of the Example Company <
desk@example.com> wrote:

> Did you restart it?
"""

OUTLOOK = """Yes, done.

-----Original Message-----
From: Desk <desk@example.com>
Sent: Monday, February 3, 2025 10:12 AM
To: Ann Lee <ann@example.com>
Subject: RE: Printer

Did you restart it?
"""

OUTLOOK_UNDERSCORES = """Yes, done.

________________________________
From: Desk <desk@example.com>
Sent: Monday, February 3, 2025 10:12
To: Ann Lee
Subject: Printer

Did you restart it?
"""

OUTLOOK_HEADERS = """Yes, done.
Ann

From: Desk <desk@example.com>
Sent: Monday, February 3, 2025 10:12
To: Ann Lee
Subject: Printer

Did you restart it?
"""

GERMAN = """Danke, geht wieder.

Am 03.02.2025 um 10:12 schrieb Desk <desk@example.com>:

> Haben Sie neu gestartet?
"""

FRENCH = """Merci.

Le lun. 3 févr. 2025 à 10:12, Desk <desk@example.com> a écrit :
> Avez-vous redémarré ?
"""

SPANISH = """Gracias.

El lun, 3 feb 2025 a las 10:12, Desk (<desk@example.com>) escribió:
> ¿Reinició?
"""

INTERLEAVED = """On Mon, 3 Feb 2025, Desk <desk@example.com> wrote:
> Did you restart it?
Yes, twice.
> Which model is it?
The LaserJet on floor 3.

Ann
"""

FORWARDED = """Please look at the error below.

---------- Forwarded message ---------
From: Printer <printer@example.com>
Date: Mon, 3 Feb 2025
Subject: Error E42
To: Ann <ann@example.com>

Paper jam in tray 2.
"""


@pytest.mark.parametrize(("text", "trimmed"), [
    (GMAIL, "Thanks, it prints again."),
    (GMAIL_TWO_LINES, "Thanks!"),
    (OUTLOOK, "Yes, done."),
    (OUTLOOK_UNDERSCORES, "Yes, done."),
    (OUTLOOK_HEADERS, "Yes, done.\nAnn"),
    (GERMAN, "Danke, geht wieder."),
    (FRENCH, "Merci."),
    (SPANISH, "Gracias."),
    (INTERLEAVED, INTERLEAVED),                      # answers between the quotes stay
    ("Done.\n\n> quoted\n> tail\n", "Done."),
    ("> question\nanswer\n\n> old\n> tail\n", "> question\nanswer"),
    (FORWARDED, FORWARDED),                          # a forward is content, not a quote
    ("> only a quote\n> nothing new\n", "> only a quote\n> nothing new\n"),
    ("Thanks\r\n\r\n> quoted\r\n", "Thanks"),
])
def test_trim_quoted(text, trimmed):
    assert trim_quoted(text) == trimmed


REPLY_LINES = st.lists(st.one_of(
    st.sampled_from(["", "> quoted", ">> deeper", "On Mon, Ann <a@b.c> wrote:", "thanks",
                     "-----Original Message-----", "From: Ann", "Sent: Monday", "To: Desk",
                     "Subject: x", "_" * 32, "Am 3.2. schrieb Ann:", "On Mon, Ann <",
                     "a@b.c> wrote:", "---------- Forwarded message ---------", "  "]),
    st.text(max_size=15),
), max_size=25).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), REPLY_LINES))
def test_trim_quoted_never_empties_and_is_idempotent(text):
    once = trim_quoted(text)
    if text.strip():
        assert once.strip()
    assert trim_quoted(once) == once
