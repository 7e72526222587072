"""The model answers the questions other modules used to re-derive: targets, bare ids, words, subtypes."""

from __future__ import annotations

import typing

import pytest

from govmap.ingest.model import REF_RULES, SECTIONS, Item, Link, Membership, ThemeLink, item_type
from govmap.ingest.reading.load import loads
from govmap.ingest.store.dump import record_data


@pytest.mark.parametrize(
    ("rule", "model"),
    [(r, m) for m, rules in REF_RULES.items() for r in rules],
    ids=lambda x: getattr(x, "field", ""),
)
def test_every_reference_field_says_what_its_items_are_and_which_key_names_the_target(rule, model):
    if rule.item is None:  # a single id (a post's organisation; left out for an independent post)
        annotation = model.model_fields[rule.field].annotation
        ids = [typing.get_args(a)[0] if typing.get_args(a) else a for a in typing.get_args(annotation)]
        assert annotation is str or ids == [str, type(None)]
    else:
        assert rule.target_key in rule.item.model_fields
        assert item_type(rule.field) is rule.item


def test_the_target_key_is_member_for_memberships_theme_for_theme_links_else_to():
    assert [t.target_key for t in (Membership, ThemeLink, Link)] == ["member", "theme", "to"]
    assert {f.target_key for m in REF_RULES.values() for f in m if f.item} == {"member", "theme", "to"}


def test_a_bare_id_and_a_mapping_with_only_the_target_are_short_and_a_longer_one_is_not():
    bare, target_only, longer = (
        Membership.model_validate(v)
        for v in ("police", {"member": "police"}, {"member": "police", "role": "chair"})
    )
    assert (bare.target, bare.is_short, bare.facts()) == ("police", True, {})
    assert (target_only.is_short, longer.is_short, longer.facts()) == (True, False, {"role": "chair"})
    assert isinstance(longer, Item)


def test_short_items_are_dumped_as_bare_ids_and_long_ones_keep_their_facts():
    reg = loads(
        "organisations: [{id: police, name: Police, type: police-force}]\n"
        "themes: [{id: asb, name: ASB, kind: priority}]\n"
        "bodies:\n"
        "  - {id: top, name: Top, kind: board}\n"
        "  - id: b\n    name: B\n    kind: board\n    reports_to: top\n"
        "    members: [police, {member: top, role: chair}]\n    themes: [{theme: asb}]\n"
    )
    data = record_data(reg.get("b"))
    assert (data["reports_to"], data["members"], data["themes"]) == (
        ["top"],
        ["police", {"member": "top", "role": "chair"}],
        ["asb"],
    )


def test_every_record_kind_has_its_word_and_its_subtype():
    assert {s: m.word for s, m in SECTIONS.items()} == {
        "documents": "document",
        "areas": "area",
        "organisations": "organisation",
        "posts": "post",
        "people": "person",
        "bodies": "body",
        "strategies": "strategy",
        "themes": "theme",
        "platforms": "platform",
    }
    reg = loads(
        "organisations: [{id: o, name: O, type: county-council}]\n"
        "posts: [{id: p, name: P, organisation: o}]\n"
        "bodies: [{id: b, name: B, kind: csp}]\n"
    )
    assert [(r.word, r.subtype) for r in reg.records()] == [
        ("organisation", "county-council"),
        ("post", None),
        ("body", "csp"),
    ]
