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
import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from govmap.graph import terms
from govmap.graph.analysis.appointments import appointments
from govmap.graph.analysis.coverage import Coverage, coverage_matrix
from govmap.graph.analysis.coverage_file import CoverageRules, load_coverage
from govmap.graph.analysis.coverage_findings import coverage_findings
from govmap.graph.analysis.delivery import Delivery, delivery_matrix
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
from govmap.graph.analysis.landscape import brokers, communities, landscape_graph, single_points
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
from govmap.graph.report.jsontext import dumps_indented
from govmap.ingest.model import Document, Register, Status
from govmap.ingest.store.files import write_atomically

#: Evidence written one row a line in JSON (:func:`~govmap.graph.report.jsontext.dumps_indented`).
TABLES = frozenset({"items", "bodies", "relations"})

#: How many findings the report puts first.
TOP_FINDINGS = 10
#: At most this many findings of one kind among the top findings: distinct problems first.
TOP_OF_A_KIND = 3

#: What a reviewer acts on first, within one severity: a statutory duty not met and lists naming
#: abolished bodies; issues nobody owns or two own; the accountability gaps; then the data chores
#: (plans ended, seats to fill, delivery bodies to record) and, last, what only informs.
ACT_FIRST: tuple[Kind, ...] = (
    Kind.STATUTORY_MISSING,
    Kind.NAMES_DISSOLVED,
    Kind.UNADDRESSED_THEME,
    Kind.OVERLAP,
    Kind.MULTIPLE_LEADS,
    Kind.UMBRELLA_DELIVERY,
    Kind.JOINT_UNACCOUNTABLE,
    Kind.DEAD_END,
    Kind.ORPHAN,
    Kind.NO_LEAD,
    Kind.CSP_NO_STRATEGY,
    Kind.PERIOD_ENDED,
    Kind.APPOINTMENT_EXPIRED,
    Kind.MOSTLY_VACANT,
    Kind.UMBRELLA_ONLY,
    Kind.REVIEW_OVERDUE,
    Kind.UNOWNED_STRATEGY,
    Kind.PARTLY_ADDRESSED,
    Kind.INDIRECT_THEME,
    Kind.STRATEGY_ONLY_THEME,
    Kind.STATUTORY_UNCHECKABLE,
    Kind.STATUTORY_UNCONFIRMED,
    Kind.DISPUTED,
    Kind.SEAT_VACANT,
    Kind.APPOINTMENT_ENDING,
    Kind.NO_ACCOUNTABILITY_PATH,
    Kind.MULTIPLE_PARENTS,
    Kind.SINGLE_POINT,
    Kind.CONSOLIDATION,
    Kind.SEAT_LOAD,
    Kind.INTERLOCK,
    Kind.UNUSED_EVIDENCE,
    Kind.UNCONFIRMED,
    Kind.STATUTORY_MAY_APPLY,
    Kind.BROKER,
    Kind.BRIDGE,
)


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


