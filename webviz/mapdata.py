"""The map: which records to draw, where, and how they look.

:func:`map_data` turns a :class:`MapQuery` (filters parsed from the URL) into
vis-network nodes and edges.  Positions are computed here, in Python, once per
register version (:func:`layout`), so the browser draws even a large map in
well under a second with physics off; vis-network's own physics takes tens of
seconds for a thousand nodes.  A map of more than ``max_nodes`` is refused with
counts and a suggestion (filter, focus or collapse) rather than sent.

Every string here reaches the browser as JSON data: labels are drawn on a
canvas and tooltips (``title``) are plain text, which vis-network 9 sets with
``innerText``.  Nothing is ever HTML.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from govmap.graph.entity import LABELS, get_record
from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Area, Register, RelType, Theme

#: How each kind of record is drawn; the legend is made from this too.
KIND_STYLE: dict[str, dict[str, str]] = {
    "body": {"shape": "dot", "color": "#1f6fb2", "label": "Body (board, partnership, group)"},
    "organisation": {"shape": "square", "color": "#e07b00", "label": "Organisation"},
    "theme": {"shape": "diamond", "color": "#2e8b3e", "label": "Theme"},
    "strategy": {"shape": "triangle", "color": "#7b4fa8", "label": "Strategy or evidence"},
    "area": {"shape": "hexagon", "color": "#8a6d3b", "label": "Area"},
    "post": {"shape": "triangleDown", "color": "#c2417f", "label": "Post"},
    "person": {"shape": "star", "color": "#666666", "label": "Person"},
    "platform": {"shape": "star", "color": "#138f98", "label": "Platform"},
    "group": {"shape": "dot", "color": "#555555", "label": "Collapsed group"},
}

EDGE_STYLE: dict[str, dict[str, Any]] = {
    "reports_to": {"color": "#1f3f66", "width": 2.5},
    "sub_group_of": {"color": "#1f3f66", "width": 1.5, "dashes": [8, 4]},
    "member_of": {"color": "#9aa5b1", "width": 1},
    "addresses": {"color": "#2e8b3e", "width": 1},
    "owns": {"color": "#7b4fa8", "width": 1.5},
    "informs": {"color": "#7b4fa8", "width": 1, "dashes": [2, 4]},
}
DEFAULT_EDGE: dict[str, Any] = {"color": "#c3c9d0", "width": 1}

SIZES = {"degree": "links", "members": "members", "betweenness": "brokerage (betweenness)"}
COLLAPSE = {"kind": "by kind", "area": "by area"}
MAX_HOPS = 5
#: Maps this small get their own layout; larger ones reuse the whole register's.
LOCAL_LAYOUT = 150
#: Registers larger than this get no whole-register layout (Fruchterman-Reingold is
#: O(n^2) an iteration: minutes at 15,000 nodes, far longer nationally); each map view of
#: at most ``max_nodes`` nodes is laid out on its own instead, and cached per version.
GLOBAL_LAYOUT_LIMIT = 8000


class MapTooBig(GovmapError):
    status = 413


@dataclass(frozen=True)
class MapQuery:
    """What part of the landscape to draw, and how."""

    kinds: tuple[str, ...] = ()
    theme: str | None = None
    area: str | None = None
    statutory: bool | None = None
    focus: str | None = None
    hops: int = 1
    highlight: tuple[str, ...] = ()
    size: str = "degree"
    collapse: str | None = None

    @classmethod
    def from_args(
        cls, args: Mapping[str, Any], getlist: Callable[[str], list[str]] | None = None
    ) -> MapQuery:
        """Parse URL query arguments; unknown values are ignored, not errors."""
        many = getlist or (lambda k: [args[k]] if args.get(k) else [])
        kinds = tuple(k for k in _split(many("kind")) if k in KIND_STYLE and k != "group")
        statutory = {"yes": True, "no": False}.get(str(args.get("statutory") or ""))
        try:
            hops = max(1, min(MAX_HOPS, int(args.get("hops") or 1)))
        except ValueError:
            hops = 1
        size = str(args.get("size") or "degree")
        collapse = str(args.get("collapse") or "") or None
        return cls(
            kinds=kinds,
            theme=str(args.get("theme") or "") or None,
            area=str(args.get("area") or "") or None,
            statutory=statutory,
            focus=str(args.get("focus") or "") or None,
            hops=hops,
            highlight=tuple(_split(many("highlight"))),
            size=size if size in SIZES else "degree",
            collapse=collapse if collapse in COLLAPSE else None,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.kinds or self.theme or self.area or self.statutory is not None or self.focus)


def _split(values: Iterable[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@dataclass
class MapData:
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    legend: list[dict[str, str]] = field(default_factory=list)
    edge_legend: list[dict[str, Any]] = field(default_factory=list)
    physics: bool = False
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "physics": self.physics,
            "total": self.total,
            "counts": self.counts,
            "notes": self.notes,
        }


# -- computed once per register version ---------------------------------------


def layout(g: nx.MultiDiGraph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions for every node, in vis-network pixels.

    Notes
    -----
    Fruchterman-Reingold (``nx.spring_layout``) with a fixed seed, so the map
    looks the same on every load.  NetworkX switches to its sparse (scipy)
    version above 500 nodes; 2,000 nodes take a few seconds, once per version.
    """
    n = g.number_of_nodes()
    if n == 0:
        return {}
    simple = nx.Graph(g.to_undirected(as_view=True))
    # Spring layout flings unlinked records to the far edge, which shrinks everything else;
    # lay out each connected piece on its own and pack the small ones in rows below the largest.
    pieces = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
    out: dict[str, tuple[float, float]] = {}
    x0, y0, row_height, right = 0.0, 0.0, 0.0, 0.0
    for i, piece in enumerate(pieces):
        size = len(piece)
        scale = 110 * math.sqrt(size) + (0 if size == 1 else 60)
        if size == 1:
            pos = {next(iter(piece)): (0.0, 0.0)}
        else:
            pos = nx.spring_layout(simple.subgraph(piece), seed=seed, iterations=_iterations(size))
        if i == 0:
            right = scale
            y0 = scale + 150
            x0 = -scale
            out.update({k: (float(x) * scale, float(y) * scale) for k, (x, y) in pos.items()})
            continue
        if x0 + 2 * scale > max(right, 600):
            x0, y0, row_height = -right, y0 + row_height + 120, 0.0
        out.update(
            {k: (x0 + scale + float(x) * scale, y0 + scale + float(y) * scale) for k, (x, y) in pos.items()}
        )
        x0 += 2 * scale + 120
        row_height = max(row_height, 2 * scale)
    return out


