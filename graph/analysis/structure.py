"""The reporting structure: orphans, joint bodies, two parents and dead ends.

Reporting lines are ``reports_to`` and ``sub_group_of`` (W3C ORG reportsTo and
subOrganizationOf).  ``links_with`` is working together, not accountability,
and does not count as a reporting line.  The top of the landscape is every
body marked ``top_level`` plus the register's ``top`` list; when a register
names no top at all, bodies with no parent stand in for it when paths are
searched (they are still reported as orphans).

Paths up to the top, the themes with none, and the shortest path between two
records are in :mod:`govmap.graph.analysis.paths`.  The network measures
(brokers, single points of failure, communities) are in
:mod:`govmap.graph.analysis.landscape`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from govmap.graph.analysis.areas import Relation
from govmap.graph.analysis.cut_points import cut_structure, single_points
from govmap.graph.analysis.delivery import delivery_matrix
from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Severity,
    Source,
    make_finding,
    plural,
    rests_on,
    unconfirmed_evidence,
)
from govmap.graph.analysis.landscape import brokers, communities, landscape_graph
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.graph.lines import closure
from govmap.ingest.model import Body, Register


def _stranded(lk: Lookup) -> dict[str, list[str]]:
    """End of a reporting chain that stops short -> the current bodies stranded below it.

    A body is stranded when it answers to no one (:attr:`Lookup.accountable`)
    although it has a reporting line: its chain ends at a body of the past, or
    at a current body that answers to no one itself.
    """
    current = {b.id for b in lk.bodies}
    stranded: dict[str, list[str]] = {}
    for b in lk.bodies:
        if b.id in lk.accountable or not lk.parents.get(b.id):
            continue
        seen, todo, ends = {b.id}, list(lk.parents[b.id]), []
        while todo:
            p = todo.pop(0)
            if p in seen:
                continue
            seen.add(p)
            up = lk.parents.get(p, [])
            if p not in current or not up:
                ends.append(p)
            else:
                todo += up
        for end in sorted(ends)[:1]:
            stranded.setdefault(end, []).append(b.id)
    return stranded


#: Partners named in a finding's title, at most.
NAMED = 3


def _remit(lk: Lookup, body: str) -> set[str]:
    """The issues (``matches`` groups) a current body or the plans it owns address."""
    return lk.remits().get(body, set())


def _sharing(lk: Lookup, b: Body, limit: int = NAMED) -> list[tuple[str, list[str]]]:
    """Current bodies sharing ``b``'s remit at its level or a wider one, most shared first: (id, shared issues).

    The first ``limit`` of them (by issues shared, then those answering to someone, then name): only
    those are named, so the places of the rest are never compared.
    """
    mine = _remit(lk, b.id)
    if not mine:
        return []
    holders = lk.remit_holders()
    shared: Counter[str] = Counter()
    for g in mine:
        shared.update(holders.get(g, ()))
    shared.pop(b.id, None)
    own = lk.body_areas(b.id)
    if own:  # a body at its level or a wider one records an area holding its first (or none)
        placed = _bodies_by_area(lk)
        near = set(placed.get("", ())).union(*(placed.get(a, ()) for a in lk.area_tree.up(own[0])))
        shared = Counter({x: n for x, n in shared.items() if x in near})
    below: set[str] | None = None
    found: list[tuple[str, list[str]]] = []
    for other in sorted(shared, key=lambda x: (-shared[x], x not in lk.accountable, lk.name(x), x)):
        if lk.place(own, lk.body_areas(other)) not in (Relation.SAME, Relation.WITHIN, Relation.UNKNOWN):
            continue  # never a narrower body as the one it might answer to
        if below is None:
            below = {c for _, c in closure(lk.children, b.id)}
        if other in below:
            continue
        found.append((other, sorted(mine & _remit(lk, other))))
        if len(found) == limit:
            break
    return found


def _bodies_by_area(lk: Lookup) -> dict[str, set[str]]:
    """Area -> the current bodies whose places (:meth:`Lookup.body_areas`) name it; ``""`` -> those with none."""
    if "bodies-by-area" not in lk.memo:
        out: dict[str, set[str]] = {}
        for body in lk.bodies:
            for a in lk.body_areas(body.id) or ("",):
                out.setdefault(a, set()).add(body.id)
        lk.memo["bodies-by-area"] = out
    found: dict[str, set[str]] = lk.memo["bodies-by-area"]
    return found


def _peers(lk: Lookup, b: Body) -> list[str]:
    """The partnerships of two or more separate areas that a body spanning them serves (a joint body).

    ``b`` must record two or more areas of its own that lie apart (a county
    and a neighbouring unitary; three districts); its peers are current top
    or statutory bodies working within one of those areas each, linked to
    ``b`` (``links_with`` either way, a member of it), sharing its remit, or
    top-level.  A body recording one wide area (a force area) is a body of
    that area, not a joint body of the partnerships inside it.
    """
    own = [link.to for link in b.areas]
    if len(own) < 2 or not any(lk.place([x], [y]) is Relation.APART for x in own for y in own):
        return []
    links = {link.to for link in b.links_with} | {m.member for m in lk.seats(b)}
    links |= {o.id for o in lk.bodies if any(link.to == b.id for link in o.links_with)}
    mine = _remit(lk, b.id)
    by_area: dict[str, list[tuple[int, str]]] = {}
    for p in lk.bodies:
        if p.id == b.id or not (p.id in lk.top or p.statutory) or lk.in_line(p.id, b.id):
            continue
        areas = lk.body_areas(p.id)
        for x in own:
            if areas and lk.place(areas, [x]) in (Relation.SAME, Relation.WITHIN):
                why = 0 if p.id in links else 1 if mine & _remit(lk, p.id) else 2 if p.id in lk.top else 3
                if why < 3:
                    by_area.setdefault(x, []).append((why, p.id))
    if len(by_area) < 2:
        return []
    return [min(ps)[1] for _, ps in sorted(by_area.items())]


def orphans(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Current bodies that answer to no one: no reporting line, not top, not statutory.

    A statutory body answers to its Act and to the partners it names; a body
    ``accountable_to`` an organisation or post, or chaired by an elected
    office (the police and crime commissioner), answers to them; a scrutiny
    committee answers to its councils.  None of these is a finding.  For the
    rest, the missing reporting line is a data gap to fill, framed by the
    bodies that share the body's remit (at its level or a wider one, never a
    narrower one):

    * a body that spans two or more separate areas (it records them) and
      serves the partnerships of each is a joint body:
      ``joint-body-unaccountable``, "works across the areas of A and B and
      reports to neither";
    * any other: ``orphan``, "has no reporting line recorded".

    Medium, or low when the body is hosted by an organisation (it answers to
    its host), works with another body (``links_with``: the line may run
    through it), or rests on unconfirmed facts (which the finding says).  The
    bodies stranded below it, and the issues it alone addresses, are listed
    in the same finding.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... documents: [{id: d, name: D}]
    ... bodies:
    ...   - {id: top, name: Top, kind: board, top_level: true, sources: [{doc: d}]}
    ...   - {id: lost, name: Lost, kind: group, sources: [{doc: d}]}
    ... ''')
    >>> [(f.title, f.severity.value) for f in orphans(reg)]
    [('Lost has no reporting line recorded.', 'medium')]
    """
    lk = lookup_of(register, lookup)
    stranded = _stranded(lk)
    out = []
    for b in lk.bodies:
        if lk.parents.get(b.id) or lk.placed_in.get(b.id) or b.id in lk.accountable:
            continue  # a reporting line, a place within (or in support of) a body, or someone it answers to
        below = stranded.get(b.id, [])
        links = [link.to for link in b.links_with if lk.is_current(link.to)]
        hosts = [link.to for link in b.hosted_by if lk.is_current(link.to)]
        sharing = _sharing(lk, b)
        matrix = delivery_matrix(register, lk)
        only = [
            t.theme
            for t in b.themes
            if (row := matrix.row(t.theme)) is not None
            and row.deliverers
            and all(d.id == b.id for d in row.deliverers)
        ]
        sources = lk.record_sources(b.id) + [s for i in links for s in lk.rel_sources(b.id, "links_with", i)]
        sources += [s for h in hosts for s in lk.rel_sources(b.id, "hosted_by", h)]
        weak = lk.unconfirmed(b.id)
        words = (
            [f"{b.name} is {'known only from old sources' if lk.old_only(b.id) else 'unconfirmed'}"]
            if weak
            else []
        )
        evidence: dict[str, Any] = {
            "links_with": [{"id": i, "name": lk.name(i)} for i in links],
            "hosted_by": [{"id": h, "name": lk.name(h)} for h in hosts],
            "stranded_below": [{"id": i, "name": lk.name(i)} for i in below],
            "sharing_remit": [
                {"id": i, "name": lk.name(i), "themes": [lk.name(t) for t in ts]} for i, ts in sharing[:NAMED]
            ],
            "areas": list(lk.body_areas(b.id)),
            **unconfirmed_evidence(words, weak),
        }
        severity = Severity.LOW if (weak or links or hosts) else Severity.MEDIUM
        subjects = [lk.subject(b.id), *(lk.subject(i) for i in below)]
        peers = _peers(lk, b)
        tail = ""
        if below:
            tail += f"; {plural(len(below), 'body reports', 'bodies report')} up to it"
        if hosts:
            tail += f"; it is hosted by {' and '.join(lk.name(h) for h in hosts)}"
        elif links:
            tail += f"; it works with {' and '.join(lk.name(i) for i in links[:NAMED])}"
        candidates = [i for i, _ in sharing[:NAMED]]
        if peers:
            names = " and ".join(lk.name(p) for p in peers[:NAMED])
            out.append(
                make_finding(
                    Kind.JOINT_UNACCOUNTABLE,
                    severity,
                    f"{b.name} works across the areas of {names} and reports to "
                    f"{'neither' if len(peers) == 2 else 'none of them'}{tail}." + rests_on(words),
                    [*subjects, *(lk.subject(p) for p in peers)],
                    evidence={**evidence, "partnerships": [{"id": p, "name": lk.name(p)} for p in peers]},
                    suggestion="Record whom it answers to: reports_to one of these partnerships, or each of "
                    "them, or accountable_to the organisations it serves"
                    + (f" (it is hosted by {', '.join(lk.name(h) for h in hosts)})." if hosts else "."),
                    sources=sources,
                )
            )
            continue
        if candidates:
            tail += (
                f"; {' and '.join(lk.name(i) for i in candidates)} "
                f"{'shares' if len(candidates) == 1 else 'share'} its remit"
            )
        out.append(
            make_finding(
                Kind.ORPHAN,
                severity,
                f"{b.name} has no reporting line recorded{tail}." + rests_on(words),
                subjects,
                evidence={**evidence, "only_body_on": [{"id": t, "name": lk.name(t)} for t in only]},
                suggestion="Record whom it reports to (reports_to or sub_group_of)"
                + (f", perhaps {' or '.join(lk.name(i) for i in candidates)}" if candidates else "")
                + "; or accountable_to the organisation or post it answers to; or mark it top_level if it "
                "answers to no one.",
                sources=sources,
            )
        )
    return out


