"""Ownership gaps: issues no body addresses, no lead or too many, unowned strategies, unused evidence."""

from __future__ import annotations

import textwrap

from govmap.graph.analysis.delivery import delivery_matrix
from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.analysis.gaps import gaps, lead_gaps, strategy_gaps, theme_gaps
from govmap.ingest.model import Register
from govmap.ingest.reading.load import loads


def reg(text: str) -> Register:
    return loads(textwrap.dedent(text))


def kinds(findings) -> list[tuple[str, str, str]]:
    return [(f.kind.value, f.severity.value, f.subjects[0].id) for f in findings]


def test_a_public_concern_no_one_addresses_is_a_high_gap():
    r = reg("""
themes:
  - {id: fraud, name: Fraud, kind: public-concern}
  - {id: data, name: Data sharing, kind: cross-cutting-theme}
  - {id: new, name: Something new, kind: emerging-issue}
""")
    assert kinds(theme_gaps(r)) == [
        ("unaddressed-theme", "high", "fraud"),
        ("unaddressed-theme", "medium", "data"),
    ]
    assert theme_gaps(r)[0].title == "No body or strategy addresses the public concern 'Fraud'."


def test_a_concern_matching_an_addressed_priority_is_addressed_under_another_name_not_a_gap():
    r = reg("""
documents: [{id: doc, name: Doc}]
themes:
  - {id: asb, name: ASB, kind: priority}
  - {id: concern-asb, name: ASB (residents), kind: public-concern, matches: asb, sources: [{doc: doc}]}
bodies:
  - {id: g, name: ASB Group, kind: group, themes: [asb]}
""")
    assert theme_gaps(r) == []  # the matrix shows ASB Group on the concern's row: no gap contradicts it
    [row] = [x for x in delivery_matrix(r).rows if x.theme == "concern-asb"]
    assert [(d.id, d.theme) for d in row.deliverers] == [("g", "asb")]


def test_an_unconfirmed_match_does_not_make_a_concern_addressed():
    r = reg("""
themes:
  - {id: drugs, name: Drug use, kind: cause}
  - {id: dealing, name: Drug dealing, kind: public-concern, matches: [{to: drugs, status: unconfirmed}]}
bodies:
  - {id: g, name: Drugs Group, kind: group, themes: [drugs]}
""")
    [f] = theme_gaps(r)
    assert f.kind is Kind.UNADDRESSED_THEME
    assert f.evidence["matches"] == [{"id": "drugs", "name": "Drug use", "status": "unconfirmed"}]


def test_a_theme_whose_broader_theme_is_addressed_is_a_low_question_of_its_own_owner():
    r = reg("""
themes:
  - {id: violence, name: Violence, kind: priority}
  - {id: knife, name: Knife crime, kind: priority, broader: violence}
bodies:
  - {id: vrn, name: VRN, kind: board, themes: [{theme: violence, role: lead}]}
""")
    [f] = theme_gaps(r)
    assert (f.kind, f.severity, f.evidence["relation"]) == (Kind.INDIRECT_THEME, Severity.LOW, "broader")
    assert f.title == "The priority 'Knife crime' is addressed only through the wider Violence."


def test_a_theme_in_a_plan_with_an_owner_is_delivered_by_the_owner_and_one_with_no_owner_is_a_low_gap():
    r = reg("""
themes:
  - {id: a, name: A, kind: priority}
  - {id: b, name: B, kind: priority}
bodies:
  - {id: board, name: Board, kind: board}
strategies:
  - {id: owned, name: Owned plan, kind: plan, owner: board, themes: [a]}
  - {id: orphan, name: Orphan plan, kind: plan, themes: [b]}
""")
    [f] = theme_gaps(r)  # "a" is addressed by Board through its plan, as the matrix shows
    assert (f.kind, f.severity, f.subjects[0].id) == (Kind.STRATEGY_ONLY_THEME, Severity.LOW, "b")
    assert f.title == "The priority 'B' is addressed only by Orphan plan, whose owner is not recorded."


def test_a_priority_only_a_replaced_plan_named_is_history_not_a_gap():
    r = reg("""
themes: [{id: a, name: A, kind: priority}, {id: b, name: B, kind: priority}]
bodies: [{id: board, name: Board, kind: board}]
strategies:
  - {id: old, name: Old plan, kind: plan, owner: board, themes: [{theme: a, role: lead}], succeeded_by: new}
  - {id: new, name: New plan, kind: plan, owner: board, themes: [{theme: b, role: lead}]}
""")
    assert gaps(r) == []
    [row] = [x for x in delivery_matrix(r).rows if x.theme == "a"]
    assert row.note == "only plans of the past named it"


def test_a_theme_addressed_by_contributors_only_has_no_lead():
    r = reg("""
documents: [{id: tor, name: Terms of reference}]
themes: [{id: da, name: DA, kind: priority}]
bodies:
  - {id: a, name: A, kind: board, themes: [da], sources: [{doc: tor}]}
  - {id: b, name: B, kind: board, themes: [da], sources: [{doc: tor}]}
""")
    [f] = lead_gaps(r)
    assert (f.kind, f.severity) == (Kind.NO_LEAD, Severity.MEDIUM)
    assert f.title == "No body leads the priority 'DA'; 2 bodies contribute."


