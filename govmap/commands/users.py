"""``govmap user add``: accounts for the web app's users file (docs/web.md, Access)."""

from __future__ import annotations

import os
import sys

import click

from govmap.cliutil import FilePath


@click.group("user")
def user() -> None:
    """Accounts of the web app, kept in a TOML users file (GOVMAP_USERS)."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["editor", "viewer"]),
    default="viewer",
    show_default=True,
    help="What the user may do.",
)
@click.option(
    "--users",
    "path",
    type=FilePath(dir_okay=False),
    default=lambda: os.environ.get("GOVMAP_USERS"),
    help="The users file (created if missing).  [default: $GOVMAP_USERS]",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
def add(name: str, role: str, path: str | None, password_stdin: bool) -> None:
    """Add NAME to the users file, or give NAME a new password and role.

    Asks for the password twice (or reads it with --password-stdin) and stores
    only its hash.  A running app reads the changed file by itself at its next
    request (a changed password ends that user's sessions).
    """
    from werkzeug.security import generate_password_hash

    from govmap.webviz.auth import Account, save_account

    if not path:
        raise click.UsageError("name the users file with --users FILE or GOVMAP_USERS")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
    if not password:
        raise click.UsageError("the password is empty")
    replaced = save_account(path, Account(name, generate_password_hash(password), role))
    click.echo(f"{'changed' if replaced else 'added'} {name} ({role}) in {path}")


COMMANDS: list[click.Command] = [user]
