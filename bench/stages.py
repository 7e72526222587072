"""One benchmark stage, run in its own process so its peak memory is its own.

    python bench/stages.py STAGE REGISTER.yaml [--neo4j URI] [--timeout S] [--wrk-seconds S] [--changed-to R2]

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


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds of this process and its children (forked workers), and the value:
    on a busy machine the CPU seconds still say how much work was done."""
    gc.collect()
    t, c = time.perf_counter(), os.times()
    out = fn()
    d = os.times()
    cpu = (d.user - c.user) + (d.system - c.system) + (d.children_user - c.children_user)
    return time.perf_counter() - t, cpu + (d.children_system - c.children_system), out


def _text(args: argparse.Namespace) -> str:
    with open(args.register, encoding="utf-8") as f:
        return f.read()


def _register(args: argparse.Namespace) -> Any:
    from govmap.ingest.reading.load import load_register

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
    from govmap.ingest.reading.load import check_text

    text = _text(args)
    seconds, checked = timed(lambda: check_text(text, args.register))
    assert checked.register is not None, [p.format() for p in checked.errors[:5]]
    return {"seconds": seconds, "records": sum(1 for _ in checked.register.records())}


@stage
def yaml_edit(args: argparse.Namespace) -> dict[str, Any]:
    """Web edits on the YAML store (``YamlStore.apply``, as the edit form saves), on a copy of
    the register: six edits (descriptions of bodies and organisations, a membership added),
    each made against its record's version, then the store's next ``load()`` (the page after
    a save).  ``seconds`` is the median; ``first_seconds`` the first save (which may parse the
    file once for the round-trip document); ``next_page_seconds`` the median reload.  Outside
    the median: ``add_seconds`` (a theme added), ``remove_seconds`` (that theme removed: the
    first removal also indexes who names what) and ``refused_seconds`` (a membership naming no
    record, refused)."""
    import shutil
    import statistics
    import tempfile

    from govmap.ingest.model import record_version
    from govmap.ingest.store.edits import AddLink, ChangeRecord
    from govmap.ingest.store.yamlstore import YamlStore

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "boards.yaml")
        shutil.copy(args.register, path)
        store = YamlStore(path)
        register, _ = store.load()
        bodies = sorted(register.bodies, key=lambda b: (-len(b.members), b.id))
        orgs = sorted(o.id for o in register.organisations)
        edits: list[tuple[Any, str]] = []
        for b in bodies[:2]:
            edits.append((ChangeRecord(b.id, {"description": "Edited by the benchmark"}), b.id))
        for o in orgs[:: max(1, len(orgs) // 3)][:3]:
            edits.append((ChangeRecord(o, {"description": "Edited by the benchmark"}), o))
        body = bodies[-1]
        outsider = next(o for o in orgs if o not in {m.member for m in body.members})
        edits.append((AddLink(body.id, "members", outsider), body.id))
        saves, pages = [], []
        for edit, rid in edits:
            version = record_version(register.get(rid))
            t, _ = timed(lambda e=edit, v=version: store.apply(e, v, "bench"))
            saves.append(t)
            page, (register, _) = timed(store.load)
            pages.append(page)
        # Not in the median: a record added, then removed, and an edit refused (worded by the
        # whole-register validation, so it costs a whole check).
        from govmap.ingest.errors import EditInvalid
        from govmap.ingest.store.edit_values import AddRecord, RemoveRecord

        theme = {"id": "bench-theme", "name": "Benchmark theme", "kind": "priority"}
        add, _ = timed(lambda: store.apply(AddRecord("themes", theme), "absent", "bench"))
        register, _ = store.load()
        version = record_version(register.get("bench-theme"))
        remove, _ = timed(lambda: store.apply(RemoveRecord("bench-theme"), version, "bench"))
        register, _ = store.load()

        def refused() -> None:
            try:
                store.apply(
                    AddLink(body.id, "members", "no-such-record"),
                    record_version(register.get(body.id)),
                    "bench",
                )
            except EditInvalid:
                return
            raise AssertionError("an edit naming a record that does not exist was saved")

        refuse, _ = timed(refused)
    return {
        "seconds": statistics.median(saves),
        "first_seconds": saves[0],
        "saves": [round(x, 3) for x in saves],
        "next_page_seconds": statistics.median(pages),
        "add_seconds": add,
        "remove_seconds": remove,
        "refused_seconds": refuse,
    }


# -- Neo4j -------------------------------------------------------------------------
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
    from govmap.graph.neo4j import ensure_schema, sync

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


@stage
def neo4j_changed(args: argparse.Namespace) -> dict[str, Any]:
    """A changed re-load (REGISTER, then --changed-to over it), beside a full load of the new one.

    ``seconds`` is the full load of the new register into an empty database,
    ``changed_seconds`` the load of the new register over the old one.
    """
    from govmap.graph.neo4j import ensure_schema, sync
    from govmap.ingest.reading.load import load_register

    old, new = _register(args), load_register(args.changed_to)
    driver = _driver(args)
    _empty(driver)
    ensure_schema(driver)
    sync(old, driver)
    changed, summary = timed(lambda: sync(new, driver, force=True))
    _empty(driver)
    full, _ = timed(lambda: sync(new, driver))
    _empty(driver)
    driver.close()
    return {"seconds": full, "changed_seconds": changed, "changes": summary.to_json()}


@stage
def neo4j_reload(args: argparse.Namespace) -> dict[str, Any]:
    """A re-load of REGISTER with 1 % of its records changed (bench/changed.py), beside a full load.

    ``seconds`` is the full load of the changed register into an empty database,
    ``reload_seconds`` its load over REGISTER.
    """
    from changed import changed_register

    from govmap.graph.neo4j import ensure_schema, sync

    old = _register(args)
    new, made = changed_register(old)
    driver = _driver(args)
    _empty(driver)
    ensure_schema(driver)
    sync(old, driver)
    reload, summary = timed(lambda: sync(new, driver))
    _empty(driver)
    full, _ = timed(lambda: sync(new, driver))
    _empty(driver)
    driver.close()
    return {"seconds": full, "reload_seconds": reload, "made": made, "changes": summary.to_json()["records"]}


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

    reg = _register(args)
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


# -- analysis ----------------------------------------------------------------------
#: Reviews are judged against a fixed date, so every run does the same work.
AS_OF = "2026-01-01"


@stage
def report_full(args: argparse.Namespace) -> dict[str, Any]:
    """govmap's default report (every analysis, repetitive findings folded), then its JSON
    written to a file (streamed when the report can: ``Report.write_json``)."""
    import datetime as dt
    import tempfile
    from collections import Counter

    from govmap.graph.report import ReportOptions, report, source_of

    reg = _register(args)
    opts = ReportOptions(as_of=dt.date.fromisoformat(AS_OF))
    cpu = time.process_time()  # CPU time too: on a shared machine wall time depends on the load
    # as `govmap report FILE` does: generated_from is the file's digest, not a re-serialised register
    seconds, rep = timed(lambda: report(reg, options=opts, generated_from=source_of(args.register)))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        if hasattr(rep, "write_json"):  # streamed to the file, a finding at a time
            json_seconds, _ = timed(lambda: rep.write_json(out))
        else:  # one string, then written
            from govmap.ingest.store.files import write_atomically

            json_seconds, _ = timed(lambda: write_atomically(out, rep.to_json()))
        cpu = time.process_time() - cpu
        size = os.path.getsize(out)
    return {
        "seconds": seconds + json_seconds,
        "cpu_seconds": round(cpu, 3),
        "analysis_seconds": seconds,
        "json_seconds": json_seconds,
        "findings": len(rep.findings),
        "findings_by_kind": dict(Counter(f.kind.value for f in rep.findings).most_common(6)),
        "all_findings_by_kind": dict(sorted(Counter(f.kind.value for f in rep.findings).items())),
        "overlap_by_fold": dict(
            sorted(
                Counter(
                    f.evidence.get("fold", f"pair, place {f.evidence.get('place')}")
                    for f in rep.findings
                    if f.kind.value == "overlap"
                ).items()
            )
        ),
        "json_mib": round(size / 2**20, 1),
        "streamed": hasattr(rep, "write_json"),
    }


@stage
def overlap_kernel(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: the sparse-matrix overlap kernel alone (graph/overlap.py pair_scores)."""
    from govmap.graph.analysis.findings import Lookup
    from govmap.graph.analysis.overlap import pair_scores

    reg = _register(args)
    lk = Lookup(reg)  # shared index of the register; built once by the report too
    cpu = time.process_time()
    seconds, pairs = timed(lambda: pair_scores(reg, lookup=lk))
    cpu = time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu_seconds": round(cpu, 3),
        "bodies": len(pairs.bodies),
        "pairs": int(len(pairs.rows)),
    }


@stage
def nx_projection(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: NetworkX bipartite.weighted_projected_graph of bodies over themes and members.

    The same facts the kernel scores (which body addresses which theme, which
    member sits on which body), projected onto the bodies.  Stopped after
    ``--timeout`` seconds: then ``seconds`` is a lower bound (``timed_out``).
    """
    import signal

    import networkx as nx
    from networkx.algorithms import bipartite

    from govmap.graph.analysis.findings import Lookup

    reg = _register(args)
    lk = Lookup(reg)
    b = nx.Graph()
    bodies = [f"b:{x.id}" for x in lk.bodies]
    b.add_nodes_from(bodies, bipartite=0)
    for body in lk.bodies:
        for link in body.themes:
            b.add_edge(f"b:{body.id}", f"t:{link.theme}")
        for m in body.members:
            b.add_edge(f"b:{body.id}", f"m:{m.member}")

    class TimedOut(Exception):
        pass

    def alarm(signum: int, frame: Any) -> None:
        raise TimedOut

    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(int(args.timeout))
    gc.collect()
    t = time.perf_counter()
    try:
        p = bipartite.weighted_projected_graph(b, bodies)
        signal.alarm(0)
        return {
            "seconds": time.perf_counter() - t,
            "timed_out": False,
            "bipartite_edges": b.number_of_edges(),
            "projected_edges": p.number_of_edges(),
        }
    except TimedOut:
        return {
            "seconds": time.perf_counter() - t,
            "timed_out": True,
            "bipartite_edges": b.number_of_edges(),
        }


# -- review cycle and spreadsheets ---------------------------------------------------------
@stage
def review_diff(args: argparse.Namespace) -> dict[str, Any]:
    """``govmap diff REGISTER CHANGED_TO --format json -o OUT`` in process: both files read and
    checked (``read_seconds``, the baseline: reading the input), then the diff of records
    and of both reports (the new register's in a forked child, see support/background.py),
    the JSON streamed to a file.  ``seconds`` is the whole command.  ``child_peak_mib`` is the
    child's peak RSS (run.py's ``peak_mib`` is this process's; both exist at once)."""
    import datetime as dt
    import resource
    import tempfile

    from govmap.graph.review.diff import diff_registers
    from govmap.graph.review.sources import read_side
    from govmap.ingest.store.files import write_atomically

    read, read_cpu, (before, after) = cpu_timed(
        lambda: (read_side(args.register, other=args.changed_to), read_side(args.changed_to))
    )
    work, work_cpu, result = cpu_timed(lambda: diff_registers(before, after, dt.date.fromisoformat(AS_OF)))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "diff.json")
        render, render_cpu, _ = cpu_timed(lambda: write_atomically(out, result.iter_json()))
        size = os.path.getsize(out)
    return {
        "seconds": read + work + render,
        "read_seconds": read,
        "diff_seconds": work,
        "render_seconds": render,
        "records_changed": len(result.records.changed),
        "findings_open": len(result.findings.open),
        "json_mib": round(size / 2**20, 1),
        "child_peak_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "cpu_seconds": read_cpu + work_cpu + render_cpu,
        "read_cpu_seconds": read_cpu,
    }


@stage
def tabular_import(args: argparse.Namespace) -> dict[str, Any]:
    """``govmap import REGISTER.xlsx -o OUT.yaml`` in process, on the register written as a
    spreadsheet first (untimed).  Baseline (``read_seconds``): openpyxl reading every cell
    of the same workbook (read-only mode), i.e. reading the input.  ``seconds`` is the
    import (read, check) and the YAML written."""
    import tempfile
    import zipfile

    import openpyxl

    from govmap.ingest.reading.yamlsafe import Limits
    from govmap.ingest.store.dump import dump_register
    from govmap.ingest.store.files import write_atomically
    from govmap.ingest.tabular import import_register, write_xlsx
    from govmap.ingest.tabular.read import SpreadsheetUnreadable

    reg = _register(args)
    with tempfile.TemporaryDirectory() as tmp:
        book = os.path.join(tmp, "register.xlsx")
        with open(book, "wb") as f:
            f.write(write_xlsx(reg))

        def read_cells() -> int:
            wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
            n = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for _ in row)
            wb.close()
            return n

        read, read_cpu, cells = cpu_timed(read_cells)

        parts: dict[str, float] = {}

        def run(limits: Any = None) -> int:
            t = time.perf_counter()
            imported = import_register(book, limits)
            assert imported.register is not None, imported.problems[:3]
            parts["read_check_seconds"] = time.perf_counter() - t
            t = time.perf_counter()
            write_atomically(os.path.join(tmp, "out.yaml"), dump_register(imported.register))
            parts["yaml_seconds"] = time.perf_counter() - t
            return sum(1 for _ in imported.register.records())

        refused = None
        try:
            seconds, cpu, records = cpu_timed(run)
        except SpreadsheetUnreadable as exc:  # over the unpacked limit: as a user would, raise it
            refused = exc.message
            seconds, cpu, records = cpu_timed(
                lambda: run(Limits(max_bytes=4 * os.path.getsize(args.register) + 2**28))
            )
        size = os.path.getsize(book)
        with zipfile.ZipFile(book) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    return {
        "refused_at_default_limit": refused,
        "seconds": seconds,
        "read_seconds": read,
        "cells": cells,
        "records": records,
        "xlsx_mib": round(size / 2**20, 1),
        "xlsx_bytes": size,
        "unpacked_bytes": unpacked,
        "cpu_seconds": cpu,
        "read_cpu_seconds": read_cpu,
        **parts,
    }


# -- layout ------------------------------------------------------------------------
def _layout_graph(args: argparse.Namespace) -> Any:
    from govmap.graph.build import build_graph

    return build_graph(_register(args))


def layout_quality(g: Any, positions: Any) -> dict[str, Any]:
    """How readable a whole-register layout is, in two numbers a reader can check.

    ``edge_ratio``: median length of a link / median distance between two random
    records of the largest piece (a random layout gives about 1; lower keeps
    neighbours together).  ``crowded``: share of records with another record
    closer than a tenth of the median link; ``overlap_20px``: share with another
    record within 20 canvas units (dots drawn on top of each other at full zoom;
    every candidate is scaled to the same canvas size, see graph/layout.py).
    """
    import networkx as nx
    import numpy as np
    from scipy.spatial import cKDTree

    simple = nx.Graph(g.to_undirected(as_view=True))
    main = max(nx.connected_components(simple), key=len)
    names = sorted(main)
    xy = np.array([positions[n] for n in names], dtype=float)
    at = {n: i for i, n in enumerate(names)}
    edges = np.array([(at[u], at[v]) for u, v in simple.subgraph(main).edges() if u != v])
    links = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1)
    pairs = np.random.default_rng(1).integers(0, len(names), size=(20_000, 2))
    apart = np.linalg.norm(xy[pairs[:, 0]] - xy[pairs[:, 1]], axis=1)
    nearest, _ = cKDTree(xy).query(xy, k=2)
    crowded = float((nearest[:, 1] < 0.1 * np.median(links)).mean())
    return {
        "edge_ratio": round(float(np.median(links) / np.median(apart)), 4),
        "crowded": round(crowded, 4),
        "overlap_20px": round(float((nearest[:, 1] < 20).mean()), 4),
        "main_piece": len(names),
    }


