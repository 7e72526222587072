"""Which records a map view keeps: :func:`select` applies a :class:`govmap.webviz.map.query.MapQuery`'s
theme, area, statutory, kind, focus and path filters to the register's graph."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from govmap.graph.entity import get_record
from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Area, Register, RelType, Theme
from govmap.webviz.map.query import MapQuery


def _within_closure(register: Register, area_id: str) -> set[str]:
    """The area and every area inside it, at any depth."""
    inside: dict[str, list[str]] = defaultdict(list)
    for a in register.areas:
        for link in a.within:
            inside[link.to].append(a.id)
    out, todo = {area_id}, [area_id]
    while todo:
        for child in inside.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _narrower_closure(register: Register, theme_id: str) -> set[str]:
    narrower: dict[str, list[str]] = defaultdict(list)
    for t in register.themes:
        for link in t.broader:
            narrower[link.to].append(t.id)
    out, todo = {theme_id}, [theme_id]
    while todo:
        for child in narrower.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _with_body_neighbours(g: nx.MultiDiGraph, seed: set[str]) -> set[str]:
    """The seed, plus what its bodies are linked to (members, parents, themes)."""
    out = set(seed)
    for node in seed:
        if g.nodes[node].get("kind") == "body":
            out.update(g.predecessors(node))
            out.update(g.successors(node))
    return out


def select(register: Register, g: nx.MultiDiGraph, q: MapQuery) -> set[str]:
    """The ids the query keeps."""
    nodes = set(g.nodes)
    if q.theme:
        theme = get_record(register, q.theme)
        if not isinstance(theme, Theme):
            raise GovmapError(f"'{q.theme}' is not a theme", hint="choose a theme from the list")
        themes = _narrower_closure(register, q.theme)
        holders = {u for u, v, t in g.in_edges(themes, data="type") if t == RelType.ADDRESSES.value}
        nodes &= _with_body_neighbours(g, themes | holders)
    if q.area:
        area = get_record(register, q.area)
        if not isinstance(area, Area):
            raise GovmapError(f"'{q.area}' is not an area", hint="choose an area from the list")
        areas = _within_closure(register, q.area)
        covering = {u for u, v, t in g.in_edges(areas, data="type") if t == RelType.COVERS.value}
        nodes &= _with_body_neighbours(g, areas | covering)
    if q.statutory is not None:
        dropped = {
            n
            for n in nodes
            if g.nodes[n].get("kind") == "body"
            and bool(getattr(g.nodes[n]["record"], "statutory", False)) is not q.statutory
        }
        before = nodes - dropped
        # Records left with no link to what remains are dropped too: they were there for the bodies.
        sub = g.subgraph(before)
        nodes = {n for n in before if g.nodes[n].get("kind") == "body" or sub.degree(n) > 0}
    if q.kinds:
        nodes = {n for n in nodes if g.nodes[n].get("kind") in q.kinds or n == q.focus}
    elif q.hierarchy and not q.members:
        nodes = {n for n in nodes if g.nodes[n].get("kind") == "body" or n == q.focus}
    if q.path:
        return _path_and_neighbours(g, q.path)
    if q.focus:
        get_record(register, q.focus)
        if q.focus not in g:
            raise GovmapError(f"'{q.focus}' is not drawn on the map", hint="documents are not on the map")
        nodes.add(q.focus)
        nodes = within(g, nodes, q.focus, q.hops)
    return nodes


def within(g: nx.MultiDiGraph, kept: set[str], start: str, hops: int) -> set[str]:
    """``start`` and the records of ``kept`` at most ``hops`` links from it, either way, by
    links between records of ``kept``.

    Notes
    -----
    The same as ``single_source_shortest_path_length`` with ``cutoff`` on the undirected
    view of ``g.subgraph(kept)``, without building those views over the whole graph (at
    national size that took ~0.5 s of a first map visit)."""
    seen, frontier = {start}, [start]
    for _ in range(hops):
        step = []
        for u in frontier:
            for neighbours in (g.succ[u], g.pred[u]):
                for v in neighbours:
                    if v not in seen and v in kept:
                        seen.add(v)
                        step.append(v)
        frontier = step
    return seen


#: The paths page draws at most this many neighbours beside each step (bodies first).
PATH_NEIGHBOURS = 4


def _path_and_neighbours(g: nx.MultiDiGraph, steps: tuple[str, ...]) -> set[str]:
    """The steps of a path and, for each, up to ``PATH_NEIGHBOURS`` of its other neighbours."""
    out = {s for s in steps if s in g}
    for s in steps:
        if s not in g:
            continue
        near = sorted(
            (n for n in set(nx.all_neighbors(g, s)) if n not in steps),
            key=lambda n: (g.nodes[n].get("kind") != "body", str(g.nodes[n].get("name", n)).casefold()),
        )
        out.update(near[:PATH_NEIGHBOURS])
    return out


def hidden_neighbours(g: nx.MultiDiGraph, steps: tuple[str, ...]) -> int:
    """How many neighbours of a path's steps the path view leaves out (it shows
    :data:`PATH_NEIGHBOURS` of each)."""
    return sum(
        max(0, len(set(nx.all_neighbors(g, s)) - set(steps)) - PATH_NEIGHBOURS) for s in steps if s in g
    )
