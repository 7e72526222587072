"""A what-if scenario's steps (merge, retire, move) and the scenario register they make.

The register is never written: the scenario is built in memory and validated like a file
(:func:`scenario_register`).  :mod:`govmap.graph.review.whatif` reports its effect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from govmap.ingest.errors import GovmapError, RegisterInvalid
from govmap.ingest.model import (
    REF_RULES,
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
