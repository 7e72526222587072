"""Every name the seed document gives, with the heading it appears under.

The seed document is the draft Lancashire Community Safety Agreement
2022–2025 (``lancs-csa-2022`` in ``data/boards.yaml``).  Each entry is written
exactly as in the document's text (the document's own spelling, spacing and
dashes), paired with the heading it appears under ("Introduction" for the text
before the first heading; the footnote on terrorism belongs to "Our Key
Issues").  A completeness test checks that each name is the ``name`` or one of
the ``aliases`` of a record in the register (case-insensitive,
whitespace-normalised).

Covered: bodies, boards and partnerships, strategies and plans, evidence
products, platforms, priorities, causes, multi-agency themes, cross-cutting
themes, residents' top issues (public concerns) and intelligence-programme
topics.  A name that appears under more than one heading is listed under each
heading where it is named as a thing of a different kind (e.g. "road safety"
as a residents' issue and as a multi-agency theme).
"""

from __future__ import annotations

INTRODUCTION = "Introduction"
EVIDENCE = "The Evidence"
KEY_ISSUES = "Our Key Issues"
APPROACH = "Our Approach"
ACTIVITY = "Our Activity"
STATUTORY = "Statutory, Strategic Partnerships with links to Community Safety"
BOARDS = "Boards/Partnerships with links to Community Safety"

SEED_NAMES: list[tuple[str, str]] = [
    # -- Introduction (title and opening text) ---------------------------------
    ("Lancashire Community Safety Agreement 2022 – 2025", INTRODUCTION),
    ("Draft Lancashire Community Safety Agreement 2022 – 2025", INTRODUCTION),
    ("Community Safety Agreement", INTRODUCTION),
    ("Lancashire Community Safety Partnership Board", INTRODUCTION),
    ("County Strategy Group", INTRODUCTION),
    ("local Community Safety Partnerships", INTRODUCTION),
    ("Partnership plans", INTRODUCTION),
    # -- The Evidence ----------------------------------------------------------
    ("Lancashire Strategic Assessment", EVIDENCE),
    ("District and unitary profiles", EVIDENCE),
    ("partnership intelligence assessments", EVIDENCE),
    ("joint strategic needs assessments (JSNA)", EVIDENCE),
    ("local partnership plans", EVIDENCE),
    ("In the Know", EVIDENCE),
    ("'In the Know' community messaging system", EVIDENCE),
    ("Lancashire Talking", EVIDENCE),
    # Residents' top issues (public concerns), from Lancashire Talking
    ("anti-social behaviour (ASB)", EVIDENCE),
    ("road safety", EVIDENCE),
    ("drug dealing and taking", EVIDENCE),
    ("burglary", EVIDENCE),
    ("criminal damage", EVIDENCE),
    ("alcohol", EVIDENCE),
    ("fraud", EVIDENCE),
    ("violent crime", EVIDENCE),
    # -- Our Key Issues --------------------------------------------------------
    # Priorities: the top issues identified by the SA
    ("Domestic Abuse", KEY_ISSUES),
    ("Violence", KEY_ISSUES),
    ("Exploitation – criminal and sexual", KEY_ISSUES),
    ("Serious Organised Crime", KEY_ISSUES),
    ("Road Safety", KEY_ISSUES),
    ("Anti-Social Behaviour", KEY_ISSUES),
    # Causes: "the main 'causes of the causes'"
    ("Alcohol and drug use", KEY_ISSUES),
    ("Child poverty and unemployment", KEY_ISSUES),
    ("Education, employment and training", KEY_ISSUES),
    ("Parenting, families and communities", KEY_ISSUES),
    # Themes that require multi-agency engagement
    ("vulnerability/victims", KEY_ISSUES),
    ("justice/ re-offending", KEY_ISSUES),
    ("public safety", KEY_ISSUES),
    ("serious organised Crime (SOC)", KEY_ISSUES),
    ("road safety", KEY_ISSUES),
    # Cross-cutting themes
    ("reducing vulnerability and building resilience", KEY_ISSUES),
    ("improving mental health", KEY_ISSUES),
    ("tackling drug and alcohol abuse", KEY_ISSUES),
    ("data sharing", KEY_ISSUES),
    ("prevention and early intervention", KEY_ISSUES),
    ("drawing on community and lived experience", KEY_ISSUES),
    # Evidence named here
    ("SA district and unitary profiles", KEY_ISSUES),
    # Footnote
    ("Terrorism", KEY_ISSUES),
    ("Prevent Duty", KEY_ISSUES),
    ("Counter Terrorism Security Act 2015", KEY_ISSUES),
    # -- Our Approach ----------------------------------------------------------
    ("Office of the Police and Crime Commissioner", APPROACH),
    ("OPCC", APPROACH),
    ("Police and Crime Plan", APPROACH),
    ("work programme of intelligence assessments", APPROACH),
    # Intelligence-programme topics ("issues of common concern")
    ("domestic abuse", APPROACH),
    ("exploitation (criminal and sexual)", APPROACH),
    ("vulnerability and safeguarding", APPROACH),
    ("cyber crime", APPROACH),
    ("Multi Agency Data Exchange (MADE)", APPROACH),
    ("Pan Lancs Data Group", APPROACH),
    # -- Our Activity ----------------------------------------------------------
    ("Local partnership plans", ACTIVITY),
    ("Dashboards", ACTIVITY),
    # -- Statutory, Strategic Partnerships with links to Community Safety ------
    ("Health and Wellbeing Board", STATUTORY),
    ("Children's Safeguarding Assurance Partnership/Adult Safeguarding Boards", STATUTORY),
    ("Children's Safeguarding Assurance Partnership", STATUTORY),
    ("Adult Safeguarding Boards", STATUTORY),
    ("Lancashire Criminal Justice Board / Youth Justice Boards", STATUTORY),
    ("Lancashire Criminal Justice Board", STATUTORY),
    ("Youth Justice Boards", STATUTORY),
    ("Violence Reduction Network Partnership Board", STATUTORY),
    ("Lancashire Domestic Abuse Partnership Board", STATUTORY),
    ("Lancashire Road Safety Partnership", STATUTORY),
    ("Contest (Counter Terrorism) Board", STATUTORY),
    # -- Boards/Partnerships with links to Community Safety --------------------
    ("Genga/Serious Organised Crime(SOC) Group", BOARDS),
    ("Lancashire Reducing Reoffending Board", BOARDS),
    ("Pan Lancashire Contextual Safeguarding Board", BOARDS),
    ("Pan Lancashire Domestic Abuse Steering Group", BOARDS),
    ("Lancashire Strategic Hate Crime and Cohesion Group", BOARDS),
    ("Pan Lancashire Anti-Slavery Partnership", BOARDS),
    ("Anti-Social Behaviour County Group", BOARDS),
]
