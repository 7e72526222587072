"""Findings and decisions survive change (issue 23 item 5): a fold that gains a member keeps its id and
shows as changed; a renamed body keeps its findings and the decisions on them; an action past its due
date is reported overdue."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

from govmap.graph.analysis.findings import Kind
from govmap.graph.report import ReportOptions, report
from govmap.graph.review.decisions import apply_decisions, decide
from govmap.graph.review.decisions_render import render_report
from govmap.graph.review.diff import diff_registers
from govmap.graph.review.sources import side_of_text
from govmap.ingest.reading.load import loads
from govmap.ingest.store.decisions import decisions_path, decisions_text

DAY = dt.date(2026, 3, 1)


def side(text: str, label: str):
    return side_of_text(textwrap.dedent(text), label, f"{label}.yaml")


def findings(text: str):
    return report(loads(textwrap.dedent(text)), options=ReportOptions(as_of=DAY)).findings


def of_kind(fs, kind: Kind):
    return [f for f in fs if f.kind is kind]


# -- a fold that gains a member ---------------------------------------------------------

UNCONFIRMED = """\
govmap: 1
documents: [{id: d, name: D}]
bodies:
  - {id: top, name: Top Board, kind: board, top_level: true, sources: [{doc: d}]}
  - {id: a, name: A Group, kind: group, reports_to: top, status: unconfirmed, sources: [{doc: d}]}
  - {id: b, name: B Group, kind: group, reports_to: top, status: unconfirmed, sources: [{doc: d}]}
"""
ONE_MORE = UNCONFIRMED + (
    "  - {id: c, name: C Group, kind: group, reports_to: top, status: unconfirmed, sources: [{doc: d}]}\n"
)


def test_a_folded_finding_keeps_its_id_when_a_member_joins():
    [before] = [f for f in of_kind(findings(UNCONFIRMED), Kind.UNCONFIRMED) if f.evidence.get("items")]
    [after] = [f for f in of_kind(findings(ONE_MORE), Kind.UNCONFIRMED) if f.evidence.get("items")]
    assert (before.title, after.title) == (
        "2 bodies have unconfirmed facts (4 facts in all).",
        "3 bodies have unconfirmed facts (6 facts in all).",
    )
    assert after.id == before.id


def test_a_fold_that_gains_a_member_shows_in_the_diff_as_changed_not_resolved_and_new():
    d = diff_registers(side(UNCONFIRMED, "old"), side(ONE_MORE, "new"), DAY)
    fold = "3 bodies have unconfirmed facts (6 facts in all)."
    assert [f.title for f in d.findings.changed] == [fold]
    assert fold not in [f.title for f in d.findings.new]
    assert "2 bodies have unconfirmed facts (4 facts in all)." not in [f.title for f in d.findings.resolved]
    [changed] = d.to_json()["findings"]["changed"]
    assert changed["was"] == {"severity": "low", "title": "2 bodies have unconfirmed facts (4 facts in all)."}
    from govmap.graph.review.render import diff_markdown

    assert (
        f"- **low** {fold} `{changed['id']}` (was: 2 bodies have unconfirmed facts (4 facts in all).)"
        in diff_markdown(d)
    )


def test_an_overlap_fold_keeps_its_id_when_a_body_joins_it():
    three = """\
    themes: [{id: asb, name: ASB, kind: priority}]
    bodies:
      - {id: csp, name: CSP, kind: csp, top_level: true}
      - {id: g1, name: G1, kind: group, reports_to: csp, themes: [asb]}
      - {id: g2, name: G2, kind: group, reports_to: csp, themes: [asb]}
      - {id: g3, name: G3, kind: group, reports_to: csp, themes: [asb]}
    """
    four = three + "  - {id: g4, name: G4, kind: group, reports_to: csp, themes: [asb]}\n"
    [a] = [f for f in of_kind(findings(three), Kind.OVERLAP) if "fold" in f.evidence]
    [b] = [f for f in of_kind(findings(four), Kind.OVERLAP) if "fold" in f.evidence]
    assert (a.evidence["count"], b.evidence["count"], a.id) == (3, 6, b.id)


# -- a renamed body ----------------------------------------------------------------------

RENAMED_FROM = """\
govmap: 1
organisations: [{id: police, name: Police, type: police-force}]
bodies:
  - {id: top, name: Top Board, kind: board, top_level: true, members: [police]}
  - {id: safer-stockport, name: Safer Stockport Partnership, kind: group, members: [police]}
"""
# The same body under its new name and id; the rename is recorded, its name is unlike the old one.
RENAMED_TO = """\
govmap: 1
organisations: [{id: police, name: Police, type: police-force}]
bodies:
  - {id: top, name: Top Board, kind: board, top_level: true, members: [police]}
  - id: one-stockport
    name: One Stockport Safety Partnership
    kind: group
    members: [police]
    former_names: [{name: Safer Stockport Partnership, id: safer-stockport, end: 2025}]
