"""Who is signed in, and who may edit.

Two ways to sign in, both documented in docs/web.md:

- **Local accounts** in a TOML file named by ``GOVMAP_USERS``::

      [users.alice]
      password = "scrypt:32768:8:1$..."   # govmap user add alice --role editor
      role = "editor"                     # or "viewer"

- **A trusted reverse proxy** that authenticates users and passes the name in
  a header (``GOVMAP_TRUSTED_USER_HEADER``, e.g. ``X-Forwarded-User``).  Such a
  user may edit if named in ``GOVMAP_EDITORS`` (or if it is ``*``) or if the
  users file gives them the editor role.  Only set this when the proxy strips
  the header from what clients send: otherwise anyone can claim any name.

Viewing is open unless ``GOVMAP_LOGIN_REQUIRED`` is set; editing always needs
an editor.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from govmap.ingest.errors import GovmapError

from . import sessions
from .accounts import EDITOR, VIEWER, Account, check_account, read_users, save_account
from .passwords import PasswordChecks, SignInBusy
from .throttle import Throttle

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


class NotSignedIn(GovmapError):
    status = 401


class NotAnEditor(GovmapError):
    status = 403


class StoreReadOnly(GovmapError):
    status = 403


@dataclass(frozen=True)
class User:
    name: str
    role: str
    #: "password" or "proxy": how the user signed in.
    via: str

    @property
    def is_editor(self) -> bool:
        return self.role == EDITOR


def _accounts() -> Mapping[str, Account]:
    """The accounts: kept in the store's database (a Neo4j store without a users file), else
    the users file's, re-read when it changes (a changed password ends its sessions)."""
    shared: Mapping[str, Account] | None = current_app.extensions.get("govmap.accounts")
    if shared is not None:
        return shared
    path = current_app.config.get("GOVMAP_USERS")
    if path:
        try:
            st = os.stat(path)
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            key = None
        if key is not None and key != current_app.extensions.get("govmap.users_key"):
            current_app.extensions["govmap.users"] = read_users(path)
            current_app.extensions["govmap.users_key"] = key
    accounts: dict[str, Account] = current_app.extensions["govmap.users"]
    return accounts


def check_login(name: str, password: str) -> User | None:
    """The user if the name and password match an account, else None.  The hash is checked
    in the bounded pool (:mod:`govmap.webviz.passwords`): :class:`SignInBusy` if it is full."""
    account = _accounts().get(name)
    checks: PasswordChecks = current_app.extensions["govmap.password_checks"]
    ok = checks.run(check_password_hash, account.password_hash if account else _DUMMY_HASH, password)
    return User(account.name, account.role, "password") if account and ok else None


def _proxy_user(name: str) -> User:
    editors = {e.strip() for e in current_app.config["GOVMAP_EDITORS"].split(",") if e.strip()}
    account = _accounts().get(name)
    is_editor = "*" in editors or name in editors or (account is not None and account.role == EDITOR)
    return User(name, EDITOR if is_editor else VIEWER, "proxy")


def load_user() -> None:
    """Set ``g.user`` for this request (None when nobody is signed in)."""
    g.user = None
    header = current_app.config.get("GOVMAP_TRUSTED_USER_HEADER")
    if header and request.headers.get(header, "").strip():
        g.user = _proxy_user(request.headers[header].strip())
        return
    name = session.get("user")
    if name is None:
        return
    account = _accounts().get(name) if isinstance(name, str) else None
    ended = sessions.valid(session, account.password_hash) if account is not None else "no such account"
    if ended is None and account is not None:
        g.user = User(account.name, account.role, "password")
        return
    log.info("session of %r ended: %s", name, ended)
    session.clear()


def require_viewer() -> None:
    """Refuse every page but login and static files when viewing needs a login."""
    if not current_app.config["GOVMAP_LOGIN_REQUIRED"] or g.user is not None:
        return
    if request.endpoint in ("auth.login", "static") or request.endpoint is None:
        return
    raise NotSignedIn("sign in to see the register")


