"""Which fields a register form has, derived from the model: their order, labels, widgets and help.

:func:`record_fields` and :func:`link_fields` give a form its fields; turning
their text into YAML values and back is :mod:`govmap.webviz.forms`'.
"""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from govmap.ingest.model import REF_RULES, SECTIONS, Cited, Item, item_type

#: Fields edited on forms of their own, or not on forms at all.
SKIPPED = {"members", "themes", "period"}
TEXTAREAS = {"description", "purpose"}
#: A form opens with the name and the fields people change most, in this order (those a model has);
#: the other fields follow in model order, and the provenance fields close the form.
LEADING = (
    "name",
    "id",
    "member",
    "theme",
    "to",
    "role",
    "on_behalf_of",
    "kind",
    "type",
    "roles",
    "purpose",
    "description",
    "organisation",
    "holds",
    "owner",
    "areas",
    "within",
    "reports_to",
    "members",
    "themes",
    "sub_group_of",
    "accountable_to",
    "broader",
)
TRAILING = ("sources", "status")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    widget: str  # text, textarea, select, checkbox, date, ids, ref, lines, sources, choices, entries
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""
    default: Any = None
    #: A "choices" field that may also be written as one value (an area's ``kind``).
    scalar: bool = False
    #: An "entries" field: the class of one entry (a former name, a seat by sector, a field's status).
    entry: type[Cited] | None = None


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


#: Labels and examples of the lists of entries (the model says which fields are lists of entries).
ENTRY_LABELS = {
    "field_status": "Status of one field",
    "former_names": "Former names",
    "sector_members": "Seats by sector",
}
ENTRY_EXAMPLES = {
    "field_status": "{field: period.start, status: disputed, sources: [{doc: a, value: '2024'}, {doc: b, value: '2025'}]}",
    "former_names": "{name: Safer Stockport Partnership, end: 2025, id: safer-stockport}",
    "sector_members": "{sector: voluntary-sector, label: Voluntary and Community Sector, listed: 2023}",
}


def _entry_of(annotation: Any) -> type[Cited] | None:
    """The class of one entry of a list of entries (not links), or None."""
    for t in typing.get_args(annotation):
        if isinstance(t, type) and issubclass(t, Cited) and not issubclass(t, Item):
            return t
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
    if name == "delivered_by":
        return FieldSpec(
            name, "Delivered by", "ids", help="ids of the bodies that deliver this theme, separated by commas"
        )
    if name == "rules":
        return FieldSpec(
            name, "Statutory rules", "ids", help="rule ids from the rules file, separated by commas"
        )
    if name == "aliases":
        return FieldSpec(name, "Also known as", "lines", help="one name a line")
    if name == "sources":
        return FieldSpec(
            name, "Sources", "sources", help="one a line: document id, then optionally | section"
        )
    entry = _entry_of(info.annotation)
    if entry is not None:
        key = entry.entry_key
        example = ENTRY_EXAMPLES.get(name, f"{{{key}: ...}}")
        return FieldSpec(
            name,
            ENTRY_LABELS.get(name, _label(name)),
            "entries",
            help=f"one a line: the {key} alone, or all its details as {example}",
            entry=entry,
        )
    if name in TEXTAREAS:
        return FieldSpec(name, _label(name), "textarea", required=required, help=help_text)
    choices = _enum_of(info.annotation)
    if choices is not None and "tuple" in str(info.annotation):
        # Several values (an organisation's roles, an area that is two kinds): typed, comma-separated.
        values = tuple(c.value for c in choices)
        many = "one or more of the listed values, separated by commas"
        return FieldSpec(
            name,
            _label(name),
            "choices",
            values,
            required,
            f"{help_text} ({many})" if help_text else many,
            scalar=choices in typing.get_args(info.annotation),
        )
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


def form_order(names: list[str]) -> list[str]:
    """Field names in the order a form shows them: :data:`LEADING` first, :data:`TRAILING` last.

    >>> form_order(["sources", "status", "id", "name", "aliases", "kind", "purpose", "meets"])
    ['name', 'id', 'kind', 'purpose', 'aliases', 'meets', 'sources', 'status']
    """
    lead = [n for n in LEADING if n in names]
    trail = [n for n in TRAILING if n in names]
    return lead + [n for n in names if n not in lead and n not in trail] + trail


def record_fields(section: str) -> list[FieldSpec]:
    """The fields of a record form for a section, in form order (:func:`form_order`)."""
    model = SECTIONS[section]
    refs = {r.field for r in REF_RULES[model]} - {"organisation"}
    specs = [_spec(model, name, refs) for name in form_order(list(model.model_fields))]
    return [s for s in specs if s is not None]


def link_fields(field_name: str) -> list[FieldSpec]:
    """The fields of a membership, theme link or link form, in form order (:func:`form_order`)."""
    model = item_type(field_name)
    key = model.target_key
    specs = [_spec(model, name, set(), key) for name in form_order(list(model.model_fields))]
    return [s for s in specs if s is not None]


def link_field_names(section: str) -> list[str]:
    """The list fields of a record kind that have item forms (members, themes, links), in form order."""
    return form_order([r.field for r in REF_RULES[SECTIONS[section]] if r.field != "organisation"])
