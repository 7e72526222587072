"""The landscape as a network: brokers, single points of failure, and communities.

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
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from govmap.graph.analysis.findings import Finding, Kind, Severity, Source, make_finding, plural
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Body, Register

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


@dataclass(frozen=True)
class CutStructure:
    """Articulation points and bridges with the sizes of what they separate."""

    #: node -> sizes of the pieces left when it is removed
    pieces: dict[str, list[int]]
    #: (a, b, size of the smaller side)
    bridges: list[tuple[str, str, int]]
    #: node -> (size, weight) of each piece, largest first, when weights were given (the bodies in it)
    weighed: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def cut_structure(g: nx.Graph, weight: Mapping[str, int] | None = None) -> CutStructure:
    """Articulation points and bridges with piece sizes, in one depth-first pass (O(n + m)).

    Tarjan's low-link algorithm, iterative, visiting nodes and neighbours in
    sorted order so the result does not depend on insertion order.  With
    ``weight`` (node -> 0 or more), each piece's total weight is counted too
    (:attr:`CutStructure.weighed`): how many bodies a cut leaves stranded.
    """
    w = weight or {}
    disc: dict[str, int] = {}
    low: dict[str, int] = {}
    sub: dict[str, int] = {}
    subw: dict[str, int] = {}
    children: dict[str, list[tuple[int, int]]] = defaultdict(list)
    raw_bridges: list[tuple[str, str, int]] = []
    comp: dict[str, tuple[int, int]] = {}
    roots: set[str] = set()
    t = 0
    for root in sorted(g):
        if root in disc:
            continue
        roots.add(root)
        disc[root] = low[root] = t
        t += 1
        sub[root] = 1
        subw[root] = w.get(root, 0)
        seen = [root]
        stack = [(root, None, iter(sorted(g[root])))]
        while stack:
            v, parent, it = stack[-1]
            for x in it:
                if x == parent:
                    continue
                if x not in disc:
                    disc[x] = low[x] = t
                    t += 1
                    sub[x] = 1
                    subw[x] = w.get(x, 0)
                    seen.append(x)
                    stack.append((x, v, iter(sorted(g[x]))))
                    break
                low[v] = min(low[v], disc[x])
            else:
                stack.pop()
                if stack:
                    p = stack[-1][0]
                    low[p] = min(low[p], low[v])
                    sub[p] += sub[v]
                    subw[p] += subw[v]
                    if low[v] >= disc[p]:
                        children[p].append((sub[v], subw[v]))
                    if low[v] > disc[p]:
                        raw_bridges.append((p, v, sub[v]))
        for node in seen:
            comp[node] = (sub[root], subw[root])
    weighed: dict[str, list[tuple[int, int]]] = {}
    for node, parts in children.items():
        if node in roots:
            if len(parts) >= 2:
                weighed[node] = sorted(parts, reverse=True)
        else:
            size, total = comp[node]
            rest = (size - 1 - sum(p[0] for p in parts), total - w.get(node, 0) - sum(p[1] for p in parts))
            weighed[node] = sorted([*parts, rest], reverse=True)
    pieces = {node: [p[0] for p in parts] for node, parts in weighed.items()}
    bridges = sorted((min(a, b), max(a, b), min(s, comp[a][0] - s)) for a, b, s in raw_bridges)
    return CutStructure(pieces, bridges, weighed if weight is not None else {})


def single_points(
    register: Register, min_cut: int = 2, lookup: Lookup | None = None, graph: nx.Graph | None = None
) -> list[Finding]:
    """Bodies and organisations whose removal would leave other bodies with no link to the landscape.

    An articulation point splits the landscape when removed; what it *cuts
    off* is everything outside the largest remaining piece.  It is a single
    point of failure only when two or more bodies that do not depend on it by
    design are among what it cuts off (at least ``min_cut`` records in all):
    organisations or people recorded on one body hang from it by
    construction, and a body's sub-groups, the bodies it hosts, those
    accountable to it or working with it, and those it sits on depend on it by
    design; losing those links means nothing new.  Severity: medium from 5 such bodies, else low.  A bridge is a single
    link whose removal splits the landscape (info; its size is the smaller side).
    """
    lk = lookup_of(register, lookup)
    g = graph if graph is not None else landscape_graph(register, lk)
    bodies = {b.id for b in lk.bodies}
    cs = cut_structure(g, {n: 1 for n in g if n in bodies})
    out = []
    for node, parts in sorted(cs.weighed.items()):
        cut = sum(p[0] for p in parts[1:])
        cut_bodies = sum(p[1] for p in parts[1:])
        if cut < min_cut or not cut_bodies:
            continue
        small = parts[1][0]  # the largest piece cut off (parts are largest first)
        stranded = [b for b in _cut_off_bodies(g, node, bodies, small) if not _depends_by_design(lk, b, node)]
        if len(stranded) < 2:
            continue
        cut_bodies = len(stranded)
        names = ", ".join(lk.name(b) for b in stranded[:3]) + (" and others" if len(stranded) > 3 else "")
        out.append(
            make_finding(
                Kind.SINGLE_POINT,
                Severity.MEDIUM if cut_bodies >= 5 else Severity.LOW,
                f"Without {lk.name(node)}, {plural(cut_bodies, 'body', 'bodies')} ({names}) would have no link "
                f"to the rest of the landscape ({plural(cut, 'record')} in all).",
                [lk.subject(node)],
                evidence={
                    "pieces": [p[0] for p in parts],
                    "cut_off": cut,
                    "bodies_cut_off": [{"id": b, "name": lk.name(b)} for b in stranded],
                    "degree": g.degree(node),
                    # whom it reports to: single points under one parent are folded into one finding
                    "parents": [{"id": p, "name": lk.name(p)} for p in lk.parents.get(node, ())],
                },
                suggestion="Add a second link (a shared member, a reporting line) so that these bodies do "
                "not depend on one body or organisation.",
                sources=lk.record_sources(node),
                score=cut,
            )
        )
    for a, b, size in cs.bridges:
        if size < min_cut:
            continue
        types = g.edges[a, b]["types"]
        sources: list[Source] = []
        for x, y in ((a, b), (b, a)):
            for fld in ("reports_to", "sub_group_of", "links_with", "members", "hosted_by", "part_of"):
                sources += lk.rel_sources(x, fld, y)
        out.append(
            make_finding(
                Kind.BRIDGE,
                Severity.INFO,
                f"The link between {lk.name(a)} and {lk.name(b)} is the only connection for "
                f"{plural(size, 'record')}.",
                [lk.subject(a), lk.subject(b)],
                evidence={"types": types, "smaller_side": size},
                suggestion="Check that this single link is enough for information to flow both ways.",
                sources=sources,
                score=size,
            )
        )
    return out


def _depends_by_design(lk: Lookup, body: str, on: str) -> bool:
    """A body tied to ``on`` directly: it answers to it, is hosted by it, is accountable to it (or one of
    its posts), works with it (``links_with``), or has it as a member."""
    rec = lk.index.get(body)
    if on in lk.ancestors(body) or not isinstance(rec, Body):
        return True
    targets = {link.to for link in (*rec.hosted_by, *rec.accountable_to, *rec.links_with)}
    targets |= {lk.seat_organisation(m) or m.member for m in lk.seats(rec)}
    posts = {p.id for p in lk.register.posts if p.organisation == on}
    return on in targets or bool(targets & posts)


def _cut_off_bodies(g: nx.Graph, node: str, bodies: set[str], largest_small: int) -> list[str]:
    """The bodies outside the largest piece left when ``node`` is removed, sorted.

    Each piece is found by a breadth-first search from a neighbour of ``node``,
    given up as soon as it grows past ``largest_small`` (the largest of the
    pieces that are cut off): that piece is the rest of the landscape, which
    is never walked whole.
    """
    seen: set[str] = {node}
    out: list[str] = []
    for start in sorted(g[node]):
        if start in seen:
            continue
        piece = {start}
        todo = [start]
        big = False
        while todo and not big:
            for nxt in g[todo.pop()]:
                if nxt not in seen and nxt not in piece:
                    piece.add(nxt)
                    todo.append(nxt)
                    if len(piece) > largest_small:
                        big = True
                        break
        seen |= piece
        if not big:
            out += [b for b in piece if b in bodies]
    return sorted(out)


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
    "CutStructure",
    "brokers",
    "sampled_betweenness",
    "communities",
    "cut_structure",
    "landscape_graph",
    "single_points",
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
