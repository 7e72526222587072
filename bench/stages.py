"""One benchmark stage, run in its own process so its peak memory is its own.

    python bench/stages.py STAGE REGISTER.yaml [--neo4j URI] [--timeout S] [--wrk-seconds S] [--changed-to R2]

prints one JSON line: {"stage": ..., "seconds": ..., ...}.  bench/run.py calls
this for every stage and size and reads the child's peak RSS from wait4().
"""

from __future__ import annotations

import argparse
import json
import os
import sys

# Each area's module registers its stages (@stage) when imported.
import stages_analysis  # noqa: F401
import stages_layout  # noqa: F401
import stages_load  # noqa: F401
import stages_neo4j  # noqa: F401
import stages_review  # noqa: F401
import stages_web  # noqa: F401
import stages_yaml  # noqa: F401
from stages_common import STAGES


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