def _edited(g: Any) -> tuple[Any, list[str]]:
    """The graph after a web edit: a new organisation made a member of the body with most
    members, and an existing organisation added to another body (what AddRecord and
    AddLink do to the graph).  Returns the graph and the records the edit touched."""
    members: dict[str, int] = {}
    for _, v, t in g.edges(data="type"):
        if t == "member_of":
            members[v] = members.get(v, 0) + 1
    bodies = sorted(members, key=lambda b: (-members[b], b))
    orgs = sorted(n for n, k in g.nodes(data="kind") if k == "organisation")
    body, other, org = bodies[0], bodies[len(bodies) // 2], orgs[len(orgs) // 3]
    h = g.copy()
    h.add_node("bench-new-org", kind="organisation", name="Benchmark organisation", status="confirmed")
    h.add_edge("bench-new-org", body, key="bench/1", type="member_of")
    h.add_edge(org, other, key="bench/2", type="member_of")
    return h, ["bench-new-org", org, other, body]


@stage
def layout_whole(args: argparse.Namespace) -> dict[str, Any]:
    """govmap's whole-register layout (graph/layout.py), then the same after one edit.

    ``seconds`` lays out every record from scratch; ``edit_seconds`` lays out the edited
    graph from the first layout (what the web does after a save); ``edit_moved_p99_px``
    is how far the 99th percentile of the records the edit did *not* touch moved.
    """
    import math

    from govmap.graph.layout import whole_layout

    g = _layout_graph(args)
    seconds, lay = timed(lambda: whole_layout(g))
    h, touched = _edited(g)
    edit_seconds, after = timed(lambda: whole_layout(h, previous=lay))
    near = set(touched).union(*(set(h.to_undirected(as_view=True)[n]) for n in touched))
    moved = sorted(math.dist(lay.positions[n], after.positions[n]) for n in lay.positions if n not in near)
    return {
        "seconds": seconds,
        "nodes": g.number_of_nodes(),
        "quality": layout_quality(g, lay.positions),
        "edit_seconds": edit_seconds,
        "edit_relaid": after.relaid,
        "edit_moved_p99_px": round(moved[int(0.99 * (len(moved) - 1))], 2) if moved else 0.0,
    }


def _capped(fn: Callable[[], Any], timeout: float) -> tuple[float, Any, bool]:
    """``fn()`` in a forked child, stopped after ``timeout`` seconds (C code ignores SIGALRM):
    (seconds, result or None, timed out)."""
    import multiprocessing
    import queue as queues

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=lambda: queue.put(timed(fn)), daemon=True)
    t = time.perf_counter()
    child.start()
    try:
        seconds, out = queue.get(timeout=timeout)
        child.join()
        return seconds, out, False
    except queues.Empty:  # the child ran past the timeout
        child.kill()
        child.join()
        return time.perf_counter() - t, None, True


