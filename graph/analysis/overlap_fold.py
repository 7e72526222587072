"""Overlap findings a reviewer can read: each duplication problem said once.

:func:`~govmap.graph.analysis.overlap.overlaps` gives one finding per pair of
bodies above the threshold.  At national scale that is hundreds of thousands
of findings, nearly all about the same few facts (thirty neighbourhood groups
under one community safety partnership all work on anti-social behaviour, and
none records its own place).  :func:`overlap_findings` keeps a pair as a
finding of its own only when it is a duplication problem in its own right,
and folds the rest:

* **Same place, confirmed, close** (both bodies record their own areas, the
  areas meet, and the pair is medium or high: both lead a shared theme, or
  the score is at least 0.5) — one finding per pair, as ``overlaps`` makes it.
* **Same place, weaker** (low) — folded per *hub*: the body of the pair with
  more such pairs (a county board, a violence reduction partnership).  One
  finding says that the hub shares part of its remit with these bodies, with
  the pairs as a table (``items``).
* **Place not recorded** (either body records no ``areas`` of its own, so
  the place the overlap was found in is inherited or unknown) — folded per
  *anchor*: the parent two such siblings share, else the parent of the body
  without a place, else that body.  One low finding says which bodies record
  no place and that their overlaps cannot be confirmed as duplication, with
  one row a body (``items``).

A group of fewer than :data:`FOLD_MIN` pairs is not folded: its pairs stay
findings of their own.  Bodies of one kind in separate places (a CSP per
district) are never paired in the first place (see
:func:`~govmap.graph.analysis.overlap.pair_scores`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import networkx as nx
import numpy as np

from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Severity,
    Source,
    dedupe_sources,
    finding_id,
    plural,
)
from govmap.graph.analysis.lookup import Lookup, Subject, lookup_of
from govmap.graph.analysis.overlap import (
    DEFAULT_THRESHOLD,
    NOT_RECORDED,
    OverlapPairs,
    OverlapWeights,
    one_job,
    overlap_finding,
    pair_scores,
    place_of,
)
from govmap.graph.analysis.overlap_scores import pair_dot
from govmap.ingest.model import Body, Register, ThemeRole

#: A group of at least this many pairs is folded into one finding.
FOLD_MIN = 3
#: Partners named per body in a folded finding's table.
CLOSEST = 3


class OverlapPlan:
    """Which pairs stay findings of their own and which fold, by what (computed with arrays)."""

    def __init__(self, lk: Lookup, ps: OverlapPairs) -> None:
        bodies = lk.bodies
        n = len(bodies)
        rows, cols = ps.rows, ps.cols
        self.own = np.array([bool(b.areas) for b in bodies], dtype=bool)
        self.severity = _severities(lk, ps)
        confirmed = self.own[rows] & self.own[cols]
        low = self.severity == Severity.LOW.rank
        # weaker pairs in a confirmed place: by hub (more such pairs; ties the earlier body)
        weak = confirmed & low
        deg = np.bincount(rows[weak], minlength=n) + np.bincount(cols[weak], minlength=n)
        hub = np.where(deg[rows] >= deg[cols], rows, cols)
        # place not recorded: by the parent siblings share, else the unplaced body's parent, else itself
        first: dict[str, int] = {}
        parent = np.full(n, -1, dtype=np.int64)
        for i, b in enumerate(bodies):
            ps_ = lk.parents.get(b.id, [])
            if ps_:
                parent[i] = first.setdefault(ps_[0], len(first))
        self.parent_ids = list(first)
        un_r, un_c = ~self.own[rows], ~self.own[cols]
        siblings = un_r & un_c & (parent[rows] == parent[cols]) & (parent[rows] >= 0)
        u = np.where(un_r, rows, cols)
        anchor_parent = np.where(siblings, parent[rows], parent[u])
        # one code space: 3*x + 0 weak hub (x a body), 1 under a parent (x a parent), 2 the body itself
        code = np.full(len(rows), -1, dtype=np.int64)
        code[weak] = 3 * hub[weak]
        unconfirmed = ~confirmed
        by_parent = unconfirmed & (anchor_parent >= 0)
        code[by_parent] = 3 * anchor_parent[by_parent] + 1
        by_self = unconfirmed & (anchor_parent < 0)
        code[by_self] = 3 * u[by_self] + 2
        keys, inverse, counts = np.unique(code, return_inverse=True, return_counts=True)
        folded = (counts >= FOLD_MIN) & (keys >= 0)
        self.fold = np.where(folded[inverse], code, -1)
        self.groups: dict[int, np.ndarray] = {}
        if folded.any():
            order = np.argsort(self.fold, kind="stable")
            f_sorted = self.fold[order]
            starts = np.searchsorted(f_sorted, keys[folded], side="left")
            ends = np.searchsorted(f_sorted, keys[folded], side="right")
            for key, s, e in zip(keys[folded].tolist(), starts.tolist(), ends.tolist(), strict=True):
                self.groups[key] = order[s:e]

    def single(self) -> np.ndarray:
        """Indices of the pairs that stay findings of their own."""
        return np.flatnonzero(self.fold < 0)


def _severities(lk: Lookup, ps: OverlapPairs) -> np.ndarray:
    """Each pair's severity rank, as :func:`~govmap.graph.analysis.overlap.overlaps` judges it."""
    import scipy.sparse as sp

    group = lk.theme_groups
    cols: dict[str, int] = {}
    r, c = [], []
    for i, b in enumerate(lk.bodies):
        for link in b.themes:
            if link.role is ThemeRole.LEAD:
                r.append(i)
                c.append(cols.setdefault(group.get(link.theme, link.theme), len(cols)))
    lead = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(lk.bodies), max(len(cols), 1)), dtype=float)
    lead.data[:] = 1.0
    both_lead = pair_dot(lead, ps.rows, ps.cols) > 0
    s = ps.score
    return np.where(
        s >= 0.75,
        Severity.HIGH.rank,
        np.where((s >= 0.5) | both_lead, Severity.MEDIUM.rank, Severity.LOW.rank),
    )


