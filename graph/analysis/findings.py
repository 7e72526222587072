"""Findings: what every analysis returns.

A :class:`Finding` is one thing a reviewer should look at, with the evidence
to check it and the sources to cite.  Its id is a hash of what it is about
(kind, subjects and the key evidence), so the same register gives the same
ids run after run, and an id in last month's committee paper still finds the
same finding if nothing it rests on has changed.

The lookups the analyses share (:class:`~govmap.graph.analysis.lookup.Lookup`)
live in :mod:`govmap.graph.analysis.lookup`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Lookup and is_active are re-exported: graph/report/assemble.py, webviz/views/whatif.py and
# bench/stages_analysis.py import them from here.
from govmap.graph.analysis.lookup import Lookup as Lookup
from govmap.graph.analysis.lookup import Subject
from govmap.graph.analysis.lookup import is_active as is_active
from govmap.graph.terms import Severity as Severity
from govmap.ingest.model import Source
from govmap.ingest.reading.messages import plural as plural  # the analyses word their counts with it


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
    STATUTORY_MAY_APPLY = "statutory-may-apply"
    NAMES_DISSOLVED = "names-dissolved"
    DISPUTED = "disputed-facts"
    REVIEW_OVERDUE = "review-overdue"
    PERIOD_ENDED = "period-ended"
    UNCONFIRMED = "unconfirmed-facts"
    APPOINTMENT_ENDING = "appointment-ending"
    APPOINTMENT_EXPIRED = "appointment-expired"
    SEAT_VACANT = "seat-vacant"
    MOSTLY_VACANT = "seats-mostly-vacant"
    UMBRELLA_DELIVERY = "umbrella-delivery"
    UMBRELLA_ONLY = "led-only-by-umbrella"
    PARTLY_ADDRESSED = "partly-addressed-theme"
    CSP_NO_STRATEGY = "csp-without-strategy"
    JOINT_UNACCOUNTABLE = "joint-body-unaccountable"
    REQUIRED_NOT_RECORDED = "required-body-not-recorded"
    REQUIRED_TWICE = "required-body-twice"
    AREA_NOT_IN_REGISTER = "area-not-in-register"
    ABOLISHED_STILL_COVERS = "abolished-body-still-covers"
    POSSIBLE_DUPLICATE = "possible-duplicate"

    @property
    def group(self) -> str:
        return _GROUP[self]

    @property
    def label(self) -> str:
        """The kind as a reviewer reads it: ``statutory-cannot-check`` -> ``Cannot be checked``."""
        return KIND_LABELS[self]


#: Every kind as a reviewer reads it (a test checks that each kind has one).
KIND_LABELS: dict[Kind, str] = {
    Kind.OVERLAP: "Overlapping remits",
    Kind.INTERLOCK: "Shared members",
    Kind.SEAT_LOAD: "Seat load",
    Kind.UNADDRESSED_THEME: "Issue nobody addresses",
    Kind.INDIRECT_THEME: "Issue addressed only indirectly",
    Kind.STRATEGY_ONLY_THEME: "Issue only in a strategy",
    Kind.NO_LEAD: "No lead body",
    Kind.MULTIPLE_LEADS: "More than one lead",
    Kind.UNOWNED_STRATEGY: "Strategy without an owner",
    Kind.UNUSED_EVIDENCE: "Evidence that informs nothing",
    Kind.ORPHAN: "No reporting line",
    Kind.MULTIPLE_PARENTS: "Reports to several bodies",
    Kind.DEAD_END: "Reporting chain that stops short",
    Kind.NO_ACCOUNTABILITY_PATH: "Issue with no path to the top",
    Kind.BROKER: "Broker",
    Kind.SINGLE_POINT: "Single point of failure",
    Kind.BRIDGE: "Single link",
    Kind.CONSOLIDATION: "Could be considered together",
    Kind.STATUTORY_MISSING: "Statutory member missing",
    Kind.STATUTORY_UNCONFIRMED: "Statutory member unconfirmed",
    Kind.STATUTORY_UNCHECKABLE: "Cannot be checked",
    Kind.STATUTORY_MAY_APPLY: "Statutory rule may apply",
    Kind.NAMES_DISSOLVED: "Names an abolished organisation",
    Kind.DISPUTED: "Sources disagree",
    Kind.REVIEW_OVERDUE: "Review overdue",
    Kind.PERIOD_ENDED: "Strategy period ended",
    Kind.UNCONFIRMED: "Unconfirmed facts",
    Kind.UMBRELLA_DELIVERY: "Umbrella and delivery body",
    Kind.UMBRELLA_ONLY: "Led only by the umbrella",
    Kind.PARTLY_ADDRESSED: "Issue addressed only in part",
    Kind.CSP_NO_STRATEGY: "Community safety partnership without a strategy",
    Kind.JOINT_UNACCOUNTABLE: "Joint body accountable to neither partnership",
    Kind.APPOINTMENT_ENDING: "Appointment ending",
    Kind.APPOINTMENT_EXPIRED: "Appointment expired",
    Kind.SEAT_VACANT: "Seat vacant",
    Kind.MOSTLY_VACANT: "Seats mostly vacant",
    Kind.REQUIRED_NOT_RECORDED: "Required body not recorded",
    Kind.REQUIRED_TWICE: "Two bodies for one statutory function",
    Kind.AREA_NOT_IN_REGISTER: "Body the coverage matrix cannot place",
    Kind.ABOLISHED_STILL_COVERS: "Abolished body still the only one",
    Kind.POSSIBLE_DUPLICATE: "Possibly recorded twice",
}

#: The analysis each kind comes from, in the order a report shows them;
#: ``--kind`` accepts a group name too.
GROUPS: dict[str, tuple[Kind, ...]] = {
    "delivery": (Kind.UMBRELLA_DELIVERY, Kind.UMBRELLA_ONLY),
    "gaps": (
        Kind.UNADDRESSED_THEME,
        Kind.INDIRECT_THEME,
        Kind.PARTLY_ADDRESSED,
        Kind.STRATEGY_ONLY_THEME,
        Kind.NO_LEAD,
        Kind.MULTIPLE_LEADS,
        Kind.UNOWNED_STRATEGY,
        Kind.UNUSED_EVIDENCE,
        Kind.CSP_NO_STRATEGY,
    ),
    "coverage": (
        Kind.REQUIRED_NOT_RECORDED,
        Kind.REQUIRED_TWICE,
        Kind.ABOLISHED_STILL_COVERS,
        Kind.AREA_NOT_IN_REGISTER,
    ),
    "overlap": (Kind.OVERLAP, Kind.CONSOLIDATION, Kind.POSSIBLE_DUPLICATE),
    "statutory": (
        Kind.STATUTORY_MISSING,
        Kind.STATUTORY_UNCONFIRMED,
        Kind.STATUTORY_UNCHECKABLE,
        Kind.STATUTORY_MAY_APPLY,
    ),
    "succession": (Kind.NAMES_DISSOLVED,),
    "structure": (
        Kind.ORPHAN,
        Kind.JOINT_UNACCOUNTABLE,
        Kind.MULTIPLE_PARENTS,
        Kind.DEAD_END,
        Kind.NO_ACCOUNTABILITY_PATH,
        Kind.BROKER,
        Kind.SINGLE_POINT,
        Kind.BRIDGE,
    ),
    "interlocks": (Kind.INTERLOCK, Kind.SEAT_LOAD),
    "staleness": (Kind.REVIEW_OVERDUE, Kind.PERIOD_ENDED, Kind.UNCONFIRMED, Kind.DISPUTED),
    "appointments": (
        Kind.APPOINTMENT_ENDING,
        Kind.APPOINTMENT_EXPIRED,
        Kind.SEAT_VACANT,
        Kind.MOSTLY_VACANT,
    ),
}
_GROUP = {k: g for g, kinds in GROUPS.items() for k in kinds}

#: Each analysis group's heading in a report (a test checks that each group has one).
GROUP_TITLES: dict[str, str] = {
    "delivery": "Umbrella and delivery bodies",
    "gaps": "Ownership gaps",
    "coverage": "Who covers each place",
    "overlap": "Overlap",
    "statutory": "Statutory membership",
    "succession": "Abolished and replaced",
    "structure": "Structure",
    "interlocks": "Interlocks and seat load",
    "staleness": "Staleness and data quality",
    "appointments": "Appointments and vacancies",
}


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
    #: What the id is made from (:func:`finding_id`): the subject ids and the key evidence.  Kept
    #: so the id can be made again when a record's id changes (:meth:`id_after`).
    basis: tuple[tuple[str, ...], Any] | None = field(default=None, compare=False, repr=False)

    def id_after(self, renames: Mapping[str, str]) -> str:
        """The finding's id once the records in ``renames`` (old id -> new id) have their new ids.

        A renamed body keeps its findings, and the decisions on them: the id is made from the
        new id exactly as it was made from the old one.

        >>> f = make_finding(Kind.ORPHAN, Severity.MEDIUM, "t", [Subject("old", "Old", "body")])
        >>> f.id_after({"old": "new"}) == make_finding(Kind.ORPHAN, Severity.MEDIUM, "t",
        ...     [Subject("new", "New", "body")]).id
        True
        """
        if self.basis is None:
            return self.id
        ids, key = self.basis
        return finding_id(self.kind, [renames.get(i, i) for i in ids], _renamed(key, renames))

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


def _renamed(value: Any, renames: Mapping[str, str]) -> Any:
    """``value`` (a finding's key evidence) with every id in ``renames`` replaced."""
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list | tuple):
        return [_renamed(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: _renamed(v, renames) for k, v in value.items()}
    return value


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
    ids = tuple(s.id for s in subs)
    return Finding(
        id=finding_id(kind, ids, key),
        kind=kind,
        severity=severity,
        title=title,
        subjects=subs,
        evidence=dict(evidence or {}),
        suggestion=suggestion,
        sources=dedupe_sources(sources),
        score=None if score is None else round(float(score), 4),
        basis=(ids, key),
    )


def dedupe_sources(sources: Iterable[Source | SourceRef]) -> tuple[SourceRef, ...]:
    """Sources by (doc, section), once each, sorted."""
    seen = {(s.doc, s.section or ""): s.section for s in sources}
    return tuple(SourceRef(doc, seen[(doc, sec)]) for doc, sec in sorted(seen))


def rests_on(words: list[str], only: bool = True) -> str:
    """The sentence a finding adds when it rests (``only``, or partly) on unconfirmed facts; empty when none.

    >>> rests_on(["X's lead on 'Y'"], only=False)
    " It rests partly on unconfirmed facts: X's lead on 'Y'."
    """
    if not words:
        return ""
    return f" It rests {'' if only else 'partly '}on unconfirmed facts: {'; '.join(words)}."


def unconfirmed_evidence(words: list[str], only: bool) -> dict[str, Any]:
    """The evidence keys of a finding's unconfirmed basis: what is unconfirmed, and whether that is all.

    A finding with ``unconfirmed_only`` rests only on unconfirmed facts: it is
    at most low, says so (:func:`rests_on`), and is never a top finding.
    """
    return {"unconfirmed": words, "unconfirmed_only": bool(words) and only}
