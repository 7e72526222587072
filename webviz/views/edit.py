"""Register editing: add, change and remove records, memberships, theme links and links.

Every form carries the version of *the record it edits* (``"absent"`` for a
new record); the store refuses an edit whose record changed since (409), shows
the user's text beside what is saved now, and keeps what the user typed.
Edits to other records never refuse each other.  A field left out of a POST
is unchanged (see :mod:`govmap.webviz.forms`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from pydantic import BaseModel

from govmap.graph.entity import get_record
from govmap.graph.neo4j.connect import Neo4jError
from govmap.ingest.errors import EditConflict, EditInvalid, EditRefused, GovmapError
from govmap.ingest.model import Record, record_version
from govmap.ingest.store.edits import (
    ABSENT,
    AddLink,
    AddRecord,
    ChangeLink,
    ChangeRecord,
    Edit,
    RemoveLink,
    RemoveRecord,
    record_model,
)
from govmap.webviz import form_fields, forms, messages, state
from govmap.webviz.auth import editor_required
from govmap.webviz.errors import handle_govmap_error

bp = Blueprint("edit", __name__, url_prefix="/edit")
log = logging.getLogger(__name__)

Rerender = Callable[[GovmapError, str], str]


def version_of(record_id: str | None) -> str:
    """The version a form for this record carries now: its record version, or "absent"."""
    rec = state.current().register.get(record_id) if record_id else None
    return record_version(rec) if rec is not None else ABSENT


def save(make_edit: Callable[[], Edit], subject: str | None, done: str, rerender: Rerender) -> Any:
    """Apply an edit made against the form's record version; on failure show the form again, as sent.

    ``make_edit`` reads the form (it may refuse text at a field); ``subject``
    is the record the form edits (None for a new record).
    """
    version = request.form.get("version", "")
    before = state.current().version
    try:
        edit = make_edit()
        after = state.store().apply(edit, version, g.user.name)
    except EditInvalid as exc:
        return rerender(exc, version), 422
    except EditRefused as exc:
        return rerender(exc, version), exc.status
    except EditConflict as exc:
        return rerender(exc, version_of(exc.record or subject)), 409
    except OSError as exc:  # the register file could not be written (disk full, no permission)
        log.error("saving to %s failed: %s", state.store().label, exc)
        return rerender(NotSaved.store_failed("the register's file could not be written"), version), 503
    except GovmapError as exc:
        if exc.status < 500:
            raise
        log.error("saving failed: %s", exc.format())
        if getattr(exc, "maybe_applied", False):
            return rerender(NotSaved.maybe_saved(), version), 503
        return rerender(NotSaved.unreachable(), version), 503
    flash("Nothing changed." if after == before else f"Saved: {edit.describe()}.")
    return redirect(done)


class NotSaved(GovmapError):
    """A save the store could not make (or confirm), in web words, shown above the form as sent."""

    status = 503

    @classmethod
    def store_failed(cls, why: str) -> NotSaved:
        return cls(
            f"Not saved: {why}, so nothing was saved.",
            hint="your entries are kept below: save again in a minute",
        )

    @classmethod
    def unreachable(cls) -> NotSaved:
        return cls.store_failed("the register's database could not be reached")

    @classmethod
    def maybe_saved(cls) -> NotSaved:
        return cls(
            "The connection to the register's database was lost just as your change was sent: "
            "it may have been saved.",
            hint="your entries are kept below: open the record's page in a new tab to see whether "
            "it was, before you save again",
        )


def _entries() -> list[tuple[str, str]]:
    """What the user typed in the form sent, field by field (for a page that keeps it)."""
    return [
        (key.replace("_", " ").capitalize(), value)
        for key, values in request.form.lists()
        if key not in ("version", "csrf_token")
        for value in values
        if value.strip()
    ]


def gone(entity_id: str) -> Any:
    """A form sent for a record removed since it was opened: 409 (or 400 for a broken version
    token), what the user typed kept on the page, nothing written.  The store names the
    removal, as for any other conflict."""
    version = request.form.get("version", "")
    try:
        state.store().apply(ChangeRecord(entity_id, {}), version, g.user.name)
    except EditConflict as exc:
        error = exc
    else:  # the form was opened on this very version, when the record was already gone
        abort(404)
    error.hint = "your entries are kept below: copy what you need, and add the record again if it should stay"
    return render_template(
        "kept.html",
        title=f"Not saved: {entity_id} was removed",
        record=entity_id,
        error=error,
        note="The record is no longer in the register.",
        entries=_entries(),
    ), 409


@bp.errorhandler(Neo4jError)
def _store_failed(exc: Neo4jError) -> Any:
    """A form sent while the database cannot be read or written (before the form could be built
    again): the user's entries kept, in web words.  Anything else as on every other page."""
    if request.method != "POST" or exc.status < 500:
        return handle_govmap_error(exc)
    log.error("saving failed: %s", exc.format())
    error = NotSaved.maybe_saved() if getattr(exc, "maybe_applied", False) else NotSaved.unreachable()
    return render_template(
        "kept.html", title="Not saved", record=None, error=error, note=None, entries=_entries()
    ), 503


