"""Overlap findings a reviewer can read: the same job in the same place, each problem said once.

Small registers of the three English shapes (two-tier county, unitary, mayoral combined
authority) whose answers are known by construction.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import textwrap
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from govmap.cli import cli
from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.analysis.landscape import sampled_betweenness
from govmap.graph.analysis.overlap import NOT_RECORDED, SAME_AREA, overlaps
from govmap.graph.analysis.overlap_fold import closest_first, overlap_findings
from govmap.graph.report import Report, ReportOptions, report
from govmap.graph.review.decisions import decide
from govmap.ingest.model import Register
from govmap.ingest.reading.load import loads
from govmap.ingest.store.decisions import decisions_path, decisions_text


def reg(text: str) -> Register:
    return loads(textwrap.dedent(text))


TWO_TIER = """\
documents: [{id: tor, name: Terms of reference}]
themes:
  - {id: da, name: Domestic abuse, kind: priority}
  - {id: asb, name: Anti-social behaviour, kind: priority}
  - {id: drugs, name: Drugs, kind: priority}
areas:
  - {id: shire, name: Shire, kind: county}
  - {id: north, name: North, kind: district, within: shire}
  - {id: south, name: South, kind: district, within: shire}
organisations:
  - {id: police, name: Police, type: police-force}
"""


def overlap_of(r: Register) -> list:
    return [f for f in overlap_findings(r) if f.kind is Kind.OVERLAP]


def test_two_district_csps_doing_the_same_job_in_different_districts_are_no_duplication():
    r = reg(
        TWO_TIER
        + """
bodies:
  - {id: north-csp, name: North CSP, kind: csp, areas: [north], members: [police],
     themes: [{theme: asb, role: lead}, da]}
  - {id: south-csp, name: South CSP, kind: csp, areas: [south], members: [police],
     themes: [{theme: asb, role: lead}, da]}
"""
    )
    assert overlaps(r) == []
    assert overlap_of(r) == []


def test_a_county_board_and_a_district_board_leading_one_theme_are_two_levels_not_duplicates():
    r = reg(
        TWO_TIER
        + """
bodies:
  - {id: county-da, name: County DA Board, kind: board, areas: [shire], themes: [{theme: da, role: lead}]}
  - {id: north-da, name: North DA Forum, kind: board, areas: [north], themes: [{theme: da, role: lead}]}
"""
    )
    assert overlaps(r) == [] and overlap_of(r) == []
    same = reg(
        TWO_TIER
        + """
bodies:
  - {id: north-board, name: North DA Board, kind: board, areas: [north], themes: [{theme: da, role: lead}],
     sources: [{doc: tor}]}
  - {id: north-da, name: North DA Forum, kind: board, areas: [north], themes: [{theme: da, role: lead}],
     sources: [{doc: tor}]}
"""
    )
    [f] = overlap_of(same)
    assert f.title == "North DA Board and North DA Forum overlap on Domestic abuse."
    assert f.score == 0.7  # the same single theme (0.6) in one place (0.1)
    assert f.severity is Severity.MEDIUM  # both lead it: unclear ownership
    assert f.evidence["place"] == SAME_AREA
    assert f.evidence["place_not_recorded"] == []
    assert "Not confirmed" not in f.suggestion


def test_a_unitary_csp_and_a_da_board_both_leading_domestic_abuse_share_the_same_area():
    r = reg("""
documents: [{id: tor, name: Terms of reference}]
themes: [{id: da, name: Domestic abuse, kind: priority}, {id: asb, name: ASB, kind: priority}]
areas: [{id: borough, name: Borough, kind: unitary}]
bodies:
  - {id: csp, name: Borough CSP, kind: csp, areas: [borough], sources: [{doc: tor}],
     themes: [{theme: da, role: lead}, {theme: asb, role: lead}]}
  - {id: da-board, name: DA Board, kind: board, areas: [borough], themes: [{theme: da, role: lead}],
     sources: [{doc: tor}]}
