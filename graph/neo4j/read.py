"""Read the register back from Neo4j into the one domain model."""

from __future__ import annotations

import json
from typing import Any

from govmap.graph.neo4j.connect import (
    Neo4jUnavailable,
    StoredRegisterInvalid,
)
from govmap.graph.neo4j.rows import (
    HEADER,
)
from govmap.ingest.model import (
    LABELS,
    REF_RULES,
    Record,
    Register,
    RegisterInfo,
)
from pydantic import ValidationError


# -- read back -----------------------------------------------------------------
def read_register(driver: Any, database: str | None = None) -> Register:
    """The register stored in the database, as the same domain model, validated.

    Records come from node properties (``data`` holds their own fields) and
    their relationships from the edges, so an edge deleted in Neo4j is gone
    from the register too.  ``YAML -> Neo4j -> register`` equals the original.
    Raises :class:`Neo4jError` when the database holds no govmap register or
    one that breaks the register's rules (say, after a hand edit in Browser).
    """
    from neo4j import exceptions as nx

    try:
        with driver.session(database=database) as session:
            register, version = session.execute_read(read_tx)
    except (nx.ServiceUnavailable, nx.SessionExpired):
        raise Neo4jUnavailable(
            "lost Neo4j while reading the register", hint="try again when the server is back"
        ) from None
    if version == "empty":
        raise StoredRegisterInvalid(
            "the database holds no govmap register", hint="load one first with 'govmap load REGISTER'"
        )
    check_stored(register)
    return register


def check_stored(register: Register) -> None:
    """Every rule of a register file, applied to the one read from Neo4j."""
    from govmap.ingest.dump import dump_register
    from govmap.ingest.load import check_text

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
    by_origin: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for e in edges:
        by_origin.setdefault(e["origin"], {}).setdefault(e["field"], []).append(e)
    sections: dict[str, list[Record]] = {}
    for n in nodes:
        model = LABELS.get(n["label"])
        if model is None:
            raise StoredRegisterInvalid(
                f"node '{n['id']}' in Neo4j has no govmap kind label (one of {', '.join(LABELS)})"
            )
        try:
            data = json.loads(n["data"])
        except (TypeError, ValueError):
            raise StoredRegisterInvalid(
                f"node '{n['id']}' in Neo4j has no readable 'data' property"
            ) from None
        for rule in REF_RULES[model]:
            items = by_origin.get(n["id"], {}).get(rule.field, [])
            if not items:
                continue
            values = [_item_value(model, rule.field, e["s"] if rule.reverse else e["t"], e) for e in items]
            data[rule.field] = values[0] if model.model_fields[rule.field].annotation is str else values
        try:
            record = model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in err["loc"])
            raise StoredRegisterInvalid(
                f"node '{n['id']}' in Neo4j is not a valid record: {where}: {err['msg']}"
            ) from None
        sections.setdefault(model.section, []).append(record)
    info = RegisterInfo.model_validate(json.loads(head["data"])) if head else RegisterInfo()
    fields: dict[str, Any] = {k: tuple(v) for k, v in sections.items()}
    version = head["version"] if head else "empty"
    return Register.model_construct(govmap=1, info=info, **fields), version


def stored_version(driver: Any, database: str | None = None) -> str:
    """The version of the stored register ("empty" before the first load); one small query."""
    with driver.session(database=database) as session:
        rec = session.run(
            "MATCH (g:GovmapRegister {id: $header}) RETURN g.version AS v", header=HEADER
        ).single()
    return rec["v"] if rec and rec["v"] else "empty"


def _item_value(model: type[Record], field_name: str, other: str, edge: dict[str, Any]) -> Any:
    if edge["short"]:
        return other
    data = json.loads(edge["data"])
    if field_name == "members" and model.section == "bodies":
        return {"member": other, **data}
    if field_name == "themes":
        return {"theme": other, **data}
    return {"to": other, **data}
