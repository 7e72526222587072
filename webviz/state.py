"""The register as of now: which version is current, loaded and warmed before anyone asks.

Every request asks the store for the current register (cheap: the YAML store
re-reads the file only when it changes) and gets a
:class:`~govmap.webviz.snapshot.Snapshot` for that version, which computes the
graph, the layout, the measures and the report the first time a page needs them
and keeps them until the register changes (the report also until the day
changes: it judges reviews as of today).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from govmap.graph.analysis.coverage_file import own_coverage_rules
from govmap.ingest.errors import GovmapError
from govmap.ingest.store.yamlstore import Store, YamlStore

from . import snapshot
from .snapshot import BeingPrepared, Snapshot

log = logging.getLogger(__name__)


class BeingLoaded(BeingPrepared):
    """The register itself is still being loaded (a large one, after ``govmap serve`` listens)."""

    retry_after = 2
    title = "Being loaded"


@dataclass
class _Loading:
    """One background load of the register: done, and its error if it failed."""

    #: What the file looked like when the load started: a failed load is tried again
    #: once it changes (see :meth:`Snapshots.fingerprint`).
    fingerprint: Hashable
    done: threading.Event = field(default_factory=threading.Event)
    error: Exception | None = None


class Snapshots:
    """Snapshots by version; only the newest few are kept."""

    def __init__(self, store: Store, keep: int = 2, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.store = store
        self.keep = keep
        #: The clock of every snapshot's report; replace it to test how findings age.
        self.today = today
        self._by_version: dict[str, Snapshot] = {}
        self._lock = threading.Lock()
        #: A background load in progress or failed (None: load on each request, as usual).
        self._loading: _Loading | None = None

    def _source(self, version: str) -> dict[str, Any] | None:
        if isinstance(self.store, YamlStore):  # its version is the SHA-256 of the file
            return {"file": os.path.basename(self.store.path), "sha256": version}
        return None

    def current(self) -> Snapshot:
        """The snapshot of the register as it is now.

        While a background load (:meth:`load_in_background`) runs this raises
        :class:`BeingLoaded`; if it failed, its error (until the file changes, when
        it is loaded again in the background)."""
        loading = self._loading
        if loading is not None:
            self._after_loading(loading)
        return self._open()

    def load_in_background(self) -> threading.Thread:
        """Load the register and build its graph in a thread; pages wait by saying so."""
        loading = _Loading(self.fingerprint())
        self._loading = loading

        def run() -> None:
            try:
                self._open().graph  # noqa: B018 - every map page needs it; cached per version
            except GovmapError as exc:
                loading.error = exc
                log.error("the register cannot be read: %s", exc.format())
            except Exception as exc:  # shown by the pages as a server error, with the traceback logged
                loading.error = exc
                log.exception("loading the register failed")
            finally:
                loading.done.set()

        thread = threading.Thread(target=run, name="govmap-load", daemon=True)
        thread.start()
        return thread

    def fingerprint(self) -> Hashable:
        """What changes when the register may have been fixed: a YAML file's size, times and
        inode; for other stores, every 30 seconds."""
        path = getattr(self.store, "path", None)
        if isinstance(self.store, YamlStore) and path is not None:
            try:
                st = os.stat(path)
            except OSError:
                return None
            return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        return int(time.monotonic() // 30)

    def _after_loading(self, loading: _Loading) -> None:
        """Raise what a page says while ``loading`` runs or after it failed; forget it once loaded."""
        if loading.done.is_set() and loading.error is None:
            with self._lock:
                if self._loading is loading:
                    self._loading = None
            return
        if loading.done.is_set():
            assert loading.error is not None
            if self.fingerprint() == loading.fingerprint:
                raise loading.error.with_traceback(None)  # not one frame more per request
            with self._lock:  # the file changed: one request starts loading it again
                again = self._loading is loading
                if again:
                    self._loading = _Loading(None)  # placeholder so no other request starts one
            if again:
                self.load_in_background()
        name = getattr(self.store, "name", None) or "the register"
        raise BeingLoaded(
            f"The register {name} is being loaded.", hint="this page will refresh itself in a few seconds"
        )

    def _open(self) -> Snapshot:
        register, version = self.store.load()
        with self._lock:
            snap = self._by_version.get(version)
            if snap is None:
                before = next(reversed(self._by_version.values()), None)
                snap = self._by_version[version] = Snapshot(
                    register,
                    version,
                    self._source(version),
                    own_coverage_rules(self.store.path if isinstance(self.store, YamlStore) else None),
                    today=lambda: self.today(),
                    previous_layout=before._layout_job if before else None,
                )
                if snap.previous_layout is not None:
                    snap.layout_job()  # after an edit: lay out what it touched, in the background
                if before is not None and snap.records > snapshot.PREPARE_LIMIT:
                    snap.prepare_report()
                while len(self._by_version) > self.keep:
                    del self._by_version[next(iter(self._by_version))]
            return snap


def loads_quickly(store: Store, limit: int) -> bool:
    """Whether ``govmap serve`` loads the register before it listens.

    Yes for a YAML file of at most ``limit`` bytes (``GOVMAP_LOAD_NOW_BYTES``, default
    1,000,000: about 1.3 s to load and validate, so the first page stays under 3 s), for a
    file that cannot be read (its message is shown at once) and for any other store (Neo4j:
    a server that cannot be reached is said so at once)."""
    if not isinstance(store, YamlStore):
        return True
    try:
        return os.stat(store.path).st_size <= limit
    except OSError:
        return True


def start(app: Flask) -> threading.Thread:
    """What ``govmap serve`` does before it listens: load a small register now (a broken one
    raises its error here, so the command stops with its message), a large one in the
    background (pages answer 503 "being loaded" until it is; a broken one is shown on
    every page and logged); then :func:`warm` the rest."""
    snaps: Snapshots = app.extensions["govmap.snapshots"]
    if loads_quickly(snaps.store, app.config["GOVMAP_LOAD_NOW_BYTES"]):
        snaps.store.load()
        return warm(app)
    return warm(app, loading=snaps.load_in_background())


def warm(app: Flask, loading: threading.Thread | None = None) -> threading.Thread:
    """Compute the graph, the map layout, the default node sizes and (for a large register)
    the report in the background, before anyone asks: at national scale the sizes alone
    took the first map visit from about 1 s to over 2 s.  The graph is built before this
    returns, as every map page needs it, unless the register is ``loading`` in the
    background (that thread builds it: the rest follows once it is done, if it loaded).
    The report comes last, as it holds the interpreter longest."""
    if loading is None:
        with app.app_context():
            current().graph  # noqa: B018 - cached per version

    def run() -> None:
        if loading is not None:
            loading.join()
        with app.app_context():
            try:
                snap = current()
            except GovmapError:  # a broken register: the pages say so (and it was logged)
                return
            snap.layout_job()  # in its own thread (and process, for large pieces)
            snap.measure("degree")  # the map's default size; cached per version
            if snap.records > snapshot.PREPARE_LIMIT:
                snap.prepare_report()  # in its own thread; pages say it is being prepared

    thread = threading.Thread(target=run, name="govmap-layout", daemon=True)
    thread.start()
    return thread


def store() -> Store:
    s: Store = current_app.extensions["govmap.store"]
    return s


def current() -> Snapshot:
    snaps: Snapshots = current_app.extensions["govmap.snapshots"]
    return snaps.current()
