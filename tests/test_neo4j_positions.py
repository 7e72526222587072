"""Positions of records kept across a re-load (graph/neo4j/positions.py): a pure function, no server.

Whatever the stored positions and the new file order, sorting every record by
its position gives the file's order, and only the fewest records get a new one.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from govmap.graph.neo4j.positions import new_orders


def merged(ids: list[str], stored: dict[str, float | int | None]) -> list[float | int]:
    out = new_orders(ids, stored)
    return [out[i] if i in out else stored[i] for i in ids]  # type: ignore[misc]


def test_a_record_put_on_top_of_a_long_file_is_the_only_position_set():
    ids = [f"r{i}" for i in range(1000)]
    stored = {i: k for k, i in enumerate(ids)}
    assert new_orders(["new", *ids], stored) == {"new": -1}


def test_a_record_moved_from_the_end_to_the_top_is_the_only_position_set():
    ids = [f"r{i}" for i in range(10)]
    stored = {i: k for k, i in enumerate(ids)}
    assert new_orders([ids[-1], *ids[:-1]], stored) == {"r9": -1}


def test_records_put_again_and_again_between_the_same_two_are_numbered_afresh_when_fractions_run_out():
    ids, stored = ["a", "b"], {"a": 1, "b": 2}
    afresh = 0
    for k in range(80):  # each new record goes just after "a": the gap halves each time
        ids = [ids[0], f"n{k}", *ids[1:]]
        changed = new_orders(ids, stored)
        afresh += len(changed) > 1
        stored.update(changed)
        order = [stored[i] for i in ids]
        assert order == sorted(order) and len(set(order)) == len(order)
    assert afresh >= 1  # 80 halvings of 1 outrun a float's 52 bits


def test_records_without_a_stored_position_get_one():
    assert new_orders(["a", "b", "c"], {"a": 0, "b": None, "c": 2}) == {"b": 1}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 30), unique=True, max_size=25),
    st.lists(st.integers(0, 30), unique=True, max_size=25),
    st.lists(st.one_of(st.integers(-50, 50), st.floats(-50, 50, allow_nan=False)), max_size=25),
)
def test_sorting_by_position_gives_the_file_order_and_the_fewest_records_move(old, new, values):
    stored: dict[str, float | int | None] = {f"r{i}": v for i, v in zip(old, values, strict=False)}
    ids = [f"r{i}" for i in new]
    order = merged(ids, stored)
    assert all(a < b for a, b in zip(order, order[1:], strict=False))
    kept = [stored[i] for i in ids if i in stored and stored[i] is not None]
    longest = _longest_run(kept)
    changed = new_orders(ids, stored)
    if all(v == k and type(v) is int for k, v in enumerate(order)) and len(changed) > len(ids) - longest:
        return  # numbered afresh (fractions ran out): every position may be set
    assert len(changed) == len(ids) - longest


def _longest_run(values: list[float | int]) -> int:
    """Length of a longest strictly increasing subsequence (quadratic, to check the fast one)."""
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)
