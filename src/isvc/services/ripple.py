"""The ripple effect: who waits on whom, transitively (`isvc ripple`, the queue's marks,
the report's longest chains).

Edges come from ``blocks`` links and open waits on another request (isvc.store.ripple).
Resolved, closed and cancelled requests are shown but stop nothing: a walk reaches them
and does not go through them, and they never count as blocked or blocking.

``ripple N`` walks each way breadth first through the whole reachable set (up to
COUNT_MAX requests), so its counts and its critical path are the true ones; the tree lists
the first MAX_DEPTH levels and MAX_NODES requests of it, at most WIDTH under each request,
and says in ``limits`` (and in the ``more`` of the node above) what it leaves out. Past
COUNT_MAX the counts are lower bounds, and ``limits`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from isvc.domain import ripple as graphs
from isvc.domain.models import OPEN_STATUSES, Request
from isvc.errors import InvalidInput, NotFound
from isvc.services import access
from isvc.services.desk import Desk
from isvc.store import ripple as store

MAX_DEPTH = 12     # levels listed each way from the request
MAX_NODES = 500    # requests listed each way
WIDTH = 20         # waiting (or blocking) requests listed under one request
COUNT_MAX = 100_000  # requests counted each way (a cheap walk: numbers and statuses only)
_OPEN = frozenset(s.value for s in OPEN_STATUSES)
HIDDEN = "(not visible to you)"


@dataclass
class Node:
    number: int
    depth: int
    via: str | None
    children: list["Node"] = field(default_factory=list)
    more: int = 0          # children left out (WIDTH, or the levels and requests listed)


@dataclass
class RippleView:
    number: int
    facts: dict[int, dict]             # every request shown: see _facts
    upstream: list[Node]
    downstream: list[Node]
    critical_path: list[int]
    waiting_people: list[str]
    counts: dict[str, int]
    limits: list[str] = field(default_factory=list)   # what was left out, in words
    upstream_more: int = 0     # the request's own blockers / waiters not listed (WIDTH)
    downstream_more: int = 0
    partial: frozenset[str] = frozenset()   # "upstream"/"downstream": counted to COUNT_MAX only


def _count(n: int, word: str) -> str:
    """"1 level", "12 levels": the words of ``limits``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# -- who may see what ----------------------------------------------------------------

class _Viewer:
    def __init__(self, desk: Desk):
        self.desk = desk
        self.teams = desk.teams_of()
        self.admin = desk.is_admin()

    def sees(self, req: Request) -> bool:
        roles = access.roles_of(self.desk.actor, self.teams, self.admin, req)
        return access.can("view", roles)


# -- clocks ---------------------------------------------------------------------------

def _clock_facts(req: Request, clocks: dict | None) -> dict:
    """The resolution clock in the NODE shape: state, due_at, remaining_business_minutes."""
    from isvc.domain.timeutil import to_iso

    res = (clocks or {}).get("resolution")
    if res is None:
        return {"state": None, "due_at": None, "remaining_business_minutes": None,
                "day_minutes": None}
    is_open = req.status.value in _OPEN
    state = res.state
    if is_open and res.paused and state != "breached":
        state = "paused"
    # due while it runs: a done request's clock has stopped, a paused one's due time moves
    due = res.due if is_open and state != "paused" else None
    return {"state": state, "due_at": to_iso(due) if due else None,
            "remaining_business_minutes": res.remaining_minutes if is_open else None,
            "day_minutes": clocks.get("day_minutes")}


def _facts(desk: Desk, viewer: _Viewer, reqs: dict[int, Request]) -> dict[int, dict]:
    from isvc.services import sla

    live = sla.live(desk.conn, sorted(reqs), desk.now) if reqs else {}
    out = {}
    for number, req in reqs.items():
        visible = viewer.sees(req)
        out[number] = {
            "number": number,
            "title": req.title if visible else f"#{number} {HIDDEN}",
            "team": req.team,
            "assignee": req.assignee if visible else None,
            "status": req.status.value,
            "priority": req.priority.value if visible else None,
            "requester": req.requester if visible else None,
            "watchers": list(req.watchers) if visible else [],
            "visible": visible,
            "open": req.status.value in _OPEN,
        } | _clock_facts(req, live.get(number) if visible else None)
    return out


