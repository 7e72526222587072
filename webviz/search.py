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
    id: str
    aliases: tuple[str, ...]


def search_index(register: Register) -> list[Entry]:
    """Every record, ready to search: built once per register version (see ``state.Snapshot``)."""
    out = []
    for rec in register.records():
        subtype = getattr(rec, "kind", None) or getattr(rec, "type", None)
        row = Row(
            rec.id, rec.name, kind_word(rec), subtype.value if subtype else None, effective_status(rec).value
        )
        out.append(Entry(row, rec.name.casefold(), rec.id, tuple(a.casefold() for a in rec.aliases)))
    return out


def search(
    register: Register,
    text: str = "",
    kind: str = "",
    limit: int = 500,
    index: list[Entry] | None = None,
) -> list[Row]:
    """Records whose id, name or an alias contains ``text`` (any case), names first.

    ``index`` (from :func:`search_index`) gives the same rows without reading every
    record again.
    """
    needle = text.strip().casefold()
    rows: list[tuple[int, Row]] = []
    for e in index if index is not None else search_index(register):
        if kind and e.row.kind != kind:
            continue
        if needle:
            if needle in e.name:
                rank = 0 if e.name.startswith(needle) else 1
            elif needle in e.id or any(needle in a for a in e.aliases):
                rank = 2
            else:
                continue
        else:
            rank = 0
        rows.append((rank, e.row))
    rows.sort(
        key=lambda r: (r[0], r[1].kind, r[1].name.casefold()) if needle else (r[1].kind, r[1].name.casefold())
    )
    return [r for _, r in rows[:limit]]
