"""Sync a register into Neo4j atomically.

Graph shape (see docs/neo4j.md): every record is a node labelled ``:Entity``
and its kind (``:Body``, ``:Organisation`` ...), keyed by ``id``; every
relationship is an edge of type ``MEMBER_OF``, ``REPORTS_TO`` ... keyed by
``key`` (``origin/field/index``, where it is written in the YAML).  The
register's header is a ``:GovmapRegister`` node.

Why it is safe:

- **Atomic.** A sync is one write transaction: readers see the old register or
  the new one, and a crash or kill of the loader or the server mid-load rolls
  it back.  The driver's ``execute_write`` retries transient errors.
- **Exact and idempotent.** Each node and edge carries a content ``hash``; a
  sync reads the hashes, then creates, updates and deletes only what differs.
  A second run changes nothing and says so (quickly: see :func:`sync`).
- **Parameters only.** Register text reaches Cypher only as parameters.  The
  only names interpolated into queries are labels and relationship types from
  govmap's own enums.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from govmap.graph.neo4j.connect import (
    BATCH,
    Neo4jError,
    Neo4jUnavailable,
    Progress,
)
from govmap.graph.neo4j.rows import (
    HEADER,
    _info_row,
    _stored_edge_hash,
    _stored_node_hash,
    edge_rows,
    node_row,
    register_version,
)
from govmap.ingest.model import (
    LABELS,
    Register,
    RelType,
)


# -- sync --------------------------------------------------------------------
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


SCHEMA_QUERIES = [
    "CREATE CONSTRAINT govmap_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT govmap_register_id IF NOT EXISTS FOR (n:GovmapRegister) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX govmap_entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    *[f"CREATE INDEX govmap_rel_{t.value} IF NOT EXISTS FOR ()-[r:{t.name}]-() ON (r.key)" for t in RelType],
]


def ensure_schema(driver: Any, database: str | None = None) -> None:
    """Constraints and indexes; idempotent (``IF NOT EXISTS``)."""
    with driver.session(database=database) as session:
        for q in SCHEMA_QUERIES:
            session.run(q).consume()


def _chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _sync_tx(
    tx: Any,
    register: Register,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    progress: Progress | None,
    verify: bool = False,
) -> SyncSummary:
    s = SyncSummary(nodes=len(nodes), edges=len(edges))
    if verify:
        # Recompute each hash from what is stored, so hand edits that left the hash alone show.
        old_nodes = {
            r["id"]: (_stored_node_hash(r["p"]), r["label"])
            for r in tx.run(
                "MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p, "
                "[l IN labels(n) WHERE l <> 'Entity'][0] AS label"
            )
        }
        old_edges = {
            r["p"]["key"]: _stored_edge_hash(r["type"], r["s"], r["t"], r["p"])
            for r in tx.run(
                "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.key IS NOT NULL "
                "RETURN type(r) AS type, a.id AS s, b.id AS t, properties(r) AS p"
            )
        }
    else:
        old_nodes = {
            r["id"]: (r["hash"], r["label"])
            for r in tx.run(
                "MATCH (n:Entity) RETURN n.id AS id, n.hash AS hash, "
                "[l IN labels(n) WHERE l <> 'Entity'][0] AS label"
            )
        }
        old_edges = {
            r["key"]: r["hash"]
            for r in tx.run(
                "MATCH (:Entity)-[r]->(:Entity) WHERE r.key IS NOT NULL RETURN r.key AS key, r.hash AS hash"
            )
        }
    new_ids = {n["id"] for n in nodes}
    new_keys = {e["key"] for e in edges}

    # Nodes whose kind changed are replaced, so labels stay exact.
    gone = [i for i, (_, label) in old_nodes.items() if i not in new_ids]
    relabel = [n["id"] for n in nodes if n["id"] in old_nodes and old_nodes[n["id"]][1] != n["label"]]
    delete_nodes = gone + relabel
    create = [n for n in nodes if n["id"] not in old_nodes or n["id"] in relabel]
    update = [
        n
        for n in nodes
        if n["id"] in old_nodes and n["id"] not in relabel and old_nodes[n["id"]][0] != n["props"]["hash"]
    ]
    s.nodes_deleted, s.nodes_created, s.nodes_updated = (
        len(gone),
        len(create) - len(relabel),
        len(update) + len(relabel),
    )

    # Edges are replaced when anything about them changed (type, ends or properties).
    drop_edges = [k for k, h in old_edges.items() if k not in new_keys]
    changed_edges = [e for e in edges if e["key"] in old_edges and old_edges[e["key"]] != e["props"]["hash"]]
    touched = set(delete_nodes)
    add_edges = [
        e
        for e in edges
        if e["key"] not in old_edges or e in changed_edges or e["source"] in touched or e["target"] in touched
    ]
    s.edges_deleted, s.edges_updated = len(drop_edges), len(changed_edges)
    s.edges_created = len([e for e in add_edges if e["key"] not in old_edges])
    done, total = (
        0,
        len(delete_nodes) + len(create) + len(update) + len(drop_edges) + len(changed_edges) + len(add_edges),
    )

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("writing", done, total)

    for batch in _chunks(drop_edges + [e["key"] for e in changed_edges]):
        tx.run("UNWIND $keys AS k MATCH (:Entity)-[r {key: k}]->(:Entity) DELETE r", keys=batch).consume()
        step(len(batch))
    for batch in _chunks(delete_nodes):
        tx.run("UNWIND $ids AS i MATCH (n:Entity {id: i}) DETACH DELETE n", ids=batch).consume()
        step(len(batch))
    for label in sorted({n["label"] for n in create}):
        rows = [n["props"] for n in create if n["label"] == label]
        assert label in LABELS  # labels come from the model, never from register text
        for batch in _chunks(rows):
            tx.run(f"UNWIND $rows AS row CREATE (n:Entity:{label}) SET n = row", rows=batch).consume()
            step(len(batch))
    for batch in _chunks([n["props"] for n in update]):
        tx.run("UNWIND $rows AS row MATCH (n:Entity {id: row.id}) SET n = row", rows=batch).consume()
        step(len(batch))
    for rtype in sorted({e["type"] for e in add_edges}, key=lambda t: t.value):
        rows = [
            {"s": e["source"], "t": e["target"], "props": e["props"]} for e in add_edges if e["type"] is rtype
        ]
        for batch in _chunks(rows):
            tx.run(
                "UNWIND $rows AS row MATCH (a:Entity {id: row.s}) MATCH (b:Entity {id: row.t}) "
                f"CREATE (a)-[r:{RelType(rtype).name}]->(b) SET r = row.props",
                rows=batch,
            ).consume()
            step(len(batch))
    info = _info_row(register)
    info["version"] = register_version(nodes, edges, info)
    old = tx.run(
        "MATCH (g:GovmapRegister {id: $header}) RETURN g.data AS data, g.version AS version", header=HEADER
    ).single()
    if old is None or (old["data"], old["version"]) != (info["data"], info["version"]):
        tx.run(
            "MERGE (g:GovmapRegister {id: $header}) SET g.data = $data, g.version = $version",
            header=HEADER,
            data=info["data"],
            version=info["version"],
        ).consume()
    s.version = info["version"]
    for n in nodes:
        s.by_label[n["label"]] = s.by_label.get(n["label"], 0) + 1
    for e in edges:
        name = RelType(e["type"]).name
        s.by_type[name] = s.by_type.get(name, 0) + 1
    s.by_label = dict(sorted(s.by_label.items()))
    s.by_type = dict(sorted(s.by_type.items()))
    return s


class Neo4jConflict(Neo4jError):
    """The database holds edits (made in the web app) that the file being loaded would undo."""

    status = 409
    exit_status = 6


def sync(
    register: Register,
    driver: Any,
    database: str | None = None,
    progress: Progress | None = None,
    force: bool = False,
    user: str | None = None,
    full: bool = False,
) -> SyncSummary:
    """Make the database hold exactly ``register``, in one transaction.

    Parameters
    ----------
    register : Register
        A validated register (validation happens before; an invalid register
        never reaches this function).
    driver : neo4j.Driver
        From :func:`connect`.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` while writing.
    force : bool
        Replace edits made in the database (through ``govmap serve --neo4j``)
        since the last load.  Without it such a load is refused with
        :class:`Neo4jConflict` and nothing changes: ``govmap dump`` first.
    user : str, optional
        Who loads, for the audit log (default: the login name).
    full : bool
        Compare every node and relationship even when the quick check says
        nothing changed.

    Returns
    -------
    SyncSummary
        Counts created / updated / deleted; ``changed`` is False on a no-op.

    Notes
    -----
    A re-run with an unchanged register is answered from the header: the
    register's digest (SHA-256 of its canonical JSON), no edit since the last
    load, and the node and relationship counts (from Neo4j's count store)
    all as the last load left them.  That costs about a fiftieth of a load at
    national size; ``full=True`` (``govmap load --full``) compares every
    node's and relationship's hash instead, which also finds hand edits that
    kept the counts.
    """
    from neo4j import exceptions as nx

    digest = register_digest(register)

    def work(tx: Any) -> SyncSummary:
        head = tx.run(
            "MATCH (g:GovmapRegister {id: $header}) RETURN g.version AS version, g.loaded AS loaded, "
            "g.digest AS digest, g.nodes AS nodes, g.edges AS edges",
            header=HEADER,
        ).single()
        before = head["version"] if head else "empty"
        edited = head is not None and head["loaded"] is not None and head["version"] != head["loaded"]
        if not full and head is not None and not edited and head["digest"] == digest:
            if _counts(tx) == (head["nodes"], head["edges"]):
                return _unchanged(register, before)
        nodes = [node_row(r, i) for i, r in enumerate(register.records())]
        edges = list(edge_rows(register))
        summary = _sync_tx(tx, register, nodes, edges, progress, verify=full)
        if edited and summary.changed and not force:
            last = tx.run(
                "MATCH (a:GovmapAudit) WHERE a.action <> 'load' RETURN a.summary AS s, a.user AS u, a.at AS at "
                "ORDER BY a.seq DESC LIMIT 1"
            ).single()
            latest = f" (latest: {last['s']} by {last['u']} at {last['at']})" if last else ""
            raise Neo4jConflict(
                f"the database holds edits made since the last load{latest}; nothing was changed",
                hint="run 'govmap dump -o FILE' to bring them into your register, or load with --force to replace them",
            )
        n_nodes, n_edges = _counts(tx)
        tx.run(
            "MATCH (g:GovmapRegister {id: $header}) "
            "SET g.loaded = g.version, g.digest = $digest, g.nodes = $nodes, g.edges = $edges",
            header=HEADER,
            digest=digest,
            nodes=n_nodes,
            edges=n_edges,
        ).consume()
        if summary.changed:
            seq = tx.run(
                "MATCH (g:GovmapRegister {id: $header}) SET g.edits = coalesce(g.edits, 0) + 1 RETURN g.edits AS seq",
                header=HEADER,
            ).single()["seq"]
            tx.run(
                "CREATE (a:GovmapAudit) SET a = $row",
                row={
                    "seq": seq,
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "user": user or _login_name(),
                    "action": "load",
                    "summary": "load: " + summary.format(),
                    "record": "",
                    "version_before": before,
                    "version_after": summary.version,
                    "diff": "",
                },
            ).consume()
        return summary

    try:
        ensure_schema(driver, database)
        with driver.session(database=database) as session:
            result: SyncSummary = session.execute_write(work)
            return result
    except (nx.ServiceUnavailable, nx.SessionExpired) as exc:
        raise Neo4jUnavailable(
            f"lost Neo4j during the load: {exc}; nothing was changed",
            hint="run the load again when the server is back",
        ) from None
    except nx.Neo4jError as exc:
        raise Neo4jError(f"Neo4j refused the load: {exc.message}; nothing was changed") from None


def register_digest(register: Register) -> str:
    """SHA-256 of the register's canonical JSON (pydantic's serializer: fast)."""
    return hashlib.sha256(register.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()


def _counts(tx: Any) -> tuple[int, int]:
    """Entity nodes and all relationships, from the count store (constant time)."""
    n = tx.run("MATCH (n:Entity) RETURN count(n) AS n").single()["n"]
    r = tx.run("MATCH ()-[r]->() RETURN count(r) AS r").single()["r"]
    return int(n), int(r)


def _unchanged(register: Register, version: str) -> SyncSummary:
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


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
