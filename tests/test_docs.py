"""Every command the README shows works on the seed register, and every YAML example fits the model."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from govmap.ingest.model import SECTIONS, RegisterInfo

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def commands() -> list[str]:
    out = []
    for block in blocks("sh"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("govmap "):
                out.append(line)
    return out


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "data" / "boards.yaml", tmp_path / "data" / "boards.yaml")
    return tmp_path


def run(line: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    args = shlex.split(line)
    return subprocess.run(
        [sys.executable, "-m", "govmap", *args[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_readme_starts_with_exactly_two_setup_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"```sh\n(.*?)```", setup, flags=re.S) == [
        "pip install . && govmap validate data/boards.yaml && govmap serve data/boards.yaml\n",
        "scripts/test-all\n",
    ]


NEO4J_COMMANDS = ("govmap load", "govmap dump")


@pytest.mark.parametrize(
    "line", [c for c in commands() if not c.startswith(("govmap serve", *NEO4J_COMMANDS))]
)
def test_readme_command_runs(line, workdir):
    result = run(line, workdir)
    expected = 1 if "--fail-on high" in line else 0
    assert result.returncode == expected, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.neo4j
def test_readme_neo4j_commands_run_in_order(workdir, neo4j_env, neo4j_driver):
    lines = [c for c in commands() if c.startswith(NEO4J_COMMANDS)]
    assert lines, "the README shows govmap load and govmap dump"
    for line in lines:
        result = run(line, workdir, env=neo4j_env)
        assert result.returncode == 0, f"{line}: {result.stderr}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_readme_serve_command_answers_on_a_local_address(workdir):
    port = free_port()
    args = ["serve", "data/boards.yaml", "--port", str(port)]
    with subprocess.Popen(
        [sys.executable, "-m", "govmap", *args],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GOVMAP_SECRET_KEY": "docs-test"},
    ) as proc:
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                        assert response.status == 200
                        assert "Lancashire" in response.read().decode("utf-8")
                        break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise
                    time.sleep(0.3)
        finally:
            proc.terminate()
            proc.communicate(timeout=30)


@pytest.mark.parametrize("example", blocks("yaml"))
def test_readme_yaml_examples_fit_the_model(example):
    data = yaml.safe_load(example)
    for key, value in data.items():
        if key == "govmap":
            assert value == 1
        elif key == "register":
            RegisterInfo.model_validate(value)
        else:
            for item in value:
                SECTIONS[key].model_validate(item)
