"""One error handler per error class; HTML or JSON by the request.

Views raise (:class:`~govmap.ingest.errors.GovmapError` carries its HTTP
status); they never format errors.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify, make_response, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from govmap.graph.entity import UnknownEntity
from govmap.ingest.errors import GovmapError, RegisterError, RegisterInvalid

from .auth import NotSignedIn, TooManyAttempts
from .passwords import SignInBusy
from .state import BeingPrepared

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


def _is_editor() -> bool:
    user = g.get("user")
    return bool(user is not None and user.is_editor)


def handle_govmap_error(exc: GovmapError) -> Any:
    if isinstance(exc, NotSignedIn) and not wants_json():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if isinstance(exc, RegisterInvalid | RegisterError):
        return handle_broken_register(exc)
    if exc.status >= 500:
        log.error("%s", exc.format())
        return _server_side(exc)
    return _render(exc.status, _TITLES.get(exc.status, "Cannot do that"), exc.message, exc.hint)


def _server_side(exc: GovmapError) -> Any:
    """A failure on the server's side (the store unreachable, a bad setting): its details (a
    database address, a path) for editors only, in web words; a sentence for anyone else."""
    from govmap.graph.neo4j.connect import Neo4jError, Neo4jUnavailable

    title = _TITLES.get(exc.status, "Server problem")
    if _is_editor():
        hint = "reload the page in a minute" if isinstance(exc, Neo4jUnavailable) else exc.hint
        return _render(exc.status, title, exc.message, hint)
    if isinstance(exc, Neo4jError):
        message = "The register's database cannot be reached just now."
    else:
        message = "The register cannot be shown just now: the server has a problem."
    return _render(exc.status, title, message, "the problem has been logged; reload the page in a minute")


def handle_broken_register(exc: RegisterInvalid | RegisterError) -> Any:
    """The register cannot be read: the details (server path, lines) for editors, and the log;
    for everyone else only that it cannot be shown."""
    log.error("the register cannot be read: %s", exc.format())
    status = 503
    if _is_editor():
        problems = [p.format() for p in exc.errors] if isinstance(exc, RegisterInvalid) else [exc.format()]
        return _render(
            status, "Register unreadable", exc.message, "fix the file; every problem is below", problems
        )
    return _render(
        status,
        "Register unreadable",
        "The register cannot be shown just now: its file has a problem.",
        "the problem has been logged; an editor can see the details",
    )


def handle_too_many(exc: TooManyAttempts | SignInBusy) -> Any:
    title = "Too many attempts" if isinstance(exc, TooManyAttempts) else "Busy"
    response = make_response(_render(exc.status, title, exc.message, exc.hint))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def handle_being_prepared(exc: BeingPrepared) -> Any:
    """503 with Retry-After, and Refresh so a browser asks again by itself."""
    response = make_response(_render(exc.status, exc.title, exc.message, exc.hint))
    response.headers["Retry-After"] = str(exc.retry_after)
    response.headers["Refresh"] = str(exc.retry_after)
    return response


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
    app.register_error_handler(TooManyAttempts, handle_too_many)
    app.register_error_handler(SignInBusy, handle_too_many)
    app.register_error_handler(BeingPrepared, handle_being_prepared)
    app.register_error_handler(GovmapError, handle_govmap_error)
    app.register_error_handler(UnknownEntity, handle_unknown_entity)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
