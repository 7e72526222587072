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
import functools
import re
import typing
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
    StrategyStage,
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


class Cited(_Model):
    """Sources and a status: what makes a fact checkable."""

    #: For an entry of a list that is not a link (a former name, a seat by sector, a field's
    #: status): the key saying what it is about.  A form line holding only it is that key.
    entry_key: ClassVar[str | None] = None

    sources: tuple[Source, ...] = ()
    status: Status | None = Field(
        None,
        description="confirmed, unconfirmed or disputed (sources disagree). Omitted: confirmed if the fact has a source, "
        "else unconfirmed. A relationship written as a bare id takes its record's.",
    )


class FieldStatus(Cited):
    """The status and sources of one field of a record or link, apart from the rest of it.

    A plan whose start year alone is disputed, a period read from words ("the
    next three years"), a chair's end date inferred rather than read: the
    record stays confirmed, and this field says what is uncertain.

    >>> FieldStatus.model_validate({"field": "period.start", "status": "disputed"}).field
    'period.start'
    """

    entry_key: ClassVar[str | None] = "field"

    field: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The field it is about, as written: `period.start`, `established`, `end`."
    )
    note: Annotated[str, Field(max_length=2000)] | None = None


class Fact(Cited):
    """Anything that can be cited: sources and a status, for the whole and (``field_status``) for one field."""

    field_status: tuple[FieldStatus, ...] = Field(
        (),
        description="Fields whose status or sources differ from the rest: "
        "`[{field: period.start, status: disputed, sources: [...]}]`.",
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
    listed: DateValue | None = Field(
        None,
        description="The date of the source that lists this seat (terms of reference of 2023): the seat "
        "was held then; it says nothing of when it began or ended.",
    )
    note: Annotated[str, Field(max_length=2000)] | None = None


class SectorMembership(Fact):
    """A seat a source gives to a sector, not to a named organisation ("health", "the voluntary sector").

    Popolo's membership without its member: the kind of organisation that
    sits (an organisation ``type``), the words the source uses, and how many
    seats ("three council leaders").
    """

    entry_key: ClassVar[str | None] = "sector"

    sector: OrganisationType = Field(description="The kind of organisation the seat is for.")
    label: Name | None = Field(None, description="How the source names it: 'Voluntary and Community Sector'.")
    count: Annotated[int, Field(ge=1, le=500)] | None = Field(
        None, description="How many seats, if more than one."
    )
    role: Role = Role.MEMBER
    start: DateValue | None = None
    end: DateValue | None = None
    listed: DateValue | None = Field(None, description="The date of the source that lists the seat.")
    note: Annotated[str, Field(max_length=2000)] | None = None


class FormerName(Cited):
    """A name a record had before (Popolo ``other_names`` with dates): a rename, not a new record.

    ``id`` is the id the record had under that name, if it changed: findings
    and decisions made on the old id follow the record.
    """

    entry_key: ClassVar[str | None] = "name"

    name: Name
    id: Slug | None = Field(None, description="The id the record had under this name, if it changed.")
    start: DateValue | None = Field(None, description="When the name was first used.")
    end: DateValue | None = Field(None, description="When the name stopped being used: the rename.")
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
    former_names: tuple[FormerName, ...] = Field(
        (),
        description="Names it had before, with dates: `[{name: Safer Stockport Partnership, end: 2025}]` "
        "(and `id` if its id changed).",
    )
    description: Text | None = None

    @property
    def all_names(self) -> tuple[str, ...]:
        """Every name it is or was known by: its name, aliases and former names (for search and matching)."""
        if not self.aliases and not self.former_names:  # most records (half the cost for 51,000 of them)
            return (self.name,)
        return (self.name, *self.aliases, *(n.name for n in self.former_names))

    @property
    def former_ids(self) -> tuple[str, ...]:
        """The ids the record had before a rename, oldest first as written."""
        return tuple(n.id for n in self.former_names if n.id)

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
    bodies_complete: bool = Field(
        False,
        description="The bodies recorded for this area are all the statutory bodies serving it, as the "
        "area's sources state: a required body not recorded is then missing, not just not recorded.",
    )

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

    organisation: Slug | None = Field(
        None,
        description="The organisation the post is in; left out only for a post of no organisation "
        "(independent: true).",
    )
    independent: bool = Field(
        False,
        description="A post of no organisation: an independent chair or scrutineer appointed for their "
        "independence.",
    )
    accountable_to: Links = Field(
        (),
        description="Posts or organisations that hold this post to account (a chief constable to the PCC).",
    )
    delegates_to: Links = Field(
        (),
        description="Posts this post delegates functions to (the Mayor to a Deputy Mayor for Policing); "
        "say which in `note`.",
    )


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
    sits_within: Links = Field(
        (),
        description="Wider bodies it sits within without reporting to them "
        "(a safeguarding adults board within an all-age safeguarding partnership).",
    )
    convened_by: Links = Field((), description="Bodies, organisations or posts that convene it (a PCC).")
    supports: Links = Field(
        (),
        description="Bodies, organisations or posts it supports or serves (a unit supporting a partnership).",
    )
    meeting_of: Links = Field(
        (),
        description="The organisation this body is the meeting of: one legal body recorded as an "
        "organisation and as its meeting (a fire and rescue authority of councillors).",
    )
    hosted_by: Links = Field((), description="Host organisation(s).")
    links_with: Links = Field(
        (), description="Bodies, organisations or posts it works with, without reporting."
    )
    succeeded_by: Links = Field((), description="Bodies that replaced it (merger or split).")
    members: Memberships = ()
    sector_members: tuple[SectorMembership, ...] = Field(
        (),
        description="Seats a source gives to a sector, not a named organisation: "
        "`[{sector: voluntary-sector, label: Voluntary and Community Sector}]`.",
    )
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
#: The fields of a body that place it in the landscape without being a reporting line: it sits
#: within a wider body, supports one, or is an organisation's own meeting.  Such a body is not
#: an orphan for having no reporting line.
PLACING_FIELDS = ("sits_within", "supports", "meeting_of")


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
    no_owner: bool = Field(
        False,
        description="The sources say no one owns it. Left out with no owner: the owner is not stated.",
    )
    stage: StrategyStage | None = Field(
        None, description="draft, consultation or adopted. Left out: taken as adopted."
    )
    adopted: DateValue | None = Field(None, description="When it was adopted.")
    adopted_by: Links = Field(
        (),
        description="Bodies, organisations or posts that adopted or approved it, besides its owner "
        "(a council adopting a partnership's plan).",
    )

    @property
    def is_evidence(self) -> bool:
        return self.kind in EVIDENCE_KINDS

    @property
    def is_draft(self) -> bool:
        """Not yet adopted: a draft, or out for consultation.

        >>> Strategy(id="s", name="S", kind="plan", stage="consultation").is_draft
        True
        """
        return self.stage in (StrategyStage.DRAFT, StrategyStage.CONSULTATION)

    @property
    def owner_stated(self) -> bool:
        """The sources say who owns it, or that no one does (else its owner is simply not stated)."""
        return bool(self.owner) or self.no_owner


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
    SITS_WITHIN = "sits_within"
    CONVENED_BY = "convened_by"
    SUPPORTS = "supports"
    MEETING_OF = "meeting_of"
    DELEGATES_TO = "delegates_to"
    ADOPTS = "adopts"


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
        if value is None:  # a single-id field left out (an independent post's organisation)
            return []
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
    Post: (
        RefRule("organisation", (Organisation,), RelType.POST_IN, item=None),
        RefRule("accountable_to", (Organisation, Post), RelType.ACCOUNTABLE_TO),
        RefRule("delegates_to", (Post,), RelType.DELEGATES_TO),
    ),
    Person: (RefRule("holds", (Post,), RelType.HOLDS),),
    Body: (
        RefRule("areas", (Area,), RelType.COVERS),
        RefRule("reports_to", (Body,), RelType.REPORTS_TO),
        RefRule("accountable_to", (Organisation, Post), RelType.ACCOUNTABLE_TO),
        RefRule("scrutinises", (Body, Organisation, Post), RelType.SCRUTINISES),
        RefRule("sub_group_of", (Body,), RelType.SUB_GROUP_OF),
        RefRule("sits_within", (Body,), RelType.SITS_WITHIN),
        RefRule("convened_by", (Body, Organisation, Post), RelType.CONVENED_BY),
        RefRule("supports", (Body, Organisation, Post), RelType.SUPPORTS),
        RefRule("meeting_of", (Organisation,), RelType.MEETING_OF),
        RefRule("hosted_by", (Organisation,), RelType.HOSTS, reverse=True),
        RefRule("links_with", (Body, Organisation, Post), RelType.LINKS_WITH),
        RefRule("succeeded_by", (Body,), RelType.SUCCEEDED_BY),
        RefRule(
            "members", (Organisation, Post, Person, Body), RelType.MEMBER_OF, reverse=True, item=Membership
        ),
        RefRule("themes", (Theme,), RelType.ADDRESSES, item=ThemeLink),
        RefRule("uses", (Platform,), RelType.USES),
    ),
    Strategy: (
        RefRule("owner", (Body, Organisation, Post), RelType.OWNS, reverse=True),
        RefRule("adopted_by", (Body, Organisation, Post), RelType.ADOPTS, reverse=True),
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


def effective_status(fact: Cited, inherited: Status | None = None, inherited_sources: bool = False) -> Status:
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

    def renames(self) -> dict[str, str]:
        """Old id -> id now, for every record whose ``former_names`` give the id it had.

        >>> Register.model_validate({"bodies": [{"id": "b", "name": "B", "kind": "board",
        ...     "former_names": [{"name": "A", "id": "a"}]}]}).renames()
        {'a': 'b'}
        """
        return {old: rec.id for rec in self.records() if rec.former_names for old in rec.former_ids}

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


#: The ids an item holds besides its target, and the records they may name: ``(key, targets)``.
#: Validation checks them; a what-if merge and a rename re-point them.
NESTED_REFS: dict[type[Item], tuple[tuple[str, tuple[type[Record], ...]], ...]] = {
    Membership: (("on_behalf_of", (Organisation,)),),
    ThemeLink: (("delivered_by", (Body,)),),
}


def nested_refs(item: Item) -> Iterator[tuple[str, int | None, str]]:
    """``(key, index, id)`` for each id an item holds besides its target (index None for a single id).

    >>> list(nested_refs(ThemeLink(theme="t", delivered_by=["a", "b"])))
    [('delivered_by', 0, 'a'), ('delivered_by', 1, 'b')]
    """
    for key, _ in NESTED_REFS.get(type(item), ()):
        value = getattr(item, key)
        if isinstance(value, str):
            yield key, None, value
        elif value:
            for i, v in enumerate(value):
                yield key, i, v


#: The fields a ``field_status`` entry may not name: the record's identity and provenance, and
#: lists whose entries carry their own status (a link, a seat, a former name).
_NOT_FIELDS = frozenset({"id", "sources", "status", "field_status"})


@functools.cache
def status_fields(model: type[Cited]) -> tuple[str, ...]:
    """The fields of ``model`` a ``field_status`` entry may name (``period.start`` for a period).

    >>> "period.start" in status_fields(Strategy), "owner" in status_fields(Strategy)
    (True, False)
    >>> status_fields(Membership)[:3]
    ('role', 'on_behalf_of', 'start')
    """
    refs = {r.field for r in REF_RULES.get(model, ())} if issubclass(model, Record) else set()
    target = {model.target_key} if issubclass(model, Item) else set()
    out: list[str] = []
    for name, info in model.model_fields.items():
        if name in _NOT_FIELDS or name in refs or name in target or _holds_entries(info.annotation):
            continue
        out += ["period", "period.start", "period.end"] if name == "period" else [name]
    return tuple(out)


def _holds_entries(annotation: Any) -> bool:
    """A list of entries that are facts of their own (seats by sector, former names)."""
    todo = [annotation]
    while todo:
        t = todo.pop()
        if isinstance(t, type) and issubclass(t, Cited):
            return True
        todo.extend(typing.get_args(t))
    return False


def field_value(fact: Cited, path: str) -> Any:
    """The value of a field named as ``field_status`` names it (``period.start``); None if not given."""
    head, _, rest = path.partition(".")
    value = getattr(fact, head, None)
    if rest:
        value = getattr(value, rest, None) if value is not None else None
    return None if value in ((), False) else value


def field_status_of(fact: Fact, path: str, inherited: Status | None = None) -> Status | None:
    """The status of one field of a record or link, when ``field_status`` gives it one (else None:
    the field shares its record's status).

    >>> s = Strategy.model_validate({"id": "s", "name": "S", "kind": "plan", "period": {"start": 2024},
    ...     "field_status": [{"field": "period.start", "status": "disputed"}]})
    >>> field_status_of(s, "period.start"), field_status_of(s, "period.end")
    (<Status.DISPUTED: 'disputed'>, None)
    """
    for fs in fact.field_status:
        if fs.field == path:
            return effective_status(fs, inherited or effective_status(fact), bool(fact.sources))
    return None


@functools.cache
def entry_fields(model: type[Record]) -> dict[str, type[Cited]]:
    """The lists of a record kind whose entries are facts but not links, by field: the entry's class.

    >>> entry_fields(Body)
    {'former_names': <class 'govmap.ingest.model.FormerName'>, 'sector_members': <class 'govmap.ingest.model.SectorMembership'>}
    """
    refs = {r.field for r in REF_RULES[model]}
    out: dict[str, type[Cited]] = {}
    for name, info in model.model_fields.items():
        if name in refs or name == "field_status":
            continue
        for t in typing.get_args(info.annotation):
            if isinstance(t, type) and issubclass(t, Cited):
                out[name] = t
    return out


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
