"""The YAML store keeps its parsed register between saves, yet sees every write made by anyone else.

A large file is not re-read before a save when its size, mtime, ctime and inode
are those this process left (see ``YamlStore._current``); these tests make every
file "large" so that path is the one taken.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govmap.ingest.errors import EditConflict
from govmap.ingest.model import record_version
from govmap.ingest.store import yamlstore as store_module
from govmap.ingest.store.edit_values import AddLink, ChangeRecord
from govmap.ingest.store.files import version_of
from govmap.ingest.store.yamlstore import YamlStore
from tests.websupport import REGISTERS

TEXT = (REGISTERS / "web.yaml").read_text(encoding="utf-8")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> YamlStore:
    monkeypatch.setattr(store_module, "HASH_ON_LOAD_BYTES", 0)  # every file is trusted by its stat
    path = tmp_path / "web.yaml"
    path.write_text(TEXT, encoding="utf-8")
    return YamlStore(path)


def version(store: YamlStore, rid: str) -> str:
    return record_version(store.load()[0].get(rid))


def test_a_file_replaced_by_someone_else_between_two_saves_is_read_again(store: YamlStore) -> None:
    opened = version(store, "north-csp")
    store.apply(ChangeRecord("drugs-group", {"name": "Drugs Group"}), version(store, "drugs-group"), "alice")
    path = Path(store.path)
    outside = path.read_text(encoding="utf-8").replace(
        "name: North Community Safety Partnership", "name: North CSP (edited by hand)"
    )
    tmp = path.with_suffix(".tmp")
    tmp.write_text(outside, encoding="utf-8")
    os.replace(tmp, path)  # as an editor or git does: a new inode
    with pytest.raises(EditConflict) as caught:
        store.apply(ChangeRecord("north-csp", {"name": "North"}), opened, "bob")
    assert (
        caught.value.message
        == "'north-csp' was changed by someone else since you opened this form; nothing was saved"
    )
    assert path.read_text(encoding="utf-8") == outside
    # An edit of another record keeps the outside change.
    store.apply(AddLink("drugs-group", "members", "north-council"), version(store, "drugs-group"), "bob")
    assert "name: North CSP (edited by hand)" in path.read_text(encoding="utf-8")


def test_a_file_written_in_place_keeping_size_and_mtime_is_read_again_before_a_save(store: YamlStore) -> None:
    store.apply(ChangeRecord("drugs-group", {"name": "Drugs Group"}), version(store, "drugs-group"), "alice")
    opened = version(store, "north-csp")
    path = Path(store.path)
    st = os.stat(path)
    outside = path.read_text(encoding="utf-8").replace("North Community Safety", "South Community Safety")
    with open(path, "r+", encoding="utf-8") as f:  # same inode, same size; only the ctime moves
        f.write(outside)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(EditConflict):
        store.apply(ChangeRecord("north-csp", {"name": "North"}), opened, "bob")
    assert path.read_text(encoding="utf-8") == outside


def test_saves_after_saves_write_what_a_fresh_store_reads(store: YamlStore) -> None:
    for n in range(3):
        new = store.apply(
            ChangeRecord("north-csp", {"description": f"Edit {n}"}), version(store, "north-csp"), "a"
        )
        assert new == version_of(Path(store.path).read_bytes())
        assert YamlStore(store.path).load()[0] == store.load()[0]
