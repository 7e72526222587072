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
    settings.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    settings.setdefault("MAX_CONTENT_LENGTH", 1024 * 1024)
    return settings
