"""Benchmark stages: the Neo4j store (loads, re-loads, edits)."""

from __future__ import annotations

import argparse
from typing import Any

from stages_common import register_of, stage, timed


def _driver(args: argparse.Namespace) -> Any:
    from govmap.graph.neo4j import Neo4jSettings, connect

    return connect(Neo4jSettings.from_env(args.neo4j))


def _empty(driver: Any) -> None:
    with driver.session() as s:
        while s.run("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS c").single()["c"]:
            pass


@stage
def neo4j_raw(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: UNWIND $rows CREATE of the same rows, same driver, one transaction."""
    from govmap.graph.neo4j.connect import BATCH
    from govmap.graph.neo4j.rows import edge_rows, node_row
    from govmap.graph.neo4j.sync import ensure_schema

    reg = register_of(args)
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
    from govmap.graph.neo4j import ensure_schema, sync

    reg = register_of(args)
    driver = _driver(args)
    _empty(driver)
    ensure_schema(driver)
    full, summary = timed(lambda: sync(reg, driver))
    again, second = timed(lambda: sync(reg, driver))
    assert summary.changed and not second.changed
    _empty(driver)
    driver.close()
    return {"seconds": full, "nochange_seconds": again}


#: Timed rounds of a re-load and a full load (the median of each is reported), after WARM_UP
#: untimed rounds of each; one round, after one untimed, for a register of more records than
#: REPEAT_UP_TO (a national one: minutes a round).  Five and two since 2026-12-08: with three
#: and one, the re-load at 1 force area still ran statements the server had compiled only once
#: (its rounds' CPU fell 0.97, 0.95, 0.76 s while the full load's stayed level), and a round of
#: half a second moved its median by a tenth.
REPEAT, REPEAT_UP_TO, WARM_UP = 5, 20_000, 2


def _server_cpu() -> float | None:
    """CPU seconds the Neo4j server has used so far, when bench/run.py started it here
    (``NEO4J_PID_FILE``); None otherwise."""
    import os

    path = os.environ.get("NEO4J_PID_FILE")
    try:
        with open(path or "", encoding="ascii") as f:
            pid = int(f.read().strip())
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_load(fn: Any) -> tuple[float, float | None, Any]:
    """Wall seconds, CPU seconds of the loader and the server together (None without the
    server's), and the value: on a busy machine the CPU still says how much work a load was."""
    import time

    server = _server_cpu()
    start = time.process_time()
    wall, out = timed(fn)
    cpu = time.process_time() - start
    after = _server_cpu()
    return wall, (cpu + after - server) if server is not None and after is not None else None, out


def _reload_against_full(driver: Any, old: Any, new: Any, force: bool) -> dict[str, Any]:
    """Time ``new`` loaded over ``old`` and ``new`` loaded into an empty database, like for like.

    Untimed rounds of each first (the first one's ``first_*`` kept for the record): the server then has
    planned the queries of both (a re-load deletes and updates, a full load only creates), as a
    server that has loaded before has.  Then the rounds, a re-load and a full load in turn, so a
    change in the machine's load falls on both; each figure is the median of its rounds.  Beside
    the wall time, the CPU of the loader and the server together (``cpu_*``, when bench/run.py
    started the server): the machine's load moves it far less.
    """
    import statistics

    from govmap.graph.neo4j import ensure_schema, sync

    def reload() -> tuple[float, float | None, Any]:
        _empty(driver)
        ensure_schema(driver)
        sync(old, driver)
        return _timed_load(lambda: sync(new, driver, force=force))

    def full() -> tuple[float, float | None]:
        _empty(driver)
        ensure_schema(driver)
        return _timed_load(lambda: sync(new, driver))[:2]

    small = sum(1 for _ in new.records()) <= REPEAT_UP_TO
    first_reload, _, summary = reload()
    first_full = full()[0]
    for _ in range(WARM_UP - 1 if small else 0):
        reload()
        full()
    rounds = REPEAT if small else 1
    reloads, fulls = [], []
    for _ in range(rounds):
        reloads.append(reload()[:2])
        fulls.append(full())
    _empty(driver)
    out = {
        "seconds": statistics.median(w for w, _ in fulls),
        "reload_seconds": statistics.median(w for w, _ in reloads),
        "rounds": {"reload": [round(w, 2) for w, _ in reloads], "full": [round(w, 2) for w, _ in fulls]},
        "first_reload_seconds": first_reload,
        "first_full_seconds": first_full,
        "summary": summary,
    }
    if all(c is not None for _, c in reloads + fulls):
        out["cpu_seconds"] = statistics.median(c for _, c in fulls)
        out["reload_cpu_seconds"] = statistics.median(c for _, c in reloads)
        out["rounds_cpu"] = {
            "reload": [round(c, 2) for _, c in reloads],
            "full": [round(c, 2) for _, c in fulls],
        }
    return out


@stage
def neo4j_changed(args: argparse.Namespace) -> dict[str, Any]:
    """A changed re-load (REGISTER, then --changed-to over it), beside a full load of the new one.

    ``seconds`` is the full load of the new register into an empty database,
    ``changed_seconds`` the load of the new register over the old one, each the
    median of its rounds (:func:`_reload_against_full`).
    """
    from govmap.ingest.reading.load import load_register

    old, new = register_of(args), load_register(args.changed_to)
    driver = _driver(args)
    r = _reload_against_full(driver, old, new, force=True)
    driver.close()
    r["changed_seconds"] = r.pop("reload_seconds")
    if "reload_cpu_seconds" in r:
        r["changed_cpu_seconds"] = r.pop("reload_cpu_seconds")
    r["changes"] = r.pop("summary").to_json()
    return r


@stage
def neo4j_reload(args: argparse.Namespace) -> dict[str, Any]:
    """A re-load of REGISTER with 1 % of its records changed (bench/changed.py), beside a full load.

    ``seconds`` is the full load of the changed register into an empty database,
    ``reload_seconds`` its load over REGISTER, each the median of its rounds
    (:func:`_reload_against_full`).
    """
    from changed import changed_register

    old = register_of(args)
    new, made = changed_register(old)
    driver = _driver(args)
    r = _reload_against_full(driver, old, new, force=False)
    driver.close()
    r["made"], r["changes"] = made, r.pop("summary").to_json()["records"]
    return r


@stage
def neo4j_edit(args: argparse.Namespace) -> dict[str, Any]:
    """Web edits on the Neo4j store (Neo4jStore.apply), each with its record's version.

    Edits: the description of the body with most members, of the most linked
    organisation, a membership added to a body; ``seconds`` is the slowest,
    ``next_page_seconds`` the store's next ``load()`` (the page after a save).
    """
    import statistics

    from govmap.graph.neo4j import Neo4jSettings, ensure_schema, sync
    from govmap.graph.neo4j.editing import Neo4jStore
    from govmap.ingest.model import record_version
    from govmap.ingest.store.edits import AddLink, ChangeRecord

    reg = register_of(args)
    driver = _driver(args)
    _empty(driver)
    ensure_schema(driver)
    sync(reg, driver)
    store = Neo4jStore(Neo4jSettings.from_env(args.neo4j), driver=driver)
    register, _ = store.load()
    body = max(register.bodies, key=lambda b: len(b.members))
    seats: dict[str, int] = {}
    for b in register.bodies:
        for m in b.members:
            seats[m.member] = seats.get(m.member, 0) + 1
    org = register.get(max((o.id for o in register.organisations), key=lambda i: seats.get(i, 0)))
    outsider = next(o.id for o in register.organisations if o.id not in {m.member for m in body.members})
    times = []
    for edit, rec in (
        (ChangeRecord(body.id, {"description": "Edited by the benchmark"}), body),
        (ChangeRecord(org.id, {"description": "Edited by the benchmark"}), org),
    ):
        t, _ = timed(lambda e=edit, r=rec: store.apply(e, record_version(r), "bench"))
        times.append(t)
        register, _ = store.load()
    fresh = register.get(body.id)
    t, _ = timed(lambda: store.apply(AddLink(body.id, "members", outsider), record_version(fresh), "bench"))
    times.append(t)
    page, _ = timed(store.load)
    _empty(driver)
    driver.close()
    return {
        "seconds": max(times),
        "median_seconds": statistics.median(times),
        "edits": [round(x, 3) for x in times],
        "next_page_seconds": page,
        "members_of_body": len(body.members),
        "seats_of_org": seats.get(org.id, 0),
    }
