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
- **One writer at a time.** The transaction takes the header's lock before it
  reads anything (:mod:`.header`); concurrent loads and web edits queue.
- **Indexed.** Every relationship it deletes or updates is matched by its type
  and its element id (read under the lock), in batches; nodes by the ``id``
  constraint.  A relationship whose key moved (a link inserted before it in
  its list) is updated in place rather than deleted and created again.
- **Guarded.** A load that would delete more than 20 % of the stored records
  is refused unless forced (:func:`~govmap.ingest.reading.guard.deletion_guard`).
- **Exact and idempotent.** Each node and edge carries a content ``hash``; a
  sync reads the hashes, then creates, updates and deletes only what differs.
  A second run changes nothing and says so (quickly: see :func:`sync`).
- **Parameters only.** Register text reaches Cypher only as parameters.  The
  only names interpolated into queries are labels and relationship types from
  govmap's own enums.
"""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass
from typing import Any

from govmap.graph.neo4j.connect import (
    Neo4jError,
    Neo4jReadOnly,
    Neo4jSettings,
    Progress,
    classify,
    driver_errors,
    reset_retry_line,
)
from govmap.graph.neo4j.decisions import decisions_changed, replace_decisions
from govmap.graph.neo4j.header import finish_load, is_edited, lock_header_counted, now, read_header
from govmap.graph.neo4j.history import load_undo
from govmap.graph.neo4j.plan import Plan, plan_by_record, plan_changes
from govmap.graph.neo4j.rows import (
    ROWS_VERSION,
    edge_rows,
    info_row,
    node_row,
)
from govmap.graph.neo4j.summary import SyncSummary, count_records, summarise, unchanged_summary
from govmap.graph.neo4j.write import write_plan
from govmap.ingest.model import (
    Register,
    RelType,
)
from govmap.ingest.reading.guard import DEFAULT_MAX_DELETE_PCT, deletion_guard
from govmap.ingest.store.decisions import Decision

SCHEMA = {
    "govmap_entity_id": "CREATE CONSTRAINT govmap_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "govmap_register_id": (
        "CREATE CONSTRAINT govmap_register_id IF NOT EXISTS FOR (n:GovmapRegister) REQUIRE n.id IS UNIQUE"
    ),
    "govmap_entity_name": "CREATE INDEX govmap_entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    "govmap_decision_finding": (
        "CREATE CONSTRAINT govmap_decision_finding IF NOT EXISTS FOR (d:GovmapDecision) REQUIRE d.finding IS UNIQUE"
    ),
}
#: Indexes an earlier govmap created (relationship ``key`` per type) and nothing reads any more:
#: relationships are found by element id.  Each cost every relationship written; dropped.
OBSOLETE = [f"govmap_rel_{t.value}" for t in RelType]


def ensure_schema(driver: Any, database: str | None = None) -> None:
    """Create the constraints and indexes that are missing (none on a database that has them all),
    and drop the obsolete ones an earlier govmap made.

    Only missing ones are created, so a read-only database that already holds
    a register is never asked to write.
    """
    with driver.session(database=database) as session:
        have = {r["name"] for r in session.run("SHOW INDEXES YIELD name")}
        have |= {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")}
        for name, q in SCHEMA.items():
            if name not in have:
                session.run(q).consume()
        for name in OBSOLETE:
            if name in have:  # a name from govmap's own enum, never from register text
                session.run(f"DROP INDEX {name} IF EXISTS").consume()


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
    max_delete_pct: float = DEFAULT_MAX_DELETE_PCT,
    settings: Neo4jSettings | None = None,
    decisions: tuple[Decision, ...] | None = None,
    action: str = "load",
    expected_version: str | None = None,
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
        since the last load, and delete any share of the records.  Without it
        such a load is refused and nothing changes.
    user : str, optional
        Who loads, for the audit log (default: the login name).
    full : bool
        Compare every node and relationship even when the quick check says
        nothing changed.
    max_delete_pct : float
        Refuse (:class:`~govmap.ingest.reading.guard.DeletionRefused`) a load that
        would delete more than this share of the stored records.
    settings : Neo4jSettings, optional
        Where the database is, for messages.
    decisions : tuple of Decision, optional
        The decisions file beside the register (validated): the database's
        decisions are made these, in the same transaction.  None leaves them.
    action : str
        ``"load"`` (``govmap load``), or ``"import"`` (``govmap import --into``
        a database): an import is a change made *in* the store, like a web edit,
        so it replaces edits made since the last load without ``force``
        (``force`` still lifts the deletion guard), and the next load is refused
        until its file holds it.
    expected_version : str, optional
        The store version the new register was made from (an import merges a
        spreadsheet into what it read): refused (:class:`Neo4jConflict`) if the
        store changed since, so nobody's change is undone unseen.

    Returns
    -------
    SyncSummary
        Counts created / updated / deleted; ``changed`` is False on a no-op.

    Notes
    -----
    **One writer at a time.**  The transaction first takes the write lock of
    the register's header node (:func:`~govmap.graph.neo4j.header.lock_header`),
    and only then reads what the database holds and works out the changes.
    A second load started meanwhile waits for the lock, then compares its
    file with what the first one left and writes the difference on top: two
    loads never mix, and the one that commits last wins, as if they had run
    one after the other.  Web edits take the same lock.

    A re-run with an unchanged register is answered from the header: the
    register's digest (SHA-256 of its canonical JSON), no edit since the last
    load, and the node and relationship counts (from Neo4j's count store)
    all as the last load left them.  ``full=True`` (``govmap load --full``)
    compares every node's and relationship's hash instead, which also finds
    hand edits that kept the counts.
    """
    from neo4j import exceptions as nx

    settings = settings or Neo4jSettings(uri="Neo4j", database=database)
    digest = register_digest(register)
    reset_retry_line()

    load = _Load(
        register, digest, progress, force, user, full, max_delete_pct, decisions, action, expected_version
    )

    def work(tx: Any) -> SyncSummary:
        head, counts = lock_header_counted(tx)
        # The objects that exist already (the register: a national one is millions) are left out
        # of the cyclic collector's passes while the load runs; each pass over them took a tenth
        # of a second at 5 force areas, and a changed load allocates enough to set off several.
        gc.freeze()
        try:
            return _load_tx(tx, head, counts, load)
        finally:
            gc.unfreeze()

    try:
        with driver_errors(
            settings,
            "the load",
            write=True,
            unknown_hint="load the same file again: 'no change' means it was; or check with 'govmap dump'",
        ):
            ensure_schema(driver, database)
            with driver.session(database=database) as session:
                result: SyncSummary = session.execute_write(work)
                return result
    except Neo4jReadOnly:
        # A read-only database can still say "no change" about a file it already holds.
        with (
            driver_errors(settings, "the read of the register"),
            driver.session(database=database) as session,
        ):
            unchanged = session.execute_read(_unchanged_tx, register, digest)
        if unchanged is None:
            raise
        return unchanged
    except nx.Neo4jError as exc:  # raised outside driver_errors (should not happen)
        raise classify(settings, exc, "the load", True) from None


