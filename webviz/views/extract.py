"""From a document to the register, reviewed in one place: upload, read the proposals, tick, edit, accept.

``GET /extract`` is the upload form; ``POST /extract`` reads the document
(:func:`govmap.ingest.documents.read.read_bytes`, the same bounds as the CLI,
and the app's ``MAX_CONTENT_LENGTH`` for an upload), extracts and links the
proposals against the register as it is now, and shows them with their quotes,
what they match and why.  The proposals travel to ``POST /extract/accept`` in
the form, signed with the app's secret key (nothing is kept on the server, so
any process of a stateless web tier can take the answer), with the version of
each record they touch.  Accepting applies each ticked proposal as the
register's own edit through the store - validated, written atomically, audited
under the editor's name - exactly as the record forms do; an edit whose record
changed since the page was opened is refused as a conflict, and the others
still saved, each listed with its outcome.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer

from govmap.ingest.documents.accept import edits_for
from govmap.ingest.documents.extract import extract
from govmap.ingest.documents.link import link
from govmap.ingest.documents.proposals import NEW_FACT, NEW_RECORD, Proposals, proposals_from_json
from govmap.ingest.documents.read import DocumentUnreadable, read_bytes
from govmap.ingest.documents.render import describe
from govmap.ingest.errors import EditConflict, EditInvalid, EditRefused, GovmapError
from govmap.ingest.model import record_version
from govmap.ingest.store.edits import ABSENT
from govmap.ingest.text import TextRefused, clean_text
from govmap.webviz import state
from govmap.webviz.auth import editor_required

bp = Blueprint("extract", __name__, url_prefix="/extract")

_SALT = "govmap-extract-proposals"


class ProposalsRefused(GovmapError):
    """The review form's proposals are missing or were not signed by this server."""

    status = 400


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _versions(proposals: Proposals) -> dict[str, str]:
    """The version of every register record the proposals would change, as the page sees it now."""
    register = state.current().register
    out = {}
    for p in proposals.all():
        for rid in (getattr(p, "ref", None), getattr(p, "source", None)):
            rec = register.get(rid) if rid else None
            if rec is not None:
                out[rec.id] = record_version(rec)
    return out


@bp.get("")
@editor_required
def upload() -> Any:
    return render_template("extract.html", proposals=None, error=None)


@bp.post("")
@editor_required
def review() -> Any:
    file = request.files.get("document")
    if file is None or not file.filename:
        error = DocumentUnreadable(
            "choose a document to read", hint="a PDF, DOCX, HTML, Markdown or text file"
        )
        return render_template("extract.html", proposals=None, error=error), 400
    name = clean_text(file.filename, "document", False)[:200] or "document"
    try:
        doc = read_bytes(file.read(), name)
    except DocumentUnreadable as exc:
        return render_template("extract.html", proposals=None, error=exc), 400
    proposals = link(extract(doc), state.current().register, state.store().label)
    payload = {"proposals": proposals.to_json(), "versions": _versions(proposals)}
    return render_template(
        "extract.html",
        proposals=proposals,
        describe=describe,
        payload=_signer().dumps(payload),
        changing=(NEW_RECORD, NEW_FACT),
        error=None,
    )


def _edited(proposals: Proposals, form: Any) -> None:
    """The names the editor changed on the page, cleaned at the edge (a name refused names its field)."""
    for p in proposals.records:
        raw = form.get(f"name-{p.id}")
        if raw is None:
            continue
        try:
            text = clean_text(str(raw), f"name-{p.id}", False)
        except TextRefused as exc:
            raise EditRefused(f"the name of {p.id}: {exc.message}") from None
        if text and text != p.name and p.outcome == NEW_RECORD:
            p.name = text[:300]


@bp.post("/accept")
@editor_required
def accept() -> Any:
    try:
        payload = _signer().loads(request.form.get("payload", ""))
        proposals = proposals_from_json(payload["proposals"])
        versions = {str(k): str(v) for k, v in payload["versions"].items()}
    except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
        raise ProposalsRefused(
            "the proposals on this form were not made by this server, or were changed; nothing was saved",
            hint="read the document again from the upload page",
        ) from None
    _edited(proposals, request.form)
    ticked = [str(t) for t in request.form.getlist("accept")]
    accepted = edits_for(proposals, state.current().register, ticked)
    saved: list[str] = []
    refused: list[tuple[str, str]] = [(pid, why) for pid, why in accepted.skipped]
    latest: dict[str, str] = {}
    for edit in accepted.edits:
        subject = edit.subject
        version = (
            ABSENT if type(edit).__name__ == "AddRecord" else latest.get(subject, versions.get(subject, ""))
        )
        try:
            state.store().apply(edit, version, g.user.name)
            saved.append(edit.describe())
            now = state.current().register.get(subject)  # the record as this edit left it
            latest[subject] = record_version(now) if now is not None else ABSENT
        except EditConflict as exc:
            refused.append((edit.describe(), exc.message))
        except (EditInvalid, EditRefused) as exc:
            detail = "; ".join(p.message for p in getattr(exc, "problems", [])[:3]) or exc.message
            refused.append((edit.describe(), detail))
    status = 200 if saved or not refused else 409
    return render_template("extract_done.html", saved=saved, refused=refused, ticked=ticked), status