def overlap_findings(
    register: Register,
    *,
    weights: OverlapWeights | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    lookup: Lookup | None = None,
    pairs: OverlapPairs | None = None,
    plan: OverlapPlan | None = None,
) -> list[Finding]:
    """The report's overlap findings: close pairs in a confirmed place one by one, the rest folded.

    Parameters
    ----------
    register : Register
    weights, threshold
        As :func:`~govmap.graph.analysis.overlap.pair_scores`.
    pairs : OverlapPairs, optional
        Scores already computed.
    plan : OverlapPlan, optional
        The fold already computed from ``pairs``.

    Returns
    -------
    list of Finding
        Kind ``overlap``.  A folded finding has ``evidence.fold`` (``"weaker
        overlaps"`` or ``"place not recorded"``), ``count`` (pairs) and
        ``items`` (its table).

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... themes: [{id: asb, name: ASB, kind: priority}]
    ... bodies:
    ...   - {id: csp, name: CSP, kind: csp, top_level: true}
    ...   - {id: g1, name: G1, kind: group, reports_to: csp, themes: [asb]}
    ...   - {id: g2, name: G2, kind: group, reports_to: csp, themes: [asb]}
    ...   - {id: g3, name: G3, kind: group, reports_to: csp, themes: [asb]}
    ... ''')
    >>> [f.title for f in overlap_findings(reg)]
    ['3 bodies under CSP overlap on ASB, and 3 of them record no area of their own: whether they duplicate each other cannot be confirmed (3 pairs).']
    """
    lk = lookup_of(register, lookup)
    w = weights or OverlapWeights()
    ps = pairs if pairs is not None else one_job(lk, pair_scores(register, w, threshold, lk))
    pl = plan if plan is not None else OverlapPlan(lk, ps)
    weights_json = asdict(w)
    out: list[Finding] = []
    bodies = lk.bodies
    for k in pl.single().tolist():
        a, b = bodies[int(ps.rows[k])], bodies[int(ps.cols[k])]
        out.append(overlap_finding(lk, a, b, ps, k, weights_json))
    levels, rank = np.unique(ps.score, return_inverse=True)  # scores as whole numbers, for sorting
    rank = rank.ravel()
    for key, idx in pl.groups.items():
        x, mode = divmod(key, 3)
        if mode == 0:
            out.append(_weaker(lk, ps, idx, bodies[x]))
        else:
            anchor = pl.parent_ids[x] if mode == 1 else bodies[x].id
            out.append(_unplaced(lk, ps, pl, idx, anchor, mode == 1, (rank, len(levels))))
    return out


def consolidation_graph(ps: OverlapPairs, plan: OverlapPlan) -> nx.Graph:
    """The overlap graph of the pairs that stay findings of their own (what consolidation groups come from).

    Folded pairs are left out: weaker overlaps around a hub (a force-wide partnership and
    each district's CSP) are no case for merging, and overlaps whose place is not recorded
    are not confirmed.
    """
    g = nx.Graph()
    for k in plan.single().tolist():
        g.add_edge(ps.bodies[int(ps.rows[k])], ps.bodies[int(ps.cols[k])], weight=float(ps.score[k]))
    return g


def _shared_themes(lk: Lookup, a: Body, b: Body) -> list[str]:
    group = lk.theme_groups
    mine = {group.get(t.theme, t.theme) for t in a.themes}
    out: dict[str, None] = {}
    for t in b.themes:
        key = group.get(t.theme, t.theme)
        if key in mine:
            out[key] = None
    return list(out)


