"""Where a register lives: a small protocol, and the YAML file store.

The web app talks to a :class:`Store`, never to a file or a database:

- ``load()`` returns the register and its *version token* (an opaque string
  that changes whenever the register does);
- ``apply(edit, expected_version, user)`` applies one edit (see
  :mod:`.edits`) if the register is still at ``expected_version``, else raises
  :class:`~govmap.ingest.errors.EditConflict` and changes nothing; it returns
  the new version;
- ``history()`` returns the audit log, newest first.

:class:`YamlStore` keeps the register in a YAML file (comments kept, written
atomically) and the audit log in a JSON-lines file beside it.  A Neo4j store
implements the same three methods.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

from .audit import AuditEntry, append_audit, audit_entry
from .edits import Edit, apply_edit
from .errors import EditConflict, RegisterInvalid
from .files import version_of, write_atomic
from .load import check_text
from .model import Register
from .yamlsafe import Limits, decode

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the thread lock still serialises one process
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


@runtime_checkable
class Store(Protocol):
    """What the web app needs from wherever the register is kept."""

    #: Shown to users: a file path or a database address (no credentials).
    label: str

    def load(self) -> tuple[Register, str]: ...

    def apply(self, edit: Edit, expected_version: str, user: str) -> str: ...

    def history(self, limit: int | None = None) -> list[AuditEntry]: ...


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
    ``load`` re-reads the file only when its size, mtime or inode changes, so
    it is cheap to call on every request.  ``apply`` holds a thread lock and an
    ``flock`` on the audit log while it compares versions and writes, so two
    edits (from two threads or two processes) cannot both succeed against the
    same version.
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
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._cache: tuple[tuple[int, int, int], Register, str] | None = None

    # -- reading -------------------------------------------------------------
    def _read(self) -> tuple[bytes, tuple[int, int, int]]:
        with open(self.path, "rb") as f:
            st = os.fstat(f.fileno())
            return f.read(), (st.st_size, st.st_mtime_ns, st.st_ino)

    def load(self) -> tuple[Register, str]:
        """The register and its version; raises RegisterInvalid if the file is broken."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            from .load import read_text

            read_text(self.path)  # raises the usual "no such file" message
            raise
        key = (st.st_size, st.st_mtime_ns, st.st_ino)
        cached = self._cache
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        raw, key = self._read()
        checked = check_text(decode(raw, self.path, self.limits), self.path, self.limits)
        if checked.register is None:
            raise RegisterInvalid(checked.problems)
        self._cache = (key, checked.register, version_of(raw))
        return checked.register, self._cache[2]

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

    def apply(self, edit: Edit, expected_version: str, user: str) -> str:
        """Apply an edit made against ``expected_version``; return the new version.

        Raises :class:`EditConflict` (and writes nothing) if the file changed
        since, and :class:`~govmap.ingest.errors.EditInvalid` if the edit
        breaks a rule.
        """
        with self._exclusive():
            raw, _ = self._read()
            current = version_of(raw)
            if current != expected_version:
                raise self._conflict()
            text = decode(raw, self.path, self.limits)
            applied = apply_edit(text, edit, self.path)
            new_raw = applied.text.encode("utf-8")
            if new_raw == raw:
                return current
            write_atomic(self.path, new_raw)
            new_version = version_of(new_raw)
            entry = audit_entry(
                edit, applied, text, user, (current, new_version), os.path.basename(self.path)
            )
            append_audit(self.audit_path, entry)
            log.info("%s: %s by %s", self.path, entry.summary, user)
            return new_version

    def _conflict(self) -> EditConflict:
        last = self.history(limit=1)
        who = f" ({last[0].summary} by {last[0].user} at {last[0].at})" if last else ""
        return EditConflict(
            f"the register was changed by someone else since you opened this form{who}; nothing was saved",
            hint="your entries are kept below: check the current record, then save again",
        )

    # -- history -------------------------------------------------------------
    def history(self, limit: int | None = None) -> list[AuditEntry]:
        """Audit entries, newest first."""
        try:
            with open(self.audit_path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        entries: list[AuditEntry] = []
        for n, line in enumerate(reversed(lines)):
            if limit is not None and len(entries) >= limit:
                break
            if not line.strip():
                continue
            try:
                entries.append(AuditEntry.from_json(line))
            except (ValueError, TypeError) as exc:
                log.warning("%s:%d: unreadable audit entry skipped: %s", self.audit_path, len(lines) - n, exc)
        return entries
