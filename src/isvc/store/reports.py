"""The SQL of the service reports (`isvc report`, `isvc report peak`).

A period is [since, until) of stored instants (ISO UTC text, which orders like time).
Plain counting happens here, grouped in SQL; business time and quantiles are the
service's, over the rows of the period only:

- ``summary_counts``: one pass over the requests, grouped by the report's dimension.
  There is no index on ``closed_at``, and the backlog at the period's start needs the
  requests still open then, so this reads the table (under 0.1 s per 100,000 rows), as
  do ``period_rows`` (the requests alive in the period: open at some instant of it, or
  answered, resolved or closed in it) and ``lateral_events``;
- ``status_events`` and ``lateral_events``: the journal of those requests only, through
  ``events_number`` (never the whole journal);
- ``csat_totals``: ratings given in the period, through ``ratings_side_rated``;
- ``arrivals``: requests filed in the period, through ``requests_created`` (or
  ``requests_team_created``); ``first_created``: the first filing of all, the same way.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from isvc.domain.models import OPEN_SQL

# What the rows of `isvc report --by X` are: an expression over requests r and, for the
# customer team, the requester p.
GROUPS = {
    "team": "r.team",
    "type": "r.type",
    "assignee": "r.assignee",
    "customer": "p.primary_team",
}

# The instant a request left the backlog: resolved (closed ones were resolved first), or
# closed or cancelled without being resolved; NULL while it is open. A reopened request
# has its resolved_at cleared, so it is open again.
FINISH = "coalesce(r.resolved_at, r.closed_at)"

# Alive in the period: filed before its end and not finished before its start; or
# answered or closed within it (a reply after resolution, a close of an old resolution).
ALIVE = (f"r.created_at < :until AND ({FINISH} IS NULL OR {FINISH} >= :since "
         "OR r.closed_at >= :since OR r.first_response_at >= :since)")

# The journal marks an assignment to someone outside the request's team (a lateral
# helper) with this message (see isvc.services.requests.assign).
LATERAL_MESSAGE = "lateral help from outside team "


def _from(by: str, scan: bool = False) -> str:
    # NOT INDEXED where the whole table is read anyway: a scan in table order is three to
    # four times faster than walking requests_team_created (which SQLite picks for GROUP BY
    # r.team, or for the team filter) with a row lookup per entry.
    requests = "requests AS r NOT INDEXED" if scan else "requests AS r"
    if by == "customer":
        return f"{requests} LEFT JOIN people AS p ON p.handle = r.requester"
    return requests


def _in(column: str) -> str:
    return f"({column} >= :since AND {column} < :until)"


def _team(team: str | None) -> str:
    return " AND r.team = :team" if team is not None else ""


SUMMARY_COUNTS_SQL = """
SELECT {group} AS grp,
       count(*) FILTER (WHERE {created}) AS created,
       count(*) FILTER (WHERE {resolved}) AS resolved,
       count(*) FILTER (WHERE r.status = 'closed' AND {closed}) AS closed,
       count(*) FILTER (WHERE r.status = 'cancelled' AND {closed}) AS cancelled,
       count(*) FILTER (WHERE r.created_at < :since
                        AND ({finish} IS NULL OR {finish} >= :since)) AS backlog_start,
       count(*) FILTER (WHERE r.created_at < :until
                        AND ({finish} IS NULL OR {finish} >= :until)) AS backlog_end,
       count(*) FILTER (WHERE {responded} AND r.fr_met IS NOT NULL) AS fr_measured,
       count(*) FILTER (WHERE {responded} AND r.fr_met = 1) AS fr_met,
       count(*) FILTER (WHERE {resolved} AND r.res_met IS NOT NULL) AS res_measured,
       count(*) FILTER (WHERE {resolved} AND r.res_met = 1) AS res_met,
       count(*) FILTER (WHERE {fr_breach} OR {res_breach}
                        OR (r.status IN {open} AND {due})) AS breached,
       count(*) FILTER (WHERE {finished} AND r.first_response_at IS NULL) AS never_acknowledged
