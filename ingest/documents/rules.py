"""The words the extraction rules look for, as data: one table a question.

Why plain patterns and not spaCy: the names of boards, councils and strategies
in English governance documents are runs of capitalised words ending in a word
that says what they are ("... Partnership Board", "... Borough Council", "...
Strategy 2022-2025"), and their priorities are the items of a list introduced
by a sentence that says so ("Our priorities are:").  Finding those needs a
tokenizer and a head-word table, not a statistical model (none can be
downloaded here); spaCy's blank English tokenizer with a Matcher would add
about 50 MB of packages and a second of import time to do what a regular
expression does, and its EntityRuler would still need these same tables.  The
figures on the seed document (recall, precision) are in bench/RESULTS.md.

Each table maps a head word (the last word of a name, lower case, singular) to
the register's vocabulary (:mod:`govmap.ingest.vocabulary`).
"""

from __future__ import annotations

import re

#: A body's head word -> its ``kind``.  The register has no kind for a forum, a
#: commission or an executive: a forum is a network of members, an executive a
#: board's smaller decision-making body, a commission and an alliance "other".
BODY_HEADS: dict[str, str] = {
    "board": "board",
    "partnership": "partnership",
    "group": "group",
    "panel": "committee",
    "committee": "committee",
    "sub-committee": "committee",
    "subcommittee": "committee",
    "forum": "network",
    "network": "network",
    "unit": "unit",
    "team": "unit",
    "hub": "unit",
    "commission": "other",
    "alliance": "partnership",
    "executive": "board",
    "collaborative": "partnership",
    "assembly": "other",
}

#: Organisation names, by the words they end with (checked before the body heads: an
#: "Integrated Care Board" is an organisation, not a board).  Longest first.
ORGANISATION_ENDINGS: tuple[tuple[str, str], ...] = (
    ("office of the police, fire and crime commissioner", "police-and-crime-commissioner"),
    ("office of the police and crime commissioner", "police-and-crime-commissioner"),
    ("police, fire and crime commissioner", "police-and-crime-commissioner"),
    ("police and crime commissioner", "police-and-crime-commissioner"),
    ("integrated care board", "integrated-care-board"),
    ("clinical commissioning group", "nhs"),
    ("foundation trust", "nhs"),
    ("nhs trust", "nhs"),
    ("fire and rescue service", "fire-and-rescue"),
    ("fire and rescue authority", "fire-and-rescue"),
    ("fire authority", "fire-and-rescue"),
    ("fire service", "fire-and-rescue"),
    ("metropolitan borough council", "metropolitan-borough-council"),
    ("county council", "county-council"),
    ("borough council", "district-council"),
    ("district council", "district-council"),
    ("city council", "district-council"),
    ("council", "other"),
    ("combined authority", "combined-authority"),
    ("constabulary", "police-force"),
    ("police service", "police-force"),
    ("police", "police-force"),
    ("probation service", "probation"),
    ("youth offending service", "youth-justice"),
    ("youth offending team", "youth-justice"),
    ("youth justice service", "youth-justice"),
    ("council for voluntary service", "voluntary-sector"),
    ("council for voluntary services", "voluntary-sector"),
    ("home office", "government"),
    ("ministry of justice", "government"),
    ("university", "education"),
    ("college", "education"),
)

#: Organisation names that start with these words ("NHS England", "Department for Education").
ORGANISATION_STARTS: tuple[tuple[str, str], ...] = (
    ("department for", "government"),
    ("department of", "government"),
    ("nhs", "nhs"),
    ("healthwatch", "voluntary-sector"),
    ("voluntary action", "voluntary-sector"),
)

#: A strategy's head word(s) -> its ``kind``.  Longest first.
STRATEGY_ENDINGS: tuple[tuple[str, str], ...] = (
    ("joint strategic needs assessment", "jsna"),
    ("strategic needs assessment", "jsna"),
    ("needs assessment", "jsna"),
    ("strategic assessment", "strategic-assessment"),
    ("intelligence assessment", "intelligence-assessment"),
    ("problem profile", "profile"),
    ("profile", "profile"),
    ("assessment", "other"),
    ("agreement", "agreement"),
    ("strategy", "strategy"),
    ("framework", "strategy"),
    ("charter", "strategy"),
    ("compact", "strategy"),
    ("plan", "plan"),
    ("programme", "plan"),
)