F = TypeVar("F", bound=Callable[..., Any])


def editor_required(view: F) -> F:
    """Only an editor may run this view: anonymous users are sent to sign in, others refused."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if store_read_only():
            raise StoreReadOnly(
                "the register is read-only: its database refuses writes, so editing is switched off",
                hint="ask the database's administrator, or serve a writable copy",
            )
        if g.user is None:
            raise NotSignedIn("sign in as an editor to change the register")
        if not g.user.is_editor:
            raise NotAnEditor(
                f"'{g.user.name}' may view the register but not change it",
                hint="ask an administrator for the editor role",
            )
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _is_local_path(target: str) -> bool:
    """A path on this site, such as ``/entity/x?y=1``, that no browser reads as another host.

    Browsers drop tabs and newlines from URLs and read ``\\`` as ``/``, so
    ``/\\t/evil.example`` is ``//evil.example``, another site: any control
    character or whitespace is refused outright, then the path must start
    with exactly one ``/``.
    """
    if any(c.isspace() or unicodedata.category(c).startswith("C") for c in target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return (
        not parts.scheme
        and not parts.netloc
        and parts.path.startswith("/")
        and not parts.path.startswith(("//", "/\\"))
    )


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything else goes to the map."""
    if target and _is_local_path(target):
        return target
    return url_for("map.index")


