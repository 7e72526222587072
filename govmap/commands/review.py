"""``govmap diff``, ``govmap decide`` and ``govmap whatif``: the review cycle (docs/review.md)."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from collections.abc import Iterable
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
from govmap.graph.terms import REVIEW_FORMATS, SEVERITIES
from govmap.ingest.errors import OutputError
from govmap.ingest.reading.load import default_register_path, load_register
from govmap.ingest.store.decisions import DecisionStatus

date_option_type = click.DateTime(["%Y-%m-%d"])


def _emit(text: str | Iterable[str], output: str | None) -> None:
    """``text`` (or its pieces, written as they come) to ``output`` atomically, or to stdout."""
    if output:
        from govmap.ingest.store.files import write_atomically

        write_atomically(output, text)
    else:
        for piece in [text] if isinstance(text, str) else text:
            click.echo(piece, nl=False)


def _day(value: Any) -> dt.date | None:
    return value.date() if value is not None else None


@click.command("diff")
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option(
    "--rev", "rev_day", type=date_option_type, help="Compare the file as committed on this day (YYYY-MM-DD)."
)
@click.option("--format", "fmt", type=click.Choice(REVIEW_FORMATS), default="md", show_default=True)
@click.option("-o", "--output", type=FilePath(dir_okay=False), help="Write to a file (atomically).")
@click.option("--fail-on-new", type=click.Choice(SEVERITIES), help="Exit 1 if a new finding is this severe.")
@click.option("--as-of", type=date_option_type, help="Judge both registers as of this day (default today).")
def diff(
    old: str | None,
    new: str | None,
    rev_day: Any,
    fmt: str,
    output: str | None,
    fail_on_new: str | None,
    as_of: Any,
) -> None:
    """What changed from OLD to NEW: records, and findings new, resolved and open.

    OLD and NEW are register files; OLD may be a git revision of NEW
    ('govmap diff main~5 data/boards.yaml') or REV:PATH.  With --rev DATE and
    one file, the file as last committed on or before DATE is compared with
    the file as it is.  Git is read with 'git show': nothing is checked out.
    Exits 0; with --fail-on-new, 1 when a new finding reaches that severity.
    """
    from govmap.graph.analysis.findings import Severity
    from govmap.graph.review.diff import diff_registers
    from govmap.graph.review.render import render_diff
    from govmap.graph.review.sources import read_side

    if rev_day is not None:
        if new is not None:
            raise click.UsageError("with --rev give one register file, not two")
        path = old or default_register_path()
        before, after = read_side(path, day=rev_day.date()), read_side(path)
    else:
        if old is None:
            raise click.UsageError(
                "give OLD and NEW (two files, or a revision and a file), or --rev DATE FILE"
            )
        new = new or default_register_path()
        before, after = read_side(old, other=new), read_side(new)
    result = diff_registers(before, after, _day(as_of))
    _emit(result.iter_json() if fmt == "json" else render_diff(result, fmt), output)
    if fail_on_new:
        floor = Severity(fail_on_new)
        reached = sum(1 for f in result.findings.new if f.severity.at_least(floor))
        new_findings = "new finding" if reached == 1 else "new findings"
        click.echo(
            f"{reached} {new_findings} at or above {fail_on_new} (--fail-on-new {fail_on_new}).", err=True
        )
        if reached:
            sys.exit(ExitStatus.INVALID)


@click.command("decide")
@click.argument("finding_id", metavar="FINDING-ID")
@click.option("--register", "-r", "register", type=FilePath(dir_okay=False), help="Register file.")
@click.option(
    "--status",
    required=True,
    type=click.Choice([s.value for s in DecisionStatus]),
    help="The decision.",
)
@click.option("--reason", required=True, help="Why: what the next reviewer should read.")
@click.option("--review-by", type=date_option_type, help="Reconsider the decision on this day.")
@click.option("--owner", help="Who will act (status action).")
@click.option("--due", type=date_option_type, help="By when (status action).")
@click.option("--by", "by", help="Who decided (default: your login name).")
@click.option("--as-of", type=date_option_type, help="Day of the decision and of the report (default today).")
@from_neo4j_option
def decide(
    finding_id: str,
    register: str | None,
    status: str,
    reason: str,
    review_by: Any,
    owner: str | None,
    due: Any,
    by: str | None,
    as_of: Any,
    neo4j_uri: str | None,
) -> None:
    """Record a decision on a finding in boards.decisions.yaml beside the register.

    With --neo4j URI, on a finding of the register held in Neo4j, recorded in
    the database (and its audit log), as the report page's Decide form does.

    The next 'govmap report' lists the finding under Decisions instead of
    among the open findings, until its evidence changes or --review-by passes.
    """
    from govmap.graph.report import ReportOptions, report
    from govmap.graph.review.decisions import decide as make_decision
    from govmap.ingest.store.decisions import DecisionRefused, decisions_path, record_decision, typed

    reason_text, owner_text = typed("reason", reason), typed("owner", owner)
    if not reason_text:
        raise DecisionRefused("Reason: say why, for the next reviewer", hint="give --reason TEXT")
    day = _day(as_of) or dt.date.today()
    who = typed("by", by or os.environ.get("GOVMAP_USER") or getpass.getuser()) or "unknown"

    def decision_on(reg: Any, where: str) -> tuple[Any, Any]:
        rep = report(reg, options=ReportOptions(as_of=day))
        finding = next((f for f in rep.findings if f.id == finding_id), None)
        if finding is None:
            raise DecisionRefused(
                f"no finding with id '{finding_id}' in {where}",
                hint="copy the id from 'govmap report'; findings change when the register does",
            )
        made = make_decision(finding, status, reason_text, who, day, _day(review_by), owner_text, _day(due))
        return finding, made

    if neo4j_uri is None:
        path = register or default_register_path()
        finding, decision = decision_on(load_register(path), path)
        target = str(decisions_path(path))
        record_decision(target, decision)
    else:
        from govmap.graph.neo4j import read_register
        from govmap.graph.neo4j.decisions import Neo4jDecisions

        if register:
            raise click.UsageError("give --register or --neo4j URI, not both")
        settings, driver = open_neo4j(neo4j_uri)
        try:
            target = f"Neo4j at {settings.where}"
            reg = read_register(driver, settings.database, settings)
            finding, decision = decision_on(reg, f"the register in {target}")
            subject = finding.subjects[0].id if finding.subjects else finding_id
            Neo4jDecisions(settings, driver, target).record(decision, who, subject)
        finally:
            driver.close()
    click.echo(f"{target}: {finding_id} {status}: {finding.title}")


def _typed(clean: Any, value: str, option: str) -> str:
    """``value`` through ``clean`` (:func:`clean_id`, :func:`clean_text`), or a usage error naming the option."""
    from govmap.ingest.text import TextRefused

    try:
        text: str = clean(value, option)
    except TextRefused as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        raise click.BadParameter(exc.message.removeprefix(f"{option}: ") + hint, param_hint=option) from None
    return text


def _steps(
    merge: tuple[str, ...],
    into: str | None,
    name: str | None,
    retire: tuple[str, ...],
    move: str | None,
    to: str | None,
) -> list[Any]:
    from govmap.graph.review.whatif import Merge, Move, Retire
    from govmap.ingest.text import clean_id, clean_text

    steps: list[Any] = []
    if merge or into:
        if not (merge and into):
            raise click.UsageError("--merge A B ... needs --into NEW_ID")
        ids = tuple(i for m in merge for i in m.replace(",", " ").split())
        new_id = _typed(clean_id, into, "--into")
        if not name and new_id not in ids:  # never "A and B": the reviewer names what they propose
            raise click.UsageError(
                "--merge needs --name: the merged body's name (or --into one of the merged ids, to keep its name)"
            )
        steps.append(Merge(ids, new_id, name and _typed(clean_text, name, "--name")))
    steps += [Retire(x) for x in retire]
    if move or to:
        if not (move and to):
            raise click.UsageError("--move X needs --to Y")
        steps.append(Move(move, to))
    if not steps:
        raise click.UsageError("nothing to try: give --merge ... --into, --retire or --move ... --to")
    return steps


@click.command("whatif")
@register_argument
@click.option("--merge", multiple=True, metavar="ID", help="A body to merge (repeat, or 'A,B').")
@click.option("--into", metavar="NEW_ID", help="The id of the merged body.")
@click.option("--name", help="The merged body's name (needed unless NEW_ID is one of the merged).")
@click.option("--retire", multiple=True, metavar="ID", help="A body to retire (repeatable).")
@click.option("--move", metavar="ID", help="A body to move under another.")
@click.option("--to", metavar="ID", help="The body it now reports to.")
@click.option("--format", "fmt", type=click.Choice(REVIEW_FORMATS), default="md", show_default=True)
@click.option(
    "-o",
    "--output",
    type=FilePath(dir_okay=False),
    help="Write the report to this file (atomically), as every other command's -o does.  "
    "-o used to save the scenario register: that is now --save-scenario.",
)
@click.option(
    "--save-scenario",
    "save_scenario",
    type=FilePath(dir_okay=False),
    metavar="FILE",
    help="Also save the scenario register to FILE (never REGISTER).",
)
@click.option("--as-of", type=date_option_type, help="Judge both registers as of this day (default today).")
@from_neo4j_option
def whatif(
    register: str | None,
    merge: tuple[str, ...],
    into: str | None,
    name: str | None,
    retire: tuple[str, ...],
    move: str | None,
    to: str | None,
    fmt: str,
    output: str | None,
    save_scenario: str | None,
    as_of: Any,
    neo4j_uri: str | None,
) -> None:
    """What if bodies merged, were retired or moved: the effect on findings and coverage.

    The register is REGISTER, or the one held in Neo4j with --neo4j URI.
    The scenario is built in memory; REGISTER (or the database) is never written.  -o FILE
    writes the report to FILE, as every other command's -o does (it used to
    save the scenario register); --save-scenario FILE saves the scenario
    register (refused if FILE is REGISTER).
    """
    from govmap.graph.review.render import render_whatif
    from govmap.graph.review.whatif import what_if

    path = register or default_register_path()
    steps = _steps(merge, into, name, retire, move, to)
    for target, what in ((save_scenario, "the scenario"), (output, "the report")):
        if target and os.path.exists(target) and os.path.exists(path) and os.path.samefile(target, path):
            raise OutputError(f"will not write {what} over the register {path}", hint="choose another file")
    result = what_if(register_from(register, neo4j_uri), steps, _day(as_of))
    if save_scenario:
        from govmap.ingest.store.dump import dump_register
        from govmap.ingest.store.files import write_atomically

        write_atomically(save_scenario, dump_register(result.register))
    _emit(render_whatif(result, fmt), output)


COMMANDS = [diff, decide, whatif]
