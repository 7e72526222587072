"""One record against its model: pydantic's errors as problems a reviewer reads.

Unknown keys with "did you mean", missing keys, values outside a vocabulary, ids
that are not slugs, wrong types; and what can still be checked of a record that
failed (:func:`salvage`), so its references are checked all the same.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from govmap.ingest.model import (
    REF_RULES,
    SLUG_RE,
    Record,
)
from govmap.ingest.reading.messages import Pending, did_you_mean, dotted_loc, quote
from govmap.ingest.reading.yamlsafe import Path


def _nested_model(model: type[BaseModel], name: Any) -> type[BaseModel] | None:
    """The model class of a field's items (``members`` -> Membership)."""
    info = model.model_fields.get(name) if isinstance(name, str) else None
    if info is None and isinstance(name, str):
        for f in model.model_fields.values():
            if f.alias == name:
                info = f
    if info is None:
        return None
    todo = [info.annotation]
    while todo:
        t = todo.pop()
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
        todo.extend(typing.get_args(t))
        if isinstance(t, types.UnionType):
            todo.extend(t.__args__)
    return None


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        model = _nested_model(model, part)
    return model


#: The names pydantic adds to an error's location for the member of a union it tried.
_UNION_TAGS = ("int", "date", "str")


def _clean_loc(model: type[BaseModel], loc: tuple[Any, ...], kind: str) -> tuple[Any, ...]:
    """The location a reviewer wrote: without pydantic's union tags (``('start', 'date')``).

    A part is a tag only where the model at that point has no field of that
    name, and never the key an unknown-key or missing-key error is about (a
    stray key may well be called ``date``).
    """
    keep_last = kind in ("extra_forbidden", "missing")
    out: list[Any] = []
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if i and part in _UNION_TAGS and not (last and keep_last):
            here = _model_at(model, tuple(out))
            if here is None or part not in here.model_fields:
                continue
        out.append(part)
    return tuple(out)


def pydantic_problems(
    exc: ValidationError, model: type[BaseModel], base: Path, who: str, value: Any
) -> list[Pending]:
    out = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        loc = _clean_loc(model, tuple(err["loc"]), kind)
        path = (*base, *loc)
        dotted = dotted_loc(loc)
        inp = err.get("input")
        hint = None
        if kind == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            allowed = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
            msg = f"{who}: unknown key {quote(loc[-1])}"
            hint = did_you_mean(loc[-1], allowed) or (
                f"allowed keys: {', '.join(allowed)}" if allowed else None
            )
            out.append(Pending(msg, path, hint, code="unknown-key", at_key=True))
            continue
        if kind == "missing":
            out.append(Pending(f"{who}: missing required key '{loc[-1]}'", path[:-1], code="missing"))
            continue
        if kind in ("enum", "literal_error"):
            choices = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
            msg = f"{who}: {dotted}: {quote(inp)} is not one of {', '.join(choices)}"
            out.append(Pending(msg, path, did_you_mean(inp, choices), code="bad-value"))
            continue
        if kind == "string_pattern_mismatch":
            suggestion = re.sub(r"[^a-z0-9]+", "-", str(inp)[:60].lower()).strip("-")
            msg = f"{who}: {dotted}: {quote(inp)} is not a valid id"
            hint = f"use lowercase letters, digits and hyphens, e.g. '{suggestion}'"
            out.append(Pending(msg, path, hint, code="bad-id"))
            continue
        text = err["msg"].replace("Input should be", "should be")
        if kind in ("tuple_type", "list_type"):
            text = "should be a list"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            text = "should be a mapping of keys to values"
        elif kind.startswith("date"):
            text = f"{quote(inp)} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY"
        elif kind == "value_error":
            text = err["msg"].removeprefix("Value error, ")
        elif kind == "string_type":
            text = "should be text"
            hint = "put quotes around it" if inp is not None and not isinstance(inp, dict | list) else None
        out.append(Pending(f"{who}: {dotted}: {text}", path, hint, code="bad-type"))
    return out


@functools.cache
def _field_adapter(model: type[Record], name: str) -> TypeAdapter[Any]:
    """Validates one field of a model on its own."""
    info = model.model_fields[name]
    # pydantic 2.14 types ``annotation`` as optional; every field of the model has one,
    # and a field without one would accept anything.
    annotation: Any = Any if info.annotation is None else info.annotation
    return TypeAdapter(Annotated[annotation, *info.metadata] if info.metadata else annotation)


def salvage(model: type[Record], item: dict[Any, Any], exc: ValidationError) -> Record | None:
    """What can still be checked of a record that failed its model: its id, sources and
    the reference fields that had no error of their own, for :func:`govmap.ingest.reading.references.check_references`.

    None if the id itself is wrong (the references would have no one to belong to).
    """
    rid = item.get("id")
    if not (isinstance(rid, str) and SLUG_RE.fullmatch(rid)):
        return None
    bad = {err["loc"][0] for err in exc.errors(include_url=False) if err["loc"]}
    fields: dict[str, Any] = {"id": rid}
    for name in ("sources", *(rule.field for rule in REF_RULES[model])):
        if name in item and name not in bad:
            try:
                fields[name] = _field_adapter(model, name).validate_python(item[name])
            except ValidationError:  # pragma: no cover - the whole-record check reported it
                continue
    return model.model_construct(**fields)
