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
from govmap.graph.analysis.landscape import landscape_graph
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Body, Register


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


__all__ = ["CutStructure", "cut_structure", "single_points"]
