"""Ownership gaps: what falls between the bodies, read from the delivery matrix.

Which issues does nothing current address, which have no lead or more than one
in one place, which plans' owners are not recorded, which evidence products
inform nothing, which community safety partnerships have no plan recorded.

Every judgement agrees with the delivery matrix
(:mod:`govmap.graph.analysis.delivery`), which counts a plan's issues for its
owner (a body, an organisation or a post) and themes joined by a confirmed
``matches`` as one issue: an issue the matrix shows as led is never
"unaddressed", "addressed only by strategies" or "without a lead".  Only
current records count; an issue only plans of the past (ended, replaced or
withdrawn) or bodies of the past addressed is history, not a gap.

* An issue nothing current addresses: ``unaddressed-theme`` (high for
  priorities, causes and public concerns; medium otherwise), unless only its
  ``broader`` issue is addressed (``indirectly-addressed-theme``, low: decide
  whether it needs its own owner), or a wider issue split into narrower ones
  has some addressed and not this one (``partly-addressed-theme``, low).
* An issue addressed only by current plans with no owner recorded:
  ``strategy-only-theme`` (low).
* ``no-lead`` and ``multiple-leads``: see :func:`lead_gaps`.
"""

from __future__ import annotations

from govmap.graph.analysis.areas import Relation
from govmap.graph.analysis.delivery import (
    Deliverer,
    DeliveryRow,
    delivery_matrix,
)
from govmap.graph.analysis.delivery_bodies import DeliveryReading, delivery_pairs
from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Severity,
    make_finding,
    plural,
    rests_on,
    unconfirmed_evidence,
)
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.graph.analysis.strategy_gaps import strategy_gaps
from govmap.graph.analysis.theme_gaps import GAP_KINDS, SERIOUS_THEME_KINDS, kind_word, theme_gaps
from govmap.ingest.model import Body, Register, Status, Theme