def _iterations(size: int) -> int:
    """Fewer spring iterations for big pieces: NetworkX's sparse layout costs ~0.2 s an iteration
    at 2,000 nodes.  The result is cached per register version, and ``govmap serve`` computes
    it before the first visitor asks."""
    return 50 if size <= 500 else max(10, 25_000 // size)


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


# -- selection -----------------------------------------------------------------


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
    if q.focus:
        get_record(register, q.focus)
        if q.focus not in g:
            raise GovmapError(f"'{q.focus}' is not drawn on the map", hint="documents are not on the map")
        nodes.add(q.focus)
        sub = g.subgraph(nodes).to_undirected(as_view=True)
        nodes = set(nx.single_source_shortest_path_length(sub, q.focus, cutoff=q.hops))
    return nodes


# -- drawing -------------------------------------------------------------------


def _title(attrs: Mapping[str, Any]) -> str:
    """A plain-text tooltip (vis-network shows it with innerText: never HTML)."""
    kind = attrs.get("kind", "")
    subtype = attrs.get("subtype")
    lines = [attrs.get("name", ""), f"{kind}{', ' + subtype if subtype and subtype != kind else ''}"]
    if attrs.get("status") == "unconfirmed":
        lines.append("unconfirmed")
    return "\n".join(lines)


def _label(name: str, limit: int = 38) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _size(value: float, top: float) -> float:
    return round(10 + 22 * math.sqrt(value / top), 1) if top > 0 else 12.0


def _positions(
    g: nx.MultiDiGraph, nodes: set[str], positions_of: Callable[[set[str]], Mapping[str, tuple[float, float]]]
) -> Mapping[str, tuple[float, float]]:
    if len(nodes) <= LOCAL_LAYOUT:
        return layout(g.subgraph(nodes))
    return positions_of(nodes)


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
    total = len(nodes)
    counts = dict(sorted(Counter(g.nodes[n]["kind"] for n in nodes).items()))
    if q.collapse:
        return _collapsed(register, g, nodes, q.collapse, counts)
    if total > max_nodes:
        parts = ", ".join(f"{v} {k}" for k, v in counts.items())
        raise MapTooBig(
            f"this map would have {total:,} nodes ({parts}); the limit is {max_nodes:,}",
            hint="filter by kind, theme or area, focus on one entity, or collapse by kind or area",
        )
    pos = _positions(g, nodes, positions_of)
    values = measure_of(q.size)
    top = max((values.get(n, 0.0) for n in nodes), default=0.0)
    highlight = set(q.highlight)
    data = MapData(total=total, counts=counts, physics=total <= physics_limit)
    for n in sorted(nodes):
        attrs = g.nodes[n]
        style = KIND_STYLE.get(attrs["kind"], KIND_STYLE["group"])
        x, y = pos.get(n, (0.0, 0.0))
        node: dict[str, Any] = {
            "id": n,
            "label": _label(attrs["name"]),
            "title": _title(attrs),
            "name": attrs["name"],
            "kind": attrs["kind"],
            "subtype": attrs.get("subtype"),
            "status": attrs["status"],
            "url": url_for_entity(n),
            "shape": style["shape"],
            "color": {"background": style["color"], "border": "#222222"},
            "size": _size(values.get(n, 0.0), top),
            "x": round(x, 1),
            "y": round(y, 1),
        }
        if attrs["status"] == "unconfirmed":
            node["shapeProperties"] = {"borderDashes": [4, 3]}
            node["borderWidth"] = 2
        if highlight:
            if n in highlight:
                node["borderWidth"] = 5
                node["color"] = {"background": style["color"], "border": "#d62728"}
                node["highlighted"] = True
            else:
                node["opacity"] = 0.3
        if n == q.focus:
            node["borderWidth"] = 4
            node["focus"] = True
        data.nodes.append(node)
    seen_types: set[str] = set()
    for u, v, key, attrs in g.subgraph(nodes).edges(keys=True, data=True):
        t = attrs["type"]
        seen_types.add(t)
        edge = {
            "id": key,
            "from": u,
            "to": v,
            "arrows": "to",
            "title": LABELS[RelType(t)][0],
            "type": t,
            **EDGE_STYLE.get(t, DEFAULT_EDGE),
        }
        if attrs.get("status") == "unconfirmed":
            edge["dashes"] = [3, 3]
        data.edges.append(edge)
    data.legend = [{"kind": k, **KIND_STYLE[k]} for k in KIND_STYLE if k in counts]
    data.edge_legend = [
        {"type": t, "label": LABELS[RelType(t)][0], **EDGE_STYLE.get(t, DEFAULT_EDGE)}
        for t in sorted(seen_types)
    ]
    if highlight - nodes:
        data.notes.append(f"{len(highlight - nodes)} highlighted record(s) are outside this view.")
    return data


def _group_of(register: Register, g: nx.MultiDiGraph, n: str, by: str) -> tuple[str, str]:
    attrs = g.nodes[n]
    if by == "kind":
        return f"kind:{attrs['kind']}", KIND_STYLE.get(attrs["kind"], KIND_STYLE["group"])["label"]
    areas = getattr(attrs["record"], "areas", ())
    if areas:
        area = register.get(areas[0].to)
        return f"area:{areas[0].to}", area.name if area else areas[0].to
    if attrs["kind"] == "area":
        return f"area:{n}", attrs["name"]
    return "area:-", "No area recorded"


def _collapsed(
    register: Register, g: nx.MultiDiGraph, nodes: set[str], by: str, counts: dict[str, int]
) -> MapData:
    """One node per kind or per area, with the links between groups counted."""
    group_of: dict[str, str] = {}
    names: dict[str, str] = {}
    sizes: Counter[str] = Counter()
    for n in nodes:
        gid, name = _group_of(register, g, n, by)
        group_of[n] = gid
        names[gid] = name
        sizes[gid] += 1
    links: Counter[tuple[str, str]] = Counter()
    for u, v in g.subgraph(nodes).edges():
        a, b = group_of[u], group_of[v]
        if a != b:
            links[(min(a, b), max(a, b))] += 1
    cg = nx.Graph()
    cg.add_nodes_from(sizes)
    cg.add_edges_from(links)
    pos = layout(nx.MultiDiGraph(cg))
    top = max(sizes.values(), default=1)
    data = MapData(total=len(nodes), counts=counts, physics=False)
    for gid in sorted(sizes):
        kind = gid.split(":", 1)[1] if by == "kind" else "group"
        style = KIND_STYLE.get(kind, KIND_STYLE["group"])
        x, y = pos[gid]
        data.nodes.append(
            {
                "id": gid,
                "label": f"{names[gid]} ({sizes[gid]})",
                "title": f"{names[gid]}\n{sizes[gid]} records",
                "name": names[gid],
                "kind": "group",
                "shape": style["shape"],
                "color": {"background": style["color"], "border": "#222222"},
                "size": _size(sizes[gid], top) * 1.5,
                "x": round(x, 1),
                "y": round(y, 1),
            }
        )
    for (a, b), n in sorted(links.items()):
        data.edges.append(
            {
                "id": f"{a}|{b}",
                "from": a,
                "to": b,
                "title": f"{n} links",
                "width": round(1 + math.log2(n), 1),
                "color": "#9aa5b1",
            }
        )
    data.notes.append(f"Collapsed {by}: {len(nodes):,} records in {len(sizes)} groups.")
    return data
