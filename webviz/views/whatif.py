"""What if: an editor picks bodies to merge or retire and reads the effect; nothing is saved.

The scenario is built in memory by :func:`govmap.graph.review.whatif.what_if`,
as ``govmap whatif`` does.  The form is sent with GET: it changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from govmap.graph.analysis.findings import is_active
from govmap.graph.review.whatif import Merge, Retire, ScenarioRefused, what_if
from govmap.ingest.errors import RegisterInvalid
from govmap.webviz import state
from govmap.webviz.auth import editor_required

bp = Blueprint("whatif", __name__)


@bp.get("/whatif")
@editor_required
def index() -> Any:
    snap = state.current()
    merge = [i for i in request.args.getlist("merge") if i]
    retire = [i for i in request.args.getlist("retire") if i]
    into = request.args.get("into", "").strip()
    name = request.args.get("name", "").strip() or None
    steps: list[Any] = []
    error: str | None = None
    if merge:
        if len(merge) < 2 or not into:
            error = "Merge: tick at least two bodies and give the new body's id."
        else:
            steps.append(Merge(tuple(merge), into, name))
    steps += [Retire(x) for x in retire]
    result = None
    if steps and error is None:
        try:
            result = what_if(snap.register, steps, snap.today())
        except ScenarioRefused as exc:
            error = exc.message
        except RegisterInvalid as exc:
            error = "The scenario breaks a rule of the register: " + "; ".join(p.message for p in exc.errors)
    bodies = sorted((b for b in snap.register.bodies if is_active(b)), key=lambda b: b.name.casefold())
    page = render_template(
        "whatif.html",
        bodies=bodies,
        merge=merge,
        retire=retire,
        into=into,
        name=name or "",
        result=result,
        error=error,
    )
    return (page, 422) if error else page
