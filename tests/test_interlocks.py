"""Seat load and interlocks: who sits on many bodies, which bodies share members."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from govmap.graph.analysis import interlocks as interlocks_module  # its privates, held to the whole product
from govmap.graph.analysis.findings import Finding, Kind, Severity
from govmap.graph.analysis.interlocks import (
    interlocks,
    seat_load_findings,
    seat_loads,
    shared_member_pairs,
)
from govmap.graph.analysis.lookup import Lookup
from govmap.graph.report.aggregate import aggregate
from govmap.ingest.model import Register
from govmap.ingest.reading.load import loads

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_small import synth_register  # noqa: E402


def reg(text: str) -> Register:
    return loads(textwrap.dedent(text))


ORGS = """\
organisations:
  - {id: police, name: Police, type: police-force}
  - {id: council, name: Council, type: county-council}
  - {id: fire, name: Fire, type: fire-and-rescue}
  - {id: trust, name: Trust, type: voluntary-sector}
posts:
  - {id: chief, name: Chief Constable, organisation: police}
people:
  - {id: pat, name: Pat, holds: chief}
"""


def test_seat_load_ranks_with_ties_sharing_a_rank():
    r = reg(
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [police, council, fire]}
  - {id: b, name: B, kind: board, members: [police, council]}
  - {id: c, name: C, kind: board, members: [police]}
"""
    )
    assert [(s.id, s.seats, s.rank) for s in seat_loads(r)] == [
        ("police", 3, 1),
        ("council", 2, 2),
        ("fire", 1, 3),
    ]
    r2 = reg(
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [police, council]}
  - {id: b, name: B, kind: board, members: [fire, council]}
"""
    )
    assert [(s.id, s.rank) for s in seat_loads(r2)] == [("council", 1), ("fire", 2), ("police", 2)]


def test_an_organisation_counts_seats_held_through_its_posts_and_people():
    r = reg(
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [chief]}
  - {id: b, name: B, kind: board, members: [pat]}
  - {id: c, name: C, kind: board, members: [{member: pat, on_behalf_of: council}]}
"""
    )
    loads_ = {s.id: s.bodies for s in seat_loads(r)}
    assert loads_["police"] == ("a", "b")
    assert loads_["chief"] == ("a",)
    assert loads_["council"] == ("c",)


def test_an_organisation_counts_seats_held_through_its_posts_and_people_when_no_seat_names_on_behalf_of():
    r = reg(
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [chief, police]}
  - {id: b, name: B, kind: board, members: [pat]}
  - {id: c, name: C, kind: board, members: [council, pat, chief]}
"""
    )
    assert [(s.id, s.bodies, s.rank) for s in seat_loads(r)] == [
        ("police", ("a", "b", "c"), 1),
        ("chief", ("a", "c"), 2),
        ("council", ("c",), 3),
    ]


def test_seat_load_findings_start_at_the_minimum_number_of_seats():
    bodies = "\n".join(f"  - {{id: b{i}, name: B{i}, kind: board, members: [police]}}" for i in range(4))
    r = reg(ORGS + "bodies:\n" + bodies + "\n")
    assert seat_load_findings(r, min_seats=5) == []
    [f] = seat_load_findings(r, min_seats=4)
    assert f.kind is Kind.SEAT_LOAD
    assert f.title == "Police sits on 4 bodies (rank 1)."
    assert f.score == 4
    assert f.severity is Severity.INFO
    assert seat_load_findings(r, min_seats=2)[0].severity is Severity.MEDIUM


def test_seat_loads_below_the_minimum_are_left_out_but_still_count_for_the_rank():
    r = reg(
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [police, council, fire]}
  - {id: b, name: B, kind: board, members: [police, council]}
  - {id: c, name: C, kind: board, members: [police, council]}
"""
    )
    assert [(s.id, s.seats, s.rank) for s in seat_loads(r, min_seats=3)] == [
        ("council", 3, 1),
        ("police", 3, 1),
    ]
    assert [(s.id, s.rank) for s in seat_loads(r, min_seats=1)][-1] == ("fire", 3)


def test_a_seat_load_cites_each_source_of_its_seats_once_whether_the_seat_or_its_body_gives_it():
    docs = """\
documents:
  - {id: d1, name: One}
  - {id: d2, name: Two}
"""
    r = reg(
        ORGS
        + docs
        + """
bodies:
  - {id: a, name: A, kind: board, sources: [{doc: d1}], members: [police]}
  - {id: b, name: B, kind: board, sources: [{doc: d1}], members: [police]}
  - {id: c, name: C, kind: board, sources: [{doc: d2}], members: [police]}
  - {id: d, name: D, kind: board, sources: [{doc: d1}], members: [{member: police, sources: [{doc: d2, section: "3"}]}]}
"""
    )
    [f] = seat_load_findings(r, min_seats=4)
    assert [(s.doc, s.section) for s in f.sources] == [("d1", None), ("d2", None), ("d2", "3")]
    [same] = seat_load_findings(
        reg(
            ORGS
            + docs
            + "bodies:\n"
            + "\n".join(
                f"  - {{id: b{i}, name: B{i}, kind: board, sources: [{{doc: d2}}], members: [police]}}"
                for i in range(4)
            )
            + "\n"
        ),
        min_seats=4,
    )
    assert [(s.doc, s.section) for s in same.sources] == [("d2", None)]


