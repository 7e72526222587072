"""The findings, filtered, each linking to its subjects; downloads in every report format.

The page opens with the summary in words and the counts, then the filters, the
top findings, and the findings folded by analysis group (``<details>``), in the
order of :data:`~govmap.graph.analysis.findings.GROUPS`, so a long report is a
list of headings first, not a page of thousands of pixels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request

from govmap.graph.analysis.findings import GROUP_TITLES, GROUPS, Finding, Kind, Severity
from govmap.graph.report.html import PRINT_CSS, date_words, version_words
from govmap.graph.report.text import evidence_text, label, shown_evidence
from govmap.webviz import analysis, state

bp = Blueprint("report", __name__)

#: A group is shown open when the page lists at most this many findings.
OPEN_ALL_UP_TO = 12


@dataclass(frozen=True)
class Group:
    """One analysis group's findings on the page."""

    key: str
    title: str
    findings: list[Finding]
    open: bool

    @property
    def counts(self) -> str:
        """``3 findings: 1 high, 2 medium``."""
        n = len(self.findings)
        by = [(s, sum(1 for f in self.findings if f.severity is s)) for s in Severity]
        detail = ", ".join(f"{c} {s.value}" for s, c in by if c)
        return f"{n} finding{'s' if n != 1 else ''}: {detail}"


def groups_of(findings: list[Finding], top: Iterable[Finding] = ()) -> list[Group]:
    """The findings by analysis group, in report order; which groups open at first.

    The first group opens, and so does every group holding a high finding or
    one of the ``top`` findings (the page links to those); when the page lists
    few findings (a narrow filter), every group opens.  A link to a finding in
    a closed group still reaches it: browsers open a ``<details>`` to show the
    target of a fragment link.
    """
    by: dict[str, list[Finding]] = {g: [] for g in GROUPS}
    for f in findings:
        by[f.kind.group].append(f)
    shown = [(g, fs) for g, fs in by.items() if fs]
    few = len(findings) <= OPEN_ALL_UP_TO
    first = {f.id for f in top}

    def opens(i: int, fs: list[Finding]) -> bool:
        return few or i == 0 or any(f.severity is Severity.HIGH or f.id in first for f in fs)

    return [Group(g, GROUP_TITLES[g], fs, opens(i, fs)) for i, (g, fs) in enumerate(shown)]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def filter_words(kind: str, severity: str) -> str:
    """What the filter shows, for the title: ``high findings, overlap``; ``all findings``.

    >>> filter_words("overlap", "high")
    'high findings, overlap'
    >>> filter_words("no-lead", "medium")
    'medium or higher findings, no lead body'
    >>> filter_words("gaps", "")
    'ownership gaps'
    >>> filter_words("", "")
    'all findings'
    """
    label = ""
    if kind:
        label = _lower_first(GROUP_TITLES[kind] if kind in GROUPS else Kind(kind).label)
    if not severity:
        return label or "all findings"
    words = f"{severity} findings" if severity == Severity.HIGH.value else f"{severity} or higher findings"
    return f"{words}, {label}" if label else words


def printed(view: analysis.ReportView) -> str:
    """The line a printed page opens with: the register, the day the findings are judged as of,
    and the register's version (print.css shows it only on paper)."""
    rep = view.report
    day = dt.date.fromisoformat(rep.parameters["as_of"])
    return f"{rep.register['name']} · as of {date_words(day)} · {version_words(rep.register, rep.generated_from)}"


@bp.get("/print.css")
def print_css() -> Response:
    """The print stylesheet the committee pack is printed with (graph/report/print.css)."""
    return Response(PRINT_CSS, mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/report")
def index() -> str:
    rep = state.current().report
    kind, severity = request.args.get("kind", ""), request.args.get("severity", "")
    findings = rep.select(kind=kind or None, severity=severity or None)
    summary = rep.report.summary()
    top = rep.report.top()
    return render_template(
        "report.html",
        report=rep,
        findings=findings,
        groups=groups_of(findings, () if kind or severity else top),
        kind=kind,
        severity=severity,
        title=filter_words(kind, severity),
        formats=analysis.FORMATS,
        top=top,
        summary_words=rep.report.in_words(),
        by_severity=summary.get("by_severity", {}),
        group_counts={g: sum(1 for f in rep.findings if f.kind.group == g) for g in GROUPS},
        group_titles=GROUP_TITLES,
        severities=analysis.SEVERITIES,
        kind_labels={k.value: k.label for k in Kind},
        printed=printed(rep),
        evidence_text=evidence_text,
        label=label,
        shown=shown_evidence,
    )


@bp.get("/report/download.<fmt>")
def download(fmt: str) -> Response:
    text = state.current().report.download(fmt)
    return Response(
        text,
        mimetype=analysis.FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="govmap-report.{fmt}"'},
    )
