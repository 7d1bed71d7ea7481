"""A small history whose report figures are worked out by hand (see ``HISTORY``).

Calendar "office": UTC, Mon–Fri 09:00–17:00, Wed 18 Nov 2026 a holiday. Agreements
it-std (it) and payroll-std (payroll) on it: first response normal 4h (240) / urgent 30m,
resolution normal 2d (960) / urgent 2h. The clock is the root conftest's Mon 23 Nov 2026
09:30Z; `--since 7d` is [Mon 16 Nov 09:30Z, Mon 23 Nov 09:30Z). Viewer zone
Europe/Bucharest (UTC+2 in November).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from isvc.cli import _common

HISTORY = """
  A it      filed Mon 2 Nov 10:00, never touched                 open all along
  B it      filed Tue 10 Nov 10:00, jim acks 10:30, resolves Tue 17 Nov 10:00 "done"
            (2400 business min, breached Thu 12 Nov, before the period)
  C it      filed Mon 16 Nov 10:00, jim takes, acks 10:20 (20), starts 11:00, waits 12:00,
            mihai replies 14:00 (resumes), jim resolves 15:00 "fixed" (handling 60+60,
            resolution 300-120 paused = 180); mihai closes Tue 09:00, rates 5
  D it      filed Mon 16 Nov 11:00, jim takes, starts 11:30, resolves Tue 17 11:00 with no
            message, mihai reopens 12:00, jim resolves 13:00 with no message (handling
            330+120+60 = 510, resolution 600-60 = 540, never acknowledged)
  E it      filed Sat 21 Nov 10:00 (out of hours), mihai cancels 11:00 (never acknowledged)
  F it      urgent, filed Wed 18 Nov 10:00 (a holiday: out of hours), jim acks Thu 19 09:10
            (10); resolution due Thu 11:00: open and breached in the period
  G it      filed Thu 19 Nov 10:00, boss assigns ana (payroll: lateral), ana acks 10:15
            (15), resolves 12:00 "sorted" (120); mihai rates 3
  H payroll filed Fri 20 Nov 10:00, ana acks 11:00 (60), open
"""

NOW = "2026-11-23T09:30:00Z"
_SNAPSHOTS: dict[str, Path] = {}


def at(when: str) -> dict:
    return {"ISVC_NOW": when}


def file(isvc, when: str, *args: str, who: str = "mihai") -> int:
    return int(isvc("--as", who, "request", "new", *args, env=at(when)).stdout)


def act(isvc, when: str, who: str, *args) -> None:
    isvc("--as", who, "request", *args, env=at(when))


def build_history(isvc) -> dict[str, int]:
    isvc("--as", "boss", "calendar", "add", "office", "--tz", "UTC", "--hours",
         "mon-fri 09:00-17:00")
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-11-18")
    for name, team in (("it-std", "it"), ("payroll-std", "payroll")):
        isvc("--as", "boss", "agreement", "add", name, "--provider", team, "--calendar", "office",
             "--response", "urgent=30m,high=1h,normal=4h,low=1d",
             "--resolution", "urgent=2h,high=1d,normal=2d,low=5d")
    n = {}
    n["A"] = file(isvc, "2026-11-02T10:00:00Z", "Printer jams", "--team", "it")
    n["B"] = file(isvc, "2026-11-10T10:00:00Z", "VPN drops", "--team", "it")
    act(isvc, "2026-11-10T10:30:00Z", "jim", "ack", n["B"])
    act(isvc, "2026-11-17T10:00:00Z", "jim", "resolve", n["B"], "-m", "done")

    n["C"] = file(isvc, "2026-11-16T10:00:00Z", "Laptop slow", "--team", "it")
    act(isvc, "2026-11-16T10:10:00Z", "jim", "take", n["C"])
    act(isvc, "2026-11-16T10:20:00Z", "jim", "ack", n["C"])
    act(isvc, "2026-11-16T11:00:00Z", "jim", "start", n["C"])
    act(isvc, "2026-11-16T12:00:00Z", "jim", "wait", n["C"], "-m", "Which version?")
    act(isvc, "2026-11-16T14:00:00Z", "mihai", "comment", n["C"], "-m", "5.2.1")
    act(isvc, "2026-11-16T15:00:00Z", "jim", "resolve", n["C"], "-m", "fixed")
    act(isvc, "2026-11-17T09:00:00Z", "mihai", "close", n["C"])
    act(isvc, "2026-11-17T09:05:00Z", "mihai", "rate", n["C"], "5")

    n["D"] = file(isvc, "2026-11-16T11:00:00Z", "Mail quota", "--team", "it")
    act(isvc, "2026-11-16T11:10:00Z", "jim", "take", n["D"])
    act(isvc, "2026-11-16T11:30:00Z", "jim", "start", n["D"])
    act(isvc, "2026-11-17T11:00:00Z", "jim", "resolve", n["D"])
    act(isvc, "2026-11-17T12:00:00Z", "mihai", "reopen", n["D"])
    act(isvc, "2026-11-17T13:00:00Z", "jim", "resolve", n["D"])

    n["F"] = file(isvc, "2026-11-18T10:00:00Z", "Badge readers down", "--team", "it",
                  "--priority", "urgent", "--justify", "the whole floor is locked out")
    act(isvc, "2026-11-19T09:10:00Z", "jim", "ack", n["F"])

    n["G"] = file(isvc, "2026-11-19T10:00:00Z", "Payslip export", "--team", "it")
    act(isvc, "2026-11-19T10:05:00Z", "boss", "assign", n["G"], "ana")
    act(isvc, "2026-11-19T10:15:00Z", "ana", "ack", n["G"])
    act(isvc, "2026-11-19T12:00:00Z", "ana", "resolve", n["G"], "-m", "sorted")
    act(isvc, "2026-11-19T13:00:00Z", "mihai", "rate", n["G"], "3")

    n["H"] = file(isvc, "2026-11-20T10:00:00Z", "Hours missing", "--team", "payroll")
    act(isvc, "2026-11-20T11:00:00Z", "ana", "ack", n["H"])

    n["E"] = file(isvc, "2026-11-21T10:00:00Z", "Wrong form", "--team", "it")
    act(isvc, "2026-11-21T11:00:00Z", "mihai", "cancel", n["E"])
    return n


@pytest.fixture
def history(request, tmp_path_factory, isvc_home, isvc):
    """The root `desk` (it: jim, alina, boss; payroll: ana; sales: mihai; boss the admin)
    with the history above, built once per session and copied into each test."""
    _common.reset()
    source = _SNAPSHOTS.get("history")
    if source is None:
        request.getfixturevalue("desk")
        numbers = build_history(isvc)
        _common.reset()
        source = tmp_path_factory.mktemp("report-history") / "home"
        shutil.copytree(isvc_home, source)
        _SNAPSHOTS["history"] = source
        _SNAPSHOTS["numbers"] = numbers
    else:
        shutil.copytree(source, isvc_home, dirs_exist_ok=True)
    isvc.numbers = _SNAPSHOTS["numbers"]
    return isvc
