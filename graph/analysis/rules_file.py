"""The statutory membership rules file: its format, and reading it (``data/rules/statutory.yaml`` by default).

The rules are data, not code: a reviewer can read, cite and correct them
without reading Python.  ``docs/rules.md`` describes the file format; the
models here are that format, each rule with the bodies it applies to
(:class:`Selector`) and the members it requires (:class:`Requirement`).
Applying the rules to a register is :mod:`govmap.graph.analysis.rules`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from govmap.data import DATA_DIR
from govmap.ingest.errors import GovmapError, Problem, RegisterError
from govmap.ingest.model import AreaKind, Body, BodyKind, Organisation, OrganisationType
from govmap.ingest.reading.yamlsafe import decode, locate, parse

DEFAULT_RULES = DATA_DIR / "rules" / "statutory.yaml"


class RulesInvalid(GovmapError):
    """The rules file cannot be read or does not follow the format; each problem with its position."""

    def __init__(self, message: str, hint: str | None = None, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__("\n".join(p.format() for p in self.problems) or message, hint)

    def format(self) -> str:
        return self.message if self.problems else super().format()


def check_patterns(value: tuple[str, ...]) -> tuple[str, ...]:
    r"""Each pattern a regular expression, with no control character in it: in a double-quoted YAML
    string ``\b`` is a backspace, so ``"\bpanel\b"`` would silently match no name.

    >>> check_patterns((r"\bpanel\b",))
    ('\\bpanel\\b',)
    >>> check_patterns(("\bpanel\b",))
    Traceback (most recent call last):
    ...
    ValueError: '\x08panel\x08' holds the control character U+0008 (in double quotes YAML reads \b as a backspace): write the pattern in single quotes, as '\bword\b'
    """
    for p in value:
        bad = next((c for c in p if c < " " or c == "\x7f"), None)
        if bad is not None:
            shown = p.encode("unicode_escape").decode("ascii")
            raise ValueError(
                f"'{shown}' holds the control character U+{ord(bad):04X} (in double quotes YAML reads \\b "
                "as a backspace): write the pattern in single quotes, as '\\bword\\b'"
            )
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"'{p}' is not a valid regular expression: {exc}") from None
    return value


def search(patterns: tuple[str, ...], texts: tuple[str, ...]) -> bool:
    """True when one of ``patterns`` is found, case-insensitively, in one of ``texts``."""
    rx = one_pattern(patterns)
    return rx is not None and any(rx.search(t) for t in texts)


@lru_cache(maxsize=512)
def one_pattern(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """``patterns`` as one compiled alternation, case-insensitive (None for none): what :func:`search`
    looks for, for a caller asking thousands of records (a national register has 15,000 bodies)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


class Recognisable:
    """Bodies and organisations indexed once for the rules that pick records out of them (a coverage
    rule's :meth:`~govmap.graph.analysis.coverage_file.Recognise.recognised`, a membership rule's
    :meth:`Selector.applying`): by body kind, by organisation type and role, their names, and those
    with aliases, a legal basis or ``rules``.  A rule then reads only the records of its kinds and
    types, and runs its patterns over lists of names, not once a record."""

    def __init__(self, records: Sequence[Body | Organisation]) -> None:
        self.records = records
        self.names = [r.name for r in records]
        self.aliased = [(i, r.aliases) for i, r in enumerate(records) if r.aliases]
        self.by_kind: dict[BodyKind, list[int]] = {}
        self.by_type: dict[OrganisationType, list[int]] = {}
        self.with_basis: list[tuple[int, str]] = []
        self.with_rules: list[tuple[int, tuple[str, ...]]] = []
        for i, r in enumerate(records):
            if isinstance(r, Organisation):
                for t in dict.fromkeys(r.all_types):
                    self.by_type.setdefault(t, []).append(i)
                continue
            self.by_kind.setdefault(r.kind, []).append(i)
            if r.legal_basis:
                self.with_basis.append((i, r.legal_basis))
            if r.rules:
                self.with_rules.append((i, r.rules))

    def named(self, patterns: tuple[str, ...], exclude: tuple[str, ...] = ()) -> set[int]:
        """The records whose name or an alias matches one of ``patterns`` and none of ``exclude``
        (:func:`search` of both over the name and aliases)."""
        rx, out = one_pattern(patterns), one_pattern(exclude)
        if rx is None:
            return set()
        hits = {i for i, name in enumerate(self.names) if rx.search(name)}
        hits.update(i for i, aliases in self.aliased if any(rx.search(a) for a in aliases))
        if out is not None:
            hits.difference_update([i for i in hits if out.search(self.names[i])])
            hits.difference_update([i for i, aliases in self.aliased if any(out.search(a) for a in aliases)])
        return hits

    def with_legal_basis(self, patterns: tuple[str, ...]) -> list[int]:
        """The bodies whose legal basis matches one of ``patterns``."""
        rx = one_pattern(patterns)
        return [] if rx is None else [i for i, text in self.with_basis if rx.search(text)]


