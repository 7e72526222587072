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
    # the document the register cites (documents: path), which govmap extract reads
    seed = "lancashire-community-safety-agreement-2022-2025.txt"
    shutil.copy(ROOT / "data" / seed, tmp_path / "data" / seed)
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


def section_commands(title: str) -> list[str]:
    """The commands of one README section, in order."""
    text = README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [c for c in commands() if any(c == line.split("  #")[0].strip() for line in text.splitlines())]


#: Each command of this section reads what the one before wrote: they run in order, in one folder.
SPREADSHEET = section_commands("Bring your own spreadsheet")


@pytest.mark.parametrize(
    "line",
    [c for c in commands() if not c.startswith(("govmap serve", *NEO4J_COMMANDS)) and c not in SPREADSHEET],
)
def test_readme_command_runs(line, workdir):
    result = run(line, workdir)
    expected = 1 if "--fail-on high" in line else 0
    assert result.returncode == expected, result.stderr
    assert "Traceback" not in result.stderr


def test_readme_spreadsheet_commands_run_in_order(workdir):
    assert any(c.startswith("govmap import") for c in SPREADSHEET)
    for line in SPREADSHEET:
        result = run(line, workdir)
        assert result.returncode == 0, f"{line}: {result.stderr}"
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


# -- a plain install, used from the repository root -------------------------------

#: Not copied into the scratch source tree: build output, caches, the local Neo4j.
SCRATCH_IGNORE = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".neo4j", ".venv", "out"
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with a plain (non-editable) ``pip install .`` of this tree; its python.

    The dependencies come from the interpreter running the tests (a ``.pth``
    line names its site-packages; that folder's own ``.pth`` files, such as
    an editable install's finder, are not run), so the test needs no network
    for them; pip still fetches the build backend if it is not cached.
    """
    import site
    import venv

    base = tmp_path_factory.mktemp("install")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=SCRATCH_IGNORE)
    venv.create(base / "venv", with_pip=True)
    python = base / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "borrowed-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    done = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return python


def in_root(python: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "GOVMAP_"))}
    return subprocess.run(
        [str(python), *args], cwd=ROOT, input=stdin, capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.slow
def test_python_m_govmap_works_from_the_repository_root_after_a_plain_install(installed):
    done = in_root(installed, "-m", "govmap", "validate", "data/boards.yaml", "-q")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_the_readme_library_snippet_works_from_the_repository_root_after_a_plain_install(installed):
    (snippet,) = [b for b in blocks("python") if b.startswith("import govmap\n")]
    done = in_root(installed, "-c", snippet + "\nprint(type(graph).__name__, len(register.bodies) > 0)")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "MultiDiGraph True\n"


@pytest.mark.slow
def test_the_installed_copy_is_used_outside_the_repository(installed, tmp_path):
    done = subprocess.run(
        [str(installed), "-c", "import govmap.graph as g; print(g.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(installed.parent.parent)), done.stdout


@pytest.mark.slow
def test_the_password_tools_work_from_the_repository_root_after_a_plain_install(installed, tmp_path):
    users = tmp_path / "users.toml"
    done = in_root(
        installed, "-m", "govmap", "user", "add", "alice", "--role", "editor", "--users", str(users),
        "--password-stdin", stdin="s3cret\n",
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, f"added alice (editor) in {users}\n", "")
    check = "from govmap.webviz.accounts import read_users; from werkzeug.security import check_password_hash as c\n"
    check += f"a = read_users({str(users)!r})['alice']; print(a.role, c(a.password_hash, 's3cret'))"
    assert in_root(installed, "-c", check).stdout == "editor True\n"
