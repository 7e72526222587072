"""Loading into a real Neo4j 5.26: exact, idempotent, atomic, and safe with hostile text."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govmap.cli import ExitStatus
from govmap.graph.neo4j import Neo4jSettings, connect, read_register, sync
from govmap.ingest.reading.load import load_register, loads
from govmap.ingest.store.dump import dump_register

from .conftest import start_neo4j, stop_neo4j

pytestmark = pytest.mark.neo4j


def counts(driver) -> tuple[dict[str, int], dict[str, int]]:
    with driver.session() as s:
        labels = {
            r["label"]: r["n"]
            for r in s.run(
                "MATCH (n:Entity) UNWIND [l IN labels(n) WHERE l <> 'Entity'] AS label RETURN label, count(*) AS n"
            )
        }
        types = {
            r["t"]: r["n"] for r in s.run("MATCH (:Entity)-[r]->(:Entity) RETURN type(r) AS t, count(*) AS n")
        }
    return labels, types


def expected_counts(register) -> tuple[dict[str, int], dict[str, int]]:
    labels: dict[str, int] = {}
    for rec in register.records():
        labels[rec.label] = labels.get(rec.label, 0) + 1
    types: dict[str, int] = {}
    for rel in register.relations():
        types[rel.type.name] = types.get(rel.type.name, 0) + 1
    return labels, types


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govmap", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_seed_register_loads_with_counts_by_label_and_type(neo4j_driver, seed_path):
    reg = load_register(seed_path)
    summary = sync(reg, neo4j_driver)
    assert summary.changed
    assert counts(neo4j_driver) == expected_counts(reg)
    assert summary.nodes_created == sum(1 for _ in reg.records())


def test_a_second_load_changes_nothing_and_says_so(neo4j_driver, neo4j_env, seed_path):
    first = run_cli("load", str(seed_path), env=neo4j_env)
    assert first.returncode == 0, first.stderr
    second = run_cli("load", str(seed_path), env=neo4j_env)
    assert second.returncode == 0
    assert second.stdout.startswith("no change: ")


def test_removed_entity_and_membership_are_gone_after_reload(neo4j_driver, seed_path, tmp_path):
    reg = load_register(seed_path)
    sync(reg, neo4j_driver)
    text = seed_path.read_text(encoding="utf-8")
    smaller = loads(dump_register(reg))
    board = smaller.get("lancashire-csp-board")
    dropped_member = board.members[0].member
    bodies = tuple(
        b.model_copy(update={"members": b.members[1:]}) if b.id == board.id else b
        for b in smaller.bodies
        if b.id != "asb-county-group"
    )
    smaller = loads(dump_register(smaller.model_copy(update={"bodies": bodies})))
    summary = sync(smaller, neo4j_driver)
    assert summary.nodes_deleted == 1
    assert summary.edges_deleted >= 2  # the membership, and the removed group's links
    with neo4j_driver.session() as s:
        assert s.run("MATCH (n:Entity {id: 'asb-county-group'}) RETURN n").single() is None
        assert (
            s.run(
                "MATCH (:Entity {id: $m})-[r:MEMBER_OF]->(:Entity {id: $b}) RETURN r",
                m=dropped_member,
                b=board.id,
            ).single()
            is None
        )
    assert counts(neo4j_driver) == expected_counts(smaller)
    assert text == seed_path.read_text(encoding="utf-8")


def test_round_trip_through_neo4j_gives_the_same_register(neo4j_driver, seed_path):
    reg = load_register(seed_path)
    sync(reg, neo4j_driver)
    back = read_register(neo4j_driver)
    assert back.model_dump() == reg.model_dump()
    assert dump_register(back) == dump_register(reg)


HOSTILE = 'Board \'}) DETACH DELETE n // "quoted" {braces} `tick` $param'


def test_hostile_names_are_stored_verbatim_and_delete_nothing(neo4j_driver, seed_path):
    reg = load_register(seed_path)
    sync(reg, neo4j_driver)
    before = counts(neo4j_driver)
    quoted = HOSTILE.replace("'", "''")
    text = dump_register(reg).replace("name: Anti-Social Behaviour County Group", f"name: '{quoted}'")
    hostile = loads(text)
    assert hostile.get("asb-county-group").name == HOSTILE
    sync(hostile, neo4j_driver)
    with neo4j_driver.session() as s:
        assert (
            s.run("MATCH (n:Entity {id: 'asb-county-group'}) RETURN n.name AS name").single()["name"]
            == HOSTILE
        )
    assert counts(neo4j_driver) == before


def test_an_invalid_register_never_touches_the_database(neo4j_driver, neo4j_env, seed_path, write_register):
    sync(load_register(seed_path), neo4j_driver)
    before = counts(neo4j_driver)
    bad = write_register("bodies:\n  - {id: x, name: X, kind: nope}\n")
    result = run_cli("load", str(bad), env=neo4j_env)
    assert result.returncode == ExitStatus.INVALID
    assert "kind: 'nope' is not one of" in result.stderr
    assert counts(neo4j_driver) == before


def test_unreachable_server_gives_one_clear_line(neo4j_env):
    result = run_cli("load", "--neo4j", "bolt://127.0.0.1:9", env=neo4j_env)
    assert result.returncode == ExitStatus.NEO4J_UNAVAILABLE
    assert result.stderr.strip() == (
        "error: cannot reach Neo4j at bolt://127.0.0.1:9 "
        "(is the server running? start one with scripts/neo4j start, or set NEO4J_URI)"
    )


def test_wrong_password_and_wrong_database_are_refused(neo4j_env):
    result = run_cli("load", env={**neo4j_env, "NEO4J_PASSWORD": "wrong"})
    assert result.returncode == ExitStatus.NEO4J_REFUSED
    assert "refused user 'neo4j' (check NEO4J_USER and NEO4J_PASSWORD)" in result.stderr
    result = run_cli("load", env={**neo4j_env, "NEO4J_DATABASE": "nosuch"})
    assert result.returncode == ExitStatus.NEO4J_REFUSED
    assert "has no database 'nosuch'" in result.stderr


def test_dump_writes_the_database_register_back_as_yaml(neo4j_driver, neo4j_env, seed_path, tmp_path):
    sync(load_register(seed_path), neo4j_driver)
    out = tmp_path / "dumped.yaml"
    result = run_cli("dump", "-o", str(out), env=neo4j_env)
    assert result.returncode == 0, result.stderr
    assert load_register(out).model_dump() == load_register(seed_path).model_dump()


# -- failures mid-load -------------------------------------------------------------
def big_register_text(n: int = 8_000) -> str:
    """A valid register large enough that a load takes a few seconds."""
    lines = ["govmap: 1", "organisations:"]
    lines += [f"  - {{id: org-{i}, name: Org {i}, type: other}}" for i in range(50)]
    lines.append("bodies:")
    lines.append("  - {id: top, name: Top, kind: board, top_level: true}")
    for i in range(n):
        members = ", ".join(f"org-{(i + k) % 50}" for k in range(4))
        lines.append(f"  - {{id: b-{i}, name: Body {i}, kind: group, reports_to: top, members: [{members}]}}")
    return "\n".join(lines) + "\n"


def wait_for_progress(proc: subprocess.Popen[str], timeout: float = 120) -> None:
    """Block until the loader reports that it is writing."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith("writing: "):
            return
        if not line and proc.poll() is not None:
            raise AssertionError("the loader finished before it was killed")
    raise AssertionError("no progress from the loader")


