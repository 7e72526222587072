"""Several users, one store, on a real Neo4j: loads and web edits queue on one lock and never mix.

Each trial races two writers for real (two OS processes, or two threads with
their own drivers) and then checks what the database holds against what is
known by construction.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from govmap.graph.neo4j import Neo4jConflict, Neo4jSettings, connect, read_register, sync
from govmap.graph.neo4j.editing import Neo4jStore
from govmap.ingest.errors import EditConflict
from govmap.ingest.model import record_version
from govmap.ingest.reading.load import load_register, loads
from govmap.ingest.store.dump import dump_register
from govmap.ingest.store.edit_values import ChangeRecord
from govmap.support.synth import synth_yaml

pytestmark = pytest.mark.neo4j

#: Trial counts (the issue asks for 20 and 50; each trial is a real race).
LOAD_TRIALS = 20
EDIT_TRIALS = 50


def renamed(register, record_id: str, name: str):
    """The register with one record renamed (a register that differs in one record)."""
    changed = register.get(record_id).model_copy(update={"name": name})
    fields = {
        section: tuple(changed if r.id == record_id else r for r in getattr(register, section))
        for section in ("bodies", "organisations", "areas", "documents", "themes", "strategies")
    }
    return loads(dump_register(register.model_copy(update=fields)))


@pytest.fixture(scope="module")
def base():
    """A register of one synthetic force area (about 1,200 records): a load takes a second or two."""
    return loads(synth_yaml(1, 1))


def two_bodies(register) -> tuple[str, str]:
    bodies = [b.id for b in register.bodies]
    return bodies[len(bodies) // 3], bodies[2 * len(bodies) // 3]


def run_load(path: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "govmap", "load", str(path), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_concurrent_loads_end_as_exactly_one_register_every_time(neo4j_driver, neo4j_env, base, tmp_path):
    x, y = two_bodies(base)
    a, b = renamed(base, x, "Changed by load A"), renamed(base, y, "Changed by load B")
    path_a, path_b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    path_a.write_text(dump_register(a), encoding="utf-8")
    path_b.write_text(dump_register(b), encoding="utf-8")
    want = {"A": a.model_dump(), "B": b.model_dump()}
    outcomes: dict[str, int] = {"A": 0, "B": 0}
    for _ in range(LOAD_TRIALS):
        sync(base, neo4j_driver, force=True)
        procs = [run_load(path_a, neo4j_env), run_load(path_b, neo4j_env)]
        results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        # Both wait for the lock and apply on top of each other: both succeed, neither mixes.
        assert [r[0] for r in results] == [0, 0], results
        held = read_register(neo4j_driver).model_dump()
        matches = [name for name, dump in want.items() if dump == held]
        assert len(matches) == 1, "the database holds a mixture of both registers"
        outcomes[matches[0]] += 1
        # The header agrees: reloading the register held says "no change".
        assert not sync(a if matches[0] == "A" else b, neo4j_driver).changed
    print(f"\n{LOAD_TRIALS} trials of two concurrent loads: {outcomes} (last writer), 0 mixed")


def race(store, loader, register, edit, form_version: str, delay: float) -> dict[str, object]:
    """A load of ``register`` and a web edit ``delay`` seconds after it (before it if negative)."""
    out: dict[str, object] = {}

    def load() -> None:
        threading.Event().wait(max(0.0, -delay))
        try:
            out["load"] = sync(register, loader)
        except Exception as exc:  # noqa: BLE001 - the outcome is asserted by the caller
            out["load"] = exc

    def apply() -> None:
        threading.Event().wait(max(0.0, delay))
        try:
            out["edit"] = store.apply(edit, form_version, "alice")
        except EditConflict as exc:
            out["edit"] = exc

    threads = [threading.Thread(target=load), threading.Thread(target=apply)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_a_web_edit_racing_a_load_is_refused_or_seen_by_the_next_load_never_silent(
    neo4j_driver, neo4j_env, seed_path, tmp_path
):
    base = load_register(seed_path)
    x, y = two_bodies(base)
    loaded = renamed(base, y, "Changed by the load")
    path = tmp_path / "loaded.yaml"
    path.write_text(dump_register(loaded), encoding="utf-8")
    rnd = random.Random(17)
    tally = {"refused 409": 0, "load refused (6)": 0, "edit seen by the next load (6)": 0}
    loader = connect(Neo4jSettings.from_env())
    store = Neo4jStore(Neo4jSettings.from_env(), driver=neo4j_driver)
    sync(base, neo4j_driver, force=True)
    started = time.monotonic()
    sync(loaded, neo4j_driver)
    window = 1.5 * (time.monotonic() - started)  # edits start anywhere from before to after a load
    try:
        for trial in range(EDIT_TRIALS):
            sync(base, neo4j_driver, force=True)
            register, _ = store.load()
            target = y if trial % 2 else x  # half edit the record the load changes, half another one
            form_version = record_version(register.get(target))
            name = f"Edited on the web, trial {trial}"
            out = race(
                store,
                loader,
                loaded,
                ChangeRecord(target, {"name": name}),
                form_version,
                rnd.uniform(-window, window),
            )
            held = read_register(neo4j_driver)
            if isinstance(out["edit"], EditConflict):
                assert target == y, "only an edit of the record the load changed may conflict"
                assert held.get(y).name == "Changed by the load"
                tally["refused 409"] += 1
                continue
            assert held.get(target).name == name, "an accepted edit must be in the database"
            # The next load of the file must see the edit: exit 6, nothing changed (the CLI in a few trials).
            if trial < 4:
                result = subprocess.run(
                    [sys.executable, "-m", "govmap", "load", str(path)],
                    capture_output=True,
                    text=True,
                    env=neo4j_env,
                )
                assert result.returncode == 6, (trial, result.stdout, result.stderr)
                assert "the database holds edits made since the last load" in result.stderr
            else:
                with pytest.raises(Neo4jConflict, match="the database holds edits made since the last load"):
                    sync(loaded, loader)
            assert read_register(neo4j_driver).get(target).name == name
            if getattr(out["load"], "exit_status", None) == 6:
                tally["load refused (6)"] += 1
            else:
                assert not isinstance(out["load"], Exception), out["load"]
                tally["edit seen by the next load (6)"] += 1
    finally:
        loader.close()
    print(f"\n{EDIT_TRIALS} trials of a web edit racing a load: {tally}, 0 silent")


def test_edits_to_different_records_do_not_refuse_each_other(neo4j_driver, neo4j_env, seed_path):
    sync(load_register(seed_path), neo4j_driver)
    store = Neo4jStore(Neo4jSettings.from_env(), driver=neo4j_driver)
    register, _ = store.load()
    ids = [b.id for b in register.bodies][:8]
    versions = {i: record_version(register.get(i)) for i in ids}
    results: dict[str, object] = {}

    def edit(i: str) -> None:
        try:
            results[i] = store.apply(ChangeRecord(i, {"description": f"edited {i}"}), versions[i], i)
        except EditConflict as exc:
            results[i] = exc

    threads = [threading.Thread(target=edit, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results.values() if isinstance(r, Exception)]
    held = read_register(neo4j_driver)
    assert all(held.get(i).description == f"edited {i}" for i in ids)
    assert len([e for e in store.history() if e.action == "change-record"]) == len(ids)
    serials = sorted(int(str(v).split("-")[0]) for v in results.values())
    assert serials == list(range(serials[0], serials[0] + len(ids)))  # one version step per edit
