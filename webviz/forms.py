"""Register forms: form text <-> YAML values, for the fields :mod:`govmap.webviz.form_fields` gives.

Forms do no validation of their own beyond turning text into values (a date
that reads as one becomes a date); the register's rules (:mod:`govmap.ingest.reading.validate`)
judge the result, and their problems come back to the fields through
:class:`~govmap.ingest.errors.EditInvalid`.  Typed text is cleaned here, at the
edge (:func:`~govmap.ingest.text.clean_text`).  A change form sends only the
fields whose text changed, so untouched YAML stays as the reviewer wrote it; a
field left out of a POST is unchanged, and one sent empty is deleted.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from govmap.ingest.errors import EditInvalid, Problem
from govmap.ingest.model import SECTIONS, Cited, Item, Record, Source, item_type
from govmap.ingest.text import TextRefused, clean_text

from .form_fields import ENTRY_EXAMPLES, FieldSpec, link_fields, record_fields


def _yaml_order(specs: list[FieldSpec], model: type[BaseModel]) -> list[FieldSpec]:
    """Specs in the order new YAML is written in: model order, with ``status`` and ``sources``
    last, as registers are written by hand (``- id: x``, ``name: ...``, ..., ``sources: [...]``)."""
    names = list(model.model_fields)
    tail = ("status", "sources")
    rank = {n: i for i, n in enumerate([n for n in names if n not in tail] + list(tail))}
    return sorted(specs, key=lambda s: rank[s.name])


# -- values -> form text -------------------------------------------------------


def _text(spec: FieldSpec, value: Any) -> Any:
    if spec.widget == "checkbox":
        return bool(value)
    if value is None or value == ():
        return ""
    if spec.widget == "ids":
        return ", ".join(_target(v) for v in value)
    if spec.widget == "choices":
        return ", ".join(
            str(getattr(v, "value", v)) for v in (value if isinstance(value, tuple) else (value,))
        )
    if spec.widget == "lines":
        return "\n".join(value)
    if spec.widget == "sources":
        return "\n".join(s.doc + (f" | {s.section}" if s.section else "") for s in value)
    if spec.widget == "entries":
        return "\n".join(_entry_line(e) for e in value)
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


def _entry_line(entry: Cited) -> str:
    """One entry as a form line: its key alone when that is all it says, else YAML flow text."""
    from govmap.ingest.store.dump import entry_data, flow_text

    data = entry_data(entry.model_dump(mode="json", exclude_defaults=True))
    key = entry.entry_key
    if key is not None and list(data) == [key] and isinstance(data[key], str) and "\n" not in data[key]:
        text: str = data[key]
        if not text.startswith(("{", "[")):
            return text
    return flow_text(data)


def _entries(spec: FieldSpec, text: str) -> list[Any]:
    """Form lines -> entries: a line in braces is read as YAML (safely); any other is the entry's key."""
    from govmap.ingest.reading.yamlsafe import parse

    key = spec.entry.entry_key if spec.entry else None
    out: list[Any] = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if not line.startswith("{"):
            out.append({key: line} if key else line)
            continue
        parsed = parse(line, f"{spec.name} line {n}")
        if parsed.problems or not isinstance(parsed.data, dict):
            raise TextRefused(
                f"{spec.label}: line {n} is not a mapping like {ENTRY_EXAMPLES.get(spec.name, '{...}')}",
                field=spec.name,
            )
        out.append(parsed.data)
    return out


def _target(item: Any) -> str:
    return item.target if isinstance(item, Item) else str(item)


def initial(specs: list[FieldSpec], obj: BaseModel | None) -> dict[str, Any]:
    """Form text for a record or item (or the defaults, for a new one)."""
    if obj is None:
        return {
            s.name: (s.default if s.widget in ("select", "checkbox") and s.default is not None else "")
            for s in specs
        }
    return {s.name: _text(s, getattr(obj, s.name, None)) for s in specs}


def submitted(specs: list[FieldSpec], form: Mapping[str, str]) -> dict[str, Any]:
    """The raw form text, to show a refused form again exactly as it was sent."""
    return {s.name: _raw(s, form) for s in specs}


# -- form text -> values -------------------------------------------------------

_YEAR = re.compile(r"^\d{4}$")


def _date(text: str) -> Any:
    if _YEAR.match(text):
        return int(text)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text  # the register's rules say what is wrong with it, at the field


def _sources(text: str, old: tuple[Source, ...]) -> list[dict[str, Any]]:
    by_key = {(s.doc, s.section or ""): s for s in old}
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        doc, _, section = (p.strip() for p in line.partition("|"))
        kept = by_key.get((doc, section))
        out.append(
            kept.model_dump(mode="json", exclude_none=True)
            if kept
            else {"doc": doc, **({"section": section} if section else {})}
        )
    return out


