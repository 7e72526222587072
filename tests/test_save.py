"""Register edits as library functions: comments kept, validated, atomic, versioned, audited."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govmap.ingest.errors import EditConflict, EditInvalid, EditRefused, UnknownRecord
from govmap.ingest.model import record_version
from govmap.ingest.reading.load import loads
from govmap.ingest.store.edit_values import (
    AddLink,
    AddRecord,
    ChangeLink,
    ChangeRecord,
    RemoveLink,
    RemoveRecord,
)
from govmap.ingest.store.edits import apply_edit
from govmap.ingest.store.files import version_of
from govmap.ingest.store.yamlstore import Store, YamlStore
from tests.websupport import REGISTERS

TEXT = (REGISTERS / "web.yaml").read_text(encoding="utf-8")
SEED = Path(__file__).resolve().parent.parent / "data" / "boards.yaml"


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(), after.splitlines()
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def test_a_change_rewrites_only_its_own_line() -> None:
    out = apply_edit(TEXT, ChangeRecord("drugs-group", {"name": "Drugs Group"})).text
    assert changed_lines(TEXT, out) == [("    name: Drugs Working Group", "    name: Drugs Group")]


def test_the_seed_register_round_trips_byte_for_byte_through_an_edit_of_nothing() -> None:
    text = SEED.read_text(encoding="utf-8")
    assert apply_edit(text, ChangeRecord(loads(text).bodies[0].id, {})).text == text


def test_setting_link_ids_keeps_the_details_of_links_that_stay() -> None:
    out = apply_edit(TEXT, ChangeRecord("county-board", {"areas": ["testshire", "north-district"]})).text
    assert "    areas: [testshire, north-district]\n" in out
    text = TEXT.replace("reports_to: county-board", "reports_to: [{to: county-board, note: since 2019}]")
    out = apply_edit(text, ChangeRecord("north-csp", {"reports_to": ["county-board", "drugs-group"]})).text
    assert "reports_to: [{to: county-board, note: since 2019}, drugs-group]" in out


def test_a_membership_with_only_its_member_is_written_as_a_bare_id() -> None:
    out = apply_edit(TEXT, AddLink("drugs-group", "members", {"member": "north-council"})).text
    assert "    members: [testshire-council, north-council]\n" in out
    out = apply_edit(
        TEXT, AddLink("drugs-group", "members", {"member": "north-council", "role": "chair"})
    ).text
    assert "[testshire-council, {member: north-council, role: chair}]" in out


def test_a_link_is_changed_and_removed_by_its_position() -> None:
    out = apply_edit(TEXT, ChangeLink("north-csp", "themes", 1, {"theme": "drugs", "role": "lead"}))
    assert out.after is not None and out.after["themes"][1] == {"theme": "drugs", "role": "lead"}
    out = apply_edit(TEXT, RemoveLink("north-csp", "themes", 0))
    assert out.after is not None and out.after["themes"] == [{"theme": "drugs"}]
    with pytest.raises(UnknownRecord, match="'north-csp' has no theme link #9"):
        apply_edit(TEXT, RemoveLink("north-csp", "themes", 8))


def test_removing_the_last_item_of_a_list_removes_the_key() -> None:
    out = apply_edit(TEXT, RemoveLink("drugs-group", "members", 0)).text
    assert "members: [testshire-council]" not in out


def test_a_field_that_is_not_a_list_of_links_is_refused() -> None:
    with pytest.raises(EditRefused, match="'name' is not a list of links of a body"):
        apply_edit(TEXT, AddLink("north-csp", "name", "x"))


def test_an_unknown_record_suggests_the_nearest_id() -> None:
    with pytest.raises(UnknownRecord) as caught:
        apply_edit(TEXT, ChangeRecord("north-cps", {"name": "x"}))
    assert caught.value.format() == "error: no record with id 'north-cps' (did you mean 'north-csp'?)"


def test_an_invalid_edit_names_the_field_and_the_problems_elsewhere() -> None:
    with pytest.raises(EditInvalid) as caught:
        apply_edit(TEXT, ChangeRecord("north-csp", {"kind": "bored"}))
    assert caught.value.fields == {
        "kind": [
            "body 'north-csp': kind: 'bored' is not one of board, partnership, csp, group, steering-group, "
            "network, unit, committee, other (did you mean 'board'?)"
        ]
    }
    with pytest.raises(EditInvalid) as caught:
        apply_edit(TEXT, RemoveRecord("drugs"))
    assert caught.value.fields == {}
    assert (
        "body 'north-csp': themes 'drugs' is not defined (add a theme with id 'drugs')"
        in caught.value.general
    )


def test_a_new_record_lands_at_the_end_of_its_section() -> None:
    out = apply_edit(
        TEXT, AddRecord("themes", {"id": "fraud", "name": "Fraud", "kind": "public-concern"})
    ).text
    assert out.endswith("  - id: fraud\n    name: Fraud\n    kind: public-concern\n")
    out = apply_edit(
        "govmap: 1\n", AddRecord("themes", {"id": "fraud", "name": "Fraud", "kind": "priority"})
    ).text
    assert loads(out).themes[0].name == "Fraud"


YAML_11_WORDS = ["Yes", "No", "On", "Off", "y", "12:30", "1:20:30", "~", "null", "2024-01-01", "0x1F", "1e3"]


@pytest.mark.parametrize("text", YAML_11_WORDS)
def test_text_that_yaml_1_1_reads_as_another_type_is_written_quoted_and_reads_back_as_text(text: str) -> None:
    out = apply_edit(TEXT, ChangeRecord("north-csp", {"description": text}))
    assert out.after is not None and out.after["description"] == text
    assert loads(out.text).get("north-csp").description == text


def test_a_new_record_named_yes_is_saved_with_its_name_quoted() -> None:
    out = apply_edit(TEXT, AddRecord("themes", {"id": "yes", "name": "Yes", "kind": "priority"})).text
    assert out.endswith("  - id: 'yes'\n    name: 'Yes'\n    kind: priority\n")


def test_an_edit_leaves_the_yaml_1_1_words_already_in_the_file_as_they_were() -> None:
    text = TEXT.replace("top_level: true", "top_level: yes")
    out = apply_edit(text, ChangeRecord("drugs-group", {"name": "Drugs Group"})).text
    assert changed_lines(text, out) == [("    name: Drugs Working Group", "    name: Drugs Group")]
    assert loads(out).get("county-board").top_level is True


def test_an_edit_to_a_crlf_file_keeps_crlf_on_every_line() -> None:
    text = TEXT.replace("\n", "\r\n")
    out = apply_edit(text, ChangeRecord("drugs-group", {"name": "Drugs Group"})).text
    assert out.count("\n") == out.count("\r\n") == text.count("\r\n")
    assert changed_lines(text, out) == [("    name: Drugs Working Group", "    name: Drugs Group")]
    added = apply_edit(text, AddRecord("themes", {"id": "fraud", "name": "Fraud", "kind": "priority"})).text
    assert added.endswith("  - id: fraud\r\n    name: Fraud\r\n    kind: priority\r\n")
    assert added.count("\n") == added.count("\r\n")


def test_the_audit_diff_of_an_edit_to_a_crlf_file_shows_only_the_changed_line(tmp_path: Path) -> None:
    path = tmp_path / "boards.yaml"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode("utf-8"))
    store = YamlStore(path)
    store.apply(ChangeRecord("drugs-group", {"name": "Drugs Group"}), store.load()[1], "alice")
    diff = store.history()[0].diff.splitlines()
    assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-    name: Drugs Working Group",
        "+    name: Drugs Group",
    ]
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")


def test_a_new_record_missing_its_id_name_and_kind_is_refused_at_those_fields() -> None:
    with pytest.raises(EditInvalid) as caught:
        apply_edit(TEXT, AddRecord("themes", {"broader": "violence"}))
    assert caught.value.fields == {
        "id": ["theme #3 in themes: missing required key 'id'"],
        "name": ["theme #3 in themes: missing required key 'name'"],
        "kind": ["theme #3 in themes: missing required key 'kind'"],
    }
    assert caught.value.general == []


NAMES = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES.filter(lambda s: s.strip() == s and s.strip()))
def test_any_name_is_written_so_that_it_reads_back_exactly(name: str) -> None:
    out = apply_edit(TEXT, ChangeRecord("north-csp", {"name": name})).text
    assert loads(out).get("north-csp").name == name
    assert len(changed_lines(TEXT, out)) == 1


# -- the store ------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> YamlStore:
    path = tmp_path / "boards.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return YamlStore(path)


def test_the_yaml_store_meets_the_store_protocol(store: YamlStore) -> None:
    assert isinstance(store, Store)


def test_the_version_is_the_sha256_of_the_file(store: YamlStore) -> None:
    _, version = store.load()
    assert version == version_of(Path(store.path).read_bytes())


def test_an_edit_on_a_stale_version_writes_nothing(store: YamlStore) -> None:
    _, v1 = store.load()
    v2 = store.apply(ChangeRecord("north-csp", {"name": "One"}), v1, "alice")
    before = Path(store.path).read_bytes()
    with pytest.raises(EditConflict) as caught:
        store.apply(ChangeRecord("north-csp", {"name": "Two"}), v1, "bob")
    assert caught.value.message.startswith(
        "'north-csp' was changed by someone else since you opened this form"
        " (change name of 'north-csp' by alice at "
    )
    assert Path(store.path).read_bytes() == before
    assert store.load()[1] == v2
    assert [e.user for e in store.history()] == ["alice"]


def test_of_many_edits_against_one_version_exactly_one_wins(store: YamlStore) -> None:
    _, version = store.load()
    results: list[str] = []

    def edit(n: int) -> None:
        try:
            store.apply(ChangeRecord("north-csp", {"name": f"Name {n}"}), version, f"user{n}")
            results.append(f"won {n}")
        except EditConflict:
            results.append("conflict")

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("conflict") == 7
    winner = next(r for r in results if r.startswith("won")).split()[1]
    assert store.load()[0].get("north-csp").name == f"Name {winner}"
    assert len(store.history()) == 1


def test_the_audit_log_records_who_what_and_the_record_before_and_after(store: YamlStore) -> None:
    _, v1 = store.load()
    v2 = store.apply(AddLink("drugs-group", "members", "north-council"), v1, "alice")
    v3 = store.apply(RemoveRecord("county-plan"), v2, "bob")
    newest, oldest = store.history()
    assert (oldest.user, oldest.action, oldest.summary) == (
        "alice",
        "add-link",
        "add membership 'north-council' to 'drugs-group'",
    )
    assert oldest.before is not None and oldest.after is not None
    assert oldest.after["members"][-1] == {"member": "north-council"}
    assert (newest.user, newest.record, newest.after, newest.version_after) == (
        "bob",
        "county-plan",
        None,
        v3,
    )
    assert newest.before is not None and newest.before["name"] == "County Safety Plan"
    assert "-  - id: county-plan" in newest.diff


# -- record-level versions ------------------------------------------------------------


def version_of_record(store: YamlStore, record_id: str) -> str:
    return record_version(store.load()[0].get(record_id))


def test_edits_to_different_records_from_forms_opened_at_one_time_are_all_saved(store: YamlStore) -> None:
    forms = {rid: version_of_record(store, rid) for rid in ("north-csp", "drugs-group", "county-plan")}
    for rid, version in forms.items():
        store.apply(ChangeRecord(rid, {"description": f"Edited {rid}"}), version, "alice")
    register = store.load()[0]
    assert [register.get(rid).description for rid in forms] == [f"Edited {rid}" for rid in forms]
    assert [e.record for e in store.history()] == ["county-plan", "drugs-group", "north-csp"]


def test_a_second_edit_to_one_record_from_a_form_opened_before_the_first_is_refused_naming_it(
    store: YamlStore,
) -> None:
    opened = version_of_record(store, "drugs-group")
    store.apply(ChangeRecord("drugs-group", {"description": "First\nline two"}), opened, "alice")
    store.apply(
        ChangeRecord("north-csp", {"name": "Elsewhere"}), version_of_record(store, "north-csp"), "carol"
    )
    with pytest.raises(EditConflict) as caught:
        store.apply(ChangeRecord("drugs-group", {"description": "Second"}), opened, "bob")
    exc = caught.value
    assert exc.message.startswith(
        "'drugs-group' was changed by someone else since you opened this form "
        "(change description of 'drugs-group' by alice at "
    )
    assert exc.record == "drugs-group"
    assert exc.theirs is not None and exc.theirs["description"] == "First\nline two"
    assert [(summary, user) for summary, user, _ in exc.changes] == [
        ("change description of 'drugs-group'", "alice")
    ]


def test_a_new_record_is_refused_as_a_conflict_when_its_id_was_added_meanwhile(store: YamlStore) -> None:
    store.apply(AddRecord("themes", {"id": "fraud", "name": "Fraud", "kind": "priority"}), "absent", "alice")
    with pytest.raises(EditConflict) as caught:
        store.apply(
            AddRecord("themes", {"id": "fraud", "name": "Fraud 2", "kind": "priority"}), "absent", "bob"
        )
    assert caught.value.message.startswith(
        "a record with id 'fraud' was added by someone else since you opened this form (add theme 'fraud' by alice"
    )


@pytest.mark.parametrize("token", ["", "garbage", "0" * 63, "ABSENT"])
def test_a_missing_or_garbage_version_is_a_broken_form_not_a_conflict(store: YamlStore, token: str) -> None:
    with pytest.raises(EditRefused) as caught:
        store.apply(ChangeRecord("north-csp", {"name": "X"}), token, "alice")
    assert caught.value.message == (
        "the form carries no valid version token, so govmap cannot tell what it was opened on; nothing was saved"
    )
    assert caught.value.status == 400


def test_an_edit_made_invalid_by_a_change_elsewhere_is_refused_not_saved(store: YamlStore) -> None:
    store.apply(AddRecord("themes", {"id": "fraud", "name": "Fraud", "kind": "priority"}), "absent", "alice")
    link_version = version_of_record(store, "drugs-group")
    store.apply(RemoveRecord("fraud"), version_of_record(store, "fraud"), "alice")
    before = Path(store.path).read_bytes()
    with pytest.raises(EditInvalid) as caught:
        store.apply(AddLink("drugs-group", "themes", "fraud"), link_version, "bob")
    assert caught.value.fields == {
        "theme": ["body 'drugs-group': themes 'fraud' is not defined (add a theme with id 'fraud')"]
    }
    assert Path(store.path).read_bytes() == before


def test_an_in_place_edit_keeping_size_and_mtime_is_noticed(store: YamlStore) -> None:
    import os

    path = Path(store.path)
    assert store.load()[0].get("north-csp").name == "North Community Safety Partnership"
    st = os.stat(path)
    text = path.read_text(encoding="utf-8").replace(
        "North Community Safety Partnership", "South Community Safety Partnership"
    )
    with open(path, "r+", encoding="utf-8") as f:  # same inode, same size
        f.write(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns
    assert store.load()[0].get("north-csp").name == "South Community Safety Partnership"


def test_an_edit_that_would_leave_the_register_empty_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(
        "govmap: 1\nthemes:\n  - id: only\n    name: Only\n    kind: priority\n", encoding="utf-8"
    )
    store = YamlStore(path)
    with pytest.raises(EditInvalid) as caught:
        store.apply(RemoveRecord("only"), version_of_record(store, "only"), "alice")
    assert caught.value.general == [
        f"empty register: {path} holds no records (is the file truncated, or the wrong one? "
        "loading it would delete every record)"
    ]


# -- destructive loads -----------------------------------------------------------------


def test_an_empty_file_or_one_without_the_header_is_an_invalid_register(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from govmap.cli import cli

    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    headless = tmp_path / "headless.yaml"
    headless.write_text("themes:\n  - {id: a, name: A, kind: priority}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(empty)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{empty}:1:1: error: empty register: {empty} has no 'govmap: 1' header, so it is not a govmap register "
        "(check the path; a register's first line is 'govmap: 1')",
        f"{empty}:1:1: error: empty register: {empty} holds no records (is the file truncated, or the wrong one? "
        "loading it would delete every record)",
        f"{empty}: invalid: 2 errors, 0 warnings",
    ]
    result = CliRunner().invoke(cli, ["validate", str(headless)])
    assert result.exit_code == 1
    assert "error: empty register: " + str(headless) + " has no 'govmap: 1' header" in result.output


def test_the_deletion_guard_refuses_a_load_deleting_more_than_the_allowed_share() -> None:
    from govmap.ingest.reading.guard import DeletionRefused, deletion_guard
    from govmap.ingest.reading.load import loads

    old = loads(TEXT)
    total = len(list(old.records()))
    assert deletion_guard(old, old).deleted == 0
    with pytest.raises(DeletionRefused) as caught:
        deletion_guard(old, [])
    assert caught.value.message == (
        f"this load would delete {total} of {total} records (100%), more than the 20% allowed; nothing was changed"
    )
    assert caught.value.hint is not None and caught.value.hint.endswith("use --max-delete 101 or --force")
    assert caught.value.exit_status == 6
    assert deletion_guard(old, [], force=True).deleted == total
    assert deletion_guard(old, [], max_delete_pct=100).deleted == total
    keep = [r.id for r in old.records()][: total - total // 5]
    assert deletion_guard(old, keep).deleted == total // 5  # 20% exactly is allowed


def test_govmap_load_takes_a_maximum_share_to_delete() -> None:
    from click.testing import CliRunner

    from govmap.cli import cli

    result = CliRunner().invoke(cli, ["load", "--help"])
    assert "--max-delete PCT" in result.output
    assert "Refuse to delete more than PCT % of the records in the database (default 20)." in " ".join(
        result.output.split()
    )


def test_a_save_that_writes_back_only_its_record_gives_the_same_file_as_rewriting_all(tmp_path: Path) -> None:
    """The store writes an edited record in place of its lines (fast) when that is safe; the
    file must be byte for byte what dumping the whole document gives."""
    for source in (REGISTERS / "web.yaml", SEED):
        path = tmp_path / source.name
        path.write_bytes(source.read_bytes())
        store = YamlStore(path)
        ids = [r.id for r in store.load()[0].records()][::7]
        for n, rid in enumerate(ids):
            before = path.read_text(encoding="utf-8")
            edit = ChangeRecord(rid, {"description": f"Edit {n}\nsecond line", "aliases": [f"Alias {n}"]})
            store.apply(edit, record_version(store.load()[0].get(rid)), "alice")
            assert path.read_text(encoding="utf-8") == apply_edit(before, edit).text, rid
