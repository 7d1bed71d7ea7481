"""The knowledge base's pure rules: clean article text, a safe FTS5 query from whatever a
person typed, snippet markers, what changed between versions, and the words that group
similar request titles ("the next articles to write").

No I/O, no clock: the store runs the queries, services decide who may write.

The FTS5 query: user text is never handed to FTS5's query language. It is cut into terms
the way the ``unicode61`` tokenizer cuts text (letters, digits and combining marks make a
term; everything else, ``"`` ``*`` ``:`` ``(`` ``-`` ``^`` and emoji included, separates),
each term is quoted, and the terms are joined with OR: an article matching more terms
ranks higher, one matching only some still shows, lower. ``AND``, ``NOT`` and ``NEAR``
become plain (quoted) words, and so does ``title`` in ``title:x``. Common English words
are dropped when other words remain. Stemming ("passwords" -> "password") and accents
("résumé" -> "resume") are the tokenizer's job (porter over unicode61, remove_diacritics 2).

Suggestions before filing are stricter than `kb search`: only terms of 3 or more characters
that are neither common English words nor request filler ("again", "help", "every"...)
count, and an article is offered only when it matches at least two distinct such terms
(in any column), or one in its title (``strong_match``). "Printer on floor 2 jams" offers
"Printer jams on floor 3" (title) but not an article that mentions "floor" once in its body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from isvc.errors import InvalidInput

MAX_TITLE = 200
MAX_BODY = 200_000
MAX_TERMS = 32  # an OR of at most this many terms: long pastes stay fast
MAX_TERM = 64   # characters; longer "words" (hashes, base64) are cut

# Snippet markers as the store asks FTS5 for them (control characters, removed from
# article text when it is saved, so they can only come from FTS5) and as JSON/TSV show them.
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
PLAIN_OPEN, PLAIN_CLOSE = "«", "»"

STOPWORDS = frozenset("""
a about after all also am an and any are as at be been before but by can cannot could
did do does doesn don dont for from get gets got had has have how i if in into is isn it
its just me my no not of on or our please re fwd fw s so t that the their them then there
these this to up us was we were what when where which who why will with won would you your
""".split())


# Words too common in request titles to say what a request is about: left out of the
# terms suggestions (and the "next articles" check) match on, on top of STOPWORDS.
FILLER = frozenset("""
again also anymore any asap didn doesn every hasn haven help hello hi issue issues need
needs new now problem problems since some still thank thanks today urgent very wasn weren
working
""".split())
MIN_SUGGEST_TERM = 3  # characters: "2", "on", "pc" never make a suggestion on their own
SHORT_QUERY = 60      # characters of a query quoted back in a message


# -- what the services return ---------------------------------------------------------

@dataclass
class Article:
    """An article as shown: the current text, or an earlier version's (``version`` <
    ``latest_version``); ``editor``/``edited_at`` are that version's."""

    id: int
    title: str
    body: str
    team: str | None
    tags: list[str]
    version: int
    latest_version: int
    active: bool
    author: str
    created_at: str
    updated_at: str
    editor: str | None = None
    edited_at: str | None = None


@dataclass
class Version:
    article: int
    version: int
    title: str
    team: str | None
    tags: list[str]
    editor: str
    edited_at: str
    changes: list[str]


@dataclass
class Hit:
    """A search result: ``snippet`` and ``title_marked`` carry MARK_OPEN/MARK_CLOSE."""

    id: int
    title: str
    team: str | None
    tags: list[str]
    version: int
    updated_at: str
    score: float            # -bm25: higher is better
    snippet: str
    title_marked: str


# -- article text ----------------------------------------------------------------------

def _strip_controls(text: str, keep: str = "\n\t") -> str:
    return "".join(c for c in text if c in keep or unicodedata.category(c) != "Cc")


