"""Files written safely: atomic replace (temp file, fsync, rename) and version tokens."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable

from govmap.ingest.errors import OutputError, shown_name

# -- files ---------------------------------------------------------------------


def version_of(raw: bytes) -> str:
    """The version token of a register: the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(raw).hexdigest()


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> None:
    """Replace a file's content atomically: temp file in the same folder, fsync, rename.

    The file keeps its permission bits.  A crash leaves the old file or the
    new one, never a mixture.  ``data`` may come in pieces (written as they come).
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            for piece in (data,) if isinstance(data, bytes) else data:
                f.write(piece)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def write_atomically(
    path: str | os.PathLike[str], text: str | bytes | Iterable[str] | Iterable[bytes]
) -> None:
    """Write ``text`` (or its pieces, as they come, text or UTF-8; or bytes, such as a PDF) to
    ``path`` so that a reader sees the old file or the new one.

    See :func:`write_atomic`; here a failure to write is a
    message for the user (:class:`OutputError`), not a traceback.
    """
    name = os.fspath(path)
    if "\x00" in name:
        raise OutputError(f"cannot write {shown_name(name)}: a file name cannot hold a NUL character")
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise OutputError(
            f"cannot write {name}: no folder {folder}", hint="create the folder, or choose another path"
        )
    try:
        data: bytes | Iterable[bytes]
        if isinstance(text, bytes):
            data = text
        elif isinstance(text, str):
            data = text.encode("utf-8")
        else:
            data = (t.encode("utf-8") if isinstance(t, str) else t for t in text)
        write_atomic(name, data)
    except IsADirectoryError:
        raise OutputError(f"cannot write {name}: it is a folder", hint="give a file name") from None
    except OSError as exc:
        raise OutputError(f"cannot write {shown_name(name)}: {exc.strerror or exc}") from None
