"""An edit checked against its record's neighbourhood, not the whole register.

An edit changes one record, so on a register that was valid it can only break
what involves that record: the record itself (its model, text, dates), the
records it names (they must exist and be of the right kind), the records that
name it (when it is removed or its id changes), id uniqueness (a record already
holding its new id), and a ``reports_to`` / ``sub_group_of`` cycle through it.
:func:`edited_record` gathers those records from a :class:`Neighbours` (the
in-memory register for the YAML store, :class:`RegisterNeighbours`; a Neo4j
transaction for the Neo4j store, which today still has its own copy of this
selection in ``graph/neo4j/neighbourhood.py``), applies the edit to that small
register with the same code and rules as a whole-register save
(:func:`govmap.ingest.store.hoodcheck.check_edit`), and refuses the edit if it adds an error.

Examples
--------
>>> from govmap.ingest.reading.load import loads
>>> from govmap.ingest.store.edit_values import ChangeRecord
>>> reg = loads("govmap: 1\\nthemes:\\n  - {id: a, name: A, kind: priority}\\n")
>>> new, section = edited_record(RegisterNeighbours(reg), ChangeRecord("a", {"name": "B"}), reg.get("a"), reg.info)
>>> new.name, section
('B', 'themes')

Notes
-----
The decision (refuse or accept) is the whole-register validation's: a property
test (``tests/test_neighbourhood.py``) applies random edits to small registers
both ways.  The *messages* can differ from a whole-register check in their
hints ("did you mean" looks only at the neighbourhood) and in positions, so the
YAML store adds the near misses to the neighbourhood, or words a refusal on the
whole file (:func:`govmap.ingest.store.patch.apply_to_document`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from govmap.ingest.errors import EditRefused, UnknownRecord
from govmap.ingest.model import (
    REF_RULES,
    REPORTING_FIELDS,
    SECTIONS,
    Body,
    Membership,
    Record,
    Register,
    RegisterInfo,
    ThemeLink,
)
from govmap.ingest.reading.yamlsafe import parse
from govmap.ingest.store.edit_values import AddRecord, ChangeRecord, Edit, RemoveRecord
from govmap.ingest.store.hoodcheck import check_edit, edited_one


class Neighbours(Protocol):
    """Where :func:`edited_record` reads the records around an edit."""

    def naming(self, rec: Record) -> set[str]:
        """Ids of the records that name ``rec`` (a reference, a source, on behalf of), not its own."""
        ...

    def records(self, ids: Iterable[str]) -> list[Record]:
        """The records with these ids (those that exist)."""
        ...

    def chain(self, rid: str, targets: set[str]) -> set[str]:
        """Bodies on ``reports_to`` / ``sub_group_of`` chains from ``targets`` that reach ``rid``
        (a superset will do)."""
        ...


def edited_record(
    hood: Neighbours,
    edit: Edit,
    old: Record | None,
    info: RegisterInfo,
    after: dict[str, Any] | None = None,
    extra: Iterable[str] = (),
) -> tuple[Record | None, str]:
    """The record after the edit, checked against its neighbourhood; (None, section) when removed.

    ``old`` is the record before the edit (None for a new one); ``after`` the
    edited record's plain data if the caller already has it (the YAML store
    reads it from the text it will write), else it is worked out here;
    ``extra`` ids of more records to check it with.

    Raises :class:`~govmap.ingest.errors.EditInvalid` with the errors the edit
    adds, mapped to the form's fields.
    """
    section = old.section if old is not None else getattr(edit, "section", "")
    if isinstance(edit, RemoveRecord):
        if old is None:
            raise UnknownRecord(f"no record with id '{edit.id}'")
        naming = hood.naming(old)
        if not naming and old.id not in info.top:
            return None, section  # nothing names it: removing it breaks nothing
        check_edit(edit, [old, *hood.records(sorted(naming))], info)
        return None, section
    base = [old] if old is not None else []
    if after is None:
        # Records named by the record before the edit, and after: found from the edited text.
        after = _record_in(_apply(edit, old, info), edit, old)
    ids = mentions(after) | (mentions(_data(old)) if old is not None else set())
    if old is not None and after.get("id") != old.id:
        ids |= hood.naming(old)  # renamed: every record naming the old id must be checked
    rid = old.id if old is not None else str(after.get("id", ""))
    if after.get("id") is not None and rid:
        ids |= hood.chain(rid, reporting_targets(after, rid))
    ids |= set(extra)
    ids.discard(old.id if old is not None else "")
    text = check_edit(edit, [*base, *hood.records(sorted(ids))], info)
    data = _record_in(parse(text, "<edit>").data, edit, old)
    return SECTIONS[section].model_validate(data), section


def reporting_targets(data: dict[str, Any], rid: str) -> set[str]:
    """The ids a record's plain data names in ``reports_to`` / ``sub_group_of`` (not itself)."""
    targets = set()
    for fld in REPORTING_FIELDS:
        value = data.get(fld)
        for item in value if isinstance(value, list) else [value] if value else []:
            target = item.get("to") if isinstance(item, dict) else item
            if isinstance(target, str) and target != rid:
                targets.add(target)
    return targets


