"""The one domain model of a partnership register.

The classes here *are* the YAML shape: a register file is a mapping of
sections (``areas``, ``organisations``, ``bodies`` ...), each a list of records,
and each record is one of the models below.  The CLI, the analysis, the Neo4j
loader and reader and the web forms all speak these classes; nothing keeps a
parallel set of dicts.

Relationships are written inside the record they start from (a body lists its
members, the themes it addresses, whom it reports to), because that is how a
reviewer edits them.  :meth:`Register.relations` flattens them into typed
:class:`Relation` edges for the graph and the database.

Vocabulary is borrowed where it fits: Popolo (membership, post, role,
``on_behalf_of``), W3C ORG (``reports_to`` for ``org:reportsTo``,
``sub_group_of`` for ``org:subOrganizationOf``, ``purpose``) and SKOS for theme
links (``broader``, ``matches`` for ``skos:closeMatch``).

Nothing here is specific to one county: areas nest (a district within a
county, a joint CSP covering two districts), bodies can start, end and be
succeeded (a split or a merger), and every fact carries its sources and a
status.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from .dates import DateValue, PartialDate  # noqa: F401 - re-exported
from .vocabulary import (  # noqa: F401 - re-exported: the model's public names
    EVIDENCE_KINDS,
    AreaKind,
    BodyKind,
    DocumentKind,
    OrganisationType,
    PlatformKind,
    Role,
    Status,
    StrategyKind,
    ThemeKind,
    ThemeRole,
)

#: Ids are lowercase slugs, unique across the whole register.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)

#: The longest id.
ID_MAX = 120

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=ID_MAX)]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
#: The longest name.
NAME_MAX = 300

Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]


def _as_list(value: Any) -> Any:
    """Let a single reference stand where a list is expected: ``reports_to: board``."""
    return [value] if isinstance(value, str | dict) else value


class _Model(BaseModel):
    # Frozen: a register is a value; edits build a new one.  ``extra=forbid``
    # turns a misspelt key into an error (with "did you mean") instead of
    # silently dropping it.
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Source(_Model):
    """Where a fact comes from: a document in the register's ``documents`` section."""

    doc: Slug = Field(description="Id of a record in `documents`.")
    section: Annotated[str, Field(max_length=500)] | None = Field(
        None, description="Section, heading or page within the document."
    )
    url: Annotated[str, Field(max_length=2000)] | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    value: Annotated[str, Field(max_length=2000)] | None = Field(
        None, description="What this source says, when sources disagree (with status: disputed)."
    )


class Fact(_Model):
    """Anything that can be cited: sources and a status."""

    sources: tuple[Source, ...] = ()
    status: Status | None = Field(
        None,
        description="confirmed, unconfirmed or disputed (sources disagree). Omitted: confirmed if the fact has a source, "
        "else unconfirmed. A relationship written as a bare id takes its record's.",
    )


class Item(Fact):
    """One entry of a relationship list: a bare id, or a mapping with its own facts.

    ``target_key`` is the one place that says which key names the record the
    item points at (``to`` for a plain link, ``member`` for a membership,
    ``theme`` for a theme link); validation, dumping, the round trip, Neo4j and
    the web forms all ask it.

    >>> Membership.model_validate("police").target, Membership.target_key
    ('police', 'member')
    >>> Link.model_validate({"to": "board", "note": "yearly"}).is_short
    False
    """

    #: The key naming the item's target.
    target_key: ClassVar[str] = "to"

    @model_validator(mode="before")
    @classmethod
    def _bare_id(cls, value: Any) -> Any:
        return {cls.target_key: value} if isinstance(value, str) else value

    @property
    def target(self) -> str:
        """The id of the record this item points at."""
        return str(getattr(self, self.target_key))

    @property
    def is_short(self) -> bool:
        """True when the item can be written back as a bare id."""
        return self.model_fields_set <= {self.target_key}

    def facts(self) -> dict[str, Any]:
        """The item's own fields as written, without its target (``{}`` for a bare id)."""
        return self.model_dump(mode="json", exclude_defaults=True, exclude={self.target_key})


