"""Areas within areas: the containment tree, how two places relate, and levels.

A register's areas nest through ``within`` (a district within a county, a
county and two unitaries within a police force area, a metropolitan district
within a combined-authority area, districts within an ICB area that crosses
the county).  :class:`AreaTree` reads that once and answers the questions the
analyses ask of places:

* the areas an area lies within (:meth:`AreaTree.ancestors`) and the places it
  contains (:meth:`AreaTree.descendants`);
* whether one area lies within another (:meth:`AreaTree.within`);
* how two *sets* of areas relate (:meth:`AreaTree.relation`): the same, one
  within the other, overlapping, apart, or unknown (a side not recorded);
* the :class:`Level` of an area, and of a body (:func:`body_place`), with
  what the level rests on.

Examples
--------
>>> from govmap.ingest import loads
>>> reg = loads('''
... areas:
...   - {id: pfa, name: Force area, kind: police-force-area}
...   - {id: shire, name: Shire, kind: county, within: pfa}
...   - {id: north, name: North, kind: district, within: shire}
...   - {id: south, name: South, kind: district, within: shire}
...   - {id: bay, name: Bay, kind: unitary, within: pfa}
... ''')
>>> tree = AreaTree.of(reg)
>>> sorted(tree.ancestors("north"))
['pfa', 'shire']
>>> tree.within("north", "pfa"), tree.within("pfa", "north")
(True, False)
>>> tree.relation({"north"}, {"shire"}).value, tree.relation({"north"}, {"bay"}).value
('within', 'apart')
>>> tree.level("north").label, tree.level("bay").label, tree.level("pfa").label
('district', 'county or unitary', 'force, ICB or combined authority area')

Notes
-----
"Apart" rests on what the register records: two areas are apart when nothing
recorded lies within both.  An area of kind ``other`` takes its level from the
areas recorded within it (a Basic Command Unit area holding two boroughs is at
their level); one with no level and nothing within it has none (``None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from govmap.ingest.model import AreaKind, Body, Organisation, Register

if TYPE_CHECKING:  # the Lookup holds an AreaTree: a runtime import would be circular
    from govmap.graph.analysis.lookup import Lookup


class Level(IntEnum):
    """How wide an area is, narrowest first; a wider area has a larger value."""

    NEIGHBOURHOOD = 1
    #: A district of a two-tier county.
    DISTRICT = 2
    #: A county, a unitary, a metropolitan district or a London borough: one council with every
    #: upper-tier duty (social care, children's services, public health).
    AUTHORITY = 3
    #: A police force area, a combined-authority area, a metropolitan county or an ICB area.
    SUBREGION = 4
    REGION = 5
    COUNTRY = 6

    @property
    def label(self) -> str:
        """The level as a reviewer reads it."""
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    Level.NEIGHBOURHOOD: "neighbourhood",
    Level.DISTRICT: "district",
    Level.AUTHORITY: "county or unitary",
    Level.SUBREGION: "force, ICB or combined authority area",
    Level.REGION: "region",
    Level.COUNTRY: "country",
}

#: The level each kind of area stands at (``other`` has none of its own).
KIND_LEVELS: dict[AreaKind, Level | None] = {
    AreaKind.COUNTRY: Level.COUNTRY,
    AreaKind.REGION: Level.REGION,
    AreaKind.POLICE_FORCE_AREA: Level.SUBREGION,
    AreaKind.COMBINED_AUTHORITY: Level.SUBREGION,
    AreaKind.METROPOLITAN_COUNTY: Level.SUBREGION,
    AreaKind.ICB_AREA: Level.SUBREGION,
    AreaKind.COUNTY: Level.AUTHORITY,
    AreaKind.UNITARY: Level.AUTHORITY,
    AreaKind.METROPOLITAN_DISTRICT: Level.AUTHORITY,
    AreaKind.LONDON_BOROUGH: Level.AUTHORITY,
    AreaKind.DISTRICT: Level.DISTRICT,
    AreaKind.NEIGHBOURHOOD: Level.NEIGHBOURHOOD,
    AreaKind.OTHER: None,
}


class Relation(StrEnum):
    """How a first set of areas relates to a second."""

    #: Each lies within the other (the same areas, or areas recorded as nested both ways).
    SAME = "same"
    #: The first lies within the second (a district and its county).
    WITHIN = "within"
    #: The second lies within the first.
    CONTAINS = "contains"
    #: Some place lies within both, and neither lies wholly within the other
    #: (a county and an ICB area that crosses it).
    OVERLAPPING = "overlapping"
    #: Nothing recorded lies within both.
    APART = "apart"
    #: One side records no area.
    UNKNOWN = "unknown"

    @property
    def touches(self) -> bool:
        """The two may share a place: everything but :attr:`APART`."""
        return self is not Relation.APART


@dataclass(frozen=True)
class AreaTree:
    """The areas of a register and how they nest, read once.

    Build it with :meth:`of`.  Ids not in the register are treated as areas on
    their own (within nothing, containing nothing).  Cycles in ``within`` are
    safe: the areas on a cycle lie within each other.
    """

    #: Area id -> the areas it is recorded ``within``, as written.
    parents: Mapping[str, tuple[str, ...]]
    #: Area id -> its kinds.
    kinds: Mapping[str, tuple[AreaKind, ...]]
    #: Area id -> the area and every area it lies within (directly or not).
    closure: Mapping[str, frozenset[str]] = field(repr=False)
    #: Area id -> the area and every area that lies within it.
    contents: Mapping[str, frozenset[str]] = field(repr=False)

    @classmethod
    def of(cls, register: Register) -> AreaTree:
        """The tree of ``register``'s areas."""
        parents = {a.id: tuple(dict.fromkeys(link.to for link in a.within)) for a in register.areas}
        closure = {a: _reach(parents, a) for a in parents}
        contents: dict[str, set[str]] = {a: set() for a in parents}
        for a, ups in closure.items():
            for up in ups:
                contents.setdefault(up, set()).add(a)
        return cls(
            parents,
            {a.id: a.kinds for a in register.areas},
            closure,
            {a: frozenset(v) for a, v in contents.items()},
        )

    # -- one area --------------------------------------------------------
    def up(self, area: str) -> frozenset[str]:
        """The area and every area it lies within."""
        return self.closure.get(area, frozenset((area,)))

    def down(self, area: str) -> frozenset[str]:
        """The area and every area that lies within it."""
        return self.contents.get(area, frozenset((area,)))

    def ancestors(self, area: str) -> frozenset[str]:
        """Every area ``area`` lies within, directly or not (not itself)."""
        return self.up(area) - {area}

    def descendants(self, area: str) -> frozenset[str]:
        """The places ``area`` contains: every area recorded within it, directly or not."""
        return self.down(area) - {area}

    def children(self, area: str) -> tuple[str, ...]:
        """The areas recorded directly ``within`` ``area``, in register order."""
        return tuple(a for a, ps in self.parents.items() if area in ps)

    def within(self, a: str, b: str) -> bool:
        """True when area ``a`` lies within area ``b`` (or is ``b``): a partial order."""
        return b in self.up(a)

    def has_kind(self, area: str, kinds: Iterable[AreaKind | str]) -> bool:
        """True when the area is of one of ``kinds``."""
        wanted = {AreaKind(k) for k in kinds}
        return bool(wanted.intersection(self.kinds.get(area, ())))

    def level(self, area: str) -> Level | None:
        """The area's level: the widest of its own kinds and of the areas within it.

        So an area is never narrower than an area recorded within it, and an
        area of kind ``other`` takes its level from its contents.
        """
        levels = [
            lv for a in self.down(area) for k in self.kinds.get(a, ()) if (lv := KIND_LEVELS[k]) is not None
        ]
        return max(levels, default=None)

    # -- sets of areas ---------------------------------------------------
    def relation(self, a: Iterable[str], b: Iterable[str]) -> Relation:
        """How the places ``a`` relate to the places ``b`` (each a set of area ids).

        A set covers every place within any of its areas.  ``a`` lies within
        ``b`` when each of its areas lies within one of ``b``'s.  An empty side
        is a place not recorded: :attr:`Relation.UNKNOWN`.

        >>> from govmap.ingest import loads
        >>> tree = AreaTree.of(loads('''
        ... areas:
        ...   - {id: shire, name: Shire, kind: county}
        ...   - {id: icb, name: ICB area, kind: icb-area}
        ...   - {id: north, name: North, kind: district, within: [shire, icb]}
        ...   - {id: south, name: South, kind: district, within: shire}
        ... '''))
        >>> [tree.relation(x, y).value for x, y in [({"shire"}, {"icb"}), ({"north", "south"}, {"shire"}),
        ...     ({"shire"}, {"north"}), (set(), {"north"}), ({"north"}, {"north"})]]
        ['overlapping', 'within', 'contains', 'unknown', 'same']
        """
        sa, sb = set(a), set(b)
        if not sa or not sb:
            return Relation.UNKNOWN
        a_in_b = all(self.up(x) & sb for x in sa)
        b_in_a = all(self.up(y) & sa for y in sb)
        if a_in_b and b_in_a:
            return Relation.SAME
        if a_in_b:
            return Relation.WITHIN
        if b_in_a:
            return Relation.CONTAINS
        down_a = set().union(*(self.down(x) for x in sa))
        if any(self.down(y) & down_a for y in sb):
            return Relation.OVERLAPPING
        return Relation.APART

    def covers(self, areas: Iterable[str], area: str) -> bool:
        """True when ``area`` lies within one of ``areas``."""
        return bool(self.up(area).intersection(areas))

    def widest(self, areas: Iterable[str]) -> Level | None:
        """The widest level among ``areas``."""
        return max((lv for a in areas if (lv := self.level(a)) is not None), default=None)


