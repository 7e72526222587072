"""The audit log: one JSON line per accepted change, who, when, before and after."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
from dataclasses import asdict, dataclass
from typing import Any

from .edits import Applied, Edit

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
    diff = "".join(
        difflib.unified_diff(
            old_text.splitlines(keepends=True),
            applied.text.splitlines(keepends=True),
            fromfile=f"a/{filename}",
            tofile=f"b/{filename}",
        )
    )
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


def append_audit(path: str | os.PathLike[str], entry: AuditEntry) -> None:
    """Append one entry to a JSON-lines audit log, and make it durable."""
    with open(path, "a", encoding="utf-8") as f:
        f.write(entry.to_json() + "\n")
        f.flush()
        os.fsync(f.fileno())
