"""The landscape map: filters, search, focus, highlight."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from govmap.webviz import state
from govmap.webviz.mapdata import COLLAPSE, KIND_STYLE, SIZES, MapTooBig

from . import map_of, map_query

bp = Blueprint("map", __name__)


@bp.get("/")
def index() -> tuple[str, int]:
    snap = state.current()
    q = map_query()
    try:
        data, problem = map_of(snap, q), None
    except MapTooBig as exc:
        data, problem = None, exc
    return render_template(
        "map.html",
        q=q,
        data=data,
        problem=problem,
        kinds=[k for k in KIND_STYLE if k != "group"],
        kind_style=KIND_STYLE,
        themes=snap.register.themes,
        areas=snap.register.areas,
        sizes=SIZES,
        collapses=COLLAPSE,
        args=request.args,
    ), (problem.status if problem else 200)