def _reach(parents: Mapping[str, Iterable[str]], start: str) -> frozenset[str]:
    seen = {start}
    todo = list(parents.get(start, ()))
    while todo:
        a = todo.pop()
        if a not in seen:
            seen.add(a)
            todo += parents.get(a, ())
    return frozenset(seen)


# -- where a body works -----------------------------------------------------------


class PlaceBasis(StrEnum):
    """What a body's place rests on, most direct first."""

    #: The body's own ``areas``.
    AREAS = "areas"
    #: The areas of the nearest body it reports to or is a sub-group of that records some.
    PARENT = "parent"
    #: The areas of the organisations hosting it.
    HOSTS = "hosts"
    #: Read from its members' areas: the areas every member covers, else the narrowest
    #: area holding all of them (inferred, never a fact).
    MEMBERS = "members"
    #: Nothing recorded says where it works.
    NOT_RECORDED = "not recorded"

    @property
    def inferred(self) -> bool:
        """True when the place is read from other records rather than the body's own."""
        return self is not PlaceBasis.AREAS


@dataclass(frozen=True)
class Place:
    """Where a body works, and what that rests on."""

    areas: tuple[str, ...]
    basis: PlaceBasis
    level: Level | None


def body_place(lk: Lookup, body: Body | str) -> Place:
    """Where ``body`` works: its own areas, else its parent's, its hosts', or its members'.

    Parameters
    ----------
    lk : Lookup
        The register's lookups (:class:`~govmap.graph.analysis.lookup.Lookup`).
    body : Body or str
        The body, or its id.

    Returns
    -------
    Place
        The areas, what they rest on (:class:`PlaceBasis`) and their widest level.

    Examples
    --------
    >>> from govmap.ingest import loads
    >>> from govmap.graph.analysis.lookup import Lookup
    >>> lk = Lookup(loads('''
    ... areas:
    ...   - {id: shire, name: Shire, kind: county}
    ...   - {id: north, name: North, kind: district, within: shire}
    ...   - {id: south, name: South, kind: district, within: shire}
    ... organisations:
    ...   - {id: cc, name: Shire County Council, type: county-council, areas: shire}
    ...   - {id: nc, name: North Council, type: district-council, areas: north}
    ...   - {id: sc, name: South Council, type: district-council, areas: south}
    ... bodies:
    ...   - {id: board, name: Board, kind: board, areas: shire}
    ...   - {id: sub, name: Sub-group, kind: group, sub_group_of: board}
    ...   - {id: hosted, name: Hosted, kind: group, hosted_by: nc}
    ...   - {id: csp, name: North CSP, kind: csp, members: [cc, nc]}
    ...   - {id: forum, name: Forum, kind: network, members: [nc, sc]}
    ... '''))
    >>> [(b, p.areas, p.basis.value, p.level.label) for b in ("board", "sub", "hosted", "csp", "forum")
    ...  for p in [body_place(lk, b)]]  # doctest: +NORMALIZE_WHITESPACE
    [('board', ('shire',), 'areas', 'county or unitary'), ('sub', ('shire',), 'parent', 'county or unitary'),
     ('hosted', ('north',), 'hosts', 'district'), ('csp', ('north',), 'members', 'district'),
     ('forum', ('shire',), 'members', 'county or unitary')]
    """
    rec = lk.index.get(body) if isinstance(body, str) else body
    if not isinstance(rec, Body):
        return Place((), PlaceBasis.NOT_RECORDED, None)
    tree = lk.area_tree
    if rec.areas:
        return _place(tree, tuple(dict.fromkeys(link.to for link in rec.areas)), PlaceBasis.AREAS)
    inherited = lk.body_areas(rec.id)
    if inherited:
        return _place(tree, inherited, PlaceBasis.PARENT)
    hosts = _org_areas(lk, (link.to for link in rec.hosted_by))
    if hosts:
        return _place(tree, tuple(dict.fromkeys(a for areas in hosts for a in areas)), PlaceBasis.HOSTS)
    members = _org_areas(lk, (lk.seat_organisation(m) or "" for m in rec.members))
    if members:
        return _place(tree, _members_place(tree, members), PlaceBasis.MEMBERS)
    return Place((), PlaceBasis.NOT_RECORDED, None)


