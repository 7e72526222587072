"""An edit checked on a small register through ruamel on the edited record alone
decides exactly as the round trip of the small register's whole text did."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from govmap.ingest.errors import EditInvalid, GovmapError
from govmap.ingest.model import Register
from govmap.ingest.reading.load import check_text
from govmap.ingest.reading.yamlsafe import parse
from govmap.ingest.store.dump import dump_register
from govmap.ingest.store.edit_values import (
    AddLink,
    AddRecord,
    ChangeRecord,
)
from govmap.ingest.store.edits import edit_invalid
from govmap.ingest.store.hoodcheck import check_edit
from govmap.ingest.store.mutate import mutate
from govmap.ingest.store.roundtrip import dump_document, load_document, round_trip_yaml
from tests.editsupport import REGISTER, edits


def whole_text_check(edit: Any, records: list[Any]) -> str:
    """The check as it was: the small register's whole text through ruamel."""
    sections: dict[str, list[Any]] = {}
    for rec in records:
        sections.setdefault(rec.section, []).append(rec)
    reg = Register.model_construct(govmap=1, info=REGISTER.info, **{k: tuple(v) for k, v in sections.items()})
    text = dump_register(reg)
    before = check_text(text, "register")
    y = round_trip_yaml(text)
    doc = load_document(text, y)
    where = mutate(doc, edit)
    new_text = dump_document(doc, y, text)
    after = check_text(new_text, "register")
    old = {(p.code, p.message) for p in before.errors}
    added = [p for p in after.errors if (p.code, p.message) not in old]
    if added:
        raise edit_invalid(edit, added, new_text, where)
    return new_text


def outcome(run: Any) -> tuple[Any, ...]:
    try:
        text = run()
    except EditInvalid as exc:
        return ("invalid", exc.fields, exc.general)
    except GovmapError as exc:
        return (type(exc).__name__, exc.message)
    return ("saved", parse(text, "<edit>").data)


def neighbourhood(edit: Any) -> list[Any]:
    """The edited record first, then every other record (a neighbourhood as large as it gets),
    or for an added record every record in register order."""
    first = [] if isinstance(edit, AddRecord) else [r for r in REGISTER.records() if r.id == edit.subject]
    return [*first, *(r for r in REGISTER.records() if r not in first)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit=edits)
def test_an_edit_checked_through_its_record_alone_decides_as_the_whole_text_round_trip(edit: Any) -> None:
    records = neighbourhood(edit)
    fast = outcome(lambda: check_edit(edit, records, REGISTER.info))
    assert fast == outcome(lambda: whole_text_check(edit, records)), edit


def test_a_neighbourhood_missing_a_named_record_refuses_only_what_the_edit_adds() -> None:
    """A body naming a record outside the small register is not the edit's error; naming a
    record that exists nowhere is, on its field."""
    body = REGISTER.bodies[0]
    records = [body]  # its members, themes ... are outside this small register
    text = check_edit(ChangeRecord(body.id, {"name": "Renamed board"}), records, REGISTER.info)
    assert "name: Renamed board" in text
    with pytest.raises(EditInvalid) as refused:
        check_edit(AddLink(body.id, "reports_to", "nowhere"), records, REGISTER.info)
    assert refused.value.fields == {
        "to": [f"body '{body.id}': reports_to 'nowhere' is not defined (add a body with id 'nowhere')"]
    }
    assert refused.value.general == []
