"""Reporting lines: who a body answers to, and the closures up and down them.

A body's reporting lines are its ``reports_to`` and ``sub_group_of`` links (W3C
ORG reportsTo and subOrganizationOf).  The analyses, the report and the web
pages all walk them; this module is the one place that says how.

Examples
--------
>>> from govmap.ingest import loads
>>> reg = loads('''
... bodies:
...   - {id: top, name: Top, kind: board}
...   - {id: mid, name: Mid, kind: group, reports_to: top}
...   - {id: low, name: Low, kind: group, sub_group_of: mid}
... ''')
>>> parents = parents_of(reg)
>>> parents["low"], closure(parents, "low")
(['mid'], [(1, 'mid'), (2, 'top')])
>>> closure(children_of(parents), "top")
[(1, 'mid'), (2, 'low')]
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

from govmap.ingest.model import REPORTING_FIELDS, Body, Register


def parents(body: Body) -> list[str]:
    """The bodies ``body`` reports to or is a sub-group of: ids, first mention first, never itself."""
    ids = [link.to for name in REPORTING_FIELDS for link in getattr(body, name)]
    return [i for i in dict.fromkeys(ids) if i != body.id]


def parents_of(register: Register, bodies: Iterable[Body] | None = None) -> dict[str, list[str]]:
    """Body id -> :func:`parents`, for every body (or the ``bodies`` given)."""
    return {b.id: parents(b) for b in (register.bodies if bodies is None else bodies)}


def children_of(parents: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """The reverse of a parent map: body id -> the bodies answering to it, in register order."""
    out: dict[str, list[str]] = defaultdict(list)
    for child, ps in parents.items():
        for p in ps:
            out[p].append(child)
    return out


def closure(edges: Mapping[str, Iterable[str]], start: str | Iterable[str]) -> list[tuple[int, str]]:
    """Every node reachable from ``start`` along ``edges``, breadth first, with its distance.

    With a parent map these are the ancestors (everyone a body answers to,
    directly or not); with a child map, the descendants.  Each node once, at
    its shortest distance; the start nodes are not included.  Cycles are safe.
    """
    starts = [start] if isinstance(start, str) else list(start)
    seen = set(starts)
    out: list[tuple[int, str]] = []
    todo = deque((s, 0) for s in starts)
    while todo:
        node, depth = todo.popleft()
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                out.append((depth + 1, nxt))
                todo.append((nxt, depth + 1))
    return out
