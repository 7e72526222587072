"""Statutory membership rules, read from data and checked against bodies."""

from __future__ import annotations

import textwrap

import pytest

from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.analysis.rules import statutory
from govmap.graph.analysis.rules_file import DEFAULT_RULES, RulesInvalid, load_rules
from govmap.ingest.model import Register
from govmap.ingest.reading.load import loads


def reg(text: str) -> Register:
    return loads(textwrap.dedent(text))


ORGS = """\
documents: [{id: tor, name: Terms of reference}]
organisations:
  - {id: police, name: County Police, type: police-force, sources: [{doc: tor}]}
  - {id: council, name: Town Council, type: district-council, sources: [{doc: tor}]}
  - {id: county, name: County Council, type: county-council, sources: [{doc: tor}]}
  - {id: fire, name: County Fire, type: fire-and-rescue, sources: [{doc: tor}]}
  - {id: probation, name: Probation, type: probation, sources: [{doc: tor}]}
  - {id: icb, name: The ICB, type: integrated-care-board, sources: [{doc: tor}]}
  - {id: healthwatch, name: Healthwatch County, type: voluntary-sector, sources: [{doc: tor}]}
posts:
  - {id: chief, name: Chief Constable, organisation: police}
people:
  - {id: sam, name: Sam}
"""


def body(
    members: str, kind: str = "csp", name: str = "Town CSP", extra: str = "", complete: bool = True
) -> str:
    done = ", members_complete: true" if complete else ""
    return (
        ORGS
        + f"bodies:\n  - {{id: b, name: {name}, kind: {kind}, members: {members}, "
        + f"sources: [{{doc: tor}}]{done}{extra}}}\n"
    )


def test_the_shipped_rules_cite_their_legal_basis():
    rules = {r.id: r for r in load_rules()}
    assert DEFAULT_RULES.name == "statutory.yaml"
    assert {
        "csp-responsible-authorities",
        "serious-violence-duty",
        "health-and-wellbeing-board-core",
        "childrens-safeguarding-partners",
    } <= set(rules)
    assert rules["csp-responsible-authorities"].legal_basis.startswith("Crime and Disorder Act 1998, s5")
    assert "Schedule 1" in rules["serious-violence-duty"].legal_basis
    assert "s194" in rules["health-and-wellbeing-board-core"].legal_basis
    assert "s16E" in rules["childrens-safeguarding-partners"].legal_basis


def test_a_csp_with_every_responsible_authority_confirmed_has_no_finding():
    assert statutory(reg(body("[police, council, fire, probation, icb]"))) == []


def test_a_csp_missing_fire_and_probation_is_reported_with_rule_and_legal_basis():
    [f] = statutory(reg(body("[police, council, icb]")))
    assert (f.kind, f.severity) == (Kind.STATUTORY_MISSING, Severity.HIGH)
    assert f.title == (
        "Town CSP lacks members required by Crime and Disorder Act 1998, s5 (responsible authorities): "
        "the fire and rescue authority; a provider of probation services."
    )
    assert f.evidence["members_complete"] is True
    assert f.evidence["rule"]["id"] == "csp-responsible-authorities"
    assert [m["id"] for m in f.evidence["missing"]] == ["fire-and-rescue", "probation"]
    assert [(s.doc, s.section) for s in f.sources] == [("tor", None)]


def test_a_body_with_no_members_recorded_cannot_be_checked():
    [f] = statutory(reg(body("[]")))
    assert (f.kind, f.severity) == (Kind.STATUTORY_UNCHECKABLE, Severity.INFO)
    assert "cannot be checked" in f.title and "no members recorded" in f.title


def test_a_body_whose_memberships_are_all_unconfirmed_cannot_be_checked():
    members = "[{member: police, status: unconfirmed}, {member: council, status: unconfirmed}]"
    [f] = statutory(reg(body(members)))
    assert (f.kind, f.severity) == (Kind.STATUTORY_UNCHECKABLE, Severity.LOW)
    assert f.title.endswith(
        "its memberships are all unconfirmed; not recorded: the fire and rescue authority; "
        "a provider of probation services; an integrated care board."
    )