def start_big_load(tmp_path: Path, env: dict[str, str], *extra: str) -> tuple[Path, subprocess.Popen[str]]:
    """Start `govmap load` of a big register and return once it is writing."""
    big = tmp_path / "big.yaml"
    big.write_text(big_register_text(), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "govmap", "load", str(big), "--progress", "--force", *extra],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    wait_for_progress(proc)
    return big, proc


def test_killing_the_loader_mid_load_leaves_the_previous_state(neo4j_driver, neo4j_env, seed_path, tmp_path):
    sync(load_register(seed_path), neo4j_driver)
    before = counts(neo4j_driver)
    big, proc = start_big_load(tmp_path, neo4j_env)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    time.sleep(1)  # the server notices the closed connection and rolls back
    assert counts(neo4j_driver) == before
    rerun = run_cli("load", "--force", str(big), env=neo4j_env)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(neo4j_driver) == expected_counts(load_register(big))


@pytest.mark.slow
def test_killing_the_server_mid_load_leaves_the_previous_state(seed_path, tmp_path):
    instance = tmp_path / "neo4j-kill"
    uri = start_neo4j(instance)
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": "govmap-test-password"}
    try:
        driver = connect(Neo4jSettings(uri, "neo4j", "govmap-test-password"))
        reg = load_register(seed_path)
        sync(reg, driver)
        driver.close()
        big, proc = start_big_load(tmp_path, env, "--timeout", "5")
        pid = int((instance / "run" / "neo4j.pid").read_text().strip())
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=300)
        gave_up = time.monotonic() - killed
        assert proc.returncode == ExitStatus.NEO4J_UNAVAILABLE, err
        lines = [ln for ln in err.splitlines() if not ln.startswith("writing: ")]
        # At most one line about retrying, then the error: no driver log lines, no traceback.
        assert lines[-1] == (
            f"error: lost the connection to Neo4j at {uri} during the load; nothing was changed "
            "(run it again when the server is back)"
        ), lines
        assert lines[:-1] in ([], ["Neo4j: connection trouble, retrying…"]), lines
        assert gave_up < 30, f"the loader took {gave_up:.0f} s to give up"
        port = uri.rsplit(":", 1)[1]
        subprocess.run(
            [
                str(Path(__file__).resolve().parent.parent / "scripts" / "neo4j"),
                "start",
                "--port",
                port,
                "--dir",
                str(instance),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "NEO4J_PASSWORD": "govmap-test-password"},
            timeout=600,
        )
        driver = connect(Neo4jSettings(uri, "neo4j", "govmap-test-password"))
        assert counts(driver) == expected_counts(reg)
        sync(load_register(big), driver, force=True)
        assert counts(driver) == expected_counts(load_register(big))
        driver.close()
    finally:
        stop_neo4j(instance)


