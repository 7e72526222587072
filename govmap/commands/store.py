"""``govmap load`` and ``dump``: the register into Neo4j and back (docs/neo4j.md)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from govmap.cliutil import FilePath, neo4j_option, register_argument, timeout_option
from govmap.ingest.reading.load import load_register
from govmap.ingest.reading.messages import plural


@click.command()
@register_argument
@neo4j_option
@timeout_option
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--progress/--no-progress", default=None, help="Show progress (default: on a terminal).")
@click.option(
    "--force",
    is_flag=True,
    help="Replace edits made in the database since the last load, and delete any number of records.",
)
@click.option(
    "--max-delete",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PCT",
    help="Refuse to delete more than PCT % of the records in the database (default 20).",
)
@click.option(
    "--full", is_flag=True, help="Compare every node and relationship, even when nothing seems changed."
)
def load(
    register: str | None,
    neo4j_uri: str | None,
    timeout: float | None,
    quiet: bool,
    as_json: bool,
    progress: bool | None,
    force: bool,
    max_delete: float | None,
    full: bool,
) -> None:
    """Load a register into Neo4j: validated first, written in one transaction.

    The decisions file beside it (boards.yaml -> boards.decisions.yaml), if
    there is one, is validated and loaded with it.  Refused (exit 6, nothing
    changed) when the database holds edits made with 'govmap serve --neo4j'
    since the last load: dump them first, or --force; and when it would delete
    more than --max-delete % of the database's records (default 20): check the
    file, or --force.
    """
    from govmap.graph.neo4j import Neo4jSettings, connect, sync
    from govmap.ingest.reading.load import default_register_path
    from govmap.ingest.store.decisions import decisions_path, load_decisions

    reg = load_register(register)  # an invalid register never touches the database
    beside = decisions_path(register or default_register_path())
    decisions = load_decisions(beside) if beside.exists() else None  # invalid: stops here too
    settings = Neo4jSettings.from_env(neo4j_uri, timeout)
    show = (sys.stderr.isatty() if progress is None else progress) and not quiet and not as_json

    def report_progress(stage: str, done: int, total: int) -> None:
        click.echo(f"{stage}: {done}/{total}", err=True)

    driver = connect(settings)
    try:
        limit: dict[str, Any] = {} if max_delete is None else {"max_delete_pct": max_delete}
        summary = sync(
            reg,
            driver,
            settings.database,
            progress=report_progress if show else None,
            force=force,
            full=full,
            settings=settings,
            decisions=decisions,
            **limit,
        )
    finally:
        driver.close()
    if summary.replaced:
        n = len(summary.replaced)
        shown = "; ".join(summary.replaced[:5]) + (f"; and {n - 5} more" if n > 5 else "")
        click.echo(f"replaced {plural(n, 'edit')} made in the web app since the last load: {shown}", err=True)
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    elif not quiet:
        click.echo(summary.format())


@click.command()
@neo4j_option
@timeout_option
@click.option("-o", "--output", type=FilePath(dir_okay=False), help="Write to a file (atomically).")
def dump(neo4j_uri: str | None, timeout: float | None, output: str | None) -> None:
    """Write the register held in Neo4j back to YAML.

    With -o FILE, the decisions on findings held in the database are written
    beside it (FILE -> *.decisions.yaml; emptied if the database holds none
    and the file is there), so 'govmap load FILE' loads both back.
    """
    from govmap.graph.neo4j import Neo4jSettings, connect
    from govmap.graph.neo4j.decisions import read_with_decisions
    from govmap.ingest.store.decisions import decisions_path, decisions_text
    from govmap.ingest.store.dump import dump_register
    from govmap.ingest.store.files import write_atomically

    settings = Neo4jSettings.from_env(neo4j_uri, timeout)
    driver = connect(settings)
    try:
        register, decisions = read_with_decisions(driver, settings)
    finally:
        driver.close()
    text = dump_register(register)
    if not output:
        click.echo(text, nl=False)
        return
    beside = decisions_path(output)
    if decisions or beside.exists():
        write_atomically(beside, decisions_text(decisions))
    write_atomically(output, text)


COMMANDS: list[click.Command] = [load, dump]
