"""Service benchmarks (`isvc report`) and peak hours (`isvc report peak`).

``summary`` measures the period [since, now) per group of requests (their provider team,
type, assignee, or customer team: the requester's primary team):

- volume: ``created`` (filed in the period); ``resolved`` (its resolution, not since
  reopened, fell in the period); ``closed`` and ``cancelled`` (closed in the period);
  ``backlog_start`` and ``backlog_end``: open at the period's start and end. A request is
  open from its filing until it is resolved (or cancelled, or closed without a
  resolution), and again from a reopen, so ``backlog_end = backlog_start + created -
  (resolved + cancelled + closed without resolution)`` when nothing is dated after now;
- times, in business minutes of each request's own calendar (its agreement's, as its
  clocks are stored): to the first response (the responses in the period), handling (the
  business time a request resolved in the period spent in ``in_progress``, over every
  spell, from its journal; requests never in progress are not measured) and to
  resolution (pauses excluded, as the agreement counts it); median and p90, nearest-rank;
- compliance: the share of first responses and of resolutions in the period that met
  their agreement's target; ``breached``: requests whose clock breached in the period;
- ``reopened``: reopens (status ``resolved`` -> ``in_progress``) in the period, and
  ``reopen_rate_pct`` their number per 100 resolved;
- CSAT: the requesters' ratings given in the period (average, count, share of 4-5);
- lateral help (assignments in the period to someone outside the request's team):
  ``lateral_received`` on the group's requests (null by assignee; the total counts them
  all); ``lateral_given`` by the group's people (a team's members, or the assignee), on
  any team's requests (null by type). A helper in two teams counts for each of their
  teams, so by team (or customer team) the rows' ``lateral_given`` can add up to more than
  the total, which counts each lateral assignment once. A team's row can show help given
  though it provides none of the requests in scope (its people helped other teams); with
  ``--team T`` (by team) the report is T's requests, and its ``lateral_given`` is the help
  T's people gave only when T has a row (a request of T alive in the period), else 0;
- the three phases skipped: ``closed_without_message`` (resolved in the period, or closed
  without a resolution, by a status change carrying no message) and
  ``never_acknowledged`` (finished in the period, cancelled included, with no first
  response).

``backlog`` is the daily trend of the whole scope, per local date of the viewer's zone
(config ``tz`` or ISVC_TZ, else UTC): the requests filed that day, those that left the
backlog (``resolved``: resolved, cancelled, or closed without a resolution) and the open
count at the day's end (the last day's is ``total.backlog_end``). It starts on the
period's first day, or on the day the first request in scope was filed when that is later
(``--since 0001-01-01`` does not list two thousand years of empty days; the period's
figures still cover the whole period); with no request in scope it is ``[]``.

``peak`` bins the arrivals by weekday and hour and counts those that came out of hours.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby

from isvc.domain import metrics
from isvc.domain.timeutil import parse_iso, period_start, to_iso
from isvc.errors import InvalidInput
from isvc.services.desk import Desk
from isvc.store import reports as store

BY = ("team", "type", "assignee", "customer")

# The keys of a summary row, in order: JSON objects, TSV/CSV columns (a contract).
COLUMNS = [
    "group", "created", "resolved", "closed", "cancelled", "backlog_start", "backlog_end",
    "first_response_median_minutes", "first_response_p90_minutes",
    "handling_median_minutes", "handling_p90_minutes",
    "resolution_median_minutes", "resolution_p90_minutes",
    "first_response_met_pct", "resolution_met_pct", "breached", "reopened", "reopen_rate_pct",
    "csat_avg", "csat_count", "csat_positive_pct", "lateral_given", "lateral_received",
    "closed_without_message", "never_acknowledged",
]
SUMMARY_KEYS = ["since", "until", "team", "by", "rows", "total", "backlog"]
BACKLOG_KEYS = ["date", "open", "created", "resolved"]
PEAK_KEYS = ["since", "until", "team", "calendar", "timezone", "weekdays", "cells",
             "business_hours", "total", "out_of_hours", "out_of_hours_pct", "busiest",
             "urgent_out_of_hours"]
PEAK_COLUMNS = ["weekday"] + [f"h{hour:02d}" for hour in range(24)]
TOTAL = "all"  # the total row's group

_COUNTS = ("created", "resolved", "closed", "cancelled", "backlog_start", "backlog_end",
           "fr_measured", "fr_met", "res_measured", "res_met", "breached", "never_acknowledged")


def zone_name(desk: Desk) -> str:
    """The viewer's zone: config ``tz`` (or ISVC_TZ), else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = desk.config.get("tz")
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r} in config tz / ISVC_TZ; use an IANA "
                           "name like Europe/Bucharest") from None
    return name


