"""The umbrellas' delivery bodies still to record, read from the delivery matrix
(:mod:`govmap.graph.analysis.delivery`): :func:`delivery_pairs`; the findings about them are in
:mod:`govmap.graph.analysis.umbrellas`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govmap.graph.analysis.areas import Relation
from govmap.graph.analysis.delivery import Deliverer, DeliveryRow, delivery_matrix
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Body, Register, ThemeKind


@dataclass
class DeliveryPair:
    """An umbrella and another body leading the same issues at its level: its delivery body, unrecorded.

    ``place`` is how the delivery body's area relates to the umbrella's lead
    (the same area, within it, or not recorded).
    """

    umbrella: Deliverer
    body: Deliverer
    place: Relation
    rows: list[DeliveryRow] = field(default_factory=list)


@dataclass
class DeliveryReading:
    """What :func:`delivery_pairs` reads from the matrix: pairs to record, and umbrella priorities led by nobody else."""

    pairs: list[DeliveryPair]
    #: Umbrella id -> (row, its lead) for priorities no other body delivers.
    alone: dict[str, list[tuple[DeliveryRow, Deliverer]]]
    _pairs: set[frozenset[str]] | None = field(default=None, repr=False)

    def paired(self, a: str, b: str) -> bool:
        """Whether two bodies are an umbrella and its (unrecorded) delivery body, either way round."""
        if self._pairs is None:
            self._pairs = {frozenset((p.umbrella.id, p.body.id)) for p in self.pairs}
        return frozenset((a, b)) in self._pairs


def delivery_pairs(register: Register, lookup: Lookup | None = None) -> DeliveryReading:
    """The umbrellas' delivery bodies still to record, read from the matrix (memoised on the lookup).

    Another body leading an umbrella's issue is a candidate delivery body when
    nothing recorded already says how they relate (``delivered_by`` either
    way, a reporting line either way, or one leader, such as a board the
    commissioner chairs beside the commissioner's plan) and it works at the
    umbrella's level: the same area (or either place not recorded), or within
    the umbrella's area when it is not a statutory body (a statutory
    partnership of a narrower area leads the issue by its own duty, not on
    the umbrella's behalf; a body of a wider area is a different level).

    Each pair of bodies is one pair, whichever of them is the umbrella of
    which issue: the umbrella is a top-level body before one that is not,
    then the one leading through a plan, then the one leading more issues.
    """
    lk = lookup_of(register, lookup)
    if "delivery-pairs" in lk.memo:
        cached: DeliveryReading = lk.memo["delivery-pairs"]
        return cached
    matrix = delivery_matrix(register, lk)
    counts = {u: 0 for u in matrix.umbrellas}
    for row in matrix.rows:
        for u in row.umbrellas:
            counts[u] += 1
    pairs: dict[frozenset[str], DeliveryPair] = {}
    alone: dict[str, list[tuple[DeliveryRow, Deliverer]]] = {}
    for row in matrix.rows:
        if not row.umbrellas:
            continue
        for u in row.umbrellas:
            own = next(d for d in row.leads if d.id == u and d.theme == row.theme)
            named = {b for d in row.leads if d.id == u for b in d.delivered_by}
            u_statutory = _statutory(lk, u)
            found = False
            for d in {d.id: d for d in reversed(row.leads)}.values():
                if d.id == u:
                    continue
                if (
                    d.id in named
                    or lk.delivers(u, d.id)
                    or lk.delivers(d.id, u)
                    or lk.in_line(u, d.id)
                    or lk.leaders(u) & lk.leaders(d.id)
                ):
                    found = True  # recorded: delivered_by, a reporting line, or one leadership
                    continue
                place = lk.place(own.areas, d.areas)
                if place not in (Relation.SAME, Relation.UNKNOWN, Relation.CONTAINS):
                    continue  # another place, or a wider level
                if d.kind != "body":
                    found = True  # an organisation or post leading it here (through its own plan)
                    continue
                if _statutory(lk, d.id) and (place is Relation.CONTAINS or u_statutory):
                    continue  # a statutory body leads by its own duty: aligned, not delivering for another
                found = True
                key = frozenset({u, d.id})
                pair = pairs.get(key)
                if pair is None:
                    first, second = _direction(lk, own, d, counts)
                    pair = pairs[key] = DeliveryPair(first, second, lk.place(first.areas, second.areas))
                if all(r.theme != row.theme for r in pair.rows):
                    pair.rows.append(row)
            below = lk.children.get(u, ())
            if (
                not found
                and not named
                and row.kind == ThemeKind.PRIORITY.value
                and not any(d.id in below for d in row.deliverers)
            ):
                alone.setdefault(u, []).append((row, own))
    reading = DeliveryReading(list(pairs.values()), alone)
    lk.memo["delivery-pairs"] = reading
    return reading


def _statutory(lk: Lookup, body: str) -> bool:
    rec = lk.index.get(body)
    return isinstance(rec, Body) and rec.statutory


def _direction(lk: Lookup, a: Deliverer, b: Deliverer, counts: dict[str, int]) -> tuple[Deliverer, Deliverer]:
    """(umbrella, delivery body) for two leads of one issue: top-level first, then through a plan, then more issues."""

    def rank(d: Deliverer) -> tuple[int, int, int, str]:
        return (d.id not in lk.top, d.via is None, -counts.get(d.id, 0), d.id)

    return (a, b) if rank(a) <= rank(b) else (b, a)


__all__ = ["DeliveryPair", "DeliveryReading", "delivery_pairs"]
