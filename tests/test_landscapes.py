"""The report on real landscapes (tests/landscapes/) says what a reviewer expects and nothing a reviewer
judged false: the measures of issue 23, asserted (``scripts/corpus`` prints them, with the findings
gained and lost against a revision).

* every expected finding is present (kind, about every id named, at least the severity given);
  an expectation of a kind not built yet is skipped, and says so;
* no finding judged false returns at high or medium (same kind, about the same records);
* at most :data:`~govmap.graph.report.corpus.MAX_PER_RECORD` findings a record;
* no finding judged false is among the top ten.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from govmap.graph.report.corpus import MAX_PER_RECORD, Evaluation, Expectation, evaluate, landscapes, run_here

LANDSCAPES = {ls.slug: ls for ls in landscapes()}


#: Expectations that contradict a reviewer's judgement of the same facts elsewhere in the corpus,
#: with the reason the rules follow the other: skipped here, and said in the lead's report.
@cache
def evaluation(slug: str) -> Evaluation:
    ls = LANDSCAPES[slug]
    return evaluate(ls, run_here([ls])[slug])


def _expected() -> list[Any]:
    return [
        pytest.param(slug, e, id=f"{slug}-{e.id}")
        for slug, ls in sorted(LANDSCAPES.items())
        for e in ls.expected
    ]


@pytest.mark.parametrize(("slug", "expectation"), _expected())
def test_every_expected_finding_is_present(slug: str, expectation: Expectation):
    if not expectation.built:
        pytest.skip(f"{expectation.kind} is a planned kind, not built yet")
    if expectation.contested:
        pytest.skip(f"contested: {expectation.contested}")
    ev = evaluation(slug)
    assert "error" not in ev.run
    assert expectation in [e for e, _ in ev.found], (
        f"{expectation.id} {expectation.kind} {list(expectation.about)} not found: {expectation.why}"
    )


@pytest.mark.parametrize("slug", sorted(LANDSCAPES))
def test_no_finding_judged_false_returns_at_high_or_medium(slug: str):
    ev = evaluation(slug)
    assert [(f["severity"], f["kind"], f["title"]) for _, f in ev.serious_returned] == []


@pytest.mark.parametrize("slug", sorted(LANDSCAPES))
def test_a_report_has_at_most_half_a_finding_a_record(slug: str):
    ev = evaluation(slug)
    assert ev.per_record <= MAX_PER_RECORD, f"{len(ev.findings)} findings for {ev.run['records']} records"


@pytest.mark.parametrize("slug", sorted(LANDSCAPES))
def test_no_finding_judged_false_is_among_the_top_ten(slug: str):
    ev = evaluation(slug)
    assert [f["title"] for f in ev.false_in_top] == []


@pytest.mark.parametrize("slug", sorted(LANDSCAPES))
def test_no_two_findings_share_an_id(slug: str):
    assert evaluation(slug).ids_shared == []
