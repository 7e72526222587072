"""The register can say what English landscapes hold: several roles, posts as owners, abolished
organisations, partial dates, disagreeing sources (issue 19)."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from govmap.ingest.dates import PartialDate, date_key, last_day
from govmap.ingest.model import AreaKind, OrganisationType, RelType, Status, effective_status
from govmap.ingest.reading.load import check_text, load_register, loads
from govmap.ingest.reading.yamlsafe import parse
from govmap.ingest.schema import schema_json
from govmap.ingest.store.dump import dump_register
from govmap.webviz.form_fields import record_fields
from govmap.webviz.forms import initial, value_of

REGISTERS = Path(__file__).resolve().parent / "registers"
SHAPES = ("mayoral", "two_tier", "unitary", "joint")


def problems(text: str) -> list[str]:
    return [p.format() for p in check_text(textwrap.dedent(text), "t.yaml").problems if "error" in p.format()]


# -- partial dates -----------------------------------------------------------------


def test_a_year_or_a_month_is_a_span_of_days_compared_as_certainly_before_or_after():
    year, june = PartialDate.parse(2025), PartialDate.parse("2025-06")
    assert (year.first, year.last) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert june.last == dt.date(2025, 6, 30) and PartialDate.parse("2024-02").last == dt.date(2024, 2, 29)
    assert june < dt.date(2025, 7, 1) and not june < dt.date(2025, 6, 30)
    assert dt.date(2025, 7, 1) > june  # the reflected comparison answers too
    assert not year < june and not june < year  # overlapping spans: neither is certainly first
    assert year <= dt.date(2025, 3, 1) and year >= dt.date(2025, 3, 1)
    assert sorted([dt.date(2025, 3, 1), june, year], key=date_key) == [year, dt.date(2025, 3, 1), june]
    assert last_day(2024) == dt.date(2024, 12, 31)


def test_partial_dates_are_accepted_wherever_a_date_is_and_kept_as_written():
    reg = loads(
        textwrap.dedent("""\
        documents: [{id: d, name: D, date: 2024-06}]
        organisations: [{id: o, name: O, type: nhs, established: 2013, dissolved: 2022-07-01}]
        bodies:
          - {id: b, name: B, kind: board, review_date: 2026, members: [{member: o, start: 2025}]}
        strategies: [{id: s, name: S, kind: plan, period: {start: 2025-04, end: 2029}}]
        """)
    )
    b = reg.get("b")
    assert reg.get("d").date == PartialDate(2024, 6)
    assert b.members[0].start == PartialDate(2025) and b.review_date == PartialDate(2026)
    assert reg.get("o").dissolved == dt.date(2022, 7, 1)
    text = dump_register(reg)
    assert "date: 2024-06" in text and "start: 2025\n" in text and "end: 2029" in text
    assert loads(text).model_dump() == reg.model_dump()
    [rel] = [r for r in reg.relations() if r.type is RelType.MEMBER_OF]
    assert rel.start == PartialDate(2025)


def test_a_bad_date_is_refused_with_the_three_ways_to_write_one():
    assert problems("documents: [{id: d, name: D, date: 2025-13}]") == [
        "t.yaml:1:36: error: document 'd': date: month 13 is out of range"
    ]
    assert problems("documents: [{id: d, name: D, date: soon}]") == [
        "t.yaml:1:36: error: document 'd': date: 'soon' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY"
    ]


def test_a_membership_ending_in_its_start_year_does_not_end_before_it_starts():
    ok = """\
    organisations: [{id: o, name: O, type: nhs}]
    bodies: [{id: b, name: B, kind: board, members: [{member: o, start: 2025-06, end: 2025}]}]
    """
    assert problems(ok) == []
    bad = ok.replace("end: 2025}", "end: 2024}")
    assert problems(bad) == [
        "t.yaml:2:83: error: body 'b': membership of 'o' ends (2024) before it starts (2025-06)"
    ]


def test_a_year_review_date_is_overdue_only_after_the_year_ends():
    from govmap.graph.analysis.staleness import overdue_reviews

    reg = loads("bodies: [{id: b, name: B, kind: board, review_date: 2024}]\n")
    assert overdue_reviews(reg, dt.date(2024, 12, 31)) == []
    [f] = overdue_reviews(reg, dt.date(2025, 1, 10))
    assert f.title == "The review of B was due on 2024 (10 days ago)."


# -- new vocabulary and relations ----------------------------------------------------


def test_an_area_may_be_several_kinds_and_a_metropolitan_district():
    reg = load_register(REGISTERS / "mayoral.yaml")
    assert reg.get("northmoor").kinds == (
        AreaKind.COMBINED_AUTHORITY,
        AreaKind.POLICE_FORCE_AREA,
        AreaKind.METROPOLITAN_COUNTY,
    )
    assert reg.get("eastby").kinds == (AreaKind.METROPOLITAN_DISTRICT,)
    assert reg.get("northmoor").subtype == "combined-authority, police-force-area, metropolitan-county"


def test_an_organisation_holds_roles_besides_its_type():
    ca = load_register(REGISTERS / "mayoral.yaml").get("northmoor-ca")
    assert ca.all_types == (
        OrganisationType.COMBINED_AUTHORITY,
        OrganisationType.POLICE_AND_CRIME_COMMISSIONER,
        OrganisationType.FIRE_AND_RESCUE,
        OrganisationType.TRANSPORT_AUTHORITY,
    )


def test_new_relations_become_typed_edges():
    reg = load_register(REGISTERS / "mayoral.yaml")
    edges = {(r.type, r.source, r.target) for r in reg.relations()}
    assert (RelType.ACCOUNTABLE_TO, "violence-reduction-unit", "mayor") in edges
    assert (RelType.SCRUTINISES, "police-crime-panel", "mayor") in edges
    assert (RelType.MEMBER_OF, "eastby-csp", "community-safety-board") in edges
    assert (RelType.OWNS, "mayor", "police-crime-plan-2025") in edges
    assert (RelType.SUCCEEDED_BY, "northmoor-ccg", "northmoor-icb") in edges
    assert (RelType.SUCCEEDED_BY, "police-crime-plan-2021", "police-crime-plan-2025") in edges


BASE = """\
documents: [{id: d, name: D}]
organisations: [{id: council, name: Council, type: metropolitan-borough-council}]
posts: [{id: mayor, name: Mayor, organisation: council}]
themes: [{id: t, name: T, kind: priority}]
bodies:
  - {id: a, name: A, kind: board, sources: [{doc: d}]}