@dataclass(frozen=True)
class _Load:
    """What :func:`sync` was asked to do."""

    register: Register
    digest: str
    progress: Progress | None
    force: bool
    user: str | None
    full: bool
    max_delete_pct: float
    decisions: tuple[Decision, ...] | None
    action: str
    expected_version: str | None


def _load_tx(tx: Any, head: dict[str, Any], counts: tuple[int, int], load: _Load) -> SyncSummary:
    register = load.register
    before = head["version"] or "empty"
    if load.expected_version is not None and load.expected_version != before:
        raise Neo4jConflict(
            f"the database changed since the {load.action} read it (now at version {before}); nothing was changed",
            hint=f"run the {load.action} again: it will start from what the database holds now",
        )
    edited = is_edited(head)
    as_left = counts == (head["nodes"], head["edges"])
    decided = decisions_changed(tx, load.decisions) if load.decisions is not None else 0
    if not load.full and not edited and head["digest"] == load.digest and as_left and not decided:
        return unchanged_summary(register, before)
    plan = _plan(tx, head, register, load.full, as_left)
    summary = summarise(plan, register)
    summary.decisions_changed = decided
    header = {
        "data": info_row(register)["data"],
        "digest": load.digest,
        "next_order": plan.next_order if plan.next_order is not None else summary.nodes,
        "rows": ROWS_VERSION,
    }
    summary.info_updated = head["data"] is not None and head["data"] != header["data"]
    # An import is a change made in the store: it replaces edits as an edit would.
    if edited and load.action == "load" and summary.content_changed and not load.force:  # positions undo none
        last = tx.run(
            "MATCH (a:GovmapAudit) WHERE a.action <> 'load' RETURN a.summary AS s, a.user AS u, a.at AS at "
            "ORDER BY a.seq DESC LIMIT 1"
        ).single()
        latest = f" (latest: {last['s']} by {last['u']} at {last['at']})" if last else ""
        raise Neo4jConflict(
            f"the database holds edits made since the last load{latest}; nothing was changed",
            hint="run 'govmap dump -o FILE' to bring them into your register, or load with --force to replace them",
        )
    deletion_guard(plan.old_ids, set(register.index), load.max_delete_pct, load.force)
    if edited and summary.changed:  # forced: say which web edits this load replaces
        summary.replaced = web_edits_since_load(tx)
    # The record counts (renames) and the audit log's undo are worked out while the server writes.
    undo: list[str] = []
    jobs = [lambda: count_records(summary, plan, register)]
    if summary.changed:
        jobs.append(
            lambda: undo.append(
                load_undo(plan.old_records.data, [n["id"] for n in plan.create] + plan.changed, head["data"])
            )
        )
    write_plan(tx, plan, load.progress, meanwhile=jobs)
    if load.decisions is not None:
        replace_decisions(tx, load.decisions)
    # A load leaves the database as its file; an import is a change made in it, as an edit is.
    origin = "load" if load.action == "load" else "edit"
    row = None
    if summary.changed:
        row = {
            "at": now(),
            "user": load.user or _login_name(),
            "action": load.action,
            "summary": f"{load.action}: " + summary.format(),
            "record": "",
            "version_before": before,
            "diff": "",
            "undo": undo[0],
        }
    # Else the file matches the database (say, after 'govmap dump' of web edits): it is marked loaded.
    bumped = summary.changed or head["version"] is None
    summary.version = finish_load(tx, head, origin, header, bumped, row)
    return summary


