"""The reporting structure: orphans, two parents, dead ends, and paths up to the top.

Reporting lines are ``reports_to`` and ``sub_group_of`` (W3C ORG reportsTo and
subOrganizationOf).  ``links_with`` is working together, not accountability,
and does not count as a reporting line.  The top of the landscape is every
body marked ``top_level`` plus the register's ``top`` list; when a register
names no top at all, bodies with no parent stand in for it when paths are
searched (they are still reported as orphans).

The network measures (brokers, single points of failure, communities) are in
:mod:`govmap.graph.analysis.landscape`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Lookup,
    Severity,
    Source,
    lookup_of,
    make_finding,
    plural,
)
from govmap.graph.analysis.gaps import GAP_KINDS
from govmap.graph.analysis.landscape import (
    brokers,
    communities,
    cut_structure,
    landscape_graph,
    single_points,
)
from govmap.graph.build import build_graph
from govmap.graph.entity import LABELS, get_record
from govmap.ingest.model import Body, Register, RelType, Strategy, Theme, ThemeRole


@dataclass(frozen=True)
class PathStep:
    """One step of a path: the record reached and how (``via``, read from the previous step)."""

    id: str
    name: str
    kind: str
    via: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "via": self.via}


@dataclass(frozen=True)
class AccountabilityPath:
    """A theme's path up to a top body; ``reaches_top`` False when it stops short."""

    theme: str
    steps: tuple[PathStep, ...]
    reaches_top: bool


def _tops(lk: Lookup) -> frozenset[str]:
    if lk.top:
        return lk.top
    return frozenset(b.id for b in lk.bodies if not lk.parents.get(b.id))


def reaching_top(register: Register, lookup: Lookup | None = None) -> frozenset[str]:
    """Active bodies with a reporting line (through active bodies) up to a top body."""
    lk = lookup_of(register, lookup)
    active = {b.id for b in lk.bodies}
    seen = set(_tops(lk)) & active
    todo = deque(sorted(seen))
    while todo:
        b = todo.popleft()
        for c in lk.children.get(b, []):
            if c in active and c not in seen:
                seen.add(c)
                todo.append(c)
    return frozenset(seen)


