"""Benchmark stages: the analysis and the report."""

from __future__ import annotations

import argparse
import gc
import os
import time
from typing import Any

from stages_common import AS_OF, cpu_timed, register_of, stage


@stage
def report_full(args: argparse.Namespace) -> dict[str, Any]:
    """govmap's default report (every analysis, repetitive findings folded), then its JSON
    written to a file (streamed when the report can: ``Report.write_json``)."""
    import datetime as dt
    import tempfile
    from collections import Counter

    from govmap.graph.report import ReportOptions, report, source_of

    reg = register_of(args)
    opts = ReportOptions(as_of=dt.date.fromisoformat(AS_OF))
    # CPU time too (on a shared machine wall time depends on the load), counted from after the
    # collection `cpu_timed` runs first, as wall time is; the kernel's stage counts the same way.
    # As `govmap report FILE` does: generated_from is the file's digest, not a re-serialised register.
    seconds, cpu, rep = cpu_timed(lambda: report(reg, options=opts, generated_from=source_of(args.register)))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        if hasattr(rep, "write_json"):  # streamed to the file, a finding at a time
            json_seconds, json_cpu, _ = cpu_timed(lambda: rep.write_json(out))
        else:  # one string, then written
            from govmap.ingest.store.files import write_atomically

            json_seconds, json_cpu, _ = cpu_timed(lambda: write_atomically(out, rep.to_json()))
        size = os.path.getsize(out)
    return {
        "seconds": seconds + json_seconds,
        "cpu_seconds": round(cpu + json_cpu, 3),
        "analysis_seconds": seconds,
        "json_seconds": json_seconds,
        "findings": len(rep.findings),
        "findings_by_kind": dict(Counter(f.kind.value for f in rep.findings).most_common(6)),
        "all_findings_by_kind": dict(sorted(Counter(f.kind.value for f in rep.findings).items())),
        "overlap_by_fold": dict(
            sorted(
                Counter(
                    f.evidence.get("fold", f"pair, place {f.evidence.get('place')}")
                    for f in rep.findings
                    if f.kind.value == "overlap"
                ).items()
            )
        ),
        "json_mib": round(size / 2**20, 1),
        "streamed": hasattr(rep, "write_json"),
    }


@stage
def overlap_kernel(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: the sparse-matrix overlap kernel alone (graph/overlap.py pair_scores)."""
    from govmap.graph.analysis.findings import Lookup
    from govmap.graph.analysis.overlap import pair_scores

    reg = register_of(args)
    lk = Lookup(reg)  # shared index of the register; built once by the report too
    seconds, cpu, pairs = cpu_timed(lambda: pair_scores(reg, lookup=lk))
    return {
        "seconds": seconds,
        "cpu_seconds": round(cpu, 3),
        "bodies": len(pairs.bodies),
        "pairs": int(len(pairs.rows)),
    }


@stage
def nx_projection(args: argparse.Namespace) -> dict[str, Any]:
    """Baseline: NetworkX bipartite.weighted_projected_graph of bodies over themes and members.

    The same facts the kernel scores (which body addresses which theme, which
    member sits on which body), projected onto the bodies.  Stopped after
    ``--timeout`` seconds: then ``seconds`` is a lower bound (``timed_out``).
    """
    import signal

    import networkx as nx
    from networkx.algorithms import bipartite

    from govmap.graph.analysis.findings import Lookup

    reg = register_of(args)
    lk = Lookup(reg)
    b = nx.Graph()
    bodies = [f"b:{x.id}" for x in lk.bodies]
    b.add_nodes_from(bodies, bipartite=0)
    for body in lk.bodies:
        for link in body.themes:
            b.add_edge(f"b:{body.id}", f"t:{link.theme}")
        for m in body.members:
            b.add_edge(f"b:{body.id}", f"m:{m.member}")

    class TimedOut(Exception):
        pass

    def alarm(signum: int, frame: Any) -> None:
        raise TimedOut

    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(int(args.timeout))
    gc.collect()
    t = time.perf_counter()
    try:
        p = bipartite.weighted_projected_graph(b, bodies)
        signal.alarm(0)
        return {
            "seconds": time.perf_counter() - t,
            "timed_out": False,
            "bipartite_edges": b.number_of_edges(),
            "projected_edges": p.number_of_edges(),
        }
    except TimedOut:
        return {
            "seconds": time.perf_counter() - t,
            "timed_out": True,
            "bipartite_edges": b.number_of_edges(),
        }
