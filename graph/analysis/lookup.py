"""One reading of the landscape: :class:`Lookup`, built once per report as of its date and
consulted by every analysis, so that none re-derives what the register says.

What it reads, once:

* **What is current and what is history** (as of the report's date): bodies and
  organisations dissolved or succeeded, strategies withdrawn or replaced, seats
  with an end date that has passed, people no longer in a post.  Only the
  staleness and history analyses look at the past (:attr:`Lookup.past` says why
  each record is history); every other analysis sees :attr:`Lookup.bodies`,
  :attr:`Lookup.strategies` and :meth:`Lookup.seats`.  A plan whose period has
  ended with no successor recorded is *lapsed* (:attr:`Lookup.lapsed`): still
  its owner's latest word on the issues, so it counts, but a finding resting
  only on it says so and stays low (``period-ended`` is the finding to act on).
* **Where each body works and at what level**: the area containment tree
  (areas within areas, both ways), each body's areas (its own, else its
  parent's), and how two places relate (:meth:`Lookup.place`: the same area,
  one within the other, overlapping, apart or not recorded).
* **The delivery graph**: reporting lines (``reports_to``, ``sub_group_of``),
  ``accountable_to``, ``delivered_by`` on theme links, bodies as members of
  bodies, plans and their owners, who chairs what (:meth:`Lookup.leaders`), and
  which bodies answer to someone (:attr:`Lookup.accountable`: a top body, a
  statutory body, one accountable to an organisation or post, and everything
  below them).
* Relations by where they are written, theme links, the organisation behind
  each seat, statuses (unconfirmed, disputed).

Also :class:`Subject`, a record as a finding names it (:meth:`Lookup.subject`
builds one), and :func:`is_active`, whether a body was ever dissolved or succeeded.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from govmap.graph.analysis.areas import AreaTree
from govmap.graph.analysis.areas import Relation as Places
from govmap.graph.lines import children_of, parents_of
from govmap.ingest.dates import first_day, last_day
from govmap.ingest.model import (
    REF_RULES,
    Body,
    Document,
    Membership,
    Organisation,
    OrganisationType,
    Person,
    Post,
    Record,
    Register,
    Relation,
    Role,
    Source,
    Status,
    Strategy,
    Theme,
    ThemeRole,
    effective_status,
    relations_of,
)
from govmap.ingest.reading.messages import kind_word

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True, order=True)
class Subject:
    """A record a finding is about."""

    id: str
    name: str
    kind: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "kind": self.kind}


def is_active(body: Body) -> bool:
    """A body never recorded as dissolved or succeeded (:meth:`Lookup.is_current` judges as of a date)."""
    return body.dissolved is None and not body.succeeded_by


#: A record all of whose sources are documents dated this many years or more before the
#: report's date is known only from old sources (:attr:`Lookup.old_only`).
OLD_SOURCE_YEARS = 10

#: Organisation types whose posts are elected offices holding bodies to account: a board the
#: police and crime commissioner (or a mayor holding those functions) chairs answers to them.
ELECTED_OFFICES = frozenset(
    {OrganisationType.POLICE_AND_CRIME_COMMISSIONER, OrganisationType.COMBINED_AUTHORITY}
)


@dataclass(frozen=True)
class ThemeUse:
    """A body or strategy addressing a theme."""

    holder: str
    role: ThemeRole
    holder_kind: str  # "body" or "strategy"
    status: Status


def sorted_distinct(keys: np.ndarray) -> np.ndarray:
    """``keys`` (integers) sorted, each once: ``np.unique``, but sorted and compared (``np.unique``
    hashes first: ten times slower or more for the 150,000 seat keys of 43 force areas)."""
    import numpy as np

    keys = np.sort(keys)
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


@dataclass(frozen=True)
class SeatTable:
    """Every seat listed on a current body, as numbers: one table a reading, made when first asked
    (:attr:`Lookup.seat_table`).

    Nationally there are about 148,000 seats, each a pydantic object: the landscape graph, seat
    load and shared members each walked all of them in turn (about 0.1 s a walk at 43 force
    areas); reading these arrays instead walks them once.  Seat ``s`` is listed on body
    ``body[s]`` (its place in :attr:`Lookup.bodies`) for member ``member[s]`` (its place in
    :attr:`members`, in the order first listed); :attr:`seats` holds the memberships themselves in
    the same order.  Every listed seat is here, ended or not (:meth:`Lookup.seats` has the current
    ones of a body).
    """

    #: Each member once, in the order first listed.
    members: list[str]
    #: Every seat (a membership), in the order of :attr:`body` and :attr:`member`.
    seats: list[Membership]
    body: np.ndarray
    member: np.ndarray
    #: Whether any seat names an organisation it sits on behalf of.
    on_behalf: bool
    #: Whether any seat cites sources of its own (not its body's).
    cited: bool

    def cells(self) -> np.ndarray:
        """Each (body, member) once, as ``body * len(members) + member``, ascending: a member listed
        twice on one body is one seat."""
        return sorted_distinct(self.body * len(self.members) + self.member)

    @classmethod
    def of(cls, bodies: list[Body]) -> SeatTable:
        """The table of ``bodies``' seats."""
        import numpy as np

        by_body = [b.members for b in bodies]
        seats = [m for ms in by_body for m in ms]
        codes: dict[str, int] = {}
        member = np.fromiter((codes.setdefault(m.member, len(codes)) for m in seats), dtype=np.int64)
        body = np.repeat(np.arange(len(by_body), dtype=np.int64), [len(ms) for ms in by_body])
        odd = [m for m in seats if m.on_behalf_of or m.sources]  # few seats, if any
        return cls(
            list(codes),
            seats,
            body,
            member,
            any(m.on_behalf_of for m in odd),
            any(m.sources for m in odd),
        )


