"""The coverage rules file: which bodies the law requires in each kind of place.

The rules are data (``data/rules/coverage.yaml``), in the style of the
membership rules (:mod:`govmap.graph.analysis.rules_file`): a reviewer can
read, cite and correct them without reading Python.  ``docs/coverage.md``
describes the format.  Applying them to a register is
:mod:`govmap.graph.analysis.coverage`.

A register keeps its own rules in a file beside it (``boards.yaml`` ->
``boards.coverage.yaml``, :func:`coverage_rules_path`): it may switch shipped
rules off (``switch_off``, each with the reason) and add rules of its own (``rules``;
one with a shipped rule's id replaces it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from govmap.data import DATA_DIR
from govmap.graph.analysis.rules_file import (
    Recognisable,
    RuleModel,
    RulesInvalid,
    check_patterns,
    read_model,
)
from govmap.ingest.model import SLUG_PATTERN, AreaKind, Body, BodyKind, Organisation, OrganisationType

DEFAULT_COVERAGE = DATA_DIR / "rules" / "coverage.yaml"

Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Text = Annotated[str, Field(min_length=1)]


class Where(RuleModel):
    """The places a rule applies to."""

    #: Areas of these kinds (an area of several kinds matches any).
    area_kinds: tuple[AreaKind, ...] = ()
    #: Only areas holding an area of one of these kinds (a two-tier county holds districts).
    containing: tuple[AreaKind, ...] = ()
    #: Or these areas by id (a register's own rule for one place).
    areas: tuple[Slug, ...] = ()

    @model_validator(mode="after")
    def _some_place(self) -> Where:
        if not self.area_kinds and not self.areas:
            raise ValueError("give area_kinds or areas: the places the rule applies to")
        return self


class Recognise(RuleModel):
    """How a record is recognised as serving a function, most certain first.

    ``kinds``, ``legal_basis``, ``rules`` and ``types`` are what the register
    says; ``names`` only suggests it (the body is then marked as serving the
    function by inference).
    """

    kinds: tuple[BodyKind, ...] = ()
    legal_basis: tuple[str, ...] = ()
    #: Membership rule ids (``data/rules/statutory.yaml``) a body lists in its own ``rules:``.
    rules: tuple[Slug, ...] = ()
    #: Organisation types (or roles): an organisation of one serves the function (a youth offending team).
    types: tuple[OrganisationType, ...] = ()
    names: tuple[str, ...] = ()
    exclude_names: tuple[str, ...] = ()

    _patterns = field_validator("legal_basis", "names", "exclude_names")(check_patterns)

    def how(self, rec: Body | Organisation) -> str | None:
        """How ``rec`` is recognised: ``kind``, ``legal_basis``, ``rules``, ``type``, ``name`` or None."""
        return next((how for _, how in self.recognised(Recognisable([rec]))), None)

    def recognised(self, among: Recognisable) -> list[tuple[Body | Organisation, str]]:
        """``(record, how)`` for each record ``among`` recognised (:meth:`how`), in their order.

        Most certain first: an organisation by its type or a role, a body by its kind, legal basis or
        ``rules``; else either by its name or an alias (and no excluded name).

        Asked of records indexed once (:class:`Recognisable`), a rule reads only the records of its
        kinds and types, and its name patterns run over a list of names: the coverage matrix asks
        it of every body, and of every organisation where types count (170,000 questions nationally).
        """
        found = dict.fromkeys(among.named(self.names, self.exclude_names), "name")
        # the more certain ways last, so that each overwrites the less certain
        if self.rules:
            wanted = set(self.rules)
            found.update((i, "rules") for i, rules in among.with_rules if not wanted.isdisjoint(rules))
        found.update(dict.fromkeys(among.with_legal_basis(self.legal_basis), "legal_basis"))
        for k in self.kinds:
            found.update((i, "kind") for i in among.by_kind.get(k, ()))
        for t in self.types:
            found.update((i, "type") for i in among.by_type.get(t, ()))
        return [(among.records[i], found[i]) for i in sorted(found)]


class CoverageRule(RuleModel):
    """One kind of body the law requires in one kind of place."""

    id: Slug
    title: Text
    #: The column heading in the matrix.
    short: Text
    #: The words in a sentence ("has no {noun} recorded"); default: the title, first letter lower-case.
    noun: str | None = None
    legal_basis: Text
    url: str | None = None
    #: The provision that lets one body serve several areas (shown with a shared body).
    shared_basis: str | None = None
    where: Where
    #: Organisation types whose duty it is: an area whose authority the register does not record is
    #: outside the rule's scope (held for context).  Empty: every area of the kinds is in scope.
    authority: tuple[OrganisationType, ...] = ()
    count: Literal["one", "at-least-one"] = "one"
    shared: bool = True
    #: A finding's severity when the area's list of bodies is complete (the body is missing) ...
    severity: Literal["high", "medium", "low"] = "high"
    #: ... and when it is not (the body is not recorded).
    not_recorded: Literal["high", "medium", "low", "info"] = "medium"
    recognise: Recognise

    @property
    def words(self) -> str:
        """The function in a sentence: ``community safety partnership``."""
        return self.noun or self.title[:1].lower() + self.title[1:]


class Off(RuleModel):
    """A shipped rule a register switches off, and why."""

    rule: Slug
    reason: Text

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, value: object) -> object:
        return {"rule": value} if isinstance(value, str) else value


class CoverageFile(RuleModel):
    govmap_coverage: Literal[1] = 1
    rules: tuple[CoverageRule, ...] = ()
    #: Shipped rules switched off (a register's own file only).  Not ``off:``, which YAML reads as false.
    switch_off: tuple[Off, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> CoverageFile:
        ids = [r.id for r in self.rules]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"rule id used twice: {', '.join(twice)}")
        return self


@dataclass(frozen=True)
class CoverageRules:
    """The rules a report applies, with the shipped ones a register switched off (and why)."""

    rules: tuple[CoverageRule, ...]
    off: tuple[Off, ...] = ()
    #: The register's own rules file, if one was read (its name only).
    own: str | None = None

    def get(self, rule_id: str) -> CoverageRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def coverage_rules_path(register_path: str | os.PathLike[str]) -> Path:
    """A register's own coverage rules file: ``boards.yaml`` -> ``boards.coverage.yaml``."""
    p = Path(register_path)
    return p.with_name(f"{p.stem}.coverage.yaml")


