"""Raw mail bytes to a ParsedMail, for the mail intake. Pure: no database, no files, no clock.

`parse` checks the limits on the raw bytes first, then parses leniently: anything it cannot
read is worked around and listed in `problems`; the only exception it raises is MailRefused.
`fingerprint` spots a message delivered twice; `trim_quoted` cuts the quoted tail of a reply;
`html_to_text` turns an HTML body into readable text.

The stdlib's `email` package is imported inside functions (start-up speed: this module is
only imported by the mail intake). Its policy.default header parser is slow (quadratic) and
can recurse without bound on hostile values, so structural MIME headers (Content-Type ...)
are kept verbatim and only short address headers go through it; see _HeaderFactory.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from isvc.domain.mail import Limits, MailAttachment, MailRefused, ParsedMail, size_words

if TYPE_CHECKING:
    from email.message import Message

MB = 1024 * 1024
KB = 1024
MAX_PROBLEMS = 50           # a hostile message must not grow an endless problem list
MAX_HEADER_INSTANCES = 10   # per header name: the address parsers are slow on hostile input
MAX_PARSED_ADDRESS = 1024   # longer address headers skip policy.default (quadratic) for utils
MAX_ADDRESS_HEADER = 32 * KB  # and longer ones than this are cut (about 800 addresses)
MAX_HTML_CHARS = MB         # HTMLParser is slow (about 0.5 s a MB): a longer body is cut
MAX_MIME_HEADER = 4096      # Message.get_param is quadratic in the number of parameters...
MAX_MIME_PARAMS = 64        # ...so Content-Type and Content-Disposition are cut to these
MAX_FILENAME = 120
MAX_TRIM_ROUNDS = 50        # real replies reach trim_quoted's fixed point in one to three

# Headers a transport adds on each delivery; fingerprint() ignores them. DKIM-Signature is
# kept: it is made by the sender and so is part of the content.
_TRANSPORT_HEADERS = frozenset({
    "received", "x-received", "delivered-to", "return-path", "x-original-to", "envelope-to",
    "authentication-results", "received-spf", "status", "x-status", "x-uid", "content-length",
    "x-mozilla-status", "x-mozilla-status2", "x-mozilla-keys", "x-keywords", "x-gmail-labels",
    "x-forwarded-to", "x-forwarded-for", "delivery-date",
})
_TRANSPORT_PREFIXES = ("arc-", "x-spam-", "x-virus-", "x-delivery-", "x-envelope-")

_VERBATIM_HEADERS = frozenset({
    "content-type", "content-disposition", "content-transfer-encoding", "mime-version",
    "content-id", "content-description", "content-location", "content-language",
})

_HEADER_FIELD = re.compile(rb"[\x21-\x39\x3b-\x7e]+[ \t]*:")
# The end of the header block: two line ends, each CRLF, LF or a lone CR (as the stdlib reads)
_BLANK_LINE = re.compile(rb"(?:\r\n|\n|\r(?!\n))(?:\r\n|\n|\r)")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")          # Unicode category Cc
_TRAILING_SPACE = re.compile(r"[^\S\n]+(?=\n|\Z)")
_BODY_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Cc but tab and newline
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?]*?)\?=")
_MSGID = re.compile(r"<([^<>]*)>")
_DELIVERY_FAILURE = re.compile(
    r"undeliver|delivery status notification|failure notice|returned mail|"
    r"delivery (?:has )?fail|mail delivery failed|delivery failure|non-?delivery", re.I)
_MACHINE_LOCALPARTS = {"mailer-daemon": "sent by MAILER-DAEMON", "postmaster": "sent by postmaster"}

# Declared charsets that real mailers use loosely: decode with the superset they meant.
_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "euc-kr": "cp949", "x-sjis": "cp932",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-gbk": "gb18030",
    "gb2312": "gb18030", "gbk": "gb18030", "unicode-1-1-utf-7": "utf-7",
    "iso-8859-8-i": "iso-8859-8", "x-user-defined": "cp1252", "windows-874": "cp874",
    "big5": "big5hkscs", "utf8": "utf-8", "x-unknown": "", "unknown-8bit": "",
}
# Codecs that a header may name but that are not text charsets (or that execute escapes).
_REFUSED_CODECS = {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined"}
_TRY_AFTER = {"iso2022_jp": ("iso2022_jp_ext", "iso2022_jp_2"), "iso8859-1": ("cp1252",)}


# --------------------------------------------------------------------------- limits


def _limit(n: int, unit: int, name: str) -> str:
    return f"{n / unit:g} {name}"


def check_limits(raw: bytes, limits: Limits) -> None:
    """The checks that need no parse: empty, too big, header block too big, not mail."""
    if not raw.strip():
        raise MailRefused("message is empty")
    if len(raw) > limits.max_message_bytes:
        raise MailRefused(f"message is {size_words(len(raw))}, over the "
                          f"{_limit(limits.max_message_bytes, MB, 'MB')} limit "
                          "(mail.max_message_mb)")
    blank = _BLANK_LINE.search(raw)
    header_bytes = blank.start() if blank else len(raw)
    if header_bytes > limits.max_header_bytes:
        raise MailRefused(f"header block is {size_words(header_bytes)}, over the "
                          f"{_limit(limits.max_header_bytes, KB, 'KB')} limit "
                          "(mail.max_header_kb)")
    if not _starts_with_header(raw):
        raise MailRefused("not a mail message: it does not start with header fields")


def _starts_with_header(raw: bytes) -> bool:
    if raw.startswith(b"From "):  # an mbox separator line comes before the headers
        raw = raw.partition(b"\n")[2]
    return _HEADER_FIELD.match(raw) is not None


class _PartBudget:
    """Counts the message objects the parser creates, so a message with 100,000 parts (or
    deeply nested ones) is refused as soon as it passes the limit, not after a full parse."""

    def __init__(self, max_parts: int):
        self.max_parts = max_parts
        self.count = 0
        self.armed = True

    def spend(self) -> None:
        self.count += 1
        if self.armed and self.count > self.max_parts + 1:  # the top-level message is free
            raise MailRefused(f"message has more than {self.max_parts} MIME parts "
                              "(mail.max_parts)")


# --------------------------------------------------------------------------- headers


class _Verbatim(str):
    """A header kept as its unfolded text: what Message's string-based methods (content
    type, parameters, filename) need, without policy.default's slow parse."""

    name: str
    defects: tuple = ()

    def __new__(cls, name: str, value: str) -> _Verbatim:
        self = super().__new__(cls, value.strip())
        self.name = name
        return self

    def fold(self, *, policy: Any) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def _normal_cte(value: str) -> str:
    """"Quoted printable", "base64;" and "7-bit" as the stdlib's decoder expects them."""
    token = value.strip().split(";")[0].strip().lower()
    if re.fullmatch(r"quoted[-_ ]*printable", token):
        return "quoted-printable"
    if re.fullmatch(r"base[-_ ]*64", token):
        return "base64"
    return token