def test_pairs_sharing_at_least_k_members_are_interlocked():
    r = reg(
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [police, council, trust]}
  - {id: b, name: B, kind: board, members: [police, council, trust]}
  - {id: c, name: C, kind: board, members: [police, council]}
"""
    )
    assert shared_member_pairs(r, k=3) == [("a", "b", 3)]
    assert shared_member_pairs(r, k=2) == [("a", "b", 3), ("a", "c", 2), ("b", "c", 2)]
    [f] = interlocks(r, k=3)
    assert f.title == "A and B share 3 members."
    assert [m["id"] for m in f.evidence["shared_members"]] == ["council", "police", "trust"]


STATUTORY_ONLY = """
organisations:
  - {id: police, name: Police, type: police-force, areas: county}
  - {id: council, name: Council, type: county-council, areas: county}
  - {id: fire, name: Fire, type: fire-and-rescue, areas: county}
areas:
  - {id: county, name: County, kind: county}
  - {id: north, name: North, kind: district, within: county}
  - {id: south, name: South, kind: district, within: county}
  - {id: elsewhere, name: Elsewhere, kind: unitary}
bodies:
  - {id: north-csp, name: North CSP, kind: csp, areas: north, members: [police, council, fire]}
  - {id: south-csp, name: South CSP, kind: csp, areas: south, members: [police, council, fire]}
  - {id: county-board, name: County Board, kind: board, areas: county, members: [police, council, fire]}
  - {id: far, name: Far Board, kind: board, areas: elsewhere, members: [police, council, fire]}
"""


def test_interlocks_of_statutory_partners_of_overlapping_areas_are_one_expected_finding():
    r = reg(STATUTORY_ONLY)
    fs = interlocks(r, k=3)
    expected = [f for f in fs if f.severity is Severity.INFO and "statutory" in f.title]
    assert len(expected) == 1
    [f] = expected
    assert (
        f.title
        == "3 bodies share only the statutory partners of their area (Council, Fire, Police): expected."
    )
    assert [s.id for s in f.subjects] == ["county-board", "north-csp", "south-csp"]
    assert [(p["a"], p["b"]) for p in f.evidence["pairs"]] == [
        ("County Board", "North CSP"),
        ("County Board", "South CSP"),
        ("North CSP", "South CSP"),
    ]
    # a body in an area that does not touch theirs shares them by coincidence: still its own finding
    others = sorted(f.title for f in fs if f is not expected[0])
    assert others == [
        "County Board and Far Board share 3 members.",
        "Far Board and North CSP share 3 members.",
        "Far Board and South CSP share 3 members.",
    ]


def test_the_interlock_similarity_printed_in_the_report_takes_effect():
    import datetime as dt

    from govmap.graph.report import ReportOptions, report

    text = (
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [police, council, trust, fire]}
  - {id: b, name: B, kind: board, members: [police, council, trust, pat, chief]}
"""
    )
    r = reg(text)
    strict = report(r, kinds=["interlock"], options=ReportOptions(as_of=dt.date(2025, 1, 1)))
    loose = report(
        r, kinds=["interlock"], options=ReportOptions(as_of=dt.date(2025, 1, 1), interlock_similarity=0.5)
    )
    assert strict.parameters["interlock_similarity"] == 0.8 and strict.findings == ()
    assert loose.parameters["interlock_similarity"] == 0.5
    assert [f.title for f in loose.findings] == ["A and B share 3 members."]


def test_empty_register_and_single_body_have_no_interlocks():
    assert interlocks(reg("{}")) == []
    assert seat_loads(reg("{}")) == []
    assert interlocks(reg(ORGS + "bodies: [{id: a, name: A, kind: board, members: [police]}]\n"), k=1) == []


def test_a_member_seated_twice_on_one_body_is_shared_once():
    r = reg(
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [police, {member: police, role: chair}, council]}
  - {id: b, name: B, kind: board, members: [police, council]}
