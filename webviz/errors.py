"""One error handler per error class; HTML or JSON by the request.

Views raise (:class:`~govmap.ingest.errors.GovmapError` carries its HTTP
status); they never format errors.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from govmap.graph.entity import UnknownEntity
from govmap.ingest.errors import GovmapError, RegisterInvalid
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .auth import NotSignedIn

log = logging.getLogger(__name__)


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _render(
    status: int, title: str, message: str, hint: str | None = None, problems: list[str] | None = None
) -> tuple[Any, int]:
    if wants_json():
        body: dict[str, Any] = {"error": message, "status": status}
        if hint:
            body["hint"] = hint
        if problems:
            body["problems"] = problems
        return jsonify(body), status
    return render_template(
        "error.html", status=status, title=title, message=message, hint=hint, problems=problems or []
    ), status


def handle_govmap_error(exc: GovmapError) -> Any:
    if isinstance(exc, NotSignedIn) and not wants_json():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    problems = [p.format() for p in exc.errors] if isinstance(exc, RegisterInvalid) else None
    if exc.status >= 500:
        log.error("%s", exc.format())
    return _render(exc.status, _TITLES.get(exc.status, "Cannot do that"), exc.message, exc.hint, problems)


def handle_unknown_entity(exc: UnknownEntity) -> Any:
    """A 404 that suggests the nearest id, or where on this site to look (not a CLI command)."""
    where = "find it with /api/entities?q=..." if wants_json() else "find it on the Entities page (/entities)"
    return _render(exc.status, _TITLES[404], exc.message, exc.near or where)


def handle_csrf(exc: CSRFError) -> Any:
    return _render(
        400,
        "Form refused",
        f"The form was refused: {exc.description}",
        "reload the page and send the form again; forms only work from this site",
    )


def handle_http(exc: HTTPException) -> Response | tuple[Any, int]:
    return _render(exc.code or 500, exc.name, exc.description or exc.name)


_TITLES = {
    400: "Cannot do that",
    401: "Sign in",
    403: "Not allowed",
    404: "Not found",
    409: "Changed by someone else",
    422: "Not saved",
    500: "Server problem",
    503: "Store unavailable",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(GovmapError, handle_govmap_error)
    app.register_error_handler(UnknownEntity, handle_unknown_entity)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
