"""``govmap import``: a register read from a spreadsheet, or merged from one into a register file or Neo4j."""

from __future__ import annotations

from typing import Any

import click

from govmap.cliutil import ExitStatus, FilePath, open_neo4j
from govmap.ingest.errors import GovmapError
from govmap.ingest.reading.messages import plural

#: Share of a register's records an import may remove without --force.
MAX_DELETE = 0.2


class MassDeletion(GovmapError):
    """An import would remove more records than a slip of the mouse should."""

    exit_status = ExitStatus.CONFLICT


@click.command("import")
@click.argument("spreadsheet", type=FilePath(), metavar="SPREADSHEET")
@click.option("-o", "--output", type=FilePath(dir_okay=False), help="Write the register here (YAML).")
@click.option(
    "--into",
    "into",
    type=FilePath(dir_okay=False),
    help="Merge into this register file, or into the register held in Neo4j at this Bolt URI "
    "(bolt://, neo4j://): print the changes, then write.",
)
@click.option("--dry-run", is_flag=True, help="With --into: print the changes, write nothing.")
@click.option(
    "--force", is_flag=True, help=f"With --into: allow removing more than {MAX_DELETE:.0%} of the records."
)
def import_(spreadsheet: str, output: str | None, into: str | None, dry_run: bool, force: bool) -> None:
    """Read a register from a spreadsheet (.xlsx, a folder of .csv files, or a .zip of them).

    Every problem is printed at its cell (register.xlsx:Bodies!C12); nothing is
    written while there is one.  Without -o or --into the register is printed.
    """
    from govmap.ingest.store.dump import dump_register
    from govmap.ingest.tabular import TabularInvalid, import_register

    if output and into:
        raise click.UsageError("give -o (a new file) or --into (merge), not both")
    if into and is_neo4j_uri(into):
        _import_into_neo4j(spreadsheet, into, dry_run, force)
        return
    if into:
        _import_into(spreadsheet, into, dry_run, force)
        return
    imported = import_register(spreadsheet)
    if imported.register is None:
        raise TabularInvalid(imported.problems)
    click.echo(imported.rows_read(spreadsheet), err=True)
    text = dump_register(imported.register)
    if output:
        from govmap.ingest.store.files import write_atomically

        write_atomically(output, text)
        n = sum(1 for _ in imported.register.records())
        warnings = len(imported.checked.warnings)
        more = f"; {plural(warnings, 'warning')}: run 'govmap validate {output}'" if warnings else ""
        click.echo(f"wrote {output}: {plural(n, 'record')}{more}", err=True)
    else:
        click.echo(text, nl=False)


def _import_into(spreadsheet: str, into: str, dry_run: bool, force: bool) -> None:
    from govmap.graph.review.diff import diff_records
    from govmap.ingest.reading.load import check_text, read_text
    from govmap.ingest.reading.yamlsafe import locate, parse
    from govmap.ingest.store.files import write_atomically
    from govmap.ingest.tabular import TabularInvalid, check_tables, read_tables
    from govmap.ingest.tabular.merge import merge_text

    text = read_text(into)
    current = check_text(text, into)
    if current.register is None:
        from govmap.ingest.errors import RegisterInvalid

        raise RegisterInvalid(current.problems)
    base = parse(text, into).data
    imported = check_tables(
        read_tables(spreadsheet),
        spreadsheet,
        base,
        lambda paths, at_key: locate(text, into, paths, at_key=at_key),
    )
    if imported.register is None:
        raise TabularInvalid(imported.problems)
    old, new = current.register, imported.register
    diff = diff_records(old, new)
    click.echo(imported.rows_read(spreadsheet))
    click.echo(describe_changes(diff, old, new, into))
    from govmap.cliutil import warn_duplicates

    warn_duplicates(new, {*diff.added, *(c.id for c in diff.changed)})
    _guard(diff, old, force)
    if dry_run or diff.empty:
        click.echo("dry run: nothing written" if dry_run else "nothing to change", err=True)
        return
    write_atomically(into, merge_text(text, old, new, into))
    click.echo(f"wrote {into}", err=True)


