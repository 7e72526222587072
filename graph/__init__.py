"""Register -> NetworkX graph, analysis, and the Neo4j store.

``build_graph`` is imported on first use (PEP 562), so a light module of this package
(:mod:`govmap.graph.terms`) loads no NetworkX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govmap.graph.build import build_graph

__all__ = ["build_graph"]


def __getattr__(name: str) -> Any:
    if name == "build_graph":
        from govmap.graph.build import build_graph

        return build_graph
    raise AttributeError(f"module 'govmap.graph' has no attribute {name!r}")
