"""The report: every analysis together, in JSON, Markdown, CSV and HTML, byte for byte the same."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

import govmap
from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.report import Report, ReportOptions, report
from govmap.graph.report.text import CSV_COLUMNS, md
from govmap.ingest.reading.load import loads

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_small import synth_register  # noqa: E402

AS_OF = ReportOptions(as_of=dt.date(2025, 1, 1))
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'

REG = textwrap.dedent(f"""\
    register: {{id: test, name: "Test {SCRIPT}", top: [top]}}
    documents: [{{id: doc, name: Doc}}]
    organisations:
      - {{id: police, name: '{IMG}', type: police-force, sources: [{{doc: doc, section: "=1+1"}}]}}
    themes:
      - {{id: da, name: "Domestic abuse {SCRIPT}", kind: priority, sources: [{{doc: doc}}]}}
      - {{id: fraud, name: "=HYPERLINK(1)", kind: public-concern, sources: [{{doc: doc, section: Residents}}]}}
    bodies:
      - {{id: top, name: "Top | *board*", kind: board, top_level: true, members: [police], sources: [{{doc: doc}}]}}
      - {{id: a, name: "A {SCRIPT}", kind: group, reports_to: top, themes: [{{theme: da, role: lead}}], review_date: 2024-01-01}}
      - {{id: b, name: '{IMG}', kind: group, themes: [{{theme: da, role: lead}}], members: [police]}}
      - {{id: c, name: "[link](http://example.com)", kind: csp, members: [police], members_complete: true, sources: [{{doc: doc}}]}}