def _bounded_params(value: str) -> str:
    """A hostile Content-Type with 100,000 parameters would take minutes in the stdlib's
    parameter parser: keep the first 64 parameters and 4 KB (real ones are far shorter)."""
    value = value[:MAX_MIME_HEADER]
    if value.count(";") > MAX_MIME_PARAMS:
        value = ";".join(value.split(";", MAX_MIME_PARAMS + 1)[:MAX_MIME_PARAMS + 1])
    return value


class _HeaderFactory:
    """policy.default's header factory, guarded: MIME structure headers stay verbatim, a
    long value is not parsed, and a parser crash (RecursionError on nested comments) falls
    back to the verbatim text instead of escaping from the parse."""

    def __init__(self) -> None:
        from email.headerregistry import HeaderRegistry

        self._registry = HeaderRegistry()

    def __call__(self, name: str, value: str) -> Any:
        lname = name.lower()
        if lname == "content-transfer-encoding":
            return _Verbatim(name, _normal_cte(value))
        if lname in ("content-type", "content-disposition"):
            return _Verbatim(name, _bounded_params(value))
        if lname in _VERBATIM_HEADERS or len(value) > MAX_PARSED_ADDRESS:
            return _Verbatim(name, value)
        try:
            return self._registry(name, value)
        except Exception:  # the stdlib parser's own bugs: keep the text
            return _Verbatim(name, value)


def _obsolete_colons(raw: bytes) -> bytes:
    """RFC 5322's obsolete "Subject  : x" (space before the colon) as "Subject: x": the
    stdlib would end the headers at such a line."""
    blank = _BLANK_LINE.search(raw)
    end = blank.start() if blank else len(raw)
    head = re.sub(rb"(?m)^([\x21-\x39\x3b-\x7e]+)[ \t]+:", rb"\1:", raw[:end])
    return head + raw[end:]


def _parse_message(raw: bytes, budget: _PartBudget) -> Message:
    from email import policy
    from email.message import EmailMessage
    from email.parser import BytesParser

    class Counted(EmailMessage):
        def __init__(self, policy: Any = None) -> None:
            super().__init__(policy)
            budget.spend()

    pol = policy.default.clone(header_factory=_HeaderFactory(), message_factory=Counted)
    try:
        return BytesParser(policy=pol).parsebytes(_obsolete_colons(raw))
    except RecursionError:
        raise MailRefused("message is nested too deeply to read") from None
    finally:
        budget.armed = False


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])|\r(?=[ \t])", "", value).replace("\r", "").replace("\n", "")


def _raw_all(msg: Message, name: str) -> list[str]:
    """Every value of a header as it came in (unfolded; 8-bit bytes as surrogates)."""
    name = name.lower()
    return [_unfold(str(v)) for k, v in msg.raw_items() if k.lower() == name]


def _raw(msg: Message, name: str) -> str | None:
    values = _raw_all(msg, name)
    return values[0] if values else None


