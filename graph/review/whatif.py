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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from govmap.graph.analysis.delivery import delivery_matrix
from govmap.graph.analysis.findings import Finding, Kind
from govmap.graph.analysis.lookup import Lookup, is_active
from govmap.graph.report import ReportOptions, report
from govmap.graph.review.diff import FindingsDiff, diff_findings, finding_brief
from govmap.ingest.errors import GovmapError, RegisterInvalid
from govmap.ingest.model import (
    REF_RULES,
    REPORTING_FIELDS,
    Body,
    Link,
    Record,
    Register,
    ThemeLink,
    ThemeRole,
)
from govmap.ingest.reading.load import check_text
from govmap.ingest.reading.messages import article, kind_word
from govmap.ingest.repoint import repoint, repoint_register
from govmap.ingest.store.dump import dump_register


class ScenarioRefused(GovmapError):
    """A scenario step that cannot be applied (an unknown id, a record that is not a body)."""

    status = 422


def _and(words: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


@dataclass(frozen=True)
class Merge:
    ids: tuple[str, ...]
    into: str
    #: The merged body's name; None only when ``into`` is one of ``ids`` (it keeps its own).
    name: str | None = None

    def describe(self) -> str:
        return f"merge {', '.join(self.ids)} into {self.into}"

    def words(self, name: Callable[[str], str]) -> str:
        """The step in names, as a reader says it."""
        return f"{_and([name(i) for i in self.ids])} merge into {self.name or name(self.into)}"


@dataclass(frozen=True)
class Retire:
    id: str

    def describe(self) -> str:
        return f"retire {self.id}"

    def words(self, name: Callable[[str], str]) -> str:
        return f"{name(self.id)} is retired"


@dataclass(frozen=True)
class Move:
    id: str
    to: str

    def describe(self) -> str:
        return f"move {self.id} to report to {self.to}"

    def words(self, name: Callable[[str], str]) -> str:
        return f"{name(self.id)} reports to {name(self.to)} only"


Step = Merge | Retire | Move


# -- building the scenario -------------------------------------------------------


def _body(register: Register, rid: str, step: str) -> Body:
    rec = register.get(rid)
    if rec is None:
        raise ScenarioRefused(f"{step}: no record with id '{rid}'", hint="give the id of a body")
    if not isinstance(rec, Body):
        raise ScenarioRefused(
            f"{step}: '{rid}' is {article(kind_word(rec))}, not a body", hint="only bodies merge or retire"
        )
    return rec


def _replace_bodies(register: Register, bodies: dict[str, Body], added: Sequence[Body] = ()) -> Register:
    new = tuple(bodies.get(b.id, b) for b in register.bodies) + tuple(added)
    return register.model_copy(update={"bodies": new})


def merged_body(bodies: Sequence[Body], into: str, name: str | None) -> Body:
    """One body from several: every member once (first seat kept), every theme once (a lead wins, the
    bodies delivering it united), seats by sector once, and every other list of links united.

    References among the merged bodies (one a member, a sub-group or a deliverer of another) would
    make the new body name itself: they are dropped (see :func:`~govmap.ingest.repoint.repoint`).
    """
    first = bodies[0]
    ids = {b.id for b in bodies} | {into}
    themes: dict[str, ThemeLink] = {}
    for b in bodies:
        for t in b.themes:
            was = themes.get(t.theme)
            if was is None:
                themes[t.theme] = t
                continue
            lead = t if t.role is ThemeRole.LEAD and was.role is not ThemeRole.LEAD else was
            delivered = tuple(dict.fromkeys((*was.delivered_by, *t.delivered_by)))
            themes[t.theme] = lead.model_copy(update={"delivered_by": delivered})
    aliases = [n for b in bodies for n in (b.name, *b.aliases)]
    kept = next((b.name for b in bodies if b.id == into), None)
    new_name = name or kept
    if not new_name:  # never invent one ("A and B"): the reviewer names the body they propose
        raise ScenarioRefused("merge: give the merged body's name", hint="--name NAME")
    lists = {  # every other list of links, members included: united, the first of each target kept
        rule.field: _first_of((i for b in bodies for i in getattr(b, rule.field)), lambda i: i.target)
        for rule in REF_RULES[Body]
        if rule.field != "themes"
    }
    body = first.model_copy(
        update={
            **lists,
            "id": into,
            "name": new_name,
            "aliases": tuple(dict.fromkeys(a for a in aliases if a != new_name)),
            "statutory": any(b.statutory for b in bodies),
            "top_level": any(b.top_level for b in bodies),
            "legal_basis": next((b.legal_basis for b in bodies if b.legal_basis), None),
            "purpose": next((b.purpose for b in bodies if b.purpose), None),
            "succeeded_by": (),
            "themes": tuple(themes.values()),
            "sector_members": _first_of(
                (x for b in bodies for x in b.sector_members), lambda x: (x.sector, x.label)
            ),
            "sources": _first_of((x for b in bodies for x in b.sources), lambda x: (x.doc, x.section or "")),
        }
    )
    merged = repoint(body, dict.fromkeys(ids, into))
    assert isinstance(merged, Body)  # repoint keeps a record's type
    return merged


def _first_of(items: Iterable[Any], key: Callable[[Any], Any]) -> tuple[Any, ...]:
    """``items`` with only the first of each key, in order."""
    out: dict[Any, Any] = {}
    for item in items:
        out.setdefault(key(item), item)
    return tuple(out.values())


def apply_merge(register: Register, step: Merge) -> Register:
    if len(step.ids) < 2:
        raise ScenarioRefused("merge: name at least two bodies", hint="--merge A B --into NEW")
    bodies = [_body(register, i, "merge") for i in dict.fromkeys(step.ids)]
    if step.into in register and step.into not in step.ids:
        raise ScenarioRefused(
            f"merge: '{step.into}' is already the id of another record",
            hint="choose a new id, or one of the merged",
        )
    new = merged_body(bodies, step.into, step.name)
    old = {b.id for b in bodies} - {step.into}
    # Every reference to a merged body, in every record and in the register's top, now names the
    # new one; the merged bodies stay as history, succeeded by it.
    moved = repoint_register(register, dict.fromkeys(old, step.into))
    sections: dict[str, list[Record]] = {}
    for rec in moved.records():
        if rec.id == step.into:
            rec = new
        elif rec.id in old:
            rec = rec.model_copy(update={"succeeded_by": (Link(to=step.into),)})
        sections.setdefault(rec.section, []).append(rec)
    if step.into not in register:
        sections.setdefault("bodies", []).append(new)
    return moved.model_copy(update={s: tuple(v) for s, v in sections.items()})


def apply_step(register: Register, step: Step, as_of: dt.date) -> Register:
    if isinstance(step, Merge):
        return apply_merge(register, step)
    if isinstance(step, Retire):
        b = _body(register, step.id, "retire")
        return _replace_bodies(register, {b.id: b.model_copy(update={"dissolved": as_of})})
    b = _body(register, step.id, "move")
    _body(register, step.to, "move")
    if step.to == step.id:
        raise ScenarioRefused(f"move: '{step.id}' cannot report to itself")
    moved = b.model_copy(update={"reports_to": (Link(to=step.to),), "sub_group_of": ()})
    return _replace_bodies(register, {b.id: moved})


def scenario_register(register: Register, steps: Sequence[Step], as_of: dt.date) -> Register:
    """The register after ``steps``, validated like a file (:class:`RegisterInvalid` if it breaks a rule)."""
    scn = register
    for step in steps:
        scn = apply_step(scn, step, as_of)
    checked = check_text(dump_register(scn), "<scenario>")
    if checked.register is None:
        raise RegisterInvalid(checked.problems)
    return checked.register


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
