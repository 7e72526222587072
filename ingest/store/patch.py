"""Saving one edit into a register file's text: patch the record's lines, check its neighbourhood.

The YAML store keeps a :class:`Document` per file version: the text and its
validated register.  An edit of one record (:func:`apply_to_document`)

1. finds the record's lines in the text (``- id: ...`` up to the next item of
   its list or the next section), parses *only those lines* with ruamel.yaml's
   round-trip mode, applies the edit there and writes the record back in place
   of its lines.  This is done only when dumping the record before the edit
   gives back exactly its lines; then every other byte of the file is
   untouched.  Otherwise (and for a new or removed record) the whole document
   is parsed with ruamel, once per process, and dumped, as :func:`govmap.ingest.store.edits.apply_edit`
   does;
2. validates the edit against the records it can affect
   (:func:`govmap.ingest.store.neighbourhood.edited_record`), not the whole register.  A refused
   edit shows exactly the messages ``govmap validate`` would give: a problem in
   the record itself is worded on the neighbourhood (with the ids "did you
   mean" could suggest added to it, :func:`_refusal`); anything else (a cycle,
   a repeated id, records that named a removed one) by validating the whole
   new text, as before.

On a national register (12 MB) the whole-document ruamel parse took minutes
and a whole-register validation ~6 s; a save now costs a few record-sized
parses and a few scans of the text (~0.2 s).  ``EditInvalid.problems`` of a
refusal worded on the neighbourhood are placed in the small register checked,
not in the file; the form shows their messages, which are the file's.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from govmap.ingest.errors import EditInvalid, EditRefused, UnknownRecord
from govmap.ingest.model import SECTIONS, Record, Register
from govmap.ingest.reading.load import check_text
from govmap.ingest.reading.yamlsafe import parse
from govmap.ingest.store.edit_values import AddRecord, Edit, RemoveRecord
from govmap.ingest.store.edits import Applied, dump_item, edit_invalid, record_data
from govmap.ingest.store.mutate import find_record, mutate
from govmap.ingest.store.neighbourhood import (
    RegisterNeighbours,
    edited_record,
    mentions,
    named_by,
    rename_in,
)
from govmap.ingest.store.roundtrip import (
    dump_document,
    line_ending,
    load_document,
    record_block,
    round_trip_yaml,
)

log = logging.getLogger(__name__)


@dataclass
class Document:
    """A register's text (``\\n`` line ends), its validated register, and the ruamel settings
    guessed from it; the whole round-trip document is parsed only when an edit needs it."""

    text: str
    register: Register
    yaml: Any
    newline: str
    _doc: CommentedMap | None = field(default=None, repr=False)
    _named_by: dict[str, set[str]] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, text: str, register: Register) -> Document:
        # ruamel loses blank lines of CRLF text: edit with LF, then write the file's own line ends.
        newline = line_ending(text)
        lf_text = text.replace("\r\n", "\n") if newline != "\n" else text
        return cls(lf_text, register, round_trip_yaml(lf_text), newline)

    def file_text(self) -> str:
        """The text with the file's own line ends."""
        return self.text.replace("\n", self.newline) if self.newline != "\n" else self.text

    def named_by(self) -> dict[str, set[str]]:
        """Id -> ids of the records naming it, built on first use and kept in step with edits."""
        if self._named_by is None:
            self._named_by = named_by(self.register)
        return self._named_by

    def neighbours(self) -> RegisterNeighbours:
        return RegisterNeighbours(self.register, self.named_by)

    @property
    def doc(self) -> CommentedMap:
        """The whole round-trip document (parsed on first use: minutes for a national register)."""
        if self._doc is None:
            self._doc = load_document(self.text, self.yaml)
        return self._doc


@dataclass
class _Patch:
    """Replace ``text[start:end]`` with ``lines``: the edited record's lines ("" when removed)."""

    start: int
    end: int
    lines: str
    where: tuple[str, str] | None


def _record_lines(document: Document, rec: Record) -> tuple[int, int, CommentedMap] | None:
    """Where a record's lines are, and their round-trip parse, if dumping that parse gives back
    exactly those lines (then writing the record alone changes no other byte of the file)."""
    span = record_block(document.text, rec.id)
    if span is None:
        return None
    block = document.text[span[0] : span[1]]
    try:
        mini = load_document(f"{rec.section}:\n{block}", document.yaml)
    except EditRefused:
        return None
    items = mini.get(rec.section)
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], CommentedMap):
        return None
    if items[0].get("id") != rec.id or dump_item(document, rec.section, items[0]) != block:
        return None
    return span[0], span[1], mini


