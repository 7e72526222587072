"""The change plan of a sync: which nodes and relationships to create, update,
relabel or delete, worked out from the content hashes stored in the database
(read inside the locked transaction) against the register's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govmap.graph.neo4j.connect import (
    Neo4jError,
)
from govmap.graph.neo4j.rows import (
    stored_edge_hash,
    stored_node_hash,
)
from govmap.ingest.model import (
    RelType,
)


@dataclass
class Plan:
    """What a sync will write, worked out from the stored hashes (inside the locked transaction)."""

    old_ids: list[str]
    delete_nodes: list[str]
    relabel: list[tuple[str, str, str]]  # (id, old label, new label)
    create: list[dict[str, Any]]
    update: list[dict[str, Any]]
    drop_edges: list[tuple[RelType, str, str]]  # (type, key, element id)
    update_edges: list[dict[str, Any]]  # same key, type and ends: properties set in place (row + "eid")
    add_edges: list[dict[str, Any]]
    #: (element id, new row): a relationship to drop re-used for one to add with the same type and
    #: ends (a link that moved in its list has a new key): its properties are set in place.
    #: ``drop_edges`` and ``add_edges`` still list both, as the register sees the change.
    moves: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def physical(self) -> tuple[list[tuple[RelType, str, str]], list[dict[str, Any]]]:
        """The relationships to delete and to create once the moves are taken out."""
        moved = {eid for eid, _ in self.moves}
        added = {id(e) for _, e in self.moves}
        return (
            [d for d in self.drop_edges if d[2] not in moved],
            [e for e in self.add_edges if id(e) not in added],
        )

    @property
    def total(self) -> int:
        drops, adds = self.physical()
        parts: tuple[list[Any], ...] = (
            self.delete_nodes,
            self.relabel,
            self.create,
            self.update,
            drops,
            self.update_edges,
            self.moves,
            adds,
        )
        return sum(len(p) for p in parts)


def stored_state(
    tx: Any, verify: bool
) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str, str, str, str]]]:
    """Stored nodes (id -> hash, label) and edges (key -> hash, type, source, target, element id)."""
    if verify:
        # Recompute each hash from what is stored, so hand edits that left the hash alone show.
        nodes = {
            r["id"]: (stored_node_hash(r["p"]), r["label"])
            for r in tx.run(
                "MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p, "
                "[l IN labels(n) WHERE l <> 'Entity'][0] AS label"
            )
        }
        edges = {
            r["p"]["key"]: (
                stored_edge_hash(r["type"], r["s"], r["t"], r["p"]),
                r["type"],
                r["s"],
                r["t"],
                r["e"],
            )
            for r in tx.run(
                "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.key IS NOT NULL "
                "RETURN type(r) AS type, a.id AS s, b.id AS t, properties(r) AS p, elementId(r) AS e"
            )
        }
        return nodes, edges
    nodes = {
        r["id"]: (r["hash"], r["label"])
        for r in tx.run(
            "MATCH (n:Entity) RETURN n.id AS id, n.hash AS hash, [l IN labels(n) WHERE l <> 'Entity'][0] AS label"
        )
    }
    edges = {
        r["key"]: (r["hash"], r["type"], r["s"], r["t"], r["e"])
        for r in tx.run(
            "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.key IS NOT NULL "
            "RETURN r.key AS key, r.hash AS hash, type(r) AS type, a.id AS s, b.id AS t, elementId(r) AS e"
        )
    }
    return nodes, edges


def plan_changes(tx: Any, nodes: list[dict[str, Any]], edges: list[dict[str, Any]], verify: bool) -> Plan:
    old_nodes, old_edges = stored_state(tx, verify)
    new_ids = {n["id"] for n in nodes}
    new_keys = {e["key"] for e in edges}
    gone = [i for i in old_nodes if i not in new_ids]
    # A node whose kind changed keeps its relationships: only its label is swapped.
    relabel = [
        (n["id"], old_nodes[n["id"]][1], n["label"])
        for n in nodes
        if n["id"] in old_nodes and old_nodes[n["id"]][1] != n["label"]
    ]
    create = [n for n in nodes if n["id"] not in old_nodes]
    update = [n for n in nodes if n["id"] in old_nodes and old_nodes[n["id"]][0] != n["props"]["hash"]]
    drop: list[tuple[RelType, str, str]] = []
    # Dropped relationships by (type, source, target): re-used for added ones with the same ends.
    free: dict[tuple[str, str, str], list[str]] = {}
    for key, (_, type_name, s, t, eid) in old_edges.items():
        if key not in new_keys:
            drop.append((rel_type(type_name), key, eid))
            free.setdefault((type_name, s, t), []).append(eid)
    update_edges, add_edges = [], []
    for e in edges:
        old = old_edges.get(e["key"])
        if old is None:
            add_edges.append(e)
        elif old[0] != e["props"]["hash"]:
            if (old[1], old[2], old[3]) == (RelType(e["type"]).name, e["source"], e["target"]):
                update_edges.append({**e, "eid": old[4]})
            else:  # another type or other ends: a new relationship
                drop.append((rel_type(old[1]), e["key"], old[4]))
                free.setdefault((old[1], old[2], old[3]), []).append(old[4])
                add_edges.append(e)
    plan = Plan(list(old_nodes), gone, relabel, create, update, drop, update_edges, add_edges)
    # A link inserted in a list shifts the keys (origin/field/index) of those after it: each
    # would be deleted and created again.  Setting the properties of the old one is cheaper.
    gone_ids = set(gone)
    for e in add_edges:
        same = free.get((RelType(e["type"]).name, e["source"], e["target"]))
        if same and e["source"] not in gone_ids and e["target"] not in gone_ids:
            plan.moves.append((same.pop(), e))
    return plan


def rel_type(name: str) -> RelType:
    try:
        return RelType[name]
    except KeyError:
        raise Neo4jError(
            f"the database holds a relationship of type '{name[:40]}' with a govmap key; govmap never writes one",
            hint="remove it in Neo4j Browser, or load with --full after fixing it",
        ) from None
