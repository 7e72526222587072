"""The audit log kept in Neo4j, and the register as it was before any entry of it.

Every write to the store leaves a ``:GovmapAudit`` node (:mod:`.header`).  An
edit keeps the record before and after (``before``, ``after``: the record's
data) and its ``section``; a load keeps what undoes it in ``undo``: the
records it changed or removed as they were, the ids it added or changed, and
the register's header before.  So the Changes page can compare the store with
the register before any audited change (:func:`register_before`), as the YAML
store does by undoing the file's diffs.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from govmap.graph.neo4j.read import read_tx
from govmap.graph.review.sources import RevisionUnreadable
from govmap.ingest.model import LABELS, Record, Register, RegisterInfo
from govmap.ingest.store.audit import AuditEntry
from govmap.ingest.store.hoodcheck import register_of

#: What a History page reads of an entry (not ``undo``, which can be large).
_FIELDS = ", ".join(f".{k}" for k in (*AuditEntry.__dataclass_fields__, "seq"))
_MODELS = {model.section: model for model in LABELS.values()}


def read_history(tx: Any, limit: int | None) -> list[AuditEntry]:
    """Audit entries, newest first (at most ``limit``)."""
    rows = tx.run(
        f"MATCH (a:GovmapAudit) RETURN a {{{_FIELDS}}} AS a ORDER BY a.seq DESC LIMIT $limit",
        limit=limit if limit is not None else 1_000_000,
    )
    return [_entry(dict(r["a"])) for r in rows]


def _entry(data: dict[str, Any]) -> AuditEntry:
    data["before"] = json.loads(data["before"]) if data.get("before") else None
    data["after"] = json.loads(data["after"]) if data.get("after") else None
    fields: dict[str, Any] = {k: data.get(k) for k in AuditEntry.__dataclass_fields__}
    return AuditEntry(**fields)


def load_undo(
    old: dict[str, tuple[type[Record], dict[str, Any]]], new_ids: list[str], info: str | None
) -> str:
    """What undoes a load: the records it changed or removed as they were (kind and fields, as
    read: :func:`~govmap.graph.neo4j.read.record_data`), the ids it added or changed, and the
    register's header before (JSON, kept as the entry's ``undo``)."""
    return json.dumps(
        {
            "before": {rid: [model.section, data] for rid, (model, data) in old.items()},
            "after": new_ids,
            "info": json.loads(info) if info else None,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def register_before(tx: Any, index: int) -> tuple[Register, AuditEntry]:
    """The register just before the ``index``-th newest audit entry, and that entry.

    The register now is read, then every newer entry (and that one) undone in
    turn, newest first; decisions change no record and are passed over.
    Raises :class:`RevisionUnreadable` when an entry cannot be undone (the
    database was changed outside govmap since, or by a govmap that kept no undo).
    """
    register, version = read_tx(tx)
    rows = tx.run(
        f"MATCH (a:GovmapAudit) RETURN a {{{_FIELDS}, .undo, .section}} AS a ORDER BY a.seq DESC LIMIT $n",
        n=index + 1,
    ).data()
    if len(rows) <= index:
        raise RevisionUnreadable("Audit entry: no such entry", hint="pick one from the list")
    entries = [(_entry(dict(r["a"])), r["a"]) for r in rows]
    changes = [(e, raw) for e, raw in entries if e.action != "decide"]
    if changes and changes[0][0].version_after != version:
        raise RevisionUnreadable(
            "the database was changed outside govmap after its last audited change",
            hint="compare with the register file or a git revision of it instead",
        )
    records: dict[str, Record] = {r.id: r for r in register.records()}
    info = register.info
    for entry, raw in changes:
        if entry.action == "load":
            if not raw.get("undo"):
                raise RevisionUnreadable(
                    f"the load of {entry.at} kept nothing to undo it (an older govmap wrote it)",
                    hint="compare with the register file or a git revision of it instead",
                )
            undo = json.loads(raw["undo"])
            for rid in undo["after"]:
                records.pop(rid, None)
            for rid, (section, data) in undo["before"].items():
                records[rid] = _undone(entry, rid, _MODELS[section], data)
            if undo.get("info") is not None:
                info = RegisterInfo.model_validate(undo["info"])
            continue
        if entry.after is not None:
            records.pop(str(entry.after.get("id", entry.record)), None)
        if entry.before is not None:
            now = register.get(entry.record)
            model: type[Record] | None = _MODELS.get(raw.get("section") or "")
            if model is None and now is not None:
                model = type(now)
            if model is None:
                raise RevisionUnreadable(
                    f"the edit of {entry.at} did not keep which section '{entry.record}' was in",
                    hint="compare with the register file or a git revision of it instead",
                )
            records[str(entry.before.get("id", entry.record))] = model.model_validate(entry.before)
    return register_of(list(records.values()), info), entries[-1][0]


def _undone(entry: AuditEntry, rid: str, model: type[Record], data: dict[str, Any]) -> Record:
    """Record ``rid`` as a load's undo keeps it (its fields as the database held them)."""
    try:
        return model.model_validate(data)
    except ValidationError:  # the database held it broken (a hand edit): the load kept it so
        raise RevisionUnreadable(
            f"the load of {entry.at} replaced '{rid}', which the database held broken (edited by hand), "
            "so the register before it cannot be made",
            hint="compare with the register file or a git revision of it instead",
        ) from None
