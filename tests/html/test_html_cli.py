"""`isvc report html`: what the page holds on a real desk (escaped, never an internal note
or a private kudos), the figures behind it, and how the file is written."""

from __future__ import annotations

import json
import os
import stat

import pytest

from html_desks import ADMIN, INTERNAL_MARKER, PRIVATE_MARKER, PROVIDER_MARKER
from html_sample import PAYLOADS, Page, assert_safe_page, assert_self_contained
from isvc.render.html_report import CHART_IDS
from testkit import expect_error


LATER = {"ISVC_NOW": "2026-11-23T12:00:00Z"}  # after what the desks' builds filed "now"


@pytest.fixture
def outdir(tmp_path):
    """An empty folder for the page (tmp_path also holds the desk's home)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def _report(isvc, *args, code=0, env=None):
    return isvc("--as", ADMIN, "report", "html", *args, code=code, env=env)


# -- 1. escaping, and what never reaches the page ---------------------------------------

def test_hostile_text_is_only_ever_text(hostile_desk, tmp_path):
    out = tmp_path / "report.html"
    _report(hostile_desk, "--out", out, env=LATER)
    text = out.read_text(encoding="utf-8")
    page = assert_safe_page(text)
    assert_self_contained(text)
    words = page.text
    for payload in PAYLOADS:
        assert payload in words, f"{payload!r} should show as text"
    # the places they came from: a team's and people's names, titles, a kudos message,
    # a KB title, a recurring group, a requester's comment, a waiting chain
    assert f"Mallory {PAYLOADS[1]} → Team {PAYLOADS[0]} (team)" not in words  # a person gave it
    assert f"Alina Radu → Mallory {PAYLOADS[1]}" in words
    assert f"Thanks {PAYLOADS[6]} for the printer report" in words
    assert f"Printer {PAYLOADS[0]} jams on floor 9" in words  # the group's title
    assert f"Printer jams on floor 9 {PAYLOADS[4]} {PAYLOADS[3]}" in words  # its KB article
    assert f"Comment {PAYLOADS[1]}" in words
    assert f"First {PAYLOADS[5]}" in words and f"Blocking {PAYLOADS[2]}" in words  # a chain
    assert f"Team {PAYLOADS[0]}" in words
    for marker in (INTERNAL_MARKER, PRIVATE_MARKER, PROVIDER_MARKER):
        assert marker not in text


def test_every_chart_and_section_is_there(demo, tmp_path):
    out = tmp_path / "r.html"
    _report(demo, "--out", out)
    text = out.read_text()
    page = Page(text)
    for chart_id in CHART_IDS:
        assert [t for t, _ in page.by_id(chart_id)] == ["svg"]
    assert len(text.encode()) < 1_000_000
    assert_self_contained(text)


# -- 2. the figures behind the page -----------------------------------------------------

def _collect(since="90d", team=None):
    from isvc.cli import _common
    from isvc.services.html_report import collect

    _common.reset()
    _common.GLOBAL.as_person = ADMIN
    try:
        return collect(_common.desk(), since=since, team=team)
    finally:
        _common.reset()


def test_figures_are_json_and_agree_with_the_other_reports(demo):
    data = _collect("30d")
    assert json.loads(json.dumps(data)) == data
    summary = demo.json("--as", ADMIN, "report", "--since", "30d")
    total = summary["total"]
    head = data["headline"]
    for key in ("created", "resolved", "resolution_met_pct", "first_response_met_pct",
                "first_response_median_minutes", "csat_avg", "csat_count"):
        assert head[key] == total[key], key
    assert head["open"] == summary["backlog"][-1]["open"]
    # the same first responses and ratings, counted by the page's own queries
    assert data["first_response"]["count"] == sum(b["count"] for b in data["first_response"]["buckets"])
    assert data["first_response"]["median_minutes"] == total["first_response_median_minutes"]
    assert data["csat"]["count"] == total["csat_count"]
    assert data["csat"]["average"] == total["csat_avg"]
    assert data["csat"]["csat_pct"] == total["csat_positive_pct"]
    # compliance per agreement over the period is what `agreement status` says
    status = {r["agreement"]: r for r in demo.json("--as", ADMIN, "agreement", "status")}
    assert data["compliance"], "the demo resolves requests under every agreement"
    for row in data["compliance"]:
        assert row["resolution_met_pct"] == status[row["agreement"]]["resolution_met_pct"]
        assert row["first_response_met_pct"] == status[row["agreement"]]["first_response_met_pct"]
        assert row["resolved"] == sum(w["resolved"] for w in row["weeks"])
    assert data["peak"] == demo.json("--as", ADMIN, "report", "peak", "--since", "30d")


def test_team_figures_keep_to_the_team(demo):
    data = _collect("90d", "it")
    assert data["team"] == "it" and data["desk"] == "IT Service Desk"
    agreements = {r["agreement"] for r in data["compliance"]}
    assert agreements and agreements <= {"it-standard", "it-sales"}
    for k in data["kudos"]:
        assert "it" in (k["giver_team"], k["recipient_team"])
    for c in data["csat"]["comments"]:
        assert c["team"] == "it"
    assert all(g["teams"][0]["team"] == "it" for g in data["recurring"])


def test_a_long_period_draws_no_weeks_or_days_before_the_first_request(demo, db):
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from isvc.domain.timeutil import parse_iso

    first = db.scalar("SELECT min(created_at) FROM requests")
    data = _collect("800d")
    assert data["since"] < "2024-10-01"               # the period itself is not cut
    day = parse_iso(first).astimezone(ZoneInfo(data["timezone"])).date()
    monday = day - timedelta(days=day.weekday())
    assert data["weeks"][0]["label_date"] == monday.isoformat()
    assert len(data["weeks"]) == (date(2026, 11, 23) - monday).days // 7 + 1   # not 115
    assert data["backlog"][0]["date"] == day.isoformat()
    assert data["headline"]["created"] == db.count("requests")
    for row in data["compliance"]:
        assert len(row["weeks"]) == len(data["weeks"])
    assert len(data["csat"]["weeks"]) == len(data["weeks"])


def test_a_desk_without_requests_has_no_weeks_and_still_writes_the_page(quick_desk, outdir):
    data = _collect("800d")
    assert data["weeks"] == [] and data["backlog"] == [] and data["compliance"] == []
    assert data["headline"]["open"] == 0 and data["csat"]["weeks"] == []
    out = outdir / "r.html"
    result = _report(quick_desk, "--out", out, "--since", "800d")
    assert "0 created" in result.stderr
    Page(out.read_text())


def test_kudos_highlights_are_public_standing_and_newest_first(demo, db):
    data = _collect("90d")
    ids = [k["id"] for k in data["kudos"]]
    assert ids and len(ids) <= 8
    rows = {r[0]: r for r in db.query("SELECT id, private, retracted_at, created_at FROM kudos")}
    assert all(rows[i][1] == 0 and rows[i][2] is None for i in ids)
    times = [k["created_at"] for k in data["kudos"]]
    assert times == sorted(times, reverse=True)
    newest_public = db.query("SELECT id FROM kudos WHERE private = 0 AND retracted_at IS NULL "
                             "ORDER BY created_at DESC, id DESC LIMIT 8")
    assert ids == [r[0] for r in newest_public]
    assert db.count("kudos", "private = 1") > 0, "the demo has private kudos to leave out"


def test_the_page_s_own_queries_read_through_indexes(demo, db):
    import sqlite3

    from isvc.store import report_series as series

    conn = sqlite3.connect(db.path)
    params = {"since": "2026-08-25T00:00:00Z", "until": "2026-11-23T09:30:00Z", "team": "it",
              "limit": 8}
    for team in (None, "it"):
        for sql in (series.RESOLVED_SQL, series.RESPONDED_SQL, series.RATINGS_SQL,
                    series.COMMENTS_SQL):
            plan = " | ".join(r[3] for r in conn.execute(
                "EXPLAIN QUERY PLAN " + series._team(sql, team), params))
            assert "SCAN r" not in plan and "SCAN requests" not in plan and "SCAN rt" not in plan, plan
            assert "USING" in plan and "TEMP B-TREE" not in plan, plan
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + series._team(
            series.KUDOS_SQL, team, "\n AND (k.giver_team = :team OR k.recipient_team = :team)"),
            params))
        assert "kudos_created" in plan and "SCAN k" not in plan and "TEMP B-TREE" not in plan, plan
    conn.close()


# -- 3. the file ------------------------------------------------------------------------

def test_writes_the_file_prints_its_path_and_a_summary(demo, outdir):
    out = outdir / "report.html"
    result = _report(demo, "--out", out)
    assert result.stdout == f"{out}\n"
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"Wrote {out} (")
    assert "created" in result.stderr and "on time" in result.stderr
    assert out.read_text().startswith("<!doctype html>")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert os.listdir(outdir) == ["report.html"]  # no temporary file left behind


def test_an_existing_file_is_kept_without_force(demo, outdir):
    out = outdir / "report.html"
    out.write_text("keep me")
    result = _report(demo, "--out", out, code=None)
    expect_error(result, 2, f"{out} exists; add --force to replace it or choose another --out")
    assert out.read_text() == "keep me"
    _report(demo, "--out", out, "--force")
    assert out.read_text().startswith("<!doctype html>")
    assert sorted(os.listdir(outdir)) == ["report.html"]


def test_a_link_is_never_replaced_nor_written_through(demo, outdir):
    target = outdir / "elsewhere.txt"
    target.write_text("untouched")
    link = outdir / "report.html"
    link.symlink_to(target)
    result = _report(demo, "--out", link, "--force", code=None)
    expect_error(result, 2, f"--out {link} is not a regular file (a link, device or pipe); "
                 "write to a file, or use --out - for standard output")
    assert target.read_text() == "untouched" and link.is_symlink()


def test_dash_writes_the_page_to_stdout(demo, outdir):
    result = _report(demo, "--out", "-")
    assert result.stdout.startswith("<!doctype html>") and result.stdout.endswith("</html>\n")
    assert "standard output" in result.stderr and result.stderr.count("\n") == 1
    Page(result.stdout)


@pytest.mark.parametrize("args, code, message", [
    (["--out", "{tmp}/missing/r.html"], 2,
     "--out {tmp}/missing/r.html: {tmp}/missing does not exist; choose another --out"),
    (["--out", "{tmp}"], 2, "--out {tmp} is a folder; name a file in it, e.g. {tmp}/report.html"),
    (["--out", "{tmp}/r.html", "--since", "soon"], 2,
     "--since 'soon' is not understood; use a span like 30d, 12h, 2w or a date like 2026-11-01"),
    (["--out", "{tmp}/r.html", "--since", "2030-01-01"], 2,
     "--since 2030-01-01 is not in the past (now is 2026-11-23T09:30:00Z); give a span like "
     "30d or an earlier date"),
    (["--out", "{tmp}/r.html", "--team", "nosuch"], 3, "no team 'nosuch'; see `isvc team list`"),
])
def test_bad_input_is_one_line_and_writes_nothing(demo, outdir, args, code, message):
    args = [a.format(tmp=outdir) for a in args]
    expect_error(_report(demo, *args, code=None), code, message.format(tmp=outdir))
    assert os.listdir(outdir) == []


def test_only_staff_see_the_report(demo, outdir):
    demo("--as", ADMIN, "person", "add", "guest", "--name", "Guest")
    result = demo("--as", "guest", "report", "html", "--out", outdir / "r.html", code=None)
    expect_error(result, 2, "only desk admins and team members may see reports; you are guest")
    assert os.listdir(outdir) == []


def test_a_failed_write_is_one_line_and_leaves_the_old_file(demo, outdir, monkeypatch):
    import errno

    from isvc import files

    out = outdir / "report.html"
    out.write_text("old")

    def full(target, data, mode=0o600, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "replace_atomically", full)
    expect_error(_report(demo, "--out", out, "--force", code=None), 1,
                 f"cannot write {out}: No space left on device; nothing was written")
    assert out.read_text() == "old"
