"""Where each record sits in the file, kept as a sortable number (``order``) on its node.

A re-load sets as few positions as it can: the records whose stored orders
are already in the file's order (the longest run of them, not necessarily
adjacent: :func:`_longest_increasing`) keep their numbers, and every other
record -- added, or moved among the others -- gets a number between its
neighbours'.  So a record inserted near the top of a national register sets
one position, not fifty thousand, and the numbers stay what they were for the
records around it.  Numbers between two stored ones may be fractions; when
fractions run out (two neighbours with no number between them), every record
is numbered afresh, 0, 1, 2 ...
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence


def new_orders(ids: Sequence[str], stored: dict[str, float | int | None]) -> dict[str, float | int]:
    """An order for every id of ``ids`` (the file's order), keeping as many ``stored`` ones as it can.

    Returns the ids whose order is new or differs from the stored one (records
    not in ``stored`` included), with their orders; sorting every record by
    its order (the kept ones and these) gives ``ids`` in order.

    >>> new_orders(["n", "a", "b", "c"], {"a": 0, "b": 1, "c": 2})
    {'n': -1}
    >>> new_orders(["a", "n", "b"], {"a": 0, "b": 1})
    {'n': 0.5}
    >>> new_orders(["c", "a", "b"], {"a": 0, "b": 1, "c": 2})
    {'c': -1}
    >>> new_orders(["a", "b", "n"], {"a": 0, "b": 7})
    {'n': 8}
    >>> new_orders(["a", "b"], {})
    {'a': 0, 'b': 1}
    """
    keep = _longest_increasing([stored.get(i) for i in ids])
    out: dict[str, float | int] = {}
    anchors = sorted(keep)
    prev: float | int | None = None
    start = 0
    for a in [*anchors, len(ids)]:
        hi = stored[ids[a]] if a < len(ids) else None
        run = ids[start:a]
        if run:
            for i, value in zip(run, _between(prev, hi, len(run)), strict=True):
                out[i] = value
        if a < len(ids):
            prev = hi
        start = a + 1
    # Fractions can run out (many records put between the same two): then number every record afresh.
    merged = [out[i] if i in out else stored[i] for i in ids]
    numbers = [x for x in merged if isinstance(x, int | float) and math.isfinite(x)]
    if len(numbers) < len(merged) or any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
        return {i: k for k, i in enumerate(ids) if stored.get(i) != k or type(stored.get(i)) is not int}
    return out


def _between(lo: float | int | None, hi: float | int | None, n: int) -> list[float | int]:
    """``n`` increasing numbers strictly between ``lo`` and ``hi`` (either may be open): whole
    numbers where there is room, else evenly spaced fractions."""
    if lo is None and hi is None:
        return list(range(n))
    if lo is None:
        assert hi is not None
        top = math.ceil(hi) - 1
        return [top - n + 1 + k for k in range(n)]
    if hi is None:
        base = math.floor(lo) + 1
        return [base + k for k in range(n)]
    first, last = math.floor(lo) + 1, math.ceil(hi) - 1
    if last - first + 1 >= n:
        return [first + k for k in range(n)]
    step = (hi - lo) / (n + 1)
    return [lo + step * (k + 1) for k in range(n)]


def _longest_increasing(values: Sequence[float | int | None]) -> set[int]:
    """Indexes of a longest strictly increasing subsequence of ``values`` (None left out).

    >>> sorted(_longest_increasing([0, 1, None, 2, 5, 3, 4]))
    [0, 1, 3, 5, 6]
    """
    tails: list[float | int] = []  # the smallest last value of an increasing run of each length
    tail_at: list[int] = []
    back: list[int] = [-1] * len(values)
    for i, v in enumerate(values):
        if v is None or not isinstance(v, int | float) or not math.isfinite(v):
            continue
        k = bisect.bisect_left(tails, v)
        back[i] = tail_at[k - 1] if k else -1
        if k == len(tails):
            tails.append(v)
            tail_at.append(i)
        else:
            tails[k], tail_at[k] = v, i
    out: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        out.add(i)
        i = back[i]
    return out
