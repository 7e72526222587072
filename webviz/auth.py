"""Who is signed in, and who may edit.

Two ways to sign in, both documented in docs/web.md:

- **Local accounts** in a TOML file named by ``GOVMAP_USERS``::

      [users.alice]
      password = "scrypt:32768:8:1$..."   # python -m govmap.webviz.auth
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

import functools
import getpass
import sys
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for
from govmap.ingest.errors import GovmapError
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

bp = Blueprint("auth", __name__)

EDITOR = "editor"
VIEWER = "viewer"
# Checked when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


class NotSignedIn(GovmapError):
    status = 401


class NotAnEditor(GovmapError):
    status = 403


class UsersFileInvalid(GovmapError):
    status = 500


@dataclass(frozen=True)
class User:
    name: str
    role: str
    #: "password" or "proxy": how the user signed in.
    via: str

    @property
    def is_editor(self) -> bool:
        return self.role == EDITOR


@dataclass(frozen=True)
class Account:
    name: str
    password_hash: str
    role: str


def read_users(path: str | None) -> dict[str, Account]:
    """Accounts from a TOML users file; an empty mapping if there is no file."""
    if not path:
        return {}
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise UsersFileInvalid(f"{path}: no such users file", hint="check GOVMAP_USERS") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsersFileInvalid(f"{path}: not valid TOML: {exc}") from None
    accounts = {}
    for name, entry in (data.get("users") or {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("password"), str):
            raise UsersFileInvalid(f"{path}: user '{name}' needs a password hash")
        role = entry.get("role", VIEWER)
        if role not in (EDITOR, VIEWER):
            raise UsersFileInvalid(f"{path}: user '{name}': role must be 'editor' or 'viewer', not '{role}'")
        accounts[name] = Account(name, entry["password"], role)
    return accounts


def _accounts() -> dict[str, Account]:
    accounts: dict[str, Account] = current_app.extensions["govmap.users"]
    return accounts


def check_login(name: str, password: str) -> User | None:
    """The user if the name and password match an account, else None."""
    account = _accounts().get(name)
    ok = check_password_hash(account.password_hash if account else _DUMMY_HASH, password)
    return User(account.name, account.role, "password") if account and ok else None


def _proxy_user(name: str) -> User:
    editors = {e.strip() for e in current_app.config["GOVMAP_EDITORS"].split(",") if e.strip()}
    account = _accounts().get(name)
    is_editor = "*" in editors or name in editors or (account is not None and account.is_editor)
    return User(name, EDITOR if is_editor else VIEWER, "proxy")


def load_user() -> None:
    """Set ``g.user`` for this request (None when nobody is signed in)."""
    g.user = None
    header = current_app.config.get("GOVMAP_TRUSTED_USER_HEADER")
    if header and request.headers.get(header, "").strip():
        g.user = _proxy_user(request.headers[header].strip())
        return
    name = session.get("user")
    account = _accounts().get(name) if isinstance(name, str) else None
    if account is not None:
        g.user = User(account.name, account.role, "password")


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


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    error = None
    if request.method == "POST":
        user = check_login(request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            session.clear()  # a fresh session: no fixation
            session["user"] = user.name
            return redirect(safe_next(request.form.get("next")))
        error = "Wrong name or password."
    return render_template(
        "login.html", error=error, next=request.values.get("next", ""), has_accounts=bool(_accounts())
    ), (401 if error else 200)  # type: ignore[return-value]


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    session.clear()
    return redirect(url_for("map.index"))


def init_app(app: Flask) -> None:
    app.extensions["govmap.users"] = read_users(app.config.get("GOVMAP_USERS"))
    app.before_request(load_user)
    app.before_request(require_viewer)

    @app.context_processor
    def _user() -> dict[str, Any]:
        return {"current_user": g.get("user")}


def main(argv: list[str] | None = None) -> None:
    """Print a password hash for a users file: ``python -m govmap.webviz.auth``."""
    password = getpass.getpass("password: ")
    if password != getpass.getpass("again: "):
        sys.exit("the passwords differ")
    print(generate_password_hash(password))


if __name__ == "__main__":
    main()
