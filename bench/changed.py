"""A register with a share of its records changed, for the re-load benchmark (``neo4j_reload``).

Of every hundred records one is changed: three in five get a new description,
one in five is a new organisation put first in its section (so every record
after it moves by one, as an insertion near the top of a file does), and one in
five is removed (records no other record names, so the result stays valid).
Deterministic: the same register gives the same changes.
"""

from __future__ import annotations

from typing import Any

from govmap.ingest.model import SECTIONS, Record, Register


def changed_register(register: Register, share: float = 0.01) -> tuple[Register, dict[str, int]]:
    """``register`` with ``share`` of its records changed; and how many were changed, added, removed."""
    records = list(register.records())
    k = max(5, round(len(records) * share))
    n_add, n_remove = k // 5, k // 5
    n_change = k - n_add - n_remove
    named = {rel.target for rel in register.relations() if rel.origin != rel.target}
    named |= {rel.source for rel in register.relations() if rel.origin != rel.source}
    named |= {s.doc for rec in records for s in rec.sources}
    removable = [r for r in records if r.id not in named and r.section != "documents"]
    step = max(1, len(removable) // n_remove)
    removed = {r.id for r in removable[::step][:n_remove]}
    kept = [r for r in records if r.id not in removed]
    step = max(1, len(kept) // n_change)
    to_change = {r.id for r in kept[::step][:n_change]}
    template = register.organisations[0]
    added = [
        template.model_copy(update={"id": f"bench-new-org-{i}", "name": f"Benchmark New Organisation {i}"})
        for i in range(n_add)
    ]
    sections: dict[str, Any] = {}
    for section in SECTIONS:
        out: list[Record] = list(added) if section == "organisations" else []
        for rec in getattr(register, section):
            if rec.id in removed:
                continue
            if rec.id in to_change:
                rec = rec.model_copy(
                    update={"description": f"Changed by the benchmark: {rec.description or ''}"}
                )
            out.append(rec)
        sections[section] = tuple(out)
    new = Register.model_construct(govmap=1, info=register.info, **sections)
    return new, {"changed": len(to_change), "added": n_add, "removed": len(removed)}
