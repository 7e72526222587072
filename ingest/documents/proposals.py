"""Proposals: what a document suggests adding to the register, each with its source and reason.

A :class:`RecordProposal` is a body, organisation, post, strategy or theme the
document names; a :class:`LinkProposal` a relationship between two of them
(or a record of the register).  Each carries its :class:`Quote` (the document,
the section, the exact words), ``status: unconfirmed`` (a reviewer confirms),
and ``why`` it was proposed.  Linking (:mod:`govmap.ingest.documents.link`)
sets its ``outcome`` against a register: a new record, a new fact on an
existing record, or already recorded, with the match and its score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: What linking makes of a proposal.
NEW_RECORD = "new record"
NEW_FACT = "new fact on an existing record"
RECORDED = "already recorded"
OUTCOMES = (NEW_RECORD, NEW_FACT, RECORDED)


@dataclass(frozen=True)
class Quote:
    """Where a proposal comes from: the exact words, the section they are in, and their offset."""

    document: str
    section: str
    text: str
    start: int

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "section": self.section, "quote": self.text, "offset": self.start}


@dataclass(frozen=True)
class Match:
    """The register record a proposal was matched to, how, and how closely (0-100)."""

    id: str
    name: str
    score: float
    by: str  # id, name, alias, acronym, similar name

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "score": round(self.score, 1), "by": self.by}


@dataclass
class RecordProposal:
    """A record the document names."""

    id: str
    section: str  # bodies, organisations, posts, strategies, themes
    name: str
    kind: str | None
    why: str
    quotes: list[Quote]
    aliases: list[str] = field(default_factory=list)
    #: Names it had before ("X (formerly Y)"), written as ``former_names``.
    former: list[str] = field(default_factory=list)
    period: tuple[int, int] | None = None
    #: A strategy's stage when the document says ("Draft ..."): draft.
    stage: str | None = None
    #: For a post: the organisation it is in (a proposal or register id), when the text says.
    organisation: str | None = None
    status: str = "unconfirmed"
    outcome: str = NEW_RECORD
    match: Match | None = None
    #: The nearest record below the match threshold, shown to the reviewer.
    nearest: Match | None = None
    #: What the proposal adds to its matched record ("alias 'CSPs'", "period 2022-2025").
    new_facts: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """The register id this proposal stands for: its match, or the id it would be added as."""
        return self.match.id if self.match else self.id

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"section": self.section, "name": self.name}
        if self.kind:
            record["kind" if self.section != "organisations" else "type"] = self.kind
        if self.aliases:
            record["aliases"] = list(self.aliases)
        if self.former:
            record["former_names"] = list(self.former)
        if self.stage:
            record["stage"] = self.stage
        if self.period:
            record["period"] = {"start": self.period[0], "end": self.period[1]}
        if self.organisation:
            record["organisation"] = self.organisation
        return {
            "id": self.id,
            "record": record,
            "status": self.status,
            "outcome": self.outcome,
            "match": self.match.to_json() if self.match else None,
            "nearest": self.nearest.to_json() if self.nearest else None,
            "new_facts": list(self.new_facts),
            "why": self.why,
            "sources": [q.to_json() for q in self.quotes],
        }


@dataclass
class LinkProposal:
    """A relationship the document states: ``source`` (the record it is written in) ``field`` ``target``."""

    id: str
    source: str  # a proposal id (before linking) or a register id
    field: str  # reports_to, sub_group_of, accountable_to, members, themes, owner
    target: str
    why: str
    quotes: list[Quote]
    role: str | None = None
    status: str = "unconfirmed"
    outcome: str = NEW_FACT

    def to_json(self) -> dict[str, Any]:
        link: dict[str, Any] = {"from": self.source, "field": self.field, "to": self.target}
        if self.role:
            link["role"] = self.role
        return {
            "id": self.id,
            "link": link,
            "status": self.status,
            "outcome": self.outcome,
            "why": self.why,
            "sources": [q.to_json() for q in self.quotes],
        }


Proposal = RecordProposal | LinkProposal


@dataclass
class Proposals:
    """Everything proposed from one document."""

    document: str
    format: str
    sha256: str
    records: list[RecordProposal]
    links: list[LinkProposal]
    register: str | None = None

    def all(self) -> list[Proposal]:
        return [*self.records, *self.links]

    def get(self, pid: str) -> Proposal | None:
        return next((p for p in self.all() if p.id == pid), None)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for p in self.all():
            out[p.outcome] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "document": {"name": self.document, "format": self.format, "sha256": self.sha256},
            "register": self.register,
            "summary": self.counts(),
            "proposals": [p.to_json() for p in self.all()],
        }


def _quotes(data: list[dict[str, Any]]) -> list[Quote]:
    return [Quote(str(q["document"]), str(q["section"]), str(q["quote"]), int(q["offset"])) for q in data]


def _match(data: dict[str, Any] | None) -> Match | None:
    if not data:
        return None
    return Match(str(data["id"]), str(data["name"]), float(data["score"]), str(data["by"]))


def proposals_from_json(data: dict[str, Any]) -> Proposals:
    """Proposals back from :meth:`Proposals.to_json` (the review page carries them, signed).

    Raises ``KeyError``, ``TypeError`` or ``ValueError`` on data of another shape.
    """
    records: list[RecordProposal] = []
    links: list[LinkProposal] = []
    for p in data["proposals"]:
        if "record" in p:
            r = p["record"]
            period = r.get("period")
            records.append(
                RecordProposal(
                    id=str(p["id"]),
                    section=str(r["section"]),
                    name=str(r["name"]),
                    kind=r.get("type", r.get("kind")),
                    why=str(p["why"]),
                    quotes=_quotes(p["sources"]),
                    aliases=[str(a) for a in r.get("aliases", [])],
                    former=[str(a) for a in r.get("former_names", [])],
                    stage=r.get("stage"),
                    period=(int(period["start"]), int(period["end"])) if period else None,
                    organisation=r.get("organisation"),
                    outcome=str(p["outcome"]),
                    match=_match(p.get("match")),
                    nearest=_match(p.get("nearest")),
                    new_facts=[str(f) for f in p.get("new_facts", [])],
                )
            )
        else:
            k = p["link"]
            links.append(
                LinkProposal(
                    id=str(p["id"]),
                    source=str(k["from"]),
                    field=str(k["field"]),
                    target=str(k["to"]),
                    why=str(p["why"]),
                    quotes=_quotes(p["sources"]),
                    role=k.get("role"),
                    outcome=str(p["outcome"]),
                )
            )
    doc = data["document"]
    return Proposals(
        str(doc["name"]), str(doc["format"]), str(doc["sha256"]), records, links, data.get("register")
    )
