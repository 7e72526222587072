"""The rules a register must meet, each problem with its position.

The same function serves the CLI, the web forms and the Neo4j loader, so a
reviewer sees the same words wherever they edit.  It never stops at the first
problem: a reviewer fixing a file wants the whole list.

Order of checks: plain YAML (see :mod:`govmap.ingest.reading.yamlsafe`) -> sections -> each record
against its model (types, required keys, allowed values, with "did you mean")
-> ids unique -> every reference resolves to a record of the right kind ->
no cycle in ``reports_to`` / ``sub_group_of`` -> warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from govmap.ingest.errors import Level, Problem, Span
from govmap.ingest.model import (
    SECTIONS,
    Area,
    Body,
    Document,
    Record,
    Register,
    RegisterInfo,
    Status,
    effective_status,
)
from govmap.ingest.reading.consistency import check_consistency
from govmap.ingest.reading.messages import Pending, article, describe, did_you_mean, kind_word, quote
from govmap.ingest.reading.record_problems import pydantic_problems, salvage
from govmap.ingest.reading.references import check_cycles, check_references
from govmap.ingest.reading.yamlsafe import Path, locate
from govmap.ingest.text import text_problem

TOP_KEYS = ("govmap", "register", *SECTIONS)


@dataclass
class Checked:
    """The outcome of validation: a register (if no errors) and every problem."""

    register: Register | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.WARNING]


#: Finds the positions of problem paths: ``(paths, at_key) -> {path: span}``.  The default
#: looks them up in the YAML text; a spreadsheet import maps them to cells instead.
Locator = Callable[[list[Path], bool], dict[Path, Span]]


def check_data(data: Any, filename: str, text: str, locator: Locator | None = None) -> Checked:
    """Validate plain register data read from ``text``; collect every problem.

    ``locator`` places problems when the data did not come from YAML text
    (see :mod:`govmap.ingest.tabular.layout`); by default they are found in ``text``.
    """
    pending: list[Pending] = []
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problem = Problem(
            "the register must be a mapping of sections (documents, areas, organisations, "
            f"bodies, ...), not {type(data).__name__}",
            Span(filename, 1, 1),
            code="not-a-mapping",
        )
        return Checked(None, [problem])

    for key in data:
        if key not in TOP_KEYS:
            pending.append(
                Pending(
                    f"unknown section {quote(key)}",
                    (key,),
                    did_you_mean(key, TOP_KEYS) or f"sections are: {', '.join(TOP_KEYS)}",
                    code="unknown-section",
                    at_key=True,
                )
            )

    pending.extend(_text_problems(data))
    if "govmap" in data and data["govmap"] != 1:
        pending.append(
            Pending(
                f"govmap: schema version {data['govmap']!r} is not supported; this govmap reads 1",
                ("govmap",),
                code="bad-version",
            )
        )
    info = RegisterInfo()
    if data.get("register") is not None:
        try:
            info = RegisterInfo.model_validate(data["register"])
        except ValidationError as exc:
            pending.extend(pydantic_problems(exc, RegisterInfo, ("register",), "register", data["register"]))
    sections: dict[str, list[Record]] = {}
    known: dict[str, tuple[tuple[str, int], type[Record]]] = {}  # every id written, valid record or not
    paths: dict[int, Path] = {}  # id(record) -> path of the record
    unchecked: list[Record] = []  # records left out of the register whose references are still checked
    for section, model in SECTIONS.items():
        items = data.get(section)
        valid: list[Record] = []
        sections[section] = valid
        if items is None:
            continue
        if not isinstance(items, list):
            pending.append(
                Pending(
                    f"section '{section}' should be a list of records (each line starting '- ')",
                    (section,),
                    code="bad-type",
                )
            )
            continue
        for i, item in enumerate(items):
            who = describe(section, i, item)
            duplicate = False
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                rid = item["id"]
                if rid in known:
                    fpath, ftype = known[rid]
                    pending.append(
                        Pending(
                            f"id {quote(rid)} is used twice (first by {article(kind_word(ftype))}, "
                            f"item {fpath[1] + 1} of {fpath[0]})",
                            (section, i, "id"),
                            "ids must be unique across the whole register",
                            code="duplicate-id",
                        )
                    )
                    duplicate = True
                else:
                    known[rid] = ((section, i), model)
            if not isinstance(item, dict):
                pending.append(
                    Pending(
                        f"{who}: should be a mapping with at least id and name", (section, i), code="bad-type"
                    )
                )
                continue
            # Every problem of a record in one run: a record that fails its
            # model, or repeats an id, still has its references checked.
            try:
                rec = model.model_validate(item)
            except ValidationError as exc:
                pending.extend(pydantic_problems(exc, model, (section, i), who, item))
                partial = salvage(model, item, exc)
                if partial is not None:
                    unchecked.append(partial)
                    paths[id(partial)] = (section, i)
                continue
            (unchecked if duplicate else valid).append(rec)
            paths[id(rec)] = (section, i)

    fields: dict[str, Any] = {s: tuple(v) for s, v in sections.items()}
    register = Register.model_construct(govmap=1, info=info, **fields)
    check_references(register, paths, pending, {k: t for k, (_, t) in known.items()}, unchecked)
    check_cycles(register, paths, pending)
    check_consistency(register, paths, pending)
    _warn(register, paths, pending)

    problems = _place(pending, filename, text, locator)
    checked = Checked(None, problems)
    if not checked.errors:
        checked.register = register
    return checked


def _text_problems(data: dict[Any, Any]) -> list[Pending]:
    """Characters no text may hold (control characters, line separators) and URLs that are
    not web addresses, anywhere in the register (see :mod:`govmap.ingest.text`)."""
    out: list[Pending] = []

    def walk(value: Any, path: Path, key: str | None, who: str) -> None:
        if isinstance(value, str):
            message = text_problem(value, key) if key else None
            if message:
                out.append(Pending(f"{who}: {message}", path, code="bad-text"))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, (*path, k), str(k), who)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, (*path, i), key, who)

    walk(data.get("register"), ("register",), None, "register")
    for section in SECTIONS:
        items = data.get(section)
        if isinstance(items, list):
            for i, item in enumerate(items):
                walk(item, (section, i), None, describe(section, i, item))
    return out


def _place(pending: list[Pending], filename: str, text: str, locator: Locator | None = None) -> list[Problem]:
    def find(paths: list[Path], at_key: bool) -> dict[Path, Span]:
        return locator(paths, at_key) if locator else locate(text, filename, paths, at_key=at_key)

    at_value = find([p.path for p in pending if not p.at_key], False) if pending else {}
    at_key = find([p.path for p in pending if p.at_key], True) if any(p.at_key for p in pending) else {}
    out = []
    for p in pending:
        span = (at_key if p.at_key else at_value).get(p.path)
        out.append(Problem(p.message, span, p.hint, p.level, p.code, _field(p.path)))
    return sorted(out, key=Problem.sort_key)


def _field(path: Path) -> str | None:
    """The form field a path belongs to: the part after the record."""
    tail = path[2:]
    return ".".join(str(p) for p in tail) or None


def _warn(register: Register, paths: dict[int, Path], pending: list[Pending]) -> None:
    for rec in register.records():
        if isinstance(rec, Document):
            continue  # documents are the sources themselves
        path = paths[id(rec)]
        who = f"{kind_word(rec)} '{rec.id}'"
        if rec.status is Status.CONFIRMED and not rec.sources:
            pending.append(
                Pending(
                    f"{who} says status: confirmed but has no source; it is shown as unconfirmed",
                    (*path, "status"),
                    "add a source, or remove the status",
                    level=Level.WARNING,
                    code="confirmed-without-source",
                )
            )
        elif not rec.sources:
            pending.append(
                Pending(
                    f"{who} has no source; it is shown as unconfirmed",
                    path,
                    level=Level.WARNING,
                    code="no-source",
                )
            )
        elif effective_status(rec) is Status.UNCONFIRMED:
            pending.append(
                Pending(
                    f"{who} is unconfirmed",
                    path,
                    "check it against a source, then set status: confirmed",
                    level=Level.WARNING,
                    code="unconfirmed",
                )
            )
        elif effective_status(rec) is Status.DISPUTED:
            pending.append(
                Pending(
                    f"{who} is disputed: its sources disagree",
                    path,
                    "settle which source is right, then set status: confirmed",
                    level=Level.WARNING,
                    code="disputed",
                )
            )
        if isinstance(rec, Area) and rec.bodies_complete and not rec.sources:
            pending.append(
                Pending(
                    f"{who} says bodies_complete: true but has no source; its list of bodies is not "
                    "judged complete",
                    (*path, "bodies_complete"),
                    "add the source that lists every statutory body serving the area",
                    level=Level.WARNING,
                    code="complete-without-source",
                )
            )
        if isinstance(rec, Body):
            if not rec.members and not rec.sector_members and rec.dissolved is None:
                pending.append(
                    Pending(f"{who} has no members recorded", path, level=Level.WARNING, code="no-members")
                )
            if rec.members_complete and not rec.sources:
                pending.append(
                    Pending(
                        f"{who} says members_complete: true but has no source; its membership is not "
                        "judged complete",
                        (*path, "members_complete"),
                        "add the source that gives the whole membership (terms of reference)",
                        level=Level.WARNING,
                        code="complete-without-source",
                    )
                )
            unconfirmed = sum(
                1
                for m in rec.members
                if effective_status(m, effective_status(rec), bool(rec.sources)) is Status.UNCONFIRMED
            )
            if unconfirmed and effective_status(rec) is Status.CONFIRMED:
                pending.append(
                    Pending(
                        f"{who} has {unconfirmed} unconfirmed membership{'s' if unconfirmed != 1 else ''}",
                        (*path, "members"),
                        level=Level.WARNING,
                        code="unconfirmed",
                    )
                )
