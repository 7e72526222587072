"""One benchmark stage, run in its own process so its peak memory is its own.

    python bench/stages.py STAGE REGISTER.yaml [--neo4j URI]

prints one JSON line: {"stage": ..., "seconds": ..., ...}.  bench/run.py calls
this for every stage and size and reads the child's peak RSS from wait4().
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

STAGES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {}


def stage(
    fn: Callable[[argparse.Namespace], dict[str, Any]],
) -> Callable[[argparse.Namespace], dict[str, Any]]:
    STAGES[fn.__name__] = fn
    return fn


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _text(args: argparse.Namespace) -> str:
    with open(args.register, encoding="utf-8") as f:
        return f.read()


def _register(args: argparse.Namespace) -> Any:
    from govmap.ingest.load import load_register

    return load_register(args.register)


# -- YAML --------------------------------------------------------------------------
@stage
def yaml_load(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: bare yaml.load with the C loader (no checks at all)."""
    import yaml

    text = _text(args)
    seconds, _ = timed(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    return {"seconds": seconds}


@stage
def load_validate(args: argparse.Namespace) -> dict[str, Any]:
    """govmap's read + every validation rule."""
    from govmap.ingest.load import check_text

    text = _text(args)
    seconds, checked = timed(lambda: check_text(text, args.register))
    assert checked.register is not None, [p.format() for p in checked.errors[:5]]
    return {"seconds": seconds, "records": sum(1 for _ in checked.register.records())}


# -- Neo4j -------------------------------------------------------------------------
def _driver(args: argparse.Namespace) -> Any:
    from govmap.graph.neo4j_store import Neo4jSettings, connect

    return connect(Neo4jSettings.from_env(args.neo4j))


def _empty(driver: Any) -> None:
    with driver.session() as s:
        while s.run("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS c").single()["c"]:
            pass


@stage
def neo4j_raw(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: UNWIND $rows CREATE of the same rows, same driver, one transaction."""
    from govmap.graph.neo4j_store import BATCH, edge_rows, ensure_schema, node_row

    reg = _register(args)
    nodes = [node_row(r, i) for i, r in enumerate(reg.records())]
    edges = list(edge_rows(reg))
    driver = _driver(args)
    _empty(driver)
    ensure_schema(driver)

    def work(tx: Any) -> None:
        for i in range(0, len(nodes), BATCH):
            tx.run(
                "UNWIND $rows AS row CREATE (n:Entity) SET n = row.props", rows=nodes[i : i + BATCH]
            ).consume()
        rows = [{"s": e["source"], "t": e["target"], "props": e["props"]} for e in edges]
        for i in range(0, len(rows), BATCH):
            tx.run(
                "UNWIND $rows AS row MATCH (a:Entity {id: row.s}) MATCH (b:Entity {id: row.t}) "
                "CREATE (a)-[r:REL]->(b) SET r = row.props",
                rows=rows[i : i + BATCH],
            ).consume()

    def run() -> None:
        with driver.session() as s:
            s.execute_write(work)

    seconds, _ = timed(run)
    _empty(driver)
    driver.close()
    return {"seconds": seconds, "nodes": len(nodes), "edges": len(edges)}


@stage
def neo4j_sync(args: argparse.Namespace) -> dict[str, Any]:
    """govmap load into an empty database, then a re-run with no change."""
    from govmap.graph.neo4j_store import ensure_schema, sync

    reg = _register(args)
    driver = _driver(args)
    _empty(driver)
    ensure_schema(driver)
    full, summary = timed(lambda: sync(reg, driver))
    again, second = timed(lambda: sync(reg, driver))
    assert summary.changed and not second.changed
    _empty(driver)
    driver.close()
    return {"seconds": full, "nochange_seconds": again}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("register")
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI"))
    args = parser.parse_args()
    out = STAGES[args.stage](args)
    out["stage"] = args.stage
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