def _urgency(facts: dict[int, dict]):
    """Tie key: least business time left first; paused or clockless clocks last."""
    def key(n: int):
        f = facts.get(n) or {}
        left = f.get("remaining_business_minutes")
        if left is None or f.get("state") == "paused":
            return (1, 0)
        return (0, left)
    return key


# -- `isvc ripple N` ----------------------------------------------------------------------

def _reach(desk: Desk, root: int, upstream: bool, graph: graphs.Graph,
           status: dict[int, str]) -> tuple[dict[int, int], bool]:
    """Breadth first from ``root`` one way, through open requests only, up to COUNT_MAX
    requests, adding the edges it reads to ``graph`` and the statuses to ``status``.
    Returns {number: depth} and whether it reached everything."""
    depth: dict[int, int] = {}
    frontier = [root]
    level = 0
    while frontier:
        edges = store.edges_around(desk.conn, frontier, upstream)
        level += 1
        for src, dst, via in edges:
            graph.add(src, dst, via)
        found = [n for n in sorted({src if upstream else dst for src, dst, _ in edges})
                 if n != root and n not in depth]
        complete = len(depth) + len(found) <= COUNT_MAX
        found = found[:COUNT_MAX - len(depth)]
        status.update(store.statuses(desk.conn, [n for n in found if n not in status]))
        for n in found:
            depth[n] = level
        if not complete:
            return depth, False
        frontier = [n for n in found if status.get(n) in _OPEN]
    return depth, True


def _listed(reached: dict[int, int], complete: bool, way: str) -> tuple[dict[int, int], list[str]]:
    """The requests the tree lists (the first MAX_DEPTH levels, at most MAX_NODES, nearest
    first) and what it leaves out, in words."""
    limits: list[str] = []
    near = sorted((n for n, d in reached.items() if d <= MAX_DEPTH),
                  key=lambda n: (reached[n], n))
    if len(near) < len(reached):
        limits.append(f"the chain goes on past {_count(MAX_DEPTH, 'level')} {way}stream; "
                      "isvc ripple on its last request shows the rest")
    if len(near) > MAX_NODES:
        near = near[:MAX_NODES]
        limits.append(f"only the first {_count(MAX_NODES, 'request')} {way}stream are listed")
    if not complete:
        limits.append(f"the requests past the first {COUNT_MAX:,} {way}stream, which "
                      f"were not counted: the {way}stream counts are lower bounds")
    return {n: reached[n] for n in near}, limits


def _left_below(root: int, listed: dict[int, int], reached: dict[int, int],
                pred: dict[int, dict[int, str]], facts: dict[int, dict]) -> dict[int, int]:
    """{listed request: how many requests reached but not listed hang under it}: each
    under the nearest listed request it waits on (or blocks) that the walk went through."""
    out: dict[int, int] = {}
    for m in sorted(set(reached) - set(listed), key=lambda m: (reached[m], m)):
        parents = [p for p in pred.get(m, {})
                   if p == root or (p in listed and facts[p]["open"])]
        if parents:
            parent = min(parents, key=lambda p: (listed.get(p, 0), p))
            out[parent] = out.get(parent, 0) + 1
    return out


def _tree(root: int, walked: dict[int, int], succ: dict[int, dict[int, str]],
          path: list[int], facts: dict[int, dict], key,
          below: dict[int, int]) -> tuple[list[Node], int, int]:
    """Each listed request once, under the request it waits on (or blocks); the critical
    path's requests under each other (as far as they are listed). Returns the root's
    children, how many more the root has than are listed, and how many requests WIDTH
    left out in all. ``below``: the requests not listed (the levels and requests listed)
    under each request, counted in its ``more``."""
    parent: dict[int, int] = {}
    for a, b in zip(path, path[1:]):
        if b not in walked:
            break
        parent[b] = a
    placed = {root} | set(parent)
    order = [root] + sorted(walked, key=lambda n: (walked[n], n))
    for n in order:
        if n != root and not facts.get(n, {}).get("open"):
            continue
        for m in sorted(succ.get(n, {}), key=lambda m: (key(m), m)):
            if m in walked and m not in placed:
                parent[m] = n
                placed.add(m)
    kids: dict[int, list[int]] = {}
    for child, par in parent.items():
        kids.setdefault(par, []).append(child)
    on_path = set(path)
    left_out = 0

    def build(n: int, depth: int) -> tuple[list[Node], int]:
        nonlocal left_out
        children = sorted(kids.get(n, ()), key=lambda m: (m not in on_path, key(m), m))
        shown, more = children[:WIDTH], max(0, len(children) - WIDTH)
        if more:
            # what is left out is every request under those children too
            hidden = set(children[WIDTH:])
            stack = list(hidden)
            while stack:
                for c in kids.get(stack.pop(), ()):
                    if c not in hidden:
                        hidden.add(c)
                        stack.append(c)
            left_out += len(hidden)
        nodes = []
        for m in shown:
            sub, sub_more = build(m, depth + 1)
            nodes.append(Node(m, depth, succ[n][m], sub, sub_more))
        return nodes, more + below.get(n, 0)

    top, top_more = build(root, 1)
    return top, top_more, left_out


