"""Apply an edit to a ruamel.yaml round-trip document, in place.

Only the record or link the edit names changes; comments, key order, quoting
and flow style of everything else stay as the reviewer wrote them.  Validation
of the result is :mod:`govmap.ingest.store.edits`' job.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from govmap.ingest.errors import EditRefused, UnknownRecord
from govmap.ingest.model import REF_RULES, SECTIONS
from govmap.ingest.reading.messages import did_you_mean
from govmap.ingest.store.edit_values import (
    AddLink,
    AddRecord,
    ChangeLink,
    ChangeRecord,
    Edit,
    RemoveRecord,
    item_word,
    link_target,
    section_word,
)
from govmap.ingest.store.roundtrip import ruamel_item, ruamel_value


def find_record(doc: CommentedMap, record_id: str) -> tuple[str, int, CommentedMap]:
    ids = []
    for section in SECTIONS:
        items = doc.get(section)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, CommentedMap):
                if item.get("id") == record_id:
                    return section, i, item
                ids.append(str(item.get("id")))
    raise UnknownRecord(f"no record with id '{record_id}'", hint=did_you_mean(record_id, ids))


def _list_field(item: CommentedMap, section: str, field_name: str, record_id: str) -> CommentedSeq:
    """The list a link edit works on, turning ``reports_to: x`` into ``[x]`` if needed."""
    fields = {r.field for r in REF_RULES[SECTIONS[section]] if r.field != "organisation"}
    if field_name not in fields:
        allowed = ", ".join(sorted(fields)) or "none"
        raise EditRefused(
            f"'{field_name}' is not a list of links of a {section_word(section)}", hint=f"allowed: {allowed}"
        )
    value = item.get(field_name)
    if value is None:
        value = item[field_name] = CommentedSeq()
    elif not isinstance(value, list):
        value = item[field_name] = CommentedSeq([value])
    return value


def _merge_ids(old: Any, new: list[Any], field_name: str) -> Any:
    """New list of ids, keeping the existing item (with its details) for ids that stay."""
    flow = not isinstance(old, list) or (isinstance(old, CommentedSeq) and old.fa.flow_style())
    if not isinstance(old, list):
        old = [old] if old is not None else []
    by_target = {link_target(field_name, o): o for o in old}
    merged = [by_target.get(link_target(field_name, n), ruamel_item(field_name, n)) for n in new]
    if flow:
        seq = CommentedSeq(merged)
        seq.fa.set_flow_style()
        return seq
    return CommentedSeq(merged)


def mutate(doc: CommentedMap, edit: Edit) -> tuple[str, str] | None:
    """Apply the edit to the document; return (section, id) of the record it leaves behind."""
    if isinstance(edit, AddRecord):
        if edit.section not in SECTIONS:
            raise EditRefused(f"unknown section '{edit.section}'", hint=did_you_mean(edit.section, SECTIONS))
        if edit.section not in doc or doc[edit.section] is None:
            doc[edit.section] = CommentedSeq()
        doc[edit.section].append(ruamel_value(edit.data))
        return edit.section, edit.subject
    section, i, item = find_record(doc, edit.subject)
    if isinstance(edit, RemoveRecord):
        del doc[section][i]
        return None
    if isinstance(edit, ChangeRecord):
        link_fields = {r.field for r in REF_RULES[SECTIONS[section]]}
        for key, value in edit.changes.items():
            if value is None or value == "" or value == [] or value == () or value is False:
                item.pop(key, None)
            elif key in link_fields and isinstance(value, list) and key in item:
                item[key] = _merge_ids(item[key], value, key)
            else:
                item[key] = ruamel_value(value)
        return section, edit.id
    seq = _list_field(item, section, edit.field, edit.subject)
    if isinstance(edit, AddLink):
        seq.append(ruamel_item(edit.field, edit.value))
        return section, edit.record
    if not 0 <= edit.index < len(seq):
        raise UnknownRecord(f"'{edit.record}' has no {item_word(edit.field)} #{edit.index + 1}")
    if isinstance(edit, ChangeLink):
        seq[edit.index] = ruamel_item(edit.field, edit.value)
    else:
        del seq[edit.index]
    if not seq:
        del item[edit.field]
    return section, edit.record
