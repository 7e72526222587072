"""The decisions in a report's text: the Decisions section in Markdown and HTML, and the report
command's hook that applies the decisions file beside the register (:func:`render_report`,
:func:`write_report`).  What decisions mean is :mod:`govmap.graph.review.decisions`'.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from html import escape
from typing import Any

from govmap.graph.review.decisions import Reviewed, review_report
from govmap.ingest.store.decisions import Decision, DecisionStatus


def _decision_line(d: Decision) -> str:
    text = f"{d.status.value} by {d.by} on {d.at.isoformat()}: {d.reason}"
    if d.status is DecisionStatus.ACTION:
        text += f" (owner {d.owner}, due {d.due.isoformat() if d.due else '?'})"
    if d.review_by:
        text += f"; review by {d.review_by.isoformat()}"
    return text


def _late(r: Reviewed, d: Decision) -> str:
    """``due 2026-01-31 (29 days ago), owner Head of Community Safety``."""
    days = r.days_late(d)
    due = d.due.isoformat() if d.due else "?"
    return f"due {due} ({days} day{'s' if days != 1 else ''} ago), owner {d.owner}"


def markdown_section(r: Reviewed) -> str:
    """The overdue actions, the decided findings, the reopened ones and those resolved since
    decided, in Markdown."""
    if not (r.decided or r.reopened or r.resolved_since_decided):
        return ""
    out = ["", "## Decisions", ""]
    if r.overdue:
        out += [f"### Overdue actions ({len(r.overdue)})", ""]
        out += [f"- **{f.severity.value}** {f.title} `{f.id}`: {_late(r, d)}" for f, d in r.overdue]
        out.append("")
    if r.reopened:
        out += [f"### Reopened ({len(r.reopened)})", ""]
        for x in r.reopened:
            out.append(
                f"- **{x.finding.severity.value}** {x.finding.title} `{x.finding.id}`: open again because "
                + "; ".join(x.reasons)
            )
        out.append("")
    out += [f"### Decided ({len(r.decided)})", ""]
    out += [f"- **{f.severity.value}** {f.title} `{f.id}`: {_decision_line(d)}" for f, d in r.decided] or [
        "None."
    ]
    out.append("")
    if r.resolved_since_decided:
        out += [f"### Resolved since decided ({len(r.resolved_since_decided)})", ""]
        out += [
            f"- {d.title or d.finding} `{d.finding}`: {_decision_line(d)}" for d in r.resolved_since_decided
        ]
        out.append("")
    return "\n".join(out)


def html_section(r: Reviewed) -> str:
    """The same as :func:`markdown_section`, as an escaped HTML ``<section>``."""
    if not (r.decided or r.reopened or r.resolved_since_decided):
        return ""
    parts = ['<section class="decisions"><h2>Decisions</h2>']
    if r.overdue:
        parts.append(f"<h3>Overdue actions ({len(r.overdue)})</h3><ul>")
        parts += [
            f"<li>{escape(f.title)} <code>{escape(f.id)}</code>: {escape(_late(r, d))}</li>"
            for f, d in r.overdue
        ]
        parts.append("</ul>")
    if r.reopened:
        parts.append(f"<h3>Reopened ({len(r.reopened)})</h3><ul>")
        parts += [
            f"<li>{escape(x.finding.title)} <code>{escape(x.finding.id)}</code>: open again because "
            f"{escape('; '.join(x.reasons))}</li>"
            for x in r.reopened
        ]
        parts.append("</ul>")
    parts.append(f"<h3>Decided ({len(r.decided)})</h3><ul>")
    parts += [
        f"<li>{escape(f.title)} <code>{escape(f.id)}</code>: {escape(_decision_line(d))}</li>"
        for f, d in r.decided
    ]
    parts.append("</ul>")
    if r.resolved_since_decided:
        parts.append(f"<h3>Resolved since decided ({len(r.resolved_since_decided)})</h3><ul>")
        parts += [
            f"<li>{escape(d.title or d.finding)} <code>{escape(d.finding)}</code>: {escape(_decision_line(d))}</li>"
            for d in r.resolved_since_decided
        ]
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def render_with_decisions(rep: Any, reviewed: Reviewed, fmt: str) -> str:
    """``rep`` (open findings only) rendered in ``fmt``, with the decisions added.

    Markdown gets a ``## Decisions`` section at the end; HTML a section before
    ``</body>``, the committee pack (``pack``) before its annexes; JSON a top-level ``"decisions"`` key; CSV stays one open
    finding a row.
    """
    if fmt == "json":
        return str(rep.to_json(extra={"decisions": reviewed.to_json()}))
    text: str = rep.render(fmt)
    if fmt == "md":
        return text + markdown_section(reviewed)
    if fmt == "html":
        section = html_section(reviewed)
        at = text.rfind("</body>")
        return text[:at] + section + "\n" + text[at:] if at >= 0 else text + section
    if fmt == "pack":  # the decisions before the annexes: a committee reads them with the findings
        section = html_section(reviewed)
        at = next(
            (i for i in (text.find('<section id="delivery"'), text.find('<section id="appendix"')) if i >= 0),
            -1,
        )
        return text[:at] + section + "\n" + text[at:] if at >= 0 else text + section
    return text


def render_report(
    rep: Any,
    register_path: str,
    as_of: dt.date,
    fmt: str,
    *,
    filtered: bool = False,
    decisions: tuple[Decision, ...] | None = None,
) -> tuple[Any, str]:
    """The report command's hook: apply the decisions file beside the register, if any.

    Returns the report of open findings (for ``--fail-on``) and its text in
    ``fmt``.  With no decisions file, the report and its usual text.  A
    ``filtered`` report (``--kind``, ``--min-severity``) lists no decision as
    resolved since decided: its finding may only have been left out.  ``decisions``
    given (a register read from Neo4j, which keeps its own) are used instead of a file.
    """
    open_rep, reviewed = _reviewed(rep, register_path, as_of, filtered, decisions)
    if reviewed is None:
        return rep, rep.render(fmt)
    return open_rep, render_with_decisions(open_rep, reviewed, fmt)


def write_report(
    rep: Any,
    register_path: str,
    as_of: dt.date,
    fmt: str,
    output: str,
    *,
    filtered: bool = False,
    decisions: tuple[Decision, ...] | None = None,
) -> Any:
    """:func:`render_report` written to the file ``output``, atomically; returns the open report.

    JSON is streamed (:meth:`govmap.graph.report.Report.write_json`, the decisions as its last
    key), so the command never holds the whole text: at national scale it is over 100 MiB.
    The other formats are rendered, then written.
    """
    from govmap.ingest.store.files import write_atomically

    open_rep, reviewed = _reviewed(rep, register_path, as_of, filtered, decisions)
    if fmt == "json":
        open_rep.write_json(output, extra={"decisions": reviewed.to_json()} if reviewed is not None else None)
    else:
        write_atomically(
            output,
            open_rep.render(fmt) if reviewed is None else render_with_decisions(open_rep, reviewed, fmt),
        )
    return open_rep


def _reviewed(
    rep: Any, register_path: str, as_of: dt.date, filtered: bool, decisions: tuple[Decision, ...] | None
) -> tuple[Any, Reviewed | None]:
    """The report of open findings and the split, or ``(rep, None)`` with no decisions."""
    from govmap.ingest.store.decisions import decisions_path, load_decisions

    if decisions is None:
        decisions = load_decisions(decisions_path(register_path))
    if not decisions:
        return rep, None
    open_rep, reviewed = review_report(rep, decisions, as_of)
    if filtered:
        reviewed = dataclasses.replace(reviewed, resolved_since_decided=())
    return open_rep, reviewed
