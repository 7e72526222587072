"""Comparing the names of records: normal forms, acronyms, and how close two names are.

One home for the question "are these two names the same body?", asked when a
document's proposals are linked to the register (:mod:`govmap.ingest.documents.link`)
and when the report looks for records entered twice
(:mod:`govmap.graph.analysis.duplicates`).

Names are compared in a normal form: lower case, ``&`` read as ``and``,
punctuation and a leading "the" dropped, plurals folded ("Boards" = "Board").
Fuzzy similarity is rapidfuzz's ``token_sort_ratio`` (0-100) on that form: word
order does not matter ("Board of Safeguarding" and "Safeguarding Board" are
close), spelling slips cost little.  A name and its acronym match when the
initials of the name's significant words spell it ("Community Safety
Agreement" and "CSA").

Two names that differ in a *place* ("Preston Community Safety Partnership",
"Chorley Community Safety Partnership") are different bodies however close the
letters are: :func:`differ_in_place` says so, given the register's area names.

Examples
--------
>>> normal("The Health & Wellbeing Boards")
'health and wellbeing board'
>>> initials("Community Safety Agreement")
'csa'
>>> similarity("Lancashire Reducing Reoffending Board", "Lancashire Reducing Re-offending Board")
100.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz

#: Words left out of an acronym ("Office of the Police and Crime Commissioner" -> OPCC).
MINOR_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "to", "a", "an", "with", "at", "by"})

_PUNCT = re.compile(r"[^\w\s]")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z]*[A-Z]s?$")
# "Re-offending" is "reoffending": a hyphen inside a word joins, elsewhere it separates.
_INNER_HYPHEN = re.compile(r"(?<=\w)[-‐‑](?=\w)")


def singular(word: str) -> str:
    """A lower-case word's singular by the plain English endings (enough to match names, not a grammar).

    >>> [singular(w) for w in ("communities", "boards", "business", "census", "crisis", "bus")]
    ['community', 'board', 'business', 'census', 'crisis', 'bus']
    """
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def words(name: str) -> tuple[str, ...]:
    """The name's words in normal form (lower case, singular, no punctuation, no leading 'the').

    Cached: a name is compared in many pairs (:func:`words_of` does many names at once).

    >>> words("The Safer Communities' Boards")
    ('safer', 'community', 'board')
    """
    text = name.replace("&", " and ").replace("’", "'")
    if "-" in text or "‐" in text or "‑" in text:
        text = _INNER_HYPHEN.sub("", text)
    text = text.replace("'s ", " ").lower()
    # the regular expressions only where they can change something: a name of letters, digits and
    # spaces has no punctuation (isalnum is \w less "_"); str.split() splits where \s does; a word
    # not ending in "s" is singular already (tests/test_duplicates.py holds them to the regexes alone)
    if not text.replace(" ", "").isalnum():
        text = _PUNCT.sub(" ", text)
    out = [w if w[-1] != "s" else singular(w) for w in text.split()]
    while out and out[0] == "the":
        out = out[1:]
    return tuple(out)


def words_of(names: Sequence[str]) -> list[tuple[str, ...]]:
    """:func:`words` of many names, in order: the same tuples, the text of all the names changed at once.

    The names are joined by newlines and replaced, lower-cased and stripped of punctuation in one
    pass each, then split by line: a third cheaper than name by name for the 50,000 names of a
    national register.  No step reaches across a newline (a hyphen joins two word characters, a
    possessive needs the space after it, and a newline is neither); names holding a newline of
    their own are done one by one.

    >>> words_of(["The Safer Communities' Boards", "Re-offending & Youth Justice"])
    [('safer', 'community', 'board'), ('reoffending', 'and', 'youth', 'justice')]
    """
    text = "\n".join(names)
    if text.count("\n") != len(names) - 1:
        return [words(n) for n in names]
    text = text.replace("&", " and ").replace("’", "'")
    if "-" in text or "‐" in text or "‑" in text:
        text = _INNER_HYPHEN.sub("", text)
    text = _PUNCT.sub(" ", text.replace("'s ", " ").lower())
    out = []
    for line in text.split("\n"):
        ws = [w if w[-1] != "s" else singular(w) for w in line.split()]
        while ws and ws[0] == "the":
            ws = ws[1:]
        out.append(tuple(ws))
    return out


def normal(name: str) -> str:
    """The name's normal form, for equality.

    >>> normal("Anti-Social Behaviour") == normal("anti social behaviour")
    False
    >>> normal("Anti-Social Behaviour") == normal("Antisocial Behaviour")
    True
    """
    return " ".join(words(name))


def is_acronym(name: str) -> bool:
    """'CSA', 'CSPs', 'OPCC', 'JSNA', 'SETDAB': capitals (a final 's' allowed), no spaces.

    >>> is_acronym("CSPs"), is_acronym("Board"), is_acronym("MADE")
    (True, False, True)
    """
    return bool(_ACRONYM.match(name.strip())) and sum(c.isupper() for c in name) >= 2


def initials(name: str) -> str:
    """The acronym the name's significant words make, lower case."""
    text = _INNER_HYPHEN.sub(" ", name.replace("&", " and "))
    return "".join(w[0] for w in _PUNCT.sub(" ", text).lower().split() if w not in MINOR_WORDS)


