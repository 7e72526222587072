"""The area containment tree: ancestors, relations of places, levels of areas and bodies."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from govmap.graph.analysis.areas import AreaTree, Level, PlaceBasis, Relation, body_place
from govmap.graph.analysis.lookup import Lookup
from govmap.ingest import loads
from govmap.ingest.model import AreaKind, Register

ESSEX_LIKE = """
areas:
  - {id: pfa, name: Force area, kind: police-force-area}
  - {id: shire, name: Shire, kind: county, within: pfa}
  - {id: bay, name: Bay, kind: unitary, within: pfa}
  - {id: icb, name: Mid ICB area, kind: other}
  - {id: north, name: North, kind: district, within: [shire, icb]}
  - {id: south, name: South, kind: district, within: [shire, icb]}
  - {id: west, name: West, kind: district, within: shire}
  - {id: bcu, name: BCU area, kind: other, within: pfa}
  - {id: lambeth, name: Lambeth, kind: london-borough, within: bcu}
"""


def tree() -> AreaTree:
    return AreaTree.of(loads(ESSEX_LIKE))


def test_a_district_lies_within_its_county_and_the_force_area_but_not_the_other_way():
    t = tree()
    assert t.ancestors("north") == {"shire", "icb", "pfa"}
    assert t.within("north", "pfa") and not t.within("pfa", "north")
    assert t.descendants("shire") == {"north", "south", "west"}


def test_a_county_and_an_icb_area_crossing_it_overlap_without_either_lying_within_the_other():
    t = tree()
    assert t.relation({"shire"}, {"icb"}) is Relation.OVERLAPPING
    assert t.relation({"icb"}, {"west"}) is Relation.APART


def test_two_districts_together_lie_within_their_county_and_a_unitary_is_apart_from_it():
    t = tree()
    assert t.relation({"north", "south"}, {"shire"}) is Relation.WITHIN
    assert t.relation({"shire"}, {"north", "south"}) is Relation.CONTAINS
    assert t.relation({"bay"}, {"shire"}) is Relation.APART


def test_a_place_not_recorded_relates_to_nothing_as_unknown():
    assert tree().relation([], {"shire"}) is Relation.UNKNOWN
    assert tree().relation({"shire"}, ()) is Relation.UNKNOWN


def test_an_area_of_kind_other_takes_its_level_from_what_lies_within_it():
    t = tree()
    assert t.level("bcu") is Level.AUTHORITY  # it holds a London borough
    assert t.level("icb") is Level.DISTRICT  # only districts are recorded within it
    assert t.level("lambeth") is Level.AUTHORITY


def test_an_area_of_kind_other_with_nothing_within_it_has_no_level():
    t = AreaTree.of(loads("areas: [{id: x, name: X, kind: other}]"))
    assert t.level("x") is None


def test_an_area_of_several_kinds_stands_at_the_widest():
    t = AreaTree.of(
        loads(
            "areas: [{id: gm, name: GM, kind: [metropolitan-county, combined-authority, police-force-area]}]"
        )
    )
    assert t.level("gm") is Level.SUBREGION


def test_ids_not_in_the_register_are_areas_on_their_own():
    t = tree()
    assert t.ancestors("nowhere") == frozenset() and t.within("nowhere", "nowhere")
    assert t.relation({"nowhere"}, {"shire"}) is Relation.APART


def test_a_cycle_in_within_does_not_hang_and_its_areas_lie_within_each_other():
    t = AreaTree.of(
        loads("""
        areas:
          - {id: a, name: A, kind: district, within: b}
          - {id: b, name: B, kind: district, within: a}
        """)
    )
    assert t.within("a", "b") and t.within("b", "a")
    assert t.relation({"a"}, {"b"}) is Relation.SAME


BODIES = (
    ESSEX_LIKE
    + """
organisations:
  - {id: cc, name: Shire County Council, type: county-council, areas: shire}
  - {id: nc, name: North Council, type: district-council, areas: north}
  - {id: sc, name: South Council, type: district-council, areas: south}
  - {id: police, name: Police, type: police-force, areas: pfa}
  - {id: nobody, name: Nowhere Trust, type: voluntary-sector}
bodies:
  - {id: county-board, name: County Board, kind: board, areas: shire}
  - {id: sub, name: Sub-group, kind: group, sub_group_of: county-board}
  - {id: hosted, name: Hosted, kind: group, hosted_by: nc}
  - {id: north-csp, name: North CSP, kind: csp, members: [cc, nc, police]}
  - {id: forum, name: District Forum, kind: network, members: [nc, sc]}
  - {id: loose, name: Loose Group, kind: group, members: [nobody]}
