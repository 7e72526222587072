"""Apply a change plan in a write transaction, in batches.

Every relationship match names its type and finds the relationship by its element
id (read in the same transaction); labels and types come from govmap's enums, never
from register text.

No statement here waits for its own result: ``tx.run`` returns once the server has
accepted the statement, and the next ``tx.run`` (or the commit) waits for it to finish.
So the loader builds and packs the next statement's rows, and does the work given as
``meanwhile``, while the server runs the one before (the server runs a transaction's
statements in order; an error in one is raised by the next call, and rolls all back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from govmap.graph.neo4j.connect import (
    BATCH,
    Progress,
)
from govmap.graph.neo4j.plan import Plan
from govmap.ingest.model import (
    LABELS,
    RelType,
)


def chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def by_type(rows: list[Any], rtype: Callable[[Any], RelType]) -> dict[RelType, list[Any]]:
    out: dict[RelType, list[Any]] = {}
    for row in rows:
        out.setdefault(rtype(row), []).append(row)
    return dict(sorted(out.items(), key=lambda kv: kv[0].value))


#: A statement of at least this many rows keeps the server busy long enough for a piece of the
#: loader's own work (``meanwhile``) to be done while it runs.
OVERLAP_ROWS = 1_000


def write_plan(
    tx: Any, plan: Plan, progress: Progress | None, meanwhile: Iterable[Callable[[], None]] = ()
) -> None:
    """Write a plan.  Every relationship match names its type and its element id.

    ``meanwhile``: work of the loader's own (the summary's record counts, the audit log's
    undo) done while the server runs the larger statements, one piece after each, and what is
    left at the end.  Each piece must not use ``tx``.
    """
    done, total = 0, plan.total
    jobs = list(meanwhile)

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("writing", done, total)
        if jobs and n >= OVERLAP_ROWS:
            jobs.pop(0)()

    drops, adds = plan.physical()
    # Deletes and updates find each relationship by its element id (read under the lock, in this
    # transaction): through a key index, 2,900 deletes in one transaction took 16 s against 1 s.
    for rtype, rows in by_type(drops, lambda d: d[0]).items():
        for batch in chunks([eid for _, _, eid in rows]):
            tx.run(
                f"UNWIND $ids AS i MATCH ()-[r:{rtype.name}]->() WHERE elementId(r) = i DELETE r", ids=batch
            )
            step(len(batch))
    for batch in chunks(plan.delete_nodes):
        tx.run("UNWIND $ids AS i MATCH (n:Entity {id: i}) DETACH DELETE n", ids=batch)
        step(len(batch))
    pairs: dict[tuple[str, str], list[str]] = {}
    for i, old, new in plan.relabel:
        pairs.setdefault((old, new), []).append(i)
    for (old, new), ids in sorted(pairs.items()):
        assert old in LABELS and new in LABELS  # labels come from the model, never from register text
        for batch in chunks(ids):
            tx.run(f"UNWIND $ids AS i MATCH (n:Entity {{id: i}}) REMOVE n:{old} SET n:{new}", ids=batch)
            step(len(batch))
    for label in sorted({n["label"] for n in plan.create}):
        assert label in LABELS
        rows = [n["props"] for n in plan.create if n["label"] == label]
        for batch in chunks(rows):
            tx.run(f"UNWIND $rows AS row CREATE (n:Entity:{label}) SET n = row", rows=batch)
            step(len(batch))
    for batch in chunks([n["props"] for n in plan.update]):
        tx.run("UNWIND $rows AS row MATCH (n:Entity {id: row.id}) SET n = row", rows=batch)
        step(len(batch))
    in_place = [(e["eid"], e) for e in plan.update_edges] + plan.moves
    for rtype, same in by_type(in_place, lambda m: RelType(m[1]["type"])).items():
        for batch in chunks([{"eid": eid, "props": e["props"]} for eid, e in same]):
            tx.run(
                f"UNWIND $rows AS u MATCH ()-[r:{rtype.name}]->() WHERE elementId(r) = u.eid SET r = u.props",
                rows=batch,
            )
            step(len(batch))
    write_edges(tx, adds, step)
    if plan.positions:
        # One statement for every position (and record hash) set: a record inserted near the top
        # of a national register moves 50,000 others, each a number, not a node rewritten.
        tx.run(
            "UNWIND $rows AS row MATCH (n:Entity {id: row.id}) SET n.order = row.order, n.rhash = row.rhash",
            rows=plan.positions,
        )
        step(len(plan.positions))
    for job in jobs:
        job()


def write_edges(tx: Any, edges: list[dict[str, Any]], step: Callable[[int], None] | None = None) -> None:
    """Create relationships (rows from :func:`edge_rows_of`), matching their ends by the id constraint."""
    for rtype, rows in by_type(edges, lambda e: RelType(e["type"])).items():
        params = [{"s": e["source"], "t": e["target"], "props": e["props"]} for e in rows]
        for batch in chunks(params):
            tx.run(
                "UNWIND $rows AS row MATCH (a:Entity {id: row.s}) MATCH (b:Entity {id: row.t}) "
                f"CREATE (a)-[r:{rtype.name}]->(b) SET r = row.props",
                rows=batch,
            )
            if step:
                step(len(batch))
