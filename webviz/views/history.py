"""The audit log: who changed what and when, with the diff of each change."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from govmap.webviz import state
from govmap.webviz.security import show_editor_names

bp = Blueprint("history", __name__)


_BY = re.compile(r"^(\s*(?:- )?)by:(\s|$)")


def diff_rows(diff: str, hide_names: bool = False) -> list[tuple[str, str]]:
    """Unified diff lines with a CSS class each: add, del, hunk or meta.

    ``hide_names``: a decisions file's ``by:`` values (who decided) become ``(hidden)``,
    with the lines a long name was folded onto (indented deeper than its key) left out."""
    rows = []
    lines = diff.split("\n")  # not splitlines: U+2028 and friends are text here
    folded_under: int | None = None  # the column of a hidden by: key whose value may go on
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
        if hide_names and cls in ("add", "del", "ctx"):
            body = line[1:]
            indent = len(body) - len(body.lstrip(" "))
            if folded_under is not None and body.strip() and indent > folded_under:
                continue
            folded_under = None
            m = _BY.match(body)
            if m:
                folded_under = len(m.group(1))
                line = f"{line[:1]}{m.group(1)}by: (hidden)"
        else:
            folded_under = None
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
