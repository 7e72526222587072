"""Editing a register file: one change at a time, validated, written atomically, audited.

An *edit* is a small value (:class:`AddRecord`, :class:`ChangeRecord`,
:class:`RemoveRecord`, :class:`AddLink`, :class:`ChangeLink`,
:class:`RemoveLink`); a membership is a link in a body's ``members`` and a
theme link one in ``themes``.  :func:`apply_edit` applies an edit to register
*text* with ruamel.yaml's round-trip mode, so comments, key order, quoting and
flow style of everything the edit does not touch stay as the reviewer wrote
them, then validates the new text with the same rules as ``govmap validate``
(:func:`~govmap.ingest.load.check_text`).  An edit that would make the register
invalid raises :class:`EditInvalid`, whose problems are mapped to the fields of
the form that made the edit.

Writing (:func:`write_atomic`) goes through a temporary file in the same folder,
``fsync`` and ``os.replace``, so a reader sees the old file or the new one,
never half of one.  The version token of a register is the SHA-256 of its
bytes (:func:`version_of`); :class:`~govmap.ingest.store.YamlStore` refuses an
edit made against a stale token with :class:`EditConflict` and appends every
change to an audit log (:class:`AuditEntry`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .errors import EditInvalid, EditRefused, Level, Problem, UnknownRecord
from .load import check_text
from .model import ITEM_KEYS, REF_RULES, SECTIONS, Record, Register
from .roundtrip import _dump, _load, _newline, _plain, _short, _yaml
from .validate import did_you_mean
from .yamlsafe import parse

# -- edits -------------------------------------------------------------------


@dataclass(frozen=True)
class AddRecord:
    """Append a record to a section (``bodies``, ``themes`` ...)."""

    section: str
    data: Mapping[str, Any]

    @property
    def subject(self) -> str:
        return str(self.data.get("id", ""))

    def describe(self) -> str:
        return f"add {_word(self.section)} '{self.subject}'"


@dataclass(frozen=True)
class ChangeRecord:
    """Set keys of a record; a value of ``None`` (or empty) removes the key.

    Setting a link field (``reports_to``, ``areas`` ...) to a list of bare ids
    keeps the details (sources, notes, dates) of the links that stay.
    """

    id: str
    changes: Mapping[str, Any]

    @property
    def subject(self) -> str:
        return self.id

    def describe(self) -> str:
        return f"change {', '.join(self.changes) or 'nothing'} of '{self.id}'"


@dataclass(frozen=True)
class RemoveRecord:
    id: str

    @property
    def subject(self) -> str:
        return self.id

    def describe(self) -> str:
        return f"remove '{self.id}'"


@dataclass(frozen=True)
class AddLink:
    """Append an item to a list field: a membership (``members``), a theme link
    (``themes``) or a link (``reports_to``, ``areas`` ...).  ``value`` is a bare
    id or a mapping in the YAML shape."""

    record: str
    field: str
    value: Any

    @property
    def subject(self) -> str:
        return self.record

    def describe(self) -> str:
        return f"add {_item_word(self.field)} '{_target(self.field, self.value)}' to '{self.record}'"


@dataclass(frozen=True)
class ChangeLink:
    record: str
    field: str
    index: int
    value: Any

    @property
    def subject(self) -> str:
        return self.record

    def describe(self) -> str:
        return f"change {_item_word(self.field)} #{self.index + 1} of '{self.record}'"


@dataclass(frozen=True)
class RemoveLink:
    record: str
    field: str
    index: int

    @property
    def subject(self) -> str:
        return self.record

    def describe(self) -> str:
        return f"remove {_item_word(self.field)} #{self.index + 1} from '{self.record}'"


Edit = AddRecord | ChangeRecord | RemoveRecord | AddLink | ChangeLink | RemoveLink


def _word(section: str) -> str:
    from .validate import _WORD

    return _WORD.get(section, section)


def _item_word(field_name: str) -> str:
    return {"members": "membership", "themes": "theme link"}.get(field_name, f"{field_name} link")


def _target(field_name: str, value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get(ITEM_KEYS.get(field_name, "to"), ""))
    return str(value)


def _find(doc: CommentedMap, record_id: str) -> tuple[str, int, CommentedMap]:
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
            f"'{field_name}' is not a list of links of a {_word(section)}", hint=f"allowed: {allowed}"
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
    by_target = {_target(field_name, o): o for o in old}
    merged = [by_target.get(_target(field_name, n), _short(field_name, n)) for n in new]
    if flow:
        seq = CommentedSeq(merged)
        seq.fa.set_flow_style()
        return seq
    return CommentedSeq(merged)


def _mutate(doc: CommentedMap, edit: Edit) -> tuple[str, str] | None:
    """Apply the edit to the document; return (section, id) of the record it leaves behind."""
    if isinstance(edit, AddRecord):
        if edit.section not in SECTIONS:
            raise EditRefused(f"unknown section '{edit.section}'", hint=did_you_mean(edit.section, SECTIONS))
        if edit.section not in doc or doc[edit.section] is None:
            doc[edit.section] = CommentedSeq()
        doc[edit.section].append(_plain(edit.data))
        return edit.section, edit.subject
    section, i, item = _find(doc, edit.subject)
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
                item[key] = _plain(value)
        return section, edit.id
    seq = _list_field(item, section, edit.field, edit.subject)
    if isinstance(edit, AddLink):
        seq.append(_short(edit.field, edit.value))
        return section, edit.record
    if not 0 <= edit.index < len(seq):
        raise UnknownRecord(f"'{edit.record}' has no {_item_word(edit.field)} #{edit.index + 1}")
    if isinstance(edit, ChangeLink):
        seq[edit.index] = _short(edit.field, edit.value)
    else:
        del seq[edit.index]
    if not seq:
        del item[edit.field]
    return section, edit.record


# -- applying and validating ---------------------------------------------------


@dataclass
class Applied:
    """The outcome of :func:`apply_edit`: the new text and register, and the record before and after."""

    text: str
    register: Register
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    warnings: list[Problem] = field(default_factory=list)


def record_data(register: Register | None, record_id: str) -> dict[str, Any] | None:
    """A record as plain JSON data in the YAML shape, or None."""
    rec = register.get(record_id) if register is not None else None
    return rec.model_dump(mode="json", exclude_defaults=True) if rec is not None else None


def _form_field(edit: Edit, problem_field: str | None) -> str | None:
    """The form field a problem belongs to, from its dotted path inside the record."""
    if not problem_field:
        return None
    parts = problem_field.split(".")
    if isinstance(edit, AddLink | ChangeLink):
        index = edit.index if isinstance(edit, ChangeLink) else None
        if parts[0] != edit.field or len(parts) < 2:
            return None
        if index is not None and parts[1] != str(index):
            return None
        if len(parts) == 2:
            return ITEM_KEYS.get(edit.field, "to")
        return parts[2]
    return parts[0]


def _record_lines(text: str, section: str, record_id: str, last: bool = False) -> tuple[int, float] | None:
    """First and last line (exclusive) of a record in register text.

    The record is found by its id, or with ``last`` as the last of its section
    (a new record, which may have no id yet).
    """
    parsed = parse(text, "<register>")
    items = parsed.data.get(section) if isinstance(parsed.data, dict) else None
    if not isinstance(items, list):
        return None
    starts = sorted(span.line for span in parsed.item_spans.values())
    for (sec, i), span in parsed.item_spans.items():
        if sec != section or not isinstance(items[i], dict):
            continue
        if (i == len(items) - 1) if last else items[i].get("id") == record_id:
            later = [s for s in starts if s > span.line]
            return span.line, (later[0] if later else float("inf"))
    return None


# The validator places a missing key at the mapping that lacks it; the key is in the message.
_MISSING_KEY = re.compile(r"missing required key '([^']+)'$")


def _problem_field(p: Problem) -> str | None:
    """The dotted path of a problem inside its record, down to the missing key if one is missing."""
    m = _MISSING_KEY.search(p.message) if p.code == "missing" else None
    if m is None:
        return p.field
    return f"{p.field}.{m.group(1)}" if p.field else m.group(1)


def _invalid(edit: Edit, problems: list[Problem], text: str, where: tuple[str, str] | None) -> EditInvalid:
    errors = [p for p in problems if p.level is Level.ERROR]
    lines = _record_lines(text, *where, last=isinstance(edit, AddRecord)) if where else None
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    for p in errors:
        name = None
        if lines and p.span and lines[0] <= p.span.line < lines[1]:
            name = _form_field(edit, _problem_field(p))
        message = p.message + (f" ({p.hint})" if p.hint else "")
        if name:
            fields.setdefault(name, []).append(message)
        else:
            general.append(message)
    return EditInvalid(errors, fields, general)


def apply_edit(text: str, edit: Edit, filename: str = "<register>") -> Applied:
    """Apply one edit to register text and validate the result.

    Parameters
    ----------
    text : str
        The register as it is now (valid).
    edit : Edit
        What to change.
    filename : str
        Used in problem positions.

    Returns
    -------
    Applied
        The new text, the new register, and the edited record before and after.

    Raises
    ------
    EditInvalid
        The new register would break a rule; ``fields`` says where on the form.
    UnknownRecord, EditRefused
        The edit names something that is not there.

    Examples
    --------
    >>> text = "bodies:\\n  - id: board  # the top\\n    name: Board\\n    kind: board\\n"
    >>> print(apply_edit(text, ChangeRecord("board", {"name": "County Board"})).text, end="")
    bodies:
      - id: board  # the top
        name: County Board
        kind: board
    """
    before_check = check_text(text, filename)
    # ruamel loses blank lines of CRLF text: edit with LF, then write the file's own line ends.
    newline = _newline(text)
    lf_text = text.replace("\r\n", "\n") if newline != "\n" else text
    y = _yaml(lf_text)
    doc = _load(lf_text, y)
    where = _mutate(doc, edit)
    new_text = _dump(doc, y, lf_text, newline)
    checked = check_text(new_text, filename)
    if checked.register is None:
        # Only errors the edit caused: a register already broken elsewhere is not this form's fault.
        old = {(p.code, p.message) for p in before_check.errors}
        new = [p for p in checked.problems if (p.code, p.message) not in old]
        raise _invalid(edit, new or checked.problems, new_text, where)
    return Applied(
        text=new_text,
        register=checked.register,
        before=record_data(before_check.register, edit.subject),
        after=record_data(checked.register, edit.subject),
        warnings=checked.warnings,
    )


def record_model(section: str) -> type[Record]:
    """The record class of a section, or an error naming the sections."""
    try:
        return SECTIONS[section]
    except KeyError:
        raise UnknownRecord(f"no section '{section}'", hint=did_you_mean(section, SECTIONS)) from None
