"""What if two boards merged, or one were retired: a scenario register and its effect.

A scenario is built **in memory** from the register (the file is never
written; ``govmap whatif -o FILE`` saves the scenario elsewhere), validated like
a file, and reported.  Its effect is the difference from the register as it is:

- findings new and resolved (by stable id);
- themes (priorities) that lose their lead body, or every body addressing them;
- statutory membership rules now failing;
- overlaps resolved;
- seat load per organisation (seats, and meetings a year where ``meets`` says
  how often: monthly, quarterly ...);
- reporting lines left dangling (an active body reporting to a retired one).

Steps
-----
**merge** A B ... **into** NEW: one body with every member once (first
seat kept), every theme once (a lead wins over a contributor, the bodies
delivering it united), and the union of every other list: areas, reporting
lines, hosts, links, platforms, seats by sector and sources.  Every reference
to A, B ... anywhere (reporting lines, sub-groups, members, owners, adopters,
``delivered_by``, successors, the register's top) now points to NEW, once,
and never from NEW to itself; A, B ... stay in the register with
``succeeded_by: NEW`` (so they are no longer judged).  NEW may be one of
A, B ... (merge B into A).

**retire** X: X is dissolved as of the scenario's day.  Bodies reporting to
X are left as they are: their lines now dangle, which is the point.

**move** X **to** Y: X reports to Y only (its ``reports_to`` and
``sub_group_of`` replaced).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govmap.graph.analysis.delivery import delivery_matrix
from govmap.graph.analysis.findings import Finding, Kind
from govmap.graph.analysis.lookup import Lookup, is_active
from govmap.graph.report import ReportOptions, report
from govmap.graph.review.diff import FindingsDiff, diff_findings, finding_brief
from govmap.graph.review.scenario import (
    Merge,
    Move,
    Retire,
    ScenarioRefused,
    Step,
    merged_body,
    scenario_register,
)
from govmap.ingest.model import (
    REPORTING_FIELDS,
    Body,
    Register,
)

# -- its effect ----------------------------------------------------------------

_PER_YEAR = (
    (r"\bweekly\b", 52),
    (r"\bfortnightly\b|every two weeks", 26),
    (r"\bbi-?monthly\b|every (two|2) months", 6),
    (r"six-?weekly|every (six|6) weeks", 8),
    (r"\bmonthly\b", 12),
    (r"\bquarterly\b|four times a year|every (three|3) months", 4),
    (r"\btermly\b|three times a year", 3),
    (r"twice a year|bi-?annual|half-?yearly|six-?monthly", 2),
    (r"\bannual(ly)?\b|\byearly\b|once a year", 1),
)


def meetings_per_year(meets: str | None) -> int | None:
    """How many meetings a year a body's ``meets`` text says, or None if it does not say.

    >>> meetings_per_year("Quarterly, in public"), meetings_per_year("bi-monthly"), meetings_per_year("as needed")
    (4, 6, None)
    """
    text = (meets or "").lower()
    for pattern, n in _PER_YEAR:
        if re.search(pattern, text):
            return n
    return None


@dataclass(frozen=True)
class SeatLoad:
    organisation: str
    name: str
    seats_before: int
    seats_after: int
    meetings_before: int
    meetings_after: int

    def to_json(self) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "name": self.name,
            "seats_before": self.seats_before,
            "seats_after": self.seats_after,
            "seats_saved": self.seats_before - self.seats_after,
            "meetings_before": self.meetings_before,
            "meetings_after": self.meetings_after,
            "meetings_saved": self.meetings_before - self.meetings_after,
        }


def seat_load(lk: Lookup) -> tuple[Counter[str], Counter[str]]:
    """Seats and known meetings a year on active bodies, per organisation."""
    seats: Counter[str] = Counter()
    meetings: Counter[str] = Counter()
    for b in lk.bodies:
        per_year = meetings_per_year(b.meets) or 0
        for m in b.members:
            org = lk.seat_organisation(m)
            if org is not None:
                seats[org] += 1
                meetings[org] += per_year
    return seats, meetings


def _theme_bodies(register: Register, lk: Lookup) -> dict[str, tuple[set[str], set[str]]]:
    """Theme -> (who leads it, who delivers it at all), from the delivery matrix.

    A strategy's themes count for its owner, so a board that leads its
    agreement's priorities loses them when it is retired.
    """
    matrix = delivery_matrix(register, lk)
    return {row.theme: ({d.id for d in row.leads}, {d.id for d in row.deliverers}) for row in matrix.rows}


def _dangling(register: Register) -> set[tuple[str, str, str]]:
    index = register.index
    out = set()
    for b in register.bodies:
        if not is_active(b):
            continue
        for fld in REPORTING_FIELDS:
            for link in getattr(b, fld):
                target = index.get(link.to)
                if isinstance(target, Body) and not is_active(target):
                    out.add((b.id, fld, link.to))
    return out


@dataclass(frozen=True)
class WhatIf:
    """A scenario and its effect on findings and coverage."""

    steps: tuple[Step, ...]
    register: Register
    findings: FindingsDiff
    lost_lead: tuple[str, ...]
    lost_all_bodies: tuple[str, ...]
    statutory_failing: tuple[Finding, ...]
    overlaps_resolved: tuple[Finding, ...]
    seat_load: tuple[SeatLoad, ...]
    dangling: tuple[tuple[str, str, str], ...]
    names: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    #: Findings about merged bodies that the merged body still has (an orphan stays an
    #: orphan): in ``findings.open``, not new, and their old selves not resolved.
    carried: tuple[Finding, ...] = ()

    def name(self, rid: str) -> str:
        return self.names.get(rid, rid)

    @property
    def headline(self) -> str:
        """The scenario in names: ``Alpha Board and Beta Board merge into Alpha and Beta Board``."""
        return "; ".join(s.words(self.name) for s in self.steps) or "no change"

    @property
    def counts(self) -> str:
        """``Findings: 1 new, 2 resolved, 60 unchanged (1 carried over to the merged body).``"""
        fd = self.findings
        changed = f"{len(fd.changed)} changed, " if fd.changed else ""
        text = f"Findings: {len(fd.new)} new, {len(fd.resolved)} resolved, {changed}{len(fd.open)} unchanged"
        if self.carried:
            text += f" ({len(self.carried)} carried over to the merged body)"
        return text + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": [s.describe() for s in self.steps],
            "headline": self.headline,
            "findings": {**self.findings.to_json(), "carried_over": [finding_brief(f) for f in self.carried]},
            "coverage": {
                "themes_losing_lead": [{"id": t, "name": self.name(t)} for t in self.lost_lead],
                "themes_losing_every_body": [{"id": t, "name": self.name(t)} for t in self.lost_all_bodies],
            },
            "statutory_failing": [finding_brief(f) for f in self.statutory_failing],
            "overlaps_resolved": [finding_brief(f) for f in self.overlaps_resolved],
            "seat_load": [s.to_json() for s in self.seat_load],
            "dangling_reporting_lines": [
                {"body": b, "field": f, "to": t, "name": self.name(b), "to_name": self.name(t)}
                for b, f, t in self.dangling
            ],
        }


def what_if(register: Register, steps: Sequence[Step], as_of: dt.date | None = None) -> WhatIf:
    """Build the scenario, report both registers as of the same day, and compare.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... organisations: [{id: o, name: O, type: other}]
    ... bodies:
    ...   - {id: a, name: Alpha Board, kind: board, members: [o]}
    ...   - {id: b, name: Beta Board, kind: board, members: [o]}
    ... ''')
    >>> w = what_if(reg, [Merge(("a", "b"), "ab", "AB Board")], dt.date(2025, 1, 1))
    >>> [m.member for m in w.register.get("ab").members], [s.to_json()["seats_saved"] for s in w.seat_load]
    (['o'], [1])
    """
    day = as_of or dt.date.today()
    scn = scenario_register(register, steps, day)
    opts = ReportOptions(as_of=day)
    before, after = report(register, options=opts), report(scn, options=opts)
    fd, carried = carry_over(diff_findings(before.findings, after.findings), steps)
    lk0, lk1 = Lookup(register), Lookup(scn)
    t0, t1 = _theme_bodies(register, lk0), _theme_bodies(scn, lk1)
    lost_lead = tuple(t for t, (lead, _) in sorted(t0.items()) if lead and not t1.get(t, (set(), set()))[0])
    lost_all = tuple(t for t, (_, alls) in sorted(t0.items()) if alls and not t1.get(t, (set(), set()))[1])
    s0, m0 = seat_load(lk0)
    s1, m1 = seat_load(lk1)
    loads = tuple(
        SeatLoad(o, lk1.name(o), s0[o], s1[o], m0[o], m1[o])
        for o in sorted(set(s0) | set(s1))
        if (s0[o], m0[o]) != (s1[o], m1[o])
    )
    names = {r.id: r.name for r in register.records()} | {r.id: r.name for r in scn.records()}
    return WhatIf(
        steps=tuple(steps),
        register=scn,
        findings=fd,
        lost_lead=lost_lead,
        lost_all_bodies=lost_all,
        statutory_failing=tuple(f for f in fd.new if f.kind is Kind.STATUTORY_MISSING),
        overlaps_resolved=tuple(f for f in fd.resolved if f.kind is Kind.OVERLAP),
        seat_load=loads,
        dangling=tuple(sorted(_dangling(scn) - _dangling(register))),
        names=names,
        carried=carried,
    )


def carry_over(fd: FindingsDiff, steps: Sequence[Step]) -> tuple[FindingsDiff, tuple[Finding, ...]]:
    """``fd`` with the findings a merger only renamed taken out of new and resolved.

    A new finding is carried over when a resolved finding of the same kind had the same
    subjects once each merged body is read as the body it merged into: two orphan boards
    merged are one orphan board, not a new orphan and two resolved.  Anything else (a
    folded finding whose subjects grew, an overlap with a different body) stays new.
    """
    into = {i: m.into for m in steps if isinstance(m, Merge) for i in m.ids}
    if not into:
        return fd, ()

    def key(f: Finding) -> tuple[Kind, frozenset[str]]:
        return f.kind, frozenset(into.get(s.id, s.id) for s in f.subjects)

    gone = {key(f) for f in fd.resolved}
    carried = tuple(f for f in fd.new if key(f) in gone)
    kept = {key(f) for f in carried}
    return (
        FindingsDiff(
            new=tuple(f for f in fd.new if key(f) not in kept),
            resolved=tuple(f for f in fd.resolved if key(f) not in kept),
            open=fd.open + carried,
            changed=fd.changed,
            was=fd.was,
        ),
        carried,
    )


__all__ = [
    "carry_over",
    "Merge",
    "Move",
    "Retire",
    "ScenarioRefused",
    "SeatLoad",
    "WhatIf",
    "meetings_per_year",
    "merged_body",
    "scenario_register",
    "what_if",
]
