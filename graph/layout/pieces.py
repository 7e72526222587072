"""Lay out each connected piece on its own, then pack the pieces: the one home of that idea.

A force-directed layout of a whole graph flings the records with no links to its
far edge, and fitting the map to the screen then shrinks everything else.  So every
layout of more than one piece here and in the web map works piece by piece:
:func:`connected_pieces` splits a graph, largest piece first; each piece is laid out
alone; :func:`shelve` places the pieces after the first left to right in rows
below it.  :func:`pack_pieces` is that packing for force-directed pieces (the whole
layout, :func:`by_piece`); the map's network view (:func:`govmap.webviz.map.layout.network`)
fits its pieces to the map pane with its own sizes.

>>> g = nx.Graph([("a", "b"), ("b", "c"), ("x", "y")])
>>> g.add_node("alone")
>>> [sorted(p) for p in connected_pieces(g)]
[['a', 'b', 'c'], ['x', 'y'], ['alone']]
>>> shelve([100.0, 100.0, 100.0], left=0.0, top=0.0, limit=250.0, gap=20.0,
...        next_row=lambda y, row, width: y + max(row) + 20)
[(0.0, 0.0), (120.0, 0.0), (0.0, 120.0)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import networkx as nx
import numpy as np

Positions = dict[str, tuple[float, float]]


def simple_graph(g: nx.Graph, nodes: Iterable[str] | None = None) -> nx.Graph:
    """``g`` (or its part on ``nodes``) as an undirected graph with one link per pair, its nodes
    and links in sorted order.

    A force-directed layout depends on the order of the nodes, and NetworkX's subgraph views
    iterate a set's order, which changes from one process to the next (Python salts string
    hashes): in sorted order, the same view is drawn the same in every process, and a server
    restarted draws the map its users saw before.
    """
    keep = sorted(g.nodes if nodes is None else nodes)
    view = g.subgraph(keep)
    out = nx.Graph()
    out.add_nodes_from(keep)
    out.add_edges_from(sorted({(u, v) if u <= v else (v, u) for u, v in view.edges()}))
    return out


def connected_pieces(simple: nx.Graph) -> list[set[str]]:
    """The connected pieces of an undirected graph, largest first, ties by their smallest id."""
    return sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))


def shelve(
    widths: Sequence[float],
    *,
    left: float,
    top: float,
    limit: float,
    gap: float,
    next_row: Callable[[float, list[float], float], float],
) -> list[tuple[float, float]]:
    """Where boxes ``widths`` wide go: left to right from ``(left, top)``, ``gap`` apart; a box
    that would pass ``limit`` starts a new row at ``left``, at the y that
    ``next_row(y, widths_of_the_row_above, its_width)`` gives.  Returns each box's top-left corner."""
    out = []
    x, y = left, top
    row: list[float] = []
    for width in widths:
        if row and x + width > limit:
            x, y, row = left, next_row(y, row, width), []
        out.append((x, y))
        row.append(width)
        x += width + gap
    return out


def half_width(size: int) -> float:
    """Canvas units from the centre of a piece of ``size`` records to its edge."""
    return 110 * math.sqrt(size) + (0 if size == 1 else 60)


def frame(coords: list[tuple[float, float]], reach: float) -> tuple[float, float, float]:
    """Centre (mean) of a piece and the factor that puts its farthest coordinate
    ``reach`` from it (NetworkX's ``rescale_layout``, then scaled)."""
    xy = np.asarray(coords, dtype=float)
    cx, cy = xy.mean(axis=0)
    top = float(np.abs(xy - (cx, cy)).max())
    return float(cx), float(cy), reach / (top or 1.0)


def pack_pieces(
    pieces: list[list[str]],
    raw: Mapping[str, tuple[float, float]],
    frames: Sequence[tuple[float, float, float]],
) -> Positions:
    """Each piece scaled by its frame (centre x, centre y, factor) to :func:`half_width` and
    placed: the largest at the origin, the rest in rows below it, 120 units apart."""
    out: Positions = {}
    if not pieces:
        return out
    scaled = [
        {n: ((raw[n][0] - cx) * factor, (raw[n][1] - cy) * factor) for n in piece}
        for piece, (cx, cy, factor) in zip(pieces, frames, strict=True)
    ]
    out.update(scaled[0])
    right = half_width(len(pieces[0]))
    corners = shelve(
        [2 * half_width(len(piece)) for piece in pieces[1:]],
        left=-right,
        top=right + 150,
        limit=max(right, 600),
        gap=120,
        next_row=lambda y, row, _width: y + max(row) + 120,
    )
    for piece, at, (x0, y0) in zip(pieces[1:], scaled[1:], corners, strict=True):
        scale = half_width(len(piece))
        out.update({k: (x0 + scale + x, y0 + scale + y) for k, (x, y) in at.items()})
    return out


def by_piece(g: nx.Graph, place: Callable[[nx.Graph], Mapping[str, Sequence[float]]]) -> Positions:
    """Each connected piece of ``g`` laid out by ``place``, then packed (:func:`pack_pieces`).

    ``place`` gets one piece (:func:`simple_graph`, two records or more) and returns coordinates within
    [-1, 1] about the origin, as NetworkX's layouts do; a record alone sits at the origin.
    """
    simple = simple_graph(g)
    names: list[list[str]] = []
    raw: dict[str, tuple[float, float]] = {}
    for piece in connected_pieces(simple):
        pos = place(simple_graph(simple, piece)) if len(piece) > 1 else {next(iter(piece)): (0.0, 0.0)}
        names.append(list(pos))
        raw.update({k: (float(x), float(y)) for k, (x, y) in pos.items()})
    return pack_pieces(names, raw, [(0.0, 0.0, half_width(len(piece))) for piece in names])


def spring_by_piece(g: nx.Graph, seed: int = 7) -> Positions:
    """Positions for every node, in vis-network pixels: NetworkX's Fruchterman-Reingold
    (``spring_layout``) for each piece, with a fixed seed so a map looks the same on every load.

    Notes
    -----
    NetworkX switches to its sparse (SciPy) version above 500 nodes; 2,000 nodes take a
    few seconds.  The whole register's layout (:func:`govmap.graph.layout.whole_layout`)
    is igraph's, far faster; this one serves a view while that is computed, a collapsed
    view's groups, the standalone map and the GEXF export.
    """
    return by_piece(g, lambda sub: nx.spring_layout(sub, seed=seed, iterations=_iterations(len(sub))))


def _iterations(size: int) -> int:
    """Fewer spring iterations for big pieces: NetworkX's sparse layout costs ~0.2 s an iteration
    at 2,000 nodes.  The result is cached per register version, and ``govmap serve`` computes
    it before the first visitor asks."""
    return 50 if size <= 500 else max(10, 25_000 // size)
