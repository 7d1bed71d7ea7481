"""The demo's mail: a handful of realistic messages imported through the real intake, so
the tour shows requests that arrived by mail, a reply threaded by its tag, an attachment,
a quarantined auto-reply, and the notifications they queued."""

from __future__ import annotations

from datetime import datetime, timedelta

DOMAIN = "example.com"
DESK_ADDRESS = "IT Service Desk <helpdesk@example.com>"


def _message(*, sender: str, to: str, subject: str, body: str, at: datetime, msgid: str,
             cc: str | None = None, headers: dict | None = None,
             attachment: tuple[str, str, bytes] | None = None,
             in_reply_to: str | None = None) -> bytes:
    from email.message import EmailMessage
    from email.utils import format_datetime

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = f"<{msgid}@mail.{DOMAIN}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg["References"] = f"<{in_reply_to}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if attachment:
        filename, ctype, data = attachment
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        msg.set_boundary(f"demo-{msgid}")  # the same demo builds the same bytes
    # what a mail server adds on the way in; the intake ignores it when spotting duplicates
    raw = msg.as_bytes()
    received = (f"Received: from mail.{DOMAIN} by mx.{DOMAIN}; "
                f"{format_datetime(at + timedelta(seconds=2))}\r\n").encode()
    return received + raw


def _quote_pdf() -> bytes:
    """A small, valid one-page PDF: the supplier's quote."""
    text = b"BT /F1 14 Tf 72 720 Td (Quote Q-2026-118: 12 ergonomic chairs, 3,540 EUR) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def first_mails(morning: datetime, later: datetime) -> list[tuple[str, bytes]]:
    """(what it shows, raw bytes): the messages that arrive before anyone answers."""
    return [
        ("a new request for IT, a colleague in Cc becomes a watcher", _message(
            sender="Omar Haddad <omar.haddad@example.com>", to="it@example.com",
            cc="Maria Dumitrescu <maria.dumitrescu@example.com>",
            subject="Docking station: no picture on the external monitors", at=morning,
            msgid="dock-omar-1",
            body="Hi IT,\n\nsince this morning my docking station (desk 4.12) charges the "
                 "laptop but neither external monitor gets a picture. I tried another USB-C "
                 "cable and restarting. Maria has the same model and hers works.\n\nCould "
                 "someone have a look? I have a client demo at 15:00.\n\nThanks,\nOmar\n")),
        ("a quote for Purchasing, with the supplier's PDF attached", _message(
            sender="Irina Lungu <irina.lungu@example.com>", to="purchasing@example.com",
            subject="Purchase order: 12 ergonomic chairs for the 4th floor", at=later,
            msgid="chairs-quote-7",
            body="Hello,\n\nplease raise a purchase order for 12 ergonomic chairs (quote "
                 "attached, valid until the end of the month). Cost centre CC-40, budget "
                 "approved by Cristian.\n\nBest regards,\nIrina\n",
            attachment=("Quote Q-2026-118.pdf", "application/pdf", _quote_pdf()))),
    ]


def reply_mail(at: datetime, number: int, tag: str) -> tuple[str, bytes]:
    """Omar answers the agent's question; the tag threads it, the quoted tail is trimmed."""
    subject = f"Re: {tag} Docking station: no picture on the external monitors"
    return ("a reply threaded onto its request by the subject tag; the quoted tail trimmed",
            _message(
                sender="Omar Haddad <omar.haddad@example.com>", to="helpdesk@example.com",
                subject=subject, at=at, msgid="dock-omar-2",
                in_reply_to="dock-omar-1@mail.example.com",
                body="It is a Dell WD19, firmware version 01.00.14 according to the sticker.\n"
                     "The laptop is the new ThinkPad from last month.\n\nOmar\n\n"
                     "On Mon, 23 Nov 2026, IT Service Desk <helpdesk@example.com> "
                     "wrote:\n> Hello Omar,\n> which model is the docking station?\n"))


def auto_reply(at: datetime, number: int, tagged_title: str) -> tuple[str, bytes]:
    """An out-of-office answer to a notification: never a request, never answered."""
    return ("an out-of-office auto-reply: quarantined, never answered (no mail loop)",
            _message(
                sender="Kenji Tanaka <kenji.tanaka@example.com>", to="helpdesk@example.com",
                subject=f"Automatic reply: {tagged_title}", at=at,
                msgid="ooo-kenji", headers={"Auto-Submitted": "auto-replied",
                                            "X-Auto-Response-Suppress": "All"},
                body="I am out of the office until 30 November with limited access to mail.\n"
                     "For urgent matters please contact Diana Ene.\n"))


def _desk(ctx, actor: str, at: datetime):
    from isvc.config import DEFAULTS, _merge
    from isvc.services.desk import Desk

    config = _merge(DEFAULTS, {"mail": {"address": DESK_ADDRESS, "default_team": "it"}})
    return Desk(conn=ctx.conn, actor=actor, now=at.replace(microsecond=0), config=config)


def _kenji_request(conn) -> tuple[int, str] | None:
    row = conn.execute("SELECT number, title FROM requests WHERE requester = 'kenji' "
                       "ORDER BY number DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else None


def build_mail(ctx) -> None:
    """Through the real intake and services, after the bulk load: two mails in, an agent
    asks a question, the answer threads back by its tag, an auto-reply is quarantined;
    then the clock check queues its notices. The outbox holds what all of it caused.

    It all happens after the newest generated request (numbers follow creation), in the
    last two hours at most."""
    from isvc.domain.mail import DEFAULT_TAG, format_tag
    from isvc.domain.timeutil import parse_iso
    from isvc.services import mail, notify, requests
    from isvc.services.demo import AUTOMATION, DEMO_USER

    now = ctx.now
    newest = ctx.conn.execute("SELECT max(created_at) FROM requests").fetchone()[0]
    start = max(parse_iso(newest) + timedelta(seconds=30), now - timedelta(hours=2)) \
        if newest else now - timedelta(hours=2)
    span = now - start

    def at(share: float) -> datetime:
        return (start + span * share).replace(microsecond=0)

    def take_in(raw: bytes, when: datetime):
        return mail.import_message(_desk(ctx, AUTOMATION, when), raw, source="demo")

    shown = [(what, take_in(raw, when)) for (what, raw), when
             in zip(first_mails(at(0), at(0.2)), (at(0), at(0.2)))]
    dock = shown[0][1].number
    agent = _desk(ctx, DEMO_USER, at(0.4))
    requests.assign(agent, dock, None, take=True)
    requests.transition(agent, dock, "wait", "Hello Omar, thanks for the details. Which model "
                        "is the docking station? The label is underneath. — Alina")
    what, raw = reply_mail(at(0.7), dock, format_tag(DEFAULT_TAG, dock))
    shown.append((what, take_in(raw, at(0.7))))
    number, title = _kenji_request(ctx.conn) or (dock, "Docking station")
    what, raw = auto_reply(at(0.95), number, f"{format_tag(DEFAULT_TAG, number)} {title}")
    shown.append((what, take_in(raw, at(0.95))))
    checked = notify.check(_desk(ctx, AUTOMATION, now))
    ctx.facts["mail"] = {
        "docking": dock,
        "quote": shown[1][1].number,
        "messages": [(what, got.outcome, got.number) for what, got in shown],
        "notices": checked.queued,
    }