def _theme_sources(lk: Lookup, ids: Iterable[str]) -> list[Source]:
    return [
        s
        for b in ids
        for t in getattr(lk.index[b], "themes", ())
        for s in lk.rel_sources(b, "themes", t.theme)
    ]


def _names(lk: Lookup, ids: list[str], n: int = 3) -> str:
    head = ", ".join(lk.name(i) for i in ids[:n])
    return head + (f" and {len(ids) - n} more" if len(ids) > n else "")


def _weaker(lk: Lookup, ps: OverlapPairs, idx: np.ndarray, hub: Body) -> Finding:
    """One low finding for a hub's weaker overlaps in a confirmed place, the pairs as a table."""
    bodies = lk.bodies
    rows: list[dict[str, Any]] = []
    partners: list[str] = []
    themes: Counter[str] = Counter()
    for k in sorted(idx.tolist(), key=lambda k: (-float(ps.score[k]), int(ps.rows[k]), int(ps.cols[k]))):
        a, b = bodies[int(ps.rows[k])], bodies[int(ps.cols[k])]
        other = b if a.id == hub.id else a
        shared = _shared_themes(lk, hub, other)
        themes.update(shared)
        relation, _ = place_of(lk, hub, other)
        partners.append(other.id)
        score = float(ps.score[k])
        rows.append(
            {
                "id": other.id,
                "name": other.name,
                "kind": lk.subject(other.id).kind,
                "title": f"{other.name}: {', '.join(lk.name(t) for t in shared)} (score {score:g}, {relation}).",
                "subjects": [lk.subject(other.id).to_json()],
                "score": score,
                "shared_themes": [{"id": t, "name": lk.name(t)} for t in shared],
                "place": relation,
                "areas": [link.to for link in other.areas],
            }
        )
    top = [t for t, _ in sorted(themes.items(), key=lambda x: (-x[1], x[0]))]
    return Finding(
        id=finding_id(Kind.OVERLAP, [hub.id], ["fold", "weaker"]),
        basis=((hub.id,), ["fold", "weaker"]),
        kind=Kind.OVERLAP,
        severity=Severity.LOW,
        title=(
            f"{hub.name} shares part of its remit ({_names(lk, top)}) with "
            f"{plural(len(partners), 'body', 'bodies')} in the same place: {_names(lk, partners)} "
            "(weaker overlaps)."
        ),
        subjects=(lk.subject(hub.id), *(lk.subject(p) for p in partners)),
        evidence={
            "fold": "weaker overlaps",
            "hub": {"id": hub.id, "name": hub.name, "areas": [link.to for link in hub.areas]},
            "count": len(rows),
            "shared_themes": [{"id": t, "name": lk.name(t), "pairs": themes[t]} for t in top],
            "items": rows,
        },
        suggestion=(
            f"None of these is a close duplicate (each scores below 0.5 and no theme is led by both). "
            f"Check that the terms of reference of {hub.name} and of these bodies say who leads each "
            "shared theme in this place, and who only contributes."
        ),
        sources=dedupe_sources(_theme_sources(lk, [hub.id, *partners])),
        score=round(float(ps.score[idx].max()), 4),
    )


def closest_first(one: np.ndarray, other: np.ndarray, rank: np.ndarray, levels: int, n: int) -> np.ndarray:
    """The order of pairs ``(one, other)`` of bodies (numbers below ``n``) by ``one``, then score
    descending, then ``other``: ``np.lexsort((other, -score, one))``, each score given as its
    ``rank`` among ``levels`` distinct scores.

    One sort of whole numbers ``(one, levels - 1 - rank, other)`` when they fit in 62 bits: for a
    fold of a thousand pairs about four times faster than sorting by three keys in turn (411 folds
    at 43 force areas).  A pair of bodies is met once, so no two numbers are equal.
    """
    if n * levels * n < 2**62:
        return np.argsort((one.astype(np.int64) * levels + (levels - 1 - rank)) * n + other)
    return np.lexsort((other, -rank, one))


