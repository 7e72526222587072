"""Appointments: seats that end soon, appointments whose term has run out, seats nobody holds.

These are the questions of a council's annual review of its outside-body
appointments.  A seat is a :class:`~govmap.ingest.model.Membership`; its
appointment ends on ``end``, or, when only ``start`` and ``term`` (months) are
written, on ``start + term``.

A seat whose ``end`` has passed is **history**: the register records that it
ended (a past chair, the seat of an abolished organisation).  It is neither an
expired appointment nor a vacancy, and it does not count among a body's seats.
An appointment is **expired** when its term (``start + term``) has run out and
nothing records its end or renewal: it is still listed.

A **vacant seat** is a membership held by a *post* (``posts`` section) that
nobody holds on the day judged although the register records who held it
(``people: [{id, name, holds: [{to: post, start, end}]}]``): the last holder
left.  A post whose holder is simply not recorded is a data gap, not a
vacancy; a register that records no people does not track holders at all.

Every function takes ``as_of`` explicitly so that a report for a given
``--as-of`` date is the same byte for byte.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterator

from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding, plural
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.dates import first_day, last_day
from govmap.ingest.model import Body, Membership, Post, Register

#: Appointments ending within this many days of ``as_of`` are reported.
DEFAULT_ENDING_DAYS = 90
#: A body is "mostly vacant" when more than this share of its seats is unfilled (and it has 2 or more).
MOSTLY_VACANT_SHARE = 0.5


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by ``months``, clamped to the end of a shorter month.

    >>> add_months(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    >>> add_months(dt.date(2023, 5, 1), 48)
    datetime.date(2027, 5, 1)
    """
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def appointment_end(m: Membership) -> dt.date | None:
    """When a seat's appointment ends: ``end``, else ``start + term``, else unknown (None).

    A partial date is read generously: ``end: 2026`` ends on 31 December 2026,
    ``start: 2024`` starts on 1 January 2024.
    """
    if m.end is not None:
        return last_day(m.end)
    start = first_day(m.start)
    if start is not None and m.term is not None:
        return add_months(start, m.term)
    return None


def _seats(lk: Lookup) -> Iterator[tuple[Body, Membership]]:
    """Current seats of current bodies (a seat whose end has passed is history)."""
    for body in lk.bodies:
        for m in lk.seats(body):
            yield body, m


def _ends(lk: Lookup) -> list[tuple[Body, Membership, dt.date]]:
    """Current seats whose appointment has a known end (:func:`appointment_end`), with it, in seat order.

    Read once a reading (both appointment analyses ask; nationally 150,000 seats, few with an end).
    """
    found: list[tuple[Body, Membership, dt.date]] | None = lk.memo.get("appointment-ends")
    if found is None:
        found = lk.memo["appointment-ends"] = [
            (body, m, end)
            for body in lk.bodies
            for m in lk.seats(body)
            if (m.end is not None or (m.start is not None and m.term is not None))
            and (end := appointment_end(m)) is not None
        ]
    return found


def holders(register: Register, as_of: dt.date) -> dict[str, list[str]]:
    """Post id -> ids of the people holding it on ``as_of``."""
    out: dict[str, list[str]] = {}
    for person in register.people:
        for link in person.holds:
            start, end = first_day(link.start), last_day(link.end)
            if (start is not None and start > as_of) or (end is not None and end < as_of):
                continue
            out.setdefault(link.to, []).append(person.id)
    return out


def is_vacant(
    register: Register, m: Membership, held: dict[str, list[str]], ever: set[str] | None = None
) -> bool:
    """A post's seat that nobody holds although the register records who held the post (``ever``:
    the posts anyone ever held; None: every post the register's people hold or held)."""
    if not register.people or not isinstance(register.get(m.member), Post) or held.get(m.member):
        return False
    known = ever if ever is not None else {link.to for p in register.people for link in p.holds}
    return m.member in known


def _seat_subjects(lk: Lookup, body: Body, m: Membership) -> list:
    return [lk.subject(body.id), lk.subject(m.member)]