def _record_patch(document: Document, edit: Edit) -> _Patch | None:
    """The edit as a change to the lines of one record, or None when that is not safe.

    A changed record is parsed, edited and written back alone; a removed one
    loses its lines; a new one is written after the last record of its
    section.  A record removed or added is the one case the file changes
    around a record's lines, so it is done here only when its section keeps
    at least one record (an empty section is written by the whole document).
    """
    register = document.register
    if isinstance(edit, AddRecord):
        others = getattr(register, edit.section, ()) if edit.section in SECTIONS else ()
        found = _record_lines(document, others[-1]) if others else None
        if found is None:
            return None
        mini = CommentedMap()
        mini[edit.section] = CommentedSeq()
        where = mutate(mini, edit)
        lines = dump_item(document, edit.section, mini[edit.section][-1])
        return _Patch(found[1], found[1], lines, where)
    rec = register.get(edit.subject)
    if rec is None:
        return None
    if isinstance(edit, RemoveRecord) and len(getattr(register, rec.section)) < 2:
        return None
    found = _record_lines(document, rec)
    if found is None:
        return None
    start, end, mini = found
    where = mutate(mini, edit)
    lines = "" if isinstance(edit, RemoveRecord) else dump_item(document, rec.section, mini[rec.section][0])
    return _Patch(start, end, lines, where)


def _item_data(section: str, lines: str) -> dict[str, Any] | None:
    """A record's plain data as the validator reads it from the lines written for it."""
    parsed = parse(f"{section}:\n{lines}", "<edit>")
    items = parsed.data.get(section) if isinstance(parsed.data, dict) else None
    if parsed.problems or not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        return None
    return dict(items[0])


def _edited_item(doc: CommentedMap, edit: Edit, where: tuple[str, str] | None) -> CommentedMap | None:
    """The edited record's mapping in the whole document (None if it cannot be told)."""
    if where is None:
        return None
    if isinstance(edit, AddRecord):
        items = doc.get(where[0])
        return items[-1] if isinstance(items, list) and isinstance(items[-1], CommentedMap) else None
    try:
        return find_record(doc, where[1])[2]
    except UnknownRecord:
        return None


def apply_to_document(
    document: Document, edit: Edit, filename: str = "<register>", whole_file: bool = False
) -> Applied:
    """Apply an edit to a parsed, valid register and validate what it can break.

    ``document`` is updated only when the edit is accepted.  ``whole_file``
    refuses an edit that leaves the register empty (see
    :func:`~govmap.ingest.reading.guard.empty_register_problems`).

    Raises :class:`EditInvalid` (with the whole-register validation's
    messages), :class:`~govmap.ingest.errors.UnknownRecord` or
    :class:`~govmap.ingest.errors.EditRefused`.
    """
    patch = _record_patch(document, edit)
    touched = patch is None or document._doc is not None
    try:
        return _apply(document, edit, patch, filename, whole_file)
    except BaseException:
        if touched:
            document._doc = None  # the whole document may hold the refused edit: parse again when needed
        raise


def _apply(document: Document, edit: Edit, patch: _Patch | None, filename: str, whole_file: bool) -> Applied:
    after: dict[str, Any] | None = None
    if patch is not None:
        lf_text = document.text[: patch.start] + patch.lines + document.text[patch.end :]
        where = patch.where
        after = _item_data(where[0], patch.lines) if where is not None else None
        if document._doc is not None:  # keep the whole document in step with the text
            mutate(document._doc, edit)
    else:
        whole_doc = document.doc
        where = mutate(whole_doc, edit)
        lf_text = dump_document(whole_doc, document.yaml, document.text)
        item = _edited_item(whole_doc, edit, where)
        if where is not None and item is not None:
            after = _item_data(where[0], dump_item(document, where[0], item))
    new_text = lf_text.replace("\n", document.newline) if document.newline != "\n" else lf_text
    register, refused = _neighbourhood_checked(document, edit, where, after)
    refusal = _refusal(document, edit, after) if refused else None
    if refusal is not None:
        log.debug("%s: refused on its neighbourhood: %s", edit.subject, refusal.message)
        raise refusal
    if register is None or (whole_file and not any(True for _ in register.records())):
        checked = check_text(new_text, filename, whole_file=whole_file)
        if checked.register is None:
            raise edit_invalid(edit, checked.problems, new_text, where)
        if refused:  # pragma: no cover - a neighbourhood too small: the whole register decides
            log.warning(
                "%s: the neighbourhood check refused an edit the whole register accepts", edit.subject
            )
        register = checked.register
        document._named_by = None  # built again when needed
    elif document._named_by is not None:
        old = document.register.get(edit.subject) if not isinstance(edit, AddRecord) else None
        rename_in(document._named_by, old, _edited_in(register, edit, after))
    before = record_data(document.register, edit.subject)
    document.text, document.register = lf_text, register
    return Applied(
        text=new_text,
        register=register,
        before=before,
        after=record_data(register, edit.subject),
    )