def _unplaced(
    lk: Lookup,
    ps: OverlapPairs,
    pl: OverlapPlan,
    idx: np.ndarray,
    anchor: str,
    under: bool,
    ranks: tuple[np.ndarray, int],
) -> Finding:
    """One low finding for overlaps whose place is not recorded, one row a body (``ranks``: each
    pair's score as its rank among how many distinct scores, for :func:`closest_first`)."""
    bodies = lk.bodies
    # each pair from both ends, each body's partners closest first (score, then body order)
    one = np.concatenate([ps.rows[idx], ps.cols[idx]])
    other = np.concatenate([ps.cols[idx], ps.rows[idx]])
    score = np.concatenate([ps.score[idx], ps.score[idx]])
    rank = ranks[0][idx]
    order = closest_first(one, other, np.concatenate([rank, rank]), ranks[1], len(ps.bodies))
    one, other, score = one[order], other[order], score[order]
    starts = np.flatnonzero(np.r_[True, one[1:] != one[:-1]])
    ends = np.r_[starts[1:], len(one)]
    involved = one[starts].tolist()
    count = dict(zip(involved, (ends - starts).tolist(), strict=True))
    closest = {
        i: list(
            zip(score[s : min(e, s + CLOSEST)].tolist(), other[s : min(e, s + CLOSEST)].tolist(), strict=True)
        )
        for i, s, e in zip(involved, starts.tolist(), ends.tolist(), strict=True)
    }
    unplaced = [i for i in involved if not pl.own[i]]
    themes: Counter[str] = Counter()
    group = lk.theme_groups
    for i in involved:
        themes.update({group.get(t.theme, t.theme) for t in bodies[i].themes})
    shared = [t for t, c in sorted(themes.items(), key=lambda x: (-x[1], x[0])) if c >= 2]
    items = []
    for i in involved:
        b = bodies[i]
        place_from = None if b.areas else _place_from(lk, b.id)
        near = [{"id": bodies[j].id, "name": bodies[j].name, "score": s} for s, j in closest[i]]
        where = (
            "areas recorded"
            if b.areas
            else f"no area of its own (compared in {lk.name(place_from)}'s)"
            if place_from
            else "no area recorded"
        )
        subject = lk.subject(b.id)
        items.append(
            {
                "id": b.id,
                "name": b.name,
                "kind": subject.kind,
                "title": f"{b.name}: {where}; overlaps {plural(count[i], 'body', 'bodies')}, closest "
                + ", ".join([f"{x['name']} ({x['score']:g})" for x in near])
                + ".",
                "subjects": [subject.to_json()],
                "areas": [link.to for link in b.areas],
                "place_from": place_from,
                "overlaps": count[i],
                "closest": near,
            }
        )
    n_pairs = len(idx)
    theme_words = _names(lk, shared) if shared else "shared themes"
    if under:
        title = (
            f"{plural(len(involved), 'body', 'bodies')} under {lk.name(anchor)} overlap on {theme_words}, "
            f"and {len(unplaced)} of them record no area of their own: whether they duplicate each other "
            f"cannot be confirmed ({plural(n_pairs, 'pair')})."
        )
    else:
        title = (
            f"{lk.name(anchor)} overlaps {plural(len(involved) - 1, 'body', 'bodies')} on {theme_words} "
            f"but records no area of its own: whether it duplicates them cannot be confirmed "
            f"({plural(n_pairs, 'pair')})."
        )
    subjects: list[Subject] = [lk.subject(anchor)] if under else []
    subjects += [lk.subject(bodies[i].id) for i in involved if bodies[i].id != anchor or not under]
    if not under:
        subjects.sort(key=lambda s: s.id != anchor)
    return Finding(
        id=finding_id(Kind.OVERLAP, [anchor], ["fold", "not recorded", under]),
        basis=((anchor,), ["fold", "not recorded", under]),
        kind=Kind.OVERLAP,
        severity=Severity.LOW,
        title=title,
        subjects=tuple(subjects),
        evidence={
            "fold": "place not recorded",
            "place": NOT_RECORDED,
            "anchor": {"id": anchor, "name": lk.name(anchor), "relation": "parent" if under else "body"},
            "count": n_pairs,
            "place_not_recorded": [bodies[i].id for i in unplaced],
            "shared_themes": [{"id": t, "name": lk.name(t), "bodies": themes[t]} for t in shared],
            "items": items,
        },
        suggestion=(
            "Record the area each of these bodies covers (its own `areas`). Bodies of one kind in "
            "different places are expected; the same remit in the same place is duplication to resolve: "
            "agree one lead, merge, or record how they divide the work."
        ),
        sources=dedupe_sources(_theme_sources(lk, [bodies[i].id for i in unplaced])),
        score=round(float(ps.score[idx].max()), 4),
    )


def _place_from(lk: Lookup, body_id: str) -> str | None:
    """The nearest parent whose areas a body without its own would be compared in."""
    todo, seen = list(lk.parents.get(body_id, [])), {body_id}
    while todo:
        p = todo.pop(0)
        if p in seen:
            continue
        seen.add(p)
        if getattr(lk.index.get(p), "areas", ()):
            return p
        todo += lk.parents.get(p, [])
    return None


__all__ = ["CLOSEST", "FOLD_MIN", "OverlapPlan", "closest_first", "consolidation_graph", "overlap_findings"]
