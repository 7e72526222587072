"""An edit checked on a small register of records, round-tripping only the edited record.

A store that validates an edit against the edited record's neighbourhood (see
:mod:`govmap.ingest.store.neighbourhood`) builds a small register: the edited record first in its
section, then the records around it.  Applying the edit to that register's
text with ruamel.yaml (:mod:`govmap.ingest.store.mutate`) and writing it back costs about a
millisecond per YAML node, most of it in records the edit does not touch: 0.5
to 1 s for a body with twenty members.  Here the edit goes through ruamel on
the edited record alone; its result is put in the plain data of the small
register in the record's place, and both registers are written with the plain
dumper (:func:`~govmap.ingest.store.dump.dump_register`'s settings) and validated.
The data validated is the same as after a round trip of the whole text, so
the decision is the same; only the layout of the checked text differs, and
that text is never written anywhere.

Examples
--------
>>> from govmap.ingest.store.edit_values import ChangeRecord
>>> from govmap.ingest.reading.load import loads
>>> reg = loads("govmap: 1\\nthemes:\\n  - {id: a, name: A, kind: priority}\\n")
>>> text = check_edit(ChangeRecord("a", {"name": "B"}), [reg.get("a")], reg.info)
>>> "name: B" in text
True
"""

from __future__ import annotations

from typing import Any

import yaml

from govmap.ingest.model import Record, Register, RegisterInfo
from govmap.ingest.reading.load import check_text
from govmap.ingest.reading.yamlsafe import parse
from govmap.ingest.store.dump import dump_register, register_data
from govmap.ingest.store.edit_values import AddRecord, Edit, RemoveRecord
from govmap.ingest.store.edits import edit_invalid  # the form-field mapping of the YAML store
from govmap.ingest.store.mutate import mutate
from govmap.ingest.store.roundtrip import dump_document, load_document, round_trip_yaml

_SafeDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when PyYAML has it


class _Dumper(_SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # registers refuse anchors and aliases


def _text(data: dict[str, Any]) -> str:
    """Plain data as register text, with :func:`~govmap.ingest.store.dump.dump_register`'s settings.

    The text is only validated, never shown or written, so libyaml's emitter will do.
    """
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


def register_of(records: list[Record], info: RegisterInfo) -> Register:
    """A register of these records (each once, in the order given) and this header."""
    sections: dict[str, list[Record]] = {}
    seen: set[int] = set()
    for rec in records:
        if id(rec) not in seen:
            seen.add(id(rec))
            sections.setdefault(rec.section, []).append(rec)
    fields: dict[str, Any] = {k: tuple(v) for k, v in sections.items()}
    return Register.model_construct(govmap=1, info=info, **fields)


#: The last :func:`edited_one` answer, with the objects it was for (compared by identity, and
#: held, so their ids cannot be reused): a store asks twice per edit, for the ids the edited
#: record names and then to check it.
_last: tuple[Any, ...] | None = None


def edited_one(
    edit: Edit, subject: Record | None, info: RegisterInfo
) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The edit applied to a register holding only ``subject`` (None: no record, as for an
    added one): its plain data, and (section, id) of the record the edit leaves behind.

    :func:`~govmap.ingest.store.mutate.mutate` raises what it raises on a whole register
    (an unknown record, a link index out of range ...).  Do not change the answer.
    """
    global _last
    last = _last
    if last is not None and last[0] is edit and last[1] is subject and last[2] is info:
        return last[3]
    one = dump_register(register_of([subject] if subject is not None else [], info))
    y = round_trip_yaml(one)
    doc = load_document(one, y)
    where = mutate(doc, edit)
    answer = (parse(dump_document(doc, y, one), "<edit>").data or {}, where)
    _last = (edit, subject, info, answer)
    return answer


def edited_texts(
    edit: Edit, records: list[Record], info: RegisterInfo
) -> tuple[str, str, tuple[str, str] | None]:
    """The small register's text before and after the edit, and (section, id) of the edited record.

    ``records`` starts with the edited record (except for an added one).
    """
    data = register_data(register_of(records, info))
    subject = records[0] if records and not isinstance(edit, AddRecord) else None
    if subject is not None and subject.id != edit.subject:
        subject = None
    edited, where = edited_one(edit, subject, info)
    after = dict(data)
    if isinstance(edit, AddRecord):
        added = (edited.get(edit.section) or [None])[-1]
        after[edit.section] = [*(data.get(edit.section) or []), added]
    elif subject is not None:
        section = subject.section
        rest = list(data[section][1:])  # the edited record is the first of its section
        after[section] = rest if isinstance(edit, RemoveRecord) else [edited[section][0], *rest]
    return _text(data), _text(after), where


def check_edit(edit: Edit, records: list[Record], info: RegisterInfo) -> str:
    """Apply the edit to the small register; raise EditInvalid for the errors it adds. Return the new text.

    The errors already in the small register (a neighbour naming a record
    outside it, say) are not the edit's and are left out.
    """
    before_text, new_text, where = edited_texts(edit, records, info)
    before = check_text(before_text, "register")
    after = check_text(new_text, "register")
    old = {(p.code, p.message) for p in before.errors}
    added = [p for p in after.errors if (p.code, p.message) not in old]
    if added:
        raise edit_invalid(edit, added, new_text, where)
    return new_text
