"""A register to compare: read from a file, or from a git revision of one, without a checkout.

``govmap diff`` takes its two sides from here: a path that exists is a file;
``REV:PATH`` is that file at a revision; anything else is a revision of the
other side's file (``govmap diff main~5 data/boards.yaml``).  A date
(``--rev 2025-04-01``) means the last commit of the file on or before that day.
Git is run with ``git show``; the working tree is never touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from govmap.ingest.errors import GovmapError, RegisterInvalid
from govmap.ingest.model import Register
from govmap.ingest.reading.load import check_text, read_text
from govmap.ingest.reading.yamlsafe import decode
from govmap.ingest.store.audit import AuditEntry


class RevisionUnreadable(GovmapError):
    """A git revision of the register cannot be read (no repository, no such revision or file)."""

    exit_status = 2
    status = 404


@dataclass(frozen=True)
class Side:
    """One side of a comparison: where it came from, its text's SHA-256 and the register."""

    label: str
    file: str
    rev: str | None
    sha256: str
    register: Register

    def to_json(self) -> dict[str, str | None]:
        return {"label": self.label, "file": self.file, "rev": self.rev, "sha256": self.sha256}


def _checked(text: str, label: str) -> Register:
    checked = check_text(text, label)
    if checked.register is not None and next(checked.register.records(), None) is None:
        # A side with no records is a wrong path or a truncated file, not "every record
        # removed".  (A register written before the 'govmap: 1' header was required still
        # compares, so last year's file can be read.)
        checked = check_text(text, label, whole_file=True)
    if checked.register is None:
        raise RegisterInvalid(checked.problems)
    return checked.register


def side_of_text(text: str, label: str, file: str, rev: str | None = None) -> Side:
    """A side from register text already read (the web's live register, an audit entry)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Side(label, file, rev, digest, _checked(text, label))


def _git(folder: str, *args: str) -> bytes:
    try:
        out = subprocess.run(["git", "-C", folder, *args], capture_output=True, timeout=60, check=False)
    except FileNotFoundError:
        raise RevisionUnreadable("git is not installed", hint="install git, or compare two files") from None
    if out.returncode != 0:
        message = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionUnreadable(
            f"git {args[0]} failed in {folder}: {message[-1] if message else 'no output'}",
            hint="check the revision and that the register is in a git repository",
        )
    return out.stdout


def git_text(path: str | os.PathLike[str], rev: str, label: str | None = None) -> str:
    """The text of ``path`` at revision ``rev`` (``git show REV:./file``), checked out nowhere;
    ``label`` names it in a decoding error (default ``REV:PATH``)."""
    p = Path(path)
    folder = str(p.parent.resolve()) if p.parent.exists() else str(p.parent)
    if rev.startswith("-"):
        raise RevisionUnreadable(f"'{rev}' is not a revision", hint="give a commit, branch, tag or date")
    raw = _git(folder, "show", f"{rev}:./{p.name}")
    return decode(raw, label or f"{rev}:{p}")


def rev_at(path: str | os.PathLike[str], day: dt.date) -> str:
    """The last commit that touched ``path`` on or before ``day`` (end of that day)."""
    p = Path(path)
    folder = str(p.parent.resolve())
    since = f"--before={day.isoformat()} 23:59:59"
    found = _git(folder, "rev-list", "-1", since, "HEAD", "--", p.name).decode("ascii").strip()
    if not found:
        raise RevisionUnreadable(
            f"no commit of {p} on or before {day.isoformat()}",
            hint="pick a later date, or give a revision",
        )
    return found


def read_side(spec: str, other: str | None = None, day: dt.date | None = None) -> Side:
    """A side named on the command line.

    Parameters
    ----------
    spec : str
        A register file, ``REV:PATH``, or a revision of ``other``.
    other : str, optional
        The other side's file, for a bare revision.
    day : date, optional
        Read ``spec`` (a file) as it was committed on that day.
    """
    if day is not None:
        rev = rev_at(spec, day)
        return side_of_text(git_text(spec, rev), f"{spec}@{day.isoformat()}", spec, rev)
    if os.path.isfile(spec):
        return side_of_text(read_text(spec), spec, spec)
    if ":" in spec and os.path.isfile(spec.split(":", 1)[1]):
        rev, path = spec.split(":", 1)
        return side_of_text(git_text(path, rev), spec, path, rev)
    looks_like_a_file = spec.endswith((".yaml", ".yml")) or os.sep in spec
    if other is not None and os.path.isfile(other) and not looks_like_a_file:
        return side_of_text(git_text(other, spec), f"{spec}:{other}", other, spec)
    if looks_like_a_file:
        raise RevisionUnreadable(
            f"{spec}: no such file", hint="check the path, or give REV:PATH for a git revision"
        )
    raise RevisionUnreadable(
        f"{spec}: no such file, and no register file to read it as a revision of",
        hint="give two register files, a revision and a file, or --rev DATE and a file",
    )


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def unapply(text: str, diff: str) -> str:
    """The text before a unified ``diff`` was applied to give ``text`` (a reverse patch).

    >>> unapply("a\\nB\\nc\\n", "--- a/x\\n+++ b/x\\n@@ -1,3 +1,3 @@\\n a\\n-b\\n+B\\n c\\n")
    'a\\nb\\nc\\n'
    """
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    if not lines[-1]:
        lines.pop()
    hunks: list[tuple[int, list[str], list[str]]] = []
    current: tuple[int, list[str], list[str]] | None = None
    sides: tuple[list[str], ...] = ()  # the sides the previous diff line went to
    for line in diff.split("\n"):
        line += "\n"
        m = _HUNK.match(line)
        if m:
            current = (int(m.group(3)), [], [])
            hunks.append(current)
        elif current is not None and line[:1] in (" ", "-", "+"):
            body = line[1:]
            sides = tuple(s for s, keep in ((current[1], " -"), (current[2], " +")) if line[0] in keep)
            for side in sides:
                side.append(body)
        elif current is not None and line.startswith("\\"):
            for side in sides:  # "\ No newline at end of file": of the line just before
                if side and side[-1].endswith("\n"):
                    side[-1] = side[-1][:-1]
    for start, old, new in reversed(hunks):
        at = start - 1 if new else start
        if lines[at : at + len(new)] != new:
            raise RevisionUnreadable(
                "the audit log does not match the register text",
                hint="the file was changed outside govmap: compare with a git revision instead",
            )
        lines[at : at + len(new)] = old
    return "".join(lines)


def text_before(text: str, version: str, entries: Sequence[AuditEntry], index: int) -> str:
    """The register text just before audit entry ``entries[index]`` (entries newest first).

    ``text`` is the register now and ``version`` its SHA-256; every newer entry is
    undone in turn.  Entries that changed another file (decisions) are skipped.
    """
    if not entries:
        raise RevisionUnreadable("the audit log is empty", hint="compare with a git revision or a date")
    register_entries = [e for e in entries[: index + 1] if e.action != "decide"]
    if register_entries and register_entries[0].version_after != version:
        raise RevisionUnreadable(
            "the register was changed outside govmap after its last audited edit",
            hint="compare with a git revision or a date instead",
        )
    for entry in register_entries:
        text = unapply(text, entry.diff)
    return text
