"""What reviewers' decisions mean for a report: open findings first, decided ones apart.

A decision (:class:`govmap.ingest.store.decisions.Decision`) settles a finding only
while the facts it was made on still hold.  It goes **stale**, and the finding
is open again with the reason said, when

- the finding's subjects differ from those recorded with the decision,
- the finding's score band differs (:func:`band`: its severity, and its score
  to one decimal place), or
- the decision's ``review_by`` date has passed (as of the report's day).

A decision whose finding no longer exists is listed as **resolved since
decided**.  ``--fail-on`` counts open findings only (undecided or reopened).

A decision follows its finding when a record it is about is renamed and the
rename is recorded (``former_names`` with the old ``id``): the finding's id
under the old ids (:meth:`~govmap.graph.analysis.findings.Finding.id_after`)
finds the decision, and its recorded subjects are read under the new ids.

An ``action`` decision whose ``due`` date has passed is **overdue**: it still
settles its finding (the action is agreed), and the report lists it first
under the decisions, with how late it is and who owns it.

The report engine knows nothing of decisions: :func:`apply_decisions` splits a
report's findings, and the report command and renderers add the decided
section (:mod:`govmap.graph.review.decisions_render`, :meth:`Reviewed.to_json`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from govmap.graph.analysis.findings import Finding
from govmap.ingest.store.decisions import Decision, DecisionEvidence, DecisionStatus


def band(f: Finding) -> str:
    """The finding's severity and its score to one decimal place (rounded down): ``"medium 0.4"``.

    >>> from govmap.graph.analysis.findings import Kind, Severity, make_finding
    >>> band(make_finding(Kind.OVERLAP, Severity.MEDIUM, "t", [], score=0.47))
    'medium 0.4'
    """
    if f.score is None:
        return f.severity.value
    return f"{f.severity.value} {math.floor(f.score * 10) / 10:g}"


def evidence_of(f: Finding) -> DecisionEvidence:
    """What a decision on ``f`` records of it, to tell later whether it changed."""
    return DecisionEvidence(subjects=tuple(sorted(s.id for s in f.subjects)), band=band(f))


def decide(
    f: Finding,
    status: DecisionStatus | str,
    reason: str,
    by: str,
    at: dt.date,
    review_by: dt.date | None = None,
    owner: str | None = None,
    due: dt.date | None = None,
) -> Decision:
    """A decision on finding ``f``, recording its title and evidence as they are now."""
    return Decision(
        finding=f.id,
        status=DecisionStatus(status),
        reason=reason,
        by=by,
        at=at,
        review_by=review_by,
        owner=owner,
        due=due,
        title=f.title,
        evidence=evidence_of(f),
    )


def stale_reasons(
    f: Finding, d: Decision, as_of: dt.date, renames: Mapping[str, str] | None = None
) -> list[str]:
    """Why decision ``d`` no longer settles finding ``f`` (empty: it still does).

    ``renames`` (old id -> new id): the decision's subjects are read under the new ids, so a
    rename alone does not reopen it.
    """
    out = []
    now = evidence_of(f)
    then = tuple(sorted((renames or {}).get(s, s) for s in d.evidence.subjects))
    if d.evidence.subjects and now.subjects != then:
        out.append(
            f"its subjects changed since the decision ({', '.join(d.evidence.subjects)} -> "
            f"{', '.join(now.subjects)})"
        )
    if d.evidence.band is not None and now.band != d.evidence.band:
        out.append(f"its score band changed since the decision ({d.evidence.band} -> {now.band})")
    if d.review_by is not None and d.review_by < as_of:
        out.append(f"the decision was due for review on {d.review_by.isoformat()}")
    return out


@dataclass(frozen=True)
class Reopened:
    finding: Finding
    decision: Decision
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "finding": self.finding.id,
            "reasons": list(self.reasons),
            "decision": _decision_json(self.decision),
        }


def _decision_json(d: Decision) -> dict[str, Any]:
    return d.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class Reviewed:
    """A report's findings split by the decisions on them."""

    #: Findings with no decision, or whose decision went stale, in report order.
    open: tuple[Finding, ...]
    #: Of ``open``, those whose decision went stale, with why.
    reopened: tuple[Reopened, ...]
    #: Findings settled by a current decision.
    decided: tuple[tuple[Finding, Decision], ...]
    #: Decisions on findings the register no longer gives.
    resolved_since_decided: tuple[Decision, ...]
    #: Findings whose decision is an action past its due date (decided or reopened), in report order.
    overdue: tuple[tuple[Finding, Decision], ...] = ()
    #: The day the decisions were judged on.
    as_of: dt.date | None = None

    def reopened_reasons(self, finding_id: str) -> tuple[str, ...]:
        for r in self.reopened:
            if r.finding.id == finding_id:
                return r.reasons
        return ()

    def overdue_on(self, finding_id: str) -> Decision | None:
        """The overdue action decided on a finding, or None."""
        return next((d for f, d in self.overdue if f.id == finding_id), None)

    def days_late(self, d: Decision) -> int:
        """How many days an action is past its due date."""
        return (self.as_of - d.due).days if self.as_of and d.due else 0

    def decision_on(self, finding_id: str) -> Decision | None:
        for f, d in self.decided:
            if f.id == finding_id:
                return d
        for r in self.reopened:
            if r.finding.id == finding_id:
                return r.decision
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "open": len(self.open),
            "overdue": [
                {
                    "finding": f.id,
                    "due": d.due.isoformat() if d.due else None,
                    "owner": d.owner,
                    "days": self.days_late(d),
                }
                for f, d in self.overdue
            ],
            "reopened": [r.to_json() for r in self.reopened],
            "decided": [{**f.to_json(), "decision": _decision_json(d)} for f, d in self.decided],
            "resolved_since_decided": [_decision_json(d) for d in self.resolved_since_decided],
        }


