"""Who covers each place: the coverage matrix and its findings, on registers of every shape.

The four registers in tests/registers/coverage_*.yaml each say in their header what the matrix
must be; the matrices below are written from that, by construction, not from a run.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from govmap.graph.analysis.coverage import State, coverage_matrix
from govmap.graph.analysis.coverage_file import coverage_rules_path, load_coverage
from govmap.graph.analysis.coverage_findings import coverage_findings
from govmap.graph.analysis.findings import Kind
from govmap.graph.analysis.rules_file import RulesInvalid
from govmap.graph.report import ReportOptions, report
from govmap.graph.report.coverage_table import coverage_html
from govmap.ingest import loads
from govmap.ingest.reading.load import load_register
from tests.clisupport import run_in

ROOT = Path(__file__).resolve().parent.parent
REGISTERS = ROOT / "tests" / "registers"
LANDSCAPES = ROOT / "tests" / "landscapes"

CSP, CSG, HWB, SCP, SAB, YOT, DA, SV, PCP, ICP = (
    "community-safety-partnership",
    "county-strategy-group",
    "health-and-wellbeing-board",
    "safeguarding-children-partnership",
    "safeguarding-adults-board",
    "youth-offending-team",
    "domestic-abuse-local-partnership-board",
    "serious-violence-arrangements",
    "police-and-crime-panel",
    "integrated-care-partnership",
)
COVERAGE_KINDS = {
    Kind.REQUIRED_NOT_RECORDED,
    Kind.REQUIRED_TWICE,
    Kind.AREA_NOT_IN_REGISTER,
    Kind.ABOLISHED_STILL_COVERS,
}


def run(args: list[str]):
    result = run_in(ROOT, *args)
    assert result.exit_code == 0, result.output
    return result


def matrix_of(name: str) -> dict[str, dict[str, str]]:
    m = coverage_matrix(load_register(REGISTERS / name))
    return {r.area: {rid: c.text(m.names) for rid, c in r.cells.items()} for r in m.rows}


def findings_of(path: Path) -> list[tuple[str, str, tuple[str, ...], str]]:
    found = coverage_findings(load_register(path))
    return sorted((f.kind.value, f.severity.value, tuple(s.id for s in f.subjects), f.title) for f in found)


# -- the matrices, by construction -------------------------------------------------------


def test_two_tier_a_merged_csp_covers_both_districts_and_a_district_without_one_is_not_recorded():
    assert matrix_of("coverage_two_tier.yaml") == {
        "north-pfa": {
            SV: "Northshire Serious Violence Partnership",
            PCP: "Northshire Police and Crime Panel",
        },
        "northshire": {
            CSG: "Safer Northshire",
            HWB: "Northshire Health and Wellbeing Board",
            SCP: "Northshire Safeguarding Children Partnership",
            SAB: "Northshire Safeguarding Adults Board",
            YOT: "Northshire and Portsea Youth Offending Team (with Portsea)",
            DA: "Northshire Domestic Abuse Local Partnership Board",
        },
        "ashby": {CSP: "Ashby and Brook Community Safety Partnership (with Brook)"},
        "brook": {CSP: "Ashby and Brook Community Safety Partnership (with Ashby)"},
        "cray": {CSP: "Safer Cray"},
        "dale": {CSP: "not recorded"},
        "portsea": {
            CSP: "Safer Portsea",
            HWB: "Portsea Health and Wellbeing Board",
            SCP: "Portsea Safeguarding Partnership",
            SAB: "Portsea Safeguarding Partnership",
            YOT: "Northshire and Portsea Youth Offending Team (with Northshire)",
            DA: "not recorded",
        },
    }


def test_unitary_two_csps_are_two_bodies_and_a_board_abolished_without_successor_still_shows():
    assert matrix_of("coverage_unitary.yaml") == {
        "bays-pfa": {SV: "not recorded", PCP: "not recorded"},
        "westbay": {
            CSP: "Westbay Community Safety Partnership",
            HWB: "Westbay Health and Wellbeing Board",
            SCP: "Westbay Safeguarding Children Partnership",
            SAB: "Westbay Safeguarding Adults Board",
            YOT: "Bays Youth Justice Service (with Eastbay)",
            DA: "not recorded",
        },
        "eastbay": {
            CSP: "two bodies: Eastbay Community Safety Partnership; Safer Eastbay",
            HWB: "Eastbay Health and Wellbeing Board",
            SCP: "Eastbay Safeguarding Children Partnership",
            SAB: "only Eastbay Safeguarding Adults Board (dissolved 2020-03-31), no successor",
            YOT: "Bays Youth Justice Service (with Westbay)",
            DA: "not recorded",
        },
    }


def test_london_borough_has_borough_functions_and_a_neighbour_without_its_council_is_context_only():
    m = coverage_matrix(load_register(REGISTERS / "coverage_london.yaml"))
    assert matrix_of("coverage_london.yaml") == {
        "mpd": {
            SV: "London Violence Reduction Unit (inferred from its name)",
            PCP: "London Assembly Police and Crime Committee",
        },
        "riverside": {
            CSP: "Safer Riverside Partnership",
            HWB: "Riverside Health and Wellbeing Board",
            SCP: "Riverside Safeguarding Children Partnership",
            SAB: "Riverside Safeguarding Adults Board",
            YOT: "Riverside Youth Offending Service",
            DA: "not recorded",
        },
    }
    assert m.outside == (("hillside", "Hillside"),)
    assert m.cell("mpd", SV) is not None and m.cell("mpd", SV).inferred  # type: ignore[union-attr]


def test_mayoral_a_complete_list_makes_a_gap_missing_and_an_unplaced_body_is_said_so():
    assert matrix_of("coverage_mayoral.yaml") == {
        "northmoor": {SV: "Northmoor Violence Reduction Unit", PCP: "Northmoor Police, Fire and Crime Panel"},
        "eastby": {
            CSP: "Safer Eastby Partnership",
            HWB: "Eastby Health and Wellbeing Board",
            SCP: "Eastby Safeguarding Children Partnership",
            SAB: "Eastby Safeguarding Adults Board",
            YOT: "Eastby and Westby Youth Justice Service (with Westby)",
            DA: "Eastby Domestic Abuse Partnership Board",
        },
        "westby": {
            CSP: "Safer Westby",
            HWB: "missing",
            SCP: "Westby Safeguarding Children Partnership",
            SAB: "Westby Safeguarding Adults Board",
            YOT: "Eastby and Westby Youth Justice Service (with Eastby)",
            DA: "area not recorded: Westby Domestic Abuse Partnership Board",
        },
        "northmoor-icb-area": {ICP: "Northmoor Integrated Care Partnership"},
    }


def test_rows_come_in_tree_order_each_place_after_the_place_it_lies_within():
    m = coverage_matrix(load_register(REGISTERS / "coverage_two_tier.yaml"))
    assert [(r.area, r.depth) for r in m.rows] == [
        ("north-pfa", 0),
        ("northshire", 1),
        ("ashby", 2),
        ("brook", 2),
        ("cray", 2),
        ("dale", 2),
        ("portsea", 1),
    ]


# -- the findings, by construction --------------------------------------------------------


def test_two_tier_findings_are_the_district_without_a_csp_and_the_unitary_without_a_da_board():
    assert findings_of(REGISTERS / "coverage_two_tier.yaml") == [
        (
            "required-body-not-recorded",
            "low",
            ("portsea",),
            "Portsea has no domestic abuse local partnership board recorded.",
        ),
        (
            "required-body-not-recorded",
            "medium",
            ("dale",),
            "Dale has no community safety partnership recorded.",
        ),
    ]


def test_unitary_findings_are_two_csps_an_abolished_board_and_functions_recorded_nowhere():
    assert findings_of(REGISTERS / "coverage_unitary.yaml") == [
        (
            "abolished-body-still-covers",
            "medium",
            ("eastbay", "eastbay-sab"),
            "The only safeguarding adults board recorded for Eastbay is Eastbay Safeguarding Adults Board "
            "(dissolved 2020-03-31), abolished with no active successor recorded.",
        ),
        (
            "required-body-not-recorded",
            "low",
            ("bays-police", "westbay-council", "eastbay-council"),
            "The register records no domestic abuse local partnership board, Serious Violence Duty arrangements "
            "or police and crime panel at all: The Bays police force area, Westbay and Eastbay need them.",
        ),
        (
            "required-body-twice",
            "medium",
            ("eastbay", "eastbay-csp", "safer-eastbay"),
            "Two bodies are recorded as Eastbay's community safety partnership: Eastbay Community Safety "
            "Partnership and Safer Eastbay.",
        ),
    ]


def test_a_lscb_succeeded_by_a_partnership_is_history_not_abolished_or_twice():
    found = coverage_findings(load_register(REGISTERS / "coverage_unitary.yaml"))
    assert not [f for f in found if "westbay-lscb" in {s.id for s in f.subjects}]


def test_london_finding_is_only_the_boroughs_da_board_and_never_the_context_neighbour():
    assert findings_of(REGISTERS / "coverage_london.yaml") == [
        (
            "required-body-not-recorded",
            "low",
            ("riverside-council",),
            "The register records no domestic abuse local partnership board at all: Riverside needs one.",
        )
    ]


def test_mayoral_findings_are_a_missing_hwb_at_high_and_a_body_with_no_area():
    found = {f.kind: f for f in coverage_findings(load_register(REGISTERS / "coverage_mayoral.yaml"))}
    assert set(found) == {Kind.REQUIRED_NOT_RECORDED, Kind.AREA_NOT_IN_REGISTER}
    missing = found[Kind.REQUIRED_NOT_RECORDED]
    assert (missing.severity.value, missing.title) == (
        "high",
        "Westby has no health and wellbeing board, although its list of bodies is marked complete: the law "
        "requires it.",
    )
    assert missing.evidence["law"][0]["legal_basis"].startswith("Health and Social Care Act 2012, s194")
    unplaced = found[Kind.AREA_NOT_IN_REGISTER]
    assert [s.id for s in unplaced.subjects] == ["westby-da"]
    assert unplaced.evidence["places_waiting"] == ["Westby"]


def test_every_coverage_finding_cites_its_law():
    for name in ("coverage_two_tier.yaml", "coverage_unitary.yaml", "coverage_mayoral.yaml"):
        for f in coverage_findings(load_register(REGISTERS / name)):
            if f.kind is not Kind.AREA_NOT_IN_REGISTER:
                assert f.evidence["law"] and all(x["legal_basis"] and x["url"] for x in f.evidence["law"])


def test_every_coverage_rule_cites_its_law_with_a_section_and_a_legislation_address():
    for rule in load_coverage().rules:
        assert rule.legal_basis and rule.url and rule.url.startswith("https://www.legislation.gov.uk/")
        assert any(ch.isdigit() for ch in rule.legal_basis)  # a section, regulation or part


# -- wording: "not recorded" unless the list is complete ------------------------------------

AREA_TEXT = """
documents: [{id: list, name: List}]
areas:
  - {id: shire, name: Shire, kind: county, sources: [{doc: list}]}
  - {id: north, name: North, kind: district, within: shire, %s}
