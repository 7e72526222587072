"""The audit log: who changed what and when, with the diff of each change."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from govmap.webviz import state

bp = Blueprint("history", __name__)


def diff_rows(diff: str) -> list[tuple[str, str]]:
    """Unified diff lines with a CSS class each: add, del, hunk or meta."""
    rows = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            cls = "meta"
        elif line.startswith("@@"):
            cls = "hunk"
        elif line.startswith("+"):
            cls = "add"
        elif line.startswith("-"):
            cls = "del"
        else:
            cls = "ctx"
        rows.append((cls, line))
    return rows


@bp.get("/history")
def index() -> str:
    record = request.args.get("record", "")
    entries = state.store().history(limit=None if record else 200)
    if record:
        entries = [e for e in entries if e.record == record]
    return render_template("history.html", entries=entries, record=record, diff_rows=diff_rows)