def test_a_requirement_met_only_by_unconfirmed_members_is_low():
    members = "[police, council, fire, probation, {member: icb, status: unconfirmed}]"
    [f] = statutory(reg(body(members)))
    assert (f.kind, f.severity) == (Kind.STATUTORY_UNCONFIRMED, Severity.LOW)
    assert [e["id"] for e in f.evidence["unconfirmed"]] == ["integrated-care-board"]


def test_posts_count_through_their_organisation_and_people_through_on_behalf_of():
    members = "[chief, {member: sam, on_behalf_of: council}, fire, probation, icb]"
    assert statutory(reg(body(members))) == []


def test_rules_apply_by_kind_legal_basis_or_the_bodys_own_rules_list():
    assert statutory(reg(body("[police]", kind="board", name="Town Board"))) == []
    by_basis = statutory(
        reg(body("[police]", kind="board", name="Board", extra=", legal_basis: Children Act 2004 s16E"))
    )
    assert [(f.evidence["rule"]["id"], f.kind) for f in by_basis] == [
        ("childrens-safeguarding-partners", Kind.STATUTORY_MISSING)
    ]
    listed = statutory(
        reg(body("[police]", kind="board", name="Board", extra=", rules: [csp-responsible-authorities]"))
    )
    assert [(f.evidence["rule"]["id"], f.evidence["applies_by"]) for f in listed] == [
        ("csp-responsible-authorities", "rules")
    ]


def test_a_name_alone_gives_only_may_apply_at_info_and_checks_no_members():
    by_name = statutory(reg(body("[police]", kind="group", name="Community Safety Partnerships Forum")))
    assert [(f.kind, f.severity) for f in by_name] == [(Kind.STATUTORY_MAY_APPLY, Severity.INFO)]
    assert by_name[0].title == (
        "Community Safety Partnership responsible authorities (Crime and Disorder Act 1998, s5 "
        "(responsible authorities)) may apply to Community Safety Partnerships Forum, whose name reads "
        "like one: check."
    )
    svd = statutory(reg(body("[police]", kind="board", name="Violence Reduction Network")))
    assert [(f.evidence["rule"]["id"], f.kind) for f in svd] == [
        ("serious-violence-duty", Kind.STATUTORY_MAY_APPLY)
    ]


def test_a_childrens_safeguarding_partnership_is_recognised_by_its_name_either_way_round():
    for name in ("Eastby Children's Safeguarding Partnership", "Eastby Safeguarding Children Partnership"):
        found = statutory(reg(body("[police]", kind="board", name=name)))
        assert [(f.evidence["rule"]["id"], f.kind) for f in found] == [
            ("childrens-safeguarding-partners", Kind.STATUTORY_MAY_APPLY)
        ], name


def test_a_body_that_lists_its_rules_gets_no_may_apply_from_its_name():
    text = body("[police]", kind="group", name="Community Safety Partnerships Forum", extra=", rules: [x]")
    [f] = statutory(reg(text))
    assert (f.kind, f.severity) == (Kind.STATUTORY_UNCHECKABLE, Severity.LOW)
    assert (
        f.title
        == "Community Safety Partnerships Forum names the rule 'x', which the rules file does not define."
    )


def test_a_health_and_wellbeing_board_needs_healthwatch_matched_by_name():
    basis = ", legal_basis: Health and Social Care Act 2012 s194"
    ok = statutory(reg(body("[county, icb, healthwatch]", kind="board", name="HWB", extra=basis)))
    assert ok == []
    [f] = statutory(reg(body("[county, icb]", kind="board", name="HWB", extra=basis)))
    assert [m["id"] for m in f.evidence["missing"]] == ["healthwatch"]


def test_one_confirmed_seat_on_a_list_not_marked_complete_cannot_be_checked_and_names_what_is_known():
    [f] = statutory(reg(body("[{member: council, role: chair}]", complete=False)))
    assert (f.kind, f.severity) == (Kind.STATUTORY_UNCHECKABLE, Severity.LOW)
    assert f.title == (
        "Membership of Town CSP cannot be checked against Community Safety Partnership responsible "
        "authorities (Crime and Disorder Act 1998, s5 (responsible authorities)): its member list is not "
        "marked complete; confirmed: a local authority (county, district, metropolitan borough or unitary "
        "council) (Town Council); not recorded: the chief officer of police (police force); the fire and "
        "rescue authority; a provider of probation services; an integrated care board."
    )


