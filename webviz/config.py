"""Configuration from the environment, with documented defaults (see docs/web.md).

Every setting can also be passed to :func:`govmap.webviz.create_app` as a
mapping, which wins over the environment (tests do this).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def from_env() -> dict[str, Any]:
    """Settings read from ``GOVMAP_*`` environment variables."""
    return {
        # The register file (YAML store); ignored when GOVMAP_STORE is given.
        "GOVMAP_REGISTER": os.environ.get("GOVMAP_REGISTER") or "data/boards.yaml",
        # Viewing needs a login too (editing always does).
        "GOVMAP_LOGIN_REQUIRED": _flag("GOVMAP_LOGIN_REQUIRED"),
        # A TOML file of local accounts: [users.NAME] password = "<werkzeug hash>", role = "editor".
        "GOVMAP_USERS": os.environ.get("GOVMAP_USERS") or None,
        # A header set by a trusted reverse proxy that names the signed-in user (e.g. X-Forwarded-User).
        "GOVMAP_TRUSTED_USER_HEADER": os.environ.get("GOVMAP_TRUSTED_USER_HEADER") or None,
        # Comma-separated names who may edit when signed in by the proxy header; '*' for all.
        "GOVMAP_EDITORS": os.environ.get("GOVMAP_EDITORS") or "",
        # Refuse to send a map of more nodes than this; offer filters and collapsing instead.
        "GOVMAP_MAX_NODES": _int("GOVMAP_MAX_NODES", 2000),
        # Above this many nodes the map is drawn with physics off (positions come from Python).
        "GOVMAP_PHYSICS_LIMIT": _int("GOVMAP_PHYSICS_LIMIT", 300),
        # govmap serve loads a register file up to this size before it listens (a broken one stops
        # it); a larger one after, pages answering 503 "being loaded" until it is (~1.3 s per MB).
        "GOVMAP_LOAD_NOW_BYTES": _int("GOVMAP_LOAD_NOW_BYTES", 1_000_000),
        # Sign-in throttle: this many failures within the window (seconds) lock the account, and
        # the client address, out for the lockout (seconds), doubling with each lockout up to the maximum.
        "GOVMAP_LOGIN_MAX_FAILURES": _int("GOVMAP_LOGIN_MAX_FAILURES", 5),
        "GOVMAP_LOGIN_WINDOW": _int("GOVMAP_LOGIN_WINDOW", 60),
        "GOVMAP_LOGIN_LOCKOUT": _int("GOVMAP_LOGIN_LOCKOUT", 60),
        "GOVMAP_LOGIN_MAX_LOCKOUT": _int("GOVMAP_LOGIN_MAX_LOCKOUT", 3600),
        # Password checks (scrypt: CPU-heavy) running at once, and sign-ins that may wait for one;
        # any more are answered at once with 503 and Retry-After (webviz/passwords.py).
        "GOVMAP_LOGIN_CONCURRENCY": _int("GOVMAP_LOGIN_CONCURRENCY", 2),
        "GOVMAP_LOGIN_QUEUE": _int("GOVMAP_LOGIN_QUEUE", 2),
        # A session ends after this long unused, and this long after signing in, whatever happens.
        "GOVMAP_SESSION_IDLE_MINUTES": _int("GOVMAP_SESSION_IDLE_MINUTES", 120),
        "GOVMAP_SESSION_MAX_HOURS": _int("GOVMAP_SESSION_MAX_HOURS", 12),
        # Where signed-out session ids are kept (shared by server processes); default beside GOVMAP_USERS.
        "GOVMAP_SESSION_STATE": os.environ.get("GOVMAP_SESSION_STATE") or None,
        # Who sees editors' names in History: "signed-in" (default) or "everyone".
        "GOVMAP_HISTORY_NAMES": os.environ.get("GOVMAP_HISTORY_NAMES") or "signed-in",
        # Where to report an accessibility problem with this copy (an e-mail address or a web
        # address), shown on the accessibility statement.
        "GOVMAP_ACCESSIBILITY_CONTACT": os.environ.get("GOVMAP_ACCESSIBILITY_CONTACT") or None,
        # Send the session cookie over HTTPS only (set when served behind TLS).
        "SESSION_COOKIE_SECURE": _flag("GOVMAP_SECURE_COOKIES"),
        "SECRET_KEY": os.environ.get("GOVMAP_SECRET_KEY") or None,
    }


def settle(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Environment, then ``config``; a random secret key (with a warning) if none is set."""
    settings = from_env()
    settings.update(config or {})
    if not settings.get("SECRET_KEY"):
        log.warning(
            "GOVMAP_SECRET_KEY is not set: using a random key, so sessions end when the server stops "
            "and several worker processes will not share logins"
        )
        settings["SECRET_KEY"] = secrets.token_hex(32)
    settings.setdefault("SESSION_COOKIE_HTTPONLY", True)
    settings.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # A CSRF token lives in the session, so it ends with it; never longer than a session may last.
    settings.setdefault("WTF_CSRF_TIME_LIMIT", int(settings["GOVMAP_SESSION_MAX_HOURS"]) * 3600)
    settings.setdefault("MAX_CONTENT_LENGTH", 1024 * 1024)
    return settings


def quiet_waitress() -> None:
    """Keep waitress's "Task queue depth is N" line (one per queued request under load) out of the log.

    waitress logs it at WARNING on the ``waitress.queue`` logger whenever all
    its threads are busy: under a burst of 100 requests that is ~100 lines a
    second, which drowns real warnings.  Only errors of that logger are kept.
    """
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
