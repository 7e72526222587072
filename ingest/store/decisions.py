"""Reviewers' decisions on findings: the ``boards.decisions.yaml`` file kept beside a register.

A finding (see :mod:`govmap.graph.analysis.findings`) has a stable id.  A
reviewer who has looked at it records a decision::

    decisions:
      - finding: overlap-3f2a9c01de
        status: accepted            # accepted, action or not-applicable
        reason: Both boards meet together; the overlap is deliberate.
        by: alice
        at: 2026-03-02
        review_by: 2027-03-01       # optional: the decision is reconsidered then
        # for status: action, also
        # owner: Head of Community Safety
        # due: 2026-06-30
        title: ...                  # the finding as it was when decided (written by govmap)
        evidence: {subjects: [board-a, board-b], band: "medium 0.4"}

The file is read like the register (:mod:`govmap.ingest.reading.yamlsafe`: no duplicate keys,
aliases or tags) and validated strictly, with ``file:line:col`` for every
problem.  It is written atomically (:mod:`govmap.ingest.store.files`), so a failed save loses
nothing.  What a decision *means* for a report (open, decided, stale) is
worked out in :mod:`govmap.graph.review.decisions`.
"""

from __future__ import annotations

import datetime as dt
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from govmap.ingest.errors import FileInvalid, GovmapError, Problem, Span
from govmap.ingest.reading.load import read_text
from govmap.ingest.reading.yamlsafe import locate, parse
from govmap.ingest.store.files import write_atomically
from govmap.ingest.text import TextRefused, clean_text, text_problem

FINDING_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class DecisionStatus(StrEnum):
    """What a reviewer decided about a finding."""

    #: Known and tolerated.
    ACCEPTED = "accepted"
    #: Someone will act on it (``owner`` and ``due`` required).
    ACTION = "action"
    #: The finding does not apply here.
    NOT_APPLICABLE = "not-applicable"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DecisionEvidence(_Model):
    """What the finding rested on when it was decided; a change reopens the decision."""

    subjects: tuple[str, ...] = ()
    band: Annotated[str, Field(max_length=100)] | None = None


#: The typed fields of a decision: (label on the form, most characters, several lines?).
TYPED_FIELDS = {
    "reason": ("Reason", 5000, True),
    "owner": ("Owner (for action)", 300, False),
    "by": ("Decided by", 200, False),
}


class Decision(_Model):
    finding: Annotated[str, Field(pattern=FINDING_ID, max_length=200)]
    status: DecisionStatus
    reason: Annotated[str, Field(min_length=1, max_length=TYPED_FIELDS["reason"][1])]
    by: Annotated[str, Field(min_length=1, max_length=TYPED_FIELDS["by"][1])]
    at: dt.date
    review_by: dt.date | None = None
    owner: Annotated[str, Field(min_length=1, max_length=TYPED_FIELDS["owner"][1])] | None = None
    due: dt.date | None = None
    title: Annotated[str, Field(max_length=2000)] | None = None
    evidence: DecisionEvidence = DecisionEvidence()


class DecisionsInvalid(FileInvalid):
    """Every problem in a decisions file, each with its position."""

    holder = "the decisions file"


class DecisionRefused(GovmapError):
    """A decision that cannot be recorded as asked (action without owner, unknown finding)."""

    status = 422


def typed(field: str, value: str | None) -> str | None:
    """A decision's typed field (``reason``, ``owner``, ``by``) as it is stored, or
    :class:`DecisionRefused` naming the field: cleaned by :func:`~govmap.ingest.text.clean_text`
    (no control characters or direction overrides; line separators become line breaks in the
    reason, spaces elsewhere) and no longer than the file allows.  None if it is left empty.

    >>> typed("reason", " Known\\u2028and tolerated ")
    'Known\\nand tolerated'
    >>> typed("owner", "x" * 301)
    Traceback (most recent call last):
    ...
    govmap.ingest.store.decisions.DecisionRefused: Owner (for action): 301 characters; at most 300
    """
    label, most, multiline = TYPED_FIELDS[field]
    if value is None:
        return None
    try:
        text = clean_text(value, label, multiline=multiline)
    except TextRefused as exc:
        raise DecisionRefused(exc.message, exc.hint) from None
    if len(text) > most:
        raise DecisionRefused(f"{label}: {len(text):,} characters; at most {most:,}", hint="shorten it")
    return text or None


def decisions_path(register_path: str | os.PathLike[str]) -> Path:
    """The decisions file beside a register: ``boards.yaml`` -> ``boards.decisions.yaml``."""
    p = Path(register_path)
    return p.with_name(f"{p.stem}.decisions.yaml")


def _message(err: Any, who: str) -> tuple[str, str | None, bool]:
    """(message, hint, at_key) for one pydantic error, in a reviewer's words."""
    loc = [p for p in err["loc"] if not isinstance(p, int)]
    name = str(loc[-1]) if loc else "decision"
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        allowed = ", ".join(Decision.model_fields)
        return f"{who}: unknown key '{name}'", f"allowed keys: {allowed}", True
    if kind == "missing":
        return f"{who}: missing required key '{name}'", None, False
    if kind == "enum":
        allowed = ", ".join(s.value for s in DecisionStatus)
        return f"{who}: {name}: '{value}' is not one of {allowed}", None, False
    if kind.startswith("date"):
        return f"{who}: {name}: '{value}' is not a date; write YYYY-MM-DD", None, False
    if kind == "string_pattern_mismatch":
        return f"{who}: {name}: '{value}' is not a finding id", "copy the id from the report", False
    return f"{who}: {name}: {err['msg'].replace('Input should be', 'should be')}", None, False


