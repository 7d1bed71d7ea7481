"""`isvc kudos wall` and `isvc kudos leaderboard`: newest first, private kudos only for
their giver, receiver and admins, retracted ones hidden, opted-out people never shown."""

from __future__ import annotations

import re

from .helpers import error, send, send_id

TABLE = {"ISVC_FORCE_TABLE": "1", "NO_COLOR": "1", "COLUMNS": "100"}


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _ids(rows) -> list[int]:
    return [r["id"] for r in rows]


def _wall(isvc, who, *args, **kw):
    return isvc.json("--as", who, "kudos", "wall", *args, **kw)


def test_wall_is_newest_first_with_limit_since_and_team(kd):
    old = send_id(kd, "jim", "@alina", "Thanks for the handover notes last month",
                  env={"ISVC_NOW": "2026-11-10T09:00:00Z"})
    a = send_id(kd, "ana", "@jim", "Thanks for fixing the payroll export",
                env={"ISVC_NOW": "2026-11-21T09:00:00Z"})
    b = send_id(kd, "mihai", "+payroll", "The commission statements were spot on",
                env={"ISVC_NOW": "2026-11-22T09:00:00Z"})
    c = send_id(kd, "alina", "@boss", "Thanks for approving the budget so quickly")
    assert _ids(_wall(kd, "mihai")) == [c, b, a, old]
    assert _ids(_wall(kd, "mihai", "--limit", "2")) == [c, b]
    assert _ids(_wall(kd, "mihai", "--since", "7d")) == [c, b, a]
    assert _ids(_wall(kd, "mihai", "--team", "payroll")) == [b, a]  # received or given
    assert _ids(_wall(kd, "mihai", "--team", "+sales")) == [b]
    assert error(kd("kudos", "wall", "--team", "payrol", code=None), 3).startswith(
        "Error: no team 'payrol' (did you mean 'payroll'?)")
    assert error(kd("kudos", "wall", "--since", "lately", code=None), 2).startswith(
        "Error: --since 'lately' is not understood")
    assert error(kd("kudos", "wall", "--limit", "0", code=None), 2) == "Error: --limit must be at least 1"


def test_private_kudos_are_seen_by_giver_receiver_and_admins_only(kd):
    private = send_id(kd, "jim", "@ana", "Thanks for staying late to rerun the export", "--private")
    public = send_id(kd, "jim", "@alina", "Thanks for the clear handover on the VPN case")
    for who in ("jim", "ana", "boss"):
        assert _ids(_wall(kd, who)) == [public, private], who
        assert kd.json("--as", who, "kudos", "show", private)["private"] is True
    for who in ("alina", "mihai"):
        assert _ids(_wall(kd, who)) == [public], who
        line = error(kd("--as", who, "kudos", "show", private, code=None), 2)
        assert line == f"Error: kudos #{private} is private: only its giver and receiver see it"


def test_a_private_kudos_to_a_team_is_seen_by_its_members(kd):
    k = send_id(kd, "ana", "+it", "Thanks for the quiet fix on the payroll server", "--private")
    assert _ids(_wall(kd, "alina")) == [k]
    assert _ids(_wall(kd, "mihai")) == []


def test_retracted_kudos_leave_the_wall(kd):
    k = send_id(kd, "ana", "@jim", "Thanks for fixing the payroll export")
    kd("--as", "ana", "kudos", "retract", k)
    assert _wall(kd, "ana") == []
    assert kd.json("--as", "ana", "kudos", "show", k)["retracted_by"] == "ana"


def test_wall_panels(kd):
    number = int(kd("--as", "jim", "request", "new", "Payroll export", "--team", "payroll").stdout)
    send(kd, "jim", "@ana", "Thanks for fixing the payroll export before the deadline, you saved "
         "the whole close.", "--value", "ownership", "--for", number,
         env={"ISVC_NOW": "2026-11-21T09:30:00Z"})
    send(kd, "mihai", "+it", "The move to the 3rd floor went without a single lost box. Thank you all.",
         "--value", "teamwork")
    out = plain(kd("--as", "mihai", "kudos", "wall", env=TABLE).stdout)
    lines = out.splitlines()
    assert lines[0].startswith("╭─ mihai → +it · teamwork ─")
    assert lines[0].endswith("─ just now ─╮")
    assert "The move to the 3rd floor went without a single lost box. Thank you all." in lines[1]
    assert lines[2].endswith(" lateral: Sales → IT Service Desk ─╯")
    assert lines[3].startswith(f"╭─ jim → ana · ownership · for #{number} Payroll export ─")
    assert lines[3].endswith("─ 2 days ago ─╮")
    assert lines[-1].endswith(" lateral: IT Service Desk → Payroll ─╯")
    assert all(len(line) == 100 for line in lines)
    empty = kd("--as", "mihai", "kudos", "wall", "--team", "payroll", "--since", "1h", env=TABLE).stdout
    assert "No kudos here yet" in empty


