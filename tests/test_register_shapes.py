"""Registers of other shapes (tests/registers/): each validates, and its findings are the ones expected by construction.

A mayoral combined authority with metropolitan districts, a two-tier county,
a unitary, and a county sharing joint bodies with a neighbouring unitary.  No
statutory breach may be invented from a name or from one confirmed seat, and
abolished members must be reported.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govmap.graph.analysis.findings import Finding, Kind, Severity
from govmap.graph.report import ReportOptions, report
from govmap.ingest.reading.load import check_register, load_register

REGISTERS = Path(__file__).resolve().parent / "registers"
SHAPES = ("mayoral", "two_tier", "unitary", "joint")
AS_OF = ReportOptions(as_of=dt.date(2025, 9, 1))


def findings(name: str) -> list[Finding]:
    return list(report(load_register(REGISTERS / f"{name}.yaml"), options=AS_OF).findings)


def about(found: list[Finding], kind: Kind, subject: str) -> list[Finding]:
    return [f for f in found if f.kind is kind and f.subjects[0].id == subject]


@pytest.mark.parametrize("name", SHAPES)
def test_each_register_shape_validates_without_errors(name):
    checked = check_register(REGISTERS / f"{name}.yaml")
    assert checked.errors == []


@pytest.mark.parametrize("name", ("mayoral", "unitary", "joint"))
def test_no_statutory_member_is_called_missing_from_names_or_one_confirmed_seat(name):
    assert [f.title for f in findings(name) if f.kind is Kind.STATUTORY_MISSING] == []


@pytest.mark.parametrize("name", SHAPES)
def test_no_finding_from_a_name_alone_is_above_info(name):
    for f in findings(name):
        if f.evidence.get("applies_by") == "name":
            assert (f.kind, f.severity) == (Kind.STATUTORY_MAY_APPLY, Severity.INFO)


def test_mayoral_a_complete_csp_meets_the_icb_through_its_nhs_place_and_fire_through_the_combined_authority():
    found = findings("mayoral")
    assert [f for f in found if f.subjects[0].id == "eastby-csp" and f.kind.group == "statutory"] == []


def test_mayoral_a_csp_with_one_confirmed_seat_cannot_be_checked():
    [f] = about(findings("mayoral"), Kind.STATUTORY_UNCHECKABLE, "westby-csp")
    assert f.severity is Severity.LOW
    assert "its member list is not marked complete; confirmed: a local authority" in f.title
    assert "(Westby Metropolitan Borough Council); not recorded: the chief officer of police" in f.title


def test_mayoral_the_csps_forum_only_may_be_a_csp():
    [f] = about(findings("mayoral"), Kind.STATUTORY_MAY_APPLY, "csp-forum")
    assert f.severity is Severity.INFO
    assert about(findings("mayoral"), Kind.STATUTORY_UNCHECKABLE, "csp-forum") == []


def test_mayoral_abolished_members_are_reported_with_their_successors():
    [f] = about(findings("mayoral"), Kind.NAMES_DISSOLVED, "westby-csp")
    assert f.title == (
        "The member list of Westby Community Safety Partnership still names NHS Northmoor Clinical "
        "Commissioning Group, abolished in 2022; its successor is NHS Northmoor Integrated Care Board; "
        "and National Probation Service, abolished in 2021; its successor is The Probation Service."
    )
    assert f.severity is Severity.LOW  # both seats are unconfirmed
    assert [s.id for s in f.subjects] == ["westby-csp", "northmoor-ccg", "national-probation-service"]


def test_mayoral_a_replaced_plan_has_no_ended_period_and_a_plan_owned_by_a_post_is_owned():
    found = findings("mayoral")
    assert [f for f in found if f.kind is Kind.PERIOD_ENDED] == []
    assert [f for f in found if f.kind is Kind.UNOWNED_STRATEGY] == []
    for f in found:
        if f.kind is Kind.STRATEGY_ONLY_THEME:
            assert f.severity is Severity.LOW
            assert {o["owner"] for o in f.evidence["owning_bodies"]} == {"mayor"}


def test_mayoral_bodies_accountable_to_the_mayor_are_not_orphans():
    assert [f.subjects[0].id for f in findings("mayoral") if f.kind is Kind.ORPHAN] == []


def test_mayoral_the_disputed_start_of_the_violence_reduction_unit_is_shown_as_disputed():
    [f] = about(findings("mayoral"), Kind.DISPUTED, "violence-reduction-unit")
    assert f.title == (
        "Sources disagree about Northmoor Violence Reduction Unit: Northmoor Combined Authority website "
        "says 'established in 2019'; Violence Reduction Unit annual report says 'established in 2020'."
    )


def test_two_tier_a_complete_district_csp_without_the_county_council_is_missing_it():
    found = findings("two_tier")
    [f] = [f for f in found if f.kind is Kind.STATUTORY_MISSING]
    assert f.subjects[0].id == "alpha-csp" and f.severity is Severity.HIGH
    assert f.title == (
        "Alpha Community Safety Partnership lacks members required by Crime and Disorder Act 1998, s5 "
        "(responsible authorities): the county council of the county containing the district "
        "(s5(1)(a), two-tier areas)."
    )
    assert about(found, Kind.STATUTORY_UNCHECKABLE, "gamma-csp") == []


def test_two_tier_a_district_csp_of_unknown_membership_names_the_county_council_as_not_recorded():
    [f] = about(findings("two_tier"), Kind.STATUTORY_UNCHECKABLE, "beta-csp")
    assert (
        "not recorded: the chief officer of police (police force); the county council of the county"
        in f.title
    )


def test_unitary_a_complete_csp_needs_no_county_council():
    assert [
        f for f in findings("unitary") if f.subjects[0].id == "westmere-csp" and f.kind.group == "statutory"
    ] == []


def test_unitary_a_board_named_like_a_safeguarding_adults_board_only_may_be_one():
    [f] = about(findings("unitary"), Kind.STATUTORY_MAY_APPLY, "adults-board")
    assert f.evidence["rule"]["id"] == "safeguarding-adults-board-core"


def test_joint_bodies_meet_their_rules_through_both_councils():
    found = findings("joint")
    assert [
        f
        for f in found
        if f.subjects[0].id in ("joint-sab", "portby-csp", "north-east-csp") and f.kind.group == "statutory"
    ] == []
    [f] = about(found, Kind.STATUTORY_UNCHECKABLE, "joint-children")
    assert f.severity is Severity.LOW


def test_a_group_accountable_to_a_mayor_is_not_an_orphan_nor_a_dead_end_for_those_below_it():
    from govmap.graph.analysis.structure import structure
    from govmap.ingest.reading.load import loads

    reg = loads(
        "documents: [{id: d, name: D}]\n"
        "organisations: [{id: ca, name: CA, type: combined-authority}]\n"
        "posts: [{id: mayor, name: Mayor, organisation: ca}]\n"
        "themes: [{id: t, name: T, kind: priority, sources: [{doc: d}]}]\n"
        "bodies:\n"
        "  - {id: top, name: Top, kind: board, top_level: true, sources: [{doc: d}]}\n"
        "  - {id: g, name: Mayor's group, kind: group, accountable_to: mayor, sources: [{doc: d}]}\n"
        "  - {id: h, name: Sub, kind: group, reports_to: g, themes: [{theme: t, role: lead}], sources: [{doc: d}]}\n"
    )
    assert [f.title for f in structure(reg)] == []
