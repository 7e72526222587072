"""Umbrellas and their delivery bodies: the findings drawn from the delivery matrix.

The matrix (:mod:`govmap.graph.analysis.delivery`) names the umbrellas of each
issue, and :func:`~govmap.graph.analysis.delivery_bodies.delivery_pairs` reads which
other leads are their delivery bodies.  From it come two judgements (kinds in
the ``delivery`` group):

* ``umbrella-delivery`` (medium, one finding per umbrella and delivery body,
  listing every issue they both lead): another body leads the umbrella's
  issues at its level (the same area, or within it when not a statutory body)
  and nothing recorded says how they relate.  The reviewer records which body
  delivers them: ``delivered_by`` on the umbrella's lead, or (for a body of
  the umbrella's area or a narrower one, never a wider one) a reporting line
  up to the umbrella.  Either resolves the finding.  Bodies leading one issue
  at different levels (a force-area violence reduction unit and a district
  community safety partnership; a system-level care partnership and a
  place's health and wellbeing board) are a tiered arrangement, not an
  umbrella and its delivery body.
* ``led-only-by-umbrella`` (medium, one finding per umbrella listing its
  priorities): priorities the umbrella leads that no other body at its level
  leads, no ``delivered_by`` names and no body answering to it addresses.

A finding whose leads rest only on unconfirmed facts (or on records known only
from old sources) is low, and says so.
"""

from __future__ import annotations

from typing import Any

from govmap.graph.analysis.areas import Relation
from govmap.graph.analysis.delivery import Deliverer, DeliveryRow, delivery_matrix
from govmap.graph.analysis.delivery_bodies import DeliveryPair, delivery_pairs
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
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Body, Register, Status, ThemeRole


def _remits(lk: Lookup, rows: tuple[DeliveryRow, ...]) -> dict[str, set[str]]:
    """Holder id -> the issues (``matches`` groups) it addresses, any role: its remit for containment."""
    out: dict[str, set[str]] = {}
    for r in rows:
        for d in r.deliverers:
            out.setdefault(d.id, set()).add(lk.theme_groups.get(d.theme, d.theme))
    return out


