"""The ``govmap`` command: parse options, call the library, print.  No logic here."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from govmap.cliutil import ExitStatus, _Group, plural, register_argument
from govmap.ingest.errors import Level, RegisterError, RegisterInvalid, RegisterUnreadable
from govmap.ingest.model import SECTIONS
from govmap.ingest.reading.load import check_register, default_register_path, load_register


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--traceback", is_flag=True, help="Show a Python traceback on errors (for bug reports).")
@click.version_option(package_name="govmap")
def cli(traceback: bool) -> None:
    """Map, check and update a register of governance boards and partnerships.

    REGISTER defaults to $GOVMAP_REGISTER, else data/boards.yaml.
    """


@cli.command()
@register_argument
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only, not warnings.")
def validate(register: str | None, as_json: bool, quiet: bool) -> None:
    """Check a register; exit 0 if valid (warnings allowed), 1 if not."""
    path = register or default_register_path()
    try:
        checked = check_register(path)
    except RegisterUnreadable as exc:
        if as_json:
            click.echo(json.dumps({"valid": False, "problems": [exc.problem.to_json()]}, indent=2))
        raise
    problems = [p for p in checked.problems if not (quiet and p.level is Level.WARNING)]
    if as_json:
        out = {
            "file": path,
            "valid": checked.register is not None,
            "errors": len(checked.errors),
            "warnings": len(checked.warnings),
            "problems": [p.to_json() for p in problems],
        }
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for p in problems:
            click.echo(p.format())
        if checked.register is not None:
            n = sum(1 for _ in checked.register.records())
            click.echo(f"{path}: valid: {plural(n, 'record')}, {plural(len(checked.warnings), 'warning')}")
        else:
            errs, warns = plural(len(checked.errors), "error"), plural(len(checked.warnings), "warning")
            click.echo(f"{path}: invalid: {errs}, {warns}")
    if checked.register is None:
        sys.exit(ExitStatus.INVALID)


@cli.command("list")
@register_argument
@click.option("--kind", type=click.Choice(sorted(SECTIONS)), help="Only this section.")
@click.option("--json", "as_json", is_flag=True)
def list_(register: str | None, kind: str | None, as_json: bool) -> None:
    """List the records: id, kind, status and name."""
    from govmap.graph.build import node_attrs

    reg = load_register(register)
    rows = []
    for section in [kind] if kind else list(SECTIONS):
        for rec in getattr(reg, section):
            attrs = node_attrs(rec)
            rows.append(
                {
                    "id": rec.id,
                    "kind": attrs["kind"],
                    "type": attrs["subtype"],
                    "status": attrs["status"],
                    "name": rec.name,
                }
            )
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max((len(r["id"]) for r in rows), default=2)
    for r in rows:
        mark = "" if r["status"] == "confirmed" else "  (unconfirmed)"
        click.echo(f"{r['id']:<{width}}  {r['kind']:<12}  {r['name']}{mark}")


@cli.command()
@click.argument("entity_id", metavar="ID")
@click.option("--register", "-r", "register", type=click.Path(dir_okay=False), help="Register file.")
@click.option("--json", "as_json", is_flag=True)
def show(entity_id: str, register: str | None, as_json: bool) -> None:
    """Show one record with everything linked to it."""
    from govmap.graph.entity import entity_view

    reg = load_register(register)
    view = entity_view(reg, entity_id)
    rec = view.record
    if as_json:
        out = view.to_json()
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    click.echo(f"{rec.name}  [{rec.id}]")
    click.echo(f"  {view.kind}" + (f", {rec.subtype}" if rec.subtype else "") + f", {view.status}")
    if rec.aliases:
        click.echo(f"  also known as: {'; '.join(rec.aliases)}")
    if rec.description:
        click.echo(f"  {rec.description}")
    for label, links in view.links.items():
        click.echo(f"\n  {label}:")
        for link in links:
            extra = [
                x
                for x in (
                    link.relation.role,
                    None if link.relation.status.value == "confirmed" else "unconfirmed",
                )
                if x
            ]
            tail = f" ({', '.join(extra)})" if extra else ""
            click.echo(f"    - {link.other_name} [{link.other}]{tail}")
    if rec.sources:
        click.echo("\n  sources:")
        for s in rec.sources:
            click.echo(f"    - {s.doc}" + (f", {s.section}" if s.section else ""))
    _show_delivery(reg, rec.id)


def _show_delivery(reg: Any, theme_id: str) -> None:
    """For a theme: who delivers it (the delivery matrix row)."""
    from govmap.graph.analysis.delivery import delivery_matrix

    row = delivery_matrix(reg).row(theme_id)
    if row is None:
        return
    click.echo("\n  who delivers it:")
    for d in row.deliverers or ():
        via = f" through {d.via_name}" if d.via_name else ""
        alias = f" (as {d.theme})" if d.theme != theme_id else ""
        areas = f" in {', '.join(d.areas)}" if d.areas else ""
        click.echo(f"    - {d.name} [{d.id}]: {d.role.value}{via}{alias}{areas}")
    if row.note:
        click.echo(f"    ({row.note})")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the register file."""
    from govmap.ingest.schema import schema_json

    text = schema_json()
    if output:
        from govmap.ingest.store.files import write_atomically

        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option(
    "--force-areas",
    "-n",
    type=click.IntRange(1, 500),
    default=1,
    show_default=True,
    help="Police force areas to generate (43: England and Wales, ~50,000 bodies and organisations).",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file (atomically).")
def synth(force_areas: int, seed: int, output: str | None) -> None:
    """Generate a synthetic register of a national shape (for scale tests)."""
    from govmap.ingest.store.files import write_atomically
    from govmap.support.synth import synth_yaml

    text = synth_yaml(force_areas, seed)
    if output:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


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


@cli.command()
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

    Refused (exit 6, nothing changed) when the database holds edits made with
    'govmap serve --neo4j' since the last load: dump them first, or --force;
    and when it would delete more than --max-delete % of the database's
    records (default 20): check the file, or --force.
    """
    from govmap.graph.neo4j import Neo4jSettings, connect, sync

    reg = load_register(register)  # an invalid register never touches the database
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
            **limit,
        )
    finally:
        driver.close()
    if as_json:
        click.echo(json.dumps(summary.to_json(), indent=2))
    elif not quiet:
        click.echo(summary.format())


@cli.command()
@neo4j_option
@timeout_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file (atomically).")
def dump(neo4j_uri: str | None, timeout: float | None, output: str | None) -> None:
    """Write the register held in Neo4j back to YAML."""
    from govmap.graph.neo4j import Neo4jSettings, connect, read_register
    from govmap.ingest.store.dump import dump_register
    from govmap.ingest.store.files import write_atomically

    settings = Neo4jSettings.from_env(neo4j_uri, timeout)
    driver = connect(settings)
    try:
        text = dump_register(read_register(driver, settings.database, settings))
    finally:
        driver.close()
    if output:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@cli.command("report")
@register_argument
@click.option(
    "--format", "fmt", type=click.Choice(["md", "html", "json", "csv"]), default="md", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
@click.option(
    "--kind", "kinds", multiple=True, metavar="KIND", help="Only this finding kind or group (repeatable)."
)
@click.option(
    "--min-severity", type=click.Choice(["high", "medium", "low", "info"]), help="Leave out lower ones."
)
@click.option(
    "--fail-on",
    type=click.Choice(["high", "medium", "low", "info"]),
    help="Exit 1 if a finding is this severe.",
)
@click.option(
    "--threshold", type=click.FloatRange(0, 1), help="Overlap score threshold, 0 to 1 (default 0.35)."
)
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Judge review dates as of this day (default today)."
)
def report_(
    register: str | None,
    fmt: str,
    output: str | None,
    kinds: tuple[str, ...],
    min_severity: str | None,
    fail_on: str | None,
    threshold: float | None,
    as_of: Any,
) -> None:
    """Report overlaps, gaps, structure, statutory membership and staleness.

    Exits 0 even when there are findings; with --fail-on, 1 when a finding
    is at or above that severity.
    """
    import dataclasses
    import datetime as dt

    from govmap.graph.analysis.findings import Severity, expand_kinds
    from govmap.graph.report import ReportOptions, report, source_of

    try:
        expand_kinds(kinds)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--kind") from None
    path = register or default_register_path()
    reg = load_register(path)
    options = ReportOptions(as_of=as_of.date() if as_of else dt.date.today())
    if threshold is not None:
        options = dataclasses.replace(options, threshold=threshold)
    result = report(reg, kinds or None, min_severity, options, generated_from=source_of(path))
    # decided findings apart; --fail-on: open only
    from govmap.graph.review.decisions import render_report, write_report

    day, filtered = options.as_of or dt.date.today(), bool(kinds or min_severity)
    if output:  # JSON streamed to the file, never held as one text
        result = write_report(result, path, day, fmt, output, filtered=filtered)
    else:
        result, text = render_report(result, path, day, fmt, filtered=filtered)
        click.echo(text, nl=False)
    if fail_on:
        reached = result.count_at_least(Severity(fail_on))
        click.echo(f"{plural(reached, 'finding')} at or above {fail_on} (--fail-on {fail_on}).", err=True)
        if reached:
            sys.exit(ExitStatus.INVALID)


@cli.command()
@register_argument
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@neo4j_option
@timeout_option
def serve(
    register: str | None, host: str, port: int, threads: int, neo4j_uri: str | None, timeout: float | None
) -> None:
    """Serve the map, the report and the register editor (waitress). See docs/web.md.

    The store is the YAML register, or Neo4j with --neo4j URI (or with
    $NEO4J_URI set and no REGISTER given).
    """
    import os

    from waitress.server import create_server

    from govmap.ingest.store.yamlstore import Store, YamlStore
    from govmap.webviz import create_app
    from govmap.webviz.config import quiet_waitress
    from govmap.webviz.state import loads_quickly, start

    store: Store
    if neo4j_uri or (register is None and os.environ.get("NEO4J_URI")):
        from govmap.graph.neo4j import Neo4jSettings
        from govmap.graph.neo4j.editing import Neo4jStore

        store = Neo4jStore(Neo4jSettings.from_env(neo4j_uri, timeout))
    else:
        store = YamlStore(register or default_register_path())
    app = create_app({"GOVMAP_STORE": store})
    quiet_waitress()
    # A small register is loaded now (a broken one stops here, with its own message); a large
    # one after listening, pages saying it is being loaded (docs/web.md: "A large register file").
    in_background = not loads_quickly(store, app.config["GOVMAP_LOAD_NOW_BYTES"])
    start(app)
    try:
        server = create_server(app, host=host, port=port, threads=threads)  # listening from here on
    except OSError as exc:
        raise click.UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; pick another with --port"
        ) from None
    except ValueError:
        raise click.BadParameter(
            f"'{host}' is not an address this machine has", param_hint="--host"
        ) from None
    read_only = (
        "  [read-only: the database refuses writes, editing is off]"
        if getattr(store, "read_only", False)
        else ""
    )
    click.echo(
        f"govmap: serving {store.label}{read_only} at http://{host}:{server.effective_port}/  (Ctrl+C to stop)"
    )
    if in_background:
        click.echo("govmap: loading the register in the background; pages say so until it is loaded")
    server.run()


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
