"""The findings, filtered, each linking to its subjects; downloads in every report format."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from govmap.webviz import analysis, state

bp = Blueprint("report", __name__)


@bp.get("/report")
def index() -> str:
    rep = state.current().report
    kind, severity = request.args.get("kind", ""), request.args.get("severity", "")
    return render_template(
        "report.html",
        report=rep,
        findings=rep.select(kind=kind or None, severity=severity or None),
        kind=kind,
        severity=severity,
        formats=analysis.FORMATS,
    )


@bp.get("/report/download.<fmt>")
def download(fmt: str) -> Response:
    text = state.current().report.download(fmt)
    return Response(
        text,
        mimetype=analysis.FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="govmap-report.{fmt}"'},
    )
