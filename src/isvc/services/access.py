"""Who may do what to a request: the role x action matrix, in one table.

Roles are relations between the acting person and one request:
- agent: a member of the request's provider team, or its assignee (lateral helpers
  become agents of what they take; a requester who takes their own request does not)
- requester, watcher: the colleague served, and people following along
- admin: everything (a desk with no admins configured treats everyone as admin)
- anyone: every person on the desk
"""

from __future__ import annotations

from isvc.domain.models import Request
from isvc.errors import PermissionDenied

RULES: dict[str, frozenset[str]] = {
    "view": frozenset({"anyone"}),
    "view_internal": frozenset({"admin", "agent"}),
    "comment": frozenset({"admin", "agent", "requester", "watcher"}),
    "note": frozenset({"admin", "agent"}),
    "ack": frozenset({"admin", "agent"}),
    "start": frozenset({"admin", "agent"}),
    "wait": frozenset({"admin", "agent"}),
    "resume": frozenset({"admin", "agent"}),
    "resolve": frozenset({"admin", "agent"}),
    "cancel": frozenset({"admin", "agent", "requester"}),
    "close": frozenset({"admin", "agent", "requester"}),
    "reopen": frozenset({"admin", "agent", "requester"}),
    "assign": frozenset({"admin", "agent"}),
    "take": frozenset({"anyone"}),
    "edit": frozenset({"admin", "agent"}),
    "watch_self": frozenset({"anyone"}),
    "watch_other": frozenset({"admin", "agent"}),
    "redact": frozenset({"admin"}),
}

_ROLE_WORDS = {
    "admin": "an admin",
    "agent": "members of team {team}, the assignee",
    "requester": "the requester ({requester})",
    "watcher": "a watcher",
    "anyone": "anyone",
}


def roles_of(handle: str, teams: set[str], is_admin: bool, req: Request) -> set[str]:
    roles = {"anyone"}
    if is_admin:
        roles.add("admin")
    # A requester who owns their own request is still its requester: no internal notes.
    if req.team in teams or (req.assignee == handle and req.requester != handle):
        roles.add("agent")
    if req.requester == handle:
        roles.add("requester")
    if handle in req.watchers:
        roles.add("watcher")
    return roles


def can(action: str, roles: set[str]) -> bool:
    return bool(RULES[action] & roles)


def require(action: str, roles: set[str], req: Request, actor: str, verb: str | None = None) -> None:
    if can(action, roles):
        return
    allowed = [r for r in ("agent", "requester", "watcher", "admin") if r in RULES[action]]
    words = [_ROLE_WORDS[r].format(team=req.team, requester=req.requester) for r in allowed]
    who = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    raise PermissionDenied(
        f"only {who} may {verb or action} #{req.number}; you are {actor}"
    )
