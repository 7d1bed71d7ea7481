"""The weekly giving allowance: counted from Monday 00:00 in the viewer's zone (UTC when
none is configured), refused with when it refreshes, retracted kudos given back."""

from __future__ import annotations

from .helpers import error, send

MON = "2026-11-23T09:30:00Z"          # Monday 11:30 in Bucharest (the pinned clock)
SUN_LAST = "2026-11-29T21:59:00Z"     # Sunday 23:59 in Bucharest
MON_NEXT = "2026-11-29T22:00:00Z"     # Monday 00:00 in Bucharest
MESSAGES = [f"Thanks for the help with task number {n}" for n in range(10)]


def test_unlimited_by_default(kd):
    for message in MESSAGES[:6]:
        send(kd, "ana", "@jim", message)
    data = kd.json("--as", "ana", "kudos", "allowance")
    assert data == {"person": "ana", "allowance_per_week": 0, "used": 6, "left": None,
                    "week_start": "2026-11-22T22:00:00Z", "refreshes_at": None}


def test_over_the_allowance_is_refused_with_when_it_refreshes(kd, db):
    kd("config", "set", "kudos.allowance_per_week", "2")
    first = send(kd, "ana", "@jim", MESSAGES[0])
    assert first.stderr.splitlines()[1] == "1 of 2 left this week; refreshes Mon 30 Nov 00:00 (in 6d 12h)."
    send(kd, "ana", "+it", MESSAGES[1])
    before = db.snapshot()
    line = error(send(kd, "ana", "@alina", MESSAGES[2], code=None), 2)
    assert line == ("Error: you have given all 2 kudos of this week's allowance; it refreshes "
                    "Mon 30 Nov 00:00 (in 6d 12h)")
    assert db.snapshot() == before
    # someone else's allowance is their own
    send(kd, "jim", "@ana", MESSAGES[3])


def test_the_week_refreshes_monday_midnight_in_the_viewers_zone(kd):
    kd("config", "set", "kudos.allowance_per_week", "1")
    send(kd, "ana", "@jim", MESSAGES[0])
    line = error(send(kd, "ana", "@jim", MESSAGES[1], code=None, env={"ISVC_NOW": SUN_LAST}), 2)
    assert line.endswith("it refreshes Mon 30 Nov 00:00 (in 1m)")
    assert kd.json("--as", "ana", "kudos", "allowance", env={"ISVC_NOW": SUN_LAST})["left"] == 0
    fresh = kd.json("--as", "ana", "kudos", "allowance", env={"ISVC_NOW": MON_NEXT})
    assert fresh == {"person": "ana", "allowance_per_week": 1, "used": 0, "left": 1,
                     "week_start": "2026-11-29T22:00:00Z", "refreshes_at": "2026-12-06T22:00:00Z"}
    send(kd, "ana", "@jim", MESSAGES[1], env={"ISVC_NOW": MON_NEXT})
    error(send(kd, "ana", "@jim", MESSAGES[2], code=None, env={"ISVC_NOW": MON_NEXT}), 2)


def test_without_a_zone_weeks_start_monday_midnight_utc(kd):
    kd("config", "set", "kudos.allowance_per_week", "1")
    utc = {"ISVC_TZ": None}
    send(kd, "ana", "@jim", MESSAGES[0], env=utc)
    # Monday 01:00 in Bucharest, still Sunday in UTC: the same UTC week
    at = {"ISVC_TZ": None, "ISVC_NOW": "2026-11-29T23:00:00Z"}
    line = error(send(kd, "ana", "@jim", MESSAGES[1], code=None, env=at), 2)
    assert line.endswith("it refreshes Mon 30 Nov 00:00 UTC (in 1h)")
    data = kd.json("--as", "ana", "kudos", "allowance", env=at)
    assert (data["week_start"], data["refreshes_at"]) == ("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
    send(kd, "ana", "@jim", MESSAGES[1], env={"ISVC_TZ": None, "ISVC_NOW": "2026-11-30T00:00:00Z"})


def test_retracted_kudos_do_not_count(kd):
    kd("config", "set", "kudos.allowance_per_week", "1")
    send(kd, "ana", "@jim", MESSAGES[0])
    error(send(kd, "ana", "@alina", MESSAGES[1], code=None), 2)
    kd("--as", "ana", "kudos", "retract", "1")
    assert kd.json("--as", "ana", "kudos", "allowance")["left"] == 1
    send(kd, "ana", "@alina", MESSAGES[1])


def test_allowance_views(kd):
    kd("config", "set", "kudos.allowance_per_week", "5")
    send(kd, "ana", "@jim", MESSAGES[0])
    table = kd("--as", "ana", "kudos", "allowance", env={"ISVC_FORCE_TABLE": "1", "NO_COLOR": "1"}).stdout
    assert "ana: 4 of 5 kudos left this week (1 given)." in table
    assert "Refreshes Mon 30 Nov 00:00 (in 6d 12h)." in table
    tsv = kd("--as", "ana", "kudos", "allowance").stdout
    assert tsv == "ana\t5\t1\t4\t2026-11-22T22:00:00Z\t2026-11-29T22:00:00Z\n"


def test_a_bad_allowance_in_the_config_file_is_refused(kd, isvc_home):
    with open(isvc_home / "config.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[kudos]\nallowance_per_week = -3\n')
    line = error(send(kd, "ana", "@jim", MESSAGES[0], code=None), 2)
    assert line.startswith("Error: config kudos.allowance_per_week is -3; use a whole number, "
                           "0 for unlimited")
