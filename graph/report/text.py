"""Markdown and CSV renderings of a :class:`~govmap.graph.report.Report`, and the evidence formatter they share."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import TYPE_CHECKING, Any

from govmap.graph.analysis.findings import GROUP_TITLES, GROUPS, Finding, Severity
from govmap.ingest.text import csv_cell

if TYPE_CHECKING:
    from govmap.graph.analysis.coverage import Coverage
    from govmap.graph.report.findings_report import Report


def label(key: str) -> str:
    """``shared_themes`` -> ``shared themes``."""
    return key.replace("_", " ")


def evidence_text(value: Any) -> str:
    """Evidence as one line of plain text: records as ``name [id]``, lists joined by ``; ``."""
    if isinstance(value, dict):
        if "name" in value and "id" in value:
            rest = {k: v for k, v in value.items() if k not in ("name", "id")}
            tail = f" ({evidence_text(rest)})" if rest else ""
            return f"{value['name']} [{value['id']}]{tail}"
        return ", ".join(f"{label(str(k))}: {evidence_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(evidence_text(v) for v in value) if value else "none"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def sources_text(f: Finding) -> str:
    return "; ".join(s.doc + (f", {s.section}" if s.section else "") for s in f.sources)


def grouped(findings: tuple[Finding, ...]) -> list[tuple[str, list[Finding]]]:
    """Findings by analysis group, in the order of :data:`GROUPS`; empty groups left out."""
    out = []
    for group in GROUPS:
        fs = [f for f in findings if f.kind.group == group]
        if fs:
            out.append((group, fs))
    return out


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_LINE_BREAK = re.compile(r"\r\n?|\n")
#: A word GitHub's autolink extension would turn into a link: ``scheme://``, ``www.``, ``name@domain``.
_LINKISH = re.compile(r"\S*(?:://|www\.|@)\S*", re.IGNORECASE)
_TICKS = re.compile(r"`+")

#: Evidence that explains how the model works, not what was found: JSON and the appendix only.
INTERNAL_EVIDENCE = frozenset(
    {"weights", "parts", "seed", "k", "min_similarity", "sampled_sources", "items", "umbrella_themes"}
)


def _code(word: str, cell: bool) -> str:
    fence = "`" * (max((len(t) for t in _TICKS.findall(word)), default=0) + 1)
    pad = " " if word.startswith("`") or word.endswith("`") else ""
    return fence + pad + (word.replace("|", "\\|") if cell else word) + pad + fence


def md(text: object, cell: bool = False) -> str:
    """Escape text for Markdown: no formatting, links or raw HTML can come from register data.

    Backslash escapes stop Markdown's own syntax (``[x](y)``, ``<url>``).
    GitHub also turns bare ``https://...``, ``www....`` and e-mail addresses
    into links (the "Autolinks (extension)" of the GitHub Flavored Markdown
    spec), which backslash escapes are not documented to stop; such a word is
    put in a code span, where nothing is a link and the text copies exactly as
    written (no invisible characters).  ``cell`` escapes ``|`` inside code
    spans too, for table cells.  Line breaks (LF, CR, CRLF) become spaces, so
    register text stays on its line.

    Examples
    --------
    >>> md("*Board* [x](https://evil.example)\\r\\nnext")
    '\\\\*Board\\\\* `[x](https://evil.example)` next'
    """
    flat = _LINE_BREAK.sub(" ", str(text))
    out, last = [], 0
    for m in _LINKISH.finditer(flat):
        word = m.group(0).rstrip(".,;:!?")  # a sentence's punctuation stays outside the span
        out.append(_MD_SPECIAL.sub(r"\\\1", flat[last : m.start()]))
        out.append(_code(word, cell))
        last = m.start() + len(word)
    out.append(_MD_SPECIAL.sub(r"\\\1", flat[last:]))
    return "".join(out)


def by_severity(findings: tuple[Finding, ...]) -> list[tuple[Severity, list[tuple[str, list[Finding]]]]]:
    """Findings by severity (highest first), each grouped by analysis; empty ones left out."""
    out = []
    for sev in Severity:
        fs = tuple(f for f in findings if f.severity is sev)
        if fs:
            out.append((sev, grouped(fs)))
    return out


def subjects_text(f: Finding, limit: int = 4) -> str:
    """The subjects' names, the first few, for a one-line summary."""
    names = [s.name for s in f.subjects]
    more = len(names) - limit
    return "; ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def shown_evidence(f: Finding) -> list[tuple[str, object]]:
    """The evidence a reader sees (model internals left to JSON and the appendix)."""
    return [(k, v) for k, v in f.evidence.items() if k not in INTERNAL_EVIDENCE]


