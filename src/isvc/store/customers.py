"""Requesters as customers: their filing in a window (the urgency budget) and the
``customers`` report (volume, urgency, needs-info round-trips, the providers' ratings).

Both read the period through an index on ``created_at``, never the history:
- the budget is one range of ``requests_requester_created`` (requester, created_at);
- the report is one range of ``requests_created`` (or ``requests_team_created`` with a
  provider team), each request's needs-info events through ``events_number`` and its
  provider rating through the ratings primary key.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# A requester's requests in [since, until], to any team, and how many were urgent: one
# indexed range (requests_requester_created), rows read only for their priority.
WINDOW_SQL = """
SELECT count(*) AS filed, coalesce(sum(priority = 'urgent'), 0) AS urgent
FROM requests INDEXED BY requests_requester_created
WHERE requester = :requester AND created_at >= :since AND created_at <= :until
"""


def requester_window(conn: sqlite3.Connection, requester: str, since: str,
                     until: str) -> tuple[int, int]:
    """(requests filed, of which urgent) by ``requester`` created in [since, until]."""
    row = conn.execute(WINDOW_SQL, {"requester": requester, "since": since,
                                    "until": until}).fetchone()
    return row[0], row[1]


# -- the customers report ---------------------------------------------------------------

# Requests filed since :since (to :team when given), per requester with their primary team
# (the customer team): how many, how many urgent, the needs-info events on them (round
# trips: the provider asked for what was missing), the providers' ratings of them.
CUSTOMERS_SQL = """
SELECT r.requester AS requester, p.primary_team AS team,
       count(*) AS requests,
       sum(r.priority = 'urgent') AS urgent,
       sum((SELECT count(*) FROM events AS e
            WHERE e.number = r.number AND e.kind = 'needs_info')) AS needs_info,
       count(rt.number) AS provider_ratings,
       sum(rt.score) AS provider_points
FROM requests AS r INDEXED BY {index}
LEFT JOIN people AS p ON p.handle = r.requester
LEFT JOIN ratings AS rt ON rt.number = r.number AND rt.side = 'provider'
WHERE r.created_at >= :since{team}
GROUP BY r.requester
"""


def customers_sql(team: bool) -> str:
    if team:
        return CUSTOMERS_SQL.format(index="requests_team_created", team="\n  AND r.team = :team")
    return CUSTOMERS_SQL.format(index="requests_created", team="")


def customer_totals(conn: sqlite3.Connection, since: str, team: str | None) -> list[dict[str, Any]]:
    """Rows of requester, team (their primary team, or None), requests, urgent, needs_info,
    provider_ratings, provider_points (the sum of the providers' scores)."""
    rows = conn.execute(customers_sql(team is not None), {"since": since, "team": team})
    return [dict(row) for row in rows]
