"""The web editor's Neo4j store: versions, conflicts, audit, one transaction per edit."""

from __future__ import annotations

import threading

import pytest
from govmap.graph.neo4j import Neo4jSettings, sync
from govmap.graph.neo4j.editing import Neo4jStore
from govmap.ingest.edits import AddLink, ChangeRecord
from govmap.ingest.errors import EditConflict, EditInvalid
from govmap.ingest.load import load_register

pytestmark = pytest.mark.neo4j


@pytest.fixture
def store(neo4j_driver, neo4j_env, seed_path):
    sync(load_register(seed_path), neo4j_driver)
    s = Neo4jStore(Neo4jSettings.from_env(), driver=neo4j_driver)
    return s


def test_load_returns_the_stored_register_and_a_version(store, seed_path):
    register, version = store.load()
    assert register.model_dump() == load_register(seed_path).model_dump()
    assert len(version) == 64


def test_an_edit_changes_the_database_and_the_version_and_is_audited(store):
    _, v1 = store.load()
    v2 = store.apply(ChangeRecord("asb-county-group", {"name": "ASB County Group (renamed)"}), v1, "alice")
    register, v3 = store.load()
    assert v2 == v3 != v1
    assert register.get("asb-county-group").name == "ASB County Group (renamed)"
    entry, load = store.history()
    assert load.action == "load" and load.version_after == v1
    assert (entry.user, entry.record, entry.version_before, entry.version_after) == (
        "alice",
        "asb-county-group",
        v1,
        v2,
    )
    assert entry.before["name"] == "Anti-Social Behaviour County Group"
    assert "+  name: ASB County Group (renamed)" in entry.diff


def test_an_edit_against_a_stale_version_is_refused_and_changes_nothing(store):
    _, v1 = store.load()
    store.apply(ChangeRecord("asb-county-group", {"name": "First"}), v1, "alice")
    with pytest.raises(EditConflict) as info:
        store.apply(ChangeRecord("asb-county-group", {"name": "Second"}), v1, "bob")
    assert "changed by someone else" in info.value.message and "by alice" in info.value.message
    register, _ = store.load()
    assert register.get("asb-county-group").name == "First"
    assert [e.action for e in store.history()] == ["change-record", "load"]


def test_an_invalid_edit_is_refused_at_the_field_and_changes_nothing(store):
    register, v1 = store.load()
    with pytest.raises(EditInvalid) as info:
        store.apply(AddLink("asb-county-group", "reports_to", {"to": "no-such-body"}), v1, "alice")
    assert "reports_to" in str(info.value.fields) or info.value.general
    assert store.load() == (register, v1)


def test_two_concurrent_edits_one_wins_the_other_is_told(store):
    _, v1 = store.load()
    results: dict[str, object] = {}

    def edit(user: str, name: str) -> None:
        try:
            results[user] = store.apply(ChangeRecord("asb-county-group", {"name": name}), v1, user)
        except EditConflict as exc:
            results[user] = exc

    threads = [threading.Thread(target=edit, args=(u, f"Name by {u}")) for u in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conflicts = [u for u, r in results.items() if isinstance(r, EditConflict)]
    winners = [u for u, r in results.items() if isinstance(r, str)]
    assert len(conflicts) == 1 and len(winners) == 1
    register, _ = store.load()
    assert register.get("asb-county-group").name == f"Name by {winners[0]}"


def test_a_cli_load_after_an_edit_makes_the_editors_version_stale(store, neo4j_driver, seed_path):
    _, v1 = store.load()
    store.apply(ChangeRecord("asb-county-group", {"name": "Edited"}), v1, "alice")
    _, v2 = store.load()
    sync(load_register(seed_path), neo4j_driver, force=True)  # someone reloads the YAML over the edit
    with pytest.raises(EditConflict):
        store.apply(ChangeRecord("asb-county-group", {"name": "Again"}), v2, "alice")


def test_a_load_that_would_undo_web_edits_is_refused_unless_forced(store, neo4j_driver, neo4j_env, seed_path):
    import subprocess
    import sys

    _, v1 = store.load()
    store.apply(ChangeRecord("asb-county-group", {"name": "Edited on the web"}), v1, "alice")
    result = subprocess.run(
        [sys.executable, "-m", "govmap", "load", str(seed_path)],
        capture_output=True,
        text=True,
        env=neo4j_env,
    )
    assert result.returncode == 6
    assert (
        "the database holds edits made since the last load (latest: change name of 'asb-county-group'"
        in result.stderr
    )
    assert "by alice" in result.stderr
    assert store.load()[0].get("asb-county-group").name == "Edited on the web"
    forced = subprocess.run(
        [sys.executable, "-m", "govmap", "load", "--force", str(seed_path)],
        capture_output=True,
        text=True,
        env=neo4j_env,
    )
    assert forced.returncode == 0, forced.stderr
    assert store.load()[0].get("asb-county-group").name == "Anti-Social Behaviour County Group"
    assert store.history()[0].action == "load"


def test_dump_of_a_database_without_a_register_is_refused(neo4j_driver, neo4j_env, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "boards.yaml"
    out.write_text("keep me\n")
    result = subprocess.run(
        [sys.executable, "-m", "govmap", "dump", "-o", str(out)],
        capture_output=True,
        text=True,
        env=neo4j_env,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: the database holds no govmap register (load one first with 'govmap load REGISTER')"
    )
    assert out.read_text() == "keep me\n"


def test_a_hand_edit_that_breaks_a_rule_is_reported_not_a_traceback(store, neo4j_driver, neo4j_env):
    import subprocess
    import sys

    with neo4j_driver.session() as s:
        s.run(
            "MATCH (a:Entity {id: 'asb-county-group'}) MATCH (b:Entity {id: 'lancashire-csp-board'}) "
            "CREATE (b)-[:REPORTS_TO {key: 'lancashire-csp-board/reports_to/0', origin: 'lancashire-csp-board', "
            "field: 'reports_to', index: 0, short: true, data: '{}'}]->(a)"
        ).consume()
        s.run(
            "MATCH (a:Entity {id: 'asb-county-group'}) MATCH (b:Entity {id: 'lancashire-csp-board'}) "
            "CREATE (a)-[:REPORTS_TO {key: 'asb-county-group/reports_to/0', origin: 'asb-county-group', "
            "field: 'reports_to', index: 0, short: true, data: '{}'}]->(b)"
        ).consume()
    result = subprocess.run(
        [sys.executable, "-m", "govmap", "dump"], capture_output=True, text=True, env=neo4j_env
    )
    assert result.returncode == 1
    assert "the register in Neo4j breaks" in result.stderr and "cycle" in result.stderr
    assert "Traceback" not in result.stderr
