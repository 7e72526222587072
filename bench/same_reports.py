"""Save or compare the JSON reports of every register in the repository, for a change meant
to leave every report byte for byte as it was (a speed-up).

    python bench/same_reports.py save DIR     # before the change
    python bench/same_reports.py compare DIR  # after: lists every report that differs

Registers: data/boards.yaml, tests/registers/**/*.yaml, tests/landscapes/*/register.yaml,
``govmap synth -n 5`` (seed 1) and, with ``--national``, bench/out/synth-43.yaml.
Each report is ``govmap report FILE --format json --as-of 2026-03-01``, run with
``PYTHONHASHSEED=0``: a consolidation finding's ``mean_score`` sums its edges in an order that
follows string hashing, so its fourth decimal can change from one run to the next (seen at 43
force areas) whatever the change.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-03-01"


def registers(national: bool) -> list[Path]:
    found = [ROOT / "data/boards.yaml"]
    found += sorted((ROOT / "tests/registers").rglob("*.yaml"))
    found += sorted((ROOT / "tests/landscapes").glob("*/register.yaml"))
    synth5 = ROOT / "bench/out/synth-5.yaml"
    if not synth5.exists():
        synth5.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["govmap", "synth", "-n", "5", "-o", str(synth5)], check=True)
    found.append(synth5)
    if national:
        found.append(ROOT / "bench/out/synth-43.yaml")
    return found


def report_json(path: Path) -> bytes:
    done = subprocess.run(
        ["govmap", "report", str(path), "--format", "json", "--as-of", AS_OF],
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return done.stdout + b"\n--- exit %d ---\n" % done.returncode + done.stderr


def name_of(path: Path) -> str:
    return str(path.relative_to(ROOT)).replace(os.sep, "__")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("action", choices=["save", "compare"])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--national", action="store_true", help="bench/out/synth-43.yaml too (about a minute)")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    differ = 0
    for path in registers(args.national):
        text = report_json(path)
        saved = args.dir / (name_of(path) + ".json")
        if args.action == "save":
            saved.write_bytes(text)
            print(f"saved {name_of(path)} ({len(text):,} bytes)")
            continue
        before = saved.read_bytes() if saved.exists() else None
        same = before == text
        differ += not same
        digest = hashlib.sha256(text).hexdigest()[:12]
        print(f"{'same' if same else 'DIFFERS'} {name_of(path)} ({len(text):,} bytes, {digest})")
        if not same:
            (args.dir / (name_of(path) + ".after.json")).write_bytes(text)
    if args.action == "compare":
        print(f"{differ} report(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
