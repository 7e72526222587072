"""The audit log: who changed what and when, with the diff of each change."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from govmap.webviz import state
from govmap.webviz.security import show_editor_names

bp = Blueprint("history", __name__)


def diff_rows(diff: str) -> list[tuple[str, str]]:
    """Unified diff lines with a CSS class each: add, del, hunk or meta."""
    rows = []
    lines = diff.split("\n")  # not splitlines: U+2028 and friends are text here
    for line in lines[:-1] if lines[-1] == "" else lines:
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
    rec = state.current().register.get(record) if record else None
    return render_template(
        "history.html",
        entries=entries,
        record=record,
        record_name=rec.name if rec is not None else record,
        diff_rows=diff_rows,
        show_names=show_editor_names(),
    )