""")


@pytest.fixture
def rep() -> Report:
    return report(loads(REG), options=AS_OF, generated_from={"file": "boards.yaml", "sha256": "0" * 64})


def test_json_has_the_contract_shape_and_counts_add_up(rep):
    data = json.loads(rep.to_json())
    assert list(data) == [
        "register",
        "generated_from",
        "parameters",
        "summary",
        "delivery",
        "coverage",
        "findings",
    ]
    assert data["register"]["id"] == "test"
    assert data["generated_from"] == {"file": "boards.yaml", "sha256": "0" * 64}
    assert data["parameters"]["as_of"] == "2025-01-01"
    s = data["summary"]
    assert s["total"] == len(data["findings"]) == sum(s["by_severity"].values()) == sum(s["by_kind"].values())
    for f in data["findings"]:
        assert set(f) == {
            "id",
            "kind",
            "severity",
            "title",
            "subjects",
            "score",
            "evidence",
            "suggestion",
            "sources",
        }
        assert f["subjects"] and all(set(x) == {"id", "name", "kind"} for x in f["subjects"])
        assert all(set(x) == {"doc", "section"} for x in f["sources"])
    kinds = {f["kind"] for f in data["findings"]}
    assert {"overlap", "orphan", "unaddressed-theme", "statutory-member-missing", "review-overdue"} <= kinds


def test_findings_are_sorted_by_severity_first(rep):
    ranks = [f.severity.rank for f in rep.findings]
    assert ranks == sorted(ranks, reverse=True)


def test_the_same_register_gives_byte_identical_output_in_every_format():
    one = report(loads(REG), options=AS_OF)
    two = report(loads(REG), options=AS_OF)
    for fmt in ("json", "md", "csv", "html"):
        assert one.render(fmt).encode() == two.render(fmt).encode()


def test_kinds_and_groups_filter_and_min_severity_drops_lower(rep):
    r = loads(REG)
    only = report(r, kinds=["orphan"], options=AS_OF)
    assert {f.kind for f in only.findings} == {Kind.ORPHAN}
    group = report(r, kinds=["staleness"], options=AS_OF)
    assert {f.kind.group for f in group.findings} == {"staleness"}
    high = report(r, min_severity="medium", options=AS_OF)
    assert high.findings and all(f.severity.at_least(Severity.MEDIUM) for f in high.findings)
    with pytest.raises(ValueError, match="unknown finding kind 'nope'"):
        report(r, kinds=["nope"])


def test_an_empty_register_gives_an_empty_report_in_every_format():
    rep = report(loads("{}"), options=AS_OF)
    assert rep.findings == () and rep.summary()["total"] == 0
    for fmt in ("json", "md", "csv", "html"):
        assert rep.render(fmt)
    assert rep.generated_from["file"] is None and len(rep.generated_from["sha256"]) == 64


def test_csv_has_one_row_per_finding_and_neutralises_formulas(rep):
    rows = list(csv.DictReader(io.StringIO(rep.to_csv())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(rep.findings)
    assert [r["id"] for r in rows] == [f.id for f in rep.findings]
    for row in rows:
        assert all(not v.startswith(("=", "+", "-", "@")) for v in row.values())
        json.loads(row["evidence"])
    fraud = next(r for r in rows if r["subject_ids"] == "fraud")
    assert fraud["subject_names"] == "'=HYPERLINK(1)"


class _Checker(HTMLParser):
    VOID = {"meta", "br", "img", "link", "input", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if dict(attrs).get("id"):
            self.ids.append(dict(attrs)["id"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (
            f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        )
        self.stack.pop()


def test_html_is_well_formed_self_contained_and_escapes_hostile_names(rep):
    text = rep.to_html()
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.stack == []
    tag_names = {t for t, _ in checker.tags}
    assert "script" not in tag_names and "img" not in tag_names
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in text
    hrefs = [a["href"] for t, a in checker.tags if t == "a"]
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert set(h[1:] for h in hrefs) <= set(checker.ids)
    assert not any("src" in a for _, a in checker.tags)
    assert '<style media="print">' in text and "@page" in text
    assert text.index('id="summary"') < text.index('id="g-')


def test_markdown_escapes_register_text(rep):
    text = rep.to_markdown()
    assert SCRIPT not in text
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert "`[link](http://example.com)`" in text
    assert "Top \\| \\*board\\*" in text


def test_markdown_puts_link_like_register_text_in_code_spans_with_no_invisible_characters():
    text = md("Go to https://evil.example/x, www.evil.example, FTP://evil.example or mail me@evil.example.")
    assert text == (
        "Go to `https://evil.example/x`, `www.evil.example`, `FTP://evil.example` or mail `me@evil.example`."
    )
    assert md("a `tick`://x") == "a `` `tick`://x ``"
    assert md("a|b://c", cell=True) == "`a\\|b://c`"
    r = loads(REG.replace("[link](http://example.com)", "CSP https://evil.example www.evil.example"))
    md_text = report(r, options=AS_OF).to_markdown()
    assert "CSP `https://evil.example` `www.evil.example`" in md_text
    assert "\u2060" not in md_text and "\u200b" not in md_text


def test_markdown_puts_a_space_for_every_kind_of_line_break_in_register_text():
    assert md("one\r\ntwo\rthree\nfour") == "one two three four"


def test_report_is_exported_from_the_package():
    assert govmap.report is report
    assert "report" in govmap.__all__


@pytest.mark.slow
def test_a_register_of_5000_bodies_is_analysed_with_findings_of_every_analysis():
    # How long it takes is measured in bench/ (bench/RESULTS.md), not here.
    reg = synth_register(5000, seed=1)
    rep = report(reg, options=AS_OF)
    assert len(reg.bodies) >= 5000
    assert {f.kind.group for f in rep.findings} >= {
        "overlap",
        "interlocks",
        "structure",
        "statutory",
        "staleness",
    }


def test_seed_report_lists_findings_of_every_analysis_with_evidence_and_sources(seed_register):
    rep = report(seed_register, options=AS_OF)
    groups = {f.kind.group for f in rep.findings}
    assert groups >= {"overlap", "gaps", "structure", "statutory", "staleness"}
    assert all(f.evidence for f in rep.findings if f.kind is not Kind.UNADDRESSED_THEME)
    assert all(f.sources for f in rep.findings if f.kind in (Kind.OVERLAP, Kind.UNADDRESSED_THEME))


# -- the order a committee reads ---------------------------------------------------

ORDERED = textwrap.dedent("""\
    register: {name: Ordered, top: [county-csp]}
    documents: [{id: tor, name: Terms of reference}]
    areas: [{id: county, name: County, kind: county, sources: [{doc: tor}]}]
    themes:
      - {id: da, name: Domestic abuse, kind: priority, sources: [{doc: tor}]}
      - {id: violence, name: Violence, kind: priority, sources: [{doc: tor}]}
      - {id: asb, name: ASB, kind: priority, sources: [{doc: tor}]}
      - {id: fraud, name: Fraud, kind: public-concern, sources: [{doc: tor}]}
    bodies:
      - {id: county-csp, name: County CSP, kind: board, top_level: true, areas: county, sources: [{doc: tor}]}
      - {id: da-board, name: DA Board, kind: board, areas: county, themes: [{theme: da, role: lead}], sources: [{doc: tor}]}
      - {id: lost, name: Lost Group, kind: group, review_date: 2023-01-01, sources: [{doc: tor}]}
    strategies:
      - id: agreement
        name: Agreement
        kind: agreement
        owner: county-csp
        sources: [{doc: tor}]
        themes: [{theme: da, role: lead}, {theme: violence, role: lead}, {theme: asb, role: lead}]
    """)


def ordered() -> Report:
    return report(loads(ORDERED), options=AS_OF, generated_from={"file": "boards.yaml", "sha256": "0" * 64})


def test_summary_top_lists_the_top_findings_by_severity_then_impact():
    rep = ordered()
    data = json.loads(rep.to_json())
    top = data["summary"]["top"]
    assert top == [f.id for f in rep.top()]
    by_id = {f["id"]: f for f in data["findings"]}
    # severity first; then what a reviewer acts on first (an issue nobody owns, unclear delivery,
    # accountability, then the data chores); info never
    assert [(by_id[i]["severity"], by_id[i]["kind"]) for i in top] == [
        ("high", "unaddressed-theme"),
        ("medium", "umbrella-delivery"),
        ("medium", "orphan"),
        ("medium", "orphan"),
        ("medium", "led-only-by-umbrella"),
        ("medium", "review-overdue"),
    ]
    assert data["summary"]["in_words"].startswith(f"{data['summary']['total']} findings (1 high, ")
    assert [r["theme"]["id"] for r in data["delivery"]["rows"]] == ["da", "violence", "asb", "fraud"]


def test_markdown_reads_summary_top_findings_delivery_then_findings_by_severity_and_appendix():
    text = ordered().to_markdown()
    heads = [line for line in text.splitlines() if line.startswith("## ")]
    sev = [h for h in heads if h.split()[1] in ("High", "Medium", "Low", "Info")]
    assert heads[:2] == ["## Top findings", "## Who delivers what"]
    assert heads[2 : 2 + len(sev)] == sev and sev[0].startswith("## High")
    assert heads[-2:] == ["## Appendix: counts by kind", "## Appendix: parameters"]
    first = text.split("\n## Top findings")[0]
    assert "findings (1 high" in first  # the summary in words comes first
    assert (
        "1. **high** Issue nobody addresses: No body or strategy addresses the public concern 'Fraud'."
        in text
    )
    assert "| Domestic abuse | priority | County CSP (through Agreement); DA Board |  |  |" in text
    # human labels in the appendix, not slugs
    assert "| Led only by the umbrella | 0 | 1 | 0 | 0 | 1 |" in text
    assert "| led-only-by-umbrella |" not in text
    # model internals stay out of the findings' text
    assert "- Weights:" not in text and "- Parts:" not in text


def test_html_reads_in_the_same_order_and_prints_the_delivery_grid():
    page = ordered().to_html()
    order = [
        page.index(f'id="{x}"')
        for x in ("summary", "top", "delivery", "s-high", "s-medium", "appendix", "entities")
    ]
    assert order == sorted(order)
    assert '<table class="grid delivery">' in page
    assert '<th scope="col" class="v"><span>County CSP</span></th>' in page
    assert "Led only by the umbrella" in page


def test_fail_on_prints_one_line_with_the_count(write_register):
    from click.testing import CliRunner

    from govmap.cli import cli

    path = write_register("govmap: 1\n" + ORDERED)
    result = CliRunner().invoke(
        cli,
        ["report", str(path), "--as-of", "2025-01-01", "--fail-on", "high", "-o", str(path.parent / "r.md")],
    )
    assert result.exit_code == 1
    assert result.output == "1 finding at or above high (--fail-on high).\n"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(path),
            "--as-of",
            "2025-01-01",
            "--kind",
            "gaps",
            "--fail-on",
            "high",
            "--min-severity",
            "medium",
            "-o",
            str(path.parent / "r.md"),
        ],
    )
    assert result.output == "1 finding at or above high (--fail-on high).\n"


def test_the_seed_report_is_at_most_70_findings_and_folding_loses_no_high_or_medium_subject(seed_path):
    from govmap.ingest.reading.load import load_register

    r = load_register(seed_path)
    folded = report(r, options=AS_OF)
    each = report(r, options=ReportOptions(as_of=AS_OF.as_of, aggregate=False))
    assert len(folded.findings) <= 70
    serious = {Severity.HIGH, Severity.MEDIUM}

    def subjects(rep: Report) -> set[tuple[str, str]]:
        return {(f.kind.value, s.id) for f in rep.findings if f.severity in serious for s in f.subjects}

    assert subjects(each) == subjects(folded)
    assert len(folded.top()) == 10
