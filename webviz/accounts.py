"""Accounts and the users file: who may sign in with a password, and with which role.

A users file is TOML named by ``GOVMAP_USERS`` (``govmap user add`` writes it)::

    [users.alice]
    password = "scrypt:32768:8:1$..."
    role = "editor"                     # or "viewer"

Signing in, sessions and who may edit are :mod:`govmap.webviz.auth`'s.
"""

from __future__ import annotations

import os
import tomllib
import unicodedata
from dataclasses import dataclass

from govmap.ingest.errors import GovmapError, OutputError, unreadable

EDITOR = "editor"
VIEWER = "viewer"


class UsersFileInvalid(GovmapError):
    status = 500


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
    except UnicodeDecodeError as exc:
        raise UsersFileInvalid(f"{path}: not UTF-8 text (byte {exc.start + 1})") from None
    except (OSError, ValueError) as exc:  # a folder, a socket, a symlink loop, a NUL in the name
        raise unreadable(path, exc) from None
    accounts = {}
    for name, entry in (data.get("users") or {}).items():
        if not isinstance(entry, dict) or not isinstance(entry.get("password"), str):
            raise UsersFileInvalid(f"{path}: user '{name}' needs a password hash")
        role = entry.get("role", VIEWER)
        if role not in (EDITOR, VIEWER):
            raise UsersFileInvalid(f"{path}: user '{name}': role must be 'editor' or 'viewer', not '{role}'")
        accounts[name] = Account(name, entry["password"], role)
    return accounts


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_key(name: str) -> str:
    return (
        name if name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name) else _toml_string(name)
    )


def _toml_account(account: Account) -> str:
    return (
        f"[users.{_toml_key(account.name)}]\n"
        f"password = {_toml_string(account.password_hash)}\n"
        f"role = {_toml_string(account.role)}\n"
    )


def check_account(account: Account) -> None:
    """Refuse an account no store should keep: a role but editor or viewer, a name with a control character."""
    if account.role not in (EDITOR, VIEWER):
        raise UsersFileInvalid(f"role must be 'editor' or 'viewer', not '{account.role}'")
    if any(unicodedata.category(c).startswith("C") for c in account.name):
        raise UsersFileInvalid(
            f"the name {account.name!r} has a control character", hint="choose another name"
        )


def save_account(path: str, account: Account) -> bool:
    """Add an account to a users file, or replace the one of that name; True if it replaced one.

    A new account is appended, so the rest of the file (comments included) is
    kept; replacing one rewrites the file from its accounts.  The file is
    checked first (a broken file is never overwritten) and written atomically;
    a new file is readable by its owner only.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "users.toml")
    >>> save_account(path, Account("alice", "scrypt:hash", EDITOR))
    False
    >>> read_users(path)["alice"].role
    'editor'
    """
    check_account(account)
    from govmap.ingest.store.files import write_atomic

    try:
        if not os.path.exists(path):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise OutputError(
            f"cannot create the users file {path}: {exc.strerror or exc}",
            hint="check the folder exists and is writable, or give another --users FILE",
        ) from None
    accounts = read_users(path)
    replaced = account.name in accounts
    if replaced:
        accounts[account.name] = account
        text = "\n".join(_toml_account(a) for a in accounts.values())
    else:
        with open(path, encoding="utf-8") as f:
            old = f.read()
        gap = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
        text = old + gap + _toml_account(account)
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"cannot write the users file {path}: {exc.strerror or exc}") from None
    return replaced
