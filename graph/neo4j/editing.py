"""The register kept in Neo4j, for the web editor: record-sized edits, versions, audit.

:class:`Neo4jStore` has the same three methods as
:class:`govmap.ingest.store.yamlstore.YamlStore` (``load``, ``apply``, ``history``), so
the web app serves a shared database exactly as it serves a file.

An edit is **one write transaction that touches one record**:

1. it takes the register's lock (as :func:`~govmap.graph.neo4j.header.lock_header`
   does), the same lock a ``govmap load`` takes, so edits and loads queue;
2. it reads the record and the relationships written in it (in the same query
   as step 1, after the lock), and compares the
   record's version (:func:`~govmap.ingest.model.record_version`) with the one
   the form was opened at: only a change to *this* record is a conflict;
3. it reads the record's *neighbourhood*: the records it names (before and
   after the edit), the records that name it when it is removed or renamed,
   and for a body the chain of ``reports_to`` / ``sub_group_of`` that could
   close a cycle through it;
4. it applies the edit to that neighbourhood with the same code and rules as
   the YAML store, and refuses it if it adds an error (problems that were
   already there, such as a neighbour naming a record outside the
   neighbourhood, are not this edit's);
5. it writes the record's node and its own relationships (typed, by element
   id), bumps the store version (origin ``"edit"``, so the next ``govmap
   load`` knows) and adds the audit entry (one query), all in the same
   transaction.

Steps 3 and 4 live in :mod:`.neighbourhood`; only the edited record goes
through ruamel.yaml (:mod:`govmap.ingest.store.hoodcheck`).  Nothing else of the register is
read or written, so an edit takes about the same time on a register of 100
records as on one of 100,000.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict
from typing import Any

from govmap.graph.neo4j.connect import (
    Neo4jError,
    Neo4jReadOnly,
    Neo4jSettings,
    connect,
    driver_errors,
    reset_retry_line,
)
from govmap.graph.neo4j.decisions import Neo4jDecisions
from govmap.graph.neo4j.header import HEADER_FIELDS, HEADER_KEYS, LOCK_HEADER, bump_with_audit
from govmap.graph.neo4j.history import read_history, register_before
from govmap.graph.neo4j.neighbourhood import edited_record, read_records, record_text, single_register
from govmap.graph.neo4j.plan import Plan
from govmap.graph.neo4j.read import check_stored, read_tx, record_from, stored_version
from govmap.graph.neo4j.rows import HEADER, edge_rows_of, node_row
from govmap.graph.neo4j.sync import ensure_schema, store_counts
from govmap.graph.neo4j.webstate import WebState
from govmap.graph.neo4j.write import write_plan
from govmap.ingest.errors import EditConflict
from govmap.ingest.model import (
    SECTIONS,
    Record,
    Register,
    RegisterInfo,
    RelType,
    record_version,
)
from govmap.ingest.store.audit import AuditEntry, audit_entry
from govmap.ingest.store.edit_values import AddRecord, ChangeRecord, Edit
from govmap.ingest.store.edits import Applied, record_data

#: What an absent record's version is (the version an "add" form carries).
ABSENT = "absent"


class Neo4jStore:
    """A register shared through Neo4j (any Bolt URI: local, cluster, Aura).

    ``read_only`` is true when the database refuses writes; the web app then
    shows a banner and switches editing off.  ``decisions`` are kept in the
    database too (:class:`~govmap.graph.neo4j.decisions.Neo4jDecisions`).
    """

    def __init__(
        self, settings: Neo4jSettings, driver: Any | None = None, register_file: str | None = None
    ) -> None:
        self.settings = settings
        #: The register file the team keeps (``govmap dump`` into git): the Changes page
        #: compares the database with it, or with a git revision of it.  None: no file.
        self.register_file = register_file
        self.driver = driver or connect(settings)
        self.database = settings.database
        #: Shown to users: the address only, never credentials.
        self.label = settings.uri + (f" ({settings.database})" if settings.database else "")
        self._lock = threading.Lock()
        self._cache: tuple[str, Register] | None = None
        self._warmed = False
        self.decisions = Neo4jDecisions(settings, self.driver, self.label)
        self.read_only = self._is_read_only()
        if not self.read_only:
            with driver_errors(settings, "the schema creation", write=True):
                ensure_schema(self.driver, self.database)

    def close(self) -> None:
        self.driver.close()

    def _is_read_only(self) -> bool:
        """Ask the server (``SHOW DATABASES``: a read) whether this database takes writes."""
        from neo4j import exceptions as nx

        query = (
            "SHOW DATABASES YIELD name, access, home WHERE ($db IS NULL AND home) OR name = $db RETURN access"
        )
        try:
            with self.driver.session(database=self.database) as session:
                rows = [r["access"] for r in session.run(query, db=self.database)]
        except nx.ClientError:  # not allowed to list databases: find out at the first write
            return False
        return bool(rows) and rows[0] == "read-only"

    # -- reading -------------------------------------------------------------
    def load(self) -> tuple[Register, str]:
        """The stored register and its version; re-read only when the version changed."""
        with driver_errors(self.settings, "the read of the register"):
            version = stored_version(self.driver, self.database)
            cached = self._cache
            if cached is not None and cached[0] == version:
                return cached[1], version
            with self.driver.session(database=self.database) as session:
                register, version = session.execute_read(read_tx)
        if version != "empty":
            check_stored(register)
        with self._lock:
            self._cache = (version, register)
        if not self._warmed and not self.read_only and version != "empty":
            self._warmed = True
            self._warm(version)
        return register, version

    def _warm(self, version: str) -> None:
        """Plan an edit's queries before the first real edit, in a transaction that is rolled back.

        The server plans each query text the first time it runs (0.1-0.5 s each on a busy
        machine; an edit runs five or six), so without this the first save after start-up
        took three times as long as the next.  Done once, after the first full read (at
        start-up); it holds the register's lock for the length of one edit and writes nothing.
        """
        from neo4j import exceptions as nx

        from govmap.ingest.errors import GovmapError

        with self.driver.session(database=self.database) as session:
            try:
                tx = session.begin_transaction()
                try:
                    row = tx.run(
                        "OPTIONAL MATCH (b:Body)-[:REPORTS_TO]->() WITH b LIMIT 1 "
                        "OPTIONAL MATCH (n:Entity) WITH b, n LIMIT 1 RETURN coalesce(b.id, n.id) AS id"
                    ).single()
                    if row is not None and row["id"] is not None:
                        edit = ChangeRecord(row["id"], {"description": "govmap: planning the edit queries"})
                        _edit_tx(tx, edit, version, "govmap", self.label, {})
                    # The server plans a list parameter by its size, roughly: one neighbourhood
                    # read per size an edit's may have (no record has these ids).
                    for n in (1, 3, 10, 30, 100, 300):
                        read_records(tx, ["\x00"] * n)
                finally:
                    tx.rollback()
            except (GovmapError, nx.Neo4jError, nx.DriverError):
                pass  # a warm-up only: the first real edit plans what this did not

    # -- editing -------------------------------------------------------------
    def apply(self, edit: Edit, expected_version: str, user: str) -> str:
        """Apply an edit to one record; return the new store version.

        ``expected_version`` is the version of the record the edit touches, as
        the form saw it (:func:`~govmap.ingest.model.record_version`; ``"absent"``
        for a record being added).  The store's own version (from :meth:`load`)
        is accepted too: if nothing at all changed, the record did not either.

        Raises :class:`EditConflict` when the record changed since,
        :class:`~govmap.ingest.errors.EditInvalid` when the edit breaks a rule
        (checked on the record's neighbourhood), and
        :class:`~govmap.graph.neo4j.connect.Neo4jReadOnly` on a read-only database.
        """
        if self.read_only:
            raise Neo4jReadOnly(
                f"the database at {self.label} is read-only: editing is switched off; nothing was saved"
            )
        reset_retry_line()
        result: dict[str, Any] = {}

        def work(tx: Any) -> str:
            return _edit_tx(tx, edit, expected_version, user, self.label, result)

        with (
            driver_errors(self.settings, "the edit", write=True),
            self.driver.session(database=self.database) as s,
        ):
            version: str = s.execute_write(work)
        self._remember(result, version)
        return version

    def _remember(self, result: dict[str, Any], version: str) -> None:
        """Keep the cached register current after our own edit, so the next page needs no full read."""
        if "before" not in result:
            return
        with self._lock:
            cached = self._cache
            if cached is None or cached[0] != result["before"]:
                return
            self._cache = (version, _replaced(cached[1], result.get("old_id"), result.get("record")))

    def web_state(self) -> WebState:
        """What the web app remembers between requests, kept in this database
        (:mod:`govmap.graph.neo4j.webstate`): several servers on one store act as one."""
        state = WebState(self.settings, self.driver)
        if not self.read_only:
            state.ensure_schema()
        return state

    def register_before(self, index: int) -> tuple[Register, AuditEntry]:
        """The register just before the ``index``-th newest audit entry, and that entry
        (:func:`~govmap.graph.neo4j.history.register_before`)."""
        with (
            driver_errors(self.settings, "the read of the history"),
            self.driver.session(database=self.database) as s,
        ):
            result: tuple[Register, AuditEntry] = s.execute_read(register_before, index)
            return result

    def history(self, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries, newest first."""
        with (
            driver_errors(self.settings, "the read of the history"),
            self.driver.session(database=self.database) as s,
        ):
            entries: list[AuditEntry] = s.execute_read(read_history, limit)
            return entries


# -- one edit, inside its transaction -------------------------------------------------
#: Step 1 and the first half of step 2 in one round trip: the header's lock is taken (``SET``
#: of a scratch property) before the record and the relationships written in it are read.
_LOCK_AND_READ = (
    f"{LOCK_HEADER} "
    "WITH g OPTIONAL MATCH (n:Entity {id: $id}) "
    "OPTIONAL MATCH (n)-[r]-(m:Entity) WHERE r.origin = n.id "
    "WITH g, n, collect(CASE WHEN r IS NULL THEN NULL ELSE {s: startNode(r).id, t: endNode(r).id, "
    "type: type(r), key: r.key, hash: r.hash, field: r.field, index: r.index, data: r.data, "
    "short: r.short, eid: elementId(r)} END) AS rels "
    f"RETURN {HEADER_FIELDS}, n.id AS node_id, [l IN labels(n) WHERE l <> 'Entity'][0] AS node_label, "
    "n.data AS node_data, n.order AS node_order, rels"
)


def _lock_and_read(
    tx: Any, subject: str
) -> tuple[dict[str, Any], Record | None, list[dict[str, Any]], float | int]:
    """The header (locked), the record ``subject`` as stored (or None), its relationships and order."""
    row = dict(tx.run(_LOCK_AND_READ, header=HEADER, id=subject or None).single())
    head = {k: row[k] for k in HEADER_KEYS}
    if row["node_id"] is None:
        return head, None, [], 0
    edges = [e for e in row["rels"] if e is not None]
    node = {"id": row["node_id"], "label": row["node_label"], "data": row["node_data"]}
    # A position may be a fraction (a record a load put between two others): kept as it is.
    return head, record_from(node, edges), edges, row["node_order"] or 0


def _edit_tx(tx: Any, edit: Edit, expected: str, user: str, label: str, result: dict[str, Any]) -> str:
    subject = edit.subject
    head, old, old_edges, order = _lock_and_read(tx, subject)
    store_version = head["version"] or "empty"
    current = record_version(old) if old is not None else ABSENT
    # An add touches no existing record: an id already in use is a validation error, not a conflict.
    if not isinstance(edit, AddRecord) and expected not in (current, store_version):
        raise _conflict(tx, subject)
    info = RegisterInfo.model_validate(json.loads(head["data"])) if head["data"] else RegisterInfo()
    new, section = edited_record(tx, edit, old, info)
    if new is not None and old is not None and new == old:
        return store_version  # nothing changed: no write, no audit entry
    _write_record(tx, head, old, old_edges, new, order)
    before_text, after_text = record_text(old, info), record_text(new, info)
    applied = Applied(
        text=after_text,
        register=Register(),
        before=record_data(single_register(old), subject),
        after=record_data(single_register(new), new.id if new is not None else subject),
    )
    # The versions are filled in by bump_with_audit, which makes the new one.
    entry = audit_entry(edit, applied, before_text, user, ("", ""), "register")
    row = asdict(entry)
    row["before"] = json.dumps(row["before"], sort_keys=True)
    row["after"] = json.dumps(row["after"], sort_keys=True)
    kept = old if old is not None else new
    row["section"] = kept.section if kept is not None else ""  # to undo it (the Changes page)
    props = {"next_order": head["next_order"]} if head["next_order"] is not None else {}
    props["nodes"], props["edges"] = store_counts(tx)  # as govmap leaves it: the next load plans by record
    version = bump_with_audit(tx, head, "edit", row, **props)
    result.update(before=store_version, old_id=old.id if old is not None else None, record=new)
    return version


def _write_record(
    tx: Any,
    head: dict[str, Any],
    old: Record | None,
    old_edges: list[dict[str, Any]],
    new: Record | None,
    order: float | int,
) -> None:
    """Write one record's node and its own relationships: typed, by element id, nothing else."""
    if old is not None and (new is None or new.id != old.id or new.label != old.label):
        tx.run("MATCH (n:Entity {id: $id}) DETACH DELETE n", id=old.id).consume()
        old, old_edges = None, []
    if new is None:
        return
    if old is None:
        if head["next_order"] is None:  # a header written before next_order was kept: one scan, once
            highest = tx.run("MATCH (n:Entity) RETURN max(n.order) AS o").single()["o"] or 0
            head["next_order"] = highest + 1
        order = int(head["next_order"])
        head["next_order"] = order + 1
    row = node_row(new, order)
    edges = list(edge_rows_of(new))
    by_key = {e["key"]: e for e in old_edges}
    new_keys = {e["key"] for e in edges}
    plan = Plan(
        old_ids=[],
        delete_nodes=[],
        relabel=[],
        create=[row] if old is None else [],
        update=[row] if old is not None else [],
        drop_edges=[(RelType[e["type"]], k, e["eid"]) for k, e in by_key.items() if k not in new_keys],
        update_edges=[],
        add_edges=[],
    )
    for e in edges:
        was = by_key.get(e["key"])
        if was is None:
            plan.add_edges.append(e)
        elif was["hash"] != e["props"]["hash"]:
            if (was["type"], was["s"], was["t"]) == (RelType(e["type"]).name, e["source"], e["target"]):
                plan.update_edges.append({**e, "eid": was["eid"]})
            else:
                plan.drop_edges.append((RelType[was["type"]], e["key"], was["eid"]))
                plan.add_edges.append(e)
    write_plan(tx, plan, None)


def _replaced(register: Register, old_id: str | None, new: Record | None) -> Register:
    """The register with one record replaced, added or removed (for the cache)."""
    fields: dict[str, Any] = {}
    for section in SECTIONS:
        records = list(getattr(register, section))
        if old_id is not None:
            records = (
                [r for r in records if r.id != old_id] if new is None or new.section != section else records
            )
        if new is not None and new.section == section:
            for i, r in enumerate(records):
                if r.id == (old_id or new.id):
                    records[i] = new
                    break
            else:
                records.append(new)
        fields[section] = tuple(records)
    return Register.model_construct(govmap=1, info=register.info, **fields)


def _conflict(tx: Any, record: str) -> EditConflict:
    last = tx.run(
        "MATCH (a:GovmapAudit) WHERE a.record = $record OR a.action = 'load' "
        "RETURN a ORDER BY a.seq DESC LIMIT 1",
        record=record,
    ).single()
    who = ""
    if last is not None:
        a = last["a"]
        who = f" ({a.get('summary')} by {a.get('user')} at {a.get('at')})"
    return EditConflict(
        f"'{record}' was changed by someone else since you opened this form{who}; nothing was saved",
        hint="your entries are kept below: check the current record, then save again",
    )


__all__ = ["ABSENT", "Neo4jError", "Neo4jStore"]
