"""Single points of failure in the landscape graph (:func:`~govmap.graph.analysis.landscape.landscape_graph`):
the bodies, organisations and links whose loss would cut bodies off (:func:`single_points`), found by
one depth-first pass (:func:`cut_structure`).

Re-exported by :mod:`govmap.graph.analysis.structure`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from govmap.graph.analysis.findings import Finding, Kind, Severity, Source, make_finding, plural
from govmap.graph.analysis.landscape import Landscape, landscape
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Body, Organisation, Register


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
    nodes = sorted(g)
    index = {v: i for i, v in enumerate(nodes)}
    adj = [sorted(index[x] for x in g[v]) for v in nodes]
    w = [weight.get(v, 0) for v in nodes] if weight is not None else [0] * len(nodes)
    cuts = depth_first_cuts(adj, w)
    pieces, bridges = cuts.weighed, cuts.bridges
    return CutStructure(
        {nodes[i]: [p[0] for p in parts] for i, parts in pieces.items()},
        [(nodes[a], nodes[b], size) for a, b, size in bridges],
        {nodes[i]: parts for i, parts in pieces.items()} if weight is not None else {},
    )


@dataclass(frozen=True)
class Cuts:
    """What one depth-first pass over nodes ``0 .. n - 1`` finds (:func:`depth_first_cuts`)."""

    #: articulation point -> (size, weight) of each piece its removal leaves, largest first
    weighed: dict[int, list[tuple[int, int]]]
    #: ``(i, j, size of the smaller side)``, ``i < j``, sorted
    bridges: list[tuple[int, int, int]]
    #: the nodes in the order the pass found them: a node's subtree is ``order[disc[v]:disc[v] + sub[v]]``
    order: list[int]
    disc: list[int]
    sub: list[int]
    #: node -> where its piece of the graph starts in ``order``, and its size
    whole: list[tuple[int, int]]
    #: articulation point -> its children in the pass whose subtrees its removal separates
    separated: dict[int, list[int]]

    def cut_off(self, v: int, largest_small: int) -> list[int]:
        """The nodes of the pieces left when ``v`` is removed that are no larger than ``largest_small``
        (every piece but a largest one larger than the rest), in node order.

        Each separated child's subtree is one piece, a run of :attr:`order`; what is left of ``v``'s
        piece of the graph (for a ``v`` that did not start it) is another, the runs around them.
        """
        disc, sub = self.disc, self.sub
        kids = self.separated.get(v, [])
        runs = [(disc[c], disc[c] + sub[c]) for c in kids if sub[c] <= largest_small]
        start, size = self.whole[v]
        if disc[v] != start and size - 1 - sum(sub[c] for c in kids) <= largest_small:
            pos = start
            for a, b in sorted([(disc[v], disc[v] + 1), *((disc[c], disc[c] + sub[c]) for c in kids)]):
                if pos < a:
                    runs.append((pos, a))
                pos = b
            if pos < start + size:
                runs.append((pos, start + size))
        return sorted(x for a, b in runs for x in self.order[a:b])


def depth_first_cuts(adj: list[list[int]], w: list[int]) -> Cuts:
    """:func:`cut_structure` of nodes ``0 .. n - 1`` (``adj[i]``: ``i``'s neighbours, ascending) weighing
    ``w``, with what the pass found (:class:`Cuts`)."""
    n = len(adj)
    disc = [-1] * n
    low = [0] * n
    sub = [0] * n
    subw = [0] * n
    children: dict[int, list[tuple[int, int]]] = defaultdict(list)
    separated: dict[int, list[int]] = defaultdict(list)
    raw_bridges: list[tuple[int, int, int]] = []
    comp: list[tuple[int, int]] = [(0, 0)] * n
    whole: list[tuple[int, int]] = [(0, 0)] * n
    order: list[int] = []
    roots: set[int] = set()
    t = 0
    for root in range(n):
        if disc[root] >= 0:
            continue
        roots.add(root)
        disc[root] = low[root] = t
        t += 1
        sub[root] = 1
        subw[root] = w[root]
        first = len(order)
        order.append(root)
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            v, parent, it = stack[-1]
            for x in it:
                if x == parent:
                    continue
                if disc[x] < 0:
                    disc[x] = low[x] = t
                    t += 1
                    sub[x] = 1
                    subw[x] = w[x]
                    order.append(x)
                    stack.append((x, v, iter(adj[x])))
                    break
                if disc[x] < low[v]:
                    low[v] = disc[x]
            else:
                stack.pop()
                if stack:
                    p = stack[-1][0]
                    if low[v] < low[p]:
                        low[p] = low[v]
                    sub[p] += sub[v]
                    subw[p] += subw[v]
                    if low[v] >= disc[p]:
                        children[p].append((sub[v], subw[v]))
                        separated[p].append(v)
                    if low[v] > disc[p]:
                        raw_bridges.append((p, v, sub[v]))
        sizes, where = (sub[root], subw[root]), (first, sub[root])
        for node in order[first:]:
            comp[node] = sizes
            whole[node] = where
    weighed: dict[int, list[tuple[int, int]]] = {}
    for node, parts in children.items():
        if node in roots:
            if len(parts) >= 2:
                weighed[node] = sorted(parts, reverse=True)
        else:
            size, total = comp[node]
            rest = (size - 1 - sum(p[0] for p in parts), total - w[node] - sum(p[1] for p in parts))
            weighed[node] = sorted([*parts, rest], reverse=True)
    bridges = sorted((min(a, b), max(a, b), min(s, comp[a][0] - s)) for a, b, s in raw_bridges)
    return Cuts(weighed, bridges, order, disc, sub, whole, separated)


def single_points(
    register: Register, min_cut: int = 2, lookup: Lookup | None = None, graph: Landscape | None = None
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
    ``graph`` is the landscape graph (:func:`~govmap.graph.analysis.landscape.landscape`), when made already.
    """
    lk = lookup_of(register, lookup)
    ls = graph if graph is not None else landscape(register, lk)
    nodes = ls.nodes
    bodies = {b.id for b in lk.bodies}
    is_body = [1 if v in bodies else 0 for v in nodes]
    cuts = depth_first_cuts(ls.adj, is_body)
    weighed, bridges = cuts.weighed, cuts.bridges
    out = []
    for i, parts in sorted(weighed.items()):  # node numbers sort as their ids
        node = nodes[i]
        cut = sum(p[0] for p in parts[1:])
        cut_bodies = sum(p[1] for p in parts[1:])
        if cut < min_cut or not cut_bodies:
            continue
        small = parts[1][0]  # the largest piece cut off (parts are largest first)
        tied = _tied(lk, node)
        near = _seated_near(lk, ls, i)
        stranded = [
            nodes[b]
            for b in cuts.cut_off(i, small)
            if is_body[b] and not _depends_by_design(lk, nodes[b], node, tied, near)
        ]
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
                    "degree": len(ls.adj[i]),
                    # whom it reports to: single points under one parent are folded into one finding
                    "parents": [{"id": p, "name": lk.name(p)} for p in lk.parents.get(node, ())],
                },
                suggestion="Add a second link (a shared member, a reporting line) so that these bodies do "
                "not depend on one body or organisation.",
                sources=lk.record_sources(node),
                score=cut,
            )
        )
    for i, j, size in bridges:
        if size < min_cut:
            continue
        a, b = nodes[i], nodes[j]
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
                evidence={"types": ls.edge_types(i, j), "smaller_side": size},
                suggestion="Check that this single link is enough for information to flow both ways.",
                sources=sources,
                score=size,
            )
        )
    return out


