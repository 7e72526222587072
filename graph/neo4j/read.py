"""Read the register back from Neo4j into the one domain model."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from govmap.graph.neo4j.connect import (
    Neo4jSettings,
    StoredRegisterInvalid,
    driver_errors,
)
from govmap.graph.neo4j.rows import (
    HEADER,
)
from govmap.ingest.model import (
    LABELS,
    REF_RULES,
    Record,
    RefRule,
    Register,
    RegisterInfo,
)


# -- read back -----------------------------------------------------------------
def read_register(
    driver: Any, database: str | None = None, settings: Neo4jSettings | None = None
) -> Register:
    """The register stored in the database, as the same domain model, validated.

    Records come from node properties (``data`` holds their own fields) and
    their relationships from the edges, so an edge deleted in Neo4j is gone
    from the register too.  ``YAML -> Neo4j -> register`` equals the original.
    Raises :class:`Neo4jError` when the database holds no govmap register or
    one that breaks the register's rules (say, after a hand edit in Browser).
    """
    settings = settings or Neo4jSettings(uri="Neo4j", database=database)
    return read_stored_version(driver, settings)[0]


def read_stored_version(driver: Any, settings: Neo4jSettings) -> tuple[Register, str]:
    """:func:`read_register` and the version it was read at (one transaction)."""
    with (
        driver_errors(settings, "the read of the register"),
        driver.session(database=settings.database) as session,
    ):
        register, version = session.execute_read(read_tx)
    return held(register, version), version


def held(register: Register, version: str) -> Register:
    """``register`` as read at ``version``, if it is a register: refused when the database holds
    none, or one that breaks the register's rules (:func:`check_stored`)."""
    if version == "empty":
        raise StoredRegisterInvalid(
            "the database holds no govmap register", hint="load one first with 'govmap load REGISTER'"
        )
    check_stored(register)
    return register


def check_stored(register: Register) -> None:
    """Every rule of a register file, applied to the one read from Neo4j."""
    from govmap.ingest.reading.load import check_text
    from govmap.ingest.store.dump import dump_register

    checked = check_text(dump_register(register), "neo4j")
    if checked.errors:
        first = checked.errors[0]
        raise StoredRegisterInvalid(
            f"the register in Neo4j breaks {len(checked.errors)} rule(s), e.g. {first.message}",
            hint="fix it in the database or load a valid register with 'govmap load --force'",
        )


def read_tx(tx: Any) -> tuple[Register, str]:
    """Read the register and its version inside a transaction."""
    nodes = tx.run(
        "MATCH (n:Entity) RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'][0] AS label, "
        "n.data AS data, n.order AS order ORDER BY n.order, n.id"
    ).data()
    edges = tx.run(
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE r.key IS NOT NULL "
        "RETURN a.id AS s, b.id AS t, r.field AS field, r.origin AS origin, "
        "r.index AS index, r.data AS data, r.short AS short ORDER BY r.origin, r.field, r.index"
    ).data()
    head = tx.run(
        "MATCH (g:GovmapRegister {id: $header}) RETURN g.data AS data, g.version AS version", header=HEADER
    ).single()
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for e in edges:
        by_origin.setdefault(e["origin"], []).append(e)
    sections: dict[str, list[Record]] = {}
    for n in nodes:
        record = record_from(n, by_origin.get(n["id"], []))
        sections.setdefault(record.section, []).append(record)
    info = RegisterInfo.model_validate(json.loads(head["data"])) if head and head["data"] else RegisterInfo()
    fields: dict[str, Any] = {k: tuple(v) for k, v in sections.items()}
    version = (head["version"] if head else None) or "empty"
    return Register.model_construct(govmap=1, info=info, **fields), version


def record_from(node: dict[str, Any], edges: list[dict[str, Any]]) -> Record:
    """One record from its node (``id``, ``label``, ``data``) and the edges written in it.

    Each edge is a mapping with ``s``, ``t``, ``field``, ``index``, ``data`` and
    ``short``, as :func:`read_tx` and :mod:`.editing` read them.
    """
    model, data = record_data(node, edges)
    return validated(node["id"], model, data)


def record_data(node: dict[str, Any], edges: list[dict[str, Any]]) -> tuple[type[Record], dict[str, Any]]:
    """The kind and the fields of the record :func:`record_from` makes, not yet validated.

    What :func:`~govmap.graph.neo4j.history.load_undo` keeps of a record a load
    changes (validating every one of them cost a load a tenth of its time).
    """
    model = LABELS.get(node["label"])
    if model is None:
        raise StoredRegisterInvalid(
            f"node '{node['id']}' in Neo4j has no govmap kind label (one of {', '.join(LABELS)})"
        )
    try:
        data = json.loads(node["data"])
    except (TypeError, ValueError):
        raise StoredRegisterInvalid(f"node '{node['id']}' in Neo4j has no readable 'data' property") from None
    if not isinstance(data, dict):
        raise StoredRegisterInvalid(f"node '{node['id']}' in Neo4j has no readable 'data' property")
    by_field: dict[str, list[dict[str, Any]]] = {}
    for e in sorted(edges, key=lambda e: (e["field"], e["index"])):
        by_field.setdefault(e["field"], []).append(e)
    for rule in REF_RULES[model]:
        items = by_field.get(rule.field, [])
        if not items:
            continue
        values = [_item_value(rule, e["s"] if rule.reverse else e["t"], e) for e in items]
        data[rule.field] = values if rule.item else values[0]
    return model, data


def validated(rid: str, model: type[Record], data: dict[str, Any]) -> Record:
    """``data`` made a record of ``model``, or :class:`StoredRegisterInvalid` naming node ``rid``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"])
        raise StoredRegisterInvalid(
            f"node '{rid}' in Neo4j is not a valid record: {where}: {err['msg']}"
        ) from None


def stored_version(driver: Any, database: str | None = None) -> str:
    """The version of the stored register ("empty" before the first load); one small query."""
    with driver.session(database=database) as session:
        rec = session.run(
            "MATCH (g:GovmapRegister {id: $header}) RETURN g.version AS v", header=HEADER
        ).single()
    return rec["v"] if rec and rec["v"] else "empty"


def _item_value(rule: RefRule, other: str, edge: dict[str, Any]) -> Any:
    if edge["short"]:
        return other
    data = json.loads(edge["data"])
    return {rule.target_key: other, **data}
