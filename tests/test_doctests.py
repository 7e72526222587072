"""Every example in a docstring runs, and shows what it really returns (house style: NetworkX's docstrings).

Each module of the installed package is a case: a new module with examples is
picked up without touching this file.  Examples run from the repository root,
so a path like ``data/boards.yaml`` in an example names the seed register.
"""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
from pathlib import Path

import pytest

import govmap

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("govmap", "govmap.ingest", "govmap.graph", "govmap.webviz")


def modules() -> list[str]:
    """Every module of the four packages (``govmap`` itself: the CLI and the facade)."""
    names = set(PACKAGES)
    for package in PACKAGES:
        mod = importlib.import_module(package)
        names.update(info.name for info in pkgutil.walk_packages(mod.__path__, package + "."))
    return sorted(names)


def examples(name: str) -> int:
    finder = doctest.DocTestFinder()
    return sum(len(t.examples) for t in finder.find(importlib.import_module(name)))


MODULES = [m for m in modules() if m != "govmap.__main__"]


def test_the_examples_are_found_across_the_packages():
    counted = {m: examples(m) for m in MODULES}
    assert sum(counted.values()) >= 40, counted
    assert {m.split(".")[1] for m, n in counted.items() if n and "." in m} >= {"ingest", "graph"}


@pytest.mark.parametrize("name", MODULES)
def test_every_docstring_example_runs(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(os.environ, "COLUMNS", "80")
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True
    )
    assert failed == 0, f"{failed} docstring example(s) of {name} failed (details above)"


def test_the_facade_docstring_is_one_of_them():
    assert examples("govmap") == 3 and govmap.__doc__
