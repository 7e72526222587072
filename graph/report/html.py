"""The report as one self-contained, printable HTML page (a committee pack).

No external requests: the CSS is inline and a Content-Security-Policy forbids
loading anything.  Every string from the register goes through Jinja2's
autoescaping.  Subjects link to an appendix of entities, which links back to
the findings about each one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from govmap.graph.analysis.delivery import Delivery, DeliveryRow
from govmap.graph.analysis.findings import GROUP_TITLES, Kind, Severity
from govmap.graph.report.coverage_table import COVERAGE_CSS, coverage_html
from govmap.graph.report.text import (
    by_severity,
    evidence_text,
    items_of,
    label,
    shown_evidence,
    sources_text,
    subjects_text,
)
from govmap.ingest.model import ThemeRole

if TYPE_CHECKING:
    from govmap.graph.report.findings_report import Report

TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ "Committee pack" if pack else "Findings" }}: {{ register.name }}</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #1b1b1b;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #ccc; }
h3 { font-size: 1.15rem; margin: 1.2rem 0 .3rem; } h4 { font-size: 1.05rem; margin: 0 0 .3rem; }
table.grid { font-size: .8rem; } table.grid th.v { vertical-align: bottom; }
table.grid th.v span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.grid td.c { text-align: center; } table.grid th[scope=row] { text-align: left; font-weight: 600; } caption { text-align: left; font-size: .85rem; }
table { border-collapse: collapse; margin: .8rem 0; } th, td { border: 1px solid #bbb; padding: .2rem .6rem; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.finding { border-left: 6px solid #999; padding: .5rem .8rem; margin: .9rem 0; background: #fafafa; }
.finding.sev-high { border-color: #b00020; } .finding.sev-medium { border-color: #d97706; }
.finding.sev-low { border-color: #2563eb; } .finding.sev-info { border-color: #9ca3af; }
.sev { display: inline-block; font-size: .75rem; font-weight: 700; text-transform: uppercase;
       padding: 0 .4rem; border-radius: 3px; color: #fff; background: #6b7280; }
.sev.sev-high { background: #b00020; } .sev.sev-medium { background: #b45309; } .sev.sev-low { background: #1d4ed8; }
.meta { color: #555; font-size: .85rem; margin: 0 0 .4rem; } code { font-size: .85em; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: .3rem 0; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
nav ul { columns: 2; } nav li { margin: .2rem 0; } .entity { margin: .5rem 0; }
.delivery-wrap, .table-scroll { overflow-x: auto; } .print-only { display: none; }
.cover { border-bottom: 2px solid #ccc; margin-bottom: 2rem; }
{{ coverage_css }}</style>
<style media="print">
{{ print_css }}
@page { @top-left { content: {{ running_left }}; font: 8pt system-ui, Arial, sans-serif; color: #333; }
        @top-right { content: {{ running_right }}; font: 8pt system-ui, Arial, sans-serif; color: #333; } }
{% if pack %}@page :first { @top-left { content: none; } @top-right { content: none; } }{% endif %}
</style>
</head>
<body{% if pack %} class="pack"{% endif %}>
{% macro delivery_section(annex) %}
<section id="delivery"{% if annex %} class="annex"{% endif %}>
<h2>{{ "Annex: who delivers what" if annex else "Who delivers what" }}</h2>
<p class="delivery-key"><strong>L</strong> leads, <strong>C</strong> contributes; <em>italic</em>: through a plan
the body owns (a strategy, an agreement).
{%- if umbrellas %} Umbrella partnerships, which lead several issues, usually through their agreement:
{% for u in umbrellas %}{{ u }}{{ ", " if not loop.last else "." }}{% endfor %}{% endif %}</p>
{% if columns %}
<div class="delivery-wrap" role="region" aria-labelledby="delivery-grid-caption" tabindex="0">
<table class="grid delivery">
<caption id="delivery-grid-caption">Issues (rows) and the bodies that address them (columns).</caption>
<thead><tr><th scope="col">Issue</th>{% for id, name in columns %}<th scope="col" class="v"><span>{{ name }}</span></th>{% endfor %}<th scope="col">Note</th></tr></thead>
<tbody>
{% for row in delivery.rows %}<tr><th scope="row">{{ row.name }} <span class="meta kind">{{ row.kind.replace("-", " ") }}</span></th>
{% for id, name in columns %}{% set c = cell(row, id) %}<td class="c">{% if c %}{% if c[1] %}<em>{{ c[0] }}</em>{% else %}{{ c[0] }}{% endif %}{% endif %}</td>{% endfor %}
<td>{{ row.note }}</td></tr>
{% endfor %}</tbody>
</table>
</div>
{% else %}
<table class="delivery">
<thead><tr><th scope="col">Issue</th><th scope="col">Leads</th><th scope="col">Contribute</th><th scope="col">Note</th></tr></thead>
<tbody>
{% for row in delivery.rows %}<tr><th scope="row">{{ row.name }}</th><td>{{ names(row, "lead") }}</td><td>{{ names(row, "contributes") }}</td><td>{{ row.note }}</td></tr>
{% endfor %}</tbody>
</table>
{% endif %}
</section>
{% endmacro %}
{% macro coverage_section(annex) %}
<section id="coverage"{% if annex %} class="annex"{% endif %}>
<h2>{{ "Annex: who covers each place" if annex else "Who covers each place" }}</h2>
<div class="table-scroll" role="region" aria-labelledby="coverage-grid-caption" tabindex="0">
{{ coverage }}
</div>
</section>
{% endmacro %}
{% if pack %}
<section class="cover" id="cover">
<p class="kicker">Committee pack · review of the partnership register</p>
<h1>{{ register.name }}</h1>
<p>Findings as of {{ as_of_words }}.</p>
<dl>
<dt>Register</dt><dd>{{ register.name }} (<code>{{ register.id }}</code>)</dd>
<dt>Version</dt><dd>{{ register.version or "not set in the register's header: the file's SHA-256 below identifies it" }}</dd>
<dt>Read from</dt><dd>{{ source.file or "register" }}, SHA-256 <code>{{ source.sha256[:12] }}</code></dd>
<dt>Findings</dt><dd>{{ summary.total }}{% if summary.total %}: {{ severity_words }}{% endif %}</dd>
</dl>
<table>
<caption>What the register records</caption>
<tbody>{% for section, n in register.counts.items() %}<tr><th scope="row">{{ section|capitalize }}</th><td>{{ n }}</td></tr>{% endfor %}</tbody>
</table>
<p>Contents: summary and top findings; findings by severity, each with its evidence, sources and a
suggestion{% if delivery is not none %}; annex: who delivers what{% endif %}{% if coverage %}; annex: who covers each place{% endif %}; counts and parameters; index of records.</p>
</section>
{% else %}
<header>
<h1>Findings: {{ register.name }}</h1>
<p class="meta">Generated from {{ source.file or "register" }} (SHA-256 <code>{{ source.sha256 }}</code>),
as of {{ parameters.as_of }}.</p>
</header>
{% endif %}
<section id="summary">
<h2>Summary</h2>
<p class="words">{{ in_words }}</p>
</section>
{% if top %}
<section id="top">
<h2>Top findings</h2>
<ol>
{% for f in top %}<li><span class="sev sev-{{ f.severity.value }}">{{ f.severity.value }}</span>
{{ f.kind.label }}: <a href="#f-{{ f.id }}">{{ f.title }}</a> <span class="meta">({{ subjects_text(f) }})</span></li>
{% endfor %}</ol>
</section>
{% endif %}
{% if delivery is not none and not pack %}{{ delivery_section(False) }}{% endif %}
{% if coverage and not pack %}{{ coverage_section(False) }}{% endif %}
<nav><h2>Contents</h2><ul>
{% for sev, groups in sections %}<li><a href="#s-{{ sev.value }}">{{ sev.value|capitalize }}</a> ({{ count(groups) }})</li>
{% endfor %}<li><a href="#appendix">Appendix</a></li><li><a href="#entities">Entities</a></li></ul></nav>
{% for sev, groups in sections %}
<section id="s-{{ sev.value }}">
<h2>{{ sev.value|capitalize }} ({{ count(groups) }})</h2>
{% for group, fs in groups %}
<section id="g-{{ sev.value }}-{{ group }}">
<h3>{{ titles[group] }} ({{ fs|length }})</h3>
{% for f in fs %}
<article class="finding sev-{{ f.severity.value }}" id="f-{{ f.id }}">
<h4>{{ f.title }}</h4>
<p class="meta"><span class="sev sev-{{ f.severity.value }}">{{ f.severity.value }}</span>
{{ f.kind.label }}{% if f.score is not none %} · score {{ "%g"|format(f.score) }}{% endif %} · <code>{{ f.id }}</code></p>
<dl>
<dt>About</dt><dd>{% for s in f.subjects %}<a href="#e-{{ s.id }}">{{ s.name }}</a> ({{ s.kind }}){{ "; " if not loop.last }}{% endfor %}</dd>
{% for key, value in shown(f) %}<dt>{{ label(key)|capitalize }}</dt><dd>{{ evidence_text(value) }}</dd>
{% endfor %}{% if items(f) %}<dt>Items</dt><dd><ul>{% for item in items(f) %}<li>{{ item.title }}</li>{% endfor %}</ul></dd>{% endif %}
{% if f.suggestion %}<dt>Suggestion</dt><dd>{{ f.suggestion }}</dd>{% endif %}
{% if f.sources %}<dt>Sources</dt><dd>{{ sources_text(f) }}</dd>{% endif %}
</dl>
</article>
{% endfor %}
</section>
{% endfor %}
</section>
{% endfor %}
{% if delivery is not none and pack %}{{ delivery_section(True) }}{% endif %}
{% if coverage and pack %}{{ coverage_section(True) }}{% endif %}
<section id="appendix">
<h2>Appendix</h2>
<h3 id="counts-by-kind">Counts by kind</h3>
<div class="table-scroll" role="region" aria-labelledby="counts-by-kind" tabindex="0">
<table>
<thead><tr><th scope="col">Kind</th>{% for sev in severities %}<th scope="col">{{ sev }}</th>{% endfor %}<th scope="col">Total</th></tr></thead>
<tbody>
{% for kind, counts in summary.by_kind_and_severity.items() %}<tr><td>{{ kind_label(kind) }}</td>
{% for sev in severities %}<td class="n">{{ counts[sev] }}</td>{% endfor %}<td class="n">{{ summary.by_kind[kind] }}</td></tr>
{% endfor %}</tbody>
</table>
</div>
<h3>Parameters</h3>
<dl>{% for key, value in parameters.items() %}<dt>{{ label(key)|capitalize }}</dt><dd>{{ evidence_text(value) }}</dd>
{% endfor %}</dl>
</section>
<section id="entities">
<h2>Entities</h2>
{% for id, (name, kind) in entities.items() %}
<div class="entity" id="e-{{ id }}"><strong>{{ name }}</strong> ({{ kind }}, <code>{{ id }}</code>):
{% for f in by_entity[id] %}<a href="#f-{{ f.id }}">{{ f.kind.label }}</a>{{ ", " if not loop.last }}{% endfor %}</div>
{% endfor %}
</section>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
_TEMPLATE = _ENV.from_string(TEMPLATE)


#: Above this many bodies the delivery matrix is a list, not a grid (it would not fit a page).
GRID_MAX_COLUMNS = 40
#: Above this many bodies the printed matrix is a list: a landscape A4 page holds about 24
#: columns of 9 pt beside the issue and note columns.
PRINT_GRID_MAX_COLUMNS = 24

#: The print stylesheet shared by the report, the pack and the web pages (print.css).
PRINT_CSS = (Path(__file__).with_name("print.css")).read_text(encoding="utf-8")


def html(report: Report, *, pack: bool = False) -> str:
    """Render the report as one HTML page; ``pack``: as the committee pack (:func:`pack_html`)."""
    by_entity: dict[str, list[object]] = {i: [] for i in report.entities}
    for f in report.findings:
        for s in dict.fromkeys(s.id for s in f.subjects):
            by_entity[s].append(f)
    delivery = report.delivery
    columns = delivery.holders if delivery is not None else []
    summary = report.summary()
    as_of = dt.date.fromisoformat(report.parameters["as_of"])
    version = version_words(report.register, report.generated_from)
    return _TEMPLATE.render(
        pack=pack,
        print_css=Markup(PRINT_CSS),
        running_left=css_string(report.register["name"]),
        running_right=css_string(f"Findings as of {date_words(as_of)} · {version}"),
        as_of_words=date_words(as_of),
        version_words=version,
        severity_words=", ".join(f"{n} {s}" for s, n in summary["by_severity"].items() if n),
        register=report.register,
        source=report.generated_from,
        parameters=report.parameters,
        summary=summary,
        in_words=report.in_words(),
        top=report.top(),
        delivery=delivery,
        umbrellas=umbrella_names(delivery) if delivery is not None else [],
        columns=columns if len(columns) <= (PRINT_GRID_MAX_COLUMNS if pack else GRID_MAX_COLUMNS) else [],
        coverage=coverage_html(report.coverage)
        if report.coverage is not None and report.coverage.rows
        else "",
        coverage_css=Markup(COVERAGE_CSS),
        cell=grid_cell,
        names=row_names,
        severities=[s.value for s in Severity],
        sections=by_severity(report.findings),
        count=lambda groups: sum(len(fs) for _, fs in groups),
        titles=GROUP_TITLES,
        entities=report.entities,
        by_entity=by_entity,
        label=label,
        kind_label=lambda k: Kind(k).label,
        evidence_text=evidence_text,
        sources_text=sources_text,
        subjects_text=subjects_text,
        shown=shown_evidence,
        items=items_of,
    )


def pack_html(report: Report) -> str:
    """The committee pack as HTML, ready to print (:mod:`govmap.graph.report.pdf` makes the PDF).

    The HTML report's own sections in a committee's order: a cover (the register's name, the
    date, its version and counts), the summary and top findings, every finding with its
    evidence, then the delivery matrix as a landscape annex, the counts and the index.
    """
    return html(report, pack=True)


def date_words(day: dt.date) -> str:
    """``1 April 2026``.

    >>> date_words(dt.date(2026, 4, 1))
    '1 April 2026'
    """
    return f"{day.day} {day:%B %Y}"


def version_words(register: dict[str, object], source: dict[str, object]) -> str:
    """The register's version as a reader cites it: its ``version``, else the file's digest.

    >>> version_words({"version": "3"}, {"sha256": "ab" * 32})
    'version 3'
    >>> version_words({"version": None}, {"file": "boards.yaml", "sha256": "ab" * 32})
    'boards.yaml, SHA-256 abababababab'
    """
    if register.get("version"):
        return f"version {register['version']}"
    file = source.get("file")
    digest = str(source.get("sha256") or "")[:12]
    return f"{f'{file}, ' if file else ''}SHA-256 {digest}"


def css_string(text: str) -> Markup:
    r"""``text`` as a quoted CSS string safe inside a ``<style>`` element: every character but
    letters, digits, spaces and plain punctuation written as a CSS escape.

    >>> str(css_string('A "B" </style>'))
    '"A \\22 B\\22  \\3c /style\\3e "'
    """
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:()'-_/")
    return Markup('"' + "".join(c if c in safe else f"\\{ord(c):x} " for c in text) + '"')


def umbrella_names(delivery: Delivery) -> list[str]:
    """The names of the umbrella partnerships, for the matrix's key."""
    names = {d.id: d.name for r in delivery.rows for d in r.deliverers}
    return [names.get(u, u) for u in delivery.umbrellas]


def grid_cell(row: DeliveryRow, holder: str) -> tuple[str, bool] | None:
    """The mark of one body in one row: ("L" or "C", through a plan only), or None."""
    ds = [d for d in row.deliverers if d.id == holder]
    if not ds:
        return None
    lead = [d for d in ds if d.role is ThemeRole.LEAD]
    chosen = lead or ds
    return ("L" if lead else "C", all(d.via for d in chosen))


def row_names(row: DeliveryRow, role: str) -> str:
    return "; ".join(dict.fromkeys(d.name for d in row.deliverers if d.role.value == role)) or ""
