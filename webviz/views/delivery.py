"""Who delivers what: the delivery matrix on a page of its own, printable as one page."""

from __future__ import annotations

from flask import Blueprint, render_template

from govmap.graph.report.html import GRID_MAX_COLUMNS, PRINT_GRID_MAX_COLUMNS, grid_cell, row_names
from govmap.webviz import state
from govmap.webviz.views.report import printed

bp = Blueprint("delivery", __name__)


@bp.get("/delivery")
def index() -> str:
    view = state.current().report
    delivery = view.report.delivery
    columns = delivery.holders if delivery is not None else []
    return render_template(
        "delivery.html",
        view=view,
        delivery=delivery,
        columns=columns if len(columns) <= GRID_MAX_COLUMNS else [],
        #: a grid too wide for a landscape page at 9 pt prints as the list instead
        print_list=len(columns) > PRINT_GRID_MAX_COLUMNS,
        printed=printed(view),
        cell=grid_cell,
        names=row_names,
        umbrella_names={d.id: d.name for r in delivery.rows for d in r.deliverers} if delivery else {},
    )