def items_of(f: Finding) -> list[dict[str, Any]]:
    """The parts of a folded finding (:mod:`govmap.graph.report.aggregate`), or none."""
    items = f.evidence.get("items")
    return list(items) if isinstance(items, list) else []


def markdown(report: Report) -> str:
    """The report as Markdown, for pasting into committee papers.

    Order: the summary in words, the top findings, who delivers what, every
    finding by severity (grouped by analysis), then an appendix with the
    counts by kind and the parameters.
    """
    s = report.summary()
    src = report.generated_from
    lines = [
        f"# Findings: {md(report.register['name'])}",
        "",
        f"Generated from {md(src.get('file') or 'register')} (SHA-256 {md(str(src.get('sha256'))[:12])}), "
        f"as of {report.parameters['as_of']}.",
        "",
        md(report.in_words()),
    ]
    top = report.top()
    if top:
        lines += ["", "## Top findings", ""]
        for i, f in enumerate(top, start=1):
            lines.append(
                f"{i}. **{f.severity.value}** {md(f.kind.label)}: {md(f.title)} "
                f"({md(subjects_text(f))}; [details](#{f.id}))"
            )
    if report.delivery is not None:
        lines += ["", "## Who delivers what", ""]
        lines += delivery_markdown(report)
    if report.coverage is not None and report.coverage.rows:
        lines += ["", "## Who covers each place", ""]
        lines += coverage_markdown(report.coverage)
    for sev, groups in by_severity(report.findings):
        n = sum(len(fs) for _, fs in groups)
        lines += ["", f"## {sev.value.capitalize()} ({n})"]
        for group, fs in groups:
            lines += ["", f"### {GROUP_TITLES[group]} ({len(fs)})"]
            for f in fs:
                lines += finding_markdown(f)
    lines += ["", "## Appendix: counts by kind", ""]
    lines += counts_markdown(s)
    lines += ["", "## Appendix: parameters", ""]
    for key, value in report.parameters.items():
        lines.append(f"- {md(label(key))}: {md(evidence_text(value))}")
    return "\n".join(lines) + "\n"


def finding_markdown(f: Finding) -> list[str]:
    lines = ["", f'<a id="{f.id}"></a>', "", f"#### {md(f.title)}", ""]
    meta = [f"**{f.severity.value}**", md(f.kind.label)]
    if f.score is not None:
        meta.append(f"score {f.score:g}")
    meta.append(f"id `{f.id}`")
    lines.append(" · ".join(meta))
    lines.append("")
    lines.append("- About: " + "; ".join(f"{md(x.name)} \\[{md(x.id)}\\] ({x.kind})" for x in f.subjects))
    for key, value in shown_evidence(f):
        lines.append(f"- {md(label(key)).capitalize()}: {md(evidence_text(value))}")
    for item in items_of(f):
        names = "; ".join(str(x["name"]) for x in item["subjects"])
        lines.append(f"  - {md(item['title'])} ({md(names)})")
    if f.suggestion:
        lines.append(f"- Suggestion: {md(f.suggestion)}")
    if f.sources:
        lines.append(f"- Sources: {md(sources_text(f))}")
    return lines


def delivery_markdown(report: Report) -> list[str]:
    """Who delivers what as a Markdown table: one row an issue."""
    assert report.delivery is not None
    lines = ["| Issue | Kind | Leads | Contribute | Note |", "|---|---|---|---|---|"]
    for row in report.delivery.rows:
        leads = [d for d in row.deliverers if d.role.value == "lead"]
        others = [d for d in row.deliverers if d.role.value != "lead" and d.id not in {x.id for x in leads}]
        lines.append(
            f"| {md(row.name, True)} | {md(row.kind.replace('-', ' '), True)} | "
            f"{md(_names(leads), True)} | {md(_names(others), True)} | {md(row.note, True)} |"
        )
    return lines


