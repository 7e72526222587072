"""Remit overlap: sparse pairwise scores, thresholded, explained."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.analysis.overlap import OverlapWeights, overlap_graph, overlaps, pair_scores
from govmap.ingest.model import Register
from govmap.ingest.reading.load import loads


def reg(text: str) -> Register:
    return loads(textwrap.dedent(text))


THEMES = """\
themes:
  - {id: da, name: Domestic abuse, kind: priority}
  - {id: asb, name: ASB, kind: priority}
  - {id: roads, name: Roads, kind: priority}
  - {id: concern-da, name: Domestic abuse (residents), kind: public-concern, matches: da, sources: [{doc: doc}]}
documents: [{id: doc, name: Doc}]
"""


def test_two_bodies_leading_the_same_single_theme_have_a_full_theme_part():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}], sources: [{doc: doc}]}
  - {id: b, name: B, kind: group, themes: [{theme: da, role: lead}], sources: [{doc: doc}]}
"""
    )
    [f] = overlaps(r)
    assert f.kind is Kind.OVERLAP
    assert f.title == "A and B overlap on Domestic abuse."
    assert f.evidence["parts"] == {"themes": 1.0, "members": 0.0, "parent": 0.0, "area": 0.0}
    assert f.score == 0.6
    assert f.severity is Severity.MEDIUM  # both lead: unclear ownership
    assert f.evidence["shared_themes"] == [
        {"id": "da", "name": "Domestic abuse", "roles": {"a": "lead", "b": "lead"}}
    ]


def test_an_overlap_resting_only_on_unconfirmed_theme_links_is_low_and_says_so():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}]}
  - {id: b, name: B, kind: group, themes: [{theme: da, role: lead}]}
"""
    )
    [f] = overlaps(r)
    assert f.severity is Severity.LOW
    assert f.title == (
        "A and B overlap on Domestic abuse. It rests on unconfirmed facts: A's part in 'Domestic abuse'; "
        "B's part in 'Domestic abuse'."
    )
    assert f.evidence["unconfirmed_only"] is True


def test_lead_lead_sharing_weighs_more_than_contributes_contributes():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}]}
  - {id: b, name: B, kind: board, themes: [{theme: da, role: lead}]}
  - {id: c, name: C, kind: board, themes: [asb]}
  - {id: d, name: D, kind: board, themes: [asb]}
"""
    )
    scores = {tuple(s.id for s in f.subjects): f.score for f in overlaps(r)}
    assert scores == {("a", "b"): 0.6, ("c", "d"): pytest.approx(0.6 * 0.64)}


def test_bodies_sharing_members_but_no_theme_do_not_overlap():
    r = reg("""
organisations: [{id: p, name: Police, type: police-force}]
themes: [{id: x, name: X, kind: priority}, {id: y, name: Y, kind: priority}]
bodies:
  - {id: a, name: A, kind: board, members: [p], themes: [x]}
  - {id: b, name: B, kind: board, members: [p], themes: [y]}
""")
    assert overlaps(r, threshold=0.0) == []


def test_a_sub_group_does_not_overlap_its_own_parent():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, top_level: true, themes: [{theme: da, role: lead}]}
  - {id: b, name: B, kind: group, sub_group_of: a, themes: [{theme: da, role: lead}]}
"""
    )
    assert overlaps(r) == []


def test_themes_joined_by_a_confirmed_match_count_as_one_theme():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}]}
  - {id: b, name: B, kind: board, themes: [{theme: concern-da, role: lead}]}
"""
    )
    [f] = overlaps(r)
    assert f.evidence["shared_themes"][0]["matched_with"] == {"id": "da", "name": "Domestic abuse"}


def test_same_parent_same_area_and_shared_members_add_their_weights():
    r = reg(
        THEMES
        + """
areas:
  - {id: county, name: County, kind: county}
  - {id: town, name: Town, kind: district, within: county}
organisations: [{id: p, name: Police, type: police-force}, {id: c, name: Council, type: county-council}]
bodies:
  - {id: top, name: Top, kind: board, top_level: true}
  - {id: a, name: A, kind: group, reports_to: top, areas: [county], members: [p, c], themes: [da, asb]}
  - {id: b, name: B, kind: group, reports_to: top, areas: [county], members: [p], themes: [da, roads]}
"""
    )
    [f] = overlaps(r)
    parts = f.evidence["parts"]
    assert parts["themes"] == pytest.approx(0.64 / 2)
    assert parts["members"] == pytest.approx(1 / 2**0.5, abs=1e-4)
    assert parts["parent"] == 1.0
    assert parts["area"] == 1.0  # both work in the county
    assert f.score == pytest.approx(0.6 * 0.32 + 0.2 * 0.7071 + 0.1 + 0.1, abs=1e-4)
    assert f.evidence["common_parents"] == [{"id": "top", "name": "Top"}]