organisations:
  - {id: cc, name: Shire County Council, type: county-council, areas: shire}
  - {id: nc, name: North Council, type: district-council, areas: north}
"""


NEIGHBOUR = """
  - {id: south, name: South, kind: district, within: shire, sources: [{doc: list}]}
  - {id: sc, name: South Council, type: district-council, areas: south}
bodies:
  - {id: south-csp, name: South CSP, kind: csp, areas: south, sources: [{doc: list}]}
"""


def with_neighbour(north: str) -> str:
    """The area text with a neighbouring district that has its CSP (so North's gap is North's alone)."""
    area, org, bodies = NEIGHBOUR.strip("\n").split("\n", 2)
    text = AREA_TEXT % north
    text = text.replace("organisations:", area + "\norganisations:")
    return text + org + "\n" + bodies


def test_a_gap_is_not_recorded_never_missing_while_the_list_is_not_marked_complete():
    f = next(
        f for f in coverage_findings(loads(with_neighbour("sources: [{doc: list}]"))) if "North" in f.title
    )
    assert (f.severity.value, f.title) == ("medium", "North has no community safety partnership recorded.")
    assert "missing" not in f.title and "lacks" not in f.title


def test_a_list_marked_complete_without_a_source_is_not_judged_complete():
    reg = loads(with_neighbour("bodies_complete: true"))
    f = next(f for f in coverage_findings(reg) if f.title.startswith("North"))
    assert f.severity.value == "low"  # the area itself is unconfirmed: at most low, and said
    assert (
        f.title
        == "North has no community safety partnership recorded (the area itself is recorded as unconfirmed)."
    )


def test_an_area_whose_council_is_not_recorded_is_context_and_gets_no_finding():
    reg = loads(
        AREA_TEXT.replace("  - {id: nc, name: North Council, type: district-council, areas: north}\n", "")
        % ""
    )
    assert coverage_matrix(reg).outside == (("north", "North"),)
    assert not [f for f in coverage_findings(reg) if "North" in f.title]


def test_a_body_named_like_a_csp_in_part_of_a_district_does_not_cover_it_or_make_two():
    reg = loads(
        AREA_TEXT.replace(
            "organisations:",
            "  - {id: village, name: Village, kind: neighbourhood, within: north}\norganisations:",
        )
        % "sources: [{doc: list}]"
        + """
