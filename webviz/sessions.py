"""Sessions that end: idle and absolute timeouts, and revocation checked on every request.

A signed-in session cookie carries the user's name, a random session id, when
it started and when it was last used, and a fingerprint of the account's
password hash.  On every request (:func:`valid`) the session is refused when

- it has been idle longer than ``GOVMAP_SESSION_IDLE_MINUTES``, or is older
  than ``GOVMAP_SESSION_MAX_HOURS``;
- its id was revoked by signing out (a replayed cookie is worthless), kept in
  a small file shared by every server process (``GOVMAP_SESSION_STATE``,
  default: beside the users file);
- the account's password changed since (the fingerprint differs) or the
  account is gone.

Flask-WTF keeps its CSRF secret in the session, so CSRF tokens end with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import MutableMapping
from typing import Any

from flask import current_app

from govmap.ingest.store.files import write_atomic

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: A session's "last used" time is written back at most this often (seconds).
TOUCH_EVERY = 60


def fingerprint(password_hash: str) -> str:
    """A short digest of an account's password hash: changes when the password does."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def start(session: MutableMapping[str, Any], name: str, password_hash: str) -> None:
    """A fresh session for ``name`` (the caller has cleared the old one: no fixation)."""
    now = int(time.time())
    session["user"] = name
    session["sid"] = secrets.token_urlsafe(18)
    session["iat"] = now
    session["seen"] = now
    session["pw"] = fingerprint(password_hash)


def valid(session: MutableMapping[str, Any], password_hash: str) -> str | None:
    """None if the session may go on (and mark it used), else why it ended."""
    config = current_app.config
    now = int(time.time())
    iat, seen, sid = session.get("iat"), session.get("seen"), session.get("sid")
    if not isinstance(iat, int) or not isinstance(seen, int) or not isinstance(sid, str):
        return "a session from before sessions expired"
    if now - iat > config["GOVMAP_SESSION_MAX_HOURS"] * 3600:
        return "older than the longest a session may last"
    if now - seen > config["GOVMAP_SESSION_IDLE_MINUTES"] * 60:
        return "idle too long"
    if session.get("pw") != fingerprint(password_hash):
        return "the password changed"
    if revoked().contains(sid):
        return "signed out"
    if now - seen >= TOUCH_EVERY:
        session["seen"] = now
    return None


def end(session: MutableMapping[str, Any]) -> None:
    """Sign out: revoke the session id everywhere, then clear the cookie."""
    sid, iat = session.get("sid"), session.get("iat")
    if isinstance(sid, str) and isinstance(iat, int):
        revoked().add(sid, iat + current_app.config["GOVMAP_SESSION_MAX_HOURS"] * 3600)
    session.clear()


class Revoked:
    """Revoked session ids until they would have expired anyway, in a JSON file (or in memory)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._ids: dict[str, int] = {}
        self._key: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        if self.path is None:
            return
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._ids, self._key = {}, None
            return
        key = (st.st_mtime_ns, st.st_size)
        if key == self._key:
            return
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as exc:
            log.error("%s: cannot read revoked sessions: %s", self.path, exc)
            return
        self._ids = {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}
        self._key = key

    def contains(self, sid: str) -> bool:
        with self._lock:
            self._refresh()
            return sid in self._ids

    def add(self, sid: str, until: int) -> None:
        with self._lock:
            if self.path is None:
                self._ids[sid] = until
                return
            with open(self.path + ".lock", "a", encoding="utf-8") as lockfile:
                if fcntl is not None:
                    fcntl.flock(lockfile.fileno(), fcntl.LOCK_EX)
                self._key = None
                self._refresh()
                now = int(time.time())
                ids = {k: v for k, v in self._ids.items() if v > now}
                ids[sid] = until
                write_atomic(self.path, json.dumps(ids).encode("utf-8"))
                self._ids, self._key = ids, None


def revoked() -> Revoked:
    store: Revoked = current_app.extensions["govmap.revoked"]
    return store


def state_path(config: MutableMapping[str, Any]) -> str | None:
    """Where revoked session ids are kept: the setting, else beside the users file, else memory."""
    path = config.get("GOVMAP_SESSION_STATE")
    if path:
        return str(path)
    users = config.get("GOVMAP_USERS")
    return f"{users}.sessions.json" if users else None
