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

from govmap.graph.analysis.areas import AreaTree
from govmap.graph.lines import children_of, closure, parents_of
from govmap.ingest.model import (
    REF_RULES,
    Body,
    Membership,
    Organisation,
    Person,
    Post,
    Record,
    Register,
    Relation,
    Source,
    Status,
    Strategy,
    Theme,
    ThemeRole,
    effective_status,
    relations_of,
)
from govmap.ingest.reading.messages import kind_word


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
        #: Sources of each relation, by (the record it is written in, field), then target: made
        #: for a record's field when a finding first cites one of its relations (:meth:`rel_sources`).
        self._rel_sources: dict[tuple[str, str], dict[str, list[Source]]] = {}
        #: Each record's own status (:func:`effective_status`), by id.
        self.status: dict[str, Status] = {}
        self._subjects: dict[str, Subject] = {}
        self._seat_orgs: dict[str, str | None] = {}
        #: Unconfirmed relations, as (field, target), by the record they are written in.
        self.unconfirmed_rels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        #: Disputed relations by the record they are written in (one pass over relations for all).
        self.disputed_rels: dict[str, list[Relation]] = defaultdict(list)
        self._relation_statuses(register)
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
        #: The areas and how they nest (:mod:`govmap.graph.analysis.areas`).
        self.area_tree = AreaTree.of(register)
        #: Area id -> the area and every area it lies within (the tree's closure).
        self.area_closure = self.area_tree.closure
        self._areas: dict[str, tuple[str, ...]] = {}
        #: Results one analysis computes and another reuses (the delivery matrix), by name.
        self.memo: dict[str, Any] = {}

    def _relation_statuses(self, register: Register) -> None:
        """Fill :attr:`status`, :attr:`unconfirmed_rels` and :attr:`disputed_rels` in one pass.

        The statuses are those of :func:`~govmap.ingest.model.relations_of`, worked out
        without making a :class:`Relation` per edge (at national scale, 220,000 of them):
        a relation written as a bare id takes its record's status, so that is computed once
        a record; a :class:`Relation` is made only for the records with a disputed one.
        """
        unconfirmed, disputed = Status.UNCONFIRMED, Status.DISPUTED
        for rec in register.records():
            own = self.status[rec.id] = effective_status(rec)
            rules = REF_RULES[type(rec)]
            if not rules:
                continue
            has_sources = bool(rec.sources)
            # what effective_status(item, own, has_sources) gives an item with no status or sources
            bare = (Status.CONFIRMED if has_sources else unconfirmed) if own is disputed else own
            found: list[tuple[str, str]] | None = None
            any_disputed = False
            for rule in rules:
                value = getattr(rec, rule.field)
                if value is None:  # a single id left out (an independent post's organisation)
                    continue
                if isinstance(value, str):  # a single id: the record's own status
                    if own is unconfirmed:
                        found = found if found is not None else self.unconfirmed_rels[rec.id]
                        found.append((rule.field, value))
                    any_disputed = any_disputed or own is disputed
                    continue
                for item in value:
                    if item.status is None and not item.sources:
                        status = bare
                    else:
                        status = effective_status(item, own, has_sources)
                    if status is unconfirmed:
                        found = found if found is not None else self.unconfirmed_rels[rec.id]
                        found.append((rule.field, item.target))
                    elif status is disputed:
                        any_disputed = True
            if any_disputed:
                self.disputed_rels[rec.id] = [r for r in relations_of(rec) if r.status is disputed]

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
        """The record ``id`` as a finding names it (made once per record: subjects are frozen)."""
        found = self._subjects.get(id)
        if found is None:
            rec = self.index.get(id)
            found = Subject(id, id, "unknown") if rec is None else Subject(rec.id, rec.name, kind_word(rec))
            self._subjects[id] = found
        return found

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
        by_target = self._rel_sources.get((origin, fld))
        if by_target is None:
            by_target = self._rel_sources[(origin, fld)] = {}
            rec = self.index.get(origin)
            rules = REF_RULES[type(rec)] if rec is not None else ()
            for rule in rules:
                if rule.field != fld or rec is None:
                    continue
                value = getattr(rec, fld)
                if isinstance(value, str):
                    by_target.setdefault(value, []).extend(rec.sources)
                    continue
                for item in value:
                    by_target.setdefault(item.target, []).extend(item.sources or rec.sources)
        return by_target.get(target, [])

    # -- seats -----------------------------------------------------------
    def seat_organisation(self, m: Membership) -> str | None:
        """The organisation a seat represents: on_behalf_of, a post's organisation, or itself.

        A person with no ``on_behalf_of`` counts through the first post they hold.
        """
        if m.on_behalf_of:
            return m.on_behalf_of
        try:
            return self._seat_orgs[m.member]
        except KeyError:
            found = self._seat_orgs[m.member] = self._organisation_of(m.member)
            return found

    def _organisation_of(self, member: str) -> str | None:
        rec = self.index.get(member)
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


def lookup_of(register: Register, lookup: Lookup | None) -> Lookup:
    return lookup if lookup is not None and lookup.register is register else Lookup(register)
