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

import math
from collections import defaultdict

import networkx as nx

from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding, plural
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Register

#: Above this many nodes, betweenness is estimated from a fixed sample of sources.
EXACT_BETWEENNESS_MAX = 1000
BETWEENNESS_SAMPLE = 64
SEED = 0


def landscape_graph(register: Register, lookup: Lookup | None = None) -> nx.Graph:
    """The undirected graph of active bodies and organisations (nodes added in id order).

    Edges carry ``types``, the sorted relation types joining the two.
    """
    lk = lookup_of(register, lookup)
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    active = {b.id for b in lk.bodies}
    orgs = {o.id for o in register.organisations}

    nodes = active | orgs

    def add(a: str | None, b: str | None, t: str) -> None:
        if a is not None and b is not None and a != b and a in nodes and b in nodes:
            edges[(a, b) if a < b else (b, a)].add(t)

    # the organisation each seat counts for, by member (a seat naming on_behalf_of counts for that):
    # looked up once a member, not once a seat (200,000 seats nationally)
    seat_org: dict[str, str | None] = {}
    for body in lk.bodies:
        b = body.id
        for m in body.members:
            org = m.on_behalf_of
            if not org:
                member = m.member
                if member in seat_org:
                    org = seat_org[member]
                else:
                    org = seat_org[member] = lk.seat_organisation(m)
            if org is not None and org != b and org in nodes:  # b is a node: an active body
                edges[(org, b) if org < b else (b, org)].add("member_of")
        for link in body.hosted_by:
            add(link.to, b, "hosts")
        for link in body.reports_to:
            add(b, link.to, "reports_to")
        for link in body.sub_group_of:
            add(b, link.to, "sub_group_of")
        for link in body.links_with:
            add(b, link.to, "links_with")
    for o in register.organisations:
        for link in o.part_of:
            add(o.id, link.to, "part_of")
    g = nx.Graph()
    g.add_nodes_from(sorted(nodes))
    # sorted by one string per edge: the order of the (a, b) tuples, without comparing tuples
    order = sorted(edges, key=lambda e: e[0] + "\x00" + e[1])
    # the adjacency filled as add_edges_from fills it (each edge's data dict shared by both ends,
    # in this order), without its per-edge checks: every end is a node already and every edge new
    adj = g._adj
    for a, b in order:
        t = edges[(a, b)]
        data = {"types": sorted(t) if len(t) > 1 else list(t)}
        adj[a][b] = data
        adj[b][a] = data
    return g


def sampled_betweenness(g: nx.Graph, k: int, seed: int = SEED) -> dict[str, float]:
    """Normalised betweenness estimated from ``k`` source nodes, computed by igraph.

    The sources are the ones :func:`networkx.betweenness_centrality` draws with
    ``k`` and ``seed`` (``random.Random(seed).sample(list(g), k)``), and the
    estimate is scaled as it scales it (``n / k`` over the normalisation), so
    the figures match NetworkX's to about three decimal places; igraph's C
    breadth-first searches make it one to two orders of magnitude faster
    (NetworkX took 45% of the whole report at five force areas).
    """
    import random

    import igraph

    nodes = list(g)
    n = len(nodes)
    if n <= 2:
        return dict.fromkeys(nodes, 0.0)
    index = {v: i for i, v in enumerate(nodes)}
    ig = igraph.Graph(n=n, edges=[(index[a], index[b]) for a, b in g.edges()])
    sources = [index[v] for v in random.Random(seed).sample(nodes, k)]
    raw = ig.betweenness(directed=False, sources=sources)
    # NetworkX counts each (source, target) path once from the source's side and scales by
    # 1/((n-1)(n-2)) * n/k; igraph's source-restricted figure is half of that raw count.
    scale = 2.0 * n / (k * (n - 1) * (n - 2))
    return {v: raw[i] * scale for i, v in enumerate(nodes)}


def brokers(
    register: Register, top: int = 5, lookup: Lookup | None = None, graph: nx.Graph | None = None
) -> list[Finding]:
    """The ``top`` bodies and organisations with the highest betweenness (info).

    Notes
    -----
    Normalised betweenness centrality on the landscape graph, unweighted.
    Exact (Brandes, O(nm)) up to :data:`EXACT_BETWEENNESS_MAX` nodes; above,
    estimated from :data:`BETWEENNESS_SAMPLE` sources drawn with a fixed seed
    (:func:`sampled_betweenness`, computed by igraph), so the result is the
    same run after run.  Ties are ordered by id.
    """
    lk = lookup_of(register, lookup)
    g = graph if graph is not None else landscape_graph(register, lk)
    n = g.number_of_nodes()
    k = None if n <= EXACT_BETWEENNESS_MAX else BETWEENNESS_SAMPLE
    bc = nx.betweenness_centrality(g, normalized=True) if k is None else sampled_betweenness(g, k, SEED)
    ranked = sorted(((round(v, 4), node) for node, v in bc.items() if v > 0), key=lambda x: (-x[0], x[1]))
    out = []
    for rank, (value, node) in enumerate(ranked[:top], start=1):
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
                    "degree": g.degree(node),
                    "sampled_sources": k,
                    "neighbours": [{"id": x, "name": lk.name(x)} for x in sorted(g[node])][:20],
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
    "brokers",
    "sampled_betweenness",
    "communities",
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