class Link(Item):
    """A relationship to another record, written as a bare id or a mapping.

    ``reports_to: county-board`` and ``reports_to: [{to: county-board,
    sources: [...]}]`` mean the same, except that the long form carries its own
    sources and status.
    """

    to: Slug
    start: DateValue | None = None
    end: DateValue | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None


class Membership(Item):
    """A seat on a body (Popolo ``Membership``)."""

    target_key: ClassVar[str] = "member"

    member: Slug = Field(description="An organisation, post, person or another body.")
    role: Role = Role.MEMBER
    on_behalf_of: Slug | None = Field(None, description="Organisation a post or person represents.")
    start: DateValue | None = None
    end: DateValue | None = None
    term: Annotated[int, Field(ge=1, le=600)] | None = Field(
        None, description="Length of the appointment in months; with a start and no end it ends start + term."
    )
    note: Annotated[str, Field(max_length=2000)] | None = None


class ThemeLink(Item):
    """A body or strategy addressing a theme, as its lead or as a contributor."""

    target_key: ClassVar[str] = "theme"

    theme: Slug
    role: ThemeRole = ThemeRole.CONTRIBUTES
    note: Annotated[str, Field(max_length=2000)] | None = None
    delivered_by: Annotated[
        tuple[Slug, ...], BeforeValidator(_as_list, json_schema_input_type=Slug | list[Slug])
    ] = Field(
        (),
        description="Bodies that deliver this theme for the one leading it (an umbrella partnership's "
        "delivery bodies): `themes: [{theme: p, role: lead, delivered_by: [board]}]`.",
    )


# The JSON Schema says what a reviewer may write: one id, one mapping, or a list of either.
Links = Annotated[
    tuple[Link, ...],
    BeforeValidator(_as_list, json_schema_input_type=Slug | Link | list[Slug | Link]),
]
Memberships = Annotated[
    tuple[Membership, ...],
    BeforeValidator(_as_list, json_schema_input_type=Slug | Membership | list[Slug | Membership]),
]
ThemeLinks = Annotated[
    tuple[ThemeLink, ...],
    BeforeValidator(_as_list, json_schema_input_type=Slug | ThemeLink | list[Slug | ThemeLink]),
]


class Period(_Model):
    start: DateValue | None = None
    end: DateValue | None = None


class Record(Fact):
    """Fields every record has."""

    #: The section of the register this kind of record lives in.
    section: ClassVar[str] = ""
    #: The entity kind, as shown to users and used as the Neo4j label.
    label: ClassVar[str] = ""
    #: The word a reviewer uses for one record of this kind: 'body', 'organisation'.
    word: ClassVar[str] = ""
    #: The field naming the record's subtype: ``kind`` (``type`` for an organisation; none for posts, people).
    subtype_key: ClassVar[str | None] = "kind"

    id: Slug
    name: Name
    aliases: tuple[Name, ...] = ()
    description: Text | None = None

    @property
    def subtype(self) -> str | None:
        """The record's kind within its section ('csp', 'council'), or None.

        >>> Organisation(id="c", name="C", type="county-council").subtype
        'county-council'
        """
        value = getattr(self, self.subtype_key) if self.subtype_key else None
        return None if value is None else str(getattr(value, "value", value))


class Document(Record):
    section: ClassVar[str] = "documents"
    label: ClassVar[str] = "Document"
    word: ClassVar[str] = "document"

    kind: DocumentKind = DocumentKind.OTHER
    publisher: Name | None = None
    date: DateValue | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    path: Annotated[str, Field(max_length=2000)] | None = Field(
        None, description="Where a copy is kept, relative to the register."
    )


