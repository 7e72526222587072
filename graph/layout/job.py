"""The whole layout of each register version, computed in a background thread."""

from __future__ import annotations

import threading
from collections.abc import Callable

import networkx as nx

from govmap.graph.layout.whole import WholeLayout, whole_layout


class LayoutJob:
    """One version's whole layout, computed in a background thread and started from the
    previous version's layout (so an edit lays out only what it touched).

    ``result()`` never waits unless asked: a page that finds no layout yet can say so.

    Examples
    --------
    >>> job = LayoutJob(nx.path_graph(["a", "b"])).start()
    >>> sorted(job.result(wait=True).positions)
    ['a', 'b']
    >>> after = LayoutJob(lambda: nx.path_graph(["a", "b", "c"]), previous=job)
    >>> sorted(after.result(wait=True).positions)
    ['a', 'b', 'c']
    """

    def __init__(self, graph: nx.Graph | Callable[[], nx.Graph], previous: LayoutJob | None = None) -> None:
        self._graph = graph
        self._previous = previous
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._result: WholeLayout | None = None
        self._error: BaseException | None = None

    def start(self) -> LayoutJob:
        """Start the layout, once (later calls do nothing)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="govmap-whole-layout", daemon=True)
                self._thread.start()
        return self

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def result(self, wait: bool | float = False) -> WholeLayout | None:
        """The layout, or None while it is being computed; ``wait`` (True or seconds) waits for it.
        Raises what the layout raised, if it failed."""
        self.start()
        if wait is not False:
            self._done.wait(None if wait is True else float(wait))
        if self._error is not None:
            raise self._error
        return self._result

    def _run(self) -> None:
        try:
            previous = None
            if self._previous is not None:
                previous = self._previous._settled()
                self._previous = None  # keep one version back, not the whole history
            g = self._graph if isinstance(self._graph, nx.Graph) else self._graph()
            self._result = whole_layout(g, previous=previous, isolate=True)
        except BaseException as exc:  # handed to whoever asks for the result
            self._error = exc
        finally:
            self._done.set()

    def _settled(self) -> WholeLayout | None:
        """The finished layout, or None if it failed (the next one then starts afresh)."""
        self.start()
        self._done.wait()
        return self._result
