"""Register editing: add, change and remove records, memberships, theme links and links.

Every form carries the register's version token; the store refuses an edit
made against an older version (409) and keeps what the user typed on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from govmap.graph.entity import get_record
from govmap.ingest.edits import (
    AddLink,
    AddRecord,
    ChangeLink,
    ChangeRecord,
    Edit,
    RemoveLink,
    RemoveRecord,
    record_model,
)
from govmap.ingest.errors import EditConflict, EditInvalid, GovmapError
from govmap.ingest.model import Record
from govmap.webviz import forms, state
from govmap.webviz.auth import editor_required
from pydantic import BaseModel

bp = Blueprint("edit", __name__, url_prefix="/edit")

Rerender = Callable[[GovmapError, str], str]


def save(edit: Edit, done: str, rerender: Rerender) -> Any:
    """Apply an edit made against the form's version; on failure show the form again, as sent."""
    version = request.form.get("version", "")
    try:
        new_version = state.store().apply(edit, version, g.user.name)
    except EditInvalid as exc:
        return rerender(exc, version), 422
    except EditConflict as exc:
        return rerender(exc, state.current().version), 409
    flash("Nothing changed." if new_version == version else f"Saved: {edit.describe()}.")
    return redirect(done)


def _records() -> list[Record]:
    return list(state.current().register.records())


def _record_page(
    section: str, rec: Record | None, values: dict[str, Any], version: str, error: GovmapError | None = None
) -> str:
    specs = forms.record_fields(section)
    current = state.current().register.get(rec.id) if rec is not None else None
    return render_template(
        "edit_record.html",
        section=section,
        rec=rec,
        specs=specs,
        values=values,
        version=version,
        error=error,
        saved=forms.initial(specs, current) if isinstance(error, EditConflict) and current else None,
        records=_records(),
        link_fields=forms.link_field_names(section) if rec is not None else [],
    )


@bp.route("/new/<section>", methods=["GET", "POST"])
@editor_required
def new_record(section: str) -> Any:
    record_model(section)
    specs = forms.record_fields(section)
    if request.method == "GET":
        return _record_page(section, None, forms.initial(specs, None), state.current().version)
    data = forms.new_record(section, request.form)
    return save(
        AddRecord(section, data),
        url_for("entities.entity", entity_id=data.get("id", "")),
        lambda exc, version: _record_page(section, None, forms.submitted(specs, request.form), version, exc),
    )


@bp.route("/<entity_id>", methods=["GET", "POST"])
@editor_required
def change_record(entity_id: str) -> Any:
    snap = state.current()
    rec = get_record(snap.register, entity_id)
    specs = forms.record_fields(rec.section)
    if request.method == "GET":
        return _record_page(rec.section, rec, forms.initial(specs, rec), snap.version)
    return save(
        ChangeRecord(entity_id, forms.record_changes(rec.section, rec, request.form)),
        url_for("entities.entity", entity_id=entity_id),
        lambda exc, version: _record_page(
            rec.section, rec, forms.submitted(specs, request.form), version, exc
        ),
    )


@bp.route("/<entity_id>/remove", methods=["GET", "POST"])
@editor_required
def remove_record(entity_id: str) -> Any:
    snap = state.current()
    rec = get_record(snap.register, entity_id)

    def page(error: GovmapError | None, version: str) -> str:
        return render_template("remove.html", rec=rec, version=version, error=error)

    if request.method == "GET":
        return page(None, snap.version)
    return save(RemoveRecord(entity_id), url_for("entities.index"), page)


def _link_page(
    rec: Record,
    field_name: str,
    index: int | None,
    values: dict[str, Any],
    version: str,
    error: GovmapError | None = None,
) -> str:
    specs = forms.link_fields(field_name)
    saved = None
    if isinstance(error, EditConflict) and index is not None:
        current = state.current().register.get(rec.id)
        items = getattr(current, field_name, ()) if current else ()
        saved = forms.initial(specs, items[index]) if index < len(items) else {}
    return render_template(
        "edit_link.html",
        rec=rec,
        field=field_name,
        index=index,
        specs=specs,
        values=values,
        version=version,
        error=error,
        saved=saved,
        records=_records(),
    )


def _list_field(rec: Record, field_name: str) -> tuple[BaseModel, ...]:
    if field_name not in forms.link_field_names(rec.section):
        abort(404)
    items: tuple[BaseModel, ...] = getattr(rec, field_name)
    return items


@bp.route("/<entity_id>/<field_name>/new", methods=["GET", "POST"])
@editor_required
def new_link(entity_id: str, field_name: str) -> Any:
    snap = state.current()
    rec = get_record(snap.register, entity_id)
    _list_field(rec, field_name)
    specs = forms.link_fields(field_name)
    if request.method == "GET":
        return _link_page(rec, field_name, None, forms.initial(specs, None), snap.version)
    return save(
        AddLink(entity_id, field_name, forms.link_value(field_name, request.form)),
        url_for("edit.change_record", entity_id=entity_id),
        lambda exc, version: _link_page(
            rec, field_name, None, forms.submitted(specs, request.form), version, exc
        ),
    )


def _link_item(snap: Any, entity_id: str, field_name: str, index: int) -> tuple[Any, Any, Any]:
    """The record, its link list and the link's form fields; 404 past the end of the list."""
    rec = get_record(snap.register, entity_id)
    items = _list_field(rec, field_name)
    if index >= len(items):
        abort(404)
    return rec, items, forms.link_fields(field_name)


@bp.route("/<entity_id>/<field_name>/<int:index>", methods=["GET", "POST"])
@editor_required
def change_link(entity_id: str, field_name: str, index: int) -> Any:
    snap = state.current()
    rec, items, specs = _link_item(snap, entity_id, field_name, index)
    if request.method == "GET":
        return _link_page(rec, field_name, index, forms.initial(specs, items[index]), snap.version)
    return save(
        ChangeLink(entity_id, field_name, index, forms.link_value(field_name, request.form, items[index])),
        url_for("edit.change_record", entity_id=entity_id),
        lambda exc, version: _link_page(
            rec, field_name, index, forms.submitted(specs, request.form), version, exc
        ),
    )


@bp.post("/<entity_id>/<field_name>/<int:index>/remove")
@editor_required
def remove_link(entity_id: str, field_name: str, index: int) -> Any:
    snap = state.current()
    rec, items, specs = _link_item(snap, entity_id, field_name, index)
    return save(
        RemoveLink(entity_id, field_name, index),
        url_for("edit.change_record", entity_id=entity_id),
        lambda exc, version: _link_page(
            rec, field_name, index, forms.initial(specs, items[index]), version, exc
        ),
    )
