"""Webhooks out: one JSON POST per outbox row, signed when the hook names a secret.

Body: ``{"text": "<subject>\\n<body>", "event": kind, **payload, "id": outbox id,
"sent_at": ISO}`` (``text`` makes it a Slack-compatible incoming-webhook message; a body
that already starts with the subject is the text alone, so its first line is not said
twice).
Headers: ``X-Isvc-Event``, ``X-Isvc-Delivery`` (the outbox id: deliveries are at least
once, receivers dedupe on it), and with a secret ``X-Isvc-Timestamp`` (Unix seconds) and
``X-Isvc-Signature: sha256=HEX``, the HMAC-SHA256 of ``"<timestamp>." + body`` keyed
with the secret. A hook that names a secret is never posted unsigned: while its variable
is unset where `isvc notify send` runs, the attempt fails and is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from isvc.domain.timeutil import to_iso
from isvc.services.delivery.errors import DeliveryError

TIMEOUT = 10.0  # seconds; a slower receiver is retried later


def message_text(subject: str | None, body: str | None) -> str:
    """The chat line: the subject, then the body, unless the body starts with it."""
    subject, body = subject or "", body or ""
    if subject and body.split("\n", 1)[0].strip() == subject.strip():
        return body.rstrip("\n")
    return f"{subject}\n{body}".strip("\n")


def body_bytes(row: dict, now: datetime) -> bytes:
    payload = row.get("payload") or {}
    data = {"text": message_text(row["subject"], row["body"]), "event": row["kind"],
            **payload, "id": row["id"], "sent_at": to_iso(now)}
    return json.dumps(data, ensure_ascii=False, sort_keys=False).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers(row: dict, body: bytes, secret: str | None, now: datetime) -> dict[str, str]:
    from isvc import __version__

    out = {"Content-Type": "application/json", "User-Agent": f"isvc/{__version__}",
           "X-Isvc-Event": row["kind"], "X-Isvc-Delivery": str(row["id"])}
    if secret:
        stamp = int(now.timestamp())
        out["X-Isvc-Timestamp"] = str(stamp)
        out["X-Isvc-Signature"] = signature(secret, stamp, body)
    return out


def post(hook: dict, row: dict, secret: str | None, now: datetime) -> str:
    """POST one row to its hook; returns the answer ("HTTP 200 OK") or raises."""
    import urllib.error
    import urllib.request

    body = body_bytes(row, now)
    request = urllib.request.Request(hook["url"], data=body, method="POST",
                                     headers=headers(row, body, secret, now))
    opener = urllib.request.build_opener(_no_redirect_handler())
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            response.read(65536)
            return f"HTTP {response.status} {response.reason}".strip()
    except urllib.error.HTTPError as exc:
        code = exc.code
        answer = f"HTTP {code} {exc.reason}".strip()
        detail = _detail(exc)
        if detail:
            answer += f": {detail}"
        if 300 <= code < 400:
            where = exc.headers.get("Location", "elsewhere") if exc.headers else "elsewhere"
            raise DeliveryError(f"webhook {hook['name']}: {answer} (redirects to {where}; "
                                "update its URL)", permanent=True) from None
        permanent = 400 <= code < 500 and code not in (408, 429)
        raise DeliveryError(f"webhook {hook['name']}: {answer}", permanent=permanent) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        text = "timed out" if isinstance(reason, TimeoutError) else (
            getattr(reason, "strerror", None) or str(reason))
        raise DeliveryError(f"webhook {hook['name']}: cannot reach {_host(hook['url'])}: {text}") from None
    except (TimeoutError, OSError) as exc:
        text = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise DeliveryError(f"webhook {hook['name']}: {_host(hook['url'])}: {text}") from None
    except Exception as exc:  # http.client.RemoteDisconnected, BadStatusLine ...
        raise DeliveryError(f"webhook {hook['name']}: {type(exc).__name__}: {exc}") from None


def _detail(exc) -> str:
    try:
        text = exc.read(300).decode("utf-8", "replace")
    except Exception:
        return ""
    return " ".join(text.split())[:200]


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.netloc or url


def _no_redirect_handler():
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        """A POST is never turned into a GET elsewhere: a redirect is an error to fix."""

        def redirect_request(self, req, fp, code, msg, headers, newurl):
            return None

    return NoRedirect