def test_no_lead_resting_only_on_unconfirmed_links_is_low_and_says_so():
    r = reg("""
themes: [{id: da, name: DA, kind: priority}]
bodies:
  - {id: a, name: A, kind: board, themes: [da]}
""")
    [f] = lead_gaps(r)
    assert (f.kind, f.severity) == (Kind.NO_LEAD, Severity.LOW)
    assert f.title == (
        "No body leads the priority 'DA'; 1 body contributes. It rests on unconfirmed facts: A's part in 'DA'."
    )
    assert f.evidence["unconfirmed_only"] is True


def test_a_lead_on_a_matched_theme_counts_as_a_lead():
    r = reg("""
documents: [{id: doc, name: Doc}]
themes:
  - {id: da, name: DA, kind: priority}
  - {id: intel-da, name: DA intel, kind: intelligence-focus, matches: da, sources: [{doc: doc}]}
bodies:
  - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}]}
  - {id: b, name: B, kind: board, themes: [intel-da]}
""")
    assert lead_gaps(r) == []


def test_two_leads_in_one_area_are_unclear_ownership_but_not_in_different_districts_or_levels():
    r = reg("""
areas:
  - {id: county, name: County, kind: county}
  - {id: d1, name: D1, kind: district, within: county}
  - {id: d2, name: D2, kind: district, within: county}
themes: [{id: asb, name: ASB, kind: priority}]
bodies:
  - {id: csp1, name: CSP 1, kind: csp, areas: d1, themes: [{theme: asb, role: lead}]}
  - {id: csp2, name: CSP 2, kind: csp, areas: d2, themes: [{theme: asb, role: lead}]}
  - {id: board, name: Board, kind: board, areas: county, themes: [{theme: asb, role: lead}]}
""")
    assert lead_gaps(r) == []  # two districts apart; a county board and a district partnership are two levels
    r2 = reg("""
documents: [{id: tor, name: Terms of reference}]
areas: [{id: d1, name: D1, kind: district}]
themes: [{id: asb, name: ASB, kind: priority}]
bodies:
  - {id: group, name: ASB Group, kind: group, areas: d1, themes: [{theme: asb, role: lead}], sources: [{doc: tor}]}
  - {id: csp1, name: CSP 1, kind: csp, areas: d1, themes: [{theme: asb, role: lead}], sources: [{doc: tor}]}
""")
    [f] = lead_gaps(r2)
    assert f.kind is Kind.MULTIPLE_LEADS
    assert [s.id for s in f.subjects] == ["asb", "csp1", "group"]
    assert f.title == (
        "2 bodies lead the priority 'ASB' in the same area: CSP 1, ASB Group; who owns it is not recorded."
    )


def test_a_body_and_its_own_sub_group_leading_one_theme_is_not_unclear_ownership():
    r = reg("""
areas: [{id: d1, name: D1, kind: district}]
themes: [{id: asb, name: ASB, kind: priority}]
bodies:
  - {id: csp1, name: CSP 1, kind: csp, areas: d1, themes: [{theme: asb, role: lead}]}
  - {id: g, name: G, kind: group, sub_group_of: csp1, themes: [{theme: asb, role: lead}]}
  - {id: s, name: Steering group, kind: steering-group, areas: d1, reports_to: g,
     themes: [{theme: asb, role: lead}]}
""")
    assert lead_gaps(r) == []


def test_leads_clashing_in_two_separate_places_are_two_findings():
    r = reg("""
areas:
  - {id: county, name: County, kind: county}
  - {id: d1, name: D1, kind: district, within: county}
  - {id: d2, name: D2, kind: district, within: county}
themes: [{id: asb, name: ASB, kind: priority}]
bodies:
  - {id: csp2, name: CSP 2, kind: csp, areas: d2, themes: [{theme: asb, role: lead}]}
  - {id: csp1, name: CSP 1, kind: csp, areas: d1, themes: [{theme: asb, role: lead}]}
  - {id: g2, name: G2, kind: group, areas: d2, themes: [{theme: asb, role: lead}]}
  - {id: g1, name: G1, kind: group, areas: d1, themes: [{theme: asb, role: lead}]}
""")
    found = lead_gaps(r)
    assert [[s.id for s in f.subjects] for f in found] == [["asb", "csp1", "g1"], ["asb", "csp2", "g2"]]
    assert len({f.id for f in found}) == 2
    assert [f.id for f in lead_gaps(r)] == [f.id for f in found]


