"""The JSON API (documented in docs/web.md): entities, one entity, the graph, findings, paths."""

from __future__ import annotations

import gzip
import hashlib

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from govmap.graph.entity import entity_view
from govmap.ingest.errors import GovmapError
from govmap.webviz import state
from govmap.webviz.search import search

from . import map_of, map_query
from .paths import find_paths

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/")
def index() -> ResponseReturnValue:
    snap = state.current()
    return jsonify(
        {
            "register": snap.register.info.model_dump(mode="json", by_alias=True),
            "version": snap.version,
            "endpoints": [url_for(f"api.{name}") for name in ("entities", "graph", "findings", "paths")],
        }
    )


@bp.get("/entities")
def entities() -> ResponseReturnValue:
    snap = state.current()
    rows = search(
        snap.register,
        request.args.get("q", ""),
        request.args.get("kind", ""),
        limit=100_000,
        index=snap.search_index,
    )
    return jsonify({"version": snap.version, "entities": [r.__dict__ for r in rows]})


@bp.get("/entity/<entity_id>")
def entity(entity_id: str) -> ResponseReturnValue:
    snap = state.current()
    view = entity_view(snap.register, entity_id, snap.relations)
    return jsonify(
        {
            "version": snap.version,
            **view.to_json(),
            "findings": [f.id for f in snap.report.select(subject=entity_id)],
        }
    )


@bp.get("/graph")
def graph() -> ResponseReturnValue:
    """The view's JSON, serialised and gzipped once per version and query, then served as bytes."""
    snap = state.current()
    q = map_query()

    def encode() -> tuple[bytes, bytes, str]:
        text = current_app.json.dumps({"version": snap.version, **map_of(snap, q).to_json()})
        raw = text.encode("utf-8")
        return raw, gzip.compress(raw, compresslevel=6), hashlib.sha256(raw).hexdigest()[:32]

    raw, packed, tag = snap.memo(("api-graph", q, snap.has_global_layout), encode)
    zipped = "gzip" in request.accept_encodings
    response = Response(packed if zipped else raw, mimetype="application/json")
    if zipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(tag + ("-gz" if zipped else ""))
    return response.make_conditional(request)


@bp.get("/findings")
def findings() -> ResponseReturnValue:
    snap = state.current()
    rep = snap.report
    selected = rep.select(
        kind=request.args.get("kind") or None,
        severity=request.args.get("severity") or None,
        subject=request.args.get("subject") or None,
    )
    return jsonify({"version": snap.version, "findings": [f.to_json() for f in selected]})


@bp.get("/paths")
def paths() -> ResponseReturnValue:
    snap = state.current()
    a, b, theme = (request.args.get(k, "").strip() for k in ("from", "to", "theme"))
    found = find_paths(snap, a, b, theme)
    if found is None:
        raise GovmapError("give from= and to= (two ids), or theme= (a theme id)")
    return jsonify(
        {
            "version": snap.version,
            "title": found.title,
            "note": found.note,
            "steps": [s.__dict__ for s in found.steps],
        }
    )
