"""Possible duplicates: one body (organisation, strategy) recorded twice, under two names.

A register built from several documents meets the same board under its old
and new name, its acronym, or a shortened name.  Two records of one section
are reported when

- their **names are close**: a name or alias of one is a name or alias of the
  other (in normal form, :func:`govmap.ingest.names.normal`), or its acronym
  ("SETDAB"), or, once places and words for the form of a body ("Board",
  "Partnership", "Leadership") are left out, the rest is the same or within
  :data:`SIMILAR` of each other by rapidfuzz (a spelling slip): a place is
  much of a short name, so "County Durham Partnership Board" and "County
  Durham Care Partnership" are compared as "" and "care" ("SET Violence and
  Vulnerability Leadership Board" and "Essex Violence and Vulnerability
  Partnership"); and
- **their place or members agree**: areas that touch (one within the other
  counts), or at least half of the smaller member list shared.

They are not reported when a word tells them apart as two bodies of one
family: a board and its executive, operational or delivery group, a steering
group, a sub-group ("Safer X" and "Safer X Executive"; "... Leadership Board"
and "... Operations Board"), or children's and adults' boards; when they name
different places ("Preston CSP", "Chorley CSP"); when one is a unit (a team
of staff) and the other a board or partnership; when the register already
links them (one reports to, is a sub-group of, delivers for, hosts, succeeds
or is a member of the other: the register knows they are two); or when either
has ended.  Themes are left out: a register keeps a priority and a residents'
concern of one name as two records on purpose (and links them with
``matches``).

The suggestion: a rename is written as one record with the old name in its
``former_names`` (dated, with the old id); two names of one body are one record
with an alias; a body that replaced another (a merger) is ``succeeded_by`` on
the old one (and ``dissolved``).  A record whose former name is another
record's name is still reported: the rename is recorded but the old record
was left behind.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations

from govmap.graph.analysis.findings import Finding, Kind, Severity, make_finding
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Body, Organisation, Record, Register, Status, Strategy, effective_status
from govmap.ingest.names import (
    acronym_matches,
    differ_in_place,
    is_acronym,
    normal,
    normal_places,
    place_names,
    similarity,
    words,
    words_of,
)

#: Names at least this similar (0-100, rapidfuzz token_sort_ratio on normal forms) are close.
SIMILAR = 90.0
#: Words for the form of a body, left out of a name's core.
FORM_WORDS = frozenset(
    {"board", "partnership", "group", "leadership", "forum", "network", "committee", "panel", "alliance",
     "strategic", "partner", "multi", "agency", "pan", "county", "wide", "and", "of", "for", "the", "in",
     "council", "authority", "service", "trust"}
)  # fmt: skip
#: Words that make two bodies of one family two bodies (a board and its executive).
DISTINGUISHING = frozenset(
    {"executive", "operation", "operational", "operations", "delivery", "steering", "sub", "subgroup",
     "tactical", "task", "working", "management", "implementation", "advisory", "scrutiny", "children",
     "child", "adult", "youth", "young", "local", "district", "joint", "shadow", "reference", "programme",
     "unit", "team", "commissioning", "engagement", "practitioner", "learning", "review", "audit", "finance"}
)  # fmt: skip
_SECTIONS: tuple[type[Record], ...] = (Body, Organisation, Strategy)


def _names(rec: Record) -> list[str]:
    """Every name the record is or was known by (its former names too)."""
    return list(rec.all_names)


def _core(name: str, places: set[str]) -> str:
    return " ".join(w for w in words(name) if w not in FORM_WORDS and w not in places)


def _close(
    a: Record, b: Record, places: set[str], place_names: frozenset[str]
) -> tuple[str, str, str, float] | None:
    """(name of a, name of b, how, score) when two names are close, else None."""
    best: tuple[str, str, str, float] | None = None
    for x in _names(a):
        for y in _names(b):
            if differ_in_place(x, y, place_names):
                continue
            if is_acronym(x) or is_acronym(y):
                acr, full = (x, y) if is_acronym(x) else (y, x)
                # an acronym its own record's name spells (SCP for Safer Chelmsford Partnership)
                # says nothing about another record with the same initials
                own = a if acr is x else b
                if any(acronym_matches(acr, n) for n in _names(own) if not is_acronym(n)):
                    continue
                if (is_acronym(full) and normal(acr) == normal(full)) or acronym_matches(acr, full):
                    return x, y, "acronym", 95.0
                continue
            wx, wy = set(words(x)) - places, set(words(y)) - places
            if (wx ^ wy) & DISTINGUISHING:
                continue
            if normal(x) == normal(y):
                was = x in {n.name for n in a.former_names} or y in {n.name for n in b.former_names}
                return x, y, "a former name of one is the name of the other" if was else "same name", 100.0
            core_x, core_y = _core(x, places), _core(y, places)
            if not core_x or not core_y or re.findall(r"\d+", core_x) != re.findall(r"\d+", core_y):
                continue  # nothing but a place and "Board" left, or two numbered groups
            s = similarity(core_x, core_y)
            if core_x == core_y:
                got = (x, y, "the same once places and the form of body are left out", s)
            elif s >= SIMILAR:
                got = (x, y, "similar names", s)
            else:
                continue
            if best is None or got[3] > best[3]:
                best = got
    return best


#: The fields in which a record relates another (reports to, is a sub-group of, ... has as a
#: member): a pair the register relates is two records it knows are two.
LINK_FIELDS = (
    "reports_to",
    "sub_group_of",
    "links_with",
    "succeeded_by",
    "hosted_by",
    "part_of",
    "informs",
    "members",
)


def _ended(rec: Record) -> bool:
    return getattr(rec, "dissolved", None) is not None or bool(getattr(rec, "succeeded_by", ()))


class _Facts:
    """What the checks of a candidate pair read of one record, made once a record: a record is
    in many candidate pairs (at 43 force areas 15,000 pairs of 9,000 records, most failing
    :func:`_agree`), and its fields are pydantic attributes, several missing from its class."""

    __slots__ = ("_related", "areas", "family", "members", "owners", "rec", "up")

    def __init__(self, rec: Record, lk: Lookup) -> None:
        fields = type(rec).model_fields
        self.rec = rec
        self.members: set[str] = {m.member for m in rec.members} if "members" in fields else set()  # type: ignore[attr-defined]
        self.areas: set[str] = {link.to for link in rec.areas} if "areas" in fields else set()  # type: ignore[attr-defined]
        self.owners: set[str] = {o.to for o in rec.owner} if "owner" in fields else set()  # type: ignore[attr-defined]
        #: the areas its own areas are, or are within
        self.up: set[str] = set().union(*(lk.area_closure.get(x, {x}) for x in self.areas))
        #: a unit is never a board, nor evidence a strategy: pairs of two families are left out
        self.family = _family(rec)
        self._related: set[str] | None = None

    def relates(self, other: str) -> bool:
        """Whether the record relates ``other`` (:data:`LINK_FIELDS`, or names it in ``delivered_by``)."""
        if self._related is None:
            rec, fields = self.rec, type(self.rec).model_fields
            self._related = {item.target for f in LINK_FIELDS if f in fields for item in getattr(rec, f)}
            self._related.update(b for t in getattr(rec, "themes", ()) for b in t.delivered_by)
        return other in self._related


def _family(rec: Record) -> object:
    """Two records of one section are compatible when this is the same for both."""
    if isinstance(rec, Body):
        return rec.kind.value == "unit"
    if isinstance(rec, Strategy):
        return rec.is_evidence
    return None


def _agree(a: _Facts, b: _Facts) -> str | None:
    """Why the two are in one place or of one membership, or None."""
    ma, mb = a.members, b.members
    shared = ma & mb
    if shared and len(shared) * 2 >= min(len(ma), len(mb)):
        return f"{len(shared)} shared member{'s' if len(shared) != 1 else ''}"
    # areas that touch: one in common, or one within the other (Lookup.areas_overlap)
    if a.areas and b.areas and (a.areas & b.up or b.areas & a.up):
        return "the same area" if a.areas == b.areas else "areas that overlap"
    if a.owners & b.owners:
        return "the same owner"
    return None


def possible_duplicates(register: Register, lookup: Lookup | None = None) -> list[Finding]:
    """Records of one section that look like one record entered twice.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... areas: [{id: eastby, name: Eastby, kind: district}]
    ... bodies:
    ...   - {id: a, name: Safer Eastby Partnership, kind: csp, areas: eastby}
    ...   - {id: b, name: Safer Eastby Partnership Board, kind: board, areas: eastby}
    ...   - {id: c, name: Safer Eastby Executive, kind: board, areas: eastby}
    ... ''')
    >>> [f.title for f in possible_duplicates(reg)]
    ["'Safer Eastby Partnership' and 'Safer Eastby Partnership Board' may be one body recorded twice (the same once places and the form of body are left out; the same area); rests on unconfirmed records: Safer Eastby Partnership, Safer Eastby Partnership Board."]
    """
    lk = lookup_of(register, lookup)
    places_named = normal_places(place_names(n for area in register.areas for n in _names(area)))
    places = {w for n in places_named for w in n.split()}
    found: list[Finding] = []
    for kind in _SECTIONS:
        records = [r for r in getattr(register, kind.section) if not _ended(r)]
        facts: dict[int, _Facts] = {}
        for i, j in _pairs(records, places):
            a, b = records[i], records[j]
            fa = facts.get(i) or facts.setdefault(i, _Facts(a, lk))
            fb = facts.get(j) or facts.setdefault(j, _Facts(b, lk))
            if fa.family != fb.family:
                continue
            agree = _agree(fa, fb)
            if agree is None or fa.relates(b.id) or fb.relates(a.id):  # the register knows they are two
                continue
            close = _close(a, b, places, places_named)
            if close is None:
                continue
            found.append(_finding(a, b, close, agree, lk))
    return found


def _pairs(records: list[Record], places: set[str]) -> list[tuple[int, int]]:
    """Candidate pairs (positions in ``records``, in order): records sharing a word of their name
    (not a word for the form of a body) or an acronym: blocking, not O(n^2).  A word in more than
    50 names (a national register's "safety") is no key; a place's name is, and a duplicate shares
    its place."""
    names = [rec.all_names for rec in records]
    each = iter(words_of([n for ns in names for n in ns]))
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, ns in enumerate(names):
        keys: set[str] = set()
        for n in ns:
            ws = next(each)
            keys.update([w for w in ws if len(w) > 2 and w not in FORM_WORDS])
            parts = n.split()  # a name of two words or more is no acronym
            keys.add("acr:" + (" ".join(ws) if len(parts) == 1 and is_acronym(n) else _initials(parts)))
        for k in keys:
            by_key[k].append(i)
    seen: set[tuple[int, int]] = set()
    for members in by_key.values():
        if 1 < len(members) <= 50:  # a word in hundreds of names ("safety") tells nothing
            seen.update(combinations(members, 2))
    return sorted(seen)


def _initials(parts: list[str]) -> str:
    """The initials of a name's capitalised words (``parts``: the name split), lower case (a
    candidate pair's acronym key)."""
    return "".join([w[0] for w in parts if w[0].isupper()]).lower()


def _finding(a: Record, b: Record, close: tuple[str, str, str, float], agree: str, lk: Lookup) -> Finding:
    x, y, how, score = close
    word = a.word
    unconfirmed = [r.name for r in (a, b) if effective_status(r) is not Status.CONFIRMED]
    title = f"'{a.name}' and '{b.name}' may be one {word} recorded twice ({how}; {agree})."
    if unconfirmed:
        title = title[:-1] + f"; rests on unconfirmed records: {', '.join(unconfirmed)}."
    return make_finding(
        Kind.POSSIBLE_DUPLICATE,
        Severity.MEDIUM,
        title,
        [lk.subject(a.id), lk.subject(b.id)],
        evidence={"names": [x, y], "how": how, "name_score": round(score, 1), "agree": agree},
        suggestion=(
            f"check whether they are one {word}: if one is the other under a new name, keep one record and "
            f"write the old name in its 'former_names' with the date of the rename (and the old id, so "
            f"decisions follow it); if they are one {word} under two names, merge them and keep the other "
            f"name as an alias; if one replaced the other (a merger), record it with 'succeeded_by' and "
            f"'dissolved' on the older one"
        ),
        sources=[*a.sources, *b.sources],
        score=score / 100,
    )
