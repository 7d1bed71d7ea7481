"""The export columns are a contract: pinned here, so that a change is a deliberate one
(columns are only ever added at the end), and every format carries them in that order."""

from __future__ import annotations

import json

import pytest

from isvc.services import export as svc

from .helpers import csv_rows, export, jsonl

PINNED = {
    "requests": [
        "number", "title", "body", "status", "priority", "team", "type", "requester",
        "assignee", "watchers", "tags", "fields", "channel", "waiting_on", "created_at",
        "updated_at", "first_response_at", "resolved_at", "closed_at", "agreement",
        "first_response_due_at", "first_response_met", "first_response_business_minutes",
        "resolution_due_at", "resolution_met", "resolution_business_minutes",
    ],
    "events": ["id", "number", "at", "actor", "kind", "field", "from", "to", "message",
               "internal"],
    "kudos": ["id", "from", "to", "to_kind", "message", "value", "request", "lateral",
              "private", "created_at", "giver_team", "recipient_team", "retracted_at",
              "retracted_by"],
    "agreements": [
        "name", "provider", "customer", "calendar",
        "response_urgent_minutes", "response_high_minutes", "response_normal_minutes",
        "response_low_minutes", "resolution_urgent_minutes", "resolution_high_minutes",
        "resolution_normal_minutes", "resolution_low_minutes",
        "at_risk_percent", "active", "created_at", "updated_at",
    ],
}


def test_the_documented_columns_are_pinned():
    assert list(svc.COLUMNS) == list(svc.KINDS) == list(PINNED)
    for kind, names in PINNED.items():
        assert svc.columns(kind) == names, kind


@pytest.mark.parametrize("kind", svc.KINDS)
def test_every_column_has_a_one_line_meaning(kind):
    for column in svc.COLUMNS[kind]:
        assert column.meaning.strip() and "\n" not in column.meaning, column
        assert column.name == column.name.lower() and " " not in column.name


def test_request_columns_start_with_the_request_json_keys():
    """The shared keys are named and ordered as in `request show --json` (JSON.md)."""
    from isvc.render.shapes import REQUEST_COLUMNS

    shared = [c for c in REQUEST_COLUMNS if c != "sla"]
    assert PINNED["requests"][:len(shared)] == shared


@pytest.mark.parametrize("kind", svc.KINDS)
def test_every_format_carries_the_columns_in_order(xd, kind):
    lines = jsonl(export(xd, "boss", kind).stdout)
    assert lines, kind
    assert all(list(row) == PINNED[kind] for row in lines)
    array = json.loads(export(xd, "boss", kind, "--format", "json").stdout)
    assert array == lines
    assert all(list(row) == PINNED[kind] for row in array)
    rows = csv_rows(export(xd, "boss", kind, "--format", "csv").stdout)
    assert rows[0] == PINNED[kind]
    assert len(rows) == len(lines) + 1
    assert all(len(row) == len(PINNED[kind]) for row in rows)


def test_ndjson_is_taken_for_jsonl(xd):
    assert (export(xd, "boss", "kudos", "--format", "ndjson").stdout
            == export(xd, "boss", "kudos", "--format", "JSONL").stdout)


def test_csv_values_follow_the_conventions(xd):
    """Lists comma-joined, fields as JSON text, booleans true/false, null an empty cell."""
    rows = csv_rows(export(xd, "boss", "requests", "--format", "csv").stdout)
    first = dict(zip(rows[0], rows[1]))
    assert first["watchers"] == "mihai"
    assert first["tags"] == "remote,vpn"
    assert json.loads(first["fields"]) == {"asset": "7731"}
    assert first["first_response_met"] == "true"
    assert first["closed_at"] == "" and first["waiting_on"] == ""
    assert first["first_response_business_minutes"] == "20"


def test_json_values_follow_the_conventions(xd):
    first = jsonl(export(xd, "boss", "requests").stdout)[0]
    assert first["watchers"] == ["mihai"] and first["tags"] == ["remote", "vpn"]
    assert first["fields"] == {"asset": "7731"}
    assert first["first_response_met"] is True and first["resolution_met"] is True
    assert first["closed_at"] is None
    assert first["first_response_business_minutes"] == 20  # ack at 09:20, filed 09:00
    assert first["resolution_business_minutes"] == 360     # resolved 15:00
    agreement = jsonl(export(xd, "boss", "agreements").stdout)
    assert agreement == [{
        "name": "it-std", "provider": "it", "customer": None, "calendar": "office",
        "response_urgent_minutes": 30, "response_high_minutes": 60,
        "response_normal_minutes": 240, "response_low_minutes": 480,
        "resolution_urgent_minutes": 120, "resolution_high_minutes": 480,
        "resolution_normal_minutes": 960, "resolution_low_minutes": 2400,
        "at_risk_percent": 80, "active": True,
        "created_at": agreement[0]["created_at"], "updated_at": agreement[0]["updated_at"],
    }]


def exact(path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def test_one_row_per_line_whatever_the_text_holds(xd, tmp_path):
    """Read from files: the test runner's captured stdout turns CR LF into LF."""
    body = "first line\nsecond\r\nthird\rfourth\u2028fifth, \"quoted\""
    xd("--as", "ana", "request", "new", "Multi-line", "--team", "it", "--body", body)
    for fmt in ("jsonl", "csv"):
        export(xd, "boss", "requests", "--format", fmt, "--out", tmp_path / fmt)
    out = exact(tmp_path / "jsonl")
    assert out.count("\n") == 4 and "\r" not in out
    assert jsonl(out)[-1]["body"] == body
    rows = csv_rows(exact(tmp_path / "csv"))
    assert len(rows) == 5 and dict(zip(rows[0], rows[4]))["body"] == body