bodies:
  - {id: north-csp, name: North CSP, kind: csp, areas: north, sources: [{doc: list}]}
  - {id: pilot, name: Village Community Safety Partnership, kind: group, areas: village, sources: [{doc: list}]}
"""
    )
    cell = coverage_matrix(reg).cell("north", CSP)
    assert (
        cell is not None and cell.state is State.COVERED and [p.id for p in cell.providers] == ["north-csp"]
    )


def test_a_csp_and_its_own_sub_group_are_one_arrangement_not_two_bodies():
    reg = loads(
        AREA_TEXT % "sources: [{doc: list}]"
        + """
bodies:
  - {id: north-csp, name: North CSP, kind: csp, areas: north}
  - {id: north-exec, name: North CSP Executive, kind: csp, areas: north, sub_group_of: north-csp}
"""
    )
    assert coverage_matrix(reg).cell("north", CSP).state is State.COVERED  # type: ignore[union-attr]


def test_a_county_wide_record_of_the_district_csps_covers_each_district():
    reg = loads(
        AREA_TEXT % "sources: [{doc: list}]"
        + """
bodies:
  - {id: district-csps, name: Shire district CSPs, kind: csp, areas: shire, sources: [{doc: list}]}
"""
    )
    m = coverage_matrix(reg)
    assert m.cell("north", CSP).text(m.names) == "Shire district CSPs (for Shire)"  # type: ignore[union-attr]


def test_one_body_holding_two_statutory_functions_is_never_two_bodies():
    found = coverage_findings(load_register(REGISTERS / "coverage_two_tier.yaml"))
    assert not [f for f in found if f.kind is Kind.REQUIRED_TWICE]


# -- a register's own rules -------------------------------------------------------------------


def test_a_register_can_switch_a_rule_off_with_its_reason(tmp_path: Path):
    own = tmp_path / "boards.coverage.yaml"
    own.write_text(
        "govmap_coverage: 1\nswitch_off:\n  - {rule: domestic-abuse-local-partnership-board, reason: held by the county}\n",
        encoding="utf-8",
    )
    rules = load_coverage(own)
    assert DA not in {r.id for r in rules.rules}
    reg = load_register(REGISTERS / "coverage_two_tier.yaml")
    assert not [f for f in coverage_findings(reg, rules) if "domestic abuse" in f.title]
    m = coverage_matrix(reg, rules)
    assert "domestic-abuse-local-partnership-board (held by the county)" in str(coverage_html(m))


def test_a_register_can_add_a_rule_of_its_own(tmp_path: Path):
    own = tmp_path / "boards.coverage.yaml"
    own.write_text(
        """\