def check_decisions_text(text: str, filename: str) -> tuple[tuple[Decision, ...], list[Problem]]:
    """Validate decisions text; the decisions (if no error) and every problem, with positions."""
    parsed = parse(text, filename)
    if parsed.problems:
        return (), parsed.problems
    data = parsed.data if parsed.data is not None else {}
    pending: list[tuple[str, tuple[Any, ...], str | None, bool]] = []
    items: list[Any] = []
    if not isinstance(data, dict):
        pending.append(("the decisions file must be a mapping with a 'decisions' list", (), None, False))
    else:
        for key in data:
            if key != "decisions":
                pending.append((f"unknown section '{key}'", (key,), "the only section is 'decisions'", True))
        items = data.get("decisions") or []
        if not isinstance(items, list):
            pending.append(
                ("'decisions' should be a list (each line starting '- ')", ("decisions",), None, False)
            )
            items = []
    out: list[Decision] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        path = ("decisions", i)
        fid = item.get("finding") if isinstance(item, dict) else None
        who = f"decision on '{fid}'" if isinstance(fid, str) else f"decision #{i + 1}"
        try:
            d = Decision.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                msg, hint, at_key = _message(err, who)
                loc = tuple(err["loc"])
                where = path + (loc if err["type"] != "missing" else loc[:-1])
                pending.append((msg, where, hint, at_key))
            continue
        for key, (_, _, multiline) in TYPED_FIELDS.items():
            value = getattr(d, key)
            problem = text_problem(value, key, multiline=multiline) if value is not None else None
            if problem is not None:
                pending.append((f"{who}: {problem}", (*path, key), None, False))
        if d.status is DecisionStatus.ACTION:
            for key in ("owner", "due"):
                if getattr(d, key) is None:
                    msg = f"{who}: status action needs '{key}'"
                    pending.append((msg, path, "say who will act, and by when", False))
        if d.finding in seen:
            first = seen[d.finding] + 1
            msg = f"{who}: the finding is decided twice (first in decision #{first})"
            pending.append((msg, (*path, "finding"), "keep one decision per finding", False))
        seen.setdefault(d.finding, i)
        out.append(d)
    if not pending:
        return tuple(out), []
    spans = locate(text, filename, [p for _, p, _, k in pending if not k])
    keys = locate(text, filename, [p for _, p, _, k in pending if k], at_key=True)
    problems = [
        Problem(m, (keys if k else spans).get(p) or Span(filename, 1, 1), h, code="invalid-decision")
        for m, p, h, k in pending
    ]
    return (), problems


def load_decisions(path: str | os.PathLike[str]) -> tuple[Decision, ...]:
    """The decisions in ``path``; none if there is no such file.  Raises :class:`DecisionsInvalid`."""
    if not os.path.exists(path):
        return ()
    decisions, problems = check_decisions_text(read_text(path), os.fspath(path))
    if problems:
        raise DecisionsInvalid(problems)
    return decisions


HEADER = (
    "# Decisions on findings (govmap decide, or the Decide form on the report page).\n"
    "# status: accepted | action (with owner and due) | not-applicable.  See docs/review.md.\n"
)


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def decisions_text(decisions: tuple[Decision, ...] | list[Decision]) -> str:
    """YAML text for a decisions file; reading it back gives the same decisions."""
    data = {"decisions": [_plain(d.model_dump(exclude_none=True)) for d in decisions]}
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return HEADER + body


def upsert(decisions: tuple[Decision, ...], decision: Decision) -> tuple[Decision, ...]:
    """The decisions with ``decision`` in place of any earlier one on the same finding."""
    kept = [d for d in decisions if d.finding != decision.finding]
    return (*kept, decision)


def check_decision(decision: Decision) -> None:
    """Refuse (:class:`DecisionRefused`) a decision that cannot be recorded as made: every store asks."""
    if decision.status is DecisionStatus.ACTION and (decision.owner is None or decision.due is None):
        raise DecisionRefused(
            "a decision with status action needs an owner and a due date",
            hint="give --owner and --due, or fill in both fields",
        )


def record_decision(path: str | os.PathLike[str], decision: Decision) -> tuple[str, str]:
    """Add or replace a decision in the file at ``path`` (written atomically); the text before and after.

    A file that does not validate is not touched (:class:`DecisionsInvalid`).
    """
    before = read_text(path) if os.path.exists(path) else ""
    current = load_decisions(path)
    check_decision(decision)
    after = decisions_text(upsert(current, decision))
    write_atomically(path, after)
    return before, after


__all__ = [
    "Decision",
    "DecisionEvidence",
    "DecisionRefused",
    "DecisionStatus",
    "DecisionsInvalid",
    "check_decision",
    "check_decisions_text",
    "decisions_path",
    "decisions_text",
    "load_decisions",
    "record_decision",
    "typed",
    "upsert",
]
