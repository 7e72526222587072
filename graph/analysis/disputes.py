"""Disputed facts: where the register's sources disagree, shown as such.

A fact may cite several sources that say different things (each source's
``value`` note says what it says), or be marked ``status: disputed``.  Such a
fact is never shown as confirmed; this analysis lists each record with a
disputed fact and what each source says, so a reviewer can settle it.  The
fact may be the record, a relationship written in it, or one field of the
record (``field_status``: a plan whose start year alone is disputed).
"""

from __future__ import annotations

from typing import Any

from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding, plural
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Document, Register, Source, Status, field_status_of


def _says(sources: tuple[Source, ...]) -> list[dict[str, Any]]:
    return [{"doc": s.doc, "section": s.section, "value": s.value} for s in sources]


def _phrase(lk: Lookup, sources: tuple[Source, ...]) -> str:
    said = [f"{lk.name(s.doc)} says '{s.value}'" for s in sources if s.value]
    return "; ".join(said)


def disputed_facts(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """One finding (low) per record with a disputed fact: the record itself or a relationship written in it.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... documents: [{id: a, name: Website}, {id: b, name: Annual report}]
    ... bodies:
    ...   - id: vru
    ...     name: Violence Reduction Unit
    ...     kind: unit
    ...     established: 2019
    ...     sources: [{doc: a, value: established 2019}, {doc: b, value: established 2020}]
    ... ''')
    >>> [f.title for f in disputed_facts(reg)]
    ["Sources disagree about Violence Reduction Unit: Website says 'established 2019'; Annual report says 'established 2020'."]
    """
    lk = lookup_of(register, lookup)
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for origin, disputed in lk.disputed_rels.items():
        for rel in disputed:
            other = rel.target if rel.origin == rel.source else rel.source
            by_origin.setdefault(origin, []).append(
                {"field": rel.field, "to": other, "name": lk.name(other), "sources": _says(rel.sources)}
            )
    out = []
    status, in_dispute = lk.status, Status.DISPUTED
    for rec in register.records():
        if isinstance(rec, Document):
            continue
        own = status[rec.id] is in_dispute
        if not own and not rec.field_status and rec.id not in by_origin:
            continue  # nothing of it disputed (most records)
        rels = by_origin.get(rec.id, [])
        fields = [
            {"field": fs.field, "sources": _says(fs.sources)}
            for fs in rec.field_status
            if field_status_of(rec, fs.field) is Status.DISPUTED
        ]
        if not own and not rels and not fields:
            continue
        if own and not rels and not fields:
            said = _phrase(lk, rec.sources)
            title = f"Sources disagree about {rec.name}" + (f": {said}." if said else ".")
        elif fields and not own and not rels and len(fields) == 1:
            [fs] = [f for f in rec.field_status if f.field == fields[0]["field"]]
            said = _phrase(lk, fs.sources)
            what = fs.field.replace(".", " ").replace("_", " ")
            title = f"Sources disagree about the {what} of {rec.name}" + (f": {said}." if said else ".")
        else:
            n = len(rels) + own + len(fields)
            title = f"{rec.name} has {plural(n, 'disputed fact')}: the sources disagree."
        out.append(
            make_finding(
                Kind.DISPUTED,
                Severity.LOW,
                title,
                [lk.subject(rec.id)],
                evidence={"record": _says(rec.sources) if own else None, "relations": rels, "fields": fields},
                suggestion="Settle which source is right (the most recent, the one that decides), then record it.",
                sources=lk.record_sources(rec.id),
            )
        )
    return out


__all__ = ["disputed_facts"]
