"""What if: an editor picks bodies to merge or retire and reads the effect; nothing is saved.

The scenario is built in memory by :func:`govmap.graph.review.whatif.what_if`,
as ``govmap whatif`` does.  The form is sent with GET: it changes nothing.  The page opens
with the result, in names; a merged body's name is asked for (never made up from the
names merged), and its id is made from that name unless one is given.
"""

from __future__ import annotations

import re
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


def id_from(name: str, taken: Any) -> str:
    """An id made from a name, not yet ``taken`` (``in``): ``Fylde Coast CSP`` -> ``fylde-coast-csp``.

    >>> id_from("Fylde Coast CSP", {"fylde-coast-csp"})
    'fylde-coast-csp-2'
    """
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-") or "merged-body"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _merge(snap: Any, merge: list[str], into: str, name: str | None) -> Merge:
    """The merge the form asks for, or :class:`TextRefused` / :class:`ScenarioRefused` saying what to do."""
    if len(merge) < 2:
        raise ScenarioRefused("Tick at least two bodies to merge")
    given = clean_id(into, "New body's id") if into else None
    new_name = _name(name)
    if new_name is None and given not in merge:
        raise ScenarioRefused("Enter the merged body's name")
    return Merge(tuple(merge), given or id_from(new_name or "", snap.register.index), new_name)


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
        try:
            steps.append(_merge(snap, merge, into, name))
        except (TextRefused, ScenarioRefused) as exc:
            error = exc.message + (f" ({exc.hint})" if exc.hint else "")
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
