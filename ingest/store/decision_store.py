"""Where reviewers' decisions are kept: beside a register file, or in the store's database.

Every store has ``decisions``, a :class:`DecisionStore`:

- ``load()`` returns the decisions (:class:`~govmap.ingest.store.decisions.Decision`,
  one model for every store), validated;
- ``record(decision, user, record)`` adds it, or replaces the one on the same
  finding, and writes an audit entry (action ``decide``: the decision before and
  after, and the diff of the decisions as a file), or changes nothing and raises.

:class:`FileDecisions` keeps them in ``boards.decisions.yaml`` beside a YAML
register, audited in the register's audit log; the Neo4j store keeps them in
the database (:mod:`govmap.graph.neo4j.decisions`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from govmap.ingest.store.audit import AuditEntry, append_audit
from govmap.ingest.store.decisions import Decision, decisions_path, load_decisions, record_decision
from govmap.ingest.store.files import version_of


@runtime_checkable
class DecisionStore(Protocol):
    """What the report page and ``govmap decide`` need from wherever decisions are kept."""

    #: Shown to editors: a file path or a database address (no credentials).
    label: str

    def load(self) -> tuple[Decision, ...]: ...

    def record(self, decision: Decision, user: str, record: str) -> None: ...


def decision_audit(
    decision: Decision, earlier: Decision | None, user: str, record: str, texts: tuple[str, str], name: str
) -> AuditEntry:
    """The audit entry of a decision: before and after, and the diff of the decisions file ``name``."""
    before, after = texts
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        )
    )
    return AuditEntry(
        at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        user=user,
        action="decide",
        summary=f"decided {decision.status.value} on finding {decision.finding}",
        record=record,
        before=earlier.model_dump(mode="json", exclude_none=True) if earlier else None,
        after=decision.model_dump(mode="json", exclude_none=True),
        version_before=version_of(before.encode("utf-8")),
        version_after=version_of(after.encode("utf-8")),
        diff=diff,
    )


class FileDecisions:
    """Decisions in the file beside a register (``boards.yaml`` -> ``boards.decisions.yaml``).

    ``exclusive`` is the register store's write lock (a thread lock and an
    ``flock`` on its audit log), so two servers never lose each other's decision.
    """

    def __init__(
        self,
        register_path: str | os.PathLike[str],
        audit_path: str | os.PathLike[str],
        exclusive: Callable[[], AbstractContextManager[None]],
    ) -> None:
        self.path = str(decisions_path(register_path))
        self.label = self.path
        self.audit_path = os.fspath(audit_path)
        self._exclusive = exclusive

    def load(self) -> tuple[Decision, ...]:
        return load_decisions(self.path)

    def record(self, decision: Decision, user: str, record: str) -> None:
        with self._exclusive():
            earlier = next((d for d in load_decisions(self.path) if d.finding == decision.finding), None)
            texts = record_decision(self.path, decision)
            name = os.path.basename(self.path)
            append_audit(self.audit_path, decision_audit(decision, earlier, user, record, texts, name))
