"""Data flows one way: ingest -> graph -> webviz, and the CLI sits on top; inside graph/, rooms.

Rooms of graph/ (CONTRIBUTING.md): the analyses read a register and return
findings; the report renders findings; Neo4j stores and reads registers.  So the
analysis imports neither the report nor Neo4j, and the report does not import
Neo4j.  Importing the lightest part stays light: ``govmap.ingest`` loads no
NetworkX, SciPy or Flask.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = ("govmap.cli", "govmap.cliutil", "govmap.commands")

#: folder -> govmap modules that no module in it may import
FORBIDDEN = {
    "support": ("govmap.ingest", "govmap.graph", "govmap.webviz", *CLI),
    "ingest": ("govmap.graph", "govmap.webviz", *CLI),
    "ingest/reading": ("govmap.ingest.store", "govmap.ingest.tabular"),
    "ingest/store": ("govmap.ingest.tabular",),
    "graph": ("govmap.webviz", *CLI),
    "graph/analysis": ("govmap.graph.report", "govmap.graph.neo4j", "govmap.graph.review"),
    "graph/report": ("govmap.graph.neo4j", "govmap.graph.review"),
    "graph/review": ("govmap.graph.neo4j",),
    "webviz": CLI,
    "webviz/map": ("govmap.webviz.views",),
}
#: folder -> the package it is installed as
PACKAGES = {
    "ingest": "govmap.ingest",
    "graph": "govmap.graph",
    "webviz": "govmap.webviz",
    "support": "govmap.support",
    "govmap": "govmap",
}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT)
    parts = [PACKAGES[rel.parts[0]], *rel.parts[1:]]
    parts[-1] = parts[-1].removesuffix(".py")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved; ``from a import b`` counts a and a.b."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            out.add(module)
            out.update(f"{module}.{a.name}" for a in node.names)
    return out


def offenders(folder: str) -> list[str]:
    out = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in sorted(imports(path)):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[folder]):
                out.append(f"{path.relative_to(ROOT)} imports {name}")
    return out


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_no_package_imports_a_layer_or_room_it_must_not(folder):
    assert offenders(folder) == []


def test_the_import_walk_sees_relative_imports():
    """The check could not fail if it missed ``from ..x import y``: it resolves them."""
    assert "govmap.ingest.errors" in imports(ROOT / "ingest" / "reading" / "validate.py")
    assert "govmap.ingest.model.SECTIONS" in imports(ROOT / "ingest" / "reading" / "validate.py")


def test_every_package_folder_is_installed_by_pyproject():
    """A subpackage missing from pyproject works in an editable install and breaks `pip install .`."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    dirs = {v: k for k, v in config["package-dir"].items()}
    found = set()
    for folder, name in dirs.items():
        for init in sorted((ROOT / folder).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


HEAVY = ("networkx", "scipy", "numpy", "flask")
PROBE = """
import importlib, json, pkgutil, sys
import {target}
if {walk}:
    import govmap.ingest
    for info in pkgutil.walk_packages(govmap.ingest.__path__, "govmap.ingest."):
        importlib.import_module(info.name)
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))))
"""


def heavy_after(target: str, walk: bool = False) -> list[str]:
    code = PROBE.format(target=target, walk=walk, heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, check=True
    )
    return json.loads(done.stdout)


def test_importing_the_ingest_package_and_every_module_in_it_loads_no_networkx_scipy_or_flask():
    assert heavy_after("govmap.ingest", walk=True) == []


def test_importing_govmap_loads_no_networkx_scipy_or_flask_until_a_name_is_used():
    assert heavy_after("govmap") == []
    assert heavy_after("govmap; govmap.build_graph") == ["networkx"]


def test_the_facade_names_every_export_and_only_those():
    import govmap

    assert sorted(govmap.__all__) == sorted(["__version__", *govmap._EXPORTS])
    assert all(getattr(govmap, name) is not None for name in govmap.__all__)
    with pytest.raises(AttributeError, match="module 'govmap' has no attribute 'nothing'"):
        govmap.nothing  # noqa: B018


def test_mypy_checks_every_package_with_no_blanket_ignore():
    """A global ``ignore_missing_imports`` once turned every govmap import into Any."""
    import tomllib

    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert "ignore_missing_imports" not in mypy
    ignored = [m for o in mypy.get("overrides", []) if o.get("ignore_missing_imports") for m in o["module"]]
    assert not [m for m in ignored if m.split(".")[0] == "govmap"]
    script = (ROOT / "scripts" / "check").read_text(encoding="utf-8")
    assert "scripts/check" in (ROOT / "scripts" / "test-all").read_text(encoding="utf-8")
    assert "mypy --config-file" in script and "-p govmap" in script
