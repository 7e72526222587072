"""Succession: lists that still name organisations or bodies that were abolished.

Clinical commissioning groups became integrated care boards in July 2022; the
National Probation Service and the community rehabilitation companies became
the Probation Service in June 2021.  Terms of reference are slow to catch up,
so a register copied from them still names the old bodies.  The register says
what was abolished (``dissolved``) and what replaced it (``succeeded_by``);
this analysis reports every current member list, owner and host that still
names one, with its successor, following ``succeeded_by`` to the end of the
chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.dates import first_day
from govmap.ingest.model import Body, Organisation, Record, Register, Status, Strategy

#: Fields whose targets should be current, and how a finding names them.
_CHECKED: dict[type[Record], tuple[tuple[str, str], ...]] = {
    Body: (("members", "member list"), ("hosted_by", "host")),
    Strategy: (("owner", "owner"),),
}


def _abolished(rec: Record | None, day: dt.date) -> bool:
    """An organisation or body dissolved on or before ``day``, or recorded as succeeded."""
    if not isinstance(rec, Organisation | Body):
        return False
    start = first_day(rec.dissolved)
    return (start is not None and start <= day) or (start is None and bool(rec.succeeded_by))


def successors(lk: Lookup, rec_id: str, day: dt.date) -> list[str]:
    """The current successors of ``rec_id``: ``succeeded_by`` followed until a record still in place.

    A split gives several; a chain (A -> B -> C) gives the last; a loop or a
    successor missing from the register stops the walk where it is.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... organisations:
    ...   - {id: a, name: A, type: nhs, dissolved: 2013, succeeded_by: b}
    ...   - {id: b, name: B, type: nhs, dissolved: 2022-07, succeeded_by: c}
    ...   - {id: c, name: C, type: integrated-care-board}
    ... ''')
    >>> successors(Lookup(reg), "a", dt.date(2025, 1, 1))
    ['c']
    """
    out: list[str] = []
    seen = {rec_id}
    todo = [rec_id]
    while todo:
        cur = lk.index.get(todo.pop(0))
        nxt = [link.to for link in getattr(cur, "succeeded_by", ())]
        for s in nxt:
            if s in seen:
                continue
            seen.add(s)
            nxt_rec = lk.index.get(s)
            if _abolished(nxt_rec, day) and isinstance(nxt_rec, Organisation | Body) and nxt_rec.succeeded_by:
                todo.append(s)
            else:
                out.append(s)
    return out


def _when(rec: Record) -> str:
    day = first_day(getattr(rec, "dissolved", None))
    return f"abolished in {day.year}" if day is not None else "replaced"


def _named(lk: Lookup, holder: Body | Strategy, fld: str, day: dt.date) -> Iterator[tuple[str, Status]]:
    """(abolished id, status of the link) for each current link of ``fld`` naming an abolished record."""
    past = lk.past if day == lk.as_of else None  # the reading's history, when it is read as of this day
    for item in getattr(holder, fld):
        target = item.target
        if fld == "members":
            target = item.on_behalf_of or target
            if past is not None and target not in past:
                continue  # not abolished: whether the seat has ended does not matter
            if lk.seat_ended(item):
                continue  # a seat that has ended is history, not a current list
        if (target in past) if past is not None else _abolished(lk.index.get(target), day):
            status = (
                lk.membership_status(holder, item) if isinstance(holder, Body) and fld == "members" else None
            )
            yield target, status or Status.CONFIRMED


def succession(
    register: Register, today: dt.date | None = None, lookup: Lookup | None = None
) -> list[Finding]:
    """Current bodies and strategies whose members, host or owner include an abolished organisation or body.

    Parameters
    ----------
    register : Register
    today : date, optional
        What "abolished" is judged against (``dissolved`` on or before it).

    Returns
    -------
    list of Finding
        ``names-dissolved``, one per record and field: medium when a confirmed
        link names the abolished record, low when every such link is
        unconfirmed.  The evidence lists each abolished record with its
        ``dissolved`` date and its current successors.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... documents: [{id: tor, name: Terms of reference}]
    ... organisations:
    ...   - {id: ccg, name: Town CCG, type: nhs, dissolved: 2022-07-01, succeeded_by: icb}
    ...   - {id: icb, name: County ICB, type: integrated-care-board}
    ... bodies: [{id: csp, name: Town CSP, kind: csp, members: [ccg], sources: [{doc: tor}]}]
    ... ''')
    >>> [f.title for f in succession(reg, dt.date(2025, 1, 1))]
    ['The member list of Town CSP still names Town CCG, abolished in 2022; its successor is County ICB.']
    """
    day = today or dt.date.today()
    lk = lookup_of(register, lookup, day)
    if day == lk.as_of and not any(isinstance(lk.index.get(i), Organisation | Body) for i in lk.past):
        return []  # the reading's history holds no abolished organisation or body: nothing can name one
    out = []
    holders: list[Body | Strategy] = [*lk.bodies, *(s for s in lk.strategies if s.id not in lk.lapsed)]
    for holder in holders:
        for fld, word in _CHECKED[type(holder)]:
            named = list(dict.fromkeys(_named(lk, holder, fld, day)))
            if named:
                out.append(_finding(lk, holder, fld, word, named, day))
    return out


def _finding(
    lk: Lookup, holder: Body | Strategy, fld: str, word: str, named: list[tuple[str, Status]], day: dt.date
) -> Finding:
    entries: list[dict[str, Any]] = []
    phrases = []
    for rid, status in named:
        rec = lk.index[rid]
        succ = successors(lk, rid, day)
        dissolved = getattr(rec, "dissolved", None)
        entries.append(
            {
                "id": rid,
                "name": rec.name,
                "dissolved": None if dissolved is None else str(dissolved),
                "successors": [{"id": s, "name": lk.name(s)} for s in succ],
                "status": status.value,
            }
        )
        phrase = f"{rec.name}, {_when(rec)}"
        if succ:
            names = " and ".join(lk.name(s) for s in succ)
            phrase += f"; its successor {'is' if len(succ) == 1 else 'are'} {names}"
        phrases.append(phrase)
    confirmed = any(st is Status.CONFIRMED for _, st in named)
    title = f"The {word} of {holder.name} still names " + "; and ".join(phrases) + "."
    return make_finding(
        Kind.NAMES_DISSOLVED,
        Severity.MEDIUM if confirmed else Severity.LOW,
        title,
        [lk.subject(holder.id), *(lk.subject(rid) for rid, _ in named)],
        evidence={"field": fld, "abolished": entries, "as_of": day.isoformat()},
        suggestion=(
            f"Check the current {word}: replace each abolished organisation by its successor, "
            "or give the old seat an end date."
        ),
        sources=[
            *lk.record_sources(holder.id),
            *(s for rid, _ in named for s in lk.rel_sources(holder.id, fld, rid)),
        ],
        key=fld,
    )


__all__ = ["succession", "successors"]
