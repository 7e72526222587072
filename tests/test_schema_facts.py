"""The register can say the facts real landscapes forced researchers to bend (issue 23, pattern 10):
draft and adopted strategies, a body that is an organisation's meeting, seats by sector, a seat as
listed on a date, one field's own status, dated renames, an independent chair, a post held to account
and delegation, sits within / convened by / supports / works with, and "no owner" apart from
"owner not stated" -- through the model, validation, the JSON Schema, YAML, spreadsheets, Neo4j,
the web forms and the graph."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from govmap.ingest.model import (
    OrganisationType,
    PartialDate,
    RelType,
    Status,
    StrategyStage,
    field_status_of,
)
from govmap.ingest.reading.load import check_text, load_register, loads
from govmap.ingest.reading.yamlsafe import parse
from govmap.ingest.schema import schema_json
from govmap.ingest.store.dump import dump_register

REGISTERS = Path(__file__).resolve().parent / "registers"
FACTS = REGISTERS / "pattern10.yaml"


@pytest.fixture(scope="module")
def reg():
    return load_register(FACTS)


def errors(text: str) -> list[str]:
    return [
        p.format() for p in check_text(textwrap.dedent(text), "t.yaml").problems if "error:" in p.format()
    ]


BASE = """\
documents: [{id: d, name: D}]
organisations: [{id: council, name: Council, type: metropolitan-borough-council}]
posts: [{id: mayor, name: Mayor, organisation: council}]
themes: [{id: t, name: T, kind: priority}]
bodies:
  - {id: a, name: A, kind: board, sources: [{doc: d}]}
  - {id: b, name: B, kind: board, sources: [{doc: d}]}
