"""Changes: the live register compared with a git revision, a date, or an audit-log entry.

The same comparison as ``govmap diff`` (:mod:`govmap.graph.review.diff`):
records added, removed, changed and renamed, and findings new, resolved and
still open.  Git is read with ``git show``; nothing is checked out or saved.
"""

from __future__ import annotations

import datetime as dt
import os

from flask import Blueprint, render_template, request

from govmap.graph.review.diff import RegisterDiff, diff_registers
from govmap.graph.review.sources import (
    RevisionUnreadable,
    git_text,
    rev_at,
    side_of_text,
    text_before,
)
from govmap.ingest.errors import GovmapError
from govmap.ingest.reading.load import read_text
from govmap.ingest.store.yamlstore import YamlStore
from govmap.webviz import state

bp = Blueprint("changes", __name__)


class BadComparison(GovmapError):
    status = 400


def _compare(store: YamlStore, rev: str, day: str, audit: str) -> RegisterDiff:
    path = store.path
    now_text = read_text(path)
    name = os.path.basename(path)
    now = side_of_text(now_text, f"{name} (now)", path)
    if rev:
        before = side_of_text(git_text(path, rev), f"{name} at {rev}", path, rev)
    elif day:
        try:
            when = dt.date.fromisoformat(day)
        except ValueError:
            raise BadComparison(f"Date: '{day}' is not a date", hint="write YYYY-MM-DD") from None
        found = rev_at(path, when)
        before = side_of_text(git_text(path, found), f"{name} on {when.isoformat()}", path, found)
    else:
        entries = store.history()
        try:
            index = int(audit)
            entry = entries[index]
        except (ValueError, IndexError):
            raise BadComparison(f"Audit entry: no entry '{audit}'", hint="pick one from the list") from None
        text = text_before(now_text, now.sha256, entries, index)
        before = side_of_text(text, f"{name} before '{entry.summary}' ({entry.at})", path)
    return diff_registers(before, now, state.current().today())


@bp.get("/changes")
def index() -> tuple[str, int]:
    store = state.store()
    rev = request.args.get("rev", "").strip()
    day = request.args.get("date", "").strip()
    audit = request.args.get("audit", "").strip()
    if not isinstance(store, YamlStore):
        return render_template("changes.html", available=False, entries=[], result=None, error=None), 200
    entries = store.history(limit=50)
    result, error = None, None
    if rev or day or audit:
        try:
            result = _compare(store, rev, day, audit)
        except (RevisionUnreadable, BadComparison) as exc:
            error = exc
    return render_template(
        "changes.html",
        available=True,
        entries=entries,
        result=result,
        error=error,
        rev=rev,
        day=day,
        audit=audit,
    ), (400 if error else 200)
