"""An edit checked against its record's neighbourhood, not the whole register.

Steps 3 and 4 of a Neo4j edit (see :mod:`.editing`): read the records the edited
record names before and after the edit, those that name it when it is removed or
renamed, and the ``reports_to`` / ``sub_group_of`` chain that could close a cycle
through it; apply the edit to that small register with the YAML store's code and
rules, and refuse it if it adds an error.  Which records those are, and the check,
are :mod:`govmap.ingest.store.neighbourhood`'s (shared with the YAML store); this module
reads them from the database (:class:`TxNeighbours`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from govmap.graph.neo4j.read import record_from
from govmap.ingest.model import (
    Document,
    Organisation,
    Record,
    Register,
    RegisterInfo,
)
from govmap.ingest.store.dump import dump_register
from govmap.ingest.store.edit_values import Edit
from govmap.ingest.store.hoodcheck import register_of
from govmap.ingest.store.neighbourhood import edited_record as shared_edited_record


def edited_record(tx: Any, edit: Edit, old: Record | None, info: RegisterInfo) -> tuple[Record | None, str]:
    """The record after the edit, checked against its neighbourhood; (None, section) when removed.

    The neighbourhood is chosen and checked by the code the YAML store uses
    (:func:`govmap.ingest.store.neighbourhood.edited_record`); here it is read from the database.
    """
    return shared_edited_record(TxNeighbours(tx), edit, old, info)


class TxNeighbours:
    """:class:`~govmap.ingest.store.neighbourhood.Neighbours` read in a Neo4j transaction."""

    def __init__(self, tx: Any) -> None:
        self.tx = tx

    def naming(self, rec: Record) -> set[str]:
        return _naming(self.tx, rec)

    def records(self, ids: Iterable[str]) -> list[Record]:
        return [rec for rec, _ in read_records(self.tx, list(ids)).values()]

    def chain(self, rid: str, targets: set[str]) -> set[str]:
        return _chain(self.tx, rid, targets)


def _naming(tx: Any, rec: Record) -> set[str]:
    """Ids of the records that name ``rec``: in their relationships, as a source or on behalf of."""
    ids = {
        r["id"]
        for r in tx.run(
            "MATCH (n:Entity {id: $id})-[r]-(m:Entity) WHERE r.origin = m.id RETURN DISTINCT m.id AS id",
            id=rec.id,
        )
    }
    needle = json.dumps(rec.id, ensure_ascii=False)
    if isinstance(rec, Document):
        # Sources are data, not relationships: a scan, done only when a document is removed or renamed.
        ids |= {
            r["id"]
            for r in tx.run(
                "MATCH (m:Entity) WHERE any(s IN m.sources WHERE s = $id OR s STARTS WITH $prefix) "
                "RETURN m.id AS id",
                id=rec.id,
                prefix=rec.id + " § ",
            )
        }
        ids |= {
            r["id"]
            for r in tx.run(
                "MATCH ()-[r]->() WHERE r.data CONTAINS $needle RETURN DISTINCT r.origin AS id",
                needle=f'"doc": {needle}',
            )
        }
    if isinstance(rec, Organisation):
        ids |= {
            r["id"]
            for r in tx.run(
                "MATCH ()-[r:MEMBER_OF]->() WHERE r.data CONTAINS $needle RETURN DISTINCT r.origin AS id",
                needle=f'"on_behalf_of": {needle}',
            )
        }
    ids.discard(rec.id)
    return ids


def _chain(tx: Any, rid: str, targets: set[str]) -> set[str]:
    """Bodies on a reports_to / sub_group_of chain from ``targets`` (the record's new parents) back to it."""
    if not targets:
        return set()
    rows = tx.run(
        "MATCH (a:Entity {id: $id}) UNWIND $targets AS t MATCH (b:Entity {id: t}) "
        "MATCH p = shortestPath((b)-[:REPORTS_TO|SUB_GROUP_OF*1..]->(a)) "
        "RETURN [n IN nodes(p) | n.id] AS ids",
        id=rid,
        targets=sorted(targets),
    )
    return {i for r in rows for i in r["ids"]}


def read_records(
    tx: Any, ids: Iterator[str] | list[str] | set[str]
) -> dict[str, tuple[Record, list[dict[str, Any]]]]:
    """Records by id (those that exist), each with the relationships written in it."""
    rows = tx.run(
        "UNWIND $ids AS i MATCH (n:Entity {id: i}) "
        "OPTIONAL MATCH (n)-[r]-(m:Entity) WHERE r.origin = n.id "
        "WITH n, collect(CASE WHEN r IS NULL THEN NULL ELSE {s: startNode(r).id, t: endNode(r).id, "
        "type: type(r), key: r.key, hash: r.hash, field: r.field, index: r.index, data: r.data, "
        "short: r.short, eid: elementId(r)} END) AS edges "
        "RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, n.data AS data, "
        "n.order AS order, edges",
        ids=list(ids),
    )
    out = {}
    for r in rows:
        edges = [e for e in r["edges"] if e is not None]
        out[r["id"]] = (record_from(dict(r), edges), edges)
    return out


def single_register(rec: Record | None) -> Register | None:
    return register_of([rec], RegisterInfo()) if rec is not None else None


def record_text(rec: Record | None, info: RegisterInfo) -> str:
    return dump_register(register_of([rec] if rec is not None else [], RegisterInfo(name=info.name)))