"""


def test_accountable_to_names_an_organisation_or_post_and_reports_to_still_a_body():
    assert problems(BASE.replace("kind: board,", "kind: board, accountable_to: [mayor, council],")) == []
    assert problems(BASE.replace("kind: board,", "kind: board, accountable_to: t,")) == [
        "t.yaml:6:51: error: body 'a': accountable_to 't' is a theme; accountable_to must name an "
        "organisation or post"
    ]
    assert problems(BASE.replace("kind: board,", "kind: board, reports_to: mayor,")) == [
        "t.yaml:6:47: error: body 'a': reports_to 'mayor' is a post; reports_to must name a body"
    ]


def test_a_strategy_owner_may_be_a_post_and_its_successor_must_be_a_strategy():
    text = BASE + "strategies:\n  - {id: s, name: S, kind: plan, owner: mayor, succeeded_by: a}\n"
    assert problems(text) == [
        "t.yaml:8:62: error: strategy 's': succeeded_by 'a' is a body; succeeded_by must name a strategy"
    ]


def test_a_list_marked_complete_without_a_source_is_warned_about():
    text = BASE.replace("sources: [{doc: d}]}", "members: [council], members_complete: true}")
    checked = check_text(text, "t.yaml")
    assert (
        "body 'a' says members_complete: true but has no source; its membership is not judged complete"
        in [p.message for p in checked.problems]
    )


# -- disagreeing sources ---------------------------------------------------------------


def test_sources_that_say_different_things_make_a_fact_disputed_and_never_confirmed():
    reg = loads(
        textwrap.dedent("""\
        documents: [{id: a, name: A}, {id: b, name: B}]
        bodies:
          - {id: x, name: X, kind: board, sources: [{doc: a, value: '2019'}, {doc: b, value: '2020'}]}
          - {id: y, name: Y, kind: board, status: disputed, members: [x], sources: [{doc: a}]}
          - {id: z, name: Z, kind: board, status: confirmed, sources: [{doc: a, value: '2019'}, {doc: b, value: '2020'}]}
        """)
    )
    assert effective_status(reg.get("x")) is Status.DISPUTED
    assert effective_status(reg.get("y")) is Status.DISPUTED
    assert effective_status(reg.get("z")) is Status.CONFIRMED  # a reviewer settled it
    [rel] = [r for r in reg.relations() if r.origin == "y"]
    assert rel.status is Status.CONFIRMED  # the dispute is about the record, not its seats


# -- schema, round trip, forms -------------------------------------------------------------


@pytest.mark.parametrize("name", SHAPES)
def test_the_json_schema_accepts_each_register_shape_and_dump_round_trips_it(name):
    path = REGISTERS / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    data = json.loads(json.dumps(parse(text, path.name).data, default=str))
    jsonschema.Draft202012Validator(json.loads(schema_json())).validate(data)
    reg = load_register(path)
    assert loads(dump_register(reg)).model_dump() == reg.model_dump()


def test_the_json_schema_refuses_a_day_less_date_that_is_not_a_month():
    schema = json.loads(schema_json())
    jsonschema.Draft202012Validator(schema).validate(
        {"documents": [{"id": "d", "name": "D", "date": "2025-06"}]}
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(
            {"documents": [{"id": "d", "name": "D", "date": "June"}]}
        )


def test_forms_show_roles_and_area_kinds_as_comma_separated_choices_that_read_back():
    reg = load_register(REGISTERS / "mayoral.yaml")
    [roles] = [s for s in record_fields("organisations") if s.name == "roles"]
    assert roles.widget == "choices" and "transport-authority" in roles.choices
    text = initial([roles], reg.get("northmoor-ca"))["roles"]
    assert text == "police-and-crime-commissioner, fire-and-rescue, transport-authority"
    assert value_of(roles, text) == [
        "police-and-crime-commissioner",
        "fire-and-rescue",
        "transport-authority",
    ]
    [kind] = [s for s in record_fields("areas") if s.name == "kind"]
    assert initial([kind], reg.get("eastby"))["kind"] == "metropolitan-district"
    assert value_of(kind, "metropolitan-district") == "metropolitan-district"
    assert value_of(kind, "combined-authority, police-force-area") == [
        "combined-authority",
        "police-force-area",
    ]
    body_fields = {s.name: s.widget for s in record_fields("bodies")}
    assert {k: body_fields[k] for k in ("accountable_to", "scrutinises", "members_complete", "rules")} == {
        "accountable_to": "ids",
        "scrutinises": "ids",
        "members_complete": "checkbox",
        "rules": "ids",
    }


@pytest.mark.neo4j
def test_the_mayoral_register_round_trips_through_neo4j(neo4j_driver):
    from govmap.graph.neo4j import read_register, sync

    reg = load_register(REGISTERS / "mayoral.yaml")
    sync(reg, neo4j_driver)
    back = read_register(neo4j_driver)
    assert back.model_dump() == reg.model_dump()
    assert dump_register(back) == dump_register(reg)


def test_the_web_app_shows_the_mayoral_register_with_disputed_facts_and_new_fields(tmp_path):
    from tests.websupport import copy_register, login, make_app

    client = make_app(copy_register(tmp_path, "mayoral.yaml")).test_client()
    for page in ("/", "/entities", "/report", "/entity/northmoor", "/entity/police-crime-plan-2025"):
        assert client.get(page).status_code == 200, page
    vru = client.get("/entity/violence-reduction-unit").get_data(as_text=True)
    assert '<span class="badge disputed">disputed</span>' in vru
    login(client, "alice")
    form = client.get("/edit/northmoor-ca").get_data(as_text=True)
    assert 'value="police-and-crime-commissioner, fire-and-rescue, transport-authority"' in form


def test_the_mayoral_register_round_trips_through_a_spreadsheet(tmp_path):
    from govmap.ingest.tabular import load_tabular, write_xlsx

    reg = load_register(REGISTERS / "mayoral.yaml")
    path = tmp_path / "register.xlsx"
    path.write_bytes(write_xlsx(reg))
    assert load_tabular(path).model_dump() == reg.model_dump()


def test_validation_warns_that_a_disputed_record_is_disputed():
    checked = check_text(
        "documents: [{id: a, name: A}, {id: b, name: B}]\n"
        "bodies: [{id: x, name: X, kind: board, "
        "sources: [{doc: a, value: '2019'}, {doc: b, value: '2020'}]}]\n",
        "t.yaml",
    )
    assert [p.format() for p in checked.problems if "disputed" in p.message] == [
        "t.yaml:2:10: warning: body 'x' is disputed: its sources disagree "
        "(settle which source is right, then set status: confirmed)"
    ]
