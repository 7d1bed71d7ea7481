"""`isvc kudos show` and `isvc kudos retract`: only the giver, within a day; the row is
kept and marked, the retraction journaled in the audit log and on the request."""

from __future__ import annotations

import re

from .helpers import error, send_id

GOOD = "Thanks for fixing the payroll export before the deadline"


def test_show_human_and_json(kd):
    number = int(kd("--as", "ana", "request", "new", "Payroll export", "--team", "it").stdout)
    k = send_id(kd, "ana", "@jim", GOOD, "--value", "ownership", "--for", number)
    data = kd.json("kudos", "show", k)
    assert data["id"] == k and data["request"] == number and data["value"] == "ownership"
    out = kd("kudos", "show", k, env={"ISVC_FORCE_TABLE": "1", "NO_COLOR": "1"}).stdout
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert f"ana → jim · ownership · for #{number} Payroll export" in out
    assert "Payroll → IT Service Desk (lateral)" in out
    assert "Mon 23 Nov 11:30" in out  # the viewer's zone
    assert error(kd("kudos", "show", 99, code=None), 3) == "Error: no kudos #99; see `isvc kudos wall`"


def test_retract_by_the_giver_keeps_the_row_and_journals_it(kd, db):
    number = int(kd("--as", "ana", "request", "new", "Payroll export", "--team", "it").stdout)
    k = send_id(kd, "ana", "@jim", GOOD, "--for", number)
    result = kd("--as", "ana", "kudos", "retract", k, env={"ISVC_NOW": "2026-11-23T15:00:00Z"})
    assert result.stderr == (f"Retracted kudos #{k} to jim; it no longer counts against your "
                             "allowance.\n")
    assert db.query("SELECT retracted_at, retracted_by, message FROM kudos WHERE id = ?", k) == [
        ("2026-11-23T15:00:00Z", "ana", GOOD)]
    assert db.query("SELECT actor, action, subject FROM audit_log WHERE action = 'kudos.retract'") == [
        ("ana", "kudos.retract", f"kudos #{k}")]
    events = kd.json("--as", "ana", "request", "show", number)["events"]
    assert [(e["kind"], e["field"], e["from"], e["to"], e["message"]) for e in events
            if e["kind"].startswith("kudos")] == [
        ("kudos", str(k), None, "jim", GOOD),
        ("kudos_retracted", str(k), "jim", None, f"retracted kudos #{k}"),
    ]
    data = kd.json("--as", "ana", "kudos", "show", k)
    assert (data["retracted_at"], data["retracted_by"]) == ("2026-11-23T15:00:00Z", "ana")


def test_retract_refusals_write_nothing(kd, db):
    k = send_id(kd, "ana", "@jim", GOOD)
    before = db.snapshot()
    for who in ("jim", "boss"):
        line = error(kd("--as", who, "kudos", "retract", k, code=None), 2)
        assert line == f"Error: only its giver (ana) may retract kudos #{k}; you are {who}"
    line = error(kd("--as", "ana", "kudos", "retract", k, code=None,
                    env={"ISVC_NOW": "2026-11-24T09:31:00Z"}), 2)
    assert line == (f"Error: kudos #{k} was given 2026-11-23T09:30:00Z, more than a day ago; "
                    "kudos can be retracted within 24 hours of giving")
    assert error(kd("--as", "ana", "kudos", "retract", 42, code=None), 3) == (
        "Error: no kudos #42; see `isvc kudos wall`")
    assert db.snapshot() == before
    # the last minute of the day still counts
    kd("--as", "ana", "kudos", "retract", k, env={"ISVC_NOW": "2026-11-24T09:30:00Z"})
    after = db.snapshot()
    line = error(kd("--as", "ana", "kudos", "retract", k, code=None,
                    env={"ISVC_NOW": "2026-11-24T09:30:00Z"}), 2)
    assert line == f"Error: kudos #{k} was already retracted (2026-11-24T09:30:00Z)"
    assert db.snapshot() == after


def test_retracting_a_private_kudos_keeps_the_journal_private(kd):
    number = int(kd("--as", "ana", "request", "new", "Payroll export", "--team", "it").stdout)
    k = send_id(kd, "alina", "@jim", GOOD, "--for", number, "--private")
    kd("--as", "alina", "kudos", "retract", k)
    assert [e for e in kd.json("--as", "ana", "request", "show", number)["events"]
            if e["kind"].startswith("kudos")] == []
    team = [e for e in kd.json("--as", "jim", "request", "show", number)["events"]
            if e["kind"].startswith("kudos")]
    assert [(e["kind"], e["internal"], e["from"], e["to"]) for e in team] == [
        ("kudos", True, None, None), ("kudos_retracted", True, None, None)]
