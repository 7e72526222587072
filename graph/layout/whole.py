"""The whole register laid out on one plane, fast enough for the national register.

:func:`whole_layout` takes the graph (or the register) and returns a position
for every record, in vis-network canvas units: each connected piece laid out
by a force-directed algorithm, the largest at the origin and the small pieces
packed in rows below it.  Map views larger than a few hundred nodes read their
positions from here, so a view of any area or kind is drawn at once.

Given the previous version's :class:`WholeLayout`, only the pieces an edit
touched are laid out again, each started from where its nodes were (new
records next to their neighbours) and allowed to move a little: an edit moves
a few nodes, not the whole picture.

Nothing here knows the web; the web computes this in the background.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import random
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import igraph
import networkx as nx
import numpy as np

from govmap.graph.layout.pieces import Positions, frame, half_width, pack_pieces
from govmap.ingest.model import Register

#: Force-directed iterations for a piece laid out from scratch, and for one that
#: starts from the previous version's positions (an edit: most nodes are placed).
ITERATIONS = 500
UPDATE_ITERATIONS = 60
#: An edit lays out again its changed nodes and those this many links from them ...
REACH = 1
#: ... pulled by at most this many of the unmoved nodes next to them (a sample of a
#: hub's neighbours: all of them made an edit near a hub cost as much as a fresh layout).
MAX_ANCHORS = 500
#: Past this share of new (or moved-between-pieces) nodes, a piece is laid out afresh.
FRESH_SHARE = 0.2

#: Pieces this large are laid out in a child process when asked (``isolate``).
SUBPROCESS_MIN = 1000

# igraph draws its random numbers from one module-wide generator; a layout swaps in its
# own seeded one (so the same graph gives the same picture), so two layouts take turns.
_RNG_LOCK = threading.Lock()


@dataclass(frozen=True)
class WholeLayout:
    """Positions of every node, and what the next version's layout starts from."""

    #: vis-network canvas units, pieces packed (what a map draws).
    positions: Positions
    #: Each node's force-directed coordinates within its own piece (unscaled).
    raw: Mapping[str, tuple[float, float]] = field(repr=False)
    #: Each node's piece (an index into this layout's pieces).
    piece_of: Mapping[str, int] = field(repr=False)
    #: A digest of each node's neighbours: an edit shows as a changed digest.
    digest: Mapping[str, bytes] = field(repr=False)
    #: Each piece's centre in raw coordinates and canvas units per raw unit (how it was
    #: scaled): kept by the next version, so nodes an edit did not move stay on the pixel.
    frames: Sequence[tuple[float, float, float]] = field(repr=False, default=())
    #: Nodes laid out again (all of them for a layout from scratch).
    relaid: int = 0


