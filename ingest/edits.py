"""Editing a register file: one change at a time, validated, written atomically, audited.

An *edit* is a small value (:class:`AddRecord`, :class:`ChangeRecord`,
:class:`RemoveRecord`, :class:`AddLink`, :class:`ChangeLink`,
:class:`RemoveLink`, defined in :mod:`.edit_values`); a membership is a link in
a body's ``members`` and a theme link one in ``themes``.  :func:`apply_edit`
applies an edit (:func:`.mutate.mutate`) to register *text* with ruamel.yaml's
round-trip mode, so comments, key order, quoting and flow style of everything
the edit does not touch stay as the reviewer wrote them, then validates the new
text with the same rules as ``govmap validate``
(:func:`~govmap.ingest.load.check_text`).  An edit that would make the register
invalid raises :class:`EditInvalid`, whose problems are mapped to the fields of
the form that made the edit.

Writing (:func:`write_atomic`) goes through a temporary file in the same folder,
``fsync`` and ``os.replace``, so a reader sees the old file or the new one,
never half of one.  An edit carries the version of the record it touches
(:func:`~govmap.ingest.model.record_version`, or :data:`ABSENT` for a new
record); :class:`~govmap.ingest.store.YamlStore` refuses it with
:class:`EditConflict` only when *that* record changed, and appends every change
to an audit log (:class:`AuditEntry`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .edit_values import AddLink, AddRecord, ChangeLink, ChangeRecord, Edit, RemoveLink

# Re-exported: webviz/views/edit.py and bench/ import the edit values from here.
from .edit_values import RemoveRecord as RemoveRecord
from .errors import EditInvalid, EditRefused, Level, Problem, UnknownRecord
from .load import check_text
from .messages import did_you_mean
from .model import SECTIONS, Record, Register, item_type
from .mutate import find_record, mutate
from .roundtrip import _dump, _load, _newline, _yaml
from .yamlsafe import parse

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
            return item_type(edit.field).target_key
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


#: The version an add form carries: the id must not exist yet.
ABSENT = "absent"
_TOKEN = re.compile(r"^(?:[0-9a-f]{64}|absent)$")


def check_version_token(token: str | None) -> str:
    """The version token a form sent, or :class:`EditRefused` (400) when it is missing or garbage.

    A token is a record's :func:`~govmap.ingest.model.record_version` (64 hex
    digits), a register's version, or :data:`ABSENT` for a new record.  A
    malformed one is not "changed by someone else": it is a broken form.
    """
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise EditRefused(
            "the form carries no valid version token, so govmap cannot tell what it was opened on; "
            "nothing was saved",
            hint="reload the page and make the change again",
        )
    return token


@dataclass
class Document:
    """A register's text parsed for round-trip editing, kept between edits (the slow part is parsing).

    ``register`` is the validated register of ``text``.
    """

    text: str
    register: Register
    doc: CommentedMap
    yaml: Any
    newline: str

    @classmethod
    def parse(cls, text: str, register: Register) -> Document:
        # ruamel loses blank lines of CRLF text: edit with LF, then write the file's own line ends.
        newline = _newline(text)
        lf_text = text.replace("\r\n", "\n") if newline != "\n" else text
        y = _yaml(lf_text)
        return cls(lf_text, register, _load(lf_text, y), y, newline)


def _lines(text: str) -> list[str]:
    """Lines with their ``\n`` (and no other line end: U+2028 is text to YAML)."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    return out + [parts[-1]] if parts[-1] else out


def _dump_item(document: Document, section: str, item: CommentedMap) -> str:
    """One record as the whole document would write it: its lines, without the section key."""
    wrapper = CommentedMap()
    wrapper[section] = CommentedSeq([item])
    out = io.StringIO()
    document.yaml.dump(wrapper, out)
    return out.getvalue().split("\n", 1)[1]


def _block(lines: list[str], record_id: str) -> tuple[int, int] | None:
    """The lines (0-based, end exclusive) a record written ``- id: ...`` spans: from that line to
    the next item of its list or the next top-level key (comments between them included)."""
    head = re.compile(rf"^( *)- +id: *(['\"]?){re.escape(record_id)}\2 *(?:#.*)?\n?$")
    found = [(n, m) for n, line in enumerate(lines) if (m := head.match(line))]
    if len(found) != 1:
        return None
    start, m = found[0]
    sibling = m.group(1) + "-"
    for n in range(start + 1, len(lines)):
        line = lines[n]
        if _TOP_KEY.match(line) or (
            line.startswith(sibling) and line[len(sibling) : len(sibling) + 1] in (" ", "\n")
        ):
            return start, n
    return start, len(lines)


_TOP_KEY = re.compile(r"[^\s#-]")


def _splice_point(document: Document, edit: Edit) -> tuple[tuple[int, int], str, CommentedMap] | None:
    """Where to write an edited record back without dumping the whole document (the slow part
    of a save), or None.  Only when dumping the record *before* the edit gives back exactly
    its lines in the file: then dumping it after the edit changes nothing else either."""
    if not isinstance(edit, ChangeRecord | AddLink | ChangeLink | RemoveLink):
        return None
    try:
        section, _, item = find_record(document.doc, edit.subject)
    except UnknownRecord:
        return None
    lines = _lines(document.text)
    block = _block(lines, edit.subject)
    if block is None:
        return None
    if "".join(lines[block[0] : block[1]]) != _dump_item(document, section, item):
        return None
    return block, section, item


def apply_to_document(
    document: Document, edit: Edit, filename: str = "<register>", whole_file: bool = False
) -> Applied:
    """Apply an edit to a parsed, valid register in place and validate the whole result.

    The document is changed even when the edit is refused: discard it then.
    ``whole_file`` refuses an edit that leaves the register empty (see
    :func:`~govmap.ingest.guard.empty_register_problems`).
    """
    splice = _splice_point(document, edit)
    where = mutate(document.doc, edit)
    if splice is not None:
        (start, end), section, item = splice
        lines = _lines(document.text)
        lf_text = "".join(lines[:start]) + _dump_item(document, section, item) + "".join(lines[end:])
    else:
        lf_text = _dump(document.doc, document.yaml, document.text)
    new_text = lf_text.replace("\n", document.newline) if document.newline != "\n" else lf_text
    checked = check_text(new_text, filename, whole_file=whole_file)
    if checked.register is None:
        raise _invalid(edit, checked.problems, new_text, where)
    before = record_data(document.register, edit.subject)
    document.text, document.register = lf_text, checked.register
    return Applied(
        text=new_text,
        register=checked.register,
        before=before,
        after=record_data(checked.register, edit.subject),
        warnings=checked.warnings,
    )


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
    where = mutate(doc, edit)
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
