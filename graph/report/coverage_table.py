"""The coverage matrix ("Who covers each place") as HTML, one home for both faces.

The HTML report (and so the committee pack printed from it) and the web
app's Coverage page render the same fragment; the web passes ``link`` to make
names into links to entity pages.  Everything from the register is escaped.  The
Markdown rendering is :func:`govmap.graph.report.text.coverage_markdown`.
"""

from __future__ import annotations

from collections.abc import Callable

import jinja2
from markupsafe import Markup

from govmap.graph.analysis.coverage import Coverage, State

#: A cell's class by what it says (the words say it too: colour is never the only sign).
STATE_CLASSES = {
    State.COVERED: "cov-ok",
    State.TWICE: "cov-twice",
    State.NOT_PLACED: "cov-unplaced",
    State.ABOLISHED: "cov-abolished",
    State.NOT_RECORDED: "cov-gap",
    State.MISSING: "cov-missing",
}

#: The CSS the fragment needs (the report inlines it; the web app has it in its stylesheet).
COVERAGE_CSS = """\
table.coverage { font-size: .8rem; } table.coverage th[scope=row] { text-align: left; font-weight: 600; }
table.coverage td { vertical-align: top; min-width: 7rem; }
table.coverage .d1 { padding-left: 1.2rem; } table.coverage .d2 { padding-left: 2.2rem; }
table.coverage .d3 { padding-left: 3.2rem; }
td.cov-gap { background: #fff4e5; } td.cov-missing, td.cov-twice { background: #fde8e8; font-weight: 600; }
td.cov-abolished { background: #fde8e8; } td.cov-unplaced { background: #f1f1f1; }
td.cov-inferred { font-style: italic; }
"""

FRAGMENT = """\
<table class="coverage grid" id="coverage-grid">
<caption id="coverage-grid-caption">Places (rows) and the bodies the law requires there (columns): each cell names the body that
serves the place, or says it is not recorded. <em>Italic</em>: inferred from a name or another record.</caption>
<thead><tr><th scope="col">Place</th>{% for r in coverage.rules %}<th scope="col"><abbr title="{{ r.title }}">{{ r.short }}</abbr></th>{% endfor %}</tr></thead>
<tbody>
{% for row in coverage.rows %}<tr id="cov-{{ row.area }}"><th scope="row" class="d{{ [row.depth, 3]|min }}">{{ link(row.area, row.name) }}
<span class="meta">{{ row.kinds|join(", ") }}{% if row.complete %}; list complete{% endif %}</span></th>
{% for r in coverage.rules %}{% set c = row.cells.get(r.id) %}{% if c is none %}<td class="cov-na"><span aria-label="not required">—</span></td>
{% else %}<td class="{{ classes[c.state] }}{% if c.inferred %} cov-inferred{% endif %}">{% if c.providers %}{% if c.state.value != "covered" %}{{ c.state.value }}: {% endif %}{% for p in c.providers %}{{ link(p.id, p.words(coverage.names)) }}{{ "; " if not loop.last }}{% endfor %}{% else %}{{ c.state.value }}{% endif %}</td>
{% endif %}{% endfor %}</tr>
{% endfor %}</tbody>
</table>
<p class="meta">—: not required there. The law, by column:</p>
<ul class="coverage-law">
{% for r in coverage.rules %}<li><strong>{{ r.short }}</strong>{% if r.short != r.title %} ({{ r.title }}){% endif %}: {{ r.legal_basis }}{% if r.shared_basis %}; one body for several places: {{ r.shared_basis }}{% endif %}.</li>
{% endfor %}</ul>
{% if coverage.rules_used.off %}<p class="meta">Rules this register switches off ({{ coverage.rules_used.own }}):
{% for o in coverage.rules_used.off %}{{ o.rule }} ({{ o.reason }}){{ "; " if not loop.last }}{% endfor %}.</p>{% endif %}
{% if coverage.outside %}<p class="meta">Not checked, held only for context (the register records no council, or for a force area no force, whose duty they are): {% for id, name in coverage.outside %}{{ link(id, name) }}{{ ", " if not loop.last }}{% endfor %}.</p>{% endif %}
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_FRAGMENT = _ENV.from_string(FRAGMENT)


def _plain(_id: str, text: str) -> str:
    return text


def coverage_html(coverage: Coverage, link: Callable[[str, str], str] | None = None) -> Markup:
    """The matrix as an HTML fragment (a table, the law by column, and notes).

    ``link(id, text)`` may return :class:`~markupsafe.Markup` (a link); plain
    text is escaped.
    """
    return Markup(_FRAGMENT.render(coverage=coverage, link=link or _plain, classes=STATE_CLASSES))


__all__ = ["COVERAGE_CSS", "STATE_CLASSES", "coverage_html"]
