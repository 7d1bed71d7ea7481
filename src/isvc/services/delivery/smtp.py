"""Mail out: one SMTP session per run, reused across messages; the message built with
``email.message.EmailMessage`` from an outbox row.

smtplib, ssl and email are imported inside the functions (start-up speed).
"""

from __future__ import annotations

import os
import re
from datetime import datetime

from isvc.domain.mailtag import clean_header
from isvc.errors import InvalidInput
from isvc.services.delivery.errors import Blocked, DeliveryError

SECURITY = ("starttls", "ssl", "none")
_ADDRESS = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[^@\s<>,;\"()\[\]\\]+$")


def refuse_password_in_file(config: dict) -> None:
    """A password in the config file is refused outright: it belongs in the environment."""
    smtp = config.get("smtp") or {}
    if "password" in smtp:
        var = smtp.get("password_env") or "ISVC_SMTP_PASSWORD"
        raise InvalidInput(f"the config file sets smtp.password; remove it and put the password "
                           f"in the environment variable {var} (named by smtp.password_env)")


def sender_address(config: dict) -> tuple[str, str]:
    """(From header, envelope sender) from config mail.address; Blocked when unusable."""
    from email.utils import parseaddr

    raw = clean_header(str((config.get("mail") or {}).get("address") or ""))
    if not raw:
        raise Blocked("mail.address is not set: set mail.address, the From of outgoing mail "
                      "(isvc config set mail.address 'IT Service Desk <helpdesk@example.com>')")
    _, addr = parseaddr(raw)
    if not _ADDRESS.match(addr or "") or not addr.isascii():
        raise Blocked(f"mail.address {raw!r} is not a mail address; set mail.address, e.g. "
                      "'IT Service Desk <helpdesk@example.com>'")
    return raw, addr


def settings(config: dict) -> dict:
    """The [smtp] settings checked before any mail row is claimed; Blocked when mail
    cannot go out (the rows stay pending, no attempt is spent)."""
    smtp = config.get("smtp") or {}
    host = str(smtp.get("host") or "").strip()
    if not host:
        raise Blocked("smtp.host is not set: mail waits in the outbox "
                      "(isvc config set smtp.host mail.example.com)")
    security = str(smtp.get("security") or "starttls").strip().lower()
    if security not in SECURITY:
        raise Blocked(f"smtp.security {security!r} is not one of {', '.join(SECURITY)}")
    try:
        port = int(smtp.get("port") or (465 if security == "ssl" else 587))
        timeout = float(smtp.get("timeout") or 30)
    except (TypeError, ValueError):
        raise Blocked("smtp.port and smtp.timeout must be numbers") from None
    username = str(smtp.get("username") or "")
    password = None
    if username:
        var = str(smtp.get("password_env") or "ISVC_SMTP_PASSWORD")
        password = os.environ.get(var)
        if not password:
            raise Blocked(f"smtp.username is set but the environment variable {var} "
                          "(smtp.password_env) holding its password is empty or unset")
    return {"host": host, "port": port, "security": security, "timeout": timeout,
            "username": username, "password": password}


def build_message(row: dict, from_header: str, now: datetime):
    """The EmailMessage for an outbox row (headers on one line each: no injection)."""
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    recipient = row["recipient"].strip()
    if not _ADDRESS.match(recipient):
        raise DeliveryError(f"{recipient!r} is not a mail address", permanent=True)
    if not recipient.isascii():
        raise DeliveryError(f"{recipient!r}: addresses beyond ASCII are not supported",
                            permanent=True)
    payload = row.get("payload") or {}
    msg = EmailMessage(policy=SMTP)
    msg["From"] = from_header
    msg["To"] = recipient
    msg["Subject"] = clean_header(row["subject"] or "")
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{_msgid(row['message_id'])}>"
    in_reply_to = _msgid(payload.get("in_reply_to") or "")
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    refs = [_msgid(r) for r in (payload.get("references") or []) if _msgid(str(r))]
    if in_reply_to and in_reply_to not in refs:
        refs.append(in_reply_to)
    if refs:
        msg["References"] = " ".join(f"<{r}>" for r in refs)
    if payload.get("auto"):
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
    body = row["body"] or ""
    plain = body.isascii() and all(len(line) < 990 for line in body.splitlines())
    msg.set_content(body, subtype="plain", charset="utf-8",
                    cte="7bit" if plain else "quoted-printable")
    return msg


