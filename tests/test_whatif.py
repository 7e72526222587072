"""What if: merges, retirements and moves built in memory, and their effect on findings and coverage."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from govmap.graph.analysis.findings import Kind
from govmap.graph.review.whatif import Merge, Move, Retire, ScenarioRefused, meetings_per_year, what_if
from govmap.ingest.reading.load import load_register, loads
from tests.clisupport import run_in as run
from tests.websupport import copy_register, login, make_app

DAY = dt.date(2026, 1, 1)

# Two boards with the same members and the same theme in the same area overlap by construction;
# the youth board leads 'youth' alone and the forum reports to it.
REGISTER = """\
govmap: 1
register: {id: t, name: Test, top: [county]}
areas:
  - {id: shire, name: Shire, kind: county}
organisations:
  - {id: police, name: Police, type: police-force}
  - {id: council, name: Council, type: county-council}
  - {id: health, name: Health, type: nhs}
themes:
  - {id: violence, name: Violence, kind: priority}
  - {id: youth, name: Youth crime, kind: priority}
bodies:
  - {id: county, name: County Board, kind: board, top_level: true, areas: shire}
  - id: violence-board
    name: Violence Reduction Board
    kind: board
    areas: shire
    reports_to: county
    meets: monthly
    members: [police, council, health]
    themes: [{theme: violence, role: lead}]
  - id: violence-group
    name: Serious Violence Group
    kind: group
    areas: shire
    reports_to: county
    meets: quarterly
    members: [police, council, {member: health, role: chair}]
    themes: [violence]
  - id: youth-board
    name: Youth Board
    kind: board
    areas: shire
    reports_to: county
    members: [council]
    themes: [{theme: youth, role: lead}]
  - {id: youth-forum, name: Youth Forum, kind: network, reports_to: youth-board, members: [council]}