FROM {source}
WHERE {alive}{team}
GROUP BY grp
"""


def summary_counts_sql(by: str, team: bool) -> str:
    return SUMMARY_COUNTS_SQL.format(
        group=GROUPS[by], source=_from(by, scan=True), alive=ALIVE,
        team=_team("" if team else None), created=_in("r.created_at"), resolved=_in("r.resolved_at"), closed=_in("r.closed_at"),
        responded=_in("r.first_response_at"), finish=FINISH, finished=_in(FINISH),
        fr_breach=_in("r.fr_breached_at"), res_breach=_in("r.res_breached_at"),
        open=OPEN_SQL, due=_in("r.next_due_at"))


def summary_counts(conn: sqlite3.Connection, since: str, until: str, team: str | None,
                   by: str) -> list[dict[str, Any]]:
    """Per group (``grp``): created, resolved, closed, cancelled in the period; the backlog
    at its start and end; first responses and resolutions in it with a verdict, and how
    many met their target; requests whose clock breached in it (a recorded breach, or an
    open request past its due time); finished in it without a first response."""
    rows = conn.execute(summary_counts_sql(by, team is not None),
                        {"since": since, "until": until, "team": team})
    return [dict(row) for row in rows]


# The requests alive in the period, with what the service measures in Python: when they
# arrived and left the backlog (the daily series), their business minutes to a first
# response and to resolution, and whether they finished in the period.
PERIOD_ROWS_SQL = """
SELECT r.number, {group} AS grp, r.sla_calendar, r.created_at, {finish} AS finished_at,
       CASE WHEN {responded} THEN r.fr_elapsed END AS fr_elapsed,
       CASE WHEN {resolved} THEN r.res_elapsed END AS res_elapsed,
       {resolved} AS resolved,
       (r.status = 'closed' AND r.resolved_at IS NULL AND {closed}) AS closed_unresolved
FROM {source}
WHERE {alive}{team}
"""


def period_rows_sql(by: str, team: bool) -> str:
    return PERIOD_ROWS_SQL.format(
        group=GROUPS[by], source=_from(by, scan=True), alive=ALIVE,
        team=_team("" if team else None), finish=FINISH, responded=_in("r.first_response_at"), resolved=_in("r.resolved_at"),
        closed=_in("r.closed_at"))


def period_rows(conn: sqlite3.Connection, since: str, until: str, team: str | None,
                by: str) -> list[tuple]:
    """``(number, grp, sla_calendar, created_at, finished_at, fr_elapsed, res_elapsed,
    resolved, closed_unresolved)`` of every request alive in the period: the business
    minutes to the first response when it came in the period, to resolution when resolved
    in it; whether it was resolved in it, or closed in it without a resolution."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(period_rows_sql(by, team is not None),
                       {"since": since, "until": until, "team": team}).fetchall()


STATUS_EVENTS_SQL = """
SELECT e.number, e.at, e.from_value, e.to_value, e.message
FROM events AS e
WHERE e.number IN (SELECT value FROM json_each(:numbers)) AND e.kind = 'status'
ORDER BY e.number, e.id
"""


def status_events(conn: sqlite3.Connection, numbers: list[int]) -> list[tuple]:
    """``(number, at, from, to, message)`` of the status changes of ``numbers``, in
    journal order per request."""
    import json

    if not numbers:
        return []
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(STATUS_EVENTS_SQL, {"numbers": json.dumps(numbers)}).fetchall()


# Assignments to someone outside the request's team, made in the period; the request was
# alive then (lateral help is given to any team's requests: no team filter here).
# CROSS JOIN keeps the requests the outer loop: events has no index on its time, and the
# journal of the requests alive in the period is a small part of it.
LATERAL_EVENTS_SQL = """
SELECT e.id, e.to_value AS helper, {group} AS grp, r.team
FROM {source}
CROSS JOIN events AS e
WHERE {alive} AND e.number = r.number AND e.kind = 'assigned' AND {at}
  AND e.to_value IS NOT NULL AND e.message LIKE :lateral
"""


def lateral_events_sql(by: str) -> str:
    return LATERAL_EVENTS_SQL.format(group=GROUPS[by], source=_from(by, scan=True),
                                     alive=ALIVE, at=_in("e.at"))


