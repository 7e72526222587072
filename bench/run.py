"""govmap benchmark: wall time, peak memory and ratios to baselines measured in the same run.

The one command (from a fresh clone, after `pip install -e .`):

    python bench/run.py                      # sizes 1, 5, 15, 43 force areas (43 = England and Wales)

Other examples:

    python bench/run.py --sizes 1,5 --skip neo4j,web
    python bench/run.py --sizes 0 --skip yaml,neo4j,analysis,layout   # the web on the seed register
    python bench/run.py --sizes 43 --skip yaml,neo4j --timeout 600

Groups (skip any with --skip):
  yaml      yaml_load (baseline: bare C yaml.load), load_validate, yaml_edit (web edits on the
            YAML store, on a copy)
  neo4j     neo4j_raw (baseline: UNWIND CREATE of the same rows), neo4j_sync (full, then no-change),
            neo4j_reload (the register with 1 % of its records changed loaded over it, beside a full
            load of the changed one), neo4j_changed (synth seed 2 loaded over seed 1, beside a full
            load of seed 2): one untimed round of each first, then each the median of 3 rounds
            (1 round above 20,000 records),
            neo4j_edit (web edits on the Neo4j store, one record each)
  analysis  overlap_kernel (baseline: sparse kernel), report_full (report + JSON),
            nx_projection (NetworkX bipartite.weighted_projected_graph; stopped at --timeout)
  review    review_diff (govmap diff of REGISTER and synth seed 2, JSON; baseline: reading both),
            tabular_import (govmap import of the register as .xlsx; baseline: reading its cells)
  layout    layout_whole (graph/layout.py, then one edit), candidates layout_drl (igraph DrL) and
            layout_fa2 (NetworkX ForceAtlas2), baseline layout_nx_spring (the map's old layout);
            the candidates and the baseline are stopped at --timeout
  web       map_interactive (headless Chromium, /usr/bin/chromium), api_wrk (wrk, 32 connections),
            map_wrk (/api/graph under wrk; entity calls while 8 clients load maps), serve_start
            (govmap serve from launch to its first page and to the report being ready),
            signin_load (/api/entity under wrk while 40 clients send wrong sign-ins)

Each stage runs in a fresh process (bench/stages.py; the stages themselves are grouped by
area in bench/stages_*.py) so its peak RSS is its own.  Registers come from ``govmap synth`` and are cached in bench/out/.  A
Neo4j 5.26 server is started from scripts/neo4j for the Neo4j stages and
stopped at the end (NEO4J_HEAP, default 4g).  Needs: chromium and wrk (Debian
packages) for the web group, playwright (Python) without `playwright install`.
Results: a table on stdout (its targets: bench/targets.py) and bench/out/results.json; the write-up
is bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from targets import print_table

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
NEO4J = ROOT / "scripts" / "neo4j"
PASSWORD = "govmap-bench-password"

GROUPS = {
    "yaml": ["yaml_load", "load_validate", "yaml_edit"],
    "neo4j": ["neo4j_raw", "neo4j_sync", "neo4j_reload", "neo4j_changed", "neo4j_edit"],
    "analysis": ["overlap_kernel", "report_full", "nx_projection"],
    "review": ["review_diff", "tabular_import"],
    "layout": ["layout_whole", "layout_drl", "layout_fa2", "layout_nx_spring"],
    "web": ["map_interactive", "map_after_edit", "api_wrk", "map_wrk", "serve_start", "signin_load"],
}


def run_stage(
    name: str, register: Path, env: dict[str, str], extra: list[str] | None = None
) -> dict[str, Any]:
    cmd = [sys.executable, str(ROOT / "bench" / "stages.py"), name, str(register), *(extra or [])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if proc.stdout:
        proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"stage {name} failed on {register.name}:\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_mib"] = usage.ru_maxrss / 1024  # Linux: KiB
    return result


def register_for(size: int, seed: int = 1) -> Path:
    """``govmap synth -n size`` (cached in bench/out/); size 0 is the seed register, data/boards.yaml."""
    if size == 0 and seed == 1:
        return ROOT / "data" / "boards.yaml"
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / (f"synth-{size}.yaml" if seed == 1 else f"synth-{size}-seed{seed}.yaml")
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "govmap", "synth", "-n", str(size), "--seed", str(seed), "-o", str(path)],
            check=True,
        )
    return path


def start_neo4j(env: dict[str, str]) -> tuple[str, Path]:
    instance = Path(tempfile.mkdtemp(prefix="govmap-bench-neo4j-"))
    out = subprocess.run(
        [str(NEO4J), "start", "--port", "auto", "--dir", str(instance)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=900,
    )
    uri = next(line.split("=", 1)[1] for line in out.stdout.splitlines() if line.startswith("NEO4J_URI="))
    return uri, instance


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="1,5,15,43", help="force areas per run, comma-separated (0: the seed register)"
    )
    parser.add_argument("--skip", default="", help="comma-separated groups to skip: " + ", ".join(GROUPS))
    parser.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds before nx_projection, the layout candidates and the map's wait for the "
        "whole-register layout are stopped (then reported as lower bounds); default 300",
    )
    parser.add_argument("--wrk-seconds", type=int, default=10, help="duration of each wrk run")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    skip = set(filter(None, args.skip.split(",")))
    env = {
        **os.environ,
        "NEO4J_PASSWORD": PASSWORD,
        "NEO4J_USER": "neo4j",
        "NEO4J_HEAP": os.environ.get("NEO4J_HEAP", "4g"),
    }

    groups = GROUPS
    extra = ["--timeout", str(args.timeout), "--wrk-seconds", str(args.wrk_seconds)]
    instance = None
    if "neo4j" not in skip:
        uri, instance = start_neo4j(env)
        env["NEO4J_URI"] = uri
        env["NEO4J_PID_FILE"] = str(instance / "run" / "neo4j.pid")  # the loads' CPU counts the server's
    results: dict[int, dict[str, dict[str, Any]]] = {}
    try:
        for size in sizes:
            path = register_for(size)
            results[size] = {}
            for group, stages in groups.items():
                if group in skip:
                    continue
                for name in stages:
                    if name in ("neo4j_changed", "review_diff") and size == 0:
                        continue  # needs a second register of the same shape: synthetic only
                    t = time.perf_counter()
                    changed = name in ("neo4j_changed", "review_diff")
                    more = ["--changed-to", str(register_for(size, 2))] if changed else []
                    results[size][name] = run_stage(name, path, env, extra + more)
                    print(
                        f"  {size:>3} force areas  {name:<16} {time.perf_counter() - t:7.1f} s",
                        file=sys.stderr,
                    )
    finally:
        if instance is not None:
            subprocess.run([str(NEO4J), "stop", "--dir", str(instance)], capture_output=True, timeout=120)
    print_table(results)
    (OUT / "results.json").write_text(
        json.dumps({"machine": machine(), "command": " ".join(sys.argv), "results": results}, indent=2),
        encoding="utf-8",
    )


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


if __name__ == "__main__":
    main()
