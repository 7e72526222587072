"""The rules a register must meet, each problem with its position.

The same function serves the CLI, the web forms and the Neo4j loader, so a
reviewer sees the same words wherever they edit.  It never stops at the first
problem: a reviewer fixing a file wants the whole list.

Order of checks: plain YAML (see :mod:`.yamlsafe`) -> sections -> each record
against its model (types, required keys, allowed values, with "did you mean")
-> ids unique -> every reference resolves to a record of the right kind ->
no cycle in ``reports_to`` / ``sub_group_of`` -> warnings.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from pydantic import BaseModel, ValidationError

from .errors import Level, Problem, Span
from .model import (
    REF_RULES,
    SECTIONS,
    Body,
    Document,
    Link,
    Membership,
    Organisation,
    Record,
    Register,
    RegisterInfo,
    Status,
    ThemeLink,
    effective_status,
)
from .yamlsafe import Path, locate

TOP_KEYS = ("govmap", "register", *SECTIONS)
_WORD = {
    "documents": "document",
    "areas": "area",
    "organisations": "organisation",
    "posts": "post",
    "people": "person",
    "bodies": "body",
    "strategies": "strategy",
    "themes": "theme",
    "platforms": "platform",
}


def kind_word(record: Record | type[Record]) -> str:
    """'body', 'organisation' ... : the word a reviewer uses for a record."""
    return _WORD[record.section]


def article(word: str) -> str:
    """'a body', 'an organisation'."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def did_you_mean(word: Any, choices: Iterable[str]) -> str | None:
    if not isinstance(word, str):
        return None
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


@dataclass
class _Pending:
    """A problem whose position is found later, in one pass for all of them."""

    message: str
    path: Path
    hint: str | None = None
    level: Level = Level.ERROR
    code: str = "invalid"
    at_key: bool = False


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


def _nested_model(model: type[BaseModel], name: Any) -> type[BaseModel] | None:
    """The model class of a field's items (``members`` -> Membership)."""
    info = model.model_fields.get(name) if isinstance(name, str) else None
    if info is None and isinstance(name, str):
        for f in model.model_fields.values():
            if f.alias == name:
                info = f
    if info is None:
        return None
    todo = [info.annotation]
    while todo:
        t = todo.pop()
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
        todo.extend(typing.get_args(t))
        if isinstance(t, types.UnionType):
            todo.extend(t.__args__)
    return None


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        model = _nested_model(model, part)
    return model


def _dotted(loc: tuple[Any, ...]) -> str:
    """('members', 0, 'role') -> 'members #1 role': how a reviewer counts."""
    return " ".join(f"#{p + 1}" if isinstance(p, int) else str(p) for p in loc) or "record"


def _describe(section: str, index: int, item: Any) -> str:
    word = _WORD.get(section, section)
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return f"{word} '{item['id']}'"
    return f"{word} #{index + 1} in {section}"