def test_wall_tsv_and_ndjson(kd):
    send(kd, "ana", "@jim", "Thanks for fixing\tthe payroll export")
    assert kd("kudos", "wall").stdout == (
        "1\t2026-11-23T09:30:00Z\tana\tjim\tperson\t\t\ttrue\tfalse\tThanks for fixing the payroll export\n")
    import json

    lines = kd("kudos", "wall", "--format", "ndjson").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1]


# -- the leaderboard --------------------------------------------------------------------

def _board(isvc, *args, **kw):
    return isvc.json("--as", "mihai", "kudos", "leaderboard", *args, **kw)


def test_leaderboard_counts_received_given_and_lateral(kd):
    send(kd, "ana", "@jim", "Thanks for fixing the payroll export", "--value", "ownership")
    send(kd, "alina", "@jim", "Thanks for pairing on the VPN gateway", "--value", "teamwork")
    send(kd, "jim", "+payroll", "Thanks all for the smooth year-end close", "--value", "teamwork")
    send(kd, "jim", "@ana", "A private thank-you does not count on boards", "--private")
    send(kd, "mihai", "@alina", "Long ago, outside the thirty day window",
         env={"ISVC_NOW": "2026-10-01T09:00:00Z"})
    rows = _board(kd)
    assert [(r["rank"], r["person"], r["received"], r["given"], r["lateral_share_pct"]) for r in rows] == [
        (1, "jim", 2, 1, 67), (2, "alina", 0, 1, 0), (3, "ana", 0, 1, 100)]
    assert rows[0] == {"person": "jim", "received": 2, "given": 1, "lateral_received": 1,
                       "lateral_given": 1, "lateral_share_pct": 67, "rank": 1,
                       "name": "Jim Ionescu", "team": "it"}
    assert [r["person"] for r in _board(kd, "--since", "90d")][:2] == ["jim", "alina"]
    assert [r["person"] for r in _board(kd, "--limit", "1")] == ["jim"]
    teams = _board(kd, "--by", "team")
    assert [(r["team"], r["name"], r["received"], r["given"]) for r in teams] == [
        ("it", "IT Service Desk", 2, 2), ("payroll", "Payroll", 1, 1)]
    values = _board(kd, "--by", "value")
    assert [(r["value"], r["kudos"], r["lateral"]) for r in values] == [
        ("teamwork", 2, 1), ("ownership", 1, 1)]
    assert error(kd("kudos", "leaderboard", "--by", "dept", code=None), 2).startswith(
        "Error: --by 'dept' is not known; use one of: person, team, value")


def test_people_who_opted_out_never_appear(kd):
    send(kd, "ana", "@jim", "Thanks for fixing the payroll export")
    send(kd, "jim", "@alina", "Thanks for taking the late shift")
    kd("--as", "jim", "person", "edit", "me", "--no-leaderboard")
    rows = _board(kd)
    assert [r["person"] for r in rows] == ["alina", "ana"]
    table = plain(kd("--as", "mihai", "kudos", "leaderboard", env=TABLE).stdout)
    assert "jim" not in table.replace("Jim", "")
    # their kudos still count for their team
    assert [(r["team"], r["received"], r["given"]) for r in _board(kd, "--by", "team")][0] == ("it", 2, 1)
    kd("--as", "jim", "person", "edit", "me", "--leaderboard")
    assert [r["person"] for r in _board(kd)][0] == "jim"


def test_leaderboard_table(kd):
    send(kd, "ana", "@jim", "Thanks for fixing the payroll export")
    out = plain(kd("kudos", "leaderboard", env=TABLE).stdout)
    assert "Kudos by person · last 30d" in out
    assert "Jim Ionescu" in out and "1 (100%)" in out
    assert "No kudos since 2026-11-23" in kd("kudos", "leaderboard", "--since", "2026-11-23",
                                            "--by", "value", env=TABLE).stdout