class Area(Record):
    section: ClassVar[str] = "areas"
    label: ClassVar[str] = "Area"
    word: ClassVar[str] = "area"

    kind: AreaKind | tuple[AreaKind, ...] = Field(
        description="What the area is; a list when it is several at once "
        "(a combined-authority area that is also a police force area)."
    )
    within: Links = Field((), description="Parent areas (a district within a county).")
    code: Annotated[str, Field(max_length=40)] | None = Field(None, description="ONS GSS code.")

    @property
    def kinds(self) -> tuple[AreaKind, ...]:
        """Every kind of the area, whether ``kind`` is written as one or a list."""
        return self.kind if isinstance(self.kind, tuple) else (self.kind,)

    @property
    def subtype(self) -> str | None:
        """Its kinds, comma-separated: 'combined-authority, police-force-area'."""
        return ", ".join(k.value for k in self.kinds)


class Organisation(Record):
    section: ClassVar[str] = "organisations"
    label: ClassVar[str] = "Organisation"
    word: ClassVar[str] = "organisation"
    subtype_key: ClassVar[str | None] = "type"

    type: OrganisationType
    roles: tuple[OrganisationType, ...] = Field(
        (),
        description="Statutory roles it holds besides its type "
        "(a combined authority with police-and-crime-commissioner functions).",
    )
    areas: Links = ()
    part_of: Links = ()
    website: Annotated[str, Field(max_length=2000)] | None = None
    established: DateValue | None = None
    dissolved: DateValue | None = None
    succeeded_by: Links = Field((), description="Organisations that took over its functions.")

    @property
    def all_types(self) -> tuple[OrganisationType, ...]:
        """Its type and every role it holds."""
        return (self.type, *self.roles)


class Post(Record):
    """A position in an organisation (W3C ORG ``Post``), e.g. 'Chief Constable'."""

    section: ClassVar[str] = "posts"
    label: ClassVar[str] = "Post"
    word: ClassVar[str] = "post"
    subtype_key: ClassVar[str | None] = None

    organisation: Slug


class Person(Record):
    section: ClassVar[str] = "people"
    label: ClassVar[str] = "Person"
    word: ClassVar[str] = "person"
    subtype_key: ClassVar[str | None] = None

    holds: Links = Field((), description="Posts this person holds.")


class Body(Record):
    """A board, partnership, CSP, group, network or unit."""

    section: ClassVar[str] = "bodies"
    label: ClassVar[str] = "Body"
    word: ClassVar[str] = "body"

    kind: BodyKind
    purpose: Text | None = None
    areas: Links = Field((), description="Areas the body covers.")
    statutory: bool = False
    legal_basis: Annotated[str, Field(max_length=1000)] | None = None
    top_level: bool = Field(False, description="The body is the top of its landscape: no parent expected.")
    reports_to: Links = Field((), description="Accountable bodies (org:reportsTo).")
    accountable_to: Links = Field(
        (), description="Organisations or posts it answers to (a council, an elected mayor)."
    )
    scrutinises: Links = Field((), description="Bodies, organisations or posts it scrutinises.")
    sub_group_of: Links = ()
    hosted_by: Links = Field((), description="Host organisation(s).")
    links_with: Links = Field((), description="Bodies it works with, without reporting.")
    succeeded_by: Links = Field((), description="Bodies that replaced it (merger or split).")
    members: Memberships = ()
    members_complete: bool = Field(
        False, description="The member list is the whole membership, as the body's sources state."
    )
    rules: tuple[Slug, ...] = Field((), description="Statutory rules that apply (ids in the rules file).")
    themes: ThemeLinks = ()
    uses: Links = Field((), description="Platforms the body uses.")
    established: DateValue | None = None
    dissolved: DateValue | None = None
    review_date: DateValue | None = None
    meets: Annotated[str, Field(max_length=200)] | None = None


#: The fields of a body that are its reporting lines (org:reportsTo, org:subOrganizationOf);
#: walked by :mod:`govmap.graph.lines`, checked for cycles by validation.
REPORTING_FIELDS = ("reports_to", "sub_group_of")