""")
    [f] = overlap_of(r)
    assert f.evidence["place"] == SAME_AREA
    assert f.severity is Severity.MEDIUM  # both lead a shared theme
    assert {s.id for s in f.subjects} == {"csp", "da-board"}


MAYORAL = """\
themes:
  - {id: violence, name: Serious violence, kind: priority}
  - {id: prevention, name: Prevention, kind: cross-cutting-theme}
  - {id: asb, name: ASB, kind: priority}
  - {id: da, name: Domestic abuse, kind: priority}
  - {id: drugs, name: Drugs, kind: priority}
areas:
  - {id: ca, name: Metro, kind: combined-authority}
  - {id: b1, name: Borough 1, kind: metropolitan-district, within: ca}
  - {id: b2, name: Borough 2, kind: metropolitan-district, within: ca}
  - {id: b3, name: Borough 3, kind: metropolitan-district, within: ca}
organisations:
  - {id: police, name: Police, type: police-force}
  - {id: probation, name: Probation, type: probation}
  - {id: fire, name: Fire, type: fire-and-rescue}
  - {id: c1, name: Council 1, type: metropolitan-borough-council}
  - {id: c2, name: Council 2, type: metropolitan-borough-council}
  - {id: c3, name: Council 3, type: metropolitan-borough-council}
bodies:
  - {id: vru, name: Violence Reduction Unit, kind: partnership, areas: [ca], members: [police, probation, fire],
     themes: [{theme: violence, role: lead}, prevention]}
"""


def _borough_csp(i: int) -> str:
    return (
        f"  - {{id: csp{i}, name: Borough {i} CSP, kind: csp, areas: [b{i}], members: [police, probation, c{i}],\n"
        f"     themes: [violence, {{theme: asb, role: lead}}, da, drugs]}}\n"
    )


def test_a_mayoral_vru_sharing_a_theme_with_each_borough_csp_is_two_levels_not_an_overlap():
    r = reg(MAYORAL + "".join(_borough_csp(i) for i in (1, 2, 3)))
    assert overlaps(r) == [] and overlap_of(r) == []


#: A borough's violence unit and three groups of the same borough, each sharing one theme with it
#: and a member, and nothing with each other: weaker overlaps around one hub.
HUB = MAYORAL.replace(
    "areas: [ca], members: [police, probation, fire]", "areas: [b1], members: [police, probation, fire]"
)


def _hub_groups(n: int) -> str:
    other = ["da", "drugs", "asb"]
    member = ["police", "probation", "fire"]
    return "".join(
        f"  - {{id: g{i}, name: Group {i}, kind: group, areas: [b1], members: [{member[i - 1]}], "
        f"themes: [violence, {other[i - 1]}]}}\n"
        for i in range(1, n + 1)
    )


def test_weaker_overlaps_around_one_body_in_one_place_are_one_folded_finding():
    r = reg(HUB + _hub_groups(3))
    assert len(overlaps(r)) == 3  # the unit with each group; the groups never with each other
    [f] = overlap_of(r)
    assert f.title == (
        "Violence Reduction Unit shares part of its remit (Serious violence) with 3 bodies in the same "
        "place: Group 1, Group 2, Group 3 (weaker overlaps)."
    )
    assert f.severity is Severity.LOW
    assert f.evidence["fold"] == "weaker overlaps" and f.evidence["count"] == 3
    assert [row["id"] for row in f.evidence["items"]] == ["g1", "g2", "g3"]
    assert {row["place"] for row in f.evidence["items"]} == {SAME_AREA}
    assert f.suggestion.startswith("None of these is a close duplicate")


def test_two_weaker_overlaps_stay_findings_of_their_own():
    r = reg(HUB + _hub_groups(2))
    fs = overlap_of(r)
    assert len(fs) == 2 and all(f.title.startswith("Violence Reduction Unit and Group") for f in fs)


def _groups(n: int) -> str:
    return "".join(
        f"  - {{id: g{i}, name: Group {i}, kind: group, reports_to: csp, members: [police], themes: [asb]}}\n"
        for i in range(n)
    )


CSP_WITH_GROUPS = (
    TWO_TIER
    + """
bodies:
  - {id: csp, name: North CSP, kind: csp, areas: [north], members: [police], themes: [{theme: asb, role: lead}]}
