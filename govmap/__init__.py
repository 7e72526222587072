"""govmap: map, check and update a register of governance boards and partnerships.

The library API: everything the CLI and the web app do is a function here first.

>>> import govmap
>>> reg = govmap.load_register("data/boards.yaml")  # doctest: +SKIP
>>> g = govmap.build_graph(reg)  # doctest: +SKIP
"""

from govmap.graph.build import build_graph
from govmap.graph.report import report
from govmap.ingest import (
    GovmapError,
    Register,
    RegisterInvalid,
    check_register,
    load_register,
    loads,
)

__version__ = "0.1.0"

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