def _pydantic_problems(
    exc: ValidationError, model: type[BaseModel], base: Path, who: str, value: Any
) -> list[_Pending]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        # pydantic adds the union member tried ("int", "date") to the loc.
        loc = tuple(p for p in loc if not (isinstance(p, str) and p in ("int", "date", "str")))
        path = (*base, *loc)
        dotted = _dotted(loc)
        kind = err["type"]
        inp = err.get("input")
        hint = None
        if kind == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            allowed = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
            msg = f"{who}: unknown key '{loc[-1]}'"
            hint = did_you_mean(loc[-1], allowed) or (
                f"allowed keys: {', '.join(allowed)}" if allowed else None
            )
            out.append(_Pending(msg, path, hint, code="unknown-key", at_key=True))
            continue
        if kind == "missing":
            out.append(_Pending(f"{who}: missing required key '{loc[-1]}'", path[:-1], code="missing"))
            continue
        if kind in ("enum", "literal_error"):
            choices = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
            msg = f"{who}: {dotted}: '{inp}' is not one of {', '.join(choices)}"
            out.append(_Pending(msg, path, did_you_mean(inp, choices), code="bad-value"))
            continue
        if kind == "string_pattern_mismatch":
            suggestion = re.sub(r"[^a-z0-9]+", "-", str(inp).lower()).strip("-")
            msg = f"{who}: {dotted}: '{inp}' is not a valid id"
            hint = f"use lowercase letters, digits and hyphens, e.g. '{suggestion}'"
            out.append(_Pending(msg, path, hint, code="bad-id"))
            continue
        text = err["msg"].replace("Input should be", "should be")
        if kind in ("tuple_type", "list_type"):
            text = "should be a list"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            text = "should be a mapping of keys to values"
        elif kind.startswith("date"):
            text = f"'{inp}' is not a date; write YYYY-MM-DD"
        elif kind == "string_type":
            text = "should be text"
            hint = "put quotes around it" if inp is not None and not isinstance(inp, dict | list) else None
        out.append(_Pending(f"{who}: {dotted}: {text}", path, hint, code="bad-type"))
    return out


