"""The register as a typed NetworkX multi-digraph: what analysis walks.

One node per record, keyed by id, with ``kind`` (body, organisation, ...), the
record's own ``type``/``kind`` as ``subtype``, ``name``, ``status`` and the
record itself under ``record``.  One edge per relationship, keyed by where it
is written (``origin/field/index``), with ``type`` (a :class:`RelType` value),
``role`` and ``status``.  Edges run in the direction a sentence reads: an
organisation is a *member_of* a body, a body *reports_to* a body, an
organisation *hosts* a body, an owner *owns* a strategy.
"""

from __future__ import annotations

import networkx as nx

from govmap.ingest.model import Record, Register, effective_status
from govmap.ingest.reading.messages import kind_word


def node_attrs(rec: Record) -> dict[str, object]:
    """The attributes a node carries for one record."""
    return {
        "kind": rec.word,
        "subtype": rec.subtype,
        "name": rec.name,
        "status": effective_status(rec).value,
        "record": rec,
    }


def build_graph(register: Register, include_documents: bool = False) -> nx.MultiDiGraph:
    """Build the typed multi-digraph of a register.

    Parameters
    ----------
    register : Register
        A validated register.
    include_documents : bool
        Documents are sources, not actors; leave them out unless asked.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by record id; edges keyed by ``Relation.key``.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... bodies:
    ...   - {id: board, name: Board, kind: board, top_level: true}
    ...   - {id: group, name: Group, kind: group, reports_to: board}
    ... ''')
    >>> g = build_graph(reg)
    >>> [(u, v, d["type"]) for u, v, d in g.edges(data=True)]
    [('group', 'board', 'reports_to')]
    """
    g = nx.MultiDiGraph(name=register.info.name, register=register.info.id)
    for rec in register.records():
        if kind_word(rec) == "document" and not include_documents:
            continue
        g.add_node(rec.id, **node_attrs(rec))
    for rel in register.relations():
        if rel.source not in g or rel.target not in g:
            continue
        g.add_edge(
            rel.source,
            rel.target,
            key=rel.key,
            type=rel.type.value,
            role=rel.role,
            status=rel.status.value,
            relation=rel,
        )
    return g


def counts(g: nx.MultiDiGraph) -> tuple[dict[str, int], dict[str, int]]:
    """Node counts by kind and edge counts by type, sorted by name."""
    nodes: dict[str, int] = {}
    for _, kind in g.nodes(data="kind"):
        nodes[kind] = nodes.get(kind, 0) + 1
    edges: dict[str, int] = {}
    for _, _, t in g.edges(data="type"):
        edges[t] = edges.get(t, 0) + 1
    return dict(sorted(nodes.items())), dict(sorted(edges.items()))