#: Posts, as their names begin (a post is a place in an organisation: "Chief Constable").
POST_PATTERN = re.compile(
    r"\b(?:Assistant |Deputy )?(?:Chief Constable|Chief Executive|Chief Fire Officer|Chief Officer"
    r"|Director of [A-Z][\w'’]+(?: (?:and |of )?[A-Z][\w'’]+){0,3}"
    r"|(?:Cabinet|Lead|Executive) Member for [A-Z][\w'’]+(?: (?:and )?[A-Z][\w'’]+){0,3}"
    r"|Portfolio Holder for [A-Z][\w'’]+(?: (?:and )?[A-Z][\w'’]+){0,3}"
    r"|Leader of [A-Z][\w'’]+(?: [A-Z][\w'’]+){0,3} Council|Mayor of [A-Z][\w'’]+(?: [A-Z][\w'’]+){0,2})"
)

#: Words a name of a body must have one besides: a name made only of these is a description
#: ("Strategic Partnerships", "Boards/Partnerships", "the Board").
GENERIC_WORDS = frozenset(
    {
        *BODY_HEADS,
        "strategic",
        "statutory",
        "local",
        "key",
        "our",
        "steering",
        "sub",
        "partner",
        "partners",
        "other",
        "relevant",
        "main",
        "multi",
        "agency",
        "multi-agency",
        "new",
        "this",
        "these",
        "those",
        "their",
        "its",
        "each",
        "every",
        "all",
        "the",
        "a",
        "an",
        "and",
        "of",
        "various",
        "specialist",
        "thematic",
        "operational",
        "working",
        "delivery",
        "project",
        "task",
        "and/or",
    }
)

#: Leading words that are not part of a name ("The Board", "Draft Strategy", "Our Partnership").
LEADING_NOISE = frozenset(
    {"the", "a", "an", "our", "this", "these", "that", "its", "their", "each", "every", "all", "draft", "any"}
)

#: Lower-case words that qualify a strategy named in lower case ("local partnership plans",
#: "joint strategic needs assessments"): the vocabulary of community safety and partnership
#: planning, not of any one county.
STRATEGY_QUALIFIERS = frozenset(
    {
        "local",
        "partnership",
        "district",
        "unitary",
        "county",
        "joint",
        "strategic",
        "needs",
        "intelligence",
        "community",
        "safety",
        "delivery",
        "action",
        "annual",
        "business",
        "place",
        "borough",
        "police",
        "crime",
        "health",
        "wellbeing",
        "safeguarding",
        "violence",
        "reduction",
        "prevention",
        "problem",
        "area",
        "neighbourhood",
        "thematic",
        "threat",
        "risk",
    }
)
#: Lower-case strategy phrases need one qualifier that says what kind of plan it is, not only
#: "local" or "annual" ("local plans" is too vague to propose).
VAGUE_QUALIFIERS = frozenset({"local", "annual", "joint", "strategic", "community", "area", "county"})

#: Words in the sentence introducing a list (or the heading above it) that make its items
#: themes, and the theme ``kind`` they get.  Checked in this order: the first that matches wins.
THEME_LEADS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bcauses?\b|\bdrivers?\b|\bdeterminants?\b|\brisk factors?\b", re.I), "cause"),
    (re.compile(r"\bcross[- ]cutting\b", re.I), "cross-cutting-theme"),
    (re.compile(r"\bmulti[- ]agency\b", re.I), "multi-agency-theme"),
    (re.compile(r"\bintelligence\b", re.I), "intelligence-focus"),
    (re.compile(r"\bemerging\b", re.I), "emerging-issue"),
    (
        re.compile(r"\bresidents?\b|\bsurvey\b|\bpublic (?:feedback|concerns?)\b|\bconcerns?\b", re.I),
        "public-concern",
    ),
    (
        re.compile(
            r"\bpriorit(?:y|ies)\b|\bthemes?\b|\bkey issues?\b|\bissues\b|\bobjectives?\b|\boutcomes?\b"
            r"|\bfocus(?:es)?\b|\bambitions?\b|\bstrategic aims?\b",
            re.I,
        ),
        "priority",
    ),
)

#: Words that, before a paragraph's list, say what the list is of but not that it is themes.
#: A list under "Our approach will include:" is a list of actions, not priorities.
NOT_THEME_LEADS = re.compile(
    r"\bapproach\b|\bactions?\b|\bactivit(?:y|ies)\b|\bwe will\b|\bmembers?(?:hip)?\b", re.I
)

#: The most words a theme may have: longer items are actions or sentences.
MAX_THEME_WORDS = 8