"""
    )
    assert shared_member_pairs(r, k=2) == [("a", "b", 2)]
    assert shared_member_pairs(r, k=3) == []


def test_the_seat_table_lists_every_seat_of_a_current_body_in_order_once_a_reading():
    from govmap.graph.analysis.lookup import Lookup

    r = loads(
        textwrap.dedent("""\
        organisations:
          - {id: police, name: Police, type: police-force}
          - {id: council, name: Council, type: district-council}
        bodies:
          - {id: a, name: A, kind: board, members: [police, council]}
          - {id: gone, name: Gone, kind: board, dissolved: 2019, members: [police]}
          - {id: b, name: B, kind: board, members: [council, {member: police, end: 2020-01-01}]}
        """)
    )
    lk = Lookup(r)
    table = lk.seat_table
    assert table is lk.seat_table
    assert [b.id for b in lk.bodies] == ["a", "b"]
    assert table.members == ["police", "council"]
    assert table.body.tolist() == [0, 0, 1, 1]
    assert table.member.tolist() == [0, 1, 1, 0]
    assert [m.member for m in table.seats] == ["police", "council", "council", "police"]
    assert (table.on_behalf, table.cited) == (False, False)
    on = loads(
        textwrap.dedent("""\
        documents: [{id: doc, name: Doc}]
        organisations: [{id: police, name: Police, type: police-force}]
        posts: [{id: chief, name: Chief, organisation: police}]
        bodies:
          - {id: a, name: A, kind: board, members: [{member: chief, on_behalf_of: police, sources: [{doc: doc}]}]}
        """)
    )
    assert (Lookup(on).seat_table.on_behalf, Lookup(on).seat_table.cited) == (True, True)
    assert Lookup(on).member_organisation("chief") == "police"


def test_sorted_distinct_keys_are_numpys_unique_keys_whatever_their_order_and_repeats():
    import random

    import numpy as np

    from govmap.graph.analysis.lookup import sorted_distinct

    rnd = random.Random(5)
    for size in [0, 1, 2, 7, 300]:
        keys = np.array([rnd.randrange(size // 2 + 1) for _ in range(size)], dtype=np.int64)
        assert sorted_distinct(keys).tolist() == np.unique(keys).tolist()


#: Organisations and a post on a ladder of ten boards: the council on 10 (twice 5: medium), the
#: police on 7 (two seats of its own, five through its chief constable), the chief constable on 5,
#: fire on 6, the trust on 5 (info), probation on 4 (below the minimum: no finding at all).
LADDER = (
    ORGS.replace("posts:", "  - {id: probation, name: Probation, type: probation}\nposts:")
    + "documents: [{id: d1, name: One}, {id: d2, name: Two}]\nbodies:\n"
)


def _ladder() -> Register:
    members = {
        "council": range(10),
        "police": range(2),
        "chief": range(2, 7),
        "fire": range(6),
        "trust": range(5),
        "probation": range(4),
    }
    lines = []
    for i in range(10):
        on = [m for m, where in members.items() if i in where]
        lines.append(
            f"  - {{id: b{i}, name: Board {i}, kind: board, sources: [{{doc: d{1 + i % 2}}}], "
            f"members: [{', '.join(on)}]}}"
        )
    return reg(LADDER + "\n".join(lines) + "\n")


def test_info_seat_loads_are_one_finding_in_the_report_and_medium_ones_stay_their_own():
    from govmap.graph.report import ReportOptions, report

    rep = report(_ladder(), kinds=["seat-load"], options=ReportOptions(as_of=dt.date(2026, 1, 1)))
    assert [(f.severity.value, f.title) for f in rep.findings] == [
        ("medium", "Council sits on 10 bodies (rank 1)."),
        (
            "info",
            "4 organisations and posts each sit on 5 to 7 bodies (23 seats in all): Police, Fire, "
            "Chief Constable and Trust.",
        ),
    ]
    folded = rep.findings[1]
    assert folded.evidence["count"] == 4
    assert [i["title"] for i in folded.evidence["items"]] == [
        "Police sits on 7 bodies (rank 2).",
        "Fire sits on 6 bodies (rank 3).",
        "Chief Constable sits on 5 bodies (rank 4).",
        "Trust sits on 5 bodies (rank 4).",
    ]
    assert [b["id"] for b in folded.evidence["items"][0]["evidence"]["bodies"]] == [f"b{i}" for i in range(7)]
    assert [s.id for s in folded.subjects] == ["police", "fire", "chief", "trust"]
    assert [(s.doc, s.section) for s in folded.sources] == [("d1", None), ("d2", None)]
    assert folded.score == 7 and "probation" not in {s.id for s in folded.subjects}
    unfolded = report(
        _ladder(), kinds=["seat-load"], options=ReportOptions(as_of=dt.date(2026, 1, 1), aggregate=False)
    )
    assert [f.title for f in unfolded.findings] == [
        "Council sits on 10 bodies (rank 1).",
        "Police sits on 7 bodies (rank 2).",
        "Fire sits on 6 bodies (rank 3).",
        "Chief Constable sits on 5 bodies (rank 4).",
        "Trust sits on 5 bodies (rank 4).",
    ]
    assert folded.id == aggregate(list(unfolded.findings))[1].id  # the fold's id: its kind and key alone


def test_a_single_info_seat_load_is_not_folded():
    bodies = "\n".join(f"  - {{id: b{i}, name: B{i}, kind: board, members: [police]}}" for i in range(4))
    [f] = seat_load_findings(reg(ORGS + "bodies:\n" + bodies + "\n"), min_seats=4, fold=True)
    assert f.title == "Police sits on 4 bodies (rank 1)." and "items" not in f.evidence


@st.composite
def _registers(draw: st.DrawFn) -> tuple[Register, int]:
    """Boards with random members (organisations, posts, people) and sources on the board or the seat."""
    n_bodies = draw(st.integers(1, 8))
    who = ["police", "council", "fire", "trust", "chief", "pat"]
    lines = []
    for i in range(n_bodies):
        members = draw(st.lists(st.sampled_from(who), max_size=6))
        seats = []
        for m in members:
            cite = draw(st.sampled_from(["", "d1", "d2"]))
            seats.append(f"{{member: {m}, sources: [{{doc: {cite}, section: s{i % 2}}}]}}" if cite else m)
        body_doc = draw(st.sampled_from(["d1", "d2"]))
        lines.append(
            f"  - {{id: b{i}, name: B{i}, kind: board, sources: [{{doc: {body_doc}}}], members: [{', '.join(seats)}]}}"
        )
    docs = "documents: [{id: d1, name: One}, {id: d2, name: Two}]\n"
    return reg(ORGS + docs + "bodies:\n" + "\n".join(lines) + "\n"), draw(st.integers(1, 4))


@given(_registers())
def test_seat_loads_folded_directly_are_the_findings_the_report_folds(case: tuple[Register, int]):
    r, min_seats = case
    lk = Lookup(r)
    one_each = sorted(seat_load_findings(r, min_seats, lk), key=Finding.sort_key)
    assert seat_load_findings(r, min_seats, lk, fold=False) == one_each
    folded = sorted(seat_load_findings(r, min_seats, lk, fold=True), key=Finding.sort_key)
    assert folded == sorted(aggregate(one_each), key=Finding.sort_key)


def test_seat_loads_folded_directly_are_the_findings_the_report_folds_on_larger_registers():
    for size, seed in ((400, 5), (1000, 1)):
        r = synth_register(size, seed=seed)
        lk = Lookup(r)
        for min_seats in (2, 3, 5):
            one_each = sorted(seat_load_findings(r, min_seats, lk), key=Finding.sort_key)
            folded = sorted(seat_load_findings(r, min_seats, lk, fold=True), key=Finding.sort_key)
            assert folded == sorted(aggregate(one_each), key=Finding.sort_key)
            assert len(folded) < len(one_each)


def _similar_enough(pairs: tuple[np.ndarray, ...], M: sp.csr_matrix, t: float) -> set[tuple[int, int, int]]:
    size = np.diff(M.indptr)
    return {
        (int(a), int(b), int(s))
        for a, b, s in zip(*pairs, strict=True)
        if s / np.sqrt(size[a] * size[b]) >= t - 1e-12
    }


@given(
    st.lists(st.lists(st.integers(0, 11), max_size=9), min_size=1, max_size=14),
    st.integers(1, 4),
    st.sampled_from([0.05, 0.3, 0.5, 2 / 3, 0.7, 0.75, 0.8, 0.9, 1.0]),
)
def test_pairs_compared_by_prefix_are_the_similar_pairs_of_the_whole_product(
    memberships: list[list[int]], least: int, t: float
):
    rows = [(i, m) for i, ms in enumerate(memberships) for m in sorted(set(ms))]
    r, c = (np.array([x[j] for x in rows], dtype=np.int64) for j in (0, 1))
    M = sp.csr_matrix((np.ones(len(rows)), (r, c)), shape=(len(memberships), 12))
    whole = _similar_enough(interlocks_module._sharing_pairs(M, least), M, t)
    assert _similar_enough(interlocks_module._similar_pairs(M, least, t), M, t) == whole


def test_pairs_compared_by_prefix_are_the_similar_pairs_of_the_whole_product_on_a_larger_register():
    r = synth_register(1000, seed=1)
    lk = Lookup(r)
    for k, t in ((3, 0.8), (2, 0.5), (1, 0.3)):
        plain = shared_member_pairs(r, k, lk)
        size = {b.id: len({m.member for m in b.members}) for b in lk.bodies}
        expected = [(a, b, n) for a, b, n in plain if n / np.sqrt(size[a] * size[b]) >= t - 1e-12]
        assert shared_member_pairs(r, k, lk, t) == expected
        assert expected  # something to compare
