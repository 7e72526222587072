"""Pairwise remit overlap scores of bodies, with sparse matrices.

A pair's score is the weighted sum of four parts (:class:`OverlapWeights`): shared themes
(each side's role counted), shared members, the same parent, the same place.  Scores come
from sparse products (``T @ T.T``), not from a NetworkX bipartite projection (about a
hundred times slower at national scale); :mod:`govmap.graph.analysis.overlap` turns the
pairs above the threshold into findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Register, ThemeRole

#: How much each role counts on one side of a shared theme.  A pair's weight on
#: a theme is the product: lead-lead 1.0, lead-contributes 0.8, contributes-contributes 0.64.
ROLE_WEIGHT = {ThemeRole.LEAD: 1.0, ThemeRole.CONTRIBUTES: 0.8}


@dataclass(frozen=True)
class OverlapWeights:
    """Weights of the four parts of the overlap score (they sum to 1 by default)."""

    themes: float = 0.6
    members: float = 0.2
    parent: float = 0.1
    area: float = 0.1


#: Default threshold: a pair whose remits are the same single theme (theme part
#: 0.64 even when both only contribute) passes on themes alone; a pair sharing
#: a third of their themes needs the same parent or the same place as well.
DEFAULT_THRESHOLD = 0.35


@dataclass(frozen=True)
class OverlapPairs:
    """Every pair of bodies above the threshold, as parallel arrays (i < j)."""

    bodies: tuple[str, ...]
    rows: np.ndarray
    cols: np.ndarray
    score: np.ndarray
    themes: np.ndarray
    members: np.ndarray
    parent: np.ndarray
    area: np.ndarray


def _max_dupes(
    rows: Sequence[int], cols: Sequence[int], vals: Sequence[float], shape: tuple[int, int]
) -> sp.csr_matrix:
    best: dict[tuple[int, int], float] = {}
    for r, c, v in zip(rows, cols, vals, strict=True):
        if v > best.get((r, c), 0.0):
            best[(r, c)] = v
    if not best:
        return sp.csr_matrix(shape, dtype=float)
    keys = list(best)
    return sp.csr_matrix(
        ([best[k] for k in keys], ([k[0] for k in keys], [k[1] for k in keys])), shape=shape, dtype=float
    )


def _ochiai(shared: np.ndarray, n_i: np.ndarray, n_j: np.ndarray) -> np.ndarray:
    denom = np.sqrt(n_i * n_j)
    out = np.zeros_like(shared, dtype=float)
    np.divide(shared, denom, out=out, where=denom > 0)
    return out


def pair_dot(
    m: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray, other: sp.csr_matrix | None = None
) -> np.ndarray:
    """Row-wise dot products ``m[rows[k]] . other[cols[k]]`` (``other`` defaults to ``m``)."""
    if len(rows) == 0:
        return np.zeros(0)
    o = m if other is None else other
    return np.asarray(m[rows].multiply(o[cols]).sum(axis=1)).ravel()


def _candidates(T: sp.csr_matrix, D: sp.csr_matrix, U: sp.csr_matrix) -> sp.csr_matrix:
    """Pairs (i < j) sharing a theme in overlapping places, or where either place is unknown.

    ``X1[i, (t, a)]`` marks body i addressing theme t in an area a it covers
    directly, ``X2[j, (t, a)]`` body j addressing t with a among its areas or
    the areas they lie within; ``X1 @ X2.T`` is non-zero exactly for the pairs
    sharing a theme where i's area lies within j's.  Never forms the full
    ``T @ T.T``, which at national scale pairs every CSP with every other.
    """
    n = T.shape[0]
    Tb = (T > 0).astype(float).tocsr()
    keys: dict[tuple[int, int], int] = {}
    r1: list[int] = []
    c1: list[int] = []
    r2: list[int] = []
    c2: list[int] = []
    for i in range(n):
        themes = Tb.indices[Tb.indptr[i] : Tb.indptr[i + 1]]
        for a in D.indices[D.indptr[i] : D.indptr[i + 1]]:
            for t in themes:
                r1.append(i)
                c1.append(keys.setdefault((int(t), int(a)), len(keys)))
        for a in U.indices[U.indptr[i] : U.indptr[i + 1]]:
            for t in themes:
                r2.append(i)
                c2.append(keys.setdefault((int(t), int(a)), len(keys)))
    shape = (n, max(len(keys), 1))
    X1 = sp.csr_matrix((np.ones(len(r1)), (r1, c1)), shape=shape)
    X2 = sp.csr_matrix((np.ones(len(r2)), (r2, c2)), shape=shape)
    near = X1 @ X2.T
    unknown = np.asarray(D.sum(axis=1)).ravel() == 0
    Tu = sp.diags(unknown.astype(float)) @ Tb
    anywhere = Tu @ Tb.T
    both = near + near.T + anywhere + anywhere.T
    return sp.triu(both, k=1).tocsr()


def pair_scores(
    register: Register,
    weights: OverlapWeights | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    lookup: Lookup | None = None,
) -> OverlapPairs:
    """Score every pair of active bodies that share a theme; keep those at or above ``threshold``.

    Parameters
    ----------
    register : Register
    weights : OverlapWeights, optional
        Weights of the theme, member, parent and area parts.
    threshold : float
        Minimum combined score.

    Returns
    -------
    OverlapPairs

    Notes
    -----
    Each part is in [0, 1]:

    * themes: weighted Ochiai coefficient, ``sum_t r_a(t) r_b(t) / sqrt(n_a n_b)``
      with ``r`` from :data:`ROLE_WEIGHT` and ``n`` the number of themes.
      Themes joined by ``matches`` count as one theme.
    * members: Ochiai coefficient of the member sets (organisations, posts
      and people as recorded).
    * parent: 1 when both report to (or are sub-groups of) one body, 0.5 when
      they only ``links_with`` one body, else 0.
    * area: 1 when they cover an area in common, or one covers an area that
      lies within the other's; 0 when either place is unknown.

    Only pairs sharing a theme are candidates (remit overlap is about
    themes; member-only pairs are interlocks), and only in overlapping
    places: CSPs of two different districts leading the same priority do not
    duplicate each other.  A body with no area recorded takes its parent's
    (``reports_to``/``sub_group_of``, nearest first); one whose place is
    still unknown is compared with every body.  Pairs in one reporting line
    (one reports to the other) are left out: a sub-group is meant to share
    its parent's remit.  Time and memory grow with the number of
    theme-sharing pairs in overlapping places, not with all ``n^2`` pairs.
    """
    lk = lookup_of(register, lookup)
    w = weights or OverlapWeights()
    bodies = lk.bodies
    n = len(bodies)
    pos = {b.id: i for i, b in enumerate(bodies)}
    group = lk.theme_groups
    cols: dict[str, int] = {}

    def col(key: str) -> int:
        return cols.setdefault(key, len(cols))

    tr, tc, tv = [], [], []
    mr, mc = [], []
    pr, pc = [], []
    lr, lc = [], []
    dr, dc, ur, uc = [], [], [], []
    closure = lk.area_closure
    for i, b in enumerate(bodies):
        for link in b.themes:
            tr.append(i)
            tc.append(col("t:" + group.get(link.theme, link.theme)))
            tv.append(ROLE_WEIGHT[link.role])
        for m in dict.fromkeys(m.member for m in b.members):
            mr.append(i)
            mc.append(col("m:" + m))
        for p in lk.parents.get(b.id, []):
            pr.append(i)
            pc.append(col("p:" + p))
        for other in b.links_with:
            lr.append(i)
            lc.append(col("p:" + other.to))
        for area in lk.body_areas(b.id):
            dr.append(i)
            dc.append(col("a:" + area))
            for a in sorted(closure.get(area, {area})):
                ur.append(i)
                uc.append(col("a:" + a))
    shape = (n, max(len(cols), 1))
    T = _max_dupes(tr, tc, tv, shape)
    Tb = _max_dupes(tr, tc, [1.0] * len(tr), shape)
    M = _max_dupes(mr, mc, [1.0] * len(mr), shape)
    P = _max_dupes(pr, pc, [1.0] * len(pr), shape)
    L = _max_dupes(lr, lc, [1.0] * len(lr), shape)
    D = _max_dupes(dr, dc, [1.0] * len(dr), shape)
    U = _max_dupes(ur, uc, [1.0] * len(ur), shape)

    cand = _candidates(T, D, U).tocoo()
    rows, cols_ = cand.row.astype(np.int64), cand.col.astype(np.int64)
    order = np.lexsort((cols_, rows))
    rows, cols_ = rows[order], cols_[order]
    tdot = pair_dot(T, rows, cols_)

    n_t = np.asarray(Tb.sum(axis=1)).ravel()
    n_m = np.asarray(M.sum(axis=1)).ravel()
    theme_part = _ochiai(tdot, n_t[rows], n_t[cols_])
    member_part = _ochiai(pair_dot(M, rows, cols_), n_m[rows], n_m[cols_])
    same_parent = pair_dot(P, rows, cols_) > 0
    same_link = pair_dot(L + P, rows, cols_) > 0
    parent_part = np.where(same_parent, 1.0, np.where(same_link, 0.5, 0.0))
    area_part = ((pair_dot(D, rows, cols_, U) + pair_dot(U, rows, cols_, D)) > 0).astype(float)
    # one reports to the other (directly): a sub-group shares its parent's remit by design
    qr = [i for i, b in enumerate(bodies) for p in lk.parents.get(b.id, []) if p in pos]
    qc = [pos[p] for b in bodies for p in lk.parents.get(b.id, []) if p in pos]
    Q = _max_dupes(qr, qc, [1.0] * len(qr), (n, n))
    in_line = np.zeros(len(rows), dtype=bool)
    if len(rows):
        in_line = (np.asarray(Q[rows, cols_]).ravel() + np.asarray(Q[cols_, rows]).ravel()) > 0

    score = w.themes * theme_part + w.members * member_part + w.parent * parent_part + w.area * area_part
    keep = (score >= threshold - 1e-12) & ~in_line
    return OverlapPairs(
        tuple(b.id for b in bodies),
        rows[keep],
        cols_[keep],
        np.round(score[keep], 4),
        np.round(theme_part[keep], 4),
        np.round(member_part[keep], 4),
        parent_part[keep],
        area_part[keep],
    )