def lead_gaps(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Issues with no lead, or with more than one lead doing one job in one place (read from the matrix).

    * ``no-lead``: the matrix shows bodies (or plans' owners) addressing the
      issue, none of them as lead (medium for priorities, causes and public
      concerns; low otherwise, and low when it rests only on unconfirmed links).
    * ``multiple-leads`` (medium): two or more leads of the issue itself (bodies,
      or organisations and posts through their plans) **at one level in one
      place**: the same area, or neither place recorded.  Not unclear
      ownership, so not a finding: leads in different places (a geographic
      split); leads at different levels (a force-area unit and a district
      partnership; a system-level care partnership and a place's health and
      wellbeing board); a body and a body answering to it (its sub-group or
      steering group, or one sitting within it); a lead and the body it names
      in ``delivered_by``; two statutory bodies, each leading by its own duty
      (children's safeguarding partners and a safeguarding adults board:
      aligned, not merged); one plan with two owners; an organisation's or
      post's plan and a body leading the issue itself (which may deliver the
      plan); two leads under one leader (a board the commissioner chairs and the
      commissioner's own plan); an umbrella and its delivery body (the
      ``umbrella-delivery`` finding says that).  Each connected group of
      clashing leads is one finding.
    """
    lk = lookup_of(register, lookup)
    matrix = delivery_matrix(register, lk)
    paired = delivery_pairs(register, lk)
    out: list[Finding] = []
    for theme in register.themes:
        if theme.kind not in GAP_KINDS:
            continue
        row = matrix.row(theme.id)
        if row is None or not row.deliverers:
            continue
        if not row.leads:
            out.append(_no_lead(lk, theme, row))
            continue
        leads = list({d.id: d for d in reversed(row.leads) if d.theme == theme.id}.values())[::-1]
        for clash in _clashing(lk, paired, leads):
            out.append(_multiple(lk, theme, clash))
    return out


def _no_lead(lk: Lookup, theme: Theme, row: DeliveryRow) -> Finding:
    holders = list({d.id: d for d in row.deliverers}.values())
    weak = all(
        d.status is Status.UNCONFIRMED
        or d.lapsed is not None
        or d.draft
        or lk.unconfirmed(d.id)
        or bool(d.via and lk.unconfirmed(d.via))
        for d in row.deliverers
    )
    words = [
        f"{d.name}'s part in '{lk.name(d.theme)}'" for d in row.deliverers if d.status is Status.UNCONFIRMED
    ]
    words += [
        f"{d.via_name}, whose period ended on {d.lapsed.isoformat()}" for d in row.deliverers if d.lapsed
    ]
    words += [f"{d.via_name}, a draft not yet adopted" for d in row.deliverers if d.draft]
    return make_finding(
        Kind.NO_LEAD,
        Severity.LOW if weak or theme.kind not in SERIOUS_THEME_KINDS else Severity.MEDIUM,
        f"No body leads the {kind_word(theme)} '{theme.name}'; "
        f"{plural(len(holders), 'body contributes', 'bodies contribute')}." + rests_on(words, weak),
        [lk.subject(theme.id)],
        evidence={
            "theme_kind": theme.kind.value,
            "contributors": [{"id": d.id, "name": d.name, "via": d.via_name} for d in holders],
            **unconfirmed_evidence(words, weak),
        },
        suggestion="Agree which body leads on this issue and record its role as lead.",
        sources=lk.record_sources(theme.id)
        + [x for d in row.deliverers for x in lk.rel_sources(d.via or d.id, "themes", d.theme)],
    )


def _weak(lk: Lookup, d: Deliverer) -> str | None:
    """What makes a lead provisional, in words: unconfirmed, through a lapsed plan or a draft; else None."""
    if d.status is Status.UNCONFIRMED or lk.unconfirmed(d.id) or (d.via and lk.unconfirmed(d.via)):
        return f"{d.name}'s lead on '{lk.name(d.theme)}'"
    if d.lapsed is not None:
        return f"{d.via_name}, whose period ended on {d.lapsed.isoformat()}"
    if d.draft:
        return f"{d.via_name}, a draft not yet adopted"
    return None


def _multiple(lk: Lookup, theme: Theme, clash: list[Deliverer]) -> Finding:
    names = [d.name + (f" (through {d.via_name})" if d.via_name else "") for d in clash]
    words = [w for d in clash if (w := _weak(lk, d))]
    weak = len(words) == len(clash)
    return make_finding(
        Kind.MULTIPLE_LEADS,
        Severity.LOW if weak else Severity.MEDIUM,
        f"{plural(len(clash), 'body', 'bodies')} lead the {kind_word(theme)} '{theme.name}' in the same area: "
        + ", ".join(names)
        + "; who owns it is not recorded."
        + rests_on(words, weak),
        [lk.subject(theme.id), *(lk.subject(d.id) for d in clash)],
        evidence={
            "theme_kind": theme.kind.value,
            "leads": [{"id": d.id, "name": d.name, "via": d.via_name, "areas": list(d.areas)} for d in clash],
            **unconfirmed_evidence(words, weak),
        },
        suggestion="Agree which of them leads and record the others as contributing, or record how they "
        "divide the work (delivered_by, or a reporting line from one to the other).",
        sources=lk.record_sources(theme.id)
        + [x for d in clash for x in lk.rel_sources(d.via or d.id, "themes", d.theme)],
        key=theme.id,
    )


def _clashing(lk: Lookup, paired: DeliveryReading, leads: list[Deliverer]) -> list[list[Deliverer]]:
    """Groups of leads doing one job in one place (see :func:`lead_gaps`), each joined by clashes; sorted.

    Leads of one issue are compared pairwise within their place: two leads clash only in the same
    place (:attr:`Relation.SAME <govmap.graph.analysis.areas.Relation.SAME>`) or with neither place
    recorded, and places that are the same cover the same areas (each area of one lies within an area
    of the other, both ways), so leads are compared only with those covering the same areas (the
    areas within theirs, :meth:`~govmap.graph.analysis.areas.AreaTree.down`).  A priority every
    district's partnership leads has hundreds of leads, each in its own place.  The groups are the
    connected pieces of the clashes, whatever order the pairs are compared in.
    """
    group = {d.id: d.id for d in leads}  # union-find: a lead -> another lead of its group

    def root(x: str) -> str:
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    down = lk.area_tree.down
    covering: dict[tuple[str, ...], frozenset[str]] = {}
    by_place: dict[frozenset[str], list[Deliverer]] = {}
    for d in leads:
        areas = covering.get(d.areas)
        if areas is None:
            areas = covering[d.areas] = frozenset().union(*(down(a) for a in d.areas))
        by_place.setdefault(areas, []).append(d)
    for same in by_place.values():
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                if _clash(lk, paired, a, b):
                    group[root(b.id)] = root(a.id)
    members: dict[str, list[Deliverer]] = {}
    for d in leads:
        members.setdefault(root(d.id), []).append(d)
    return sorted(
        (sorted(m, key=lambda d: d.id) for m in members.values() if len(m) > 1),
        key=lambda m: [d.id for d in m],
    )


def _statutory_body(lk: Lookup, holder: str) -> bool:
    rec = lk.index.get(holder)
    return isinstance(rec, Body) and rec.statutory


def _owner_through_plan(d: Deliverer) -> bool:
    return d.kind != "body" and d.via is not None


def _clash(lk: Lookup, paired: DeliveryReading, a: Deliverer, b: Deliverer) -> bool:
    if lk.place(a.areas, b.areas) is not Relation.SAME and (a.areas or b.areas):
        return False  # another place, another level, or one place known and not the other
    if a.via is not None and a.via == b.via:
        return False  # one plan with two owners: one leadership
    if {_owner_through_plan(a), _owner_through_plan(b)} == {True, False} and {a.via, b.via} & {None}:
        return False  # an organisation's or post's plan and a body leading the issue itself: it may deliver the plan
    if lk.in_line(a.id, b.id) or lk.delivers(a.id, b.id) or lk.delivers(b.id, a.id):
        return False
    if _statutory_body(lk, a.id) and _statutory_body(lk, b.id):
        return False  # each leads by its own statutory duty: aligned, not two owners of one job
    if lk.leaders(a.id) & lk.leaders(b.id) or paired.paired(a.id, b.id):
        return False
    return True


def gaps(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Every ownership-gap finding: :func:`theme_gaps`, :func:`lead_gaps`, :func:`strategy_gaps`."""
    lk = lookup_of(register, lookup)
    return theme_gaps(register, lk) + lead_gaps(register, lk) + strategy_gaps(register, lk)


__all__ = ["GAP_KINDS", "gaps", "lead_gaps", "strategy_gaps", "theme_gaps"]
