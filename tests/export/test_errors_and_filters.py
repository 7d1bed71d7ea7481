"""Bad arguments are one line each; --since, --until and --team pick the rows."""

from __future__ import annotations

import pytest

from testkit import expect_error

from .helpers import EARLY, MIDDLE, export, jsonl


@pytest.mark.parametrize("args, code, message", [
    (["reports"], 2, "unknown kind 'reports'; use one of: requests, events, kudos, agreements"),
    (["requests", "--format", "xlsx"], 2, "unknown format 'xlsx'; use one of: jsonl, csv, json"),
    (["requests", "--format", "tsv"], 2, "unknown format 'tsv'; use one of: jsonl, csv, json"),
    (["requests", "--since", "last week"], 2,
     "--since 'last week' is not understood; use a span like 30d, 12h, 2w or a date like 2026-11-01"),
    (["requests", "--since", "2026-12-01"], 2,
     "--since 2026-12-01 is not in the past (now is 2026-11-23T09:30:00Z); give a span like 30d or an earlier date"),
    (["requests", "--until", "soon"], 2,
     "--until 'soon' is not understood; use a span like 30d, 12h, 2w or a date like 2026-11-01"),
    (["events", "--since", "2026-11-10", "--until", "2026-11-10"], 2,
     "--until 2026-11-10 is not after --since 2026-11-10; nothing would match"),
    (["requests", "--include-internal"], 2,
     "--include-internal goes with `isvc export events` (internal notes are journal events)"),
    (["requests", "--team", "itt"], 3, "no team 'itt' (did you mean 'it'?); see `isvc team list`"),
])
def test_mistakes_are_one_line(xd, args, code, message):
    expect_error(export(xd, "boss", *args, code=None), code, message)


def test_no_kind_shows_the_help(xd):
    result = xd("export", code=None)
    assert "Usage: isvc export" in result.output
    assert "requests, events, kudos or agreements" in result.output
    assert "Traceback" not in result.output


def test_since_and_until_pick_requests_by_filing_time(xd):
    def numbers(*args):
        return [r["number"] for r in jsonl(export(xd, "boss", "requests", *args).stdout)]

    assert numbers("--since", "2026-11-10") == [2, 3]
    assert numbers("--since", "10d") == [2, 3]                       # since 13 Nov 09:30
    assert numbers("--until", "2026-11-16") == [1]                   # until is exclusive
    assert numbers("--since", MIDDLE, "--until", "2026-11-20") == [2]  # since is inclusive
    assert numbers("--since", "1h") == [3]


def test_since_picks_events_by_when_they_happened(xd):
    rows = jsonl(export(xd, "boss", "events", "--since", "2026-11-16", "--include-internal").stdout)
    assert {r["at"] for r in rows} >= {MIDDLE}
    assert all(r["at"] >= "2026-11-16" for r in rows)
    assert {r["number"] for r in rows} == {1, 2, 3}  # #1's redaction happened later
    early = jsonl(export(xd, "boss", "events", "--until", "2026-11-03").stdout)
    assert {r["number"] for r in early} == {1} and min(r["at"] for r in early) == EARLY


def test_since_filters_kudos_and_agreements_by_creation(xd):
    assert export(xd, "boss", "kudos", "--until", "2026-11-23").stdout == ""
    assert len(jsonl(export(xd, "boss", "kudos", "--since", "1h").stdout)) == 4
    assert len(jsonl(export(xd, "boss", "agreements", "--since", "1h").stdout)) == 1
    assert export(xd, "boss", "agreements", "--until", "2026-11-23").stdout == ""


def test_team_filters_events_by_the_requests_team(xd):
    rows = jsonl(export(xd, "boss", "events", "--team", "payroll", "--include-internal").stdout)
    assert {r["number"] for r in rows} == {2}
    assert [r["kind"] for r in rows] == ["filed", "note"]


def test_an_empty_export_is_still_well_formed(xd):
    args = ("requests", "--team", "sales")
    assert export(xd, "boss", *args).stdout == ""
    assert export(xd, "boss", *args, "--format", "json").stdout == "[]\n"
    assert export(xd, "boss", *args, "--format", "csv").stdout.count("\n") == 1


def test_exporting_writes_nothing(xd, db):
    before = db.counts()
    for kind in ("requests", "events", "kudos", "agreements"):
        export(xd, "boss", kind, "--format", "csv")
    assert db.counts() == before
