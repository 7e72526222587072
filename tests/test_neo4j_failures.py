"""Clean failures against a real Neo4j: one line, the documented exit code, nothing changed."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govmap.cli import ExitStatus
from govmap.graph.neo4j import Neo4jReadOnly, Neo4jSettings, connect, read_register, sync
from govmap.graph.neo4j.editing import Neo4jStore
from govmap.ingest.model import record_version
from govmap.ingest.reading.load import load_register
from govmap.ingest.store.edit_values import ChangeRecord

from .conftest import NEO4J_PASSWORD, REGISTERS, start_neo4j, stop_neo4j

WEB = REGISTERS / "web.yaml"


def run_cli(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govmap", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def count_nodes(driver) -> int:
    with driver.session() as s:
        return s.run("MATCH (n:Entity) RETURN count(n) AS n").single()["n"]


# -- addresses and settings (no server needed) --------------------------------------------
def test_an_http_address_is_refused_in_one_line_naming_the_supported_schemes(seed_path):
    result = run_cli("load", str(seed_path), "--neo4j", "http://127.0.0.1:7474", env=dict(os.environ))
    assert result.returncode == ExitStatus.USAGE
    assert result.stderr == (
        "error: 'http://127.0.0.1:7474' is not a Neo4j address: the scheme 'http' is not supported "
        "(use one of bolt://, bolt+s://, bolt+ssc://, neo4j://, neo4j+s://, neo4j+ssc://, "
        "e.g. bolt://127.0.0.1:7687)\n"
    )


def test_a_timeout_that_is_not_a_number_is_a_bad_setting(seed_path):
    result = run_cli("dump", env={**os.environ, "NEO4J_TIMEOUT": "soon"})
    assert result.returncode == ExitStatus.USAGE
    assert result.stderr == (
        "error: NEO4J_TIMEOUT='soon' is not a number of seconds (use for example NEO4J_TIMEOUT=15)\n"
    )


def test_the_loader_gives_up_on_an_address_that_never_answers_within_its_timeout(seed_path):
    # 10.255.255.1 is routed nowhere: connecting hangs until the driver's timeout.
    t = time.monotonic()
    result = run_cli(
        "load", str(seed_path), "--neo4j", "bolt://10.255.255.1:7687", "--timeout", "2", env=dict(os.environ)
    )
    elapsed = time.monotonic() - t
    assert result.returncode == ExitStatus.NEO4J_UNAVAILABLE
    assert result.stderr.splitlines()[-1] == (
        "error: cannot reach Neo4j at bolt://10.255.255.1:7687 "
        "(is the server running? start one with scripts/neo4j start, or set NEO4J_URI)"
    )
    assert len(result.stderr.splitlines()) <= 2 and "Traceback" not in result.stderr
    assert elapsed < 15


# -- a real server --------------------------------------------------------------------
@pytest.mark.neo4j
def test_the_system_database_is_refused_with_exit_4_not_a_failed_write(neo4j_env):
    result = run_cli("dump", env={**neo4j_env, "NEO4J_DATABASE": "system"})
    assert result.returncode == ExitStatus.NEO4J_REFUSED
    assert result.stderr == (
        "error: 'system' is Neo4j's administration database; a govmap register cannot be kept there "
        "(set NEO4J_DATABASE to 'neo4j' (or another database), or leave it unset)\n"
    )


@pytest.mark.neo4j
def test_too_many_wrong_passwords_are_refused_with_exit_4(neo4j_env, seed_path):
    bad = {**neo4j_env, "NEO4J_PASSWORD": "wrong-password"}
    try:
        for _ in range(8):
            result = run_cli("dump", env=bad)
            assert result.returncode == ExitStatus.NEO4J_REFUSED, result.stderr
            assert "Traceback" not in result.stderr
            if "too many failed logins" in result.stderr:
                break
        assert result.stderr == (
            f"error: Neo4j at {neo4j_env['NEO4J_URI']} refused user 'neo4j': too many failed logins "
            "(wait a few seconds, then check NEO4J_USER and NEO4J_PASSWORD)\n"
        )
    finally:
        time.sleep(6)  # the server locks the user for 5 s (dbms.security.auth_lock_time)


@pytest.mark.neo4j
def test_an_empty_file_or_a_stub_register_cannot_wipe_the_database(
    neo4j_driver, neo4j_env, seed_path, tmp_path
):
    sync(load_register(seed_path), neo4j_driver)
    before = count_nodes(neo4j_driver)
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    result = run_cli("load", str(empty), env=neo4j_env)
    assert result.returncode == ExitStatus.INVALID, result.stderr
    assert count_nodes(neo4j_driver) == before
    stub = tmp_path / "stub.yaml"
    stub.write_text("govmap: 1\ndocuments:\n  - {id: only-one, name: Only one}\n", encoding="utf-8")
    result = run_cli("load", str(stub), env=neo4j_env)
    assert result.returncode == ExitStatus.CONFLICT
    assert result.stderr.startswith(
        f"error: this load would delete {before} of {before} records (100%), more than the 20% allowed; "
        "nothing was changed (check the file is the whole register (first deleted: "
    )
    assert result.stderr.endswith("to delete them anyway use --max-delete 101 or --force)\n")
    assert count_nodes(neo4j_driver) == before
    forced = run_cli("load", str(stub), "--force", env=neo4j_env)
    assert forced.returncode == 0, forced.stderr
    assert count_nodes(neo4j_driver) == 1


@pytest.mark.neo4j
def test_a_load_that_deletes_under_the_limit_goes_through(neo4j_driver, seed_path):
    reg = load_register(seed_path)
    sync(reg, neo4j_driver)
    lonely = [
        r.id
        for r in reg.records()
        if r.id not in {x.source for x in reg.relations()} | {x.target for x in reg.relations()}
        and r.section != "documents"  # documents are named as sources, not by relationships
        and r.id not in reg.info.top
    ]
    assert lonely, "the seed has records no relationship names"
    # One record fewer is well under 20 %.
    from govmap.ingest.reading.load import loads
    from govmap.ingest.store.dump import dump_register

    fields = {
        s: tuple(r for r in getattr(reg, s) if r.id != lonely[0])
        for s in (
            "documents",
            "areas",
            "organisations",
            "bodies",
            "themes",
            "strategies",
            "platforms",
            "posts",
            "people",
        )
    }
    smaller = loads(dump_register(reg.model_copy(update=fields)))
    assert sync(smaller, neo4j_driver).nodes_deleted == 1


@pytest.mark.neo4j
def test_every_relationship_delete_and_update_names_its_type_and_seeks_by_id_or_index(neo4j_driver):
    import re

    source = "".join(
        Path(sys.modules[m].__file__).read_text(encoding="utf-8")
        for m in ("govmap.graph.neo4j.sync", "govmap.graph.neo4j.write", "govmap.graph.neo4j.editing")
    )
    literals = re.findall(r'f?"([^"]*(?:DELETE r|SET r =)[^"]*)"', source)
    assert all("-[r:{rtype.name}" in q for q in literals), literals  # every one names its type
    writes = [q for q in literals if "MATCH ()-[r" in q]  # those that find an existing relationship
    assert len(writes) == 2, literals
    with neo4j_driver.session() as s:
        for query in writes:
            query = query.replace("{rtype.name}", "MEMBER_OF").replace("{{", "{").replace("}}", "}")
            ops = _operators(s.run("EXPLAIN " + query, ids=[], rows=[]).consume().plan)
            assert {"DirectedRelationshipByElementIdSeek", "DirectedRelationshipIndexSeek"} & set(ops), ops
            assert not any("Scan" in op for op in ops), ops


def _operators(plan) -> list[str]:
    out = [plan["operatorType"].split("@")[0]]
    for child in plan.get("children", []):
        out += _operators(child)
    return out


# -- a read-only database --------------------------------------------------------------
@pytest.fixture(scope="module")
def read_only_env(tmp_path_factory: pytest.TempPathFactory):
    """A second server whose 'neo4j' database holds tests/registers/web.yaml and is read-only."""
    instance = tmp_path_factory.mktemp("neo4j-read-only")
    uri = start_neo4j(instance)
    try:
        driver = connect(Neo4jSettings(uri, "neo4j", NEO4J_PASSWORD))
        sync(load_register(WEB), driver)
        driver.close()
        stop_neo4j(instance)
        (instance / "conf" / "extra.conf").write_text("server.databases.read_only=neo4j\n", encoding="utf-8")
        uri = start_neo4j(instance)
        yield {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": NEO4J_PASSWORD}
    finally:
        stop_neo4j(instance)


@pytest.mark.neo4j
def test_an_unchanged_load_into_a_read_only_database_says_no_change(read_only_env):
    result = run_cli("load", str(WEB), env=read_only_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no change: ")


@pytest.mark.neo4j
def test_a_changed_load_into_a_read_only_database_says_so_in_one_line(read_only_env, tmp_path):
    changed = tmp_path / "changed.yaml"
    changed.write_text(WEB.read_text(encoding="utf-8").replace("North District Council", "North Council"))
    result = run_cli("load", str(changed), env=read_only_env)
    assert result.returncode == ExitStatus.NEO4J_FAILED
    assert result.stderr == (
        f"error: the database at {read_only_env['NEO4J_URI']} is read-only; nothing was changed "
        "(load into a writable database (server.databases.read_only lists the read-only ones))\n"
    )
    dumped = run_cli("dump", env=read_only_env)
    assert dumped.returncode == 0 and "North District Council" in dumped.stdout


@pytest.mark.neo4j
def test_the_web_app_serves_a_read_only_database_with_a_banner_and_no_editing(read_only_env, tmp_path):
    from tests.websupport import login, make_app

    settings = Neo4jSettings(read_only_env["NEO4J_URI"], "neo4j", NEO4J_PASSWORD)
    store = Neo4jStore(settings)
    try:
        assert store.read_only
        register, _ = store.load()
        rec = register.get("north-csp")
        with pytest.raises(Neo4jReadOnly):
            store.apply(ChangeRecord("north-csp", {"name": "X"}), record_version(rec), "alice")
        (tmp_path / "boards.yaml").write_text("# not used: the store is Neo4j\n", encoding="utf-8")
        client = make_app(tmp_path / "boards.yaml", GOVMAP_STORE=store).test_client()
        login(client, "alice")
        page = client.get("/entity/north-csp").get_data(as_text=True)
        assert "Read-only: the register's database refuses writes, so editing is switched off." in page
        assert "/edit/north-csp" not in page
        refused = client.get("/edit/north-csp")
        assert refused.status_code == 403
        assert "editing is switched off" in refused.get_data(as_text=True)
        assert read_register(store.driver).get("north-csp").name == rec.name
    finally:
        store.close()


# -- a lost commit acknowledgement, and a server gone during a save (issue 26, defects 15, 16) --


@pytest.mark.neo4j
def test_a_load_whose_commit_acknowledgement_is_lost_says_it_may_have_been_applied_with_exit_7(
    neo4j_driver, neo4j_env, tmp_path
):
    from .boltproxy import BoltProxy

    sync(load_register(WEB), neo4j_driver)
    changed = tmp_path / "changed.yaml"
    changed.write_text(WEB.read_text(encoding="utf-8").replace("North District Council", "North Council"))
    with BoltProxy(neo4j_env["NEO4J_URI"]) as proxy:
        proxy.lose_next_commit()
        result = run_cli("load", str(changed), env={**neo4j_env, "NEO4J_URI": proxy.uri})
    assert proxy.commits_lost == 1
    assert result.returncode == ExitStatus.COMMIT_UNKNOWN == 7, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"error: lost the connection to Neo4j at {proxy.uri} just after the load was sent: it may have "
        "been applied (load the same file again: 'no change' means it was; or check with 'govmap dump')"
    )
    assert len(result.stderr.splitlines()) <= 2 and "Traceback" not in result.stderr
    assert read_register(neo4j_driver).get("north-council").name == "North Council"  # it was
    again = run_cli("load", str(changed), env=neo4j_env)
    assert again.returncode == 0 and again.stdout.startswith("no change: ")


@contextlib.contextmanager
def alice_editing_through_a_proxy(neo4j_driver, neo4j_env, tmp_path: Path):
    """The web app on web.yaml in Neo4j, reached through a :class:`BoltProxy`; alice signed in
    with north-csp's edit form open.  Yields (proxy, client, a POST of that form)."""
    from tests.websupport import hidden, login, make_app

    from .boltproxy import BoltProxy

    sync(load_register(WEB), neo4j_driver)
    with BoltProxy(neo4j_env["NEO4J_URI"]) as proxy:
        store = Neo4jStore(Neo4jSettings(proxy.uri, "neo4j", NEO4J_PASSWORD, timeout=2))
        try:
            (tmp_path / "boards.yaml").write_text("# not used: the store is Neo4j\n", encoding="utf-8")
            client = make_app(tmp_path / "boards.yaml", GOVMAP_STORE=store).test_client()
            login(client, "alice")
            version = hidden(client.get("/edit/north-csp").get_data(as_text=True), "version")
            yield (
                proxy,
                client,
                lambda: client.post(
                    "/edit/north-csp", data={"version": version, "description": "My careful words"}
                ),
            )
        finally:
            store.close()


