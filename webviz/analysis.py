"""The analysis, as the web pages need it: the report's findings, filtered, and paths.

Severities, finding kinds and groups, and report formats are the analysis's
and the report's own (:mod:`govmap.graph.analysis.findings`,
:mod:`govmap.graph.report`); this module only asks them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from govmap.graph.analysis.findings import GROUPS, Finding, Kind, Severity, expand_kinds
from govmap.graph.analysis.paths import PathStep, accountability_path, shortest_path
from govmap.graph.entity import get_record
from govmap.graph.lines import children_of, closure, parents_of
from govmap.graph.report.assemble import MEDIA_TYPES, Report, ReportOptions, report
from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Register, Theme
from govmap.ingest.reading.messages import did_you_mean, kind_word

#: Report format -> media type, for downloads.
FORMATS = MEDIA_TYPES
#: Severities, highest first.
SEVERITIES = tuple(s.value for s in Severity)


# -- findings -------------------------------------------------------------------


@dataclass
class ReportView:
    """The findings of a register, and the report they come from."""

    findings: list[Finding]
    report: Report
    _subjects: dict[str, list[Finding]] | None = field(default=None, repr=False, compare=False)

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind.value for f in self.findings})

    def select(
        self, kind: str | None = None, severity: str | None = None, subject: str | None = None
    ) -> list[Finding]:
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
            least = Severity(severity)
            out = [f for f in out if f.severity.at_least(least)]
        if subject:
            if out is self.findings:  # the common case (an entity's page): indexed, not scanned
                out = list(self._by_subject().get(subject, ()))
            else:
                out = [f for f in out if any(s.id == subject for s in f.subjects)]
        return out

    def _by_subject(self) -> dict[str, list[Finding]]:
        """Findings under each subject id, in report order; built on first use."""
        if self._subjects is None:
            index: dict[str, list[Finding]] = {}
            for f in self.findings:
                for sid in dict.fromkeys(s.id for s in f.subjects):
                    index.setdefault(sid, []).append(f)
            self._subjects = index
        return self._subjects

    def get(self, finding_id: str) -> Finding:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise UnknownFinding(
            f"no finding with id '{finding_id}'", hint="findings change when the register does"
        )

    def download(self, fmt: str) -> str:
        if fmt not in FORMATS:
            raise UnknownFinding(f"no report in format '{fmt}'", hint=f"formats: {', '.join(FORMATS)}")
        text: str = self.report.render(fmt)
        return text


class UnknownFinding(GovmapError):
    status = 404


class BadFilter(GovmapError):
    """A report filter (``kind=``, ``severity=``) that names nothing."""

    status = 400


def _expand(kind: str) -> set[str]:
    """The kinds a kind or group name stands for; :class:`BadFilter` if it names none."""
    try:
        return {k.value for k in expand_kinds([kind])}
    except ValueError as exc:
        groups, kinds = list(GROUPS), [k.value for k in Kind]
        hint = did_you_mean(kind, groups + kinds) or (
            f"use a group ({', '.join(groups)}) or a kind ({', '.join(kinds)})"
        )
        raise BadFilter(str(exc), hint=hint) from None


def report_of(
    register: Register,
    generated_from: dict[str, Any] | None = None,
    as_of: dt.date | None = None,
    coverage_path: str | None = None,
) -> ReportView:
    """Run the whole analysis on a register, as of a day (default today); the caller caches it.

    ``coverage_path`` is the register's own coverage rules file, if it has one.
    """
    options = ReportOptions(as_of=as_of, coverage_path=coverage_path)
    rep = report(register, options=options, generated_from=generated_from)
    return ReportView(list(rep.findings), rep)


# -- paths ---------------------------------------------------------------------


#: One record on a path; ``via`` says how it is reached from the step before.
Step = PathStep


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


def path_between(register: Register, a: str, b: str) -> PathView:
    """The shortest chain of links between two records, in either direction."""
    ra, rb = get_record(register, a), get_record(register, b)
    found = shortest_path(register, a, b)
    title = f"From {ra.name} to {rb.name}"
    if not found:
        return PathView(title, [], note="These two are not linked, directly or through others.")
    return PathView(title, list(found))


def accountability(register: Register, theme_id: str) -> PathView:
    """From a theme to the body that answers for it, then up the reporting lines to the top."""
    rec = get_record(register, theme_id)
    if not isinstance(rec, Theme):
        raise GovmapError(f"'{theme_id}' is a {kind_word(rec)}, not a theme", hint="choose a theme")
    found = accountability_path(register, theme_id)
    steps = list(found.steps)
    note = None
    if len(steps) <= 1:
        note = "No body addresses this theme, so nobody answers for it."
    elif not found.reaches_top:
        note = f"The path stops at {steps[-1].name}, which reports to no one: it does not reach the top."
    return PathView(f"Who answers for {rec.name}", steps, note=note)


def chain_up(register: Register, body_id: str) -> list[str]:
    """The body and the bodies above it, following the first reporting line each step."""
    up = parents_of(register)
    chain = [body_id]
    while True:
        parents = [p for p in up.get(chain[-1], []) if p not in chain]
        if not parents:
            return chain
        chain.append(parents[0])


def descendants(register: Register, body_id: str) -> list[tuple[int, Step]]:
    """Bodies below this one (reporting to it or sub-groups of it), with their depth."""
    below = closure(children_of(parents_of(register)), body_id)
    return [(depth, _step(register, b)) for depth, b in below]


def names(register: Register, ids: Iterable[str]) -> list[Step]:
    return [_step(register, i) for i in ids]
