"""What every ``govmap`` command shares: exit codes, the error funnel, the REGISTER argument."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import click

from govmap.ingest.errors import GovmapError, RegisterUnreadable


class ExitStatus(IntEnum):
    """Exit codes, listed in the README."""

    SUCCESS = 0
    #: The register is invalid, or findings reached ``--fail-on``.
    INVALID = 1
    #: Wrong arguments, or a file that cannot be read.
    USAGE = 2
    #: Neo4j could not be reached (down, wrong address).
    NEO4J_UNAVAILABLE = 3
    #: Neo4j refused the credentials or the database name.
    NEO4J_REFUSED = 4
    #: Neo4j failed during a write; nothing was changed.
    NEO4J_FAILED = 5
    #: The database holds edits made since the last load; nothing was changed (use --force).
    CONFLICT = 6
    #: The connection to Neo4j was lost just after a write was sent: it may have been applied.
    COMMIT_UNKNOWN = 7
    INTERRUPTED = 130


def exit_status_of(exc: GovmapError) -> ExitStatus:
    code = getattr(exc, "exit_status", None)
    if code is not None:
        return ExitStatus(code)
    if isinstance(exc, RegisterUnreadable):
        return ExitStatus.USAGE
    return ExitStatus.INVALID


def printable(text: str) -> str:
    r"""``text`` with each character a terminal would act on (ESC, NUL, a line or paragraph
    separator, a direction override) written as an escape, line by line: an error message
    that quotes what was typed stays on its lines and cannot move the cursor or recolour.

    >>> printable("error: 'a\u2028b' and \x1b[2J")
    "error: 'a\\u2028b' and \\x1b[2J"
    """
    return "\n".join(
        "".join(c if c.isprintable() else ascii(c)[1:-1] for c in line) for line in text.split("\n")
    )


class GovmapGroup(click.Group):
    """Turns every :class:`GovmapError` into a message and an exit code; every message printed
    as :func:`printable` text."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GovmapError as exc:
            if ctx.params.get("traceback"):
                raise
            click.echo(printable(exc.format()), err=True)
            ctx.exit(exit_status_of(exc))
        except click.ClickException as exc:  # click prints it (usage errors): made printable first
            setattr(exc, "message", printable(exc.message))  # noqa: B010 - click declares it Final
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(ExitStatus.INTERRUPTED)


class FilePath(click.Path):
    """``click.Path`` that refuses a name holding a NUL character as a usage error (click's own
    ``os.stat`` of it raises ``ValueError``, a traceback).  Every command's path options use it."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail(f"{value!r} is not a file name: it holds a NUL character", param, ctx)
        return super().convert(value, param, ctx)


register_argument = click.argument(
    "register", required=False, type=FilePath(dir_okay=False), metavar="[REGISTER]"
)


neo4j_option = click.option(
    "--neo4j",
    "neo4j_uri",
    metavar="URI",
    help="Bolt URI of the database (default $NEO4J_URI, else bolt://127.0.0.1:7687); "
    "user, password and database from NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE.",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(0.1, 86_400),
    default=None,
    metavar="SECONDS",
    help="Give up reaching Neo4j after this long (default $NEO4J_TIMEOUT, else 15).",
)


def warn_duplicates(register: Any, touched: set[str]) -> None:
    """Warn of records a change (an import, an extract) makes look like records already there.

    The report's ``possible-duplicate`` check, limited to findings about a record the change
    added or changed.
    """
    from govmap.graph.analysis.duplicates import possible_duplicates

    for f in possible_duplicates(register):
        if touched & {s.id for s in f.subjects}:
            click.echo(f"warning: {f.title} ({f.suggestion})", err=True)


#: ``--neo4j URI`` on a command that reads a register: read it from the database instead of a file.
from_neo4j_option = click.option(
    "--neo4j",
    "neo4j_uri",
    metavar="URI",
    help="Read the register from this Neo4j database instead of a file (user, password and "
    "database from NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE).",
)


def open_neo4j(uri: str, timeout: float | None = None) -> tuple[Any, Any]:
    """(settings, a connected driver) for ``uri``; close the driver when done."""
    from govmap.graph.neo4j import Neo4jSettings, connect

    settings = Neo4jSettings.from_env(uri, timeout)
    return settings, connect(settings)


def register_from(register: str | None, neo4j_uri: str | None, timeout: float | None = None) -> Any:
    """The register named on the command line: the file REGISTER, or the one held in Neo4j."""
    from govmap.ingest.reading.load import load_register

    if neo4j_uri is None:
        return load_register(register)
    if register:
        raise click.UsageError("give REGISTER or --neo4j URI, not both")
    from govmap.graph.neo4j import read_register

    settings, driver = open_neo4j(neo4j_uri, timeout)
    try:
        return read_register(driver, settings.database, settings)
    finally:
        driver.close()
