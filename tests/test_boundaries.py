"""Data flows one way: ingest -> graph -> webviz, and the CLI sits on top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: package folder -> govmap sub-packages it must never import
FORBIDDEN = {
    "ingest": ("govmap.graph", "govmap.webviz", "govmap.cli"),
    "graph": ("govmap.webviz", "govmap.cli"),
    "webviz": ("govmap.cli",),
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_no_package_imports_a_layer_above_it(folder):
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imports(path):
            if name.startswith(FORBIDDEN[folder]):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
