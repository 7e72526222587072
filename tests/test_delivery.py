"""Who delivers what: the delivery matrix, umbrella and delivery bodies, and geography and law in the judgement.

Every register here is built by hand so that the right answer is known by construction.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest
from click.testing import CliRunner

from govmap.cli import ExitStatus, cli
from govmap.graph.analysis.delivery import delivery_matrix
from govmap.graph.analysis.findings import GROUP_TITLES, GROUPS, KIND_LABELS, Kind, Severity
from govmap.graph.analysis.gaps import gaps
from govmap.graph.analysis.landscape import communities
from govmap.graph.analysis.lookup import Lookup
from govmap.graph.analysis.overlap import one_job, overlap_graph, overlaps, pair_scores
from govmap.graph.analysis.structure import orphans
from govmap.graph.analysis.umbrellas import delivery_findings
from govmap.graph.neo4j.rows import edge_rows
from govmap.graph.report import ReportOptions, report
from govmap.ingest.errors import RegisterInvalid
from govmap.ingest.model import Register
from govmap.ingest.reading.load import loads

AS_OF = ReportOptions(as_of=dt.date(2025, 1, 1))


def reg(text: str) -> Register:
    return loads(textwrap.dedent(text))


#: A county partnership whose agreement leads three priorities; a domestic abuse
#: board leads one of them in the same county; a violence group only contributes.
UMBRELLA = """\
register: {top: [county-csp]}
documents: [{id: tor, name: Terms of reference}]
areas:
  - {id: county, name: County, kind: county}
themes:
  - {id: da, name: Domestic abuse, kind: priority}
  - {id: violence, name: Violence, kind: priority}
  - {id: asb, name: ASB, kind: priority}
bodies:
  - {id: county-csp, name: County CSP, kind: board, top_level: true, areas: county, sources: [{doc: tor}]}
  - {id: da-board, name: DA Board, kind: board, areas: county, themes: [{theme: da, role: lead}], sources: [{doc: tor}]}
  - {id: violence-group, name: Violence Group, kind: group, areas: county, themes: [violence], sources: [{doc: tor}]}
strategies:
  - id: agreement
    name: Community Safety Agreement
    kind: agreement
    owner: county-csp
    sources: [{doc: tor}]
    themes:
      - {theme: da, role: lead}
      - {theme: violence, role: lead}
      - {theme: asb, role: lead}
"""


def test_a_strategys_themes_count_for_its_owner_in_the_delivery_matrix():
    m = delivery_matrix(reg(UMBRELLA))
    assert m.umbrellas == ("county-csp",)
    row = m.row("da")
    assert [(d.id, d.role.value, d.via) for d in row.deliverers] == [
        ("county-csp", "lead", "agreement"),
        ("da-board", "lead", None),
    ]
    assert row.deliverers[0].areas == ("county",)
    assert row.umbrellas == ("county-csp",)
    assert m.holders == [
        ("county-csp", "County CSP"),
        ("da-board", "DA Board"),
        ("violence-group", "Violence Group"),
    ]


def test_an_umbrella_and_a_board_leading_one_of_its_priorities_in_the_same_area_is_one_finding():
    fs = [f for f in delivery_findings(reg(UMBRELLA)) if f.kind is Kind.UMBRELLA_DELIVERY]
    [f] = fs
    assert f.severity is Severity.MEDIUM
    assert (
        f.title
        == "County CSP leads 'Domestic abuse' through Community Safety Agreement; DA Board also leads it in the same area."
    )
    assert [s.id for s in f.subjects] == ["county-csp", "da-board", "da"]
    body = f.evidence["delivery_body"]
    # the board's one theme lies wholly inside the umbrella's three: containment 1, symmetric 1/sqrt(3)
    assert (body["containment"], body["symmetric"]) == (1.0, 0.5774)
    assert f.suggestion == (
        "Record which body delivers it: add delivered_by: [da-board] to the lead of agreement on da, "
        "or record DA Board as a sub-group of (or reporting to) County CSP."
    )
    # the same pair is not also "more than one lead"
    assert [g for g in gaps(reg(UMBRELLA)) if g.kind is Kind.MULTIPLE_LEADS] == []


@pytest.mark.parametrize(
    "fix",
    [
        ("      - {theme: da, role: lead}\n", "      - {theme: da, role: lead, delivered_by: [da-board]}\n"),
        ("areas: county, themes: [{theme: da", "areas: county, reports_to: county-csp, themes: [{theme: da"),
    ],
    ids=["delivered_by", "reporting line"],
)
def test_recording_who_delivers_the_priority_resolves_the_umbrella_finding(fix):
    r = reg(UMBRELLA.replace(*fix))
    assert [f.kind for f in delivery_findings(r) if f.kind is Kind.UMBRELLA_DELIVERY] == []


def test_priorities_led_only_by_the_umbrella_are_one_finding_listing_each_priority():
    [f] = [f for f in delivery_findings(reg(UMBRELLA)) if f.kind is Kind.UMBRELLA_ONLY]
    assert f.severity is Severity.MEDIUM
    assert f.title == "County CSP leads 2 priorities with no delivery body recorded: 'Violence', 'ASB'."
    assert [s.id for s in f.subjects] == ["county-csp", "violence", "asb"]
    assert f.evidence["priorities"][0]["contributors"] == [{"id": "violence-group", "name": "Violence Group"}]
    # and "no lead" is not said of a priority the umbrella's agreement leads
    assert [g for g in gaps(reg(UMBRELLA)) if g.kind is Kind.NO_LEAD] == []


SPLIT = """\
areas:
  - {id: county, name: County, kind: county}
  - {id: north, name: North, kind: district, within: county}
  - {id: south, name: South, kind: district, within: county}
