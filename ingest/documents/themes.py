"""Priorities, themes, causes and concerns: the items of the lists a document introduces as such.

Three rules, each one a reader of a strategy applies without thinking:

1. **A list of themes.**  The items of a list whose introducing sentence (or,
   with none, the heading above it) says what they are ("Our priorities are:",
   "the main causes ... including:", "Key themes") are themes of that kind
   (:data:`~govmap.ingest.documents.rules.THEME_LEADS`).  An item of at most
   eight words is a theme; "Priority 1: Reducing violence" gives "Reducing
   violence"; "Domestic abuse: fewer repeat victims" gives "Domestic abuse".
   A list of actions ("Our approach will include:") is not a list of themes.
2. **A list in a sentence.**  "Cross cutting themes ... include: a; b; c",
   "The key issues identified ... are a, b, c and d": a sentence that names
   themes and then lists them, after a colon, "include", "including", "are" or
   "as being" (semicolons, or commas with a last "and").  A list of three or
   more short items separated by semicolons is read even without such a word
   ("knowledge around a; b; c, which ..."), from the last preposition on.
3. **"X is a key issue."**  A sentence that says a thing is a key issue, priority
   or theme.

Issues that residents, a survey or public feedback identified are public
concerns, whatever the sentence calls them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from govmap.ingest.documents import rules
from govmap.ingest.documents.sections import Block, sentences_of

_PRIORITY_PREFIX = re.compile(r"^(?:(?:priority|theme|objective|outcome|aim)\s*\d*\s*[:.\-–—]\s*)", re.I)
_INTRODUCERS = re.compile(r":\s*|\b(?:include|includes|including|are|as being)\s+", re.I)
_LOOSE_INTRODUCERS = re.compile(
    r":\s*|\b(?:include|includes|including|are|as being|around|on|of|into|about)\s+", re.I
)
_TAIL = re.compile(r",?\s+(?:which|that|who|where)\b.*$|[.!?]+['\"”’*]*\s*$", re.S)
_IS_KEY = re.compile(
    r"^[\W_]*([A-Z][\w'’\- ]{1,60}?)\s+(?:is|are)\s+(?:also\s+)?(?:a|an|one of (?:the|our)|our)?\s*"
    r"(?:key|main|top|major|significant)?\s*(?:issue|priority|priorities|theme|concern)s?\b"
)
_CONCERN_CONTEXT = re.compile(r"\bresidents?\b|\bsurveys?\b|\bpublic feedback\b|\bconsultation\b", re.I)


@dataclass(frozen=True)
class ThemeMention:
    name: str
    kind: str
    start: int
    #: The words quoted for it: the list item, or the sentence.
    quote: str
    quote_start: int
    why: str


def _clean(text: str, start: int) -> tuple[str, int]:
    """An item without markup, bullets' leftovers and end punctuation; and its offset."""
    left = len(text) - len(text.lstrip(" *_\"'“‘\t\n"))
    text = text[left:]
    start += left
    text = text.rstrip(" *_\"'”’\t\n.;,:")
    if text.lower().startswith("and "):
        text, start = text[4:], start + 4
    return text.strip(), start


def _ok(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= rules.MAX_THEME_WORDS
        and text[:1].isalpha()
        and not text.lower().startswith(("to ", "we ", "our ", "the ", "this ", "it "))
    )


def _kind(lead: str, context: str) -> str | None:
    kind = rules.theme_kind(lead)
    if kind == "priority" and _CONCERN_CONTEXT.search(context):
        return "public-concern"
    return kind


def from_item(block: Block, context: str) -> ThemeMention | None:
    """Rule 1: a list item under a lead that names themes."""
    kind = _kind(block.lead, context) or (
        _kind(block.section, "") if block.lead == block.section or not block.lead else None
    )
    if kind is None:
        return None
    text, start = block.text, block.start
    m = _PRIORITY_PREFIX.match(text)
    if m:
        text, start = text[m.end() :], start + m.end()
    if ":" in text and len(text.split(":", 1)[0].split()) <= rules.MAX_THEME_WORDS:
        text = text.split(":", 1)[0]
    name, at = _clean(text, start)
    if not _ok(name):
        return None
    name = " ".join(name.split())
    return ThemeMention(
        name, kind, at, block.text, block.start, f"an item of a list introduced as {kind}s: '{block.lead}'"
    )


def _split_items(text: str, start: int, semicolons: bool) -> Iterator[tuple[str, int]]:
    parts: list[tuple[str, int]] = []
    sep = ";" if semicolons else ","
    pos = 0
    for piece in text.split(sep):
        parts.append((piece, start + pos))
        pos += len(piece) + 1
    if not parts:
        return
    last, last_at = parts[-1]
    if not semicolons or "," in last:
        # the last item may be "x and y" ("fraud and violent crime"): split at its last " and "
        if semicolons:
            sub = []
            p = 0
            for piece in last.split(","):
                sub.append((piece, last_at + p))
                p += len(piece) + 1
            parts = parts[:-1] + sub
            last, last_at = parts[-1]
        cut = last.rfind(" and ")
        if cut > 0:
            parts[-1] = (last[:cut], last_at)
            parts.append((last[cut + 5 :], last_at + cut + 5))
    yield from parts


def from_sentence(sentence: str, at: int, context: str, section: str) -> list[ThemeMention]:
    """Rules 2 and 3: a list of themes inside a sentence, or 'X is a key issue'."""
    out: list[ThemeMention] = []
    key = _IS_KEY.match(sentence)
    if key and len(key.group(1).split()) <= 6:
        name, start = _clean(key.group(1), at + key.start(1))
        if _ok(name):
            out.append(
                ThemeMention(
                    name, "priority", start, sentence.strip(), at, "a sentence saying it is a key issue"
                )
            )
    kind = _kind(sentence, context)
    if kind is None:
        return out
    semis = sentence.count(";")
    intro = None
    for m in _INTRODUCERS.finditer(sentence):
        if semis >= 2 and m.start() > sentence.find(";"):
            break
        intro = m
    if intro is None and semis >= 2:
        first = sentence[: sentence.find(";")]
        loose = list(_LOOSE_INTRODUCERS.finditer(first))
        intro = loose[-1] if loose else None
    if intro is None:
        return out
    lead = sentence[: intro.start()]
    if rules.theme_kind(lead) is None and rules.theme_kind(sentence) is None:
        return out
    body = sentence[intro.end() :]
    tail = _TAIL.search(body)
    body = body[: tail.start()] if tail else body
    if semis < 2 and body.count(",") < 1 and " and " not in body:
        return out
    items = list(_split_items(body, at + intro.end(), semis >= 2))
    if len(items) < 2:
        return out
    for piece, start in items:
        name, pos = _clean(piece, start)
        name = " ".join(name.split())
        if _ok(name):
            out.append(ThemeMention(name, kind, pos, sentence.strip(), at + (len(sentence) - len(sentence.lstrip())),
                                    f"listed as {kind}s in the sentence"))  # fmt: skip
    return out


def theme_mentions(block: Block, paragraph: str) -> list[ThemeMention]:
    """Every theme a block names: ``paragraph`` is the text around it (for public concerns)."""
    if block.kind == "item":
        found = from_item(block, paragraph)
        if found is not None:
            return [found]
    if block.kind == "heading":
        return []
    out = []
    for sentence, at in sentences_of(block):
        out.extend(from_sentence(sentence, at, paragraph, block.section))
    return out
