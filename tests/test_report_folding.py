"""The report at national size: the shared lookups and directly folded findings say exactly what the
slower paths said, and a partnership's small groups that each hold the only link for a few
members are one finding."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

from govmap.graph.analysis.findings import Finding, Kind
from govmap.graph.analysis.lookup import Lookup
from govmap.graph.analysis.staleness import unconfirmed_facts
from govmap.graph.report import ReportOptions, report
from govmap.graph.report.aggregate import aggregate
from govmap.ingest.model import Status
from govmap.ingest.reading.load import loads

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_small import synth_register  # noqa: E402

AS_OF = dt.date(2025, 1, 1)

#: Every way a relation gets its status: a bare id under a sourced, an unsourced and a
#: disputed record; an item with its own status or its own disputing sources; a single-id
#: field (a post's organisation); reverse relations (hosted_by, a strategy's owner).
STATUSES = textwrap.dedent("""\
    documents: [{id: d1, name: D1}, {id: d2, name: D2}]
    organisations:
      - {id: police, name: Police, type: police-force, sources: [{doc: d1}]}
      - {id: council, name: Council, type: district-council}
    posts:
      - {id: chief, name: Chief, organisation: police}
    themes:
      - {id: da, name: Domestic abuse, kind: priority, sources: [{doc: d1}]}
    bodies:
      - id: top
        name: Top
        kind: board
        sources: [{doc: d1, section: p1}]
        members: [police, {member: council, status: unconfirmed}, {member: chief, sources: [{doc: d2}]}]
        themes: [{theme: da, role: lead}]
      - id: split
        name: Split
        kind: board
        sources: [{doc: d1, value: set up 2019}, {doc: d2, value: set up 2020}]
        reports_to: [top]
        members: [police, {member: council, sources: [{doc: d1, value: a}, {doc: d2, value: b}]}]
      - id: bare
        name: Bare
        kind: group
        reports_to: [top]
        hosted_by: [council]
    strategies:
      - {id: plan, name: Plan, kind: plan, owner: top, themes: [da]}
""")


def _by_relations(reg):
    """What the lookups said when they were made from every :class:`Relation`."""
    sources, unconfirmed, disputed = defaultdict(list), defaultdict(list), defaultdict(list)
    for rel in reg.relations():
        target = rel.target if rel.origin == rel.source else rel.source
        sources[(rel.origin, rel.field, target)].extend(rel.sources)
        if rel.status is Status.UNCONFIRMED:
            unconfirmed[rel.origin].append((rel.field, target))
        elif rel.status is Status.DISPUTED:
            disputed[rel.origin].append(rel)
    return sources, dict(unconfirmed), dict(disputed)


def test_the_lookup_gives_each_relation_the_status_and_sources_its_relation_has():
    for reg in (loads(STATUSES), synth_register(300, seed=3)):
        sources, unconfirmed, disputed = _by_relations(reg)
        lk = Lookup(reg)
        assert dict(lk.unconfirmed_rels) == unconfirmed
        assert dict(lk.disputed_rels) == disputed
        for (origin, fld, target), srcs in sources.items():
            assert lk.rel_sources(origin, fld, target) == srcs, (origin, fld, target)
    lk = Lookup(loads(STATUSES))
    assert lk.unconfirmed_rels["top"] == [("members", "council")]
    # the record's own dispute is not its bare relations'; a membership with disputing sources is
    assert [(r.field, r.source, r.target) for r in lk.disputed_rels["split"]] == [
        ("members", "council", "split")
    ]
    assert lk.rel_sources("nobody", "members", "police") == []


def test_unconfirmed_facts_folded_directly_are_the_findings_the_report_folds():
    for reg in (loads(STATUSES), synth_register(400, seed=5)):
        lk = Lookup(reg)
        one_each = sorted(unconfirmed_facts(reg, lk), key=Finding.sort_key)
        assert len(one_each) > 2
        folded = sorted(unconfirmed_facts(reg, lk, fold=True), key=Finding.sort_key)
        assert folded == sorted(aggregate(one_each), key=Finding.sort_key)
        assert len(folded) < len(one_each)


PARTNERSHIP = textwrap.dedent("""\
    organisations:
      - {id: police, name: Police, type: police-force}
    bodies:
      - {id: csp, name: Northmoor CSP, kind: partnership, top_level: true, members: [police]}
      - {id: east, name: East group, kind: group, reports_to: [csp], members: [e1, e2]}
      - {id: west, name: West group, kind: group, reports_to: [csp], members: [w1, w2, w3]}
      - {id: other, name: Other board, kind: board, members: [police, o1, o2]}
""")


def _orgs(*ids: str) -> str:
    return "".join(f"  - {{id: {i}, name: Org {i}, type: voluntary-sector}}\n" for i in ids)


def _partnership(networks: bool = True):
    text = PARTNERSHIP.replace(
        "organisations:\n", "organisations:\n" + _orgs("e1", "e2", "w1", "w2", "w3", "o1", "o2")
    )
    if networks:  # each group's members also run a forum, and a panel works with the forum
        text += "".join(
            f"  - {{id: {g}-forum, name: {g.title()} forum, kind: network, members: [{m}]}}\n"
            f"  - {{id: {g}-panel, name: {g.title()} panel, kind: group, links_with: {g}-forum}}\n"
            for g, m in (("east", "e1"), ("west", "w1"))
        )
    return loads(text)


def test_organisations_recorded_on_one_body_only_are_no_single_point_of_failure():
    rep = report(_partnership(False), kinds=["single-point-of-failure"], options=ReportOptions(as_of=AS_OF))
    assert rep.findings == ()  # what each group, the board or the police would cut off is its own members


def test_small_groups_of_one_partnership_each_the_only_link_for_a_few_bodies_are_one_finding():
    rep = report(_partnership(), kinds=["single-point-of-failure"], options=ReportOptions(as_of=AS_OF))
    assert [f.title for f in rep.findings] == [
        # a body reporting to nobody stands alone
        "Without Northmoor CSP, 3 bodies (East forum, East panel, Other board) would have no link to the "
        "rest of the landscape (9 records in all).",
        "2 bodies answering to Northmoor CSP are each the only link to the rest of the landscape for other "
        "bodies (2 each, 4 in all).",
    ]
    folded = next(f for f in rep.findings if f.evidence.get("count"))
    assert [s.id for s in folded.subjects] == ["west", "east"]
    assert [i["evidence"]["parents"] for i in folded.evidence["items"]] == [
        [{"id": "csp", "name": "Northmoor CSP"}]
    ] * 2
    assert folded.kind is Kind.SINGLE_POINT and folded.severity.value == "low"
    unfolded = report(
        _partnership(), kinds=["single-point-of-failure"], options=ReportOptions(as_of=AS_OF, aggregate=False)
    )
    assert {f.subjects[0].id for f in unfolded.findings} == {"east", "west", "csp"}
    assert len(unfolded.findings) == len(rep.findings) + 1


def test_findings_citing_one_document_with_and_without_a_section_fold_with_each_source_once():
    from govmap.graph.analysis.findings import Severity, SourceRef, Subject, make_finding

    parts = [
        make_finding(
            Kind.UNCONFIRMED,
            Severity.INFO,
            f"{n} has 1 unconfirmed fact.",
            [Subject(n, n.upper(), "organisation")],
            sources=[SourceRef("page", section)],
            score=1,
        )
        for n, section in (("a", None), ("b", "Members"), ("c", None))
    ]
    (one,) = aggregate(parts)
    assert one.sources == (SourceRef("page", None), SourceRef("page", "Members"))
