"""The change plan of a sync: which nodes and relationships to create, update,
relabel or delete, and which positions to set, worked out inside the locked
transaction from what the database holds against the register.

Two ways to work it out, with the same :class:`Plan` as the answer:

- :func:`plan_by_record` (a re-load): each node keeps ``rhash``, the hash of its
  record with the links written in it (:func:`~govmap.graph.neo4j.rows.record_hash`).
  One query reads every node's id, label, position and ``rhash``; only records
  whose hash differs get rows built and their stored relationships read.  A
  record that only moved in the file gets its new position, nothing else.
- :func:`plan_changes` (``--full``, a database written by an older govmap, or one
  whose counts say someone changed it by hand): every node's and relationship's
  hash, read (or, with ``verify``, recomputed from the stored properties) and
  compared with rows built for the whole register.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from govmap.graph.neo4j.connect import (
    Neo4jError,
    StoredRegisterInvalid,
)
from govmap.graph.neo4j.positions import new_orders
from govmap.graph.neo4j.read import record_data, validated
from govmap.graph.neo4j.rows import (
    edge_rows_of,
    node_row,
    record_hash,
    record_json,
    stored_edge_hash,
    stored_node_hash,
)
from govmap.ingest.model import (
    Record,
    Register,
    RelType,
)

#: A stored relationship: (hash, type name, source id, target id, element id), by its key.
StoredEdges = dict[str, tuple[str, str, str, str, str]]


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
    #: ``{id, order, rhash}`` of nodes not rewritten whose position or record hash is set
    #: (one ``UNWIND ... SET``): records that only moved, or changed only in their links.
    positions: list[dict[str, Any]] = field(default_factory=list)
    #: Ids of records present before and after whose content changed (their node or their links).
    changed: list[str] = field(default_factory=list)
    #: Records that only moved in the file (among the others: see :mod:`.positions`).
    moved: int = 0
    #: The position after the last record's (what a record added by a web edit gets); None: the count.
    next_order: int | None = None
    #: The canonical JSON of changed records, by id (:func:`~govmap.graph.neo4j.rows.record_json`),
    #: where the plan made it (to hash them): the summary looks in it for renamed ids.
    texts: dict[str, str] = field(default_factory=dict)
    #: The changed and removed records as the database held them (what the audit log keeps).
    old_records: OldRecords = field(default_factory=lambda: OldRecords())

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
            self.positions,
        )
        return sum(len(p) for p in parts)


# -- by record: a re-load -------------------------------------------------------------
def plan_by_record(tx: Any, register: Register) -> Plan:
    """The plan of a re-load, from each node's record hash: rows only for records that changed.

    Notes
    -----
    Relationships of a changed record are read by its id (``r.origin``) and
    planned as :func:`plan_changes` does; those of a removed record are
    deleted with it.  A relationship written in one record always points at a
    record the register holds (validation), so a removed record is named by
    no unchanged one: its incoming relationships belong to changed records.
    """
    # One row holding a list a node, not a row a node: the driver's work per row is a fifth of a
    # second for 6,000 nodes.
    stored = {
        i: (rhash, label, order)
        for i, rhash, order, label in tx.run(
            "MATCH (n:Entity) RETURN collect([n.id, n.rhash, n.order, "
            "[l IN labels(n) WHERE l <> 'Entity'][0]]) AS rows"
        ).single()["rows"]
    }
    added: list[Record] = []
    changed: list[tuple[Record, float | int, str]] = []
    texts: dict[str, str] = {}
    positions: list[dict[str, Any]] = []
    records = list(register.records())
    ids = [rec.id for rec in records]
    # Records already in the file's order keep their stored positions; only the others get one.
    orders = new_orders(ids, {i: s[2] for i, s in stored.items()})
    seen: set[str] = set()
    for rec in records:
        seen.add(rec.id)
        was = stored.get(rec.id)
        if was is None:
            added.append(rec)
            continue
        order = orders.get(rec.id, was[2])  # a stored order kept is never None (new_orders)
        text = record_json(rec)
        h = record_hash(rec, text)
        if was[0] != h or was[1] != rec.label:
            changed.append((rec, order, h))
            texts[rec.id] = text
        elif rec.id in orders:
            positions.append({"id": rec.id, "order": order, "rhash": h})
    gone = [i for i in stored if i not in seen]
    # The server reads the changed and removed records while the rows of the new ones are made.
    answer = _stored_records(tx, [rec.id for rec, _, _ in changed] + gone)
    create = [node_row(rec, orders[rec.id]) for rec in added]
    add_edges = [e for rec in added for e in edge_rows_of(rec)]
    nodes = [node_row(rec, i, h) for rec, i, h in changed]
    new_edges = [e for rec, _, _ in changed for e in edge_rows_of(rec)]
    old_nodes, old_edges, old_records = answer()
    plan = Plan(list(stored), gone, [], create, [], [], [], add_edges, positions=positions)
    plan.moved, plan.old_records = len(positions), old_records
    last = max((orders[i] if i in orders else stored[i][2] for i in ids), default=-1)
    plan.next_order = math.floor(last) + 1
    for row in nodes:
        old_hash, old_label = old_nodes[row["id"]]
        if old_label != row["label"]:
            plan.relabel.append((row["id"], old_label, row["label"]))
        if old_hash != row["props"]["hash"]:
            plan.update.append(row)
        else:
            p = row["props"]
            positions.append({"id": row["id"], "order": p["order"], "rhash": p["rhash"]})
    _plan_edges(plan, old_edges, new_edges)
    plan.changed = [rec.id for rec, _, _ in changed]
    plan.texts = texts
    return plan


def _stored_records(
    tx: Any, ids: list[str]
) -> Callable[[], tuple[dict[str, tuple[str, str]], StoredEdges, OldRecords]]:
    """Ask for ``ids``: each node's stored hash and label, the relationships written in it, and
    the record it holds (for the summary and the audit log; left out if it no longer reads).

    Returns the function that reads the answer: work done before calling it is done while the
    server reads (``tx.run`` returns once the server has the query).
    """
    if not ids:
        return lambda: ({}, {}, OldRecords())
    # One row of lists, not a row of maps per node: the driver decodes each row and each map key
    # one by one (in Python), and a changed load of a national register reads tens of thousands of
    # relationships here.  The other end's id and the direction, not both ends' ids, and not the
    # field and index its key holds (``origin/field/index``): property reads a relationship fewer.
    result = tx.run(
        "UNWIND $ids AS i MATCH (n:Entity {id: i}) "
        "OPTIONAL MATCH (n)-[r]-(m:Entity) WHERE r.origin = i "
        "WITH n, collect(CASE WHEN r IS NULL THEN NULL ELSE [startNode(r) = n, m.id, "
        "type(r), r.key, r.hash, r.data, r.short, elementId(r)] END) AS rels "
        "RETURN collect([n.id, n.hash, n.data, [l IN labels(n) WHERE l <> 'Entity'][0], rels]) AS rows",
        ids=ids,
    )

    def answer() -> tuple[dict[str, tuple[str, str]], StoredEdges, OldRecords]:
        nodes: dict[str, tuple[str, str]] = {}
        edges: StoredEdges = {}
        records = OldRecords()
        for rid, node_hash, data, label, stored_rels in result.single()["rows"]:
            nodes[rid] = (node_hash, label)
            for out, other, type_name, key, rel_hash, *_, eid in stored_rels:
                if key is not None:
                    edges[key] = (
                        (rel_hash, type_name, rid, other, eid)
                        if out
                        else (rel_hash, type_name, other, rid, eid)
                    )
            records.add_stored(rid, label, data, stored_rels)
        return nodes, edges, records

    return answer


class OldRecords:
    """The records a load changes or removes, as the database held them: their kind and fields
    (:attr:`data`), made records (validated) only when asked for (:meth:`get`).

    The audit log keeps the fields as read (:func:`~govmap.graph.neo4j.history.load_undo`);
    the summary makes records of the few it compares (removed ones, and those naming them).
    The fields are worked out from the stored rows when first asked for: a load asks once the
    server is writing.
    """

    def __init__(self) -> None:
        self._stored: list[tuple[str, str, Any, list[list[Any]]]] = []
        self._data: dict[str, tuple[type[Record], dict[str, Any]]] | None = None
        self._made: dict[str, Record | None] = {}

    def add_stored(self, rid: str, label: str, data: Any, rels: list[list[Any]]) -> None:
        """A node's id, kind label, ``data`` and its relationships as :func:`_stored_records` reads them."""
        self._stored.append((rid, label, data, rels))
        self._data = None

    @property
    def data(self) -> dict[str, tuple[type[Record], dict[str, Any]]]:
        """Kind and fields by id, of the records that still read (a node broken by hand is
        rewritten all the same, only not described)."""
        if self._data is None:
            self._data = {}
            for rid, label, data, stored_rels in self._stored:
                rels = []
                try:
                    for out, other, _, key, _, rel_data, short, _ in stored_rels:
                        if key is None:
                            continue
                        _, fld, index = key.rsplit("/", 2)
                        s, t = (rid, other) if out else (other, rid)
                        rels.append(
                            {
                                "s": s,
                                "t": t,
                                "field": fld,
                                "index": int(index),
                                "data": rel_data,
                                "short": short,
                            }
                        )
                    self._data[rid] = record_data({"id": rid, "label": label, "data": data}, rels)
                except (StoredRegisterInvalid, ValueError):  # a key not written by govmap, too
                    pass
        return self._data

    def __contains__(self, rid: object) -> bool:
        return rid in self.data

    def __len__(self) -> int:
        return len(self.data)

    def get(self, rid: str) -> Record | None:
        """Record ``rid`` as it was, or None if there is none or it no longer reads."""
        if rid not in self._made:
            was = self.data.get(rid)
            try:
                self._made[rid] = validated(rid, *was) if was else None
            except StoredRegisterInvalid:
                self._made[rid] = None
        return self._made[rid]

    def records(self, ids: Iterable[str]) -> list[Record]:
        """Of ``ids``, the records as they were (those that still read)."""
        return [r for r in (self.get(i) for i in ids) if r is not None]


