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

from .edit_values import Edit
from .edits import Applied

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
    a, b = _lines(old), _lines(new)
    n = min(len(a), len(b))
    head = 0
    while head < n and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < n - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    start = max(0, head - context)
    keep_tail = max(0, tail - context)
    hunks = difflib.unified_diff(
        a[start : len(a) - keep_tail], b[start : len(b) - keep_tail], fromfile, tofile, n=context
    )

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


def append_audit(path: str | os.PathLike[str], entry: AuditEntry) -> None:
    """Append one entry to a JSON-lines audit log, and make it durable."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(entry.to_json() + "\n")
        f.flush()
        os.fsync(f.fileno())


def _lines(text: str) -> list[str]:
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
