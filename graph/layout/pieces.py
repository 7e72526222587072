"""Pieces of a layout packed on one plane: the largest at the origin, the rest in rows below."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

Positions = dict[str, tuple[float, float]]


def half_width(size: int) -> float:
    """Canvas units from the centre of a piece of ``size`` records to its edge."""
    return 110 * math.sqrt(size) + (0 if size == 1 else 60)


def frame(coords: list[tuple[float, float]], reach: float) -> tuple[float, float, float]:
    """Centre (mean) of a piece and the factor that puts its farthest coordinate
    ``reach`` from it (NetworkX's ``rescale_layout``, then scaled)."""
    xy = np.asarray(coords, dtype=float)
    cx, cy = xy.mean(axis=0)
    top = float(np.abs(xy - (cx, cy)).max())
    return float(cx), float(cy), reach / (top or 1.0)


def pack_pieces(
    pieces: list[list[str]],
    raw: Mapping[str, tuple[float, float]],
    frames: Sequence[tuple[float, float, float]],
) -> Positions:
    """Each piece scaled by its frame and placed: the largest at the origin, the rest in rows below it."""
    out: Positions = {}
    x0, y0, row_height, right = 0.0, 0.0, 0.0, 0.0
    for i, (piece, (cx, cy, factor)) in enumerate(zip(pieces, frames, strict=True)):
        scale = half_width(len(piece))
        at = {n: ((raw[n][0] - cx) * factor, (raw[n][1] - cy) * factor) for n in piece}
        if i == 0:
            right, y0, x0 = scale, scale + 150, -scale
            out.update(at)
            continue
        if x0 + 2 * scale > max(right, 600):
            x0, y0, row_height = -right, y0 + row_height + 120, 0.0
        out.update({k: (x0 + scale + x, y0 + scale + y) for k, (x, y) in at.items()})
        x0 += 2 * scale + 120
        row_height = max(row_height, 2 * scale)
    return out
