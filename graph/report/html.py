"""The report as one self-contained, printable HTML page (a committee pack).

No external requests: the CSS is inline and a Content-Security-Policy forbids
loading anything.  Every string from the register goes through Jinja2's
autoescaping.  Subjects link to an appendix of entities, which links back to
the findings about each one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jinja2
from govmap.graph.analysis.findings import Severity
from govmap.graph.report.text import GROUP_TITLES, evidence_text, grouped, label, sources_text

if TYPE_CHECKING:
    from govmap.graph.report.assemble import Report

TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Findings: {{ register.name }}</title>
<style>
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #1b1b1b;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #ccc; }
h3 { font-size: 1.05rem; margin: 0 0 .3rem; }
table { border-collapse: collapse; margin: .8rem 0; } th, td { border: 1px solid #bbb; padding: .2rem .6rem; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.finding { border-left: 6px solid #999; padding: .5rem .8rem; margin: .9rem 0; background: #fafafa; }
.sev-high { border-color: #b00020; } .sev-medium { border-color: #d97706; }
.sev-low { border-color: #2563eb; } .sev-info { border-color: #9ca3af; }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; text-transform: uppercase;
         padding: 0 .4rem; border-radius: 3px; color: #fff; background: #6b7280; }
.badge.high { background: #b00020; } .badge.medium { background: #b45309; } .badge.low { background: #1d4ed8; }
.meta { color: #555; font-size: .85rem; margin: 0 0 .4rem; } code { font-size: .85em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: .3rem 0; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
nav ul { columns: 2; } .entity { margin: .5rem 0; }
@media print {
  body { font-size: 10pt; max-width: none; margin: 0; }
  nav { display: none; }
  .finding, .entity, table { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  #entities { break-before: page; }
  a { color: inherit; text-decoration: none; }
  .finding { background: none; }
  .badge { color: #000; border: 1px solid #000; background: none !important; }
}
</style>
</head>
<body>
<header>
<h1>Findings: {{ register.name }}</h1>
<p class="meta">Generated from {{ source.file or "register" }} (SHA-256 <code>{{ source.sha256 }}</code>),
as of {{ parameters.as_of }}; overlap threshold {{ parameters.threshold }}.</p>
</header>
<section id="summary">
<h2>Summary</h2>
<p>{{ summary.total }} finding{{ "" if summary.total == 1 else "s" }}:
{% for sev in severities %}{{ summary.by_severity[sev] }} {{ sev }}{{ ", " if not loop.last else "." }}{% endfor %}</p>
<table>
<thead><tr><th>Kind</th>{% for sev in severities %}<th>{{ sev }}</th>{% endfor %}<th>Total</th></tr></thead>
<tbody>
{% for kind, counts in summary.by_kind_and_severity.items() %}<tr><td>{{ kind }}</td>
{% for sev in severities %}<td class="n">{{ counts[sev] }}</td>{% endfor %}<td class="n">{{ summary.by_kind[kind] }}</td></tr>
{% endfor %}</tbody>
</table>
</section>
<nav><h2>Contents</h2><ul>
{% for group, fs in groups %}<li><a href="#g-{{ group }}">{{ titles[group] }}</a> ({{ fs|length }})</li>
{% endfor %}<li><a href="#entities">Entities</a></li></ul></nav>
{% for group, fs in groups %}
<section id="g-{{ group }}">
<h2>{{ titles[group] }}</h2>
{% for f in fs %}
<article class="finding sev-{{ f.severity.value }}" id="f-{{ f.id }}">
<h3>{{ f.title }}</h3>
<p class="meta"><span class="badge {{ f.severity.value }}">{{ f.severity.value }}</span>
{{ f.kind.value }}{% if f.score is not none %} · score {{ "%g"|format(f.score) }}{% endif %} · <code>{{ f.id }}</code></p>
<dl>
<dt>Subjects</dt><dd>{% for s in f.subjects %}<a href="#e-{{ s.id }}">{{ s.name }}</a> ({{ s.kind }}){{ "; " if not loop.last }}{% endfor %}</dd>
{% for key, value in f.evidence.items() %}<dt>{{ label(key)|capitalize }}</dt><dd>{{ evidence_text(value) }}</dd>
{% endfor %}{% if f.suggestion %}<dt>Suggestion</dt><dd>{{ f.suggestion }}</dd>{% endif %}
{% if f.sources %}<dt>Sources</dt><dd>{{ sources_text(f) }}</dd>{% endif %}
</dl>
</article>
{% endfor %}
</section>
{% endfor %}
<section id="entities">
<h2>Entities</h2>
{% for id, (name, kind) in entities.items() %}
<div class="entity" id="e-{{ id }}"><strong>{{ name }}</strong> ({{ kind }}, <code>{{ id }}</code>):
{% for f in by_entity[id] %}<a href="#f-{{ f.id }}">{{ f.kind.value }}</a>{{ ", " if not loop.last }}{% endfor %}</div>
{% endfor %}
</section>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
_TEMPLATE = _ENV.from_string(TEMPLATE)


def html(report: Report) -> str:
    """Render the report as one HTML page."""
    by_entity: dict[str, list[object]] = {i: [] for i in report.entities}
    for f in report.findings:
        for s in dict.fromkeys(s.id for s in f.subjects):
            by_entity[s].append(f)
    return _TEMPLATE.render(
        register=report.register,
        source=report.generated_from,
        parameters=report.parameters,
        summary=report.summary(),
        severities=[s.value for s in Severity],
        groups=grouped(report.findings),
        titles=GROUP_TITLES,
        entities=report.entities,
        by_entity=by_entity,
        label=label,
        evidence_text=evidence_text,
        sources_text=sources_text,
    )
