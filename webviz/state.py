"""The register as of now, and what is computed from it once per version.

Every request asks the store for the current register (cheap: the YAML store
re-reads the file only when it changes) and gets a :class:`Snapshot` for that
version.  The graph, the layout, the measures and the report are computed the
first time a page needs them and kept until the register changes (the report
also until the day changes: it judges reviews as of today).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
from flask import Flask, current_app

from govmap.graph.analysis.coverage_file import own_coverage_rules
from govmap.graph.build import build_graph
from govmap.graph.entity import relations_by_entity
from govmap.graph.layout import LayoutJob
from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Register, Relation
from govmap.ingest.store.yamlstore import Store, YamlStore

from . import analysis

#: Registers with more records than this get their report in the background (start-up
#: and after each edit): a page that needs it says it is being prepared and refreshes,
#: rather than waiting half a minute at national size.
PREPARE_LIMIT = 8000


#: Per-version results kept by :meth:`Snapshot.memo` (map views and their JSON).
MEMO_KEEP = 128


log = logging.getLogger(__name__)


class BeingPrepared(GovmapError):
    """What a page needs is still being computed; ask again in ``retry_after`` seconds."""

    status = 503
    retry_after = 5
    title = "Being prepared"


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


@dataclass
class Snapshot:
    register: Register
    version: str
    #: What the report says it was generated from.
    source: dict[str, Any] | None = None
    #: The register's own coverage rules file (``boards.coverage.yaml`` beside it), if any.
    coverage_path: str | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    #: Held only to look up or start background work, never while computing, so a page
    #: never waits for the node sizes or the report just to find its map view.
    _quick: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _report_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _measures: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    _view_positions: dict[frozenset[str], dict[str, tuple[float, float]]] = field(
        default_factory=dict, repr=False
    )
    _memo: dict[Hashable, tuple[threading.Event, list[Any]]] = field(default_factory=dict, repr=False)
    #: The clock the report is judged by (reviews fall overdue as days pass).
    today: Callable[[], dt.date] = field(default=dt.date.today, repr=False)
    _report: tuple[dt.date, analysis.ReportView] | None = field(default=None, repr=False)
    _preparing: dt.date | None = field(default=None, repr=False)
    _report_failed: BaseException | None = field(default=None, repr=False)
    #: The whole register's layout (graph/layout.py), computed in the background and
    #: started from the previous version's, so an edit moves only what it touched.
    previous_layout: LayoutJob | None = field(default=None, repr=False)
    _layout_job: LayoutJob | None = field(default=None, repr=False)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        return build_graph(self.register)

    @cached_property
    def relations(self) -> dict[str, list[Relation]]:
        """Each record's relations (for entity pages without a scan of the register)."""
        return relations_by_entity(self.register)

    @cached_property
    def search_index(self) -> Any:
        """The records, ready for :func:`govmap.webviz.search.search`."""
        from .search import search_index

        return search_index(self.register)

    def layout_job(self) -> LayoutJob:
        """The whole register's layout, started in the background on first call."""
        with self._quick:
            if self._layout_job is None:
                self._layout_job = LayoutJob(lambda: self.graph, previous=self.previous_layout)
                self.previous_layout = None
            return self._layout_job.start()

    @property
    def positions(self) -> dict[str, tuple[float, float]]:
        """The whole register's layout, waiting for it if it is still being computed."""
        whole = self.layout_job().result(wait=True)
        assert whole is not None
        return whole.positions

    @property
    def has_global_layout(self) -> bool:
        """Whether map views read the whole register's layout: once it is ready, and
        always while the register is small enough to wait for it."""
        from govmap.webviz.map.data import GLOBAL_LAYOUT_LIMIT

        return self.layout_job().ready or self.graph.number_of_nodes() <= GLOBAL_LAYOUT_LIMIT

    def positions_of(self, nodes: set[str]) -> Mapping[str, tuple[float, float]]:
        """Positions for one map view: the whole register's layout, else (a large register
        whose layout is still being computed) the view's own layout, cached for this
        version (most recent 32 views)."""
        if self.has_global_layout:
            return self.positions
        from govmap.graph.layout import spring_by_piece

        key = frozenset(nodes)
        with self._lock:
            cached = self._view_positions.get(key)
            if cached is None:
                cached = spring_by_piece(self.graph.subgraph(nodes))
                self._view_positions[key] = cached
                while len(self._view_positions) > 32:
                    del self._view_positions[next(iter(self._view_positions))]
            return cached

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once for this version and ``key`` (a map view, its JSON): the
        first request computes it while the others with the same key wait for it.  An
        error is not kept (the next request tries again).  The newest ``MEMO_KEEP`` kept."""
        with self._quick:
            entry = self._memo.pop(key, None)
            mine = entry is None
            if entry is None:
                entry = (threading.Event(), [])
            self._memo[key] = entry  # newest last
            while len(self._memo) > MEMO_KEEP:
                del self._memo[next(iter(self._memo))]
        done, box = entry
        if not mine:
            done.wait()
            if box:
                return box[0]
            return compute()  # the first one failed: the error is this request's too
        try:
            box.append(compute())
        except BaseException:
            with self._quick:
                if self._memo.get(key) is entry:
                    del self._memo[key]
            raise
        finally:
            done.set()
        return box[0]

    def measure(self, name: str) -> dict[str, float]:
        from govmap.webviz.map.data import measure

        with self._lock:
            if name not in self._measures:
                self._measures[name] = measure(self.graph, name)
            return self._measures[name]

    @property
    def report(self) -> analysis.ReportView:
        """The findings as of today: computed once per version and day, so a
        server that runs for weeks still sees reviews fall overdue.  A register
        of more than ``PREPARE_LIMIT`` records has it computed in the background:
        until it is ready this raises :class:`BeingPrepared` (or, on a new day,
        gives yesterday's while today's is computed)."""
        day = self.today()
        with self._report_lock:
            if self._report is not None and self._report[0] == day:
                return self._report[1]
            if self.records <= PREPARE_LIMIT:
                self._report = (
                    day,
                    analysis.report_of(
                        self.register, self.source, as_of=day, coverage_path=self.coverage_path
                    ),
                )
                return self._report[1]
            self.prepare_report(day)
            if self._report_failed is not None:
                raise self._report_failed
            if self._report is not None:
                return self._report[1]
        raise BeingPrepared(
            f"The report on these {self.records:,} records is being prepared.",
            hint="this page will refresh itself in a few seconds",
        )

    @cached_property
    def records(self) -> int:
        return sum(1 for _ in self.register.records())

    def prepare_report(self, day: dt.date | None = None) -> None:
        """Compute the report for ``day`` (default today) in a background thread, once."""
        day = day or self.today()
        with self._report_lock:
            if self._preparing == day or (self._report is not None and self._report[0] == day):
                return
            self._preparing = day

        def run() -> None:
            try:
                view = analysis.report_of(
                    self.register, self.source, as_of=day, coverage_path=self.coverage_path
                )
            except BaseException as exc:  # raised again to the page that asks for the report
                self._report_failed = exc
                raise
            with self._report_lock:
                self._report = (day, view)

        threading.Thread(target=run, name="govmap-report", daemon=True).start()


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
                if before is not None and snap.records > PREPARE_LIMIT:
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
            if snap.records > PREPARE_LIMIT:
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
