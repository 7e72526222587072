"""What a sync changed: :class:`SyncSummary`, counted from a plan or, for a no-op, from the register."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govmap.graph.neo4j.plan import Plan
from govmap.ingest.model import (
    Register,
    RelType,
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
    #: The register's own header (name, top bodies ...) changed.
    info_updated: bool = False
    by_label: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.nodes_created,
                self.nodes_updated,
                self.nodes_deleted,
                self.edges_created,
                self.edges_updated,
                self.edges_deleted,
                self.info_updated,
            )
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
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
            "by_label": self.by_label,
            "by_type": self.by_type,
        }

    def format(self) -> str:
        if not self.changed:
            return f"no change: {self.nodes} nodes and {self.edges} relationships already match the register"
        return (
            f"nodes: {self.nodes_created} created, {self.nodes_updated} updated, {self.nodes_deleted} deleted; "
            f"relationships: {self.edges_created} created, {self.edges_updated} updated, {self.edges_deleted} deleted "
            f"({self.nodes} nodes, {self.edges} relationships in all)"
        )


def summarise(plan: Plan, nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> SyncSummary:
    old_keys_dropped = {k for _, k, _ in plan.drop_edges}
    new_keys = {e["key"] for e in edges}
    replaced = old_keys_dropped & new_keys  # dropped and re-created: an update
    s = SyncSummary(nodes=len(nodes), edges=len(edges))
    s.nodes_deleted = len(plan.delete_nodes)
    s.nodes_created = len(plan.create)
    s.nodes_updated = len({n["id"] for n in plan.update} | {i for i, _, _ in plan.relabel})
    s.edges_deleted = len(old_keys_dropped - new_keys)
    s.edges_updated = len(plan.update_edges) + len(replaced)
    s.edges_created = len(plan.add_edges) - len(replaced)
    for n in nodes:
        s.by_label[n["label"]] = s.by_label.get(n["label"], 0) + 1
    for e in edges:
        name = RelType(e["type"]).name
        s.by_type[name] = s.by_type.get(name, 0) + 1
    s.by_label = dict(sorted(s.by_label.items()))
    s.by_type = dict(sorted(s.by_type.items()))
    return s


def unchanged_summary(register: Register, version: str) -> SyncSummary:
    s = SyncSummary(version=version)
    for rec in register.records():
        s.nodes += 1
        s.by_label[rec.label] = s.by_label.get(rec.label, 0) + 1
    for rel in register.relations():
        s.edges += 1
        name = rel.type.name
        s.by_type[name] = s.by_type.get(name, 0) + 1
    s.by_label = dict(sorted(s.by_label.items()))
    s.by_type = dict(sorted(s.by_type.items()))
    return s