"""


def on_a(fields: str) -> str:
    return BASE.replace("{id: a, name: A, kind: board,", "{id: a, name: A, kind: board, " + fields + ",")


def strategy(fields: str) -> str:
    return BASE + "strategies:\n  - {id: s, name: S, kind: plan, " + fields + "}\n"


# -- each fact, read -----------------------------------------------------------------------


def test_a_strategy_says_whether_it_is_a_draft_or_adopted_and_when_and_by_whom(reg):
    plan, draft, unstated = (
        reg.get(i) for i in ("police-crime-plan-2025", "wellbeing-strategy-draft", "inclusive-economy")
    )
    assert (plan.stage, plan.adopted, [a.to for a in plan.adopted_by]) == (
        StrategyStage.ADOPTED,
        PartialDate(2025, 3),
        ["westmoor-safety-board"],
    )
    assert (draft.stage, draft.is_draft, plan.is_draft, unstated.is_draft) == (
        StrategyStage.CONSULTATION,
        True,
        False,
        False,
    )


def test_no_owner_is_a_fact_apart_from_an_owner_not_stated(reg):
    assert reg.get("asb-delivery-plan").owner_stated  # the sources say no one owns it
    assert not reg.get("inclusive-economy").owner_stated  # the sources do not say
    assert reg.get("police-crime-plan-2025").owner_stated


def test_a_body_can_be_the_meeting_of_an_organisation(reg):
    edges = {(r.type, r.source, r.target) for r in reg.relations()}
    assert (RelType.MEETING_OF, "fire-authority-meeting", "westmoor-fra") in edges


def test_seats_named_only_by_sector_are_kept_with_the_sources_words_and_count(reg):
    board = reg.get("westmoor-safety-board")
    assert [(s.sector, s.label, s.count, s.listed) for s in board.sector_members] == [
        (OrganisationType.VOLUNTARY_SECTOR, "Voluntary and Community Sector", None, PartialDate(2023)),
        (OrganisationType.NHS, "Health", 2, None),
    ]


def test_a_seat_listed_on_a_sources_date_has_no_start_or_end(reg):
    seat = reg.get("westmoor-safety-board").members[1]
    assert (seat.member, seat.listed, seat.start, seat.end) == (
        "northby-council",
        PartialDate(2023),
        None,
        None,
    )


def test_one_field_can_be_disputed_while_the_record_stays_confirmed(reg):
    from govmap.ingest.model import effective_status

    plan = reg.get("police-crime-plan-2025")
    assert effective_status(plan) is Status.CONFIRMED
    assert field_status_of(plan, "period.start") is Status.DISPUTED
    assert field_status_of(plan, "period.end") is None
    holding = reg.get("a-holder").holds[0]
    assert field_status_of(holding, "end", Status.CONFIRMED) is Status.UNCONFIRMED


def test_a_rename_is_dated_and_keeps_the_old_id(reg):
    council, panel = reg.get("northby-council"), reg.get("police-crime-panel")
    assert [(n.name, n.end, n.id) for n in council.former_names] == [
        ("Northby Borough Council", PartialDate(2022, 5), None)
    ]
    assert panel.former_ids == ("shadow-panel",)


def test_an_independent_chair_is_a_post_of_no_organisation(reg):
    chair = reg.get("independent-chair")
    assert (chair.organisation, chair.independent) == (None, True)
    assert not [r for r in reg.relations() if r.source == "independent-chair" and r.type is RelType.POST_IN]


def test_posts_hold_others_to_account_and_delegate_and_bodies_sit_within_are_convened_support_and_work_with(
    reg,
):
    edges = {(r.type, r.source, r.target) for r in reg.relations()}
    assert {
        (RelType.ACCOUNTABLE_TO, "chief-constable", "mayor"),
        (RelType.DELEGATES_TO, "mayor", "deputy-mayor-policing"),
        (RelType.SITS_WITHIN, "northby-sab", "northby-safeguarding"),
        (RelType.CONVENED_BY, "westmoor-safety-board", "mayor"),
        (RelType.SUPPORTS, "panel-support-group", "police-crime-panel"),
        (RelType.LINKS_WITH, "panel-support-group", "westmoor-police"),
        (RelType.LINKS_WITH, "panel-support-group", "deputy-mayor-policing"),
        (RelType.ADOPTS, "westmoor-safety-board", "police-crime-plan-2025"),
    } <= edges
    [delegation] = [r for r in reg.relations() if r.type is RelType.DELEGATES_TO]
    assert (delegation.note, delegation.start) == ("policing and crime functions", PartialDate(2023, 1))


def test_every_new_key_is_optional_so_every_older_register_in_the_repository_still_loads():
    for path in sorted(REGISTERS.glob("*.yaml")):
        assert check_text(path.read_text(encoding="utf-8"), path.name).errors == [], path.name


# -- what validation refuses ---------------------------------------------------------------


def test_a_post_needs_an_organisation_unless_it_is_independent_and_cannot_be_both():
    assert errors(BASE.replace("organisation: council}", "}")) == [
        "t.yaml:3:9: error: post 'mayor': missing required key 'organisation'"
    ]
    assert errors(BASE.replace("organisation: council}", "independent: true}")) == []
    assert errors(BASE.replace("organisation: council}", "organisation: council, independent: true}")) == [
        "t.yaml:3:70: error: post 'mayor': an independent post is in no organisation, but organisation is "
        "'council' (remove one; say who appoints or pays an independent post in its description)"
    ]


def test_a_draft_cannot_have_been_adopted():
    assert errors(strategy("stage: draft, adopted: 2024, adopted_by: a")) == [
        "t.yaml:9:57: error: strategy 's': adopted is given but stage is draft (set stage: adopted, or "
        "remove adopted)",
        "t.yaml:9:75: error: strategy 's': adopted_by is given but stage is draft (set stage: adopted, or "
        "remove adopted_by)",
    ]
    assert errors(strategy("adopted: 2024, adopted_by: council")) == []  # adopted, stage left out
    assert errors(strategy("stage: drft")) == [
        "t.yaml:9:41: error: strategy 's': stage: 'drft' is not one of draft, consultation, adopted "
        "(did you mean 'draft'?)"
    ]


def test_no_owner_and_an_owner_contradict_each_other():
    assert errors(strategy("owner: a, no_owner: true")) == [
        "t.yaml:9:54: error: strategy 's': no_owner: true but owner names 'a' (remove one: no_owner says "
        "the sources name no owner)"
    ]


def test_a_fields_own_status_must_name_a_field_the_record_gives_once():
    assert errors(
        strategy("period: {start: 2024}, field_status: [{field: perod.start, status: disputed}]")
    ) == [
        "t.yaml:9:80: error: strategy 's': field_status: 'perod.start' is not a field it can give a status "
        "to (did you mean 'period.start'?)"
    ]
    assert errors(
        strategy("period: {start: 2024}, field_status: [{field: period.end, status: disputed}]")
    ) == [
        "t.yaml:9:80: error: strategy 's': field_status: 'period.end' is not given, so it has no status of "
        "its own (give period.end, or remove this entry)"
    ]
    assert errors(
        strategy("period: {start: 2024}, field_status: [{field: period.start}, {field: period.start}]")
    ) == [
        "t.yaml:9:103: error: strategy 's': field_status: 'period.start' is given twice (keep one entry for "
        "each field, with all its sources)"
    ]
    assert errors(strategy("owner: a, field_status: [{field: owner, status: unconfirmed}]")) == [
        "t.yaml:9:67: error: strategy 's': field_status: 'owner' is not a field it can give a status to "
        "(each entry of owner has its own status and sources: write them in it, as {to: ..., status: "
        "unconfirmed})"
    ]
    assert errors(strategy("field_status: [{field: name, sources: [{doc: nope}]}]")) == [
        "t.yaml:9:79: error: strategy 's': source document 'nope' is not defined (add a document with id "
        "'nope' to documents)"
    ]


def test_a_fields_dispute_is_warned_about_at_the_field():
    text = strategy(
        "period: {start: 2024}, sources: [{doc: d}], "
        "field_status: [{field: period.start, sources: [{doc: d, value: '2024'}, {doc: d, value: '2025'}]}]"
    )
    warnings = [p.format() for p in check_text(text, "t.yaml").warnings if p.code == "disputed"]
    assert warnings == [
        "t.yaml:9:93: warning: strategy 's': period.start is disputed: its sources disagree (settle which "
        "source is right, then set its status: confirmed)"
    ]


def test_a_seat_listed_on_a_date_lies_within_its_start_and_end():
    assert errors(on_a("members: [{member: council, start: 2024, listed: 2023}]")) == [
        "t.yaml:6:84: error: body 'a': membership of 'council' is listed on 2023, before it starts (2024)"
    ]
    assert errors(on_a("members: [{member: council, end: 2022, listed: 2023}]")) == [
        "t.yaml:6:82: error: body 'a': membership of 'council' is listed on 2023, after it ends (2022)"
    ]
    assert errors(on_a("members: [{member: council, start: 2023-06, end: 2024, listed: 2023}]")) == []


def test_a_sector_seat_names_a_kind_of_organisation_and_its_dates_run_forwards():
    [bad_sector] = errors(on_a("sector_members: [{sector: helth}]"))
    assert bad_sector.startswith(
        "t.yaml:6:61: error: body 'a': sector_members #1 sector: 'helth' is not one of police-force, "
    )
    assert errors(on_a("sector_members: [{sector: nhs, start: 2024, end: 2023}]")) == [
        "t.yaml:6:84: error: body 'a': seat of sector 'nhs' ends (2023) before it starts (2024)"
    ]


def test_a_body_with_only_sector_seats_is_not_warned_as_having_no_members():
    checked = check_text(on_a("sector_members: [nhs]"), "t.yaml")
    assert [p.message for p in checked.warnings if p.code == "no-members"] == [
        "body 'b' has no members recorded"
    ]


def test_a_former_id_is_no_current_record_s_id_and_belongs_to_one_record():
    assert errors(on_a("former_names: [{name: Old A, id: b}]")) == [
        "t.yaml:6:68: error: body 'a': former id 'b' is the id of a body now (an id names one record: a "
        "former id cannot be another record's)"
    ]
    assert errors(on_a("former_names: [{name: Old A, id: a}]")) == [
        "t.yaml:6:68: error: body 'a': former id 'a' is its id now (give the id it had before the rename, "
        "or leave id out if it did not change)"
    ]
    both = on_a("former_names: [{name: Old, id: old}]").replace(
        "{id: b, name: B, kind: board,", "{id: b, name: B, kind: board, former_names: [{name: Old, id: old}],"
    )
    assert errors(both) == [
        "t.yaml:7:66: error: body 'b': former id 'old' is also a former id of body 'a' (a merger is "
        "succeeded_by, not a rename: keep the former id on one record)"
    ]
    assert errors(on_a("former_names: [{name: Old, start: 2020, end: 2019}]")) == [
        "t.yaml:6:80: error: body 'a': former name 'Old' ends (2019) before it starts (2020)"
    ]


def test_new_relations_name_records_of_the_right_kind_and_sitting_within_cannot_go_round():
    assert errors(on_a("meeting_of: mayor")) == [
        "t.yaml:6:47: error: body 'a': meeting_of 'mayor' is a post; meeting_of must name an organisation"
    ]
    assert errors(on_a("convened_by: t, supports: t, links_with: t")) == [
        "t.yaml:6:48: error: body 'a': convened_by 't' is a theme; convened_by must name a body, "
        "organisation or post",
        "t.yaml:6:61: error: body 'a': supports 't' is a theme; supports must name a body, organisation or post",
        "t.yaml:6:76: error: body 'a': links_with 't' is a theme; links_with must name a body, organisation "
        "or post",
    ]
    assert errors(
        BASE.replace("organisation: council}", "organisation: council, delegates_to: council}")
    ) == [
        "t.yaml:3:71: error: post 'mayor': delegates_to 'council' is an organisation; delegates_to must "
        "name a post"
    ]
    assert errors(strategy("adopted_by: t")) == [
        "t.yaml:9:46: error: strategy 's': adopted_by 't' is a theme; adopted_by must name a body, "
        "organisation or post"
    ]
    cycle = on_a("sits_within: b").replace(
        "{id: b, name: B, kind: board,", "{id: b, name: B, kind: board, sits_within: a,"
    )
    assert errors(cycle) == [
        "t.yaml:6:48: error: body 'a': sits_within makes a cycle: a -> b -> a (a body cannot sit, directly "
        "or not, within itself: remove one link)"
    ]


# -- JSON Schema, YAML, spreadsheets, Neo4j, forms, graph -------------------------------------


def test_the_json_schema_accepts_the_facts_and_refuses_an_unknown_stage():
    text = FACTS.read_text(encoding="utf-8")
    data = json.loads(json.dumps(parse(text, FACTS.name).data, default=str))
    validator = jsonschema.Draft202012Validator(json.loads(schema_json()))
    validator.validate(data)
    data["strategies"][1]["stage"] = "drafted"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(data)


def test_the_facts_round_trip_through_yaml_with_each_entry_written_key_first(reg):
    text = dump_register(reg)
    assert loads(text).model_dump() == reg.model_dump()
    assert "  field_status:\n  - field: period.start\n" in text
    assert "  - sector: voluntary-sector\n    label: Voluntary and Community Sector\n" in text


@pytest.mark.parametrize("form", ["xlsx", "csv"])
def test_the_facts_round_trip_through_a_spreadsheet_with_sheets_for_seats_by_sector_and_former_names(
    reg, tmp_path, form
):
    from govmap.ingest.tabular import load_tabular, write_csv_zip, write_xlsx

    path = tmp_path / f"register.{'xlsx' if form == 'xlsx' else 'zip'}"
    path.write_bytes(write_xlsx(reg) if form == "xlsx" else write_csv_zip(reg))
    assert load_tabular(path).model_dump() == reg.model_dump()
    if form == "csv":
        import io
        import zipfile

        names = zipfile.ZipFile(io.BytesIO(path.read_bytes())).namelist()
        assert {"seats_by_sector.csv", "former_names.csv", "delegations.csv", "sits_within.csv"} <= set(names)


def test_a_fields_status_is_one_spreadsheet_cell_in_flow_form(reg):
    from govmap.ingest.tabular import SHEETS, record_rows

    [sheet] = [s for s in SHEETS if s.section == "strategies"]
    names = [c.name for c in sheet.columns]
    row = next(record_rows(reg, sheet))
    assert names[-3:] == ["status", "sources", "field_status"]  # after the older columns
    assert row[-1] == (
        '[{field: "period.start", sources: [{doc: "plan-doc", value: "2025"}, {doc: "ca-site", value: "2024"}]}]'
    )


@pytest.mark.neo4j
def test_the_facts_round_trip_through_neo4j(reg, neo4j_driver):
    from govmap.graph.neo4j import read_register, sync

    sync(reg, neo4j_driver)
    back = read_register(neo4j_driver)
    assert back.model_dump() == reg.model_dump()
    assert dump_register(back) == dump_register(reg)
    with neo4j_driver.session() as session:
        types = {r["t"] for r in session.run("MATCH ()-[r]->() RETURN DISTINCT type(r) AS t")}
    assert {"SITS_WITHIN", "CONVENED_BY", "SUPPORTS", "MEETING_OF", "DELEGATES_TO", "ADOPTS"} <= types


def test_forms_edit_the_new_fields_and_read_them_back(reg):
    from govmap.webviz.form_fields import link_fields, record_fields
    from govmap.webviz.forms import initial, value_of

    specs = {s.name: s for s in record_fields("strategies")}
    assert (specs["stage"].widget, specs["adopted"].widget, specs["adopted_by"].widget) == (
        "select",
        "date",
        "ids",
    )
    assert specs["no_owner"].widget == "checkbox" and specs["field_status"].widget == "entries"
    text = initial([specs["field_status"]], reg.get("police-crime-plan-2025"))["field_status"]
    assert value_of(specs["field_status"], text) == [
        {
            "field": "period.start",
            "sources": [{"doc": "plan-doc", "value": "2025"}, {"doc": "ca-site", "value": "2024"}],
        }
    ]
    bodies = {s.name: s for s in record_fields("bodies")}
    assert {
        k: bodies[k].widget for k in ("sits_within", "convened_by", "supports", "meeting_of")
    } == dict.fromkeys(("sits_within", "convened_by", "supports", "meeting_of"), "ids")
    sectors = initial([bodies["sector_members"]], reg.get("westmoor-safety-board"))["sector_members"]
    assert sectors.splitlines()[1] == '{sector: "nhs", label: "Health", count: 2}'
    assert value_of(bodies["sector_members"], "education\n{sector: nhs, count: 2}") == [
        {"sector": "education"},
        {"sector": "nhs", "count": 2},
    ]
    posts = {s.name: s.widget for s in record_fields("posts")}
    assert (posts["organisation"], posts["independent"], posts["delegates_to"]) == ("ref", "checkbox", "ids")
    assert {s.name: s.widget for s in link_fields("members")}["listed"] == "date"


def test_a_form_line_that_is_not_a_mapping_is_refused_at_its_field():
    from govmap.ingest.errors import EditInvalid
    from govmap.webviz.forms import record_changes

    reg = load_register(FACTS)
    with pytest.raises(EditInvalid) as info:
        record_changes("bodies", reg.get("westmoor-safety-board"), {"sector_members": "{sector: nhs"})
    assert info.value.fields == {
        "sector_members": [
            "Seats by sector: line 1 is not a mapping like {sector: voluntary-sector, label: Voluntary and "
            "Community Sector, listed: 2023}"
        ]
    }


def test_the_web_app_edits_a_seat_by_sector_and_shows_the_new_links(tmp_path):
    from tests.websupport import copy_register, login, make_app

    path = copy_register(tmp_path, "pattern10.yaml")
    client = make_app(path).test_client()
    page = client.get("/entity/northby-sab").get_data(as_text=True)
    assert "sits within" in page and "Northby Safeguarding Partnership" in page
    login(client, "alice")
    form = client.get("/edit/westmoor-safety-board").get_data(as_text=True)
    version = form.split('name="version" value="')[1].split('"')[0]
    sent = {"version": version, "sector_members": "voluntary-sector\neducation"}
    assert client.post("/edit/westmoor-safety-board", data=sent).status_code == 302
    saved = load_register(path).get("westmoor-safety-board")
    assert [s.sector.value for s in saved.sector_members] == ["voluntary-sector", "education"]


def test_the_graph_has_an_edge_of_each_new_type():
    from govmap.graph.build import build_graph

    types = {t for _, _, t in build_graph(load_register(FACTS)).edges(data="type")}
    assert {"sits_within", "convened_by", "supports", "meeting_of", "delegates_to", "adopts"} <= types


def test_every_relationship_type_is_documented_in_the_neo4j_guide():
    guide = (Path(__file__).resolve().parent.parent / "docs" / "neo4j.md").read_text(encoding="utf-8")
    assert [t.name for t in RelType if f"| `{t.name}` |" not in guide] == []


# -- what the analyses make of the new facts (until the reading of issue 23 reads them all) ------


def test_a_disputed_field_is_reported_as_a_disputed_fact_of_its_record(reg):
    from govmap.graph.analysis.disputes import disputed_facts

    [f] = disputed_facts(reg)
    assert f.title == (
        "Sources disagree about the period start of Police and Crime Plan 2025-2029: Police and Crime "
        "Plan 2025-2029 says '2025'; Combined authority website says '2024'."
    )
    assert f.evidence["fields"] == [
        {
            "field": "period.start",
            "sources": [
                {"doc": "plan-doc", "section": None, "value": "2025"},
                {"doc": "ca-site", "section": None, "value": "2024"},
            ],
        }
    ]


def test_a_body_that_sits_within_supports_or_is_an_organisations_meeting_is_no_orphan(reg):
    from govmap.graph.analysis.structure import orphans

    placed = {"northby-sab", "panel-support-group", "fire-authority-meeting"}
    assert placed & {s.id for f in orphans(reg) for s in f.subjects} == set()
    bare = reg.model_copy(update={"bodies": tuple(b.model_copy(update={"supports": ()}) for b in reg.bodies)})
    assert "panel-support-group" in {f.subjects[0].id for f in orphans(bare)}


@pytest.mark.parametrize(
    ("aliases", "former", "expected"),
    [
        ([], [], ("Eastby CSP",)),
        (["Safer Eastby"], [], ("Eastby CSP", "Safer Eastby")),
        ([], ["Eastby Community Safety Partnership"], ("Eastby CSP", "Eastby Community Safety Partnership")),
        (["Safer Eastby"], ["Old Eastby"], ("Eastby CSP", "Safer Eastby", "Old Eastby")),
    ],
)
def test_every_name_of_a_record_is_its_name_then_its_aliases_then_its_former_names(aliases, former, expected):
    reg = loads(
        json.dumps(
            {
                "bodies": [
                    {
                        "id": "csp",
                        "name": "Eastby CSP",
                        "kind": "csp",
                        "aliases": aliases,
                        "former_names": [{"name": n, "end": 2020} for n in former],
                    }
                ]
            }
        )  # fmt: skip
    )
    assert reg.get("csp").all_names == expected


def test_a_former_name_is_a_name_the_record_is_found_and_matched_by(reg):
    from govmap.graph.review.renames import find_renames

    council = reg.get("northby-council")
    assert council.all_names == ("Northby Council", "Northby Borough Council")
    renamed = council.model_copy(update={"id": "northby-city-council", "name": "Northby City Council"})
    old = council.model_copy(update={"former_names": (), "name": "Northby Borough Council"})
    [(a, b, score)] = find_renames([old], [renamed])
    assert (a.id, b.id, score) == ("northby-council", "northby-city-council", 1.0)


def test_a_records_page_shows_its_former_names_seats_by_sector_and_a_fields_own_status(tmp_path):
    from tests.websupport import copy_register, make_app

    client = make_app(copy_register(tmp_path, "pattern10.yaml")).test_client()
    board = client.get("/entity/westmoor-safety-board").get_data(as_text=True)
    assert (
        '<dd class="sector-members">Voluntary and Community Sector (voluntary-sector), listed 2023; '
        "Health (nhs) × 2</dd>" in board
    )
    council = client.get("/entity/northby-council").get_data(as_text=True)
    assert '<p class="former-names">Formerly: Northby Borough Council (until 2022-05)</p>' in council
    plan = client.get("/entity/police-crime-plan-2025").get_data(as_text=True)
    assert (
        '<dt>Period start</dt><dd class="field-status"><span class="badge disputed">disputed</span>: '
        "plan-doc says &lsquo;2025&rsquo;; ca-site says &lsquo;2024&rsquo;</dd>" in plan
    )
