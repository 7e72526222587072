"""Remit overlap between bodies: the pairs above the threshold as findings, and where each pair works.

Two bodies overlap when they address the same issues; sharing members, a
parent and a place makes the overlap more likely to be duplication.  The pairwise
scores are :mod:`govmap.graph.analysis.overlap_scores`'s (sparse products); NetworkX
sees only the pairs above the threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import networkx as nx
import numpy as np

from govmap.graph.analysis.areas import Relation
from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Severity,
    Source,
    make_finding,
    rests_on,
    unconfirmed_evidence,
)
from govmap.graph.analysis.lookup import Lookup, ThemeUse, lookup_of
from govmap.graph.analysis.overlap_scores import (
    DEFAULT_THRESHOLD,
    ROLE_WEIGHT,
    OverlapPairs,
    OverlapWeights,
    pair_scores,
)
from govmap.ingest.model import Body, Register, Status


def one_job(lk: Lookup, ps: OverlapPairs) -> OverlapPairs:
    """The pairs of :func:`pair_scores` that could be two bodies doing one job in one place.

    Left out: two statutory bodies (each required by its own Act, or by the
    same Act in a place of its own: aligned, never merged; two bodies of one
    function for one area are ``required-body-twice``); bodies at different
    levels (one area within the other, or overlapping: a force-area unit and a
    district partnership, a system-level care partnership and a place's board);
    a body and one that answers to it through others, or sits within or
    supports it; a body and one accountable to (or convened by) it or its
    chair; a lead and a body it names in ``delivered_by``; an umbrella and
    its delivery body (the ``umbrella-delivery`` finding says that).  The
    sparse kernel stays :func:`pair_scores`; this is the analysis's judgement
    of its pairs, one pass over them.
    """
    from govmap.graph.analysis.delivery_bodies import delivery_pairs

    bodies = [lk.index[b] for b in ps.bodies]
    statutory = np.array([isinstance(b, Body) and b.statutory for b in bodies], dtype=bool)
    areas = [lk.body_areas(b) for b in ps.bodies]
    # each body's one area as a number (-1: several, -2: none), to compare most pairs at once
    codes: dict[str, int] = {}
    code = np.array(
        [codes.setdefault(a[0], len(codes)) if len(a) == 1 else (-1 if a else -2) for a in areas],
        dtype=np.int64,
    )
    rows, cols = ps.rows, ps.cols
    keep = ~(statutory[rows] & statutory[cols])
    single = (code[rows] >= 0) & (code[cols] >= 0)
    keep &= ~(single & (code[rows] != code[cols]))  # two places apart, or one within the other
    # who each body answers to besides reporting lines (accountable_to, convened_by): few have any
    answers = [
        {link.to for link in (*b.accountable_to, *b.convened_by)}
        if isinstance(b, Body) and (b.accountable_to or b.convened_by)
        else set()
        for b in bodies
    ]
    paired = delivery_pairs(lk.register, lk)
    n = len(ps.bodies)
    at = {b: i for i, b in enumerate(ps.bodies)}

    def keys(links: Iterable[tuple[str, str]]) -> np.ndarray:
        """Pairs of bodies (either way round) as the numbers ``min * n + max`` of their positions."""
        ij = [(i, j) for a, b in links if (i := at.get(a)) is not None and (j := at.get(b)) is not None]
        if not ij:
            return np.empty(0, dtype=np.int64)
        i, j = np.array(ij, dtype=np.int64).T
        return np.minimum(i, j) * n + np.maximum(i, j)

    tied = np.concatenate(
        [
            # one answers to the other through others, or sits within or supports it
            keys((a, up) for a in ps.bodies for up in lk.structure_up(a)),
            # a lead and a body it names in delivered_by
            keys((lead, b) for lead, bs in lk.delivered_by.items() for b in bs),
            # an umbrella and its delivery body
            keys((p.umbrella.id, p.body.id) for p in paired.pairs),
        ]
    )
    keep &= ~np.isin(rows.astype(np.int64) * n + cols, tied)
    several = np.array([len(a) > 1 for a in areas], dtype=bool)
    # places of several areas: how they relate asked once for each two places met, not each pair
    ask = np.flatnonzero(keep & (several[rows] | several[cols]))
    if len(ask):
        places: dict[tuple[str, ...], int] = {}
        place = np.array([places.setdefault(a, len(places)) for a in areas], dtype=np.int64)
        met, where = np.unique(place[rows[ask]] * len(places) + place[cols[ask]], return_inverse=True)
        by_number = list(places)
        same = np.array(
            [
                lk.place(by_number[x], by_number[y]) is Relation.SAME
                for x, y in zip((met // len(places)).tolist(), (met % len(places)).tolist(), strict=True)
            ],
            dtype=bool,
        )
        keep[ask[~same[where.ravel()]]] = False
    # bodies answering to another or its chair (few), pair by pair
    answering = np.array([bool(a) for a in answers], dtype=bool)
    for k in np.flatnonzero(keep & (answering[rows] | answering[cols])).tolist():
        i, j = int(rows[k]), int(cols[k])
        a, b = ps.bodies[i], ps.bodies[j]
        if (answers[i] and answers[i] & (lk.leaders(b) - {a})) or (
            answers[j] and answers[j] & (lk.leaders(a) - {b})
        ):
            keep[k] = False  # one answers to the other or to its chair
    return OverlapPairs(
        ps.bodies,
        ps.rows[keep],
        ps.cols[keep],
        ps.score[keep],
        ps.themes[keep],
        ps.members[keep],
        ps.parent[keep],
        ps.area[keep],
    )


def statutory_suggestion(a: Body, b: Body) -> str:
    """What to do about a statutory body and another that overlaps it: never a merger of the statutory one.

    A statutory body exists because an Act requires it; the other body can
    divide the work with it, or become its sub-group, but the statutory body
    cannot be merged away.  (Two statutory bodies are never an overlap at all:
    each is required by its own Act, and they are aligned, not merged.)
    """
    st, other = (a, b) if a.statutory else (b, a)
    basis = f" ({st.legal_basis})" if st.legal_basis else ""
    return (
        f"{st.name} is a statutory body{basis} and cannot be merged away: agree which of them leads each "
        f"shared theme and record how they divide the work (terms of reference), or record {other.name} as "
        f"its sub-group."
    )


#: How a pair's places relate, as a reviewer reads it (``evidence.place``).
SAME_AREA = "same area"
WITHIN = "one area within the other"
OVERLAPPING = "overlapping areas"
APART = "different areas"
NOT_RECORDED = "not recorded"

#: The words for each :class:`~govmap.graph.analysis.areas.Relation` of two bodies' own areas.
PLACE_WORDS = {
    Relation.SAME: SAME_AREA,
    Relation.WITHIN: WITHIN,
    Relation.CONTAINS: WITHIN,
    Relation.OVERLAPPING: OVERLAPPING,
    Relation.APART: APART,
    Relation.UNKNOWN: NOT_RECORDED,
}


def place_of(lk: Lookup, a: Body, b: Body) -> tuple[str, list[str]]:
    """How the places two bodies record relate, and which of them records none of its own.

    :data:`SAME_AREA` when they name an area in common, otherwise the words
    for their :meth:`~govmap.graph.analysis.areas.AreaTree.relation`
    (:data:`WITHIN` for a district CSP and a county board);
    :data:`NOT_RECORDED` when either records no ``areas`` itself (a place
    taken from a parent, or none at all, is not evidence that two bodies
    work in the same place).
    """
    unplaced = [x.id for x in (a, b) if not x.areas]
    if unplaced:
        return NOT_RECORDED, unplaced
    own_a = {link.to for link in a.areas}
    own_b = {link.to for link in b.areas}
    if own_a & own_b:
        return SAME_AREA, []
    return PLACE_WORDS[lk.area_tree.relation(own_a, own_b)], []


def overlap_graph(pairs: OverlapPairs) -> nx.Graph:
    """The thresholded overlap pairs as a weighted graph (weight = score), in a fixed order."""
    g = nx.Graph()
    for i, j, s in zip(pairs.rows.tolist(), pairs.cols.tolist(), pairs.score.tolist(), strict=True):
        g.add_edge(pairs.bodies[i], pairs.bodies[j], weight=s)
    return g


def overlaps(
    register: Register,
    *,
    weights: OverlapWeights | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    lookup: Lookup | None = None,
    pairs: OverlapPairs | None = None,
) -> list[Finding]:
    """Overlap findings: one per pair of bodies whose combined score reaches ``threshold``.

    Parameters
    ----------
    register : Register
    weights : OverlapWeights, optional
    threshold : float
        See :func:`pair_scores` for how the score is built.

    Returns
    -------
    list of Finding
        Kind ``overlap``, with the score and its parts, the shared themes
        (with each body's role), shared members, common parent and areas.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... documents: [{id: tor, name: Terms of reference}]
    ... themes: [{id: da, name: Domestic abuse, kind: priority}]
    ... bodies:
    ...   - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}], sources: [{doc: tor}]}
    ...   - {id: b, name: B, kind: group, themes: [{theme: da, role: lead}], sources: [{doc: tor}]}
    ... ''')
    >>> [(f.title, f.score) for f in overlaps(reg)]
    [('A and B overlap on Domestic abuse.', 0.6)]

    Notes
    -----
    Severity is high from a score of 0.75, medium from 0.5 or when both
    bodies lead a shared theme, low below.
    """
    lk = lookup_of(register, lookup)
    w = weights or OverlapWeights()
    ps = pairs if pairs is not None else one_job(lk, pair_scores(register, w, threshold, lk))
    out: list[Finding] = []
    weights_json = asdict(w)
    for k in range(len(ps.rows)):
        a = lk.index[ps.bodies[int(ps.rows[k])]]
        b = lk.index[ps.bodies[int(ps.cols[k])]]
        assert isinstance(a, Body) and isinstance(b, Body)
        out.append(overlap_finding(lk, a, b, ps, k, weights_json))
    return out


def overlap_finding(
    lk: Lookup, a: Body, b: Body, ps: OverlapPairs, k: int, weights: dict[str, float]
) -> Finding:
    """The finding for one overlapping pair ``a``, ``b`` (``k`` its index in ``ps``): shared
    themes with each side's role, sources, and the score's parts."""
    group = lk.theme_groups
    a_roles: dict[str, list[tuple[str, str]]] = {}
    for link in a.themes:
        a_roles.setdefault(group.get(link.theme, link.theme), []).append((link.theme, link.role.value))
    shared_themes: list[dict[str, Any]] = []
    sources: list[Source] = []
    both_lead = False
    for link in b.themes:
        key = group.get(link.theme, link.theme)
        for theme_a, role_a in a_roles.get(key, []):
            entry = {
                "id": link.theme,
                "name": lk.name(link.theme),
                "roles": {a.id: role_a, b.id: link.role.value},
            }
            if theme_a != link.theme:
                entry["matched_with"] = {"id": theme_a, "name": lk.name(theme_a)}
            if entry not in shared_themes:
                shared_themes.append(entry)
            both_lead |= role_a == "lead" and link.role.value == "lead"
            sources += lk.rel_sources(a.id, "themes", theme_a) + lk.rel_sources(b.id, "themes", link.theme)
    members_a = {m.member for m in a.members}
    shared_members = sorted(m.member for m in b.members if m.member in members_a)
    for m in shared_members:
        sources += lk.rel_sources(a.id, "members", m) + lk.rel_sources(b.id, "members", m)
    common_parents = sorted(set(lk.parents.get(a.id, [])) & set(lk.parents.get(b.id, [])))
    links_a = {link.to for link in a.links_with} | set(lk.parents.get(a.id, []))
    links_b = {link.to for link in b.links_with} | set(lk.parents.get(b.id, []))
    common_links = sorted((links_a & links_b) - set(common_parents))
    for p in common_parents:
        sources += lk.rel_sources(a.id, "reports_to", p) + lk.rel_sources(a.id, "sub_group_of", p)
        sources += lk.rel_sources(b.id, "reports_to", p) + lk.rel_sources(b.id, "sub_group_of", p)
    for p in common_links:
        sources += lk.rel_sources(a.id, "links_with", p) + lk.rel_sources(b.id, "links_with", p)
    score = float(ps.score[k])
    if score >= 0.75:
        severity = Severity.HIGH
    elif score >= 0.5 or both_lead:
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW
    names = ", ".join(t["name"] for t in shared_themes[:3]) + (" and more" if len(shared_themes) > 3 else "")
    evidence = {
        "shared_themes": shared_themes,
        "shared_members": [{"id": m, "name": lk.name(m)} for m in shared_members],
        "common_parents": [{"id": p, "name": lk.name(p)} for p in common_parents],
        "common_links": [{"id": p, "name": lk.name(p)} for p in common_links],
        "areas": {a.id: [link.to for link in a.areas], b.id: [link.to for link in b.areas]},
        "parts": {
            "themes": float(ps.themes[k]),
            "members": float(ps.members[k]),
            "parent": float(ps.parent[k]),
            "area": float(ps.area[k]),
        },
        "weights": weights,
    }
    relation, unplaced = place_of(lk, a, b)
    evidence["place"] = relation
    evidence["place_not_recorded"] = unplaced
    suggestion = (
        "Check whether both bodies need to hold this remit: agree one lead, merge, or record "
        "how they divide the work (terms of reference)."
    )
    if a.statutory or b.statutory:
        st = a if a.statutory else b
        evidence["legal_bases"] = {st.id: st.legal_basis or "statutory"}
        suggestion = statutory_suggestion(a, b)
    if unplaced:
        suggestion += (
            f" Not confirmed as duplication: {' and '.join(lk.name(x) for x in unplaced)} "
            f"{'records' if len(unplaced) == 1 else 'record'} no area of {'its' if len(unplaced) == 1 else 'their'} "
            "own; record where each works."
        )
    words = _unconfirmed_links(
        lk,
        a,
        b,
        {t["id"] for t in shared_themes}
        | {t["matched_with"]["id"] for t in shared_themes if "matched_with" in t},
    )
    if words:  # every shared theme link rests on unconfirmed facts: so does the overlap
        severity = Severity.LOW
    evidence.update(unconfirmed_evidence(words, True))
    return make_finding(
        Kind.OVERLAP,
        severity,
        f"{a.name} and {b.name} overlap on {names}." + rests_on(words),
        [lk.subject(a.id), lk.subject(b.id)],
        evidence=evidence,
        suggestion=suggestion,
        sources=sources,
        score=score,
    )


def _unconfirmed_links(lk: Lookup, a: Body, b: Body, themes: set[str]) -> list[str]:
    """The pair's links to the shared themes, in words, when every one of them is unconfirmed (else none).

    A body known only from old sources counts as unconfirmed.
    """
    links = [(body, u) for t in themes for body in (a, b) for u in _uses_of(lk, t).get(body.id, ())]
    if not links or any(u.status is not Status.UNCONFIRMED and not lk.old_only(body.id) for body, u in links):
        return []
    return list(
        dict.fromkeys(
            f"{body.name}'s part in '{lk.name(t)}'"
            for t in sorted(themes)
            for body in (a, b)
            if body.id in _uses_of(lk, t)
        )
    )


def _uses_of(lk: Lookup, theme: str) -> dict[str, list[ThemeUse]]:
    """The theme's current uses by holder, made once a theme (a national theme has thousands of
    uses, and each overlapping pair asks after two holders of a few themes)."""
    memo: dict[str, dict[str, list[ThemeUse]]] = lk.memo.setdefault("theme-uses-by-holder", {})
    found = memo.get(theme)
    if found is None:
        found = memo[theme] = {}
        for u in lk.theme_uses.get(theme, []):
            found.setdefault(u.holder, []).append(u)
    return found


__all__ = [
    "one_job",
    "APART",
    "NOT_RECORDED",
    "OVERLAPPING",
    "PLACE_WORDS",
    "SAME_AREA",
    "WITHIN",
    "place_of",
    "statutory_suggestion",
    "DEFAULT_THRESHOLD",
    "ROLE_WEIGHT",
    "OverlapPairs",
    "OverlapWeights",
    "overlap_graph",
    "overlaps",
    "pair_scores",
]