def acronym_matches(acronym: str, name: str) -> bool:
    """True when ``acronym`` (CSA, CSPs) spells the initials of ``name``.

    >>> acronym_matches("CSPs", "Community Safety Partnerships")
    True
    >>> acronym_matches("OPCC", "Office of the Police and Crime Commissioner")
    True
    """
    a = acronym.strip().lower()
    if a.endswith("s") and len(a) > 2 and not acronym.strip().endswith("S"):
        a = a[:-1]
    return len(a) >= 2 and initials(name) in (a, a + "s")


def similarity(a: str, b: str) -> float:
    """How close two names are, 0-100 (rapidfuzz ``token_sort_ratio`` on their normal forms)."""
    na, nb = normal(a), normal(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 100.0
    return float(fuzz.token_sort_ratio(na, nb))


def differ_in_place(a: str, b: str, places: Iterable[str]) -> bool:
    """True when the names name different places ('Preston CSP' and 'Chorley CSP').

    ``places`` are the area names of the register (any case), or a frozenset of their
    normal forms (:func:`normal_places`, made once for many comparisons).  A place named in
    one name and missing from the other is not a difference ("Lancashire Road Safety
    Partnership" may be "Road Safety Partnership"); two different places are.

    >>> differ_in_place("Preston Community Safety Partnership", "Chorley Community Safety Partnership",
    ...                 ["Preston", "Chorley"])
    True
    >>> differ_in_place("Lancashire Road Safety Partnership", "Road Safety Partnership", ["Lancashire"])
    False
    """
    known = places if isinstance(places, frozenset) else normal_places(places)
    return _places_in(normal(a), known) != _places_in(normal(b), known) and bool(
        _places_in(normal(a), known) and _places_in(normal(b), known)
    )


def normal_places(places: Iterable[str]) -> frozenset[str]:
    """The normal forms of place names, for :func:`differ_in_place`."""
    return frozenset(p for p in (normal(p) for p in places) if p)


def _places_in(name: str, known: frozenset[str]) -> frozenset[str]:
    """The places a name (in normal form) names; a place inside a longer one counts as the longer."""
    ws = name.split()
    found = {" ".join(ws[i:j]) for i in range(len(ws)) for j in range(i + 1, min(len(ws), i + 5) + 1)}
    hits = found & known
    return frozenset(p for p in hits if not any(p != q and f" {p} " in f" {q} " for q in hits))


_PLACE_SUFFIX = re.compile(r"\s*(?:\([^)]*\)|\bpolice force area|\barea)\s*$", re.IGNORECASE)


def place_names(names: Iterable[str]) -> list[str]:
    """The names of places as documents write them: 'Essex (county council area)' is 'Essex'.

    >>> place_names(["Essex (county council area)", "Durham police force area", "Eastby"])
    ['Essex (county council area)', 'Essex', 'Durham police force area', 'Durham', 'Eastby']
    """
    out: list[str] = []
    for name in names:
        out.append(name)
        short = name
        while True:
            cut = _PLACE_SUFFIX.sub("", short).strip()
            if cut == short or not cut:
                break
            short = cut
        if short != name:
            out.append(short)
    return out


def slug(text: str, taken: Iterable[str] = ()) -> str:
    """A register id for a name, not in ``taken`` ('Safer Eastby Partnership' -> 'safer-eastby-partnership').

    >>> slug("Children's Safeguarding Assurance Partnership")
    'childrens-safeguarding-assurance-partnership'
    >>> slug("Board", ["board"])
    'board-2'
    """
    base = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "").replace("’", "")).strip("-")[:80]
    base = base.strip("-") or "record"
    used = set(taken)
    out, n = base, 2
    while out in used:
        out, n = f"{base}-{n}", n + 1
    return out
