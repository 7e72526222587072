"""Every feature of the YAML store on the Neo4j store: decisions dumped and loaded, the Changes
page against the team's register file and before a load, export, import, what-if, decide, report.

The Decide form and the Changes page run the same tests on both stores (tests/test_decisions.py,
tests/test_diff.py, parametrized with ``STORES``); these are what only a database store has.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govmap.cli import ExitStatus
from govmap.graph.neo4j import Neo4jSettings, read_register, sync
from govmap.graph.neo4j.decisions import Neo4jDecisions
from govmap.graph.neo4j.editing import Neo4jStore
from govmap.graph.report import ReportOptions, report
from govmap.graph.review.decisions import decide
from govmap.ingest.reading.load import load_register
from govmap.ingest.store.decisions import decisions_path, decisions_text, load_decisions
from govmap.ingest.store.dump import dump_register
from govmap.ingest.store.edit_values import ChangeRecord
from tests.clisupport import run_in as run
from tests.websupport import REGISTERS, login, make_app

pytestmark = pytest.mark.neo4j

DAY = "2026-03-01"


@pytest.fixture
def loaded(neo4j_driver, neo4j_env, tmp_path: Path) -> Path:
    """The web test register as a file in ``tmp_path``, loaded into the (emptied) database."""
    path = tmp_path / "boards.yaml"
    shutil.copy(REGISTERS / "web.yaml", path)
    sync(load_register(path), neo4j_driver)
    return path


def store(driver, path: Path | None = None) -> Neo4jStore:
    return Neo4jStore(Neo4jSettings.from_env(), driver=driver, register_file=str(path) if path else None)


def findings(path: Path) -> list:
    return list(report(load_register(path), options=ReportOptions()).findings)


def a_decision(path: Path, n: int = 0, by: str = "alice"):
    import datetime as dt

    return decide(findings(path)[n], "accepted", "Known and tolerated", by, dt.date(2026, 3, 1))


# -- decisions: kept in the database, dumped beside the register, loaded back ------------------


def test_dump_writes_the_decisions_beside_the_register_and_load_brings_them_back(neo4j_driver, loaded):
    held = store(neo4j_driver).decisions
    held.record(a_decision(loaded), "alice", "north-csp")
    held.record(a_decision(loaded, 1, "bob"), "bob", "north-csp")
    out = loaded.parent / "dumped.yaml"
    result = run(loaded.parent, "dump", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert load_decisions(decisions_path(out)) == held.load()
    with neo4j_driver.session() as s:
        s.run("MATCH (n) DETACH DELETE n").consume()
    result = run(loaded.parent, "load", str(out))
    assert result.exit_code == 0, result.output
    assert "decisions: 2 added, changed or removed" in result.output
    assert store(neo4j_driver).decisions.load() == load_decisions(decisions_path(out))


def test_an_invalid_decisions_file_beside_the_register_stops_the_load_with_its_positions(
    neo4j_driver, loaded
):
    decisions_path(loaded).write_text("decisions:\n  - finding: x\n", encoding="utf-8")
    before = store(neo4j_driver).load()[1]
    result = run(loaded.parent, "load", str(loaded))
    assert result.exit_code == ExitStatus.INVALID
    assert result.output.splitlines()[0] == (
        f"{decisions_path(loaded)}:2:5: error: decision on 'x': missing required key 'status'"
    )
    assert store(neo4j_driver).load()[1] == before


def test_a_decision_made_in_the_database_is_not_undone_by_a_load_without_consent(neo4j_driver, loaded):
    held = store(neo4j_driver).decisions
    decisions_path(loaded).write_text(decisions_text([a_decision(loaded, 1)]), encoding="utf-8")
    assert run(loaded.parent, "load", str(loaded)).exit_code == 0
    held.record(a_decision(loaded), "alice", "north-csp")  # on the web, after the load
    refused = run(loaded.parent, "load", str(loaded))
    assert refused.exit_code == ExitStatus.CONFLICT
    assert "the database holds edits made since the last load (latest: decided accepted on finding" in (
        refused.output
    )
    assert len(held.load()) == 2
    decisions_path(loaded).unlink()  # a register file alone leaves the decisions as they are
    assert run(loaded.parent, "load", str(loaded)).exit_code == 0
    assert len(held.load()) == 2
    decisions_path(loaded).write_text(decisions_text([a_decision(loaded, 1)]), encoding="utf-8")
    assert run(loaded.parent, "load", str(loaded)).exit_code == 0  # the last write was a load
    assert [d.finding for d in held.load()] == [findings(loaded)[1].id]


def test_a_decision_stored_invalid_by_hand_is_refused_by_name_not_shown(neo4j_driver, loaded):
    held = store(neo4j_driver).decisions
    held.record(a_decision(loaded), "alice", "north-csp")
    with neo4j_driver.session() as s:
        s.run('MATCH (d:GovmapDecision) SET d.data = \'{"finding": "Bad Id"}\'').consume()
        s.run("MATCH (g:GovmapRegister) SET g.decided = g.decided + 1").consume()
    from govmap.graph.neo4j import StoredRegisterInvalid

    with pytest.raises(StoredRegisterInvalid, match="the decision on '.*' in Neo4j is not valid: finding"):
        held.load()


# -- the Changes page: the team's register file, and before a load ------------------------------


def test_the_changes_page_compares_the_database_with_the_register_file_as_it_is(neo4j_driver, loaded):
    app = make_app(loaded, GOVMAP_STORE=store(neo4j_driver, loaded))
    held = app.extensions["govmap.store"]
    _, version = held.load()
    held.apply(ChangeRecord("north-csp", {"name": "North Safer Partnership"}), version, "alice")
    page = app.test_client().get("/changes?file=1").get_data(as_text=True)
    assert "From boards.yaml (the file) to the database (now)" in page
    assert "name: North Community Safety Partnership -&gt; North Safer Partnership" in page


def test_the_changes_page_compares_the_database_with_itself_before_a_load(neo4j_driver, loaded):
    app = make_app(loaded, GOVMAP_STORE=store(neo4j_driver))
    changed = loaded.parent / "changed.yaml"
    changed.write_text(
        loaded.read_text(encoding="utf-8").replace(
            "name: Testshire Community Safety Board", "name: Testshire Safer Communities Board"
        ),
        encoding="utf-8",
    )
    assert run(loaded.parent, "load", str(changed)).exit_code == 0
    client = app.test_client()
    page = client.get("/changes?audit=0").get_data(as_text=True)
    assert "From the database before &#39;load: records: 0 added, 1 changed" in page
    assert "name: Testshire Community Safety Board -&gt; Testshire Safer Communities Board" in page
    assert "1 changed" in page or "changed:" in page


def test_without_a_register_file_the_changes_page_says_so_and_compares_only_with_itself(neo4j_driver, loaded):
    client = make_app(loaded, GOVMAP_STORE=store(neo4j_driver)).test_client()
    page = client.get("/changes").get_data(as_text=True)
    assert "The register is kept in a database and the server was started without the register file" in page
    response = client.get("/changes?rev=HEAD")
    assert response.status_code == 400
    assert (
        "There is no register file to compare with: the register is kept in a database"
        in response.get_data(as_text=True)
    )


def test_a_load_by_an_older_govmap_cannot_be_undone_and_the_page_says_so(neo4j_driver, loaded):
    with neo4j_driver.session() as s:
        s.run("MATCH (a:GovmapAudit) REMOVE a.undo").consume()
    client = make_app(loaded, GOVMAP_STORE=store(neo4j_driver)).test_client()
    response = client.get("/changes?audit=0")
    assert response.status_code == 400
    assert "kept nothing to undo it (an older govmap wrote it)" in response.get_data(as_text=True)


def test_a_load_over_a_record_broken_by_hand_cannot_be_undone_and_the_page_says_so(neo4j_driver, loaded):
    # The load keeps the records it replaces as the database held them, without checking them:
    # one broken in Neo4j Browser is kept broken, and the register before the load cannot be made.
    with neo4j_driver.session() as s:
        s.run("MATCH (n:Entity {id: 'county-board'}) SET n.data = '{}'").consume()
    changed = loaded.parent / "changed.yaml"
    changed.write_text(
        loaded.read_text(encoding="utf-8").replace(
            "name: Testshire Community Safety Board", "name: Testshire Safer Communities Board"
        ),
        encoding="utf-8",
    )
    summary = sync(load_register(changed), neo4j_driver)
    assert (summary.records_changed, summary.nodes_updated) == (1, 1)
    assert read_register(neo4j_driver).get("county-board").name == "Testshire Safer Communities Board"
    response = make_app(loaded, GOVMAP_STORE=store(neo4j_driver)).test_client().get("/changes?audit=0")
    assert response.status_code == 400
    assert (
        "replaced &#39;county-board&#39;, which the database held broken (edited by hand), so the register "
        "before it cannot be made" in response.get_data(as_text=True)
    )


# -- export, import, what-if, decide and report from the database ------------------------------


def test_export_from_the_database_is_the_export_of_its_register(neo4j_env, loaded, tmp_path):
    uri = neo4j_env["NEO4J_URI"]
    assert run(tmp_path, "export", "--neo4j", uri, "--format", "popolo", "-o", "db.json").exit_code == 0
    assert run(tmp_path, "export", str(loaded), "--format", "popolo", "-o", "file.json").exit_code == 0
    assert json.loads((tmp_path / "db.json").read_text()) == json.loads((tmp_path / "file.json").read_text())


def test_import_into_the_database_writes_the_changes_audited_as_an_import(
    neo4j_driver, neo4j_env, loaded, tmp_path
):
    uri = neo4j_env["NEO4J_URI"]
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        loaded.read_text().replace("name: North Community Safety Partnership", "name: North CSP")
    )
    assert run(tmp_path, "export", str(changed), "-o", "sheet.xlsx").exit_code == 0
    dry = run(tmp_path, "import", "sheet.xlsx", "--into", uri, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "~ body 'north-csp' changed: name: North Community Safety Partnership -> North CSP" in dry.output
    assert read_register(neo4j_driver).get("north-csp").name == "North Community Safety Partnership"
    result = run(tmp_path, "import", "sheet.xlsx", "--into", uri)
    assert result.exit_code == 0, result.output
    assert read_register(neo4j_driver).get("north-csp").name == "North CSP"
    [entry, *_] = store(neo4j_driver).history()
    assert entry.action == "import" and entry.summary.startswith("import: records: 0 added, 1 changed")
    # The import is a change made in the store: loading the old file would undo it, so it is refused.
    assert run(tmp_path, "load", str(loaded)).exit_code == ExitStatus.CONFLICT


def test_import_into_the_database_refuses_to_remove_a_fifth_of_the_records(
    neo4j_driver, neo4j_env, loaded, tmp_path
):
    uri = neo4j_env["NEO4J_URI"]
    reg = load_register(loaded)
    small = tmp_path / "small.yaml"
    unlinked = {"members": (), "themes": (), "hosted_by": (), "accountable_to": (), "scrutinises": ()}
    bodies = tuple(b.model_copy(update=unlinked) for b in reg.bodies)
    kept = reg.model_copy(update={"organisations": (), "themes": (), "strategies": (), "bodies": bodies})
    small.write_text(dump_register(kept), encoding="utf-8")  # 6 of 12 records
    before = store(neo4j_driver).load()[1]
    assert run(tmp_path, "export", str(small), "-o", "sheet.xlsx").exit_code == 0
    result = run(tmp_path, "import", "sheet.xlsx", "--into", uri)
    assert result.exit_code == ExitStatus.CONFLICT
    assert "nothing was written (check the spreadsheet holds every sheet" in result.output
    assert store(neo4j_driver).load()[1] == before


def test_whatif_decide_and_report_read_the_database(neo4j_driver, neo4j_env, loaded, tmp_path):
    uri = neo4j_env["NEO4J_URI"]
    bodies = [b.id for b in load_register(loaded).bodies][:2]
    args = ["whatif", "--merge", ",".join(bodies), "--into", "merged", "--name", "Merged", "--as-of", DAY]
    from_db = run(tmp_path, *args, "--neo4j", uri)
    from_file = run(tmp_path, *args[:1], str(loaded), *args[1:])
    assert from_db.exit_code == 0, from_db.output
    assert from_db.output == from_file.output
    fid = findings(loaded)[0].id
    decided = run(
        tmp_path,
        "decide",
        fid,
        "--neo4j",
        uri,
        "--status",
        "accepted",
        "--reason",
        "Known",
        "--by",
        "carol",
        "--as-of",
        DAY,
    )
    assert decided.exit_code == 0, decided.output
    assert decided.output.startswith(f"Neo4j at {uri}: {fid} accepted: ")
    [d] = store(neo4j_driver).decisions.load()
    assert (d.finding, d.by) == (fid, "carol")
    out = json.loads(run(tmp_path, "report", "--neo4j", uri, "--format", "json", "--as-of", DAY).output)
    assert [f["id"] for f in out["decisions"]["decided"]] == [fid]
    assert fid not in [f["id"] for f in out["findings"]]
    assert out["generated_from"]["file"] == f"Neo4j at {uri}"


def test_the_decide_form_on_the_database_is_in_the_history_page(neo4j_driver, loaded):
    app = make_app(loaded, GOVMAP_STORE=store(neo4j_driver))
    client = app.test_client()
    login(client, "alice")
    with app.test_request_context():
        from govmap.webviz import state

        fid = state.current().report.findings[0].id
    assert client.post(f"/decisions/{fid}", data={"status": "accepted", "reason": "ok"}).status_code == 302
    assert isinstance(store(neo4j_driver).decisions, Neo4jDecisions)
    assert f"decided accepted on finding {fid}" in client.get("/history").get_data(as_text=True)