def _apply(edit: Edit, old: Record | None, info: RegisterInfo) -> dict[str, Any]:
    """The edit applied to a register of the record alone (plain data): what the new record names."""
    return edited_one(edit, old, info)[0]


def _record_in(data: dict[str, Any], edit: Edit, old: Record | None) -> dict[str, Any]:
    """The edited record's mapping in plain register data."""
    if isinstance(edit, AddRecord):
        items = data.get(edit.section) or []
        if not items or not isinstance(items[-1], dict):
            raise EditRefused(f"the new {edit.section} record could not be read back")
        return dict(items[-1])
    assert old is not None
    items = data.get(old.section) or []
    # ChangeRecord may change the id: the edited record keeps its position (the first one).
    for item in items:
        if isinstance(item, dict) and item.get("id") in (old.id, _new_id(edit, old)):
            return dict(item)
    raise EditRefused(f"the record '{old.id}' could not be read back after the edit")


def _new_id(edit: Edit, old: Record) -> str:
    if isinstance(edit, ChangeRecord) and isinstance(edit.changes.get("id"), str):
        return str(edit.changes["id"])
    return old.id


def _data(rec: Record) -> dict[str, Any]:
    return rec.model_dump(mode="json", by_alias=True, exclude_defaults=True)


def mentions(data: Any) -> set[str]:
    """Every string in a record's data: the ids it may name (looked up by the id index; most miss)."""
    out: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) <= 200:
                out.add(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return out


# -- the neighbourhood in a register in memory -------------------------------------


def names(rec: Record) -> Iterator[str]:
    """Every id a record names: its references, on_behalf_of, delivered_by and source documents."""
    for src in rec.sources:
        yield src.doc
    for rule in REF_RULES[type(rec)]:
        for _, ref, item in rule.refs(rec):
            yield ref
            if item is None:
                continue
            for src in item.sources:
                yield src.doc
            if isinstance(item, Membership) and item.on_behalf_of:
                yield item.on_behalf_of
            if isinstance(item, ThemeLink):
                yield from item.delivered_by


def named_by(register: Register) -> dict[str, set[str]]:
    """Id -> ids of the records that name it (see :func:`names`): the reverse references."""
    out: dict[str, set[str]] = {}
    for rec in register.records():
        for name in names(rec):
            out.setdefault(name, set()).add(rec.id)
    return out


def rename_in(index: dict[str, set[str]], old: Record | None, new: Record | None) -> None:
    """Update a :func:`named_by` index for ``old`` replaced by ``new`` (None: absent)."""
    if old is not None:
        for name in names(old):
            index.get(name, set()).discard(old.id)
    if new is not None:
        for name in names(new):
            index.setdefault(name, set()).add(new.id)


class RegisterNeighbours:
    """:class:`Neighbours` read from a register in memory (the YAML store's).

    ``naming`` looks ids up in ``named_by`` (id -> ids of the records naming
    it, see :func:`named_by`) when given, else scans every record (done only
    when a record is removed or renamed); ``chain`` walks up from the targets.
    """

    def __init__(self, register: Register, named_by: Callable[[], dict[str, set[str]]] | None = None) -> None:
        self.register = register
        self.named_by = named_by

    def naming(self, rec: Record) -> set[str]:
        if self.named_by is not None:
            return set(self.named_by().get(rec.id, ())) - {rec.id}
        return {
            other.id for other in self.register.records() if other.id != rec.id and rec.id in names(other)
        }

    def records(self, ids: Iterable[str]) -> list[Record]:
        index = self.register.index
        return [index[i] for i in ids if i in index]

    def chain(self, rid: str, targets: set[str]) -> set[str]:
        index = self.register.index
        seen: set[str] = set()
        todo = [t for t in targets if isinstance(index.get(t), Body)]
        while todo:
            bid = todo.pop()
            if bid in seen:
                continue
            seen.add(bid)
            if bid == rid:
                continue  # its links are the edited ones, in ``targets``
            body = index[bid]
            for fld in REPORTING_FIELDS:
                for link in getattr(body, fld):
                    if isinstance(index.get(link.to), Body) and link.to not in seen:
                        todo.append(link.to)
        return seen
