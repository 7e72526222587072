"""The ``govmap`` command: parse options, call the library, print.  No logic here."""

from __future__ import annotations

import sys

import click

from govmap.cliutil import ExitStatus, GovmapGroup
from govmap.ingest.errors import RegisterError, RegisterInvalid


@click.group(cls=GovmapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--traceback", is_flag=True, help="Show a Python traceback on errors (for bug reports).")
@click.version_option(package_name="govmap")
def cli(traceback: bool) -> None:
    """Map, check and update a register of governance boards and partnerships.

    REGISTER defaults to $GOVMAP_REGISTER, else data/boards.yaml.
    """


def main() -> None:
    """Entry point of the ``govmap`` console script."""
    try:
        cli.main(prog_name="govmap")
    except RegisterError as exc:  # pragma: no cover - raised outside a command
        click.echo(exc.format(), err=True)
        sys.exit(ExitStatus.INVALID)


# Re-exported so that tests and docs name one list of codes.
__all__ = ["ExitStatus", "RegisterInvalid", "cli", "main"]


def _add_commands() -> None:
    """Attach the commands kept in :mod:`govmap.commands` (one module per area)."""
    from govmap.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_add_commands()
