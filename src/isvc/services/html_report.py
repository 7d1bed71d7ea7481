"""The HTML report's figures: everything the page shows, as one JSON-serialisable dict.

``collect`` gathers them: the benchmarks, backlog and headline numbers from the report
service, the peak hours, the recurring problems and the longest waiting chains from theirs,
and what only the page shows from its own series (``isvc.store.report_series``):

- agreement compliance per agreement and week: the share of the clocks that stopped in the
  week (resolutions, first responses) that met their target;
- the first-response distribution: first responses given in the period, in buckets of
  business time;
- CSAT per week and the spread of the 1-5 scores (the requesters' ratings given in the
  period), with their newest comments (the requester's side is public);
- kudos highlights: the newest standing public kudos (never a private one).

Weeks start Monday 00:00 in the viewer's zone (config ``tz`` / ``ISVC_TZ``, else UTC); the
first and last week of the period may be partial. Like the daily backlog, they begin no
earlier than the week the first request in scope was filed (none without a request), so a
period reaching back years draws no empty weeks. The renderer
(``isvc.render.html_report.render``) is a pure function of this dict, and ``write`` puts
the page on disk.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, time, timedelta
from pathlib import Path

from isvc.domain.metrics import pct as _pct
from isvc.domain.metrics import quantile as _quantile
from isvc.domain.timeutil import period_start, to_iso
from isvc.errors import InvalidInput, IsvcError
from isvc.services.desk import Desk
from isvc.store import report_series as store

# First-response buckets, in business minutes: [low, high) each, the last open-ended.
FIRST_RESPONSE_EDGES = (0, 15, 30, 60, 120, 240, 480, 960, 2400)
KUDOS_LIMIT = 8
COMMENTS_LIMIT = 6
RECURRING_LIMIT = 10
CHAINS_LIMIT = 5


def weeks(start: datetime, end: datetime, tz) -> list[dict]:
    """The weeks of [start, end): Monday 00:00 in ``tz`` to the next, the first and the
    last cut at the period's ends. Each ``{"start", "end", "label_date"}`` (ISO UTC
    instants; the local date the week's part begins)."""
    out = []
    cursor = start
    local = start.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    while cursor < end:
        monday += timedelta(days=7)
        nxt = min(datetime.combine(monday, time(0), tz), end)
        out.append({"start": to_iso(cursor), "end": to_iso(nxt),
                    "label_date": cursor.astimezone(tz).date().isoformat()})
        cursor = nxt
    return out


def _week_index(week_list: list[dict]):
    starts = [w["start"] for w in week_list]

    def index(at: str) -> int | None:
        i = bisect_right(starts, at) - 1
        return i if 0 <= i < len(week_list) and at < week_list[i]["end"] else None

    return index


def compliance(week_list: list[dict], resolved: list[dict], responded: list[dict]) -> list[dict]:
    """Per agreement (by name): each week's resolution and first-response verdicts and
    the period's totals. Agreements with no stopped clock in the period are left out."""
    index = _week_index(week_list)
    n = len(week_list)
    table: dict[str, dict[str, list[int]]] = {}

    def tally(rows: list[dict], kind: str) -> None:
        for row in rows:
            i = index(row["at"])
            if i is None or row["agreement"] is None:
                continue
            counts = table.setdefault(row["agreement"], {
                "res": [0] * n, "res_met": [0] * n, "fr": [0] * n, "fr_met": [0] * n})
            counts[kind][i] += 1
            counts[f"{kind}_met"][i] += 1 if row["met"] else 0

    tally(resolved, "res")
    tally(responded, "fr")
    out = []
    for name in sorted(table):
        c = table[name]
        out.append({
            "agreement": name,
            "resolved": sum(c["res"]),
            "resolution_met": sum(c["res_met"]),
            "resolution_met_pct": _pct(sum(c["res_met"]), sum(c["res"])),
            "responded": sum(c["fr"]),
            "first_response_met": sum(c["fr_met"]),
            "first_response_met_pct": _pct(sum(c["fr_met"]), sum(c["fr"])),
            "weeks": [{"resolved": c["res"][i], "resolution_met": c["res_met"][i],
                       "resolution_met_pct": _pct(c["res_met"][i], c["res"][i]),
                       "responded": c["fr"][i], "first_response_met": c["fr_met"][i],
                       "first_response_met_pct": _pct(c["fr_met"][i], c["fr"][i])}
                      for i in range(n)],
        })
    return out


