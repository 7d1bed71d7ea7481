"""Recurring problems: groups of similar requests, and what to do about each.

``groups`` groups the requests created in a period (to one provider team, or to any) by
their type and the similarity of their titles and bodies (isvc.domain.similarity), keeps
the groups of at least ``min_size`` requests, and says for each:

- its knowledge-base article, when one strongly matches the group's title (the FTS index,
  the group's main team's articles and the team-less ones);
- its problem request: one tagged ``problem`` linked as ``relates`` to one of the group's
  requests (so the report does not propose a problem twice);
- the suggestion: "problem #N already open" while that problem is open; else "open a
  problem request" for a group of PROBLEM_SIZE or more whose last request is at most
  RECENT_DAYS old; else, with an article, "link to KB-N" (requests still open: resolve
  them with ``--kb N``) or "point requesters to KB-N" (none open); else "write a KB
  article".

``open_problem`` files the problem request for one group (through the requests service:
journal, notices and clocks as for any request) and links each request of the group to
it, in one transaction.

Requests tagged ``problem`` are never grouped themselves.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from isvc.domain import similarity
from isvc.domain.models import Request
from isvc.errors import InvalidInput, NotFound, PermissionDenied
from isvc.services.desk import Desk
from isvc.store import recurring as store

PROBLEM_SIZE = 5        # a group this large ...
RECENT_DAYS = 14        # ... with a request this recent deserves a problem request
TOP_REQUESTERS = 3
KB_CANDIDATES = 5       # the best FTS matches checked for strength
KB_SHARE = 0.6          # of a group title's terms an article must have
PROBLEM_TAG = store.PROBLEM_TAG

# The CSV/TSV columns, one row per group (a contract: only ever add). JSON has the nested
# shape of ``groups``.
COLUMNS = ["id", "size", "title", "type", "teams", "requesters", "top_requesters", "first_at",
           "last_at", "open", "numbers", "kb_article", "kb_title", "problem", "suggestion"]


@dataclass
class Opened:
    problem: Request
    group: dict
    linked: int  # requests linked to it


def _since(desk: Desk, since: str) -> str:
    from isvc.domain.timeutil import period_start, to_iso

    return to_iso(period_start(since, desk.now))


def _check(desk: Desk, team: str | None, min_size: int, limit: int | None) -> str | None:
    desk.require_staff("see reports")  # as every report: desk admins and team members
    if min_size < 2:
        raise InvalidInput("--min-size must be at least 2: a recurring problem needs two requests")
    if limit is not None and limit < 1:
        raise InvalidInput("--limit must be at least 1")
    if team:
        from isvc.services.directory import require_team

        return require_team(desk, team)
    return None


def _problems(desk: Desk) -> dict[int, list[tuple[int, bool]]]:
    """Request -> the problem requests it relates to, (number, open)."""
    linked: dict[int, list[tuple[int, bool]]] = {}
    for problem, other, is_open in store.problem_links(desk.conn):
        linked.setdefault(other, []).append((problem, is_open))
    return linked


def _article(desk: Desk, title: str, team: str) -> dict | None:
    """The best knowledge-base article that strongly matches ``title``: KB_SHARE of the
    title's terms (two or more, when it has two or more) found in the article, one of
    them in the article's title. Team ``team``'s articles and team-less ones.
    "Account locked after password change" does not match "Change the bank account for
    your salary" (two of four terms); "Printer on floor 2 jams" matches "Printer jams or
    prints blank pages"."""
    from isvc.domain import kb as rules
    from isvc.store import kb as kb_store

    found = rules.suggestion_terms(title)
    if not found:
        return None
    rows = kb_store.search(desk.conn, rules.any_of(found), team=team, with_teamless=True,
                           limit=KB_CANDIDATES)
    if not rows:
        return None
    matched = kb_store.matched_terms(desk.conn, [r["id"] for r in rows], found)
    needed = max(min(2, len(found)), math.ceil(KB_SHARE * len(found)))
    for row in rows:
        anywhere, in_title = matched[row["id"]]
        if in_title and len(anywhere) >= needed:
            return {"id": row["id"], "title": row["title"]}
    return None


def _suggestion(size: int, last_at: str, open_: int, article: dict | None,
                problem: tuple[int, bool] | None, recent_since: str) -> str:
    if problem is not None and problem[1]:
        return f"problem #{problem[0]} already open"
    if size >= PROBLEM_SIZE and last_at >= recent_since:
        return "open a problem request"
    if article is not None:
        return f"link to KB-{article['id']}" if open_ else f"point requesters to KB-{article['id']}"
    return "write a KB article"


def _most_common(counter: Counter, first: dict) -> list[tuple]:
    """Most frequent first; ties by the first request that had it."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], first[kv[0]]))


def _describe(group: similarity.Group, rows: dict[int, tuple]) -> dict:
    """A group's figures, without the KB article, problem and suggestion yet."""
    members = [rows[n] for n in group.numbers]
    first_seen: dict = {}
    for number, title, _body, _type, team, requester, _created, _open in members:
        for key in (("title", title), ("team", team), ("requester", requester)):
            first_seen.setdefault(key, number)
    titles = Counter(r[1] for r in members)
    teams = Counter(r[4] for r in members)
    people = Counter(r[5] for r in members)
    title = _most_common(titles, {k: first_seen[("title", k)] for k in titles})[0][0]
    team_counts = _most_common(teams, {k: first_seen[("team", k)] for k in teams})
    requesters = _most_common(people, {k: first_seen[("requester", k)] for k in people})
    created = [r[6] for r in members]
    return {
        "id": group.id,
        "size": group.size,
        "title": title,
        "type": group.type,
        "teams": [{"team": t, "count": c} for t, c in team_counts],
        "requesters": len(people),
        "top_requesters": [h for h, _ in requesters[:TOP_REQUESTERS]],
        "first_at": min(created),
        "last_at": max(created),
        "open": sum(1 for r in members if r[7]),
        "numbers": list(group.numbers),
        "kb_article": None,
        "problem": None,
        "suggestion": "",
    }


