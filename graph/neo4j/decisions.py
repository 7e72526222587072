"""Reviewers' decisions kept in Neo4j: one ``:GovmapDecision`` node per finding.

A node holds the decision as JSON (``data``, the same model as a decisions
file: :class:`~govmap.ingest.store.decisions.Decision`), its ``finding`` and
its place in the list (``seq``).  Recording one is a write transaction that
takes the register's lock (:mod:`.header`), replaces any decision on the same
finding, counts the header's ``decided`` (the decisions' version) and writes
the audit entry, as a file store does.  The header's ``origin`` becomes
``edit``: a later ``govmap load`` with a decisions file that would undo it is
refused unless forced, as for an edit of a record.

``govmap dump -o FILE`` writes them beside the register (``FILE`` ->
``*.decisions.yaml``); ``govmap load`` loads a decisions file found beside the
register it loads, in the same transaction (:func:`replace_decisions`).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import Any

from pydantic import ValidationError

from govmap.graph.neo4j.connect import Neo4jSettings, StoredRegisterInvalid, driver_errors
from govmap.graph.neo4j.header import add_audit, lock_header, set_header
from govmap.graph.neo4j.read import held, read_tx
from govmap.graph.neo4j.rows import HEADER
from govmap.ingest.model import Register
from govmap.ingest.store.decision_store import decision_audit
from govmap.ingest.store.decisions import Decision, check_decision, decisions_text, upsert

#: The decisions as a file is named in the audit log's diffs.
FILE_NAME = "decisions.yaml"


def read_decisions(tx: Any) -> tuple[Decision, ...]:
    """The stored decisions, in order, each validated with the decisions file's model."""
    out = []
    for r in tx.run("MATCH (d:GovmapDecision) RETURN d.finding AS f, d.data AS data ORDER BY d.seq"):
        try:
            out.append(Decision.model_validate_json(r["data"] or ""))
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"]) or "decision"
            raise StoredRegisterInvalid(
                f"the decision on '{r['f']}' in Neo4j is not valid: {where}: {err['msg']}",
                hint="record it again from the report page, or load a valid decisions file with 'govmap load'",
            ) from None
    return tuple(out)


def write_decisions(tx: Any, decisions: tuple[Decision, ...]) -> None:
    """Make the database hold exactly ``decisions``, in this order (in the caller's transaction)."""
    rows = [
        {"finding": d.finding, "seq": i, "data": d.model_dump_json(exclude_none=True)}
        for i, d in enumerate(decisions)
    ]
    tx.run(
        "MATCH (d:GovmapDecision) WHERE NOT d.finding IN $keep DETACH DELETE d",
        keep=[r["finding"] for r in rows],
    ).consume()
    tx.run(
        "UNWIND $rows AS row MERGE (d:GovmapDecision {finding: row.finding}) SET d.seq = row.seq, d.data = row.data",
        rows=rows,
    ).consume()
    tx.run(
        "MATCH (g:GovmapRegister {id: $header}) SET g.decided = coalesce(g.decided, 0) + 1", header=HEADER
    ).consume()


def decisions_changed(tx: Any, decisions: tuple[Decision, ...]) -> int:
    """How many decisions a load of ``decisions`` adds, changes or removes."""
    current = {d.finding: d for d in read_decisions(tx)}
    wanted = {d.finding: d for d in decisions}
    added_or_changed = sum(1 for f, d in wanted.items() if current.get(f) != d)
    return added_or_changed + sum(1 for f in current if f not in wanted)


def replace_decisions(tx: Any, decisions: tuple[Decision, ...]) -> None:
    """Make the stored decisions ``decisions`` (a load), writing only if they differ, order included."""
    if read_decisions(tx) != decisions:
        write_decisions(tx, decisions)


def read_with_decisions(driver: Any, settings: Neo4jSettings) -> tuple[Register, tuple[Decision, ...]]:
    """The stored register (validated, as :func:`~govmap.graph.neo4j.read.read_register`) and its
    decisions, read in one transaction: a dump never pairs a register with another moment's decisions."""

    def work(tx: Any) -> tuple[Register, str, tuple[Decision, ...]]:
        register, version = read_tx(tx)
        return register, version, read_decisions(tx)

    with driver_errors(settings, "the read of the register"), driver.session(database=settings.database) as s:
        register, version, decisions = s.execute_read(work)
    return held(register, version), decisions


class Neo4jDecisions:
    """The decisions of a register kept in Neo4j (``Neo4jStore.decisions``)."""

    def __init__(self, settings: Neo4jSettings, driver: Any, label: str) -> None:
        self.settings = settings
        self.driver = driver
        self.database = settings.database
        self.label = label
        self._lock = threading.Lock()
        self._cache: tuple[Any, tuple[Decision, ...]] | None = None

    def load(self) -> tuple[Decision, ...]:
        """The decisions; read again only when their version (the header's ``decided``) moved."""
        with (
            driver_errors(self.settings, "the read of the decisions"),
            self.driver.session(database=self.database) as s,
        ):
            row = s.run(
                "MATCH (g:GovmapRegister {id: $header}) RETURN g.decided AS v", header=HEADER
            ).single()
            version = row["v"] if row is not None else None
            cached = self._cache
            if cached is not None and cached[0] == version:
                return cached[1]
            decisions: tuple[Decision, ...] = s.execute_read(read_decisions)
        with self._lock:
            self._cache = (version, decisions)
        return decisions

    def record(self, decision: Decision, user: str, record: str) -> None:
        """Add or replace the decision on its finding, audited, in one transaction."""
        check_decision(decision)

        def work(tx: Any) -> None:
            lock_header(tx)
            current = read_decisions(tx)
            earlier = next((d for d in current if d.finding == decision.finding), None)
            after = upsert(current, decision)
            write_decisions(tx, after)
            texts = (decisions_text(current) if current else "", decisions_text(after))
            entry = decision_audit(decision, earlier, user, record, texts, FILE_NAME)
            row = dataclasses.asdict(entry)
            row["before"] = json.dumps(row["before"], sort_keys=True) if row["before"] else None
            row["after"] = json.dumps(row["after"], sort_keys=True)
            set_header(tx, origin="edit")
            add_audit(tx, row)

        with (
            driver_errors(self.settings, "the decision", write=True),
            self.driver.session(database=self.database) as s,
        ):
            s.execute_write(work)