def _clean(text: str) -> str:
    """One line: control characters (terminal escapes among them) out, whitespace collapsed."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def _unsurrogate(text: str, hint: str | None = None) -> str:
    """Raw 8-bit header bytes (surrogates after the parse) decoded: UTF-8, the message's
    own charset, then cp1252."""
    if not re.search("[\udc80-\udcff]", text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    for charset in ("utf-8", hint, "cp1252"):
        codec = _codec(charset) if charset else None
        if codec:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                continue
    return data.decode("latin-1")


def decode_words(value: str, hint: str | None = None) -> tuple[str, list[str]]:
    """A header's text with RFC 2047 encoded words decoded, in one line. Adjacent words in
    one charset are joined as bytes first (a character may be split across two words).
    Returns (text, notes on what could not be decoded as declared)."""
    value = _unfold(value)
    if "\x1b$" in value:  # raw ISO-2022-JP in a header, as some Japanese mailers send
        try:
            value = value.encode("ascii").decode("iso2022_jp")
        except UnicodeError:
            pass
    pieces: list[tuple[str | None, bytes | str]] = []
    notes: list[str] = []
    pos = 0
    for m in _ENCODED_WORD.finditer(value):
        between = _unsurrogate(value[pos:m.start()], hint)
        if between and not (between.isspace() and pieces and pieces[-1][0] is not None):
            pieces.append((None, between))
        data, ok = _word_bytes(m.group(2), m.group(3))
        if not ok:
            notes.append("broken base64 in an encoded word")
        charset = m.group(1).split("*")[0].lower()  # RFC 2231 language suffix
        if pieces and pieces[-1][0] == charset:
            pieces[-1] = (charset, pieces[-1][1] + data)  # type: ignore[operator]
        else:
            pieces.append((charset, data))
        pos = m.end()
    pieces.append((None, _unsurrogate(value[pos:], hint)))
    out = []
    for charset, piece in pieces:
        if charset is None:
            out.append(piece)
            continue
        text, note = decode_bytes(piece, charset)  # type: ignore[arg-type]
        if note:
            notes.append(f"encoded word {note}")
        out.append(text)
    return _clean("".join(out)), notes  # type: ignore[arg-type]


def _word_bytes(kind: str, text: str) -> tuple[bytes, bool]:
    if kind in "qQ":  # raw 8-bit bytes inside a Q word are taken as they are
        return binascii.a2b_qp(text.encode("utf-8", "surrogateescape"), header=True), True
    data = re.sub(r"[^A-Za-z0-9+/]", "", text)
    try:
        return base64.b64decode(data + "=" * (-len(data) % 4)), True
    except (binascii.Error, ValueError):
        data = data[: len(data) - len(data) % 4]
        return base64.b64decode(data), False


# --------------------------------------------------------------------------- charsets


def _codec(charset: str | None) -> str | None:
    """The Python codec for a declared charset, or None when unknown or not a text charset."""
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower()
    name = _CHARSET_ALIASES.get(name, name)
    if not name or len(name) > 40:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED_CODECS:
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Text in its declared charset; when that is unknown or wrong, UTF-8, then cp1252 with
    replacement. Returns (text, a note when a fallback was needed)."""
    codec = _codec(charset)
    tries = [codec, *_TRY_AFTER.get(codec or "", ())] if codec else []
    if codec == "iso8859-1":  # labelled Latin-1, meant Windows-1252 (as browsers read it)
        tries = ["cp1252", "iso8859-1"]
    for name in tries:
        try:
            return data.decode(name), None
        except (UnicodeDecodeError, LookupError):
            continue
    if not charset:
        why = "has no charset"  # us-ascii by the RFC; 8-bit text is most often UTF-8
    elif codec:
        why = f"is not valid {charset}"
    else:
        why = f"has an unknown charset {charset!r}"
    try:
        return data.decode("utf-8"), f"text {why}; read as utf-8" if charset else None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), f"text {why}; read as cp1252"