themes: [{id: asb, name: ASB, kind: priority}]
bodies:
  - {id: north-csp, name: North CSP, kind: csp, areas: north, themes: [{theme: asb, role: lead}]}
  - {id: south-csp, name: South CSP, kind: csp, areas: south, themes: [{theme: asb, role: lead}]}
"""


def test_the_same_priority_led_in_disjoint_areas_is_a_geographic_split_not_a_duplicate():
    r = reg(SPLIT)
    row = delivery_matrix(r).row("asb")
    assert row.split and row.note == "geographic split: each lead works in its own area"
    kinds = {f.kind for f in report(r, options=AS_OF).findings}
    assert not kinds & {Kind.MULTIPLE_LEADS, Kind.OVERLAP, Kind.UMBRELLA_DELIVERY}
    # a county-wide board leading it too overlaps both: no longer a split
    both = reg(
        SPLIT
        + "  - {id: c, name: County Board, kind: board, areas: county, themes: [{theme: asb, role: lead}]}\n"
    )
    assert not delivery_matrix(both).row("asb").split


SAFEGUARDING = """\
themes: [{id: vs, name: Vulnerability and safeguarding, kind: multi-agency-theme}]
bodies:
  - {id: csp, name: Children's Partnership, kind: partnership, statutory: true,
     legal_basis: Children Act 2004 s16E, themes: [{theme: vs, role: lead}]}
  - {id: sab, name: Adults Board, kind: board, statutory: true, legal_basis: Care Act 2014 s43,
     themes: [{theme: vs, role: lead}]}
  - {id: ctx, name: Contextual Board, kind: board, statutory: true, legal_basis: Care Act 2014 s43,
     themes: [{theme: vs, role: lead}]}
"""


def test_two_statutory_boards_are_aligned_never_an_overlap_or_a_group_to_consolidate():
    r = reg(SAFEGUARDING)
    assert overlaps(r) == []  # children's partners (Children Act) and adults' boards (Care Act): aligned
    assert communities(r, overlap_graph(one_job(Lookup(r), pair_scores(r)))) == []


def test_a_statutory_body_overlapping_another_body_is_never_proposed_for_merger():
    r = reg(
        SAFEGUARDING.replace(
            "kind: board, statutory: true, legal_basis: Care Act 2014 s43,\n     themes",
            "kind: board,\n     themes",
            1,
        )
    )
    f = next(f for f in overlaps(r) if {s.id for s in f.subjects} == {"csp", "sab"})
    assert f.evidence["legal_bases"] == {"csp": "Children Act 2004 s16E"}
    assert f.suggestion.startswith(
        "Children's Partnership is a statutory body (Children Act 2004 s16E) and cannot be merged away: agree "
        "which of them leads each shared theme and record how they divide the work (terms of reference), or "
        "record Adults Board as its sub-group."
    )


JOINT = """\
register: {top: [county-board, city-csp]}
documents: [{id: tor, name: Terms of reference}]
areas:
  - {id: force, name: Force Area, kind: police-force-area}
  - {id: county, name: County, kind: county, within: force}
  - {id: city, name: City, kind: unitary, within: force}
