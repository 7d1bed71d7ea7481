"""Kudos as plain data, and the rules that need no database: what a message must say,
what counts as lateral, when a giving week starts and refreshes, leaderboard arithmetic.

Pure: no clock (``now`` is passed in), no files, no SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from difflib import get_close_matches
from typing import Iterable

from isvc.errors import InvalidInput

MIN_WORDS = 3
MIN_CHARS = 12
MAX_CHARS = 2000
RETRACT_WINDOW = timedelta(hours=24)
LEADERBOARD_BY = ("person", "team", "value")
EXAMPLE = 'isvc kudos send @ana "Thanks for fixing the payroll export before the deadline"'

_VALUE = re.compile(r"[a-z][a-z0-9_-]{0,31}")


@dataclass
class Kudos:
    id: int
    giver: str
    recipient: str
    to_kind: str  # "person" or "team"
    message: str
    created_at: str
    value: str | None = None
    request: int | None = None
    lateral: bool = False
    private: bool = False
    giver_team: str | None = None
    recipient_team: str | None = None
    retracted_at: str | None = None
    retracted_by: str | None = None
    request_title: str | None = None  # joined in for views; not stored on the row

    @property
    def to_label(self) -> str:
        """How a user writes the recipient: ``ana`` for a person, ``+payroll`` for a team."""
        return self.recipient if self.to_kind == "person" else f"+{self.recipient}"

    @property
    def retracted(self) -> bool:
        return self.retracted_at is not None


def check_message(message: str | None) -> str:
    """A kudos says what was done: at least 3 words and 12 characters ("thx" is refused)."""
    text = " ".join((message or "").split())
    if not text:
        raise InvalidInput(f"a kudos needs a message that says what they did; e.g. {EXAMPLE}")
    if len(text.split()) < MIN_WORDS or len(text) < MIN_CHARS:
        raise InvalidInput(
            f"{text!r} is a little short for a kudos: say what they did and why it mattered "
            f"(at least {MIN_WORDS} words); e.g. {EXAMPLE}"
        )
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"the message is {len(text)} characters; keep a kudos under {MAX_CHARS}")
    return text


def split_recipient(text: str) -> tuple[str | None, str]:
    """``@ana`` -> ("person", "ana"), ``+payroll`` -> ("team", "payroll"), ``ana`` -> (None, "ana")."""
    text = (text or "").strip()
    if text.startswith("@"):
        return "person", text[1:].strip()
    if text.startswith("+"):
        return "team", text[1:].strip()
    return None, text


def clean_values(values: Iterable[str]) -> list[str]:
    """Company values as stored: lower-case single words, first occurrence kept, in order."""
    out: list[str] = []
    for raw in values:
        for part in raw.split(","):
            value = part.strip().lower()
            if not value:
                continue
            if not _VALUE.fullmatch(value):
                raise InvalidInput(
                    f"value {part.strip()!r} is not a single word; use lower-case letters, digits, "
                    "'-' or '_', e.g. ownership, customer-first"
                )
            if value not in out:
                out.append(value)
    return out


def match_value(value: str, known: list[str]) -> str:
    """The configured value ``value`` names (case-insensitive), or a refusal with a suggestion."""
    wanted = value.strip().lower()
    if not known:
        raise InvalidInput(
            "no company values are configured; an admin sets them with "
            "`isvc kudos values set ownership teamwork ...` (or leave out --value)"
        )
    if wanted in known:
        return wanted
    close = get_close_matches(wanted, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise InvalidInput(f"unknown value {value!r}{hint}; the values are: {', '.join(known)}")


def is_lateral(to_kind: str, giver_team: str | None, recipient_team: str | None,
               request_team: str | None, giver_teams: set[str] = frozenset()) -> bool:
    """Help across teams, counted separately:

    - to a person: the giver's primary team differs from the receiver's;
    - to a team: the giver is not a member of it (thanking your own team is not lateral);
    - either way: the kudos is for a request served by a team the giver is not in.

    A giver without a team is never lateral: there is no team to cross from.
    """
    if giver_team is None:
        return False
    mine = set(giver_teams) | {giver_team}
    if to_kind == "team":
        if recipient_team is not None and recipient_team not in mine:
            return True
    elif recipient_team is not None and recipient_team != giver_team:
        return True
    return request_team is not None and request_team not in mine


def week_start(now: datetime, tz: tzinfo | None) -> datetime:
    """Monday 00:00 of ``now``'s week in ``tz`` (UTC when None), as an aware datetime."""
    tz = tz or timezone.utc
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tz)


