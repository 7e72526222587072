"""Who delivers what: for each issue someone should own, the bodies that lead or contribute.

The *delivery matrix* has a row for every theme of the kinds in
:data:`DELIVERY_KINDS` (priorities, causes, multi-agency and cross-cutting
themes, public concerns, intelligence topics) and, in it, every body that
addresses the theme, with its role and its areas.  A strategy's themes count
for its owner (a body, an organisation or a post): an agreement owned by a
county partnership makes the partnership lead the agreement's priorities.
Themes joined by ``matches`` name one issue, so a body addressing a matched
theme appears in the row too, marked with the theme it actually records.

Only current records count: bodies not dissolved, plans not withdrawn or
replaced, as of the report's date.  A plan past its period with no successor
recorded has *lapsed*: it still counts (it is its owner's latest word), and
each deliverer through it carries the day it ended.

An **umbrella** is a body that leads at least :data:`UMBRELLA_MIN_LEADS`
issues (itself or through plans it owns) *and coordinates others to deliver
them*: it leads through a plan it owns, or bodies answer to it, or it names
delivery bodies (``delivered_by``), or it is a community safety partnership
(whose s6 strategy is delivered by its partners and groups).  A county
partnership leading every priority of its agreement is one; a criminal justice
board leading its own three priorities, delivered by its member agencies, is
not.  Each row names the umbrellas that lead it.  :func:`~govmap.graph.analysis.delivery_bodies.delivery_pairs` reads
which other leads are its delivery bodies; the findings about them are in
:mod:`govmap.graph.analysis.umbrellas`.

Leads of one issue in places that do not touch (two district partnerships
each leading the priority in its own district) are a *geographic split*: the
matrix says so, and no finding calls it duplication.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import (
    Body,
    BodyKind,
    Organisation,
    Post,
    Register,
    Status,
    Strategy,
    ThemeKind,
    ThemeLink,
    ThemeRole,
    effective_status,
)

#: Theme kinds someone should own: the rows of the delivery matrix.
DELIVERY_KINDS = frozenset(
    {
        ThemeKind.PRIORITY,
        ThemeKind.CAUSE,
        ThemeKind.MULTI_AGENCY,
        ThemeKind.CROSS_CUTTING,
        ThemeKind.PUBLIC_CONCERN,
        ThemeKind.INTELLIGENCE_FOCUS,
    }
)

#: Issues a body must lead (itself or through its plans) to count as an umbrella.
#: Three: a partnership leading two issues is a joint board; leading a whole
#: agreement's list is coordinating, not delivering.
UMBRELLA_MIN_LEADS = 3


@dataclass(frozen=True)
class Deliverer:
    """A body (or the owner of a strategy) addressing a theme."""

    id: str
    name: str
    kind: str  # body, organisation or post
    role: ThemeRole
    theme: str  # the theme as recorded (a matched theme, or the row's own)
    areas: tuple[str, ...]
    status: Status
    via: str | None = None  # the strategy through which the owner addresses it
    via_name: str | None = None
    delivered_by: tuple[str, ...] = ()
    #: The day the plan it acts through ended, when that plan has lapsed (no successor recorded).
    lapsed: dt.date | None = None
    #: The plan it acts through is a draft (or out for consultation), not yet adopted.
    draft: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "role": self.role.value,
            "theme": self.theme,
            "areas": list(self.areas),
            "status": self.status.value,
            "via": {"id": self.via, "name": self.via_name} if self.via else None,
            "delivered_by": list(self.delivered_by),
            "lapsed": self.lapsed.isoformat() if self.lapsed else None,
            "draft": self.draft,
        }


@dataclass(frozen=True)
class DeliveryRow:
    """One theme and who delivers it."""

    theme: str
    name: str
    kind: str
    deliverers: tuple[Deliverer, ...]
    #: Umbrella bodies that lead the theme.
    umbrellas: tuple[str, ...] = ()
    #: Leads of the theme all work in places that do not touch.
    split: bool = False
    #: Only plans of the past (ended, replaced, withdrawn) named the theme: history, not a current gap.
    past: bool = False
    #: (delivery body name, the lead it delivers for): every ``delivered_by`` recorded on the row's leads.
    delivered: tuple[tuple[str, str], ...] = ()

    @property
    def leads(self) -> tuple[Deliverer, ...]:
        return tuple(d for d in self.deliverers if d.role is ThemeRole.LEAD)

    @property
    def note(self) -> str:
        """What the row says in words: who delivers for whom, and a gap, a split or history."""
        notes = []
        if not self.deliverers:
            notes.append("only plans of the past named it" if self.past else "no body addresses it")
        elif self.split:
            notes.append("geographic split: each lead works in its own area")
        elif not self.leads:
            notes.append("no lead")
        by: dict[str, list[str]] = {}
        for body, lead in self.delivered:
            by.setdefault(lead, []).append(body)
        notes += [f"delivered by {' and '.join(bodies)} for {lead}" for lead, bodies in by.items()]
        return "; ".join(notes)

    def to_json(self) -> dict[str, Any]:
        return {
            "theme": {"id": self.theme, "name": self.name, "kind": self.kind},
            "deliverers": [d.to_json() for d in self.deliverers],
            "umbrellas": list(self.umbrellas),
            "geographic_split": self.split,
            "past_only": self.past,
            "note": self.note,
        }


@dataclass(frozen=True)
class Delivery:
    """The delivery matrix of a register."""

    rows: tuple[DeliveryRow, ...]
    umbrellas: tuple[str, ...]
    _by_theme: dict[str, DeliveryRow] | None = field(default=None, repr=False, compare=False)

    @property
    def holders(self) -> list[tuple[str, str]]:
        """The columns of the printed matrix: every deliverer (id, name), most rows first."""
        count: dict[tuple[str, str], int] = {}
        for row in self.rows:
            for key in dict.fromkeys((d.id, d.name) for d in row.deliverers):
                count[key] = count.get(key, 0) + 1
        return sorted(count, key=lambda k: (-count[k], k[1], k[0]))

    def row(self, theme_id: str) -> DeliveryRow | None:
        """The row of a theme, or None (a theme of another kind)."""
        if self._by_theme is None:
            object.__setattr__(self, "_by_theme", {r.theme: r for r in self.rows})
        assert self._by_theme is not None
        return self._by_theme.get(theme_id)

    def to_json(self) -> dict[str, Any]:
        return {"umbrellas": list(self.umbrellas), "rows": [r.to_json() for r in self.rows]}


def _owner_areas(lk: Lookup, owner: str) -> tuple[str, ...]:
    rec = lk.index.get(owner)
    if isinstance(rec, Body):
        return lk.body_areas(owner)
    if isinstance(rec, Post):  # an independent post is in no organisation: it covers no area
        rec = lk.index.get(rec.organisation) if rec.organisation else None
    if isinstance(rec, Organisation):
        return tuple(link.to for link in rec.areas)
    return ()


def _uses(lk: Lookup) -> dict[str, list[Deliverer]]:
    """Theme id -> deliverers recording it: current bodies, and the current owners of plans in force."""
    out: dict[str, list[Deliverer]] = {}
    for b in lk.bodies:
        inherited = effective_status(b)
        for link in b.themes:
            out.setdefault(link.theme, []).append(_deliverer(lk, b.id, link, inherited, bool(b.sources)))
    for s in lk.strategies:  # a plan replaced or withdrawn delivers nothing now (a lapsed one still counts)
        inherited = effective_status(s)
        owners = [link.to for link in s.owner]
        for link in s.themes:
            for owner in owners:
                if not lk.is_current(owner):
                    continue
                out.setdefault(link.theme, []).append(
                    _deliverer(lk, owner, link, inherited, bool(s.sources), via=s)
                )
    return out


def _deliverer(
    lk: Lookup,
    holder: str,
    link: ThemeLink,
    inherited: Status,
    sourced: bool,
    via: Strategy | None = None,
) -> Deliverer:
    s = lk.subject(holder)
    areas = tuple(a.to for a in via.areas) if via is not None and via.areas else ()
    return Deliverer(
        id=holder,
        name=s.name,
        kind=s.kind,
        role=link.role,
        theme=link.theme,
        areas=areas or _owner_areas(lk, holder),
        status=effective_status(link, inherited, sourced),
        via=via.id if via is not None else None,
        via_name=via.name if via is not None else None,
        delivered_by=tuple(getattr(link, "delivered_by", ())),
        lapsed=lk.lapsed.get(via.id) if via is not None else None,
        draft=via is not None and via.id in lk.draft,
    )


def _lead_counts(uses: dict[str, list[Deliverer]], lk: Lookup) -> dict[str, set[str]]:
    kinds = {t.id: t.kind for t in lk.register.themes}
    leads: dict[str, set[str]] = {}
    for theme, ds in uses.items():
        if kinds.get(theme) not in DELIVERY_KINDS:
            continue
        for d in ds:
            if d.role is ThemeRole.LEAD and d.kind == "body":
                leads.setdefault(d.id, set()).add(lk.theme_groups.get(theme, theme))
    return leads


def delivery_matrix(register: Register, lookup: Lookup | None = None) -> Delivery:
    """Who delivers what: a row for every theme of :data:`DELIVERY_KINDS`.

    Returns
    -------
    Delivery
        Rows in register order; in each row leads first, then contributors,
        each by name.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... areas: [{id: north, name: North, kind: district}, {id: south, name: South, kind: district}]
    ... themes: [{id: asb, name: ASB, kind: priority}]
    ... bodies:
    ...   - {id: n, name: North CSP, kind: csp, areas: north, themes: [{theme: asb, role: lead}]}
    ...   - {id: s, name: South CSP, kind: csp, areas: south, themes: [{theme: asb, role: lead}]}
    ... ''')
    >>> row = delivery_matrix(reg).rows[0]
    >>> [d.name for d in row.leads], row.note
    (['North CSP', 'South CSP'], 'geographic split: each lead works in its own area')
    """
    lk = lookup_of(register, lookup)
    if "delivery" in lk.memo:
        cached: Delivery = lk.memo["delivery"]
        return cached
    uses = _uses(lk)
    umbrellas = sorted(
        b
        for b, ts in _lead_counts(uses, lk).items()
        if len(ts) >= UMBRELLA_MIN_LEADS and _coordinates(lk, b, uses)
    )
    umbrella_set = set(umbrellas)
    rows = []
    for theme in register.themes:
        if theme.kind not in DELIVERY_KINDS:
            continue
        group = lk.group_members.get(lk.theme_groups.get(theme.id, theme.id), [theme.id])
        ds = [d for t in dict.fromkeys([theme.id, *group]) for d in uses.get(t, [])]
        ds.sort(key=lambda d: (d.role is not ThemeRole.LEAD, d.theme != theme.id, d.name, d.id))
        lead_areas: dict[str, tuple[str, ...]] = {}
        for d in ds:
            if d.role is ThemeRole.LEAD and d.theme == theme.id:
                lead_areas.setdefault(d.id, d.areas)
        split = _split(lk, list(lead_areas.values()))
        delivered = tuple(
            dict.fromkeys(
                (lk.name(b), d.name) for d in ds if d.role is ThemeRole.LEAD for b in d.delivered_by
            )
        )
        old = [u for t in dict.fromkeys([theme.id, *group]) for u in lk.past_theme_uses.get(t, [])]
        past = not ds and bool(old) and all(u.holder_kind == "strategy" for u in old)
        rows.append(
            DeliveryRow(
                theme.id,
                theme.name,
                theme.kind.value,
                tuple(ds),
                tuple(u for u in lead_areas if u in umbrella_set),
                split,
                past,
                delivered,
            )
        )
    result = Delivery(tuple(rows), tuple(umbrellas))
    lk.memo["delivery"] = result
    return result


def _coordinates(lk: Lookup, body: str, uses: dict[str, list[Deliverer]]) -> bool:
    """Whether a body leading several issues coordinates others to deliver them (an umbrella).

    It leads through a plan it owns, or a current body answers to it, or it
    names delivery bodies, or it is a community safety partnership.
    """
    rec = lk.index.get(body)
    if isinstance(rec, Body) and rec.kind is BodyKind.CSP:
        return True
    if lk.delivered_by.get(body) or any(lk.is_current(c) for c in lk.children.get(body, ())):
        return True
    return any(d.id == body and d.via and d.role is ThemeRole.LEAD for ds in uses.values() for d in ds)


def _split(lk: Lookup, places: list[tuple[str, ...]]) -> bool:
    """Two or more leads whose places do not touch: no lead's area lies in (or is) another's.

    Counts, for every area, the leads whose area closure holds it: each lead's
    own areas must be held by that lead alone.  Linear in the leads, not
    quadratic (a priority every district CSP leads has hundreds).
    """
    if len(places) < 2 or any(not p for p in places):
        return False
    held: dict[str, int] = {}
    for p in places:
        for a in set().union(*(lk.area_closure.get(x, {x}) for x in p)):
            held[a] = held.get(a, 0) + 1
    return all(held[a] == 1 for p in places for a in p)


def umbrella_themes(register: Register, lookup: Lookup | None = None) -> dict[str, tuple[str, ...]]:
    """Theme id -> the umbrella bodies leading it."""
    return {r.theme: r.umbrellas for r in delivery_matrix(register, lookup).rows if r.umbrellas}


__all__ = [
    "DELIVERY_KINDS",
    "UMBRELLA_MIN_LEADS",
    "Deliverer",
    "Delivery",
    "DeliveryRow",
    "delivery_matrix",
    "umbrella_themes",
]
