"""Register forms, derived from the model: which fields, which widgets, and form text <-> YAML values.

Forms do no validation of their own beyond turning text into values (a date
that reads as one becomes a date); the register's rules (:mod:`govmap.ingest.validate`)
judge the result, and their problems come back to the fields through
:class:`~govmap.ingest.errors.EditInvalid`.  A change form sends only the fields
whose text changed, so untouched YAML stays as the reviewer wrote it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from govmap.ingest.model import ITEM_KEYS, REF_RULES, SECTIONS, Link, Membership, Record, Source, ThemeLink
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

#: Fields edited on forms of their own, or not on forms at all.
SKIPPED = {"members", "themes", "period"}
TEXTAREAS = {"description", "purpose"}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    widget: str  # text, textarea, select, checkbox, date, ids, ref, lines, sources
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    default: Any = None


def _enum_of(annotation: Any) -> type[enum.Enum] | None:
    todo = [annotation]
    while todo:
        t = todo.pop()
        if isinstance(t, type) and issubclass(t, enum.Enum):
            return t
        todo.extend(typing.get_args(t))
        if isinstance(t, types.UnionType):
            todo.extend(t.__args__)
    return None


def _has_date(annotation: Any) -> bool:
    return "date" in str(annotation)


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _spec(
    model: type[BaseModel], name: str, ref_fields: set[str], key: str | None = None
) -> FieldSpec | None:
    info = model.model_fields[name]
    help_text = info.description or ""
    default = None if info.default is PydanticUndefined else info.default
    required = info.is_required()
    if name in SKIPPED:
        return None
    if name == key:
        return FieldSpec(name, _label(name), "ref", required=True, help="an id; start typing a name")
    if name in ref_fields:
        return FieldSpec(name, _label(name), "ids", help=help_text or "ids, separated by commas")
    if name == "organisation":
        return FieldSpec(name, _label(name), "ref", required=required, help="id of an organisation")
    if name == "on_behalf_of":
        return FieldSpec(
            name, "On behalf of", "ref", help="id of the organisation a post or person represents"
        )
    if name == "aliases":
        return FieldSpec(name, "Also known as", "lines", help="one name a line")
    if name == "sources":
        return FieldSpec(
            name, "Sources", "sources", help="one a line: document id, then optionally | section"
        )
    if name in TEXTAREAS:
        return FieldSpec(name, _label(name), "textarea", required=required, help=help_text)
    choices = _enum_of(info.annotation)
    if choices is not None:
        values = tuple(c.value for c in choices)
        default_value = default.value if isinstance(default, enum.Enum) else default
        return FieldSpec(name, _label(name), "select", values, required, help_text, default_value)
    if info.annotation is bool:
        return FieldSpec(name, _label(name), "checkbox", help=help_text, default=default)
    if _has_date(info.annotation):
        return FieldSpec(
            name,
            _label(name),
            "date",
            help="YYYY-MM-DD" + (" or a year" if "int" in str(info.annotation) else ""),
        )
    return FieldSpec(name, _label(name), "text", required=required, help=help_text)


def record_fields(section: str) -> list[FieldSpec]:
    """The fields of a record form for a section."""
    model = SECTIONS[section]
    refs = {r.field for r in REF_RULES[model]} - {"organisation"}
    specs = [_spec(model, name, refs) for name in model.model_fields]
    return [s for s in specs if s is not None]


def item_model(field_name: str) -> type[BaseModel]:
    return {"members": Membership, "themes": ThemeLink}.get(field_name, Link)


def link_fields(field_name: str) -> list[FieldSpec]:
    """The fields of a membership, theme link or link form."""
    model = item_model(field_name)
    key = ITEM_KEYS.get(field_name, "to")
    specs = [_spec(model, name, set(), key) for name in model.model_fields]
    return [s for s in specs if s is not None]


def link_field_names(section: str) -> list[str]:
    """The list fields of a record kind that have item forms (members, themes, links)."""
    return [r.field for r in REF_RULES[SECTIONS[section]] if r.field != "organisation"]


# -- values -> form text -------------------------------------------------------


def _text(spec: FieldSpec, value: Any) -> Any:
    if spec.widget == "checkbox":
        return bool(value)
    if value is None or value == ():
        return ""
    if spec.widget == "ids":
        return ", ".join(_target(v) for v in value)
    if spec.widget == "lines":
        return "\n".join(value)
    if spec.widget == "sources":
        return "\n".join(s.doc + (f" | {s.section}" if s.section else "") for s in value)
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


def _target(item: Any) -> str:
    if isinstance(item, Membership):
        return item.member
    if isinstance(item, ThemeLink):
        return item.theme
    if isinstance(item, Link):
        return item.to
    return str(item)


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
    return {s.name: (s.name in form) if s.widget == "checkbox" else form.get(s.name, "") for s in specs}


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


def value_of(spec: FieldSpec, raw: Any, old: Any = None) -> Any:
    """Form text -> the value to write in the YAML (None: leave the key out)."""
    if spec.widget == "checkbox":
        return True if raw else None
    text = str(raw or "").replace("\r\n", "\n").strip()
    if not text:
        return None
    if spec.widget == "ids":
        return [t for t in re.split(r"[\s,]+", text) if t]
    if spec.widget == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if spec.widget == "sources":
        return _sources(text, old or ())
    if spec.widget == "date":
        return _date(text)
    if spec.widget == "select" and text == spec.default:
        return None
    return text


def new_record(section: str, form: Mapping[str, str]) -> dict[str, Any]:
    """The data of a new record from its form, in model field order."""
    data: dict[str, Any] = {}
    for spec in record_fields(section):
        value = value_of(spec, form.get(spec.name) if spec.widget != "checkbox" else spec.name in form)
        if value is not None:
            data[spec.name] = value[0] if spec.widget == "ids" and len(value) == 1 else value
    return data


def record_changes(section: str, rec: Record, form: Mapping[str, str]) -> dict[str, Any]:
    """Only the fields whose text differs from the record's: key -> new value (None removes)."""
    changes: dict[str, Any] = {}
    before = initial(record_fields(section), rec)
    for spec in record_fields(section):
        if spec.name == "id":
            continue  # ids are fixed: other records refer to them
        raw = (spec.name in form) if spec.widget == "checkbox" else form.get(spec.name, "")
        if _same(spec, raw, before[spec.name]):
            continue
        changes[spec.name] = value_of(spec, raw, getattr(rec, spec.name, None))
    return changes


def _same(spec: FieldSpec, raw: Any, old: Any) -> bool:
    if spec.widget == "checkbox":
        return bool(raw) == bool(old)
    norm = str(raw or "").replace("\r\n", "\n").strip()
    return norm == str(old or "").strip()


def link_value(field_name: str, form: Mapping[str, str], old: BaseModel | None = None) -> dict[str, Any]:
    """A membership, theme link or link from its form, in the YAML shape."""
    out: dict[str, Any] = {}
    for spec in link_fields(field_name):
        value = value_of(spec, form.get(spec.name), getattr(old, spec.name, None) if old else None)
        if value is not None:
            out[spec.name] = value
    return out
