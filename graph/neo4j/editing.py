"""The register kept in Neo4j, for the web editor: versions, one edit per transaction, audit.

:class:`Neo4jStore` has the same three methods as
:class:`govmap.ingest.store.YamlStore` (``load``, ``apply``, ``history``), so
the web app serves a shared database exactly as it serves a file.

An edit runs in **one write transaction**: it first takes the write lock of
the ``:GovmapRegister`` node (so two edits of the same register queue up
instead of interleaving), checks the version the editor started from, reads
the register, applies the edit with the same code and rules as the YAML store,
writes the difference with the same sync as ``govmap load``, and adds a
``:GovmapAudit`` node.  A stale version, an invalid edit or a failure rolls
the whole transaction back: nothing is half-written.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from typing import Any

from govmap.graph.neo4j.connect import Neo4jSettings, Neo4jUnavailable, connect
from govmap.graph.neo4j.read import check_stored, read_tx, stored_version
from govmap.graph.neo4j.rows import HEADER, edge_rows, node_row
from govmap.graph.neo4j.sync import _sync_tx, ensure_schema
from govmap.ingest.audit import AuditEntry, audit_entry
from govmap.ingest.dump import dump_register
from govmap.ingest.edits import Edit, apply_edit
from govmap.ingest.errors import EditConflict
from govmap.ingest.model import Register


class Neo4jStore:
    """A register shared through Neo4j (any Bolt URI: local, cluster, Aura)."""

    def __init__(self, settings: Neo4jSettings, driver: Any | None = None) -> None:
        self.settings = settings
        self.driver = driver or connect(settings)
        self.database = settings.database
        #: Shown to users: the address only, never credentials.
        self.label = settings.uri + (f" ({settings.database})" if settings.database else "")
        self._lock = threading.Lock()
        self._cache: tuple[str, Register] | None = None
        ensure_schema(self.driver, self.database)

    def close(self) -> None:
        self.driver.close()

    def load(self) -> tuple[Register, str]:
        """The stored register and its version; re-read only when the version changed."""
        with _mapped_errors():
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
        return register, version

    def apply(self, edit: Edit, expected_version: str, user: str) -> str:
        """Apply an edit made against ``expected_version``; return the new version."""

        def work(tx: Any) -> str:
            # Taking the header's write lock first serialises concurrent edits.
            # The counter also numbers the audit entries, so history has a strict order.
            seq = tx.run(
                "MERGE (g:GovmapRegister {id: $header}) SET g.edits = coalesce(g.edits, 0) + 1 RETURN g.edits AS seq",
                header=HEADER,
            ).single()["seq"]
            register, current = read_tx(tx)
            if current != expected_version:
                raise self._conflict(tx)
            text = dump_register(register)
            applied = apply_edit(text, edit, self.label)
            new = applied.register
            nodes = [node_row(r, i) for i, r in enumerate(new.records())]
            edges = list(edge_rows(new))
            summary = _sync_tx(tx, new, nodes, edges, None)
            if not summary.changed:
                return current
            # Diff the canonical dumps, so the audit shows only what the edit changed.
            applied = replace(applied, text=dump_register(new))
            entry = audit_entry(edit, applied, text, user, (current, summary.version), "register")
            row = asdict(entry)
            row["before"] = json.dumps(row["before"], sort_keys=True)
            row["after"] = json.dumps(row["after"], sort_keys=True)
            row["seq"] = seq
            tx.run("CREATE (a:GovmapAudit) SET a = $row", row=row).consume()
            return summary.version

        with _mapped_errors(), self.driver.session(database=self.database) as session:
            version: str = session.execute_write(work)
        return version

    def _conflict(self, tx: Any) -> EditConflict:
        last = _history(tx, 1)
        who = f" ({last[0].summary} by {last[0].user} at {last[0].at})" if last else ""
        return EditConflict(
            f"the register was changed by someone else since you opened this form{who}; nothing was saved",
            hint="your entries are kept below: check the current record, then save again",
        )

    def history(self, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries, newest first."""
        with _mapped_errors(), self.driver.session(database=self.database) as session:
            entries: list[AuditEntry] = session.execute_read(_history, limit)
            return entries


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Driver errors as govmap errors: a lost server is a 503 page, not a traceback."""
    from neo4j import exceptions as nx

    try:
        yield
    except (nx.ServiceUnavailable, nx.SessionExpired):
        raise Neo4jUnavailable(
            "lost the connection to Neo4j", hint="try again when the server is back"
        ) from None


def _history(tx: Any, limit: int | None) -> list[AuditEntry]:
    rows = tx.run(
        "MATCH (a:GovmapAudit) RETURN a ORDER BY a.seq DESC LIMIT $limit",
        limit=limit if limit is not None else 1_000_000,
    )
    out = []
    for r in rows:
        data = dict(r["a"])
        data["before"] = json.loads(data["before"]) if data.get("before") else None
        data["after"] = json.loads(data["after"]) if data.get("after") else None
        out.append(AuditEntry(**{k: data.get(k) for k in AuditEntry.__dataclass_fields__}))
    return out
