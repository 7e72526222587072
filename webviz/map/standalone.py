"""A map you can send: one self-contained HTML file of a map view, made with pyvis.

The nodes, edges, positions, colours, shapes and legend are the web map's own
(:func:`govmap.webviz.map.data.map_data`, the same filters and the same style constants), so
the file looks like the page it was downloaded from.  pyvis
(:class:`pyvis.network.Network`) holds the nodes, edges and options and renders
the page; what it cannot do safely is wrapped:

* pyvis's own template loads Bootstrap from a CDN in every mode and, when a
  tooltip contains ``href``, shows tooltips with ``innerHTML``; its Jinja
  environment does not autoescape, so ``heading`` would be raw HTML.  We render
  through pyvis with our template (``webviz/templates/standalone/map.html``) in an
  environment with autoescaping on.
* ``cdn_resources="in_line"`` would inline pyvis's copy of vis-network; we inline
  the copy vendored in ``webviz/static/vendor`` instead (the one the web map
  uses), by filling a marker after rendering -- a Jinja ``include`` would parse
  the minified library as a template.
* A Content-Security-Policy in the file allows only the two scripts it holds (by
  SHA-256 hash) and no request to any host, so a name that escaped every other
  guard could still neither run nor call home.

Tooltips are plain text: vis-network 9 sets a string ``title`` with
``innerText``, and no name is ever put in HTML unescaped.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import escape

from govmap.graph.build import build_graph
from govmap.graph.layout import spring_by_piece
from govmap.ingest.model import Register
from govmap.webviz.map.data import map_data, measure
from govmap.webviz.map.query import MapQuery
from govmap.webviz.map.style import DEFAULT_EDGE, KIND_STYLE, LABEL_RULE, LEGIBLE_PX
from govmap.webviz.map.view import MapData

HERE = Path(__file__).resolve().parent.parent  # webviz/, which holds templates/ and static/
TEMPLATES = HERE / "templates" / "standalone"
VENDOR = HERE / "static" / "vendor"
#: The web map's label placement, inlined in the file.
LABELS_JS = HERE / "static" / "labels.js"

#: Node keys vis-network draws with, and those labels.js reads (``kind``, ``centre``); the
#: rest of map_data's node (url, ...) is not sent.
_NODE_KEYS = (
    "kind",
    "centre",
    "title",
    "shape",
    "color",
    "size",
    "font",
    "x",
    "y",
    "borderWidth",
    "shapeProperties",
    "opacity",
)
_EDGE_KEYS = ("title", "color", "width", "dashes", "arrows")

OPTIONS: dict[str, Any] = {
    "physics": {"enabled": False},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
    # Labels are placed and drawn by labels.js, as on the web map; vis-network draws only those
    # inside a shape (an ellipse), and only when legible.
    "nodes": {
        "borderWidth": 1,
        "font": {"face": "system-ui, sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
        "scaling": {"label": {"enabled": False, "drawThreshold": LEGIBLE_PX + 1, "maxVisible": 40}},
    },
    "layout": {"improvedLayout": False},
}


def _title(register: Register, data: MapData, when: dt.date) -> str:
    return f"{register.info.name}: {data.title} ({when.isoformat()})"


def _network(data: MapData, heading: str) -> Any:
    from pyvis.network import Network

    net = Network(height="100%", width="100%", directed=True, heading=heading, cdn_resources="remote")
    for node in data.nodes:
        opts = {k: node[k] for k in _NODE_KEYS if k in node}
        net.add_node(node["id"], label=node.get("label") or " ", **opts)
    for edge in data.edges:
        opts = {k: edge[k] for k in _EDGE_KEYS if k in edge}
        net.add_edge(edge["from"], edge["to"], id=edge["id"], **opts)
    net.set_options(json.dumps(OPTIONS))
    return net


def _legend(data: MapData, register: Register) -> str:
    """The legend and the unlinked records, as HTML with every text escaped."""
    out = ["<h2>Legend</h2><ul>"]
    for item in data.legend:
        count = data.counts.get(item["kind"], 0)
        radius = "50%" if item["shape"] in ("dot", "ellipse") else "0"
        out.append(
            f'<li><span class="swatch" style="background:{escape(item["color"])};border-radius:{radius}"></span> '
            f"{escape(item['label'])} ({count})</li>"
        )
    out.append("</ul><ul>")
    for e in data.edge_legend:
        dashes = e.get("dashes", DEFAULT_EDGE["dashes"])
        style = "dashed" if dashes else "solid"
        out.append(
            f'<li><span class="line" style="border-top:{max(1, round(float(e.get("width", 1))))}px {style} '
            f'{escape(e.get("color", DEFAULT_EDGE["color"]))}"></span> {escape(e["label"])}</li>'
        )
    out.append("<li>dashed outline or line: unconfirmed</li></ul>")
    if data.isolated:
        out.append("<h2>Not linked to anything in this view</h2><ul>")
        out.extend(f"<li>{escape(r['name'])} ({escape(r['kind'])})</li>" for r in data.isolated)
        out.append("</ul>")
    if data.notes:
        out.append("<h2>Notes</h2><ul>")
        out.extend(f"<li>{escape(n)}</li>" for n in data.notes)
        out.append("</ul>")
    return "".join(out)


def _label_settings(data: MapData) -> dict[str, Any]:
    """What labels.js needs besides the nodes: numbers and a flag, never text from the register."""
    return {"label_rule": LABEL_RULE, "keep_rows": data.keep_rows, "wrap_rows": data.wrap_rows}


def _script_hashes(html: str) -> str:
    sources = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in sources
    )


def render_map(register: Register, data: MapData, when: dt.date | None = None) -> str:
    """The HTML text of one map view (see the module docstring for what is wrapped and why)."""
    when = when or dt.date.today()
    heading = _title(register, data, when)
    net = _network(data, heading)
    net.set_template_dir(str(TEMPLATES) + "/", "map.html")
    # pyvis's environment does not autoescape: replace it so every name is text.
    net.templateEnv = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    html: str = net.generate_html(name="map.html")
    n, e = len(data.records), len(data.edges)
    subtitle = f"<p>{n} record{'s' if n != 1 else ''}, {e} link{'s' if e != 1 else ''}. Made with govmap.</p>"
    for marker, value in (
        ("<&govmap:legend&>", _legend(data, register)),
        ("<&govmap:subtitle&>", subtitle),
        ("<&govmap:vis-network-css&>", (VENDOR / "vis-network.css").read_text(encoding="utf-8")),
        ("<&govmap:vis-network-js&>", (VENDOR / "vis-network.min.js").read_text(encoding="utf-8")),
        ("<&govmap:labels-js&>", LABELS_JS.read_text(encoding="utf-8")),
        ("<&govmap:label-settings&>", json.dumps(_label_settings(data))),
    ):
        # Markers hold '<' and '&', which autoescape and tojson escape in every name: only ours match.
        html = html.replace(marker, value, 1)
    csp = (
        f"default-src 'none'; script-src {_script_hashes(html)}; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    return html.replace("<&govmap:csp&>", csp, 1)


def standalone_map(
    register: Register, q: MapQuery | None = None, *, when: dt.date | None = None, max_nodes: int = 2000
) -> str:
    """One self-contained HTML file of the map view ``q`` of ``register``.

    Positions are computed here (physics is off in the file); a view of more
    than ``max_nodes`` records is refused with :class:`govmap.webviz.map.query.MapTooBig`, as
    on the web.
    """
    g = build_graph(register)
    data = map_data(
        register,
        g,
        q or MapQuery(),
        url_for_entity=lambda _id: "",
        positions_of=lambda nodes: spring_by_piece(g.subgraph(nodes)),
        measure_of=lambda name: measure(g, name),
        max_nodes=max_nodes,
        physics_limit=0,
    )
    return render_map(register, data, when)


__all__ = ["KIND_STYLE", "render_map", "standalone_map"]
