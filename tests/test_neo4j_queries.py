"""The saved queries a reviewer pastes into Neo4j Browser work on the loaded seed register."""

from __future__ import annotations

import pytest

from govmap.graph.neo4j import sync
from govmap.graph.neo4j.queries import saved_queries
from govmap.ingest.reading.load import load_register

pytestmark = pytest.mark.neo4j


@pytest.fixture
def seeded(neo4j_driver, seed_path):
    reg = load_register(seed_path)
    sync(reg, neo4j_driver)
    return neo4j_driver, reg


def run(driver, name: str, **params):
    with driver.session() as s:
        return s.run(saved_queries()[name], **params).data()


def test_the_query_file_holds_the_four_documented_queries():
    assert list(saved_queries()) == [
        "bodies-sharing-members",
        "themes-with-no-lead",
        "path-between-bodies",
        "seat-load-by-organisation",
    ]


def test_bodies_sharing_members_finds_a_pair_built_to_share(neo4j_driver):
    from govmap.ingest.reading.load import loads

    reg = loads(
        """
organisations:
  - {id: p, name: Police, type: police-force}
  - {id: c, name: Council, type: county-council}
bodies:
  - {id: a, name: A, kind: board, members: [p, c]}
  - {id: b, name: B, kind: board, members: [p, c]}
  - {id: x, name: X, kind: board, members: [p]}
"""
    )
    sync(reg, neo4j_driver)
    rows = run(neo4j_driver, "bodies-sharing-members", min=2)
    assert [(r["body"], r["other"], r["shared_members"]) for r in rows] == [("A", "B", 2)]


def test_themes_with_no_lead_lists_residents_concerns(seeded):
    driver, reg = seeded
    rows = run(driver, "themes-with-no-lead")
    names = {r["theme"] for r in rows}
    leads = {rel.target for rel in reg.relations() if rel.type.value == "addresses" and rel.role == "lead"}
    expected = {t.name for t in reg.themes if t.id not in leads}
    assert names == expected and any("fraud" in n.lower() for n in names)


def test_path_between_two_bodies_goes_through_the_county_board(seeded):
    driver, _ = seeded
    rows = run(
        driver,
        "path-between-bodies",
        a="lancashire-road-safety-partnership",
        b="lancashire-domestic-abuse-partnership-board",
    )
    assert rows and rows[0]["names"][0] == "Lancashire Road Safety Partnership"
    assert rows[0]["names"][-1] == "Lancashire Domestic Abuse Partnership Board"


def test_seat_load_counts_the_county_board_seats(seeded):
    driver, reg = seeded
    rows = run(driver, "seat-load-by-organisation")
    seats = {r["organisation"]: r["seats"] for r in rows}
    expected: dict[str, set[str]] = {}
    for rel in reg.relations():
        if rel.type.value == "member_of" and reg.get(rel.source).label == "Organisation":
            expected.setdefault(reg.get(rel.source).name, set()).add(rel.target)
    assert seats == {k: len(v) for k, v in expected.items()}