def _scope(desk: Desk, team: str | None, since: str) -> tuple[str | None, datetime]:
    """Who may look, which team, and where the period starts."""
    desk.require_staff("see reports")
    start = period_start(since, desk.now)
    if team:
        from isvc.services.directory import require_team

        team = require_team(desk, team)
    return team, start


class _Group:
    """What one row accumulates beyond the SQL counts."""

    __slots__ = ("first_response", "handling", "resolution", "reopened",
                 "closed_without_message", "given", "received")

    def __init__(self) -> None:
        self.first_response: list[int] = []
        self.handling: list[int] = []
        self.resolution: list[int] = []
        self.reopened = 0
        self.closed_without_message = 0
        self.given: set[int] | None = set()
        self.received: int | None = 0


def _row(group, counts: dict, acc: _Group, csat: dict) -> dict:
    ratings, points, happy = csat.get("ratings", 0), csat.get("points") or 0, csat.get("happy") or 0
    resolved = counts["resolved"]
    return {
        "group": group,
        "created": counts["created"],
        "resolved": resolved,
        "closed": counts["closed"],
        "cancelled": counts["cancelled"],
        "backlog_start": counts["backlog_start"],
        "backlog_end": counts["backlog_end"],
        "first_response_median_minutes": metrics.quantile(acc.first_response, 0.5),
        "first_response_p90_minutes": metrics.quantile(acc.first_response, 0.9),
        "handling_median_minutes": metrics.quantile(acc.handling, 0.5),
        "handling_p90_minutes": metrics.quantile(acc.handling, 0.9),
        "resolution_median_minutes": metrics.quantile(acc.resolution, 0.5),
        "resolution_p90_minutes": metrics.quantile(acc.resolution, 0.9),
        "first_response_met_pct": metrics.pct(counts["fr_met"], counts["fr_measured"]),
        "resolution_met_pct": metrics.pct(counts["res_met"], counts["res_measured"]),
        "breached": counts["breached"],
        "reopened": acc.reopened,
        "reopen_rate_pct": metrics.pct(acc.reopened, resolved),
        "csat_avg": round(points / ratings, 2) if ratings else None,
        "csat_count": ratings,
        "csat_positive_pct": metrics.pct(happy, ratings),
        "lateral_given": None if acc.given is None else len(acc.given),
        "lateral_received": acc.received,
        "closed_without_message": acc.closed_without_message,
        "never_acknowledged": counts["never_acknowledged"],
    }


def _order(row: dict) -> tuple:
    # busiest first; the requests without a type, assignee or customer team last
    return (-row["created"], -row["resolved"], -row["backlog_end"], row["group"] is None,
            row["group"] or "")


class _Groups(dict):
    """The rows' accumulators by group, made on first use."""

    def __init__(self, by: str) -> None:
        super().__init__()
        self.by = by

    def __missing__(self, key) -> _Group:
        acc = self[key] = _Group()
        if self.by == "type" or key is None:
            acc.given = None  # a type, or nobody, has no people to give help
        if self.by == "assignee":
            acc.received = None  # a person's help received is the help they gave
        return acc


