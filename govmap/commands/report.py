"""``govmap report``: the overlap and gap report (README, "The overlap report")."""

from __future__ import annotations

import sys
from typing import Any

import click

from govmap.cliutil import ExitStatus, FilePath, from_neo4j_option, open_neo4j, register_argument
from govmap.graph.terms import PRINTED_FORMATS, REPORT_FORMATS, SEVERITIES
from govmap.ingest.reading.load import default_register_path, load_register
from govmap.ingest.reading.messages import plural

coverage_rules_option = click.option(
    "--coverage-rules",
    type=FilePath(dir_okay=False, exists=True),
    help="The register's own coverage rules (rules switched off or added); "
    "default: REGISTER's .coverage.yaml beside it, if there is one.",
)


def _own_rules(register: str, given: str | None) -> str | None:
    """The coverage rules file to apply: the one given, else the register's own beside it, if any."""
    from govmap.graph.analysis.coverage_file import own_coverage_rules

    return given or own_coverage_rules(register)


@click.command("report")
@register_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*REPORT_FORMATS, *PRINTED_FORMATS]),
    default="md",
    show_default=True,
    help="pdf: the committee pack, A4 (needs `pip install 'govmap[pdf]'` and Chrome, Edge or Chromium).",
)
@click.option("-o", "--output", type=FilePath(dir_okay=False, writable=True), help="Write to a file.")
@click.option(
    "--kind", "kinds", multiple=True, metavar="KIND", help="Only this finding kind or group (repeatable)."
)
@click.option("--min-severity", type=click.Choice(SEVERITIES), help="Leave out lower ones.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    help="Exit 1 if a finding is this severe.",
)
@click.option(
    "--threshold", type=click.FloatRange(0, 1), help="Overlap score threshold, 0 to 1 (default 0.35)."
)
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Judge review dates as of this day (default today)."
)
@coverage_rules_option
@from_neo4j_option
def report_(
    register: str | None,
    fmt: str,
    output: str | None,
    kinds: tuple[str, ...],
    min_severity: str | None,
    fail_on: str | None,
    threshold: float | None,
    as_of: Any,
    coverage_rules: str | None,
    neo4j_uri: str | None,
) -> None:
    """Report overlaps, gaps, coverage, structure, statutory membership and staleness.

    The register is REGISTER (with the decisions file beside it), or the one
    held in Neo4j with --neo4j URI (with the decisions kept there).

    Exits 0 even when there are findings; with --fail-on, 1 when a finding
    is at or above that severity.  --format pdf writes the committee pack:
    a cover, the summary and top findings, every finding with its evidence,
    and the delivery matrix as a landscape annex.
    """
    import dataclasses
    import datetime as dt

    from govmap.graph.analysis.findings import Severity, expand_kinds
    from govmap.graph.report import ReportOptions, report, source_of

    try:
        expand_kinds(kinds)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--kind") from None
    if fmt == "pdf":
        from govmap.graph.report.pdf import check_engine

        if not output and sys.stdout.isatty():
            raise click.UsageError("a PDF is not for the terminal: give -o FILE (or pipe it to a file)")
        check_engine()
    path = register or default_register_path()
    decided: Any = {}
    if neo4j_uri is None:
        reg, source = load_register(path), source_of(path)
    else:
        reg, source, decided["decisions"] = _from_neo4j(register, neo4j_uri)
    options = ReportOptions(
        as_of=as_of.date() if as_of else dt.date.today(), coverage_path=_own_rules(path, coverage_rules)
    )
    if threshold is not None:
        options = dataclasses.replace(options, threshold=threshold)
    result = report(reg, kinds or None, min_severity, options, generated_from=source)
    # decided findings apart; --fail-on: open only
    from govmap.graph.review.decisions_render import render_report, write_report

    day, filtered = options.as_of or dt.date.today(), bool(kinds or min_severity)
    if fmt == "pdf":
        from govmap.graph.report.pdf import html_to_pdf
        from govmap.ingest.store.files import write_atomically

        result, pack = render_report(result, path, day, "pack", filtered=filtered, **decided)
        pdf = html_to_pdf(pack)
        if output:
            write_atomically(output, pdf)
        else:
            sys.stdout.buffer.write(pdf)
            sys.stdout.flush()
    elif output:  # JSON streamed to the file, never held as one text
        result = write_report(result, path, day, fmt, output, filtered=filtered, **decided)
    else:
        result, text = render_report(result, path, day, fmt, filtered=filtered, **decided)
        click.echo(text, nl=False)
    if fail_on:
        reached = result.count_at_least(Severity(fail_on))
        click.echo(f"{plural(reached, 'finding')} at or above {fail_on} (--fail-on {fail_on}).", err=True)
        if reached:
            sys.exit(ExitStatus.INVALID)


@click.command("coverage")
@register_argument
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json"]), default="md", show_default=True)
@click.option("-o", "--output", type=FilePath(dir_okay=False, writable=True), help="Write to a file.")
@coverage_rules_option
def coverage_(register: str | None, fmt: str, output: str | None, coverage_rules: str | None) -> None:
    """Who covers each place: the coverage matrix alone (places down, required bodies across).

    The same matrix as the report's "Who covers each place"; CSV has one row a place.
    """
    from govmap.graph.analysis.coverage import coverage_matrix
    from govmap.graph.analysis.coverage_file import load_coverage
    from govmap.graph.report.jsontext import dumps_indented
    from govmap.graph.report.text import coverage_markdown
    from govmap.ingest.store.files import write_atomically

    path = register or default_register_path()
    matrix = coverage_matrix(load_register(path), load_coverage(_own_rules(path, coverage_rules)))
    if fmt == "csv":
        text = matrix.to_csv()
    elif fmt == "json":
        text = dumps_indented(matrix.to_json()) + "\n"
    else:
        text = "\n".join(["# Who covers each place", "", *coverage_markdown(matrix)]) + "\n"
    if output:
        write_atomically(output, [text])
    else:
        click.echo(text, nl=False)


def _from_neo4j(register: str | None, uri: str) -> tuple[Any, dict[str, Any], Any]:
    """The register held in Neo4j, what the report says it was made from, and its decisions."""
    from govmap.graph.neo4j.decisions import read_with_decisions

    if register:
        raise click.UsageError("give REGISTER or --neo4j URI, not both")
    settings, driver = open_neo4j(uri)
    try:
        reg, decisions = read_with_decisions(driver, settings)
    finally:
        driver.close()
    import hashlib

    from govmap.ingest.store.dump import dump_register

    # The digest of what 'govmap dump' writes: a reader can check a dump against the report.
    digest = hashlib.sha256(dump_register(reg).encode("utf-8")).hexdigest()
    return reg, {"file": f"Neo4j at {settings.where}", "sha256": digest}, decisions


COMMANDS: list[click.Command] = [report_, coverage_]
