"""Loads by content, on a real Neo4j: a re-load writes what changed and counts records as ``govmap diff`` does.

A record that only moved in the file gets its new position and nothing else;
the summary says how many records were added, changed, renamed and removed.
Whether a node was rewritten is seen from a ``probe`` property set on every node
before the load: rewriting a node (``SET n = row``) drops it, setting a
position does not.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from govmap.graph.neo4j import read_register, sync
from govmap.ingest.model import Register, record_version
from govmap.ingest.reading.load import loads
from govmap.ingest.store.dump import dump_register

pytestmark = pytest.mark.neo4j

THEME = "road-safety"  # a theme five records name


def with_area_on_top(reg: Register) -> Register:
    """The register with a new area first in its section: every record after it moves by one."""
    area = reg.areas[0].model_copy(update={"id": "new-area", "name": "Newtown"})
    return loads(dump_register(reg.model_copy(update={"areas": (area, *reg.areas)})))


def renamed(reg: Register, old: str, new: str) -> Register:
    """The register with record ``old`` given the id ``new`` everywhere (its name unchanged)."""
    return loads(re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, dump_register(reg)))


def probe(driver) -> None:
    with driver.session() as s:
        s.run("MATCH (n:Entity) SET n.probe = true").consume()


def rewritten(driver) -> set[str]:
    """Ids of the nodes written (created or rewritten) since :func:`probe`."""
    with driver.session() as s:
        return {r["id"] for r in s.run("MATCH (n:Entity) WHERE n.probe IS NULL RETURN n.id AS id")}


def naming(reg: Register, rid: str) -> set[str]:
    return {rel.origin for rel in reg.relations() if rid in (rel.source, rel.target) and rel.origin != rid}


def test_a_record_added_on_top_and_one_renamed_are_counted_so_and_nothing_else_is_rewritten(
    neo4j_driver, seed_register
):
    sync(seed_register, neo4j_driver)
    probe(neo4j_driver)
    new = renamed(with_area_on_top(seed_register), THEME, "road-safety-theme")
    summary = sync(new, neo4j_driver)
    counts = (
        summary.records_added,
        summary.records_changed,
        summary.records_renamed,
        summary.records_removed,
    )
    assert counts == (1, 0, 1, 0)
    referrers = naming(seed_register, THEME)
    assert len(referrers) == 5
    assert summary.records_moved == 0  # a record put on top moves none of the others
    assert rewritten(neo4j_driver) == {"new-area", "road-safety-theme"}
    assert (summary.nodes_created, summary.nodes_updated, summary.nodes_deleted) == (2, 0, 1)
    assert read_register(neo4j_driver).model_dump() == new.model_dump()


def test_changed_records_are_counted_changed_and_only_they_are_rewritten(neo4j_driver, seed_register):
    sync(seed_register, neo4j_driver)
    probe(neo4j_driver)
    board, org = seed_register.get("lancashire-csp-board"), seed_register.organisations[3]
    bodies = tuple(
        b.model_copy(update={"members": b.members[1:]}) if b.id == board.id else b
        for b in seed_register.bodies
    )
    orgs = tuple(
        o.model_copy(update={"description": "Changed by the test"}) if o.id == org.id else o
        for o in seed_register.organisations
    )
    new = loads(dump_register(seed_register.model_copy(update={"bodies": bodies, "organisations": orgs})))
    summary = sync(new, neo4j_driver)
    assert (summary.records_added, summary.records_changed, summary.records_renamed) == (0, 2, 0)
    assert (summary.records_removed, summary.records_moved) == (0, 0)
    # The board changed only in its links: its node is not rewritten, one membership is deleted.
    assert rewritten(neo4j_driver) == {org.id}
    assert (summary.edges_created, summary.edges_deleted) == (0, 1)
    assert read_register(neo4j_driver).model_dump() == new.model_dump()


def test_a_removed_record_is_counted_removed_with_its_relationships(neo4j_driver, seed_register):
    sync(seed_register, neo4j_driver)
    own = {rel.origin for rel in seed_register.relations()}
    gone = next(b for b in seed_register.bodies if not naming(seed_register, b.id) and b.id in own)
    bodies = tuple(b for b in seed_register.bodies if b.id != gone.id)
    new = loads(dump_register(seed_register.model_copy(update={"bodies": bodies})))
    summary = sync(new, neo4j_driver)
    counts = (
        summary.records_added,
        summary.records_changed,
        summary.records_renamed,
        summary.records_removed,
    )
    assert counts == (0, 0, 0, 1)
    own = sum(1 for rel in seed_register.relations() if rel.origin == gone.id)
    assert (summary.nodes_deleted, summary.edges_deleted, summary.edges_created) == (1, own, 0)
    assert read_register(neo4j_driver).model_dump() == new.model_dump()


def test_a_record_that_only_moved_is_not_rewritten_and_its_position_is_kept(neo4j_driver, seed_register):
    sync(seed_register, neo4j_driver)
    probe(neo4j_driver)
    themes = seed_register.themes
    new = loads(dump_register(seed_register.model_copy(update={"themes": (themes[-1], *themes[:-1])})))
    summary = sync(new, neo4j_driver)
    assert not summary.content_changed and summary.records_moved == 1  # the last theme, now first
    assert rewritten(neo4j_driver) == set()
    assert summary.format() == (
        "records: 0 added, 0 changed, 0 renamed, 0 removed, 1 only moved; relationships: "
        f"0 created, 0 updated, 0 deleted ({summary.nodes} records, {summary.edges} relationships in all)"
    )
    assert [t.id for t in read_register(neo4j_driver).themes] == [t.id for t in new.themes]
    assert sync(new, neo4j_driver).format().startswith("no change: ")


def test_a_database_loaded_by_an_older_govmap_is_compared_once_and_counted_exactly(
    neo4j_driver, seed_register
):
    """Nodes without a record hash, a header without the rows' shape: compared property by property."""
    sync(seed_register, neo4j_driver)
    with neo4j_driver.session() as s:
        s.run("MATCH (n:Entity) REMOVE n.rhash").consume()
        s.run("MATCH (g:GovmapRegister) REMOVE g.rows").consume()
    new = with_area_on_top(seed_register)
    summary = sync(new, neo4j_driver)
    assert (summary.records_added, summary.records_changed, summary.records_removed) == (1, 0, 0)
    assert summary.nodes_updated == 0 and summary.records_moved == 0
    with neo4j_driver.session() as s:
        assert s.run("MATCH (n:Entity) WHERE n.rhash IS NULL RETURN count(n) AS n").single()["n"] == 0
    probe(neo4j_driver)
    again = renamed(new, THEME, "road-safety-theme")
    second = sync(again, neo4j_driver)  # now by record hash
    assert (second.records_added, second.records_changed, second.records_renamed) == (0, 0, 1)
    assert rewritten(neo4j_driver) == {"road-safety-theme"}


