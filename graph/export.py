"""The landscape in the formats other tools read: GraphML, GEXF, Cytoscape.js, Popolo, CSV.

Every attribute written is a string, a number or a boolean -- never a Python
object -- so Gephi, Cytoscape, yEd and NetworkX read the files as they are.
A node carries ``label`` (the name), ``kind``, ``subtype``, ``status``,
``areas`` (the ids of the areas it covers, ``;``-separated) and
``statutory``; an edge carries ``relation`` (a :class:`RelType` value),
``role``, ``status`` and ``origin`` (the record it is written in).

Styles are not decided here: GEXF's colours, sizes and positions are passed in
by the caller (the CLI hands over the web map's), since ``graph`` knows nothing
of how the web draws a map.

Examples
--------
>>> from govmap.ingest.reading.load import loads
>>> reg = loads('''
... bodies:
...   - {id: board, name: Board, kind: board, top_level: true}
...   - {id: group, name: Group, kind: group, reports_to: board}
... ''')
>>> g = export_graph(reg)
>>> sorted(g.nodes["group"].items())[:3]
[('areas', ''), ('kind', 'body'), ('label', 'Group')]
>>> [d["relation"] for _, _, d in g.edges(data=True)]
['reports_to']
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

import networkx as nx

from govmap.graph.build import build_graph
from govmap.graph.terms import GRAPH_FORMATS
from govmap.ingest.model import Body, Organisation, Person, Post, Register

FORMATS = GRAPH_FORMATS

NODE_COLUMNS = ("id", "label", "kind", "subtype", "status", "areas", "statutory")
EDGE_COLUMNS = ("id", "source", "target", "relation", "role", "status", "origin")


def export_graph(register: Register, include_documents: bool = False) -> nx.MultiDiGraph:
    """The register's graph with only plain, typed attributes (no ``None``, no objects)."""
    g = build_graph(register, include_documents=include_documents)
    out = nx.MultiDiGraph(name=str(register.info.name), register=str(register.info.id))
    for n, attrs in g.nodes(data=True):
        rec = attrs["record"]
        areas = getattr(rec, "areas", ())
        out.add_node(
            n,
            label=str(attrs["name"]),
            kind=str(attrs["kind"]),
            subtype=str(attrs.get("subtype") or ""),
            status=str(attrs["status"]),
            areas=";".join(a.target for a in areas),
            statutory=bool(getattr(rec, "statutory", False)),
        )
    for u, v, key, attrs in g.edges(keys=True, data=True):
        rel = attrs["relation"]
        out.add_edge(
            u,
            v,
            key=str(key),
            relation=str(attrs["type"]),
            role=str(attrs.get("role") or ""),
            status=str(attrs["status"]),
            origin=str(rel.origin),
        )
    return out


def to_graphml(g: nx.MultiDiGraph) -> str:
    """GraphML text (typed ``<key>`` declarations; edge ids are the edge keys)."""
    return "\n".join(nx.generate_graphml(g, edge_id_from_attribute=None)) + "\n"


def _rgb(colour: str) -> dict[str, int]:
    c = colour.lstrip("#")
    return {"r": int(c[0:2], 16), "g": int(c[2:4], 16), "b": int(c[4:6], 16), "a": 1}


def to_gexf(
    g: nx.MultiDiGraph,
    colours: Mapping[str, str] | None = None,
    sizes: Mapping[str, float] | None = None,
    positions: Mapping[str, tuple[float, float]] | None = None,
) -> str:
    """GEXF 1.2 text with ``viz`` colour (by kind), size and position where given."""
    h = g.copy()
    for n, attrs in h.nodes(data=True):
        viz: dict[str, Any] = {}
        if colours and attrs["kind"] in colours:
            viz["color"] = _rgb(colours[attrs["kind"]])
        if sizes and attrs["kind"] in sizes:
            viz["size"] = float(sizes[attrs["kind"]])
        if positions and n in positions:
            x, y = positions[n]
            viz["position"] = {"x": float(x), "y": float(-y), "z": 0.0}  # GEXF's y axis points up
        if viz:
            attrs["viz"] = viz
    return "\n".join(nx.generate_gexf(h, version="1.2draft")) + "\n"


def to_cytoscape(g: nx.MultiDiGraph) -> str:
    """Cytoscape.js JSON: ``{"elements": {"nodes": [{"data": ...}], "edges": [...]}}``."""
    data = nx.cytoscape_data(g)
    for edge in data["elements"]["edges"]:
        edge["data"]["id"] = edge["data"]["key"]
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def to_csv_pair(g: nx.MultiDiGraph) -> dict[str, bytes]:
    """``nodes.csv`` and ``edges.csv`` (UTF-8), the shape Gephi's spreadsheet import expects."""
    out = {}
    for name, cols, rows in (
        ("nodes.csv", NODE_COLUMNS, ({"id": n, **a} for n, a in g.nodes(data=True))),
        (
            "edges.csv",
            EDGE_COLUMNS,
            ({"id": k, "source": u, "target": v, **a} for u, v, k, a in g.edges(keys=True, data=True)),
        ),
    ):
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\r\n")
        w.writeheader()
        for row in rows:
            w.writerow({c: _csv_cell(row.get(c, "")) for c in cols})
        out[name] = buf.getvalue().encode("utf-8")
    return out


