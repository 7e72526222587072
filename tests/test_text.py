"""Text is cleaned once, at the edge; whatever passes is saved, read back, audited and edited again."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govmap.ingest.model import record_version
from govmap.ingest.reading.load import check_text
from govmap.ingest.store.audit import read_audit
from govmap.ingest.store.edit_values import ChangeRecord
from govmap.ingest.store.yamlstore import YamlStore
from govmap.ingest.text import TextRefused, clean_text, clean_url
from tests.websupport import REGISTERS


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        ("  North CSP  ", "name", "North CSP"),
        ("A\u2028B", "name", "A B"),
        ("A\u2029B\u0085C", "name", "A B C"),
        ("A\tB", "name", "A B"),
        ("A\r\nB", "name", "A B"),
        ("One\u2028two\u2029three\u0085four", "description", "One\ntwo\nthree\nfour"),
        ("One  \r\n\r\ntwo\t\n\n", "description", "One\n\ntwo"),
        ("Cafe\u0301", "name", "Caf\u00e9"),
    ],
)
def test_line_separators_tabs_and_spaces_are_normalised_to_fit_the_field(
    value: str, field: str, expected: str
) -> None:
    assert clean_text(value, field) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("\x1b[31mred", "name: contains the control character U+001B (ESCAPE); remove it"),
        ("nul\x00", "name: contains the control character U+0000 (NUL); remove it"),
        ("bell\x07", "name: contains the control character U+0007 (CONTROL-G); remove it"),
        (
            "abc\u202edcba",
            "name: contains the text-direction control U+202E (RIGHT-TO-LEFT OVERRIDE); remove it",
        ),
        ("x\ud800", "name: contains the unpaired surrogate U+D800; remove it"),
    ],
)
def test_control_characters_are_refused_naming_the_field_and_the_character(value: str, message: str) -> None:
    with pytest.raises(TextRefused) as caught:
        clean_text(value, "name")
    assert caught.value.message == message
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://x.example/", "https://"]
)
def test_a_url_must_be_a_web_address(url: str) -> None:
    with pytest.raises(TextRefused) as caught:
        clean_url(url)
    assert caught.value.message == f"url: must be a web address starting http:// or https://, not {url!r}"
    assert clean_url("https://www.gov.uk/x?y=1") == "https://www.gov.uk/x?y=1"


def test_a_register_file_with_a_control_character_or_line_separator_is_invalid_at_its_position() -> None:
    text = (
        "govmap: 1\nthemes:\n"
        '  - id: a\n    name: "A\\e[2J"\n    kind: priority\n'
        '  - id: b\n    name: B\n    kind: priority\n    description: "one\\Ltwo"\n'
    )
    assert [p.format() for p in check_text(text, "t.yaml").errors] == [
        "t.yaml:4:11: error: theme 'a': name: contains the control character U+001B (ESCAPE); remove it",
        "t.yaml:9:18: error: theme 'b': description: contains the line separator U+2028 (LINE SEPARATOR); "
        "use an ordinary line break or a space",
    ]


def test_the_audit_log_is_read_line_by_line_on_newlines_only(tmp_path: Path) -> None:
    store = YamlStore(_copy(tmp_path))
    rec = store.load()[0].get("north-csp")
    # Written through the store (not cleaned: the library trusts its caller), JSON keeps U+2028 raw.
    store.apply(ChangeRecord("north-csp", {"name": "A B"}), record_version(rec), "alice")
    log = Path(store.audit_path)
    log.write_text(log.read_text(encoding="utf-8").replace("A B", "A\u2028B\u0085C"), encoding="utf-8")
    assert [e.after["name"] for e in read_audit(log) if e.after] == ["A\u2028B\u0085C"]


def _copy(folder: Path) -> Path:
    target = folder / "boards.yaml"
    shutil.copy(REGISTERS / "web.yaml", target)
    return target


TEXT = st.text(st.characters(codec="utf-8"), max_size=80)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, description=TEXT)
def test_any_text_that_passes_the_edge_is_saved_read_back_audited_and_edited_again(
    name: str, description: str
) -> None:
    try:
        name = clean_text(name, "name")
        description = clean_text(description, "description")
    except TextRefused:
        return
    if not name:
        return
    with tempfile.TemporaryDirectory() as folder:
        store = YamlStore(_copy(Path(folder)))
        register, _ = store.load()
        store.apply(
            ChangeRecord("north-csp", {"name": name, "description": description or None}),
            record_version(register.get("north-csp")),
            "alice",
        )
        fresh = YamlStore(store.path)  # read back from the file, not from memory
        saved = fresh.load()[0].get("north-csp")
        assert (saved.name, saved.description) == (name, description or None)
        (entry,) = fresh.history()
        assert entry.after is not None and entry.after["name"] == name
        again = fresh.load()[0]
        fresh.apply(
            ChangeRecord("drugs-group", {"name": "Next"}), record_version(again.get("drugs-group")), "bob"
        )
        fresh.apply(
            ChangeRecord("north-csp", {"name": name + " 2"}), record_version(again.get("north-csp")), "bob"
        )
        assert [e.user for e in fresh.history()] == ["bob", "bob", "alice"]
        assert YamlStore(store.path).load()[0].get("north-csp").name == name + " 2"