def check_data(data: Any, filename: str, text: str) -> Checked:
    """Validate plain register data read from ``text``; collect every problem."""
    pending: list[_Pending] = []
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
                _Pending(
                    f"unknown section '{key}'",
                    (key,),
                    did_you_mean(key, TOP_KEYS) or f"sections are: {', '.join(TOP_KEYS)}",
                    code="unknown-section",
                    at_key=True,
                )
            )

    if "govmap" in data and data["govmap"] != 1:
        pending.append(
            _Pending(
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
            pending.extend(_pydantic_problems(exc, RegisterInfo, ("register",), "register", data["register"]))
    sections: dict[str, list[Record]] = {}
    known: dict[str, tuple[tuple[str, int], type[Record]]] = {}  # every id written, valid record or not
    paths: dict[int, Path] = {}  # id(record) -> path of the record
    for section, model in SECTIONS.items():
        items = data.get(section)
        valid: list[Record] = []
        sections[section] = valid
        if items is None:
            continue
        if not isinstance(items, list):
            pending.append(
                _Pending(
                    f"section '{section}' should be a list of records (each line starting '- ')",
                    (section,),
                    code="bad-type",
                )
            )
            continue
        for i, item in enumerate(items):
            who = _describe(section, i, item)
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                rid = item["id"]
                if rid in known:
                    fpath, ftype = known[rid]
                    pending.append(
                        _Pending(
                            f"id '{rid}' is used twice (first by {article(kind_word(ftype))}, "
                            f"item {fpath[1] + 1} of {fpath[0]})",
                            (section, i, "id"),
                            "ids must be unique across the whole register",
                            code="duplicate-id",
                        )
                    )
                    continue
                known[rid] = ((section, i), model)
            if not isinstance(item, dict):
                pending.append(
                    _Pending(
                        f"{who}: should be a mapping with at least id and name", (section, i), code="bad-type"
                    )
                )
                continue
            try:
                rec = model.model_validate(item)
            except ValidationError as exc:
                pending.extend(_pydantic_problems(exc, model, (section, i), who, item))
                continue
            valid.append(rec)
            paths[id(rec)] = (section, i)

    fields: dict[str, Any] = {s: tuple(v) for s, v in sections.items()}
    register = Register.model_construct(govmap=1, info=info, **fields)
    _check_references(register, paths, pending, {k: t for k, (_, t) in known.items()})
    _check_cycles(register, paths, pending)
    _check_dates(register, paths, pending)
    _warn(register, paths, pending)

    problems = _place(pending, filename, text)
    checked = Checked(None, problems)
    if not checked.errors:
        checked.register = register
    return checked


def _place(pending: list[_Pending], filename: str, text: str) -> list[Problem]:
    at_value = locate(text, filename, [p.path for p in pending if not p.at_key]) if pending else {}
    at_key = (
        locate(text, filename, [p.path for p in pending if p.at_key], at_key=True)
        if any(p.at_key for p in pending)
        else {}
    )
    out = []
    for p in pending:
        span = (at_key if p.at_key else at_value).get(p.path)
        out.append(Problem(p.message, span, p.hint, p.level, p.code, _field(p.path)))
    return sorted(out, key=Problem.sort_key)


def _field(path: Path) -> str | None:
    """The form field a path belongs to: the part after the record."""
    tail = path[2:]
    return ".".join(str(p) for p in tail) or None


def _ref_items(rec: Record, field_name: str) -> list[tuple[int, str, Any]]:
    value = getattr(rec, field_name)
    items = (value,) if isinstance(value, str) else value
    out: list[tuple[int, str, Any]] = []
    for i, item in enumerate(items):
        if isinstance(item, Membership):
            out.append((i, item.member, item))
        elif isinstance(item, ThemeLink):
            out.append((i, item.theme, item))
        elif isinstance(item, Link):
            out.append((i, item.to, item))
        else:
            out.append((i, item, None))
    return out


def _target_words(targets: tuple[type[Record], ...]) -> str:
    words = [kind_word(t) for t in targets]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _check_references(
    register: Register, paths: dict[int, Path], pending: list[_Pending], known: dict[str, type[Record]]
) -> None:
    """Every reference names a record of the right kind.

    ``known`` holds every id written in the file, including records that failed
    validation, so one bad record does not cascade into "not defined" errors.
    """
    all_ids = list(known)
    docs = {k for k, t in known.items() if t is Document}

    def missing(who: str, what: str, ref: str, path: Path, targets: tuple[type[Record], ...]) -> None:
        candidates = [i for i in all_ids if known[i] in targets]
        hint = did_you_mean(ref, candidates) or f"add {article(_target_words(targets))} with id '{ref}'"
        pending.append(_Pending(f"{who}: {what} '{ref}' is not defined", path, hint, code="unknown-ref"))

    for rec in register.records():
        path = paths[id(rec)]
        who = f"{kind_word(rec)} '{rec.id}'"
        facts: list[tuple[Path, Any]] = [((*path,), rec)]
        for rule in REF_RULES[type(rec)]:
            for i, ref, item in _ref_items(rec, rule.field):
                ipath = (
                    (*path, rule.field)
                    if isinstance(getattr(rec, rule.field), str)
                    else (*path, rule.field, i)
                )
                if item is not None:
                    facts.append((ipath, item))
                target = known.get(ref)
                if target is None:
                    missing(who, rule.field, ref, ipath, rule.targets)
                elif target not in rule.targets:
                    pending.append(
                        _Pending(
                            f"{who}: {rule.field} '{ref}' is {article(kind_word(target))}; "
                            f"{rule.field} must name {article(_target_words(rule.targets))}",
                            ipath,
                            code="wrong-kind",
                        )
                    )
                elif ref == rec.id:
                    pending.append(
                        _Pending(f"{who}: {rule.field} names the record itself", ipath, code="self-ref")
                    )
                if isinstance(item, Membership) and item.on_behalf_of:
                    other = known.get(item.on_behalf_of)
                    if other is None:
                        missing(
                            who, "on_behalf_of", item.on_behalf_of, (*ipath, "on_behalf_of"), (Organisation,)
                        )
                    elif other is not Organisation:
                        pending.append(
                            _Pending(
                                f"{who}: on_behalf_of '{item.on_behalf_of}' is {article(kind_word(other))}; "
                                "on_behalf_of must name an organisation",
                                (*ipath, "on_behalf_of"),
                                code="wrong-kind",
                            )
                        )
        for fpath, fact in facts:
            for j, src in enumerate(fact.sources):
                if src.doc not in docs:
                    hint = did_you_mean(src.doc, docs) or f"add a document with id '{src.doc}' to documents"
                    pending.append(
                        _Pending(
                            f"{who}: source document '{src.doc}' is not defined",
                            (*fpath, "sources", j, "doc"),
                            hint,
                            code="unknown-ref",
                        )
                    )
    for i, top in enumerate(register.info.top):
        target = known.get(top)
        if target is None:
            missing("register", "top", top, ("register", "top", i), (Body,))
        elif target is not Body:
            pending.append(
                _Pending(
                    f"register: top '{top}' is {article(kind_word(target))}; top must name bodies",
                    ("register", "top", i),
                    code="wrong-kind",
                )
            )


def _check_cycles(register: Register, paths: dict[int, Path], pending: list[_Pending]) -> None:
    """Accountability must not go round in circles: A reports to B reports to A."""
    index = register.index
    g = nx.DiGraph()
    for body in register.bodies:
        for fld in ("reports_to", "sub_group_of"):
            for i, link in enumerate(getattr(body, fld)):
                if link.to != body.id and isinstance(index.get(link.to), Body):
                    g.add_edge(body.id, link.to, field=fld, index=i)
    for comp in nx.strongly_connected_components(g):
        if len(comp) < 2:
            continue
        start = min(comp)
        cycle = nx.find_cycle(g.subgraph(comp), source=start)
        ids = [u for u, _ in cycle] + [start]
        u, v = cycle[0]
        data = g.edges[u, v]
        origin = index[u]
        pending.append(
            _Pending(
                f"body '{u}': {data['field']} makes a cycle: {' -> '.join(ids)}",
                (*paths[id(origin)], data["field"], data["index"]),
                "a body cannot be accountable, directly or not, to itself: remove one link",
                code="cycle",
            )
        )


def _check_dates(register: Register, paths: dict[int, Path], pending: list[_Pending]) -> None:
    for body in register.bodies:
        for i, m in enumerate(body.members):
            if m.start and m.end and m.end < m.start:
                pending.append(
                    _Pending(
                        f"body '{body.id}': membership of '{m.member}' ends ({m.end}) before it starts ({m.start})",
                        (*paths[id(body)], "members", i, "end"),
                        code="bad-dates",
                    )
                )


def _warn(register: Register, paths: dict[int, Path], pending: list[_Pending]) -> None:
    for rec in register.records():
        if isinstance(rec, Document):
            continue  # documents are the sources themselves
        path = paths[id(rec)]
        who = f"{kind_word(rec)} '{rec.id}'"
        if rec.status is Status.CONFIRMED and not rec.sources:
            pending.append(
                _Pending(
                    f"{who} says status: confirmed but has no source; it is shown as unconfirmed",
                    (*path, "status"),
                    "add a source, or remove the status",
                    level=Level.WARNING,
                    code="confirmed-without-source",
                )
            )
        elif not rec.sources:
            pending.append(
                _Pending(
                    f"{who} has no source; it is shown as unconfirmed",
                    path,
                    level=Level.WARNING,
                    code="no-source",
                )
            )
        elif effective_status(rec) is Status.UNCONFIRMED:
            pending.append(
                _Pending(
                    f"{who} is unconfirmed",
                    path,
                    "check it against a source, then set status: confirmed",
                    level=Level.WARNING,
                    code="unconfirmed",
                )
            )
        if isinstance(rec, Body):
            if not rec.members and rec.dissolved is None:
                pending.append(
                    _Pending(f"{who} has no members recorded", path, level=Level.WARNING, code="no-members")
                )
            unconfirmed = sum(
                1
                for m in rec.members
                if effective_status(m, effective_status(rec), bool(rec.sources)) is Status.UNCONFIRMED
            )
            if unconfirmed and effective_status(rec) is Status.CONFIRMED:
                pending.append(
                    _Pending(
                        f"{who} has {unconfirmed} unconfirmed membership{'s' if unconfirmed != 1 else ''}",
                        (*path, "members"),
                        level=Level.WARNING,
                        code="unconfirmed",
                    )
                )
