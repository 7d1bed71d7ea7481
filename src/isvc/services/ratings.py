"""Satisfaction both ways: the requester rates the service, the provider rates the request.

- The requester (and only the requester: an admin acts for them with ``--as``) rates a
  resolved or closed request from 1 to 5. The event is public: requester and team see it.
- A member of the provider team, or the assignee, rates the request as a request ("was
  everything needed there up front?") once it is acknowledged, in any status but
  cancelled. The event is internal: the requester never sees it.
- Rating again replaces the side's score; every rating is journaled (kind ``rating``,
  field the side, from the old score, to the new one, message the comment).

The report (``satisfaction``) counts ratings given in the period, per provider team and
per customer team (the requester's current primary team).
"""

from __future__ import annotations

from dataclasses import dataclass

from isvc.domain.models import Request, Status
from isvc.errors import InvalidInput, NotFound, PermissionDenied
from isvc.services import access
from isvc.services.desk import Desk
from isvc.store import ratings as store
from isvc.store import requests as requests_store
from isvc.store.db import write

MIN_SCORE, MAX_SCORE = 1, 5
HAPPY = 4  # CSAT counts the ratings of 4 and 5

REQUESTER_RATES = (Status.RESOLVED, Status.CLOSED)


@dataclass
class Rated:
    number: int
    side: str
    score: int
    comment: str | None
    rater: str
    rated_at: str
    previous: int | None = None  # the score this rating replaced

    @property
    def internal(self) -> bool:
        return self.side == "provider"


def rated_dict(rated: Rated) -> dict:
    """The JSON of `isvc request rate --json`."""
    return {
        "number": rated.number,
        "side": rated.side,
        "score": rated.score,
        "comment": rated.comment,
        "rater": rated.rater,
        "rated_at": rated.rated_at,
        "previous": rated.previous,
    }


def _check_score(score: int) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidInput(f"a rating is a whole number from {MIN_SCORE} (poor) to {MAX_SCORE} "
                           f"(excellent); got {score}")
    return score


def _check_requester_side(desk: Desk, req: Request, roles: set[str]) -> None:
    if "requester" not in roles:
        hint = (" (the team rates the request itself with --as-provider)" if "agent" in roles else "")
        raise PermissionDenied(
            f"only the requester ({req.requester}) may rate #{req.number}; you are {desk.actor}{hint}")
    if req.status == Status.CANCELLED:
        raise InvalidInput(f"cannot rate #{req.number}: it was cancelled; "
                           "only resolved or closed requests are rated")
    if req.status not in REQUESTER_RATES:
        raise InvalidInput(f"cannot rate #{req.number} yet: it is {req.status.label}; "
                           "the requester rates the service once it is resolved or closed")


def _check_provider_side(desk: Desk, req: Request, roles: set[str]) -> None:
    who = f"members of team {req.team} or the assignee"
    if "requester" in roles:
        raise PermissionDenied(
            f"only {who} may rate #{req.number} as its provider; you are {desk.actor}, its "
            f"requester: rate the service without --as-provider")
    if "agent" not in roles:
        raise PermissionDenied(
            f"only {who} may rate #{req.number} as its provider; you are {desk.actor}")
    if req.status == Status.CANCELLED:
        raise InvalidInput(f"cannot rate #{req.number}: it was cancelled; cancelled requests "
                           "are not rated")
    if req.status == Status.NEW:
        raise InvalidInput(f"cannot rate #{req.number} as its provider yet: it is new; "
                           f"acknowledge it first (isvc request ack {req.number})")


