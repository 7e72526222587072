"""possible-duplicate: one body recorded twice (a rename not recorded, an acronym), and no false ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govmap.graph.analysis.duplicates import possible_duplicates
from govmap.ingest.names import singular, words
from govmap.ingest.reading.load import load_register, loads

ROOT = Path(__file__).resolve().parents[1]

# A unitary whose register was built from two documents: the 2019 terms of reference call the
# CSP the "Safer Eastby Partnership", the 2024 strategy the "Eastby Community Safety
# Partnership" (a rename nobody recorded); one page names the domestic abuse board by its acronym.
RENAMED = """\
govmap: 1
areas: [{id: eastby, name: Eastby, kind: unitary}, {id: westby, name: Westby, kind: unitary}]
organisations:
  - {id: council, name: Eastby Council, type: unitary-council, areas: eastby}
  - {id: police, name: Northmoor Police, type: police-force}
bodies:
  - {id: safer-eastby, name: Safer Eastby Partnership, kind: csp, areas: eastby, members: [council, police]}
  - {id: eastby-csp, name: Eastby Community Safety Partnership, aliases: [Safer Eastby], kind: csp, areas: eastby, members: [council, police]}
  - {id: edab, name: EDAB, kind: board, areas: eastby}
  - {id: eastby-dab, name: Eastby Domestic Abuse Board, kind: board, areas: eastby}
  - {id: safer-eastby-exec, name: Safer Eastby Executive, kind: board, areas: eastby, members: [council, police]}
  - {id: safer-westby, name: Safer Westby Partnership, kind: csp, areas: westby, members: [council, police]}
"""


def _pairs(findings):
    return {frozenset(s.id for s in f.subjects) for f in findings}


def test_a_renamed_body_and_an_acronym_are_possible_duplicates():
    found = possible_duplicates(loads(RENAMED))
    assert _pairs(found) == {frozenset({"safer-eastby", "eastby-csp"}), frozenset({"edab", "eastby-dab"})}
    acronym = next(f for f in found if {s.id for s in f.subjects} == {"edab", "eastby-dab"})
    assert acronym.kind.value == "possible-duplicate"
    assert acronym.title == (
        "'EDAB' and 'Eastby Domestic Abuse Board' may be one body recorded twice (acronym; the same area); "
        "rests on unconfirmed records: EDAB, Eastby Domestic Abuse Board."
    )
    assert acronym.evidence == {
        "names": ["EDAB", "Eastby Domestic Abuse Board"],
        "how": "acronym",
        "name_score": 95.0,
        "agree": "the same area",
    }
    assert "write the old name in its 'former_names' with the date of the rename" in acronym.suggestion


def test_a_board_and_its_executive_are_not_duplicates():
    pairs = _pairs(possible_duplicates(loads(RENAMED)))
    assert not any("safer-eastby-exec" in p for p in pairs)


def test_bodies_of_two_places_are_not_duplicates():
    pairs = _pairs(possible_duplicates(loads(RENAMED)))
    assert not any("safer-westby" in p for p in pairs)


def test_a_recorded_rename_is_not_a_duplicate():
    text = RENAMED.replace(
        "{id: safer-eastby, name: Safer Eastby Partnership, kind: csp,",
        "{id: safer-eastby, name: Safer Eastby Partnership, kind: csp, dissolved: 2024, succeeded_by: eastby-csp,",
    )
    assert frozenset({"safer-eastby", "eastby-csp"}) not in _pairs(possible_duplicates(loads(text)))


def test_names_alike_with_nothing_in_common_are_not_duplicates():
    text = RENAMED.replace(
        "areas: eastby, members: [council, police]}\n  - {id: eastby-csp",
        "areas: westby}\n  - {id: eastby-csp",
    )
    assert frozenset({"safer-eastby", "eastby-csp"}) not in _pairs(possible_duplicates(loads(text)))


def test_the_seed_register_has_no_possible_duplicate():
    assert possible_duplicates(load_register(str(ROOT / "data" / "boards.yaml"))) == []


@pytest.mark.parametrize("slug", ["county-durham", "essex", "greater-manchester", "lambeth"])
def test_the_landscapes_give_only_the_duplicates_a_reviewer_expects(slug):
    """Each hit read as a reviewer would: Essex's V&V Leadership Board and Partnership (expected e6)."""
    found = _pairs(
        possible_duplicates(load_register(str(ROOT / "tests" / "landscapes" / slug / "register.yaml")))
    )
    expected = {"essex": {frozenset({"set-vv-leadership-board", "essex-vvp"})}}.get(slug, set())
    assert found == expected


def test_the_report_lists_possible_duplicates():
    from govmap.graph.report import report

    r = report(loads(RENAMED))
    assert {f.kind.value for f in r.findings} >= {"possible-duplicate"}


def test_a_record_left_behind_after_its_rename_was_recorded_is_still_found():
    text = RENAMED.replace(
        "aliases: [Safer Eastby], kind: csp,",
        "aliases: [Safer Eastby], former_names: [{name: Safer Eastby Partnership, end: 2024}], kind: csp,",
    )
    found = [
        f
        for f in possible_duplicates(loads(text))
        if {s.id for s in f.subjects} == {"safer-eastby", "eastby-csp"}
    ]
    assert [f.evidence["how"] for f in found] == ["a former name of one is the name of the other"]


def _words_by_regex(name: str) -> tuple[str, ...]:
    """ingest.names.words as first written, all by regular expressions (its fast paths must agree)."""
    text = re.sub(r"(?<=\w)[-‐‑](?=\w)", "", name.replace("&", " and ").replace("’", "'"))
    text = re.sub(r"[^\w\s]", " ", text.replace("'s ", " ").lower())
    out = [singular(w) for w in re.split(r"\s+", text) if w]
    while out and out[0] == "the":
        out = out[1:]
    return tuple(out)


@given(
    st.text(alphabet=st.sampled_from("aAsS tT_-‐‑'’&.İ\t\u00a0\u2028é1ｓ"), max_size=25)
    | st.text(max_size=25)
)
def test_the_words_of_a_name_are_those_the_regular_expressions_give(name):
    assert words(name) == _words_by_regex(name)


def test_the_words_of_a_name_are_lower_case_singular_without_punctuation_or_a_leading_the():
    assert words("The Safer Communities' Boards") == ("safer", "community", "board")
    assert words("Re-offending & Youth Justice Services") == (
        "reoffending",
        "and",
        "youth",
        "justice",
        "service",
    )
    assert words("Children’s Safeguarding - Board") == ("children", "safeguarding", "board")
