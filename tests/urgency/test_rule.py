"""The urgency budget's rule (isvc.domain.urgency): pure, no database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isvc.domain import urgency as rule
from isvc.errors import InvalidInput

LIMITS = st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.5, 0.7, 1.0])


@st.composite
def history(draw, min_filed=0, max_filed=60):
    filed = draw(st.integers(min_filed, max_filed))
    return filed, draw(st.integers(0, filed))


@given(history(max_filed=rule.MIN_REQUESTS - 2), LIMITS)
def test_below_five_requests_never_needed(counts, limit):
    # with the new one they have filed at most 4 in the window: the budget does not apply
    decision = rule.decide(*counts, limit)
    assert decision.filed < rule.MIN_REQUESTS
    assert not decision.needed


@given(history(min_filed=rule.MIN_REQUESTS - 1), LIMITS)
def test_from_five_requests_needed_exactly_above_the_limit(counts, limit):
    prior_filed, prior_urgent = counts
    decision = rule.decide(prior_filed, prior_urgent, limit)
    # counting includes the new (urgent) request
    assert (decision.filed, decision.urgent) == (prior_filed + 1, prior_urgent + 1)
    assert decision.share == pytest.approx(decision.urgent / decision.filed)
    assert decision.needed == (Fraction(decision.urgent, decision.filed) > Fraction(repr(limit)))


@given(st.integers(1, 40), st.sampled_from([0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 0.9]))
def test_a_share_exactly_at_the_limit_is_allowed(k, limit):
    # filed so that urgent/filed == limit exactly (0.3: 3 of 10, a float's hair over 0.3*10)
    frac = Fraction(repr(limit))
    filed = frac.denominator * k
    urgent = frac.numerator * k
    if filed < rule.MIN_REQUESTS or urgent == 0:
        return
    assert not rule.decide(filed - 1, urgent - 1, limit).needed
    if urgent < filed:  # one more urgent than the limit allows, same total
        assert rule.decide(filed - 1, urgent, limit).needed


def test_by_hand():
    assert rule.decide(4, 0, 0.2) == rule.Decision(False, 5, 1, 0.2, 0.2)  # 20%: at the limit
    assert rule.decide(4, 1, 0.2).needed                                    # 2 of 5: 40%
    assert not rule.decide(3, 3, 0.2).needed                                # 4 of 4, but only 4
    assert rule.decide(8, 3, 0.2) == rule.Decision(True, 9, 4, 4 / 9, 0.2)
    assert not rule.decide(9, 2, 0.3).needed                                # 3 of 10 at 30%
    assert not rule.decide(100, 100, 1.0).needed                            # 1.0: never
    assert rule.decide(4, 0, 0.0).needed                                    # 0: always from 5


def test_the_message():
    decision = rule.decide(8, 3, 0.2)
    assert decision.message() == (
        '4 of your last 9 requests (30 days) were urgent, over the 20% budget: '
        'say why with --justify "..." (shown to the agent)')
    assert decision.reason("ana's") == (
        "4 of ana's last 9 requests (30 days) were urgent, over the 20% budget")
    assert rule.percent(0.125) == "12.5%" and rule.percent(1 / 3) == "33.33%"


def test_the_window_is_thirty_calendar_days():
    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    assert rule.window_start(now) == datetime(2026, 10, 24, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("limit", [-0.1, 1.5, "0.2", True, None])
def test_a_bad_limit_is_refused(limit):
    with pytest.raises(InvalidInput, match="requests.urgent_share_limit must be a share from 0 to 1"):
        rule.decide(5, 1, limit)


def test_justifications_are_cleaned():
    assert rule.clean_justification(None) is None
    assert rule.clean_justification("  payroll\n closes at   noon ") == "payroll closes at noon"
    with pytest.raises(InvalidInput, match="--justify must not be empty"):
        rule.clean_justification("  ")
    with pytest.raises(InvalidInput, match="keep it under 1000"):
        rule.clean_justification("x" * 1001)
