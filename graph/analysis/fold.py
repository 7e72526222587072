"""One finding made of many: what :mod:`govmap.graph.report.aggregate` folds repetitive
findings into, also used by an analysis that builds the folded finding directly
(:func:`govmap.graph.analysis.staleness.unconfirmed_facts` and
:func:`govmap.graph.analysis.interlocks.seat_load_findings` with ``fold``) rather than
making thousands of findings for the report to fold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Severity,
    SourceRef,
    Subject,
    dedupe_sources,
    finding_id,
    plural,
)

#: A section's records, in words (``2 bodies``).
SECTION_WORDS = {"body": "bodies", "strategy": "strategies", "theme": "themes", "area": "areas"}


def unconfirmed_title(word: str, n: int, facts: int) -> str:
    """The title of ``n`` records of one section with ``facts`` unconfirmed facts between them.

    >>> unconfirmed_title("body", 3, 7)
    '3 bodies have unconfirmed facts (7 facts in all).'
    """
    return (
        f"{n} {SECTION_WORDS.get(word, word + 's')} have unconfirmed facts ({plural(facts, 'fact')} in all)."
    )


def seat_load_title(kinds: Iterable[str], names: Sequence[str], seats: Iterable[int]) -> str:
    """The title of the seat loads of organisations or posts (their ``kinds`` and ``names``, most
    seats first) each on ``seats`` bodies: the first few named.

    >>> seat_load_title(["organisation", "post", "organisation"], ["Police", "Chief", "Fire"], [9, 6, 5])
    '3 organisations and posts each sit on 5 to 9 bodies (20 seats in all): Police, Chief and Fire.'
    >>> seat_load_title(["post"] * 6, list("ABCDEF"), [5] * 6)
    '6 posts each sit on 5 bodies (30 seats in all): A, B, C and 3 more.'
    """
    counts = sorted(seats)
    words = " and ".join(SECTION_WORDS.get(w, w + "s") for w in sorted(set(kinds)))
    each = f"{counts[0]}" if counts[0] == counts[-1] else f"{counts[0]} to {counts[-1]}"
    shown = names if len(names) <= _NAMED else [*names[:3], f"{len(names) - 3} more"]
    return (
        f"{len(counts)} {words} each sit on {each} bodies ({plural(sum(counts), 'seat')} in all): "
        f"{', '.join(shown[:-1])} and {shown[-1]}."
    )


#: How many seat loads a folded title names in full (more: the first three and how many more).
_NAMED = 4


def folded(
    kind: Kind,
    key: Any,
    items: list[dict[str, Any]],
    *,
    subjects: Iterable[Subject],
    sources: Iterable[SourceRef],
    severity: Severity,
    title: str,
    suggestion: str,
    score: float | None,
) -> Finding:
    """The finding that stands for ``items`` (each a part's id, severity, title, subjects and
    evidence, in the report's order): every subject once, the sources sorted, and a stable id.

    The id is a hash of the kind and ``key`` alone (what the fold is about: the rule, the
    section, the parents), not of its members: a fold that gains or loses a member keeps its
    id, so a diff shows it as changed and a decision on it still finds it.
    """
    unique: dict[str, Subject] = {}
    for s in subjects:
        unique.setdefault(s.id, s)
    about = ["aggregate", key]
    return Finding(
        id=finding_id(kind, [], about),
        kind=kind,
        severity=severity,
        title=title,
        subjects=tuple(unique.values()),
        evidence={"count": len(items), "items": items},
        suggestion=suggestion or "See each item.",
        sources=dedupe_sources(sources),
        score=score,
        basis=((), about),
    )


__all__ = ["SECTION_WORDS", "folded", "seat_load_title", "unconfirmed_title"]
