"""The YAML store keeps its parsed register between saves, yet sees every write made by anyone else.

A file is not re-read before a save (or a page) when its size, mtime, ctime and
inode are those it had when last read and it had settled (see ``YamlStore.load``);
the first tests make every file look settled, so that path is the one taken.
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
    monkeypatch.setattr(store_module, "RACY_SECONDS", 0.0)  # every file is trusted by its stat
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


# -- serving costs a stat, not a read and a hash (issue 26, defect 13) -----------------------


class CountedHash:
    """Counts the SHA-256s the store takes (it still takes them: the real function is called)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = store_module.version_of

        def counted(raw: bytes) -> str:
            self.calls += 1
            return real(raw)

        monkeypatch.setattr(store_module, "version_of", counted)


def later(seconds: float):
    """A clock ``seconds`` ahead of the real one: the file looks that much older."""
    import time

    return lambda: time.time_ns() + int(seconds * 1e9)


def test_serving_an_unchanged_register_reads_and_hashes_it_once_then_only_stats_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(TEXT, encoding="utf-8")
    store = YamlStore(path)
    store.now = later(10)  # the file was written long ago
    hashes = CountedHash(monkeypatch)
    first = store.load()
    for _ in range(50):
        assert store.load() == first
    assert hashes.calls == 1


def test_a_write_in_place_keeping_size_and_mtime_after_the_file_settled_is_seen_by_its_ctime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    path = tmp_path / "web.yaml"
    path.write_text(TEXT, encoding="utf-8")
    store = YamlStore(path)
    store.now = later(10)
    store.load()
    time.sleep(0.05)  # past the clock tick of the first write: the kernel gives the next one a new ctime
    st = os.stat(path)
    with open(path, "r+", encoding="utf-8") as f:
        f.write(TEXT.replace("North Community Safety", "South Community Safety"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert store.load()[0].get("north-csp").name == "South Community Safety Partnership"


def test_a_file_changed_again_within_the_same_clock_tick_is_still_seen(tmp_path: Path) -> None:
    """The racy case: a second same-size write whose ctime may equal the first's.  While the
    file is younger than ``RACY_SECONDS`` the store does not trust its stat, and hashes it."""
    path = tmp_path / "web.yaml"
    store = YamlStore(path)
    for n in range(20):
        name = f"North Community Safety {n:02d}"
        text = TEXT.replace("North Community Safety", name)
        if n == 0:
            path.write_text(text, encoding="utf-8")
        else:
            st = os.stat(path)
            with open(path, "r+", encoding="utf-8") as f:
                f.write(text)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert store.load()[0].get("north-csp").name == f"{name} Partnership"