def _csv_cell(value: Any) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    # Spreadsheets run a cell starting with = + - @ as a formula: keep it text.
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _date(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def to_popolo(register: Register) -> str:
    """Popolo JSON: organizations (organisations and bodies), posts, persons, memberships.

    Memberships carry ``role``, ``start_date``, ``end_date`` and
    ``on_behalf_of_id``; a member that is an organisation or a body is written
    as ``member: {"@type": "Organization", "id": ...}``, a post as ``post_id``,
    a person as ``person_id``.  Who holds a post becomes a membership of the
    post's organisation.
    """
    orgs: list[dict[str, Any]] = []
    for rec in register.records():
        if isinstance(rec, Organisation | Body):
            org: dict[str, Any] = {
                "id": rec.id,
                "name": rec.name,
                "classification": rec.subtype or rec.word,
            }
            other = [{"name": a} for a in rec.aliases] + [
                {
                    "name": n.name,
                    **{k: v for k, v in (("start_date", _date(n.start)), ("end_date", _date(n.end))) if v},
                }
                for n in rec.former_names
            ]
            if other:
                org["other_names"] = other
            parents = rec.part_of if isinstance(rec, Organisation) else (rec.sub_group_of or rec.reports_to)
            if parents:
                org["parent_id"] = parents[0].target
            if rec.sources:
                org["sources"] = [{"url": s.url or "", "note": s.doc} for s in rec.sources]
            orgs.append(org)
    posts = [{"id": p.id, "label": p.name, "organization_id": p.organisation} for p in register.posts]
    persons = [{"id": p.id, "name": p.name} for p in register.people]
    kinds = {r.id: type(r) for r in register.records()}
    memberships: list[dict[str, Any]] = []
    for body in register.bodies:
        for i, m in enumerate(body.members):
            row: dict[str, Any] = {
                "id": f"{body.id}/members/{i}",
                "organization_id": body.id,
                "role": m.role.value,
            }
            kind = kinds.get(m.member)
            if kind is Person:
                row["person_id"] = m.member
            elif kind is Post:
                row["post_id"] = m.member
            else:
                row["member"] = {"@type": "Organization", "id": m.member}
            if m.on_behalf_of:
                row["on_behalf_of_id"] = m.on_behalf_of
            for key, value in (("start_date", _date(m.start)), ("end_date", _date(m.end))):
                if value:
                    row[key] = value
            memberships.append(row)
    posts_by_id = {p.id: p for p in register.posts}
    for person in register.people:
        for i, link in enumerate(person.holds):
            post = posts_by_id.get(link.target)
            row = {"id": f"{person.id}/holds/{i}", "person_id": person.id, "post_id": link.target}
            if post:
                row["organization_id"] = post.organisation
                row["role"] = post.name
            for key, value in (("start_date", _date(link.start)), ("end_date", _date(link.end))):
                if value:
                    row[key] = value
            memberships.append(row)
    data = {
        "name": register.info.name,
        "organizations": orgs,
        "posts": posts,
        "persons": persons,
        "memberships": memberships,
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def read_back(fmt: str, payload: str | Mapping[str, bytes]) -> nx.MultiDiGraph:
    """Read an export with NetworkX (for checks: same nodes, same edges)."""
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(str(payload).encode("utf-8")), force_multigraph=True)
    if fmt == "gexf":
        return nx.read_gexf(io.BytesIO(str(payload).encode("utf-8")))
    if fmt == "cytoscape":
        return nx.cytoscape_graph(json.loads(str(payload)))
    if fmt == "csv-graph":
        assert isinstance(payload, Mapping)
        g = nx.MultiDiGraph()
        for row in csv.DictReader(io.StringIO(payload["nodes.csv"].decode("utf-8"))):
            g.add_node(row.pop("id"), **row)
        for row in csv.DictReader(io.StringIO(payload["edges.csv"].decode("utf-8"))):
            g.add_edge(row.pop("source"), row.pop("target"), key=row.pop("id"), **row)
        return g
    raise ValueError(f"cannot read back {fmt}")


__all__ = [
    "FORMATS",
    "export_graph",
    "read_back",
    "to_csv_pair",
    "to_cytoscape",
    "to_gexf",
    "to_graphml",
    "to_popolo",
]
