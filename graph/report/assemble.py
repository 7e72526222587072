"""The findings report: every analysis run once, in four formats.

JSON is the contract (``{"register", "generated_from", "parameters",
"summary", "findings"}``); Markdown is for pasting into papers, CSV has one
finding a row, HTML is one self-contained printable page.  The same register
and parameters give the same bytes: findings are sorted, and nothing depends
on the clock except through the explicit ``as_of`` date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
    overlap_graph,
    overlaps,
    pair_scores,
)
from govmap.graph.analysis.rules import Rule, load_rules, statutory
from govmap.graph.analysis.staleness import staleness
from govmap.graph.analysis.structure import structure
from govmap.graph.report.jsontext import dumps_indented
from govmap.ingest.model import Register


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

    def to_json(self, as_of: dt.date) -> dict[str, Any]:
        out = asdict(self)
        out["as_of"] = as_of.isoformat()
        out["rules_path"] = Path(self.rules_path).name if self.rules_path else "statutory.yaml"
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
            "by_severity": by_sev,
            "by_kind": dict(sorted(by_kind.items())),
            "by_kind_and_severity": dict(sorted(by_both.items())),
        }

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    def _head(self) -> dict[str, Any]:
        return {
            "register": self.register,
            "generated_from": self.generated_from,
            "parameters": self.parameters,
            "summary": self.summary(),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self._head(), "findings": [f.to_json() for f in self.findings]}

    def to_json(self) -> str:
        """``json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\\n"``, written one
        finding at a time so the whole report never exists as dicts and text at once
        (at national scale, 286,000 findings, that halved the peak memory)."""
        head = dumps_indented({**self._head(), "findings": []})
        if not self.findings:
            return head + "\n"
        items = [dumps_indented(f.to_json(), level=2) for f in self.findings]
        # head ends '"findings": []\n}': open the list where the empty one was
        return head[: -len("[]\n}")] + "[\n    " + ",\n    ".join(items) + "\n  ]\n}\n"

    def to_markdown(self) -> str:
        from govmap.graph.report.text import markdown

        return markdown(self)

    def to_csv(self) -> str:
        from govmap.graph.report.text import csv_text

        return csv_text(self)

    def to_html(self) -> str:
        from govmap.graph.report.html import html

        return html(self)

    def render(self, fmt: str) -> str:
        """``json``, ``md``, ``csv`` or ``html``."""
        return {"json": self.to_json, "md": self.to_markdown, "csv": self.to_csv, "html": self.to_html}[fmt]()


FORMATS = ("md", "html", "json", "csv")


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
    >>> from govmap.ingest.load import loads
    >>> r = report(loads("themes: [{id: fraud, name: Fraud, kind: public-concern}]"))
    >>> r.summary()["by_kind"]
    {'unaddressed-theme': 1, 'unconfirmed-facts': 1}
    """
    opts = options or ReportOptions()
    wanted = (
        expand_kinds([k.value if isinstance(k, Kind) else k for k in kinds]) if kinds else frozenset(Kind)
    )
    floor = Severity(min_severity) if min_severity is not None else Severity.INFO
    as_of = opts.as_of or dt.date.today()
    lk = Lookup(register)
    found: list[Finding] = []
    for group, run in _analyses(register, lk, opts, as_of).items():
        if wanted & set(GROUPS[group]):
            found += run()
    findings = sorted(
        (f for f in found if f.kind in wanted and f.severity.at_least(floor)), key=Finding.sort_key
    )
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
    )


def _analyses(
    register: Register, lk: Lookup, opts: ReportOptions, as_of: dt.date
) -> dict[str, Callable[[], list[Finding]]]:
    def overlap_group() -> list[Finding]:
        pairs = pair_scores(register, opts.weights, opts.threshold, lk)
        return overlaps(register, weights=opts.weights, threshold=opts.threshold, lookup=lk, pairs=pairs) + (
            communities(register, overlap_graph(pairs), opts.community_min_size, opts.seed, lk)
        )

    def structure_group() -> list[Finding]:
        g = landscape_graph(register, lk)
        return (
            structure(register, lk)
            + brokers(register, opts.brokers, lk, g)
            + single_points(register, opts.min_cut, lk, g)
        )

    rules: tuple[Rule, ...] = load_rules(opts.rules_path)
    return {
        "overlap": overlap_group,
        "interlocks": lambda: (
            seat_load_findings(register, opts.min_seats, lk) + interlocks(register, opts.interlock_k, lk)
        ),
        "gaps": lambda: gaps(register, lk),
        "structure": structure_group,
        "statutory": lambda: statutory(register, rules, lk),
        "staleness": lambda: staleness(register, as_of, lk),
    }


__all__ = ["FORMATS", "Report", "ReportOptions", "report", "source_of"]
