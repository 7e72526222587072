"""govmap benchmark: wall time, peak memory and ratios to baselines measured in the same run.

    python bench/run.py                      # sizes 1, 5, 15, 43 force areas (43 = England and Wales)
    python bench/run.py --sizes 1,5 --skip neo4j

Each stage runs in a fresh process (bench/stages.py) so its peak RSS is its
own.  Registers come from ``govmap synth`` and are cached in bench/out/.  A
Neo4j 5.26 server is started from scripts/neo4j for the Neo4j stages and
stopped at the end.  Results: a table on stdout and bench/out/results.json.
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

#: (stage, baseline stage, ratio key, how the ratio reads, target, "max" or "min")
TARGETS = [
    ("load_validate", "yaml_load", "seconds", "load+validate / yaml.load (C)", 1.5, "max"),
    ("neo4j_sync", "neo4j_raw", "seconds", "sync / raw UNWIND CREATE", 1.5, "max"),
    ("neo4j_sync", "neo4j_sync", "nochange_seconds", "no-change re-sync / full sync", 0.1, "max"),
]


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
    parser.add_argument("--skip", default="", help="comma-separated groups to skip: yaml, neo4j")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    skip = set(filter(None, args.skip.split(",")))
    env = {
        **os.environ,
        "NEO4J_PASSWORD": PASSWORD,
        "NEO4J_USER": "neo4j",
        "NEO4J_HEAP": os.environ.get("NEO4J_HEAP", "4g"),
    }

    groups = {
        "yaml": ["yaml_load", "load_validate"],
        "neo4j": ["neo4j_raw", "neo4j_sync"],
    }
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
                    results[size][name] = run_stage(name, path, env)
                    print(
                        f"  {size:>3} force areas  {name:<16} {time.perf_counter() - t:7.1f} s",
                        file=sys.stderr,
                    )
    finally:
        if instance is not None:
            subprocess.run([str(NEO4J), "stop", "--dir", str(instance)], capture_output=True, timeout=120)
    print_table(results)
    (OUT / "results.json").write_text(
        json.dumps({"machine": machine(), "results": results}, indent=2), encoding="utf-8"
    )


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }


def print_table(results: dict[int, dict[str, dict[str, Any]]]) -> None:
    print("\nstage timings (seconds) and peak memory (MiB), per size in force areas")
    print(f"{'size':>5}  {'stage':<16} {'seconds':>9} {'peak MiB':>9}")
    for size, stages in results.items():
        for name, r in stages.items():
            print(f"{size:>5}  {name:<16} {r['seconds']:>9.2f} {r['peak_mib']:>9.0f}")
            if "nochange_seconds" in r:
                print(f"{size:>5}  {name + ' (again)':<16} {r['nochange_seconds']:>9.2f}")
    print("\nratios against baselines measured in the same run")
    print(f"{'size':>5}  {'ratio':<36} {'value':>8} {'target':>8}  met")
    for size, stages in results.items():
        for stage_name, base, key, label, target, kind in TARGETS:
            if stage_name not in stages or base not in stages:
                continue
            value = stages[stage_name][key] / stages[base]["seconds"]
            met = value <= target if kind == "max" else value >= target
            sign = "<=" if kind == "max" else ">="
            print(f"{size:>5}  {label:<36} {value:>8.2f} {sign}{target:>6}  {'yes' if met else 'NO'}")


if __name__ == "__main__":
    main()