"""
)


def test_groups_under_one_csp_with_no_place_of_their_own_are_one_unconfirmed_finding():
    r = reg(CSP_WITH_GROUPS + _groups(4))
    assert len(overlaps(r)) == 6  # every pair of the four groups
    [f] = overlap_of(r)
    assert f.title == (
        "4 bodies under North CSP overlap on Anti-social behaviour, and 4 of them record no area of their "
        "own: whether they duplicate each other cannot be confirmed (6 pairs)."
    )
    assert f.severity is Severity.LOW
    assert f.evidence["fold"] == "place not recorded" and f.evidence["place"] == NOT_RECORDED
    assert f.evidence["place_not_recorded"] == ["g0", "g1", "g2", "g3"]
    assert [s.id for s in f.subjects] == ["csp", "g0", "g1", "g2", "g3"]
    row = f.evidence["items"][0]
    assert (row["id"], row["place_from"], row["overlaps"], len(row["closest"])) == ("g0", "csp", 3, 3)
    assert f.suggestion.startswith("Record the area each of these bodies covers")


def test_overlap_findings_grow_with_problems_not_with_records():
    few, many = reg(CSP_WITH_GROUPS + _groups(4)), reg(CSP_WITH_GROUPS + _groups(40))
    assert len(overlaps(few)) == 6 and len(overlaps(many)) == 780
    assert len(overlap_of(few)) == len(overlap_of(many)) == 1
    [f] = overlap_of(many)
    assert f.evidence["count"] == 780 and len(f.evidence["items"]) == 40


def test_a_pair_with_one_place_not_recorded_is_reported_but_not_as_confirmed_duplication():
    r = reg(
        TWO_TIER
        + """
bodies:
  - {id: a, name: North DA Forum, kind: board, areas: [north], themes: [{theme: da, role: lead}]}
  - {id: b, name: DA Steering Group, kind: group, themes: [{theme: da, role: lead}]}
