"""The subject tag that threads replies back to their request, and header values kept on
one line. No I/O; imported when a request is filed (its acknowledgement is tagged)."""

from __future__ import annotations

import re
from functools import lru_cache

from isvc.errors import InvalidInput

DEFAULT_TAG = "[isvc #{number}]"


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
    """The request number a subject's tag names. The first tag wins: isvc puts its tag in
    front of the title, so in "Re: [isvc #14] [isvc #999] Docking" (a request filed from
    a subject that carried someone else's tag) #14 is the one isvc wrote."""
    found = _tag_pattern(fmt).search(subject or "")
    return int(found.group(1)) if found else None


def strip_tags(subject: str, fmt: str = DEFAULT_TAG) -> str:
    """``subject`` without any tag in the format ``fmt``, whitespace collapsed: a new
    request's title never carries a tag ("Re: [isvc #999] Docking" -> "Re: Docking")."""
    return " ".join(_tag_pattern(fmt).sub(" ", subject or "").split())


def tagged_subject(fmt: str, number: int, title: str) -> str:
    tag = format_tag(fmt, number)
    return clean_header(f"{tag} {title}")
