"""How long a save takes on the YAML store: library and HTTP, on a copy of a register.

    python bench/save.py [REGISTER.yaml] [--edits N]

Prints one JSON line: the first (cold) save, then the median and 90th percentile
of N saves, each of a different record from a form opened at its record's version
(``store_*``: ``YamlStore.apply``; ``http_*``: a form POST through the Flask app,
redirect included).  The target of issue 16 is a median of 150 ms or less on the
seed register.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    from govmap.ingest.model import record_version
    from govmap.ingest.store.edits import ChangeRecord
    from govmap.ingest.store.yamlstore import YamlStore
    from tests.websupport import login, make_app

    parser = argparse.ArgumentParser()
    parser.add_argument("register", nargs="?", default=str(ROOT / "data" / "boards.yaml"))
    parser.add_argument("--edits", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    try:
        path = folder / "boards.yaml"
        shutil.copy(args.register, path)
        store = YamlStore(path)
        records = [r.id for r in store.load()[0].records()][: args.edits + 1]
        times = []
        for n, rid in enumerate(records):
            rec = store.load()[0].get(rid)
            start = time.perf_counter()
            store.apply(
                ChangeRecord(rid, {"description": f"Benchmark edit {n}"}), record_version(rec), "bench"
            )
            times.append(time.perf_counter() - start)
        cold, warm = times[0], times[1:]

        shutil.copy(args.register, path)
        client = make_app(path).test_client()
        login(client, "alice")
        http = []
        for n, rid in enumerate(records[1:]):
            page = client.get(f"/edit/{rid}").get_data(as_text=True)
            m = re.search(r'name="version" value="([^"]*)"', page)
            assert m
            start = time.perf_counter()
            response = client.post(
                f"/edit/{rid}", data={"version": m.group(1), "description": f"HTTP edit {n}"}
            )
            client.get(response.headers["Location"])  # the page the editor lands on
            http.append(time.perf_counter() - start)
            assert response.status_code == 302, response.get_data(as_text=True)
        print(
            json.dumps(
                {
                    "register": args.register,
                    "edits": len(warm),
                    "store_cold_ms": round(cold * 1000, 1),
                    "store_p50_ms": round(statistics.median(warm) * 1000, 1),
                    "store_p90_ms": round(percentile(warm, 0.9) * 1000, 1),
                    "http_p50_ms": round(statistics.median(http) * 1000, 1),
                    "http_p90_ms": round(percentile(http, 0.9) * 1000, 1),
                }
            )
        )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