def _candidate(args: argparse.Namespace, lay: Callable[[Any], Any], g: Any = None) -> dict[str, Any]:
    g = _layout_graph(args) if g is None else g
    seconds, positions, stopped = _capped(lambda: lay(g), args.timeout)
    out: dict[str, Any] = {"seconds": seconds, "timed_out": stopped, "nodes": g.number_of_nodes()}
    if positions is not None:
        out["quality"] = layout_quality(g, positions)
    return out


def _pieces_by(g: Any, place: Callable[[Any], dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """``place`` applied to each connected piece (loops dropped), rescaled to [-1, 1] and packed
    as the map packs its own (:func:`govmap.graph.layout.by_piece`)."""
    import networkx as nx

    from govmap.graph.layout import by_piece

    def rescaled(sub: Any) -> dict[str, Any]:
        plain = nx.Graph(sub)
        plain.remove_edges_from(nx.selfloop_edges(plain))
        return nx.rescale_layout_dict({n: tuple(xy) for n, xy in place(plain).items()})

    return by_piece(g, rescaled)


@stage
def layout_drl(args: argparse.Namespace) -> dict[str, Any]:
    """Candidate: igraph's DrL (VxOrd), its layout for large graphs, piece by piece."""
    import igraph

    def drl(sub: Any) -> dict[str, Any]:
        nodes = list(sub)
        at = {n: i for i, n in enumerate(nodes)}
        ig = igraph.Graph(n=len(nodes), edges=[(at[u], at[v]) for u, v in sub.edges()])
        return dict(zip(nodes, ig.layout_drl().coords, strict=True))

    return _candidate(args, lambda g: _pieces_by(g, drl))


@stage
def layout_fa2(args: argparse.Namespace) -> dict[str, Any]:
    """Candidate: NetworkX 3.6's ForceAtlas2 (100 iterations), piece by piece.  It holds
    n x n arrays, so it is not run past 10,000 records (800 MiB an array, several at once)."""
    import networkx as nx

    g = _layout_graph(args)
    if g.number_of_nodes() > 10_000:
        return {"seconds": float("nan"), "timed_out": True, "nodes": g.number_of_nodes(), "not_run": "n x n"}
    return _candidate(args, lambda g: _pieces_by(g, lambda s: nx.forceatlas2_layout(s, seed=7)), g)


@stage
def layout_nx_spring(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: the layout the map used before (:func:`govmap.graph.layout.spring_by_piece`:
    NetworkX's Fruchterman-Reingold, O(n^2) an iteration)."""
    from govmap.graph.layout import spring_by_piece

    return _candidate(args, spring_by_piece)


# -- web -----------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _app(args: argparse.Namespace) -> Any:
    from govmap.ingest.store.yamlstore import YamlStore
    from govmap.webviz import create_app

    store = YamlStore(args.register)
    store.load()
    return create_app({"GOVMAP_STORE": store, "SECRET_KEY": "bench", "GOVMAP_LOGIN_REQUIRED": False})


def _serve(app: Any, threads: int) -> tuple[Any, str]:
    """The app served by waitress on a free loopback port, in a daemon thread (as ``govmap serve``)."""
    import logging
    import threading

    from waitress.server import create_server

    logging.getLogger("waitress").setLevel(logging.ERROR)  # not a line per queued request
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    threading.Thread(target=server.run, name="waitress", daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


#: Kinds the map filter may keep, tried with every area (see _map_filter).
KIND_SETS = (
    (),
    ("body",),
    ("body", "theme"),
    ("body", "organisation"),
    ("body", "theme", "organisation"),
    ("body", "theme", "strategy"),
    ("body", "area", "organisation"),
)


def _map_filter(app: Any, limit: int = 2000) -> tuple[str, int]:
    """The map filter (URL query) whose node count is largest without passing ``limit``:
    one area (with some kinds), or the best-linked bodies' neighbourhoods two links deep."""
    from govmap.webviz import state
    from govmap.webviz.map.query import MapQuery
    from govmap.webviz.map.select import select

    with app.app_context():
        snap = state.current()
        reg, g = snap.register, snap.graph
        best = ("", len(g)) if len(g) <= limit else ("", 0)
        if best[1] == 0:
            for kinds in KIND_SETS:
                for area in reg.areas:
                    n = len(select(reg, g, MapQuery(kinds=kinds, area=area.id)))
                    if best[1] < n <= limit:
                        query = f"area={area.id}" + "".join(f"&kind={k}" for k in kinds)
                        best = (query, n)
            # a body and what lies within two links of it, for the best-linked bodies
            hubs = sorted((b.id for b in reg.bodies if b.id in g), key=lambda i: -g.degree(i))[:40]
            for hub in hubs:
                n = len(select(reg, g, MapQuery(focus=hub, hops=2)))
                if best[1] < n <= limit:
                    best = (f"focus={hub}&hops=2", n)
    return best


@stage
def map_interactive(args: argparse.Namespace) -> dict[str, Any]:
    """Navigation start to the map's first draw (``data-drawn``) in headless Chromium.

    ``govmap serve`` lays out the whole register once per version, in the
    background (graph/layout.py), before the first visitor; we wait for it
    (``layout_seconds``).  When that passes ``--timeout`` it is reported as a
    lower bound, and the map's own nodes are laid out instead (``positions:
    "substituted"``), so the browser part is still measured.  Then three visits:
    the first with an empty browser cache and the map data for this filter not yet
    built on the server (``seconds``), and two repeats (``repeat_seconds``, the faster).
    """
    from urllib.parse import parse_qs

    from playwright.sync_api import sync_playwright

    from govmap.graph.layout import LayoutJob
    from govmap.webviz import state
    from govmap.webviz.map.query import MapQuery
    from govmap.webviz.map.select import select
    from govmap.webviz.state import warm

    app = _app(args)
    query, expected = _map_filter(app)
    positions = "whole register"
    with app.app_context():
        snap = state.current()
        t = time.perf_counter()
        # as govmap serve's warm() starts it; waited for here
        layout_timed_out = snap.layout_job().result(wait=args.timeout) is None
        layout_seconds = time.perf_counter() - t
        if layout_timed_out:
            qs = parse_qs(query)
            q = MapQuery.from_args({k: v[0] for k, v in qs.items()}, lambda k: qs.get(k, []))
            g = snap.graph
            snap._layout_job = LayoutJob(g.subgraph(select(snap.register, g, q)))
            snap.positions  # noqa: B018 - the substitute, laid out now
            positions = "substituted (the map's own nodes laid out)"
    warm(app).join()  # as govmap serve: the default node sizes too (the layout exists by now)
    server, url = _serve(app, threads=8)
    page_url = f"{url}/?{query}"
    js = (
        "() => { const c = document.querySelector('.govmap-map');"
        " return c && c.dataset.drawn ? performance.now() : null; }"
    )
    # the server's part (navigation start to the last byte of the page) and the browser's
    # (parsing, scripts, the first draw) of each visit
    parts_js = (
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [n.responseStart, n.responseEnd, n.domInteractive, n.transferSize, n.decodedBodySize]; }"
    )
    visits = []
    timings = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            for _ in range(3):
                page = ctx.new_page()
                page.goto(page_url, wait_until="commit", timeout=300_000)
                page.wait_for_selector(".govmap-map[data-drawn]", state="attached", timeout=300_000)
                drawn_ms = page.evaluate(js)  # performance.now() counts from navigation start
                drawn = page.eval_on_selector(".govmap-map", "c => Number(c.dataset.drawn)")
                visits.append(drawn_ms / 1000)
                first_byte, last_byte, interactive, sent, size = page.evaluate(parts_js)
                timings.append(
                    {
                        "first_byte": round(first_byte / 1000, 3),
                        "last_byte": round(last_byte / 1000, 3),
                        "dom_interactive": round(interactive / 1000, 3),
                        "drawn": round(drawn_ms / 1000, 3),
                        "bytes_sent": sent,
                        "page_bytes": size,
                    }
                )
                page.close()
            browser.close()
    finally:
        server.close()
    return {
        "seconds": visits[0],
        "repeat_seconds": min(visits[1:]),
        "layout_seconds": layout_seconds,
        "layout_timed_out": layout_timed_out,
        "positions": positions,
        "nodes": drawn,
        "filter": query,
        "expected_nodes": expected,
        "visits": timings,
    }


@stage
def map_after_edit(args: argparse.Namespace) -> dict[str, Any]:
    """The map page (its HTML, served by the app) first, repeated, and first after an edit.

    Two edits of a copy of the register through the store, as the web form makes them: a
    body's description (no link or name changes: the view's layout is found by its shape,
    ``webviz/map/arrange.py``), then a new link from that body (the view is laid out again).
    Server time only, the Flask test client: what an edit adds before the browser draws.
    """
    import shutil
    import tempfile

    from govmap.ingest.model import record_version
    from govmap.ingest.store.edit_values import AddLink, ChangeRecord
    from govmap.ingest.store.yamlstore import YamlStore
    from govmap.webviz import create_app

    folder = tempfile.mkdtemp(prefix="govmap-bench-")
    path = os.path.join(folder, "boards.yaml")
    shutil.copy(args.register, path)
    store = YamlStore(path)
    reg, _ = store.load()
    app = create_app({"GOVMAP_STORE": store, "SECRET_KEY": "bench", "GOVMAP_LOGIN_REQUIRED": False})
    client = app.test_client()

    def page() -> float:
        seconds, response = timed(lambda: client.get("/"))
        assert response.status_code == 200, response.status_code
        return seconds

    body = max(reg.bodies, key=lambda b: len(b.members))
    other = next(t for t in reg.themes if all(x.theme != t.id for x in body.themes))
    first, repeat = page(), page()
    store.apply(
        ChangeRecord(body.id, {"description": "Edited for the benchmark."}), record_version(body), "bench"
    )
    after_text = page()
    now = store.load()[0].get(body.id)
    store.apply(
        AddLink(body.id, "themes", {"theme": other.id, "role": "contributes"}), record_version(now), "bench"
    )
    after_link = page()
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "seconds": after_text,
        "first_seconds": first,
        "repeat_seconds": repeat,
        "after_text_edit_seconds": after_text,
        "after_link_edit_seconds": after_link,
        "load_average": os.getloadavg()[0],
    }


@stage
def serve_start(args: argparse.Namespace) -> dict[str, Any]:
    """``govmap serve REGISTER`` from launch: when it listens, its first page (``/``, the
    map: a register file over ``GOVMAP_LOAD_NOW_BYTES`` answers 503 "being loaded" until
    it is, ``loaded_after_launch``), and the report page: "being prepared" (503) until the
    background report is ready, then 200.  ``seconds`` is listening to the first page
    answered; the load before listening is ``listen_seconds``.  Stopped after ``--timeout``."""
    import re
    import subprocess
    import urllib.error
    import urllib.request

    def get(url: str) -> tuple[int, float]:
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=600) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as exc:
            exc.read()
            status = exc.code
        return status, time.perf_counter() - t

    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "govmap", "serve", args.register, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "GOVMAP_SECRET_KEY": "bench"},
    )
    try:
        assert proc.stdout is not None
        found = None
        for line in proc.stdout:  # a warning or two, then "govmap: serving ... at http://..."
            found = re.search(r"serving .* at http://[^/]+:(\d+)/", line)
            if found:
                break
        listening = time.perf_counter() - t0
        assert found, "govmap serve stopped before it listened"
        base = f"http://127.0.0.1:{found.group(1)}"
        status, first = get(base + "/")  # a large register: 503 "being loaded", at once
        loaded = loaded_status = None
        while time.perf_counter() - t0 < args.timeout:
            loaded_status, _ = get(base + "/")
            if loaded_status != 503:
                loaded = time.perf_counter() - t0
                break
            time.sleep(0.2)
        report_status, report_first = get(base + "/report")
        ready = None
        while time.perf_counter() - t0 < args.timeout:
            status_now, _ = get(base + "/report")
            if status_now == 200:
                ready = time.perf_counter() - t0
                break
            time.sleep(1)
        entity_status, entity = get(base + "/api/entities?q=a&kind=body")
    finally:
        proc.terminate()
        log = proc.communicate(timeout=30)[0]
    return {
        "server_log_tail": log.strip().splitlines()[-15:] if status >= 500 else [],
        "seconds": first,
        "listen_seconds": listening,
        "first_status": status,
        "launch_to_first_page": listening + first,
        "loaded_after_launch": loaded,
        "loaded_status": loaded_status,
        "report_first_status": report_status,
        "report_first_seconds": report_first,
        "report_ready_after_launch": ready,
        "search_while_ready_seconds": entity,
    }