organisations:
  - {id: city-council, name: City Council, type: unitary-council, areas: city}
bodies:
  - {id: county-board, name: County Board, kind: board, areas: county, sources: [{doc: tor}]}
  - {id: city-csp, name: City CSP, kind: csp, areas: city, sources: [{doc: tor}]}
  - {id: joint-sab, name: Joint Adults Board, kind: board, areas: [county, city], sources: [{doc: tor}]}
  - {id: city-ysb, name: City Youth Board, kind: board, statutory: true, legal_basis: Crime and Disorder Act 1998 s39,
     areas: city, hosted_by: city-council, sources: [{doc: tor}]}
  - {id: lone, name: Lone Group, kind: group, areas: county, sources: [{doc: tor}]}
  - {id: force-board, name: Force Board, kind: board, areas: force, sources: [{doc: tor}]}
strategies:
  - {id: city-plan, name: City Plan, kind: plan, owner: city-csp, sources: [{doc: tor}]}
"""


def test_a_joint_body_serving_partnerships_of_two_separate_areas_and_reporting_to_neither_is_its_own_finding():
    found = {f.subjects[0].id: f for f in orphans(reg(JOINT))}
    f = found["joint-sab"]
    assert (f.kind, f.severity) == (Kind.JOINT_UNACCOUNTABLE, Severity.MEDIUM)
    assert (
        f.title
        == "Joint Adults Board works across the areas of City CSP and County Board and reports to neither."
    )
    assert (found["lone"].kind, found["lone"].severity) == (Kind.ORPHAN, Severity.MEDIUM)
    assert found["lone"].title == "Lone Group has no reporting line recorded."
    # a body of one wide area (the force area) is a body of that area, not a joint body of those inside it
    assert (found["force-board"].kind, found["force-board"].title) == (
        Kind.ORPHAN,
        "Force Board has no reporting line recorded.",
    )


def test_a_statutory_body_answers_to_its_act_and_partners_so_no_reporting_line_is_no_finding():
    hosted = reg(
        JOINT.replace(
            "areas: [county, city], sources",
            "areas: [county, city], statutory: true, legal_basis: Care Act 2014 s43, hosted_by: city-council, sources",
        )
    )
    found = {f.subjects[0].id for f in orphans(hosted)}
    assert "joint-sab" not in found and "city-ysb" not in found and "city-csp" not in found


def test_a_csp_with_no_plan_recorded_is_a_low_data_gap_not_a_breach():
    # an evidence product owned by the CSP is not its plan
    r = reg(
        JOINT.replace(
            "{id: city-plan, name: City Plan, kind: plan,", "{id: city-plan, name: City JSNA, kind: jsna,"
        )
    )
    [f] = [f for f in gaps(r) if f.kind is Kind.CSP_NO_STRATEGY]
    assert f.severity is Severity.LOW
    assert f.title == (
        "No plan of City CSP is recorded; the partnership must have one (Crime and Disorder Act 1998 s6)."
    )
    assert [f for f in gaps(reg(JOINT)) if f.kind is Kind.CSP_NO_STRATEGY] == []


def test_a_two_subject_theme_with_one_half_addressed_is_partly_addressed():
    r = reg("""\
        themes:
          - {id: hc, name: Hate crime and cohesion, kind: priority}
          - {id: hate, name: Hate crime, kind: priority, broader: hc}
          - {id: cohesion, name: Cohesion, kind: priority, broader: hc}
        bodies:
          - {id: g, name: Hate Crime Group, kind: group, themes: [{theme: hc, role: lead}, {theme: hate, role: lead}]}
        """)
    [f] = [f for f in gaps(r) if f.kind is Kind.PARTLY_ADDRESSED]
    assert (
        f.title
        == "'Hate crime and cohesion' is addressed only in part: Hate crime is addressed, 'Cohesion' is not."
    )
    assert [s.id for s in f.subjects] == ["cohesion", "hc"]


def test_aggregated_findings_list_every_subject_in_json():
    orgs = "\n".join(f"  - {{id: o{i}, name: Org {i}, type: other}}" for i in range(7))
    r = loads(f"organisations:\n{orgs}\n")
    data = json.loads(report(r, options=AS_OF).to_json())
    [f] = [f for f in data["findings"] if f["kind"] == "unconfirmed-facts"]
    assert f["title"] == "7 organisations have unconfirmed facts (7 facts in all)."
    assert [s["id"] for s in f["subjects"]] == [f"o{i}" for i in range(7)]
    assert [[s["id"] for s in item["subjects"]] for item in f["evidence"]["items"]] == [
        [f"o{i}"] for i in range(7)
    ]
    each = report(r, options=ReportOptions(as_of=dt.date(2025, 1, 1), aggregate=False))
    assert len(each.findings) == 7


def test_every_kind_has_a_label_and_every_group_a_title():
    assert set(KIND_LABELS) == set(Kind)
    assert set(GROUP_TITLES) == set(GROUPS)
    assert {k for kinds in GROUPS.values() for k in kinds} == set(Kind)


def test_delivered_by_must_name_another_body_with_its_position():
    text = textwrap.dedent("""\
        themes: [{id: p, name: P, kind: priority}]
        bodies:
          - {id: u, name: U, kind: board, themes: [{theme: p, role: lead, delivered_by: [y, p, u]}]}
        """)
    with pytest.raises(RegisterInvalid) as err:
        loads(text, "boards.yaml")
    assert [p.format() for p in err.value.errors] == [
        "boards.yaml:3:82: error: body 'u': delivered_by 'y' is not defined (add a body with id 'y')",
        "boards.yaml:3:85: error: body 'u': delivered_by 'p' is a theme; delivered_by must name the other "
        "bodies that deliver the theme",
        "boards.yaml:3:88: error: body 'u': delivered_by 'u' is the record itself; delivered_by must name "
        "the other bodies that deliver the theme",
    ]
    assert [p.field for p in err.value.errors] == [f"themes.0.delivered_by.{i}" for i in range(3)]


def test_delivered_by_is_kept_in_the_rows_written_to_neo4j():
    r = reg(
        UMBRELLA.replace(
            "      - {theme: da, role: lead}\n", "      - {theme: da, role: lead, delivered_by: [da-board]}\n"
        )
    )
    [row] = [e for e in edge_rows(r) if e["key"] == "agreement/themes/0"]
    assert json.loads(row["props"]["data"]) == {"role": "lead", "delivered_by": ["da-board"]}


def test_govmap_show_theme_says_who_delivers_it(tmp_path):
    path = tmp_path / "boards.yaml"
    path.write_text("govmap: 1\n" + UMBRELLA, encoding="utf-8")
    result = CliRunner().invoke(cli, ["show", "da", "--register", str(path)])
    assert result.exit_code == ExitStatus.SUCCESS, result.output
    assert result.output.endswith(
        "\n  who delivers it:\n"
        "    - County CSP [county-csp]: lead through Community Safety Agreement in county\n"
        "    - DA Board [da-board]: lead in county\n"
    )


def test_the_delivery_page_shows_issues_by_bodies_and_is_linked_from_every_page(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from websupport import make_app

    path = tmp_path / "boards.yaml"
    path.write_text(
        "govmap: 1\n" + UMBRELLA.replace("name: DA Board", "name: '<b>DA</b> Board'"), encoding="utf-8"
    )
    client = make_app(path).test_client()
    page = client.get("/delivery").get_data(as_text=True)
    assert '<table class="delivery" id="delivery-grid">' in page
    assert '<a href="/entity/da-board">&lt;b&gt;DA&lt;/b&gt; Board</a>' in page
    assert '<tr id="row-da"><th scope="row"><a href="/entity/da">Domestic abuse</a>' in page
    assert 'title="County CSP: leads through a plan"><em>L</em></td>' in page
    assert '<a href="/delivery">Who delivers what</a>' in client.get("/report").get_data(as_text=True)


@pytest.mark.neo4j
def test_delivered_by_round_trips_through_neo4j(neo4j_driver):
    from govmap.graph.neo4j import read_register, sync

    r = reg(
        UMBRELLA.replace(
            "      - {theme: da, role: lead}\n", "      - {theme: da, role: lead, delivered_by: [da-board]}\n"
        )
    )
    sync(r, neo4j_driver)
    back = read_register(neo4j_driver)
    assert back.model_dump() == r.model_dump()
    assert back.get("agreement").themes[0].delivered_by == ("da-board",)
