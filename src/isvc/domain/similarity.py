"""Similar requests: normalised words, a similarity, and groups of near-duplicates.

Pure: no I/O, no clock. The recurring-problems report (isvc.services.recurring) hands in
the requests of a period and gets groups back.

Words. A text is folded (lower case, accents removed: "Résumé" -> "resume"), mail noise
is cut from bodies (a greeting line, quoted ``>`` lines, everything from a sign-off such
as "Thanks," or "-----Original Message-----" on), links and addresses are dropped, and
what is left is cut into words. A word with a digit in it is a number or an id ("3rd",
"INC0042", "v5.2") and is dropped; so are one-letter words, English function words and
request filler ("please", "again", "help", "urgent", "follow-up" ...). The rest is
stemmed by a few suffix rules ("drops", "dropped", "dropping" -> "drop"; "updates",
"updated" -> "updat"). A text becomes two word sets: its title's and its body's.

Similarity (0..1) of two texts: the Jaccard index of their title word sets, weighted
TITLE_WEIGHT, plus that of their body word sets, weighted 1 - TITLE_WEIGHT; when one of
them has no body words the titles alone decide, when neither title has words the bodies
alone. Texts with no word in common have similarity 0; the same words give 1.

Groups. Identical texts (the same type, title words and body words) are collapsed
first: a desk sees the same template titles hundreds of times, and the work is on the
distinct texts. Those are then taken largest first (then earliest request); each joins
the existing group whose *representative* (its first, most frequent text) is most
similar to it, when that similarity is at least THRESHOLD, or else starts a group of its
own and becomes its representative. Every member of a group is therefore at least
THRESHOLD-similar to the representative: no chain of small steps links two unrelated
texts (single-link clustering would). Candidate representatives come from an inverted
index (word -> the groups whose representative has it), never from comparing all pairs;
words found in more than COMMON_SHARE of the distinct texts (and more than COMMON_MIN of
them) say too little and are not used to find candidates, and a text is compared with
at most MAX_CANDIDATES representatives (those sharing the most words with it), so the
work grows with the number of texts, not its square; representatives with exactly the
same title words are always candidates. Request types: two texts of different types
never group; an untyped text may join a typed group, and a group holds at most one type.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from isvc.domain.kb import FILLER, STOPWORDS

THRESHOLD = 0.5       # least similarity of a member to its group's representative
TITLE_WEIGHT = 0.7    # the title's share of the similarity when both texts have a body
COMMON_SHARE = 0.05   # a word in more than this share of the distinct texts ...
COMMON_MIN = 50       # ... and in more than this many of them finds no candidates
BODY_PROBES = 12      # the rarest body words of a text used to find candidates
MAX_CANDIDATES = 100  # representatives compared with one text at most (sharing most words)
MAX_BODY_CHARS = 4000  # long bodies (mail threads) are read this far
MAX_WORD = 30         # longer "words" are hashes or encoded data, not words

# Words that say nothing about what a request is about, on top of the knowledge base's
# common words and request filler.
EXTRA_STOPWORDS = frozenset("""
able above across again against ago almost already always another anyone anything around
away back being below best between both br cant cheers could dear didnt does doesnt done
down during each else even ever everything few follow further get getting good got he
her here hers hey him his im ive keep keeping keeps kind kindly know let like look looks
lot many may maybe might mine more most much must myself never next nothing off often
once one only other others ours out over own per perhaps pm put really regards same see
seem seems sent several shall she should something sometimes soon such sure than thats
they thing things those though through too try trying two under until via want wanted
subject way well wont wouldnt yes yet aw sv wg tr
""".split())
STOP = STOPWORDS | FILLER | EXTRA_STOPWORDS

_LINK = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
_GREETING = re.compile(r"^(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings)\b",
                       re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^(thanks|thank you|many thanks|thx|regards|best( regards| wishes)?|kind regards|"
    r"cheers|br|sent from|--\s*$|-{3,} ?original message)", re.IGNORECASE)
_QUOTE_HEADER = re.compile(r"^on .{0,200}wrote:\s*$", re.IGNORECASE)


# -- words ---------------------------------------------------------------------------

def fold(text: str) -> str:
    """Lower case without accents: "Ștefan's RÉSUMÉ" -> "stefan's resume"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def stem(word: str) -> str:
    """A few suffix rules, applied the same way to every word: plurals, -ed, -ing, a
    final e. "drops", "dropped", "dropping" -> "drop"; "supplies" -> "supply"."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        root = word[: -len(suffix)]
        if (word.endswith(suffix) and len(root) >= 3 and any(c in "aeiouy" for c in root)
                and not (suffix == "ed" and root.endswith("e"))):  # speed, agreed
            word = root
            if word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]  # dropp -> drop
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def words(text: str) -> frozenset[str]:
    """The significant words of a text, folded and stemmed (see the module's doc)."""
    found = set()
    for raw in _WORD.findall(_LINK.sub(" ", fold(text))):
        if len(raw) < 2 or len(raw) > MAX_WORD or raw in STOP:
            continue
        if any(c.isdigit() for c in raw):
            continue  # a number or an id
        found.add(stem(raw))
    return frozenset(found)


def strip_mail(body: str) -> str:
    """A body without a greeting line, quoted lines, and anything from a sign-off on."""
    lines = body[:MAX_BODY_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if not kept and len(text) < 60 and _GREETING.match(text):
            continue
        if text.startswith(">") or _QUOTE_HEADER.match(text):
            break
        if len(text) < 40 and _SIGN_OFF.match(text) and kept:
            break
        kept.append(text)
    return "\n".join(kept)


@dataclass(frozen=True)
class Text:
    """A request's text as compared: its type and its title's and body's words."""

    type: str | None
    title: frozenset[str]
    body: frozenset[str]
    raw: str = ""  # the folded text, for texts without any word: only equal ones match

    @property
    def key(self) -> tuple:
        if self.title or self.body:
            return (self.type, self.title, self.body)
        return (self.type, self.raw)


def text_of(title: str, body: str = "", type: str | None = None) -> Text:
    title_words = words(title)
    body_words = words(strip_mail(body)) if body else frozenset()
    raw = "" if title_words or body_words else " ".join(fold(f"{title} {body}").split())
    return Text(type or None, title_words, body_words, raw)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def similarity(a: Text, b: Text) -> float:
    """0..1: TITLE_WEIGHT x the titles' Jaccard index + the rest x the bodies'; the
    titles alone when either has no body words, the bodies alone when neither title has."""
    if a.key == b.key:
        return 1.0
    title = _jaccard(a.title, b.title) if (a.title or b.title) else None
    body = _jaccard(a.body, b.body) if (a.body and b.body) else None
    if title is None:
        return body or 0.0
    if body is None:
        return title
    return TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * body


# -- groups ----------------------------------------------------------------------------

@dataclass
class Item:
    """One request as grouped: its number and text."""

    number: int
    title: str
    body: str = ""
    type: str | None = None


@dataclass
class Group:
    representative: Text
    numbers: list[int] = field(default_factory=list)  # ascending
    texts: list[Text] = field(default_factory=list)   # distinct, the representative first
    scores: list[float] = field(default_factory=list)  # each text's similarity to it
    type: str | None = None

    @property
    def id(self) -> int:
        """Stable: the group's earliest request."""
        return self.numbers[0]

    @property
    def size(self) -> int:
        return len(self.numbers)


@dataclass
class Grouping:
    groups: list[Group]     # every group, singletons too, by id
    comparisons: int        # similarities computed (candidate pairs checked)
    distinct: int           # distinct texts after collapsing identical ones


@dataclass
class _Distinct:
    text: Text
    numbers: list[int]


def _compatible(kind: str | None, group_type: str | None) -> bool:
    return kind is None or group_type is None or kind == group_type


def group(items: Iterable[Item], threshold: float = THRESHOLD) -> Grouping:
    """Group similar requests (see the module's doc). Deterministic: the same items in
    any order give the same groups."""
    distinct: dict[tuple, _Distinct] = {}
    seen: dict[tuple, Text] = {}  # the same raw text is cut into words once
    for item in items:
        raw = (item.title, item.body or "", item.type or None)
        text = seen.get(raw)
        if text is None:
            text = seen[raw] = text_of(*raw)
        entry = distinct.get(text.key)
        if entry is None:
            distinct[text.key] = _Distinct(text, [item.number])
        else:
            entry.numbers.append(item.number)
    texts = list(distinct.values())
    for entry in texts:
        entry.numbers.sort()
    texts.sort(key=lambda d: (-len(d.numbers), d.numbers[0]))

    frequency: dict[str, int] = {}
    for entry in texts:
        for word in entry.text.title | entry.text.body:
            frequency[word] = frequency.get(word, 0) + 1
    common = max(COMMON_MIN, COMMON_SHARE * len(texts))

    def probes(text: Text) -> list[str]:
        rare_body = sorted((w for w in text.body if frequency[w] <= common),
                           key=lambda w: (frequency[w], w))[:BODY_PROBES]
        return [w for w in text.title if frequency[w] <= common] + rare_body

    groups: list[Group] = []
    postings: dict[str, list[int]] = {}   # word -> groups whose representative has it
    by_title: dict[frozenset[str], list[int]] = {}
    comparisons = 0
    for entry in texts:
        text = entry.text
        candidates: set[int] = set()
        if text.title or text.body:
            shared: dict[int, int] = {}
            for word in probes(text):
                for index in postings.get(word, ()):
                    shared[index] = shared.get(index, 0) + 1
            if len(shared) > MAX_CANDIDATES:  # those sharing the most words
                most = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))
                shared = dict(most[:MAX_CANDIDATES])
            candidates.update(shared)
            if text.title:
                candidates.update(by_title.get(text.title, ()))
        best, best_score = -1, threshold
        for index in sorted(candidates):
            candidate = groups[index]
            if not _compatible(text.type, candidate.type):
                continue
            comparisons += 1
            score = similarity(text, candidate.representative)
            if score > best_score or (score == best_score and best < 0):
                best, best_score = index, score
        if best < 0:
            best = len(groups)
            groups.append(Group(representative=text, type=text.type))
            best_score = 1.0
            if text.title or text.body:
                for word in probes(text):
                    postings.setdefault(word, []).append(best)
                if text.title:
                    by_title.setdefault(text.title, []).append(best)
        chosen = groups[best]
        chosen.numbers.extend(entry.numbers)
        chosen.texts.append(text)
        chosen.scores.append(best_score)
        if chosen.type is None:
            chosen.type = text.type
    for g in groups:
        g.numbers.sort()
    groups.sort(key=lambda g: g.id)
    return Grouping(groups=groups, comparisons=comparisons, distinct=len(texts))
