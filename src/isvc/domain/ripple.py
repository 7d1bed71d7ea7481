"""Waiting chains as a graph: who waits on whom, transitively, and the longest chain.

Pure logic over request numbers. An edge ``(src, dst)`` reads "src blocks dst" (dst waits
on src): a ``blocks`` link, or an open wait of dst on src (``request wait dst --on src``,
which stores the link too; the pair is one edge, marked ``waits_on``).

Stored data should hold no cycle (``request link`` refuses one), but a graph built from an
old or hand-edited file might: every walk keeps a visited set, and the longest-path code
drops the edges that close a cycle (found by a depth-first search) before it counts, so it
always ends and always returns a real, simple path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable, Mapping

BLOCKS = "blocks"
WAITS_ON = "waits_on"

TieKey = Callable[[int], Hashable]


@dataclass
class Graph:
    """Edges both ways: ``down[src][dst]`` and ``up[dst][src]`` hold how (blocks/waits_on)."""

    down: dict[int, dict[int, str]] = field(default_factory=dict)
    up: dict[int, dict[int, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, edges: Iterable[tuple[int, int, str]]) -> "Graph":
        graph = cls()
        for src, dst, via in edges:
            graph.add(src, dst, via)
        return graph

    def add(self, src: int, dst: int, via: str = BLOCKS) -> None:
        """One edge per pair: an open wait (waits_on) says more than the link it stored."""
        if src == dst:
            return
        known = self.down.get(src, {}).get(dst)
        if known == WAITS_ON:
            return
        if known is not None and via != WAITS_ON:
            return
        self.down.setdefault(src, {})[dst] = via
        self.up.setdefault(dst, {})[src] = via

    def nodes(self) -> set[int]:
        return set(self.down) | set(self.up)

    def edges(self) -> list[tuple[int, int, str]]:
        return [(s, d, via) for s, dsts in self.down.items() for d, via in dsts.items()]

    def direction(self, upstream: bool) -> dict[int, dict[int, str]]:
        """The neighbours to walk: blockers (upstream) or waiters (downstream)."""
        return self.up if upstream else self.down


def reachable(succ: Mapping[int, Iterable[int]], start: int,
              passable: Callable[[int], bool] = lambda n: True) -> dict[int, int]:
    """Every node reachable from ``start`` (not ``start`` itself) with its depth, breadth
    first. A node that is not ``passable`` is reached but not walked through."""
    depth = {start: 0}
    frontier = [start]
    while frontier:
        nxt = []
        for n in frontier:
            if n != start and not passable(n):
                continue
            for m in succ.get(n, ()):
                if m not in depth:
                    depth[m] = depth[n] + 1
                    nxt.append(m)
        frontier = nxt
    del depth[start]
    return depth


def acyclic(succ: Mapping[int, Iterable[int]], nodes: Iterable[int]) -> dict[int, list[int]]:
    """``succ`` restricted to ``nodes``, without the edges that close a cycle (the back
    edges of an iterative depth-first search, so deep chains cannot overflow the stack).
    Sorted walks keep the result deterministic."""
    keep = set(nodes)
    out: dict[int, list[int]] = {n: [] for n in keep}
    state: dict[int, int] = {}           # 1: on the current path, 2: finished
    for root in sorted(keep):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(sorted(m for m in succ.get(root, ()) if m in keep)))]
        while stack:
            n, children = stack[-1]
            m = next(children, None)
            if m is None:
                state[n] = 2
                stack.pop()
                continue
            seen = state.get(m)
            if seen == 1:
                continue                 # m is an ancestor of n: n -> m closes a cycle
            out[n].append(m)
            if seen is None:
                state[m] = 1
                stack.append((m, iter(sorted(x for x in succ.get(m, ()) if x in keep))))
    return out


def _topological(dag: Mapping[int, list[int]]) -> list[int]:
    indegree = {n: 0 for n in dag}
    for n, ms in dag.items():
        for m in ms:
            indegree[m] += 1
    order = [n for n in sorted(dag) if indegree[n] == 0]
    for n in order:                      # grows while it is read
        for m in dag[n]:
            indegree[m] -= 1
            if indegree[m] == 0:
                order.append(m)
    return order


def longest_from(dag: Mapping[int, list[int]], tie: TieKey = lambda n: 0
                 ) -> tuple[dict[int, int], dict[int, int | None]]:
    """On a DAG (see ``acyclic``): for every node the number of nodes on the longest path
    that starts there, and the next node of that path. Equal lengths go to the next node
    with the smaller ``tie`` key (least time left), then the smaller number."""
    length: dict[int, int] = {}
    nxt: dict[int, int | None] = {}
    for n in reversed(_topological(dag)):
        best = None
        for m in dag[n]:
            if best is None or (-length[m], tie(m), m) < (-length[best], tie(best), best):
                best = m
        length[n] = 1 + (length[best] if best is not None else 0)
        nxt[n] = best
    return length, nxt


def path_from(start: int, nxt: Mapping[int, int | None]) -> list[int]:
    path = [start]
    while (m := nxt.get(path[-1])) is not None:
        path.append(m)
    return path


def longest_path_from(succ: Mapping[int, Iterable[int]], start: int, nodes: Iterable[int],
                      tie: TieKey = lambda n: 0) -> list[int]:
    """The longest simple path from ``start`` through ``nodes`` (start first)."""
    keep = set(nodes) | {start}
    length, nxt = longest_from(acyclic(succ, keep), tie)
    return path_from(start, nxt) if start in length else [start]


def critical_path(graph: Graph, root: int, nodes: Iterable[int],
                  tie: TieKey = lambda n: 0) -> list[int]:
    """The longest chain through ``root`` over ``nodes``: the longest path of blockers
    ending at root joined with the longest path of waiters starting at it, in order from
    the deepest blocker to the last waiter. (Drawn from one set, the two halves cannot
    share a node: a blocker that also waits on root would be a cycle.)"""
    keep = set(nodes) | {root}
    upstream = longest_path_from(graph.up, root, keep, tie)
    downstream = longest_path_from(graph.down, root, keep - set(upstream[1:]), tie)
    return list(reversed(upstream)) + downstream[1:]


def transitive_counts(graph: Graph, nodes: Iterable[int]) -> dict[int, int]:
    """For each node of ``nodes`` that blocks another: how many of ``nodes`` wait on it,
    directly or through others (each counted once)."""
    keep = set(nodes)
    out = {}
    for n in sorted(keep):
        if not any(m in keep for m in graph.down.get(n, ())):
            continue
        seen = reachable(graph.down, n, lambda m: m in keep)
        count = sum(1 for m in seen if m in keep)
        if count:
            out[n] = count
    return out


def is_subpath(short: list[int], long: list[int]) -> bool:
    """Whether ``short`` appears in ``long`` as consecutive items."""
    k = len(short)
    return k <= len(long) and any(long[i:i + k] == short for i in range(len(long) - k + 1))


def longest_chains(graph: Graph, nodes: Iterable[int], tie: TieKey = lambda n: 0,
                   include: Callable[[list[int]], bool] = lambda chain: True,
                   score: Callable[[list[int]], Hashable] = lambda chain: 0,
                   limit: int = 5) -> list[list[int]]:
    """The longest chains over ``nodes`` (two requests or more), longest first (then by
    ``score``, smaller first), each adding something to those listed before it.

    The candidates are the longest chain through each node, deduplicated; ``include``
    filters them. Going down the ranking, a candidate is skipped when all its requests but
    one (or all of them) are already on a listed chain: a chain that only swaps the last
    waiter of a listed one (one blocker, thirty waiters) or that is a sub-path of one.
    So every listed chain brings at least two requests no chain above it has, none is a
    sub-path of another, and a request left out sits next to a listed one (while fewer than
    ``limit`` are listed)."""
    keep = set(nodes)
    down = acyclic(graph.down, keep)
    up = {n: [] for n in down}
    for n, ms in down.items():
        for m in ms:
            up[m].append(n)
    len_down, next_down = longest_from(down, tie)
    len_up, next_up = longest_from(up, tie)
    candidates = {}
    for n in sorted(keep):
        if len_down[n] + len_up[n] - 1 < 2:
            continue
        chain = list(reversed(path_from(n, next_up))) + path_from(n, next_down)[1:]
        candidates.setdefault(tuple(chain), chain)
    ranked = sorted((c for c in candidates.values() if include(c)),
                    key=lambda c: (-len(c), score(c), c))
    out: list[list[int]] = []
    listed: set[int] = set()
    for chain in ranked:
        if len(out) >= limit:
            break
        if sum(1 for n in chain if n not in listed) < 2:
            continue
        out.append(chain)
        listed.update(chain)
    return out
