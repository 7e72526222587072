"""One map view's data as the page and the API send it (:class:`MapData`), and the page's
compact form of it (:meth:`MapData.to_page`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govmap.webviz.map.style import (
    DEFAULT_EDGE,
    EDGE_STYLE,
    KIND_STYLE,
    LABEL_RULE,
    edge_title,
    node_color,
    node_title,
)


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
    #: What the view is, in words: "Domestic Abuse", "Accountability", "Around North CSP".
    title: str = "The whole landscape"
    #: Records in the view with no link to anything else in it: listed beside the map, not drawn.
    isolated: list[dict[str, Any]] = field(default_factory=list)
    #: Row captions drawn on the canvas as plain text (the accountability view).
    captions: list[dict[str, Any]] = field(default_factory=list)
    #: Whether the nodes stand in rows that mean something (the accountability view, a path):
    #: the browser keeps them rows when it makes room for labels (webviz/static/labels.js).
    keep_rows: bool = False
    #: Whether those rows are levels that may each wrap onto several rows, in reading order, where
    #: a row is wider than a narrow screen has room for (the accountability view; a path's rows
    #: may not: its neighbours stand above and below their step).
    wrap_rows: bool = False

    @property
    def records(self) -> list[dict[str, Any]]:
        """Every record the view shows: drawn, then listed beside the map."""
        return [*self.nodes, *self.isolated]

    @property
    def label(self) -> str:
        """The map's accessible name: "Domestic Abuse: 7 records, 12 links"."""
        n, e = len(self.records), len(self.edges)
        return f"{self.title}: {n} record{'s' if n != 1 else ''}, {e} link{'s' if e != 1 else ''}"

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "physics": self.physics,
            "total": self.total,
            "counts": self.counts,
            "notes": self.notes,
            "title": self.title,
            "label": self.label,
            "isolated": self.isolated,
            "captions": self.captions,
            "keep_rows": self.keep_rows,
            "wrap_rows": self.wrap_rows,
            "label_rule": LABEL_RULE,
        }

    def to_page(self) -> dict[str, Any]:
        """:meth:`to_json` as the map page holds it for map.js, a third of the bytes.

        Left out, and put back by map.js (``expand``) before vis-network sees them: what is
        the same for every record of a kind (``node_styles``) or link of a type
        (``edge_styles``); fields in ``nullable`` that are null; and each tooltip that is the
        one map.js makes from the record's or link's own fields (:func:`node_title`,
        :func:`edge_title`).  At 2,000 records and 6,600 links the page's map data was 3.1 MB,
        two thirds of it tooltips and link styles repeated on every link.

        Notes
        -----
        A node or link that differs from its kind's or type's style (a highlighted record, an
        unconfirmed link's dots) keeps its own value, which map.js does not overwrite.
        """
        names = {n["id"]: n.get("name", "") for n in self.nodes}
        nullable = {
            "nodes": [k for k in _NULLABLE if self.nodes and all(k in n for n in self.nodes)],
            "edges": [k for k in _NULLABLE if self.edges and all(k in e for e in self.edges)],
        }
        node_styles: dict[str, dict[str, Any]] = {}
        nodes = []
        for n in self.nodes:
            kind = n.get("kind", "")
            if kind in KIND_STYLE and kind not in node_styles:
                style = KIND_STYLE[kind]
                node_styles[kind] = {"shape": style["shape"], "color": node_color(style["color"])}
            nodes.append(_leave_out(n, node_styles.get(kind, {}), nullable["nodes"], node_title(n)))
        edge_styles: dict[str, dict[str, Any]] = {}
        edges = []
        for e in self.edges:
            if "type" not in e:  # a collapsed view's count of links: sent as it is
                edges.append(e)
                continue
            shared = edge_styles.setdefault(
                e["type"],
                {
                    "arrows": e.get("arrows"),
                    "words": e.get("words"),
                    **EDGE_STYLE.get(e["type"], DEFAULT_EDGE),
                },
            )
            title = edge_title(names[e["from"]], e.get("words", ""), names[e["to"]], e.get("status"))
            edges.append(_leave_out(e, shared, nullable["edges"], title))
        return {
            **self.to_json(),
            "nodes": nodes,
            "edges": edges,
            "node_styles": node_styles,
            "edge_styles": edge_styles,
            "nullable": nullable,
        }


#: Fields left out of the page when null, if every record (or every link) has them; map.js
#: reads them back as null (:meth:`MapData.to_page`).
_NULLABLE = ("subtype", "role", "status")


def _leave_out(
    item: Mapping[str, Any], shared: Mapping[str, Any], nullable: list[str], title: str
) -> dict[str, Any]:
    """``item`` without its fields equal to ``shared``'s, its null ``nullable`` fields and its
    tooltip when that is ``title``."""
    return {
        k: v
        for k, v in item.items()
        if not (k in shared and shared[k] == v)
        and not (k in nullable and v is None)
        and not (k == "title" and v == title)
    }