def _people(desk: Desk, viewer: _Viewer, facts: dict[int, dict], numbers,
            status: dict[int, str]) -> set[str]:
    """The requesters and watchers of the open requests among ``numbers`` the viewer may
    see; those not listed (not among ``facts``) read from the store."""
    people: set[str] = set()
    rest = []
    for n in numbers:
        f = facts.get(n)
        if f is None:
            if status.get(n) in _OPEN:
                rest.append(n)
        elif f["open"] and f["visible"]:
            people.add(f["requester"])
            people.update(f["watchers"])
    for req in store.requests_by_number(desk.conn, rest).values():
        if req.status.value in _OPEN and viewer.sees(req):
            people.add(req.requester)
            people.update(req.watchers)
    return people


def ripple(desk: Desk, number: int) -> RippleView:
    """Everything ``number`` waits on and everything (and everyone) waiting on it."""
    from isvc.store.requests import get_request

    req = get_request(desk.conn, number)
    if req is None:
        raise NotFound(f"no request #{number}; see `isvc request list`")
    viewer = _Viewer(desk)
    roles = access.roles_of(desk.actor, viewer.teams, viewer.admin, req)
    access.require("view", roles, req, desk.actor, "see")
    graph = graphs.Graph()
    status = {number: req.status.value}
    up_all, up_complete = _reach(desk, number, True, graph, status)
    down_all, down_complete = _reach(desk, number, False, graph, status)
    up, up_limits = _listed(up_all, up_complete, "up")
    down, down_limits = _listed(down_all, down_complete, "down")
    reqs = store.requests_by_number(desk.conn, (set(up) | set(down)) - {number})
    reqs[number] = req
    up = {n: d for n, d in up.items() if n in reqs}
    down = {n: d for n, d in down.items() if n in reqs}
    facts = _facts(desk, viewer, reqs)
    key = _urgency(facts)
    # the longest chain over everything reached (not only what is listed)
    passable = {n for n in set(up_all) | set(down_all) if status.get(n) in _OPEN}
    critical = graphs.critical_path(graph, number, passable, key)
    at = critical.index(number)
    up_below = _left_below(number, up, up_all, graph.down, facts)
    down_below = _left_below(number, down, down_all, graph.up, facts)
    up_tree, up_more, up_cut = _tree(number, up, graph.up, critical[at::-1], facts, key,
                                     up_below)
    down_tree, down_more, down_cut = _tree(number, down, graph.down, critical[at:], facts,
                                           key, down_below)
    limits = up_limits + down_limits
    for cut, way in ((up_cut, "blocking"), (down_cut, "waiting")):
        if cut:
            limits.append(f"{_count(cut, way + ' request')} not listed "
                          f"(at most {WIDTH} under each)")
    if not (up_complete and down_complete):
        limits.append("any longer critical path through requests that were not counted")
    people = _people(desk, viewer, facts, down_all, status)
    counts = {
        "upstream": len(up_all),
        "upstream_open": sum(1 for n in up_all if status.get(n) in _OPEN),
        "downstream": len(down_all),
        "downstream_open": sum(1 for n in down_all if status.get(n) in _OPEN),
        "people": len(people),
    }
    partial = frozenset(way for way, done in (("upstream", up_complete),
                                              ("downstream", down_complete)) if not done)
    return RippleView(number, facts, up_tree, down_tree, critical if len(critical) > 1 else [],
                      sorted(people), counts, limits, up_more, down_more, partial)


