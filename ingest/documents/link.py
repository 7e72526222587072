"""Linking proposals to a register: a new record, a new fact on an existing record, or already recorded.

Each record proposal is compared with the register's records of its section:
its id (and former ids), its name and the record's aliases and former names (a rename
recorded with ``former_names``; in normal form,
:func:`govmap.ingest.names.normal`), acronyms both ways ("CSA" and
"Community Safety Agreement"), and fuzzy similarity (rapidfuzz, 0-100).  A
score of :data:`MATCH_SCORE` or more is a match.  Names that name different
places ("Preston ..." and "Chorley ...", the register's areas) never match.  A
theme matches a theme of the same kind at full score and one of another kind
:data:`OTHER_KIND_PENALTY` lower (a residents' concern named like a priority is
its own record in a register that keeps both).  The nearest record below the
threshold is kept to show the reviewer.

A matched proposal that adds a name, an acronym or a period the record lacks
is a new fact on it; otherwise it is already recorded.  Proposals matched to
the same record are folded into one.  A link is already recorded when its
record holds it (same target, same role), else it is a new fact.
"""

from __future__ import annotations

from collections.abc import Iterable

from govmap.ingest.documents.proposals import (
    NEW_FACT,
    NEW_RECORD,
    RECORDED,
    LinkProposal,
    Match,
    Proposals,
    RecordProposal,
)
from govmap.ingest.model import Record, Register
from govmap.ingest.names import (
    acronym_matches,
    differ_in_place,
    is_acronym,
    normal,
    normal_places,
    place_names,
    similarity,
    slug,
)

#: The score from which a proposal is the register's record.
MATCH_SCORE = 85.0
OTHER_KIND_PENALTY = 20.0


def _names(rec: Record) -> list[str]:
    """Every name the record is or was known by: its name, aliases and former names."""
    return list(rec.all_names)


def score(p: RecordProposal, rec: Record, places: Iterable[str] = frozenset()) -> tuple[float, str]:
    """How well the proposal fits the record (0-100) and by what.

    >>> from govmap.ingest.model import Body
    >>> rec = Body(id="agreement-board", name="Community Safety Agreement Board", kind="board")
    >>> p = RecordProposal("x", "bodies", "CSA Board", "board", "", [])
    >>> score(p, rec, [])
    (95.0, 'acronym')
    """
    places = places if isinstance(places, frozenset) else normal_places(places)
    theirs = _names(rec)
    mine = [p.name, *p.aliases, *p.former]
    best, by = 0.0, "similar name"
    if slug(p.name) == rec.id or slug(p.name) in rec.former_ids:
        best, by = 100.0, "id"
    for a in mine:
        for b in theirs:
            if normal(a) == normal(b):
                got = (100.0, "name" if b == rec.name else "alias" if b in rec.aliases else "former name")
            elif is_acronym(a) and (acronym_matches(a, b) or (is_acronym(b) and normal(a) == normal(b))):
                got = (95.0, "acronym")
            elif is_acronym(b) and acronym_matches(b, a):
                got = (95.0, "acronym")
            elif _acronym_form(a, b) or _acronym_form(b, a):
                got = (95.0, "acronym")
            elif is_acronym(a) or is_acronym(b):
                continue
            else:
                if differ_in_place(a, b, places):
                    continue
                got = (similarity(a, b), "similar name")
            if got[0] > best:
                best, by = got
    if p.section == "themes" and p.kind and rec.subtype not in (None, p.kind, "other") and p.kind != "other":
        best -= OTHER_KIND_PENALTY
    return max(best, 0.0), by


def _acronym_form(a: str, b: str) -> bool:
    """'CSA Board' and 'Community Safety Agreement Board': a name with an acronym in it."""
    wa, wb = a.split(), b.split()
    if not wa or not is_acronym(wa[0]) or len(wb) <= len(wa):
        return False
    rest = len(wa) - 1
    head, tail = wb[: len(wb) - rest], wb[len(wb) - rest :]
    return normal(" ".join(tail)) == normal(" ".join(wa[1:])) and acronym_matches(wa[0], " ".join(head))


