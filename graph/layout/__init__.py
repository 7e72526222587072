"""Layouts of a register's graph on one plane (see :mod:`govmap.graph.layout.whole`)."""

from govmap.graph.layout.job import LayoutJob
from govmap.graph.layout.pieces import Positions, frame, half_width, pack_pieces
from govmap.graph.layout.whole import WholeLayout, whole_layout

__all__ = ["LayoutJob", "Positions", "WholeLayout", "frame", "half_width", "pack_pieces", "whole_layout"]