def test_govmap_load_says_what_changed_in_records(neo4j_driver, neo4j_env, seed_register, tmp_path):
    sync(seed_register, neo4j_driver)
    new = renamed(with_area_on_top(seed_register), THEME, "road-safety-theme")
    path = tmp_path / "boards.yaml"
    path.write_text(dump_register(new), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "govmap", "load", str(path)], capture_output=True, text=True, env=neo4j_env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("records: 1 added, 0 changed, 1 renamed, 0 removed, 0 only moved; ")


def test_a_dumped_register_of_web_edits_loads_even_if_its_records_moved(
    neo4j_driver, neo4j_env, seed_register, tmp_path
):
    """After web edits, loading the dump of the database undoes no edit: it is not refused."""
    from govmap.graph.neo4j import Neo4jSettings
    from govmap.graph.neo4j.editing import ABSENT, Neo4jStore
    from govmap.ingest.store.edit_values import AddRecord, RemoveRecord

    sync(seed_register, neo4j_driver)
    store = Neo4jStore(Neo4jSettings.from_env(), driver=neo4j_driver)
    store.load()
    store.apply(
        AddRecord("areas", {"id": "web-area", "name": "Web Area", "kind": "district"}), ABSENT, "alice"
    )
    lonely = next(t for t in seed_register.themes if not naming(seed_register, t.id))
    register, _ = store.load()
    store.apply(RemoveRecord(lonely.id), record_version(register.get(lonely.id)), "alice")
    dumped = read_register(neo4j_driver)
    summary = sync(loads(dump_register(dumped)), neo4j_driver)
    assert not summary.content_changed
    assert read_register(neo4j_driver).model_dump() == dumped.model_dump()