def delivery_findings(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """``umbrella-delivery`` and ``led-only-by-umbrella`` findings (see the module docstring).

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... documents: [{id: tor, name: Terms of reference}]
    ... themes:
    ...   - {id: da, name: Domestic abuse, kind: priority}
    ...   - {id: v, name: Violence, kind: priority}
    ...   - {id: asb, name: ASB, kind: priority}
    ... bodies:
    ...   - {id: csp, name: County CSP, kind: csp, top_level: true, sources: [{doc: tor}],
    ...      themes: [{theme: da, role: lead}, {theme: v, role: lead}, {theme: asb, role: lead}]}
    ...   - {id: dab, name: DA Board, kind: board, sources: [{doc: tor}], themes: [{theme: da, role: lead}]}
    ... ''')
    >>> [f.title for f in delivery_findings(reg)]
    ["County CSP leads 'Domestic abuse' itself; DA Board also leads it (where each works is not recorded).", "County CSP leads 2 priorities with no delivery body recorded: 'Violence', 'ASB'."]
    """
    lk = lookup_of(register, lookup)
    matrix = delivery_matrix(register, lk)
    reading = delivery_pairs(register, lk)
    remits = _remits(lk, matrix.rows)
    out = [_umbrella_delivery(lk, pair, remits) for pair in reading.pairs]
    for u, items in sorted(reading.alone.items()):
        out.append(_umbrella_only(lk, u, items))
    return out


def _via(d: Deliverer) -> str:
    return f"through {d.via_name}" if d.via_name else "itself"


def _unconfirmed_words(lk: Lookup, leads: list[Deliverer]) -> list[str]:
    """What the finding rests on that is unconfirmed or lapsed: each lead link, body or plan, in words."""
    out = []
    for d in leads:
        if d.status is Status.UNCONFIRMED:
            out.append(f"{d.name}'s lead on '{lk.name(d.theme)}'")
        elif d.lapsed is not None:
            out.append(f"{d.via_name}, whose period ended on {d.lapsed.isoformat()}")
        elif d.draft:
            out.append(f"{d.via_name}, a draft not yet adopted")
        else:
            for rec in (d.id, d.via):
                if rec and lk.unconfirmed(rec):
                    why = "known only from old sources" if lk.old_only(rec) else "unconfirmed"
                    out.append(f"{lk.name(rec)} ({why})")
                    break
    return list(dict.fromkeys(out))


def _umbrella_delivery(lk: Lookup, pair: DeliveryPair, remits: dict[str, set[str]]) -> Finding:
    u, d = pair.umbrella, pair.body
    rows = pair.rows
    big, small = remits.get(u.id, set()), remits.get(d.id, set())
    shared = len(big & small)
    names = ", ".join(f"'{r.name}'" for r in rows)
    leads_u = [x for r in rows for x in r.leads if x.id == u.id and x.theme == r.theme]
    leads_d = [x for r in rows for x in r.leads if x.id == d.id]
    vias = list(dict.fromkeys(x.via for x in leads_u if x.via))
    facts = [*leads_u, *leads_d]
    words = _unconfirmed_words(lk, facts)
    weak = all(_unconfirmed_words(lk, [x]) for x in facts)  # resting only on unconfirmed facts
    severity = Severity.LOW if weak else Severity.MEDIUM
    where = {
        Relation.SAME: "in the same area",
        Relation.CONTAINS: "within its area",
        Relation.UNKNOWN: "(where each works is not recorded)",
    }.get(pair.place, "in the same area")
    statutory = isinstance(rec := lk.index.get(d.id), Body) and rec.statutory
    holders = ", ".join(vias) if vias else u.id
    suggestion = (
        f"Record which body delivers {'it' if len(rows) == 1 else 'them'}: add delivered_by: [{d.id}] to the "
        f"lead of {holders} on {', '.join(r.theme for r in rows)}"
    )
    if not statutory and pair.place in (Relation.SAME, Relation.CONTAINS, Relation.UNKNOWN):
        suggestion += f", or record {d.name} as a sub-group of (or reporting to) {u.name}"
    suggestion += "."
    sources: list[Source] = []
    for r in rows:
        sources += lk.record_sources(r.theme)
    for x in (*leads_u, *leads_d):
        sources += lk.rel_sources(x.via or x.id, "themes", x.theme)
    return make_finding(
        Kind.UMBRELLA_DELIVERY,
        severity,
        f"{u.name} leads {names} {_via(leads_u[0])}; {d.name} also "
        f"{'leads it' if len(rows) == 1 else 'leads them'} {where}." + rests_on(words, weak),
        [lk.subject(u.id), lk.subject(d.id), *(lk.subject(r.theme) for r in rows)],
        evidence={
            "themes": [{"id": r.theme, "name": r.name, "kind": r.kind} for r in rows],
            "umbrella": {"id": u.id, "name": u.name, "via": [lk.name(v) for v in vias]},
            "delivery_body": {
                "id": d.id,
                "name": d.name,
                "areas": list(d.areas),
                "statutory": statutory,
                "containment": round(shared / max(min(len(big), len(small)), 1), 4),
                "symmetric": round(shared / max((len(big) * len(small)) ** 0.5, 1e-9), 4),
            },
            "place": pair.place.value,
            "umbrella_themes": len(big),
            **unconfirmed_evidence(words, weak),
        },
        suggestion=suggestion,
        sources=sources,
        score=round(shared / max(min(len(big), len(small)), 1), 4),
        key=(u.id, d.id),
    )


def _umbrella_only(lk: Lookup, umbrella: str, items: list[tuple[DeliveryRow, Deliverer]]) -> Finding:
    themes: list[dict[str, Any]] = []
    sources: list[Source] = []
    for row, d in items:
        contributors = [c for c in row.deliverers if c.role is ThemeRole.CONTRIBUTES and c.kind == "body"]
        themes.append(
            {
                "id": row.theme,
                "name": row.name,
                "via": d.via_name,
                "contributors": [{"id": c.id, "name": c.name} for c in dict.fromkeys(contributors)],
                "unconfirmed": bool(_unconfirmed_words(lk, [d])),
            }
        )
        sources += lk.rel_sources(d.via or d.id, "themes", row.theme)
    words = _unconfirmed_words(lk, [d for _, d in items])
    all_weak = all(t["unconfirmed"] for t in themes)
    names = ", ".join(f"'{t['name']}'" for t in themes)
    return make_finding(
        Kind.UMBRELLA_ONLY,
        Severity.LOW if all_weak else Severity.MEDIUM,
        f"{lk.name(umbrella)} leads {plural(len(themes), 'priority', 'priorities')} with no delivery "
        f"body recorded: {names}." + rests_on(words, all_weak),
        [lk.subject(umbrella), *(lk.subject(t["id"]) for t in themes)],
        evidence={
            "umbrella": {"id": umbrella, "name": lk.name(umbrella)},
            "priorities": themes,
            **unconfirmed_evidence(words, all_weak),
        },
        suggestion="For each priority, record the body that delivers it: a body leading it that reports "
        "to the umbrella, or delivered_by on the umbrella's lead (a contributor may be the one).",
        sources=sources,
        key=sorted(t["id"] for t in themes),
    )


__all__ = ["delivery_findings"]