#: Link phrases: (pattern between two names, register field, role) - the subject is the name
#: before the phrase, the object the name after it; ``reverse`` swaps them ("X chairs Y").
LINK_PATTERNS: tuple[tuple[re.Pattern[str], str, str | None, bool], ...] = (
    (
        re.compile(r"\bsub[- ]?(?:group|committee|board)s? (?:of|to|under)\b", re.I),
        "sub_group_of",
        None,
        False,
    ),
    (re.compile(r"\breports? (?:\w+ )?(?:in)?to\b|\breporting (?:in)?to\b", re.I), "reports_to", None, False),
    (
        re.compile(r"\b(?:is|are|remains?) (?:\w+ )?accountable to\b|\banswers? to\b", re.I),
        "accountable_to",
        None,
        False,
    ),
    (re.compile(r"\bvice[- ]chaired by\b", re.I), "members", "vice-chair", False),
    (re.compile(r"\bchaired by\b", re.I), "members", "chair", False),
    (re.compile(r"\b(?:chairs|will chair)\b", re.I), "members", "chair", True),
    (re.compile(r"\b(?:is|are) (?:owned|led|produced) by\b", re.I), "owner", None, False),
    (re.compile(r"\bowns\b", re.I), "owner", None, True),
    (re.compile(r"\b(?:developed and )?delivered by\b", re.I), "owner", None, False),
    (
        re.compile(r"\bmembers(?:hip)?\b[^.;:]{0,80}?\b(?:includes?|comprises?|is made up of)\b", re.I),
        "members",
        "member",
        False,
    ),  # fmt: skip
    (re.compile(r"\bleads? (?:on|for)\b|\bis the lead (?:body )?for\b", re.I), "themes", "lead", False),
)
#: "X, as the Y", "X (formerly Y)", "X, known as Y": a second name of the same record.
ALIAS_PATTERN = re.compile(
    r"^,?\s*(?:\(|,\s*)?(?:as the|also known as|known as|formerly(?: known as)?|previously(?: known as)?)"
    r"(?:\s+the)?\s+$",
    re.I,
)


def body_kind(name: str) -> str | None:
    """The body kind a name's last word says, or None.

    >>> body_kind("Safer Eastby Partnership"), body_kind("Pan Lancashire Domestic Abuse Steering Group")
    ('partnership', 'steering-group')
    >>> body_kind("Preston Community Safety Partnership"), body_kind("Road Safety Strategy")
    ('csp', None)
    """
    low = name.lower().rstrip(") ")
    last = re.split(r"[\s/]+", low)[-1] if low else ""
    singular = last[:-1] if last.endswith("s") and last[:-1] in BODY_HEADS else last
    kind = BODY_HEADS.get(singular)
    if kind == "group" and re.search(r"\bsteering groups?$", low):
        return "steering-group"
    if kind == "partnership" and re.search(r"\bcommunity safety partnerships?$", low):
        return "csp"
    return kind


def organisation_type(name: str) -> str | None:
    """The organisation type a name says, or None.

    >>> organisation_type("NHS Lancashire and South Cumbria Integrated Care Board")
    'integrated-care-board'
    >>> organisation_type("Lancashire Constabulary"), organisation_type("Eastby Council")
    ('police-force', 'other')
    """
    low = " ".join(name.lower().replace("(", " ").replace(")", " ").split())
    for ending, kind in ORGANISATION_ENDINGS:
        if low == ending or low.endswith(" " + ending):
            if ending == "police" and low != "police" and len(low.split()) > 3:
                continue  # "the Pan Lancashire Anti-Slavery ... Police" is not a force's name
            return kind
    for start, kind in ORGANISATION_STARTS:
        if low.startswith(start + " "):
            return kind
    return None


def strategy_kind(name: str) -> str | None:
    """The strategy kind a name says, or None.

    >>> strategy_kind("Lancashire Strategic Assessment"), strategy_kind("joint strategic needs assessments")
    ('strategic-assessment', 'jsna')
    >>> strategy_kind("work programme of intelligence assessments")
    'intelligence-assessment'
    """
    low = name.lower()
    low = re.sub(r"\s*\(?\d{4}\s*(?:[-–—/]|to)\s*\d{2,4}\)?\s*$", "", low).strip()
    head = low.split(" of ", 1)[1] if " programme of " in f" {low} " else low
    head = re.sub(r"ies$", "y", head)
    head = re.sub(r"s$", "", head)
    for ending, kind in STRATEGY_ENDINGS:
        if head == ending or head.endswith(" " + ending):
            return kind
    return None


def theme_kind(lead: str) -> str | None:
    """The theme kind of a list introduced by ``lead``, or None when it is not a list of themes.

    >>> theme_kind("Our priorities for 2024 are:"), theme_kind("the main 'causes of the causes' including:")
    ('priority', 'cause')
    >>> theme_kind("Our approach will include:") is None
    True
    """
    for pattern, kind in THEME_LEADS:
        if pattern.search(lead):
            if kind == "priority" and NOT_THEME_LEADS.search(lead):
                return None
            return kind
    return None
