"""Benchmark stages: the review cycle (diff) and spreadsheets (import)."""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from stages_common import AS_OF, cpu_timed, register_of, stage


@stage
def review_diff(args: argparse.Namespace) -> dict[str, Any]:
    """``govmap diff REGISTER CHANGED_TO --format json -o OUT`` in process: both files read and
    checked (``read_seconds``, the baseline: reading the input), then the diff of records
    and of both reports (the new register's in a forked child, see support/background.py),
    the JSON streamed to a file.  ``seconds`` is the whole command.  ``child_peak_mib`` is the
    child's peak RSS (run.py's ``peak_mib`` is this process's; both exist at once)."""
    import datetime as dt
    import resource
    import tempfile

    from govmap.graph.review.diff import diff_registers
    from govmap.graph.review.sources import read_side
    from govmap.ingest.store.files import write_atomically

    read, read_cpu, (before, after) = cpu_timed(
        lambda: (read_side(args.register, other=args.changed_to), read_side(args.changed_to))
    )
    work, work_cpu, result = cpu_timed(lambda: diff_registers(before, after, dt.date.fromisoformat(AS_OF)))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "diff.json")
        render, render_cpu, _ = cpu_timed(lambda: write_atomically(out, result.iter_json()))
        size = os.path.getsize(out)
    return {
        "seconds": read + work + render,
        "read_seconds": read,
        "diff_seconds": work,
        "render_seconds": render,
        "records_changed": len(result.records.changed),
        "findings_open": len(result.findings.open),
        "json_mib": round(size / 2**20, 1),
        "child_peak_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "cpu_seconds": read_cpu + work_cpu + render_cpu,
        "read_cpu_seconds": read_cpu,
    }


@stage
def tabular_import(args: argparse.Namespace) -> dict[str, Any]:
    """``govmap import REGISTER.xlsx -o OUT.yaml`` in process, on the register written as a
    spreadsheet first (untimed).  Baseline (``read_seconds``): openpyxl reading every cell
    of the same workbook (read-only mode), i.e. reading the input.  ``seconds`` is the
    import (read, check) and the YAML written."""
    import tempfile
    import zipfile

    import openpyxl

    from govmap.ingest.reading.yamlsafe import Limits
    from govmap.ingest.store.dump import dump_register
    from govmap.ingest.store.files import write_atomically
    from govmap.ingest.tabular import import_register, write_xlsx
    from govmap.ingest.tabular.read import SpreadsheetUnreadable

    reg = register_of(args)
    with tempfile.TemporaryDirectory() as tmp:
        book = os.path.join(tmp, "register.xlsx")
        with open(book, "wb") as f:
            f.write(write_xlsx(reg))

        def read_cells() -> int:
            wb = openpyxl.load_workbook(book, read_only=True, data_only=True)
            n = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for _ in row)
            wb.close()
            return n

        read, read_cpu, cells = cpu_timed(read_cells)

        parts: dict[str, float] = {}

        def run(limits: Any = None) -> int:
            t = time.perf_counter()
            imported = import_register(book, limits)
            assert imported.register is not None, imported.problems[:3]
            parts["read_check_seconds"] = time.perf_counter() - t
            t = time.perf_counter()
            write_atomically(os.path.join(tmp, "out.yaml"), dump_register(imported.register))
            parts["yaml_seconds"] = time.perf_counter() - t
            return sum(1 for _ in imported.register.records())

        refused = None
        try:
            seconds, cpu, records = cpu_timed(run)
        except SpreadsheetUnreadable as exc:  # over the unpacked limit: as a user would, raise it
            refused = exc.message
            seconds, cpu, records = cpu_timed(
                lambda: run(Limits(max_bytes=4 * os.path.getsize(args.register) + 2**28))
            )
        size = os.path.getsize(book)
        with zipfile.ZipFile(book) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    return {
        "refused_at_default_limit": refused,
        "seconds": seconds,
        "read_seconds": read,
        "cells": cells,
        "records": records,
        "xlsx_mib": round(size / 2**20, 1),
        "xlsx_bytes": size,
        "unpacked_bytes": unpacked,
        "cpu_seconds": cpu,
        "read_cpu_seconds": read_cpu,
        **parts,
    }
