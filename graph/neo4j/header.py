"""The register's header node: the one lock every write takes, the store version, the audit counter.

Every write to the store — ``govmap load``, an edit from ``govmap serve
--neo4j`` — starts its transaction with :func:`lock_header`, which takes the
write lock of the ``:GovmapRegister`` node *before anything else is read*.  A
second writer waits there until the first commits or rolls back, then reads
what the first one left: writers are serialised, and every decision ("no
change", "the database holds web edits", "this record changed since the form
was opened") is made on data no one else can change until the transaction
ends.

Header properties:

``serial``
    A counter, +1 for every write that changes the register (monotonic).
``version``
    ``"<serial>-<random>"``: the store version the web app caches by.  The
    random part keeps versions unique even if the database is emptied and
    loaded again from scratch.
``origin``
    ``"load"`` or ``"edit"``: what made the last write.  A load is refused
    (exit 6) while it says ``"edit"``, unless forced.
``loaded``, ``digest``
    The version and register digest of the last load, so an unchanged
    re-load is answered from the header.
``nodes``, ``edges``
    The node and relationship counts govmap's last write left (a load or an
    edit): a database that still has them is planned record by record.
``rows``
    The shape of the rows the last load wrote (:data:`~govmap.graph.neo4j.rows.ROWS_VERSION`).
``edits``
    The audit sequence counter (orders the History page).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from govmap.graph.neo4j.rows import HEADER

#: The header's properties, as a query returns them (``g`` is the header node).
HEADER_KEYS = (
    "version",
    "serial",
    "origin",
    "loaded",
    "digest",
    "nodes",
    "edges",
    "data",
    "next_order",
    "rows",
)
HEADER_FIELDS = ", ".join(f"g.{k} AS {k}" for k in HEADER_KEYS)
#: Takes the header's write lock (``g``), creating the header if the database has none:
#: ``SET ... REMOVE`` of a scratch property changes nothing but locks the node until the
#: transaction ends.  The first step of every write.
LOCK_HEADER = "MERGE (g:GovmapRegister {id: $header}) SET g.lock = true REMOVE g.lock"


def lock_header(tx: Any) -> dict[str, Any]:
    """Take the register's write lock (:data:`LOCK_HEADER`); return the header."""
    rec = tx.run(f"{LOCK_HEADER} RETURN {HEADER_FIELDS}", header=HEADER).single()
    return dict(rec)


#: Entity nodes and all relationships, from Neo4j's count store (constant time), as a query's
#: ``n_nodes`` and ``n_edges`` (after a ``WITH``).
COUNTS = "CALL { MATCH (n:Entity) RETURN count(n) AS n_nodes } CALL { MATCH ()-[r]->() RETURN count(r) AS n_edges } "


def lock_header_counted(tx: Any) -> tuple[dict[str, Any], tuple[int, int]]:
    """:func:`lock_header`, and the store's node and relationship counts read under the lock, in
    one round trip (a load's first)."""
    rec = tx.run(
        f"{LOCK_HEADER} WITH g {COUNTS}RETURN {HEADER_FIELDS}, n_nodes, n_edges", header=HEADER
    ).single()
    head = dict(rec)
    counts = int(head.pop("n_nodes")), int(head.pop("n_edges"))
    return head, counts


def finish_load(
    tx: Any,
    head: dict[str, Any],
    origin: str,
    props: dict[str, Any],
    bumped: bool,
    row: dict[str, Any] | None,
) -> str:
    """A load's last round trip: the next version (if ``bumped``; else the version stays), the
    header's ``props``, the node and relationship counts the load leaves (from the count store,
    so the next load can tell a database as govmap left it), and the audit entry ``row`` (if
    any; its ``version_after`` is the new version).  Returns the version.
    """
    props = {**props, "origin": origin}
    if bumped:
        serial, version = _next_version(head)
        props.update(serial=serial, version=version)
    else:
        version = head["version"]
    if origin == "load":
        props["loaded"] = version
    audit = ""
    if row is not None:
        audit = "SET g.edits = coalesce(g.edits, 0) + 1 WITH g CREATE (a:GovmapAudit) SET a = $row, a.seq = g.edits"
        row = {**row, "version_after": version}
    tx.run(
        f"MATCH (g:GovmapRegister {{id: $header}}) WITH g {COUNTS}"
        f"SET g += $props, g.nodes = n_nodes, g.edges = n_edges {audit}",
        header=HEADER,
        props=props,
        row=row,
    )
    head.update(props)
    return str(version)


def read_header(tx: Any) -> dict[str, Any] | None:
    """The header without locking it (for read-only checks), or None."""
    rec = tx.run(f"MATCH (g:GovmapRegister {{id: $header}}) RETURN {HEADER_FIELDS}", header=HEADER).single()
    return dict(rec) if rec is not None else None


def is_edited(head: dict[str, Any] | None) -> bool:
    """Whether the last write to the store was an edit (not a load)."""
    if head is None:
        return False
    if head.get("origin") is not None:
        return bool(head["origin"] == "edit")
    # Headers written before ``origin`` existed: the version moved on since the last load.
    return head.get("loaded") is not None and head.get("version") != head.get("loaded")


def _next_version(head: dict[str, Any]) -> tuple[int, str]:
    """The header's next serial and a version no other writer can also mint."""
    serial = int(head.get("serial") or 0) + 1
    return serial, f"{serial}-{secrets.token_hex(6)}"


def bump_with_audit(tx: Any, head: dict[str, Any], origin: str, row: dict[str, Any], **props: Any) -> str:
    """The next version and :func:`add_audit` in one query (a web edit's last round trip).

    ``row`` is the audit entry without its versions: ``version_before`` is the
    header's version, ``version_after`` the new one.  Returns the new version.
    """
    serial, version = _next_version(head)
    entry = {**row, "version_before": head.get("version") or "empty", "version_after": version}
    tx.run(
        "MATCH (g:GovmapRegister {id: $header}) "
        "SET g.serial = $serial, g.version = $version, g.origin = $origin, g += $props, "
        "g.edits = coalesce(g.edits, 0) + 1 "
        "WITH g CREATE (a:GovmapAudit) SET a = $row, a.seq = g.edits",
        header=HEADER,
        serial=serial,
        version=version,
        origin=origin,
        props=props,
        row=entry,
    ).consume()
    head.update(serial=serial, version=version, origin=origin, **props)
    return version


def set_header(tx: Any, **props: Any) -> None:
    tx.run("MATCH (g:GovmapRegister {id: $header}) SET g += $props", header=HEADER, props=props).consume()


def add_audit(tx: Any, row: dict[str, Any]) -> None:
    """Append an audit entry numbered by the header's counter (in the caller's transaction)."""
    seq = tx.run(
        "MATCH (g:GovmapRegister {id: $header}) SET g.edits = coalesce(g.edits, 0) + 1 RETURN g.edits AS seq",
        header=HEADER,
    ).single()["seq"]
    tx.run("CREATE (a:GovmapAudit) SET a = $row", row={**row, "seq": seq}).consume()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
