"""Issue 23's patterns 1-9, each shown by a small register built to exhibit it (tests/registers/patterns/):
what a reviewer rejected on real landscapes does not come back, and what is true still does.

Each register's header says what must and must not be found, by construction.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from govmap.graph.analysis.findings import Finding, Kind, Severity
from govmap.graph.report import Report, ReportOptions, report
from govmap.ingest.reading.load import load_register

PATTERNS = Path(__file__).resolve().parent / "registers" / "patterns"
AS_OF = dt.date(2026, 12, 7)


@cache
def run(name: str) -> Report:
    return report(load_register(PATTERNS / f"{name}.yaml"), options=ReportOptions(as_of=AS_OF))


def of(name: str, *kinds: Kind) -> list[Finding]:
    return [f for f in run(name).findings if f.kind in kinds]


def about(f: Finding) -> set[str]:
    return {s.id for s in f.subjects}


def test_1_bodies_inside_wider_areas_are_not_joint_bodies_and_a_statutory_body_answers_to_its_act():
    structural = of("nested", Kind.ORPHAN, Kind.JOINT_UNACCOUNTABLE)
    assert {f.subjects[0].id: f.kind for f in structural} == {
        "da-board": Kind.ORPHAN,  # one wide area: a body of the force area, its line not recorded
        "adults-group": Kind.JOINT_UNACCOUNTABLE,  # two separate areas, a partnership in each
    }
    [joint] = [f for f in structural if f.kind is Kind.JOINT_UNACCOUNTABLE]
    assert joint.title.startswith(
        "Shire and Bay Adults Group works across the areas of Bay Partnership and Shire Partnership Board "
        "and reports to neither"
    )
    [orphan] = [f for f in structural if f.kind is Kind.ORPHAN]
    assert orphan.title == "Force DA Board has no reporting line recorded."  # never "North CSP's"


def test_2_levels_are_not_duplicates_and_an_umbrella_is_paired_once_with_a_body_of_its_level():
    assert of("levels", Kind.OVERLAP, Kind.MULTIPLE_LEADS) == []
    [pair] = of("levels", Kind.UMBRELLA_DELIVERY)
    assert pair.title == (
        "County Partnership leads 'Domestic abuse' through Community Safety Agreement; County DA Group also "
        "leads it in the same area."
    )
    assert pair.suggestion.endswith(
        "or record County DA Group as a sub-group of (or reporting to) County Partnership."
    )
    assert "force-da" not in about(pair) and "vru" not in about(pair)  # wider bodies are no delivery bodies
    # a board leading its own remit, delivered by its member agencies, is not an umbrella
    assert [f for f in of("levels", Kind.UMBRELLA_ONLY) if "cjb" in about(f)] == []


def test_3_no_gap_finding_contradicts_the_matrix():
    rep = run("matrix")
    gaps = {
        Kind.NO_LEAD,
        Kind.PARTLY_ADDRESSED,
        Kind.STRATEGY_ONLY_THEME,
        Kind.INDIRECT_THEME,
        Kind.UNADDRESSED_THEME,
    }
    assert [f.title for f in rep.findings if f.kind in gaps] == []
    assert rep.delivery is not None
    trust = rep.delivery.row("trust")
    assert [(d.id, d.via) for d in trust.leads] == [("mayor", "pcp")]  # a post leads through its plan


def test_4_history_is_not_the_present():
    rep = run("history")
    kinds = {f.kind for f in rep.findings}
    assert not kinds & {
        Kind.UNADDRESSED_THEME,
        Kind.STRATEGY_ONLY_THEME,
        Kind.APPOINTMENT_EXPIRED,
        Kind.SEAT_VACANT,
        Kind.MOSTLY_VACANT,
        Kind.NAMES_DISSOLVED,
    }
    assert rep.delivery is not None
    assert rep.delivery.row("visible-policing").note == "only plans of the past named it"
    [ended] = of("history", Kind.PERIOD_ENDED)
    assert ended.title == "The period of Youth Plan 2019-2022 ended on 2022-12-31."
    [youth] = rep.delivery.row("youth").leads  # a lapsed plan still counts, flagged
    assert youth.lapsed == dt.date(2022, 12, 31)


def test_5_layered_statutory_bodies_are_aligned_never_merged():
    rep = run("layered")
    pairs = [
        about(f) for f in rep.findings if f.kind in (Kind.OVERLAP, Kind.MULTIPLE_LEADS, Kind.CONSOLIDATION)
    ]
    assert [p for p in pairs if p >= {"lscp", "sab"} or p >= {"hwb", "icp"}] == []
    [place] = of("layered", Kind.OVERLAP)
    assert about(place) == {"hwb", "place-board"}
    assert "merge" not in place.suggestion.replace("merged away", "")
    assert "Health and Wellbeing Board is a statutory body" in place.suggestion


def test_6_a_body_and_its_own_sub_group_or_a_group_within_it_lead_as_one():
    assert of("subgroup", Kind.MULTIPLE_LEADS, Kind.OVERLAP, Kind.UMBRELLA_DELIVERY) == []


def test_7_recording_the_delivery_body_closes_the_finding_and_every_matrix_shows_it():
    text = (PATTERNS / "levels.yaml").read_text(encoding="utf-8")
    fixed = text.replace(
        "themes: [{theme: da, role: lead}, {theme: sv, role: lead}, {theme: asb, role: lead}]}",
        "themes: [{theme: da, role: lead, delivered_by: [county-da]}, {theme: sv, role: lead}, {theme: asb, role: lead}]}",
    )
    assert fixed != text
    from govmap.ingest.reading.load import loads

    rep = report(loads(fixed), options=ReportOptions(as_of=AS_OF))
    pair = {"county-partnership", "county-da"}
    assert [
        f for f in rep.findings if f.kind in (Kind.UMBRELLA_DELIVERY, Kind.OVERLAP) and about(f) >= pair
    ] == []
    note = "delivered by County DA Group for County Partnership"
    assert rep.delivery is not None and rep.delivery.row("da").note == note
    assert note in rep.to_markdown() and note in rep.to_html() and note in rep.to_json()


def test_8_repetition_is_folded_and_the_top_ten_has_at_most_three_of_a_kind():
    rep = run("repetition")
    [csps] = of("repetition", Kind.CSP_NO_STRATEGY)
    assert about(csps) == {"csp1", "csp2", "csp3", "csp4", "csp5"} and csps.severity is Severity.LOW
    [ended] = of("repetition", Kind.PERIOD_ENDED)
    assert about(ended) == {"p1", "p2", "p3", "p4"}
    top = rep.top()
    assert max(sum(1 for f in top if f.kind is k) for k in {f.kind for f in top}) <= 3
    assert len(of("repetition", Kind.UMBRELLA_ONLY)) == 5 and len(top) == 5  # three of five, then the rest


def test_9_unconfirmed_and_missing_data_are_not_read_as_fact():
    rep = run("unconfirmed")
    assert rep.in_words().startswith(
        "Most records (7 of 10) are unconfirmed: read every finding as provisional until they are checked "
        "against their sources."
    )
    [orphan] = of("unconfirmed", Kind.ORPHAN)
    assert orphan.severity is Severity.LOW and orphan.title.endswith(
        "It rests on unconfirmed facts: Domestic Abuse Group is unconfirmed."
    )
    assert orphan not in rep.top()  # resting only on unconfirmed facts: never a top finding
    [csp] = of("unconfirmed", Kind.CSP_NO_STRATEGY)
    assert csp.severity is Severity.LOW  # a plan not recorded is a data gap, not a breach
    owners = {f.subjects[0].id: (f.severity, f.title) for f in of("unconfirmed", Kind.UNOWNED_STRATEGY)}
    assert owners == {
        "silent": (Severity.LOW, "The owner of the plan 'Silent Plan' is not recorded."),
        "orphaned": (Severity.MEDIUM, "The sources say no one owns the plan 'Orphaned Plan'."),
    }
