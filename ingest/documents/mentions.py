"""Finding the names of bodies, organisations, posts and strategies in a sentence.

A name is a run of capitalised words, with the small words that join them
("of", "and", "for", "the", "&"), a slash between two names ("Criminal Justice
Board / Youth Justice Boards") and brackets holding capitalised words
("Contest (Counter Terrorism) Board"), ending in a head word that says what it
is (:mod:`govmap.ingest.documents.rules`).  An acronym in brackets after it
("(OPCC)") is its acronym; a period after a strategy ("2022 – 2025") its
period.  Strategies named in lower case ("local partnership plans", "joint
strategic needs assessments (JSNA)") are found by their head word and the
planning words before it.

Examples
--------
>>> [(m.name, m.section, m.kind, m.acronym) for m in find_mentions(
...     "Working with the Office of the Police and Crime Commissioner (OPCC) on the Police and Crime Plan.", 0)]
[('Office of the Police and Crime Commissioner', 'organisations', 'police-and-crime-commissioner', 'OPCC'), ('Police and Crime Plan', 'strategies', 'plan', None)]
>>> [m.name for m in find_mentions("Children's Safeguarding Assurance Partnership/Adult Safeguarding Boards", 0)]
["Children's Safeguarding Assurance Partnership", 'Adult Safeguarding Boards']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govmap.ingest.documents import rules
from govmap.ingest.names import is_acronym

_TOKEN = re.compile(r"[A-Za-z0-9][\w'’\-]*|\S")
_CONNECTORS = frozenset({"of", "and", "for", "the", "in", "&"})
_PERIOD = re.compile(r"^[ \t]*\(?[ \t]*((?:19|20)\d\d)[ \t]*(?:[-–—/]|to)[ \t]*((?:19|20)?\d\d)\)?")
_ACRONYM_AFTER = re.compile(r"^\s*\(([A-Z][A-Za-z'’]*[A-Z][s']?s?)\)")
_LOWER_HEAD = re.compile(r"\b(plans?|strateg(?:y|ies)|assessments?|profiles?)\b", re.I)
_PROGRAMME = re.compile(r"\b((?:work|delivery|action) programme of )$", re.I)


@dataclass(frozen=True)
class Mention:
    """A name found in the text: what it is, and where (offsets in the document's text)."""

    name: str
    section: str  # bodies, organisations, posts, strategies
    kind: str | None
    start: int
    end: int
    acronym: str | None = None
    period: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper() and (self.text[:1].isalpha())


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _close(toks: list[_Tok], i: int) -> int | None:
    """Index of the ')' closing the '(' at i, if what is inside reads as part of a name."""
    for j in range(i + 1, min(i + 8, len(toks))):
        if toks[j].text == ")":
            inside = toks[i + 1 : j]
            ok = inside and all(t.cap or t.text.lower() in _CONNECTORS or t.text == "/" for t in inside)
            return j if ok else None
    return None


def _runs(toks: list[_Tok]) -> list[tuple[int, int]]:
    """(first, last) token indexes of each run of capitalised words."""
    runs = []
    i = 0
    while i < len(toks):
        if not toks[i].cap:
            i += 1
            continue
        first = last = i
        j = i + 1
        while j < len(toks):
            t = toks[j]
            if t.start - toks[j - 1].end > 2 or "\n\n" in t.text:
                break
            if t.cap:
                last = j
                j += 1
            elif t.text.lower() in _CONNECTORS or t.text == "/":
                nxt = toks[j + 1] if j + 1 < len(toks) else None
                after = toks[j + 2] if j + 2 < len(toks) else None
                if nxt is not None and (nxt.cap or (nxt.text == "the" and after is not None and after.cap)):
                    j += 1
                else:
                    break
            elif t.text == "(":
                k = _close(toks, j)
                if k is None:
                    break
                last, opened = k, j
                j = k + 1
                # "(OPCC)" closes a name unless a capitalised word goes on ("Crime(SOC) Group")
                one_acronym = k == opened + 2 and is_acronym(toks[opened + 1].text)
                if one_acronym and (j >= len(toks) or not toks[j].cap):
                    break
            else:
                break
        runs.append((first, last))
        i = last + 1
    return runs


def _split(toks: list[_Tok], first: int, last: int) -> list[tuple[int, int]]:
    """Split a run where two names meet: at '/', 'and' or '&' after a body's head word
    ("Criminal Justice Board / Youth Justice Boards"), and at 'and the' between two names
    ("Fire and Rescue Service and the Probation Service")."""
    parts = []
    start = first
    for j in range(first + 1, last):
        word = toks[j].text.lower()
        if word not in ("/", "and", "&") or j <= start:
            continue
        before = toks[j - 1].text.lower()
        before = before[:-1] if before.endswith("s") and before[:-1] in rules.BODY_HEADS else before
        names_meet = (
            word == "and"
            and toks[j + 1].text == "the"
            and _classify(_span(toks, start, j - 1)) is not None
            and _classify(_span(toks, j + 2, last)) is not None
        )
        if before in rules.BODY_HEADS or names_meet:
            parts.append((start, j - 1))
            start = j + 1
    parts.append((start, last))
    return parts


def _span(toks: list[_Tok], a: int, b: int) -> str:
    return " ".join(t.text for t in toks[a : b + 1])


def _trim(toks: list[_Tok], first: int, last: int) -> tuple[int, int] | None:
    while first <= last and (
        toks[first].text.lower() in rules.LEADING_NOISE or toks[first].text.lower() in _CONNECTORS
    ):
        first += 1
    while last >= first and (toks[last].text.lower() in _CONNECTORS or toks[last].text in "/("):
        last -= 1
    return (first, last) if first <= last else None


def _classify(name: str) -> tuple[str, str | None] | None:
    words = [w.lower().strip("()/") for w in re.split(r"[\s/]+", name) if w]
    org = rules.organisation_type(name)
    if org is not None and (len(words) > 1 or org not in ("police-force", "other")):
        return "organisations", org
    strategy = rules.strategy_kind(name)
    if strategy is not None:
        if not any(w not in rules.GENERIC_WORDS and rules.strategy_kind(w) is None for w in words):
            return None
        return "strategies", strategy
    body = rules.body_kind(name)
    if body is not None:
        if all(w in rules.GENERIC_WORDS or w.rstrip("s") in rules.GENERIC_WORDS for w in words):
            return None  # "Strategic Partnerships", "the Board": a description, not a name
        return "bodies", body
    return None


def _capitalised(text: str, base: int) -> list[Mention]:
    toks = _tokens(text)
    out = []
    for first, last in _runs(toks):
        for a, b in _split(toks, first, last):
            acronym = None
            # a bracket of one acronym closing the run is the name's acronym, not part of the name
            if (
                b - a >= 3
                and toks[b].text == ")"
                and toks[b - 2].text == "("
                and is_acronym(toks[b - 1].text)
            ):
                acronym = toks[b - 1].text
                b -= 3
            trimmed = _trim(toks, a, b)
            if trimmed is None:
                continue
            a, b = trimmed
            name = " ".join(text[toks[a].start : toks[b].end].split())  # a PDF wraps names over lines
            what = _classify(name)
            if what is None:
                continue
            after = text[toks[b].end :]
            if acronym is None:
                m = _ACRONYM_AFTER.match(after)
                acronym = m.group(1) if m and is_acronym(m.group(1)) else None
            period = None
            if what[0] == "strategies":
                p = _PERIOD.match(after)
                if p:
                    start_year, end = int(p.group(1)), p.group(2)
                    end_year = int(end) if len(end) == 4 else start_year // 100 * 100 + int(end)
                    if start_year <= end_year <= start_year + 25:
                        period = (start_year, end_year)
            out.append(
                Mention(name, what[0], what[1], base + toks[a].start, base + toks[b].end, acronym, period)
            )
    return out


def _lowercase_strategies(text: str, base: int, taken: list[tuple[int, int]]) -> list[Mention]:
    out = []
    for m in _LOWER_HEAD.finditer(text):
        if any(s <= base + m.start() < e for s, e in taken):
            continue
        before = text[: m.start()]
        words = list(re.finditer(r"[A-Za-z]+", before))
        i = len(words)
        used: list[str] = []
        while i > 0:
            w = words[i - 1]
            gap = before[w.end() : (words[i].start() if i < len(words) else len(before))]
            if gap.strip():
                break
            low = w.group().lower()
            if low in rules.STRATEGY_QUALIFIERS or (low == "and" and used and i > 1):
                used.append(low)
                i -= 1
                continue
            break
        while used and used[-1] == "and":
            used.pop()
            i += 1
        if not used or all(u in rules.VAGUE_QUALIFIERS or u == "and" for u in used):
            continue
        start = words[i].start() if i < len(words) else m.start()
        prog = _PROGRAMME.search(text[:start])
        if prog:
            start = prog.start(1)
        name = " ".join(text[start : m.end()].split())
        kind = rules.strategy_kind(name) or "other"
        acr = _ACRONYM_AFTER.match(text[m.end() :])
        acronym = acr.group(1) if acr and is_acronym(acr.group(1)) else None
        out.append(
            Mention(name[:1].upper() + name[1:], "strategies", kind, base + start, base + m.end(), acronym)
        )
    return out


def _posts(text: str, base: int) -> list[Mention]:
    return [
        Mention(" ".join(m.group().split()), "posts", None, base + m.start(), base + m.end())
        for m in rules.POST_PATTERN.finditer(text)
    ]


def find_mentions(text: str, base: int) -> list[Mention]:
    """The names in ``text`` (a sentence or a line), with offsets from ``base``, in order.

    Posts are found first and blanked out, so "Chief Executive of Eastby Council" is a post
    and an organisation.
    """
    posts = _posts(text, base)
    blank = text
    for p in posts:
        a, b = p.start - base, p.end - base
        blank = blank[:a] + " " * (b - a) + blank[b:]
    caps = _capitalised(blank, base)
    taken = [(c.start, c.end) for c in caps + posts]
    lower = _lowercase_strategies(blank, base, taken)
    return sorted(caps + posts + lower, key=lambda m: m.start)