class Strategy(Record):
    """A strategy, plan, agreement or evidence product."""

    section: ClassVar[str] = "strategies"
    label: ClassVar[str] = "Strategy"
    word: ClassVar[str] = "strategy"

    kind: StrategyKind
    owner: Links = Field((), description="Owning body, organisation or post.")
    period: Period | None = None
    cycle: Annotated[str, Field(max_length=200)] | None = None
    areas: Links = ()
    themes: ThemeLinks = ()
    informs: Links = Field((), description="Strategies this one is evidence for.")
    uses: Links = ()
    review_date: DateValue | None = None
    dissolved: DateValue | None = Field(None, description="Withdrawn or replaced on this date.")
    succeeded_by: Links = Field((), description="Newer editions or strategies that replaced it.")

    @property
    def is_evidence(self) -> bool:
        return self.kind in EVIDENCE_KINDS


class Theme(Record):
    section: ClassVar[str] = "themes"
    label: ClassVar[str] = "Theme"
    word: ClassVar[str] = "theme"

    kind: ThemeKind
    broader: Links = Field((), description="Wider themes (skos:broader).")
    matches: Links = Field((), description="Themes of other kinds naming the same issue (skos:closeMatch).")


class Platform(Record):
    section: ClassVar[str] = "platforms"
    label: ClassVar[str] = "Platform"
    word: ClassVar[str] = "platform"

    kind: PlatformKind
    owner: Links = ()
    users: Links = ()
    part_of: Links = ()
    url: Annotated[str, Field(max_length=2000)] | None = None


RECORD_TYPES: tuple[type[Record], ...] = (
    Document,
    Area,
    Organisation,
    Post,
    Person,
    Body,
    Strategy,
    Theme,
    Platform,
)
SECTIONS: dict[str, type[Record]] = {t.section: t for t in RECORD_TYPES}
LABELS: dict[str, type[Record]] = {t.label: t for t in RECORD_TYPES}


class RelType(StrEnum):
    """Edge types of the graph; the Neo4j relationship type is the upper-case name."""

    MEMBER_OF = "member_of"
    REPORTS_TO = "reports_to"
    SUB_GROUP_OF = "sub_group_of"
    ADDRESSES = "addresses"
    OWNS = "owns"
    INFORMS = "informs"
    COVERS = "covers"
    HOSTS = "hosts"
    USES = "uses"
    WITHIN = "within"
    PART_OF = "part_of"
    LINKS_WITH = "links_with"
    SUCCEEDED_BY = "succeeded_by"
    ACCOUNTABLE_TO = "accountable_to"
    SCRUTINISES = "scrutinises"
    BROADER = "broader"
    MATCHES = "matches"
    HOLDS = "holds"
    POST_IN = "post_in"


@dataclass(frozen=True)
class RefRule:
    """Where a reference may point: the record kinds allowed, and the edge it makes.

    ``reverse`` edges run from the target to the record (``hosted_by`` on a
    body is an organisation *hosting* the body; ``owner`` on a strategy is the
    owner *owning* it).
    """

    field: str
    targets: tuple[type[Record], ...]
    rel: RelType
    reverse: bool = False
    #: What one entry of the field is; a field holding a single id (``Post.organisation``) has None.
    item: type[Item] | None = Link

    @property
    def target_key(self) -> str:
        """The key naming an item's target: ``member``, ``theme`` or ``to``."""
        return (self.item or Link).target_key

    def refs(self, rec: Record) -> list[tuple[int, str, Item | None]]:
        """``(index, target id, item)`` for each reference the record writes in this field.

        The item is None for a single-id field.
        """
        # A record salvaged from a file with errors may lack a required single-id field.
        value = getattr(rec, self.field, None)
        if value is None:
            return []
        if isinstance(value, str):
            return [(0, value, None)]
        return [(i, item.target, item) for i, item in enumerate(value)]


