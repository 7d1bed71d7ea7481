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


def first_mails(now: datetime) -> list[tuple[str, bytes]]:
    """(what it shows, raw bytes): the messages that arrive before anyone answers."""
    morning = now - timedelta(hours=2, minutes=10)
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
            subject="Purchase order: 12 ergonomic chairs for the 4th floor", at=morning + timedelta(minutes=25),
            msgid="chairs-quote-7",
            body="Hello,\n\nplease raise a purchase order for 12 ergonomic chairs (quote "
                 "attached, valid until the end of the month). Cost centre CC-40, budget "
                 "approved by Cristian.\n\nBest regards,\nIrina\n",
            attachment=("Quote Q-2026-118.pdf", "application/pdf", _quote_pdf()))),
    ]


def reply_mail(now: datetime, number: int, tag: str) -> tuple[str, bytes]:
    """Omar answers the agent's question; the tag threads it, the quoted tail is trimmed."""
    subject = f"Re: {tag} Docking station: no picture on the external monitors"
    return ("a reply threaded onto its request by the subject tag; the quoted tail trimmed",
            _message(
                sender="Omar Haddad <omar.haddad@example.com>", to="helpdesk@example.com",
                subject=subject, at=now - timedelta(minutes=40), msgid="dock-omar-2",
                in_reply_to="dock-omar-1@mail.example.com",
                body="It is a Dell WD19, firmware version 01.00.14 according to the sticker.\n"
                     "The laptop is the new ThinkPad from last month.\n\nOmar\n\n"
                     "On Mon, 23 Nov 2026 at 10:05, IT Service Desk <helpdesk@example.com> "
                     "wrote:\n> Hello Omar,\n> which model is the docking station?\n"))


def auto_reply(now: datetime, number: int, tag: str) -> tuple[str, bytes]:
    """An out-of-office answer to a notification: never a request, never answered."""
    return ("an out-of-office auto-reply: quarantined, never answered (no mail loop)",
            _message(
                sender="Kenji Tanaka <kenji.tanaka@example.com>", to="helpdesk@example.com",
                subject=f"Automatic reply: {tag} Marketing laptop refresh", at=now - timedelta(minutes=5),
                msgid="ooo-kenji", headers={"Auto-Submitted": "auto-replied",
                                            "X-Auto-Response-Suppress": "All"},
                body="I am out of the office until 30 November with limited access to mail.\n"
                     "For urgent matters please contact Diana Ene.\n"))
