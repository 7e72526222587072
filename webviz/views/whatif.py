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
from govmap.ingest.model import NAME_MAX
from govmap.ingest.text import TextRefused, clean_id, clean_text
from govmap.webviz import state
from govmap.webviz.auth import editor_required

bp = Blueprint("whatif", __name__)


def _name(name: str | None) -> str | None:
    """The merged body's name as the register would hold it (:func:`clean_text`, at most 300)."""
    if name is None:
        return None
    text = clean_text(name, "New body's name")
    if len(text) > NAME_MAX:
        raise TextRefused(f"New body's name: {len(text):,} characters; at most {NAME_MAX}", hint="shorten it")
    return text or None


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
            try:
                new_id, new_name = clean_id(into, "New body's id"), _name(name)
            except TextRefused as exc:
                error = exc.message + (f" ({exc.hint})" if exc.hint else "")
            else:
                steps.append(Merge(tuple(merge), new_id, new_name))
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