class Lookup:
    """Indexes of one register, built once and shared by the analyses.

    Parameters
    ----------
    register : Register
        A validated register.
    """

    def __init__(self, register: Register, as_of: dt.date | None = None) -> None:
        self.register = register
        #: The day the landscape is read as of: what has ended by then is history.
        self.as_of: dt.date = as_of or dt.date.today()
        self.index: dict[str, Record] = register.index
        #: Results one analysis computes and another reuses (the delivery matrix), by name.
        self.memo: dict[str, Any] = {}
        self._leaders: dict[str, frozenset[str]] = {}
        self._places: dict[tuple[tuple[str, ...], tuple[str, ...]], Places] = {}
        self._seats: dict[str, list[Membership]] = {}
        #: Why each record is history as of :attr:`as_of` (dissolved, succeeded, replaced, withdrawn), by id.
        self.past: dict[str, str] = {}
        #: Plans whose period has ended with no successor recorded, and the day it ended: still the
        #: latest word on their owner's priorities, read as such (findings resting on them say so).
        self.lapsed: dict[str, dt.date] = {}
        self._read_history(register)
        #: Current bodies: the ones every analysis but staleness and history judges.
        self.bodies: list[Body] = [b for b in register.bodies if b.id not in self.past]
        #: Current strategies: not withdrawn or replaced (those past their period are :attr:`lapsed`).
        self.strategies: list[Strategy] = [s for s in register.strategies if s.id not in self.past]
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
        self._seat_table: SeatTable | None = None
        #: Unconfirmed relations, as (field, target), by the record they are written in.
        self.unconfirmed_rels: dict[str, list[tuple[str, str]]] = defaultdict(list)
        #: Disputed relations by the record they are written in (one pass over relations for all).
        self.disputed_rels: dict[str, list[Relation]] = defaultdict(list)
        self._relation_statuses(register)
        #: Current bodies and strategies addressing each theme (history in :attr:`past_theme_uses`).
        self.theme_uses: dict[str, list[ThemeUse]] = defaultdict(list)
        #: Bodies and strategies of the past that addressed each theme.
        self.past_theme_uses: dict[str, list[ThemeUse]] = defaultdict(list)
        holders: tuple[Body | Strategy, ...] = (*register.bodies, *register.strategies)
        for holder in holders:
            uses = self.past_theme_uses if holder.id in self.past else self.theme_uses
            inherited = effective_status(holder)
            for link in holder.themes:
                uses[link.theme].append(
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
        self._ancestors: dict[str, frozenset[str]] = {}
        self._old_only: dict[str, bool] = {}
        #: Holder (a body, organisation or post leading a theme, itself or through a plan) ->
        #: the bodies its theme links name in ``delivered_by``.
        self.delivered_by: dict[str, set[str]] = defaultdict(set)
        for b in self.bodies:
            for link in b.themes:
                self.delivered_by[b.id].update(x for x in link.delivered_by if x != b.id)
        for st in self.strategies:
            for link in st.themes:
                for owner in st.owner:
                    self.delivered_by[owner.to].update(x for x in link.delivered_by if x != owner.to)
        #: Body -> the current bodies it sits within or supports (``sits_within``, ``supports``):
        #: placed in their structure without a reporting line.
        self.placed_in: dict[str, list[str]] = {
            b.id: [x for x in dict.fromkeys(p.to for p in (*b.sits_within, *b.supports)) if x != b.id]
            for b in self.bodies
        }
        for b in self.bodies:  # a unit supporting a partnership delivers for it
            for sup in b.supports:
                self.delivered_by[sup.to].add(b.id)
        self._structure_up: dict[str, frozenset[str]] = {}
        self._structure_edges: dict[str, list[str]] | None = None
        #: Strategies not yet adopted (a draft, or out for consultation).
        self.draft: frozenset[str] = frozenset(s.id for s in self.strategies if s.is_draft)
        #: Post -> the posts it delegates to and those delegating to it (a mayor and a deputy mayor).
        self.delegation: dict[str, set[str]] = defaultdict(set)
        for post in register.posts:
            for to in post.delegates_to:
                self.delegation[post.id].add(to.to)
                self.delegation[to.to].add(post.id)
        #: Current bodies that answer to someone: see :meth:`_read_accountability`.
        self.accountable: frozenset[str] = frozenset()
        self._read_accountability()

    # -- history ---------------------------------------------------------
    def _read_history(self, register: Register) -> None:
        """Fill :attr:`past`: what has ended by :attr:`as_of`, and why, in words."""
        day = self.as_of
        ended: tuple[Organisation | Body, ...] = (*register.organisations, *register.bodies)
        for rec in ended:
            gone = first_day(rec.dissolved)
            if gone is not None and gone <= day:
                self.past[rec.id] = f"dissolved in {gone.year}"
            elif gone is None and rec.succeeded_by:
                self.past[rec.id] = "succeeded by " + ", ".join(link.to for link in rec.succeeded_by)
        for st in register.strategies:
            gone = first_day(st.dissolved)
            end = last_day(st.period.end if st.period else None)
            if st.succeeded_by:
                self.past[st.id] = "replaced by " + ", ".join(link.to for link in st.succeeded_by)
            elif gone is not None and gone <= day:
                self.past[st.id] = f"withdrawn in {gone.year}"
            elif end is not None and end < day:
                self.lapsed[st.id] = end

    def is_current(self, rec_id: str) -> bool:
        """A record that exists and is not history as of :attr:`as_of`."""
        return rec_id in self.index and rec_id not in self.past

    def seat_ended(self, m: Membership) -> bool:
        """A seat that is history, not a current member.

        Its end date has passed; or it is listed by a source dated before its
        member was abolished, so the abolition ended it (a list written after
        the abolition still naming the member is a stale list, and is current).
        """
        end = last_day(m.end)
        if end is not None and end < self.as_of:
            return True
        listed = last_day(m.listed)
        if listed is None:
            return False
        member = self.index.get(m.on_behalf_of or m.member)
        gone = first_day(getattr(member, "dissolved", None))
        return member is not None and member.id in self.past and gone is not None and listed < gone

    def seats(self, body: Body) -> list[Membership]:
        """The body's current seats: not ended (a seat of an abolished member still counts: it is listed)."""
        found = self._seats.get(body.id)
        if found is None:
            # a seat with neither an end nor a listing date has not ended (most: no call for them)
            found = self._seats[body.id] = [
                m for m in body.members if (m.end is None and m.listed is None) or not self.seat_ended(m)
            ]
        return found

    def holders(self, post_id: str) -> list[str]:
        """The people holding a post on :attr:`as_of` (a ``holds`` link not yet ended or not yet begun)."""
        return self._holders().get(post_id, [])

    def ever_held(self, post_id: str) -> bool:
        """Whether the register records anyone holding the post at any time."""
        return post_id in self._holders(ever=True)

    def _holders(self, ever: bool = False) -> dict[str, list[str]]:
        key = "holders-ever" if ever else "holders"
        if key not in self.memo:
            out: dict[str, list[str]] = {}
            for person in self.register.people:
                for link in person.holds:
                    start, end = first_day(link.start), last_day(link.end)
                    if not ever and (
                        (start is not None and start > self.as_of) or (end is not None and end < self.as_of)
                    ):
                        continue
                    out.setdefault(link.to, []).append(person.id)
            self.memo[key] = out
        found: dict[str, list[str]] = self.memo[key]
        return found

    def old_only(self, rec_id: str) -> bool:
        """A record known only from documents dated :data:`OLD_SOURCE_YEARS` or more before :attr:`as_of`.

        Every one of its own sources must be such a document (an undated one is
        not old: nothing says so).  Findings resting on it say so and stay low.
        """
        if rec_id not in self._old_only:
            rec = self.index.get(rec_id)
            docs = [self.index.get(s.doc) for s in getattr(rec, "sources", ())]
            limit = self.as_of.year - OLD_SOURCE_YEARS
            self._old_only[rec_id] = bool(docs) and all(
                isinstance(d, Document) and (last_day(d.date) or self.as_of).year <= limit for d in docs
            )
        return self._old_only[rec_id]

    def unconfirmed(self, rec_id: str) -> bool:
        """A record that is unconfirmed, or known only from old sources: a finding resting on it alone stays low."""
        return self.status.get(rec_id) is Status.UNCONFIRMED or self.old_only(rec_id)

    # -- accountability --------------------------------------------------
    def _read_accountability(self) -> None:
        """Fill :attr:`accountable`: current bodies that answer to someone.

        A top body; a statutory body (it answers to its Act and to the
        partners the Act names); a body ``accountable_to`` an organisation or
        post, ``convened_by`` one (a board the commissioner convenes), the
        ``meeting_of`` an organisation, or one that scrutinises (a panel
        answers to its councils and its Act); a body chaired by an elected
        office (:data:`ELECTED_OFFICES`: the police and crime commissioner, a
        mayor with those functions) through its post; and every current body
        whose reporting line runs up to one of these, or that sits within or
        supports one (``sits_within``, ``supports``).
        """
        current = {b.id for b in self.bodies}
        elected = {p.id for p in self.register.posts if self._elected_post(p)}
        roots = {
            b.id
            for b in self.bodies
            if b.id in self.top
            or b.statutory
            or b.accountable_to
            or b.scrutinises
            or b.convened_by
            or b.meeting_of
            or any(not isinstance(self.index.get(link.to), Body) for link in (*b.sits_within, *b.supports))
            or (
                elected
                and any(m.role is Role.CHAIR and m.member in elected for m in b.members)
                and self.elected_chair(b)
            )
        }
        below: dict[str, list[str]] = defaultdict(list)  # body -> those answering to it or placed in it
        for child, ups in (*self.parents.items(), *self.placed_in.items()):
            for up in ups:
                below[up].append(child)
        seen = set(roots)
        todo = list(roots)
        while todo:
            for c in below.get(todo.pop(), ()):
                if c in current and c not in seen:
                    seen.add(c)
                    todo.append(c)
        self.accountable = frozenset(seen)

    def elected_chair(self, body: Body) -> str | None:
        """The post of an elected office (:data:`ELECTED_OFFICES`) that chairs the body, if any."""
        for m in self.seats(body):
            if m.role is not Role.CHAIR:
                continue
            post = self.index.get(m.member)
            if isinstance(post, Post) and self._elected_post(post):
                return post.id
        return None

    def _elected_post(self, post: Post) -> bool:
        org = self.index.get(post.organisation) if post.organisation else None
        return isinstance(org, Organisation) and bool(set(org.all_types) & ELECTED_OFFICES)

    def leaders(self, holder: str) -> frozenset[str]:
        """Who leads a holder of a theme: a body, its chairs (posts and people) and whom it is accountable to;
        a post, its organisation, the posts it delegates to or from and whom it answers to; an
        organisation itself; a person and the posts they hold.

        Two leads of one issue that share a leader are one leadership (a board the
        commissioner chairs and the commissioner's own plan), not two owners.
        """
        found = self._leaders.get(holder)
        if found is not None:
            return found
        rec = self.index.get(holder)
        out = {holder}
        if isinstance(rec, Post):
            if rec.organisation:
                out.add(rec.organisation)  # two posts of one organisation lead for it (a mayor and a deputy)
            out.update(self.delegation.get(holder, ()))  # a post and the one it delegates to
            out.update(link.to for link in rec.accountable_to)  # a chief constable and the commissioner
        elif isinstance(rec, Body):
            out.update(
                m.member
                for m in self.seats(rec)
                if m.role is Role.CHAIR and not isinstance(self.index.get(m.member), Organisation)
            )
            out.update(link.to for link in rec.accountable_to)
        elif isinstance(rec, Person):
            out.update(link.to for link in rec.holds)
        found = self._leaders[holder] = frozenset(out)
        return found

    def remits(self) -> dict[str, set[str]]:
        """Current body -> the issues (``matches`` groups) it and the current plans it owns address."""
        if "remits" not in self.memo:
            out: dict[str, set[str]] = defaultdict(set)
            current = {b.id for b in self.bodies}
            for b in self.bodies:
                out[b.id].update(self.theme_groups.get(link.theme, link.theme) for link in b.themes)
            for st in self.strategies:
                groups = {self.theme_groups.get(link.theme, link.theme) for link in st.themes}
                for owner in st.owner:
                    if owner.to in current:
                        out[owner.to] |= groups
            self.memo["remits"] = dict(out)
        found: dict[str, set[str]] = self.memo["remits"]
        return found

    def remit_holders(self) -> dict[str, set[str]]:
        """Issue (``matches`` group) -> the current bodies whose remit (:meth:`remits`) holds it."""
        if "remit-holders" not in self.memo:
            out: dict[str, set[str]] = defaultdict(set)
            for body, groups in self.remits().items():
                for g in groups:
                    out[g].add(body)
            self.memo["remit-holders"] = dict(out)
        found: dict[str, set[str]] = self.memo["remit-holders"]
        return found

    def in_line(self, a: str, b: str) -> bool:
        """Whether one of two bodies answers to the other or sits within (or supports) it, directly or not."""
        return a in self.structure_up(b) or b in self.structure_up(a)

    def structure_up(self, body_id: str) -> frozenset[str]:
        """Every body ``body_id`` reports to, sits within or supports, directly or through others."""
        found = self._structure_up.get(body_id)
        if found is None:
            if self._structure_edges is None:
                keys = dict.fromkeys((*self.parents, *self.placed_in))
                self._structure_edges = {
                    k: [*self.parents.get(k, ()), *self.placed_in.get(k, ())] for k in keys
                }
            found = self._structure_up[body_id] = _reach(self._structure_edges, body_id, self._structure_up)
        return found

    def delivers(self, lead: str, body: str) -> bool:
        """Whether ``lead`` names ``body`` in a ``delivered_by`` (on its own theme links or its plans')."""
        return body in self.delivered_by.get(lead, ())

    # -- places ----------------------------------------------------------
    def place(self, a: Iterable[str], b: Iterable[str]) -> Places:
        """How two sets of areas relate (:meth:`AreaTree.relation <govmap.graph.analysis.areas.AreaTree.relation>`):
        the same, one within the other, overlapping, apart, or unknown (either not recorded).  Memoised: the
        same few places are compared again and again."""
        key = (tuple(a), tuple(b))
        found = self._places.get(key)
        if found is None:
            found = self._places[key] = self.area_tree.relation(*key)
        return found

    def _relation_statuses(self, register: Register) -> None:
        """Fill :attr:`status`, :attr:`unconfirmed_rels` and :attr:`disputed_rels` in one pass.

        The statuses are those of :func:`~govmap.ingest.model.relations_of`, worked out
        without making a :class:`Relation` per edge (at national scale, 220,000 of them):
        a relation written as a bare id takes its record's status, so that is computed once
        a record; a :class:`Relation` is made only for the records with a disputed one.
        """
        unconfirmed, disputed = Status.UNCONFIRMED, Status.DISPUTED
        # each record type's reference fields with a getter of an item's target (Item.target
        # without its property call: 220,000 items nationally)
        fields = {
            kind: tuple((r.field, attrgetter(r.target_key)) for r in rules)
            for kind, rules in REF_RULES.items()
        }
        status, unconfirmed_rels = self.status, self.unconfirmed_rels
        for rec in register.records():
            own = status[rec.id] = effective_status(rec)
            refs = fields[type(rec)]
            if not refs:
                continue
            has_sources = bool(rec.sources)
            # what effective_status(item, own, has_sources) gives an item with no status or sources:
            # never disputed (a disputed record's bare relations are not)
            bare = (Status.CONFIRMED if has_sources else unconfirmed) if own is disputed else own
            bare_unconfirmed = bare is unconfirmed
            found: list[tuple[str, str]] = []
            any_disputed = False
            for fld, target in refs:
                value = getattr(rec, fld)
                if value is None:  # a single id left out (an independent post's organisation)
                    continue
                if isinstance(value, str):  # a single id: the record's own status
                    if own is unconfirmed:
                        found.append((fld, value))
                    any_disputed = any_disputed or own is disputed
                    continue
                for item in value:
                    if item.status is None and not item.sources:
                        if bare_unconfirmed:
                            found.append((fld, target(item)))
                        continue
                    got = effective_status(item, own, has_sources)
                    if got is unconfirmed:
                        found.append((fld, target(item)))
                    elif got is disputed:
                        any_disputed = True
            if found:
                unconfirmed_rels[rec.id].extend(found)
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

    def ancestors(self, body_id: str) -> frozenset[str]:
        """Every body ``body_id`` reports to, directly or through others."""
        found = self._ancestors.get(body_id)
        if found is None:
            found = self._ancestors[body_id] = _reach(self.parents, body_id, self._ancestors)
        return found

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
    @property
    def seat_table(self) -> SeatTable:
        """The current bodies' seats as numbers (:class:`SeatTable`), made once a reading."""
        if self._seat_table is None:
            self._seat_table = SeatTable.of(self.bodies)
        return self._seat_table

    def seat_organisation(self, m: Membership) -> str | None:
        """The organisation a seat represents: on_behalf_of, a post's organisation, or itself.

        A person with no ``on_behalf_of`` counts through the first post they hold.
        """
        if m.on_behalf_of:
            return m.on_behalf_of
        return self.member_organisation(m.member)

    def member_organisation(self, member: str) -> str | None:
        """The organisation a seat of ``member`` naming no ``on_behalf_of`` represents: an
        organisation itself, a post's organisation, a person's first post's (:meth:`seat_organisation`)."""
        try:
            return self._seat_orgs[member]
        except KeyError:
            found = self._seat_orgs[member] = self._organisation_of(member)
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


def _reach(
    edges: Mapping[str, Iterable[str]], start: str, known: Mapping[str, frozenset[str]]
) -> frozenset[str]:
    """The nodes :func:`~govmap.graph.lines.closure` reaches from ``start`` along ``edges`` (never
    ``start`` itself), taking whole the sets already ``known`` for the nodes it meets: each holds
    everything its node reaches, so the walk stops there (the report asks it of every body, 15,000
    nationally: a chain already walked is not walked again for each body below it).  Cycles are safe.

    >>> sorted(_reach({"a": ["b"], "b": ["c", "a"], "c": []}, "a", {}))
    ['b', 'c']
    >>> _reach({"a": ["b"], "b": ["c"]}, "a", {"b": frozenset({"c", "d"})}) == {"b", "c", "d"}
    True
    """
    out: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        x = todo.pop()
        if x in out:
            continue
        out.add(x)
        done = known.get(x)
        if done is not None:
            out |= done
        else:
            todo += edges.get(x, ())
    out.discard(start)
    return frozenset(out)


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


def lookup_of(register: Register, lookup: Lookup | None, as_of: dt.date | None = None) -> Lookup:
    """``lookup`` when it reads ``register`` (as of ``as_of``, when one is given), else a new reading."""
    if lookup is not None and lookup.register is register and (as_of is None or lookup.as_of == as_of):
        return lookup
    return Lookup(register, as_of)
