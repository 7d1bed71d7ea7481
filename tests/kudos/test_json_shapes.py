"""The Kudos JSON shape of ../shared/JSON.md: every documented key, with its type; instants
in UTC with Z; null, never a missing key. Extra keys (teams, retraction) are allowed."""

from __future__ import annotations

import json
import re

from .helpers import send

KUDOS_KEYS = {"id", "from", "to", "to_kind", "message", "value", "request", "lateral", "private",
              "created_at"}
EXTRA_KEYS = {"giver_team", "recipient_team", "retracted_at", "retracted_by"}
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def check_kudos(obj: dict) -> None:
    assert KUDOS_KEYS <= set(obj) and set(obj) - KUDOS_KEYS <= EXTRA_KEYS, sorted(obj)
    assert isinstance(obj["id"], int) and not isinstance(obj["id"], bool)
    assert isinstance(obj["from"], str) and isinstance(obj["to"], str)
    assert obj["to_kind"] in ("person", "team")
    assert isinstance(obj["message"], str) and obj["message"]
    assert obj["value"] is None or isinstance(obj["value"], str)
    assert obj["request"] is None or (isinstance(obj["request"], int) and not isinstance(obj["request"], bool))
    assert isinstance(obj["lateral"], bool) and isinstance(obj["private"], bool)
    assert ISO_Z.match(obj["created_at"])
    assert obj["retracted_at"] is None or ISO_Z.match(obj["retracted_at"])


def test_every_command_prints_the_kudos_shape(kd):
    number = int(kd("--as", "ana", "request", "new", "Export", "--team", "it").stdout)
    sent = json.loads(send(kd, "ana", "@jim", "Thanks for fixing the payroll export", "--value",
                           "ownership", "--for", number, "--json").stdout)
    check_kudos(sent)
    assert {k: sent[k] for k in KUDOS_KEYS} == {
        "id": 1, "from": "ana", "to": "jim", "to_kind": "person",
        "message": "Thanks for fixing the payroll export", "value": "ownership", "request": number,
        "lateral": True, "private": False, "created_at": "2026-11-23T09:30:00Z"}
    team = json.loads(send(kd, "jim", "+payroll", "Thanks all for the year-end close", "--private",
                           "--json").stdout)
    check_kudos(team)
    assert (team["to"], team["to_kind"], team["value"], team["request"], team["private"]) == (
        "payroll", "team", None, None, True)
    wall = kd.json("--as", "jim", "kudos", "wall")
    assert isinstance(wall, list) and [k["id"] for k in wall] == [2, 1]
    for obj in wall:
        check_kudos(obj)
    check_kudos(kd.json("--as", "jim", "kudos", "show", 1))
    retracted = kd.json("--as", "ana", "kudos", "retract", 1)
    check_kudos(retracted)
    assert retracted["retracted_at"] == "2026-11-23T09:30:00Z"


def test_leaderboard_and_allowance_shapes(kd):
    send(kd, "ana", "@jim", "Thanks for fixing the payroll export", "--value", "ownership")
    person = kd.json("kudos", "leaderboard")
    assert set(person[0]) == {"rank", "person", "name", "team", "received", "given",
                              "lateral_received", "lateral_given", "lateral_share_pct"}
    team = kd.json("kudos", "leaderboard", "--by", "team")
    assert set(team[0]) == {"rank", "team", "name", "received", "given", "lateral_received",
                            "lateral_given", "lateral_share_pct"}
    value = kd.json("kudos", "leaderboard", "--by", "value")
    assert set(value[0]) == {"rank", "value", "kudos", "lateral", "lateral_share_pct",
                             "recipients", "givers"}
    allowance = kd.json("--as", "ana", "kudos", "allowance")
    assert set(allowance) == {"person", "allowance_per_week", "used", "left", "week_start",
                              "refreshes_at"}
    assert kd.json("kudos", "wall", "--team", "sales") == []
