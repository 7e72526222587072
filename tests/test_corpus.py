"""The corpus harness (graph/report/corpus.py) judges a run as a reviewer would: expected findings
found or missed, rejected ones that appeared, findings judged false that returned, and the changes
between two runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

from govmap.graph.report.corpus import compare, evaluate, landscapes, render, run_here

REGISTER = textwrap.dedent("""\
    govmap: 1
    documents: [{id: d, name: Terms of reference}]
    themes: [{id: da, name: Domestic abuse, kind: priority}, {id: fraud, name: Fraud, kind: public-concern}]
    bodies:
      - {id: top, name: Top, kind: board, top_level: true, themes: [{theme: da, role: lead}], sources: [{doc: d}]}
      - {id: lost, name: Lost, kind: group, sources: [{doc: d}]}
""")

EXPECTED = textwrap.dedent("""\
    landscape: tiny
    written: 2026-12-07
    expected:
      - {id: e1, kind: unaddressed-theme, about: [fraud], severity: high}
      - {id: e2, kind: orphan, about: [lost], severity: high}
      - {id: e3, kind: required-body-everywhere, about: [top]}
    not_expected:
      - {id: n1, kind: orphan, about: [lost]}
""")

JUDGED = textwrap.dedent("""\
    landscape: tiny
    judged_false:
      - {kind: orphan, about: [lost], severity_seen: medium, title_seen: Lost has no reporting line, why: test}
""")


def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "register.yaml").write_text(REGISTER)
    (folder / "expected.yaml").write_text(EXPECTED)
    (folder / "judged.yaml").write_text(JUDGED)
    return tmp_path


def test_a_run_is_judged_against_what_the_reviewer_expected_rejected_and_judged_false(tmp_path):
    (ls,) = landscapes(tiny(tmp_path))
    ev = evaluate(ls, run_here([ls])["tiny"])
    assert "error" not in ev.run
    assert [e.id for e, _ in ev.found] == ["e1"]
    assert [e.id for e in ev.missed] == ["e2"]  # the orphan is medium, not high
    assert [e.id for e in ev.skipped] == ["e3"]  # no such kind yet: skipped, not failed
    assert [e.id for e, _ in ev.unwanted] == ["n1"]
    assert [(j.kind, f["severity"]) for j, f in ev.serious_returned] == [("orphan", "medium")]
    text = render(ev)
    assert "  MISSED e2 orphan [lost] >= high" in text
    assert "  skipped e3 required-body-everywhere [top]: kind not built yet" in text


def test_two_runs_differ_by_the_findings_gained_lost_and_changed():
    row = {"id": "orphan-1", "kind": "orphan", "severity": "medium", "title": "A.", "subjects": ["a"]}
    before = {"x": {"findings": [row, {**row, "id": "orphan-2", "subjects": ["b"]}]}}
    after = {"x": {"findings": [{**row, "severity": "low"}, {**row, "id": "orphan-3", "subjects": ["c"]}]}}
    d = compare(before, after)["x"]
    assert [f["id"] for f in d["gained"]] == ["orphan-3"]
    assert [f["id"] for f in d["lost"]] == ["orphan-2"]
    assert [(a["severity"], b["severity"]) for a, b in d["changed"]] == [("medium", "low")]