def _edited_in(register: Register, edit: Edit, after: dict[str, Any] | None) -> Record | None:
    """The edited record in the register after the edit (None when removed)."""
    if after is None or isinstance(edit, RemoveRecord):
        return None
    rid = after.get("id")
    return register.get(rid) if isinstance(rid, str) else None


def _neighbourhood_checked(
    document: Document, edit: Edit, where: tuple[str, str] | None, after: dict[str, Any] | None
) -> tuple[Register | None, bool]:
    """The register after the edit if its neighbourhood accepts it, else None to decide (and word
    a refusal) on the whole register; and whether the neighbourhood refused it."""
    register = document.register
    old = register.get(edit.subject)
    if isinstance(edit, AddRecord) and old is not None:
        return None, False  # a repeated id: worded by the whole register
    if not isinstance(edit, RemoveRecord) and (where is None or after is None):
        return None, False
    try:
        new, section = edited_record(document.neighbours(), edit, old, register.info, after)
    except EditInvalid:
        return None, True
    if new is not None:
        try:
            written = SECTIONS[section].model_validate(after)
        except ValidationError:
            written = None
        if written != new:  # pragma: no cover - the neighbourhood read another record than the file holds
            log.warning("%s: the record written differs from the one checked", edit.subject)
            return None, False
    return replaced(register, old, new), False


#: Problems a neighbourhood words exactly as the whole register does: they depend on the
#: record alone, on the kind of a record it names, or (``unknown-ref``) on the ids "did you
#: mean" could suggest, which :func:`_refusal` adds to the neighbourhood.
_LOCAL = frozenset(
    {
        "unknown-key",
        "missing",
        "bad-value",
        "bad-id",
        "bad-type",
        "bad-text",
        "wrong-kind",
        "self-ref",
        "bad-dates",
        "unknown-ref",
    }
)


def _refusal(document: Document, edit: Edit, after: dict[str, Any] | None) -> EditInvalid | None:
    """The neighbourhood's refusal of an edit when it is worded exactly as the whole register's
    would be (the same problems, messages and hints, on the same form fields), else None.

    Only problems in the edited record itself, of the :data:`_LOCAL` kinds, and only for a
    record with an id (a record without one is called "#N in its section").  Everything else
    (a cycle, a repeated id, records that named a removed one) is worded by the whole register.
    """
    if after is None or not isinstance(after.get("id"), str):
        return None
    register = document.register
    old = register.get(edit.subject) if not isinstance(edit, AddRecord) else None
    try:
        edited_record(
            document.neighbours(), edit, old, register.info, after, extra=_near_misses(register, after)
        )
    except EditInvalid as exc:
        if not exc.general and all(p.code in _LOCAL for p in exc.problems):
            return exc
    return None


def _near_misses(register: Register, after: dict[str, Any]) -> set[str]:
    """For every text in the record that is no id of the register, the id of each section that
    "did you mean" would suggest for it, so that the neighbourhood's hints are the whole register's.

    Notes
    -----
    :func:`~govmap.ingest.reading.messages.did_you_mean` picks the single closest id of the kinds a
    field may name; the closest of every section is a superset of those, whatever the field.
    """
    index = register.index
    texts = {t for t in mentions(after) if t not in index}
    out: set[str] = set()
    for section in SECTIONS:
        ids = [r.id for r in getattr(register, section)]
        for text in texts:
            out.update(difflib.get_close_matches(text, ids, n=1, cutoff=0.6))
    return out


def replaced(register: Register, old: Record | None, new: Record | None) -> Register:
    """The register with ``old`` replaced by ``new`` (None: removed; ``old`` None: appended)."""
    section = (new or old).section  # type: ignore[union-attr]
    records = list(getattr(register, section))
    if old is None:
        records.append(new)
    else:
        at = next(i for i, r in enumerate(records) if r is old)
        if new is None:
            del records[at]
        else:
            records[at] = new
    fields: dict[str, Any] = {s: getattr(register, s) for s in SECTIONS}
    fields[section] = tuple(records)
    return Register.model_construct(govmap=1, info=register.info, **fields)
