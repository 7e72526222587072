"""Renames between two registers: recorded (``former_names`` give the old id) or found by name.

A record whose id disappeared while a record of the same section with a similar name (or an
alias equal to the old name) appeared is one rename, not a removal and an addition
(:mod:`govmap.graph.review.diff`; the Neo4j store counts re-loads the same way).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govmap.ingest.model import Record

try:  # difflib's algorithms in C++, the same results (a dependency; difflib is the fallback)
    import cydifflib as difflib
except ImportError:  # pragma: no cover - installed with govmap
    import difflib

#: Names at least this similar (difflib ratio, 0-1) make a removed and an added id a rename.
RENAME_SIMILARITY = 0.8


def _names(rec: Record) -> list[str]:
    return [n.casefold().strip() for n in rec.all_names]


def similarity(a: Record, b: Record) -> float:
    """How alike two records' names are: the best difflib ratio over names and aliases, 0 to 1."""
    return max(difflib.SequenceMatcher(None, x, y).ratio() for x in _names(a) for y in _names(b))


def _alike(removed: list[Record], added: list[Record]) -> list[tuple[float, str, str, Record, Record]]:
    """(similarity, old id, new id, old, new) of every pair at least :data:`RENAME_SIMILARITY` alike.

    The same scores as :func:`similarity`, without computing those that cannot
    reach the threshold: difflib's length bound (``real_quick_ratio``) and
    letter-count bound (``quick_ratio``) are upper bounds of ``ratio``, so a
    pair of names below either is below the threshold.  Each new name is set
    once as the matcher's second sequence (difflib caches what it learns of it).
    """
    out = []
    names_a = [(a, _names(a)) for a in removed]
    matcher = difflib.SequenceMatcher(None, "", "")
    for b in added:
        best: dict[str, float] = {}
        for y in _names(b):
            matcher.set_seq2(y)
            ly = len(y)
            for a, xs in names_a:
                for x in xs:
                    total = len(x) + ly
                    if total and 2.0 * min(len(x), ly) / total < RENAME_SIMILARITY:
                        continue
                    matcher.set_seq1(x)
                    if matcher.quick_ratio() < RENAME_SIMILARITY:
                        continue
                    score = matcher.ratio()
                    if score >= RENAME_SIMILARITY and score > best.get(a.id, -1.0):
                        best[a.id] = score
        out += [(best[a.id], a.id, b.id, a, b) for a, _ in names_a if a.id in best]
    return out


def find_renames(removed: Iterable[Record], added: Iterable[Record]) -> list[tuple[Record, Record, float]]:
    """Pairs (old, new, similarity) of the same section whose names are alike, best first, each used once."""
    by_type: dict[type, tuple[list[Record], list[Record]]] = {}
    for r in removed:
        by_type.setdefault(type(r), ([], []))[0].append(r)
    for r in added:
        by_type.setdefault(type(r), ([], []))[1].append(r)
    candidates = [c for gone, came in by_type.values() for c in _alike(gone, came)]
    used: set[str] = set()
    out = []
    for score, _, _, a, b in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if a.id not in used and b.id not in used:
            used.update((a.id, b.id))
            out.append((a, b, round(score, 4)))
    return out


def rename_refs(value: Any, renames: dict[str, str]) -> Any:
    """``value`` (a record's plain data) with every id in ``renames`` replaced by its new id."""
    if isinstance(value, str):
        return renames.get(value, value)
    if isinstance(value, list):
        return [rename_refs(v, renames) for v in value]
    if isinstance(value, dict):
        return {k: rename_refs(v, renames) for k, v in value.items()}
    return value


def recorded_renames(gone: Iterable[Record], came: Iterable[Record]) -> list[tuple[Record, Record, float]]:
    """Pairs (old, new, similarity) where the new record names the old one's id among its
    ``former_names``: a rename recorded, whatever the names."""
    by_id = {r.id: r for r in gone}
    out = []
    for b in came:
        for old_id in b.former_ids:
            a = by_id.pop(old_id, None)
            if a is not None and type(a) is type(b):
                out.append((a, b, round(similarity(a, b), 4)))
                break
    return out