def multiple_parents(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Active bodies reporting to two or more bodies (low: sometimes deliberate, e.g. a joint group)."""
    lk = lookup_of(register, lookup)
    out = []
    for b in lk.bodies:
        ps = lk.parents.get(b.id, [])
        if len(ps) < 2:
            continue
        sources: list[Source] = []
        for p in ps:
            sources += lk.rel_sources(b.id, "reports_to", p) + lk.rel_sources(b.id, "sub_group_of", p)
        out.append(
            make_finding(
                Kind.MULTIPLE_PARENTS,
                Severity.LOW,
                f"{b.name} reports to {len(ps)} bodies: " + ", ".join(lk.name(p) for p in ps) + ".",
                [lk.subject(b.id), *(lk.subject(p) for p in ps)],
                evidence={"parents": [{"id": p, "name": lk.name(p)} for p in ps]},
                suggestion="Check which body holds it to account; record the other as links_with.",
                sources=sources,
            )
        )
    return out


def dead_end_chains(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Reporting chains that never reach a top body.

    One finding per end of a chain that is a dissolved or succeeded body
    (an active end reports to no one, so it is an orphan, and the orphan's
    finding lists the bodies below it).  Its subjects are the end and the
    active bodies stranded below it.  Severity medium.

    Notes
    -----
    Walks up from each body once per ancestor: linear in the size of the
    reporting forest.  Cycles are refused by validation; they are tolerated.
    """
    lk = lookup_of(register, lookup)
    active = {b.id for b in lk.bodies}
    out = []
    for end, below in sorted(_stranded(lk).items()):
        if end in active and end not in lk.top:
            continue  # an orphan: its finding lists the bodies stranded below it
        reason = "was dissolved or succeeded" if end not in active else "reports to no top body"
        out.append(
            make_finding(
                Kind.DEAD_END,
                Severity.MEDIUM,
                f"{plural(len(below), 'body reports', 'bodies report')} up to {lk.name(end)}, which {reason}.",
                [lk.subject(end), *(lk.subject(b) for b in below)],
                evidence={
                    "end": {"id": end, "name": lk.name(end), "active": end in active},
                    "stranded": [{"id": b, "name": lk.name(b)} for b in below],
                },
                suggestion="Complete the reporting line from the end of the chain to a top body.",
                sources=lk.record_sources(end)
                + [
                    s
                    for b in below
                    for p in lk.parents.get(b, [])
                    for s in lk.rel_sources(b, "reports_to", p)
                ],
            )
        )
    return out


def structure(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Every reporting-structure finding: orphans and joint bodies, several parents, dead ends.

    An issue addressed only by bodies answering to no one
    (:func:`~govmap.graph.analysis.paths.unaccountable_themes`) is the same fact
    as those bodies' orphan or dead-end findings, which name it: it is not said
    twice.
    """
    lk = lookup_of(register, lookup)
    return orphans(register, lk) + multiple_parents(register, lk) + dead_end_chains(register, lk)


__all__ = [
    "brokers",
    "communities",
    "cut_structure",
    "landscape_graph",
    "single_points",
    "dead_end_chains",
    "multiple_parents",
    "orphans",
    "structure",
]
