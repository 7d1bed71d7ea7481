"""The HTML report's own series: agreement verdicts and first-response times over a period,
the requesters' ratings, public kudos, team names.

Every query reads one period through an index, never the history:
- clocks that stopped in the period are ranges of ``requests_agreement_resolved`` and
  ``requests_agreement_responded``, one per agreement value (the values are listed by a
  loose index scan: one index seek each, ending with NULL for requests without one);
- ratings are a range of ``ratings_side_rated``; kudos a range of ``kudos_created``.

Nothing here reads a journal event: the report never sees an internal note.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# The agreement values requests use, one index seek each (a loose index scan over
# ``index``), then NULL: ``IS`` in the outer query also matches requests without one.
_USED = """
WITH RECURSIVE used(agreement) AS (
    SELECT (SELECT min(agreement) FROM requests INDEXED BY {index})
    UNION ALL
    SELECT (SELECT min(agreement) FROM requests INDEXED BY {index} WHERE agreement > used.agreement)
    FROM used WHERE used.agreement IS NOT NULL
)
"""

# Resolution clocks that stopped in [:since, :until) with a verdict (met 1 / breached 0).
RESOLVED_SQL = _USED.format(index="requests_agreement_resolved") + """
SELECT r.agreement AS agreement, r.resolved_at AS at, r.res_met AS met
FROM used
CROSS JOIN requests AS r INDEXED BY requests_agreement_resolved
WHERE r.agreement IS used.agreement AND r.resolved_at >= :since AND r.resolved_at < :until
  AND r.res_met IS NOT NULL{team}
"""

# First responses given in [:since, :until): the verdict and the business minutes it took.
RESPONDED_SQL = _USED.format(index="requests_agreement_responded") + """
SELECT r.agreement AS agreement, r.first_response_at AS at, r.fr_met AS met,
       r.fr_elapsed AS minutes
FROM used
CROSS JOIN requests AS r INDEXED BY requests_agreement_responded
WHERE r.agreement IS used.agreement AND r.first_response_at >= :since
  AND r.first_response_at < :until AND r.fr_met IS NOT NULL{team}
"""

# The requesters' ratings given in the period (CSAT). CROSS JOIN keeps the ratings range
# the outer loop when a team is given.
RATINGS_SQL = """
SELECT rt.rated_at AS at, rt.score AS score
FROM ratings AS rt INDEXED BY ratings_side_rated
CROSS JOIN requests AS r
WHERE rt.side = 'requester' AND rt.rated_at >= :since AND rt.rated_at < :until
  AND r.number = rt.number{team}
"""

# The newest requester comments in the period (the requester's side is public; the
# provider's side is internal and never read here).
COMMENTS_SQL = """
SELECT rt.number AS number, rt.score AS score, rt.comment AS comment, rt.rated_at AS rated_at,
       r.team AS team, r.title AS title
FROM ratings AS rt INDEXED BY ratings_side_rated
CROSS JOIN requests AS r
WHERE rt.side = 'requester' AND rt.rated_at >= :since AND rt.rated_at < :until
  AND rt.comment IS NOT NULL AND trim(rt.comment) != ''
  AND r.number = rt.number{team}
ORDER BY rt.rated_at DESC, rt.number DESC
LIMIT :limit
"""

# Standing public kudos in the period, newest first, with the names they show.
KUDOS_SQL = """
SELECT k.id AS id, k.giver AS giver, gp.name AS giver_name, k.recipient AS recipient,
       k.to_kind AS to_kind, coalesce(rp.name, rt.name) AS recipient_name,
       k.value AS value, k.message AS message, k.request AS request, k.lateral AS lateral,
       k.giver_team AS giver_team, k.recipient_team AS recipient_team, k.created_at AS created_at
FROM kudos AS k INDEXED BY kudos_created
LEFT JOIN people AS gp ON gp.handle = k.giver
LEFT JOIN people AS rp ON k.to_kind = 'person' AND rp.handle = k.recipient
LEFT JOIN teams AS rt ON k.to_kind = 'team' AND rt.handle = k.recipient
WHERE k.created_at >= :since AND k.created_at < :until
  AND k.private = 0 AND k.retracted_at IS NULL{team}
ORDER BY k.created_at DESC, k.id DESC
LIMIT :limit
"""


def _team(sql: str, team: str | None, clause: str = "\n  AND r.team = :team") -> str:
    return sql.format(team=clause if team else "")


def resolution_verdicts(conn: sqlite3.Connection, since: str, until: str,
                        team: str | None) -> list[dict[str, Any]]:
    """Rows of agreement, at (resolved_at), met (1 or 0) for clocks stopped in the period."""
    rows = conn.execute(_team(RESOLVED_SQL, team), {"since": since, "until": until, "team": team})
    return [dict(row) for row in rows]


def first_responses(conn: sqlite3.Connection, since: str, until: str,
                    team: str | None) -> list[dict[str, Any]]:
    """Rows of agreement, at (first_response_at), met (1 or 0), minutes (business minutes
    to the first response) for first responses given in the period."""
    rows = conn.execute(_team(RESPONDED_SQL, team), {"since": since, "until": until, "team": team})
    return [dict(row) for row in rows]


def requester_ratings(conn: sqlite3.Connection, since: str, until: str,
                      team: str | None) -> list[dict[str, Any]]:
    """Rows of at (rated_at), score (1-5): the requesters' ratings given in the period."""
    rows = conn.execute(_team(RATINGS_SQL, team), {"since": since, "until": until, "team": team})
    return [dict(row) for row in rows]


def requester_comments(conn: sqlite3.Connection, since: str, until: str, team: str | None,
                       limit: int) -> list[dict[str, Any]]:
    """The newest requester comments: number, score, comment, rated_at, team, title."""
    rows = conn.execute(_team(COMMENTS_SQL, team),
                        {"since": since, "until": until, "team": team, "limit": limit})
    return [dict(row) for row in rows]


def public_kudos(conn: sqlite3.Connection, since: str, until: str, team: str | None,
                 limit: int) -> list[dict[str, Any]]:
    """Standing, non-private kudos given in the period (given or received by ``team``),
    newest first, with the giver's and the recipient's names."""
    sql = _team(KUDOS_SQL, team, "\n  AND (k.giver_team = :team OR k.recipient_team = :team)")
    rows = conn.execute(sql, {"since": since, "until": until, "team": team, "limit": limit})
    return [dict(row) for row in rows]


def team_names(conn: sqlite3.Connection) -> dict[str, str]:
    """Every team's display name by handle (a desk has tens of teams, not thousands)."""
    return dict(conn.execute("SELECT handle, name FROM teams").fetchall())
