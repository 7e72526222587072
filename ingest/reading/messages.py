"""How a register problem is worded: record words, quoting, "did you mean", and the
problem held until its position is found.

Shared by the checks of :mod:`govmap.ingest.reading.validate`, :mod:`govmap.ingest.reading.record_problems` and
:mod:`govmap.ingest.reading.references`, and by the graph and web code that speak of records the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from govmap.ingest.errors import Level
from govmap.ingest.model import (
    SECTIONS,
    Record,
)
from govmap.ingest.reading.yamlsafe import Path


def kind_word(record: Record | type[Record]) -> str:
    """'body', 'organisation' ... : the word a reviewer uses for a record."""
    return record.word


def plural(n: int, word: str, many: str | None = None) -> str:
    """A count and its word: '1 body', '2 records'; ``many`` where adding an s is wrong.

    >>> plural(1, "body", "bodies"), plural(3, "body", "bodies"), plural(0, "record")
    ('1 body', '3 bodies', '0 records')
    """
    return f"{n} {word if n == 1 else (many or word + 's')}"


def article(word: str) -> str:
    """'a body', 'an organisation'."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def did_you_mean(word: Any, choices: Iterable[str]) -> str | None:
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


@dataclass
class Pending:
    """A problem whose position is found later, in one pass for all of them."""

    message: str
    path: Path
    hint: str | None = None
    level: Level = Level.ERROR
    code: str = "invalid"
    at_key: bool = False


def dotted_loc(loc: tuple[Any, ...]) -> str:
    """('members', 0, 'role') -> 'members #1 role': how a reviewer counts."""
    return " ".join(f"#{p + 1}" if isinstance(p, int) else str(p) for p in loc) or "record"


def describe(section: str, index: int, item: Any) -> str:
    word = SECTIONS[section].word if section in SECTIONS else section
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return f"{word} {quote(item['id'])}"
    return f"{word} #{index + 1} in {section}"


#: How much of a value an error message quotes.
QUOTE_LIMIT = 80


def quote(value: Any) -> str:
    """A value as an error message quotes it: in quotes, long text cut, with its length.

    >>> quote("csp")
    "'csp'"
    >>> quote("x" * 1_000_000)[-30:]
    "xxxxx…' (1,000,000 characters)"
    """
    text = str(value)
    if len(text) <= QUOTE_LIMIT:
        return f"'{text}'"
    return f"'{text[: QUOTE_LIMIT - 1]}…' ({len(text):,} characters)"


def target_words(targets: tuple[type[Record], ...]) -> str:
    words = [kind_word(t) for t in targets]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
