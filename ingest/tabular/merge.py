"""Writing an imported register into an existing register file, keeping its comments.

``govmap import --into data/boards.yaml`` changes the file record by record:
a record the spreadsheet leaves as it was keeps its lines (and the comments
around them) byte for byte; a changed record is rewritten in place; a new one
is added at the end of its section; a removed one goes.  The result is checked
by loading it again before anything is written.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from govmap.ingest.errors import GovmapError
from govmap.ingest.model import SECTIONS, Record, Register
from govmap.ingest.reading.load import check_text
from govmap.ingest.store.dump import record_data
from govmap.ingest.store.roundtrip import (
    dump_document,
    line_ending,
    load_document,
    round_trip_yaml,
    ruamel_value,
)


def _same(a: Record, b: Record) -> bool:
    return type(a) is type(b) and a.model_dump(mode="json") == b.model_dump(mode="json")


def _update(item: CommentedMap, before: Record, rec: Record) -> None:
    """Change a record's mapping key by key: unchanged keys keep their lines and comments."""
    data = record_data(rec)
    for key in list(item):
        if key not in data:
            del item[key]
    for key, value in data.items():
        old, new = getattr(before, key, None), getattr(rec, key, None)
        if key in item and old == new:
            continue
        if (
            key in item
            and isinstance(item[key], CommentedSeq)
            and isinstance(new, tuple)
            and isinstance(old, tuple)
        ):
            # A list of links: items that did not change keep their lines (and flow style).
            kept = {i: node for i, node in enumerate(item[key]) if i < len(old)}
            seq = CommentedSeq()
            for one, plain in zip(new, value, strict=True):
                j = next((i for i in kept if old[i] == one), None)
                seq.append(kept.pop(j) if j is not None else ruamel_value(_tidy(plain)))
            item[key] = seq
            continue
        item[key] = ruamel_value(_tidy(value))


def _tidy(value: Any) -> Any:
    """A mapping written target first, sources and status last: how a reviewer writes one."""
    if isinstance(value, dict):
        tail = {k: value[k] for k in ("status", "sources") if k in value}
        return {**{k: _tidy(v) for k, v in value.items() if k not in tail}, **tail}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def merge_text(text: str, old: Register, new: Register, filename: str = "<register>") -> str:
    """The text of ``filename`` (holding ``old``) changed to hold ``new``, comments kept where unchanged."""
    y = round_trip_yaml(text)
    doc: CommentedMap = load_document(text.replace("\r\n", "\n"), y)
    if new.info.model_dump(mode="json") != old.info.model_dump(mode="json"):
        doc["register"] = ruamel_value(new.info.model_dump(mode="json", exclude_defaults=True))
    for section in SECTIONS:
        records: tuple[Record, ...] = getattr(new, section)
        seq: Any = doc.get(section)
        if not records and not seq:
            continue
        if not isinstance(seq, CommentedSeq):
            seq = CommentedSeq()
            doc[section] = seq
        wanted = {r.id: r for r in records}
        # Backwards, so deleting an item does not shift the ones still to visit.
        for i in range(len(seq) - 1, -1, -1):
            item = seq[i]
            rid = item.get("id") if isinstance(item, dict) else None
            rec = wanted.get(rid) if isinstance(rid, str) else None
            before = old.get(rid) if isinstance(rid, str) else None
            if rec is None:
                del seq[i]
            elif before is None or type(before) is not type(rec):
                seq[i] = ruamel_value(_tidy(record_data(rec)))
            elif not _same(before, rec) and isinstance(item, CommentedMap):
                _update(item, before, rec)
        present = {item.get("id") for item in seq if isinstance(item, dict)}
        for rec in records:
            if rec.id not in present:
                seq.append(ruamel_value(_tidy(record_data(rec))))
        if not seq:
            del doc[section]
    out = dump_document(doc, y, text.replace("\r\n", "\n"), line_ending(text))
    checked = check_text(out, filename)
    if checked.register is None or checked.register.model_dump(mode="json") != _sorted_like(
        new, checked.register
    ):
        raise GovmapError(
            f"merging into {filename} would not give the imported register; nothing was written",
            hint="import with -o to a new file and compare (this is a bug: please report it)",
        )
    return out


def _sorted_like(new: Register, written: Register) -> Any:
    """``new`` with each section in the order the merged file has it (records kept in place)."""
    order = {r.id: i for i, r in enumerate(written.records())}
    fields = {s: tuple(sorted(getattr(new, s), key=lambda r: order.get(r.id, 0))) for s in SECTIONS}
    return new.model_copy(update=fields).model_dump(mode="json")
