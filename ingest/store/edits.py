"""Editing a register file: one change at a time, validated, written atomically, audited.

An *edit* is a small value (:class:`AddRecord`, :class:`ChangeRecord`,
:class:`RemoveRecord`, :class:`AddLink`, :class:`ChangeLink`,
:class:`RemoveLink`, defined in :mod:`govmap.ingest.store.edit_values`); a membership is a link in
a body's ``members`` and a theme link one in ``themes``.  :func:`apply_edit`
applies an edit (:func:`govmap.ingest.store.mutate.mutate`) to register *text* with ruamel.yaml's
round-trip mode, so comments, key order, quoting and flow style of everything
the edit does not touch stay as the reviewer wrote them, then validates the new
text with the same rules as ``govmap validate``
(:func:`~govmap.ingest.reading.load.check_text`).  An edit that would make the register
invalid raises :class:`EditInvalid`, whose problems are mapped to the fields of
the form that made the edit.

Writing (:func:`write_atomic`) goes through a temporary file in the same folder,
``fsync`` and ``os.replace``, so a reader sees the old file or the new one,
never half of one.  An edit carries the version of the record it touches
(:func:`~govmap.ingest.model.record_version`, or :data:`ABSENT` for a new
record); :class:`~govmap.ingest.store.yamlstore.YamlStore` refuses it with
:class:`EditConflict` only when *that* record changed, and appends every change
to an audit log (:class:`AuditEntry`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from govmap.ingest.errors import EditInvalid, EditRefused, Level, Problem, UnknownRecord
from govmap.ingest.model import SECTIONS, Record, Register, item_type
from govmap.ingest.reading.load import check_text
from govmap.ingest.reading.messages import did_you_mean
from govmap.ingest.reading.yamlsafe import parse
from govmap.ingest.store.edit_values import AddLink, AddRecord, ChangeLink, Edit

# Re-exported: webviz/views/edit.py and bench/ import the edit values from here.
from govmap.ingest.store.edit_values import ChangeRecord as ChangeRecord
from govmap.ingest.store.edit_values import RemoveLink as RemoveLink
from govmap.ingest.store.edit_values import RemoveRecord as RemoveRecord
from govmap.ingest.store.mutate import mutate
from govmap.ingest.store.roundtrip import (
    dump_document,
    line_ending,
    load_document,
    record_block,
    round_trip_yaml,
)

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
    block = None if last else record_block(text, record_id)
    if block is not None:  # found without parsing the whole text again
        end = text.count("\n", 0, block[1]) + 1 if block[1] < len(text) else float("inf")
        return text.count("\n", 0, block[0]) + 1, end
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


def edit_invalid(
    edit: Edit, problems: list[Problem], text: str, where: tuple[str, str] | None
) -> EditInvalid:
    """The :class:`EditInvalid` for an edit's problems: each error under the form field it is
    about when it falls in the record's lines (``where`` is its section and id), else general."""
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


def dump_item(document: Any, section: str, item: CommentedMap) -> str:
    """One record as the whole document would write it: its lines, without the section key.

    ``document`` is anything with the round-trip ``yaml`` settings of the file
    (a :class:`~govmap.ingest.store.patch.Document`).
    """
    wrapper = CommentedMap()
    wrapper[section] = CommentedSeq([item])
    out = io.StringIO()
    document.yaml.dump(wrapper, out)
    return out.getvalue().split("\n", 1)[1]


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
    newline = line_ending(text)
    lf_text = text.replace("\r\n", "\n") if newline != "\n" else text
    y = round_trip_yaml(lf_text)
    doc = load_document(lf_text, y)
    where = mutate(doc, edit)
    new_text = dump_document(doc, y, lf_text, newline)
    checked = check_text(new_text, filename)
    if checked.register is None:
        # Only errors the edit caused: a register already broken elsewhere is not this form's fault.
        old = {(p.code, p.message) for p in before_check.errors}
        new = [p for p in checked.problems if (p.code, p.message) not in old]
        raise edit_invalid(edit, new or checked.problems, new_text, where)
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