@dataclass(frozen=True)
class Report:
    """The findings of one register, ready to write in any format."""

    register: dict[str, Any]
    generated_from: dict[str, Any]
    parameters: dict[str, Any]
    findings: tuple[Finding, ...]
    #: Names of every subject, for the HTML appendix: id -> (name, kind)
    entities: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Who delivers what (None when the report was asked for other kinds only).
    delivery: Delivery | None = None
    #: Who covers each place (None when the report was asked for other kinds only).
    coverage: Coverage | None = None
    #: Records renamed, old id -> id now (``former_names``): decisions made on a finding
    #: under the old id follow it (:func:`govmap.graph.review.decisions.apply_decisions`).
    renames: dict[str, str] = field(default_factory=dict)
    #: How much of the register is confirmed: ``{"records": n, "unconfirmed": k}`` (documents not counted).
    quality: dict[str, int] | None = None

    def top(self, n: int = TOP_FINDINGS) -> tuple[Finding, ...]:
        """The findings to act on first: at most ``n`` distinct problems, resting on confirmed facts.

        By severity, then by what a reviewer acts on first (:data:`ACT_FIRST`),
        then the number of records the finding is about; at most
        :data:`TOP_OF_A_KIND` of one kind.  Info findings, and findings resting
        only on unconfirmed facts, are never top findings.
        """
        order = {k: i for i, k in enumerate(ACT_FIRST)}
        ranked = sorted(
            (
                f
                for f in self.findings
                if f.severity is not Severity.INFO and not f.evidence.get("unconfirmed_only")
            ),
            key=lambda f: (-f.severity.rank, order.get(f.kind, len(order)), -len(f.subjects), f.title, f.id),
        )
        out: list[Finding] = []
        seen: dict[Kind, int] = {}
        for f in ranked:
            if seen.get(f.kind, 0) >= TOP_OF_A_KIND:
                continue
            seen[f.kind] = seen.get(f.kind, 0) + 1
            out.append(f)
            if len(out) == n:
                break
        return tuple(out)

    def data_quality(self) -> str:
        """The data-quality line a reader sees first when most records are unconfirmed (else empty)."""
        q = self.quality
        if not q or q["unconfirmed"] * 2 <= q["records"]:
            return ""
        return (
            f"Most records ({q['unconfirmed']} of {q['records']}) are unconfirmed: read every finding as "
            "provisional until they are checked against their sources."
        )

    def in_words(self) -> str:
        """The summary as a sentence or two, for the first lines of a paper."""
        s = self.summary()
        n, sev = s["total"], s["by_severity"]
        quality = self.data_quality()
        if not n:
            return f"{quality} No findings.".strip()
        counts = ", ".join(f"{sev[x.value]} {x.value}" for x in Severity if sev[x.value])
        text = (quality + " " if quality else "") + f"{n} finding{'s' if n != 1 else ''} ({counts})."
        if self.delivery is not None:
            rows = self.delivery.rows
            led = sum(1 for r in rows if r.leads)
            nobody = sum(1 for r in rows if not r.deliverers and not r.past)
            text += f" Of {len(rows)} issues someone should own, {led} have a lead"
            text += f" and {nobody} {'is' if nobody == 1 else 'are'} addressed by no body." if nobody else "."
        top = self.top()
        if top:
            text += f" Act first on: {top[0].title}"
        return text

    def summary(self) -> dict[str, Any]:
        by_sev = {s.value: 0 for s in Severity}
        by_kind: dict[str, int] = {}
        by_both: dict[str, dict[str, int]] = {}
        for f in self.findings:
            by_sev[f.severity.value] += 1
            by_kind[f.kind.value] = by_kind.get(f.kind.value, 0) + 1
            by_both.setdefault(f.kind.value, {s.value: 0 for s in Severity})[f.severity.value] += 1
        return {
            "total": len(self.findings),
            "top": [f.id for f in self.top()],
            "by_severity": by_sev,
            "by_kind": dict(sorted(by_kind.items())),
            "by_kind_and_severity": dict(sorted(by_both.items())),
            "data_quality": self.quality,
        }

    def count_at_least(self, severity: Severity) -> int:
        """How many findings are at or above ``severity`` (what ``--fail-on`` counts)."""
        return sum(1 for f in self.findings if f.severity.at_least(severity))

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    def _head(self) -> dict[str, Any]:
        return {
            "register": self.register,
            "generated_from": self.generated_from,
            "parameters": self.parameters,
            "summary": {**self.summary(), "in_words": self.in_words()},
            "delivery": self.delivery.to_json() if self.delivery is not None else None,
            "coverage": self.coverage.to_json() if self.coverage is not None else None,
        }

    def to_json(self, extra: dict[str, Any] | None = None) -> str:
        """The report as indented JSON (``_head()`` plus every finding's ``to_json()``), with
        the keys of ``extra`` after the findings (the report command adds ``decisions``)."""
        return "".join(self.iter_json(extra))

    def iter_json(self, extra: dict[str, Any] | None = None) -> Iterator[str]:
        """:meth:`to_json`'s text in pieces, made one finding at a time, so the whole report
        never exists as dicts and text at once (at national scale, 286,000 findings before
        they were folded, that halved the peak memory; :meth:`write_json` keeps no text)."""
        head = dumps_indented({**self._head(), "findings": []})
        tail = "".join(
            f",\n  {dumps_indented(k)}: {dumps_indented(v, level=1)}" for k, v in (extra or {}).items()
        )
        if not self.findings:
            yield head[: -len("\n}")] + tail + "\n}\n"
            return
        # head ends '"findings": []\n}': open the list where the empty one was
        yield head[: -len("[]\n}")] + "[\n    "
        for i, f in enumerate(self.findings):
            yield (",\n    " if i else "") + dumps_indented(f.to_json(), level=2, rows=TABLES)
        yield "\n  ]" + tail + "\n}\n"

    def write_json(self, path: str | os.PathLike[str], extra: dict[str, Any] | None = None) -> None:
        """The JSON report (as :meth:`to_json`) written to ``path`` as it is made, atomically (a
        reader sees the old file or the new one); a failure to write is an :class:`OutputError`."""
        with collector_paused():
            write_atomically(path, self.iter_json(extra))

    def to_markdown(self) -> str:
        from govmap.graph.report.text import markdown

        return markdown(self)

    def to_csv(self) -> str:
        from govmap.graph.report.text import csv_text

        return csv_text(self)

    def to_html(self) -> str:
        from govmap.graph.report.html import html

        return html(self)

    def to_pack_html(self) -> str:
        """The committee pack as HTML (:func:`govmap.graph.report.html.pack_html`)."""
        from govmap.graph.report.html import pack_html

        return pack_html(self)

    def to_pdf(self) -> bytes:
        """The committee pack as PDF (:mod:`govmap.graph.report.pdf`; needs Playwright and a
        Chromium-family browser, else :class:`~govmap.graph.report.pdf.PdfEngineMissing`)."""
        from govmap.graph.report.pdf import html_to_pdf

        return html_to_pdf(self.to_pack_html())

    def render(self, fmt: str) -> str:
        """``json``, ``md``, ``csv``, ``html`` or ``pack`` (the committee pack's HTML)."""
        return {
            "json": self.to_json,
            "md": self.to_markdown,
            "csv": self.to_csv,
            "html": self.to_html,
            "pack": self.to_pack_html,
        }[fmt]()


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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a report is made or written.

    A national register is millions of live objects; every full collection
    walks them all, and the analyses allocate enough to trigger many: at 15
    force areas the collector took half the report's time.  What the report
    allocates is freed by reference counting; the collector runs again (if it
    was enabled) as soon as the block ends.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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
    entities = {s.id: (s.name, s.kind) for f in findings for s in f.subjects}
    if generated_from is None:
        digest = hashlib.sha256(register.model_dump_json(by_alias=True).encode("utf-8")).hexdigest()
        generated_from = {"file": None, "sha256": digest}
    return Report(
        _register_json(register),
        generated_from,
        opts.to_json(as_of),
        tuple(findings),
        dict(sorted(entities.items())),
        delivery_matrix(register, lk) if wanted & set(GROUPS["delivery"]) else None,
        coverage_matrix(register, coverage_rules, lk) if wanted & set(GROUPS["coverage"]) else None,
        register.renames(),
        _quality(lk),
    )


def _quality(lk: Lookup) -> dict[str, int]:
    """How many records (documents not counted) there are, and how many are unconfirmed themselves."""
    records = [r for r in lk.register.records() if not isinstance(r, Document)]
    return {
        "records": len(records),
        "unconfirmed": sum(1 for r in records if lk.status.get(r.id) is Status.UNCONFIRMED),
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
        g = landscape_graph(register, lk)
        found = (
            structure(register, lk)
            + brokers(register, opts.brokers, lk, g)
            + single_points(register, opts.min_cut, lk, g)
        )
        g.clear()  # a NetworkX graph refers to itself: free its edges now, not at the next collection
        return found

    rules: tuple[Rule, ...] = load_rules(opts.rules_path)
    return {
        "overlap": overlap_group,
        "delivery": lambda: delivery_findings(register, lk),
        "interlocks": lambda: (
            seat_load_findings(register, opts.min_seats, lk)
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
