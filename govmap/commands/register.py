"""``govmap validate``, ``list``, ``show`` and ``schema``: reading the register."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from govmap.cliutil import ExitStatus, FilePath, register_argument
from govmap.ingest.errors import Level, RegisterUnreadable
from govmap.ingest.model import SECTIONS
from govmap.ingest.reading.load import check_register, default_register_path, load_register
from govmap.ingest.reading.messages import plural


@click.command()
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


@click.command("list")
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


@click.command()
@click.argument("entity_id", metavar="ID")
@click.option("--register", "-r", "register", type=FilePath(dir_okay=False), help="Register file.")
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
    roles = getattr(rec, "roles", ())  # an organisation's statutory roles besides its type
    if roles:
        click.echo(f"  also acts as: {', '.join(r.value for r in roles)}")
    if rec.aliases:
        click.echo(f"  also known as: {'; '.join(rec.aliases)}")
    if rec.former_names:
        click.echo(
            "  formerly: "
            + "; ".join(n.name + (f" (until {n.end})" if n.end else "") for n in rec.former_names)
        )
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


@click.command()
@click.option("-o", "--output", type=FilePath(dir_okay=False, writable=True), help="Write to a file.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the register file."""
    from govmap.ingest.schema import schema_json

    text = schema_json()
    if output:
        from govmap.ingest.store.files import write_atomically

        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


COMMANDS: list[click.Command] = [validate, list_, show, schema]
