"""The analysis, as the web pages need it.

The findings come from :func:`govmap.graph.report.report`, and paths from
:mod:`govmap.graph.analysis.structure` when they are installed; both are imported
lazily so the map, the entity pages and the editor work without them.  When
``structure`` is missing, paths fall back to a shortest path over the graph.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from govmap.graph.entity import get_record
from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Body, Register, Theme
from govmap.ingest.validate import did_you_mean, kind_word

FORMATS = {"json": "application/json", "csv": "text/csv", "md": "text/markdown", "html": "text/html"}
#: Severities, highest first (as :class:`govmap.graph.analysis.findings.Severity`, which may not be installed).
SEVERITIES = ("high", "medium", "low", "info")


def _optional(module: str) -> ModuleType | None:
    """A sibling analysis module, or None if it is not installed (yet)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None


# -- findings -------------------------------------------------------------------


@dataclass
class ReportView:
    """The findings of a register, or why there are none to show."""

    available: bool
    findings: list[Any] = field(default_factory=list)
    report: Any = None
    note: str | None = None
    _subjects: dict[str, list[Any]] | None = field(default=None, repr=False, compare=False)

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind.value for f in self.findings})

    @property
    def severities(self) -> list[str]:
        present = {f.severity.value for f in self.findings}
        return [s for s in SEVERITIES if s in present]

    def select(
        self, kind: str | None = None, severity: str | None = None, subject: str | None = None
    ) -> list[Any]:
        """Findings of a kind (or group), at least a severity, involving a subject.

        An unknown kind or severity is refused (:class:`BadFilter`), not read
        as "everything".
        """
        out = self.findings
        if severity and severity not in SEVERITIES:
            raise BadFilter(f"unknown severity '{severity}'", hint=f"use one of {', '.join(SEVERITIES)}")
        if kind:
            kinds = _expand(kind)
            out = [f for f in out if f.kind.value in kinds]
        if severity:
            out = [f for f in out if _rank(f.severity.value) >= _rank(severity)]
        if subject:
            if out is self.findings:  # the common case (an entity's page): indexed, not scanned
                out = list(self._by_subject().get(subject, ()))
            else:
                out = [f for f in out if any(s.id == subject for s in f.subjects)]
        return out

    def _by_subject(self) -> dict[str, list[Any]]:
        """Findings under each subject id, in report order; built on first use."""
        if self._subjects is None:
            index: dict[str, list[Any]] = {}
            for f in self.findings:
                for sid in dict.fromkeys(s.id for s in f.subjects):
                    index.setdefault(sid, []).append(f)
            self._subjects = index
        return self._subjects

    def get(self, finding_id: str) -> Any:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise UnknownFinding(
            f"no finding with id '{finding_id}'", hint="findings change when the register does"
        )

    def download(self, fmt: str) -> str:
        if not self.available or fmt not in FORMATS:
            raise UnknownFinding(f"no report in format '{fmt}'", hint=f"formats: {', '.join(FORMATS)}")
        text: str = self.report.render(fmt)
        return text


class UnknownFinding(GovmapError):
    status = 404


class BadFilter(GovmapError):
    """A report filter (``kind=``, ``severity=``) that names nothing."""

    status = 400


def _rank(severity: str) -> int:
    return len(SEVERITIES) - 1 - SEVERITIES.index(severity) if severity in SEVERITIES else 0


def _expand(kind: str) -> set[str]:
    """The kinds a kind or group name stands for; :class:`BadFilter` if it names none."""
    findings = _optional("govmap.graph.analysis.findings")
    if findings is None:
        return {kind}
    try:
        return {k.value for k in findings.expand_kinds([kind])}
    except ValueError as exc:
        groups, kinds = list(findings.GROUPS), [k.value for k in findings.Kind]
        hint = did_you_mean(kind, groups + kinds) or (
            f"use a group ({', '.join(groups)}) or a kind ({', '.join(kinds)})"
        )
        raise BadFilter(str(exc), hint=hint) from None


def report_of(
    register: Register, generated_from: dict[str, Any] | None = None, as_of: dt.date | None = None
) -> ReportView:
    """Run the whole analysis on a register, as of a day (default today); the caller caches it."""
    module = _optional("govmap.graph.report")
    if module is None:
        return ReportView(False, note="The analysis is not installed in this version of govmap.")
    rep = module.report(register, options=module.ReportOptions(as_of=as_of), generated_from=generated_from)
    return ReportView(True, list(rep.findings), rep)


# -- paths ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One record on a path; ``via`` says how it is reached from the step before."""

    id: str
    name: str
    kind: str
    via: str | None = None


@dataclass
class PathView:
    title: str
    steps: list[Step]
    note: str | None = None

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.steps]


def _step(register: Register, node: str, via: str | None = None) -> Step:
    rec = register.get(node)
    return Step(node, rec.name if rec else node, kind_word(rec) if rec else "?", via)


def _steps(found: Iterable[Any]) -> list[Step]:
    return [Step(s.id, s.name, s.kind, s.via) for s in found]


def path_between(register: Register, a: str, b: str) -> PathView:
    """The shortest chain of links between two records, in either direction."""
    from govmap.graph.analysis.structure import shortest_path

    ra, rb = get_record(register, a), get_record(register, b)
    found = shortest_path(register, a, b)
    title = f"From {ra.name} to {rb.name}"
    if not found:
        return PathView(title, [], note="These two are not linked, directly or through others.")
    return PathView(title, _steps(found))


def accountability(register: Register, theme_id: str) -> PathView:
    """From a theme to the body that answers for it, then up the reporting lines to the top."""
    from govmap.graph.analysis.structure import accountability_path

    rec = get_record(register, theme_id)
    if not isinstance(rec, Theme):
        raise GovmapError(f"'{theme_id}' is a {kind_word(rec)}, not a theme", hint="choose a theme")
    found = accountability_path(register, theme_id)
    steps = _steps(found.steps)
    note = None
    if len(steps) <= 1:
        note = "No body addresses this theme, so nobody answers for it."
    elif not found.reaches_top:
        note = f"The path stops at {steps[-1].name}, which reports to no one: it does not reach the top."
    return PathView(f"Who answers for {rec.name}", steps, note=note)


def chain_up(register: Register, body_id: str) -> list[str]:
    """The body and the bodies above it, following the first reporting line each step."""
    chain = [body_id]
    seen = {body_id}
    while True:
        rec = register.get(chain[-1])
        if not isinstance(rec, Body):
            return chain
        parents = [link.to for link in (*rec.reports_to, *rec.sub_group_of) if link.to not in seen]
        if not parents:
            return chain
        chain.append(parents[0])
        seen.add(parents[0])


def descendants(register: Register, body_id: str) -> list[tuple[int, Step]]:
    """Bodies below this one (reporting to it or sub-groups of it), with their depth."""
    children: dict[str, list[str]] = {}
    for b in register.bodies:
        for link in (*b.reports_to, *b.sub_group_of):
            children.setdefault(link.to, []).append(b.id)
    out, seen = [], {body_id}
    todo = deque([(body_id, 0)])
    while todo:
        node, depth = todo.popleft()
        for child in children.get(node, []):
            if child not in seen:
                seen.add(child)
                out.append((depth + 1, _step(register, child)))
                todo.append((child, depth + 1))
    return out


def names(register: Register, ids: Iterable[str]) -> list[Step]:
    return [_step(register, i) for i in ids]