def apply_decisions(
    findings: Iterable[Finding],
    decisions: Iterable[Decision],
    as_of: dt.date,
    renames: Mapping[str, str] | None = None,
) -> Reviewed:
    """Split ``findings`` (in report order) by ``decisions``, judged as of ``as_of``.

    ``renames`` (old id -> id now, :meth:`govmap.ingest.model.Register.renames`): a decision
    made on a finding before a record it is about was renamed still finds it.
    """
    by_id = {d.finding: d for d in decisions}
    earlier = _earlier_ids(renames or {})
    found: set[str] = set()
    open_, reopened, decided, overdue = [], [], [], []
    for f in findings:
        d = by_id.get(f.id)
        for back in earlier if d is None else ():
            d = by_id.get(f.id_after(back))
            if d is not None:
                break
        if d is None:
            open_.append(f)
            continue
        found.add(d.finding)
        if d.status is DecisionStatus.ACTION and d.due is not None and d.due < as_of:
            overdue.append((f, d))
        reasons = stale_reasons(f, d, as_of, renames)
        if reasons:
            open_.append(f)
            reopened.append(Reopened(f, d, tuple(reasons)))
        else:
            decided.append((f, d))
    gone = tuple(d for fid, d in by_id.items() if fid not in found)
    return Reviewed(tuple(open_), tuple(reopened), tuple(decided), gone, tuple(overdue), as_of)


def _earlier_ids(renames: Mapping[str, str]) -> list[dict[str, str]]:
    """Id now -> an id it had, one mapping per rename back: the latest former ids first.

    >>> _earlier_ids({"a": "c", "b": "c", "x": "y"})
    [{'c': 'b', 'y': 'x'}, {'c': 'a'}]
    """
    olds: dict[str, list[str]] = {}
    for old, new in renames.items():
        olds.setdefault(new, []).append(old)
    depth = max((len(v) for v in olds.values()), default=0)
    return [{new: ids[-1 - k] for new, ids in olds.items() if len(ids) > k} for k in range(depth)]


def review_report(rep: Any, decisions: Iterable[Decision], as_of: dt.date) -> tuple[Any, Reviewed]:
    """A report holding only the open findings, and the split (for the decided section).

    ``rep`` is a :class:`govmap.graph.report.Report`; its renderers show the
    open findings, and :mod:`govmap.graph.review.decisions_render`'s sections / the
    split's ``to_json`` add the rest.
    """
    reviewed = apply_decisions(rep.findings, decisions, as_of, getattr(rep, "renames", None))
    return dataclasses.replace(rep, findings=reviewed.open), reviewed


__all__ = [
    "Reopened",
    "Reviewed",
    "apply_decisions",
    "band",
    "decide",
    "evidence_of",
    "review_report",
    "stale_reasons",
]
