"""Seat load and interlocks: who sits on many bodies, which bodies share members."""

from __future__ import annotations

import textwrap

from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.analysis.interlocks import interlocks, seat_load_findings, seat_loads, shared_member_pairs
from govmap.ingest.model import Register
from govmap.ingest.reading.load import loads


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