def test_a_list_marked_complete_without_a_source_is_not_judged_complete():
    text = (
        ORGS + "bodies:\n  - {id: b, name: Town CSP, kind: csp, members: [police], members_complete: true}\n"
    )
    [f] = statutory(reg(text))
    assert f.kind is Kind.STATUTORY_UNCHECKABLE


def test_an_nhs_place_counts_for_its_integrated_care_board_through_part_of():
    text = body("[police, council, fire, probation, place]").replace(
        "posts:", "  - {id: place, name: Town place, type: nhs, part_of: icb, sources: [{doc: tor}]}\nposts:"
    )
    assert statutory(reg(text)) == []


def test_an_organisation_meets_a_requirement_through_its_roles():
    ca = "  - {id: ca, name: Combined Authority, type: combined-authority, roles: [fire-and-rescue]}\nposts:"
    assert statutory(reg(body("[police, council, ca, probation, icb]").replace("posts:", ca))) == []


def test_a_combined_authority_with_pcc_functions_meets_the_police_and_crime_commissioner(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "govmap_rules: 1\nrules:\n  - id: pcc\n    title: T\n    legal_basis: L\n"
        "    applies_to: {kinds: [board]}\n"
        "    requires: [{id: pcc, label: the police and crime commissioner, types: [police-and-crime-commissioner]}]\n"
    )
    ca = "  - {id: ca, name: CA, type: combined-authority, roles: [police-and-crime-commissioner]}\nposts:"
    text = body("[ca]", kind="board", name="Board").replace("posts:", ca)
    assert statutory(reg(text), load_rules(rules)) == []
    assert len(statutory(reg(body("[council]", kind="board", name="Board")), load_rules(rules))) == 1


def test_an_abolished_organisation_meets_nothing_itself_and_its_successor_is_presumed_in_a_complete_list():
    old = "  - {id: nps, name: NPS, type: probation, dissolved: 2021-06, succeeded_by: probation}\nposts:"
    [f] = statutory(reg(body("[police, council, fire, nps, icb]").replace("posts:", old)))
    # a stale list, not a missing partner: names-dissolved says it is stale; here it is unconfirmed
    assert (f.kind, f.severity) == (Kind.STATUTORY_UNCONFIRMED, Severity.LOW)
    assert f.evidence["missing"] == []
    assert f.evidence["abolished"] == [{"id": "nps", "organisation": "nps", "name": "NPS"}]
    assert (
        "a provider of probation services (the list names NPS, abolished; its successor is presumed to sit)"
        in f.title
    )
    gone = "  - {id: nps, name: NPS, type: probation, dissolved: 2021-06}\nposts:"  # no successor recorded
    [f] = statutory(reg(body("[police, council, fire, nps, icb]").replace("posts:", gone)))
    assert [m["id"] for m in f.evidence["missing"]] == ["probation"]


TWO_TIER = """\
documents: [{id: tor, name: Terms of reference}]
areas:
  - {id: shire, name: Shire, kind: county}
  - {id: town, name: Town, kind: district, within: shire}
  - {id: city, name: City, kind: unitary}
organisations:
  - {id: county, name: Shire County Council, type: county-council, areas: shire}
  - {id: council, name: Town Council, type: district-council, areas: town}
  - {id: police, name: Police, type: police-force}
  - {id: fire, name: Fire, type: fire-and-rescue}
  - {id: probation, name: Probation, type: probation}
  - {id: icb, name: ICB, type: integrated-care-board}
bodies:
  - {id: b, name: Town CSP, kind: csp, areas: AREA, members: MEMBERS, sources: [{doc: tor}] COMPLETE}
"""


def two_tier(area: str, members: str, complete: bool = True) -> Register:
    text = TWO_TIER.replace("AREA", area).replace("MEMBERS", members)
    return reg(text.replace(" COMPLETE", ", members_complete: true" if complete else ""))


def test_a_district_csp_in_a_two_tier_county_needs_the_county_council():
    [f] = statutory(two_tier("town", "[council, police, fire, probation, icb]"))
    assert (f.kind, f.severity) == (Kind.STATUTORY_MISSING, Severity.HIGH)
    assert f.evidence["missing"] == [
        {
            "id": "county-council",
            "label": "the county council of the county containing the district (s5(1)(a), two-tier areas)",
            "areas": ["shire"],
        }
    ]
    assert statutory(two_tier("town", "[council, county, police, fire, probation, icb]")) == []