def whole_layout(
    graph: nx.Graph | Register, *, previous: WholeLayout | None = None, seed: int = 7, isolate: bool = False
) -> WholeLayout:
    """Lay out every record of a register: force-directed, piece by piece, in canvas units.

    Parameters
    ----------
    graph : networkx.Graph or Register
        The register's graph (any NetworkX graph: direction, parallel links and
        loops are ignored), or the register itself.
    previous : WholeLayout, optional
        The layout of the version before an edit.  Pieces whose nodes kept
        the same neighbours are reused as they were; the others start from
        their nodes' previous coordinates and move a little.
    seed : int
        The same graph and seed give the same positions.
    isolate : bool
        Lay large pieces out in a child process, so the caller's other threads
        run meanwhile (igraph holds the GIL): what a web server wants.

    Returns
    -------
    WholeLayout
        ``positions`` maps every node to ``(x, y)``.

    Examples
    --------
    >>> g = nx.path_graph(["a", "b", "c"])
    >>> g.add_node("alone")
    >>> first = whole_layout(g)
    >>> sorted(first.positions), first.relaid
    (['a', 'alone', 'b', 'c'], 4)
    >>> g.add_edge("c", "d")
    >>> second = whole_layout(g, previous=first)
    >>> second.relaid  # the path and its new end: "alone" keeps its place
    4

    Notes
    -----
    The algorithm is igraph's Fruchterman-Reingold with its grid: repulsion is
    counted only between nodes in nearby cells, so an iteration costs O(n + m),
    not O(n^2) as NetworkX's ``spring_layout`` does (13 s at 6,000 records and
    over 17 CPU-minutes unfinished at 51,000).  It was measured against igraph's
    DrL and NetworkX's ForceAtlas2 (bench/RESULTS.md, round 3): DrL was 26-94x
    slower and piled records on top of each other; ForceAtlas2 holds n x n arrays.
    The national register (51,000 records) takes about 5 s.
    Each piece is rescaled to [-1, 1] and drawn ``110 * sqrt(n) + 60`` units
    across, as the per-view layouts are, so a view reads at the same density
    whichever layout it came from.
    """
    g = _graph_of(graph)
    nodes = list(g.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    neighbours: list[set[int]] = [set() for _ in nodes]
    for u, v in g.edges():
        a, b = index[u], index[v]
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    digest = {n: _digest(nodes, neighbours[i]) for i, n in enumerate(nodes)}
    pieces = sorted(_pieces(neighbours), key=lambda p: (-len(p), min(nodes[i] for i in p)))
    raw: dict[str, tuple[float, float]] = {}
    piece_of: dict[str, int] = {}
    frames = []
    relaid = 0
    for k, piece in enumerate(pieces):
        names = [nodes[i] for i in piece]
        known, before = _known(names, previous)
        coords, moved = _piece_coords(names, piece, neighbours, nodes, digest, previous, known, seed, isolate)
        relaid += moved
        for name, xy in zip(names, coords, strict=True):
            raw[name] = xy
            piece_of[name] = k
        kept = previous is not None and before is not None and moved < len(piece)
        frames.append(previous.frames[before] if kept else frame(coords, half_width(len(piece))))  # type: ignore[union-attr,index]
    positions = pack_pieces([[nodes[i] for i in p] for p in pieces], raw, frames)
    return WholeLayout(positions, raw, piece_of, digest, tuple(frames), relaid)


def _graph_of(graph: nx.Graph | Register) -> nx.Graph:
    if isinstance(graph, Register):
        from govmap.graph.build import build_graph

        return build_graph(graph)
    return graph


def _digest(nodes: list[str], around: set[int]) -> bytes:
    h = hashlib.blake2b(digest_size=8)
    for name in sorted(nodes[j] for j in around):
        h.update(name.encode("utf-8"))
        h.update(b"\0")
    return h.digest()


def _pieces(neighbours: list[set[int]]) -> list[list[int]]:
    """Connected pieces, each a list of node indices in ascending order."""
    seen = [False] * len(neighbours)
    out = []
    for start in range(len(neighbours)):
        if seen[start]:
            continue
        seen[start] = True
        stack, piece = [start], []
        while stack:
            i = stack.pop()
            piece.append(i)
            for j in neighbours[i]:
                if not seen[j]:
                    seen[j] = True
                    stack.append(j)
        out.append(sorted(piece))
    return out


def _piece_coords(
    names: list[str],
    piece: list[int],
    neighbours: list[set[int]],
    nodes: list[str],
    digest: Mapping[str, bytes],
    previous: WholeLayout | None,
    known: set[str],
    seed: int,
    isolate: bool,
) -> tuple[list[tuple[float, float]], int]:
    """Force-directed coordinates of one piece, and how many of its nodes were laid out."""
    if len(piece) == 1:
        return [(0.0, 0.0)], 0 if names[0] in known else 1
    if previous is None or len(known) < (1 - FRESH_SHARE) * len(names):
        local = {i: k for k, i in enumerate(piece)}
        edges = [(local[i], local[j]) for i in piece for j in neighbours[i] if i < j]
        start = np.random.default_rng(seed).uniform(-1, 1, size=(len(piece), 2)) * math.sqrt(len(piece)) / 2
        coords = _fruchterman_reingold(len(piece), edges, start, ITERATIONS, seed, isolate=isolate)
        return coords, len(piece)
    changed = {
        i for i, n in zip(piece, names, strict=True) if n not in known or previous.digest[n] != digest[n]
    }
    if not changed:
        return [previous.raw[n] for n in names], 0  # untouched by the edit
    return _relax(names, piece, neighbours, nodes, known, changed, previous, seed, isolate)


def _relax(
    names: list[str],
    piece: list[int],
    neighbours: list[set[int]],
    nodes: list[str],
    known: set[str],
    changed: set[int],
    previous: WholeLayout,
    seed: int,
    isolate: bool,
) -> tuple[list[tuple[float, float]], int]:
    """Lay out again only what an edit touched: the changed nodes and their neighbours
    ``REACH`` links deep, pulled by the ring of nodes just outside, which stay put."""
    region = set(changed)
    ring = set(changed)
    for _ in range(REACH):
        ring = {j for i in ring for j in neighbours[i]} - region
        region |= ring
    anchors = sorted({j for i in region for j in neighbours[i]} - region)
    rng = np.random.default_rng(seed)
    if len(anchors) > MAX_ANCHORS:  # a hub's thousands of neighbours: a sample pulls the same way
        anchors = sorted(rng.choice(anchors, MAX_ANCHORS, replace=False).tolist())
    order = sorted(region) + anchors
    local = {i: k for k, i in enumerate(order)}
    edges = [(local[i], local[j]) for i in order for j in neighbours[i] if j in local and i < j]
    start = _seeded([nodes[i] for i in order], order, neighbours, local, known, previous, rng)
    fixed = [k >= len(region) for k in range(len(order))]
    coords = _fruchterman_reingold(len(order), edges, start, UPDATE_ITERATIONS, seed, fixed, isolate)
    out = {nodes[i]: coords[local[i]] for i in region}
    return [out[n] if n in out else previous.raw[n] for n in names], len(region)


def _known(names: list[str], previous: WholeLayout | None) -> tuple[set[str], int | None]:
    """The nodes that keep their previous coordinates, and the previous piece they were in:
    the one most of this piece's nodes came from (a record that joined from another
    piece is placed anew)."""
    if previous is None:
        return set(), None
    pieces = Counter(previous.piece_of[n] for n in names if n in previous.piece_of)
    if not pieces:
        return set(), None
    main = pieces.most_common(1)[0][0]
    return {n for n in names if previous.piece_of.get(n) == main}, main


def _seeded(
    names: list[str],
    piece: list[int],
    neighbours: list[set[int]],
    local: Mapping[int, int],
    known: set[str],
    previous: WholeLayout,
    rng: np.random.Generator,
) -> np.ndarray[Any, Any]:
    """Start coordinates: the previous ones, and each new node beside its placed neighbours."""
    start = np.zeros((len(piece), 2))
    placed = np.zeros(len(piece), dtype=bool)
    for k, name in enumerate(names):
        if name in known:
            start[k] = previous.raw[name]
            placed[k] = True
    centre = start[placed].mean(axis=0)
    # Breadth first from the placed nodes, so a chain of new records grows outward.
    frontier = [k for k in range(len(piece)) if not placed[k]]
    while frontier:
        waiting = []
        for k in frontier:
            near = [local[j] for j in neighbours[piece[k]] if j in local and placed[local[j]]]
            if near:
                start[k] = start[near].mean(axis=0) + rng.normal(0, 0.2, 2)
            else:
                waiting.append(k)
        if len(waiting) == len(frontier):  # cut off from every placed node
            for k in waiting:
                start[k] = centre + rng.normal(0, 1.0, 2)
            break
        for k in frontier:
            if k not in waiting:
                placed[k] = True
        frontier = waiting
    return start


def _fruchterman_reingold(
    n: int,
    edges: list[tuple[int, int]],
    start: np.ndarray[Any, Any],
    iterations: int,
    seed: int,
    fixed: list[bool] | None = None,
    isolate: bool = False,
) -> list[tuple[float, float]]:
    """igraph's grid Fruchterman-Reingold from ``start``; ``fixed`` nodes stay where they start
    (and the others move at most 0.2 units a step, about a quarter of a link, so placed nodes
    shift only a little).  With ``isolate``, a piece of ``SUBPROCESS_MIN`` nodes or more is
    laid out in a child process: igraph holds the GIL while it works, which would stall
    every other thread of a web server for the whole layout."""
    kwargs: dict[str, Any] = {"seed": start.tolist(), "niter": iterations, "grid": True}
    if fixed is not None:
        kwargs["start_temp"] = 0.2
        free = math.inf
        for axis, (lo, hi) in enumerate((("minx", "maxx"), ("miny", "maxy"))):
            kwargs[lo] = [start[k][axis] if f else -free for k, f in enumerate(fixed)]
            kwargs[hi] = [start[k][axis] if f else free for k, f in enumerate(fixed)]
    if isolate and n >= SUBPROCESS_MIN:
        return _in_child(n, edges, kwargs, seed)
    with _RNG_LOCK:
        return _layout(n, edges, kwargs, seed)


def _layout(
    n: int, edges: list[tuple[int, int]], kwargs: dict[str, Any], seed: int
) -> list[tuple[float, float]]:
    igraph.set_random_number_generator(random.Random(seed))
    try:
        coords = igraph.Graph(n=n, edges=edges).layout_fruchterman_reingold(**kwargs).coords
    finally:
        igraph.set_random_number_generator(random)
    return [(float(x), float(y)) for x, y in coords]


def _in_child(
    n: int, edges: list[tuple[int, int]], kwargs: dict[str, Any], seed: int
) -> list[tuple[float, float]]:
    """The layout in a fresh interpreter (not a fork of a threaded server, and not a
    multiprocessing child, which would import the server's main module again)."""
    payload = pickle.dumps((n, edges, kwargs, seed), protocol=pickle.HIGHEST_PROTOCOL)
    done = subprocess.run(
        [sys.executable, "-c", "from govmap.graph.layout.whole import _child; _child()"],
        input=payload,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"the layout process stopped (exit code {done.returncode}): {last}")
    coords: list[tuple[float, float]] = pickle.loads(done.stdout)  # our own child's output
    return coords


def _child() -> None:
    """The child's side of :func:`_in_child`: arguments on stdin, coordinates on stdout."""
    n, edges, kwargs, seed = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(_layout(n, edges, kwargs, seed), protocol=pickle.HIGHEST_PROTOCOL))