def ending_and_expired(
    register: Register, as_of: dt.date, within_days: int = DEFAULT_ENDING_DAYS, lookup: Lookup | None = None
) -> list[Finding]:
    """Seats whose appointment ends within ``within_days`` (low), or whose term has run out with no end
    or renewal recorded (medium).

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... organisations: [{id: o, name: O, type: other}]
    ... bodies: [{id: b, name: B, kind: board, members: [{member: o, start: 2020-01-01, term: 48}]}]
    ... ''')
    >>> [f.title for f in ending_and_expired(reg, dt.date(2023, 12, 1))]
    ["O's appointment to B ends on 2024-01-01 (in 31 days)."]
    """
    lk = lookup_of(register, lookup, as_of)
    out = []
    for body, m, end in _ends(lk):
        days = (end - as_of).days
        who, where = lk.name(m.member), body.name
        evidence: dict[str, str | int] = {
            "member": m.member,
            "role": m.role.value,
            "end": end.isoformat(),
            "as_of": as_of.isoformat(),
        }
        if m.start is not None:
            evidence["start"] = str(m.start)
        if m.term is not None:
            evidence["term_months"] = m.term
        if days < 0:  # only start + term can have passed: a seat whose end has passed is history
            out.append(
                make_finding(
                    Kind.APPOINTMENT_EXPIRED,
                    Severity.MEDIUM,
                    f"{who}'s appointment to {where} ran out on {end.isoformat()} "
                    f"({plural(-days, 'day')} ago, {m.term} months from {m.start}) and no end or renewal is recorded.",
                    _seat_subjects(lk, body, m),
                    evidence=evidence,
                    suggestion="Record the reappointment (a new start and term), or the seat's end.",
                    sources=m.sources or lk.record_sources(body.id),
                    score=-days,
                    key=(m.role.value, end.isoformat()),
                )
            )
        elif days <= within_days:
            out.append(
                make_finding(
                    Kind.APPOINTMENT_ENDING,
                    Severity.LOW,
                    f"{who}'s appointment to {where} ends on {end.isoformat()} (in {plural(days, 'day')}).",
                    _seat_subjects(lk, body, m),
                    evidence=evidence,
                    suggestion="Decide whether to reappoint, and record the decision.",
                    sources=m.sources or lk.record_sources(body.id),
                    score=days,
                    key=(m.role.value, end.isoformat()),
                )
            )
    return out


def vacancies(register: Register, as_of: dt.date, lookup: Lookup | None = None) -> list[Finding]:
    """Seats held by a post nobody holds (low), and bodies whose seats are mostly unfilled (medium).

    A seat is unfilled when it is vacant or its appointment has ended.
    """
    lk = lookup_of(register, lookup, as_of)
    held = holders(register, as_of)
    ever = {link.to for p in register.people for link in p.holds}
    out = []
    # a seat is unfilled when it is vacant or its appointment has ended: counted once
    unfilled = Counter(body.id for body, _, end in _ends(lk) if end < as_of)
    for body, m in _seats(lk) if register.people else ():  # no people, no post held: nothing vacant
        if not is_vacant(register, m, held, ever):
            continue
        end = appointment_end(m)
        if end is None or end >= as_of:
            unfilled[body.id] += 1
        post = register.get(m.member)
        out.append(
            make_finding(
                Kind.SEAT_VACANT,
                Severity.LOW,
                f"The {m.role.value} seat of {lk.name(m.member)} on {body.name} is vacant: "
                f"nobody holds the post now (the register records its past holders).",
                _seat_subjects(lk, body, m),
                evidence={
                    "post": m.member,
                    "organisation": post.organisation if isinstance(post, Post) else None,
                    "role": m.role.value,
                    "as_of": as_of.isoformat(),
                },
                suggestion="Record who holds the post now (people: holds), or note why it is unfilled.",
                sources=m.sources or lk.record_sources(body.id),
                key=m.role.value,
            )
        )
    for body in lk.bodies:
        n, empty = len(lk.seats(body)), unfilled.get(body.id, 0)
        if n >= 2 and empty / n > MOSTLY_VACANT_SHARE:
            out.append(
                make_finding(
                    Kind.MOSTLY_VACANT,
                    Severity.MEDIUM,
                    f"{empty} of the {n} seats on {body.name} are vacant or expired.",
                    [lk.subject(body.id)],
                    evidence={"seats": n, "unfilled": empty, "as_of": as_of.isoformat()},
                    suggestion="Fill the seats, or ask whether the body still meets.",
                    sources=lk.record_sources(body.id),
                    score=round(empty / n, 4),
                )
            )
    return out


def appointments(
    register: Register,
    as_of: dt.date | None = None,
    lookup: Lookup | None = None,
    within_days: int = DEFAULT_ENDING_DAYS,
) -> list[Finding]:
    """Every appointment finding: :func:`ending_and_expired` and :func:`vacancies`."""
    day = as_of or dt.date.today()
    lk = lookup_of(register, lookup, day)
    return ending_and_expired(register, day, within_days, lk) + vacancies(register, day, lk)


__all__ = [
    "DEFAULT_ENDING_DAYS",
    "add_months",
    "appointment_end",
    "appointments",
    "ending_and_expired",
    "holders",
    "is_vacant",
    "vacancies",
]
