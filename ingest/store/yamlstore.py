"""Where a register lives: a small protocol, and the YAML file store.

The web app talks to a :class:`Store`, never to a file or a database:

- ``load()`` returns the register and its *version token* (an opaque string
  that changes whenever the register does);
- ``apply(edit, expected_version, user)`` applies one edit (see
  :mod:`govmap.ingest.store.edits`) if *the record it touches* is still at ``expected_version``
  (its :func:`~govmap.ingest.model.record_version`; ``"absent"`` for a new
  record: the id must not exist), else raises
  :class:`~govmap.ingest.errors.EditConflict` and changes nothing.  The edit
  is then validated against everything it can break on the register as it is
  now (the record, the records it names and that name it, its id, cycles
  through it: :mod:`govmap.ingest.store.neighbourhood`), with the whole register's rules and
  messages (an edit that a change elsewhere made invalid gets
  :class:`~govmap.ingest.errors.EditInvalid`).  It returns the register's new
  version;
- ``history()`` returns the audit log, newest first;
- ``decisions`` keeps reviewers' decisions on findings
  (:class:`~govmap.ingest.store.decision_store.DecisionStore`).

:class:`YamlStore` keeps the register in a YAML file (comments kept, written
atomically) and the audit log in a JSON-lines file beside it.  A Neo4j store
implements the same three methods.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from govmap.ingest.errors import EditConflict, RegisterInvalid, unreadable
from govmap.ingest.model import Record, Register, data_version, record_version
from govmap.ingest.reading.load import check_text
from govmap.ingest.reading.yamlsafe import Limits, decode
from govmap.ingest.store.audit import AuditEntry, append_audit, audit_entry, read_audit
from govmap.ingest.store.decision_store import DecisionStore, FileDecisions
from govmap.ingest.store.edit_values import AddRecord, Edit
from govmap.ingest.store.edits import ABSENT, check_version_token
from govmap.ingest.store.files import version_of, write_atomic
from govmap.ingest.store.patch import Document, apply_to_document

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock still serialises one process
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: A file whose mtime or ctime is this recent is not known by its stat alone: another write
#: within the same tick of the file system's clock (up to 2 s on FAT, 1 s on ext3, a few ms
#: on ext4) could keep size, mtime and ctime.  Until it is older, it is read and hashed.
RACY_SECONDS = 2.0


@dataclass(frozen=True)
class _Seen:
    """What the store last read of the file: its stat key, the register and the version."""

    key: tuple[int, int, int, int]
    register: Register
    version: str
    #: The file was older than ``RACY_SECONDS`` when read: its stat key alone now says
    #: whether it changed.
    settled: bool


@runtime_checkable
class Store(Protocol):
    """What the web app needs from wherever the register is kept."""

    #: Shown to users: a file path or a database address (no credentials).
    label: str

    @property
    def decisions(self) -> DecisionStore:
        """Reviewers' decisions on findings, kept with the register."""
        ...

    def load(self) -> tuple[Register, str]: ...

    def apply(self, edit: Edit, expected_version: str, user: str) -> str: ...

    def history(self, limit: int | None = None) -> list[AuditEntry]: ...


def check_expected(edit: Edit, expected: str, register: Register, register_version: str) -> None:
    """Refuse (:class:`EditConflict`) an edit whose record changed since its form was opened.

    ``expected`` is the record's version when the form was opened
    (:data:`~govmap.ingest.store.edits.ABSENT` for a new record); a form opened on
    this very register version is never stale.
    """
    check_version_token(expected)
    if expected == register_version:
        return
    rec = register.get(edit.subject)
    if isinstance(edit, AddRecord):
        if rec is None and expected == ABSENT:
            return
    elif rec is not None and record_version(rec) == expected:
        return
    raise _Stale(edit.subject, rec)


class _Stale(Exception):
    """Internal: the record changed; the store turns this into an :class:`EditConflict`."""

    def __init__(self, record: str, now: Record | None) -> None:
        super().__init__(record)
        self.record = record
        self.now = now