@pytest.mark.neo4j
def test_a_web_save_to_a_database_gone_away_says_not_saved_and_keeps_the_text(
    neo4j_driver, neo4j_env, tmp_path
):
    with alice_editing_through_a_proxy(neo4j_driver, neo4j_env, tmp_path) as (proxy, client, send):
        proxy.down = True
        proxy.cut()
        response = send()
        html = response.get_data(as_text=True)
        assert response.status_code == 503
        assert "Not saved: the register&#39;s database could not be reached, so nothing was saved." in html
        assert '<pre class="yours">My careful words</pre>' in html  # kept, though no form can be built
        assert "run it again" not in html
        down_page = client.application.test_client().get("/entities")  # someone not signed in
        text = down_page.get_data(as_text=True)
        assert down_page.status_code == 503
        assert "The register&#39;s database cannot be reached just now." in text
        assert proxy.uri not in text and str(proxy.port) not in text
    assert read_register(neo4j_driver).get("north-csp").description != "My careful words"


@pytest.mark.neo4j
def test_a_web_save_whose_acknowledgement_is_lost_says_it_may_have_been_saved(
    neo4j_driver, neo4j_env, tmp_path
):
    with alice_editing_through_a_proxy(neo4j_driver, neo4j_env, tmp_path) as (proxy, _, send):
        proxy.lose_next_commit()
        response = send()
        html = response.get_data(as_text=True)
    assert proxy.commits_lost == 1
    assert response.status_code == 503
    assert (
        "The connection to the register&#39;s database was lost just as your change was sent: "
        "it may have been saved."
    ) in html
    assert "My careful words</textarea>" in html
    assert read_register(neo4j_driver).get("north-csp").description == "My careful words"


@pytest.mark.neo4j
def test_a_forced_load_that_replaces_web_edits_says_which(neo4j_driver, neo4j_env):
    sync(load_register(WEB), neo4j_driver)
    store = Neo4jStore(Neo4jSettings(neo4j_env["NEO4J_URI"], "neo4j", NEO4J_PASSWORD))
    try:
        rec = store.load()[0].get("north-csp")
        store.apply(ChangeRecord("north-csp", {"name": "North Web Edit"}), record_version(rec), "alice")
    finally:
        store.close()
    result = run_cli("load", str(WEB), "--force", env=neo4j_env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        "replaced 1 edit made in the web app since the last load: change name of 'north-csp' by alice at "
    )
    assert read_register(neo4j_driver).get("north-csp").name == "North Community Safety Partnership"
