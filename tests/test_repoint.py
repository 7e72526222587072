"""References re-pointed: every place an id is written follows it, once, never to its own record."""

from __future__ import annotations

from govmap.ingest.model import Body, Membership, Strategy
from govmap.ingest.reading.load import loads
from govmap.ingest.repoint import repoint, repoint_register


def test_every_kind_of_reference_is_repointed_and_each_list_names_a_record_once():
    body = Body.model_validate(
        {
            "id": "c",
            "name": "C",
            "kind": "group",
            "reports_to": ["a", "b"],
            "members": [{"member": "a", "role": "chair"}, "b", {"member": "p", "on_behalf_of": "a-org"}],
            "themes": [{"theme": "t", "delivered_by": ["a", "b", "x"]}],
        }
    )
    moved = repoint(body, {"a": "ab", "b": "ab", "a-org": "new-org"})
    assert [link.to for link in moved.reports_to] == ["ab"]
    assert [(m.member, m.role.value, m.on_behalf_of) for m in moved.members] == [
        ("ab", "chair", None),
        ("p", "member", "new-org"),
    ]
    assert moved.themes[0].delivered_by == ("ab", "x")
    assert isinstance(moved.members[0], Membership)


def test_a_reference_that_comes_to_name_its_own_record_is_dropped():
    s = Strategy.model_validate({"id": "s", "name": "S", "kind": "plan", "informs": ["old-s", "t"]})
    assert [link.to for link in repoint(s, {"old-s": "s"}).informs] == ["t"]


def test_a_record_that_names_nothing_moved_is_returned_as_it_is():
    body = Body.model_validate({"id": "c", "name": "C", "kind": "group", "reports_to": ["a"]})
    assert repoint(body, {"z": "y"}) is body


def test_the_registers_top_follows_and_names_each_body_once():
    reg = loads(
        "register: {top: [a, b, c]}\n"
        "bodies: [{id: a, name: A, kind: board}, {id: b, name: B, kind: board}, {id: c, name: C, kind: board}]\n"
    )
    assert repoint_register(reg, {"a": "c", "b": "c"}).info.top == ("c",)
