"""Shared fixtures: registers built in code or read from tests/registers/."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# No deadline on any example: a test asserts behaviour, never time (a machine shared by a
# whole team took 400 ms for an example hypothesis gives 200 ms, and called the test flaky).
settings.register_profile("govmap", deadline=None)
# CI runs every property test on the same examples, so a green build stays green and a
# red one is a change of ours, never an unlucky draw; a developer's run explores afresh.
settings.register_profile("ci", parent=settings.get_profile("govmap"), derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "govmap")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "boards.yaml"
REGISTERS = Path(__file__).resolve().parent / "registers"


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def write_register(tmp_path: Path) -> Callable[[str], Path]:
    """Write dedented YAML text to a file and return its path."""

    def write(text: str, name: str = "boards.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


# -- a real Neo4j server, started once per session -----------------------------
NEO4J_SCRIPT = ROOT / "scripts" / "neo4j"
NEO4J_PASSWORD = "govmap-test-password"


def start_neo4j(instance: Path) -> str:
    """Start a real Neo4j 5.26 in ``instance`` on a free port; return its Bolt URI."""
    import os
    import subprocess

    env = {**os.environ, "NEO4J_PASSWORD": NEO4J_PASSWORD}
    out = subprocess.run(
        [str(NEO4J_SCRIPT), "start", "--port", "auto", "--dir", str(instance)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(f"scripts/neo4j start failed:\n{out.stderr}")
    return next(line.split("=", 1)[1] for line in out.stdout.splitlines() if line.startswith("NEO4J_URI="))


def stop_neo4j(instance: Path) -> None:
    import subprocess

    subprocess.run([str(NEO4J_SCRIPT), "stop", "--dir", str(instance)], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory: pytest.TempPathFactory):
    instance = tmp_path_factory.mktemp("neo4j")
    uri = start_neo4j(instance)
    yield uri
    stop_neo4j(instance)


@pytest.fixture
def neo4j_env(neo4j_uri: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import os

    env = {"NEO4J_URI": neo4j_uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": NEO4J_PASSWORD}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    return {**os.environ, **env}


@pytest.fixture
def neo4j_driver(neo4j_env: dict[str, str]):
    """A driver on an emptied database."""
    from govmap.graph.neo4j import Neo4jSettings, connect

    driver = connect(Neo4jSettings.from_env())
    with driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def seed_register():
    """The seed register (data/boards.yaml), loaded once.  A missing or invalid seed fails the tests that use it."""
    from govmap.ingest.errors import GovmapError
    from govmap.ingest.reading.load import load_register

    try:
        return load_register(SEED)
    except GovmapError as exc:
        pytest.fail(f"data/boards.yaml does not load: {exc.format()}")
