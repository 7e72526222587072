"""The findings report itself: :class:`Report` (the findings of one register, ranked, summed up and
written in any format) and what ranks its top findings; :mod:`govmap.graph.report.assemble` makes one.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from govmap.graph.analysis.coverage import Coverage
from govmap.graph.analysis.delivery import Delivery
from govmap.graph.analysis.findings import Finding, Kind, Severity
from govmap.graph.report.jsontext import json_bytes
from govmap.ingest.store.files import write_atomically

#: Lists written one row a line in JSON (:func:`~govmap.graph.report.jsontext.json_bytes`).
TABLES = frozenset({"items", "bodies", "relations", "subjects", "sources"})

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
class Report:
    """The findings of one register, ready to write in any format."""

    register: dict[str, Any]
    generated_from: dict[str, Any]
    parameters: dict[str, Any]
    findings: tuple[Finding, ...]
    #: Who delivers what (None when the report was asked for other kinds only).
    delivery: Delivery | None = None
    #: Who covers each place (None when the report was asked for other kinds only).
    coverage: Coverage | None = None
    #: Records renamed, old id -> id now (``former_names``): decisions made on a finding
    #: under the old id follow it (:func:`govmap.graph.review.decisions.apply_decisions`).
    renames: dict[str, str] = field(default_factory=dict)
    #: How much of the register is confirmed: ``{"records": n, "unconfirmed": k}`` (documents not counted).
    quality: dict[str, int] | None = None

    @cached_property
    def entities(self) -> dict[str, tuple[str, str]]:
        """Names of every subject, for the HTML appendix: id -> (name, kind), by id (made when a
        format asks: at national scale a folded finding has 35,000 subjects)."""
        return dict(sorted({s.id: (s.name, s.kind) for f in self.findings for s in f.subjects}.items()))

    def top(self, n: int = TOP_FINDINGS) -> tuple[Finding, ...]:
        """The findings to act on first: at most ``n`` distinct problems, resting on confirmed facts.

        By severity, then by what a reviewer acts on first (:data:`ACT_FIRST`),
        then the number of records the finding is about; at most
        :data:`TOP_OF_A_KIND` of one kind.  Info findings, and findings resting
        only on unconfirmed facts, are never top findings.
        """
        return self._top if n == TOP_FINDINGS else self._ranked(n)

    @cached_property
    def _top(self) -> tuple[Finding, ...]:
        """The default top findings, ranked once (the summary, its words and every format ask)."""
        return self._ranked(TOP_FINDINGS)

    def _ranked(self, n: int) -> tuple[Finding, ...]:
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

    def in_words(self, summary: dict[str, Any] | None = None) -> str:
        """The summary (:meth:`summary`, made again unless given) as a sentence or two, for the
        first lines of a paper."""
        s = summary if summary is not None else self.summary()
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
            "summary": {**(summary := self.summary()), "in_words": self.in_words(summary)},
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
        return (piece.decode() for piece in self._json_pieces(extra))

    def _json_pieces(self, extra: dict[str, Any] | None) -> Iterator[bytes]:
        """:meth:`iter_json`'s pieces in UTF-8, as :meth:`write_json` writes them."""
        head = json_bytes({**self._head(), "findings": []})
        tail = b"".join(
            b",\n  " + json_bytes(k) + b": " + json_bytes(v, level=1) for k, v in (extra or {}).items()
        )
        if not self.findings:
            yield head[: -len("\n}")] + tail + b"\n}\n"
            return
        # head ends '"findings": []\n}': open the list where the empty one was
        yield head[: -len("[]\n}")] + b"[\n    "
        for i, f in enumerate(self.findings):
            yield (b",\n    " if i else b"") + json_bytes(f.to_json(), level=2, rows=TABLES)
        yield b"\n  ]" + tail + b"\n}\n"

    def write_json(self, path: str | os.PathLike[str], extra: dict[str, Any] | None = None) -> None:
        """The JSON report (as :meth:`to_json`) written to ``path`` as it is made, atomically (a
        reader sees the old file or the new one); a failure to write is an :class:`OutputError`."""
        with collector_paused():
            write_atomically(path, self._json_pieces(extra))

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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a report is made or written.

    A national register is millions of live objects; every full collection
    walks them all, and the analyses allocate enough to trigger many: at 15
    force areas the collector took half the report's time.  What the report
    allocates is freed by reference counting; the collector runs again (if it
    was enabled) as soon as the block ends.  What is then young (what the block
    made and kept: the report) goes to the oldest generation, where surviving two
    collections would have put it, so the first young collection does not walk it (at 43
    force areas 500,000 containers, 0.2 s); a cycle it dropped is freed by the
    next full collection.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if not gc.get_freeze_count():
                # freeze then unfreeze: every tracked object to the oldest generation, in O(1);
                # only when nothing else is frozen (unfreeze thaws everything)
                gc.freeze()
                gc.unfreeze()
            gc.enable()


__all__ = ["ACT_FIRST", "TABLES", "TOP_FINDINGS", "TOP_OF_A_KIND", "Report", "collector_paused"]
