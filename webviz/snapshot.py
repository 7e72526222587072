"""What is computed from one version of the register, once: its graph, layouts, measures and report.

A :class:`Snapshot` computes each the first time a page needs it and keeps it
until the register changes (the report also until the day changes: it judges
reviews as of today); :mod:`govmap.webviz.state` says which version is current.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx

from govmap.graph.build import build_graph
from govmap.graph.entity import relations_by_entity
from govmap.graph.layout import LayoutJob
from govmap.ingest.errors import GovmapError
from govmap.ingest.model import Register, Relation

from . import analysis

#: Registers with more records than this get their report in the background (start-up
#: and after each edit): a page that needs it says it is being prepared and refreshes,
#: rather than waiting half a minute at national size.
PREPARE_LIMIT = 8000


#: Per-version results kept by :meth:`Snapshot.memo` (map views and their JSON).
MEMO_KEEP = 128


class BeingPrepared(GovmapError):
    """What a page needs is still being computed; ask again in ``retry_after`` seconds."""

    status = 503
    retry_after = 5
    title = "Being prepared"


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
