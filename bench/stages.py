"""One benchmark stage, run in its own process so its peak memory is its own.

    python bench/stages.py STAGE REGISTER.yaml [--neo4j URI] [--timeout S] [--wrk-seconds S]

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


# -- analysis ----------------------------------------------------------------------
#: Reviews are judged against a fixed date, so every run does the same work.
AS_OF = "2026-01-01"


@stage
def report_full(args: argparse.Namespace) -> dict[str, Any]:
    """govmap's full report (every analysis), then rendered as JSON."""
    import datetime as dt

    from govmap.graph.report import ReportOptions, report

    reg = _register(args)
    opts = ReportOptions(as_of=dt.date.fromisoformat(AS_OF))
    seconds, rep = timed(lambda: report(reg, options=opts))
    json_seconds, text = timed(rep.to_json)
    return {
        "seconds": seconds + json_seconds,
        "analysis_seconds": seconds,
        "json_seconds": json_seconds,
        "findings": len(rep.findings),
        "json_mib": round(len(text.encode("utf-8")) / 2**20, 1),
    }


@stage
def overlap_kernel(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: the sparse-matrix overlap kernel alone (graph/overlap.py pair_scores)."""
    from govmap.graph.analysis.findings import Lookup
    from govmap.graph.analysis.overlap import pair_scores

    reg = _register(args)
    lk = Lookup(reg)  # shared index of the register; built once by the report too
    seconds, pairs = timed(lambda: pair_scores(reg, lookup=lk))
    return {"seconds": seconds, "bodies": len(pairs.bodies), "pairs": int(len(pairs.rows))}


@stage
def nx_projection(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: NetworkX bipartite.weighted_projected_graph of bodies over themes and members.

    The same facts the kernel scores (which body addresses which theme, which
    member sits on which body), projected onto the bodies.  Stopped after
    ``--timeout`` seconds: then ``seconds`` is a lower bound (``timed_out``).
    """
    import signal

    import networkx as nx
    from govmap.graph.analysis.findings import Lookup
    from networkx.algorithms import bipartite

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


# -- web -----------------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _app(args: argparse.Namespace) -> Any:
    from govmap.ingest.store import YamlStore
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
    from govmap.webviz.mapdata import MapQuery, select

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


def _alarm(seconds: float) -> Any:
    """A context manager that raises TimeoutError in the main thread after ``seconds``."""
    import contextlib
    import signal

    @contextlib.contextmanager
    def cm() -> Any:
        def fire(signum: int, frame: Any) -> None:
            raise TimeoutError

        old = signal.signal(signal.SIGALRM, fire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    return cm()


@stage
def map_interactive(args: argparse.Namespace) -> dict[str, Any]:
    """Navigation start to the map's first draw (``data-drawn``) in headless Chromium.

    ``govmap serve`` lays out the whole register once per version, in the
    background, before the first visitor; we do the same in the foreground
    (``layout_seconds``).  When that passes ``--timeout`` it is stopped, reported as a
    lower bound, and the map's own nodes are laid out instead (``positions:
    "substituted"``), so the browser part is still measured.  Then three visits:
    the first with an empty browser cache and the map data for this filter not yet
    built on the server (``seconds``), and two repeats (``repeat_seconds``, the faster).
    """
    from urllib.parse import parse_qs

    from govmap.webviz import state
    from govmap.webviz.mapdata import MapQuery, layout, select
    from govmap.webviz.state import warm
    from playwright.sync_api import sync_playwright

    app = _app(args)
    query, expected = _map_filter(app)
    positions = "whole register"
    with app.app_context():
        snap = state.current()
        t = time.perf_counter()
        layout_timed_out = False
        if snap.has_global_layout:
            try:
                with _alarm(args.timeout):
                    snap.positions  # noqa: B018 - computed and cached, as govmap serve's warm() does
            except TimeoutError:
                layout_timed_out = True
        else:
            positions = "per view (register over the whole-layout limit): first visit includes it"
        layout_seconds = time.perf_counter() - t
        if layout_timed_out:
            qs = parse_qs(query)
            q = MapQuery.from_args({k: v[0] for k, v in qs.items()}, lambda k: qs.get(k, []))
            g = snap.graph
            snap.__dict__["positions"] = layout(g.subgraph(select(snap.register, g, q)))
            positions = "substituted (the map's own nodes laid out)"
    warm(app).join()  # as govmap serve: the default node sizes too (the layout is cached by now)
    server, url = _serve(app, threads=8)
    page_url = f"{url}/?{query}"
    js = (
        "() => { const c = document.querySelector('.govmap-map');"
        " return c && c.dataset.drawn ? performance.now() : null; }"
    )
    visits = []
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


def _wrk(base: str, paths: list[str], seconds: int, connections: int = 32) -> dict[str, Any]:
    """One wrk run over ``paths`` (round robin); latency percentiles in ms and requests/s."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        script, listing = os.path.join(tmp, "bench.lua"), os.path.join(tmp, "paths.txt")
        with open(script, "w", encoding="utf-8") as f:
            f.write(WRK_LUA)
        with open(listing, "w", encoding="utf-8") as f:
            f.write("\n".join(paths) + "\n")
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script, base],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
            env={**os.environ, "BENCH_PATHS": listing},
        ).stdout
    row: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    row["rps"] = round(row["requests"] / row["duration_s"], 1)
    return row


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
    import urllib.request
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
        with urllib.request.urlopen(f"{url}/api/entity/{pick[0]}", timeout=3600) as r:
            r.read()
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("register")
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--timeout", type=float, default=600, help="cap for nx_projection (s)")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="duration of each wrk run")
    args = parser.parse_args()
    out = STAGES[args.stage](args)
    out["stage"] = args.stage
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
