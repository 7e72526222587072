"""The web app served from Neo4j: the same pages and edits, the database as the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from govmap.graph.neo4j import Neo4jSettings, read_register, sync
from govmap.graph.neo4j.editing import Neo4jStore
from govmap.ingest.reading.load import load_register
from tests.test_web_edit import record_form
from tests.websupport import REGISTERS, login, make_app

pytestmark = pytest.mark.neo4j


@pytest.fixture
def client(neo4j_driver, neo4j_env, tmp_path: Path):
    sync(load_register(REGISTERS / "web.yaml"), neo4j_driver)
    store = Neo4jStore(Neo4jSettings.from_env(), driver=neo4j_driver)
    (tmp_path / "boards.yaml").write_text("# not used: the store is Neo4j\n", encoding="utf-8")
    client = make_app(tmp_path / "boards.yaml", GOVMAP_STORE=store).test_client()
    login(client, "alice")
    return client


def test_map_and_entity_pages_are_served_from_neo4j(client):
    assert client.get("/").status_code == 200
    page = client.get("/entity/north-csp")
    assert page.status_code == 200
    assert "<h1>North Community Safety Partnership</h1>" in page.get_data(as_text=True)


def test_an_edit_in_the_browser_is_written_to_neo4j_and_audited(client, neo4j_driver):
    response = client.post("/edit/north-csp", data=record_form(client, "north-csp", name="North & West CSP"))
    assert response.status_code == 302
    assert read_register(neo4j_driver).get("north-csp").name == "North & West CSP"
    history = client.get("/history").get_data(as_text=True)
    assert "north-csp" in history and "alice" in history


def test_a_stale_edit_is_refused_with_409_and_the_database_keeps_the_winner(client, neo4j_driver):
    stale = record_form(client, "north-csp", name="Bob's name")
    assert (
        client.post("/edit/north-csp", data=record_form(client, "north-csp", name="Alice's name")).status_code
        == 302
    )
    response = client.post("/edit/north-csp", data=stale)
    assert response.status_code == 409
    assert read_register(neo4j_driver).get("north-csp").name == "Alice's name"
