"""The list of records, and one record's page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from govmap.graph.entity import entity_view
from govmap.webviz import analysis, state
from govmap.webviz.map.query import MapQuery
from govmap.webviz.search import search

from . import map_of

bp = Blueprint("entities", __name__)


@bp.get("/entities")
def index() -> str:
    snap = state.current()
    text = request.args.get("q", "")
    kind = request.args.get("kind", "")
    return render_template(
        "entities.html",
        rows=search(snap.register, text, kind, index=snap.search_index),
        text=text,
        kind=kind,
    )


@bp.get("/entity/<entity_id>")
def entity(entity_id: str) -> str:
    snap = state.current()
    view = entity_view(snap.register, entity_id, snap.relations)
    register = snap.register
    # While a large register's report is prepared, the record, its links and its map do not
    # wait for the findings: the page says they are coming instead.
    pending = None
    try:
        findings = snap.report.select(subject=entity_id)
    except state.BeingPrepared as exc:
        findings = []
        pending = f"{exc.message} Refresh this page in a few seconds to see this record's findings."
    return render_template(
        "entity.html",
        view=view,
        rec=view.record,
        register=register,
        chain=analysis.names(register, analysis.chain_up(register, entity_id)[1:]),
        below=analysis.descendants(register, entity_id),
        findings=findings,
        pending=pending,
        data=map_of(snap, MapQuery(focus=entity_id, hops=1)) if entity_id in snap.graph else None,
    )
