"""Decisions on findings from the web: a form on each finding of the report (editors only).

The decision is written to ``boards.decisions.yaml`` beside the register
(atomically) and appended to the register's audit log, so the History page
shows who decided what.  Decisions live beside a YAML register; with another
store (Neo4j) the form says so and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, url_for

from govmap.graph.review.decisions import Reviewed, apply_decisions, decide
from govmap.ingest.store.audit import AuditEntry, append_audit
from govmap.ingest.store.decisions import (
    DecisionRefused,
    DecisionStatus,
    decisions_path,
    load_decisions,
    record_decision,
    typed,
)
from govmap.ingest.store.files import version_of
from govmap.ingest.store.yamlstore import YamlStore
from govmap.webviz import state
from govmap.webviz.auth import editor_required
from govmap.webviz.security import show_editor_names

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

STATUSES = [s.value for s in DecisionStatus]


def decisions_file() -> str | None:
    """The decisions file of the served register, or None when the store is not a YAML file."""
    store = state.store()
    return str(decisions_path(store.path)) if isinstance(store, YamlStore) else None


def reviewed() -> Reviewed | None:
    """The current report's findings split by the decisions (once per request)."""
    if "govmap_reviewed" not in g:
        path = decisions_file()
        rep = state.current().report
        if path is None:
            g.govmap_reviewed = None
        else:
            as_of = rep.report.parameters.get("as_of")
            day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
            g.govmap_reviewed = apply_decisions(rep.findings, load_decisions(path), day, rep.report.renames)
    result: Reviewed | None = g.govmap_reviewed
    return result


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "decision_statuses": STATUSES,
        "review_decisions": reviewed,
        "decisions_enabled": decisions_file,
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
    path = decisions_file()
    if path is None:
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
    earlier = next((d for d in load_decisions(path) if d.finding == finding_id), None)
    before, after = record_decision(path, decision)
    _audit(
        path,
        finding_id,
        finding.subjects[0].id if finding.subjects else finding_id,
        earlier,
        decision,
        before,
        after,
    )
    flash(f"Decision recorded: {status} on '{finding.title}'.")
    return redirect(url_for("report.index") + f"#f-{finding_id}")


def _audit(
    path: str, finding_id: str, record_id: str, earlier: Any, decision: Any, before: str, after: str
) -> None:
    store = state.store()
    assert isinstance(store, YamlStore)
    name = os.path.basename(path)
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    )
    append_audit(
        store.audit_path,
        AuditEntry(
            at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            user=g.user.name,
            action="decide",
            summary=f"decided {decision.status.value} on finding {finding_id}",
            record=record_id,
            before=earlier.model_dump(mode="json", exclude_none=True) if earlier else None,
            after=decision.model_dump(mode="json", exclude_none=True),
            version_before=version_of(before.encode("utf-8")),
            version_after=version_of(after.encode("utf-8")),
            diff=diff,
        ),
    )
