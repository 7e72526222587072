"""Findings: what every analysis returns, and the lookups they share.

A :class:`Finding` is one thing a reviewer should look at, with the evidence
to check it and the sources to cite.  Its id is a hash of what it is about
(kind, subjects and the key evidence), so the same register gives the same
ids run after run, and an id in last month's committee paper still finds the
same finding if nothing it rests on has changed.

:class:`Lookup` indexes a register once (relations by where they are written,
theme links, reporting lines, organisations behind each seat) so that the
analyses, run together by :func:`govmap.graph.report.report`, do not each walk
the whole register again.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from govmap.ingest.model import (
    Body,
    Membership,
    Organisation,
    Person,
    Post,
    Record,
    Register,
    RelType,
    Source,
    Status,
    Theme,
    ThemeRole,
    effective_status,
)
from govmap.ingest.validate import kind_word


class Severity(StrEnum):
    """How much a finding matters, highest first."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """3 for high down to 0 for info: larger is more severe."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_RANK = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


class Kind(StrEnum):
    """Every finding kind, once.  ``docs/analysis.md`` explains each."""

    OVERLAP = "overlap"
    INTERLOCK = "interlock"
    SEAT_LOAD = "seat-load"
    UNADDRESSED_THEME = "unaddressed-theme"
    INDIRECT_THEME = "indirectly-addressed-theme"
    STRATEGY_ONLY_THEME = "strategy-only-theme"
    NO_LEAD = "no-lead"
    MULTIPLE_LEADS = "multiple-leads"
    UNOWNED_STRATEGY = "unowned-strategy"
    UNUSED_EVIDENCE = "unused-evidence"
    ORPHAN = "orphan"
    MULTIPLE_PARENTS = "multiple-parents"
    DEAD_END = "dead-end-chain"
    NO_ACCOUNTABILITY_PATH = "no-accountability-path"
    BROKER = "broker"
    SINGLE_POINT = "single-point-of-failure"
    BRIDGE = "bridge"
    CONSOLIDATION = "consolidation-candidate"
    STATUTORY_MISSING = "statutory-member-missing"
    STATUTORY_UNCONFIRMED = "statutory-member-unconfirmed"
    STATUTORY_UNCHECKABLE = "statutory-cannot-check"
    REVIEW_OVERDUE = "review-overdue"
    PERIOD_ENDED = "period-ended"
    UNCONFIRMED = "unconfirmed-facts"

    @property
    def group(self) -> str:
        return _GROUP[self]


#: The analysis each kind comes from; ``--kind`` accepts a group name too.
GROUPS: dict[str, tuple[Kind, ...]] = {
    "overlap": (Kind.OVERLAP, Kind.CONSOLIDATION),
    "interlocks": (Kind.INTERLOCK, Kind.SEAT_LOAD),
    "gaps": (
        Kind.UNADDRESSED_THEME,
        Kind.INDIRECT_THEME,
        Kind.STRATEGY_ONLY_THEME,
        Kind.NO_LEAD,
        Kind.MULTIPLE_LEADS,
        Kind.UNOWNED_STRATEGY,
        Kind.UNUSED_EVIDENCE,
    ),
    "structure": (
        Kind.ORPHAN,
        Kind.MULTIPLE_PARENTS,
        Kind.DEAD_END,
        Kind.NO_ACCOUNTABILITY_PATH,
        Kind.BROKER,
        Kind.SINGLE_POINT,
        Kind.BRIDGE,
    ),
    "statutory": (Kind.STATUTORY_MISSING, Kind.STATUTORY_UNCONFIRMED, Kind.STATUTORY_UNCHECKABLE),
    "staleness": (Kind.REVIEW_OVERDUE, Kind.PERIOD_ENDED, Kind.UNCONFIRMED),
}
_GROUP = {k: g for g, kinds in GROUPS.items() for k in kinds}


