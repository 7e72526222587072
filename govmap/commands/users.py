"""``govmap user add``: accounts of the web app, in its users file or its Neo4j database (docs/web.md, Access)."""

from __future__ import annotations

import os
import sys

import click

from govmap.cliutil import FilePath, open_neo4j, timeout_option


@click.group("user")
def user() -> None:
    """Accounts of the web app, kept in a TOML users file (GOVMAP_USERS) or in Neo4j (--neo4j)."""


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
@click.option(
    "--neo4j",
    "neo4j_uri",
    metavar="URI",
    help="Keep the account in this Neo4j database (what 'govmap serve --neo4j' reads when no users "
    "file is named), not in a users file.",
)
@timeout_option
def add(
    name: str, role: str, path: str | None, password_stdin: bool, neo4j_uri: str | None, timeout: float | None
) -> None:
    """Add NAME to the users file, or give NAME a new password and role.

    Asks for the password twice (or reads it with --password-stdin) and stores
    only its hash.  A running app reads the changed file by itself at its next
    request (a changed password ends that user's sessions).  With --neo4j URI
    the account is kept in the database instead, shared by every server of
    that store; a changed password ends its sessions on all of them.
    """
    from werkzeug.security import generate_password_hash

    from govmap.webviz.accounts import Account, check_account, save_account

    if not path and not neo4j_uri:
        raise click.UsageError(
            "name the users file with --users FILE or GOVMAP_USERS, or the database with --neo4j URI"
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
    if not password:
        raise click.UsageError("the password is empty")
    account = Account(name, generate_password_hash(password), role)
    if neo4j_uri:
        from govmap.graph.neo4j.webstate import WebState

        check_account(account)
        settings, driver = open_neo4j(neo4j_uri, timeout)
        try:
            state = WebState(settings, driver)
            state.ensure_schema()
            replaced = state.save_account(account.name, account.password_hash, account.role)
        finally:
            driver.close()
        where = f"Neo4j at {settings.where}"
    else:
        assert path is not None
        replaced, where = save_account(path, account), path
    click.echo(f"{'changed' if replaced else 'added'} {name} ({role}) in {where}")


COMMANDS: list[click.Command] = [user]
