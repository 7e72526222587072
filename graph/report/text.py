"""Markdown and CSV renderings of a :class:`~govmap.graph.report.Report`, and the evidence formatter they share."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import TYPE_CHECKING, Any

from govmap.graph.analysis.findings import GROUPS, Finding, Severity

if TYPE_CHECKING:
    from govmap.graph.report.assemble import Report

GROUP_TITLES = {
    "overlap": "Overlap",
    "interlocks": "Interlocks and seat load",
    "gaps": "Ownership gaps",
    "structure": "Structure",
    "statutory": "Statutory membership",
    "staleness": "Staleness",
}


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
#: Where GitHub's autolink extension would start a link: ``scheme://``, ``www.``, ``name@domain``.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
#: U+2060 WORD JOINER: invisible, no line break, and not a character a link may contain.
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """Escape text for Markdown: no formatting, links or raw HTML can come from register data.

    Backslash escapes stop Markdown's own syntax (``[x](y)``, ``<url>``), but
    GitHub also turns bare ``https://...``, ``www....`` and e-mail addresses
    into links (the "Autolinks (extension)" of the GitHub Flavored Markdown
    spec), which backslash escapes are not documented to stop.  Those need the literal
    ``://``, ``www.`` or ``@`` followed by a domain, so an invisible word
    joiner is put inside each: the text reads the same and links nowhere.
    Line breaks (LF, CR, CRLF) become spaces, so register text stays on its line.

    Examples
    --------
    >>> md("*Board* [x](https://evil.example)\\r\\nnext")
    '\\\\*Board\\\\* \\\\[x\\\\](https:\\u2060//evil.example) next'
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", _LINE_BREAK.sub(" ", str(text)))
    return _AUTOLINK.sub(WORD_JOINER, escaped)


def markdown(report: Report) -> str:
    """The report as Markdown, for pasting into committee papers."""
    s = report.summary()
    src = report.generated_from
    lines = [
        f"# Findings: {md(report.register['name'])}",
        "",
        f"Generated from {md(src.get('file') or 'register')} (SHA-256 {md(str(src.get('sha256'))[:12])}), "
        f"as of {report.parameters['as_of']}: {s['total']} findings.",
        "",
        "| Kind | " + " | ".join(sev.value for sev in Severity) + " | Total |",
        "|---|" + "---:|" * (len(Severity) + 1),
    ]
    for kind, counts in s["by_kind_and_severity"].items():
        cells = " | ".join(str(counts[sev.value]) for sev in Severity)
        lines.append(f"| {kind} | {cells} | {s['by_kind'][kind]} |")
    lines.append(
        "| **Total** | "
        + " | ".join(str(s["by_severity"][sev.value]) for sev in Severity)
        + f" | {s['total']} |"
    )
    for group, fs in grouped(report.findings):
        lines += ["", f"## {GROUP_TITLES[group]} ({len(fs)})"]
        for f in fs:
            lines += ["", f"### {md(f.title)}", ""]
            meta = [f"**{f.severity.value}**", f.kind.value]
            if f.score is not None:
                meta.append(f"score {f.score:g}")
            meta.append(f"id `{f.id}`")
            lines.append(" · ".join(meta))
            lines.append("")
            lines.append(
                "- Subjects: " + "; ".join(f"{md(x.name)} \\[{md(x.id)}\\] ({x.kind})" for x in f.subjects)
            )
            for key, value in f.evidence.items():
                lines.append(f"- {md(label(key)).capitalize()}: {md(evidence_text(value))}")
            if f.suggestion:
                lines.append(f"- Suggestion: {md(f.suggestion)}")
            if f.sources:
                lines.append(f"- Sources: {md(sources_text(f))}")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "id",
    "kind",
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


def _cell(value: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets; register
    # text is not trusted, so such cells get a leading apostrophe (OWASP advice).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_text(report: Report) -> str:
    """The findings as CSV, one a row, with the header :data:`CSV_COLUMNS`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for f in report.findings:
        row = [
            f.id,
            f.kind.value,
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
        w.writerow([_cell(c) for c in row])
    return buf.getvalue()
