"""Benchmark stages: the web app in a real browser, and starting the server."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from stages_common import stage, timed

CHROMIUM = "/usr/bin/chromium"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def web_app(args: argparse.Namespace) -> Any:
    from govmap.ingest.store.yamlstore import YamlStore
    from govmap.webviz import create_app

    store = YamlStore(args.register)
    store.load()
    return create_app({"GOVMAP_STORE": store, "SECRET_KEY": "bench", "GOVMAP_LOGIN_REQUIRED": False})


def serve(app: Any, threads: int) -> tuple[Any, str]:
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


def map_filter(app: Any, limit: int = 2000) -> tuple[str, int]:
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

    app = web_app(args)
    query, expected = map_filter(app)
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
    server, url = serve(app, threads=8)
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