#: wrk reports p50/75/90/99 with --latency; this script prints the percentiles we need
#: (p95 included) as one JSON line, and spreads requests over a list of paths.
WRK_LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "requests": %d, ' ..
    '"non_2xx": %d, "errors": %d, "duration_s": %.3f}\\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6))
end
"""


def _wrk(
    base: str, paths: list[str], seconds: int, connections: int = 32, headers: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One wrk run over ``paths`` (round robin); latency percentiles in ms and requests/s."""
    return _wrk_together([(base, paths, seconds, connections, headers)])[0]


def _wrk_together(runs: list[tuple[str, list[str], int, int, tuple[str, ...]]]) -> list[dict[str, Any]]:
    """Several wrk runs at the same time (base, paths, seconds, connections, headers), one
    thread each: e.g. map loads beside entity calls."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "bench.lua")
        with open(script, "w", encoding="utf-8") as f:
            f.write(WRK_LUA)
        procs = []
        for i, (base, paths, seconds, connections, headers) in enumerate(runs):
            listing = os.path.join(tmp, f"paths-{i}.txt")
            with open(listing, "w", encoding="utf-8") as f:
                f.write("\n".join(paths) + "\n")
            threads = "-t2" if len(runs) == 1 else "-t1"
            cmd = ["wrk", threads, f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script]
            for h in headers:
                cmd += ["-H", h]
            procs.append(
                subprocess.Popen(
                    [*cmd, base],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env={**os.environ, "BENCH_PATHS": listing},
                )
            )
        rows = []
        for proc, run in zip(procs, runs, strict=True):
            out, err = proc.communicate(timeout=run[2] + 60)
            if proc.returncode:
                raise RuntimeError(f"wrk failed: {err}")
            row: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
            row["rps"] = round(row["requests"] / row["duration_s"], 1)
            rows.append(row)
    return rows


def _until_ready(url: str, limit: float = 3600) -> None:
    """GET ``url`` until it answers 200: a large register's report is prepared in the
    background, and pages that need it answer 503 "being prepared" until then."""
    import urllib.error
    import urllib.request

    deadline = time.perf_counter() + limit
    while True:
        try:
            with urllib.request.urlopen(url, timeout=limit) as r:
                r.read()
                return
        except urllib.error.HTTPError as exc:
            exc.read()
            if exc.code != 503 or time.perf_counter() > deadline:
                raise
        time.sleep(0.5)


@stage
def api_wrk(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON API under wrk on loopback: 32 connections, the app served by waitress with
    ``govmap serve``'s default 8 threads.  Two endpoints: ``/api/entity/<id>`` over 200
    entities of every kind, and ``/api/entities?q=<a body's name>&kind=body`` over 50
    names (a search box: a few matches each, but every record is scanned).
    The report and the graph are computed by one request first (warm), as a running
    server would have them; that first request is timed too (``first_seconds``).
    """
    import random
    from urllib.parse import quote

    app = _app(args)
    server, url = _serve(app, threads=8)
    try:
        with app.app_context():
            from govmap.webviz import state

            reg = state.current().register
            ids = sorted(r.id for r in reg.records())
            bodies = sorted(b.name for b in reg.bodies)
        pick = random.Random(7).sample(ids, min(200, len(ids)))
        # a search box: one body's name, as a reviewer would type it (a few matches each)
        names = [quote(n) for n in random.Random(7).sample(bodies, min(50, len(bodies)))]
        t = time.perf_counter()
        _until_ready(f"{url}/api/entity/{pick[0]}")
        first = time.perf_counter() - t
        entity = _wrk(url, [f"/api/entity/{i}" for i in pick], args.wrk_seconds)
        search = _wrk(url, [f"/api/entities?q={n}&kind=body" for n in names], args.wrk_seconds)
    finally:
        server.close()
    return {
        "seconds": entity["p95_ms"] / 1000,
        "first_seconds": first,
        "entity": entity,
        "entities": search,
    }


