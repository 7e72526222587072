"""Time the spreadsheet round trip and the standalone map on a synthetic register.

    python bench/tabular.py [FORCE_AREAS]

prints one line per step: seconds and bytes.  Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from govmap.ingest.reading.load import loads
from govmap.ingest.tabular import import_register, write_csv_zip, write_xlsx
from govmap.support.synth import synth_yaml
from govmap.webviz.map.query import MapQuery
from govmap.webviz.map.standalone import standalone_map


def main(force_areas: int = 1) -> None:
    reg = loads(synth_yaml(force_areas))
    n = sum(1 for _ in reg.records())
    print(f"synth -n {force_areas}: {n} records")
    with tempfile.TemporaryDirectory() as tmp:
        for name, write in (("xlsx", write_xlsx), ("zip", write_csv_zip)):
            t = time.perf_counter()
            data = write(reg)
            path = Path(tmp) / f"r.{name}"
            path.write_bytes(data)
            print(f"export {name}: {time.perf_counter() - t:.2f} s, {len(data):,} bytes")
            t = time.perf_counter()
            imported = import_register(path)
            assert imported.register is not None
            print(f"import {name}: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    html = standalone_map(reg, MapQuery(kinds=("body",)))
    print(f"map of bodies: {time.perf_counter() - t:.2f} s, {len(html):,} bytes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