"""


@pytest.fixture
def reg():
    return loads(REGISTER)


def test_merging_two_overlapping_bodies_resolves_their_overlap_and_keeps_every_member_once(reg):
    before = what_if(reg, [Retire("youth-forum")], DAY)  # a scenario that leaves the overlap
    overlap = [f for f in before.findings.open if f.kind is Kind.OVERLAP]
    assert len(overlap) == 1, "the two violence bodies overlap in the register as it is"
    w = what_if(
        reg,
        [Merge(("violence-board", "violence-group"), "violence-partnership", "Violence Partnership")],
        DAY,
    )
    assert [f.id for f in w.overlaps_resolved] == [overlap[0].id]
    merged = w.register.get("violence-partnership")
    assert [(m.member, m.role.value) for m in merged.members] == [
        ("police", "member"),
        ("council", "member"),
        ("health", "member"),
    ]
    assert [(t.theme, t.role.value) for t in merged.themes] == [("violence", "lead")]
    assert [link.to for link in merged.reports_to] == ["county"]
    assert merged.aliases == ("Violence Reduction Board", "Serious Violence Group")
    for old in ("violence-board", "violence-group"):
        assert [link.to for link in w.register.get(old).succeeded_by] == ["violence-partnership"]
    assert w.lost_lead == () and w.lost_all_bodies == ()


def test_merging_saves_seats_and_meetings_per_organisation(reg):
    merge = Merge(("violence-board", "violence-group"), "violence-partnership", "Violence Partnership")
    w = what_if(reg, [merge], DAY)
    loads_ = {
        s.organisation: (s.seats_before, s.seats_after, s.meetings_before, s.meetings_after)
        for s in w.seat_load
    }
    # the merged body keeps the first body's 'meets: monthly'
    assert loads_ == {"police": (2, 1, 16, 12), "health": (2, 1, 16, 12), "council": (4, 3, 16, 12)}


def test_retiring_the_sole_lead_produces_the_ownership_gap_and_a_dangling_line(reg):
    w = what_if(reg, [Retire("youth-board")], DAY)
    assert w.lost_lead == ("youth",) and w.lost_all_bodies == ("youth",)
    assert w.dangling == (("youth-forum", "reports_to", "youth-board"),)
    new_kinds = {f.kind for f in w.findings.new}
    assert Kind.UNADDRESSED_THEME in new_kinds
    assert w.register.get("youth-board").dissolved == DAY


def test_moving_a_body_replaces_its_reporting_line(reg):
    w = what_if(reg, [Move("youth-forum", "county")], DAY)
    assert [link.to for link in w.register.get("youth-forum").reports_to] == ["county"]


def test_references_to_merged_bodies_point_at_the_new_one(reg):
    w = what_if(
        reg, [Merge(("youth-board", "violence-group"), "youth-and-violence", "Youth and Violence")], DAY
    )
    assert [link.to for link in w.register.get("youth-forum").reports_to] == ["youth-and-violence"]


def test_a_merge_into_one_of_the_merged_ids_keeps_that_id(reg):
    w = what_if(reg, [Merge(("violence-board", "violence-group"), "violence-board")], DAY)
    assert w.register.get("violence-board").succeeded_by == ()
    assert [link.to for link in w.register.get("violence-group").succeeded_by] == ["violence-board"]


def test_unknown_ids_and_records_that_are_not_bodies_are_refused(reg):
    with pytest.raises(ScenarioRefused, match="merge: no record with id 'nope'"):
        what_if(reg, [Merge(("violence-board", "nope"), "x")], DAY)
    with pytest.raises(ScenarioRefused, match="retire: 'police' is an organisation, not a body"):
        what_if(reg, [Retire("police")], DAY)
    with pytest.raises(ScenarioRefused, match="already the id of another record"):
        what_if(reg, [Merge(("violence-board", "violence-group"), "county")], DAY)


def test_meetings_a_year_are_read_from_common_phrases():
    assert [
        meetings_per_year(t) for t in ("Monthly", "every six weeks", "twice a year", "annually", None)
    ] == [
        12,
        8,
        2,
        1,
        None,
    ]


# -- the command ---------------------------------------------------------------------


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_whatif_never_touches_the_register_file(tmp_path: Path):
    path = tmp_path / "boards.yaml"
    path.write_text(REGISTER, encoding="utf-8")
    before = sha(path)
    result = run(
        tmp_path, "whatif", "boards.yaml", "--merge", "violence-board", "--merge", "violence-group",
        "--into", "violence-partnership", "--name", "Violence Partnership", "--retire", "youth-board",
        "--format", "json", "--as-of", "2026-01-01", "--save-scenario", "scenario.yaml",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sha(path) == before
    out = json.loads(result.output)
    assert out["steps"] == [
        "merge violence-board, violence-group into violence-partnership",
        "retire youth-board",
    ]
    assert out["coverage"]["themes_losing_lead"] == [{"id": "youth", "name": "Youth crime"}]
    assert "violence-partnership" in load_register(tmp_path / "scenario.yaml")


def test_whatif_refuses_to_save_the_scenario_over_the_register(tmp_path: Path):
    path = tmp_path / "boards.yaml"
    path.write_text(REGISTER, encoding="utf-8")
    before = sha(path)
    for option, what in (("--save-scenario", "the scenario"), ("-o", "the report")):
        result = run(tmp_path, "whatif", "boards.yaml", "--retire", "youth-board", option, "boards.yaml")
        assert result.exit_code == 2
        assert result.output == (
            f"error: will not write {what} over the register boards.yaml (choose another file)\n"
        )
        assert sha(path) == before


def test_whatif_with_nothing_to_try_is_a_usage_error(tmp_path: Path):
    (tmp_path / "boards.yaml").write_text(REGISTER, encoding="utf-8")
    result = run(tmp_path, "whatif", "boards.yaml")
    assert result.exit_code == 2
    assert "nothing to try: give --merge ... --into, --retire or --move ... --to" in result.output


# -- the web page ----------------------------------------------------------------------


def test_the_whatif_page_shows_the_effect_for_an_editor_and_saves_nothing(tmp_path: Path):
    register = copy_register(tmp_path)
    before = sha(register)
    client = make_app(register).test_client()
    assert client.get("/whatif").status_code == 302, "anonymous users are sent to sign in"
    login(client, "alice")
    page = client.get("/whatif").get_data(as_text=True)
    assert 'name="merge" value="county-board"' in page
    page = client.get("/whatif?retire=county-board").get_data(as_text=True)
    assert '<h2 id="whatif-result-title">What if Testshire Community Safety Board is retired</h2>' in page
    assert page.index('id="whatif-result"') < page.index('id="whatif-form"'), "the result comes first"
    assert sha(register) == before


def test_the_whatif_page_refuses_a_merge_of_one_body(tmp_path: Path):
    client = make_app(copy_register(tmp_path)).test_client()
    login(client, "alice")
    response = client.get("/whatif?merge=county-board&into=x")
    assert response.status_code == 422
    assert "Tick at least two bodies to merge" in response.get_data(as_text=True)


def test_a_viewer_may_not_use_the_whatif_page(tmp_path: Path):
    client = make_app(copy_register(tmp_path)).test_client()
    login(client, "victor")
    assert client.get("/whatif").status_code == 403


# -- an invalid new id or name is a message, never a 500 or a traceback (issue 26, defect 9) --


@pytest.mark.parametrize(
    ("into", "message"),
    [
        ("Bad Id!", "New body&#39;s id: &#39;Bad Id!&#39; is not a valid id"),
        ("-x", "New body&#39;s id: &#39;-x&#39; is not a valid id"),
        ("a" * 300, "New body&#39;s id: 300 characters; at most 120"),
        ("x\x00", "New body&#39;s id: &#39;x\\x00&#39; is not a valid id"),
    ],
)
def test_the_whatif_page_refuses_an_invalid_new_id_with_422_and_a_message(
    tmp_path: Path, into: str, message: str
) -> None:
    client = make_app(copy_register(tmp_path)).test_client()
    login(client, "alice")
    response = client.get("/whatif", query_string={"merge": ["north-csp", "county-board"], "into": into})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_whatif_page_refuses_a_name_with_a_control_character(tmp_path: Path) -> None:
    client = make_app(copy_register(tmp_path)).test_client()
    login(client, "alice")
    response = client.get(
        "/whatif", query_string={"merge": ["north-csp", "county-board"], "into": "merged", "name": "A\x1b[2J"}
    )
    assert response.status_code == 422
    assert "New body&#39;s name: contains the control character U+001B (ESCAPE); remove it" in (
        response.get_data(as_text=True)
    )


def test_govmap_whatif_refuses_an_invalid_new_id_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "boards.yaml").write_text(REGISTER, encoding="utf-8")
    result = run(
        tmp_path, "whatif", "boards.yaml", "--merge", "violence-board", "--merge", "violence-group",
        "--into", "Bad Id!",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for --into: 'Bad Id!' is not a valid id "
        "(use lowercase letters, digits and hyphens, e.g. 'bad-id')"
    )


def test_a_merge_on_the_page_asks_for_the_merged_bodys_name_and_makes_its_id_from_it(tmp_path: Path):
    client = make_app(copy_register(tmp_path)).test_client()
    login(client, "alice")
    response = client.get("/whatif", query_string={"merge": ["north-csp", "drugs-group"]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<p class="error">Enter the merged body&#39;s name</p>' in page
    assert "North Community Safety Partnership and Drugs Working Group" not in page  # no name made up
    response = client.get(
        "/whatif", query_string={"merge": ["north-csp", "drugs-group"], "name": "Testshire CSP"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert (
        '<h2 id="whatif-result-title">What if North Community Safety Partnership and Drugs Working Group '
        "merge into Testshire CSP</h2>"
    ) in page


def test_merging_two_orphans_carries_the_orphan_over_instead_of_reporting_a_new_one():
    reg = loads(
        """
