"""An edit checked on its record's neighbourhood refuses exactly what the whole register refuses."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govmap.ingest.errors import EditInvalid, GovmapError
from govmap.ingest.model import record_version
from govmap.ingest.reading.load import loads
from govmap.ingest.store.edit_values import (
    AddLink,
    ChangeRecord,
    RemoveLink,
    RemoveRecord,
)
from govmap.ingest.store.edits import apply_edit
from govmap.ingest.store.patch import Document, apply_to_document, record_block
from govmap.ingest.store.yamlstore import YamlStore
from tests.editsupport import TEXT, edits


def outcome(run: Any) -> tuple[Any, ...]:
    """What an edit did: the new text and register, or the refusal with its form messages."""
    try:
        applied = run()
    except EditInvalid as exc:
        return ("invalid", exc.fields, exc.general)
    except GovmapError as exc:
        return (type(exc).__name__, exc.message)
    return ("saved", applied.text, applied.register)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(edits, min_size=1, max_size=3))
def test_an_edit_checked_on_its_neighbourhood_is_refused_exactly_when_the_whole_register_refuses_it(
    steps: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Several edits in a row on one document (as the store keeps it), each against the
    whole-register edit of the same text: the same refusal with the same form messages, or the
    same new text and register.  The store words every refusal on the whole register, so the
    log also must not show the neighbourhood refusing what the whole register accepts."""
    caplog.set_level(logging.WARNING, logger="govmap.ingest.store.patch")
    caplog.clear()
    text = TEXT
    document = Document.parse(text, loads(text))
    for edit in steps:
        whole = outcome(lambda e=edit, t=text: apply_edit(t, e))
        fast = outcome(lambda e=edit: apply_to_document(document, e))
        assert fast == whole, edit
        assert [r.getMessage() for r in caplog.records] == [], edit
        if whole[0] == "saved":
            text = whole[1]
        assert document.text == text


def test_a_refused_edit_gets_the_whole_registers_messages_and_field(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Worded on the neighbourhood (not by validating the whole file again), yet "did you mean"
    looks at every id of the register."""
    caplog.set_level(logging.DEBUG, logger="govmap.ingest.store.patch")
    path = tmp_path / "web.yaml"
    path.write_text(TEXT, encoding="utf-8")
    store = YamlStore(path)
    version = record_version(store.load()[0].get("north-csp"))
    with pytest.raises(EditInvalid) as caught:
        store.apply(AddLink("north-csp", "members", "testshire-polise"), version, "alice")
    assert caught.value.fields == {
        "member": [
            "body 'north-csp': members 'testshire-polise' is not defined (did you mean 'testshire-police'?)"
        ]
    }
    assert path.read_text(encoding="utf-8") == TEXT
    assert [r.getMessage() for r in caplog.records] == [
        "north-csp: refused on its neighbourhood: the change was not saved: 1 problem to fix"
    ]


def test_removing_a_record_others_name_is_refused_naming_them() -> None:
    document = Document.parse(TEXT, loads(TEXT))
    with pytest.raises(EditInvalid) as caught:
        apply_to_document(document, RemoveRecord("north-council"))
    # Worded as the whole register words it: "did you mean" looks at every id, not the neighbourhood's.
    assert caught.value.general == [
        "body 'north-csp': members 'north-council' is not defined (did you mean 'testshire-council'?)"
    ]
    assert document.text == TEXT


def test_a_cycle_through_the_edited_body_is_refused() -> None:
    document = Document.parse(TEXT, loads(TEXT))
    with pytest.raises(EditInvalid) as caught:
        apply_to_document(document, AddLink("county-board", "reports_to", "north-csp"))
    assert caught.value.fields == {
        "to": [
            "body 'county-board': reports_to makes a cycle: county-board -> north-csp -> county-board "
            "(a body cannot be accountable, directly or not, to itself: remove one link)"
        ]
    }


def test_an_edit_is_written_in_place_of_its_record_s_lines_only() -> None:
    document = Document.parse(TEXT, loads(TEXT))
    applied = apply_to_document(document, ChangeRecord("north-csp", {"name": "North CSP"}))
    assert document._doc is None  # the whole document was never parsed
    assert applied.text == TEXT.replace("name: North Community Safety Partnership", "name: North CSP")


def test_a_record_s_lines_run_to_the_next_item_of_its_list_comments_included() -> None:
    start, end = record_block(TEXT, "testshire-council")  # type: ignore[misc]
    assert TEXT[start:end] == (
        "  - id: testshire-council\n    name: Testshire County Council\n    type: county-council\n"
        "    areas: testshire\n    sources: [{doc: csa-2024}]\n"
    )
    start, end = record_block(TEXT, "north-council")  # type: ignore[misc]
    assert TEXT[end:].startswith("bodies:\n  # The top of the landscape.\n")
    assert record_block(TEXT, "north") is None
    assert record_block(TEXT.replace("  - id: drugs-group", "  - id: north-csp"), "north-csp") is None


def test_a_save_never_falls_back_because_the_neighbourhood_disagreed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="govmap.ingest.store.patch")
    document = Document.parse(TEXT, loads(TEXT))
    apply_to_document(document, ChangeRecord("drugs-group", {"sub_group_of": ["north-csp"]}))
    assert caplog.records == []


def test_a_cycle_closed_through_bodies_the_edit_does_not_name_is_refused() -> None:
    document = Document.parse(TEXT, loads(TEXT))
    apply_to_document(document, ChangeRecord("north-csp", {"reports_to": ["drugs-group"]}))
    with pytest.raises(EditInvalid) as caught:
        apply_to_document(document, AddLink("county-board", "reports_to", "north-csp"))
    assert caught.value.fields == {
        "to": [
            "body 'county-board': reports_to makes a cycle: county-board -> north-csp -> drugs-group -> county-board "
            "(a body cannot be accountable, directly or not, to itself: remove one link)"
        ]
    }


def test_the_records_naming_a_record_are_kept_in_step_with_the_edits_in_between() -> None:
    document = Document.parse(TEXT, loads(TEXT))
    apply_to_document(document, RemoveRecord("county-plan"))  # a removal: who names what is indexed
    apply_to_document(document, AddLink("drugs-group", "members", "north-council"))
    apply_to_document(document, RemoveLink("north-csp", "members", 0))
    with pytest.raises(EditInvalid) as caught:
        apply_to_document(document, RemoveRecord("north-council"))
    assert caught.value.general == [
        "body 'drugs-group': members 'north-council' is not defined (did you mean 'testshire-council'?)",
    ]
    apply_to_document(document, RemoveLink("drugs-group", "members", 1))
    apply_to_document(document, RemoveRecord("north-council"))
    assert "north-council" not in document.register