def own_coverage_rules(register_path: str | os.PathLike[str] | None) -> str | None:
    """The register's own coverage rules file if there is one beside it (:func:`coverage_rules_path`)."""
    if register_path is None:
        return None
    p = coverage_rules_path(register_path)
    return str(p) if p.is_file() else None


def load_coverage(
    own: str | os.PathLike[str] | None = None, shipped: str | os.PathLike[str] | None = None
) -> CoverageRules:
    """The shipped coverage rules, with a register's own file applied when given.

    Parameters
    ----------
    own : path, optional
        The register's own rules file: its ``switch_off`` entries switch shipped
        rules off, its ``rules`` are added (one with a shipped id replaces it).
    shipped : path, optional
        Another base file (default ``data/rules/coverage.yaml``).

    Raises :class:`~govmap.graph.analysis.rules_file.RulesInvalid` with every
    problem placed, also for a ``switch_off`` naming no shipped rule.

    Examples
    --------
    >>> rules = load_coverage()
    >>> [r.short for r in rules.rules][:3]
    ['CSP', 'County strategy group', 'HWB']
    """
    return _rules(_stamp(own) if own is not None else None, _stamp(shipped or DEFAULT_COVERAGE))


def _stamp(path: str | os.PathLike[str]) -> tuple[str, int, int]:
    """A file as the caches know it: its path, and its modification time and size (an edit is seen)."""
    p = str(Path(path).resolve())
    try:
        st = os.stat(p)
    except OSError:
        return (p, 0, 0)  # read_model says it cannot be read
    return (p, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _rules(own: tuple[str, int, int] | None, shipped: tuple[str, int, int]) -> CoverageRules:
    # one CoverageRules a pair of files, so the matrix made for a report is found again by its rules
    base = _load(*shipped)
    if own is None:
        return CoverageRules(base.rules)
    mine = _load(*own)
    known = {r.id for r in base.rules}
    unknown = [o.rule for o in mine.switch_off if o.rule not in known]
    if unknown:
        raise RulesInvalid(
            f"{own[0]}: switch_off: no shipped coverage rule '{unknown[0]}'",
            hint=f"the shipped rules are: {', '.join(sorted(known))}",
        )
    switched = {o.rule for o in mine.switch_off}
    replaced = {r.id for r in mine.rules}
    rules = tuple(r for r in base.rules if r.id not in switched and r.id not in replaced) + mine.rules
    return CoverageRules(rules, mine.switch_off, Path(own[0]).name)


@lru_cache(maxsize=8)
def _load(path: str, mtime: int = 0, size: int = 0) -> CoverageFile:
    return read_model(path, CoverageFile, "coverage rules")


__all__ = [
    "DEFAULT_COVERAGE",
    "CoverageFile",
    "CoverageRule",
    "CoverageRules",
    "Off",
    "Recognise",
    "Where",
    "coverage_rules_path",
    "load_coverage",
    "own_coverage_rules",
]
