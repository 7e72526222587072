"""The register as node and edge rows, each with a content hash, and the register header."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from govmap.graph.neo4j.connect import (
    RelFields,
)
from govmap.ingest.model import (
    Item,
    Record,
    Register,
    Relation,
    RelType,
    effective_status,
)

# -- rows: the register as node and edge rows --------------------------------
# One encoder each, made once: json.dumps with options builds a new encoder per call,
# which was a third of the cost of a no-change re-sync.  Same output as json.dumps.
_HASH_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)
_DATA_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def _hash(obj: Any) -> str:
    text = _HASH_JSON.encode(obj)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


#: The shape of the rows below.  Stored in the header by every load: a database written with
#: another shape is compared property by property once (``verify``), then by record hash.
ROWS_VERSION = 2


def record_json(rec: Record) -> str:
    """The record's canonical JSON (pydantic's serializer), what :func:`record_hash` hashes."""
    return rec.model_dump_json(by_alias=True)


def record_hash(rec: Record, text: str | None = None) -> str:
    """The content hash of a record *with the links written in it*, not its position.

    Equal for two records that load to the same node and relationships (the
    record's canonical JSON, pydantic's serializer: about 10 µs a record), so a
    re-load rewrites only records whose hash changed.  Kept on the node as ``rhash``.

    >>> from govmap.ingest.model import Body
    >>> a = Body(id="b", name="Board", kind="board", reports_to="top")
    >>> record_hash(a) == record_hash(Body(id="b", name="Board", kind="board", reports_to="top"))
    True
    >>> record_hash(a) == record_hash(a.model_copy(update={"name": "The Board"}))
    False
    """
    if text is None:  # ``text``: record_json(rec), if the caller has it already
        text = record_json(rec)
    text = f"{ROWS_VERSION}\x00{rec.label}\x00{text}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def node_row(rec: Record, order: float | int, rhash: str | None = None) -> dict[str, Any]:
    """One node: readable properties for Cypher users, plus the record's own fields as JSON.

    ``hash`` covers the node's properties but not its position (``order``) nor
    ``rhash``: a record that only moved in the file keeps its hash.
    """
    data = rec.model_dump(
        mode="json", by_alias=True, exclude_defaults=True, exclude=RelFields & set(type(rec).model_fields)
    )
    props: dict[str, Any] = {
        "id": rec.id,
        "name": rec.name,
        "kind": rec.word,
        "subtype": rec.subtype,
        "status": effective_status(rec).value,
        "aliases": list(rec.aliases),
        "description": rec.description,
        "sources": [s.doc + (f" § {s.section}" if s.section else "") for s in rec.sources],
        "data": _DATA_JSON.encode(data),
    }
    props["hash"] = _hash(props)
    props["order"] = order
    props["rhash"] = rhash or record_hash(rec)  # ``rhash``: record_hash(rec), if the caller has it
    return {"id": rec.id, "label": rec.label, "props": props}


def _item_data(item: Any) -> tuple[dict[str, Any], bool]:
    """The link's own fields as written, and whether it was a bare id."""
    if isinstance(item, Item):
        return item.facts(), item.is_short
    return {}, True  # a plain id field (Post.organisation)


def edge_rows(register: Register) -> Iterator[dict[str, Any]]:
    """Every relationship of the register, as rows for :func:`edge_rows_of`."""
    for rec in register.records():
        yield from edge_rows_of(rec)


def edge_rows_of(rec: Record) -> Iterator[dict[str, Any]]:
    """The relationships written in one record (its ``origin`` edges)."""
    items_by_field: dict[str, tuple[Any, ...]] = {}
    for rel in _relations(rec):
        if rel.field not in items_by_field:
            value = getattr(rec, rel.field)
            items_by_field[rel.field] = (value,) if isinstance(value, str) else value
        data, short = _item_data(items_by_field[rel.field][rel.index])
        props = {
            "key": rel.key,
            "origin": rel.origin,
            "field": rel.field,
            "index": rel.index,
            "role": rel.role,
            "status": rel.status.value,
            "short": short,
            "data": _DATA_JSON.encode(data),
        }
        props["hash"] = _hash([rel.type.value, rel.source, rel.target, props])
        yield {
            "type": rel.type,
            "source": rel.source,
            "target": rel.target,
            "key": rel.key,
            "props": props,
        }


_NODE_KEYS = ("id", "name", "kind", "subtype", "status", "aliases", "description", "sources", "data")
_EDGE_KEYS = ("key", "origin", "field", "index", "role", "status", "short", "data")


def stored_node_hash(props: dict[str, Any]) -> str:
    """The hash a node's stored properties would have (Neo4j drops null properties)."""
    return _hash({k: props.get(k) for k in _NODE_KEYS})


def stored_edge_hash(type_name: str, source: str, target: str, props: dict[str, Any]) -> str:
    """The hash a link's stored properties would have (the type by name or by value)."""
    rtype = RelType[type_name].value if type_name in RelType.__members__ else type_name
    return _hash([rtype, source, target, {k: props.get(k) for k in _EDGE_KEYS}])


def _relations(rec: Record) -> Iterator[Relation]:
    from govmap.ingest.model import relations_of

    return relations_of(rec)


#: The id of the one ``:GovmapRegister`` node that holds the header and the version.
HEADER = "register"


def info_row(register: Register) -> dict[str, Any]:
    """The register's header (its ``register:`` block) as the row the header node stores."""
    return {"data": json.dumps(register.info.model_dump(mode="json"), sort_keys=True)}


def register_version(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], info: dict[str, Any]) -> str:
    """A token that changes whenever the stored register does (for optimistic concurrency)."""
    h = hashlib.sha256(info["data"].encode("utf-8"))
    for n in nodes:
        h.update(n["props"]["hash"].encode("ascii"))
    for e in edges:
        h.update(e["props"]["hash"].encode("ascii"))
    return h.hexdigest()
