"""Paths through the register: from a theme up to a top body, and between any two records.

A body *reaches the top* through reporting lines (``reports_to``,
``sub_group_of``) over active bodies up to a top body: one marked
``top_level`` or in the register's ``top`` list, or, when a register names no
top at all, a body with no parent.  A theme's accountability path runs from
the bodies addressing it (or matched themes, or strategies and their owners)
up those lines; ``no-accountability-path`` is the finding for a theme whose
bodies reach no top.  The rest of the reporting structure (orphans, dead
ends) is :mod:`govmap.graph.analysis.structure`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx

from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding
from govmap.graph.analysis.gaps import GAP_KINDS
from govmap.graph.analysis.lookup import Lookup, lookup_of
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
    # A body accountable_to an organisation or post (a council, a mayor) is held to account there.
    seen = (set(_tops(lk)) | {b.id for b in lk.bodies if b.accountable_to}) & active
    todo = deque(sorted(seen))
    while todo:
        b = todo.popleft()
        for c in lk.children.get(b, []):
            if c in active and c not in seen:
                seen.add(c)
                todo.append(c)
    return frozenset(seen)


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
    >>> from govmap.ingest.reading.load import loads
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
    >>> from govmap.ingest.reading.load import loads
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


__all__ = [
    "AccountabilityPath",
    "PathStep",
    "accountability_path",
    "reaching_top",
    "shortest_path",
    "unaccountable_themes",
]
