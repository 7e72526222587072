"""The register as of now, and what is computed from it once per version.

Every request asks the store for the current register (cheap: the YAML store
re-reads the file only when it changes) and gets a :class:`Snapshot` for that
version.  The graph, the layout, the measures and the report are computed the
first time a page needs them and kept until the register changes (the report
also until the day changes: it judges reviews as of today).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
from flask import Flask, current_app
from govmap.graph.build import build_graph
from govmap.graph.entity import relations_by_entity
from govmap.ingest.model import Register, Relation
from govmap.ingest.store import Store, YamlStore

from . import analysis


@dataclass
class Snapshot:
    register: Register
    version: str
    #: What the report says it was generated from.
    source: dict[str, Any] | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _measures: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    _view_positions: dict[frozenset[str], dict[str, tuple[float, float]]] = field(
        default_factory=dict, repr=False
    )
    #: The clock the report is judged by (reviews fall overdue as days pass).
    today: Callable[[], dt.date] = field(default=dt.date.today, repr=False)
    _report: tuple[dt.date, analysis.ReportView] | None = field(default=None, repr=False)

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

    @cached_property
    def positions(self) -> dict[str, tuple[float, float]]:
        """The whole register's layout (only used up to ``GLOBAL_LAYOUT_LIMIT`` nodes)."""
        from .mapdata import layout

        with self._lock:
            return layout(self.graph)

    @property
    def has_global_layout(self) -> bool:
        from .mapdata import GLOBAL_LAYOUT_LIMIT

        return self.graph.number_of_nodes() <= GLOBAL_LAYOUT_LIMIT

    def positions_of(self, nodes: set[str]) -> Mapping[str, tuple[float, float]]:
        """Positions for one map view: the whole register's layout while it is small enough,
        else the view's own layout, cached for this version (most recent 32 views)."""
        if self.has_global_layout:
            return self.positions
        from .mapdata import layout

        key = frozenset(nodes)
        with self._lock:
            cached = self._view_positions.get(key)
            if cached is None:
                cached = layout(self.graph.subgraph(nodes))
                self._view_positions[key] = cached
                while len(self._view_positions) > 32:
                    del self._view_positions[next(iter(self._view_positions))]
            return cached

    def measure(self, name: str) -> dict[str, float]:
        from .mapdata import measure

        with self._lock:
            if name not in self._measures:
                self._measures[name] = measure(self.graph, name)
            return self._measures[name]

    @property
    def report(self) -> analysis.ReportView:
        """The findings as of today: computed once per version and day, so a
        server that runs for weeks still sees reviews fall overdue."""
        day = self.today()
        with self._lock:
            if self._report is None or self._report[0] != day:
                self._report = (day, analysis.report_of(self.register, self.source, as_of=day))
            return self._report[1]


class Snapshots:
    """Snapshots by version; only the newest few are kept."""

    def __init__(self, store: Store, keep: int = 2, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.store = store
        self.keep = keep
        #: The clock of every snapshot's report; replace it to test how findings age.
        self.today = today
        self._by_version: dict[str, Snapshot] = {}
        self._lock = threading.Lock()

    def _source(self, version: str) -> dict[str, Any] | None:
        if isinstance(self.store, YamlStore):  # its version is the SHA-256 of the file
            return {"file": os.path.basename(self.store.path), "sha256": version}
        return None

    def current(self) -> Snapshot:
        register, version = self.store.load()
        with self._lock:
            snap = self._by_version.get(version)
            if snap is None:
                snap = self._by_version[version] = Snapshot(
                    register, version, self._source(version), today=lambda: self.today()
                )
                while len(self._by_version) > self.keep:
                    del self._by_version[next(iter(self._by_version))]
            return snap


def warm(app: Flask) -> threading.Thread:
    """Compute the map layout (and the default node sizes) of the current register in the
    background, before anyone asks: at national scale the sizes alone took the first
    map visit from about 1 s to over 2 s."""

    def run() -> None:
        with app.app_context():
            snap = current()
            snap.measure("degree")  # the map's default size; cached per version
            if snap.has_global_layout:
                snap.positions  # noqa: B018 - computed and cached

    thread = threading.Thread(target=run, name="govmap-layout", daemon=True)
    thread.start()
    return thread


def store() -> Store:
    s: Store = current_app.extensions["govmap.store"]
    return s


def current() -> Snapshot:
    snaps: Snapshots = current_app.extensions["govmap.snapshots"]
    return snaps.current()


def extra(name: str, default: Any = None) -> Any:
    return current_app.extensions.get(name, default)