def rate(desk: Desk, number: int, score: int, comment: str | None = None, *,
         as_provider: bool = False) -> Rated:
    """Rate a request (the requester's side, or with ``as_provider`` the provider's)."""
    score = _check_score(score)
    if comment is not None:
        if not comment.strip():
            raise InvalidInput("-m/--message must not be empty")
        comment = comment.strip()
    side = "provider" if as_provider else "requester"
    with write(desk.conn):
        req = requests_store.get_request(desk.conn, number)
        if req is None:
            raise NotFound(f"no request #{number}; see `isvc request list`")
        roles = access.roles_of(desk.actor, desk.teams_of(), desk.is_admin(), req)
        if as_provider:
            _check_provider_side(desk, req, roles)
        else:
            _check_requester_side(desk, req, roles)
        desk.ensure_actor()
        old = store.get_rating(desk.conn, number, side)
        previous = old["score"] if old else None
        store.put_rating(desk.conn, number, side, score, comment, desk.actor, desk.now_iso)
        requests_store.insert_event(desk.conn, number, desk.now_iso, desk.actor, "rating",
                                    field=side, from_value=previous, to_value=score,
                                    message=comment, internal=as_provider)
        requests_store.update_request(desk.conn, number, updated_at=desk.now_iso)
    return Rated(number=number, side=side, score=score, comment=comment, rater=desk.actor,
                 rated_at=desk.now_iso, previous=previous)


# -- the satisfaction report ----------------------------------------------------------

@dataclass
class Tally:
    """Ratings of one kind for one team: count, scores of 4-5, sum of scores."""

    ratings: int = 0
    happy: int = 0
    points: int = 0

    def add(self, row: dict) -> None:
        self.ratings += row["ratings"]
        self.happy += row["happy"] or 0
        self.points += row["points"] or 0

    @property
    def csat_pct(self) -> float | None:
        return _pct(self.happy, self.ratings)

    @property
    def average(self) -> float | None:
        return round(self.points / self.ratings, 2) if self.ratings else None


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Satisfaction:
    since: str
    team: str | None
    providers: list[dict]
    customers: list[dict]


def _team_key(team: str | None) -> tuple[bool, str]:
    return (team is None, team or "")  # requesters without a primary team come last


def summarize(since: str, team: str | None, rating_rows: list[dict],
              resolved_rows: list[dict]) -> Satisfaction:
    """The report from the store's per-group totals (pure: no database, no clock)."""
    service: dict[str, Tally] = {}  # provider team -> the requesters' ratings
    resolved: dict[str, tuple[int, int]] = {}  # provider team -> (resolved, rated)
    given: dict[str | None, Tally] = {}  # customer team -> the ratings its requesters gave
    quality: dict[str | None, Tally] = {}  # customer team -> the providers' ratings of its requests
    for row in rating_rows:
        if row["side"] == "requester":
            service.setdefault(row["provider"], Tally()).add(row)
            given.setdefault(row["customer"], Tally()).add(row)
        else:
            quality.setdefault(row["customer"], Tally()).add(row)
    for row in resolved_rows:
        resolved[row["provider"]] = (row["resolved"], row["rated"])
    providers = []
    for handle in sorted(set(service) | set(resolved)):
        tally = service.get(handle, Tally())
        done, rated = resolved.get(handle, (0, 0))
        providers.append({
            "team": handle, "csat_pct": tally.csat_pct, "average": tally.average,
            "ratings": tally.ratings, "resolved": done, "response_rate_pct": _pct(rated, done),
        })
    customers = []
    for handle in sorted(set(given) | set(quality), key=_team_key):
        tally, q = given.get(handle, Tally()), quality.get(handle, Tally())
        customers.append({
            "team": handle, "csat_pct": tally.csat_pct, "average": tally.average,
            "ratings": tally.ratings, "request_quality_average": q.average,
            "request_quality_ratings": q.ratings,
        })
    return Satisfaction(since=since, team=team, providers=providers, customers=customers)


def satisfaction(desk: Desk, since: str, team: str | None = None) -> Satisfaction:
    """CSAT, average, count and response rate per provider team; the same and the
    providers' "request quality" per customer team. ``team`` keeps the requests that team
    served (its customers broken down). ``since`` is an ISO instant."""
    if team:
        from isvc.services.directory import require_team

        team = require_team(desk, team)
    return summarize(since, team, store.rating_totals(desk.conn, since, team),
                     store.resolved_totals(desk.conn, since, team))


def satisfaction_dict(report: Satisfaction) -> dict:
    """The JSON of `isvc satisfaction --json`."""
    return {"since": report.since, "providers": report.providers, "customers": report.customers}