def _removed(entity_id: str) -> bool:
    """Whether this request posts a form for a record that is no longer in the register."""
    return request.method == "POST" and state.current().register.get(entity_id) is None


def _records() -> list[Record]:
    return list(state.current().register.records())


def _conflict_values(error: GovmapError | None, specs: list[form_fields.FieldSpec], now: Any) -> Any:
    """What is saved now, as form text, for the side-by-side view of a conflict (None otherwise)."""
    if not isinstance(error, EditConflict):
        return None
    return forms.initial(specs, now) if now is not None else {}


def _record_page(
    section: str, rec: Record | None, values: dict[str, Any], version: str, error: GovmapError | None = None
) -> str:
    specs = form_fields.record_fields(section)
    rid = rec.id if rec is not None else values.get("id")
    current = state.current().register.get(rid) if rid else None
    records = _records()
    return render_template(
        "edit_record.html",
        section=section,
        rec=rec,
        specs=specs,
        values=values,
        version=version,
        error=messages.plain(error, record_model(section).word),
        saved=_conflict_values(error, specs, current),
        records=records,
        names={r.id: r.name for r in records},
        link_fields=form_fields.link_field_names(section) if rec is not None else [],
    )


@bp.route("/new/<section>", methods=["GET", "POST"])
@editor_required
def new_record(section: str) -> Any:
    if section == "remove":  # /edit/new/remove: removing the record whose id is "new"
        return remove_record("new")
    record_model(section)
    specs = form_fields.record_fields(section)
    if request.method == "GET":
        return _record_page(section, None, forms.initial(specs, None), ABSENT)
    data: dict[str, Any] = {}

    def make() -> Edit:
        data.update(forms.new_record(section, request.form))
        return AddRecord(section, data)

    return save(
        make,
        None,
        url_for("entities.entity", entity_id=str(request.form.get("id", "")).strip() or "new"),
        lambda exc, version: _record_page(section, None, forms.submitted(specs, request.form), version, exc),
    )


@bp.route("/<entity_id>", methods=["GET", "POST"])
@editor_required
def change_record(entity_id: str) -> Any:
    if _removed(entity_id):
        return gone(entity_id)
    snap = state.current()
    rec = get_record(snap.register, entity_id)
    specs = form_fields.record_fields(rec.section)
    if request.method == "GET":
        return _record_page(rec.section, rec, forms.initial(specs, rec), record_version(rec))
    return save(
        lambda: ChangeRecord(entity_id, forms.record_changes(rec.section, rec, request.form)),
        entity_id,
        url_for("entities.entity", entity_id=entity_id),
        lambda exc, version: _record_page(
            rec.section, rec, forms.submitted(specs, request.form), version, exc
        ),
    )