def _order(found: list[dict]) -> list[dict]:
    """Largest first, then the most recent last request, then the earliest group."""
    found = sorted(found, key=lambda g: g["id"])
    found.sort(key=lambda g: g["last_at"], reverse=True)
    found.sort(key=lambda g: g["size"], reverse=True)
    return found


def _analyse(desk: Desk, since_iso: str, team: str | None, min_size: int,
             limit: int | None, only: int | None = None) -> list[dict]:
    """The groups, ordered and cut to ``limit`` (to group ``only`` when given), each with
    its article, problem and suggestion."""
    problems = store.problem_numbers(desk.conn)
    rows = {r[0]: r for r in store.requests_since(desk.conn, since_iso, team)
            if r[0] not in problems}
    grouping = similarity.group(similarity.Item(r[0], r[1], r[2], r[3]) for r in rows.values())
    found = _order([_describe(g, rows) for g in grouping.groups
                    if g.size >= min_size and (only is None or g.id == only)])
    if limit is not None:
        found = found[:limit]
    linked = _problems(desk) if problems else {}
    recent_since = _since(desk, f"{RECENT_DAYS}d")
    for g in found:
        candidates = sorted({p for n in g["numbers"] for p in linked.get(n, ())},
                            key=lambda p: (p[1], p[0]), reverse=True)  # open, then newest
        problem = candidates[0] if candidates else None
        article = _article(desk, g["title"], team or g["teams"][0]["team"])
        g["kb_article"] = article
        g["problem"] = problem[0] if problem else None
        g["suggestion"] = _suggestion(g["size"], g["last_at"], g["open"], article, problem,
                                      recent_since)
    return found


def groups(desk: Desk, since: str = "90d", team: str | None = None, min_size: int = 3,
           limit: int | None = None) -> list[dict]:
    """The groups of similar requests created since ``since`` (30d, 12w, a date) with at
    least ``min_size`` requests: largest first, then the most recent. One dict per group,
    the documented JSON shape."""
    team = _check(desk, team, min_size, limit)
    return _analyse(desk, _since(desk, since), team, min_size, limit)


def flat(group: dict) -> dict:
    """A group as one CSV/TSV row: lists joined by spaces, the article as id and title."""
    article = group["kb_article"] or {}
    return {
        **group,
        "teams": " ".join(f"{t['team']}:{t['count']}" for t in group["teams"]),
        "top_requesters": " ".join(group["top_requesters"]),
        "numbers": " ".join(str(n) for n in group["numbers"]),
        "kb_article": article.get("id"),
        "kb_title": article.get("title"),
    }


def _problem_text(group: dict, since_iso: str, since: str) -> tuple[str, str]:
    from isvc.services.requests import MAX_TITLE

    prefix = "Problem: "
    title = group["title"]
    if len(prefix) + len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - len(prefix) - 1].rstrip() + "…"
    teams = ", ".join(f"{t['team']} ({t['count']})" for t in group["teams"])
    body = (
        f"{group['size']} similar requests were created between {group['first_at'][:10]} and "
        f"{group['last_at'][:10]} (period: since {since_iso[:10]}, --since {since}); "
        f"{group['open']} still open.\n"
        f"Teams: {teams}. Requesters: {group['requesters']}.\n\n"
        "Requests: " + " ".join(f"#{n}" for n in group["numbers"]) + "\n"
    )
    return prefix + title, body


def open_problem(desk: Desk, group_id: int, since: str = "90d", team: str | None = None,
                 min_size: int = 3) -> Opened:
    """File one problem request for group ``group_id`` (its id as ``groups`` shows it) in
    the group's main team, tagged ``problem``, and link every request of the group to it
    as ``relates``: all in one transaction, or nothing. Agents of that team and admins."""
    from isvc.services import links
    from isvc.services import requests as requests_svc
    from isvc.store.db import write

    team = _check(desk, team, min_size, None)
    since_iso = _since(desk, since)
    with write(desk.conn):
        found = _analyse(desk, since_iso, team, min_size, None, only=group_id)
        group = found[0] if found else None
        if group is None:
            raise NotFound(f"no recurring group {group_id} since {since_iso[:10]}; the groups "
                           "are listed by `isvc report recurring` (the id is the first column)")
        main = group["teams"][0]["team"]
        if not (desk.is_admin() or main in desk.teams_of()):
            raise PermissionDenied(f"only members of team {main} or an admin may open a problem "
                                   f"request for group {group_id}; you are {desk.actor}")
        if group["suggestion"].startswith("problem #"):
            raise InvalidInput(f"group {group_id} already has problem #{group['problem']} open; "
                               f"see `isvc request show {group['problem']}`")
        title, body = _problem_text(group, since_iso, since)
        filed = requests_svc.file_request(desk, title, main, priority="normal", body=body,
                                          tags=[PROBLEM_TAG])
        number = filed.request.number
        linked = [n for n in group["numbers"] if links.add(desk, number, n, "relates")]
        store.touch(desk.conn, [number, *linked], desk.now_iso)
    from isvc.store import requests as requests_store

    return Opened(problem=requests_store.get_request(desk.conn, number), group=group,
                  linked=len(linked))