def test_a_higher_threshold_drops_weaker_pairs():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}]}
  - {id: b, name: B, kind: board, themes: [{theme: da, role: lead}]}
  - {id: c, name: C, kind: board, themes: [da, asb, roads]}
"""
    )
    assert len(overlaps(r, threshold=0.0)) == 3
    assert [tuple(s.id for s in f.subjects) for f in overlaps(r, threshold=0.5)] == [("a", "b")]


def test_custom_weights_change_the_score():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}]}
  - {id: b, name: B, kind: board, themes: [{theme: da, role: lead}]}
"""
    )
    [f] = overlaps(r, weights=OverlapWeights(themes=1.0, members=0, parent=0, area=0), threshold=0.9)
    assert f.score == 1.0


def test_tied_pairs_are_listed_in_body_order_with_equal_scores():
    r = reg(
        THEMES
        + """
bodies:
  - {id: c, name: C, kind: board, themes: [da]}
  - {id: a, name: A, kind: board, themes: [da]}
  - {id: b, name: B, kind: board, themes: [da]}
"""
    )
    fs = overlaps(r)
    assert [tuple(s.id for s in f.subjects) for f in fs] == [("c", "a"), ("c", "b"), ("a", "b")]
    assert len({f.score for f in fs}) == 1


def test_empty_register_and_single_body_have_no_overlap():
    assert overlaps(reg("{}")) == []
    assert overlaps(reg(THEMES + "bodies: [{id: a, name: A, kind: board, themes: [da]}]\n")) == []


def test_dissolved_bodies_are_left_out():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [da], dissolved: 2020}
  - {id: b, name: B, kind: board, themes: [da]}
"""
    )
    assert overlaps(r) == []


def test_overlap_ids_are_the_same_for_the_same_register():
    text = (
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [da]}
  - {id: b, name: B, kind: board, themes: [da]}
"""
    )
    assert [f.id for f in overlaps(reg(text))] == [f.id for f in overlaps(reg(text))]


def test_overlap_sources_come_from_the_theme_links_deduplicated():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, sources: [{doc: doc, section: s1}]}]}
  - {id: b, name: B, kind: board, themes: [{theme: da, sources: [{doc: doc, section: s1}]}]}
"""
    )
    [f] = overlaps(r)
    assert [(s.doc, s.section) for s in f.sources] == [("doc", "s1")]


def test_the_overlap_graph_holds_only_thresholded_pairs():
    r = reg(
        THEMES
        + """
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}]}
  - {id: b, name: B, kind: board, themes: [{theme: da, role: lead}]}
  - {id: c, name: C, kind: board, themes: [da, asb, roads]}
"""
    )
    g = overlap_graph(pair_scores(r, threshold=0.5))
    assert sorted(g.edges(data="weight")) == [("a", "b", 0.6)]


bodies_st = st.lists(
    st.lists(
        st.tuples(st.sampled_from(["t0", "t1", "t2", "t3"]), st.sampled_from(["lead", "contributes"])),
        max_size=4,
    ),
    min_size=0,
    max_size=8,
)


def _register(spec: list[list[tuple[str, str]]], reverse: bool = False) -> Register:
    bodies = [
        {"id": f"b{i}", "name": f"B{i}", "kind": "board", "themes": [{"theme": t, "role": r} for t, r in ts]}
        for i, ts in enumerate(spec)
    ]
    return Register.model_validate(
        {
            "themes": [{"id": f"t{i}", "name": f"T{i}", "kind": "priority"} for i in range(4)],
            "bodies": bodies[::-1] if reverse else bodies,
        }
    )


@settings(max_examples=60, deadline=None)
@given(bodies_st)
def test_overlap_scores_are_bounded_and_do_not_depend_on_body_order(spec):
    def scores(r: Register) -> dict[frozenset[str], float]:
        ps = pair_scores(r, threshold=0.0)
        return {
            frozenset((ps.bodies[i], ps.bodies[j])): s
            for i, j, s in zip(ps.rows, ps.cols, ps.score, strict=True)
        }

    forward, backward = scores(_register(spec)), scores(_register(spec, reverse=True))
    assert forward == backward
    assert all(0.0 < s <= 1.0 + 1e-9 for s in forward.values())


def test_seed_register_shows_the_two_domestic_abuse_bodies_overlapping(seed_register):
    names = {"Lancashire Domestic Abuse Partnership Board", "Pan Lancashire Domestic Abuse Steering Group"}
    hits = [f for f in overlaps(seed_register) if {s.name for s in f.subjects} == names]
    assert len(hits) == 1
    assert "Domestic Abuse" in {t["name"] for t in hits[0].evidence["shared_themes"]}
    assert hits[0].sources