def coverage_markdown(coverage: Coverage) -> list[str]:
    """The matrix as Markdown lines: a table (places down, functions across), then the law by column."""
    lines = [
        "| Place | " + " | ".join(md(r.short, True) for r in coverage.rules) + " |",
        "|---|" + "---|" * len(coverage.rules),
    ]
    for row in coverage.rows:
        cells = [
            md(row.cells[r.id].text(coverage.names), True) if r.id in row.cells else "—"
            for r in coverage.rules
        ]
        place = "– " * row.depth + md(row.name, True) + (" (list complete)" if row.complete else "")
        lines.append(f"| {place} | " + " | ".join(cells) + " |")
    lines += ["", "—: not required there. The law, by column:", ""]
    for r in coverage.rules:
        shared = f"; one body for several places: {md(r.shared_basis)}" if r.shared_basis else ""
        title = f" ({md(r.title)})" if r.title != r.short else ""
        lines.append(f"- **{md(r.short)}**{title}: {md(r.legal_basis)}{shared}.")
    if coverage.rules_used.off:
        offs = "; ".join(f"{md(o.rule)} ({md(o.reason)})" for o in coverage.rules_used.off)
        lines += ["", f"Rules this register switches off ({md(coverage.rules_used.own or '')}): {offs}."]
    if coverage.outside:
        lines += [
            "",
            "Not checked, held only for context (the register records no council, or for a force area no force, whose duty they are): "
            + ", ".join(md(n) for _, n in coverage.outside)
            + ".",
        ]
    return lines


def _names(ds: list[Any]) -> str:
    """``Board (through Plan A; Plan B); Group``: each deliverer once, with the plans it acts through."""
    vias: dict[str, list[str]] = {}
    for d in ds:
        way = f"through {d.via_name}" if d.via_name else "itself"
        if way not in vias.setdefault(d.name, []):
            vias[d.name].append(way)
    return "; ".join(n if v == ["itself"] else f"{n} ({'; '.join(v)})" for n, v in vias.items())


def counts_markdown(s: dict[str, object]) -> list[str]:
    from govmap.graph.analysis.findings import Kind

    lines = [
        "| Kind | " + " | ".join(sev.value for sev in Severity) + " | Total |",
        "|---|" + "---:|" * (len(Severity) + 1),
    ]
    by_both: dict[str, dict[str, int]] = s["by_kind_and_severity"]  # type: ignore[assignment]
    by_kind: dict[str, int] = s["by_kind"]  # type: ignore[assignment]
    by_sev: dict[str, int] = s["by_severity"]  # type: ignore[assignment]
    for kind, counts in by_both.items():
        cells = " | ".join(str(counts[sev.value]) for sev in Severity)
        lines.append(f"| {md(Kind(kind).label, True)} | {cells} | {by_kind[kind]} |")
    lines.append(
        "| **Total** | " + " | ".join(str(by_sev[sev.value]) for sev in Severity) + f" | {s['total']} |"
    )
    return lines


CSV_COLUMNS = (
    "id",
    "kind",
    "label",
    "group",
    "severity",
    "score",
    "title",
    "subject_ids",
    "subject_names",
    "suggestion",
    "sources",
    "evidence",
)


def csv_text(report: Report) -> str:
    """The findings as CSV, one a row, with the header :data:`CSV_COLUMNS`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for f in report.findings:
        row = [
            f.id,
            f.kind.value,
            f.kind.label,
            f.kind.group,
            f.severity.value,
            "" if f.score is None else f"{f.score:g}",
            f.title,
            ";".join(s.id for s in f.subjects),
            "; ".join(s.name for s in f.subjects),
            f.suggestion,
            sources_text(f),
            json.dumps(f.evidence, ensure_ascii=False, separators=(",", ":")),
        ]
        w.writerow([csv_cell(c) for c in row])
    return buf.getvalue()