# -- the open graph: the queue, `ripple --team`, the report's chains -------------------------

def blocking_counts(desk: Desk) -> dict[int, int]:
    """{open request: how many open requests wait on it, transitively} for the ones that
    block something (one indexed query over open requests; the queue's "⛓ blocks N")."""
    graph = graphs.Graph.of(store.open_edges(desk.conn))
    return graphs.transitive_counts(graph, graph.nodes())


class _OpenGraph:
    """The open requests that wait on or block another one, with their facts."""

    def __init__(self, desk: Desk):
        self.graph = graphs.Graph.of(store.open_edges(desk.conn))
        self.nodes = self.graph.nodes()
        self.reqs = store.requests_by_number(desk.conn, self.nodes)
        self.nodes &= set(self.reqs)
        self.facts = _facts(desk, _Viewer(desk), self.reqs)
        self.key = _urgency(self.facts)

    def people(self, numbers) -> set[str]:
        out: set[str] = set()
        for n in numbers:
            f = self.facts[n]
            if f["visible"]:
                out.add(f["requester"])
                out.update(f["watchers"])
        return out


TEAM_COLUMNS = ["number", "title", "status", "assignee", "blocked_open", "people_waiting",
                "chain_length", "remaining_business_minutes", "state"]


def team_ranking(desk: Desk, team: str, limit: int = 10) -> list[dict]:
    """Team ``team``'s open requests that others wait on, most waited on first: by the
    open requests waiting on each (transitively), then the people behind those, then the
    time left on its resolution clock."""
    from isvc.services.directory import require_team

    if limit < 1:
        raise InvalidInput("--limit must be at least 1")
    team = require_team(desk, team)
    og = _OpenGraph(desk)
    counts = graphs.transitive_counts(og.graph, og.nodes)
    mine = [n for n in counts if og.reqs[n].team == team]
    if not mine:
        return []
    dag = graphs.acyclic(og.graph.down, og.nodes)
    rev: dict[int, list[int]] = {n: [] for n in dag}
    for n, ms in dag.items():
        for m in ms:
            rev[m].append(n)
    len_down, _ = graphs.longest_from(dag, og.key)
    len_up, _ = graphs.longest_from(rev, og.key)
    rows = []
    for n in mine:
        waiting = graphs.reachable(og.graph.down, n, lambda m: m in og.nodes)
        f = og.facts[n]
        rows.append({
            "number": n, "title": f["title"], "status": f["status"], "assignee": f["assignee"],
            "blocked_open": counts[n], "people_waiting": len(og.people(waiting)),
            "chain_length": len_down[n] + len_up[n] - 1,
            "remaining_business_minutes": f["remaining_business_minutes"], "state": f["state"],
            "day_minutes": f["day_minutes"],
        })
    rows.sort(key=lambda r: (-r["blocked_open"], -r["people_waiting"], og.key(r["number"]),
                             r["number"]))
    return rows[:limit]


def longest_chains(desk: Desk, team: str | None = None, limit: int = 5) -> list[dict]:
    """The longest chains of open requests waiting on each other (for the HTML report),
    longest first, each bringing at least two requests no chain above it has (a chain
    whose requests but one are already listed is skipped: see
    isvc.domain.ripple.longest_chains); with ``team``, the chains with a request of that
    team. Each: {"numbers": [deepest blocker first ... last waiter],
    "length", "teams", "titles", "people_waiting"} (the requesters and watchers of the
    requests that wait)."""
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    if team is not None:
        from isvc.services.directory import require_team

        team = require_team(desk, team)
    og = _OpenGraph(desk)
    waiting = {}

    def people(chain: list[int]) -> int:
        key = tuple(chain)
        if key not in waiting:
            waiting[key] = len(og.people(chain[1:]))
        return waiting[key]

    chains = graphs.longest_chains(
        og.graph, og.nodes, og.key,
        include=lambda c: team is None or any(og.reqs[n].team == team for n in c),
        score=lambda c: -people(c), limit=limit)
    return [{"numbers": chain, "length": len(chain),
             "teams": [og.facts[n]["team"] for n in chain],
             "titles": [og.facts[n]["title"] for n in chain],
             "people_waiting": people(chain)} for chain in chains]
