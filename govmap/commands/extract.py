"""``govmap extract``: sourced proposals for the register from the documents reviewers hold."""

from __future__ import annotations

import os
from typing import Any

import click

from govmap.cliutil import FilePath
from govmap.ingest.reading.messages import plural

FORMATS = ("md", "html", "json", "yaml")
_BY_SUFFIX = {".md": "md", ".html": "html", ".htm": "html", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def _format(fmt: str | None, output: str | None) -> str:
    if fmt:
        return fmt
    if output:
        return _BY_SUFFIX.get(os.path.splitext(output)[1].lower(), "yaml")
    return "md"


@click.command("extract")
@click.argument("documents", nargs=-1, required=True, type=FilePath(), metavar="DOCUMENT...")
@click.option(
    "--register",
    "register",
    type=FilePath(dir_okay=False),
    help="Match the proposals against this register.",
)
@click.option(
    "-o",
    "--output",
    type=FilePath(dir_okay=False),
    help="Write the proposals here (format from the suffix).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="md (default), html, json or yaml.")
@click.option(
    "--into", type=FilePath(dir_okay=False), help="Write the accepted proposals into this register."
)
@click.option(
    "--accept", "accept", multiple=True, metavar="ID", help="With --into: accept this proposal (repeatable)."
)
@click.option("--accept-all-new", is_flag=True, help="With --into: accept every new record and new fact.")
@click.option("--dry-run", is_flag=True, help="With --into: print the changes, write nothing.")
def extract_(
    documents: tuple[str, ...],
    register: str | None,
    output: str | None,
    fmt: str | None,
    into: str | None,
    accept: tuple[str, ...],
    accept_all_new: bool,
    dry_run: bool,
) -> None:
    """Propose records and links from documents (PDF, DOCX, HTML, Markdown, text), each with its quote.

    Every proposal is unconfirmed, with the document, section and exact words
    it rests on, and why it was proposed.  With --register (or --into) each is
    matched against the register: a new record, a new fact on an existing
    record, or already recorded.  With --into, the accepted proposals
    (--accept ID..., --accept-all-new) are written as the register's own
    validated edits, after the changes are printed; --dry-run writes nothing.
    """
    from govmap.ingest.documents.extract import extract
    from govmap.ingest.documents.link import link
    from govmap.ingest.documents.read import read_document
    from govmap.ingest.documents.render import RENDERERS
    from govmap.ingest.reading.load import load_register

    if into and register and os.path.abspath(into) != os.path.abspath(register):
        raise click.UsageError("give --register or --into, not two different registers")
    if (accept or accept_all_new or dry_run) and not into:
        raise click.UsageError("--accept, --accept-all-new and --dry-run go with --into REGISTER")
    against = into or register
    reg = load_register(against) if against else None
    results = []
    for path in documents:
        proposals = extract(read_document(path))
        if reg is not None:
            link(proposals, reg, against)
        results.append(proposals)
    kind = _format(fmt, output)
    text = (
        "".join(RENDERERS[kind](p) for p in results)
        if len(results) == 1 or kind in ("md",)
        else _many(results, kind)
    )
    if output:
        from govmap.ingest.store.files import write_atomically

        write_atomically(output, text)
        click.echo(f"wrote {output}: {plural(sum(len(p.all()) for p in results), 'proposal')}", err=True)
    elif not into:
        click.echo(text, nl=False)
    if into:
        _into(results, into, accept, accept_all_new, dry_run)


def _many(results: list[Any], kind: str) -> str:
    if kind == "json":
        import json

        return json.dumps([p.to_json() for p in results], indent=2, ensure_ascii=False) + "\n"
    if kind == "yaml":
        import yaml

        return str(
            yaml.safe_dump([p.to_json() for p in results], sort_keys=False, allow_unicode=True, width=100)
        )
    from govmap.ingest.documents.render import to_html

    return "".join(to_html(p) for p in results)


def _into(results: list[Any], into: str, accept: tuple[str, ...], accept_all: bool, dry_run: bool) -> None:
    from govmap.cliutil import warn_duplicates
    from govmap.commands.importing import describe_changes
    from govmap.graph.review.diff import diff_records
    from govmap.ingest.documents.accept import all_new, edits_for
    from govmap.ingest.reading.load import check_text, read_text
    from govmap.ingest.store.edits import apply_edit
    from govmap.ingest.store.files import write_atomically

    known = {p.id for r in results for p in r.all()}
    unknown = [a for a in accept if a not in known]
    if unknown:
        raise click.BadParameter(
            f"no proposal '{unknown[0]}' in {plural(len(results), 'document')}; "
            "the ids are in the output of 'govmap extract' without --into",
            param_hint="--accept",
        )
    text = read_text(into)
    first = check_text(text, into).register
    if first is None:
        from govmap.ingest.reading.load import load_register

        load_register(into)  # raises the usual "N errors in the register"
        return
    current = first
    for proposals in results:
        wanted = set(accept) | (set(all_new(proposals)) if accept_all else set())
        where = os.path.relpath(os.path.abspath(proposals.document), os.path.dirname(os.path.abspath(into)))
        accepted = edits_for(proposals, current, wanted, where)
        for pid, why in accepted.skipped:
            click.echo(f"not written: {pid}: {why}", err=True)
        for edit in accepted.edits:
            applied = apply_edit(text, edit, into)
            text, current = applied.text, applied.register
    diff = diff_records(first, current)
    click.echo(describe_changes(diff, first, current, into))
    warn_duplicates(current, {*diff.added, *(c.id for c in diff.changed)})
    if dry_run or diff.empty:
        click.echo("dry run: nothing written" if dry_run else "nothing to change", err=True)
        return
    write_atomically(into, text)
    click.echo(f"wrote {into}", err=True)


COMMANDS = [extract_]
