"""The words a command offers before any analysis loads: severities and output formats.

Each list is defined here once.  The analyses take :class:`Severity` from here, the report
its :data:`MEDIA_TYPES`, the review renderers :data:`REVIEW_FORMATS`, the exports
:data:`GRAPH_FORMATS`; ``govmap/commands/*.py`` read them too, and since this module
imports nothing, ``govmap --help`` loads neither NetworkX nor SciPy.

>>> Severity("medium").at_least(Severity.LOW), SEVERITIES
(True, ('high', 'medium', 'low', 'info'))
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters, highest first."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """3 for high down to 0 for info: larger is more severe."""
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_RANK = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}

#: Every severity's name, highest first (the choices of ``--min-severity`` and ``--fail-on``).
SEVERITIES = tuple(s.value for s in Severity)

#: Every report format, once, with its media type.
MEDIA_TYPES = {"md": "text/markdown", "html": "text/html", "json": "application/json", "csv": "text/csv"}
REPORT_FORMATS = tuple(MEDIA_TYPES)
#: Formats printed from the committee pack (``govmap.graph.report.pdf``; they need a browser).
PRINTED_FORMATS = {"pdf": "application/pdf"}

#: Formats of a register diff and a what-if scenario (``govmap diff``, ``govmap whatif``).
REVIEW_FORMATS = ("md", "html", "json")

#: Formats of the landscape as a graph for other tools (:mod:`govmap.graph.export`).
GRAPH_FORMATS = ("graphml", "gexf", "cytoscape", "popolo", "csv-graph")
