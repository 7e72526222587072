"""The vocabularies of a register: every allowed value of every ``kind``, ``type`` and ``role``.

Defined once, here; the JSON Schema, the validation messages ("is not one of
..."), the web forms and the statutory rules all read them from these enums.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Whether a fact is backed by its source (confirmed) or still to be checked."""

    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"
    #: Sources disagree (each says what it says in its ``value``); shown as such, never as confirmed.
    DISPUTED = "disputed"


class OrganisationType(StrEnum):
    POLICE_FORCE = "police-force"
    POLICE_AND_CRIME_COMMISSIONER = "police-and-crime-commissioner"
    COUNTY_COUNCIL = "county-council"
    DISTRICT_COUNCIL = "district-council"
    UNITARY_COUNCIL = "unitary-council"
    METROPOLITAN_BOROUGH_COUNCIL = "metropolitan-borough-council"
    #: A London borough council (``unitary-council`` is still accepted for one).
    LONDON_BOROUGH_COUNCIL = "london-borough-council"
    COMBINED_AUTHORITY = "combined-authority"
    TRANSPORT_AUTHORITY = "transport-authority"
    FIRE_AND_RESCUE = "fire-and-rescue"
    PROBATION = "probation"
    INTEGRATED_CARE_BOARD = "integrated-care-board"
    NHS = "nhs"
    YOUTH_JUSTICE = "youth-justice"
    EDUCATION = "education"
    VOLUNTARY_SECTOR = "voluntary-sector"
    GOVERNMENT = "government"
    OTHER = "other"


class BodyKind(StrEnum):
    BOARD = "board"
    PARTNERSHIP = "partnership"
    CSP = "csp"
    GROUP = "group"
    STEERING_GROUP = "steering-group"
    NETWORK = "network"
    UNIT = "unit"
    COMMITTEE = "committee"
    OTHER = "other"


class StrategyKind(StrEnum):
    AGREEMENT = "agreement"
    STRATEGY = "strategy"
    PLAN = "plan"
    STRATEGIC_ASSESSMENT = "strategic-assessment"
    JSNA = "jsna"
    PROFILE = "profile"
    INTELLIGENCE_ASSESSMENT = "intelligence-assessment"
    OTHER = "other"


#: Strategy kinds that are evidence products: they inform, rather than direct.
EVIDENCE_KINDS = frozenset(
    {
        StrategyKind.STRATEGIC_ASSESSMENT,
        StrategyKind.JSNA,
        StrategyKind.PROFILE,
        StrategyKind.INTELLIGENCE_ASSESSMENT,
    }
)


class StrategyStage(StrEnum):
    """How far a strategy has got: written, out for consultation, or adopted by its owner.

    Left out, a strategy is taken as adopted (what a published strategy usually is).
    """

    DRAFT = "draft"
    CONSULTATION = "consultation"
    ADOPTED = "adopted"


class ThemeKind(StrEnum):
    PRIORITY = "priority"
    CAUSE = "cause"
    MULTI_AGENCY = "multi-agency-theme"
    CROSS_CUTTING = "cross-cutting-theme"
    PUBLIC_CONCERN = "public-concern"
    INTELLIGENCE_FOCUS = "intelligence-focus"
    EMERGING_ISSUE = "emerging-issue"
    OTHER = "other"


class AreaKind(StrEnum):
    COUNTRY = "country"
    REGION = "region"
    POLICE_FORCE_AREA = "police-force-area"
    COMBINED_AUTHORITY = "combined-authority"
    COUNTY = "county"
    UNITARY = "unitary"
    DISTRICT = "district"
    METROPOLITAN_COUNTY = "metropolitan-county"
    METROPOLITAN_DISTRICT = "metropolitan-district"
    #: A London borough (one recorded as ``unitary`` is judged the same: the same bodies are required).
    LONDON_BOROUGH = "london-borough"
    #: The area of an integrated care board.
    ICB_AREA = "icb-area"
    NEIGHBOURHOOD = "neighbourhood"
    OTHER = "other"


class PlatformKind(StrEnum):
    DATA_EXCHANGE = "data-exchange"
    MESSAGING = "messaging"
    SURVEY = "survey"
    DASHBOARD = "dashboard"
    OTHER = "other"


class Role(StrEnum):
    """A member's role on a body (Popolo ``membership.role``)."""

    CHAIR = "chair"
    VICE_CHAIR = "vice-chair"
    MEMBER = "member"
    LEAD = "lead"
    SECRETARIAT = "secretariat"
    OBSERVER = "observer"


class ThemeRole(StrEnum):
    LEAD = "lead"
    CONTRIBUTES = "contributes"


class DocumentKind(StrEnum):
    LEGISLATION = "legislation"
    GUIDANCE = "guidance"
    AGREEMENT = "agreement"
    REPORT = "report"
    MINUTES = "minutes"
    WEBSITE = "website"
    OTHER = "other"