"""
    )
    [f] = overlap_of(r)
    assert f.evidence["place"] == NOT_RECORDED and f.evidence["place_not_recorded"] == ["b"]
    assert f.suggestion.endswith(
        "Not confirmed as duplication: DA Steering Group records no area of its own; record where each works."
    )


def test_the_report_builds_consolidation_groups_only_from_pairs_that_are_not_folded():
    opts = ReportOptions(as_of=dt.date(2026, 1, 1))
    r = reg(CSP_WITH_GROUPS + _groups(5))
    folded = report(r, kinds=["overlap"], options=opts)
    assert [f.kind for f in folded.findings] == [Kind.OVERLAP]
    every_pair = report(
        r, kinds=["overlap"], options=ReportOptions(as_of=dt.date(2026, 1, 1), aggregate=False)
    )
    assert sorted(f.kind.value for f in every_pair.findings) == ["consolidation-candidate"] + ["overlap"] * 10
    # a unit and three groups of its borough: weaker overlaps around one hub, no case for merging
    star = report(reg(HUB + _hub_groups(3)), kinds=["overlap"], options=opts)
    assert [f.kind for f in star.findings] == [Kind.OVERLAP]


def test_sampled_betweenness_matches_networkx_estimate_from_the_same_sources():
    g = nx.relabel_nodes(nx.connected_watts_strogatz_graph(300, 4, 0.2, seed=3), str)
    ours = sampled_betweenness(g, 40, seed=0)
    theirs = nx.betweenness_centrality(g, k=40, seed=0, normalized=True)
    assert max(abs(ours[v] - theirs[v]) for v in g) < 2e-3
    top = sorted(g, key=lambda v: -theirs[v])[:5]
    assert sorted(g, key=lambda v: -ours[v])[:3] == top[:3]


def test_the_garbage_collector_runs_again_after_a_report_even_one_that_fails():
    assert gc.isenabled()
    report(reg(CSP_WITH_GROUPS + _groups(3)), options=ReportOptions(as_of=dt.date(2026, 1, 1)))
    assert gc.isenabled()
    with pytest.raises(ValueError):
        report(reg(CSP_WITH_GROUPS), kinds=["no-such-kind"])
    assert gc.isenabled()


def test_report_o_json_streams_with_the_decisions_as_the_last_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "boards.yaml"
    path.write_text("govmap: 1\n" + textwrap.dedent(CSP_WITH_GROUPS + _groups(3)), encoding="utf-8")
    args = ["report", str(path), "--format", "json", "--as-of", "2026-01-01"]
    printed = CliRunner().invoke(cli, args).output
    fid = json.loads(printed)["findings"][0]["id"]
    rep = report(loads(path.read_text(encoding="utf-8")), options=ReportOptions(as_of=dt.date(2026, 1, 1)))
    finding = next(f for f in rep.findings if f.id == fid)
    d = decide(finding, "accepted", "Known", "alice", dt.date(2026, 1, 1))
    decisions_path(path).write_text(decisions_text([d]), encoding="utf-8")
    printed = CliRunner().invoke(cli, args).output
    assert json.loads(printed)["decisions"]["decided"][0]["id"] == fid

    def refused(self: Report, extra: object = None) -> str:
        raise AssertionError("-o must stream the JSON, not build it as one text")

    monkeypatch.setattr(Report, "to_json", refused)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == printed
    assert list(json.loads(printed))[-1] == "decisions"


def test_folded_overlaps_read_as_one_line_a_body_in_markdown_and_html():
    rep = report(
        reg(CSP_WITH_GROUPS + _groups(3)), kinds=["overlap"], options=ReportOptions(as_of=dt.date(2026, 1, 1))
    )
    text = rep.to_markdown()
    assert (
        "  - Group 0: no area of its own (compared in North CSP's); overlaps 2 bodies, closest Group 1"
        in text
    )
    assert "Group 0: no area of its own (compared in North CSP&#39;s); overlaps 2 bodies" in rep.to_html()
    w = report(reg(HUB + _hub_groups(3)), kinds=["overlap"])
    assert "  - Group 1: Serious violence (score 0.4555, same area). (Group 1)" in w.to_markdown()


def test_on_a_synthetic_force_area_overlap_findings_follow_the_problems_not_the_pairs():
    from govmap.graph.analysis.findings import Lookup
    from govmap.graph.analysis.overlap import pair_scores
    from govmap.ingest.model import Register
    from govmap.support.synth import synth_data

    counts = []
    for groups in (60, 300):  # neighbourhood action groups per force area, none with an area of its own
        r = Register.model_validate(synth_data(1, neighbourhood_groups=groups, community_orgs=200))
        lk = Lookup(r)
        ps = pair_scores(r, lookup=lk)
        fs = overlap_findings(r, lookup=lk, pairs=ps)
        folded = [f for f in fs if f.evidence.get("fold") == "place not recorded"]
        assert sum(f.evidence["count"] for f in folded) > 0.8 * len(ps.rows)  # most pairs, folded
        counts.append((len(ps.rows), len(fs)))
    (few_pairs, few), (many_pairs, many) = counts
    assert many_pairs > 10 * few_pairs, counts
    assert many == few, counts  # five times the groups: the same problems, said once each


@given(
    st.sets(
        st.tuples(st.integers(0, 12), st.integers(0, 12)).filter(lambda p: p[0] != p[1]), max_size=40
    ).flatmap(
        lambda pairs: st.tuples(
            st.just(sorted(pairs)),
            st.lists(st.sampled_from([0.25, 0.3, 0.5, 0.75, 1.0]), min_size=len(pairs), max_size=len(pairs)),
        )
    ),
    st.sampled_from([13, 2**31]),
)
def test_a_folds_partners_are_ordered_closest_first_as_by_three_sorts_in_turn(pairs_scores, n):
    pairs, scores = pairs_scores
    one = np.array([p[0] for p in pairs], dtype=np.int32)
    other = np.array([p[1] for p in pairs], dtype=np.int32)
    score = np.array(scores, dtype=float)
    levels, rank = np.unique(score, return_inverse=True)
    # n = 2**31: the whole numbers would not fit in 62 bits, so the three sorts are made in turn
    got = closest_first(one, other, rank.ravel(), len(levels), n)
    assert got.tolist() == np.lexsort((other, -score, one)).tolist()