def _multiline(spec: FieldSpec) -> bool:
    return spec.widget in ("textarea", "lines", "sources", "entries")


def value_of(spec: FieldSpec, raw: Any, old: Any = None) -> Any:
    """Form text -> the value to write in the YAML (None: leave the key out).

    The text is cleaned at this edge (:func:`~govmap.ingest.text.clean_text`):
    line separators become newlines or spaces, control characters are refused
    (:class:`~govmap.ingest.text.TextRefused`, naming the field).
    """
    if spec.widget == "checkbox":
        return True if raw else None
    text = clean_text(str(raw or ""), spec.name, _multiline(spec))
    if not text:
        return None
    if spec.widget == "ids":
        return [t for t in re.split(r"[\s,]+", text) if t]
    if spec.widget == "choices":
        parts = [t for t in re.split(r"[\s,]+", text) if t]
        return parts[0] if spec.scalar and len(parts) == 1 else parts
    if spec.widget == "lines":
        return [line.strip() for line in text.split("\n") if line.strip()]
    if spec.widget == "sources":
        return _sources(text, old or ())
    if spec.widget == "entries":
        return _entries(spec, text)
    if spec.widget == "date":
        return _date(text)
    if spec.widget == "select" and text == spec.default:
        return None
    return text


def _checked(form: Mapping[str, str], name: str) -> bool:
    """A checkbox is ticked; the form sends a hidden empty value of the same name before it."""
    getlist = getattr(form, "getlist", None)
    values = getlist(name) if getlist else [form.get(name)]
    return any(v not in (None, "") for v in values)


def _posted(spec: FieldSpec, form: Mapping[str, str]) -> bool:
    """The form sent this field.  A field left out of a POST means "unchanged", never "delete":
    deleting is explicit, by sending the field empty (a checkbox sends its hidden empty value)."""
    return spec.name in form


def _raw(spec: FieldSpec, form: Mapping[str, str]) -> Any:
    return _checked(form, spec.name) if spec.widget == "checkbox" else form.get(spec.name, "")


class _Fields:
    """Text refused at the edge, gathered field by field, raised together as one :class:`EditInvalid`."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.problems: list[Problem] = []

    def value(self, spec: FieldSpec, raw: Any, old: Any = None) -> Any:
        try:
            return value_of(spec, raw, old)
        except TextRefused as exc:
            self.fields.setdefault(spec.name, []).append(exc.message)
            self.problems.append(Problem(exc.message, field=spec.name, code="bad-text"))
            return None

    def check(self) -> None:
        if self.problems:
            raise EditInvalid(self.problems, self.fields, [])


def new_record(section: str, form: Mapping[str, str]) -> dict[str, Any]:
    """The data of a new record from its form, in the order YAML is written (:func:`_yaml_order`)."""
    data: dict[str, Any] = {}
    fields = _Fields()
    for spec in _yaml_order(record_fields(section), SECTIONS[section]):
        value = fields.value(spec, _raw(spec, form))
        if value is not None:
            data[spec.name] = value[0] if spec.widget == "ids" and len(value) == 1 else value
    fields.check()
    return data


def record_changes(section: str, rec: Record, form: Mapping[str, str]) -> dict[str, Any]:
    """Only the fields sent whose text differs from the record's: key -> new value (None removes)."""
    changes: dict[str, Any] = {}
    before = initial(record_fields(section), rec)
    fields = _Fields()
    for spec in record_fields(section):
        if spec.name == "id" or not _posted(spec, form):
            continue  # ids are fixed: other records refer to them
        raw = _raw(spec, form)
        if _same(spec, raw, before[spec.name]):
            continue
        changes[spec.name] = fields.value(spec, raw, getattr(rec, spec.name, None))
    fields.check()
    return changes


def _same(spec: FieldSpec, raw: Any, old: Any) -> bool:
    if spec.widget == "checkbox":
        return bool(raw) == bool(old)
    try:
        norm = clean_text(str(raw or ""), spec.name, _multiline(spec))
    except TextRefused:
        return False
    return norm == str(old or "").strip()


def link_value(field_name: str, form: Mapping[str, str], old: BaseModel | None = None) -> dict[str, Any]:
    """A membership, theme link or link from its form, in the YAML shape.

    Changing a link (``old`` given), a field left out of the POST keeps its value.
    """
    out: dict[str, Any] = {}
    kept = old.model_dump(mode="json", exclude_defaults=True) if old is not None else {}
    fields = _Fields()
    for spec in _yaml_order(link_fields(field_name), item_type(field_name)):
        if old is not None and not _posted(spec, form):
            if spec.name in kept:
                out[spec.name] = kept[spec.name]
            continue
        value = fields.value(spec, _raw(spec, form), getattr(old, spec.name, None) if old else None)
        if value is not None:
            out[spec.name] = value
    fields.check()
    return out
