"""The web editor's Neo4j store: versions, conflicts, audit, one transaction per edit."""

from __future__ import annotations

import re
import threading

import pytest

from govmap.graph.neo4j import Neo4jSettings, sync
from govmap.graph.neo4j.editing import Neo4jStore
from govmap.ingest.errors import EditConflict, EditInvalid, UnknownRecord
from govmap.ingest.model import record_version
from govmap.ingest.reading.load import load_register
from govmap.ingest.store.edit_values import AddLink, AddRecord, ChangeRecord, RemoveLink, RemoveRecord

pytestmark = pytest.mark.neo4j


@pytest.fixture
def store(neo4j_driver, neo4j_env, seed_path):
    sync(load_register(seed_path), neo4j_driver)
    s = Neo4jStore(Neo4jSettings.from_env(), driver=neo4j_driver)
    return s


def test_load_returns_the_stored_register_and_a_version(store, seed_path):
    register, version = store.load()
    assert register.model_dump() == load_register(seed_path).model_dump()
    assert re.fullmatch(r"1-[0-9a-f]{12}", version)  # serial 1: the first load


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
    assert info.value.fields == {
        "to": [
            "body 'asb-county-group': reports_to 'no-such-body' is not defined (add a body with id 'no-such-body')"
        ]
    }
    assert info.value.general == []
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


# -- record-level versions and record-sized validation -----------------------------------
def test_an_edit_made_against_the_records_version_survives_edits_to_other_records(store):
    register, v1 = store.load()
    group, board = register.get("asb-county-group"), register.get("lancashire-csp-board")
    store.apply(ChangeRecord(board.id, {"description": "Changed first"}), record_version(board), "alice")
    v3 = store.apply(ChangeRecord(group.id, {"name": "Renamed"}), record_version(group), "bob")
    held, v4 = store.load()
    assert v3 == v4 and int(v4.split("-")[0]) == int(v1.split("-")[0]) + 2
    assert (held.get(board.id).description, held.get(group.id).name) == ("Changed first", "Renamed")


def test_a_stale_record_version_is_refused_naming_the_record_and_the_other_change(store):
    register, _ = store.load()
    group = register.get("asb-county-group")
    store.apply(ChangeRecord(group.id, {"name": "First"}), record_version(group), "alice")
    with pytest.raises(EditConflict) as info:
        store.apply(ChangeRecord(group.id, {"name": "Second"}), record_version(group), "bob")
    assert info.value.message.startswith(
        "'asb-county-group' was changed by someone else since you opened this form "
        "(change name of 'asb-county-group' by alice at "
    )
    assert info.value.message.endswith("; nothing was saved")


def test_removing_a_record_that_others_name_is_refused_with_the_rules_message(store):
    register, _ = store.load()
    owner = register.get("police-and-crime-plan").owner[0].to
    with pytest.raises(EditInvalid) as info:
        store.apply(RemoveRecord(owner), record_version(register.get(owner)), "alice")
    assert f"strategy 'police-and-crime-plan': owner '{owner}' is not defined" in " ".join(info.value.general)
    assert store.load()[0].get(owner) is not None


def test_a_record_nothing_names_can_be_removed_and_added_back(store, neo4j_driver):
    register, _ = store.load()
    lonely = next(
        r
        for r in register.records()
        if not any(rel.target == r.id or rel.source == r.id for rel in register.relations())
        and r.id not in register.info.top
        and r.section != "documents"
    )
    store.apply(RemoveRecord(lonely.id), record_version(lonely), "alice")
    assert store.load()[0].get(lonely.id) is None
    data = lonely.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    store.apply(AddRecord(lonely.section, data), "absent", "alice")
    assert store.load()[0].get(lonely.id) == lonely
    assert [e.action for e in store.history(2)] == ["add-record", "remove-record"]


def test_adding_a_record_with_an_id_in_use_is_refused_as_a_duplicate(store):
    with pytest.raises(EditInvalid) as info:
        store.apply(
            AddRecord("bodies", {"id": "asb-county-group", "name": "Twin", "kind": "group"}), "absent", "a"
        )
    assert "id 'asb-county-group' is used twice" in str(info.value.fields) + " ".join(info.value.general)


def test_a_link_that_closes_a_reporting_cycle_is_refused(store):
    register, _ = store.load()
    a, b, c = (x.id for x in register.bodies[:3])
    for child, parent in ((a, b), (b, c)):  # a reports to b reports to c
        store.apply(AddLink(child, "reports_to", parent), record_version(store.load()[0].get(child)), "alice")
    with pytest.raises(EditInvalid) as info:
        store.apply(AddLink(c, "reports_to", a), record_version(store.load()[0].get(c)), "alice")
    messages = str(info.value.fields) + " ".join(info.value.general)
    assert "reports_to makes a cycle" in messages and a in messages and b in messages, messages
    assert not store.load()[0].get(c).reports_to


def test_a_membership_removed_on_the_web_is_gone_from_the_graph_and_its_neighbours_untouched(
    store, neo4j_driver
):
    register, _ = store.load()
    board = register.get("lancashire-csp-board")
    gone = board.members[0].member
    with neo4j_driver.session() as s:
        before = s.run(
            "MATCH (n:Entity) WHERE n.id <> $id RETURN n.id AS id, n.hash AS h", id=board.id
        ).data()
    store.apply(RemoveLink(board.id, "members", 0), record_version(board), "alice")
    with neo4j_driver.session() as s:
        assert s.run(
            "MATCH (:Entity {id: $m})-[r:MEMBER_OF]->(:Entity {id: $b}) RETURN count(r) AS n",
            m=gone,
            b=board.id,
        ).single()["n"] == board.members[1:].count(gone)
        after = s.run("MATCH (n:Entity) WHERE n.id <> $id RETURN n.id AS id, n.hash AS h", id=board.id).data()
    assert after == before  # only the edited record's node was written
    assert store.load()[0] == loads_again(store)


def loads_again(store):
    from govmap.graph.neo4j import read_register

    return read_register(store.driver)


def test_an_edit_of_a_record_that_is_not_there_names_it(store):
    with pytest.raises(UnknownRecord) as info:
        store.apply(ChangeRecord("no-such-record", {"name": "X"}), "absent", "alice")
    assert info.value.message == "no record with id 'no-such-record'"


def test_removing_a_document_cited_only_by_a_link_is_refused(store):
    register, _ = store.load()
    cited = {s.doc for rel in register.relations() for s in rel.sources} - {
        s.doc for r in register.records() for s in r.sources
    }
    doc = sorted(cited)[0]
    with pytest.raises(EditInvalid) as info:
        store.apply(RemoveRecord(doc), record_version(register.get(doc)), "alice")
    assert f"source document '{doc}' is not defined" in " ".join(info.value.general)
