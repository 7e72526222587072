"""Where each record sits on a map view, so the view reads at its default zoom.

Each function takes the graph and the ids a view keeps and returns positions in
vis-network canvas units.  The sizes are chosen for the map pane at 1400x900
(about 1,100 x 650 px): a layout about that size is fitted at a scale near 1, so
labels drawn at 13-15 px are 10 px or more on screen.  These positions are the same
for every screen (they are cached per register version and view); the browser
(``webviz/static/labels.js``) places the labels beside their nodes for the pane and
scale the view opens at, and pushes nodes apart where a body's label finds no room
(at 200 % zoom the same map is fitted at half the scale, and a label of a set size on
screen needs twice the room on the canvas).  Minor records' labels give way, and
appear as the reader zooms in, as Kumu does.

* :func:`network` - the landscape: each connected piece by Kamada-Kawai (even spacing,
  so fewer labels collide than with a spring layout), rescaled to the pane's shape.
* :func:`hierarchy` - the accountability view: top bodies at the top, reporting
  lines and sub-groups below, level by level, and a "no reporting line" row.
* :func:`radial` - a theme or a focus in the centre, rings by distance.
* :func:`path` - a path left to right, each step's neighbours above and below it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import networkx as nx

from govmap.graph.layout.pieces import Positions, connected_pieces, shelve, simple_graph
from govmap.ingest.model import REPORTING_FIELDS

#: Links that put one body under another: the tree of the accountability view.
FIRM_PARENT = REPORTING_FIELDS
#: A body with no reporting line that links with another body is drawn under it,
#: joined by its own (dotted, "links with") line: placed, never shown as a reporting line.
WEAK_PARENT = "links_with"

#: The map pane at 1400x900, in CSS px (the test viewport).
PANE = (1110.0, 680.0)
#: Canvas units a node and its two-line label need, side by side and row to row.
COLUMN, ROW = 210.0, 120.0
#: Nodes in one row of the accountability view before it wraps.
PER_ROW = 6


@dataclass
class Layout:
    """Positions, and the row captions a view draws as plain text."""

    positions: Positions = field(default_factory=dict)
    #: (caption, x, y): "No reporting line", "Members and themes".
    captions: list[tuple[str, float, float]] = field(default_factory=list)


def _kind(g: nx.MultiDiGraph, n: str) -> str:
    return str(g.nodes[n].get("kind", ""))


def _name(g: nx.MultiDiGraph, n: str) -> str:
    return str(g.nodes[n].get("name", n)).casefold()


# -- the landscape -------------------------------------------------------------


def network(
    g: nx.MultiDiGraph, nodes: Iterable[str], boxes: dict[str, tuple[float, float]] | None = None
) -> Positions:
    """Kamada-Kawai for each connected piece, the largest fitted to the pane, the small pieces
    in rows below (:mod:`govmap.graph.layout.pieces`).

    Notes
    -----
    Kamada-Kawai spaces nodes by graph distance, so a hub's neighbours spread round
    it instead of piling up as they do under Fruchterman-Reingold; it costs O(n^2)
    memory and about 0.3 s at 150 nodes, the most this is used for (``LOCAL_LAYOUT``).
    """
    simple = simple_graph(g, nodes)
    pieces = connected_pieces(simple)
    out: Positions = {}
    if not pieces:
        return out
    main = pieces[0]
    width, height = _box(len(main))
    placed = _fit(_piece(simple, main), width * 0.85, height * 0.85, 0.0, 0.0)
    out.update(spread(placed, boxes or {}))
    widths = [COLUMN * max(1.0, math.sqrt(len(piece))) for piece in pieces[1:]]
    corners = shelve(
        widths,
        left=-width / 2,
        top=height / 2 + ROW,
        limit=width / 2,
        gap=0.0,  # each piece is fitted to 70% of its box: the rest is the gap
        next_row=lambda y, _row, w: y + w * 0.8 + ROW / 2,
    )
    for piece, w, (x, y) in zip(pieces[1:], widths, corners, strict=True):
        out.update(_fit(_piece(simple, piece), w * 0.7, w * 0.7, x + w / 2, y + w / 3))
    return out


def _piece(simple: nx.Graph, piece: set[str]) -> dict[str, tuple[float, float]]:
    if len(piece) == 1:
        return {next(iter(piece)): (0.0, 0.0)}
    if len(piece) == 2:
        a, b = sorted(piece)
        return {a: (-1.0, 0.0), b: (1.0, 0.0)}
    sub = simple_graph(simple, piece)
    start = nx.circular_layout(list(sub))  # deterministic start: same map every load
    pos = nx.kamada_kawai_layout(sub, pos=start)
    return {k: (float(x), float(y)) for k, (x, y) in pos.items()}


def _box(n: int) -> tuple[float, float]:
    """A box the shape of the pane with room for ``n`` nodes: about 100 x 90 canvas units
    each, which fits the pane at a scale near 0.8 for a hundred nodes."""
    aspect = PANE[0] / PANE[1]
    height = math.sqrt(n * 100.0 * 90.0 / aspect)
    return max(height * aspect, COLUMN), max(height, ROW)


def _fit(pos: dict[str, tuple[float, float]], width: float, height: float, cx: float, cy: float) -> Positions:
    """Stretch positions to fill ``width`` x ``height`` around (cx, cy)."""
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    spanx, spany = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    midx, midy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        k: (round(cx + (x - midx) / spanx * width, 1), round(cy + (y - midy) / spany * height, 1))
        for k, (x, y) in pos.items()
    }


def spread(pos: Positions, boxes: dict[str, tuple[float, float]], iterations: int = 80) -> Positions:
    """Push apart nodes whose boxes (the node and its label, ``boxes[id] = (w, h)``) overlap,
    each along the axis where the overlap is smaller, until none do or ``iterations`` pass.

    Notes
    -----
    A plain version of the overlap removal in Gansner and Hu's PRISM: it moves
    nodes as little as it can, so the picture Kamada-Kawai drew survives.  Numpy
    keeps it to about 50 ms for a hundred nodes.
    """
    import numpy as np

    ids = sorted(pos)
    if len(ids) < 2:
        return pos
    p = np.array([pos[i] for i in ids], dtype=float)
    size = np.array([boxes.get(i, (40.0, 40.0)) for i in ids], dtype=float)
    half_w = (size[:, 0][:, None] + size[:, 0][None, :]) / 2
    half_h = (size[:, 1][:, None] + size[:, 1][None, :]) / 2
    # Ties (two nodes at one point) are broken by index, so the result is the same every time.
    tie = np.sign(np.arange(len(ids))[:, None] - np.arange(len(ids))[None, :])
    for _ in range(iterations):
        dx = p[:, 0][:, None] - p[:, 0][None, :]
        dy = p[:, 1][:, None] - p[:, 1][None, :]
        ox = half_w - np.abs(dx)
        oy = half_h - np.abs(dy)
        clash = (ox > 0) & (oy > 0)
        np.fill_diagonal(clash, False)
        if not clash.any():
            break
        sx = np.where(dx == 0, tie, np.sign(dx))
        sy = np.where(dy == 0, tie, np.sign(dy))
        along_x = clash & (ox * half_h <= oy * half_w)  # the cheaper axis, relative to box shape
        along_y = clash & ~along_x
        p[:, 0] += (np.where(along_x, ox * sx, 0.0)).sum(axis=1) * 0.3
        p[:, 1] += (np.where(along_y, oy * sy, 0.0)).sum(axis=1) * 0.3
    return {i: (round(float(x), 1), round(float(y), 1)) for i, (x, y) in zip(ids, p, strict=True)}


# -- the accountability view ---------------------------------------------------


def parents(g: nx.MultiDiGraph, bodies: set[str]) -> dict[str, tuple[str, str]]:
    """Each body's parent in the accountability tree, and the link that places it there.

    The first ``reports_to`` or ``sub_group_of`` line to a body in view; failing that,
    the first ``links_with`` to a body in view.  A link that would close a loop is
    ignored, so the result is always a forest.
    """
    out: dict[str, tuple[str, str]] = {}
    for b in sorted(bodies):
        firm, weak = [], []
        for _, v, t in g.out_edges(b, data="type"):
            if v in bodies and v != b:
                if t in FIRM_PARENT:
                    firm.append((FIRM_PARENT.index(t), v, t))
                elif t == WEAK_PARENT:
                    weak.append((0, v, t))
        for _, v, t in sorted(firm) or sorted(weak):
            if not _reaches(out, v, b):
                out[b] = (v, t)
                break
    return out


def _reaches(parent: dict[str, tuple[str, str]], start: str, target: str) -> bool:
    node, seen = start, set()
    while node in parent and node not in seen:
        if node == target:
            return True
        seen.add(node)
        node = parent[node][0]
    return node == target


def hierarchy(g: nx.MultiDiGraph, nodes: Iterable[str]) -> Layout:
    """Top bodies in the first row, each level of bodies below, wrapped at ``PER_ROW``;
    other records (members, themes) in rows under the bodies they link to; bodies with
    no line up or down in a captioned "no reporting line" row at the bottom."""
    kept = set(nodes)
    bodies = {n for n in kept if _kind(g, n) == "body"}
    parent = parents(g, bodies)
    children: dict[str, list[str]] = defaultdict(list)
    for child, (p, _) in parent.items():
        children[p].append(child)
    top_level = {n for n in bodies if getattr(g.nodes[n].get("record"), "top_level", False)}
    roots = sorted(
        (b for b in bodies if b not in parent and (children[b] or b in top_level)),
        key=lambda b: (-len(children[b]), _name(g, b)),
    )
    loose = sorted((b for b in bodies if b not in parent and b not in roots), key=lambda b: _name(g, b))
    levels: list[list[str]] = []
    todo = [(r, 0) for r in roots]
    # Breadth first, children in name order under their parent, so siblings sit together.
    while todo:
        nxt: list[tuple[str, int]] = []
        for node, depth in todo:
            if len(levels) <= depth:
                levels.append([])
            levels[depth].append(node)
            nxt.extend((c, depth + 1) for c in sorted(children[node], key=lambda c: _name(g, c)))
        todo = nxt
    out = Layout()
    y = 0.0
    for row in levels:
        y = _rows(out.positions, row, y)
    others = sorted(kept - bodies)
    if others:
        anchor = {
            n: [out.positions[m][0] for m in nx.all_neighbors(g, n) if m in out.positions] for n in others
        }
        others.sort(key=lambda n: (sum(anchor[n]) / len(anchor[n]) if anchor[n] else math.inf, _name(g, n)))
        out.captions.append(
            ("Members, themes and other records", -(PER_ROW - 1) * COLUMN / 2, y - ROW * 0.45)
        )
        # Members and themes are many and mostly unlabelled at the fitted zoom: narrower columns,
        # as many a row as keeps the whole about the shape of the pane.
        per_row = max(PER_ROW + 1, min(18, math.ceil(math.sqrt(len(others) * 2.2))))
        y = _rows(out.positions, others, y + ROW * 0.2, per_row=per_row, column=COLUMN * 0.62, row=ROW * 0.8)
    if loose:
        out.captions.append(("No reporting line", -(PER_ROW - 1) * COLUMN / 2, y - ROW * 0.45))
        y = _rows(out.positions, loose, y + ROW * 0.2)
    return out


def _rows(
    pos: Positions,
    items: list[str],
    y: float,
    per_row: int = PER_ROW,
    column: float = COLUMN,
    row: float = ROW,
) -> float:
    """Place ``items`` centred, wrapping every ``per_row``; return the next free y."""
    for start in range(0, len(items), per_row):
        chunk = items[start : start + per_row]
        # Wrapped rows are staggered by half a column, so labels one above the other do not touch.
        shift = column / 2 if (start // per_row) % 2 and len(chunk) < per_row else 0.0
        for i, n in enumerate(chunk):
            pos[n] = (round((i - (len(chunk) - 1) / 2) * column + shift, 1), round(y, 1))
        y += row
    return y + ROW * 0.25


# -- a theme or a focus in the centre --------------------------------------------


def radial(
    g: nx.MultiDiGraph, nodes: Iterable[str], centre: str, order: Callable[[str], tuple] | None = None
) -> Positions:
    """``centre`` in the middle, the records one link away in a ring round it (in ``order``,
    starting at the top), two links away in the next ring near what links them in, and so on."""
    kept = set(nodes)
    simple = simple_graph(g, kept)
    dist = nx.single_source_shortest_path_length(simple, centre) if centre in simple else {}
    rings: dict[int, list[str]] = defaultdict(list)
    for n in sorted(kept):  # ties in the ring's order fall to the id, the same in every process
        rings[dist.get(n, max(dist.values(), default=0) + 1)].append(n)
    key = order or (lambda n: (_kind(g, n), _name(g, n)))
    angle: dict[str, float] = {centre: 0.0}
    out: Positions = {centre: (0.0, 0.0)}
    radius = 0.0
    for r in sorted(k for k in rings if k > 0):
        ring = rings[r]
        if r == 1:
            ring.sort(key=key)
        else:

            def inner(n: str, r: int = r) -> float:
                near = [angle[m] for m in simple.neighbors(n) if m in angle and dist.get(m, -1) < r]
                return _mean_angle(near) if near else math.pi

            ring.sort(key=lambda n: (inner(n), _name(g, n)))
        # Room round the ring for every label; a crowded ring is split into staggered
        # sub-rings (alternate nodes a row further out) rather than grown past the pane.
        need = len(ring) * COLUMN * 0.75 / (2 * math.pi)
        base = radius + ROW * 1.7
        layers = max(1, min(4, math.ceil(need / max(base, 380.0))))
        radius = max(base, need / layers)
        for i, n in enumerate(ring):
            a = -math.pi / 2 + 2 * math.pi * i / len(ring)
            angle[n] = a % (2 * math.pi)
            rr = radius + (i % layers) * ROW * 0.9
            # An ellipse the shape of the pane: wide rather than tall.
            out[n] = (round(rr * 1.3 * math.cos(a), 1), round(rr * 0.85 * math.sin(a), 1))
        radius += (layers - 1) * ROW * 0.9
    return out


def _mean_angle(angles: list[float]) -> float:
    return math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles))) % (2 * math.pi)


# -- a path ------------------------------------------------------------------------


def path(g: nx.MultiDiGraph, nodes: Iterable[str], steps: list[str]) -> Positions:
    """The steps left to right on one line; each step's other neighbours fanned above and
    below it, nearest first."""
    kept = set(nodes)
    out: Positions = {}
    gap = COLUMN * 1.3
    for i, s in enumerate(steps):
        out[s] = (round(i * gap, 1), 0.0)
    placed = set(steps)
    for i, s in enumerate(steps):
        near = sorted(
            (n for n in nx.all_neighbors(g, s) if n in kept and n not in placed), key=lambda n: _name(g, n)
        )
        for j, n in enumerate(near):
            side = -1 if j % 2 == 0 else 1
            tier = j // 2
            per_side = max(1, (len(near) + 1) // 2)
            spread = min(gap * 0.9, COLUMN * 0.55 * per_side)
            offset = (tier - (per_side - 1) / 2) * (spread / max(1, per_side - 1)) if per_side > 1 else 0.0
            out[n] = (round(i * gap + offset, 1), round(side * (ROW * 1.1 + (tier % 2) * ROW * 0.5), 1))
            placed.add(n)
    return out
