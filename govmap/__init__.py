"""govmap: map, check and update a register of governance boards and partnerships.

The library API: everything the CLI and the web app do is a function here first.

>>> import govmap
>>> reg = govmap.loads("bodies: [{id: board, name: Board, kind: board}]")
>>> [b.name for b in reg.bodies], govmap.build_graph(reg).number_of_nodes()
(['Board'], 1)

The names are imported on first use (PEP 562), so ``import govmap.ingest``
loads neither NetworkX, SciPy nor Flask.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Each public name and the module that defines it.
_EXPORTS = {
    "GovmapError": "govmap.ingest",
    "Register": "govmap.ingest",
    "RegisterInvalid": "govmap.ingest",
    "check_register": "govmap.ingest",
    "load_register": "govmap.ingest",
    "loads": "govmap.ingest",
    "build_graph": "govmap.graph.build",
    "report": "govmap.graph.report",
}

__all__ = [
    "GovmapError",
    "Register",
    "RegisterInvalid",
    "__version__",
    "build_graph",
    "check_register",
    "load_register",
    "loads",
    "report",
]

if TYPE_CHECKING:
    from govmap.graph.build import build_graph
    from govmap.graph.report import report
    from govmap.ingest import GovmapError, Register, RegisterInvalid, check_register, load_register, loads


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'govmap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _SourceTree(importlib.abc.MetaPathFinder):
    """Finds govmap.ingest, .support, .graph, .webviz and .data in the folders of a source checkout.

    Run from the repository root, this file is found before any installed copy
    (the current folder comes first on ``sys.path``), but the subpackages live
    beside it (pyproject's ``package-dir`` mapping), not in it.  This finder
    maps those five names, and only those, to their folders, so the whole
    package then comes from the one source tree, as setuptools' editable
    install does.  An installed copy has its subpackages inside and does not
    add it.
    """

    def __init__(self, root: Path) -> None:
        self.folders = {f"govmap.{sub}": root / folder for sub, folder in _FOLDERS.items()}

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        folder = self.folders.get(fullname)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )


#: Subpackage -> its folder in the repository (as in pyproject.toml's package-dir).
_FOLDERS = {"ingest": "ingest", "support": "support", "graph": "graph", "webviz": "webviz", "data": "data"}
_root = Path(__file__).resolve().parent.parent
if not (Path(__file__).parent / "ingest").is_dir() and (_root / "ingest" / "__init__.py").is_file():
    if not any(isinstance(f, _SourceTree) for f in sys.meta_path):
        sys.meta_path.append(_SourceTree(_root))