def _msgid(value: str) -> str:
    """A Message-ID without <> and without anything that could end the header."""
    return clean_header(str(value)).strip().strip("<>").replace(" ", "")


def new_message_id(from_addr: str) -> str:
    from email.utils import make_msgid

    domain = from_addr.rpartition("@")[2] or "isvc.invalid"
    return make_msgid(idstring="isvc", domain=domain).strip("<>")


class Session:
    """One SMTP connection, opened on the first message and reused for the rest."""

    def __init__(self, cfg: dict):
        self.cfg = cfg
        self.conn = None

    def _open(self):
        import smtplib
        import ssl

        cfg = self.cfg
        context = ssl.create_default_context()
        try:
            if cfg["security"] == "ssl":
                conn = smtplib.SMTP_SSL(cfg["host"], cfg["port"], timeout=cfg["timeout"],
                                        context=context)
            else:
                conn = smtplib.SMTP(cfg["host"], cfg["port"], timeout=cfg["timeout"])
            try:
                conn.ehlo()
                if cfg["security"] == "starttls":
                    if not conn.has_extn("starttls"):
                        raise DeliveryError(
                            f"{cfg['host']}:{cfg['port']} does not offer STARTTLS; set "
                            "smtp.security to ssl (port 465) or, on a trusted network only, none",
                            connection=True)
                    conn.starttls(context=context)
                    conn.ehlo()
                if cfg["username"]:
                    conn.login(cfg["username"], cfg["password"])
            except BaseException:
                conn.close()
                raise
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{cfg['host']} refused the login of {cfg['username']}: "
                                f"{_answer(exc.smtp_code, exc.smtp_error)}",
                                connection=True) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"{cfg['host']}: {exc}", connection=True) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{cfg['host']}: {_answer(exc.smtp_code, exc.smtp_error)}",
                                connection=True) from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"TLS with {cfg['host']}:{cfg['port']} failed: {exc}",
                                connection=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot reach {cfg['host']}:{cfg['port']}: "
                                f"{_os_reason(exc)}", connection=True) from None
        return conn

    def send(self, msg, sender: str, recipient: str) -> str:
        """Hand one message over; returns the server's answer to DATA ("250 ...")."""
        import smtplib

        data = msg.as_bytes()
        fresh = self.conn is None
        if fresh:
            self.conn = self._open()
        try:
            return self._transaction(data, sender, recipient)
        except smtplib.SMTPServerDisconnected:
            self.close()
            if fresh:
                raise DeliveryError(f"{self.cfg['host']} closed the connection",
                                    connection=True) from None
            self.conn = self._open()  # a reused connection the server had timed out
            try:
                return self._transaction(data, sender, recipient)
            except smtplib.SMTPServerDisconnected:
                self.close()
                raise DeliveryError(f"{self.cfg['host']} closed the connection",
                                    connection=True) from None

    def _transaction(self, data: bytes, sender: str, recipient: str) -> str:
        import smtplib

        conn = self.conn
        try:
            code, resp = conn.mail(sender)
            if code != 250:
                self._reset(code)
                raise DeliveryError(f"sender {sender} refused: {_answer(code, resp)}",
                                    permanent=_permanent(code))
            code, resp = conn.rcpt(recipient)
            if code not in (250, 251):
                self._reset(code)
                raise DeliveryError(f"recipient {recipient} refused: {_answer(code, resp)}",
                                    permanent=_permanent(code))
            code, resp = conn.data(data)
            if code != 250:
                self._reset(code)
                raise DeliveryError(f"message refused: {_answer(code, resp)}",
                                    permanent=_permanent(code))
            return _answer(code, resp)
        except smtplib.SMTPServerDisconnected:
            raise
        except smtplib.SMTPResponseException as exc:
            self._reset(exc.smtp_code)
            raise DeliveryError(_answer(exc.smtp_code, exc.smtp_error),
                                permanent=_permanent(exc.smtp_code)) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(f"{self.cfg['host']}: {_os_reason(exc)}",
                                connection=True) from None

    def _reset(self, code: int) -> None:
        """After a refusal: RSET to go on with the next message; 421 means the server is
        closing the connection."""
        if code == 421:
            self.close()
            return
        try:
            self.conn.rset()
        except Exception:
            self.close()

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except Exception:
            try:
                conn.close()
            except Exception:
                pass


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def _answer(code: int, resp) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return f"{code} {' '.join(text.split())}".strip()


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or type(exc).__name__ == "timeout":
        return "timed out"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