def test_a_record_put_between_two_others_keeps_its_place_through_web_edits(neo4j_driver, seed_register):
    """Its position is a fraction between its neighbours'; an edit of it, or a record added on the
    web after it, leaves every record where the file put it."""
    from govmap.graph.neo4j import Neo4jSettings
    from govmap.graph.neo4j.editing import ABSENT, Neo4jStore
    from govmap.ingest.store.edit_values import AddRecord, ChangeRecord

    sync(seed_register, neo4j_driver)
    areas = seed_register.areas
    middle = areas[0].model_copy(update={"id": "middle-area", "name": "Middleton"})
    new = loads(dump_register(seed_register.model_copy(update={"areas": (areas[0], middle, *areas[1:])})))
    summary = sync(new, neo4j_driver)
    assert (summary.records_added, summary.records_moved) == (1, 0)
    with neo4j_driver.session() as s:
        order = s.run("MATCH (n:Entity {id: 'middle-area'}) RETURN n.order AS o").single()["o"]
    assert order != int(order)
    store = Neo4jStore(Neo4jSettings.from_env(), driver=neo4j_driver)
    register, _ = store.load()
    edit = ChangeRecord("middle-area", {"description": "Edited on the web"})
    store.apply(edit, record_version(register.get("middle-area")), "alice")
    store.apply(
        AddRecord("areas", {"id": "web-area", "name": "Web Area", "kind": "district"}), ABSENT, "alice"
    )
    assert [a.id for a in read_register(neo4j_driver).areas] == [*(a.id for a in new.areas), "web-area"]


def by_id(reg: Register) -> dict[str, dict]:
    return {r.id: r.model_dump() for r in reg.records()}


def changed_seed(reg: Register) -> Register:
    """The seed with a board's first member dropped (the keys of the others move), an
    organisation's description changed, a body nobody names removed and a new one added."""
    board, org = reg.get("lancashire-csp-board"), reg.organisations[3]
    gone = next(b for b in reg.bodies if not naming(reg, b.id) and b.id != board.id)
    twin = reg.bodies[0].model_copy(update={"id": "twin-board"})
    bodies = tuple(
        b.model_copy(update={"members": b.members[1:], "description": "Changed by the test"})
        if b.id == board.id
        else b
        for b in reg.bodies
        if b.id != gone.id
    )
    orgs = tuple(
        o.model_copy(update={"description": "Changed by the test"}) if o.id == org.id else o
        for o in reg.organisations
    )
    return loads(dump_register(reg.model_copy(update={"bodies": (*bodies, twin), "organisations": orgs})))


def test_the_audit_log_of_a_load_gives_back_the_register_before_it(neo4j_driver, seed_register):
    from govmap.graph.neo4j.history import register_before

    sync(seed_register, neo4j_driver)
    new = changed_seed(seed_register)
    summary = sync(new, neo4j_driver)
    assert (summary.records_added, summary.records_changed, summary.records_removed) == (1, 2, 1)
    with neo4j_driver.session() as s:
        before, entry = s.execute_read(register_before, 0)
    assert entry.action == "load"
    # Every record as it was, the changed ones with their links in their old order (not in file order).
    assert by_id(before) == by_id(seed_register)
    assert read_register(neo4j_driver).model_dump() == new.model_dump()


def test_a_change_the_server_refuses_midway_through_its_writes_changes_nothing_and_says_so(
    neo4j_driver, seed_register
):
    from govmap.graph.neo4j import Neo4jError

    sync(seed_register, neo4j_driver)
    with neo4j_driver.session() as s:
        version = s.run("MATCH (g:GovmapRegister) RETURN g.version AS v").single()["v"]
        s.run("CREATE CONSTRAINT test_body_name FOR (n:Body) REQUIRE n.name IS UNIQUE").consume()
    try:
        # The new body has the name of another: the server refuses to create its node, after the
        # load has deleted a membership and before it rewrites the changed records.
        with pytest.raises(Neo4jError) as caught:
            sync(changed_seed(seed_register), neo4j_driver)
    finally:
        with neo4j_driver.session() as s:
            s.run("DROP CONSTRAINT test_body_name IF EXISTS").consume()
    message = str(caught.value)
    assert message.startswith("Neo4j refused the load: ") and message.endswith("; nothing was changed")
    assert "already exists with label `Body` and property `name`" in message
    assert read_register(neo4j_driver).model_dump() == seed_register.model_dump()
    with neo4j_driver.session() as s:
        assert s.run("MATCH (g:GovmapRegister) RETURN g.version AS v").single()["v"] == version
        assert s.run("MATCH (a:GovmapAudit) RETURN count(a) AS n").single()["n"] == 1