def _measure(groups: _Groups, rows: list[tuple], journal: dict[int, list[tuple]], cals: dict,
             lo: str, hi: str) -> tuple[list[str], list[str]]:
    """Times, reopens and closing messages of the period's requests into their groups;
    returns the instants they arrived and left the backlog within the period."""
    from isvc.domain.businesstime import business_minutes_in

    created, finished = [], []
    for number, key, cal_name, created_at, finished_at, fr, res, resolved, unresolved in rows:
        acc = groups[key]
        if created_at >= lo:
            created.append(created_at)
        if finished_at is not None and lo <= finished_at < hi:
            finished.append(finished_at)
        if fr is not None:
            acc.first_response.append(fr)
        if res is not None:
            acc.resolution.append(res)
        events = journal.get(number, ())
        acc.reopened += sum(1 for _, at, old, new, _ in events
                            if old == "resolved" and new == "in_progress" and lo <= at < hi)
        if resolved or unresolved:
            closing = [e for e in events if e[3] == ("resolved" if resolved else "closed")]
            if closing and not (closing[-1][4] or "").strip():
                acc.closed_without_message += 1
        if resolved and cal_name in cals:
            spells = metrics.spells(((at, old, new) for _, at, old, new, _ in events),
                                    "in_progress")
            if spells:
                acc.handling.append(business_minutes_in(
                    cals[cal_name], [(parse_iso(a), parse_iso(b)) for a, b in spells]))
    return created, finished


def _lateral(desk: Desk, groups: _Groups, team: str | None, lo: str, hi: str) -> tuple[int, set]:
    """Lateral assignments of the period into the groups: received by the group's requests
    (in scope), given by its people (on any team's requests). Returns the scope's totals:
    how many were received, and which were given."""
    by = groups.by
    members = store.memberships(desk.conn) if by in ("team", "customer") else {}
    received, given = 0, set()
    for event in store.lateral_events(desk.conn, lo, hi, by):
        if team is None or event["team"] == team:
            received += 1
            if by != "assignee":
                groups[event["grp"]].received += 1
        if by == "type":
            continue
        helpers = (event["helper"],) if by == "assignee" else members.get(event["helper"], ())
        for key in helpers:
            if team is None or key in groups:  # with --team, only the team's own rows
                groups[key].given.add(event["id"])
                given.add(event["id"])
    return received, given


def series_start(desk: Desk, team: str | None, start: datetime, tz: str) -> datetime | None:
    """Where a per-day series of the period from ``start`` begins: at ``start``, or at
    local midnight of the day the first request in scope was filed when that is later
    (a period reaching back years draws no empty days). None when there is no request."""
    first = store.first_created(desk.conn, team)
    if first is None:
        return None
    return max(start, metrics.local_day_start(parse_iso(first), tz))


def _backlog(desk: Desk, team: str | None, start: datetime, tz: str, open_at_start: int,
             created: list[str], finished: list[str]) -> list[dict]:
    begin = series_start(desk, team, start, tz)
    if begin is None:
        return []
    # a series that begins after the period's start begins before any request in scope
    # was filed, when none was open: open_at_start is 0 then, as it is at the start
    days = metrics.local_days(begin, desk.now, tz)
    return metrics.backlog_series(open_at_start, created, finished, days)


def summary(desk: Desk, team: str | None = None, since: str = "30d", by: str = "team") -> dict:
    """The benchmarks of the period from ``since`` (30d, 12w, a date) to now, one row per
    ``by`` group of the requests (to ``team`` when given), their total and the daily
    backlog. The shape of `isvc report --json` (see the module's doc)."""
    from isvc.services.sla import calendars

    if by not in BY:
        raise InvalidInput(f"unknown --by {by!r}; use one of: {', '.join(BY)}")
    team, start = _scope(desk, team, since)
    tz = zone_name(desk)
    conn, lo, hi = desk.conn, to_iso(start), desk.now_iso
    counts = {row.pop("grp"): row for row in store.summary_counts(conn, lo, hi, team, by)}
    rows = store.period_rows(conn, lo, hi, team, by)
    journal = {number: list(events) for number, events in groupby(
        store.status_events(conn, [r[0] for r in rows]), key=lambda e: e[0])}
    groups = _Groups(by)
    created, finished = _measure(groups, rows, journal, calendars(conn), lo, hi)
    received, given = _lateral(desk, groups, team, lo, hi)
    csat = {row.pop("grp"): row for row in store.csat_totals(conn, lo, hi, team, by)}

    empty = dict.fromkeys(_COUNTS, 0)
    keys = set(counts) | set(groups) | set(csat)
    out = sorted((_row(key, counts.get(key, empty), groups[key], csat.get(key, {}))
                  for key in keys), key=_order)

    whole = _Group()
    for acc in groups.values():
        whole.first_response += acc.first_response
        whole.handling += acc.handling
        whole.resolution += acc.resolution
        whole.reopened += acc.reopened
        whole.closed_without_message += acc.closed_without_message
    whole.received = received
    whole.given = None if by == "type" else given
    sums = {k: sum(c[k] for c in counts.values()) for k in _COUNTS}
    ratings = {k: sum(c[k] or 0 for c in csat.values()) for k in ("ratings", "points", "happy")}
    total = _row(TOTAL, sums, whole, ratings)

    backlog = _backlog(desk, team, start, tz, sums["backlog_start"], created, finished)
    return {"since": lo, "until": hi, "team": team, "by": by, "rows": out, "total": total,
            "backlog": backlog}


