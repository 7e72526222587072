"""Paths: between two records, and from a theme up to the body that answers for it."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from govmap.webviz import analysis, state
from govmap.webviz.mapdata import MapQuery

from . import map_of

bp = Blueprint("paths", __name__)


def find_paths(snap: state.Snapshot, a: str, b: str, theme: str) -> analysis.PathView | None:
    if theme:
        return analysis.accountability(snap.register, theme)
    if a and b:
        return analysis.path_between(snap.register, a, b)
    return None


@bp.get("/paths")
def index() -> str:
    snap = state.current()
    a, b, theme = (request.args.get(k, "").strip() for k in ("from", "to", "theme"))
    found = find_paths(snap, a, b, theme)
    data = None
    if found and found.steps:
        data = map_of(
            snap, MapQuery(highlight=tuple(found.ids), focus=found.ids[0], hops=min(len(found.ids), 5))
        )
    return render_template(
        "paths.html",
        found=found,
        a=a,
        b=b,
        theme=theme,
        data=data,
        records=list(snap.register.records()),
        themes=snap.register.themes,
    )
