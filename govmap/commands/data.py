"""``govmap export``, the register out to spreadsheets, graph tools and a map; ``govmap synth``.

``govmap import`` (spreadsheets in) is :mod:`govmap.commands.importing`'s.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from govmap.cliutil import (
    FilePath,
    from_neo4j_option,
    register_argument,
    register_from,
)
from govmap.graph.terms import GRAPH_FORMATS
from govmap.ingest.errors import OutputError
from govmap.ingest.reading.messages import plural

TABLE_FORMATS = ("xlsx", "csv")
FORMATS = (*TABLE_FORMATS, *GRAPH_FORMATS, "map")
#: The format a file name implies, when --format is not given.
BY_SUFFIX = {".xlsx": "xlsx", ".zip": "csv", ".graphml": "graphml", ".gexf": "gexf", ".html": "map"}


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


COMMANDS = [export, synth]