def conflict_of(stale: _Stale, expected: str, history: list[AuditEntry]) -> EditConflict:
    """The 409 for a stale record: who changed it since ``expected``, and what it holds now."""
    changes = []
    for entry in history:  # newest first
        if entry.record != stale.record:
            continue
        if entry.after is not None and data_version(entry.after) == expected:
            break
        changes.append((entry.summary, entry.user, entry.at))
        if entry.before is not None and data_version(entry.before) == expected:
            break
    else:
        changes = changes[:1]  # the form's version is older than the log: name the latest change only
    rid = stale.record
    if stale.now is None and expected != ABSENT:
        what = f"'{rid}' was removed by someone else since you opened this form"
    elif expected == ABSENT:
        what = f"a record with id '{rid}' was added by someone else since you opened this form"
    else:
        what = f"'{rid}' was changed by someone else since you opened this form"
    if changes:
        summary, user, at = changes[0]
        what += f" ({summary} by {user} at {at})"
    theirs = stale.now.model_dump(mode="json", exclude_defaults=True) if stale.now is not None else None
    return EditConflict(
        f"{what}; nothing was saved",
        hint="your entries are kept below, beside what is saved now: check them, then save again",
        record=rid,
        theirs=theirs,
        changes=tuple(changes),
    )


class YamlStore:
    """A register kept in a YAML file, with its audit log beside it.

    Parameters
    ----------
    path : path-like
        The register file.
    audit_path : path-like, optional
        The audit log; default ``<path>.audit.jsonl``.

    Notes
    -----
    Serving costs a ``stat``: ``load`` compares the file's size, mtime, ctime and
    inode with those of the last read, and reads, hashes (SHA-256) and
    re-validates nothing while they are the same.  What this sees: any write
    through the file system -- a replace (new inode), an append or truncation
    (size), an edit in place that keeps the size and even puts the mtime back
    (the kernel sets the ctime on every write and no program can set it back).
    What it cannot see, by stat alone, is a second write within the same tick of
    the file system's clock as the one before (the times would not move), so a
    file changed less than :data:`RACY_SECONDS` before it was read is read and
    hashed again on every ``load`` until it is older (as git does with its
    "racy" index entries): for two seconds after a change, then a stat.  Not
    seen: a file system that does not keep ctime (some FUSE and network
    mounts), or a clock set back past the file's times.

    ``apply`` holds a thread lock and an ``flock`` on the audit log while it
    compares the record's version and writes, so two edits of one record
    (from two threads or two server processes) cannot both succeed, while
    edits of different records all do, one after the other.  The text and
    validated register are kept between edits for the file's version
    (:class:`~govmap.ingest.store.patch.Document`), so a save re-reads and
    re-validates nothing that this process wrote itself: it finds the file
    unchanged by its size, mtime, ctime and inode (or, within
    :data:`RACY_SECONDS` of a change, its hash), patches the edited record's lines
    and checks the edit's neighbourhood (:mod:`govmap.ingest.store.patch`).  A save of a national
    register (12 MB, 51,470 records) went from minutes to ~0.2 s.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        audit_path: str | os.PathLike[str] | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self.audit_path = os.fspath(audit_path) if audit_path else self.path + ".audit.jsonl"
        self.label = self.path
        #: What pages show to people who may not see server paths: the file's name.
        self.name = os.path.basename(self.path)
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._cache: _Seen | None = None
        #: The clock (ns) that says how old the file is; replaced by tests.
        self.now = time.time_ns
        #: The parsed document of the file at a version (file version, document).
        self._document: tuple[str, Document] | None = None
        self.decisions = FileDecisions(self.path, self.audit_path, self._exclusive)

    # -- reading -------------------------------------------------------------
    @staticmethod
    def _key(st: os.stat_result) -> tuple[int, int, int, int]:
        return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def _read(self) -> tuple[bytes, tuple[int, int, int, int], bool]:
        """The file's bytes, the stat key they go with, and whether the file had settled
        (was older than :data:`RACY_SECONDS`, and did not change while it was read)."""
        try:
            with open(self.path, "rb") as f:
                st = os.fstat(f.fileno())
                raw = f.read()
                after = os.fstat(f.fileno())
        except (OSError, ValueError) as exc:  # a folder, a socket, a symlink loop ...
            raise unreadable(self.path, exc) from None
        key = self._key(st)
        settled = (
            key == self._key(after) and self.now() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_SECONDS * 1e9
        )
        return raw, key, settled

    def _unchanged(self, st: os.stat_result) -> _Seen | None:
        """What was last read, if the file is known by its stat to be the same."""
        seen = self._cache
        return seen if seen is not None and seen.settled and seen.key == self._key(st) else None

    def load(self) -> tuple[Register, str]:
        """The register and its version; raises RegisterInvalid if the file is broken."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            from govmap.ingest.reading.load import read_text

            read_text(self.path)  # raises the usual "no such file" message
            raise
        except (OSError, ValueError) as exc:  # a symlink loop, a name too long ...
            raise unreadable(self.path, exc) from None
        seen = self._unchanged(st)
        if seen is not None:
            return seen.register, seen.version
        cached = self._cache
        raw, key, settled = self._read()
        version = version_of(raw)
        if cached is not None and cached.version == version:
            self._cache = _Seen(key, cached.register, version, settled)
            return cached.register, version
        register = self._check(raw)
        self._cache = _Seen(key, register, version, settled)
        return register, version

    def _check(self, raw: bytes) -> Register:
        checked = check_text(decode(raw, self.path, self.limits), self.path, self.limits, whole_file=True)
        if checked.register is None:
            raise RegisterInvalid(checked.problems)
        return checked.register

    # -- writing -------------------------------------------------------------
    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        with self._lock, open(self.audit_path, "a", encoding="utf-8") as lockfile:
            if fcntl is not None:
                fcntl.flock(lockfile.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(lockfile.fileno(), fcntl.LOCK_UN)

    def _current(self) -> tuple[str, Document]:
        """The file's version and its document, re-read only when the file changed: known by
        its stat, as in :meth:`load`, once it has settled."""
        kept, cached = self._document, self._cache
        if kept is not None and cached is not None and cached.version == kept[0]:
            if self._unchanged(os.stat(self.path)) is not None:
                return kept
        raw, key, settled = self._read()
        version = version_of(raw)
        if kept is not None and kept[0] == version:
            if cached is not None and cached.version == version:
                self._cache = _Seen(key, cached.register, version, settled)
            return kept
        register = cached.register if cached is not None and cached.version == version else self._check(raw)
        self._cache = _Seen(key, register, version, settled)
        return version, Document.parse(decode(raw, self.path, self.limits), register)

    def apply(self, edit: Edit, expected_version: str, user: str) -> str:
        """Apply an edit made against its record's ``expected_version``; return the register's new version.

        Raises :class:`EditConflict` (and writes nothing) if that record changed
        since, :class:`~govmap.ingest.errors.EditRefused` if the token is not
        one govmap wrote, and :class:`~govmap.ingest.errors.EditInvalid` if the
        edit (on the register as it is now) breaks a rule.
        """
        check_version_token(expected_version)
        with self._exclusive():
            current, document = self._current()
            self._document = (current, document)
            try:
                check_expected(edit, expected_version, document.register, current)
            except _Stale as stale:
                raise conflict_of(stale, expected_version, self.history()) from None
            old_text = document.file_text()
            applied = apply_to_document(document, edit, self.path, whole_file=True)
            if applied.text == old_text:
                return current
            self._document = None  # ahead of the file until it is written
            new_raw = applied.text.encode("utf-8")
            write_atomic(self.path, new_raw)
            new_version = version_of(new_raw)
            entry = audit_entry(edit, applied, old_text, user, (current, new_version), self.name)
            append_audit(self.audit_path, entry)
            self._document = (new_version, document)
            # Just written: not settled, so the next loads hash it until it is (RACY_SECONDS).
            self._cache = _Seen(self._key(os.stat(self.path)), applied.register, new_version, False)
            log.info("%s: %s by %s", self.path, entry.summary, user)
            return new_version

    # -- history -------------------------------------------------------------
    def history(self, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries, newest first."""
        return read_audit(self.audit_path, limit)
