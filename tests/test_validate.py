"""Each validation rule, one bad register each: the message and its position."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from govmap.ingest.errors import Level
from govmap.ingest.model import SECTIONS, Body, Membership
from govmap.ingest.reading.load import check_text
from govmap.ingest.reading.messages import quote
from govmap.ingest.reading.yamlsafe import Limits

GOOD = """\
govmap: 1
register: {id: test, name: Test register, top: [board]}
documents:
  - {id: doc, name: A document}
organisations:
  - {id: police, name: Police, type: police-force, sources: [{doc: doc}]}
bodies:
  - id: board
    name: Board
    kind: board
    top_level: true
    members: [police]
    sources: [{doc: doc}]
  - id: group
    name: Group
    kind: group
    reports_to: board
    members: [{member: police, role: chair}]
    sources: [{doc: doc}]
"""


def errors(text: str, **kw) -> list[str]:
    checked = check_text(textwrap.dedent(text), "t.yaml", **kw)
    return [p.format() for p in checked.problems if p.level is Level.ERROR]


def test_a_good_register_has_no_errors_and_no_warnings():
    checked = check_text(GOOD, "t.yaml")
    assert checked.problems == []
    assert checked.register is not None
    assert [b.id for b in checked.register.bodies] == ["board", "group"]


def test_yaml_syntax_error_names_line_and_column():
    assert errors("bodies: [\n  {id: a\n") == [
        "t.yaml:3:1: error: YAML syntax: did not find expected ',' or '}' (while parsing a flow mapping)"
    ]


def test_python_object_tag_is_refused_and_never_run():
    out = errors("bodies:\n  - !!python/object/apply:os.system ['echo hacked']\n")
    assert out[0].startswith("t.yaml:2:5: error: tag '!!python/object/apply:os.system' is not allowed")


def test_anchors_and_aliases_are_refused():
    out = errors("documents:\n  - &d {id: doc, name: D}\n  - *d\n")
    assert "t.yaml:2:5: error: anchor '&d' is not allowed (write the value out in full)" in out
    assert any(line.startswith("t.yaml:3:5: error: alias '*d' is not allowed") for line in out)


def test_an_alias_bomb_is_refused_quickly_without_expanding():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 30):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    out = errors("\n".join(lines))
    assert len(out) == 30 + 29 * 10  # each anchor and each alias once, nothing expanded
    assert out[:3] == [
        "t.yaml:1:5: error: anchor '&a0' is not allowed (write the value out in full)",
        "t.yaml:2:5: error: anchor '&a1' is not allowed (write the value out in full)",
        "t.yaml:2:10: error: alias '*a0' is not allowed (anchors and aliases are refused: write the value out in full)",
    ]


def test_duplicate_key_is_reported_with_both_lines():
    out = errors("bodies:\n  - id: a\n    name: A\n    kind: board\n    name: B\n")
    assert out == [
        "t.yaml:5:5: error: duplicate key 'name' (first at line 3); YAML would silently keep "
        "only the last one (remove or rename one of them)"
    ]


def test_several_documents_are_refused():
    out = errors("bodies: []\n---\nbodies: []\n")
    assert out == [
        "t.yaml:2:1: error: the file holds more than one YAML document (a register is one document: remove the '---' line)"
    ]


def test_oversized_text_is_refused_before_parsing():
    from govmap.ingest.errors import RegisterError
    from govmap.ingest.reading.yamlsafe import decode

    with pytest.raises(RegisterError) as info:
        decode(b"x" * 2000, "big.yaml", Limits(max_bytes=1000))
    assert info.value.format() == (
        "big.yaml:1:1: error: file is 2,000 bytes, over the limit of 1,000 "
        "(split the register, or raise the limit with GOVMAP_MAX_BYTES)"
    )


def test_absurd_nesting_is_refused_without_crashing():
    out = errors("a: " + "[" * 100_000 + "]" * 100_000)
    # Our own limit, or libyaml's where the bundled libyaml has one (it scans ahead).
    assert len(out) == 1
    assert out[0] in (
        "t.yaml:1:35: error: nesting deeper than 32 levels",
        "t.yaml:1:1003: error: YAML syntax: exceeded maximum nesting depth (while increasing flow level)",
    )


def test_bytes_that_are_not_utf8_name_their_line_and_column():
    from govmap.ingest.errors import RegisterError
    from govmap.ingest.reading.yamlsafe import decode

    with pytest.raises(RegisterError) as info:
        decode(b"bodies:\n  - name: Caf" + b"\xe9\n", "latin.yaml")
    assert (
        info.value.format() == "latin.yaml:2:14: error: byte 0xe9 is not valid UTF-8 (save the file as UTF-8)"
    )


def test_top_level_must_be_a_mapping():
    assert errors("- a\n- b\n") == [
        "t.yaml:1:1: error: the register must be a mapping of sections (documents, areas, "
        "organisations, bodies, ...), not list"
    ]


def test_unknown_section_suggests_the_nearest():
    assert errors("bodys: []\n") == ["t.yaml:1:1: error: unknown section 'bodys' (did you mean 'bodies'?)"]


def test_misspelt_key_points_at_the_key_and_suggests():
    out = errors("bodies:\n  - id: a\n    name: A\n    kind: board\n    membrs: []\n")
    assert out == ["t.yaml:5:5: error: body 'a': unknown key 'membrs' (did you mean 'members'?)"]


def test_misspelt_value_lists_the_choices_and_suggests():
    out = errors("bodies:\n  - {id: a, name: A, kind: bord}\n")
    assert out == [
        "t.yaml:2:28: error: body 'a': kind: 'bord' is not one of board, partnership, csp, group, "
        "steering-group, network, unit, committee, other (did you mean 'board'?)"
    ]


def test_missing_required_key_is_named():
    assert errors("bodies:\n  - {id: a, kind: board}\n") == [
        "t.yaml:2:5: error: body 'a': missing required key 'name'"
    ]


def test_wrong_type_is_explained():
    out = errors("bodies:\n  - {id: a, name: A, kind: board, statutory: maybe}\n")
    assert out == [
        "t.yaml:2:46: error: body 'a': statutory: should be a valid boolean, unable to interpret input"
    ]


def test_an_id_that_is_not_a_slug_gets_a_suggestion():
    out = errors("bodies:\n  - {id: County Board, name: A, kind: board}\n")
    assert out == [
        "t.yaml:2:10: error: body 'County Board': id: 'County Board' is not a valid id "
        "(use lowercase letters, digits and hyphens, e.g. 'county-board')"
    ]


def test_unknown_reference_suggests_the_nearest_id():
    out = errors(GOOD.replace("reports_to: board", "reports_to: bord"))
    assert out == [
        "t.yaml:17:17: error: body 'group': reports_to 'bord' is not defined (did you mean 'board'?)"
    ]


def test_reference_to_the_wrong_kind_is_refused():
    out = errors(GOOD.replace("reports_to: board", "reports_to: police"))
    assert out == [
        "t.yaml:17:17: error: body 'group': reports_to 'police' is an organisation; reports_to must name a body"
    ]


def test_a_member_must_be_an_organisation_post_person_or_body():
    out = errors(GOOD.replace("members: [police]", "members: [doc]"))
    assert out == [
        "t.yaml:12:15: error: body 'board': members 'doc' is a document; members must name an "
        "organisation, post, person or body"
    ]


def test_ids_are_unique_across_sections():
    out = errors(GOOD + "themes:\n  - {id: police, name: Policing, kind: priority}\n")
    assert out == [
        "t.yaml:21:10: error: id 'police' is used twice (first by an organisation, item 1 of organisations) "
        "(ids must be unique across the whole register)"
    ]


def test_a_reporting_cycle_is_an_error():
    out = errors(GOOD.replace("    top_level: true\n", "    reports_to: group\n"))
    assert out == [
        "t.yaml:11:17: error: body 'board': reports_to makes a cycle: board -> group -> board "
        "(a body cannot be accountable, directly or not, to itself: remove one link)"
    ]


def test_a_cycle_through_sub_group_of_is_an_error_too():
    text = (
        GOOD
        + "  - {id: c, name: C, kind: group, sub_group_of: d}\n  - {id: d, name: D, kind: group, reports_to: c}\n"
    )
    out = errors(text)
    assert len(out) == 1 and "makes a cycle: c -> d -> c" in out[0]


def test_unknown_source_document_is_an_error():
    out = errors(GOOD.replace("sources: [{doc: doc}]}", "sources: [{doc: dco}]}"))
    assert out == [
        "t.yaml:6:68: error: organisation 'police': source document 'dco' is not defined (did you mean 'doc'?)"
    ]


def test_all_problems_are_reported_in_one_run_sorted_by_line():
    text = (
        GOOD.replace("kind: group", "kind: grup").replace("reports_to: board", "reports_to: bord")
        + "oops: 1\n"
    )
    # 'grup' makes the record invalid; its unresolved 'bord' is reported all the same.
    assert errors(text) == [
        "t.yaml:16:11: error: body 'group': kind: 'grup' is not one of board, partnership, csp, group, "
        "steering-group, network, unit, committee, other (did you mean 'group'?)",
        "t.yaml:17:17: error: body 'group': reports_to 'bord' is not defined (did you mean 'board'?)",
        "t.yaml:20:1: error: unknown section 'oops' (sections are: govmap, register, documents, areas, "
        "organisations, posts, people, bodies, strategies, themes, platforms)",
    ]


def test_a_repeated_id_does_not_hide_the_records_own_problems():
    text = (
        "bodies:\n"
        "  - {id: a, name: A, kind: board}\n"
        "  - id: a\n"
        "    kind: board\n"
        "    colour: red\n"
        "    reports_to: nowhere\n"
    )
    assert errors(text) == [
        "t.yaml:3:5: error: body 'a': missing required key 'name'",
        "t.yaml:3:9: error: id 'a' is used twice (first by a body, item 1 of bodies) "
        "(ids must be unique across the whole register)",
        "t.yaml:5:5: error: body 'a': unknown key 'colour' (allowed keys: "
        + ", ".join(f.alias or n for n, f in Body.model_fields.items())
        + ")",
        "t.yaml:6:17: error: body 'a': reports_to 'nowhere' is not defined (add a body with id 'nowhere')",
    ]


def test_an_invalid_record_still_has_its_sources_and_members_checked():
    text = (
        "bodies:\n"
        "  - id: a\n"
        "    name: A\n"
        "    kind: bored\n"
        "    sources: [{doc: nodoc}]\n"
        "    members: [ghost]\n"
    )
    assert errors(text) == [
        "t.yaml:4:11: error: body 'a': kind: 'bored' is not one of board, partnership, csp, group, "
        "steering-group, network, unit, committee, other (did you mean 'board'?)",
        "t.yaml:5:21: error: body 'a': source document 'nodoc' is not defined "
        "(add a document with id 'nodoc' to documents)",
        "t.yaml:6:15: error: body 'a': members 'ghost' is not defined "
        "(add an organisation, post, person or body with id 'ghost')",
    ]


@pytest.mark.parametrize("word", ["date", "int", "str"])
def test_a_stray_key_named_like_a_type_is_an_unknown_key_not_a_crash(word):
    text = f"bodies:\n  - id: a\n    name: A\n    kind: board\n    members:\n      - member: a\n        {word}: 1\n"
    assert [e for e in errors(text) if "unknown key" in e] == [
        f"t.yaml:7:9: error: body 'a': unknown key '{word}' (allowed keys: "
        + ", ".join(f.alias or n for n, f in Membership.model_fields.items())
        + ")"
        if word != "str"
        else "t.yaml:7:9: error: body 'a': unknown key 'str' (did you mean 'start'?)"
    ]


def test_a_long_value_is_quoted_cut_with_its_length():
    text = "bodies:\n  - id: a\n    name: A\n    kind: " + "x" * 1_000_000 + "\n"
    (line,) = errors(text)
    assert line == (
        "t.yaml:4:11: error: body 'a': kind: '" + "x" * 79 + "…' (1,000,000 characters) is not one of board, "
        "partnership, csp, group, steering-group, network, unit, committee, other"
    )


def test_warnings_are_distinct_from_errors():
    checked = check_text("bodies:\n  - {id: a, name: A, kind: board}\n", "t.yaml")
    assert checked.register is not None
    assert [p.format() for p in checked.warnings] == [
        "t.yaml:2:5: warning: body 'a' has no source; it is shown as unconfirmed",
        "t.yaml:2:5: warning: body 'a' has no members recorded",
    ]


def test_a_fact_without_a_source_is_never_confirmed():
    from govmap.ingest.model import Status, effective_status

    reg = check_text("bodies:\n  - {id: a, name: A, kind: board}\n", "t.yaml").register
    assert effective_status(reg.bodies[0]) is Status.UNCONFIRMED


def test_a_bare_id_relation_takes_its_records_status_and_sources():
    reg = check_text(GOOD, "t.yaml").register
    rel = next(r for r in reg.relations() if r.type.value == "reports_to")
    assert rel.status.value == "confirmed"
    assert rel.sources[0].doc == "doc"


def test_validation_never_writes(tmp_path):
    from govmap.ingest.reading.load import check_register

    path = tmp_path / "b.yaml"
    path.write_text("bodies: [\n")
    before = sorted(tmp_path.iterdir())
    check_register(path)
    assert sorted(tmp_path.iterdir()) == before
    assert path.read_text() == "bodies: [\n"


def test_status_confirmed_without_any_source_reads_unconfirmed_and_warns():
    from govmap.ingest.model import Status, effective_status

    text = "organisations:\n  - {id: o, name: O, type: other}\nbodies:\n  - {id: a, name: A, kind: board, status: confirmed, members: [{member: o, status: confirmed}]}\n"
    checked = check_text(text, "t.yaml")
    body = checked.register.bodies[0]
    assert effective_status(body) is Status.UNCONFIRMED
    assert {r.status for r in checked.register.relations()} == {Status.UNCONFIRMED}
    assert (
        "t.yaml:4:43: warning: body 'a' says status: confirmed but has no source; it is shown as unconfirmed "
        "(add a source, or remove the status)"
    ) in [p.format() for p in checked.warnings]


def test_a_link_marked_confirmed_takes_the_source_of_its_record():
    from govmap.ingest.model import Status

    checked = check_text(
        GOOD.replace("members: [police]", "members: [{member: police, status: confirmed}]"), "t.yaml"
    )
    rel = next(r for r in checked.register.relations() if r.type.value == "member_of" and r.target == "board")
    assert rel.status is Status.CONFIRMED and rel.sources[0].doc == "doc"


def test_documents_are_confirmed_as_the_sources_themselves():
    from govmap.ingest.model import Status, effective_status

    reg = check_text(GOOD, "t.yaml").register
    assert effective_status(reg.documents[0]) is Status.CONFIRMED


#: The smallest valid record of each section.
MINIMAL = {
    "documents": {"id": "r", "name": "R"},
    "areas": {"id": "r", "name": "R", "kind": "county"},
    "organisations": {"id": "r", "name": "R", "type": "other"},
    "posts": {"id": "r", "name": "R", "organisation": "r"},
    "people": {"id": "r", "name": "R"},
    "bodies": {"id": "r", "name": "R", "kind": "board"},
    "strategies": {"id": "r", "name": "R", "kind": "plan"},
    "themes": {"id": "r", "name": "R", "kind": "priority"},
    "platforms": {"id": "r", "name": "R", "kind": "dashboard"},
}


def test_the_minimal_records_are_valid():
    assert set(MINIMAL) == set(SECTIONS)
    for section, record in MINIMAL.items():
        SECTIONS[section].model_validate(record)


@given(
    section=st.sampled_from(sorted(MINIMAL)),
    key=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
    value=st.one_of(st.integers(), st.text(max_size=20), st.none(), st.lists(st.integers(), max_size=2)),
)
@settings(max_examples=300, deadline=None)
def test_any_key_on_any_record_gives_a_message_never_a_traceback(section, key, value):
    assume(key not in MINIMAL[section])
    record = {**MINIMAL[section], key: value}
    text = yaml.safe_dump({section: [record]}, allow_unicode=True, width=10_000)
    (key,) = set(yaml.safe_load(text)[section][0]) - set(MINIMAL[section])  # as YAML reads it back
    checked = check_text(text, "t.yaml")
    lines = [p.format() for p in checked.problems]
    assert all(line.startswith("t.yaml:") for line in lines), lines
    if key not in SECTIONS[section].model_fields:
        word = SECTIONS[section].word
        assert any(f"{word} 'r': unknown key {quote(key)}" in line for line in lines), lines


def test_a_post_without_its_organisation_is_reported_not_a_traceback():
    checked = check_text("govmap: 1\nposts:\n  - {id: p, name: P}\n", "r.yaml")
    assert [p.format() for p in checked.errors] == [
        "r.yaml:3:5: error: post 'p': missing required key 'organisation'"
    ]
