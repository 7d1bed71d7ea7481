"""What the mail intake and the outbox agree on: a parsed message, the limits it must fit,
and the subject tag that threads replies back to their request. No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from isvc.errors import InvalidInput

DEFAULT_TAG = "[isvc #{number}]"


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


def clean_header(value: str) -> str:
    """A header value built from user input, on one line: CR and LF (and other controls)
    become spaces, so a crafted subject cannot add a header such as Bcc."""
    return " ".join("".join(" " if ord(c) < 32 or c == "\x7f" else c for c in value).split())


@lru_cache(maxsize=8)
def _tag_pattern(fmt: str) -> re.Pattern:
    check_tag_format(fmt)
    before, _, after = fmt.partition("{number}")
    return re.compile(re.escape(before) + r"\s*(\d{1,9})\s*" + re.escape(after), re.I)


def check_tag_format(fmt: str) -> None:
    if fmt.count("{number}") != 1 or not fmt.replace("{number}", "").strip():
        raise InvalidInput(f"mail.tag {fmt!r} must contain {{number}} once and some text around "
                           "it, e.g. \"[isvc #{number}]\"")


def format_tag(fmt: str, number: int) -> str:
    check_tag_format(fmt)
    return fmt.replace("{number}", str(number))


def find_tag(subject: str, fmt: str = DEFAULT_TAG) -> int | None:
    """The request number a subject's tag names (the last tag wins: "Re: Fwd: ...")."""
    found = _tag_pattern(fmt).findall(subject or "")
    return int(found[-1]) if found else None


def tagged_subject(fmt: str, number: int, title: str) -> str:
    tag = format_tag(fmt, number)
    return clean_header(f"{tag} {title}")
