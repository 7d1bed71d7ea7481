"""What the mail intake and the outbox agree on: a parsed message, the limits it must fit,
and the subject tag that threads replies back to their request. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field

# The subject tag and header cleaning live in their own small module: filing a request
# (which queues an acknowledgement) needs them, not the rest of this one.
from isvc.domain.mailtag import (  # noqa: F401  (re-exported)
    DEFAULT_TAG, check_tag_format, clean_header, find_tag, format_tag, tagged_subject,
)


def size_words(size: int) -> str:
    """A size for people: "512 B", "18 KB", "3.2 MB" (mail, attachments, limits)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class MailRefused(Exception):
    """A message that cannot become a request: it goes to the quarantine with this reason."""


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 25 * 1024 * 1024
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_parts: int = 100
    max_header_bytes: int = 256 * 1024

    @classmethod
    def from_config(cls, mail: dict) -> "Limits":
        return cls(
            max_message_bytes=int(mail.get("max_message_mb", 25)) * 1024 * 1024,
            max_attachment_bytes=int(mail.get("max_attachment_mb", 10)) * 1024 * 1024,
            max_parts=int(mail.get("max_parts", 100)),
            max_header_bytes=int(mail.get("max_header_kb", 256)) * 1024,
        )


@dataclass
class MailAttachment:
    filename: str                  # display name only, never a path; generated when missing
    content_type: str
    size: int                      # decoded size in bytes
    data: bytes | None             # None when over the attachment limit (the raw mail keeps it)


@dataclass
class ParsedMail:
    message_id: str | None         # without the angle brackets
    in_reply_to: list[str]         # Message-IDs, without angle brackets
    references: list[str]
    from_addr: str | None          # lower-cased; None for a null or unparseable sender
    from_name: str                 # display name, decoded ("" when none)
    to: list[str]                  # lower-cased addresses from To
    cc: list[str]                  # lower-cased addresses from Cc
    delivered_to: list[str]        # Delivered-To, X-Original-To, Envelope-To
    subject: str                   # decoded, whitespace collapsed ("" when none)
    date: str | None               # ISO 8601 UTC, None when missing or unparseable
    text: str                      # the body: text/plain preferred, else HTML as text
    attachments: list[MailAttachment] = field(default_factory=list)
    automatic: str | None = None   # why it is machine-sent (Auto-Submitted: ..., bulk ...)
    bounce: bool = False           # a delivery status notification
    bounced_message_id: str | None = None  # the Message-ID of the message that bounced
    bounced_subject: str | None = None
    problems: list[str] = field(default_factory=list)  # defects worked around while decoding
