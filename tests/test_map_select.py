"""The map's selection shortcuts give what NetworkX gives: records within some hops of a
focus, and records with no link inside the view."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from govmap.webviz.map.data import linked_within
from govmap.webviz.map.select import within


def _random_graph(seed: int) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(60))
    for _ in range(90):
        g.add_edge(rng.randrange(60), rng.randrange(60))  # self-loops and repeats included
    return g


@pytest.mark.parametrize("seed", range(20))
def test_records_within_some_hops_are_those_networkx_finds_in_the_undirected_subgraph(seed: int) -> None:
    g = _random_graph(seed)
    rng = random.Random(seed)
    kept = {n for n in g if rng.random() < 0.7} | {0}
    for hops in (1, 2, 3):
        expected = set(
            nx.single_source_shortest_path_length(g.subgraph(kept).to_undirected(), 0, cutoff=hops)
        )
        assert within(g, kept, 0, hops) == expected


@pytest.mark.parametrize("seed", range(20))
def test_a_record_is_linked_within_a_view_exactly_when_its_degree_there_counts_another_record(
    seed: int,
) -> None:
    g = _random_graph(seed)
    rng = random.Random(seed)
    kept = {n for n in g if rng.random() < 0.5}
    sub = g.subgraph(kept)
    for n in kept:
        assert linked_within(g, n, kept) == (sub.degree(n) - sub.number_of_edges(n, n) > 0)
