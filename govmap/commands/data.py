"""``govmap export`` and ``govmap import``: the register in and out of spreadsheets and graph tools."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from govmap.cliutil import (
    ExitStatus,
    FilePath,
    from_neo4j_option,
    open_neo4j,
    register_argument,
    register_from,
)
from govmap.graph.terms import GRAPH_FORMATS
from govmap.ingest.errors import GovmapError, OutputError
from govmap.ingest.reading.messages import plural

TABLE_FORMATS = ("xlsx", "csv")
FORMATS = (*TABLE_FORMATS, *GRAPH_FORMATS, "map")
#: The format a file name implies, when --format is not given.
BY_SUFFIX = {".xlsx": "xlsx", ".zip": "csv", ".graphml": "graphml", ".gexf": "gexf", ".html": "map"}
#: Share of a register's records an import may remove without --force.
MAX_DELETE = 0.2


class MassDeletion(GovmapError):
    """An import would remove more records than a slip of the mouse should."""

    exit_status = ExitStatus.CONFLICT


def _write(path: str, data: bytes) -> None:
    from govmap.ingest.store.files import write_atomic

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputError(
            f"cannot write {path}: no folder {folder}", hint="create the folder, or choose another path"
        )
    if os.path.isdir(path):
        raise OutputError(f"cannot write {path}: it is a folder", hint="give a file name")
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_files(target: str, files: dict[str, bytes]) -> str:
    """Files into a folder (made if missing), or into one zip when ``target`` ends in .zip."""
    if target.lower().endswith(".zip"):
        import io
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in files.items():
                z.writestr(name, data)
        _write(target, buf.getvalue())
        return f"{target} ({plural(len(files), 'file')})"
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            f"cannot write CSV files into {target}: it is a file", hint="give a folder or a .zip name"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the folder {target}: {exc.strerror or exc}") from None
    for name, data in files.items():
        _write(str(folder / name), data)
    return f"{plural(len(files), 'file')} in {target}/"


def _format_of(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    if output:
        suffix = Path(output).suffix.lower()
        if suffix in BY_SUFFIX:
            return BY_SUFFIX[suffix]
        if not suffix:
            return "csv"
    raise click.UsageError("say which format with --format (" + ", ".join(FORMATS) + ")")


@click.command("export")
@register_argument
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), help="Default: from the -o file's suffix.")
@click.option("-o", "--output", type=FilePath(), help="File (or folder, for csv and csv-graph) to write.")
@click.option("--template", is_flag=True, help="Write a blank workbook (or CSV files) to fill in.")
@click.option("--theme", help="map: only what addresses this theme (an id).")
@click.option("--area", help="map: only what covers this area (an id).")
@click.option("--focus", metavar="ID", help="map: centre on this record.")
@click.option(
    "--hops", type=click.IntRange(1, 5), default=1, show_default=True, help="map: links out from --focus."
)
@click.option("--kind", "kinds", multiple=True, help="map: only records of this kind (repeatable).")
@from_neo4j_option
def export(
    register: str | None,
    fmt: str | None,
    output: str | None,
    template: bool,
    theme: str | None,
    area: str | None,
    focus: str | None,
    hops: int,
    kinds: tuple[str, ...],
    neo4j_uri: str | None,
) -> None:
    """Write the register as a spreadsheet, a graph file, Popolo JSON or a map you can send.

    The register is REGISTER, or the one held in Neo4j with --neo4j URI.

    \b
    xlsx       one sheet per section and per kind of link, with drop-downs
    csv        the same sheets as CSV files (a folder, or a .zip)
    graphml    for Gephi, Cytoscape, yEd
    gexf       for Gephi, with the map's colours and positions
    cytoscape  Cytoscape.js JSON
    popolo     Popolo JSON (organizations, posts, persons, memberships)
    csv-graph  nodes.csv and edges.csv
    map        one HTML file of the map (filters below) that works offline
    """
    fmt = _format_of(fmt, output)
    if template and fmt not in TABLE_FORMATS:
        raise click.UsageError("--template makes a blank xlsx or csv; add --format xlsx or --format csv")
    if output is None and fmt in ("xlsx", "csv", "csv-graph", "map"):
        raise click.UsageError(f"--format {fmt} needs -o FILE")
    if template:
        from govmap.ingest.model import Register

        reg = Register()
    else:
        reg = register_from(register, neo4j_uri)
    if fmt in TABLE_FORMATS:
        _export_table(reg, fmt, str(output), template)
    elif fmt == "map":
        _export_map(reg, str(output), theme, area, focus, hops, kinds)
    else:
        _export_graph(reg, fmt, output)


def _export_table(reg: Any, fmt: str, output: str, template: bool) -> None:
    from govmap.ingest.tabular import SHEETS, write_csvs, write_xlsx

    what = "a blank template" if template else f"{plural(sum(1 for _ in reg.records()), 'record')}"
    if fmt == "xlsx":
        _write(output, write_xlsx(reg, template))
        click.echo(f"wrote {output}: {what}, {len(SHEETS) + 2} sheets (with README and Lists)", err=True)
    else:
        where = _write_files(output, write_csvs(reg, template))
        click.echo(f"wrote {where}: {what}", err=True)


def _export_graph(reg: Any, fmt: str, output: str | None) -> None:
    from govmap.graph import export as gx

    if fmt == "popolo":
        text = gx.to_popolo(reg)
    else:
        g = gx.export_graph(reg)
        if fmt == "csv-graph":
            where = _write_files(str(output), gx.to_csv_pair(g))
            click.echo(
                f"wrote {where}: {plural(g.number_of_nodes(), 'node')}, {plural(g.number_of_edges(), 'edge')}",
                err=True,
            )
            return
        if fmt == "graphml":
            text = gx.to_graphml(g)
        elif fmt == "cytoscape":
            text = gx.to_cytoscape(g)
        else:
            from govmap.graph.layout import spring_by_piece
            from govmap.webviz.map.style import KIND_STYLE

            colours = {k: v["color"] for k, v in KIND_STYLE.items()}
            sizes = {"body": 20.0, "organisation": 14.0}
            text = gx.to_gexf(g, colours, sizes, spring_by_piece(g) if g.number_of_nodes() <= 5000 else None)
    if output:
        _write(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def _export_map(
    reg: Any,
    output: str,
    theme: str | None,
    area: str | None,
    focus: str | None,
    hops: int,
    kinds: tuple[str, ...],
) -> None:
    from govmap.webviz.map.query import MapQuery
    from govmap.webviz.map.standalone import standalone_map
    from govmap.webviz.map.style import KIND_STYLE

    bad = [k for k in kinds if k not in KIND_STYLE or k == "group"]
    if bad:
        allowed = ", ".join(k for k in KIND_STYLE if k != "group")
        raise click.BadParameter(f"'{bad[0]}' is not a kind; kinds are: {allowed}", param_hint="--kind")
    q = MapQuery(kinds=kinds, theme=theme, area=area, focus=focus, hops=hops)
    html = standalone_map(reg, q)
    _write(output, html.encode("utf-8"))
    click.echo(f"wrote {output}", err=True)


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


@click.command()
@click.option(
    "--force-areas",
    "-n",
    type=click.IntRange(1, 500),
    default=1,
    show_default=True,
    help="Police force areas to generate (43: England and Wales, ~50,000 bodies and organisations).",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("-o", "--output", type=FilePath(dir_okay=False), help="Write to a file (atomically).")
def synth(force_areas: int, seed: int, output: str | None) -> None:
    """Generate a synthetic register of a national shape (for scale tests)."""
    from govmap.ingest.store.files import write_atomically
    from govmap.support.synth import synth_yaml

    text = synth_yaml(force_areas, seed)
    if output:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)