@stage
def map_wrk(args: argparse.Namespace) -> dict[str, Any]:
    """The map under load, on loopback against waitress with 8 threads (as ``govmap serve``).

    ``graph``: ``/api/graph`` for the view a visitor first sees (the whole map, or on a
    register too large for it the largest view of at most 2,000 nodes), 32 connections,
    gzip accepted as a browser does.  ``entity_alone``: ``/api/entity/<id>`` over 200
    records with 8 connections; ``mixed_entity``: the same entity calls while 8 other
    clients load that view's ``/api/graph`` at the same time; ``mixed_pages_entity``: while
    8 clients load the map page itself (HTML with the map data in it) instead.
    ``seconds`` is ``/api/graph``'s p95.
    """
    import random

    app = _app(args)
    query, _ = _map_filter(app)
    server, url = _serve(app, threads=8)
    gz = ("Accept-Encoding: gzip",)
    try:
        with app.app_context():
            from govmap.webviz import state

            snap = state.current()
            snap.layout_job().result(wait=True)  # as a server that has been up a while
            ids = sorted(r.id for r in snap.register.records())
        pick = random.Random(7).sample(ids, min(200, len(ids)))
        suffix = f"?{query}" if query else ""
        maps = [f"/api/graph{suffix}", f"/{suffix}"]
        t = time.perf_counter()
        for path in [*maps, f"/api/entity/{pick[0]}"]:
            _until_ready(url + path)
        first = time.perf_counter() - t
        graph = _wrk(url, maps[:1], args.wrk_seconds, 32, gz)
        alone = _wrk(url, [f"/api/entity/{i}" for i in pick], args.wrk_seconds, 8)
        entity = [f"/api/entity/{i}" for i in pick]
        loads, during = _wrk_together(
            [(url, maps[:1], args.wrk_seconds, 8, gz), (url, entity, args.wrk_seconds, 8, ())]
        )
        pages, during_pages = _wrk_together(
            [(url, maps[1:], args.wrk_seconds, 8, gz), (url, entity, args.wrk_seconds, 8, ())]
        )
    finally:
        server.close()
    return {
        "seconds": graph["p95_ms"] / 1000,
        "filter": query,
        "first_seconds": first,
        "graph": graph,
        "entity_alone": alone,
        "mixed_maps": loads,
        "mixed_entity": during,
        "mixed_pages": pages,
        "mixed_pages_entity": during_pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("register")
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--timeout", type=float, default=600, help="cap for nx_projection (s)")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="duration of each wrk run")
    parser.add_argument(
        "--changed-to", help="neo4j_changed, review_diff: the register loaded over (compared with) REGISTER"
    )
    args = parser.parse_args()
    out = STAGES[args.stage](args)
    out["stage"] = args.stage
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