def test_leads_whose_places_are_not_recorded_clash_with_each_other_only():
    r = reg("""
areas:
  - {id: d1, name: D1, kind: district}
themes: [{id: asb, name: ASB, kind: priority}]
bodies:
  - {id: csp1, name: CSP 1, kind: csp, areas: d1, themes: [{theme: asb, role: lead}]}
  - {id: u1, name: Unknown 1, kind: group, themes: [{theme: asb, role: lead}]}
  - {id: u2, name: Unknown 2, kind: group, themes: [{theme: asb, role: lead}]}
""")
    [f] = lead_gaps(r)  # a lead with no place is not shown to be in CSP 1's
    assert [s.id for s in f.subjects] == ["asb", "u1", "u2"]


def test_leads_recording_the_same_place_in_different_words_clash():
    r = reg("""
areas:
  - {id: d1, name: D1, kind: district}
  - {id: ward, name: Ward, kind: neighbourhood, within: d1}
  - {id: d2, name: D2, kind: district}
themes: [{id: asb, name: ASB, kind: priority}]
bodies:
  - {id: csp1, name: CSP 1, kind: csp, areas: d1, themes: [{theme: asb, role: lead}]}
  - {id: g1, name: G1, kind: group, areas: [d1, ward], themes: [{theme: asb, role: lead}]}
  - {id: g2, name: G2, kind: group, areas: [ward], themes: [{theme: asb, role: lead}]}
  - {id: g3, name: G3, kind: group, areas: [d1, d2], themes: [{theme: asb, role: lead}]}
""")
    # D1 and "D1 and a ward within it" are one place; the ward alone is within it, D1 and D2 wider
    [f] = lead_gaps(r)
    assert [s.id for s in f.subjects] == ["asb", "csp1", "g1"]


def test_strategies_without_owner_and_evidence_informing_nothing_are_reported():
    r = reg("""
bodies: [{id: board, name: Board, kind: board}]
strategies:
  - {id: plan, name: Plan, kind: plan}
  - {id: sa, name: Strategic assessment, kind: strategic-assessment, owner: board}
  - {id: used, name: Profile, kind: profile, owner: board, informs: plan}
""")
    assert kinds(strategy_gaps(r)) == [
        ("unowned-strategy", "low", "plan"),
        ("unused-evidence", "low", "sa"),
    ]
    assert strategy_gaps(r)[0].title == "The owner of the plan 'Plan' is not recorded."


def test_empty_register_has_no_gaps():
    assert gaps(reg("{}")) == []


def test_seed_register_reports_residents_concerns_no_body_addresses_fraud_among_them(seed_register):
    found = gaps(seed_register)
    unaddressed = {f.subjects[0].name for f in found if f.kind is Kind.UNADDRESSED_THEME}
    assert "Fraud" in unaddressed
    concern_gaps = [
        f for f in found if f.evidence.get("theme_kind") == "public-concern" and f.kind.group == "gaps"
    ]
    assert len(concern_gaps) >= 2
    fraud = next(f for f in found if f.subjects[0].name == "Fraud")
    assert fraud.severity is Severity.HIGH
    assert fraud.sources


ASSESSED_CSP = """
documents: [{id: page, name: Partnership page}]
themes: [{id: asb, name: ASB, kind: priority}, {id: da, name: Domestic abuse, kind: priority}]
bodies:
  - id: csp
    name: Town CSP
    kind: csp
    themes: [{theme: asb, role: lead}, {theme: da, role: lead}]
    sources: [{doc: page}]
strategies:
  - {id: sa, name: Town strategic assessment, kind: strategic-assessment, owner: csp, sources: [{doc: page}]}
"""


def test_a_csp_leading_priorities_set_from_its_own_assessment_is_not_without_a_plan():
    r = reg(ASSESSED_CSP)
    assert [f for f in strategy_gaps(r) if f.kind in (Kind.CSP_NO_STRATEGY, Kind.UNUSED_EVIDENCE)] == []


def test_a_csp_leading_priorities_with_no_assessment_or_plan_recorded_is_a_low_data_gap():
    r = reg(ASSESSED_CSP.split("strategies:")[0])
    [f] = [f for f in strategy_gaps(r) if f.kind is Kind.CSP_NO_STRATEGY]
    assert (f.severity, f.title) == (
        Severity.LOW,
        "No plan of Town CSP is recorded (its priorities are: ASB, Domestic abuse); the partnership must "
        "have one (Crime and Disorder Act 1998 s6).",
    )


def test_an_assessment_whose_owner_has_a_plan_it_does_not_inform_is_still_unused():
    r = reg(
        ASSESSED_CSP
        + "  - {id: plan, name: Town plan, kind: plan, owner: csp, themes: [asb], sources: [{doc: page}]}\n"
    )
    assert [(f.kind, f.subjects[0].id) for f in strategy_gaps(r)] == [(Kind.UNUSED_EVIDENCE, "sa")]


def test_a_csp_whose_only_assessment_has_ended_is_still_without_a_plan():
    r = reg(ASSESSED_CSP.replace("owner: csp,", "owner: csp, period: {start: 2019, end: 2020},"))
    assert [f.kind for f in strategy_gaps(r) if f.kind is Kind.CSP_NO_STRATEGY] == [Kind.CSP_NO_STRATEGY]
