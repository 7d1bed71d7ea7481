"""Good customers: what each customer team, and each requester in it, asks of the providers.

For the requests filed in the period (to one provider team with ``team``), per requester
and per customer team (the requester's current primary team, None without one):

- ``requests``: how many they filed;
- ``urgent`` and ``urgent_share_pct``: how many were urgent (the urgency budget's measure);
- ``needs_info``: the needs-info round trips on those requests (journal events of kind
  ``needs_info``: the provider had to ask for what was missing);
- ``provider_rating_average`` and ``provider_ratings``: the providers' 1-5 rating of those
  requests as requests ("was everything needed there up front?").

The sibling of the satisfaction report (isvc.services.ratings), which looks at the
providers; this one looks at the customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from isvc.services.desk import Desk
from isvc.store import customers as store

# The row keys, in order: JSON objects, TSV/CSV columns (a contract: only ever add).
COLUMNS = ["level", "team", "requester", "requests", "urgent", "urgent_share_pct",
           "needs_info", "provider_rating_average", "provider_ratings"]


@dataclass
class Customers:
    since: str
    team: str | None  # the provider team the requests went to, or None for every team
    rows: list[dict]  # each customer team's row, then its requesters' rows


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _row(level: str, team: str | None, requester: str | None, requests: int, urgent: int,
         needs_info: int, ratings: int, points: int) -> dict:
    return {
        "level": level,
        "team": team,
        "requester": requester,
        "requests": requests,
        "urgent": urgent,
        "urgent_share_pct": _pct(urgent, requests),
        "needs_info": needs_info,
        "provider_rating_average": round(points / ratings, 2) if ratings else None,
        "provider_ratings": ratings,
    }


def _by_volume(row: dict, name: str) -> tuple:
    # most requests first; requesters without a team come last among equals
    return (-row["requests"], row[name] is None, row[name] or "")


def summarize(since: str, team: str | None, requester_rows: list[dict]) -> Customers:
    """The report from the store's per-requester totals (pure: no database, no clock).
    Teams by volume, each followed by its requesters by volume."""
    members: dict[str | None, list[dict]] = {}
    for r in requester_rows:
        members.setdefault(r["team"], []).append(
            _row("requester", r["team"], r["requester"], r["requests"], r["urgent"] or 0,
                 r["needs_info"] or 0, r["provider_ratings"], r["provider_points"] or 0))
    totals = []
    for handle, people in members.items():
        points = sum(r["provider_points"] or 0 for r in requester_rows if r["team"] == handle)
        totals.append(_row("team", handle, None, sum(p["requests"] for p in people),
                           sum(p["urgent"] for p in people), sum(p["needs_info"] for p in people),
                           sum(p["provider_ratings"] for p in people), points))
    rows = []
    for total in sorted(totals, key=lambda row: _by_volume(row, "team")):
        rows.append(total)
        rows.extend(sorted(members[total["team"]], key=lambda row: _by_volume(row, "requester")))
    return Customers(since=since, team=team, rows=rows)


def customers(desk: Desk, since: str, team: str | None = None) -> Customers:
    """The report for requests filed since ``since`` (an ISO instant), to ``team`` if given."""
    if team:
        from isvc.services.directory import require_team

        team = require_team(desk, team)
    return summarize(since, team, store.customer_totals(desk.conn, since, team))
