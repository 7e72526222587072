"""Umbrellas and their delivery bodies: the findings drawn from the delivery matrix.

The matrix (:mod:`govmap.graph.analysis.delivery`) names the umbrellas of each
issue.  From it come two judgements (kinds in the ``delivery`` group):

* An **umbrella** is a body that leads at least
  :data:`~govmap.graph.analysis.delivery.UMBRELLA_MIN_LEADS` issues (itself or
  through plans it owns), such as a county partnership leading every priority
  of its agreement.  When another body leads one of those issues in the same
  place, the two are an umbrella and its *delivery body*, not two bodies doing
  one job: ``umbrella-delivery`` (medium, one finding per issue) asks the
  reviewer to record which body delivers it, with ``delivered_by`` on the
  umbrella's theme link or a reporting line from the delivery body to the
  umbrella.  Either resolves the finding.
* A priority led by the umbrella and by no delivery body is
  ``led-only-by-umbrella`` (medium, one finding per umbrella listing its
  priorities): the agreement names the priority, but no body is recorded as
  doing the work.

Leads of one issue in places that do not touch (a *geographic split*) are not
in the same place, so no finding calls them duplication.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govmap.graph.analysis.delivery import Deliverer, DeliveryRow, delivery_matrix
from govmap.graph.analysis.findings import Finding, Kind, Severity, Source, make_finding, plural
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Register, ThemeKind, ThemeRole


def _theme_sets(lk: Lookup, uses: Iterable[Deliverer]) -> dict[str, set[str]]:
    """Holder id -> the issues (``matches`` groups) it addresses, any role: its remit for containment."""
    out: dict[str, set[str]] = {}
    for d in uses:
        out.setdefault(d.id, set()).add(lk.theme_groups.get(d.theme, d.theme))
    return out


def delivery_findings(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """``umbrella-delivery`` and ``led-only-by-umbrella`` findings (see the module docstring).

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... themes:
    ...   - {id: da, name: Domestic abuse, kind: priority}
    ...   - {id: v, name: Violence, kind: priority}
    ...   - {id: asb, name: ASB, kind: priority}
    ... bodies:
    ...   - {id: csp, name: County CSP, kind: board, top_level: true,
    ...      themes: [{theme: da, role: lead}, {theme: v, role: lead}, {theme: asb, role: lead}]}
    ...   - {id: dab, name: DA Board, kind: board, themes: [{theme: da, role: lead}]}
    ... ''')
    >>> [(f.kind.value, f.severity.value) for f in delivery_findings(reg)]
    [('umbrella-delivery', 'medium'), ('led-only-by-umbrella', 'medium')]
    """
    lk = lookup_of(register, lookup)
    matrix = delivery_matrix(register, lk)
    remits = _theme_sets(lk, (d for r in matrix.rows for d in r.deliverers))
    out: list[Finding] = []
    only: dict[str, list[tuple[Any, Deliverer]]] = {}
    for row in matrix.rows:
        if not row.umbrellas:
            continue
        leads = [d for d in row.leads if d.kind == "body"]
        near = _Near(lk, leads)
        for u in row.umbrellas:
            own = [d for d in leads if d.id == u and d.theme == row.theme]
            named = {b for d in own for b in d.delivered_by}
            others = [d for d in near.touching(own[0].areas) if d.id != u]
            open_ = [d for d in others if d.id not in named and u not in lk.ancestors(d.id)]
            if open_:
                out.append(_umbrella_delivery(lk, row, own[0], open_, remits))
            elif not others and not named and row.kind == ThemeKind.PRIORITY.value:
                only.setdefault(u, []).append((row, own[0]))
    for u, items in sorted(only.items()):
        out.append(_umbrella_only(lk, u, items))
    return out


class _Near:
    """The leads of one row, indexed by place, to find those touching an area set quickly.

    Same answer as :meth:`Lookup.areas_overlap` against each lead, without
    comparing every umbrella with every lead (hundreds of district CSPs may
    lead one priority).
    """

    def __init__(self, lk: Lookup, leads: list[Deliverer]) -> None:
        self.lk, self.leads = lk, leads
        self.direct: dict[str, list[int]] = {}
        self.up: dict[str, list[int]] = {}
        self.nowhere: list[int] = []
        for i, d in enumerate(leads):
            if not d.areas:
                self.nowhere.append(i)
            for a in d.areas:
                self.direct.setdefault(a, []).append(i)
            for a in set().union(*(lk.area_closure.get(x, {x}) for x in d.areas)):
                self.up.setdefault(a, []).append(i)

    def touching(self, areas: tuple[str, ...]) -> list[Deliverer]:
        if not areas:
            return list(self.leads)
        hits = set(self.nowhere)
        for a in set().union(*(self.lk.area_closure.get(x, {x}) for x in areas)):
            hits.update(self.direct.get(a, ()))
        for a in areas:
            hits.update(self.up.get(a, ()))
        return [self.leads[i] for i in sorted(hits)]


def _via(d: Deliverer) -> str:
    return f"through {d.via_name}" if d.via_name else "itself"


def _umbrella_delivery(
    lk: Lookup, row: DeliveryRow, umbrella: Deliverer, others: list[Deliverer], remits: dict[str, set[str]]
) -> Finding:
    names = " and ".join(dict.fromkeys(d.name for d in others))
    big = remits[umbrella.id]
    bodies = []
    for d in dict.fromkeys(others):
        small = remits[d.id]
        shared = len(big & small)
        bodies.append(
            {
                "id": d.id,
                "name": d.name,
                "via": d.via_name,
                "areas": list(d.areas),
                "containment": round(shared / max(min(len(big), len(small)), 1), 4),
                "symmetric": round(shared / max((len(big) * len(small)) ** 0.5, 1e-9), 4),
            }
        )
    sources: list[Source] = [*lk.record_sources(row.theme)]
    for d in (umbrella, *others):
        sources += lk.rel_sources(d.via or d.id, "themes", d.theme)
    return make_finding(
        Kind.UMBRELLA_DELIVERY,
        Severity.MEDIUM,
        f"{umbrella.name} leads '{row.name}' {_via(umbrella)}; {names} also "
        f"{'leads' if len(bodies) == 1 else 'lead'} it in the same area.",
        [lk.subject(row.theme), lk.subject(umbrella.id), *(lk.subject(b["id"]) for b in bodies)],
        evidence={
            "theme": {"id": row.theme, "name": row.name, "kind": row.kind},
            "umbrella": {"id": umbrella.id, "name": umbrella.name, "via": umbrella.via_name},
            "delivery_bodies": bodies,
            "umbrella_themes": len(big),
        },
        suggestion=(
            f"Record which body delivers '{row.name}': add delivered_by: [{', '.join(b['id'] for b in bodies)}] "
            f"to the lead of {umbrella.via or umbrella.id} on {row.theme}, or make "
            f"{bodies[0]['name']} a sub-group of (or report to) {umbrella.name}."
        ),
        sources=sources,
        score=max(b["containment"] for b in bodies),
        key=row.theme,
    )


def _umbrella_only(lk: Lookup, umbrella: str, items: list[tuple[Any, Deliverer]]) -> Finding:
    themes = []
    sources: list[Source] = []
    for row, d in items:
        contributors = [c for c in row.deliverers if c.role is ThemeRole.CONTRIBUTES and c.kind == "body"]
        themes.append(
            {
                "id": row.theme,
                "name": row.name,
                "via": d.via_name,
                "contributors": [{"id": c.id, "name": c.name} for c in dict.fromkeys(contributors)],
            }
        )
        sources += lk.rel_sources(d.via or d.id, "themes", row.theme)
    names = ", ".join(f"'{t['name']}'" for t in themes)
    return make_finding(
        Kind.UMBRELLA_ONLY,
        Severity.MEDIUM,
        f"{lk.name(umbrella)} leads {plural(len(themes), 'priority', 'priorities')} with no delivery "
        f"body recorded: {names}.",
        [lk.subject(umbrella), *(lk.subject(t["id"]) for t in themes)],
        evidence={"umbrella": {"id": umbrella, "name": lk.name(umbrella)}, "priorities": themes},
        suggestion="For each priority, record the body that delivers it: a body leading it that reports "
        "to the umbrella, or delivered_by on the umbrella's lead (a contributor may be the one).",
        sources=sources,
        key=sorted(t["id"] for t in themes),
    )


__all__ = ["delivery_findings"]