def expand_kinds(names: Iterable[str]) -> frozenset[Kind]:
    """Kind or group names -> kinds; raise ``ValueError`` naming an unknown one."""
    out: set[Kind] = set()
    for name in names:
        if name in GROUPS:
            out.update(GROUPS[name])
        else:
            try:
                out.add(Kind(name))
            except ValueError:
                raise ValueError(f"unknown finding kind '{name}'") from None
    return frozenset(out)


@dataclass(frozen=True, order=True)
class Subject:
    """A record a finding is about."""

    id: str
    name: str
    kind: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer should look at, with its evidence and sources."""

    id: str
    kind: Kind
    severity: Severity
    title: str
    subjects: tuple[Subject, ...]
    evidence: Mapping[str, Any] = field(default_factory=dict)
    suggestion: str = ""
    sources: tuple[SourceRef, ...] = ()
    score: float | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (-self.severity.rank, self.kind.value, -(self.score or 0.0), self.title, self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "severity": self.severity.value,
            "title": self.title,
            "subjects": [s.to_json() for s in self.subjects],
            "score": self.score,
            "evidence": dict(self.evidence),
            "suggestion": self.suggestion,
            "sources": [source_json(s) for s in self.sources],
        }


@dataclass(frozen=True, order=True)
class SourceRef:
    """A fact's source as a finding cites it: the document id and section."""

    doc: str
    section: str | None = None


def source_json(s: SourceRef) -> dict[str, str | None]:
    return {"doc": s.doc, "section": s.section}


#: Made once: json.dumps with options builds an encoder per call (one per finding).
_ID_JSON = json.JSONEncoder(sort_keys=True, default=str)


def finding_id(kind: Kind, subject_ids: Iterable[str], key: Any = None) -> str:
    """A stable id: the kind and a hash of the kind, subject ids and key evidence.

    >>> finding_id(Kind.ORPHAN, ["b"]) == finding_id(Kind.ORPHAN, ["b"])
    True
    """
    text = _ID_JSON.encode([kind.value, sorted(subject_ids), key])
    return f"{kind.value}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:10]}"


def make_finding(
    kind: Kind,
    severity: Severity,
    title: str,
    subjects: Iterable[Subject],
    *,
    evidence: Mapping[str, Any] | None = None,
    suggestion: str = "",
    sources: Iterable[Source | SourceRef] = (),
    score: float | None = None,
    key: Any = None,
) -> Finding:
    """Build a finding with its stable id and deduplicated, sorted sources.

    ``key`` is the evidence that tells two findings of one kind about the same
    subjects apart (a rule id, a theme id); the rest of the evidence may change
    without changing the id.
    """
    subs = tuple(subjects)
    return Finding(
        id=finding_id(kind, [s.id for s in subs], key),
        kind=kind,
        severity=severity,
        title=title,
        subjects=subs,
        evidence=dict(evidence or {}),
        suggestion=suggestion,
        sources=dedupe_sources(sources),
        score=None if score is None else round(float(score), 4),
    )


def dedupe_sources(sources: Iterable[Source | SourceRef]) -> tuple[SourceRef, ...]:
    """Sources by (doc, section), once each, sorted."""
    seen = {(s.doc, s.section or ""): s.section for s in sources}
    return tuple(SourceRef(doc, seen[(doc, sec)]) for doc, sec in sorted(seen))


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
        for holder in (*register.bodies, *register.strategies):
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
        self.parents: dict[str, list[str]] = {}
        for b in register.bodies:
            ids = [link.to for link in (*b.reports_to, *b.sub_group_of) if link.to != b.id]
            self.parents[b.id] = list(dict.fromkeys(ids))
        self.children: dict[str, list[str]] = defaultdict(list)
        for child, ps in self.parents.items():
            for p in ps:
                self.children[p].append(child)
        self.theme_groups = _match_groups(register.themes)
        self.group_members: dict[str, list[str]] = defaultdict(list)
        for t, root in sorted(self.theme_groups.items()):
            self.group_members[root].append(t)
        self.area_closure = area_closure(register)
        self._areas: dict[str, tuple[str, ...]] = {}

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


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


#: Relation types that make up the accountability (reporting) structure.
REPORTING = (RelType.REPORTS_TO, RelType.SUB_GROUP_OF)
