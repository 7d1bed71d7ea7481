"""`isvc report peak`: arrivals by weekday x hour, business hours, out of hours.

The history is conftest.HISTORY: in the 7 days, it received C (Mon 10:00Z), D (Mon 11:00),
F (urgent, Wed 10:00 on a holiday), G (Thu 10:00), E (Sat 10:00); payroll H (Fri 10:00).
"""

from __future__ import annotations

import csv
import io
import re

from isvc.services import reports as svc

from .conftest import NOW, at

PEAK_KEYS = ["since", "until", "team", "calendar", "timezone", "weekdays", "cells",
             "business_hours", "total", "out_of_hours", "out_of_hours_pct", "busiest",
             "urgent_out_of_hours"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def peak(isvc, *args, when: str = NOW) -> dict:
    return isvc.json("--as", "boss", "report", "peak", "--since", "7d", *args, env=at(when))


def grid(points: dict[tuple[int, int], int]) -> list[list[int]]:
    cells = [[0] * 24 for _ in range(7)]
    for (day, hour), count in points.items():
        cells[day][hour] = count
    return cells


def hours(days: range, first: int, last: int) -> list[list[bool]]:
    return [[day in days and first <= hour <= last for hour in range(24)] for day in range(7)]


def test_a_team_in_its_calendars_zone(history):
    data = peak(history, "--team", "it")
    assert list(data) == PEAK_KEYS
    assert data == {
        "since": "2026-11-16T09:30:00Z",
        "until": NOW,
        "team": "it",
        "calendar": "office",
        "timezone": "UTC",
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "cells": grid({(0, 10): 1, (0, 11): 1, (2, 10): 1, (3, 10): 1, (5, 10): 1}),
        "business_hours": hours(range(5), 9, 16),
        "total": 5,
        "out_of_hours": 2,            # E on a Saturday, F on the Wednesday holiday
        "out_of_hours_pct": 40.0,
        "busiest": {"weekday": "Mon", "hour": 10, "count": 1},
        "urgent_out_of_hours": 1,     # F
    }


def test_every_team_in_the_viewers_zone(history):
    """Europe/Bucharest is UTC+2 in November: 10:00Z is noon, the office opens at 11."""
    data = peak(history)
    assert (data["team"], data["calendar"], data["timezone"]) == (None, "office", "Europe/Bucharest")
    assert data["cells"] == grid({(0, 12): 1, (0, 13): 1, (2, 12): 1, (3, 12): 1, (4, 12): 1,
                                  (5, 12): 1})
    assert data["business_hours"] == hours(range(5), 11, 18)
    assert (data["total"], data["out_of_hours"], data["urgent_out_of_hours"]) == (6, 2, 1)
    assert sum(map(sum, data["cells"])) == data["total"]


def test_a_team_without_a_calendar(history):
    data = peak(history, "--team", "sales")
    assert (data["calendar"], data["timezone"], data["total"]) == (None, "Europe/Bucharest", 0)
    assert data["business_hours"] == hours(range(0), 0, 23)
    assert data["busiest"] is None and data["out_of_hours_pct"] is None


def test_out_of_hours_follows_each_requests_own_calendar(history):
    """Without --team the heatmap reads one calendar, but H counts against payroll's:
    a payroll calendar closed on Fridays makes H out of hours."""
    history("--as", "boss", "calendar", "add", "short-week", "--tz", "UTC", "--hours",
            "mon-thu 09:00-17:00")
    history("--as", "boss", "agreement", "edit", "payroll-std", "--calendar", "short-week")
    data = peak(history)
    assert data["calendar"] == "office"
    assert data["out_of_hours"] == 3


def test_csv_one_row_per_weekday(history):
    out = history("--as", "boss", "report", "peak", "--since", "7d", "--team", "it", "--csv",
                  env=at(NOW)).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["weekday"] + [f"h{h:02d}" for h in range(24)] == svc.PEAK_COLUMNS
    assert [r[0] for r in rows[1:]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert rows[1][1 + 10] == "1" and rows[1][1 + 11] == "1" and rows[2][1:] == ["0"] * 24


def test_the_heatmap(history, monkeypatch):
    monkeypatch.setenv("ISVC_FORCE_TABLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    out = ANSI.sub("", history("--as", "boss", "report", "peak", "--since", "7d", "--team", "it",
                               env=at(NOW)).stdout)
    lines = out.splitlines()
    monday = next(line for line in lines if line.startswith("Mon"))
    saturday = next(line for line in lines if line.startswith("Sat"))
    # 5 columns of label, 2 per hour: 09:00 is column 23; Monday's business hours show as
    # dots where nothing arrived, 10 and 11 shaded; Saturday has no business hours
    assert monday[5:53] == " " * 18 + "··░░░░" + "··" * 5 + " " * 14
    assert saturday[5:53] == " " * 20 + "░░" + " " * 26
    assert "09–17" in monday and "closed" in saturday
    assert "5 requests arrived; the busiest hour was Mon 10:00–11:00 (1)." in out
    assert ("2 requests (40%) arrived out of hours, 1 urgent: about 1 urgent per week out "
            "of hours.") in out


def test_one_arrival_and_one_day_read_in_the_singular(history, monkeypatch):
    monkeypatch.setenv("ISVC_FORCE_TABLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    sat = at("2026-11-21T12:00:00Z")   # the last day: only E (Sat 10:00, out of hours)
    out = ANSI.sub("", history("--as", "boss", "report", "peak", "--since", "1d",
                               env=sat).stdout)
    assert "· 1 day since" in out
    assert "1 request arrived; the busiest hour was Sat 12:00–13:00 (1)." in out  # local
    assert "1 request (100%) arrived out of hours" in out
    out = ANSI.sub("", history("--as", "boss", "report", "--since", "1d", env=sat).stdout)
    assert "Service report · 1 day since" in out


def test_rare_urgent_arrivals_out_of_hours_per_week():
    from isvc.render.report_views import _per_week

    assert _per_week(1, 7) == "about 1 urgent per week out of hours"
    assert _per_week(1, 10) == "about 1 urgent per week out of hours"   # 0.7 a week
    assert _per_week(1, 28) == "about 1 urgent every 4 weeks out of hours"
    assert _per_week(0, 28).startswith("none urgent")


def test_no_arrivals(quick_desk, monkeypatch):
    data = quick_desk.json("--as", "boss", "report", "peak")
    assert data["total"] == 0 and data["cells"] == grid({}) and data["busiest"] is None
    monkeypatch.setenv("ISVC_FORCE_TABLE", "1")
    assert "No requests arrived in this period." in quick_desk("--as", "boss", "report", "peak").stdout
