"""The whole-register layout (graph/layout.py): every record placed, pieces apart,
neighbours together, the same picture every time, and an edit moves only what it touched."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

from govmap.graph.layout import LayoutJob, WholeLayout, whole_layout
from govmap.ingest.reading.load import load_register

REGISTERS = Path(__file__).resolve().parent / "registers"


def box(layout: WholeLayout, nodes: list[str]) -> tuple[float, float, float, float]:
    xs = [layout.positions[n][0] for n in nodes]
    ys = [layout.positions[n][1] for n in nodes]
    return min(xs), min(ys), max(xs), max(ys)


def apart(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


def two_cliques(size: int = 8) -> nx.Graph:
    """Two cliques joined by one link: the answer (each clique together) is known by construction."""
    g = nx.Graph()
    left = [f"l{i}" for i in range(size)]
    right = [f"r{i}" for i in range(size)]
    g.add_edges_from((a, b) for i, a in enumerate(left) for b in left[i + 1 :])
    g.add_edges_from((a, b) for i, a in enumerate(right) for b in right[i + 1 :])
    g.add_edge("l0", "r0")
    return g


def mean_distance(layout: WholeLayout, pairs: list[tuple[str, str]]) -> float:
    return sum(math.dist(layout.positions[a], layout.positions[b]) for a, b in pairs) / len(pairs)


def test_every_record_of_a_register_gets_a_position() -> None:
    register = load_register(REGISTERS / "two_tier.yaml")
    layout = whole_layout(register)
    assert set(layout.positions) == {r.id for r in register.records() if r.word != "document"}
    assert layout.relaid == len(layout.positions)


def test_unlinked_pieces_are_drawn_apart_from_each_other() -> None:
    g = nx.MultiDiGraph()
    g.add_edges_from([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x")])
    g.add_node("alone")
    layout = whole_layout(g)
    assert apart(box(layout, ["a", "b", "c"]), box(layout, ["x", "y", "z"]))
    assert apart(box(layout, ["a", "b", "c"]), box(layout, ["alone"]))
    assert apart(box(layout, ["x", "y", "z"]), box(layout, ["alone"]))


def test_records_of_one_clique_are_nearer_each_other_than_the_other_clique() -> None:
    layout = whole_layout(two_cliques())
    inside = [(f"l{i}", f"l{j}") for i in range(8) for j in range(i + 1, 8)]
    across = [(f"l{i}", f"r{j}") for i in range(8) for j in range(8)]
    assert mean_distance(layout, inside) * 2 < mean_distance(layout, across)


def test_the_same_graph_gives_the_same_positions() -> None:
    assert whole_layout(two_cliques()).positions == whole_layout(two_cliques()).positions


def test_a_register_with_no_change_is_not_laid_out_again() -> None:
    g = two_cliques()
    first = whole_layout(g)
    again = whole_layout(g, previous=first)
    assert again.relaid == 0
    assert again.positions == first.positions


def test_an_edit_lays_out_only_the_records_it_touched_and_the_rest_stay_put() -> None:
    g = nx.grid_2d_graph(20, 20)
    g = nx.relabel_nodes(g, {n: f"n{n[0]}-{n[1]}" for n in g})
    first = whole_layout(g)
    g.add_edge("new", "n0-0")  # a new record linked to a corner
    after = whole_layout(g, previous=first)
    # the new record, the corner and its two neighbours; their neighbours hold them in place
    assert after.relaid == 4
    assert "new" in after.positions
    unmoved = [n for n in first.positions if n not in {"n0-0", "n0-1", "n1-0"}]
    assert all(after.positions[n] == first.positions[n] for n in unmoved)
    corner = after.positions["n0-0"]
    assert math.dist(after.positions["new"], corner) < math.dist(after.positions["n19-19"], corner)


def test_a_record_that_joins_the_main_piece_is_placed_beside_its_new_neighbour() -> None:
    g = two_cliques()
    g.add_node("loner")
    first = whole_layout(g)
    g.add_edge("loner", "r3")
    after = whole_layout(g, previous=first)
    assert after.relaid == 9  # the loner, r3 and r3's seven clique-mates; the l clique stays put
    assert all(after.positions[f"l{i}"] == first.positions[f"l{i}"] for i in range(1, 8))
    nearest = min(
        (n for n in after.positions if n != "loner"),
        key=lambda n: math.dist(after.positions[n], after.positions["loner"]),
    )
    assert nearest.startswith("r")


def test_a_large_piece_laid_out_in_a_child_process_comes_out_the_same() -> None:
    g = nx.grid_2d_graph(40, 30)  # 1,200 nodes: past SUBPROCESS_MIN
    g = nx.relabel_nodes(g, {n: f"n{n[0]}-{n[1]}" for n in g})
    assert whole_layout(g, isolate=True).positions == whole_layout(g).positions


def test_a_layout_job_starts_from_the_previous_versions_layout() -> None:
    g = two_cliques()
    first = LayoutJob(g)
    assert first.result(wait=True) is not None
    h = g.copy()
    h.add_edge("new", "l4")
    second = LayoutJob(lambda: h, previous=first).start()
    layout = second.result(wait=True)
    assert layout is not None and layout.relaid < len(layout.positions)


def test_a_failed_layout_job_raises_its_error_to_whoever_asks() -> None:
    def broken() -> nx.Graph:
        raise ValueError("no graph")

    job = LayoutJob(broken)
    with pytest.raises(ValueError, match="no graph"):
        job.result(wait=True)
