"""Staleness: review dates passed, strategy periods ended, facts still unconfirmed.

Every function takes ``today`` explicitly (default: :meth:`datetime.date.today`)
so that a report for a given ``--as-of`` date is the same byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from typing import Any

from govmap.graph.analysis.disputes import disputed_facts
from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Severity,
    SourceRef,
    make_finding,
    plural,
)
from govmap.graph.analysis.fold import folded, unconfirmed_title
from govmap.graph.analysis.lookup import Lookup, Subject, lookup_of
from govmap.ingest.dates import PartialDate, last_day
from govmap.ingest.model import Body, Document, Register, Status, Strategy

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
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... bodies: [{id: b, name: B, kind: board, review_date: 2024-01-31}]
    ... ''')
    >>> [f.title for f in overdue_reviews(reg, dt.date(2024, 3, 1))]
    ['The review of B was due on 2024-01-31 (30 days ago).']
    """
    day = today or dt.date.today()
    lk = lookup_of(register, lookup, day)
    out = []
    # a plan of the past is not reviewed; one past its period is period-ended, said once
    reviewed: tuple[Body | Strategy, ...] = (*lk.bodies, *(s for s in lk.strategies if s.id not in lk.lapsed))
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


def unconfirmed_facts(
    register: Register, lookup: Lookup | None = None, *, fold: bool = False
) -> list[Finding]:
    """One finding per record with unconfirmed facts: the record itself or relations written in it.

    Documents are left out (they are the sources).  Severity low for bodies
    and strategies, info for the rest.  With ``fold``, the findings come
    already folded as :func:`govmap.graph.report.aggregate.aggregate` folds them
    (one per section); the same findings, without making one object per record
    first (at national scale, 51,000 of them).

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads("themes: [{id: a, name: A, kind: public-concern}, {id: b, name: B, kind: public-concern}]")
    >>> [f.title for f in unconfirmed_facts(reg)]
    ['A has 1 unconfirmed fact.', 'B has 1 unconfirmed fact.']
    >>> [f.title for f in unconfirmed_facts(reg, fold=True)]
    ['2 themes have unconfirmed facts (2 facts in all).']
    """
    lk = lookup_of(register, lookup)
    parts: dict[str, list[tuple[int, str, Subject, dict[str, Any], str]]] = {}
    cited: dict[str, set[tuple[str, str | None]]] = {}  # each section's records' sources, for a fold
    status, unconfirmed_rels, unconfirmed = lk.status, lk.unconfirmed_rels, Status.UNCONFIRMED
    row = _RelationRows(lk.name).__getitem__
    subject_of = lk.subject
    for rec in register.records():
        rid = rec.id
        own = status[rid] is unconfirmed
        rels = unconfirmed_rels.get(rid)
        if (not own and not rels) or isinstance(rec, Document):
            continue
        if rels:
            n = len(rels) + own
            evidence = {"record_unconfirmed": own, "relations": list(map(row, rels))}
        else:
            n = 1
            evidence = {"record_unconfirmed": own, "relations": []}
        subject = subject_of(rid)
        group = parts.get(subject.kind)
        if group is None:
            group = parts[subject.kind] = []
            cited[subject.kind] = set()
        # plural(n, "unconfirmed fact") written out: once a record, 51,000 nationally
        group.append(
            (n, f"{rec.name} has {n} unconfirmed fact{'' if n == 1 else 's'}.", subject, evidence, rid)
        )
        if fold and rec.sources:
            cited[subject.kind].update([(s.doc, s.section) for s in rec.sources])
    out = []
    for word, group in parts.items():
        if fold and len(group) > 1:
            out.append(_folded(word, group, cited[word]))
            continue
        out += [
            make_finding(
                Kind.UNCONFIRMED,
                _unconfirmed_severity(word),
                title,
                [subject],
                evidence=evidence,
                suggestion=UNCONFIRMED_SUGGESTION,
                sources=lk.record_sources(rid),
                score=n,
            )
            for n, title, subject, evidence, rid in group
        ]
    return out


UNCONFIRMED_SUGGESTION = "Find a source for each fact, or remove it."


class _RelationRows(dict[tuple[str, str], dict[str, str]]):
    """(field, target) -> its row in a finding's ``relations``, made once and shared by every record
    naming it (read only: written as JSON).  Nationally 220,000 relations name 26,000 such pairs.

    >>> rows = _RelationRows(str.upper)
    >>> rows["members", "police"]
    {'field': 'members', 'to': 'police', 'name': 'POLICE'}
    >>> rows["members", "police"] is rows["members", "police"]
    True
    """

    def __init__(self, name: Callable[[str], str]) -> None:
        super().__init__()
        self.name = name

    def __missing__(self, key: tuple[str, str]) -> dict[str, str]:
        found = self[key] = {"field": key[0], "to": key[1], "name": self.name(key[1])}
        return found


def _part_id(record_id: str) -> str:
    """``finding_id(Kind.UNCONFIRMED, [record_id])``, the JSON it hashes written out directly.

    >>> from govmap.graph.analysis.findings import finding_id
    >>> _part_id("fa0-police") == finding_id(Kind.UNCONFIRMED, ["fa0-police"])
    True
    """
    text = f"{_PART_JSON}{encode_basestring_ascii(record_id)}], null]"
    return f"{_PART_PREFIX}{hashlib.sha256(text.encode('utf-8')).hexdigest()[:10]}"


_PART_JSON = f'["{Kind.UNCONFIRMED.value}", ['
_PART_PREFIX = f"{Kind.UNCONFIRMED.value}-"


def _unconfirmed_severity(word: str) -> Severity:
    return Severity.LOW if word in ("body", "strategy") else Severity.INFO


def _folded(
    word: str, group: list[tuple[int, str, Subject, dict[str, Any], str]], cited: set[tuple[str, str | None]]
) -> Finding:
    """The unconfirmed facts of one section as one finding, as :func:`aggregate` folds them (``cited``:
    the sources of the section's records)."""
    severity = _unconfirmed_severity(word)
    level = severity.value  # an enum's value is a property: read once, not once an item
    rows = [
        (-float(n), title, _part_id(rid), n, subject, evidence, rid)
        for n, title, subject, evidence, rid in group
    ]
    rows.sort(key=itemgetter(0, 1, 2))  # Finding.sort_key: the severity and kind are the same for all
    return folded(
        Kind.UNCONFIRMED,
        word,
        [
            {
                "id": fid,
                "severity": level,
                "title": title,
                "subjects": [subject.to_json()],
                "evidence": ev,
            }
            for _, title, fid, _, subject, ev, _ in rows
        ],
        subjects=[r[4] for r in rows],
        sources=[SourceRef(doc, section) for doc, section in cited],
        severity=severity,
        title=unconfirmed_title(word, len(rows), sum(r[3] for r in rows)),
        suggestion=UNCONFIRMED_SUGGESTION,
        score=max(float(r[3]) for r in rows),
    )


def staleness(
    register: Register, today: dt.date | None = None, lookup: Lookup | None = None, *, fold: bool = False
) -> list[Finding]:
    """Every staleness finding: :func:`overdue_reviews`, :func:`ended_periods`, :func:`unconfirmed_facts`
    (folded with ``fold``) and :func:`~govmap.graph.analysis.disputes.disputed_facts`."""
    lk = lookup_of(register, lookup)
    return (
        overdue_reviews(register, today, lk)
        + ended_periods(register, today, lk)
        + unconfirmed_facts(register, lk, fold=fold)
        + disputed_facts(register, lk)
    )


__all__ = ["ended_periods", "overdue_reviews", "staleness", "unconfirmed_facts"]
