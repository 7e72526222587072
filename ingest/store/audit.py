"""The audit log: one JSON line per accepted change, who, when, before and after.

JSON Lines: records end with ``\n`` and only ``\n``.  Text in a record may
hold U+2028, U+0085 or a form feed (JSON does not escape them), which
``str.splitlines`` would take for line ends, so the log is split on ``\n`` alone.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import logging
import os
import re
from dataclasses import asdict, dataclass
from typing import Any

from govmap.ingest.store.edit_values import Edit
from govmap.ingest.store.edits import Applied

log = logging.getLogger(__name__)

# -- audit log -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who changed what, when, and the record before and after."""

    at: str
    user: str
    action: str
    summary: str
    record: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    version_before: str
    version_after: str
    #: Unified diff of the register text.
    diff: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> AuditEntry:
        data = json.loads(line)
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})


def action_of(edit: Edit) -> str:
    return type(edit).__name__.replace("Record", "-record").replace("Link", "-link").lower()


def audit_entry(
    edit: Edit,
    applied: Applied,
    old_text: str,
    user: str,
    versions: tuple[str, str],
    filename: str = "register",
) -> AuditEntry:
    diff = unified_diff(old_text, applied.text, f"a/{filename}", f"b/{filename}")
    return AuditEntry(
        at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        user=user,
        action=action_of(edit),
        summary=edit.describe(),
        record=edit.subject,
        before=applied.before,
        after=applied.after,
        version_before=versions[0],
        version_after=versions[1],
        diff=diff,
    )


_HUNK = re.compile(r"^@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@")


def unified_diff(old: str, new: str, fromfile: str, tofile: str, context: int = 3) -> str:
    r"""The unified diff of two texts, as :func:`difflib.unified_diff` writes it.

    An edit changes a few lines of a register that may have hundreds of
    thousands: difflib's matcher over the whole file took minutes on a national
    register, so the common head and tail are cut off first (keeping
    ``context`` lines) and the hunk headers shifted back to file line numbers.

    Examples
    --------
    >>> print(unified_diff("a\nb\nc\nd\ne\nf\n", "a\nb\nc\nD\ne\nf\n", "a/r", "b/r", context=1), end="")
    --- a/r
    +++ b/r
    @@ -3,3 +3,3 @@
     c
    -d
    +D
     e
    """
    a, b, start = _window(old, new, context)
    hunks = difflib.unified_diff(a, b, fromfile, tofile, n=context)

    def shifted(line: str) -> str:
        if not line.endswith("\n"):  # the last line of a file with no final newline, as GNU diff marks it
            return line + "\n\\ No newline at end of file\n"
        m = _HUNK.match(line)
        if not m or not start:
            return line
        old_at, old_n, new_at, new_n = m.groups()
        rest = line[m.end() :]
        return f"@@ -{int(old_at) + start}{old_n} +{int(new_at) + start}{new_n} @@{rest}"

    return "".join(shifted(line) for line in hunks)


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (slices compared in C, halving the range)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, bound: int) -> int:
    """Length of the longest common suffix, at most ``bound``."""
    lo, hi = 0, bound
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _line_count(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _window(old: str, new: str, context: int) -> tuple[list[str], list[str], int]:
    """The lines of each text that differ, with ``context`` lines around them, and the number of
    the first (0-based): the texts without the lines they share at the start and the end.

    The shared head and tail are measured on characters, so a one-line edit of a
    12 MB register costs a few scans of the text, not half a million strings.
    """
    p = _common_prefix(old, new)
    head = old.count("\n", 0, p)  # whole lines before the first difference
    n = min(_line_count(old), _line_count(new))
    q = _common_suffix(old, new, min(len(old), len(new)) - p)
    so, sn = len(old) - q, len(new) - q
    # Shared trailing lines start after a newline inside the shared suffix (the same in both
    # texts), or where the suffix starts if that is a line start in both.
    aligned = so < len(old) and (so == 0 or old[so - 1] == "\n") and (sn == 0 or new[sn - 1] == "\n")
    tail = (old.count("\n", so, len(old) - 1) if q else 0) + aligned
    start = max(0, head - context)
    if tail > n - head:  # the shared head and tail overlap (a repeated line): split it all
        a, b = text_lines(old), text_lines(new)
        keep = max(0, n - head - context)
        return a[start : len(a) - keep], b[start : len(b) - keep], start
    at = old.rfind("\n", 0, p) + 1  # the start of line ``head``, then back to line ``start``
    for _ in range(head - start):
        at = old.rfind("\n", 0, at - 1) + 1
    end = len(old)
    if tail:
        end = so if aligned else old.find("\n", so) + 1  # the first shared trailing line
        for _ in range(min(context, tail)):
            end = old.find("\n", end) + 1 or len(old)
    return text_lines(old[at:end]), text_lines(new[at : end + len(new) - len(old)]), start


def append_audit(path: str | os.PathLike[str], entry: AuditEntry) -> None:
    """Append one entry to a JSON-lines audit log, and make it durable."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(entry.to_json() + "\n")
        f.flush()
        os.fsync(f.fileno())


def text_lines(text: str) -> list[str]:
    """Lines ending in ``\n`` (kept), and nothing else: not U+2028, U+0085, form feed..."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    return out + [lines[-1]] if lines[-1] else out


def read_audit(path: str | os.PathLike[str], limit: int | None = None) -> list[AuditEntry]:
    """Entries of a JSON-lines audit log, newest first (at most ``limit``)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return []
    entries: list[AuditEntry] = []
    for n, line in enumerate(reversed(lines)):
        if limit is not None and len(entries) >= limit:
            break
        if not line.strip():
            continue
        try:
            entries.append(AuditEntry.from_json(line))
        except (ValueError, TypeError) as exc:
            log.warning("%s:%d: unreadable audit entry skipped: %s", path, len(lines) - n, exc)
    return entries
