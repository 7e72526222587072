"""Security headers on every response.

The Content-Security-Policy allows scripts, styles and fonts from this app
only: no inline script, no ``eval``, no request to any other host.  Pages pass
data to their scripts in ``<script type="application/json">`` blocks rendered
with ``|tojson``, which the policy does not execute.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g

from govmap.ingest.errors import GovmapError

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # vis-network's CSS draws its buttons from data: images
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype in ("text/html", "application/json"):
        # Pages show the register as of now, and forms carry a version token.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def store_label() -> str:
    """Where the register is kept, as pages show it: the server path (or database address) to
    editors only; anyone else sees the register's own name, never a path on the server."""
    user = g.get("user")
    if user is not None and user.is_editor:
        return str(current_app.extensions["govmap.store"].label)
    from . import state

    try:
        return state.current().register.info.name
    except GovmapError:  # a broken register: its error page must not fail too
        return "the register"


def show_editor_names() -> bool:
    """Whether History names who made each change: to signed-in users (default), or to everyone
    with ``GOVMAP_HISTORY_NAMES=everyone``."""
    return current_app.config.get("GOVMAP_HISTORY_NAMES") == "everyone" or g.get("user") is not None


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