def csv_rows(report: dict) -> list[dict]:
    """The summary's rows then its total (group "all"): CSV, TSV and NDJSON."""
    return report["rows"] + [report["total"]]


# -- peak hours ------------------------------------------------------------------------------


def _offset_minutes(tz: str, at: datetime) -> int:
    from zoneinfo import ZoneInfo

    return int(at.astimezone(ZoneInfo(tz)).utcoffset().total_seconds() // 60)


def peak(desk: Desk, team: str | None = None, since: str = "90d") -> dict:
    """Arrivals of the period from ``since`` to now by weekday (Monday first) and hour,
    read in the team's calendar zone (the calendar of its default agreement) or, for every
    team, in the viewer's zone against the calendar that governed most arrivals; how many
    arrived out of hours, each judged against its own team's calendar, holidays included.
    The shape of `isvc report peak --json`."""
    from zoneinfo import ZoneInfo

    from isvc.domain.clocks import is_business_instant
    from isvc.services.sla import calendars

    team, start = _scope(desk, team, since)
    conn, lo, hi = desk.conn, to_iso(start), desk.now_iso
    cals = calendars(conn)
    own = store.team_calendars(conn)
    if team:
        name = own.get(team)
        tz = cals[name].tz if name in cals else zone_name(desk)
    else:
        name, tz = store.most_used_calendar(conn, lo, hi), zone_name(desk)
    if name not in cals:
        name = None
    zone = ZoneInfo(tz)
    by_agreement = store.agreement_calendars(conn)
    local, out_of_hours, urgent = [], 0, 0
    for created_at, priority, agreement, req_team in store.arrivals(conn, lo, hi, team):
        t = parse_iso(created_at)
        local.append(t.astimezone(zone))
        cal = cals.get(by_agreement.get(agreement) or own.get(req_team))
        if cal is not None and not is_business_instant(cal, t):
            out_of_hours += 1
            urgent += priority == "urgent"
    cells = metrics.heatmap(local)
    if name is None:
        hours = [[False] * 24 for _ in range(7)]
    else:
        shift = _offset_minutes(cals[name].tz, desk.now) - _offset_minutes(tz, desk.now)
        hours = metrics.hour_mask(cals[name].hours, shift)
    return {
        "since": lo,
        "until": hi,
        "team": team,
        "calendar": name,
        "timezone": tz,
        "weekdays": list(metrics.WEEKDAYS),
        "cells": cells,
        "business_hours": hours,
        "total": len(local),
        "out_of_hours": out_of_hours,
        "out_of_hours_pct": metrics.pct(out_of_hours, len(local)),
        "busiest": metrics.busiest(cells),
        "urgent_out_of_hours": urgent,
    }


def peak_rows(report: dict) -> list[dict]:
    """One row per weekday: weekday, h00..h23 (CSV, TSV, NDJSON)."""
    return [{"weekday": day, **{f"h{hour:02d}": n for hour, n in enumerate(row)}}
            for day, row in zip(report["weekdays"], report["cells"])]