def read_old_records(tx: Any, ids: list[str]) -> OldRecords:
    """The records ``ids`` as the database holds them (those that still read)."""
    return _stored_records(tx, ids)()[2]


# -- every node and relationship: --full, an older database, a hand edit ------------------
def stored_state(tx: Any, verify: bool) -> tuple[dict[str, tuple[str, str, Any, Any]], StoredEdges]:
    """Stored nodes (id -> hash, label, order, rhash) and edges (key -> hash, type, source, target, element id)."""
    if verify:
        # Recompute each hash from what is stored, so hand edits that left the hash alone show.
        nodes = {
            r["id"]: (stored_node_hash(r["p"]), r["label"], r["p"].get("order"), r["p"].get("rhash"))
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
        r["id"]: (r["hash"], r["label"], r["order"], r["rhash"])
        for r in tx.run(
            "MATCH (n:Entity) RETURN n.id AS id, n.hash AS hash, n.order AS order, n.rhash AS rhash, "
            "[l IN labels(n) WHERE l <> 'Entity'][0] AS label"
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
    """The plan from every stored node's and relationship's hash against rows of the whole register."""
    old_nodes, old_edges = stored_state(tx, verify)
    # Records already in the file's order keep their stored positions (as by record, above).
    orders = new_orders([n["id"] for n in nodes], {i: v[2] for i, v in old_nodes.items()})
    for n in nodes:
        was = old_nodes.get(n["id"])
        n["props"]["order"] = orders[n["id"]] if n["id"] in orders or was is None else was[2]
    new_ids = {n["id"] for n in nodes}
    gone = [i for i in old_nodes if i not in new_ids]
    # A node whose kind changed keeps its relationships: only its label is swapped.
    relabel = [
        (n["id"], old_nodes[n["id"]][1], n["label"])
        for n in nodes
        if n["id"] in old_nodes and old_nodes[n["id"]][1] != n["label"]
    ]
    create = [n for n in nodes if n["id"] not in old_nodes]
    update = [n for n in nodes if n["id"] in old_nodes and old_nodes[n["id"]][0] != n["props"]["hash"]]
    plan = Plan(list(old_nodes), gone, relabel, create, update, [], [], [])
    _plan_edges(plan, old_edges, edges)
    touched = {n["id"] for n in update} | {i for i, _, _ in relabel} | _origins(plan)
    rewritten = {n["id"] for n in update}
    for n in nodes:
        was = old_nodes.get(n["id"])
        if was is None or n["id"] in rewritten:
            continue
        p = n["props"]
        if (was[2], was[3]) != (p["order"], p["rhash"]):
            plan.positions.append({"id": n["id"], "order": p["order"], "rhash": p["rhash"]})
            plan.moved += n["id"] not in touched and was[2] != p["order"]
    plan.changed = sorted(touched & new_ids & set(old_nodes))
    plan.old_records = read_old_records(tx, plan.changed + gone)
    plan.next_order = math.floor(max((n["props"]["order"] for n in nodes), default=-1)) + 1
    return plan


def _origins(plan: Plan) -> set[str]:
    """The records whose links the plan adds, drops or changes (a key is ``origin/field/index``)."""
    keys = [k for _, k, _ in plan.drop_edges] + [e["key"] for e in (*plan.add_edges, *plan.update_edges)]
    return {k.rsplit("/", 2)[0] for k in keys}


def _plan_edges(plan: Plan, old_edges: StoredEdges, edges: Iterable[dict[str, Any]]) -> None:
    """Relationships to drop, update in place, add and move, from the stored ones to ``edges``."""
    edges = list(edges)
    new_keys = {e["key"] for e in edges}
    # Dropped relationships by (type, source, target): re-used for added ones with the same ends.
    free: dict[tuple[str, str, str], list[str]] = {}
    for key, (_, type_name, s, t, eid) in old_edges.items():
        if key not in new_keys:
            plan.drop_edges.append((rel_type(type_name), key, eid))
            free.setdefault((type_name, s, t), []).append(eid)
    for e in edges:
        old = old_edges.get(e["key"])
        if old is None:
            plan.add_edges.append(e)
        elif old[0] != e["props"]["hash"]:
            if (old[1], old[2], old[3]) == (RelType(e["type"]).name, e["source"], e["target"]):
                plan.update_edges.append({**e, "eid": old[4]})
            else:  # another type or other ends: a new relationship
                plan.drop_edges.append((rel_type(old[1]), e["key"], old[4]))
                free.setdefault((old[1], old[2], old[3]), []).append(old[4])
                plan.add_edges.append(e)
    # A link inserted in a list shifts the keys (origin/field/index) of those after it: each
    # would be deleted and created again.  Setting the properties of the old one is cheaper.
    gone_ids = set(plan.delete_nodes)
    for e in plan.add_edges:
        same = free.get((RelType(e["type"]).name, e["source"], e["target"]))
        if same and e["source"] not in gone_ids and e["target"] not in gone_ids:
            plan.moves.append((same.pop(), e))


_REL_TYPES = {t.name: t for t in RelType}


def rel_type(name: str) -> RelType:
    rtype = _REL_TYPES.get(name)
    if rtype is None:
        raise Neo4jError(
            f"the database holds a relationship of type '{name[:40]}' with a govmap key; govmap never writes one",
            hint="remove it in Neo4j Browser, or load with --full after fixing it",
        )
    return rtype