@bp.route("/<entity_id>/remove", methods=["GET", "POST"])
@editor_required
def remove_record(entity_id: str) -> Any:
    if _removed(entity_id):
        return gone(entity_id)
    snap = state.current()
    rec = get_record(snap.register, entity_id)

    def page(error: GovmapError | None, version: str) -> str:
        specs = form_fields.record_fields(rec.section)
        now = state.current().register.get(entity_id)
        return render_template(
            "remove.html",
            rec=rec,
            version=version,
            error=error,
            specs=specs,
            values=forms.initial(specs, rec),
            saved=_conflict_values(error, specs, now),
        )

    if request.method == "GET":
        return page(None, record_version(rec))
    return save(lambda: RemoveRecord(entity_id), entity_id, url_for("entities.index"), page)


def _link_page(
    rec: Record,
    field_name: str,
    index: int | None,
    values: dict[str, Any],
    version: str,
    error: GovmapError | None = None,
) -> str:
    specs = form_fields.link_fields(field_name)
    register = state.current().register
    items = getattr(rec, field_name, ())
    item = items[index] if index is not None and index < len(items) else None
    target = getattr(item, "target", None) if item is not None else None
    target_rec = register.get(target) if target else None
    records = _records()
    saved = None
    if isinstance(error, EditConflict) and index is not None:
        current = state.current().register.get(rec.id)
        items = getattr(current, field_name, ()) if current else ()
        saved = forms.initial(specs, items[index]) if index < len(items) else {}
    return render_template(
        "edit_link.html",
        rec=rec,
        field_name=field_name,
        index=index,
        specs=specs,
        values=values,
        version=version,
        error=messages.plain(error, rec.word, field_name),
        saved=saved,
        records=records,
        names={r.id: r.name for r in records},
        target=target,
        target_name=target_rec.name if target_rec is not None else target,
    )


def _list_field(rec: Record, field_name: str) -> tuple[BaseModel, ...]:
    if field_name not in form_fields.link_field_names(rec.section):
        abort(404)
    items: tuple[BaseModel, ...] = getattr(rec, field_name)
    return items


@bp.route("/<entity_id>/<field_name>/new", methods=["GET", "POST"])
@editor_required
def new_link(entity_id: str, field_name: str) -> Any:
    if _removed(entity_id):
        return gone(entity_id)
    snap = state.current()
    rec = get_record(snap.register, entity_id)
    _list_field(rec, field_name)
    specs = form_fields.link_fields(field_name)
    if request.method == "GET":
        return _link_page(rec, field_name, None, forms.initial(specs, None), record_version(rec))
    return save(
        lambda: AddLink(entity_id, field_name, forms.link_value(field_name, request.form)),
        entity_id,
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
    return rec, items, form_fields.link_fields(field_name)


@bp.route("/<entity_id>/<field_name>/<int:index>", methods=["GET", "POST"])
@editor_required
def change_link(entity_id: str, field_name: str, index: int) -> Any:
    if _removed(entity_id):
        return gone(entity_id)
    snap = state.current()
    rec, items, specs = _link_item(snap, entity_id, field_name, index)
    if request.method == "GET":
        return _link_page(rec, field_name, index, forms.initial(specs, items[index]), record_version(rec))
    return save(
        lambda: ChangeLink(
            entity_id, field_name, index, forms.link_value(field_name, request.form, items[index])
        ),
        entity_id,
        url_for("edit.change_record", entity_id=entity_id),
        lambda exc, version: _link_page(
            rec, field_name, index, forms.submitted(specs, request.form), version, exc
        ),
    )


@bp.post("/<entity_id>/<field_name>/<int:index>/remove")
@editor_required
def remove_link(entity_id: str, field_name: str, index: int) -> Any:
    if _removed(entity_id):
        return gone(entity_id)
    snap = state.current()
    rec, items, specs = _link_item(snap, entity_id, field_name, index)
    return save(
        lambda: RemoveLink(entity_id, field_name, index),
        entity_id,
        url_for("edit.change_record", entity_id=entity_id),
        lambda exc, version: _link_page(
            rec, field_name, index, forms.initial(specs, items[index]), version, exc
        ),
    )
