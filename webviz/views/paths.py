"""Paths: between two records, and from a theme up to the body that answers for it."""

from __future__ import annotations

import networkx as nx
from flask import Blueprint, render_template, request

from govmap.webviz import analysis, state
from govmap.webviz.map.query import MapQuery
from govmap.webviz.map.style import RELATION_WORDS

from . import map_of

bp = Blueprint("paths", __name__)


def find_paths(snap: state.Snapshot, a: str, b: str, theme: str) -> analysis.PathView | None:
    if theme:
        return analysis.accountability(snap.register, theme)
    if a and b:
        return analysis.path_between(snap.register, a, b)
    return None


def step_words(g: nx.MultiDiGraph, ids: list[str]) -> list[str | None]:
    """How each step links to the one before, in words read from the step before:
    ("is a member of", "reports to", "is reported to by"); None for the first step."""
    out: list[str | None] = [None]
    for x, y in zip(ids, ids[1:], strict=False):
        words = None
        for u, v in ((x, y), (y, x)):
            for attrs in (g.get_edge_data(u, v) or {}).values():
                pair = RELATION_WORDS.get(attrs["type"])
                if pair:
                    words = pair[0] if u == x else pair[1]
                    break
            if words:
                break
        out.append(words or "is linked to")
    return out


@bp.get("/paths")
def index() -> str:
    snap = state.current()
    a, b, theme = (request.args.get(k, "").strip() for k in ("from", "to", "theme"))
    found = find_paths(snap, a, b, theme)
    data, words = None, []
    if found and found.steps:
        ids = [i for i in found.ids if i in snap.graph]
        words = step_words(snap.graph, found.ids)
        if ids:
            data = map_of(snap, MapQuery(path=tuple(ids)))
            data.title = found.title
    return render_template(
        "paths.html",
        found=found,
        words=words,
        a=a,
        b=b,
        theme=theme,
        data=data,
        records=list(snap.register.records()),
        themes=snap.register.themes,
    )