"""


def test_a_renamed_body_keeps_its_findings_in_the_diff():
    d = diff_registers(side(RENAMED_FROM, "old"), side(RENAMED_TO, "new"), DAY)
    assert [(r.old, r.new) for r in d.records.renamed] == [("safer-stockport", "one-stockport")]
    orphan = [f for f in d.findings.changed if f.kind is Kind.ORPHAN]
    assert [f.title for f in orphan] == [
        "One Stockport Safety Partnership has no reporting line recorded. It rests on unconfirmed facts: "
        "One Stockport Safety Partnership is unconfirmed."
    ]
    assert not [f for f in (*d.findings.new, *d.findings.resolved) if f.kind is Kind.ORPHAN]


def test_a_rename_the_diff_detects_by_name_alone_keeps_the_findings_too():
    new = RENAMED_FROM.replace(
        "id: safer-stockport, name: Safer Stockport Partnership",
        "id: safer-stockport-p, name: Safer Stockport Partnerships",
    )
    d = diff_registers(side(RENAMED_FROM, "old"), side(new, "new"), DAY)
    assert [(r.old, r.new) for r in d.records.renamed] == [("safer-stockport", "safer-stockport-p")]
    assert not [f for f in (*d.findings.new, *d.findings.resolved) if f.kind is Kind.ORPHAN]


def test_a_decision_follows_its_finding_to_the_renamed_id():
    [orphan] = of_kind(findings(RENAMED_FROM), Kind.ORPHAN)
    decision = decide(orphan, "accepted", "A standing group of the council.", "alice", DAY)
    reg = loads(RENAMED_TO)
    now = report(reg, options=ReportOptions(as_of=DAY)).findings
    [renamed] = of_kind(now, Kind.ORPHAN)
    assert renamed.id != orphan.id  # a new id: the id is made from the subject's id
    reviewed = apply_decisions(now, [decision], DAY, renames=reg.renames())
    assert [(f.id, d.finding) for f, d in reviewed.decided] == [(renamed.id, orphan.id)]
    assert reviewed.resolved_since_decided == () and renamed not in reviewed.open


def test_without_the_recorded_rename_the_decision_is_resolved_since_decided():
    [orphan] = of_kind(findings(RENAMED_FROM), Kind.ORPHAN)
    decision = decide(orphan, "accepted", "A standing group of the council.", "alice", DAY)
    reg = loads(
        RENAMED_TO.replace(
            "    former_names: [{name: Safer Stockport Partnership, id: safer-stockport, end: 2025}]\n", ""
        )
    )
    reviewed = apply_decisions(
        report(reg, options=ReportOptions(as_of=DAY)).findings, [decision], DAY, renames=reg.renames()
    )
    assert [d.finding for d in reviewed.resolved_since_decided] == [orphan.id]


# -- an action past its due date -----------------------------------------------------------


def test_an_action_past_its_due_date_is_reported_overdue_in_every_format(tmp_path: Path):
    path = tmp_path / "boards.yaml"
    path.write_text(RENAMED_FROM, encoding="utf-8")
    reg = loads(RENAMED_FROM)
    rep = report(reg, options=ReportOptions(as_of=DAY))
    [orphan] = of_kind(rep.findings, Kind.ORPHAN)
    late = decide(
        orphan,
        "action",
        "Agree a reporting line.",
        "bob",
        dt.date(2025, 11, 1),
        owner="Head of Community Safety",
        due=dt.date(2026, 1, 31),
    )
    decisions_path(path).write_text(decisions_text((late,)), encoding="utf-8")
    reviewed = apply_decisions(rep.findings, [late], DAY)
    assert [(f.id, d.due) for f, d in reviewed.overdue] == [(orphan.id, dt.date(2026, 1, 31))]
    _, md = render_report(rep, str(path), DAY, "md")
    assert "### Overdue actions (1)" in md
    assert (
        "- **low** Safer Stockport Partnership has no reporting line recorded. It rests on unconfirmed facts: "
        f"Safer Stockport Partnership is unconfirmed. `{orphan.id}`: due 2026-01-31 (29 days ago), owner Head of Community Safety"
        in md
    )
    _, html = render_report(rep, str(path), DAY, "html")
    assert "<h3>Overdue actions (1)</h3>" in html
    _, text = render_report(rep, str(path), DAY, "json")
    assert json.loads(text)["decisions"]["overdue"] == [
        {"finding": orphan.id, "due": "2026-01-31", "owner": "Head of Community Safety", "days": 29}
    ]


def test_an_action_due_today_or_later_is_not_overdue():
    [orphan] = of_kind(findings(RENAMED_FROM), Kind.ORPHAN)
    on_time = decide(orphan, "action", "Agree a line.", "bob", DAY, owner="Clerk", due=DAY)
    assert apply_decisions(findings(RENAMED_FROM), [on_time], DAY).overdue == ()


def test_the_report_page_says_an_action_is_overdue(tmp_path: Path):
    from tests.websupport import make_app

    path = tmp_path / "boards.yaml"
    path.write_text(RENAMED_FROM, encoding="utf-8")
    [orphan] = of_kind(findings(RENAMED_FROM), Kind.ORPHAN)
    late = decide(
        orphan,
        "action",
        "Agree a reporting line.",
        "bob",
        dt.date(2019, 11, 1),
        owner="Clerk",
        due=dt.date(2020, 1, 31),
    )
    decisions_path(path).write_text(decisions_text((late,)), encoding="utf-8")
    page = make_app(path).test_client().get("/report").get_data(as_text=True)
    assert '<p class="decision-overdue">Overdue: due 2020-01-31, owner Clerk.</p>' in page


def test_govmap_report_applies_a_decision_made_before_the_rename(tmp_path: Path):
    [orphan] = of_kind(findings(RENAMED_FROM), Kind.ORPHAN)
    path = tmp_path / "boards.yaml"
    path.write_text(RENAMED_TO, encoding="utf-8")
    decision = decide(orphan, "accepted", "A standing group of the council.", "alice", DAY)
    decisions_path(path).write_text(decisions_text((decision,)), encoding="utf-8")
    rep = report(loads(RENAMED_TO), options=ReportOptions(as_of=DAY))
    open_rep, md = render_report(rep, str(path), DAY, "md")
    assert "### Decided (1)" in md and "Resolved since decided" not in md
    assert not of_kind(open_rep.findings, Kind.ORPHAN)
