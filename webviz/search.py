"""Finding records by name, alias or id."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from govmap.ingest.model import Register, effective_status


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    kind: str
    subtype: str | None
    status: str


@dataclass(frozen=True)
class Entry:
    """One record as the search reads it: its row, and its words in one case."""

    row: Row
    name: str
    #: The id and the aliases, case-folded, one a line: one ``in`` test instead of a loop.
    others: str


class SearchIndex:
    """Every record's words, joined per kind into one text, so a search is a few ``str.find``
    calls in C rather than a Python loop over every record.

    Entries are sorted by (kind, name); ``blobs[kind]`` holds that kind's case-folded names
    (and, separately, ids and aliases) joined by NUL, with the offset where each entry starts.
    """

    SEP = "\x00"

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = sorted(entries, key=lambda e: (e.row.kind, e.name))
        self.blobs: dict[str, tuple[int, str, list[int], str, list[int]]] = {}
        kinds = sorted({e.row.kind for e in self.entries})
        for kind in ["", *kinds]:
            first = 0 if not kind else next(i for i, e in enumerate(self.entries) if e.row.kind == kind)
            part = [e for e in self.entries if not kind or e.row.kind == kind]
            self.blobs[kind] = (
                first,
                *self._blob([e.name for e in part]),
                *self._blob([e.others for e in part]),
            )

    @classmethod
    def _blob(cls, words: list[str]) -> tuple[str, list[int]]:
        starts, at = [], 0
        for w in words:
            starts.append(at)
            at += len(w) + 1
        return cls.SEP.join(words), starts

    def find(self, needle: str, kind: str) -> tuple[list[int], list[int], list[int]]:
        """Entry positions whose name starts with / contains ``needle``, then whose id or alias does."""
        if kind not in self.blobs:
            return [], [], []
        first, names, name_starts, others, other_starts = self.blobs[kind]
        starts: set[int] = set()
        contains: set[int] = set()
        for i, at in self._hits(names, name_starts, needle):
            (starts if at == name_starts[i] else contains).add(i)
        contains -= starts
        matched = starts | contains
        rest = {i for i, _ in self._hits(others, other_starts, needle)} - matched
        return (
            [first + i for i in sorted(starts)],
            [first + i for i in sorted(contains)],
            [first + i for i in sorted(rest)],
        )

    @staticmethod
    def _hits(blob: str, starts: list[int], needle: str) -> Iterator[tuple[int, int]]:
        at = blob.find(needle)
        while at != -1:
            yield bisect_right(starts, at) - 1, at
            at = blob.find(needle, at + 1)


def search_index(register: Register) -> SearchIndex:
    """Every record, ready to search: built once per register version (see ``state.Snapshot``)."""
    out = []
    for rec in register.records():
        row = Row(rec.id, rec.name, rec.word, rec.subtype, effective_status(rec).value)
        others = "\n".join((rec.id, *rec.former_ids, *(a.casefold() for a in rec.all_names[1:])))
        out.append(Entry(row, rec.name.casefold(), others))
    return SearchIndex(out)


def search(
    register: Register,
    text: str = "",
    kind: str = "",
    limit: int = 500,
    index: SearchIndex | None = None,
) -> list[Row]:
    """Records whose id, name or an alias contains ``text`` (any case), names first.

    Order: names that start with the text, then names that contain it, then ids
    and aliases; within each, by kind and name.  ``index`` (from
    :func:`search_index`) gives the same rows without reading every record again.
    """
    idx = index if index is not None else search_index(register)
    needle = " ".join(text.replace(SearchIndex.SEP, " ").split()).casefold()
    if not needle:
        return [e.row for e in idx.entries if not kind or e.row.kind == kind][:limit]
    out: list[Row] = []
    for positions in idx.find(needle, kind):
        out.extend(idx.entries[i].row for i in positions[: limit - len(out)])
        if len(out) >= limit:
            break
    return out