def orphans(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Active bodies with no reporting line that are not top-level (medium).

    Examples
    --------
    >>> from govmap.ingest.load import loads
    >>> reg = loads('''
    ... bodies:
    ...   - {id: top, name: Top, kind: board, top_level: true}
    ...   - {id: lost, name: Lost, kind: group, links_with: top}
    ... ''')
    >>> [f.title for f in orphans(reg)]
    ['Lost has no reporting line and is not a top-level body.']
    """
    lk = lookup_of(register, lookup)
    out = []
    for b in lk.bodies:
        if lk.parents.get(b.id) or b.id in lk.top:
            continue
        links = [link.to for link in b.links_with]
        out.append(
            make_finding(
                Kind.ORPHAN,
                Severity.MEDIUM,
                f"{b.name} has no reporting line and is not a top-level body.",
                [lk.subject(b.id)],
                evidence={"links_with": [{"id": i, "name": lk.name(i)} for i in links]},
                suggestion="Record whom it reports to (reports_to or sub_group_of), or mark it top_level.",
                sources=lk.record_sources(b.id)
                + [s for i in links for s in lk.rel_sources(b.id, "links_with", i)],
            )
        )
    return out


def multiple_parents(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Active bodies reporting to two or more bodies (low: sometimes deliberate, e.g. a joint group)."""
    lk = lookup_of(register, lookup)
    out = []
    for b in lk.bodies:
        ps = lk.parents.get(b.id, [])
        if len(ps) < 2:
            continue
        sources: list[Source] = []
        for p in ps:
            sources += lk.rel_sources(b.id, "reports_to", p) + lk.rel_sources(b.id, "sub_group_of", p)
        out.append(
            make_finding(
                Kind.MULTIPLE_PARENTS,
                Severity.LOW,
                f"{b.name} reports to {len(ps)} bodies: " + ", ".join(lk.name(p) for p in ps) + ".",
                [lk.subject(b.id), *(lk.subject(p) for p in ps)],
                evidence={"parents": [{"id": p, "name": lk.name(p)} for p in ps]},
                suggestion="Check which body holds it to account; record the other as links_with.",
                sources=sources,
            )
        )
    return out


def dead_end_chains(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Reporting chains that never reach a top body.

    One finding per end of a chain: a body that reports to no one (itself an
    orphan) or a dissolved or succeeded body.  Its subjects are the end and
    the active bodies stranded below it.  Severity medium.

    Notes
    -----
    Walks up from each body once per ancestor: linear in the size of the
    reporting forest.  Cycles are refused by validation; they are tolerated.
    """
    lk = lookup_of(register, lookup)
    reached = reaching_top(register, lk)
    active = {b.id for b in lk.bodies}
    stranded: dict[str, list[str]] = {}
    for b in lk.bodies:
        if b.id in reached or not lk.parents.get(b.id):
            continue
        seen, todo, ends = {b.id}, list(lk.parents[b.id]), []
        while todo:
            p = todo.pop(0)
            if p in seen:
                continue
            seen.add(p)
            up = lk.parents.get(p, [])
            if p not in active or not up:
                ends.append(p)
            else:
                todo += up
        for end in sorted(ends)[:1]:
            stranded.setdefault(end, []).append(b.id)
    out = []
    for end, below in sorted(stranded.items()):
        reason = "was dissolved or succeeded" if end not in active else "reports to no top body"
        out.append(
            make_finding(
                Kind.DEAD_END,
                Severity.MEDIUM,
                f"{plural(len(below), 'body reports', 'bodies report')} up to {lk.name(end)}, which {reason}.",
                [lk.subject(end), *(lk.subject(b) for b in below)],
                evidence={
                    "end": {"id": end, "name": lk.name(end), "active": end in active},
                    "stranded": [{"id": b, "name": lk.name(b)} for b in below],
                },
                suggestion="Complete the reporting line from the end of the chain to a top body.",
                sources=lk.record_sources(end)
                + [
                    s
                    for b in below
                    for p in lk.parents.get(b, [])
                    for s in lk.rel_sources(b, "reports_to", p)
                ],
            )
        )
    return out


def _theme_neighbours(lk: Lookup, t: str) -> Iterator[tuple[str, str]]:
    uses = lk.theme_uses.get(t, [])
    for role in (ThemeRole.LEAD, ThemeRole.CONTRIBUTES):
        for u in sorted(
            (u for u in uses if u.holder_kind == "body" and u.role is role), key=lambda u: u.holder
        ):
            yield u.holder, f"addressed by ({role.value})"
    for other in lk.group_members.get(lk.theme_groups.get(t, t), []):
        if other != t:
            yield other, "matches"
    for u in sorted((u for u in uses if u.holder_kind == "strategy"), key=lambda u: u.holder):
        yield u.holder, f"addressed by strategy ({u.role.value})"


def _neighbours(lk: Lookup, node: str) -> Iterator[tuple[str, str]]:
    rec = lk.index.get(node)
    if isinstance(rec, Theme):
        yield from _theme_neighbours(lk, node)
    elif isinstance(rec, Strategy):
        for link in rec.owner:
            if isinstance(lk.index.get(link.to), Body):
                yield link.to, "owned by"
    elif isinstance(rec, Body):
        for link in rec.reports_to:
            yield link.to, "reports to"
        for link in rec.sub_group_of:
            yield link.to, "sub-group of"


def accountability_path(
    register: Register, theme_id: str, lookup: Lookup | None = None
) -> AccountabilityPath:
    """The shortest path from a theme up to a top body.

    From the theme to the bodies addressing it (leads before contributors),
    to matched themes, to strategies addressing it and their owning bodies,
    then up ``reports_to`` and ``sub_group_of``.

    Parameters
    ----------
    register : Register
    theme_id : str
        Raises :class:`~govmap.graph.entity.UnknownEntity` when there is no such record.

    Returns
    -------
    AccountabilityPath
        When no top body is reached, the path to the first body found with no
        parent (``reaches_top`` False); just the theme when no body addresses it.

    Examples
    --------
    >>> from govmap.ingest.load import loads
    >>> reg = loads('''
    ... themes: [{id: da, name: DA, kind: priority}]
    ... bodies:
    ...   - {id: top, name: Top, kind: board, top_level: true}
    ...   - {id: g, name: G, kind: group, reports_to: top, themes: [{theme: da, role: lead}]}
    ... ''')
    >>> p = accountability_path(reg, "da")
    >>> [(s.id, s.via) for s in p.steps], p.reaches_top
    ([('da', None), ('g', 'addressed by (lead)'), ('top', 'reports to')], True)
    """
    lk = lookup_of(register, lookup)
    get_record(register, theme_id)
    tops = _tops(lk)
    prev: dict[str, tuple[str, str] | None] = {theme_id: None}
    todo = deque([theme_id])
    fallback: str | None = None
    end: str | None = None
    while todo:
        node = todo.popleft()
        if node in tops and isinstance(lk.index.get(node), Body):
            end = node
            break
        if fallback is None and isinstance(lk.index.get(node), Body) and not lk.parents.get(node):
            fallback = node
        for nxt, via in _neighbours(lk, node):
            if nxt not in prev and nxt in lk.index:
                prev[nxt] = (node, via)
                todo.append(nxt)
    last = end or fallback or theme_id
    steps: list[PathStep] = []
    cur: str | None = last
    while cur is not None:
        link = prev[cur]
        s = lk.subject(cur)
        steps.append(PathStep(s.id, s.name, s.kind, link[1] if link else None))
        cur = link[0] if link else None
    return AccountabilityPath(theme_id, tuple(reversed(steps)), end is not None)


def unaccountable_themes(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Themes (of the gap kinds) addressed by bodies, with no accountability path to a top body (medium).

    A theme counts as accountable when any path of :func:`accountability_path`
    reaches a top body, including through a matched theme or a strategy
    owned by a top body.
    """
    lk = lookup_of(register, lookup)
    reached = reaching_top(register, lk)
    out = []
    for theme in register.themes:
        if theme.kind not in GAP_KINDS:
            continue
        bodies = sorted({u.holder for u in lk.theme_uses.get(theme.id, []) if u.holder_kind == "body"})
        if not bodies or any(b in reached for b in bodies):
            continue
        path = accountability_path(register, theme.id, lk)
        if path.reaches_top:  # through a matched theme or an owned strategy
            continue
        out.append(
            make_finding(
                Kind.NO_ACCOUNTABILITY_PATH,
                Severity.MEDIUM,
                f"No body addressing '{theme.name}' reports up to a top body.",
                [lk.subject(theme.id), *(lk.subject(b) for b in bodies)],
                evidence={
                    "bodies": [{"id": b, "name": lk.name(b)} for b in bodies],
                    "path": [s.to_json() for s in path.steps],
                },
                suggestion="Record the reporting line of one of these bodies up to the top of the landscape.",
                sources=[s for b in bodies for s in lk.rel_sources(b, "themes", theme.id)],
                key=theme.id,
            )
        )
    return out


def _undirected(register: Register) -> nx.Graph:
    g = build_graph(register)
    u: nx.Graph = nx.Graph()
    u.add_nodes_from(g.nodes(data=True))
    for a, b, _key, data in sorted(g.edges(keys=True, data=True), key=lambda e: e[2]):
        if not u.has_edge(a, b):
            u.add_edge(a, b, type=data["type"], source=a)
    return u


def shortest_path(register: Register, a: str, b: str) -> list[PathStep] | None:
    """The shortest path between two records on the undirected graph, with edge types.

    ``via`` reads from the previous step to this one: ``reports to`` when the
    previous body reports to this one, ``reported to by`` the other way.
    Returns None when the two are not connected.

    Examples
    --------
    >>> from govmap.ingest.load import loads
    >>> reg = loads('''
    ... bodies:
    ...   - {id: top, name: Top, kind: board, top_level: true}
    ...   - {id: g, name: G, kind: group, reports_to: top}
    ... ''')
    >>> [(s.id, s.via) for s in shortest_path(reg, "top", "g")]
    [('top', None), ('g', 'reported to by')]
    """
    get_record(register, a)
    get_record(register, b)
    g = _undirected(register)
    try:
        ids = nx.shortest_path(g, a, b)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    lk_names = {n: (d["name"], d["kind"]) for n, d in g.nodes(data=True)}
    steps = [PathStep(a, *lk_names[a])]
    for x, y in zip(ids, ids[1:], strict=False):
        data = g.edges[x, y]
        out_label, in_label = LABELS[RelType(data["type"])]
        steps.append(PathStep(y, *lk_names[y], via=out_label if data["source"] == x else in_label))
    return steps


def structure(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Every reporting-structure finding (see the functions above)."""
    lk = lookup_of(register, lookup)
    return (
        orphans(register, lk)
        + multiple_parents(register, lk)
        + dead_end_chains(register, lk)
        + unaccountable_themes(register, lk)
    )


__all__ = [
    "AccountabilityPath",
    "brokers",
    "communities",
    "cut_structure",
    "landscape_graph",
    "single_points",
    "PathStep",
    "accountability_path",
    "dead_end_chains",
    "multiple_parents",
    "orphans",
    "reaching_top",
    "shortest_path",
    "structure",
    "unaccountable_themes",
]
