"""What a sync changed: :class:`SyncSummary`, counted from a plan or, for a no-op, from the register.

Records are counted as ``govmap diff`` counts them: **added**, **changed**,
**renamed** (a removed id and an added one of the same kind whose names are
alike, :func:`govmap.graph.review.renames.find_renames`) and **removed**; a record
that names a renamed one is not changed by the rename alone.  Records that only
moved in the file are counted apart: their position is set, nothing rewritten.
A record moved only if it moved among the others (:mod:`.positions`): one
record inserted near the top moves none, one taken from the end to the top
moves one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from govmap.graph.neo4j.plan import Plan
from govmap.ingest.model import (
    REF_RULES,
    Register,
)


@dataclass
class SyncSummary:
    """What a sync changed.  ``changed`` is False for a no-op re-run."""

    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_deleted: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    edges_deleted: int = 0
    nodes: int = 0
    edges: int = 0
    version: str = ""
    #: Records as ``govmap diff`` counts them (see the module's notes).
    records_added: int = 0
    records_changed: int = 0
    records_renamed: int = 0
    records_removed: int = 0
    #: Records whose content is the same but whose position in the file moved.
    records_moved: int = 0
    #: The register's own header (name, top bodies ...) changed.
    info_updated: bool = False
    #: Decisions on findings added, changed or removed (from the decisions file beside the register).
    decisions_changed: int = 0
    by_label: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    #: Web edits made since the last load that this (forced) load replaced, oldest first.
    replaced: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the load wrote anything (a position counts)."""
        return self.content_changed or bool(self.records_moved)

    @property
    def content_changed(self) -> bool:
        """Whether any record, relationship or the header changed (positions aside)."""
        return any(
            (
                self.nodes_created,
                self.nodes_updated,
                self.nodes_deleted,
                self.edges_created,
                self.edges_updated,
                self.edges_deleted,
                self.records_changed,
                self.info_updated,
                self.decisions_changed,
            )
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "records": {
                "added": self.records_added,
                "changed": self.records_changed,
                "renamed": self.records_renamed,
                "removed": self.records_removed,
                "moved": self.records_moved,
                "total": self.nodes,
            },
            "nodes": {
                "created": self.nodes_created,
                "updated": self.nodes_updated,
                "deleted": self.nodes_deleted,
                "total": self.nodes,
            },
            "relationships": {
                "created": self.edges_created,
                "updated": self.edges_updated,
                "deleted": self.edges_deleted,
                "total": self.edges,
            },
            "register_header_changed": self.info_updated,
            "decisions_changed": self.decisions_changed,
            "by_label": self.by_label,
            "by_type": self.by_type,
            "replaced_edits": self.replaced,
        }

    def format(self) -> str:
        """One line: what changed, in records (as ``govmap diff`` counts them) and relationships.

        >>> print(SyncSummary(records_added=1, records_renamed=1, records_moved=46, nodes_created=2,
        ...       nodes_deleted=1, edges_created=3, nodes=52, edges=120).format())
        records: 1 added, 0 changed, 1 renamed, 0 removed, 46 only moved; relationships: 3 created, 0 updated, 0 deleted (52 records, 120 relationships in all)
        """
        if not self.changed:
            return (
                f"no change: {self.nodes} records and {self.edges} relationships already match the register"
            )
        header = "; the register's header changed" if self.info_updated else ""
        if self.decisions_changed:
            header += f"; decisions: {self.decisions_changed} added, changed or removed"
        return (
            f"records: {self.records_added} added, {self.records_changed} changed, "
            f"{self.records_renamed} renamed, {self.records_removed} removed, {self.records_moved} only moved; "
            f"relationships: {self.edges_created} created, {self.edges_updated} updated, "
            f"{self.edges_deleted} deleted{header} ({self.nodes} records, {self.edges} relationships in all)"
        )


