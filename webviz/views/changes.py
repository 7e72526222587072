"""Changes: the live register compared with a git revision, a date, an audit-log entry or its file.

Any store: a YAML register is compared with its own file's history; a register
kept in Neo4j with the register file the team keeps beside it (and its git
history), and with itself before any audited change (:mod:`govmap.graph.review.stores`).

The same comparison as ``govmap diff`` (:mod:`govmap.graph.review.diff`):
records added, removed, changed and renamed, and findings new, resolved and
still open.  Git is read with ``git show``; nothing is checked out or saved.

What a comparison cannot read is a 400 about *that* version (the live register is
fine): editors see git's own message and the earlier file's problems; anyone else
a sentence that names no server path.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata

from flask import Blueprint, g, render_template, request

from govmap.graph.review.diff import RegisterDiff, diff_registers
from govmap.graph.review.sources import (
    RevisionUnreadable,
    Side,
    git_text,
    rev_at,
    side_of_text,
)
from govmap.graph.review.stores import is_file, live_side, register_file, side_before
from govmap.ingest.errors import GovmapError, RegisterError, RegisterInvalid
from govmap.ingest.reading.load import read_text
from govmap.ingest.store.yamlstore import Store
from govmap.webviz import state
from govmap.webviz.map.query import shown
from govmap.webviz.security import show_editor_names

bp = Blueprint("changes", __name__)

#: The longest git revision name accepted (a full SHA-256 commit id is 64 characters).
MAX_REVISION = 200

_STRANGER_HINT = "check it, or ask an editor: they see git's own message"


class BadComparison(GovmapError):
    status = 400

    def __init__(self, message: str, hint: str | None = None, problems: list[str] | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems or []


def _is_editor() -> bool:
    user = g.get("user")
    return bool(user is not None and user.is_editor)


def _revision(rev: str) -> str:
    """``rev`` if it can be a git revision name, else :class:`BadComparison` (echoing nothing)."""
    if (
        len(rev) > MAX_REVISION
        or rev.startswith("-")
        or any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in rev)
    ):
        raise BadComparison(
            "Git revision: that is not a revision name (at most 200 characters, "
            "no spaces or control characters, not starting with '-')",
            hint="give a commit, branch or tag, such as HEAD~1",
        )
    return rev


def _unreadable(exc: RevisionUnreadable, public: str) -> BadComparison:
    """Git's own words for an editor; ``public`` (no server path) for anyone else."""
    if _is_editor():
        return BadComparison(exc.message, exc.hint)
    return BadComparison(public, _STRANGER_HINT)


def _broken(exc: RegisterInvalid | RegisterError, what: str) -> BadComparison:
    """An earlier version that does not read: a 400 about it (the live register is fine)."""
    errors = exc.errors if isinstance(exc, RegisterInvalid) else [exc.problem]
    n = len(errors)
    return BadComparison(
        f"The register {what} cannot be read: {n} error{'s' if n != 1 else ''}",
        hint="compare with another version",
        problems=[p.format() for p in errors] if _is_editor() else [],
    )


def _earlier(path: str, rev: str, label: str, what: str, public: str) -> Side:
    """The register at ``rev``, read from git: every failure a :class:`BadComparison`."""
    try:
        return side_of_text(git_text(path, rev, label=label), label, path, rev)
    except RevisionUnreadable as exc:
        raise _unreadable(exc, public) from None
    except (RegisterInvalid, RegisterError) as exc:
        raise _broken(exc, what) from None


def _audit_index(audit: str, count: int) -> int:
    if audit.isascii() and audit.isdigit() and len(audit) <= 6 and int(audit) < count:
        return int(audit)
    raise BadComparison(f"Audit entry: no entry '{shown(audit)}'", hint="pick one from the list")


def _compare(store: Store, rev: str, day: str, audit: str, file: str) -> RegisterDiff:
    now = live_side(store)
    found_file = register_file(store)
    if found_file is None and not (rev or day or file):
        return _compare_audit(store, now, audit)
    if found_file is None:
        raise BadComparison(
            "There is no register file to compare with: the register is kept in a database",
            hint="start the server with the register file the team keeps in git: govmap serve --neo4j URI FILE",
        )
    path, name = found_file, os.path.basename(found_file)
    if file:
        try:
            before = side_of_text(read_text(path), f"{name} (the file)", path)
        except (RegisterInvalid, RegisterError) as exc:
            raise _broken(exc, "file") from None
    elif rev:
        rev = _revision(rev)
        public = f"Git revision: '{rev}' cannot be read from the register's history"
        before = _earlier(path, rev, f"{name} at {rev}", f"at {rev}", public)
    elif day:
        try:
            when = dt.date.fromisoformat(day) if day.isascii() and len(day) <= 10 else None
        except ValueError:
            when = None
        if when is None:
            raise BadComparison(f"Date: '{shown(day)}' is not a date", hint="write YYYY-MM-DD")
        public = f"Date: no version of the register committed on or before {when.isoformat()} can be read"
        try:
            found = rev_at(path, when)
        except RevisionUnreadable as exc:
            raise _unreadable(exc, public) from None
        on = when.isoformat()
        before = _earlier(path, found, f"{name} on {on}", f"on {on}", public)
    else:
        return _compare_audit(store, now, audit)
    return diff_registers(before, now, state.current().today())


def _compare_audit(store: Store, now: Side, audit: str) -> RegisterDiff:
    """The register now against the register before the audit entry numbered ``audit``."""
    entries = store.history()
    index = _audit_index(audit, len(entries))
    try:
        before, _ = side_before(store, now, entries, index)
    except RevisionUnreadable as exc:
        raise BadComparison(exc.message, exc.hint) from None  # names no path: said to anyone
    except (RegisterInvalid, RegisterError) as exc:
        raise _broken(exc, "before that edit") from None
    return diff_registers(before, now, state.current().today())


@bp.get("/changes")
def index() -> tuple[str, int]:
    store = state.store()
    rev = request.args.get("rev", "").strip()
    day = request.args.get("date", "").strip()
    audit = request.args.get("audit", "").strip()
    file = request.args.get("file", "").strip()
    entries = store.history(limit=50)
    result, error = None, None
    if rev or day or audit or file:
        try:
            result = _compare(store, rev, day, audit, file)
        except BadComparison as exc:
            error = exc
    return render_template(
        "changes.html",
        available=True,
        entries=entries,
        result=result,
        error=error,
        rev=rev if error is None or len(rev) <= MAX_REVISION else "",
        day=day[:10],
        audit=audit[:6],
        show_names=show_editor_names(),
        file=file[:1],
        file_name=os.path.basename(register_file(store) or ""),
        store_is_file=is_file(store),
    ), (400 if error else 200)
