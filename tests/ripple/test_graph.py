"""isvc.domain.ripple: walks, the longest path through a request, the longest chains.

Property tests on random graphs against brute force: every path the code returns is a real
path (each step an edge, no request twice), and on a DAG no path is longer.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from isvc.domain import ripple as g


@st.composite
def dags(draw, max_nodes: int = 9):
    """A random DAG: edges only from a lower to a higher number (so no cycle)."""
    n = draw(st.integers(1, max_nodes))
    pairs = [(a, b) for a in range(1, n + 1) for b in range(a + 1, n + 1)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    return n, chosen


@st.composite
def digraphs(draw, max_nodes: int = 8):
    """Any directed graph, cycles included (old or hand-edited data)."""
    n = draw(st.integers(1, max_nodes))
    pairs = [(a, b) for a in range(1, n + 1) for b in range(1, n + 1) if a != b]
    if not pairs:
        return n, []
    return n, draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))


def _succ(edges):
    out: dict[int, list[int]] = {}
    for a, b in edges:
        out.setdefault(a, []).append(b)
    return out


def all_paths(edges, n: int) -> list[list[int]]:
    """Every simple path (one request or more), by brute force."""
    succ = _succ(edges)
    out = []

    def extend(path):
        out.append(path)
        for m in succ.get(path[-1], ()):
            if m not in path:
                extend(path + [m])

    for start in range(1, n + 1):
        extend([start])
    return out


def is_real_path(path, edges) -> bool:
    return len(set(path)) == len(path) and all((a, b) in set(edges) for a, b in zip(path, path[1:]))


# -- the critical path -----------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(dags(), st.data())
def test_the_critical_path_is_a_real_path_and_none_through_the_request_is_longer(dag, data):
    n, edges = dag
    root = data.draw(st.integers(1, n))
    graph = g.Graph.of((a, b, g.BLOCKS) for a, b in edges)
    path = g.critical_path(graph, root, range(1, n + 1))
    assert root in path and is_real_path(path, edges)
    through = [p for p in all_paths(edges, n) if root in p]
    assert len(path) == max(len(p) for p in through)


@settings(max_examples=200, deadline=None)
@given(dags(), st.data())
def test_the_critical_path_only_crosses_the_requests_allowed(dag, data):
    n, edges = dag
    root = data.draw(st.integers(1, n))
    allowed = set(data.draw(st.lists(st.integers(1, n), unique=True)))
    graph = g.Graph.of((a, b, g.BLOCKS) for a, b in edges)
    path = g.critical_path(graph, root, allowed)
    assert set(path) <= allowed | {root} and is_real_path(path, edges)
    kept = [(a, b) for a, b in edges if {a, b} <= allowed | {root}]
    through = [p for p in all_paths(kept, n) if root in p]
    assert len(path) == max(len(p) for p in through)


@settings(max_examples=300, deadline=None)
@given(digraphs(), st.data())
def test_with_cycles_in_the_data_it_ends_with_a_real_simple_path(graph_, data):
    n, edges = graph_
    root = data.draw(st.integers(1, n))
    graph = g.Graph.of((a, b, g.BLOCKS) for a, b in edges)
    path = g.critical_path(graph, root, range(1, n + 1))
    assert root in path and is_real_path(path, edges)
    for chain in g.longest_chains(graph, range(1, n + 1), limit=50):
        assert is_real_path(chain, edges)


def test_ties_go_to_the_least_time_left():
    # 1 -> 3 and 2 -> 3: two blockers of equal depth; 2 has less time left
    graph = g.Graph.of([(1, 3, g.BLOCKS), (2, 3, g.BLOCKS), (3, 4, g.BLOCKS), (3, 5, g.BLOCKS)])
    left = {1: 300, 2: 30, 4: 90, 5: 600}
    assert g.critical_path(graph, 3, range(1, 6), tie=lambda n: left[n]) == [2, 3, 4]
    left = {1: 30, 2: 300, 4: 900, 5: 60}
    assert g.critical_path(graph, 3, range(1, 6), tie=lambda n: left[n]) == [1, 3, 5]


def test_a_cycle_in_the_data_does_not_loop():
    graph = g.Graph.of([(1, 2, g.BLOCKS), (2, 3, g.BLOCKS), (3, 1, g.BLOCKS)])
    path = g.critical_path(graph, 1, {1, 2, 3})
    assert sorted(path) == [1, 2, 3] and is_real_path(path, [(1, 2), (2, 3), (3, 1)])
    assert g.reachable(graph.down, 1) == {2: 1, 3: 2}


# -- edges, walks and counts -------------------------------------------------------------------

def test_a_wait_and_its_link_are_one_edge_marked_waits_on():
    graph = g.Graph.of([(1, 2, g.BLOCKS), (1, 2, g.WAITS_ON), (1, 3, g.WAITS_ON), (1, 3, g.BLOCKS)])
    assert graph.down == {1: {2: g.WAITS_ON, 3: g.WAITS_ON}}
    assert graph.up == {2: {1: g.WAITS_ON}, 3: {1: g.WAITS_ON}}
    assert g.transitive_counts(graph, {1, 2, 3}) == {1: 2}


def test_a_request_that_is_not_passable_is_reached_but_not_walked_through():
    graph = g.Graph.of([(1, 2, g.BLOCKS), (2, 3, g.BLOCKS)])
    assert g.reachable(graph.down, 1, lambda n: n != 2) == {2: 1}
    assert g.reachable(graph.down, 1) == {2: 1, 3: 2}


@settings(max_examples=200, deadline=None)
@given(digraphs(), st.data())
def test_transitive_counts_are_what_brute_force_finds(graph_, data):
    n, edges = graph_
    nodes = set(data.draw(st.lists(st.integers(1, n), unique=True, min_size=1)))
    graph = g.Graph.of((a, b, g.BLOCKS) for a, b in edges)
    counts = g.transitive_counts(graph, nodes)
    kept = [(a, b) for a, b in edges if {a, b} <= nodes]
    for x in nodes:
        below = {p[-1] for p in all_paths(kept, n) if p[0] == x and len(p) > 1}
        assert counts.get(x, 0) == len(below)


# -- the longest chains ----------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(dags())
def test_longest_chains_are_real_longest_first_and_none_inside_another(dag):
    n, edges = dag
    graph = g.Graph.of((a, b, g.BLOCKS) for a, b in edges)
    chains = g.longest_chains(graph, range(1, n + 1), limit=50)
    longest = max(len(p) for p in all_paths(edges, n))
    if longest < 2:
        assert chains == []
        return
    assert len(chains[0]) == longest
    assert [len(c) for c in chains] == sorted((len(c) for c in chains), reverse=True)
    for i, chain in enumerate(chains):
        assert len(chain) >= 2 and is_real_path(chain, edges)
        assert not any(g.is_subpath(chain, other) for j, other in enumerate(chains) if j != i)
        # each brings two requests or more that no chain above it has
        above = {x for c in chains[:i] for x in c}
        assert len(set(chain) - above) >= 2
    # a request left out sits next to a listed one (its longest chain was a candidate,
    # skipped because it added that request alone)
    if len(chains) < 50:
        listed = {x for c in chains for x in c}
        for x in {x for a, b in edges for x in (a, b)} - listed:
            assert any(x in pair and set(pair) & listed for pair in edges), x


def test_longest_chains_keep_the_limit_and_the_filter():
    graph = g.Graph.of([(1, 2, g.BLOCKS), (2, 3, g.BLOCKS), (4, 5, g.BLOCKS), (6, 7, g.BLOCKS)])
    assert g.longest_chains(graph, range(1, 8)) == [[1, 2, 3], [4, 5], [6, 7]]
    assert g.longest_chains(graph, range(1, 8), limit=1) == [[1, 2, 3]]
    assert g.longest_chains(graph, range(1, 8), include=lambda c: 6 in c) == [[6, 7]]
    assert g.longest_chains(graph, {1, 2, 4, 5}) == [[1, 2], [4, 5]]


def test_longest_chains_skip_a_chain_that_adds_one_request():
    # 1 -> 2 -> 3 -> 4 and 3 -> 5: the chain through 5 only swaps the last waiter
    graph = g.Graph.of([(1, 2, g.BLOCKS), (2, 3, g.BLOCKS), (3, 4, g.BLOCKS), (3, 5, g.BLOCKS)])
    assert g.longest_chains(graph, range(1, 6)) == [[1, 2, 3, 4]]
    # a branch of two requests of its own is listed, as long as the first
    graph.add(2, 6)
    graph.add(6, 7)
    assert g.longest_chains(graph, range(1, 8)) == [[1, 2, 3, 4], [1, 2, 6, 7]]
    # ... and a shorter one that adds two requests comes after
    graph.add(8, 9)
    assert g.longest_chains(graph, range(1, 10)) == [[1, 2, 3, 4], [1, 2, 6, 7], [8, 9]]
    assert g.longest_chains(graph, range(1, 10), limit=2) == [[1, 2, 3, 4], [1, 2, 6, 7]]


def test_a_long_chain_fanning_out_is_one_chain():
    # 41 requests in a row, 30 requests waiting on the last: 30 chains of 42 that differ
    # only in their last request are one chain in the list
    edges = [(i, i + 1, g.BLOCKS) for i in range(1, 41)] + [(41, 100 + k, g.BLOCKS) for k in range(30)]
    graph = g.Graph.of(edges)
    chains = g.longest_chains(graph, graph.nodes())
    assert chains == [list(range(1, 42)) + [100]]
    # the score still picks among them: the one with the most people waiting
    chains = g.longest_chains(graph, graph.nodes(), score=lambda c: -c[-1])
    assert chains == [list(range(1, 42)) + [129]]
