"""Markdown, HTML and JSON for a register diff and a what-if scenario.

HTML is one self-contained page with every register value escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from govmap.graph.review.diff import RegisterDiff, finding_brief
from govmap.graph.review.whatif import WhatIf
from govmap.graph.terms import REVIEW_FORMATS

FORMATS = REVIEW_FORMATS


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- diff ----------------------------------------------------------------------


def diff_markdown(d: RegisterDiff) -> str:
    rec, fnd = d.records, d.findings
    out = [f"# Changes from {d.old['label']} to {d.new['label']}", ""]
    out += ["## Records", ""]
    if rec.empty:
        out += ["No record changed.", ""]
    for rid in rec.added:
        out.append(f"- added: {d.names.get(rid, rid)} [{rid}]")
    for rid in rec.removed:
        out.append(f"- removed: {d.names.get(rid, rid)} [{rid}]")
    for r in rec.renamed:
        out.append(
            f"- renamed: [{r.old}] -> {d.names.get(r.new, r.new)} [{r.new}] (similarity {r.similarity})"
        )
        out += [f"  - {c.describe()}" for c in r.changes]
    for c in rec.changed:
        out.append(f"- changed: {c.name} [{c.id}]")
        out += [f"  - {x.describe()}" for x in c.changes]
    if not rec.empty:
        out.append("")
    out += ["## Findings", ""]
    for label, items in (
        ("New", fnd.new),
        ("Resolved", fnd.resolved),
        ("Changed", fnd.changed),
        ("Still open", fnd.open),
    ):
        out += [f"### {label} ({len(items)})", ""]
        out += [f"- **{f.severity.value}** {f.title} `{f.id}`{_was(fnd, f)}" for f in items] or ["None."]
        out.append("")
    return "\n".join(out)


def _was(fnd: Any, f: Any) -> str:
    """`` (was: ...)`` for a changed finding: its old title, and its old severity if that changed."""
    was = fnd.was.get(f.id)
    if was is None:
        return ""
    severity = f"{was.severity.value}: " if was.severity is not f.severity else ""
    return f" (was: {severity}{was.title})"


def _li_changes(changes: Any) -> str:
    if not changes:
        return ""
    return "<ul>" + "".join(f"<li>{escape(c.describe())}</li>" for c in changes) + "</ul>"


def diff_html_body(d: RegisterDiff) -> str:
    """The diff as an HTML fragment (the web page embeds it; :func:`diff_html` wraps it)."""
    rec, fnd = d.records, d.findings
    parts = ['<section class="diff-records"><h2>Records</h2>']
    if rec.empty:
        parts.append('<p class="none">No record changed.</p>')
    parts.append("<ul>")
    for rid in rec.added:
        parts.append(
            f'<li class="added">added: {escape(d.names.get(rid, rid))} <code>{escape(rid)}</code></li>'
        )
    for rid in rec.removed:
        parts.append(
            f'<li class="removed">removed: {escape(d.names.get(rid, rid))} <code>{escape(rid)}</code></li>'
        )
    for r in rec.renamed:
        parts.append(
            f'<li class="renamed">renamed: <code>{escape(r.old)}</code> to {escape(d.names.get(r.new, r.new))} '
            f"<code>{escape(r.new)}</code> (similarity {r.similarity}){_li_changes(r.changes)}</li>"
        )
    for c in rec.changed:
        parts.append(
            f'<li class="changed">changed: {escape(c.name)} <code>{escape(c.id)}</code>'
            f"{_li_changes(c.changes)}</li>"
        )
    parts.append("</ul></section>")
    parts.append('<section class="diff-findings"><h2>Findings</h2>')
    for label, cls, items in (
        ("New", "new", fnd.new),
        ("Resolved", "resolved", fnd.resolved),
        ("Changed", "changed", fnd.changed),
        ("Still open", "open", fnd.open),
    ):
        parts.append(f'<h3 class="{cls}">{label} ({len(items)})</h3><ul class="findings-{cls}">')
        for f in items:
            parts.append(
                f'<li><span class="sev sev-{escape(f.severity.value)}">{escape(f.severity.value)}</span> '
                f"{escape(f.title)} <code>{escape(f.id)}</code>{escape(_was(fnd, f))}</li>"
            )
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}code{font-size:90%}"
        ".sev{font-weight:bold;text-transform:uppercase;font-size:80%}</style></head>\n"
        f"<body><h1>{escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def diff_html(d: RegisterDiff) -> str:
    return page(f"Changes from {d.old['label']} to {d.new['label']}", diff_html_body(d))


def render_diff(d: RegisterDiff, fmt: str) -> str:
    if fmt == "json":
        return "".join(d.iter_json())  # the text of dumps(d.to_json()), made faster
    return diff_html(d) if fmt == "html" else diff_markdown(d)


# -- what if -------------------------------------------------------------------


def whatif_markdown(w: WhatIf) -> str:
    out = [f"# What if {w.headline}", ""]
    fd = w.findings
    out += [w.counts, ""]
    sections: list[tuple[str, list[str]]] = [
        ("Themes that lose their lead body", [f"- {w.name(t)} [{t}]" for t in w.lost_lead]),
        ("Themes that lose every body addressing them", [f"- {w.name(t)} [{t}]" for t in w.lost_all_bodies]),
        ("Statutory membership now failing", [f"- {f.title} `{f.id}`" for f in w.statutory_failing]),
        ("Overlaps resolved", [f"- {f.title} `{f.id}`" for f in w.overlaps_resolved]),
        (
            "Seat load per organisation",
            [
                f"- {s.name} [{s.organisation}]: seats {s.seats_before} -> {s.seats_after}, "
                f"meetings a year {s.meetings_before} -> {s.meetings_after}"
                for s in w.seat_load
            ],
        ),
        (
            "Reporting lines left dangling",
            [
                f"- {w.name(b)} [{b}] {f.replace('_', ' ')} {w.name(t)} [{t}], which is retired"
                for b, f, t in w.dangling
            ],
        ),
        ("New findings", [f"- **{f.severity.value}** {f.title} `{f.id}`" for f in fd.new]),
        ("Resolved findings", [f"- **{f.severity.value}** {f.title} `{f.id}`" for f in fd.resolved]),
    ]
    for title, lines in sections:
        out += [f"## {title}", "", *(lines or ["None."]), ""]
    return "\n".join(out)


def whatif_html_body(w: WhatIf) -> str:
    """The scenario's effect as an escaped HTML fragment (the web page embeds it)."""
    md_sections = whatif_markdown(w).split("\n## ")[1:]
    parts = []
    for block in md_sections:
        title, *lines = block.split("\n")
        items = [line[2:] for line in lines if line.startswith("- ")]
        slug = title.lower().replace(" ", "-")
        parts.append(f'<section class="whatif-{escape(slug)}"><h2>{escape(title)}</h2>')
        if items:
            parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
        else:
            parts.append('<p class="none">None.</p>')
        parts.append("</section>")
    head = f"<p>{escape(w.counts)}</p>"
    return head + "\n" + "\n".join(parts)


def render_whatif(w: WhatIf, fmt: str) -> str:
    if fmt == "json":
        return dumps(w.to_json())
    if fmt == "html":
        return page(f"What if {w.headline}", whatif_html_body(w))
    return whatif_markdown(w)


__all__ = [
    "FORMATS",
    "diff_html",
    "diff_html_body",
    "diff_markdown",
    "dumps",
    "finding_brief",
    "render_diff",
    "render_whatif",
    "whatif_html_body",
    "whatif_markdown",
]
