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


def search(register: Register, text: str = "", kind: str = "", limit: int = 500) -> list[Row]:
    """Records whose id, name or an alias contains ``text`` (any case), names first."""
    needle = text.strip().casefold()
    rows: list[tuple[int, Row]] = []
    for rec in register.records():
        word = kind_word(rec)
        if kind and word != kind:
            continue
        if needle:
            if needle in rec.name.casefold():
                rank = 0 if rec.name.casefold().startswith(needle) else 1
            elif needle in rec.id or any(needle in a.casefold() for a in rec.aliases):
                rank = 2
            else:
                continue
        else:
            rank = 0
        subtype = getattr(rec, "kind", None) or getattr(rec, "type", None)
        rows.append(
            (
                rank,
                Row(rec.id, rec.name, word, subtype.value if subtype else None, effective_status(rec).value),
            )
        )
    rows.sort(
        key=lambda r: (r[0], r[1].kind, r[1].name.casefold()) if needle else (r[1].kind, r[1].name.casefold())
    )
    return [r for _, r in rows[:limit]]
