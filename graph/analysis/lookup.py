"""The lookups the analyses share: :class:`Lookup` indexes a register once
(relations by where they are written, theme links, reporting lines, areas,
organisations behind each seat) so that the analyses, run together by
:func:`govmap.graph.report.report`, do not each walk the whole register again.

Also :class:`Subject`, a record as a finding names it (:meth:`Lookup.subject`
builds one), and :func:`is_active`, which bodies an analysis judges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from govmap.graph.lines import children_of, closure, parents_of
from govmap.ingest.messages import kind_word
from govmap.ingest.model import (
    Body,
    Membership,
    Organisation,
    Person,
    Post,
    Record,
    Register,
    Source,
    Status,
    Strategy,
    Theme,
    ThemeRole,
    effective_status,
)


@dataclass(frozen=True, order=True)
class Subject:
    """A record a finding is about."""

    id: str
    name: str
    kind: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "kind": self.kind}


def is_active(body: Body) -> bool:
    """A body that has not been dissolved or succeeded: one analysis should judge."""
    return body.dissolved is None and not body.succeeded_by


@dataclass(frozen=True)
class ThemeUse:
    """A body or strategy addressing a theme."""

    holder: str
    role: ThemeRole
    holder_kind: str  # "body" or "strategy"
    status: Status


class Lookup:
    """Indexes of one register, built once and shared by the analyses.

    Parameters
    ----------
    register : Register
        A validated register.
    """

    def __init__(self, register: Register) -> None:
        self.register = register
        self.index: dict[str, Record] = register.index
        self.bodies: list[Body] = [b for b in register.bodies if is_active(b)]
        self.top: frozenset[str] = frozenset(
            [b.id for b in register.bodies if b.top_level] + list(register.info.top)
        )
        self._rel_sources: dict[tuple[str, str, str], list[Source]] = defaultdict(list)
        self.unconfirmed_rels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for rel in register.relations():
            target = rel.target if rel.origin == rel.source else rel.source
            self._rel_sources[(rel.origin, rel.field, target)].extend(rel.sources)
            if rel.status is Status.UNCONFIRMED:
                self.unconfirmed_rels[rel.origin].append((rel.field, target))
        self.theme_uses: dict[str, list[ThemeUse]] = defaultdict(list)
        holders: tuple[Body | Strategy, ...] = (*register.bodies, *register.strategies)
        for holder in holders:
            if isinstance(holder, Body) and not is_active(holder):
                continue
            inherited = effective_status(holder)
            for link in holder.themes:
                self.theme_uses[link.theme].append(
                    ThemeUse(
                        holder.id,
                        link.role,
                        kind_word(holder),
                        effective_status(link, inherited, bool(holder.sources)),
                    )
                )
        self.parents: dict[str, list[str]] = parents_of(register)
        self.children: dict[str, list[str]] = children_of(self.parents)
        self.theme_groups = _match_groups(register.themes)
        self.group_members: dict[str, list[str]] = defaultdict(list)
        for t, root in sorted(self.theme_groups.items()):
            self.group_members[root].append(t)
        self.area_closure = area_closure(register)
        self._areas: dict[str, tuple[str, ...]] = {}
        #: Results one analysis computes and another reuses (the delivery matrix), by name.
        self.memo: dict[str, Any] = {}

    def body_areas(self, body_id: str) -> tuple[str, ...]:
        """A body's areas; if it records none, those of its nearest parents that do."""
        if body_id not in self._areas:
            todo, seen, found = [body_id], {body_id}, ()
            while todo and not found:
                nxt = []
                for b in todo:
                    rec = self.index.get(b)
                    found += tuple(link.to for link in getattr(rec, "areas", ()))
                    nxt += [p for p in self.parents.get(b, []) if p not in seen]
                seen.update(nxt)
                todo = nxt
            self._areas[body_id] = tuple(dict.fromkeys(found))
        return self._areas[body_id]

    def areas_overlap(self, a: Iterable[str], b: Iterable[str]) -> bool:
        """Whether two sets of areas touch: one in common, or one within the other.

        An empty set is a place not recorded, which may be anywhere: it overlaps.
        """
        a, b = set(a), set(b)
        if not a or not b:
            return True
        up_a = set().union(*(self.area_closure.get(x, {x}) for x in a))
        up_b = set().union(*(self.area_closure.get(x, {x}) for x in b))
        return bool(a & up_b or b & up_a)

    def ancestors(self, body_id: str) -> set[str]:
        """Every body ``body_id`` reports to, directly or through others."""
        return {b for _, b in closure(self.parents, body_id)}

    # -- records ---------------------------------------------------------
    def subject(self, id: str) -> Subject:
        rec = self.index.get(id)
        if rec is None:
            return Subject(id, id, "unknown")
        return Subject(rec.id, rec.name, kind_word(rec))

    def name(self, id: str) -> str:
        rec = self.index.get(id)
        return rec.name if rec is not None else id

    def record_sources(self, *ids: str) -> list[Source]:
        out: list[Source] = []
        for i in ids:
            rec = self.index.get(i)
            if rec is not None:
                out.extend(rec.sources)
        return out

    def rel_sources(self, origin: str, fld: str, target: str) -> list[Source]:
        """Sources of the relation written in ``origin``'s ``fld`` to ``target``."""
        return self._rel_sources.get((origin, fld, target), [])

    # -- seats -----------------------------------------------------------
    def seat_organisation(self, m: Membership) -> str | None:
        """The organisation a seat represents: on_behalf_of, a post's organisation, or itself.

        A person with no ``on_behalf_of`` counts through the first post they hold.
        """
        if m.on_behalf_of:
            return m.on_behalf_of
        rec = self.index.get(m.member)
        if isinstance(rec, Organisation):
            return rec.id
        if isinstance(rec, Post):
            return rec.organisation
        if isinstance(rec, Person):
            for link in rec.holds:
                post = self.index.get(link.to)
                if isinstance(post, Post):
                    return post.organisation
        return None

    def membership_status(self, body: Body, m: Membership) -> Status:
        return effective_status(m, effective_status(body), bool(body.sources))


def _match_groups(themes: Iterable[Theme]) -> dict[str, str]:
    """Theme id -> the smallest id of its ``matches`` group (skos:closeMatch, taken both ways).

    Only confirmed matches join themes.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for t in themes:
        find(t.id)
        inherited = effective_status(t)
        for link in t.matches:
            if effective_status(link, inherited, bool(t.sources)) is Status.UNCONFIRMED:
                continue  # a match still to be checked does not join two issues
            a, b = find(t.id), find(link.to)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {t: find(t) for t in list(parent)}


def area_closure(register: Register) -> dict[str, set[str]]:
    """Area id -> the area and every area it lies within (through ``within``)."""
    within = {a.id: [link.to for link in a.within] for a in register.areas}
    closure: dict[str, set[str]] = {}
    for start in within:
        seen = {start}
        todo = list(within[start])
        while todo:
            a = todo.pop()
            if a not in seen:
                seen.add(a)
                todo += within.get(a, [])
        closure[start] = seen
    return closure


def lookup_of(register: Register, lookup: Lookup | None) -> Lookup:
    return lookup if lookup is not None and lookup.register is register else Lookup(register)
