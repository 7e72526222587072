"""Which layout a map view gets (path, hierarchy, radial or network, from
:mod:`govmap.webviz.map.layout`), cached per graph (one graph per register version) and view."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx

from govmap.webviz.map import layout as maplayout
from govmap.webviz.map.query import MapQuery
from govmap.webviz.map.style import FONT, node_font, node_label, node_size

#: Maps this small get their own layout; larger ones reuse the whole register's.
LOCAL_LAYOUT = 150

#: A focus with more records round it than this is laid out as a network (Kamada-Kawai puts
#: the focus, a hub, near the middle anyway): one ring of forty would be fitted too small to read.
RADIAL_LIMIT = 24

_LAYOUTS: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[tuple[Any, ...], maplayout.Layout]] = (
    weakref.WeakKeyDictionary()
)
_LAYOUTS_LOCK = threading.Lock()

#: Layouts by the shape of what they lay out (:func:`view_shape`), across register versions:
#: an edit that changes no link and no name in a view (a description, a source, a date) finds
#: its layout here, so the first map after it is drawn as fast as a repeat visit.
_BY_SHAPE: OrderedDict[tuple[Any, ...], maplayout.Layout] = OrderedDict()
_BY_SHAPE_MAX = 64


def arrange_view(
    g: nx.MultiDiGraph,
    nodes: set[str],
    q: MapQuery,
    positions_of: Callable[[set[str]], Mapping[str, tuple[float, float]]],
) -> tuple[maplayout.Layout, bool]:
    """The view's layout, and whether it is final (else physics may settle it).

    Layouts are cached per graph (one graph per register version) and view.
    """
    if q.path:
        key: tuple[Any, ...] = ("path", q.path)
    elif q.hierarchy:
        key = ("hierarchy",)
    elif q.focus and len(nodes) <= RADIAL_LIMIT:
        key = ("radial", q.focus)
    elif q.theme and q.theme in nodes:
        key = ("radial", q.theme)
    elif len(nodes) <= LOCAL_LAYOUT:
        key = ("network",)
    else:
        return maplayout.Layout(dict(positions_of(nodes))), False
    key = (*key, frozenset(nodes))
    with _LAYOUTS_LOCK:
        cached = _LAYOUTS.setdefault(g, {}).get(key)
    if cached is None:
        shape = (key, view_shape(g, nodes))
        with _LAYOUTS_LOCK:
            cached = _BY_SHAPE.get(shape)
            if cached is not None:
                _BY_SHAPE.move_to_end(shape)
        if cached is None:
            cached = _compute(g, nodes, q, key[0])
        with _LAYOUTS_LOCK:
            views = _LAYOUTS.setdefault(g, {})
            views[key] = cached
            while len(views) > 64:
                del views[next(iter(views))]
            _BY_SHAPE[shape] = cached
            while len(_BY_SHAPE) > _BY_SHAPE_MAX:
                _BY_SHAPE.popitem(last=False)
    return cached, True


def view_shape(g: nx.MultiDiGraph, nodes: set[str]) -> tuple[frozenset[Any], frozenset[Any]]:
    """What a view's layout depends on: each node's kind, name, status and whether it is a top
    body, and each link between the nodes with its type and role.  Two versions of a register
    that agree on these get the same layout (the layouts are deterministic in them)."""
    sub = g.subgraph(nodes)
    marks = frozenset(
        (
            n,
            d.get("kind"),
            d.get("name"),
            d.get("status"),
            bool(getattr(d.get("record"), "top_level", False)),
        )
        for n, d in sub.nodes(data=True)
    )
    links = frozenset(
        (u, v, d.get("type"), d.get("role"), d.get("relation")) for u, v, d in sub.edges(data=True)
    )
    return marks, links


def _compute(g: nx.MultiDiGraph, nodes: set[str], q: MapQuery, how: str) -> maplayout.Layout:
    if how == "path":
        return maplayout.Layout(maplayout.path(g, nodes, [s for s in q.path if s in nodes]))
    if how == "hierarchy":
        return maplayout.hierarchy(g, nodes)
    if how == "radial" and q.focus:
        return maplayout.Layout(maplayout.radial(g, nodes, q.focus))
    if how == "radial" and q.theme:
        return maplayout.Layout(maplayout.radial(g, nodes, q.theme, order=_theme_order(g, q.theme)))
    return maplayout.Layout(maplayout.network(g, nodes, _label_boxes(g, nodes)))


def _label_boxes(g: nx.MultiDiGraph, nodes: set[str]) -> dict[str, tuple[float, float]]:
    """Room each node needs at the default zoom: its shape, and its label when the label is
    drawn there (bodies and well-linked records; see :data:`FONT`)."""
    degree = {n: len(set(nx.all_neighbors(g.subgraph(nodes), n))) for n in nodes}
    top = max(degree.values(), default=0)
    out = {}
    for n in nodes:
        size = node_size(degree[n], top)
        font = node_font(g.nodes[n]["kind"], size, False, len(nodes) <= 25)
        if font <= FONT["small"] and len(nodes) > 60:
            # Not drawn at the default zoom of a view this big: room for the shape only.
            out[n] = (2 * size + 10, 2 * size + 10)
            continue
        lines = node_label(g.nodes[n]["name"]).split("\n") + (
            ["(unconfirmed)"] if g.nodes[n].get("status") == "unconfirmed" else []
        )
        width = max(len(x) for x in lines) * font * 0.55
        out[n] = (max(width, 2 * size) + 12, 2 * size + len(lines) * font * 1.25 + 10)
    return out


def _theme_order(g: nx.MultiDiGraph, theme: str) -> Callable[[str], tuple[Any, ...]]:
    """Round a theme: the bodies that lead on it first (at the top), then those that
    contribute, then other records, each by name."""

    def key(n: str) -> tuple[Any, ...]:
        roles = {d.get("role") for d in (g.get_edge_data(n, theme) or {}).values()}
        rank = 0 if "lead" in roles else 1 if roles else 2
        return (rank, g.nodes[n].get("kind") != "body", str(g.nodes[n].get("name", n)).casefold())

    return key
