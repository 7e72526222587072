"""Seat load and interlocks: who sits on many bodies, which bodies share members."""

from __future__ import annotations

import textwrap

from govmap.graph.analysis.findings import Kind, Severity
from govmap.graph.analysis.interlocks import interlocks, seat_load_findings, seat_loads, shared_member_pairs
from govmap.ingest.load import loads
from govmap.ingest.model import Register


def reg(text: str) -> Register:
    return loads(textwrap.dedent(text))


ORGS = """\
organisations:
  - {id: police, name: Police, type: police-force}
  - {id: council, name: Council, type: county-council}
  - {id: fire, name: Fire, type: fire-and-rescue}
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


def test_pairs_sharing_at_least_k_members_are_interlocked():
    r = reg(
        ORGS
        + """
bodies:
  - {id: a, name: A, kind: board, members: [police, council, fire]}
  - {id: b, name: B, kind: board, members: [police, council, fire]}
  - {id: c, name: C, kind: board, members: [police, council]}
"""
    )
    assert shared_member_pairs(r, k=3) == [("a", "b", 3)]
    assert shared_member_pairs(r, k=2) == [("a", "b", 3), ("a", "c", 2), ("b", "c", 2)]
    [f] = interlocks(r, k=3)
    assert f.title == "A and B share 3 members."
    assert [m["id"] for m in f.evidence["shared_members"]] == ["council", "fire", "police"]


def test_empty_register_and_single_body_have_no_interlocks():
    assert interlocks(reg("{}")) == []
    assert seat_loads(reg("{}")) == []
    assert interlocks(reg(ORGS + "bodies: [{id: a, name: A, kind: board, members: [police]}]\n"), k=1) == []
