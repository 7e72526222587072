"""The landscape map: filters, search, focus, highlight; and its text twin as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from govmap.webviz import state
from govmap.webviz.map import page as mappage
from govmap.webviz.map.query import COLLAPSE, LAYOUTS, SIZES, MapQuery, MapTooBig
from govmap.webviz.map.style import KIND_STYLE
from govmap.webviz.map.view import MapData

from . import map_of, map_query

bp = Blueprint("map", __name__)

#: A view of more records than this links to its table (``/map/table``) instead of holding it:
#: at 2,000 records and 6,600 links the table was 110,000 of the page's 155,000 elements.
TABLE_INLINE_LIMIT = 500


@bp.get("/")
def index() -> Response:
    """The map page: its map part rendered once per version and query (webviz/map/page.py),
    the header (who is signed in, the sign-out form) for each request."""
    snap = state.current()
    q = map_query()
    args = tuple(request.args.items(multi=True))  # the part's links repeat the query as given
    page = snap.memo(("map-page", q, args, snap.has_global_layout), lambda: _map_page(snap, q))
    body, zipped = mappage.respond(
        page,
        lambda part, title: render_template("map.html", map_part=part, map_title=title),
        gzip="gzip" in request.accept_encodings,
    )
    response = Response(body, status=page.status, mimetype="text/html")
    if zipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    return response


def _map_page(snap: state.Snapshot, q: MapQuery) -> mappage.MapPage:
    try:
        data, problem = map_of(snap, q), None
    except MapTooBig as exc:
        data, problem = None, exc
    part = render_template(
        "_map_part.html",
        q=q,
        data=data,
        problem=problem,
        kinds=[k for k in KIND_STYLE if k != "group"],
        kind_style=KIND_STYLE,
        themes=snap.register.themes,
        areas=snap.register.areas,
        sizes=SIZES,
        collapses=COLLAPSE,
        layouts=LAYOUTS,
        args=request.args,
        switch_url=_switch_url(q.hierarchy),
        table_inline_limit=TABLE_INLINE_LIMIT,
    )
    title = data.title if data else "Map"
    return mappage.MapPage(title, mappage.Part.of(part), problem.status if problem else 200)


def _switch_url(hierarchy: bool) -> str:
    """This view in the other layout: the network, or the accountability view (which has no focus)."""
    args = request.args.copy()
    for key in ("layout", "members") if hierarchy else ("layout", "focus", "hops", "collapse"):
        args.poplist(key)
    if not hierarchy:
        args["layout"] = "hierarchy"
    params: dict[str, Any] = args.to_dict(flat=False)
    return url_for("map.index", **params)


@bp.get("/map/table")
def table() -> str:
    """The table of the view the same query string draws, on a page of its own."""
    data = map_of(state.current(), map_query())
    params: dict[str, Any] = request.args.to_dict(flat=False)
    return render_template(
        "map_table.html",
        data=data,
        map_url=url_for("map.index", **params),
        csv_url=url_for("map.download", **params),
    )


@bp.get("/map.csv")
def download() -> Response:
    """The records and links of the view the same query string draws, as one CSV file."""
    data = map_of(state.current(), map_query())
    return Response(
        view_csv(data),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="govmap-map-view.csv"'},
    )


def _cell(value: object) -> str:
    """A cell a spreadsheet reads as text: a leading = + - @ would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def view_csv(data: MapData) -> str:
    """One row a record, then one row a link: ``row`` says which."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["row", "id", "name", "kind", "type", "status", "from", "relation", "to", "role"])
    for r in data.records:  # a collapsed view's groups have no type or status
        w.writerow(
            [_cell(v) for v in ("record", r["id"], r["name"], r["kind"], r.get("subtype"), r.get("status"))]
        )
    names = {r["id"]: r["name"] for r in data.records}
    for e in data.edges:
        w.writerow(
            [
                _cell(v)
                for v in (
                    "link",
                    "",
                    "",
                    "",
                    "",
                    e.get("status"),
                    names.get(e["from"], e["from"]),
                    e.get("words") or e.get("title"),
                    names.get(e["to"], e["to"]),
                    e.get("role"),
                )
            ]
        )
    return out.getvalue()


@bp.get("/map.html")
def download_html() -> Response:
    """The view the same query string draws, as one HTML file that works offline (pyvis)."""
    from govmap.webviz.map.standalone import render_map

    snap = state.current()
    html = render_map(snap.register, map_of(snap, map_query()))
    return Response(
        html,
        mimetype="text/html",
        headers={"Content-Disposition": 'attachment; filename="govmap-map.html"'},
    )
