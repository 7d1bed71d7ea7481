"""What an export says about a request is what `request show --json` says about it."""

from __future__ import annotations

import re

from testkit import ISO_Z

from .helpers import export, jsonl

SHARED = ["number", "title", "body", "status", "priority", "team", "type", "requester",
          "assignee", "watchers", "tags", "fields", "channel", "waiting_on", "created_at",
          "updated_at", "first_response_at", "resolved_at", "closed_at", "agreement"]


def test_requests_round_trip_through_request_show(xd):
    rows = jsonl(export(xd, "boss", "requests").stdout)
    assert [r["number"] for r in rows] == [1, 2, 3]
    for row in rows:
        shown = xd.json("--as", "boss", "request", "show", row["number"])
        assert {k: row[k] for k in SHARED} == {k: shown[k] for k in SHARED}
        sla = shown["sla"]
        if sla is None:
            assert row["agreement"] is None
            assert row["first_response_due_at"] is row["resolution_due_at"] is None
            continue
        assert row["first_response_due_at"] == sla["first_response"]["due_at"]
        assert row["resolution_due_at"] == sla["resolution"]["due_at"]
        for clock in ("first_response", "resolution"):
            state = sla[clock]["state"]
            met = row[f"{clock}_met"]
            assert met is ({"met": True, "breached": False}.get(state) if met is not None else None)
            if met is not None:
                assert row[f"{clock}_business_minutes"] == sla[clock]["elapsed_business_minutes"]
            else:
                assert row[f"{clock}_business_minutes"] is None


def test_instants_are_utc_with_z(xd):
    for kind, keys in (("requests", ["created_at", "updated_at", "first_response_at",
                                     "resolved_at", "first_response_due_at", "resolution_due_at"]),
                       ("events", ["at"]), ("kudos", ["created_at"]),
                       ("agreements", ["created_at", "updated_at"])):
        for row in jsonl(export(xd, "boss", kind).stdout):
            for key in keys:
                assert row[key] is None or re.match(ISO_Z, row[key]), (kind, key, row[key])


def test_events_round_trip_through_request_show(xd):
    """An admin's export with internal notes is every journal, as `request show` has it."""
    rows = jsonl(export(xd, "boss", "events", "--include-internal").stdout)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    for number in (1, 2, 3):
        shown = xd.json("--as", "boss", "request", "show", number)["events"]
        mine = [{k: v for k, v in r.items() if k != "number"} for r in rows if r["number"] == number]
        assert mine == shown


def test_a_members_export_matches_what_they_see(xd):
    """jim (it) sees #1's internal note in `request show`; his export says the same."""
    rows = jsonl(export(xd, "jim", "events", "--include-internal").stdout)
    shown = xd.json("--as", "jim", "request", "show", 1)["events"]
    assert [{k: v for k, v in r.items() if k != "number"} for r in rows if r["number"] == 1] == shown


def test_redacted_events_export_their_redacted_text(xd):
    rows = jsonl(export(xd, "boss", "events").stdout)
    texts = [r["message"] for r in rows]
    assert "[redacted by boss: a password]" in texts
    out = export(xd, "boss", "events", "--include-internal", "--format", "csv").stdout
    assert "hunter2" not in out