def first_response_distribution(responded: list[dict]) -> dict:
    """First responses in buckets of business minutes, with their median and p90."""
    minutes = [row["minutes"] for row in responded if row["minutes"] is not None]
    edges = FIRST_RESPONSE_EDGES
    counts = [0] * len(edges)
    for m in minutes:
        counts[bisect_right(edges, max(m, 0)) - 1] += 1
    buckets = [{"min_minutes": low, "max_minutes": edges[i + 1] if i + 1 < len(edges) else None,
                "count": counts[i]} for i, low in enumerate(edges)]
    return {"count": len(minutes), "met": sum(1 for row in responded if row["met"]),
            "median_minutes": _quantile(minutes, 0.5), "p90_minutes": _quantile(minutes, 0.9),
            "buckets": buckets}


def csat(week_list: list[dict], ratings: list[dict], comments: list[dict]) -> dict:
    """The requesters' ratings: average and CSAT (share of 4-5) per week and overall, and
    how many of each score."""
    index = _week_index(week_list)
    n = len(week_list)
    count, points, happy = [0] * n, [0] * n, [0] * n
    scores = [0] * 5
    for row in ratings:
        score = int(row["score"])
        if not 1 <= score <= 5:
            continue
        scores[score - 1] += 1
        i = index(row["at"])
        if i is None:
            continue
        count[i] += 1
        points[i] += score
        happy[i] += score >= 4
    total = sum(scores)
    return {
        "count": total,
        "average": round(sum((s + 1) * c for s, c in enumerate(scores)) / total, 2) if total else None,
        "csat_pct": _pct(scores[3] + scores[4], total),
        "scores": [{"score": s + 1, "count": c} for s, c in enumerate(scores)],
        "weeks": [{"count": count[i], "average": round(points[i] / count[i], 2) if count[i] else None,
                   "csat_pct": _pct(happy[i], count[i])} for i in range(n)],
        "comments": [{"number": c["number"], "score": c["score"], "comment": c["comment"],
                      "rated_at": c["rated_at"], "team": c["team"], "title": c["title"]}
                     for c in comments],
    }


def kudos_highlights(rows: list[dict]) -> list[dict]:
    return [{
        "id": r["id"], "from": r["giver"], "from_name": r["giver_name"], "to": r["recipient"],
        "to_kind": r["to_kind"], "to_name": r["recipient_name"], "value": r["value"],
        "message": r["message"], "request": r["request"], "lateral": bool(r["lateral"]),
        "giver_team": r["giver_team"], "recipient_team": r["recipient_team"],
        "created_at": r["created_at"],
    } for r in rows]


def _desk_name(desk: Desk, team: str | None, names: dict[str, str]) -> str:
    if team:
        return names.get(team, team)
    from isvc.domain.replies import DEFAULT_DESK_NAME, desk_name

    name = desk_name((desk.config.get("mail") or {}).get("address"))
    return "Service desk" if name == DEFAULT_DESK_NAME else name


def _first_week(desk: Desk, team: str | None, start: datetime, tz) -> datetime | None:
    """Where the weeks begin: at ``start``, or on the Monday of the week the first request
    in scope was filed when that is later; None when there is no request."""
    from isvc.domain.timeutil import parse_iso
    from isvc.store.reports import first_created

    first = first_created(desk.conn, team)
    if first is None:
        return None
    local = parse_iso(first).astimezone(tz).date()
    return max(start, datetime.combine(local - timedelta(days=local.weekday()), time(0), tz))


