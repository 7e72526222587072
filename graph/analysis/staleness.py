"""Staleness: review dates passed, strategy periods ended, facts still unconfirmed.

Every function takes ``today`` explicitly (default: :meth:`datetime.date.today`)
so that a report for a given ``--as-of`` date is the same byte for byte.
"""

from __future__ import annotations

import datetime as dt

from govmap.graph.analysis.disputes import disputed_facts
from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding, plural
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.dates import PartialDate, last_day
from govmap.ingest.model import Body, Document, Register, Status, Strategy, effective_status

#: Days overdue from which a missed review is medium rather than low.
LONG_OVERDUE_DAYS = 365


def _end_of(value: int | dt.date | PartialDate | None) -> dt.date | None:
    """The last day a date may mean: a year ``end`` ends on 31 December, a month on its last day."""
    return last_day(value)


def overdue_reviews(
    register: Register, today: dt.date | None = None, lookup: Lookup | None = None
) -> list[Finding]:
    """Bodies and strategies whose ``review_date`` is before ``today``.

    Severity low; medium when more than :data:`LONG_OVERDUE_DAYS` overdue.

    Examples
    --------
    >>> import datetime as dt
    >>> from govmap.ingest.load import loads
    >>> reg = loads('''
    ... bodies: [{id: b, name: B, kind: board, review_date: 2024-01-31}]
    ... ''')
    >>> [f.title for f in overdue_reviews(reg, dt.date(2024, 3, 1))]
    ['The review of B was due on 2024-01-31 (30 days ago).']
    """
    lk = lookup_of(register, lookup)
    day = today or dt.date.today()
    out = []
    reviewed: tuple[Body | Strategy, ...] = (*lk.bodies, *register.strategies)
    for rec in reviewed:
        if rec.review_date is None or rec.review_date >= day:
            continue
        days = (day - (last_day(rec.review_date) or day)).days
        out.append(
            make_finding(
                Kind.REVIEW_OVERDUE,
                Severity.MEDIUM if days > LONG_OVERDUE_DAYS else Severity.LOW,
                f"The review of {rec.name} was due on {rec.review_date.isoformat()} ({plural(days, 'day')} ago).",
                [lk.subject(rec.id)],
                evidence={
                    "review_date": rec.review_date.isoformat(),
                    "as_of": day.isoformat(),
                    "days_overdue": days,
                },
                suggestion="Review it, then record the next review date.",
                sources=lk.record_sources(rec.id),
                score=days,
                key=rec.review_date.isoformat(),
            )
        )
    return out


def ended_periods(
    register: Register, today: dt.date | None = None, lookup: Lookup | None = None
) -> list[Finding]:
    """Strategies whose period has ended (a year ``end`` ends on 31 December) and no successor is recorded (low)."""
    lk = lookup_of(register, lookup)
    day = today or dt.date.today()
    out = []
    for s in register.strategies:
        if s.succeeded_by or s.dissolved is not None:
            continue  # replaced by a newer edition, or withdrawn: its period is history
        end = _end_of(s.period.end if s.period else None)
        if end is None or end >= day:
            continue
        out.append(
            make_finding(
                Kind.PERIOD_ENDED,
                Severity.LOW,
                f"The period of {s.name} ended on {end.isoformat()}.",
                [lk.subject(s.id)],
                evidence={"period_end": end.isoformat(), "as_of": day.isoformat()},
                suggestion="Record its replacement, or extend its period if it still applies.",
                sources=lk.record_sources(s.id),
                key=end.isoformat(),
            )
        )
    return out


def unconfirmed_facts(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """One finding per record with unconfirmed facts: the record itself or relations written in it.

    Documents are left out (they are the sources).  Severity low for bodies
    and strategies, info for the rest.
    """
    lk = lookup_of(register, lookup)
    out = []
    for rec in register.records():
        if isinstance(rec, Document):
            continue
        own = effective_status(rec) is Status.UNCONFIRMED
        rels = lk.unconfirmed_rels.get(rec.id, [])
        if not own and not rels:
            continue
        n = len(rels) + own
        kind = lk.subject(rec.id).kind
        out.append(
            make_finding(
                Kind.UNCONFIRMED,
                Severity.LOW if kind in ("body", "strategy") else Severity.INFO,
                f"{rec.name} has {plural(n, 'unconfirmed fact')}.",
                [lk.subject(rec.id)],
                evidence={
                    "record_unconfirmed": own,
                    "relations": [{"field": f, "to": t, "name": lk.name(t)} for f, t in rels],
                },
                suggestion="Find a source for each fact, or remove it.",
                sources=lk.record_sources(rec.id),
                score=n,
            )
        )
    return out


def staleness(
    register: Register, today: dt.date | None = None, lookup: Lookup | None = None
) -> list[Finding]:
    """Every staleness finding: :func:`overdue_reviews`, :func:`ended_periods`, :func:`unconfirmed_facts`."""
    lk = lookup_of(register, lookup)
    return (
        overdue_reviews(register, today, lk)
        + ended_periods(register, today, lk)
        + unconfirmed_facts(register, lk)
        + disputed_facts(register, lk)
    )


__all__ = ["ended_periods", "overdue_reviews", "staleness", "unconfirmed_facts"]
