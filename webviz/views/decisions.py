"""Decisions on findings from the web: a form on each finding of the report (editors only).

The decision is kept by the store's ``decisions``
(:class:`~govmap.ingest.store.decision_store.DecisionStore`): beside a YAML
register in ``boards.decisions.yaml``, or in the Neo4j database, and audited
with the register, so the History page shows who decided what.  A store that
keeps no decisions shows no form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from govmap.graph.review.decisions import Reviewed, apply_decisions, decide
from govmap.ingest.store.decision_store import DecisionStore
from govmap.ingest.store.decisions import DecisionRefused, DecisionStatus, typed
from govmap.webviz import state
from govmap.webviz.auth import editor_required
from govmap.webviz.security import show_editor_names

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

STATUSES = [s.value for s in DecisionStatus]


def decision_store() -> DecisionStore | None:
    """Where the served register's decisions are kept, or None if its store keeps none."""
    found = getattr(state.store(), "decisions", None)
    return found if isinstance(found, DecisionStore) else None


def reviewed() -> Reviewed | None:
    """The current report's findings split by the decisions (once per request)."""
    if "govmap_reviewed" not in g:
        decisions = decision_store()
        rep = state.current().report
        if decisions is None:
            g.govmap_reviewed = None
        else:
            as_of = rep.report.parameters.get("as_of")
            day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
            g.govmap_reviewed = apply_decisions(rep.findings, decisions.load(), day, rep.report.renames)
    result: Reviewed | None = g.govmap_reviewed
    return result


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "decision_statuses": STATUSES,
        "review_decisions": reviewed,
        "decisions_enabled": decision_store,
        "show_editor_names": show_editor_names,
    }


def _date(name: str, label: str) -> dt.date | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DecisionRefused(f"{label}: '{raw}' is not a date", hint="write YYYY-MM-DD") from None


@bp.post("/<finding_id>")
@editor_required
def record(finding_id: str) -> Any:
    decisions = decision_store()
    if decisions is None:
        abort(404)
    finding = state.current().report.get(finding_id)
    status = request.form.get("status", "")
    if status not in STATUSES:
        raise DecisionRefused(f"Status: choose one of {', '.join(STATUSES)}")
    reason = typed("reason", request.form.get("reason", ""))
    if not reason:
        raise DecisionRefused("Reason: say why, for the next reviewer")
    owner = typed("owner", request.form.get("owner", ""))
    review_by, due = _date("review_by", "Review by"), _date("due", "Due")
    as_of = state.current().report.report.parameters.get("as_of")
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    decision = decide(finding, status, reason, g.user.name, day, review_by, owner, due)
    decisions.record(decision, g.user.name, finding.subjects[0].id if finding.subjects else finding_id)
    flash(f"Decision recorded: {status} on '{finding.title}'.")
    return redirect(url_for("report.index") + f"#f-{finding_id}")
