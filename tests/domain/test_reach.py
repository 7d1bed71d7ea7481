"""The fast path that recomputes many clocks (reach_iso, through a precomputed timeline)
must agree with the walking engine to the second, on every calendar the property tests
draw: DST days, lunch breaks, holidays, overrides, pauses (open ones included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isvc.domain.businesstime import due, reach_iso
from isvc.domain.calendar import parse_calendar
from isvc.domain.timeutil import to_iso

from .test_businesstime import calendar, engine_pauses, ref_to_toml, scenarios, t


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), targets=st.lists(st.integers(1, 3000), min_size=1, max_size=3))
def test_reach_iso_equals_due_for_each_amount(scenario, targets):
    cal, created_s, pauses_s = scenario
    engine_cal = parse_calendar(ref_to_toml(cal))
    created = datetime.fromtimestamp(created_s, UTC)
    pauses = engine_pauses(pauses_s)
    amounts = sorted(targets)
    if not any(engine_cal.hours.values()):
        return  # open on override dates only: the walker's refusal is tested elsewhere
    expected = [due(engine_cal, created, m, pauses) for m in amounts]
    got = reach_iso(engine_cal, created, amounts, pauses)
    assert got == [None if d is None else to_iso(d.replace(microsecond=0)) for d in expected]


def test_reach_iso_examples_from_the_spec():
    office = calendar("Europe/Bucharest", "mon-fri 09:00-17:00")
    # Sat 13:15 + 120 -> Mon 11:00; Fri 09:00 + 480 -> Fri 17:00 (a window end)
    assert reach_iso(office, t("2025-03-29T13:15:00+02:00"), [120]) == ["2025-03-31T08:00:00Z"]
    assert reach_iso(office, t("2025-03-28T09:00:00+02:00"), [480]) == ["2025-03-28T15:00:00Z"]
    # an open pause before the target: no due time, but an amount reached before it is
    created = t("2025-03-24T09:00:00+02:00")
    paused = [(created + timedelta(hours=2), None)]
    assert reach_iso(office, created, [60, 180], paused) == ["2025-03-24T08:00:00Z", None]
    # years ahead: the timeline grows as needed
    assert reach_iso(office, created, [480 * 600]) == [
        to_iso(due(office, created, 480 * 600))]