def _body_text(text: str) -> str:
    """Line endings to \\n, trailing whitespace off, and no control characters but tab and
    newline (an ESC in a body must not reach a terminal)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING_SPACE.sub("", _BODY_CONTROLS.sub("", text))
    return text.strip("\n")


# --------------------------------------------------------------------------- addresses


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if text not in self.items and len(self.items) < MAX_PROBLEMS:
            self.items.append(text)


def _quote(value: str, width: int = 60) -> str:
    value = _clean(value.encode("utf-8", "replace").decode("utf-8"))
    return repr(value if len(value) <= width else value[:width] + "...")


def _usable(addr: str) -> str | None:
    addr = addr.strip().lower()
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in addr):
        return None
    return addr


def _header_addresses(name: str, value: str) -> list[tuple[str, str]]:
    """(display name, addr_spec) pairs of one header: policy.default's parser for short
    values, email.utils (compat32, linear) when that fails or the value is long."""
    from email import policy, utils

    pairs: list[tuple[str, str]] = []
    value = value[:MAX_ADDRESS_HEADER]
    if len(value) <= MAX_PARSED_ADDRESS:
        try:
            header = policy.default.header_factory(name, _unsurrogate(value))
            pairs = [(a.display_name, a.addr_spec) for a in header.addresses]
        except Exception:  # malformed beyond the parser's recovery
            pairs = []
    if not any(_usable(addr) for _, addr in pairs):
        try:
            found = utils.getaddresses([_unsurrogate(value)])
        except Exception:  # RecursionError on deeply nested comments
            found = [("", a) for a in _LOOSE_ADDRESS.findall(_unsurrogate(value))]
        pairs = [(decode_words(n)[0], a) for n, a in found]
    return pairs


def _address_list(msg: Message, names: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for name in names:
        for value in _raw_all(msg, name)[:MAX_HEADER_INSTANCES]:
            for _, addr in _header_addresses(name, value):
                usable = _usable(addr)
                if usable and usable not in found:
                    found.append(usable)
    return found


def _sender(msg: Message, problems: _Problems) -> tuple[str | None, str]:
    """(from_addr, from_name): From, else Sender, else Return-Path."""
    for name in ("from", "sender", "return-path"):
        values = _raw_all(msg, name)
        if not values:
            continue
        if name != "from":
            problems.add(f"no From header; the sender is read from {name.title()}")
        pairs = _header_addresses(name, values[0])
        for display, addr in pairs:
            usable = _usable(addr)
            if usable:
                if len(pairs) > 1 or len(values) > 1:
                    problems.add(f"{name.title()} names more than one sender; the first is used")
                return usable, _clean(display or "")
        salvaged = _salvage_address(values[0])
        if salvaged:
            problems.add(f"{name.title()} header is malformed; its one address is used: "
                         f"{_quote(values[0])}")
            return salvaged, ""
        if values[0].strip() not in ("", "<>"):
            problems.add(f"{name.title()} header has no usable address: {_quote(values[0])}")
        return None, _clean(pairs[0][0]) if pairs else ""
    problems.add("no From header")
    return None, ""


_LOOSE_ADDRESS = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;:@]+\.[^\s<>\"'(),;:@]+")


def _salvage_address(value: str) -> str | None:
    """The address in a From the parsers cannot read ("Big Bug bb@bug.com"), when it holds
    exactly one thing that looks like an address."""
    found = {a.lower() for a in _LOOSE_ADDRESS.findall(_unsurrogate(value))}
    return _usable(found.pop()) if len(found) == 1 else None


def _ids(value: str | None) -> list[str]:
    """Message-IDs in a header: the <...> ones, else bare tokens that look like ids."""
    if not value:
        return []
    value = _unsurrogate(value)
    ids = ["".join(m.split()) for m in _MSGID.findall(value)]
    if not ids:
        ids = [t.strip("<>") for t in re.split(r"[\s,]+", value) if "@" in t]
    seen: list[str] = []
    for i in ids:
        if i and i not in seen:
            seen.append(i)
    return seen


def _date(msg: Message, problems: _Problems) -> str | None:
    from email.utils import parsedate_to_datetime

    value = _raw(msg, "date")
    if value is None or not value.strip():
        return None
    try:
        when = parsedate_to_datetime(_unsurrogate(value).strip())
        if when.tzinfo is None:  # "-0000": the time is UTC, the zone unknown
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except Exception:  # parsedate raises ValueError, TypeError, OverflowError ...
        problems.add(f"Date header unreadable: {_quote(value)}")
        return None


# --------------------------------------------------------------------------- MIME parts


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # a value the stdlib chokes on reads as the RFC default
        return "text/plain"


def _disposition(part: Message) -> str | None:
    value = part.get("content-disposition")
    if value is None:
        return None
    return str(value).split(";")[0].strip().lower() or None


def _param(part: Message, name: str, header: str = "content-type") -> Any:
    try:
        return part.get_param(name, None, header)
    except Exception:
        return None


def _raw_filename(part: Message, location: bool = False) -> str | None:
    """The filename as declared: Content-Disposition filename, else Content-Type name (else,
    when `location`, Content-Location, where Apple Mail names inline images), with RFC 2231
    continuations and charsets and RFC 2047 encoded words decoded. Only the declared names
    decide whether a text part is an attachment."""
    value = _param(part, "filename", "content-disposition")
    if value is None:
        value = _param(part, "name")
    if value is None:
        if not location:
            return None
        where = re.split(r"[?#]", str(part.get("content-location") or "").strip())[0]
        return decode_words(where)[0] if where else None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, text as latin-1)
        charset, _, text = value
        data = text.encode("raw-unicode-escape") if isinstance(text, str) else b""
        return decode_bytes(data, charset or "utf-8")[0]
    from email.utils import unquote

    return decode_words(unquote(str(value)))[0]


def safe_filename(name: str | None, content_type: str, number: int) -> str:
    """A name fit to show and to offer for download: the last path component only, no
    control or bidi characters, no leading dots, at most 120 characters keeping the
    extension; "attachment-N.EXT" when nothing is left."""
    name = re.split(r"[/\\]", name or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    name = " ".join(name.split()).lstrip(". ").rstrip()
    if not name:
        return f"attachment-{number}{_extension(content_type)}"
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        ext = dot + ext if dot and stem and 0 < len(ext) <= 16 else ""
        name = name[: MAX_FILENAME - len(ext)].rstrip() + ext
    return name


_EXTENSIONS = {
    "message/rfc822": ".eml", "message/global": ".eml", "application/pgp-signature": ".asc",
    "application/pgp-encrypted": ".asc", "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s", "application/pkcs7-mime": ".p7m",
    "application/ms-tnef": ".dat", "text/calendar": ".ics", "image/jpg": ".jpg",
}


def _extension(content_type: str) -> str:
    import mimetypes

    if content_type in _EXTENSIONS:
        return _EXTENSIONS[content_type]
    if content_type.startswith(("message/", "text/")) and content_type != "text/html":
        return ".txt"
    try:  # an instance sees only the built-in table, not this machine's /etc/mime.types
        return mimetypes.MimeTypes().guess_extension(content_type) or ".bin"
    except Exception:
        return ".bin"


def _payload(part: Message, problems: _Problems, what: str) -> bytes:
    """A leaf part's decoded bytes. Broken base64 decodes as far as it goes (the stdlib is
    lenient and notes a defect) and the problem is recorded."""
    before = len(part.defects)
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    defects = [type(d).__name__ for d in part.defects[before:]]
    if any("Base64" in d for d in defects):
        problems.add(f"{what}: broken base64, kept what decoded")
    return data


def _message_bytes(part: Message) -> bytes:
    """A message/* part's content as .eml bytes: its headers as they came, its body as the
    parser holds it."""
    from email import policy
    from email.generator import BytesGenerator
    from io import BytesIO

    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and len(inner) == 1 else inner
    if isinstance(inner, str):
        return inner.encode("utf-8", "surrogateescape")
    out = BytesIO()
    pol = policy.default.clone(refold_source="none", cte_type="8bit",
                               header_factory=_HeaderFactory())
    try:
        if isinstance(inner, list):  # message/delivery-status: blocks of fields
            for block in inner:
                BytesGenerator(out, policy=pol).flatten(block)
                out.write(b"\n")
        else:
            BytesGenerator(out, policy=pol).flatten(inner)
    except Exception:  # keep what was written: the raw mail holds the rest
        pass
    return out.getvalue()


@dataclass
class _Walk:
    """What one pass over the MIME tree finds: the body text and the attachments."""

    limits: Limits
    problems: _Problems
    attachments: list[MailAttachment] = field(default_factory=list)
    embedded: list[Message] = field(default_factory=list)   # message/rfc822 parts
    rfc822_headers: list[bytes] = field(default_factory=list)

    def body(self, part: Message) -> str | None:
        """The readable text of a part as a mail client shows it (None when there is none):
        in multipart/alternative the plain text wins over HTML; in other multiparts every
        inline text part is shown in order."""
        ctype = _content_type(part)
        if ctype.startswith("message/"):  # a forwarded message is an attachment (.eml)
            return None
        if part.is_multipart():
            return self._multipart(part, ctype)
        if ctype.startswith("multipart/"):  # no boundary found: show what it holds as text
            return _body_text(self._text(part, "body"))
        if ctype in ("text/plain", "text/html") and self._inline_text(part):
            text = self._text(part, "body")
            if ctype != "text/html":
                return _body_text(text)
            if len(text) > MAX_HTML_CHARS:
                self.problems.add("body: HTML over 1 MB; only its first 1 MB is read")
            return html_to_text(text)
        return None

    def _multipart(self, part: Message, ctype: str) -> str | None:
        children = part.get_payload()
        if not isinstance(children, list):
            return None
        if ctype == "multipart/alternative":
            plain = [c for c in children if _content_type(c) == "text/plain"]
            order = plain + [c for c in children if c not in plain]
            found = [t for t in (self.body(c) for c in order) if t is not None]
            # an empty plain alternative (some mailers send one) loses to a filled HTML one
            return next((t for t in found if t.strip()), found[0] if found else None)
        texts = [t for t in (self.body(c) for c in children) if t is not None]
        return "\n\n".join(t for t in texts if t) if texts else None

    def _inline_text(self, part: Message) -> bool:
        return _disposition(part) != "attachment" and _raw_filename(part) is None

    def _text(self, part: Message, what: str) -> str:
        charset = _param(part, "charset")
        if isinstance(charset, tuple):
            charset = charset[2]
        text, note = decode_bytes(_payload(part, self.problems, what), charset)
        if note:
            self.problems.add(f"{what}: {note}")
        return text

    def collect(self, part: Message) -> None:
        """Attachments, in document order: named or attachment-disposed leaves, non-text
        inline parts, and message/* parts (as .eml bytes)."""
        ctype = _content_type(part)
        if ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                self.embedded.append(inner[0])
            self._attach(part, ctype, _message_bytes(part))
            return
        if ctype.startswith("message/"):
            self._attach(part, ctype, _message_bytes(part))
            return
        if part.is_multipart():
            for child in part.get_payload():
                self.collect(child)
            return
        if ctype.startswith("multipart/"):  # a multipart without parts: read as body text
            return
        if ctype == "text/rfc822-headers":
            self.rfc822_headers.append(_payload(part, self.problems, "rfc822-headers"))
            return
        # unnamed text parts are the body or its alternatives, not attachments
        named = _disposition(part) == "attachment" or _raw_filename(part) is not None
        if not named and ctype.startswith("text/"):
            return
        self._attach(part, ctype, None)

    def _attach(self, part: Message, ctype: str, data: bytes | None) -> None:
        number = len(self.attachments) + 1
        try:
            raw_name = _raw_filename(part, location=True)
        except Exception:
            raw_name = None
            self.problems.add(f"attachment {number}: unreadable filename")
        name = safe_filename(raw_name, ctype, number)
        if data is None:
            data = _payload(part, self.problems, f"attachment {name!r}")
        size = len(data)
        keep = data if size <= self.limits.max_attachment_bytes else None
        self.attachments.append(MailAttachment(name, ctype, size, keep))


# --------------------------------------------------------------------------- automatic


def _automatic(msg: Message, from_addr: str | None) -> str | None:
    auto = (_raw(msg, "auto-submitted") or "").strip()
    if auto and auto.split(";")[0].strip().lower() != "no":
        return f"Auto-Submitted: {_clean(auto.split(';')[0])[:40]}"
    precedence = (_raw(msg, "precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    list_id = _raw(msg, "list-id")
    if list_id is not None and not precedence and _raw(msg, "list-unsubscribe") is not None:
        # a newsletter (a mailing list a person writes to keeps Precedence or lacks
        # List-Unsubscribe, and stays a request)
        return f"a newsletter: List-Id {_clean(list_id)[:60]} with List-Unsubscribe"
    for name in ("X-Autoreply", "X-Autorespond"):
        value = _raw(msg, name)
        if value is not None:
            return f"{name}: {_clean(value)[:40]}".rstrip(": ")
    if from_addr:
        local = from_addr.rpartition("@")[0]
        if local in _MACHINE_LOCALPARTS:
            return _MACHINE_LOCALPARTS[local]
    return_path = _raw(msg, "return-path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        return "null sender"
    if from_addr is None:
        return "null sender"
    return None


def _report_type(msg: Message) -> str | None:
    if _content_type(msg) != "multipart/report":
        return None
    value = _param(msg, "report-type")
    return str(value).strip().lower() if isinstance(value, str) else ""


def _is_bounce(msg: Message, from_addr: str | None, automatic: str | None, subject: str) -> bool:
    if _report_type(msg) == "delivery-status":
        return True
    machine = automatic in ("null sender", *_MACHINE_LOCALPARTS.values())
    return machine and _DELIVERY_FAILURE.search(subject) is not None


def _bounced(walk: _Walk, text: str) -> tuple[str | None, str | None]:
    """The Message-ID and subject of the message that bounced: from the returned message or
    its headers, else from a Message-ID line in the text."""
    from email.parser import BytesHeaderParser

    for inner in walk.embedded:
        ids = _ids(_raw(inner, "message-id"))
        subject = _raw(inner, "subject")
        if ids or subject:
            return (ids[0] if ids else None), (decode_words(subject)[0] if subject else None)
    for data in walk.rfc822_headers:
        try:
            headers = BytesHeaderParser().parsebytes(data[:64 * KB].lstrip())
        except Exception:
            continue
        ids = _ids(headers.get("message-id"))
        subject = headers.get("subject")
        if ids or subject:
            return (ids[0] if ids else None), (decode_words(str(subject))[0] if subject else None)
    found = re.search(r"(?im)^[ \t>]*Message-ID:[ \t]*<?([^<>\s]+@[^<>\s]+)>?", text)
    return (found.group(1) if found else None), None


# --------------------------------------------------------------------------- parse


_DEFECTS = {
    "StartBoundaryNotFoundDefect": "multipart without its start boundary",
    "CloseBoundaryNotFoundDefect": "multipart without its closing boundary",
    "MultipartInvariantViolationDefect": "multipart without parts",
    "NoBoundaryInMultipartDefect": "multipart without a boundary",
    "MissingHeaderBodySeparatorDefect": "no blank line after the headers",
    "FirstHeaderLineIsContinuationDefect": "headers start with a continuation line",
    "MisplacedEnvelopeHeaderDefect": "an mbox 'From ' line among the headers",
    "InvalidMultipartContentTransferEncodingDefect": "multipart with a transfer encoding",
}


def _mime_problems(msg: Message, problems: _Problems) -> None:
    for part in msg.walk():
        for defect in part.defects:
            kind = type(defect).__name__
            if "Base64" in kind:
                continue  # reported per part, with its name
            problems.add(f"MIME: {_DEFECTS.get(kind, kind.removesuffix('Defect'))}")


def parse(raw: bytes, limits: Limits | None = None) -> ParsedMail:
    """Parse one message. Raises MailRefused (and nothing else) when the message is over a
    limit, empty, not mail, or unreadable; every other defect is worked around and listed
    in `problems`."""
    limits = limits or Limits()
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise MailRefused("not a mail message: expected bytes")
    raw = bytes(raw).removeprefix(b"\xef\xbb\xbf")
    check_limits(raw, limits)
    budget = _PartBudget(limits.max_parts)
    try:
        msg = _parse_message(raw, budget)
        return _read(msg, limits)
    except MailRefused:
        raise
    except RecursionError:
        raise MailRefused("message is nested too deeply to read") from None
    except Exception as exc:  # a parser bug must not crash the intake: quarantine instead
        raise MailRefused(f"message could not be read ({type(exc).__name__}: "
                          f"{str(exc)[:100]})") from exc


def _read(msg: Message, limits: Limits) -> ParsedMail:
    if not msg.keys():
        raise MailRefused("not a mail message: it has no header fields")
    problems = _Problems()
    hint = _param(msg, "charset") if not msg.is_multipart() else None
    hint = hint if isinstance(hint, str) else None
    subject, notes = decode_words(_raw(msg, "subject") or "", hint)
    for note in notes:
        problems.add(f"Subject: {note}")
    from_addr, from_name = _sender(msg, problems)
    walk = _Walk(limits, problems)
    text = walk.body(msg) or ""
    walk.collect(msg)
    _mime_problems(msg, problems)
    automatic = _automatic(msg, from_addr)
    bounce = _is_bounce(msg, from_addr, automatic, subject)
    if _report_type(msg) == "disposition-notification" and automatic is None:
        automatic = "read receipt (disposition notification)"
    if bounce and automatic is None:
        automatic = "delivery status notification"
    bounced_id, bounced_subject = _bounced(walk, text) if bounce else (None, None)
    ids = _ids(_raw(msg, "message-id"))
    return ParsedMail(
        message_id=ids[0] if ids else None,
        in_reply_to=_ids(" ".join(_raw_all(msg, "in-reply-to"))),
        references=_ids(" ".join(_raw_all(msg, "references"))),
        from_addr=from_addr,
        from_name=from_name,
        to=_address_list(msg, ("to",)),
        cc=_address_list(msg, ("cc",)),
        delivered_to=_address_list(msg, ("delivered-to", "x-original-to", "envelope-to")),
        subject=subject,
        date=_date(msg, problems),
        text=text,
        attachments=walk.attachments,
        automatic=automatic,
        bounce=bounce,
        bounced_message_id=bounced_id,
        bounced_subject=bounced_subject,
        problems=problems.items,
    )


# --------------------------------------------------------------------------- fingerprint


def fingerprint(raw: bytes) -> str:
    """Hex SHA-256 of the message without what transport adds: the same message delivered
    twice (other Received lines, Delivered-To, mbox lines, CRLF or LF) gives the same value;
    two messages that only share a Message-ID do not."""
    try:
        return hashlib.sha256(_fingerprint_text(bytes(raw))).hexdigest()
    except Exception:  # never fail: the raw bytes still identify the message
        return hashlib.sha256(bytes(raw) if isinstance(raw, bytes | bytearray) else b"").hexdigest()


def _fingerprint_text(raw: bytes) -> bytes:
    raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if raw.startswith(b"From "):
        raw = raw.partition(b"\n")[2]
    head, sep, body = raw.partition(b"\n\n")
    if not sep and not _HEADER_FIELD.match(head):
        head, body = b"", head
    kept = []
    for field_ in re.split(rb"\n(?![ \t])", head):
        name, colon, value = field_.partition(b":")
        lname = name.strip().lower().decode("latin-1")
        if colon and (lname in _TRANSPORT_HEADERS or lname.startswith(_TRANSPORT_PREFIXES)):
            continue
        kept.append(name.strip().lower() + colon + b" " + b" ".join(value.split()))
    body = re.sub(rb"(?m)^>(>*From )", rb"\1", body)  # mbox quoting of "From " lines
    return b"\n".join(kept) + b"\n\n" + body.rstrip(b"\n")


# --------------------------------------------------------------------------- HTML


_BLOCK = frozenset({
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
    "ul", "ol", "dl", "dt", "dd", "hr", "pre", "section", "article", "header", "footer",
    "address", "center", "form", "fieldset", "figure", "main", "nav", "aside",
})
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
                        "ul", "ol", "pre", "hr"})
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "object",
                   "svg"})


class _HtmlText(HTMLParser):
    """Collects text; a block element asks for a line break (or a blank line) that is only
    written before the next text, so nested blocks do not pile up empty lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pending = 0            # line breaks owed before the next text
        self.skip: list[str] = []   # open elements whose content is dropped
        self.pre = 0
        self.links: list[tuple[str, int]] = []
        self.closing = False

    def _break(self, lines: int) -> None:
        self.pending = max(self.pending, lines)

    def _emit(self, text: str) -> None:
        if self.pending and self.out:
            self.out.append("\n" * self.pending)
        self.pending = 0
        last = next((piece for piece in reversed(self.out) if piece), "\n")
        if last.endswith("\n") and not self.pre:
            text = text.lstrip(" ")
        if text:
            self.out.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and "head" in self.skip:  # an unclosed <head> ends at <body>
            del self.skip[self.skip.index("head"):]
        if tag in _SKIP:
            self.skip.append(tag)
        if self.skip:
            return
        if tag == "br":
            self._emit("\n")
        elif tag in _BLOCK:
            self._break(2 if tag in _PARAGRAPH else 1)
        if tag == "li":
            self._emit("- ")
        elif tag == "pre":
            self.pre += 1
        elif tag in ("td", "th"):
            self._emit(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # <script/> opens a script, as in a browser
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass
            return
        if tag == "a" and self.links:
            self._close_link(*self.links.pop())
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCK and tag != "br":
            self._break(2 if tag in _PARAGRAPH else 1)

    def _close_link(self, href: str, start: int) -> None:
        href = href.strip()
        text = " ".join("".join(self.out[start:]).split())
        shown = href.removeprefix("mailto:")
        if not href or href.startswith(("#", "javascript:", "cid:")) or not text:
            return
        if shown.rstrip("/") != text.rstrip("/"):
            self.out.append(f" ({shown})")

    def handle_data(self, data: str) -> None:
        if self.skip or (self.closing and re.match(r"\s*<[a-zA-Z/!?]", data)):
            return  # a tag left unfinished at the end is dropped, as a browser does
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if data == " " and (self.pending or not self.out):
                return  # the whitespace between two blocks
        self._emit(data)

    def text(self) -> str:
        text = re.sub(r"[^\S\n]+\n", "\n", "".join(self.out))
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def html_to_text(html: str) -> str:
    """Readable text from an HTML body: script, style and head dropped, block elements as
    line breaks, list items as "- ", links as "text (url)" when the url differs, entities
    decoded, runs of blank lines collapsed. Never raises."""
    html = _defuse(html[:MAX_HTML_CHARS])
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.closing = True
        parser.close()
    except Exception:  # HTMLParser asserts on some broken markup ("<![x["): strip crudely
        return _body_text(_strip_tags(html))
    return _body_text(parser.text())


def _without_comments(html: str) -> str:
    """Comments out, in one pass (an unclosed one swallows the rest, as in a browser)."""
    out, pos = [], 0
    while (start := html.find("<!--", pos)) >= 0:
        out.append(html[pos:start])
        end = html.find("-->", start + 4)
        if end < 0:
            return "".join(out)
        pos = end + 3
    out.append(html[pos:])
    return "".join(out)


def _defuse(html: str) -> str:
    """Markup on which HTMLParser goes quadratic (thousands of unfinished tags, comments or
    marked sections) made harmless first: comments removed, Word's <![if ...]> markers
    removed, and a "<" with no ">" before the next "<" (within 4 KB) becomes text."""
    html = _without_comments(html)
    html = re.sub(r"<!\[(?:if|endif|else)\b[^<>]{0,200}\]>", "", html, flags=re.IGNORECASE)
    html = html.replace("<![", "&lt;![")
    return re.sub(r"<(?![^<>]{0,4096}>)", "&lt;", html)


def _strip_tags(html: str) -> str:
    import html as html_lib

    html = re.sub(r"(?is)<(script|style|head|title)\b.*?(</\1\s*>|\Z)", " ", html)
    html = re.sub(r"(?i)<(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", "\n", html)
    return html_lib.unescape(re.sub(r"<[^>]*>?", " ", html))


# --------------------------------------------------------------------------- replies


_ATTRIBUTION_ONE_LINE = re.compile(
    r"^\s*(?:On\s.{1,200}\swrote\s?:|Am\s.{1,200}\sschrieb.{0,200}:|"
    r"Le\s.{1,200}\sa\s+écrit\s?:|El\s.{1,200}\sescribió\s?:|Op\s.{1,200}\sschreef.{0,200}:|"
    r"Il\s.{1,200}\sha\s+scritto\s?:|Em\s.{1,200}\sescreveu\s?:)\s*$", re.I)
_ATTRIBUTION_START = re.compile(r"^\s*(?:On|Am|Le|El|Op|Il|Em)\s\S", re.I)
_ATTRIBUTION_END = re.compile(r"(?:\swrote|schrieb.{0,200}|a\s+écrit|escribió|schreef.{0,200}|"
                              r"ha\s+scritto|escreveu)\s?:\s*$", re.I)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|"
    r"Mensaje original|Oorspronkelijk bericht|Messaggio originale)\s*-{2,}\s*$", re.I)
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
_FORWARDED = re.compile(r"^\s*-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|"
                        r"Message transféré|Mensaje reenviado)", re.I)
_HEADER_FROM = re.compile(r"^\s*\*?(?:From|Von|De|Van|Da)\s*:\*?\s*\S", re.I)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(?:Sent|Date|To|Subject|Cc|Gesendet|Datum|An|Betreff|Envoyé|Date|À|Objet|"
    r"Enviado|Para|Asunto|Verzonden|Aan|Onderwerp|Inviato|Oggetto)\s*:", re.I)


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


class _After:
    """For each line, how many lines that count and how many quoted lines follow it, up to
    the trailing quote (one pass, so checking every candidate attribution stays linear).
    Blank lines and nested attribution lines do not count either way."""

    def __init__(self, lines: list[str]):
        self.counted = [0] * (len(lines) + 1)
        self.quoted = [0] * (len(lines) + 1)
        for i in range(len(lines) - 1, -1, -1):
            line = lines[i]
            counts = bool(line.strip()) and not _ATTRIBUTION_ONE_LINE.match(line)
            self.counted[i] = self.counted[i + 1] + counts
            self.quoted[i] = self.quoted[i + 1] + (counts and _quoted(line))

    def only_quotes_or_none(self, start: int) -> bool:
        """From `start` on: all quoted (Gmail) or none quoted (Outlook web). A mix means
        answers are interleaved with the quote, so new text does not end here."""
        start = min(start, len(self.counted) - 1)
        return self.quoted[start] in (0, self.counted[start])


def _header_block_at(lines: list[str], i: int) -> bool:
    if not _HEADER_FROM.match(lines[i]):
        return False
    following = [line for line in lines[i + 1:i + 7] if line.strip()][:5]
    return sum(1 for line in following if _HEADER_OTHER.match(line)) >= 2


def _cut_at(lines: list[str]) -> int | None:
    """The index of the first line of the quoted tail, or None."""
    tail = _trailing_quote(lines)
    after = _After(lines[:tail] if tail is not None else lines)
    for i, line in enumerate(lines):
        if _quoted(line):
            continue
        if _ATTRIBUTION_ONE_LINE.match(line) and after.only_quotes_or_none(i + 1):
            return i
        if (i + 1 < len(lines) and _ATTRIBUTION_START.match(line) and len(line) < 200
                and not line.rstrip().endswith((".", "?", "!"))
                and _ATTRIBUTION_END.search(lines[i + 1])
                and after.only_quotes_or_none(i + 2)):
            return i
        if _ORIGINAL_MESSAGE.match(line):
            return i
        if _UNDERSCORES.match(line) and any(
                _HEADER_FROM.match(n) for n in lines[i + 1:i + 3]):
            return i
        if _header_block_at(lines, i) and not any(
                _FORWARDED.match(p) for p in lines[max(0, i - 2):i]):
            return i
    return tail


def _trailing_quote(lines: list[str]) -> int | None:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (_quoted(lines[start - 1]) or not lines[start - 1].strip()):
        start -= 1
    return start if start < end else None


def trim_quoted(text: str) -> str:
    """The new part of a reply: the quoted tail (attribution line, "Original Message"
    separator, Outlook header block, trailing ">" lines) cut off. Quotes interleaved with
    answers stay. Returns the text unchanged when trimming would leave nothing."""
    current = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    changed = False
    for _ in range(MAX_TRIM_ROUNDS):  # to a fixed point, so trimming twice changes nothing
        lines = current.split("\n")
        cut = _cut_at(lines)
        trimmed = "\n".join(lines[:cut]).rstrip() if cut is not None else current
        if not trimmed.strip() or trimmed == current:
            return current if changed else text
        current, changed = trimmed, True
    return text  # a crafted chain of quotes and attributions: leave it whole