def _place(tree: AreaTree, areas: tuple[str, ...], basis: PlaceBasis) -> Place:
    return Place(areas, basis, tree.widest(areas))


def _org_areas(lk: Lookup, ids: Iterable[str]) -> list[tuple[str, ...]]:
    """The areas of each organisation among ``ids`` that records some."""
    out = []
    for i in dict.fromkeys(ids):
        org = lk.index.get(i)
        if isinstance(org, Organisation) and org.areas:
            out.append(tuple(link.to for link in org.areas))
    return out


def _members_place(tree: AreaTree, members: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The areas every member covers (the narrowest of them); else the narrowest area holding all.

    A district CSP's members are the district council, the county council and
    the police force: the district is the one area all three cover.  A
    county board's members are the county council and each district council:
    no area is covered by all, and the county is the narrowest holding them.
    """
    covered = [set().union(*(tree.down(a) for a in areas)) for areas in members]
    common = set.intersection(*covered)
    if common:
        # the widest of the common areas (a county inside every member's area, not its districts)
        return tuple(sorted(a for a in common if not (tree.ancestors(a) & common)))
    everything = {a for areas in members for a in areas}
    holders = set.intersection(*(set(tree.up(a)) for a in everything))
    narrowest = [h for h in holders if not (tree.descendants(h) & holders)]
    return tuple(sorted(narrowest)) if narrowest else tuple(sorted(everything))


__all__ = [
    "KIND_LEVELS",
    "AreaTree",
    "Level",
    "Place",
    "PlaceBasis",
    "Relation",
    "body_place",
]