def lateral_events(conn: sqlite3.Connection, since: str, until: str,
                   by: str) -> list[dict[str, Any]]:
    """``{id, helper, grp, team}`` of each lateral assignment in the period: the helper,
    and the group and team of the request helped."""
    rows = conn.execute(lateral_events_sql(by), {"since": since, "until": until,
                                                 "lateral": LATERAL_MESSAGE + "%"})
    return [dict(row) for row in rows]


def memberships(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Every person's teams."""
    out: dict[str, set[str]] = {}
    for person, team in conn.execute("SELECT person, team FROM memberships"):
        out.setdefault(person, set()).add(team)
    return out


# Requester ratings given in the period, per group of the request rated. CROSS JOIN keeps
# the ratings the outer loop (see store.ratings).
CSAT_SQL = """
SELECT {group} AS grp, count(*) AS ratings, sum(rt.score) AS points,
       sum(rt.score >= 4) AS happy
FROM ratings AS rt INDEXED BY ratings_side_rated
CROSS JOIN {source}
WHERE rt.side = 'requester' AND {rated} AND r.number = rt.number{team}
GROUP BY grp
"""


def csat_sql(by: str, team: bool) -> str:
    return CSAT_SQL.format(group=GROUPS[by], source=_from(by), rated=_in("rt.rated_at"),
                           team=_team("" if team else None))


def csat_totals(conn: sqlite3.Connection, since: str, until: str, team: str | None,
                by: str) -> list[dict[str, Any]]:
    """Per group: requester ratings given in the period, the sum of their scores, and how
    many were 4 or 5."""
    rows = conn.execute(csat_sql(by, team is not None),
                        {"since": since, "until": until, "team": team})
    return [dict(row) for row in rows]


def first_created(conn: sqlite3.Connection, team: str | None) -> str | None:
    """When the first request (of ``team``, when given) was filed; None without any. One
    step down ``requests_created`` (``requests_team_created``)."""
    if team is None:
        row = conn.execute("SELECT min(created_at) FROM requests").fetchone()
    else:
        row = conn.execute("SELECT min(created_at) FROM requests WHERE team = ?",
                           (team,)).fetchone()
    return row[0] if row else None


# -- peak hours ----------------------------------------------------------------------------

ARRIVALS_SQL = """
SELECT r.created_at, r.priority, r.agreement, r.team
FROM requests AS r INDEXED BY {index}
WHERE r.created_at >= :since AND r.created_at < :until{team}
"""


def arrivals_sql(team: bool) -> str:
    return ARRIVALS_SQL.format(index="requests_team_created" if team else "requests_created",
                               team=_team("" if team else None))


def arrivals(conn: sqlite3.Connection, since: str, until: str, team: str | None) -> list[tuple]:
    """``(created_at, priority, agreement, team)`` of the requests filed in the period."""
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(arrivals_sql(team is not None),
                       {"since": since, "until": until, "team": team}).fetchall()


def agreement_calendars(conn: sqlite3.Connection) -> dict[str, str]:
    """Every agreement's (retired ones too) regular calendar, by name."""
    return dict(conn.execute("SELECT name, calendar FROM agreements"))


def team_calendars(conn: sqlite3.Connection) -> dict[str, str]:
    """Each team's own calendar: its active default agreement's, else the team's."""
    out = {handle: cal for handle, cal in conn.execute(
        "SELECT handle, calendar FROM teams WHERE calendar IS NOT NULL")}
    out.update(conn.execute(
        "SELECT provider, calendar FROM agreements WHERE active = 1 AND customer IS NULL"))
    return out


def most_used_calendar(conn: sqlite3.Connection, since: str, until: str) -> str | None:
    """The regular calendar of the agreements that governed most requests filed in the
    period (by name on a tie)."""
    row = conn.execute(
        "SELECT a.calendar, count(*) AS n FROM requests AS r INDEXED BY requests_created "
        "JOIN agreements AS a ON a.name = r.agreement "
        "WHERE r.created_at >= :since AND r.created_at < :until "
        "GROUP BY a.calendar ORDER BY n DESC, a.calendar LIMIT 1",
        {"since": since, "until": until}).fetchone()
    return row[0] if row else None