def test_the_county_council_of_another_county_does_not_count():
    text = TWO_TIER.replace(
        "  - {id: county, name: Shire County Council, type: county-council, areas: shire}",
        "  - {id: county, name: Other County Council, type: county-council, areas: other}\n"
        "  - {id: other-cc, name: Other, type: county-council}",
    ).replace("  - {id: city,", "  - {id: other, name: Other, kind: county}\n  - {id: city,")
    text = text.replace("AREA", "town").replace("MEMBERS", "[council, county, police, fire, probation, icb]")
    [f] = statutory(reg(text.replace(" COMPLETE", ", members_complete: true")))
    assert [m["id"] for m in f.evidence["missing"]] == ["county-council"]


def test_a_unitary_csp_needs_no_county_council_and_an_unknown_two_tier_list_cannot_be_checked():
    assert statutory(two_tier("city", "[council, police, fire, probation, icb]")) == []
    [f] = statutory(two_tier("town", "[{member: council, role: chair}]", complete=False))
    assert f.kind is Kind.STATUTORY_UNCHECKABLE
    assert (
        "not recorded: the chief officer of police (police force); the county council of the county"
        in f.title
    )


def test_a_bad_rules_file_is_refused_with_its_problems(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - {id: x, title: X, legal_basis: L, applies_to: {names: ['(']}, requires: []}\n"
    )
    with pytest.raises(RulesInvalid) as exc:
        load_rules(path)
    assert "is not a valid regular expression" in exc.value.message
    assert "requires" in exc.value.message


def test_a_pattern_in_double_quotes_whose_backslash_b_became_a_backspace_is_refused_at_its_line(tmp_path):
    # YAML reads "\b" in double quotes as a backspace: the pattern would silently match no name
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - id: x\n    title: X\n    legal_basis: L\n"
        '    applies_to: {names: ["\\bpanel\\b"]}\n    requires: []\n'
    )
    with pytest.raises(RulesInvalid) as exc:
        load_rules(path)
    assert (
        f"{path}:5:25: error: rules.0.applies_to.names: Value error, '\\x08panel\\x08' holds the control "
        "character U+0008 (in double quotes YAML reads \\b as a backspace): write the pattern in single "
        "quotes, as '\\bword\\b'"
    ) in exc.value.format().splitlines()


def test_every_pattern_of_the_shipped_rules_is_free_of_control_characters():
    # the shipped statutory.yaml once had "\bchildren'?s safeguarding\b": a partnership named
    # "Children's Safeguarding Partnership" was never recognised by name
    rules = load_rules()
    patterns = [p for r in rules for p in (*r.applies_to.names, *r.applies_to.exclude_names)]
    assert any("children" in p for p in patterns)
    assert [p for p in patterns if any(c < " " for c in p)] == []


def test_the_rules_file_is_read_with_the_safe_loader_and_problems_name_their_line(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("govmap_rules: 1\nrules:\n  - id: x\n    id: y\n  - &a {id: z}\n")
    with pytest.raises(RulesInvalid) as exc:
        load_rules(path)
    assert exc.value.format().splitlines() == [
        f"{path}:4:5: error: duplicate key 'id' (first at line 3); YAML would silently keep only the last one "
        "(remove or rename one of them)",
        f"{path}:5:5: error: anchor '&a' is not allowed (write the value out in full)",
    ]
    path.write_text("govmap_rules: 1\nrules:\n  - id: x\n    bogus: 1\n")
    with pytest.raises(RulesInvalid) as exc:
        load_rules(path)
    assert (
        f"{path}:4:12: error: rules.0.bogus: Extra inputs are not permitted"
        in exc.value.format().splitlines()
    )


def test_seed_statutory_findings_each_cite_a_rule_and_its_legal_basis(seed_register):
    found = statutory(seed_register)
    assert found
    for f in found:
        rule = f.evidence["rule"]
        assert rule["legal_basis"]
        assert rule["title"] in f.title
        if f.kind is not Kind.STATUTORY_UNCONFIRMED:  # that one lists the seats instead
            assert f"({rule['legal_basis']})" in f.title
