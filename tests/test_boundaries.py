"""Data flows one way: ingest -> graph -> webviz, and the CLI sits on top; inside each, rooms.

Rooms (CONTRIBUTING.md): the analyses read a register and return findings; the
report renders findings; Neo4j stores and reads registers; a layout knows only the
graph.  So the analysis imports neither the report nor Neo4j, and the report does
not import Neo4j.  Reading a register knows nothing of the store, spreadsheets or
documents.  No module imports another's private name, and no modules import each
other, even lazily.  Importing the lightest part stays light: ``govmap.ingest`` loads no
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
    "ingest/reading": ("govmap.ingest.store", "govmap.ingest.tabular", "govmap.ingest.documents"),
    "ingest/store": ("govmap.ingest.tabular", "govmap.ingest.documents"),
    "ingest/tabular": ("govmap.ingest.documents",),
    "graph": ("govmap.webviz", *CLI),
    "graph/analysis": ("govmap.graph.report", "govmap.graph.neo4j", "govmap.graph.review"),
    "graph/report": ("govmap.graph.neo4j", "govmap.graph.review"),
    "graph/review": ("govmap.graph.neo4j",),
    "graph/layout": (
        "govmap.graph.analysis",
        "govmap.graph.report",
        "govmap.graph.review",
        "govmap.graph.neo4j",
    ),
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


#: every module of the library: name -> file
MODULES = {module_name(p): p for folder in PACKAGES for p in sorted((ROOT / folder).rglob("*.py"))}


def _from_module(path: Path, node: ast.ImportFrom) -> str:
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_imports(path: Path) -> list[str]:
    """``from x import _name`` and ``import x; x._name`` in a file, where x is another module.

    A name starting with one underscore belongs to its module; a helper another module
    needs is part of its room's interface and gets a public name (or moves to its user).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = (
                _from_module(path, node) if path.parent.name not in ("tests", "bench") else node.module or ""
            )
            for alias in node.names:
                if _is_private(alias.name):
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {source} import {alias.name}")
                elif f"{source}.{alias.name}" in MODULES:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(
                a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("govmap")
            )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _is_private(node.attr)
        ):
            out.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    return out


def test_no_module_imports_a_private_name_from_another_module():
    found = [hit for path in MODULES.values() for hit in private_imports(path)]
    assert found == []


def test_no_test_or_benchmark_imports_a_private_name():
    """Tests and bench/ use a room's public names; the one kind of exception is reaching a
    private through its module (``dump_module._emit``) to prove it equal to the public path
    it speeds up."""
    files = sorted([*(ROOT / "tests").glob("*.py"), *(ROOT / "bench").glob("*.py")])
    found = [hit for path in files for hit in private_imports(path)]
    assert [hit for hit in found if " from " in hit] == []


def test_the_private_import_check_sees_both_spellings(tmp_path):
    sample = ROOT / "ingest" / "store" / "_probe_sample.py"
    try:
        sample.write_text("from .roundtrip import _x\nfrom govmap.ingest.store import edits\nedits._y()\n")
        MODULES[module_name(sample)] = sample
        assert private_imports(sample) == [
            "ingest/store/_probe_sample.py:1: from govmap.ingest.store.roundtrip import _x",
            "ingest/store/_probe_sample.py:3: edits._y",
        ]
    finally:
        MODULES.pop(module_name(sample), None)
        sample.unlink()


def module_imports(path: Path) -> set[str]:
    """The govmap modules a file imports when it runs, in functions too (a lazy import is a real
    dependency: it only moves an import-order failure from load time to call time).

    ``from package import module`` counts the module alone, not the package's ``__init__``
    (Python runs it first either way); imports under ``if TYPE_CHECKING:`` never run and are
    left out: a renderer may name the type of what it renders while that type's module calls it.
    """
    out = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                source = _from_module(path, node)
                out.update(
                    f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in node.names
                )
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])
            for handler in getattr(node, "handlers", []):
                visit(handler.body)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {m for m in out if m in MODULES and m != module_name(path)}


def import_circles() -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan's algorithm)."""
    graph = {name: sorted(module_imports(path)) for name, path in MODULES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def strongconnect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return circles


def test_no_modules_import_each_other_even_lazily():
    assert import_circles() == []


def test_the_import_walk_sees_imports_inside_functions():
    """The circle check could not fail if it missed the lazy imports that hide circles."""
    assert "govmap.support.background" in module_imports(ROOT / "ingest" / "tabular" / "xlsx.py")


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


def test_the_command_line_loads_no_networkx_scipy_or_flask_before_a_command_runs():
    """Its choices (severities, formats) come from :mod:`govmap.graph.terms`, which imports nothing."""
    assert heavy_after("govmap.cli, govmap.graph.terms") == []


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
