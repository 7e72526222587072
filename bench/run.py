"""govmap benchmark: wall time, peak memory and ratios to baselines measured in the same run.

The one command (from a fresh clone, after `pip install -e .`):

    python bench/run.py                      # sizes 1, 5, 15, 43 force areas (43 = England and Wales)

Other examples:

    python bench/run.py --sizes 1,5 --skip neo4j,web
    python bench/run.py --sizes 43 --skip yaml,neo4j --timeout 600

Groups (skip any with --skip):
  yaml      yaml_load (baseline: bare C yaml.load) and load_validate
  neo4j     neo4j_raw (baseline: UNWIND CREATE of the same rows) and neo4j_sync (full, then no-change)
  analysis  overlap_kernel (baseline: sparse kernel), report_full (report + JSON),
            nx_projection (NetworkX bipartite.weighted_projected_graph; stopped at --timeout)
  web       map_interactive (headless Chromium, /usr/bin/chromium) and api_wrk (wrk, 32 connections)

Each stage runs in a fresh process (bench/stages.py) so its peak RSS is its
own.  Registers come from ``govmap synth`` and are cached in bench/out/.  A
Neo4j 5.26 server is started from scripts/neo4j for the Neo4j stages and
stopped at the end (NEO4J_HEAP, default 4g).  Needs: chromium and wrk (Debian
packages) for the web group, playwright (Python) without `playwright install`.
Results: a table on stdout and bench/out/results.json; the write-up is bench/RESULTS.md.
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

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
NEO4J = ROOT / "scripts" / "neo4j"
PASSWORD = "govmap-bench-password"

#: (stage, baseline stage, ratio key, how the ratio reads, target, "max" or "min").
#: The ratio is stage[key] / baseline["seconds"]; for "min" it is baseline / stage
#: (how many times faster govmap is).
TARGETS = [
    ("load_validate", "yaml_load", "seconds", "load+validate / yaml.load (C)", 1.5, "max"),
    ("neo4j_sync", "neo4j_raw", "seconds", "sync / raw UNWIND CREATE", 1.5, "max"),
    ("neo4j_sync", "neo4j_sync", "nochange_seconds", "no-change re-sync / full sync", 0.1, "max"),
    ("report_full", "overlap_kernel", "seconds", "full report+JSON / overlap kernel", 2.0, "max"),
    ("overlap_kernel", "nx_projection", "seconds", "nx projection / kernel (x faster)", 20.0, "min"),
    ("report_full", "nx_projection", "seconds", "nx projection / full report (info)", None, "min"),
]

#: (stage, key, label, target, unit scale): absolute targets, "value < target".
LIMITS = [
    ("map_interactive", "seconds", "map first visit to drawn (s)", 2.0, 1.0),
    ("map_interactive", "repeat_seconds", "map repeat visit to drawn (s)", 2.0, 1.0),
    ("api_wrk", "entity.p95_ms", "/api/entity/<id> p95 (ms)", 50.0, 1.0),
    ("api_wrk", "entities.p95_ms", "/api/entities?q= p95 (ms)", 50.0, 1.0),
]

#: Peak memory target for every stage at the largest size (MiB).
PEAK_MIB = 2048

GROUPS = {
    "yaml": ["yaml_load", "load_validate"],
    "neo4j": ["neo4j_raw", "neo4j_sync"],
    "analysis": ["overlap_kernel", "report_full", "nx_projection"],
    "web": ["map_interactive", "api_wrk"],
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


def register_for(size: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"synth-{size}.yaml"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "govmap", "synth", "-n", str(size), "-o", str(path)], check=True
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
    parser.add_argument("--sizes", default="1,5,15,43", help="force areas per run, comma-separated")
    parser.add_argument("--skip", default="", help="comma-separated groups to skip: " + ", ".join(GROUPS))
    parser.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds before nx_projection and the whole-register map layout are stopped "
        "(then reported as lower bounds); default 300",
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
    results: dict[int, dict[str, dict[str, Any]]] = {}
    try:
        for size in sizes:
            path = register_for(size)
            results[size] = {}
            for group, stages in groups.items():
                if group in skip:
                    continue
                for name in stages:
                    t = time.perf_counter()
                    results[size][name] = run_stage(name, path, env, extra)
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


def _get(r: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        r = r[part]
    return r


def _detail(name: str, r: dict[str, Any]) -> list[tuple[str, str]]:
    """Extra lines of the table for a stage: its second figures."""
    rows: list[tuple[str, str]] = []
    if "nochange_seconds" in r:
        rows.append((name + " (again)", f"{r['nochange_seconds']:>9.2f}"))
    if name == "nx_projection" and r.get("timed_out"):
        rows.append((name, f"stopped: > {r['seconds']:.0f} s"))
    if name == "map_interactive":
        rows.append(("  repeat visit", f"{r['repeat_seconds']:>9.2f}"))
        rows.append(
            (
                "  layout (once)",
                f"{r['layout_seconds']:>9.2f}{' (stopped: lower bound)' if r['layout_timed_out'] else ''}",
            )
        )
        rows.append(("  nodes drawn", f"{r['nodes']:>9} {r['filter'] or '(whole map)'}"))
    if name == "api_wrk":
        for ep in ("entity", "entities"):
            e = r[ep]
            rows.append(
                (
                    f"  {ep}",
                    f"p50 {e['p50_ms']:.1f} p95 {e['p95_ms']:.1f} p99 {e['p99_ms']:.1f} ms, "
                    f"{e['rps']:.0f} req/s, non-2xx {e['non_2xx']}, errors {e['errors']}",
                )
            )
        rows.append(("  first request", f"{r['first_seconds']:>9.2f}"))
    return rows


def print_table(results: dict[int, dict[str, dict[str, Any]]]) -> None:
    print("\nstage timings (seconds) and peak memory (MiB), per size in force areas")
    print(f"{'size':>5}  {'stage':<16} {'seconds':>9} {'peak MiB':>9}")
    for size, stages in results.items():
        for name, r in stages.items():
            print(f"{size:>5}  {name:<16} {r['seconds']:>9.2f} {r['peak_mib']:>9.0f}")
            for label, text in _detail(name, r):
                print(f"{size:>5}  {label:<16} {text}")
    print("\nratios against baselines measured in the same run")
    print(f"{'size':>5}  {'ratio':<38} {'value':>9} {'target':>8}  met")
    for size, stages in results.items():
        for stage_name, base, key, label, target, kind in TARGETS:
            if stage_name not in stages or base not in stages:
                continue
            num, den = stages[stage_name][key], stages[base]["seconds"]
            value = num / den if kind == "max" else den / num
            bound = kind == "min" and stages[base].get("timed_out")  # nx stopped: a lower bound
            shown = f"{'>' if bound else ''}{value:.2f}"
            if target is None:
                print(f"{size:>5}  {label:<38} {shown:>9} {'':>8}  -")
                continue
            met = value <= target if kind == "max" else value >= target
            sign = "<=" if kind == "max" else ">="
            print(f"{size:>5}  {label:<38} {shown:>9} {sign}{target:>6}  {'yes' if met else 'NO'}")
    print("\nabsolute targets")
    for size, stages in results.items():
        for stage_name, key, label, target, _ in LIMITS:
            if stage_name not in stages:
                continue
            value = _get(stages[stage_name], key)
            print(
                f"{size:>5}  {label:<38} {value:>9.2f} {'<':>2}{target:>6}  {'yes' if value < target else 'NO'}"
            )
    if results:
        top = max(results)
        peaks = {name: r["peak_mib"] for name, r in results[top].items()}
        if peaks:
            worst = max(peaks, key=peaks.__getitem__)
            met = all(v < PEAK_MIB for k, v in peaks.items() if k != "nx_projection")
            print(
                f"\npeak memory at {top} force areas: highest {peaks[worst]:.0f} MiB ({worst}); "
                f"target < {PEAK_MIB} MiB for every govmap stage (nx_projection is a baseline): "
                f"{'yes' if met else 'NO'}"
            )


if __name__ == "__main__":
    main()
