"""Blueprints, one per concern: each view parses the request, calls the library, renders."""

from __future__ import annotations

from flask import current_app, request, url_for

from govmap.webviz import state
from govmap.webviz.map.data import map_data
from govmap.webviz.map.query import MapQuery
from govmap.webviz.map.view import MapData


def map_query() -> MapQuery:
    """The map filters of this request; ``finding=`` highlights that finding's subjects."""
    q = MapQuery.from_args(request.args, request.args.getlist)
    finding = request.args.get("finding")
    if finding:
        f = state.current().report.get(finding)
        q = MapQuery(**{**q.__dict__, "highlight": (*q.highlight, *(s.id for s in f.subjects))})
    return q


def map_of(snap: state.Snapshot, q: MapQuery) -> MapData:
    """The view's map data, built once per register version and query (and whether the
    whole layout was ready: once it is, views are built again from it)."""
    return snap.memo(
        ("map", q, snap.has_global_layout),
        lambda: map_data(
            snap.register,
            snap.graph,
            q,
            url_for_entity=lambda i: url_for("entities.entity", entity_id=i),
            positions_of=snap.positions_of,
            measure_of=snap.measure,
            max_nodes=current_app.config["GOVMAP_MAX_NODES"],
            physics_limit=current_app.config["GOVMAP_PHYSICS_LIMIT"],
        ),
    )
