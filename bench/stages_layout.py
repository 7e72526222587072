"""Benchmark stages: the whole-register layout and the candidates it was measured against."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from stages_common import register_of, stage, timed


def _layout_graph(args: argparse.Namespace) -> Any:
    from govmap.graph.build import build_graph

    return build_graph(register_of(args))


def layout_quality(g: Any, positions: Any) -> dict[str, Any]:
    """How readable a whole-register layout is, in two numbers a reader can check.

    ``edge_ratio``: median length of a link / median distance between two random
    records of the largest piece (a random layout gives about 1; lower keeps
    neighbours together).  ``crowded``: share of records with another record
    closer than a tenth of the median link; ``overlap_20px``: share with another
    record within 20 canvas units (dots drawn on top of each other at full zoom;
    every candidate is scaled to the same canvas size, see graph/layout.py).
    """
    import networkx as nx
    import numpy as np
    from scipy.spatial import cKDTree

    simple = nx.Graph(g.to_undirected(as_view=True))
    main = max(nx.connected_components(simple), key=len)
    names = sorted(main)
    xy = np.array([positions[n] for n in names], dtype=float)
    at = {n: i for i, n in enumerate(names)}
    edges = np.array([(at[u], at[v]) for u, v in simple.subgraph(main).edges() if u != v])
    links = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1)
    pairs = np.random.default_rng(1).integers(0, len(names), size=(20_000, 2))
    apart = np.linalg.norm(xy[pairs[:, 0]] - xy[pairs[:, 1]], axis=1)
    nearest, _ = cKDTree(xy).query(xy, k=2)
    crowded = float((nearest[:, 1] < 0.1 * np.median(links)).mean())
    return {
        "edge_ratio": round(float(np.median(links) / np.median(apart)), 4),
        "crowded": round(crowded, 4),
        "overlap_20px": round(float((nearest[:, 1] < 20).mean()), 4),
        "main_piece": len(names),
    }


def _edited(g: Any) -> tuple[Any, list[str]]:
    """The graph after a web edit: a new organisation made a member of the body with most
    members, and an existing organisation added to another body (what AddRecord and
    AddLink do to the graph).  Returns the graph and the records the edit touched."""
    members: dict[str, int] = {}
    for _, v, t in g.edges(data="type"):
        if t == "member_of":
            members[v] = members.get(v, 0) + 1
    bodies = sorted(members, key=lambda b: (-members[b], b))
    orgs = sorted(n for n, k in g.nodes(data="kind") if k == "organisation")
    body, other, org = bodies[0], bodies[len(bodies) // 2], orgs[len(orgs) // 3]
    h = g.copy()
    h.add_node("bench-new-org", kind="organisation", name="Benchmark organisation", status="confirmed")
    h.add_edge("bench-new-org", body, key="bench/1", type="member_of")
    h.add_edge(org, other, key="bench/2", type="member_of")
    return h, ["bench-new-org", org, other, body]


@stage
def layout_whole(args: argparse.Namespace) -> dict[str, Any]:
    """govmap's whole-register layout (graph/layout.py), then the same after one edit.

    ``seconds`` lays out every record from scratch; ``edit_seconds`` lays out the edited
    graph from the first layout (what the web does after a save); ``edit_moved_p99_px``
    is how far the 99th percentile of the records the edit did *not* touch moved.
    """
    import math

    from govmap.graph.layout import whole_layout

    g = _layout_graph(args)
    seconds, lay = timed(lambda: whole_layout(g))
    h, touched = _edited(g)
    edit_seconds, after = timed(lambda: whole_layout(h, previous=lay))
    near = set(touched).union(*(set(h.to_undirected(as_view=True)[n]) for n in touched))
    moved = sorted(math.dist(lay.positions[n], after.positions[n]) for n in lay.positions if n not in near)
    return {
        "seconds": seconds,
        "nodes": g.number_of_nodes(),
        "quality": layout_quality(g, lay.positions),
        "edit_seconds": edit_seconds,
        "edit_relaid": after.relaid,
        "edit_moved_p99_px": round(moved[int(0.99 * (len(moved) - 1))], 2) if moved else 0.0,
    }


def _capped(fn: Callable[[], Any], timeout: float) -> tuple[float, Any, bool]:
    """``fn()`` in a forked child, stopped after ``timeout`` seconds (C code ignores SIGALRM):
    (seconds, result or None, timed out)."""
    import multiprocessing
    import queue as queues

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=lambda: queue.put(timed(fn)), daemon=True)
    t = time.perf_counter()
    child.start()
    try:
        seconds, out = queue.get(timeout=timeout)
        child.join()
        return seconds, out, False
    except queues.Empty:  # the child ran past the timeout
        child.kill()
        child.join()
        return time.perf_counter() - t, None, True


def _candidate(args: argparse.Namespace, lay: Callable[[Any], Any], g: Any = None) -> dict[str, Any]:
    g = _layout_graph(args) if g is None else g
    seconds, positions, stopped = _capped(lambda: lay(g), args.timeout)
    out: dict[str, Any] = {"seconds": seconds, "timed_out": stopped, "nodes": g.number_of_nodes()}
    if positions is not None:
        out["quality"] = layout_quality(g, positions)
    return out


def _pieces_by(g: Any, place: Callable[[Any], dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """``place`` applied to each connected piece (loops dropped), rescaled to [-1, 1] and packed
    as the map packs its own (:func:`govmap.graph.layout.by_piece`)."""
    import networkx as nx

    from govmap.graph.layout import by_piece

    def rescaled(sub: Any) -> dict[str, Any]:
        plain = nx.Graph(sub)
        plain.remove_edges_from(nx.selfloop_edges(plain))
        return nx.rescale_layout_dict({n: tuple(xy) for n, xy in place(plain).items()})

    return by_piece(g, rescaled)


@stage
def layout_drl(args: argparse.Namespace) -> dict[str, Any]:
    """Candidate: igraph's DrL (VxOrd), its layout for large graphs, piece by piece."""
    import igraph

    def drl(sub: Any) -> dict[str, Any]:
        nodes = list(sub)
        at = {n: i for i, n in enumerate(nodes)}
        ig = igraph.Graph(n=len(nodes), edges=[(at[u], at[v]) for u, v in sub.edges()])
        return dict(zip(nodes, ig.layout_drl().coords, strict=True))

    return _candidate(args, lambda g: _pieces_by(g, drl))


@stage
def layout_fa2(args: argparse.Namespace) -> dict[str, Any]:
    """Candidate: NetworkX 3.6's ForceAtlas2 (100 iterations), piece by piece.  It holds
    n x n arrays, so it is not run past 10,000 records (800 MiB an array, several at once)."""
    import networkx as nx

    g = _layout_graph(args)
    if g.number_of_nodes() > 10_000:
        return {"seconds": float("nan"), "timed_out": True, "nodes": g.number_of_nodes(), "not_run": "n x n"}
    return _candidate(args, lambda g: _pieces_by(g, lambda s: nx.forceatlas2_layout(s, seed=7)), g)


@stage
def layout_nx_spring(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: the layout the map used before (:func:`govmap.graph.layout.spring_by_piece`:
    NetworkX's Fruchterman-Reingold, O(n^2) an iteration)."""
    from govmap.graph.layout import spring_by_piece

    return _candidate(args, spring_by_piece)
