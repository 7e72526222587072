"""Register -> NetworkX graph, analysis, and the Neo4j store."""

from .build import build_graph

__all__ = ["build_graph"]
