"""An edit checked against its record's neighbourhood, not the whole register.

Steps 3 and 4 of a Neo4j edit (see :mod:`.editing`): read the records the edited
record names before and after the edit, those that name it when it is removed or
renamed, and the ``reports_to`` / ``sub_group_of`` chain that could close a cycle
through it; apply the edit to that small register with the YAML store's code and
rules, and refuse it if it adds an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from govmap.graph.neo4j.read import record_from
from govmap.ingest.dump import dump_register
from govmap.ingest.edit_values import AddRecord, ChangeRecord, Edit, RemoveRecord
from govmap.ingest.edits import _invalid as edit_invalid  # the form-field mapping of the YAML store
from govmap.ingest.errors import EditRefused, UnknownRecord
from govmap.ingest.load import check_text
from govmap.ingest.model import (
    REPORTING_FIELDS,
    SECTIONS,
    Document,
    Organisation,
    Record,
    Register,
    RegisterInfo,
)
from govmap.ingest.mutate import mutate
from govmap.ingest.roundtrip import _dump, _load, _yaml
from govmap.ingest.yamlsafe import parse


def edited_record(tx: Any, edit: Edit, old: Record | None, info: RegisterInfo) -> tuple[Record | None, str]:
    """The record after the edit, checked against its neighbourhood; (None, section) when removed."""
    section = old.section if old is not None else getattr(edit, "section", "")
    if isinstance(edit, RemoveRecord):
        if old is None:
            raise UnknownRecord(f"no record with id '{edit.id}'")
        naming = _naming(tx, old)
        if not naming and old.id not in info.top:
            return None, section  # nothing names it: removing it breaks nothing
        hood = read_records(tx, naming)
        _check(edit, [old, *(r for r, _ in hood.values())], info)
        return None, section
    # Records named by the record before the edit, and after: found from the edited text.
    base = [old] if old is not None else []
    first = _apply(edit, base, info)
    after = _record_in(first, edit, old)
    ids = _mentions(after) | (_mentions(_data(old)) if old is not None else set())
    if old is not None and after.get("id") != old.id:
        ids |= _naming(tx, old)  # renamed: every record naming the old id must be checked
    ids |= _cycle_ids(tx, old.id if old is not None else str(after.get("id", "")), after)
    ids.discard(old.id if old is not None else "")
    hood = read_records(tx, sorted(ids))
    text = _check(edit, [*base, *(r for r, _ in hood.values())], info)
    data = _record_in(parse(text, "<edit>").data, edit, old)
    model = SECTIONS[section]
    return model.model_validate(data), section


def _apply(edit: Edit, records: list[Record], info: RegisterInfo) -> dict[str, Any]:
    """The edit applied to a small register (plain data): used to learn what the new record names."""
    text = dump_register(register_of(records, info))
    y = _yaml(text)
    doc = _load(text, y)
    mutate(doc, edit)
    return parse(_dump(doc, y, text), "<edit>").data or {}


def _check(edit: Edit, records: list[Record], info: RegisterInfo) -> str:
    """Apply the edit to the neighbourhood; raise EditInvalid for the errors it adds. Return the new text."""
    text = dump_register(register_of(records, info))
    before = check_text(text, "register")
    y = _yaml(text)
    doc = _load(text, y)
    where = mutate(doc, edit)
    new_text = _dump(doc, y, text)
    after = check_text(new_text, "register")
    old = {(p.code, p.message) for p in before.errors}
    added = [p for p in after.errors if (p.code, p.message) not in old]
    if added:
        raise edit_invalid(edit, added, new_text, where)
    return new_text


def _record_in(data: dict[str, Any], edit: Edit, old: Record | None) -> dict[str, Any]:
    """The edited record's mapping in plain register data."""
    if isinstance(edit, AddRecord):
        items = data.get(edit.section) or []
        if not items or not isinstance(items[-1], dict):
            raise EditRefused(f"the new {edit.section} record could not be read back")
        return dict(items[-1])
    assert old is not None
    items = data.get(old.section) or []
    # ChangeRecord may change the id: the edited record keeps its position (the first one).
    for item in items:
        if isinstance(item, dict) and item.get("id") in (old.id, _new_id(edit, old)):
            return dict(item)
    raise EditRefused(f"the record '{old.id}' could not be read back after the edit")


def _new_id(edit: Edit, old: Record) -> str:
    if isinstance(edit, ChangeRecord) and isinstance(edit.changes.get("id"), str):
        return str(edit.changes["id"])
    return old.id


def _data(rec: Record) -> dict[str, Any]:
    return rec.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def _mentions(data: Any) -> set[str]:
    """Every string in a record's data: the ids it may name (looked up by the id index; most miss)."""
    out: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) <= 200:
                out.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return out


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


def _cycle_ids(tx: Any, rid: str, data: dict[str, Any]) -> set[str]:
    """Bodies on a reports_to / sub_group_of chain from the record's new parents back to it."""
    if data.get("id") is None or not rid:
        return set()
    targets = set()
    for fld in REPORTING_FIELDS:
        value = data.get(fld)
        for item in value if isinstance(value, list) else [value] if value else []:
            target = item.get("to") if isinstance(item, dict) else item
            if isinstance(target, str) and target != rid:
                targets.add(target)
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


def register_of(records: list[Record], info: RegisterInfo) -> Register:
    sections: dict[str, list[Record]] = {}
    seen: set[int] = set()
    for rec in records:
        if id(rec) not in seen:
            seen.add(id(rec))
            sections.setdefault(rec.section, []).append(rec)
    fields: dict[str, Any] = {k: tuple(v) for k, v in sections.items()}
    return Register.model_construct(govmap=1, info=info, **fields)


def single_register(rec: Record | None) -> Register | None:
    return register_of([rec], RegisterInfo()) if rec is not None else None


def record_text(rec: Record | None, info: RegisterInfo) -> str:
    return dump_register(register_of([rec] if rec is not None else [], RegisterInfo(name=info.name)))