def clean_title(title: str) -> str:
    title = " ".join(_strip_controls(unicodedata.normalize("NFC", title), keep="").split())
    if not title:
        raise InvalidInput('an article needs a title, e.g. --title "Reset your VPN password"')
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"the title is {len(title)} characters; keep it under {MAX_TITLE}")
    return title


def clean_body(body: str) -> str:
    body = unicodedata.normalize("NFC", body.replace("\r\n", "\n").replace("\r", "\n"))
    body = _strip_controls(body).strip("\n")
    body = "\n".join(line.rstrip() for line in body.split("\n")).strip()
    if not body:
        raise InvalidInput("an article needs a body: --body TEXT or --body-file FILE.md (- for stdin)")
    if len(body) > MAX_BODY:
        raise InvalidInput(f"the body is {len(body)} characters; keep it under {MAX_BODY}")
    return body


def clean_tag(tag: str) -> str:
    tag = unicodedata.normalize("NFC", tag).strip().lstrip("#").lower()
    if not tag or len(tag) > 40 or any(c.isspace() or c == "," or unicodedata.category(c) == "Cc"
                                       for c in tag):
        raise InvalidInput(f"tag {tag!r} is not valid; tags are single words without commas")
    return tag


def split_tags(tags: str) -> list[str]:
    return tags.split()


def join_tags(tags) -> str:
    return " ".join(sorted(set(tags)))


# -- search ----------------------------------------------------------------------------

def _is_term_char(c: str) -> bool:
    cat = unicodedata.category(c)
    return cat[0] in "LN" or cat in ("Co", "Mn", "Mc")


def terms(text: str, limit: int = MAX_TERMS) -> list[str]:
    """The distinct search terms in ``text``, lower-cased, in order, at most ``limit``;
    common words dropped when other words remain."""
    found = _all_terms(text)
    significant = [t for t in found if t not in STOPWORDS]
    return (significant or found)[:limit]


def suggestion_terms(text: str, limit: int = MAX_TERMS) -> list[str]:
    """The terms a suggestion matches on: distinct, of at least MIN_SUGGEST_TERM characters,
    neither a common word nor filler; none (not the common words) when nothing is left."""
    return [t for t in _all_terms(text)
            if len(t) >= MIN_SUGGEST_TERM and t not in STOPWORDS and t not in FILLER][:limit]


def strong_match(matched: int, in_title: int) -> bool:
    """Whether an article is worth offering: it matches two or more distinct query terms,
    or at least one in its title."""
    return matched >= 2 or in_title >= 1