#: Every reference field, once: used by validation, the graph and Neo4j.
REF_RULES: dict[type[Record], tuple[RefRule, ...]] = {
    Document: (),
    Area: (RefRule("within", (Area,), RelType.WITHIN),),
    Organisation: (
        RefRule("areas", (Area,), RelType.COVERS),
        RefRule("part_of", (Organisation,), RelType.PART_OF),
        RefRule("succeeded_by", (Organisation,), RelType.SUCCEEDED_BY),
    ),
    Post: (RefRule("organisation", (Organisation,), RelType.POST_IN, item=None),),
    Person: (RefRule("holds", (Post,), RelType.HOLDS),),
    Body: (
        RefRule("areas", (Area,), RelType.COVERS),
        RefRule("reports_to", (Body,), RelType.REPORTS_TO),
        RefRule("accountable_to", (Organisation, Post), RelType.ACCOUNTABLE_TO),
        RefRule("scrutinises", (Body, Organisation, Post), RelType.SCRUTINISES),
        RefRule("sub_group_of", (Body,), RelType.SUB_GROUP_OF),
        RefRule("hosted_by", (Organisation,), RelType.HOSTS, reverse=True),
        RefRule("links_with", (Body,), RelType.LINKS_WITH),
        RefRule("succeeded_by", (Body,), RelType.SUCCEEDED_BY),
        RefRule(
            "members", (Organisation, Post, Person, Body), RelType.MEMBER_OF, reverse=True, item=Membership
        ),
        RefRule("themes", (Theme,), RelType.ADDRESSES, item=ThemeLink),
        RefRule("uses", (Platform,), RelType.USES),
    ),
    Strategy: (
        RefRule("owner", (Body, Organisation, Post), RelType.OWNS, reverse=True),
        RefRule("areas", (Area,), RelType.COVERS),
        RefRule("themes", (Theme,), RelType.ADDRESSES, item=ThemeLink),
        RefRule("informs", (Strategy,), RelType.INFORMS),
        RefRule("uses", (Platform,), RelType.USES),
        RefRule("succeeded_by", (Strategy,), RelType.SUCCEEDED_BY),
    ),
    Theme: (
        RefRule("broader", (Theme,), RelType.BROADER),
        RefRule("matches", (Theme,), RelType.MATCHES),
    ),
    Platform: (
        RefRule("owner", (Body, Organisation), RelType.OWNS, reverse=True),
        RefRule("users", (Body, Organisation), RelType.USES, reverse=True),
        RefRule("part_of", (Platform,), RelType.PART_OF),
    ),
}


@dataclass(frozen=True)
class Relation:
    """One typed edge, flattened from a record for the graph and the database.

    ``origin`` is the record the relation is written in and ``field`` the key
    (with ``index``), so an edge can always be traced back to its line.
    """

    type: RelType
    source: str
    target: str
    origin: str
    field: str
    index: int
    status: Status
    sources: tuple[Source, ...]
    role: str | None = None
    on_behalf_of: str | None = None
    start: dt.date | PartialDate | None = None
    end: dt.date | PartialDate | None = None
    note: str | None = None

    @property
    def key(self) -> str:
        """A stable identity for the edge: where it is written."""
        return f"{self.origin}/{self.field}/{self.index}"


def effective_status(fact: Fact, inherited: Status | None = None, inherited_sources: bool = False) -> Status:
    """The status a reader should see for a fact.

    Nothing without a source is ever shown as confirmed: ``status:
    confirmed`` on a fact with no source of its own (and, for a relationship,
    none on its record) reads as unconfirmed, and validation warns about it.
    Otherwise an explicit status wins; a relationship written as a bare id
    takes its record's; and a fact with a source is confirmed.  Documents are
    the sources themselves: confirmed unless marked otherwise.

    A fact whose sources say different things (two different ``value``
    notes), or marked ``status: disputed``, is disputed.  A dispute is about
    the fact itself: bare relationships of a disputed record are not.
    """
    sourced = bool(fact.sources) or inherited_sources or isinstance(fact, Document)
    if fact.status is Status.DISPUTED or (
        fact.status is None and len({s.value for s in fact.sources if s.value is not None}) > 1
    ):
        return Status.DISPUTED
    if inherited is Status.DISPUTED:
        inherited = Status.CONFIRMED if inherited_sources else Status.UNCONFIRMED
    if fact.status is not None:
        return fact.status if sourced else Status.UNCONFIRMED
    if inherited is not None and not fact.sources:
        return inherited
    return (
        Status.CONFIRMED if sourced and (fact.sources or isinstance(fact, Document)) else Status.UNCONFIRMED
    )