def collect(desk: Desk, since: str = "90d", team: str | None = None) -> dict:
    """Every figure the HTML report shows, JSON-serialisable (see the module's doc)."""
    from isvc.services import recurring, reports, ripple
    from isvc.services.kudos import week_zone

    desk.require_staff("see reports")  # as every report: desk admins and team members
    start = period_start(since, desk.now)
    if team:
        from isvc.services.directory import require_team

        team = require_team(desk, team)
    tz = week_zone(desk)
    since_iso, until_iso = to_iso(start), desk.now_iso
    first_week = _first_week(desk, team, start, tz)
    week_list = [] if first_week is None else weeks(first_week, desk.now, tz)
    conn = desk.conn
    names = store.team_names(conn)

    summary = reports.summary(desk, team=team, since=since, by="team")
    peak = reports.peak(desk, team=team, since=since)
    groups = recurring.groups(desk, since=since, team=team, min_size=3, limit=RECURRING_LIMIT)
    chains = ripple.longest_chains(desk, team=team, limit=CHAINS_LIMIT)

    resolved = store.resolution_verdicts(conn, since_iso, until_iso, team)
    responded = store.first_responses(conn, since_iso, until_iso, team)
    ratings = store.requester_ratings(conn, since_iso, until_iso, team)
    comments = store.requester_comments(conn, since_iso, until_iso, team, COMMENTS_LIMIT)
    kudos = store.public_kudos(conn, since_iso, until_iso, team, KUDOS_LIMIT)

    total = summary.get("total") or {}
    backlog = summary.get("backlog") or []
    from isvc import __version__

    return {
        "desk": _desk_name(desk, team, names),
        "team": team,
        "team_names": names,
        "since": since_iso,
        "until": until_iso,
        "generated_at": desk.now_iso,
        "timezone": str(getattr(tz, "key", None) or tz),
        "version": __version__,
        "headline": {
            "created": total.get("created"),
            "resolved": total.get("resolved"),
            "open": total.get("backlog_end"),
            "resolution_met_pct": total.get("resolution_met_pct"),
            "first_response_met_pct": total.get("first_response_met_pct"),
            "first_response_median_minutes": total.get("first_response_median_minutes"),
            "first_response_p90_minutes": total.get("first_response_p90_minutes"),
            "resolution_median_minutes": total.get("resolution_median_minutes"),
            "csat_avg": total.get("csat_avg"),
            "csat_count": total.get("csat_count"),
            "out_of_hours_pct": peak.get("out_of_hours_pct"),
        },
        "weeks": week_list,
        "compliance": compliance(week_list, resolved, responded),
        "first_response": first_response_distribution(responded),
        "peak": peak,
        "backlog": backlog,
        "csat": csat(week_list, ratings, comments),
        "kudos": kudos_highlights(kudos),
        "recurring": list(groups)[:RECURRING_LIMIT],
        "chains": list(chains)[:CHAINS_LIMIT],
    }


def check_target(out: str, force: bool) -> Path | None:
    """Where ``--out`` writes (None: standard output), refused before any work as
    ``files.output_target`` says."""
    from isvc.files import output_target

    return output_target(out, force)


def write(path: Path, page: str, force: bool) -> int:
    """Write the page whole or not at all (a reader sees the old file or the new one),
    readable by its owner only, as the desk's other files. Returns its size in bytes."""
    from isvc import files

    data = page.encode("utf-8")
    if not force and path.exists():  # created while the report was being made
        raise InvalidInput(f"{path} exists; add --force to replace it or choose another --out")
    try:
        files.replace_atomically(path, data, 0o600)
    except OSError as exc:
        raise IsvcError(f"cannot write {path}: {exc.strerror or exc}; nothing was written") from None
    return len(data)
