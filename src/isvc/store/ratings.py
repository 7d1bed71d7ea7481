"""Satisfaction ratings, both ways: one per request and side (requester, provider).

The report queries read only the period: ratings through ``ratings_side_rated``, the
resolved requests through ``requests_agreement_resolved`` (one range per agreement in use,
and one for requests without an agreement), never the history.
"""

from __future__ import annotations

import sqlite3
from typing import Any

SIDES = ("requester", "provider")


def get_rating(conn: sqlite3.Connection, number: int, side: str) -> dict | None:
    row = conn.execute(
        "SELECT number, side, score, comment, rater, rated_at FROM ratings "
        "WHERE number = ? AND side = ?", (number, side)).fetchone()
    return dict(row) if row else None


def put_rating(conn: sqlite3.Connection, number: int, side: str, score: int,
               comment: str | None, rater: str, rated_at: str) -> None:
    """Insert the rating, or replace the side's earlier one (the journal keeps both)."""
    conn.execute(
        "INSERT INTO ratings(number, side, score, comment, rater, rated_at) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(number, side) DO UPDATE SET score = excluded.score, "
        "comment = excluded.comment, rater = excluded.rater, rated_at = excluded.rated_at",
        (number, side, score, comment, rater, rated_at),
    )


# -- the satisfaction report ----------------------------------------------------------

# Ratings given since :since, counted per side, provider team and customer team (the
# requester's primary team). CROSS JOIN keeps ratings the outer loop: with --team SQLite
# would otherwise prefer walking the team's whole history through requests_team_created.
RATING_TOTALS_SQL = """
SELECT rt.side AS side, r.team AS provider, p.primary_team AS customer,
       count(*) AS ratings, sum(rt.score >= 4) AS happy, sum(rt.score) AS points
FROM ratings AS rt INDEXED BY ratings_side_rated
CROSS JOIN requests AS r
CROSS JOIN people AS p
WHERE rt.side IN ('requester', 'provider') AND rt.rated_at >= :since
  AND r.number = rt.number AND p.handle = r.requester{team}
GROUP BY rt.side, r.team, p.primary_team
"""

# Requests resolved since :since (still resolved, or closed since) per provider team, and
# how many of them their requester rated. There is no index on resolved_at alone; the one
# on (agreement, resolved_at) answers it one range per agreement value. The recursive part
# lists those values with one index seek each (a loose index scan), ending with NULL:
# `IS` then also matches the requests without an agreement.
RESOLVED_TOTALS_SQL = """
WITH RECURSIVE used(agreement) AS (
    SELECT (SELECT min(agreement) FROM requests)
    UNION ALL
    SELECT (SELECT min(agreement) FROM requests WHERE agreement > used.agreement)
    FROM used WHERE used.agreement IS NOT NULL
)
SELECT r.team AS provider, count(*) AS resolved, count(rt.number) AS rated
FROM used
CROSS JOIN requests AS r INDEXED BY requests_agreement_resolved
LEFT JOIN ratings AS rt ON rt.number = r.number AND rt.side = 'requester'
WHERE r.agreement IS used.agreement AND r.resolved_at >= :since
  AND r.status IN ('resolved', 'closed'){team}
GROUP BY r.team
"""


def rating_totals_sql(team: bool) -> str:
    return RATING_TOTALS_SQL.format(team="\n  AND r.team = :team" if team else "")


def resolved_totals_sql(team: bool) -> str:
    return RESOLVED_TOTALS_SQL.format(team="\n  AND r.team = :team" if team else "")


def rating_totals(conn: sqlite3.Connection, since: str, team: str | None) -> list[dict[str, Any]]:
    """Rows of side, provider, customer, ratings, happy (scores 4-5), points (score sum)."""
    rows = conn.execute(rating_totals_sql(team is not None), {"since": since, "team": team})
    return [dict(row) for row in rows]


def resolved_totals(conn: sqlite3.Connection, since: str, team: str | None) -> list[dict[str, Any]]:
    """Rows of provider, resolved (requests resolved in the period), rated (by their requester)."""
    rows = conn.execute(resolved_totals_sql(team is not None), {"since": since, "team": team})
    return [dict(row) for row in rows]