def _candidates(register: Register, section: str) -> tuple[Record, ...]:
    return tuple(getattr(register, section, ()))


def _new_facts(p: RecordProposal, rec: Record) -> list[str]:
    known = {normal(n) for n in _names(rec)}
    facts = [f"also called '{n}'" for n in [p.name, *p.aliases] if normal(n) not in known]
    facts += [f"formerly '{n}'" for n in p.former if normal(n) not in known]
    period = getattr(rec, "period", None)
    if p.period and (period is None or (period.start is None and period.end is None)):
        facts.append(f"period {p.period[0]}-{p.period[1]}")
    stage = getattr(rec, "stage", None)
    if p.stage and stage is None and p.section == "strategies":
        facts.append(f"stage {p.stage}")
    return list(dict.fromkeys(facts))


def _fold(into: RecordProposal, other: RecordProposal) -> None:
    for n in [other.name, *other.aliases]:
        if n != into.name and n not in into.aliases:
            into.aliases.append(n)
    into.former.extend(n for n in other.former if n not in into.former)
    into.quotes.extend(q for q in other.quotes if all(q.start != k.start for k in into.quotes))
    into.period = into.period or other.period
    into.stage = into.stage or other.stage


def link_records(proposals: Proposals, register: Register) -> dict[str, str]:
    """Match every record proposal; return proposal id -> the id it was folded into (for links)."""
    places = normal_places(place_names(n for a in register.areas for n in _names(a)))
    by_match: dict[str, RecordProposal] = {}
    folded: dict[str, str] = {}
    kept: list[RecordProposal] = []
    for p in proposals.records:
        best: tuple[float, str, Record] | None = None
        for candidate in _candidates(register, p.section):
            rec = candidate
            s, by = score(p, rec, places)
            if best is None or s > best[0]:
                best = (s, by, rec)
        if best is not None and best[0] >= MATCH_SCORE:
            p.match = Match(best[2].id, best[2].name, best[0], best[1])
            first = by_match.get(best[2].id)
            if first is not None:
                _fold(first, p)
                folded[p.id] = first.id
                continue
            by_match[best[2].id] = p
        elif best is not None and best[0] >= 50:
            p.nearest = Match(best[2].id, best[2].name, best[0], best[1])
        kept.append(p)
    for p in kept:
        if p.match is None:
            p.outcome = NEW_RECORD
            continue
        matched = register.get(p.match.id)
        p.new_facts = _new_facts(p, matched) if matched is not None else []
        p.outcome = NEW_FACT if p.new_facts else RECORDED
    proposals.records = kept
    return folded


def _has_link(register: Register, link: LinkProposal, source: str, target: str) -> bool:
    rec = register.get(source)
    items = getattr(rec, link.field, ()) if rec is not None else ()
    for item in items if isinstance(items, tuple) else ():
        if item.target != target:
            continue
        role = getattr(item, "role", None)
        if link.role is None or role is None or getattr(role, "value", role) == link.role:
            return True
    return False


def link(proposals: Proposals, register: Register, register_name: str | None = None) -> Proposals:
    """Match the proposals against ``register`` in place and return them.

    Record proposals get a match (or none), an outcome and their new facts; link
    proposals point at register ids where their ends matched, and are already
    recorded when the register holds them.
    """
    folded = link_records(proposals, register)
    refs = {p.id: p.ref for p in proposals.records}
    for p in proposals.records:
        if p.organisation:
            p.organisation = refs.get(folded.get(p.organisation, p.organisation), p.organisation)
    seen: set[tuple[str, str, str, str | None]] = set()
    links = []
    for k in proposals.links:
        k.source = refs.get(folded.get(k.source, k.source), k.source)
        k.target = refs.get(folded.get(k.target, k.target), k.target)
        key = (k.source, k.field, k.target, k.role)
        if key in seen or k.source == k.target:
            continue
        seen.add(key)
        k.outcome = RECORDED if _has_link(register, k, k.source, k.target) else NEW_FACT
        links.append(k)
    proposals.links = links
    proposals.register = register_name
    return proposals
