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

from govmap.graph.analysis.findings import Finding, Kind, Severity, Source, make_finding, plural
from govmap.graph.analysis.landscape import (
    brokers,
    communities,
    cut_structure,
    landscape_graph,
    single_points,
)
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.graph.analysis.paths import reaching_top, unaccountable_themes
from govmap.ingest.model import PLACING_FIELDS, Register


def _stranded(lk: Lookup) -> dict[str, list[str]]:
    """End of a reporting chain that stops short -> the active bodies stranded below it."""
    reached = reaching_top(lk.register, lk)
    active = {b.id for b in lk.bodies}
    stranded: dict[str, list[str]] = {}
    for b in lk.bodies:
        if b.id in reached or not lk.parents.get(b.id):
            continue
        seen, todo, ends = {b.id}, list(lk.parents[b.id]), []
        while todo:
            p = todo.pop(0)
            if p in seen:
                continue
            seen.add(p)
            up = lk.parents.get(p, [])
            if p not in active or not up:
                ends.append(p)
            else:
                todo += up
        for end in sorted(ends)[:1]:
            stranded.setdefault(end, []).append(b.id)
    return stranded


def _top_areas(lk: Lookup) -> dict[str, tuple[str, ...]]:
    return {t: lk.body_areas(t) for t in sorted(lk.top) if lk.body_areas(t)}


def orphans(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Active bodies with no reporting line that are not top-level (medium).

    Two kinds of body with no reporting line are judged apart:

    * a body whose recorded areas touch the areas of two or more top bodies
      is a joint body: ``joint-body-unaccountable`` (medium; low for a
      statutory body hosted by an organisation), "accountable to neither X nor Y";
    * a statutory body with its own legal basis, hosted by an organisation,
      answers to its host and to the law: an orphan at low severity.

    The bodies stranded below an orphan (their chain stops at it) are listed
    in its finding rather than in a separate ``dead-end-chain``.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... bodies:
    ...   - {id: top, name: Top, kind: board, top_level: true}
    ...   - {id: lost, name: Lost, kind: group, links_with: top}
    ... ''')
    >>> [f.title for f in orphans(reg)]
    ['Lost has no reporting line and is not a top-level body.']
    """
    lk = lookup_of(register, lookup)
    stranded = _stranded(lk)
    tops = _top_areas(lk)
    out = []
    for b in lk.bodies:
        if lk.parents.get(b.id) or b.id in lk.top or b.accountable_to:
            continue  # accountable_to: it answers to an organisation or post (a council, a mayor)
        if any(getattr(b, f) for f in PLACING_FIELDS):
            continue  # it sits within or supports a body, or is an organisation's meeting: placed there
        links = [link.to for link in b.links_with]
        below = stranded.get(b.id, [])
        evidence: dict[str, object] = {
            "links_with": [{"id": i, "name": lk.name(i)} for i in links],
            "stranded_below": [{"id": i, "name": lk.name(i)} for i in below],
        }
        sources = lk.record_sources(b.id) + [s for i in links for s in lk.rel_sources(b.id, "links_with", i)]
        subjects = [lk.subject(b.id), *(lk.subject(i) for i in below)]
        own = lk.body_areas(b.id)
        joint = [t for t, areas in tops.items() if own and lk.areas_overlap(own, areas)]
        hosts = [link.to for link in b.hosted_by]
        if len(joint) >= 2:
            names = " nor ".join(lk.name(t) for t in joint)
            hosted_statutory = bool(b.statutory and b.legal_basis and hosts)
            out.append(
                make_finding(
                    Kind.JOINT_UNACCOUNTABLE,
                    # a statutory body answers to its host and its statute: the missing link is to the partnerships
                    Severity.LOW if hosted_statutory else Severity.MEDIUM,
                    f"{b.name} covers the areas of {len(joint)} top-level partnerships and is "
                    f"accountable to neither {names}.",
                    [*subjects, *(lk.subject(t) for t in joint)],
                    evidence={
                        **evidence,
                        "areas": list(own),
                        "partnerships": [
                            {"id": t, "name": lk.name(t), "areas": list(tops[t])} for t in joint
                        ],
                        "legal_basis": b.legal_basis,
                        "hosted_by": hosts,
                    },
                    suggestion="Record which partnership it reports to, or that it reports to both "
                    "(reports_to with each), so that someone holds it to account"
                    + (f" beside its host, {', '.join(lk.name(h) for h in hosts)}." if hosts else "."),
                    sources=sources,
                )
            )
        elif b.statutory and b.legal_basis and hosts:
            out.append(
                make_finding(
                    Kind.ORPHAN,
                    Severity.LOW,
                    f"{b.name} is a statutory body ({b.legal_basis}) hosted by "
                    f"{', '.join(lk.name(h) for h in hosts)}; no reporting line to a partnership is recorded.",
                    subjects,
                    evidence={**evidence, "legal_basis": b.legal_basis, "hosted_by": hosts},
                    suggestion="Nothing may be wrong: it answers to its host and its statute. Record "
                    "links_with or reports_to if it reports to a partnership.",
                    sources=sources + [s for h in hosts for s in lk.rel_sources(b.id, "hosted_by", h)],
                )
            )
        else:
            out.append(
                make_finding(
                    Kind.ORPHAN,
                    Severity.MEDIUM,
                    f"{b.name} has no reporting line and is not a top-level body"
                    + (
                        f"; {plural(len(below), 'body reports', 'bodies report')} up to it." if below else "."
                    ),
                    subjects,
                    evidence=evidence,
                    suggestion="Record whom it reports to (reports_to or sub_group_of), or mark it top_level.",
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
    """Every reporting-structure finding: the functions above and
    :func:`~govmap.graph.analysis.paths.unaccountable_themes`.
    """
    lk = lookup_of(register, lookup)
    return (
        orphans(register, lk)
        + multiple_parents(register, lk)
        + dead_end_chains(register, lk)
        + unaccountable_themes(register, lk)
    )


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
