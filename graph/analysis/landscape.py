"""The landscape as a network: brokers and communities; single points of failure are in
:mod:`govmap.graph.analysis.cut_points`.

The *landscape graph* is the undirected projection of active bodies and
organisations: an organisation is joined to each body it sits on (directly, or
through a post or person acting for it) and to bodies it hosts; bodies are
joined by ``reports_to``, ``sub_group_of`` and ``links_with``; organisations by
``part_of``.  Themes, strategies and areas are left out: they are what bodies
talk about, not who talks to whom.

Re-exported by :mod:`govmap.graph.analysis.structure`.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding, plural
from govmap.graph.analysis.lookup import Lookup, lookup_of, sorted_distinct
from govmap.ingest.model import Register

#: Above this many nodes, betweenness is estimated from a fixed sample of sources.
EXACT_BETWEENNESS_MAX = 1000
BETWEENNESS_SAMPLE = 64
SEED = 0


@dataclass(frozen=True)
class Landscape:
    """The landscape graph as plain adjacency: what the structure analyses walk, without NetworkX.

    Node ``i`` is ``nodes[i]`` (the ids in sorted order, so sorting node numbers sorts their ids);
    ``adj[i]`` lists its neighbours in ascending order; ``types`` holds the relation types of the
    edge between ``i < j`` under the key ``i * len(nodes) + j`` (:meth:`edge_types`), but for the
    edges that are seats alone (``member_of``, most of them), which it leaves out.
    :meth:`graph` is the same graph as a :class:`networkx.Graph` (:func:`landscape_graph`).
    """

    nodes: list[str]
    index: dict[str, int]
    adj: list[list[int]]
    types: dict[int, str | set[str]]

    def edge_types(self, i: int, j: int) -> list[str]:
        """The sorted relation types joining nodes ``i`` and ``j``."""
        t = self.types.get(i * len(self.nodes) + j if i < j else j * len(self.nodes) + i, "member_of")
        return [t] if isinstance(t, str) else sorted(t)

    def edges(self) -> list[tuple[int, int]]:
        """Every edge once, ``(i, j)`` with ``i < j``, in ascending order (as ``Graph.edges`` gives them)."""
        return [(i, j) for i, near in enumerate(self.adj) for j in near if j > i]

    def graph(self) -> nx.Graph:
        """The landscape as a :class:`networkx.Graph`: nodes in id order, each edge's ``types``."""
        g = nx.Graph()
        nodes = self.nodes
        g.add_nodes_from(nodes)
        # the adjacency filled as add_edges_from fills it (each edge's data dict shared by both
        # ends, in this order), without its per-edge checks: every end is a node, every edge new
        adj = g._adj
        for i, j in self.edges():
            data = {"types": self.edge_types(i, j)}
            adj[nodes[i]][nodes[j]] = data
            adj[nodes[j]][nodes[i]] = data
        return g


def _node(node_of: Callable[[str, int], int], id_: str | None) -> int:
    """The node ``id_`` is, -1 for none or one that is not a node."""
    return node_of(id_, -1) if id_ is not None else -1