def _depends_by_design(
    lk: Lookup, body: str, on: str, tied: set[str], seated: set[str] | None = None
) -> bool:
    """A body tied to ``on`` directly: it answers to it, is hosted by it, is accountable to it (or one of
    its posts), works with it (``links_with``), or has it as a member.  ``tied`` is ``on`` and its posts
    (:func:`_tied`), found once for all the bodies a cut leaves; ``seated``, when known, holds every
    body a seat of ``on`` could tie (:func:`_seated_near`): another body's seats are not read."""
    rec = lk.index.get(body)
    if on in lk.ancestors(body) or not isinstance(rec, Body):
        return True
    if any(link.to in tied for link in (*rec.hosted_by, *rec.accountable_to, *rec.links_with)):
        return True
    if seated is not None and body not in seated:
        return False
    return any((lk.seat_organisation(m) or m.member) in tied for m in lk.seats(rec))


def _seated_near(lk: Lookup, ls: Landscape, i: int) -> set[str] | None:
    """The bodies a seat of organisation ``ls.nodes[i]`` (or of a post in it) could tie to it: its
    neighbours in the landscape, when no seat names ``on_behalf_of`` (None otherwise, or for a body).

    Then a seat stands for its member's organisation (:meth:`Lookup.member_organisation`), or for its
    member when that has none; it stands for the organisation or one of its posts only when it
    stands for the organisation, and the landscape joins every body listing such a seat, current or
    not, to it.  Nationally the cuts leave 7,000 bodies, 95 % of them tied by no seat: their 70,000
    seats are not read.
    """
    if lk.seat_table.on_behalf or not isinstance(lk.index.get(ls.nodes[i]), Organisation):
        return None
    return {ls.nodes[j] for j in ls.adj[i]}


def _tied(lk: Lookup, on: str) -> set[str]:
    """``on`` and the posts of it (when it is an organisation)."""
    return {on, *(p.id for p in lk.register.posts if p.organisation == on)}


__all__ = ["CutStructure", "Cuts", "cut_structure", "depth_first_cuts", "single_points"]
