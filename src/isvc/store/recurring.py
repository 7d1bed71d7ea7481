"""What the recurring-problems report reads: the requests of a period with their text,
the problem requests (tagged ``problem``) and the requests they are linked to.

The period is one range of an index on ``created_at`` (``requests_team_created`` for one
provider team); problem requests are found through ``request_tags_tag`` and their links
through the links primary key (src) and ``links_dst``: never the whole history.
"""

from __future__ import annotations

import sqlite3

from isvc.domain.models import OPEN_SQL

PROBLEM_TAG = "problem"
BODY_CHARS = 4000  # a long mail thread is read this far (isvc.domain.similarity reads no more)

PERIOD_SQL = """
SELECT number, title, substr(body, 1, {chars}) AS body, type, team, requester, created_at,
       status IN {open} AS open
FROM requests INDEXED BY {index}
WHERE created_at >= :since{team}
"""


def period_sql(team: bool) -> str:
    if team:
        return PERIOD_SQL.format(chars=BODY_CHARS, open=OPEN_SQL, index="requests_team_created",
                                 team=" AND team = :team")
    return PERIOD_SQL.format(chars=BODY_CHARS, open=OPEN_SQL, index="requests_created", team="")


def requests_since(conn: sqlite3.Connection, since: str, team: str | None) -> list[tuple]:
    """(number, title, body, type, team, requester, created_at, open) of the requests
    created at or after ``since`` (to ``team`` when given), in number order."""
    rows = conn.execute(period_sql(team is not None), {"since": since, "team": team}).fetchall()
    return sorted((tuple(r) for r in rows), key=lambda r: r[0])


def problem_numbers(conn: sqlite3.Connection) -> set[int]:
    """Every request tagged ``problem``."""
    return {r[0] for r in conn.execute(
        "SELECT number FROM request_tags INDEXED BY request_tags_tag WHERE tag = ?",
        (PROBLEM_TAG,))}


# The relates links of each problem request, whichever way they were stored, with the
# problem's status.
PROBLEM_LINKS_SQL = f"""
SELECT t.number AS problem, l.dst AS other, p.status IN {OPEN_SQL} AS open
FROM request_tags AS t INDEXED BY request_tags_tag
JOIN links AS l ON l.src = t.number AND l.kind = 'relates'
JOIN requests AS p ON p.number = t.number
WHERE t.tag = :tag
UNION ALL
SELECT t.number, l.src, p.status IN {OPEN_SQL}
FROM request_tags AS t INDEXED BY request_tags_tag
JOIN links AS l INDEXED BY links_dst ON l.dst = t.number AND l.kind = 'relates'
JOIN requests AS p ON p.number = t.number
WHERE t.tag = :tag
"""


def problem_links(conn: sqlite3.Connection) -> list[tuple[int, int, bool]]:
    """(problem, linked request, whether the problem is open) for every relates link of
    a request tagged ``problem``."""
    return [(r[0], r[1], bool(r[2])) for r in conn.execute(PROBLEM_LINKS_SQL, {"tag": PROBLEM_TAG})]


def touch(conn: sqlite3.Connection, numbers: list[int], at: str) -> None:
    """``updated_at`` of the requests just linked to a problem."""
    conn.executemany("UPDATE requests SET updated_at = ? WHERE number = ?",
                     [(at, n) for n in numbers])