class RuleModel(BaseModel):
    """A part of a rules file: frozen, and a misspelt key is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Selector(RuleModel):
    """Which bodies a rule applies to.

    ``kinds`` and ``legal_basis`` say the rule applies; ``names`` only that it
    may (a name is not a fact about the body's legal duties).
    """

    kinds: tuple[BodyKind, ...] = ()
    names: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    exclude_names: tuple[str, ...] = ()

    _patterns = field_validator("names", "legal_basis", "exclude_names")(check_patterns)

    def applies(self, body: Body) -> str | None:
        """How the rule applies to ``body``: ``"kind"``, ``"legal_basis"``, ``"name"`` (may apply) or None."""
        return self.applying(Recognisable([body])).get(0)

    def applying(self, among: Recognisable) -> dict[int, str]:
        """How the rule applies to each body ``among`` it applies to (:meth:`applies`), by its number:
        most certain first, ``kind``, then ``legal_basis``, else ``name``."""
        found = dict.fromkeys(among.named(self.names, self.exclude_names), "name")
        found.update(dict.fromkeys(among.with_legal_basis(self.legal_basis), "legal_basis"))
        for k in self.kinds:
            found.update(dict.fromkeys(among.by_kind.get(k, ()), "kind"))
        return found

    def matches(self, body: Body) -> bool:
        """True when the rule applies, or may apply by name."""
        return self.applies(body) is not None


class OnlyIn(RuleModel):
    """Where a requirement applies: a body covering an area of ``area_kinds`` that lies within one of ``within``.

    The county council of a two-tier area is a responsible authority of a
    district's CSP (Crime and Disorder Act 1998 s5(1)(a)); a unitary's CSP has
    no county council to include.
    """

    area_kinds: tuple[AreaKind, ...] = Field(min_length=1)
    within: tuple[AreaKind, ...] = Field(min_length=1)


class Requirement(RuleModel):
    """One kind of member a body must have."""

    id: Annotated[str, Field(min_length=1)]
    label: Annotated[str, Field(min_length=1)]
    types: tuple[OrganisationType, ...] = ()
    names: tuple[str, ...] = ()
    only_in: OnlyIn | None = None

    _patterns = field_validator("names")(check_patterns)

    def met_by(self, org: Organisation) -> bool:
        """True when the organisation's type, one of its roles, or its name meets the requirement."""
        return any(t in self.types for t in org.all_types) or search(self.names, (org.name, *org.aliases))


class Rule(RuleModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    title: Annotated[str, Field(min_length=1)]
    legal_basis: Annotated[str, Field(min_length=1)]
    url: str | None = None
    severity: Literal["high", "medium", "low"] = "high"
    applies_to: Selector
    requires: tuple[Requirement, ...] = Field(min_length=1)


class RulesFile(RuleModel):
    govmap_rules: Literal[1] = 1
    rules: tuple[Rule, ...]


def load_rules(path: str | os.PathLike[str] | None = None) -> tuple[Rule, ...]:
    """Read and check a rules file (the shipped ``statutory.yaml`` by default).

    Raises :class:`RulesInvalid` with every problem found.
    """
    p = Path(path) if path is not None else DEFAULT_RULES
    return _load(str(p.resolve()))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[Rule, ...]:
    return read_model(path, RulesFile, "rules").rules


M = TypeVar("M", bound=BaseModel)


def read_model(path: str | os.PathLike[str], model: type[M], what: str = "rules") -> M:
    """Read a YAML rules file into ``model``, or raise :class:`RulesInvalid` with every problem placed.

    The project's own safe YAML (duplicate keys, tags and aliases refused);
    each validation problem at its line and column.  ``what`` names the file
    in messages ("not a rules file").
    """
    path = str(path)
    try:
        text = decode(Path(path).read_bytes(), path)
    except OSError as exc:
        raise RulesInvalid(f"{path}: cannot read the {what} file: {exc.strerror}") from None
    except RegisterError as exc:
        raise RulesInvalid(exc.message, problems=[exc.problem]) from None
    parsed = parse(text, path)
    if parsed.problems:
        raise RulesInvalid(f"{path}: not valid YAML", problems=parsed.problems)
    try:
        return model.model_validate(parsed.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        spans = locate(text, path, [tuple(e["loc"]) for e in errors])
        problems = [
            Problem(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}", spans.get(tuple(e["loc"])))
            for e in errors
        ]
        raise RulesInvalid(f"{path}: not a {what} file", problems=problems) from None


__all__ = [
    "DEFAULT_RULES",
    "RuleModel",
    "check_patterns",
    "one_pattern",
    "read_model",
    "search",
    "OnlyIn",
    "Recognisable",
    "Requirement",
    "Rule",
    "RulesInvalid",
    "Selector",
    "load_rules",
]