def landscape(register: Register, lookup: Lookup | None = None) -> Landscape:
    """The landscape graph (:func:`landscape_graph`) as a :class:`Landscape`.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> ls = landscape(loads('''
    ... organisations: [{id: police, name: Police, type: police-force}]
    ... bodies:
    ...   - {id: csp, name: CSP, kind: csp, members: [police]}
    ...   - {id: group, name: Group, kind: group, reports_to: csp}
    ... '''))
    >>> ls.nodes, ls.adj, ls.edge_types(0, 1)
    (['csp', 'group', 'police'], [[1, 2], [0], [0]], ['reports_to'])
    """
    lk = lookup_of(register, lookup)
    nodes = sorted({b.id for b in lk.bodies} | {o.id for o in register.organisations})
    index = {v: i for i, v in enumerate(nodes)}
    n = len(nodes)
    # edge i < j -> its types (a set for the few of several), but for an edge of seats alone
    types: dict[int, str | set[str]] = {}

    def add(a: int, b: int, t: str) -> None:
        if a == b:
            return
        key = a * n + b if a < b else b * n + a
        old = types.setdefault(key, t)
        if old != t:
            types[key] = {*([old] if isinstance(old, str) else old), t}

    # most edges are seats (148,000 nationally): read from the reading's seat table as arrays, each
    # seat's edge keyed as add keys it, kept as an array (types names them only if something else
    # joins the same two)
    seats = lk.seat_table
    node_of = index.get
    counts_for = np.array(
        [_node(node_of, lk.member_organisation(member)) for member in seats.members] or [-1], dtype=np.int64
    )
    org = counts_for[seats.member]
    if seats.on_behalf:  # a seat naming on_behalf_of counts for that organisation
        for s, m in enumerate(seats.seats):
            if m.on_behalf_of:
                org[s] = node_of(m.on_behalf_of, -1)
    body_node = np.array([index[body.id] for body in lk.bodies] or [0], dtype=np.int64)[seats.body]
    joined = (org >= 0) & (org != body_node)
    lo, hi = np.minimum(org, body_node)[joined], np.maximum(org, body_node)[joined]
    seat_keys = sorted_distinct(lo * n + hi)
    for body in lk.bodies:
        b = index[body.id]
        for t, linked in (
            ("hosts", body.hosted_by),
            ("reports_to", body.reports_to),
            ("sub_group_of", body.sub_group_of),
            ("links_with", body.links_with),
        ):
            for link in linked:
                j = node_of(link.to)
                if j is not None:
                    add(b, j, t)
    for o in register.organisations:
        for link in o.part_of:
            j = node_of(link.to)
            if j is not None:
                add(index[o.id], j, "part_of")
    other = np.fromiter(types, dtype=np.int64, count=len(types))
    at = np.minimum(np.searchsorted(seat_keys, other), max(len(seat_keys) - 1, 0))
    for key in other[seat_keys[at] == other].tolist() if len(seat_keys) else ():  # a seat and more
        was = types[key]
        types[key] = {"member_of", *([was] if isinstance(was, str) else was)}
    # each node's neighbours ascending: both ends of every edge, sorted by node then neighbour
    ends, near = np.divmod(sorted_distinct(np.concatenate((seat_keys, other))), n)
    both = np.sort(np.concatenate((ends * n + near, near * n + ends)))  # (node, neighbour) as keys
    flat = (both % n).tolist()
    stops = np.cumsum(np.bincount(both // n, minlength=n)).tolist()
    adj = [flat[a:b] for a, b in zip([0, *stops], stops, strict=False)]
    return Landscape(nodes, index, adj, types)


def landscape_graph(register: Register, lookup: Lookup | None = None) -> nx.Graph:
    """The undirected graph of active bodies and organisations (nodes added in id order).

    Edges carry ``types``, the sorted relation types joining the two.  The structure analyses
    walk the same graph as a :class:`Landscape` (:func:`landscape`).
    """
    return landscape(register, lookup).graph()


def sampled_betweenness(g: nx.Graph, k: int, seed: int = SEED) -> dict[str, float]:
    """Normalised betweenness estimated from ``k`` source nodes, computed by igraph.

    The sources are the ones :func:`networkx.betweenness_centrality` draws with
    ``k`` and ``seed`` (``random.Random(seed).sample(list(g), k)``), and the
    estimate is scaled as it scales it (``n / k`` over the normalisation), so
    the figures match NetworkX's to about three decimal places; igraph's C
    breadth-first searches make it one to two orders of magnitude faster
    (NetworkX took 45% of the whole report at five force areas).
    """
    nodes = list(g)
    index = {v: i for i, v in enumerate(nodes)}
    raw = _sampled(len(nodes), [(index[a], index[b]) for a, b in g.edges()], k, seed)
    return {v: raw[i] for i, v in enumerate(nodes)}


def _sampled(n: int, edges: list[tuple[int, int]], k: int, seed: int) -> list[float]:
    """:func:`sampled_betweenness` of nodes ``0 .. n - 1`` joined by ``edges``."""
    import random

    import igraph

    if n <= 2:
        return [0.0] * n
    ig = igraph.Graph(n=n, edges=edges)
    sources = random.Random(seed).sample(range(n), k)
    raw = ig.betweenness(directed=False, sources=sources)
    # NetworkX counts each (source, target) path once from the source's side and scales by
    # 1/((n-1)(n-2)) * n/k; igraph's source-restricted figure is half of that raw count.
    scale = 2.0 * n / (k * (n - 1) * (n - 2))
    return [x * scale for x in raw]


def brokers(
    register: Register, top: int = 5, lookup: Lookup | None = None, graph: Landscape | None = None
) -> list[Finding]:
    """The ``top`` bodies and organisations with the highest betweenness (info).

    ``graph`` is the landscape graph (:func:`landscape`), when the caller has made it already.

    Notes
    -----
    Normalised betweenness centrality on the landscape graph, unweighted.
    Exact (Brandes, O(nm)) up to :data:`EXACT_BETWEENNESS_MAX` nodes; above,
    estimated from :data:`BETWEENNESS_SAMPLE` sources drawn with a fixed seed
    (:func:`sampled_betweenness`, computed by igraph), so the result is the
    same run after run.  Ties are ordered by id.
    """
    lk = lookup_of(register, lookup)
    ls = graph if graph is not None else landscape(register, lk)
    nodes = ls.nodes
    n = len(nodes)
    k = None if n <= EXACT_BETWEENNESS_MAX else BETWEENNESS_SAMPLE
    if k is None:
        bc = nx.betweenness_centrality(ls.graph(), normalized=True)
    else:
        bc = dict(zip(nodes, _sampled(n, ls.edges(), k, SEED), strict=True))
    # the first ``top`` by rounded betweenness, highest first, then by id (50,000 nodes nationally)
    ranked = heapq.nsmallest(top, ((-round(v, 4), node) for node, v in bc.items() if v > 0))
    out = []
    for rank, (minus, node) in enumerate(ranked, start=1):
        value = -minus
        near = ls.adj[ls.index[node]]
        out.append(
            make_finding(
                Kind.BROKER,
                Severity.INFO,
                f"{lk.name(node)} is a broker: it lies on many of the shortest paths between others "
                f"(rank {rank}).",
                [lk.subject(node)],
                evidence={
                    "betweenness": value,
                    "rank": rank,
                    "degree": len(near),
                    "sampled_sources": k,
                    "neighbours": [{"id": nodes[x], "name": lk.name(nodes[x])} for x in near[:20]],
                },
                suggestion="Brokers carry information between parts of the landscape; make sure this role "
                "is deliberate and covered when the seat is vacant.",
                sources=lk.record_sources(node),
                score=value,
            )
        )
    return out


def communities(
    register: Register,
    overlap: nx.Graph,
    min_size: int = 3,
    seed: int = SEED,
    lookup: Lookup | None = None,
) -> list[Finding]:
    """Groups of bodies with overlapping remits, offered as consolidation candidates (low).

    Parameters
    ----------
    overlap : networkx.Graph
        The thresholded overlap graph (:func:`govmap.graph.analysis.overlap.overlap_graph`),
        weight = overlap score.
    min_size : int
        Smallest group reported; a pair is already an ``overlap`` finding.
    seed : int
        Seed of Louvain, so the same register gives the same groups.

    Notes
    -----
    Louvain community detection (:func:`networkx.community.louvain_communities`)
    on the overlap graph: the groups maximise modularity of overlap scores, so
    bodies in one group overlap more with each other than with the rest.
    """
    lk = lookup_of(register, lookup)
    if overlap.number_of_edges() == 0:
        return []
    groups = nx.community.louvain_communities(overlap, weight="weight", seed=seed)
    out = []
    for group in sorted((sorted(c) for c in groups), key=lambda c: (-len(c), c)):
        if len(group) < min_size:
            continue
        sub = overlap.subgraph(group)
        # fsum is exact, so the mean does not depend on the order the edges come in (that
        # order follows string hashing: a plain sum changed the fourth decimal between runs).
        total = math.fsum(d["weight"] for _, _, d in sub.edges(data=True))
        themes: dict[str, int] = defaultdict(int)
        for b in group:
            for link in getattr(lk.index[b], "themes", ()):
                themes[lk.theme_groups.get(link.theme, link.theme)] += 1
        shared = sorted(t for t, c in themes.items() if c >= 2)
        statutory = [b for b in group if getattr(lk.index[b], "statutory", False)]
        out.append(
            make_finding(
                Kind.CONSOLIDATION,
                Severity.LOW,
                f"{plural(len(group), 'body', 'bodies')} with overlapping remits could be considered "
                "together: "
                + ", ".join(lk.name(b) for b in group[:5])
                + (" and others." if len(group) > 5 else "."),
                [lk.subject(b) for b in group],
                evidence={
                    "overlapping_pairs": sub.number_of_edges(),
                    "mean_score": round(total / max(sub.number_of_edges(), 1), 4),
                    "shared_themes": [{"id": t, "name": lk.name(t)} for t in shared],
                    "seed": seed,
                    "statutory": [
                        {
                            "id": b,
                            "name": lk.name(b),
                            "legal_basis": getattr(lk.index[b], "legal_basis", None),
                        }
                        for b in statutory
                    ],
                },
                suggestion=_consolidation_suggestion(lk, group),
                sources=[
                    s
                    for b in group
                    for t in getattr(lk.index[b], "themes", ())
                    for s in lk.rel_sources(b, "themes", t.theme)
                ],
                score=round(total, 4),
            )
        )
    return out


__all__ = [
    "Landscape",
    "brokers",
    "sampled_betweenness",
    "communities",
    "landscape",
    "landscape_graph",
]


def _consolidation_suggestion(lk: Lookup, group: list[str]) -> str:
    """Merge or share an agenda; never merge two statutory bodies, each required by its own statute."""
    statutory = [b for b in group if getattr(lk.index[b], "statutory", False)]
    if len(statutory) < 2:
        return "Review these bodies together: could they merge, or share one agenda?"
    names = ", ".join(
        f"{lk.name(b)} ({getattr(lk.index[b], 'legal_basis', None) or 'statutory'})" for b in statutory
    )
    return (
        f"Review these bodies together. The statutory bodies among them cannot be merged ({names}): "
        "align their agendas or form a joint sub-group; the others could merge or share one agenda."
    )