def summarise(plan: Plan, register: Register) -> SyncSummary:
    """What ``plan`` changes, in records and in relationships (read before the plan is written).

    Renamed records are not told from added and removed ones yet: :func:`count_records` does
    that (a load calls it while the server writes).  What the counts say changed or not is
    the same before and after it (a rename adds a node and removes one).
    """
    dropped = {k for _, k, _ in plan.drop_edges}
    replaced = dropped & {e["key"] for e in plan.add_edges}  # dropped and re-created: an update
    s = _counted(register)
    s.nodes_deleted = len(plan.delete_nodes)
    s.nodes_created = len(plan.create)
    s.nodes_updated = len({n["id"] for n in plan.update} | {i for i, _, _ in plan.relabel})
    s.edges_deleted = len(dropped - replaced)
    s.edges_updated = len(plan.update_edges) + len(replaced)
    s.edges_created = len(plan.add_edges) - len(replaced)
    s.records_moved = plan.moved
    s.records_added, s.records_changed, s.records_removed = (
        len(plan.create),
        len(plan.changed),
        len(plan.delete_nodes),
    )
    return s


def count_records(summary: SyncSummary, plan: Plan, register: Register) -> None:
    """Set the summary's record counts as ``govmap diff`` counts them (:func:`record_counts`)."""
    counts = record_counts(plan, register)
    summary.records_added, summary.records_changed, summary.records_renamed, summary.records_removed = counts


def record_counts(plan: Plan, register: Register) -> tuple[int, int, int, int]:
    """Records (added, changed, renamed, removed), as ``govmap diff`` would count them.

    Renames are looked for among the removed and added records only; a changed
    record that now names a renamed one is compared with what it held (is the
    rename all that changed in it?).
    """
    added = [n["id"] for n in plan.create]
    gone, changed = plan.delete_nodes, plan.changed
    if not (added and gone):
        return len(added), len(changed), 0, len(gone)
    from govmap.graph.review.diff import diff_records, renames_between
    from govmap.ingest.store.hoodcheck import register_of

    old = plan.old_records.records(gone)
    new = [r for r in (register.get(i) for i in added) if r is not None]
    # The renames diff_records finds among these: found once, and given to it.
    pairs = renames_between(old, new)
    renamed = {b.id for _, b, _ in pairs}
    if not renamed:
        return len(added), len(changed), 0, len(gone)
    # A record names a renamed one if its JSON holds the new id as a string.
    quoted = re.compile("|".join(f'"{re.escape(i)}"' for i in sorted(renamed)))
    naming = [i for i in changed if quoted.search(plan.texts.get(i) or _json(register, i))]
    old += plan.old_records.records(naming)
    new += [r for r in (register.get(i) for i in naming) if r is not None]
    diff = diff_records(register_of(old, register.info), register_of(new, register.info), renames=pairs)
    named = set(naming)
    still = sum(1 for c in diff.changed if c.id in named)
    return len(diff.added), len(changed) - len(naming) + still, len(diff.renamed), len(diff.removed)


def _json(register: Register, rid: str) -> str:
    rec = register.get(rid)
    return rec.model_dump_json() if rec is not None else ""


def _counted(register: Register) -> SyncSummary:
    """A summary holding the register's records and relationships, by label and by type."""
    s = SyncSummary()
    for rec in register.records():
        s.nodes += 1
        s.by_label[rec.label] = s.by_label.get(rec.label, 0) + 1
        for rule in REF_RULES[type(rec)]:
            n = sum(1 for _ in rule.refs(rec))
            if n:
                s.edges += n
                s.by_type[rule.rel.name] = s.by_type.get(rule.rel.name, 0) + n
    s.by_label = dict(sorted(s.by_label.items()))
    s.by_type = dict(sorted(s.by_type.items()))
    return s


def unchanged_summary(register: Register, version: str) -> SyncSummary:
    s = _counted(register)
    s.version = version
    return s