def _plan(tx: Any, head: dict[str, Any], register: Register, full: bool, as_left: bool) -> Plan:
    """The plan, by record hash when the database is as govmap left it, else hash by hash.

    ``as_left``: its node and relationship counts are those of govmap's last
    write.  A database written with other rows (an older govmap) is compared
    property by property once, as with ``--full``.
    """
    current = head.get("rows") == ROWS_VERSION
    if current and as_left and not full:
        return plan_by_record(tx, register)
    nodes = [node_row(r, i) for i, r in enumerate(register.records())]
    return plan_changes(tx, nodes, list(edge_rows(register)), verify=full or not current)


def web_edits_since_load(tx: Any) -> list[str]:
    """The web edits made since the last load, oldest first: ``summary by user at time``."""
    rows = tx.run(
        "OPTIONAL MATCH (l:GovmapAudit {action: 'load'}) WITH max(l.seq) AS last "
        "MATCH (a:GovmapAudit) WHERE a.action <> 'load' AND (last IS NULL OR a.seq > last) "
        "RETURN a.summary AS s, a.user AS u, a.at AS at ORDER BY a.seq"
    )
    return [f"{r['s']} by {r['u']} at {r['at']}" for r in rows]


def _unchanged_tx(tx: Any, register: Register, digest: str) -> SyncSummary | None:
    """The no-change answer of a read-only check, or None if the file differs from the database."""
    head = read_header(tx)
    if head is None or is_edited(head) or head["digest"] != digest:
        return None
    if store_counts(tx) != (head["nodes"], head["edges"]):
        return None
    return unchanged_summary(register, head["version"] or "empty")


def register_digest(register: Register) -> str:
    """SHA-256 of the register's canonical JSON (pydantic's serializer: fast)."""
    return hashlib.sha256(register.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()


def store_counts(tx: Any) -> tuple[int, int]:
    """Entity nodes and all relationships, from the count store (constant time)."""
    n = tx.run("MATCH (n:Entity) RETURN count(n) AS n").single()["n"]
    r = tx.run("MATCH ()-[r]->() RETURN count(r) AS r").single()["r"]
    return int(n), int(r)


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