register: {id: t, name: Test, top: [top]}
bodies:
  - {id: top, name: Top Board, kind: board, top_level: true}
  - {id: a, name: Alpha Board, kind: board}
  - {id: b, name: Beta Board, kind: board}
"""
    )
    w = what_if(reg, [Merge(("a", "b"), "ab", "Alpha Beta Board")], DAY)
    orphans = [f for f in w.carried if f.kind is Kind.ORPHAN]
    assert [[s.id for s in f.subjects] for f in orphans] == [["ab"]]
    assert Kind.ORPHAN not in {f.kind for f in w.findings.new}
    assert Kind.ORPHAN not in {f.kind for f in w.findings.resolved}
    assert w.counts.startswith("Findings: ")
    assert w.counts.endswith(f" unchanged ({len(w.carried)} carried over to the merged body).")
    assert w.headline == "Alpha Board and Beta Board merge into Alpha Beta Board"


def test_merging_a_top_body_makes_the_merged_body_a_top_body_not_an_orphan():
    reg = loads(
        """
register: {id: t, name: Test, top: [a]}
bodies:
  - {id: a, name: Alpha Board, kind: board, top_level: true}
  - {id: b, name: Beta Board, kind: board, reports_to: a}
"""
    )
    w = what_if(reg, [Merge(("a", "b"), "ab", "Alpha Beta Board")], DAY)
    assert "ab" in w.register.info.top
    assert not [f for f in w.findings.new if f.kind is Kind.ORPHAN]


def test_a_merge_without_a_name_is_refused_not_named_a_and_b(reg):
    with pytest.raises(ScenarioRefused, match="merge: give the merged body's name"):
        what_if(reg, [Merge(("violence-board", "violence-group"), "violence-partnership")], DAY)
    kept = what_if(reg, [Merge(("violence-board", "violence-group"), "violence-board")], DAY)
    assert kept.register.get("violence-board").name == "Violence Reduction Board"


def test_govmap_whatif_asks_for_the_name_writes_the_report_with_o_and_the_scenario_with_save_scenario(
    tmp_path: Path,
):
    (tmp_path / "boards.yaml").write_text(REGISTER, encoding="utf-8")
    args = ["whatif", "boards.yaml", "--merge", "violence-board,violence-group", "--into", "vp"]
    result = run(tmp_path, *args)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: --merge needs --name: the merged body's name (or --into one of the merged ids, to keep its name)"
    )
    result = run(
        tmp_path, *args, "--name", "Violence Partnership", "-o", "report.md", "--save-scenario", "s.yaml"
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""
    report_text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert report_text.startswith(
        "# What if Violence Reduction Board and Serious Violence Group merge into Violence Partnership\n"
    )
    assert load_register(tmp_path / "s.yaml").get("vp").name == "Violence Partnership"


def test_the_navigation_offers_what_if_only_to_editors(tmp_path: Path):
    client = make_app(copy_register(tmp_path)).test_client()
    assert 'href="/whatif"' not in client.get("/report").get_data(as_text=True)
    login(client, "victor")
    assert 'href="/whatif"' not in client.get("/report").get_data(as_text=True)
    client = make_app(copy_register(tmp_path)).test_client()
    login(client, "alice")
    assert '<a href="/whatif">What if</a>' in client.get("/report").get_data(as_text=True)


# Every kind of reference to a merged body: a reporting line, a sub-group, a body sitting within
# or supporting it, a body as member, a strategy's owner and adopter, a theme's delivered_by, a
# predecessor's succeeded_by, the register's top; and references between the merged bodies.
EVERY_REFERENCE = """\
govmap: 1
register: {id: r, name: R, top: [a, b]}
organisations: [{id: police, name: Police, type: police-force}]
themes: [{id: t, name: T, kind: priority}, {id: u, name: U, kind: priority}]
bodies:
  - id: a
    name: A Board
    kind: board
    top_level: true
    members: [police, b]
    themes: [{theme: t, role: lead, delivered_by: [b, c]}]
    links_with: [b]
  - id: b
    name: B Board
    kind: board
    top_level: true
    sub_group_of: a
    members: [police, a]
    themes: [{theme: t, role: contributes}, {theme: u, role: lead, delivered_by: [a]}]
  - {id: c, name: C Group, kind: group, reports_to: [a, b], sub_group_of: b, members: [a, b, police]}
  - {id: d, name: D Group, kind: group, sits_within: a, supports: [a, b], links_with: [a, b]}
  - {id: old, name: Old Board, kind: board, dissolved: 2020, succeeded_by: [a, b]}
  - id: umbrella
    name: Umbrella
    kind: partnership
    top_level: true
    themes: [{theme: t, role: lead, delivered_by: [a, b, c]}]
