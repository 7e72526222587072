"""Benchmark stages: the web app under load (wrk)."""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from stages_common import stage
from stages_web import map_filter, serve, web_app

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

    app = web_app(args)
    server, url = serve(app, threads=8)
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

    app = web_app(args)
    query, _ = map_filter(app)
    server, url = serve(app, threads=8)
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


@stage
def signin_load(args: argparse.Namespace) -> dict[str, Any]:
    """An unrelated page (``/api/entity/<id>``, wrk, 4 connections) while 40 clients send wrong
    sign-ins as fast as they are answered (the lockout set out of their reach), for a real scrypt
    account (werkzeug's default hash, as ``govmap user add`` writes).  The password checks run in
    the bounded pool (``GOVMAP_LOGIN_CONCURRENCY`` 2, ``GOVMAP_LOGIN_QUEUE`` 2); sign-ins past
    it are answered at once with 503.  Also: the same page with no sign-ins (``quiet``), and
    the sign-ins' own answers (how many checked, refused busy, locked out)."""
    import tempfile
    import threading
    import urllib.error
    import urllib.parse
    import urllib.request

    from werkzeug.security import generate_password_hash

    from govmap.ingest.store.yamlstore import YamlStore
    from govmap.webviz import create_app

    folder = tempfile.mkdtemp(prefix="govmap-bench-signin-")
    users = os.path.join(folder, "users.toml")
    with open(users, "w", encoding="utf-8") as f:
        f.write(f'[users.alice]\npassword = "{generate_password_hash("right")}"\nrole = "editor"\n')
    store = YamlStore(args.register)
    store.load()
    app = create_app(
        {
            "GOVMAP_STORE": store,
            "GOVMAP_USERS": users,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,  # the pool is measured, not the form's token
            # Addresses of their own: the throttle's lockouts would otherwise stop the flood.
            "GOVMAP_LOGIN_MAX_FAILURES": 1_000_000,
        }
    )
    server, url = serve(app, threads=8)
    with app.app_context():
        from govmap.webviz import state

        ids = sorted(r.id for r in state.current().register.records())[:200]
    paths = [f"/api/entity/{i}" for i in ids]
    _until_ready(url + paths[0])
    quiet = _wrk(url, paths, args.wrk_seconds, connections=4)
    stop = threading.Event()
    answers: dict[int, int] = {}
    lock = threading.Lock()
    body = urllib.parse.urlencode({"username": "alice", "password": "wrong"}).encode()

    def flood(n: int) -> None:
        while not stop.is_set():
            request = urllib.request.Request(
                url + "/login", data=body, headers={"X-Bench-Client": str(n)}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as r:
                    status = r.status
            except urllib.error.HTTPError as exc:
                exc.read()
                status = exc.code
            except OSError:
                status = 0
            with lock:
                answers[status] = answers.get(status, 0) + 1

    threads = [threading.Thread(target=flood, args=(n,), daemon=True) for n in range(40)]
    try:
        for t in threads:
            t.start()
        time.sleep(1)  # the flood under way
        loaded = _wrk(url, paths, args.wrk_seconds, connections=4)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        server.close()
    return {
        "seconds": loaded["p95_ms"] / 1000,
        "quiet": quiet,
        "loaded": loaded,
        "signins": {str(k): v for k, v in sorted(answers.items())},
    }
