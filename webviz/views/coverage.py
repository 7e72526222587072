"""Who covers each place: the coverage matrix on a page of its own, and as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from markupsafe import Markup

from govmap.graph.report.coverage_table import coverage_html
from govmap.webviz import state

bp = Blueprint("coverage", __name__)


def _link(entity_id: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url_for("entities.entity", entity_id=entity_id), text)


@bp.get("/coverage")
def index() -> str:
    view = state.current().report
    coverage = view.report.coverage
    return render_template(
        "coverage.html",
        view=view,
        coverage=coverage,
        table=coverage_html(coverage, _link) if coverage is not None else None,
    )


@bp.get("/coverage.csv")
def csv() -> Response:
    view = state.current().report
    coverage = view.report.coverage
    text = coverage.to_csv() if coverage is not None else ""
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="coverage.csv"'},
    )
