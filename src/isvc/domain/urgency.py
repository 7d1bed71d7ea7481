"""The urgency budget: urgency must not be abused, so past a share it must be explained.

Over a rolling window (30 calendar days back from now) a requester's urgent requests, the
one being filed included, may be at most ``limit`` (config ``requests.urgent_share_limit``)
of all the requests they filed in the window, to any team. The budget applies only once
they have filed ``MIN_REQUESTS`` in the window (the new one included): two urgent requests
out of three say nothing yet. Past it, an urgent request needs a justification, which the
agent sees.

Pure: the caller counts the window (``window_start`` gives its start) and passes ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from isvc.errors import InvalidInput

WINDOW_DAYS = 30
MIN_REQUESTS = 5
MAX_JUSTIFICATION = 1000


@dataclass(frozen=True)
class Decision:
    """Whether an urgent request needs a justification, and the figures that say why.

    ``filed`` and ``urgent`` count the requester's requests in the window including the
    one being filed (an urgent one); ``share`` is ``urgent / filed``.
    """

    needed: bool
    filed: int
    urgent: int
    share: float
    limit: float

    def reason(self, whose: str = "your") -> str:
        """Why a justification is asked for (on a terminal, before the prompt)."""
        return (f"{self.urgent} of {whose} last {self.filed} requests ({WINDOW_DAYS} days) were "
                f"urgent, over the {percent(self.limit)} budget")

    def message(self, whose: str = "your") -> str:
        """The refusal off a terminal."""
        return f'{self.reason(whose)}: say why with --justify "..." (shown to the agent)'


def percent(limit: float) -> str:
    """0.2 -> "20%", 0.125 -> "12.5%"."""
    return f"{round(limit * 100, 2):g}%"


def window_start(now: datetime) -> datetime:
    """The oldest instant counted (inclusive): ``WINDOW_DAYS`` calendar days before now."""
    return now - timedelta(days=WINDOW_DAYS)


def check_limit(limit: object) -> float:
    """The configured share as a float in [0, 1]."""
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not 0 <= limit <= 1:
        raise InvalidInput(f"config requests.urgent_share_limit must be a share from 0 to 1 "
                           f"(0.2 is 20%); got {limit!r}")
    return float(limit)


def decide(prior_filed: int, prior_urgent: int, limit: float) -> Decision:
    """The decision for one more urgent request, after ``prior_filed`` requests in the
    window of which ``prior_urgent`` were urgent.

    Needed once the window holds at least ``MIN_REQUESTS`` (counting the new one) and the
    urgent share (counting the new one) is strictly above ``limit``: exactly at the limit
    is allowed. Compared exactly (``Fraction`` of the limit as written), so 3 of 10 at a
    0.3 limit is at it, not a float's hair over it.
    """
    if prior_filed < 0 or not 0 <= prior_urgent <= prior_filed:
        raise ValueError(f"counts out of range: {prior_urgent} urgent of {prior_filed}")
    limit = check_limit(limit)
    filed, urgent = prior_filed + 1, prior_urgent + 1
    over = Fraction(urgent, filed) > Fraction(repr(limit))
    return Decision(needed=filed >= MIN_REQUESTS and over, filed=filed, urgent=urgent,
                    share=urgent / filed, limit=limit)


def clean_justification(text: str | None) -> str | None:
    """One line of text, or None for nothing; refused when given but empty or too long."""
    if text is None:
        return None
    text = " ".join(text.split())
    if not text:
        raise InvalidInput('--justify must not be empty: say why it is urgent, e.g. '
                         '--justify "payroll run closes at noon"')
    if len(text) > MAX_JUSTIFICATION:
        raise InvalidInput(f"the justification is {len(text)} characters; keep it under "
                         f"{MAX_JUSTIFICATION}")
    return text
