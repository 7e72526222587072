"""Layouts of a register's graph on one plane (see :mod:`govmap.graph.layout.whole`)."""

from govmap.graph.layout.job import LayoutJob
from govmap.graph.layout.pieces import (
    Positions,
    by_piece,
    connected_pieces,
    frame,
    half_width,
    pack_pieces,
    shelve,
    simple_graph,
    spring_by_piece,
)
from govmap.graph.layout.whole import WholeLayout, whole_layout

__all__ = [
    "LayoutJob",
    "Positions",
    "WholeLayout",
    "by_piece",
    "connected_pieces",
    "frame",
    "half_width",
    "pack_pieces",
    "shelve",
    "simple_graph",
    "spring_by_piece",
    "whole_layout",
]
