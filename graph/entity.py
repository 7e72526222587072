"""One record and everything linked to it, grouped the way a reviewer reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Record, Register, Relation, RelType, effective_status
from govmap.ingest.reading.messages import did_you_mean, kind_word

#: How an edge reads from its source (outgoing) and from its target (incoming).
LABELS: dict[RelType, tuple[str, str]] = {
    RelType.MEMBER_OF: ("member of", "members"),
    RelType.REPORTS_TO: ("reports to", "reported to by"),
    RelType.SUB_GROUP_OF: ("sub-group of", "sub-groups"),
    RelType.ADDRESSES: ("addresses", "addressed by"),
    RelType.OWNS: ("owns", "owned by"),
    RelType.INFORMS: ("informs", "informed by"),
    RelType.COVERS: ("covers", "covered by"),
    RelType.HOSTS: ("hosts", "hosted by"),
    RelType.USES: ("uses", "used by"),
    RelType.WITHIN: ("within", "contains"),
    RelType.PART_OF: ("part of", "has part"),
    RelType.LINKS_WITH: ("links with", "linked with by"),
    RelType.SUCCEEDED_BY: ("succeeded by", "succeeds"),
    RelType.ACCOUNTABLE_TO: ("accountable to", "holds to account"),
    RelType.SCRUTINISES: ("scrutinises", "scrutinised by"),
    RelType.BROADER: ("broader theme", "narrower themes"),
    RelType.MATCHES: ("matches", "matched by"),
    RelType.HOLDS: ("holds post", "held by"),
    RelType.POST_IN: ("post in", "posts"),
    RelType.SITS_WITHIN: ("sits within", "has within it"),
    RelType.CONVENED_BY: ("convened by", "convenes"),
    RelType.SUPPORTS: ("supports", "supported by"),
    RelType.MEETING_OF: ("meeting of", "meets as"),
    RelType.DELEGATES_TO: ("delegates to", "delegated to by"),
    RelType.ADOPTS: ("adopts", "adopted by"),
}


class UnknownEntity(GovmapError):
    """No record has this id.

    ``near`` is the neutral hint (the nearest id, if one is close); ``hint``
    falls back to advice for the command line, which a web page replaces
    with its own.
    """

    status = 404

    def __init__(self, entity_id: str, near: str | None = None) -> None:
        super().__init__(f"no record with id '{entity_id}'", hint=near or "run 'govmap list' to see the ids")
        self.entity_id = entity_id
        self.near = near


@dataclass(frozen=True)
class Link:
    """One line of an entity's page: a relation seen from the entity."""

    label: str
    other: str
    other_name: str
    other_kind: str
    relation: Relation


@dataclass
class EntityView:
    record: Record
    kind: str
    status: str
    links: dict[str, list[Link]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The record and its links as JSON data: what ``govmap show --json`` and the API print."""
        return {
            "id": self.record.id,
            "kind": self.kind,
            "status": self.status,
            "record": self.record.model_dump(mode="json", by_alias=True, exclude_defaults=True),
            "links": {
                label: [
                    {
                        "id": link.other,
                        "name": link.other_name,
                        "kind": link.other_kind,
                        "role": link.relation.role,
                        "status": link.relation.status.value,
                    }
                    for link in links
                ]
                for label, links in self.links.items()
            },
        }


def get_record(register: Register, entity_id: str) -> Record:
    """The record with this id, or an error that suggests the nearest id."""
    rec = register.get(entity_id)
    if rec is None:
        raise UnknownEntity(entity_id, did_you_mean(entity_id, register.index))
    return rec


def relations_by_entity(register: Register) -> dict[str, list[Relation]]:
    """Every relation under each record it starts or ends at, in file order.

    Built once per register version, it lets :func:`entity_view` skip the scan of
    every relation in the register (which costs ~30 ms a page at county size and
    grows with the register).
    """
    out: dict[str, list[Relation]] = {}
    for rel in register.relations():
        out.setdefault(rel.source, []).append(rel)
        if rel.target != rel.source:
            out.setdefault(rel.target, []).append(rel)
    return out


def entity_view(
    register: Register, entity_id: str, by_entity: dict[str, list[Relation]] | None = None
) -> EntityView:
    """The record and every relation that starts or ends at it, grouped by label.

    ``by_entity`` (from :func:`relations_by_entity`) gives the same view without a
    scan of the whole register.
    """
    rec = get_record(register, entity_id)
    view = EntityView(rec, kind_word(rec), effective_status(rec).value)
    rels = register.relations() if by_entity is None else by_entity.get(entity_id, [])
    for rel in rels:
        if rel.source == entity_id:
            label, other = LABELS[rel.type][0], rel.target
        elif rel.target == entity_id:
            label, other = LABELS[rel.type][1], rel.source
        else:
            continue
        orec = register.get(other)
        view.links.setdefault(label, []).append(
            Link(label, other, orec.name if orec else other, kind_word(orec) if orec else "?", rel)
        )
    return view