govmap_coverage: 1
rules:
  - id: prevent-panel
    title: Channel panel
    short: Channel
    legal_basis: Counter-Terrorism and Security Act 2015, s41 (a panel for each local authority area)
    url: https://www.legislation.gov.uk/ukpga/2015/6/section/41
    where: {area_kinds: [county, unitary]}
    authority: [county-council, unitary-council]
    recognise: {names: ['\\bchannel panel\\b']}
""",
        encoding="utf-8",
    )
    reg = load_register(REGISTERS / "coverage_two_tier.yaml")
    m = coverage_matrix(reg, load_coverage(own))
    assert m.cell("northshire", "prevent-panel").state is State.NOT_RECORDED  # type: ignore[union-attr]
    titles = [f.title for f in coverage_findings(reg, load_coverage(own))]
    assert "The register records no channel panel at all: Northshire and Portsea need one." in titles


def test_switching_off_a_rule_that_does_not_exist_is_refused_with_the_shipped_ids(tmp_path: Path):
    own = tmp_path / "boards.coverage.yaml"
    own.write_text("govmap_coverage: 1\nswitch_off: [{rule: csps, reason: x}]\n", encoding="utf-8")
    with pytest.raises(RulesInvalid) as err:
        load_coverage(own)
    assert err.value.message == f"{own}: switch_off: no shipped coverage rule 'csps'"
    assert "community-safety-partnership" in (err.value.hint or "")


def test_a_bad_coverage_rules_file_is_refused_at_its_line_and_column(tmp_path: Path):
    own = tmp_path / "boards.coverage.yaml"
    own.write_text(
        "govmap_coverage: 1\nrules:\n  - id: x\n    title: X\n    short: X\n    legal_basis: L\n"
        "    where: {area_kinds: [shire]}\n    recognise: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesInvalid) as err:
        load_coverage(own)
    assert err.value.message.startswith(f"{own}:7:")
    assert "rules.0.where.area_kinds.0: Input should be" in err.value.message


def test_the_register_s_own_rules_file_sits_beside_it():
    assert coverage_rules_path("data/boards.yaml") == Path("data/boards.coverage.yaml")


def test_the_report_command_reads_the_register_s_own_rules_beside_it(tmp_path: Path):
    reg = tmp_path / "boards.yaml"
    reg.write_text((REGISTERS / "coverage_two_tier.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    before = run(["report", str(reg), "--format", "json", "--kind", "coverage"])
    assert "Dale has no community safety partnership recorded." in before.output
    coverage_rules_path(reg).write_text(
        "govmap_coverage: 1\nswitch_off: [{rule: community-safety-partnership, reason: not in this review}]\n",
        encoding="utf-8",
    )
    after = run(["report", str(reg), "--format", "json", "--kind", "coverage"])
    data = json.loads(after.output)
    assert "Dale has no community safety partnership recorded." not in after.output
    assert data["coverage"]["switched_off"] == [
        {"rule": "community-safety-partnership", "reason": "not in this review"}
    ]
    assert data["parameters"]["coverage_path"] == "boards.coverage.yaml"


# -- every rendering --------------------------------------------------------------------------


def two_tier_report():
    return report(load_register(REGISTERS / "coverage_two_tier.yaml"), options=ReportOptions(as_of=None))


def test_the_matrix_is_in_the_json_markdown_and_html_report():
    rep = two_tier_report()
    data = json.loads(rep.to_json())
    rows = {r["area"]["id"]: r for r in data["coverage"]["rows"]}
    assert rows["dale"]["cells"][CSP]["state"] == "not recorded"
    assert rows["ashby"]["cells"][CSP]["providers"][0]["via"] == "shared"
    md = rep.to_markdown()
    assert "## Who covers each place" in md
    assert "| – – Dale | not recorded | — | — | — | — | — | — | — | — |" in md
    html = rep.to_html()
    assert '<section id="coverage">' in html and 'id="cov-dale"' in html
    assert html.index('id="coverage"') > html.index('id="delivery"') if 'id="delivery"' in html else True


def test_the_matrix_as_csv_has_a_row_a_place_and_a_column_a_function():
    m = coverage_matrix(load_register(REGISTERS / "coverage_two_tier.yaml"))
    rows = list(csv.reader(io.StringIO(m.to_csv())))
    assert rows[0][:5] == ["area_id", "area", "kind", "CSP", "County strategy group"]
    dale = next(r for r in rows if r[0] == "dale")
    assert dale[3] == "not recorded" and dale[4] == "not required"


def test_the_coverage_command_prints_the_matrix_in_each_format():
    path = str(REGISTERS / "coverage_two_tier.yaml")
    assert "| – – Dale | not recorded |" in run(["coverage", path]).output
    assert run(["coverage", path, "--format", "csv"]).output.startswith("area_id,area,kind,CSP,")
    assert (
        json.loads(run(["coverage", path, "--format", "json"]).output)["rows"][0]["area"]["id"] == "north-pfa"
    )


def test_register_text_in_the_matrix_is_escaped_everywhere():
    reg = loads(
        """