strategies:
  - {id: s, name: S, kind: plan, owner: [a, b], adopted_by: [b, a], themes: [{theme: t, role: lead, delivered_by: [a, b]}]}
"""


def _names_of(rec) -> list[str]:
    """Every id a record names, wherever it names one."""
    from govmap.ingest.model import REF_RULES, nested_refs

    out = []
    for rule in REF_RULES[type(rec)]:
        for _, target, item in rule.refs(rec):
            out.append(target)
            if item is not None:
                out += [v for _, _, v in nested_refs(item)]
    return out


def test_a_merge_points_every_reference_at_the_merged_body_once_and_never_at_itself():
    reg = loads(EVERY_REFERENCE)
    w = what_if(reg, [Merge(("a", "b"), "ab", "AB Board")], DAY)
    scn = w.register
    for rec in scn.records():
        if rec.id in ("a", "b"):
            assert [link.to for link in rec.succeeded_by] == ["ab"]  # history: succeeded by the merger
            continue
        names = _names_of(rec)
        assert not {"a", "b"} & set(names), (rec.id, names)
        assert rec.id not in names, rec.id
        for rule_items in (getattr(rec, f) for f in type(rec).model_fields):
            if isinstance(rule_items, tuple) and rule_items and hasattr(rule_items[0], "target"):
                targets = [i.target for i in rule_items]
                assert len(targets) == len(set(targets)), (rec.id, targets)
    ab, c, d, old, umbrella, s = (scn.get(i) for i in ("ab", "c", "d", "old", "umbrella", "s"))
    assert [m.member for m in ab.members] == ["police"]
    assert [(t.theme, t.role.value, t.delivered_by) for t in ab.themes] == [
        ("t", "lead", ("c",)),
        ("u", "lead", ()),
    ]
    assert (ab.links_with, ab.sub_group_of) == ((), ())
    assert ([x.to for x in c.reports_to], [x.to for x in c.sub_group_of], [m.member for m in c.members]) == (
        ["ab"],
        ["ab"],
        ["ab", "police"],
    )
    assert [x.to for x in d.sits_within] == ["ab"] and [x.to for x in d.supports] == ["ab"]
    assert [x.to for x in old.succeeded_by] == ["ab"]
    assert umbrella.themes[0].delivered_by == ("ab", "c")
    assert ([x.to for x in s.owner], [x.to for x in s.adopted_by], s.themes[0].delivered_by) == (
        ["ab"],
        ["ab"],
        ("ab",),
    )
    assert scn.info.top == ("ab",)