def test_an_unchanged_reload_is_answered_from_the_header_and_full_finds_a_hand_edit(neo4j_driver, seed_path):
    reg = load_register(seed_path)
    sync(reg, neo4j_driver)
    with neo4j_driver.session() as s:  # a hand edit in Browser that keeps every count
        s.run("MATCH (n:Entity {id: 'asb-county-group'}) SET n.name = 'Renamed by hand'").consume()
    quick = sync(reg, neo4j_driver)
    assert not quick.changed and quick.nodes == sum(1 for _ in reg.records())
    assert quick.by_type == expected_counts(reg)[1]
    full = sync(reg, neo4j_driver, full=True)
    assert full.nodes_updated == 1
    with neo4j_driver.session() as s:
        name = s.run("MATCH (n:Entity {id: 'asb-county-group'}) RETURN n.name AS n").single()["n"]
    assert name == "Anti-Social Behaviour County Group"
    assert not sync(reg, neo4j_driver, full=True).changed  # stored hashes recompute exactly


def test_a_deleted_node_is_noticed_even_without_full(neo4j_driver, seed_path):
    reg = load_register(seed_path)
    sync(reg, neo4j_driver)
    with neo4j_driver.session() as s:
        s.run("MATCH (n:Entity {id: 'asb-county-group'}) DETACH DELETE n").consume()
    again = sync(reg, neo4j_driver)
    assert again.nodes_created == 1
    assert counts(neo4j_driver) == expected_counts(reg)


def test_a_link_inserted_at_the_head_of_a_list_keeps_the_relationships_after_it(neo4j_driver, seed_path):
    """Every later link's key (origin/field/index) moves by one: their relationships are
    updated in place (same element ids), not deleted and created again, and the database
    holds exactly the new register."""
    reg = load_register(seed_path)
    sync(reg, neo4j_driver)
    board = reg.get("lancashire-csp-board")
    newcomer = next(o.id for o in reg.organisations if o.id not in {m.member for m in board.members})

    def member_ids() -> dict[str, str]:
        with neo4j_driver.session() as s:
            return {
                r["m"]: r["e"]
                for r in s.run(
                    "MATCH (m:Entity)-[r:MEMBER_OF]->(:Entity {id: $b}) RETURN m.id AS m, elementId(r) AS e",
                    b=board.id,
                )
            }

    before = member_ids()
    first = board.members[0].model_copy(update={"member": newcomer})
    bodies = tuple(
        b.model_copy(update={"members": (first, *b.members)}) if b.id == board.id else b for b in reg.bodies
    )
    bigger = loads(dump_register(reg.model_copy(update={"bodies": bodies})))
    summary = sync(bigger, neo4j_driver)
    after = member_ids()
    assert {m: after[m] for m in before} == before
    assert set(after) == set(before) | {newcomer}
    assert (summary.edges_created, summary.edges_updated, summary.edges_deleted) == (1, len(board.members), 0)
    assert read_register(neo4j_driver).model_dump() == bigger.model_dump()
