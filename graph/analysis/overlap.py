"""Remit overlap between bodies: the pairs above the threshold as findings, and where each pair works.

Two bodies overlap when they address the same issues; sharing members, a
parent and a place makes the overlap more likely to be duplication.  The pairwise
scores are :mod:`govmap.graph.analysis.overlap_scores`'s (sparse products); NetworkX
sees only the pairs above the threshold.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import networkx as nx

from govmap.graph.analysis.areas import Relation
from govmap.graph.analysis.findings import Finding, Kind, Severity, Source, make_finding
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.graph.analysis.overlap_scores import (
    DEFAULT_THRESHOLD,
    ROLE_WEIGHT,
    OverlapPairs,
    OverlapWeights,
    pair_scores,
)
from govmap.ingest.model import Body, Register


def both_statutory(a: Body, b: Body) -> bool:
    """Two statutory bodies: each exists because a statute requires it, so neither can be merged away."""
    return a.statutory and b.statutory


def statutory_suggestion(a: Body, b: Body) -> str:
    """What to do about two statutory bodies that overlap: never a merger.

    With different legal bases (children's safeguarding under the Children Act
    2004 s16E, adults' under the Care Act 2014 s43) each body's duties are its
    own; with the same basis in different councils each council must have one.
    The overlap is for aligning agendas, not for consolidation.
    """
    bases = (
        f"{a.name} ({a.legal_basis}) and {b.name} ({b.legal_basis})"
        if a.legal_basis and b.legal_basis
        else f"{a.name} and {b.name}"
    )
    return (
        f"Both are statutory bodies ({bases}) and cannot be merged: align their agendas on the "
        "shared themes, or form a joint sub-group for them."
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
    ... themes: [{id: da, name: Domestic abuse, kind: priority}]
    ... bodies:
    ...   - {id: a, name: A, kind: board, themes: [{theme: da, role: lead}]}
    ...   - {id: b, name: B, kind: group, themes: [{theme: da, role: lead}]}
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
    ps = pairs if pairs is not None else pair_scores(register, w, threshold, lk)
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
    if both_statutory(a, b):
        evidence["legal_bases"] = {a.id: a.legal_basis or "statutory", b.id: b.legal_basis or "statutory"}
        suggestion = statutory_suggestion(a, b)
    if unplaced:
        suggestion += (
            f" Not confirmed as duplication: {' and '.join(lk.name(x) for x in unplaced)} "
            f"{'records' if len(unplaced) == 1 else 'record'} no area of {'its' if len(unplaced) == 1 else 'their'} "
            "own; record where each works."
        )
    return make_finding(
        Kind.OVERLAP,
        severity,
        f"{a.name} and {b.name} overlap on {names}.",
        [lk.subject(a.id), lk.subject(b.id)],
        evidence=evidence,
        suggestion=suggestion,
        sources=sources,
        score=score,
    )


__all__ = [
    "APART",
    "NOT_RECORDED",
    "OVERLAPPING",
    "PLACE_WORDS",
    "SAME_AREA",
    "WITHIN",
    "both_statutory",
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
