"""A period's start: spans and dates too far back mean "from the beginning"."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st

from isvc.domain.timeutil import EARLIEST, parse_since, period_start, to_iso
from isvc.errors import InvalidInput

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["999999d", "99999999999d", "0001-01-01", "0999-12-31",
                                  "1900-01-01T00:00:00Z"])
def test_further_back_than_1970_starts_at_1970(text):
    assert parse_since(text, NOW) == EARLIEST
    assert to_iso(period_start(text, NOW)) == "1970-01-01T00:00:00Z"


@given(st.integers(min_value=1, max_value=10**30), st.sampled_from(["m", "h", "d", "w"]))
def test_any_span_is_a_valid_past_instant_with_a_four_digit_year(n, unit):
    start = period_start(f"{n}{unit}", NOW)
    assert EARLIEST <= start < NOW
    assert len(to_iso(start)) == len("2026-11-23T09:30:00Z")


@pytest.mark.parametrize("text", ["0d", "2026-11-24", "2030-01-01T00:00:00Z"])
def test_a_period_must_start_in_the_past(text):
    with pytest.raises(InvalidInput, match="is not in the past"):
        period_start(text, NOW)
