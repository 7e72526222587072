"""References re-pointed: every id a register holds, moved from one record to another.

A what-if merge points every reference to the merged bodies at the new one; a
rename points every reference to the old id at the new.  Both need the same
walk over every place an id is written: the relationship lists of
:data:`~govmap.ingest.model.REF_RULES`, the single-id fields (a post's
organisation), the ids an entry holds besides its target
(:data:`~govmap.ingest.model.NESTED_REFS`: ``on_behalf_of``, ``delivered_by``)
and the register's ``top``.  A list left naming one record twice keeps the
first; a record left naming itself drops the reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from govmap.ingest.model import NESTED_REFS, REF_RULES, Item, Record, Register

R = TypeVar("R", bound=Record)


def _item(item: Item, mapping: Mapping[str, str], own: str) -> Item | None:
    """The item with its target and nested ids re-pointed (None if it now names its own record)."""
    update: dict[str, Any] = {}
    target = mapping.get(item.target, item.target)
    if target == own:
        return None
    if target != item.target:
        update[item.target_key] = target
    for key, _ in NESTED_REFS.get(type(item), ()):
        value = getattr(item, key)
        if isinstance(value, str):
            moved = mapping.get(value, value)
            if moved != value:
                update[key] = moved
        elif value:
            ids = [mapping.get(v, v) for v in value]
            kept = tuple(dict.fromkeys(i for i in ids if i != own))
            if kept != tuple(value):
                update[key] = kept
    return item.model_copy(update=update) if update else item


def repoint(rec: R, mapping: Mapping[str, str], keep: tuple[str, ...] = ()) -> R:
    """``rec`` with every reference to an id in ``mapping`` pointing at its new id.

    Each list names a record once (the first entry wins); a reference to the
    record itself is dropped.  Fields in ``keep`` are left as they are.

    Examples
    --------
    >>> from govmap.ingest.model import Body
    >>> b = Body.model_validate({"id": "c", "name": "C", "kind": "group", "reports_to": ["a", "b", "c2"],
    ...     "themes": [{"theme": "t", "role": "lead", "delivered_by": ["a", "b"]}]})
    >>> moved = repoint(b, {"a": "ab", "b": "ab", "c2": "c"})
    >>> [link.to for link in moved.reports_to], moved.themes[0].delivered_by
    (['ab'], ('ab',))
    """
    update: dict[str, Any] = {}
    for rule in REF_RULES[type(rec)]:
        if rule.field in keep:
            continue
        value = getattr(rec, rule.field)
        if value is None:
            continue
        if isinstance(value, str):
            moved = mapping.get(value, value)
            if moved != value:
                update[rule.field] = moved
            continue
        out: dict[str, Item] = {}
        changed = False
        for item in value:
            new = _item(item, mapping, rec.id)
            changed = changed or new is not item
            if new is not None and new.target not in out:
                out[new.target] = new
            elif new is not None:
                changed = True
        if changed:
            update[rule.field] = tuple(out.values())
    return rec.model_copy(update=update) if update else rec


def repoint_register(register: Register, mapping: Mapping[str, str]) -> Register:
    """Every record and the register's ``top`` with references re-pointed by ``mapping``."""
    sections: dict[str, list[Record]] = {}
    for rec in register.records():
        sections.setdefault(rec.section, []).append(repoint(rec, mapping))
    top = tuple(dict.fromkeys(mapping.get(t, t) for t in register.info.top))
    info = register.info.model_copy(update={"top": top}) if top != register.info.top else register.info
    return register.model_copy(update={"info": info, **{s: tuple(v) for s, v in sections.items()}})