areas:
  - {id: evil, name: "<script>alert(1)</script>", kind: unitary}
organisations:
  - {id: c, name: Council, type: unitary-council, areas: evil}
bodies:
  - {id: b, name: "=HYPERLINK(\\"x\\") <b>CSP</b> [x](https://evil.example)", kind: csp, areas: evil}
"""
    )
    m = coverage_matrix(reg)
    html = str(coverage_html(m))
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html
    assert "\"'=HYPERLINK" in m.to_csv()
    from govmap.graph.report.text import coverage_markdown

    text = "\n".join(coverage_markdown(m))
    assert "\\<script\\>" in text and "`[x](https://evil.example)`" in text


# -- the corpus and the seed -----------------------------------------------------------------


def corpus() -> list[Path]:
    return sorted(p for p in LANDSCAPES.iterdir() if (p / "register.yaml").is_file())


@pytest.mark.parametrize("landscape", corpus(), ids=lambda p: p.name)
def test_the_corpus_coverage_findings_a_reviewer_expected_are_there_and_none_judged_false(landscape: Path):
    expected = yaml.safe_load((landscape / "expected.yaml").read_text(encoding="utf-8"))
    found = [
        (f.kind.value, {s.id for s in f.subjects})
        for f in coverage_findings(load_register(landscape / "register.yaml"))
    ]
    kinds = {k.value for k in COVERAGE_KINDS}
    for e in expected.get("expected", []):
        if e["kind"] in kinds:
            assert any(k == e["kind"] and set(e["about"]) <= s for k, s in found), e["id"]
    for n in expected.get("not_expected", []):
        if n["kind"] in kinds:
            assert not any(k == n["kind"] and set(n["about"]) <= s for k, s in found), n["id"]


def test_essex_braintree_is_not_recorded_at_medium_and_castle_point_and_rochford_share_one_csp():
    path = LANDSCAPES / "essex" / "register.yaml"
    m = coverage_matrix(load_register(path))
    shared = "Castle Point and Rochford Community Safety Partnership"
    assert m.cell("castle-point", CSP).providers[0].name == shared  # type: ignore[union-attr]
    assert m.cell("rochford", CSP).providers[0].name == shared  # type: ignore[union-attr]
    assert (
        "required-body-not-recorded",
        "medium",
        ("braintree",),
        "Braintree has no community safety partnership recorded.",
    ) in findings_of(path)


def test_darlington_one_partnership_serves_children_and_adults_under_both_acts():
    m = coverage_matrix(load_register(LANDSCAPES / "county-durham" / "register.yaml"))
    for rule in (SCP, SAB):
        cell = m.cell("darlington", rule)
        assert (
            cell is not None
            and cell.state is State.COVERED
            and [p.id for p in cell.providers] == ["darlington-sp"]
        )
    assert m.cell("county-durham", CSG) is None  # a unitary county holds no districts


def test_the_seed_gets_no_coverage_finding_for_a_place_where_it_records_the_body():
    reg = load_register(ROOT / "data" / "boards.yaml")
    found = coverage_findings(reg)
    not_recorded = [f for f in found if f.kind is Kind.REQUIRED_NOT_RECORDED]
    # the seed records no police and crime panel at all: that is the only function said to be not recorded
    assert [(f.title, f.severity.value) for f in not_recorded] == [
        ("The register records no police and crime panel at all: Pan-Lancashire needs one.", "low")
    ]
    assert {f.kind for f in found} == {Kind.REQUIRED_NOT_RECORDED, Kind.AREA_NOT_IN_REGISTER}
    m = coverage_matrix(reg)
    assert all(
        m.cell(d, CSP).text(m.names) == "Lancashire district Community Safety Partnerships (for Lancashire)"  # type: ignore[union-attr]
        for d in ("burnley", "preston", "wyre")
    )


# -- the web page and validation ----------------------------------------------------------------


def test_the_coverage_page_shows_the_matrix_with_links_and_downloads_as_csv(tmp_path: Path):
    from tests.websupport import copy_register, make_app

    client = make_app(copy_register(tmp_path, "coverage_two_tier.yaml")).test_client()
    page = client.get("/coverage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Who covers each place</h1>" in html
    assert 'id="cov-dale"' in html and ">not recorded</td>" in html
    assert (
        '<a href="/entity/ashby-brook-csp">Ashby and Brook Community Safety Partnership (with Brook)</a>'
        in html
    )
    assert 'href="/coverage.csv"' in html and "Who covers each place</a>" in html  # in the main menu
    download = client.get("/coverage.csv")
    assert download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == 'attachment; filename="coverage.csv"'
    assert download.get_data(as_text=True).splitlines()[0].startswith("area_id,area,kind,CSP,")


def test_bodies_complete_without_a_source_is_a_warning_at_its_key(write_register):
    from govmap.ingest.reading.load import check_register

    path = write_register(
        """\
        govmap: 1
        areas:
          - {id: north, name: North, kind: district, bodies_complete: true}
        """
    )
    warnings = [p.format() for p in check_register(path).problems if "bodies_complete" in p.message]
    assert warnings == [
        f"{path}:3:63: warning: area 'north' says bodies_complete: true but has no source; its list of "
        "bodies is not judged complete (add the source that lists every statutory body serving the area)"
    ]


@pytest.mark.neo4j
@pytest.mark.parametrize(
    "name",
    ["coverage_two_tier.yaml", "coverage_unitary.yaml", "coverage_london.yaml", "coverage_mayoral.yaml"],
)
def test_the_coverage_registers_round_trip_through_neo4j_with_their_new_words(neo4j_driver, name: str):
    from govmap.graph.neo4j import read_register, sync
    from govmap.ingest.store.dump import dump_register

    reg = load_register(REGISTERS / name)
    sync(reg, neo4j_driver)
    back = read_register(neo4j_driver)
    assert back.model_dump() == reg.model_dump()  # bodies_complete, london-borough, icb-area kept
    assert dump_register(back) == dump_register(reg)
    assert coverage_matrix(back).to_json() == coverage_matrix(reg).to_json()


def test_bodies_complete_and_the_new_area_kinds_survive_the_spreadsheet(tmp_path: Path):
    from govmap.ingest.tabular import import_register, write_xlsx

    reg = load_register(REGISTERS / "coverage_mayoral.yaml")
    (tmp_path / "r.xlsx").write_bytes(write_xlsx(reg))
    imported = import_register(tmp_path / "r.xlsx")
    assert imported.checked.errors == []
    assert imported.register.model_dump() == reg.model_dump()
    assert imported.register.get("westby").bodies_complete  # type: ignore[union-attr]


def test_the_area_form_offers_bodies_complete(tmp_path: Path):
    from tests.websupport import copy_register, login, make_app

    client = make_app(copy_register(tmp_path, "coverage_mayoral.yaml")).test_client()
    login(client, "alice")
    html = client.get("/edit/westby").get_data(as_text=True)
    assert 'name="bodies_complete"' in html and "statutory bodies serving it" in html


def test_a_youth_justice_service_recorded_as_part_of_its_council_serves_the_council_s_area():
    reg = loads(
        with_neighbour("sources: [{doc: list}]").replace(
            "organisations:",
            "organisations:\n  - {id: yjs, name: Shire Youth Justice Service, type: youth-justice, part_of: cc,"
            " sources: [{doc: list}]}",
        )
    )
    m = coverage_matrix(reg)
    assert m.cell("shire", YOT).text(m.names) == (  # type: ignore[union-attr]
        "Shire Youth Justice Service (place from the organisation it is part of)"
    )


def test_a_record_is_recognised_by_the_most_certain_way_and_a_name_only_when_no_excluded_name_matches():
    from govmap.graph.analysis.coverage_file import Recognisable, Recognise

    reg = loads(
        """
        organisations:
          - {id: yot, name: Youth Offending Team, type: youth-justice}
          - {id: yjs, name: Youth Justice Service, type: other, aliases: [YJS]}
          - {id: council, name: Council, type: county-council, roles: [youth-justice]}
        bodies:
          - {id: csp, name: Safer Town Board, kind: csp, legal_basis: Crime and Disorder Act 1998 s5}
          - {id: by-law, name: Safer Town, kind: board, legal_basis: Crime and Disorder Act 1998 s5}
          - {id: named, name: Town Community Safety Partnership, kind: group}
          - {id: forum, name: Community Safety Partnership Forum, kind: group}
          - {id: aliased, name: Town Group, kind: group, aliases: [Town Community Safety Partnership]}
          - {id: excluded, name: Town Group 2, kind: group, aliases: [Community Safety Partnership, Forum]}
        """
    )
    rules = {r.id: r.recognise for r in load_coverage().rules}
    csp, yot = rules["community-safety-partnership"], rules["youth-offending-team"]
    bodies, orgs = Recognisable(reg.bodies), Recognisable(reg.organisations)
    assert [(r.id, how) for r, how in csp.recognised(bodies)] == [
        ("csp", "kind"),
        ("by-law", "legal_basis"),
        ("named", "name"),
        ("aliased", "name"),
    ]
    assert [(r.id, how) for r, how in yot.recognised(orgs)] == [
        ("yot", "type"),
        ("yjs", "name"),
        ("council", "type"),
    ]
    assert [csp.how(b) for b in reg.bodies] == ["kind", "legal_basis", "name", None, "name", None]
    assert Recognise().how(reg.bodies[0]) is None