def quote_term(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def any_of(found: list[str]) -> str:
    """A MATCH expression for terms already cut by ``terms``/``suggestion_terms``."""
    return " OR ".join(quote_term(t) for t in found)


def _all_terms(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text)
    found: list[str] = []
    seen: set[str] = set()
    word: list[str] = []
    for c in text + " ":
        if _is_term_char(c):
            word.append(c)
            continue
        if word:
            term = "".join(word).casefold()[:MAX_TERM]
            word = []
            if term not in seen:
                seen.add(term)
                found.append(term)
    return found


def fts_query(text: str, limit: int = MAX_TERMS) -> str:
    """A MATCH expression that FTS5 always accepts: quoted terms joined by OR."""
    found = terms(text, limit)
    if not found:
        raise InvalidInput('nothing to search for: give some words, e.g. isvc kb search "vpn password"')
    return any_of(found)


def plain_marks(text: str | None) -> str | None:
    """A snippet with the store's markers as «…» (JSON, TSV, plain stderr)."""
    if text is None:
        return None
    return text.replace(MARK_OPEN, PLAIN_OPEN).replace(MARK_CLOSE, PLAIN_CLOSE)


def marked_parts(text: str) -> list[tuple[str, bool]]:
    """A snippet as (text, highlighted) pieces, for renderers that can make bold text."""
    parts: list[tuple[str, bool]] = []
    for i, piece in enumerate(re.split(f"[{MARK_OPEN}{MARK_CLOSE}]", text)):
        if piece:
            parts.append((piece, i % 2 == 1))
    return parts


def one_line(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, width: int = SHORT_QUERY) -> str:
    """``text`` on one line, at most ``width`` characters (an ellipsis where it was cut)."""
    text = one_line(text)
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


# A run of * or _ that opens emphasis (after a non-word character, before a non-space) or
# closes it (after a non-space, before a non-word character): "**portal**", "*Reset*.",
# "_see_". Runs inside a word (snake_case) or between spaces ("5 * 3") stay.
_EMPHASIS = re.compile(r"(?<!\w)[*_]+(?=\S)|(?<=\S)[*_]+(?!\w)")


def strip_emphasis(text: str) -> str:
    """A snippet without Markdown emphasis markers (*, _, `): suggestions are plain text."""
    return _EMPHASIS.sub("", text.replace("`", ""))


# -- versions ------------------------------------------------------------------------

def changes(old: dict | None, new: dict) -> list[str]:
    """What differs between two versions: "created" for the first."""
    if old is None:
        return ["created"]
    return [k for k in ("title", "body", "team", "tags") if (old.get(k) or "") != (new.get(k) or "")]


# -- stats: the next articles to write ---------------------------------------------

def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _spelled_words(title: str) -> list[tuple[str, str]]:
    """The significant words of a title as (key, spelling): the key lower-cased, accents
    folded, a plural "s" removed ("resume", "supplie"); the spelling as written, lower-cased
    ("résumé", "supplies")."""
    original = unicodedata.normalize("NFC", title)
    folded: list[str] = []
    where: list[int] = []  # folded character -> index of the original character
    for i, c in enumerate(original):
        for f in _fold(c).casefold():
            folded.append(f)
            where.append(i)
    text = "".join(folded)
    out = []
    for m in re.finditer(r"[^\W\d_]+", text):
        word = m.group()
        if len(word) > 1 and word not in STOPWORDS:
            spelling = original[where[m.start()]:where[m.end() - 1] + 1].casefold()
            out.append((_singular(word), spelling))
    return out


def topic_words(title: str) -> frozenset[str]:
    """The significant words of a request title: lower-cased, accents folded, numbers and
    punctuation gone, common words dropped, a plural "s" removed. "VPN drops: 3rd time!"
    and "vpn drop" give the same set."""
    return frozenset(key for key, _ in _spelled_words(title))


@dataclass
class Topic:
    """Request titles with the same significant words. ``words``: each as most often
    written in those titles ("supplies", not the key "supplie"), sorted."""

    key: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()
    count: int = 0
    example: int = 0          # the latest request with these words
    example_title: str = ""
    numbers: list[int] = field(default_factory=list)
    spellings: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)


def _most_common(spellings: dict[str, int]) -> str:
    """The spelling written most often; on a tie the shortest, then the first alphabetically."""
    return min(spellings, key=lambda w: (-spellings[w], len(w), w))


def topics(rows, min_count: int = 2, limit: int | None = 10) -> list[Topic]:
    """Group (number, title) rows by their significant words; the most frequent first
    (ties: the most recent example first). Groups under ``min_count`` are left out;
    ``limit`` None keeps them all."""
    groups: dict[frozenset[str], Topic] = {}
    for number, title in rows:
        spelled = _spelled_words(title)
        key = frozenset(k for k, _ in spelled)
        if not key:
            continue
        topic = groups.get(key)
        if topic is None:
            topic = groups[key] = Topic(key=key)
        topic.count += 1
        topic.numbers.append(number)
        for k, spelling in spelled:
            seen = topic.spellings.setdefault(k, {})
            seen[spelling] = seen.get(spelling, 0) + 1
        if number >= topic.example:
            topic.example, topic.example_title = number, title
    ranked = sorted((t for t in groups.values() if t.count >= min_count),
                    key=lambda t: (-t.count, -t.example))
    for t in ranked:
        t.words = tuple(sorted(_most_common(t.spellings[k]) for k in t.key))
    return ranked if limit is None else ranked[:limit]