def next_refresh(now: datetime, tz: tzinfo | None) -> datetime:
    """The next Monday 00:00 in ``tz``: when a weekly allowance starts again."""
    tz = tz or timezone.utc
    start = week_start(now, tz)
    return datetime.combine(start.date() + timedelta(days=7), time(0), tz)


@dataclass
class Allowance:
    per_week: int  # 0: unlimited
    used: int
    week_start: datetime
    refreshes_at: datetime

    @property
    def unlimited(self) -> bool:
        return self.per_week == 0

    @property
    def left(self) -> int | None:
        return None if self.unlimited else max(0, self.per_week - self.used)

    @property
    def exhausted(self) -> bool:
        return not self.unlimited and self.used >= self.per_week


def span_words(now: datetime, when: datetime) -> str:
    """Two units at most: "6d 14h", "3h 20m", "5m"."""
    from isvc.domain.timeutil import two_units

    return two_units(max(0, int((when - now).total_seconds() // 60)))


def retract_deadline(created_at: datetime) -> datetime:
    return created_at + RETRACT_WINDOW


def leaderboard(rows: Iterable[Kudos], by: str, hidden: set[str] = frozenset()) -> list[dict]:
    """Received, given and lateral counts per person, team or value, most received first.

    ``hidden``: people who opted out of leaderboards; they never get a row of their own
    (their kudos still count for the people and teams on the other side).
    """
    if by not in LEADERBOARD_BY:
        raise InvalidInput(f"--by {by!r} is not known; use one of: {', '.join(LEADERBOARD_BY)}")
    if by == "value":
        return _by_value(rows)
    table: dict[str, dict] = {}

    def row(key: str) -> dict:
        return table.setdefault(key, {"received": 0, "given": 0, "lateral_received": 0,
                                      "lateral_given": 0})

    for k in rows:
        if by == "person":
            receivers = [k.recipient] if k.to_kind == "person" else []
            givers = [k.giver]
        else:
            receivers = [k.recipient_team] if k.recipient_team else []
            givers = [k.giver_team] if k.giver_team else []
        for key in receivers:
            if key in hidden and by == "person":
                continue
            r = row(key)
            r["received"] += 1
            r["lateral_received"] += int(k.lateral)
        for key in givers:
            if key in hidden and by == "person":
                continue
            r = row(key)
            r["given"] += 1
            r["lateral_given"] += int(k.lateral)
    out = []
    for key, r in table.items():
        total = r["received"] + r["given"]
        lateral = r["lateral_received"] + r["lateral_given"]
        out.append({by: key, **r, "lateral_share_pct": round(100 * lateral / total) if total else 0})
    out.sort(key=lambda r: (-r["received"], -r["given"], r[by]))
    for rank, r in enumerate(out, 1):
        r["rank"] = rank
    return out


def _by_value(rows: Iterable[Kudos]) -> list[dict]:
    table: dict[str, dict] = {}
    for k in rows:
        if not k.value:
            continue
        r = table.setdefault(k.value, {"kudos": 0, "lateral": 0, "_people": set(), "_givers": set()})
        r["kudos"] += 1
        r["lateral"] += int(k.lateral)
        r["_people"].add(k.to_label)
        r["_givers"].add(k.giver)
    out = []
    for value, r in table.items():
        out.append({"value": value, "kudos": r["kudos"], "lateral": r["lateral"],
                    "lateral_share_pct": round(100 * r["lateral"] / r["kudos"]),
                    "recipients": len(r["_people"]), "givers": len(r["_givers"])})
    out.sort(key=lambda r: (-r["kudos"], r["value"]))
    for rank, r in enumerate(out, 1):
        r["rank"] = rank
    return out
