"""The map: which records to draw, where, and how they look.

:func:`map_data` turns a :class:`govmap.webviz.map.query.MapQuery` (filters parsed from the URL) into
vis-network nodes and edges.  Positions are computed here, in Python, once per
register version (:func:`govmap.graph.layout.whole_layout`), so the browser draws even a large map in
well under a second with physics off; vis-network's own physics takes tens of
seconds for a thousand nodes.  A map of more than ``max_nodes`` is refused with
counts and a suggestion (filter, focus or collapse) rather than sent.

Every string here reaches the browser as JSON data: labels are drawn on a
canvas and tooltips (``title``) are plain text, which vis-network 9 sets with
``innerText``.  Nothing is ever HTML.

The query lives in :mod:`govmap.webviz.map.query`, the selection in :mod:`govmap.webviz.map.select`, the styles in
:mod:`govmap.webviz.map.style`, each view's layout in :mod:`govmap.webviz.map.arrange`, what a view
sends in :mod:`govmap.webviz.map.view` and the collapsed view in :mod:`govmap.webviz.map.collapse`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import networkx as nx

from govmap.graph.entity import LABELS
from govmap.ingest.model import Register, RelType
from govmap.webviz.map import layout as maplayout
from govmap.webviz.map.arrange import arrange_view
from govmap.webviz.map.collapse import collapsed
from govmap.webviz.map.query import MapQuery, MapTooBig, describe
from govmap.webviz.map.select import hidden_neighbours, select
from govmap.webviz.map.style import (
    DEFAULT_EDGE,
    EDGE_STYLE,
    INSIDE,
    KIND_STYLE,
    RELATION_WORDS,
    UNCONFIRMED_DASHES,
    edge_title,
    node_color,
    node_font,
    node_label,
    node_size,
    node_title,
)
from govmap.webviz.map.view import MapData

#: Registers larger than this get no whole-register layout (Fruchterman-Reingold is
#: O(n^2) an iteration: minutes at 15,000 nodes, far longer nationally); each map view of
#: at most ``max_nodes`` nodes is laid out on its own instead, and cached per version.
GLOBAL_LAYOUT_LIMIT = 8000


# -- computed once per register version ---------------------------------------


def measure(g: nx.MultiDiGraph, name: str) -> dict[str, float]:
    """Node sizes: ``degree`` (distinct neighbours), ``members`` (members of a body, or bodies an
    organisation sits on), ``betweenness`` (approximate above 500 nodes)."""
    simple = nx.Graph(g.to_undirected(as_view=True))
    if name == "members":
        members: Counter[str] = Counter()
        for u, v, t in g.edges(data="type"):
            if t == RelType.MEMBER_OF.value:
                members[v] += 1
                members[u] += 1
        return {node: float(members[node]) for node in simple}
    if name == "betweenness":
        n = simple.number_of_nodes()
        return nx.betweenness_centrality(simple, k=None if n <= 500 else 300, seed=7) if n else {}
    return {node: float(d) for node, d in simple.degree()}


def linked_within(g: nx.MultiDiGraph, n: str, nodes: set[str]) -> bool:
    """Whether ``n`` has a link, either way, to another record of ``nodes`` (stops at the
    first: a hub's degree in a subgraph view walks all its links in the whole graph)."""
    return any(m != n and m in nodes for m in g.succ[n]) or any(m != n and m in nodes for m in g.pred[n])


def map_data(
    register: Register,
    g: nx.MultiDiGraph,
    q: MapQuery,
    *,
    url_for_entity: Callable[[str], str],
    positions_of: Callable[[set[str]], Mapping[str, tuple[float, float]]],
    measure_of: Callable[[str], Mapping[str, float]],
    max_nodes: int = 2000,
    physics_limit: int = 300,
) -> MapData:
    """Nodes and edges for vis-network, with positions, styles and a legend.

    Raises :class:`MapTooBig` when the selection has more than ``max_nodes``
    nodes and is not collapsed.
    """
    nodes = select(register, g, q)
    counts = dict(sorted(Counter(g.nodes[n]["kind"] for n in nodes).items()))
    if q.collapse:
        data = collapsed(register, g, nodes, q.collapse, counts)
        data.title = describe(register, q)
        return data
    _refuse_if_too_big(len(nodes), counts, max_nodes)
    centre = q.focus or (q.theme if q.theme in nodes else None)
    alone = _unlinked(g, nodes, q, centre)
    drawn = nodes - alone
    arranged, final = arrange_view(g, drawn, q, positions_of)
    data = MapData(
        total=len(nodes),
        counts=counts,
        physics=not final and len(nodes) <= physics_limit,
        title=describe(register, q),
        keep_rows=bool(q.hierarchy or q.path),
        wrap_rows=bool(q.hierarchy and not q.path),
    )
    data.isolated = [_record(n, g.nodes[n], url_for_entity(n)) for n in sorted(alone)]
    data.nodes = _drawn_nodes(g, drawn, q, centre, arranged.positions, measure_of(q.size), url_for_entity)
    data.edges = _links(g, drawn)
    data.legend = [{"kind": k, **KIND_STYLE[k]} for k in KIND_STYLE if k in counts]
    data.edge_legend = _edge_legend({e["type"] for e in data.edges})
    data.captions = [{"text": c, "x": x, "y": y} for c, x, y in arranged.captions]
    data.notes = _notes(g, q, nodes, drawn)
    return data


def _refuse_if_too_big(total: int, counts: Mapping[str, int], max_nodes: int) -> None:
    if total > max_nodes:
        parts = ", ".join(f"{v} {k}" for k, v in counts.items())
        raise MapTooBig(
            f"this map would have {total:,} nodes ({parts}); the limit is {max_nodes:,}",
            hint="filter by kind, theme or area, focus on one entity, or collapse by kind or area",
        )


def _unlinked(g: nx.MultiDiGraph, nodes: set[str], q: MapQuery, centre: str | None) -> set[str]:
    """Records with no link to another in the view: listed beside the map, not drawn (they
    would be drawn far from the rest and shrink the fit).  A path, the accountability view
    and a view's centre keep every record."""
    if q.hierarchy or q.path or len(nodes) <= 1:
        return set()
    return {n for n in nodes if n != centre and not linked_within(g, n, nodes)}


def _drawn_nodes(
    g: nx.MultiDiGraph,
    drawn: set[str],
    q: MapQuery,
    centre: str | None,
    pos: Mapping[str, tuple[float, float]],
    values: Mapping[str, float],
    url_for_entity: Callable[[str], str],
) -> list[dict[str, Any]]:
    """Each drawn record, styled for its kind, sized by ``values`` and placed at ``pos``."""
    top = max((values.get(n, 0.0) for n in drawn), default=0.0)
    highlight = set(q.highlight)
    out = []
    for n in sorted(drawn):
        attrs = g.nodes[n]
        node = _styled(
            n, attrs, url_for_entity(n), node_size(values.get(n, 0.0), top), n == centre, len(drawn)
        )
        x, y = pos.get(n, (0.0, 0.0))
        node["x"], node["y"] = round(x, 1), round(y, 1)
        _mark(node, attrs, n in highlight if highlight else None, n == q.focus, n in q.path, n == centre)
        out.append(node)
    return out


def _styled(
    n: str, attrs: Mapping[str, Any], url: str, size: float, centre: bool, drawn: int
) -> dict[str, Any]:
    """A record as vis-network draws it: shape and colour of its kind, label, tooltip, font."""
    style = KIND_STYLE.get(attrs["kind"], KIND_STYLE["group"])
    label = node_label(attrs["name"])
    if attrs["status"] == "unconfirmed":
        label += "\n(unconfirmed)"
    return {
        **_record(n, attrs, url),
        "label": label,
        "title": node_title(attrs),
        "shape": style["shape"],
        "color": node_color(style["color"]),
        "size": size,
        "font": {
            "size": node_font(attrs["kind"], size, centre, drawn <= 25),
            **INSIDE.get(style["shape"], {}),
        },
    }


def _mark(
    node: dict[str, Any],
    attrs: Mapping[str, Any],
    highlighted: bool | None,
    focus: bool,
    on_path: bool,
    centre: bool = False,
) -> None:
    """What sets a record apart: dashes when unconfirmed; a red border when highlighted (and
    the rest faded, when ``highlighted`` is not None); a thick border for the focus and a path;
    ``centre`` for the view's centre (a focus, a theme), which keeps its place when the browser
    makes room for labels."""
    if attrs["status"] == "unconfirmed":
        node["shapeProperties"] = {"borderDashes": [4, 3]}
        node["borderWidth"] = 2
    if highlighted is not None:
        if highlighted:
            style = KIND_STYLE.get(attrs["kind"], KIND_STYLE["group"])
            node["borderWidth"] = 5
            node["color"] = {"background": style["color"], "border": "#d62728"}
            node["highlighted"] = True
        else:
            node["opacity"] = 0.3
    if focus or on_path:
        node["borderWidth"] = 4
        node["focus"] = focus
    if centre:
        node["centre"] = True


def _links(g: nx.MultiDiGraph, drawn: set[str]) -> list[dict[str, Any]]:
    """Each link between drawn records: its words ("reports to"), tooltip and line style."""
    names = {n: g.nodes[n]["name"] for n in drawn}
    out = []
    for u, v, key, attrs in _edges_within(g, drawn):
        t = attrs["type"]
        words = RELATION_WORDS.get(t, (LABELS[RelType(t)][0], LABELS[RelType(t)][1]))[0]
        edge = {
            "id": key,
            "from": u,
            "to": v,
            "arrows": "to",
            "title": edge_title(names[u], words, names[v], attrs.get("status")),
            "type": t,
            "words": words,
            "role": attrs.get("role"),
            "status": attrs.get("status"),
            **EDGE_STYLE.get(t, DEFAULT_EDGE),
        }
        if attrs.get("status") == "unconfirmed":
            edge["dashes"] = UNCONFIRMED_DASHES
        out.append(edge)
    return out


def _edge_legend(types: set[str]) -> list[dict[str, Any]]:
    return [
        {"type": t, "label": RELATION_WORDS.get(t, LABELS[RelType(t)])[0], **EDGE_STYLE.get(t, DEFAULT_EDGE)}
        for t in sorted(types)
    ]


def _notes(g: nx.MultiDiGraph, q: MapQuery, nodes: set[str], drawn: set[str]) -> list[str]:
    """What the view leaves out or draws in a way that needs saying, in words."""
    out = []
    outside = set(q.highlight) - nodes
    if outside:
        out.append(f"{len(outside)} highlighted record(s) are outside this view.")
    if q.path:
        hidden = hidden_neighbours(g, q.path)
        if hidden:
            out.append(f"{hidden} more neighbours of the path are not drawn.")
    if q.hierarchy:
        bodies = {n for n in drawn if g.nodes[n].get("kind") == "body"}
        weak = sum(1 for _, t in maplayout.parents(g, bodies).values() if t == maplayout.WEAK_PARENT)
        if weak:
            out.append(
                f"{weak} bod{'y has' if weak == 1 else 'ies have'} no reporting line recorded: each is "
                "drawn under the body it links with (dash-dot line), which is not a reporting line."
            )
        if not q.members and not q.kinds:
            out.append("Organisations, themes and other records are hidden: tick 'Show members and themes'.")
    return out


def _edges_within(g: nx.MultiDiGraph, nodes: set[str]) -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
    """The links between ``nodes`` by source id, as ``g.subgraph(nodes).edges(keys=True,
    data=True)`` gives them but in an order that is the same in every process (a view's
    order follows a set's), without the subgraph view's filter on every link (40% of
    building a 2,000-record view)."""
    succ = g.succ
    for u in sorted(nodes):  # a set's order changes with each process; the JSON must not
        for v, keyed in succ[u].items():
            if v in nodes:
                for key, attrs in keyed.items():
                    yield u, v, key, attrs


def _record(n: str, attrs: Mapping[str, Any], url: str) -> dict[str, Any]:
    return {
        "id": n,
        "name": attrs["name"],
        "kind": attrs["kind"],
        "subtype": attrs.get("subtype"),
        "status": attrs["status"],
        "url": url,
    }