class TooManyAttempts(GovmapError):
    """Sign-in refused before checking the password: too many failures, or too many at once."""

    status = 429

    def __init__(self, message: str, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


def _throttle_keys(name: str) -> list[str]:
    return [f"account:{name.strip().lower()[:200]}", f"address:{request.remote_addr or '-'}"]


def _attempt(name: str, password: str) -> User | None:
    """Check a sign-in, throttled: refused (429) while the account or the address is locked
    out, or while the checks already running for it could use up its failures left; only
    then is the password hashed, in the bounded pool (503 at once when it is full).  Each
    check is reserved before it runs, so concurrent failures are counted exactly."""
    throttle: Throttle = current_app.extensions["govmap.throttle"]
    keys = _throttle_keys(name)
    begun: list[tuple[str, float]] = []
    for key in keys:
        started, wait = throttle.begin(key)
        if started is None:
            for k, s in begun:
                throttle.cancel(k, s)
            log.warning(
                "sign-in refused for %r from %s: locked out for %ds more",
                name,
                request.remote_addr,
                math.ceil(wait),
            )
            raise TooManyAttempts(
                "Too many failed sign-ins: wait before trying again.", math.ceil(wait), hint=_wait_hint(wait)
            )
        begun.append((key, started))
    try:
        user = check_login(name, password)
    except SignInBusy:
        for k, s in begun:
            throttle.cancel(k, s)
        log.warning("sign-in refused for %r from %s: too many at once", name, request.remote_addr)
        raise
    except BaseException:
        for k, s in begun:
            throttle.cancel(k, s)
        raise
    if user is not None:
        for i, (key, started) in enumerate(begun):
            throttle.success(key, started, forgive=i == 0)  # the account's failures, not the address's
        log.info("signed in: %r from %s", name, request.remote_addr)
        return user
    log.warning("failed sign-in for %r from %s", name, request.remote_addr)
    for key, started in begun:
        length = throttle.failure(key, started)
        if length:
            log.warning("lockout of %s for %ds after repeated failed sign-ins", key, length)
    return None


def _wait_hint(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)
    return f"try again in {minutes} minute{'s' if minutes != 1 else ''}"


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    error = None
    if request.method == "POST":
        user = _attempt(request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            session.clear()  # a fresh session: no fixation
            sessions.start(session, user.name, _accounts()[user.name].password_hash)
            return redirect(safe_next(request.form.get("next")))
        error = "Wrong name or password."
    return render_template(
        "login.html", error=error, next=request.values.get("next", ""), has_accounts=bool(_accounts())
    ), (401 if error else 200)  # type: ignore[return-value]


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    sessions.end(session)
    return redirect(url_for("map.index"))


class PasswordRefused(GovmapError):
    status = 422


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> str | Response:
    """A signed-in user's own password: the current one (checked and throttled as a sign-in),
    then the new one twice.  Every session signed in with the old password ends, on every
    server sharing the accounts; this one goes on with the new."""
    user = g.get("user")
    if user is None or user.via != "password":
        raise NotSignedIn("sign in with your name and password to change the password")
    error = None
    if request.method == "POST":
        new, again = request.form.get("new", ""), request.form.get("again", "")
        if not new.strip():
            error = "New password: enter one"
        elif new != again:
            error = "New password: the two differ; type it twice the same"
        elif _attempt(user.name, request.form.get("current", "")) is None:
            error = "Current password: wrong"
        else:
            password_hash = generate_password_hash(new)
            _save_password(Account(user.name, password_hash, user.role))
            session.clear()
            sessions.start(session, user.name, password_hash)
            log.info("password changed: %r from %s", user.name, request.remote_addr)
            flash("Password changed. Every other session signed in with the old one has ended.")
            return redirect(url_for("map.index"))
    return render_template("password.html", error=error), (422 if error else 200)  # type: ignore[return-value]


def _save_password(account: Account) -> None:
    """Write a changed password where the accounts are kept: the database, or the users file."""
    state = current_app.extensions.get("govmap.web_state")
    path = current_app.config.get("GOVMAP_USERS")
    if path:
        save_account(path, account)
    elif state is not None:
        check_account(account)
        state.save_account(account.name, account.password_hash, account.role)
    else:
        raise PasswordRefused("there is no users file or database to keep the password in")


def init_app(app: Flask) -> None:
    app.extensions["govmap.users"] = read_users(app.config.get("GOVMAP_USERS"))
    counts = _share_state(app)
    app.extensions["govmap.throttle"] = Throttle(
        app.config["GOVMAP_LOGIN_MAX_FAILURES"],
        app.config["GOVMAP_LOGIN_WINDOW"],
        app.config["GOVMAP_LOGIN_LOCKOUT"],
        app.config["GOVMAP_LOGIN_MAX_LOCKOUT"],
        store=counts,
    )
    app.extensions["govmap.password_checks"] = PasswordChecks(
        app.config["GOVMAP_LOGIN_CONCURRENCY"], app.config["GOVMAP_LOGIN_QUEUE"]
    )
    if "govmap.revoked" not in app.extensions:
        app.extensions["govmap.revoked"] = sessions.Revoked(sessions.state_path(app.config))
    app.before_request(load_user)
    app.before_request(require_viewer)

    @app.context_processor
    def _user() -> dict[str, Any]:
        user = g.get("user")
        if user is not None and user.is_editor and store_read_only():
            user = dataclasses.replace(user, role=VIEWER)  # no edit links on a read-only store
        return {"current_user": user}


def _share_state(app: Flask) -> Any:
    """With a store that keeps web state (Neo4j): signed-out sessions and sign-in counts in it,
    and the accounts unless a users file is named; so several servers act as one.  Returns the
    throttle's count store (None: this process's memory).  A read-only database keeps nothing
    written: its servers count and sign out on their own (and say so in the log)."""
    store = app.extensions.get("govmap.store")
    web_state = getattr(store, "web_state", None)
    if web_state is None:
        return None
    from .shared import DatabaseAccounts, DatabaseCounts, DatabaseSignedOut

    state = web_state()
    app.extensions["govmap.web_state"] = state
    if not app.config.get("GOVMAP_USERS"):
        app.extensions["govmap.accounts"] = DatabaseAccounts(state, Account)
    if getattr(store, "read_only", False):
        log.warning("the database is read-only: sign-outs and failed sign-ins are kept by each server alone")
        return None
    app.extensions["govmap.revoked"] = DatabaseSignedOut(state)
    return DatabaseCounts(state)


def store_read_only() -> bool:
    """Whether the store refuses writes (a read-only Neo4j database): editing is then off."""
    return bool(getattr(current_app.extensions.get("govmap.store"), "read_only", False))
