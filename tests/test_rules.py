"""Statutory membership rules, read from data and checked against bodies."""

from __future__ import annotations

import textwrap

import pytest
from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.analysis.rules import DEFAULT_RULES, RulesInvalid, load_rules, statutory
from govmap.ingest.load import loads
from govmap.ingest.model import Register


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


def body(members: str, kind: str = "csp", name: str = "Town CSP", extra: str = "") -> str:
    return (
        ORGS
        + f"bodies:\n  - {{id: b, name: {name}, kind: {kind}, members: {members}, sources: [{{doc: tor}}]{extra}}}\n"
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
        "its memberships are all unconfirmed; not recorded at all: the fire and rescue authority; "
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


def test_rules_select_bodies_by_kind_name_or_legal_basis_only():
    assert statutory(reg(body("[police]", kind="board", name="Town Board"))) == []
    by_name = statutory(reg(body("[police]", kind="board", name="Town Community Safety Partnership")))
    assert [f.evidence["rule"]["id"] for f in by_name] == ["csp-responsible-authorities"]
    by_basis = statutory(
        reg(body("[police]", kind="board", name="Board", extra=", legal_basis: Children Act 2004 s16E"))
    )
    assert [f.evidence["rule"]["id"] for f in by_basis] == ["childrens-safeguarding-partners"]
    svd = statutory(reg(body("[police]", kind="board", name="Violence Reduction Network")))
    assert [f.evidence["rule"]["id"] for f in svd] == ["serious-violence-duty"]


def test_a_health_and_wellbeing_board_needs_healthwatch_matched_by_name():
    ok = statutory(reg(body("[county, icb, healthwatch]", kind="board", name="Health and Wellbeing Board")))
    assert ok == []
    [f] = statutory(reg(body("[county, icb]", kind="board", name="Health and Wellbeing Board")))
    assert [m["id"] for m in f.evidence["missing"]] == ["healthwatch"]


def test_a_bad_rules_file_is_refused_with_its_problems(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - {id: x, title: X, legal_basis: L, applies_to: {names: ['(']}, requires: []}\n"
    )
    with pytest.raises(RulesInvalid) as exc:
        load_rules(path)
    assert "is not a valid regular expression" in exc.value.message
    assert "requires" in exc.value.message


def test_seed_statutory_findings_each_cite_a_rule_and_its_legal_basis(seed_register):
    found = statutory(seed_register)
    assert found
    for f in found:
        assert f.evidence["rule"]["legal_basis"] in f.title or f.kind is not Kind.STATUTORY_MISSING
        assert f.evidence["rule"]["legal_basis"]
