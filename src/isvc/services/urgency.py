"""The urgency budget, applied: is an urgent request from this requester earned?

``file_request`` calls ``enforce`` inside its transaction (one indexed query, and only for
an urgent request). On a terminal the CLI first calls ``preview`` (a read) so it can ask
for the justification before filing; off one, ``enforce`` refuses and nothing is filed.
"""

from __future__ import annotations

from isvc.domain import urgency as rule
from isvc.domain.models import Priority, parse_priority
from isvc.domain.timeutil import to_iso
from isvc.errors import InvalidInput
from isvc.services.desk import Desk
from isvc.store import customers as store


def _limit(desk: Desk) -> float:
    return rule.check_limit(desk.config.get("requests", {}).get("urgent_share_limit", 0.2))


def decision(desk: Desk, requester: str) -> rule.Decision:
    """The budget for one more urgent request by ``requester`` (a known handle), now."""
    filed, urgent = store.requester_window(desk.conn, requester,
                                           to_iso(rule.window_start(desk.now)), desk.now_iso)
    return rule.decide(filed, urgent, _limit(desk))


def whose(desk: Desk, requester: str) -> str:
    return "your" if requester == desk.actor else f"{requester}'s"


def enforce(desk: Desk, requester: str, priority: Priority, justify: str | None) -> str | None:
    """Inside the filing transaction: the cleaned justification to journal, or None.

    An urgent request past the budget without a justification is refused (InvalidInput,
    exit 2; the caller's transaction rolls back, nothing is filed). Within the budget a
    justification is kept anyway; on a request that is not urgent it is refused.
    """
    justify = rule.clean_justification(justify)
    if priority != Priority.URGENT:
        if justify is not None:
            raise InvalidInput(f"--justify explains an urgent request; this one is "
                               f"{priority.value} (add --priority urgent, or drop --justify)")
        return None
    if justify is None:
        budget = decision(desk, requester)
        if budget.needed:
            raise InvalidInput(budget.message(whose(desk, requester)))
    return justify


def preview(desk: Desk, team: str, *, requester: str | None = None, priority: str | None = None,
            type: str | None = None) -> tuple[str, rule.Decision] | None:
    """Before filing (the CLI, on a terminal): when the request would be urgent, its
    requester's handle and the decision, else None. The priority is ``priority``, else the
    request type's default, else the desk's; the requester is ``requester`` (on whose
    behalf) or the acting person."""
    from isvc.services.directory import require_person

    if priority:
        prio = parse_priority(priority)
    else:
        default = None
        if type:  # the catalog's type (a bare name is the team's own): its default priority
            from isvc.services import catalog

            rtype = catalog.resolve_for_filing(desk, team, type)
            default = rtype.priority if rtype is not None else None
        prio = parse_priority(default or desk.config.get("requests", {}).get(
            "default_priority", "normal"))
    if prio != Priority.URGENT:
        return None
    if requester and requester.lstrip("@") not in (desk.actor, "me"):
        requester = require_person(desk, requester)
    else:
        requester = desk.actor
    return requester, decision(desk, requester)
