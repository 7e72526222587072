"""The findings report: every analysis run once, in four formats.

JSON is the contract (``{"register", "generated_from", "parameters",
"summary", "delivery", "coverage", "findings"}``; ``summary.top`` lists the ids of the top
findings in order); Markdown is for pasting into papers, CSV has one finding a
row, HTML is one self-contained printable page.  Markdown and HTML read in the
order a committee reads: the summary in words, the top findings, who delivers
what, then every finding by severity, grouped by analysis, and an appendix.  The same register
and parameters give the same bytes: findings are sorted, and nothing depends
on the clock except through the explicit ``as_of`` date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from govmap.graph import terms
from govmap.graph.analysis.appointments import appointments
from govmap.graph.analysis.coverage import coverage_matrix
from govmap.graph.analysis.coverage_file import CoverageRules, load_coverage
from govmap.graph.analysis.coverage_findings import coverage_findings
from govmap.graph.analysis.cut_points import single_points
from govmap.graph.analysis.delivery import delivery_matrix
from govmap.graph.analysis.duplicates import possible_duplicates
from govmap.graph.analysis.findings import GROUPS, Finding, Kind, Lookup, Severity, expand_kinds
from govmap.graph.analysis.gaps import gaps
from govmap.graph.analysis.interlocks import (
    DEFAULT_MIN_SEATS,
    DEFAULT_MIN_SHARED,
    DEFAULT_MIN_SIMILARITY,
    interlocks,
    seat_load_findings,
)
from govmap.graph.analysis.landscape import brokers, communities, landscape
from govmap.graph.analysis.overlap import (
    DEFAULT_THRESHOLD,
    OverlapWeights,
    one_job,
    overlap_graph,
    overlaps,
    pair_scores,
)
from govmap.graph.analysis.overlap_fold import OverlapPlan, consolidation_graph, overlap_findings
from govmap.graph.analysis.rules import statutory
from govmap.graph.analysis.rules_file import Rule, load_rules
from govmap.graph.analysis.staleness import staleness
from govmap.graph.analysis.structure import structure
from govmap.graph.analysis.succession import succession
from govmap.graph.analysis.umbrellas import delivery_findings
from govmap.graph.report.aggregate import aggregate, said_once
from govmap.graph.report.findings_report import TOP_FINDINGS, Report, collector_paused
from govmap.ingest.model import Register, Status


@dataclass(frozen=True)
class ReportOptions:
    """Parameters of the analyses; all have documented defaults."""

    threshold: float = DEFAULT_THRESHOLD
    weights: OverlapWeights = field(default_factory=OverlapWeights)
    #: The date reviews are judged against; None means today.
    as_of: dt.date | None = None
    interlock_k: int = DEFAULT_MIN_SHARED
    interlock_similarity: float = DEFAULT_MIN_SIMILARITY
    min_seats: int = DEFAULT_MIN_SEATS
    brokers: int = 5
    min_cut: int = 2
    community_min_size: int = 3
    seed: int = 0
    #: Rules file; None means the shipped ``data/rules/statutory.yaml``.
    rules_path: str | None = None
    #: The register's own coverage rules file (``boards.coverage.yaml``: rules switched off or added);
    #: None means the shipped ``data/rules/coverage.yaml`` alone.
    coverage_path: str | None = None
    #: Fold repetitive findings into one with many subjects (:mod:`govmap.graph.report.aggregate`).
    aggregate: bool = True

    def to_json(self, as_of: dt.date) -> dict[str, Any]:
        out = asdict(self)
        out["as_of"] = as_of.isoformat()
        out["rules_path"] = Path(self.rules_path).name if self.rules_path else "statutory.yaml"
        out["coverage_path"] = Path(self.coverage_path).name if self.coverage_path else None
        return out


MEDIA_TYPES = terms.MEDIA_TYPES
FORMATS = terms.REPORT_FORMATS
PRINTED = terms.PRINTED_FORMATS


def source_of(path: str | os.PathLike[str]) -> dict[str, Any]:
    """``generated_from`` for a register file: its name (not the full path) and SHA-256."""
    p = Path(path)
    return {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}


def _register_json(register: Register) -> dict[str, Any]:
    info = register.info
    return {
        "id": info.id,
        "name": info.name,
        "version": info.version,
        "top": list(info.top),
        "counts": {s: len(getattr(register, s)) for s in ("bodies", "organisations", "themes", "strategies")},
    }


def report(
    register: Register,
    kinds: Iterable[str | Kind] | None = None,
    min_severity: Severity | str | None = None,
    options: ReportOptions | None = None,
    *,
    generated_from: dict[str, Any] | None = None,
) -> Report:
    """Run every analysis (or those for ``kinds``) and collect the findings, sorted.

    Parameters
    ----------
    register : Register
    kinds : iterable of str, optional
        Finding kinds (``overlap``, ``orphan`` ...) or group names
        (``overlap``, ``interlocks``, ``gaps``, ``structure``, ``statutory``,
        ``staleness``).  Default: all.
    min_severity : Severity or str, optional
        Leave out findings below this severity.
    options : ReportOptions, optional
    generated_from : dict, optional
        What the register was read from (:func:`source_of`); default: the
        SHA-256 of the register's canonical JSON.

    Returns
    -------
    Report
        Findings sorted by severity (highest first), kind, score and title.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> r = report(loads("themes: [{id: fraud, name: Fraud, kind: public-concern}]"))
    >>> r.summary()["by_kind"]
    {'unaddressed-theme': 1, 'unconfirmed-facts': 1}
    """
    with collector_paused():
        return _report(register, kinds, min_severity, options, generated_from)


def _report(
    register: Register,
    kinds: Iterable[str | Kind] | None,
    min_severity: Severity | str | None,
    options: ReportOptions | None,
    generated_from: dict[str, Any] | None,
) -> Report:
    opts = options or ReportOptions()
    wanted = (
        expand_kinds([k.value if isinstance(k, Kind) else k for k in kinds]) if kinds else frozenset(Kind)
    )
    floor = Severity(min_severity) if min_severity is not None else Severity.INFO
    as_of = opts.as_of or dt.date.today()
    lk = Lookup(register, as_of)
    found: list[Finding] = []
    coverage_rules = load_coverage(opts.coverage_path)
    for group, run in _analyses(register, lk, opts, as_of, coverage_rules).items():
        if wanted & set(GROUPS[group]):
            found += run()
    kept = sorted((f for f in found if f.kind in wanted), key=Finding.sort_key)
    if opts.aggregate:
        kept = sorted(said_once(aggregate(kept)), key=Finding.sort_key)
    findings = [f for f in kept if f.severity.at_least(floor)]
    if generated_from is None:
        digest = hashlib.sha256(register.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()
        generated_from = {"file": None, "sha256": digest}
    return Report(
        _register_json(register),
        generated_from,
        opts.to_json(as_of),
        tuple(findings),
        delivery=delivery_matrix(register, lk) if wanted & set(GROUPS["delivery"]) else None,
        coverage=coverage_matrix(register, coverage_rules, lk) if wanted & set(GROUPS["coverage"]) else None,
        renames=register.renames(),
        quality=_quality(lk),
    )


def _quality(lk: Lookup) -> dict[str, int]:
    """How many records (documents not counted) there are, and how many are unconfirmed themselves.

    Counted from the reading's statuses (one a record, documents among them), not record by record.
    """
    unconfirmed = Status.UNCONFIRMED
    documents = lk.register.documents
    return {
        "records": len(lk.status) - len(documents),
        "unconfirmed": Counter(lk.status.values())[unconfirmed]
        - sum(1 for d in documents if lk.status[d.id] is unconfirmed),
    }


def _analyses(
    register: Register, lk: Lookup, opts: ReportOptions, as_of: dt.date, coverage_rules: CoverageRules
) -> dict[str, Callable[[], list[Finding]]]:
    def overlap_group() -> list[Finding]:
        twice = possible_duplicates(register, lk)
        pairs = one_job(lk, pair_scores(register, opts.weights, opts.threshold, lk))
        if not opts.aggregate:  # every pair a finding of its own, communities of every pair
            return (
                twice
                + overlaps(register, weights=opts.weights, threshold=opts.threshold, lookup=lk, pairs=pairs)
                + communities(register, overlap_graph(pairs), opts.community_min_size, opts.seed, lk)
            )
        plan = OverlapPlan(lk, pairs)
        found = overlap_findings(register, weights=opts.weights, lookup=lk, pairs=pairs, plan=plan)
        return (
            twice
            + found
            + communities(register, consolidation_graph(pairs, plan), opts.community_min_size, opts.seed, lk)
        )

    def structure_group() -> list[Finding]:
        g = landscape(register, lk)  # plain adjacency, made once for both
        return (
            structure(register, lk)
            + brokers(register, opts.brokers, lk, g)
            + single_points(register, opts.min_cut, lk, g)
        )

    rules: tuple[Rule, ...] = load_rules(opts.rules_path)
    return {
        "overlap": overlap_group,
        "delivery": lambda: delivery_findings(register, lk),
        "interlocks": lambda: (
            seat_load_findings(register, opts.min_seats, lk, fold=opts.aggregate)
            + interlocks(register, opts.interlock_k, lk, opts.interlock_similarity)
        ),
        "gaps": lambda: gaps(register, lk),
        "coverage": lambda: coverage_findings(register, coverage_rules, lk),
        "structure": structure_group,
        "statutory": lambda: statutory(register, rules, lk),
        "staleness": lambda: staleness(register, as_of, lk, fold=opts.aggregate),
        "succession": lambda: succession(register, as_of, lk),
        "appointments": lambda: appointments(register, as_of, lk),
    }


__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "PRINTED",
    "TOP_FINDINGS",
    "Report",
    "ReportOptions",
    "report",
    "source_of",
]
