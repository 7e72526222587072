"""A collapsed map view: one node per kind or per area, with the links between groups counted."""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx

from govmap.graph.layout.pieces import spring_by_piece
from govmap.ingest.model import Register
from govmap.webviz.map.style import FONT, KIND_STYLE, node_color, node_size
from govmap.webviz.map.view import MapData


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


def collapsed(
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
    cg.add_nodes_from(sorted(sizes))  # sorted: the same layout in every process
    cg.add_edges_from(sorted(links))
    pos = spring_by_piece(nx.MultiDiGraph(cg))
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
                "title": f"{names[gid]}\n{sizes[gid]} record{'' if sizes[gid] == 1 else 's'}",
                "name": names[gid],
                "kind": "group",
                "shape": style["shape"],
                "color": node_color(style["color"]),
                "size": node_size(sizes[gid], top) * 1.5,
                "font": {"size": FONT["major"]},  # every group's name is shown (labels.js)
                "x": round(x, 1),
                "y": round(y, 1),
            }
        )
    for (a, b), count in sorted(links.items()):
        data.edges.append(
            {
                "id": f"{a}|{b}",
                "from": a,
                "to": b,
                "title": f"{count} link{'' if count == 1 else 's'}",
                "width": round(1 + math.log2(count), 1),
                "color": "#9aa5b1",
            }
        )
    data.notes.append(f"Collapsed {by}: {len(nodes):,} records in {len(sizes)} groups.")
    return data
