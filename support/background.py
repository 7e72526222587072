"""One computation run in a forked child process while this process goes on.

``govmap diff`` needs two reports, one per register, and they do not depend on
each other: on a machine with two cores the second is computed in a child
process while the first is computed here (``govmap import`` reads half the
sheets of a workbook and writes half the YAML there in the same way).  The
child is a ``fork`` of this process, so it starts with the register already
parsed (nothing is pickled on the way in); only its result comes back through
a pipe.

Where forking is not safe or not possible the computation simply runs in this
process when its result is asked for, with the same result: on a platform
without ``fork`` (Windows), in a process with other threads running (the web
server: a forked copy of a threaded process may hold another thread's lock),
in a daemonic process (which may not have children), or when the environment
variable ``GOVMAP_WORKERS`` is ``1``.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class BackgroundFailed(RuntimeError):
    """The child raised something that could not be sent back as it was."""


def can_fork() -> bool:
    """Whether a computation may run in a forked child here (see the module's notes)."""
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon
        and os.environ.get("GOVMAP_WORKERS", "").strip() != "1"
    )


def _sendable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (a GovmapError does), else a BackgroundFailed naming it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception as why:  # any exception can be raised by a class's own pickling
        return BackgroundFailed(f"{type(exc).__name__}: {exc} (and it could not be sent back: {why})")
    return exc


def _child(fn: Callable[[], Any], conn: Connection) -> None:
    try:
        out: tuple[str, Any] = ("ok", fn())
    except BaseException as exc:  # sent to the parent, which raises it as its own
        out = ("error", _sendable(exc))
    try:
        conn.send(out)
    except Exception as exc:  # the result would not pickle
        conn.send(("error", BackgroundFailed(f"the result could not be sent back: {exc}")))
    conn.close()


class Background(Generic[T]):
    """``fn()`` computed in a forked child from now on; :meth:`result` waits for it.

    If the child dies without an answer (killed, out of memory) :meth:`result`
    computes ``fn()`` here instead: slower, never wrong.  An exception ``fn``
    raised in the child is raised by :meth:`result`.

    Examples
    --------
    >>> job = Background(lambda: sum(range(10)))
    >>> job.result()
    45
    """

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._conn: Connection | None = None
        self._proc: Any = None
        if not can_fork():
            return
        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        # Objects made so far are left out of the child's garbage collections:
        # a collection writes into every object it scans, which would copy the
        # parent's pages (the parsed registers) into the child one by one.
        gc.freeze()
        try:
            self._proc = ctx.Process(target=_child, args=(fn, send), daemon=True)
            self._proc.start()
        finally:
            gc.unfreeze()
            send.close()
        self._conn = recv

    @property
    def forked(self) -> bool:
        """True while the computation runs in a child process."""
        return self._proc is not None

    def result(self) -> T:
        """The value of ``fn()``: from the child if it answers, else computed here."""
        if self._conn is None:
            return self._fn()
        try:
            status, value = self._conn.recv()
        except EOFError:  # the child ended without an answer
            status, value = "lost", None
        finally:
            self._conn.close()
            self._conn = None
            self._proc.join()
            self._proc = None
        if status == "ok":
            return value
        if status == "error":
            raise value
        return self._fn()

    def cancel(self) -> None:
        """Stop the child (its result is no longer wanted)."""
        if self._proc is not None:
            self._proc.terminate()
            self._proc.join()
            self._proc = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None


__all__ = ["Background", "BackgroundFailed", "can_fork"]
