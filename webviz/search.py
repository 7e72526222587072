"""Finding records by name, alias or id."""

from __future__ import annotations

from dataclasses import dataclass

from govmap.ingest.model import Register, effective_status
from govmap.ingest.validate import kind_word


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


def search_index(register: Register) -> list[Entry]:
    """Every record, ready to search, sorted by kind then name: built once per register
    version (see ``state.Snapshot``), so a search reads matches in result order."""
    out = []
    for rec in register.records():
        subtype = getattr(rec, "kind", None) or getattr(rec, "type", None)
        row = Row(
            rec.id, rec.name, kind_word(rec), subtype.value if subtype else None, effective_status(rec).value
        )
        others = "\n".join((rec.id, *(a.casefold() for a in rec.aliases)))
        out.append(Entry(row, rec.name.casefold(), others))
    out.sort(key=lambda e: (e.row.kind, e.name))
    return out


def search(
    register: Register,
    text: str = "",
    kind: str = "",
    limit: int = 500,
    index: list[Entry] | None = None,
) -> list[Row]:
    """Records whose id, name or an alias contains ``text`` (any case), names first.

    Order: names that start with the text, then names that contain it, then ids
    and aliases; within each, by kind and name.  ``index`` (from
    :func:`search_index`) gives the same rows without reading every record again.

    Notes
    -----
    The index is already in (kind, name) order, so matches are collected per
    rank in result order and the scan stops as soon as ``limit`` rows of the
    best rank are in hand: a common word on a national register (tens of
    thousands of records) no longer costs a full scan and a sort.
    """
    needle = " ".join(text.split()).casefold()  # no line breaks: they separate the others
    entries = index if index is not None else search_index(register)
    if not needle:
        return [e.row for e in entries if not kind or e.row.kind == kind][:limit]
    ranks: tuple[list[Row], list[Row], list[Row]] = ([], [], [])
    first = ranks[0]
    for e in entries:
        if kind and e.row.kind != kind:
            continue
        name = e.name
        if needle in name:
            if name.startswith(needle):
                first.append(e.row)
                if len(first) >= limit:
                    break
            else:
                ranks[1].append(e.row)
        elif needle in e.others:
            ranks[2].append(e.row)
    return (ranks[0] + ranks[1] + ranks[2])[:limit]