class RegisterInfo(_Model):
    """The register's own header."""

    id: Slug = "register"
    name: Name = "Partnership register"
    description: Text | None = None
    version: Annotated[str, Field(max_length=100)] | None = None
    top: tuple[Slug, ...] = Field((), description="Top-level bodies of the landscape.")


class Register(_Model):
    """A whole partnership register: the content of one ``boards.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    govmap: Literal[1] = Field(1, description="Schema version of the file.")
    info: RegisterInfo = Field(RegisterInfo(), alias="register")
    documents: tuple[Document, ...] = ()
    areas: tuple[Area, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    posts: tuple[Post, ...] = ()
    people: tuple[Person, ...] = ()
    bodies: tuple[Body, ...] = ()
    strategies: tuple[Strategy, ...] = ()
    themes: tuple[Theme, ...] = ()
    platforms: tuple[Platform, ...] = ()

    _index: dict[str, Record] | None = PrivateAttr(default=None)

    # -- lookups ---------------------------------------------------------
    def records(self) -> Iterator[Record]:
        """Every record, section by section, in file order."""
        for section in SECTIONS:
            yield from getattr(self, section)

    @property
    def index(self) -> dict[str, Record]:
        """Id -> record (first one wins; validation refuses duplicates)."""
        if self._index is None:
            idx: dict[str, Record] = {}
            for rec in self.records():
                idx.setdefault(rec.id, rec)
            self._index = idx
        return self._index

    def get(self, id: str) -> Record | None:
        return self.index.get(id)

    def __contains__(self, id: object) -> bool:
        return id in self.index

    # -- relations -------------------------------------------------------
    def relations(self) -> Iterator[Relation]:
        """Every relationship as a typed edge, in file order."""
        for rec in self.records():
            yield from relations_of(rec)


def _date_or_none(value: Any) -> dt.date | PartialDate | None:
    return value if isinstance(value, dt.date | PartialDate) else None


def relations_of(rec: Record) -> Iterator[Relation]:
    """The edges written in one record."""
    inherited = effective_status(rec)
    for rule in REF_RULES[type(rec)]:
        for i, target, item in rule.refs(rec):
            status = effective_status(item, inherited, bool(rec.sources)) if item else inherited
            sources = item.sources if item and item.sources else rec.sources
            src, dst = (target, rec.id) if rule.reverse else (rec.id, target)
            # an item's fields by name (a missing one is None): getattr on a pydantic model
            # that lacks the field raises inside, several times slower, once per relation
            facts = item.__dict__ if item is not None else {}
            yield Relation(
                type=rule.rel,
                source=src,
                target=dst,
                origin=rec.id,
                field=rule.field,
                index=i,
                status=status,
                sources=sources,
                role=item.role.value if isinstance(item, Membership | ThemeLink) else None,
                on_behalf_of=facts.get("on_behalf_of"),
                start=_date_or_none(facts.get("start")),
                end=_date_or_none(facts.get("end")),
                note=facts.get("note"),
            )


#: The class of one entry of each relationship list, by field name (the same in every section).
ITEM_TYPES: dict[str, type[Item]] = {r.field: r.item for rules in REF_RULES.values() for r in rules if r.item}


def item_type(field_name: str) -> type[Item]:
    """The class of one entry of ``field_name``: Membership, ThemeLink or Link.

    >>> item_type("members").target_key, item_type("themes").target_key, item_type("reports_to").target_key
    ('member', 'theme', 'to')
    """
    return ITEM_TYPES.get(field_name, Link)


def record_version(rec: Record) -> str:
    """A record's own version token: the SHA-256 of its data as canonical JSON.

    An edit made from a form opened at this version conflicts only when *this*
    record changed since (record-level optimistic concurrency); the YAML store
    and the Neo4j store both compare this token.
    """
    return data_version(rec.model_dump(mode="json", exclude_defaults=True))


def data_version(data: Any) -> str:
    """:func:`record_version` of a record given as its JSON data (as the audit log keeps it)."""
    import hashlib
    import json

    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