def is_neo4j_uri(target: str) -> bool:
    """Whether ``--into`` names a database (a Bolt URI) rather than a register file."""
    from govmap.graph.neo4j.connect import SCHEMES

    return "://" in target and target.split("://", 1)[0].lower() in SCHEMES


def _import_into_neo4j(spreadsheet: str, uri: str, dry_run: bool, force: bool) -> None:
    """``govmap import --into bolt://...``: the spreadsheet merged into the register held in Neo4j.

    As into a file: every problem at its cell, the changes printed, more than
    20 % of the records removed only with --force; then written as a load does
    (one transaction, only what differs), recorded as an import in the audit
    log, and refused if the database changed since it was read.
    """
    from govmap.cliutil import warn_duplicates
    from govmap.graph.neo4j import read_stored_version, sync
    from govmap.graph.review.diff import diff_records
    from govmap.ingest.reading.yamlsafe import locate, parse
    from govmap.ingest.store.dump import dump_register
    from govmap.ingest.tabular import TabularInvalid, check_tables, read_tables

    settings, driver = open_neo4j(uri)
    try:
        old, version = read_stored_version(driver, settings)
        label = f"the register in Neo4j at {settings.where}"
        text = dump_register(old)  # what the spreadsheet's cells are placed against
        imported = check_tables(
            read_tables(spreadsheet),
            spreadsheet,
            parse(text, label).data,
            lambda paths, at_key: locate(text, label, paths, at_key=at_key),
        )
        if imported.register is None:
            raise TabularInvalid(imported.problems)
        new = imported.register
        diff = diff_records(old, new)
        click.echo(describe_changes(diff, old, new, label))
        warn_duplicates(new, {*diff.added, *(c.id for c in diff.changed)})
        _guard(diff, old, force)
        if dry_run or diff.empty:
            click.echo("dry run: nothing written" if dry_run else "nothing to change", err=True)
            return
        summary = sync(
            new,
            driver,
            settings.database,
            force=force,
            max_delete_pct=100.0 if force else MAX_DELETE * 100,
            settings=settings,
            action="import",
            expected_version=version,
        )
    finally:
        driver.close()
    click.echo(f"wrote {label}: {summary.format()}", err=True)


def _guard(diff: Any, old: Any, force: bool) -> None:
    """Refuse (:class:`MassDeletion`) an import that removes more than 20 % of the records."""
    total = sum(1 for _ in old.records())
    if total and len(diff.removed) > MAX_DELETE * total and not force:
        raise MassDeletion(
            f"the import would remove {len(diff.removed)} of {total} records ({len(diff.removed) / total:.0%}); "
            f"nothing was written",
            hint=f"check the spreadsheet holds every sheet, or add --force to remove more than {MAX_DELETE:.0%}",
        )


def describe_changes(diff: Any, old: Any, new: Any, into: str) -> str:
    """The record-level diff, one line a record (the review-cycle diff's words)."""
    lines = [f"changes to {into}:"]
    for rid in diff.added:
        lines.append(f"  + {new.get(rid).word} '{rid}' added")
    for r in diff.renamed:
        lines.append(f"  ~ '{r.old}' renamed to '{r.new}'")
    for c in diff.changed:
        fields = ", ".join(ch.describe() for ch in c.changes[:3]) + (" ..." if len(c.changes) > 3 else "")
        word = "register" if c.id == "register" else new.get(c.id).word
        lines.append(f"  ~ {word} '{c.id}' changed: {fields}")
    for rid in diff.removed:
        lines.append(f"  - {old.get(rid).word} '{rid}' removed")
    lines.append(
        f"{plural(len(diff.added), 'record')} added, {len(diff.changed)} changed, "
        f"{len(diff.renamed)} renamed, {len(diff.removed)} removed"
    )
    return "\n".join(lines)


COMMANDS = [import_]