"""
)


def test_a_body_with_areas_of_its_own_is_placed_by_them_as_a_fact():
    p = body_place(Lookup(loads(BODIES)), "county-board")
    assert (p.areas, p.basis, p.level) == (("shire",), PlaceBasis.AREAS, Level.AUTHORITY)
    assert not p.basis.inferred


def test_a_sub_group_with_no_areas_takes_its_parents_and_says_so():
    p = body_place(Lookup(loads(BODIES)), "sub")
    assert (p.areas, p.basis) == (("shire",), PlaceBasis.PARENT) and p.basis.inferred


def test_a_hosted_body_with_no_areas_takes_its_hosts():
    p = body_place(Lookup(loads(BODIES)), "hosted")
    assert (p.areas, p.basis, p.level) == (("north",), PlaceBasis.HOSTS, Level.DISTRICT)


def test_a_district_csp_read_from_its_members_is_at_the_district_not_the_force_area():
    p = body_place(Lookup(loads(BODIES)), "north-csp")
    assert (p.areas, p.basis, p.level) == (("north",), PlaceBasis.MEMBERS, Level.DISTRICT)


def test_a_forum_of_two_district_councils_is_read_as_the_narrowest_areas_holding_both():
    p = body_place(Lookup(loads(BODIES)), "forum")
    assert (p.areas, p.basis) == (("icb", "shire"), PlaceBasis.MEMBERS)  # both districts lie in each


def test_a_body_whose_place_nothing_records_has_no_level():
    p = body_place(Lookup(loads(BODIES)), "loose")
    assert (p.areas, p.basis, p.level) == ((), PlaceBasis.NOT_RECORDED, None)


# -- properties ------------------------------------------------------------------

KINDS = list(AreaKind)


@st.composite
def registers(draw: Any) -> Register:
    """Areas each within earlier ones (no cycles), and bodies whose sub-groups sit inside their parents."""
    n = draw(st.integers(1, 9))
    areas: list[dict[str, Any]] = []
    for i in range(n):
        within = draw(st.lists(st.integers(0, i - 1), max_size=2, unique=True)) if i else []
        kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=2, unique=True))
        areas.append({"id": f"a{i}", "name": f"A{i}", "kind": kinds, "within": [f"a{j}" for j in within]})
    tree = AreaTree.of(Register.model_validate({"areas": areas}))
    bodies: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 5))):
        body: dict[str, Any] = {"id": f"b{i}", "name": f"B{i}", "kind": "board"}
        if i and draw(st.booleans()):
            parent = bodies[draw(st.integers(0, i - 1))]
            body["sub_group_of"] = parent["id"]
            inside = sorted(set().union(*(tree.down(a) for a in parent.get("areas", []))))
            if inside:  # a sub-group works within its parent's place, or records none
                body["areas"] = draw(st.lists(st.sampled_from(inside), max_size=2, unique=True))
        else:
            body["areas"] = draw(st.lists(st.sampled_from([a["id"] for a in areas]), max_size=2, unique=True))
        bodies.append(body)
    return Register.model_validate({"areas": areas, "bodies": bodies})


area_sets = st.lists(st.sampled_from([f"a{i}" for i in range(9)]), max_size=3, unique=True)


@given(registers())
def test_containment_is_a_partial_order(reg: Register):
    t = AreaTree.of(reg)
    ids = [a.id for a in reg.areas]
    for a in ids:
        assert t.within(a, a)
        for b in ids:
            if t.within(a, b) and t.within(b, a):
                assert a == b
            for c in ids:
                if t.within(a, b) and t.within(b, c):
                    assert t.within(a, c)


@given(registers())
def test_ancestors_and_descendants_are_each_others_reverse(reg: Register):
    t = AreaTree.of(reg)
    ids = [a.id for a in reg.areas]
    assert all((b in t.ancestors(a)) == (a in t.descendants(b)) for a in ids for b in ids)


@given(registers())
def test_an_area_is_never_wider_than_an_area_it_lies_within(reg: Register):
    t = AreaTree.of(reg)
    ids = [a.id for a in reg.areas]
    for a in ids:
        for b in t.ancestors(a):
            la, lb = t.level(a), t.level(b)
            assert la is None or (lb is not None and la <= lb)


@given(registers(), area_sets, area_sets)
def test_the_relation_of_two_places_read_the_other_way_is_its_converse(reg: Register, a, b):
    t = AreaTree.of(reg)
    converse = {Relation.WITHIN: Relation.CONTAINS, Relation.CONTAINS: Relation.WITHIN}
    r = t.relation(a, b)
    assert t.relation(b, a) is converse.get(r, r)
    assert (r is Relation.UNKNOWN) == (not a or not b)
    if a:
        assert t.relation(a, a) is Relation.SAME


@given(registers())
def test_a_body_is_never_narrower_than_its_sub_group(reg: Register):
    lk = Lookup(reg)
    for body in reg.bodies:
        for link in body.sub_group_of:
            sub, parent = body_place(lk, body), body_place(lk, link.to)
            assert sub.level is None or (parent.level is not None and sub.level <= parent.level)
