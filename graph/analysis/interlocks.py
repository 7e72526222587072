"""Interlocks and seat load: who sits on many bodies, and which bodies share members."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from govmap.graph.analysis.findings import (
    Finding,
    Kind,
    Severity,
    Source,
    SourceRef,
    finding_id,
    make_finding,
    plural,
)
from govmap.graph.analysis.fold import folded, seat_load_title
from govmap.graph.analysis.lookup import Lookup, SeatTable, lookup_of
from govmap.ingest.model import Post, Register

#: Seats at which an organisation or post is reported (meeting burden).
DEFAULT_MIN_SEATS = 5
#: Members two bodies must share to be reported as interlocked.
DEFAULT_MIN_SHARED = 3
#: Share of both memberships the shared members must make up (Ochiai coefficient).
DEFAULT_MIN_SIMILARITY = 0.8


@dataclass(frozen=True)
class SeatLoad:
    """One organisation or post and the bodies it sits on."""

    id: str
    kind: str
    bodies: tuple[str, ...]
    rank: int

    @property
    def seats(self) -> int:
        return len(self.bodies)


def seat_loads(register: Register, lookup: Lookup | None = None, min_seats: int = 0) -> list[SeatLoad]:
    """Organisations and posts ranked by the number of bodies they sit on.

    An organisation's seats include those held through its posts and people
    acting on its behalf; a post's are its own.  Ties share a rank
    (competition ranking, 1, 2, 2, 4) and are ordered by id.  Only those on at
    least ``min_seats`` bodies are returned (ranked among all).

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... organisations: [{id: police, name: Police, type: police-force}]
    ... bodies:
    ...   - {id: a, name: A, kind: board, members: [police]}
    ...   - {id: b, name: B, kind: board, members: [police]}
    ... ''')
    >>> [(s.id, s.seats, s.rank) for s in seat_loads(reg)]
    [('police', 2, 1)]
    """
    lk = lookup_of(register, lookup)
    seats = lk.seat_table
    bodies_of: Callable[[str], tuple[str, ...]]
    if seats.on_behalf:  # who a seat counts for depends on the seat: seat by seat
        on = _seat_bodies(lk)
        ranked = sorted([(-len(bodies), id_) for id_, bodies in on.items()])
        bodies_of = lambda id_: tuple(sorted(on[id_]))  # noqa: E731 - one expression, like the other
    else:  # on the member alone: by sparse product, seats (body x member) @ holders (member x holder)
        ranked, bodies_of = _seats_by_holder(lk, seats)
    out: list[SeatLoad] = []
    rank, last = 0, 0
    for i, (minus, id_) in enumerate(ranked):
        if -minus < min_seats:
            break
        if minus != last:
            rank, last = i + 1, minus
        out.append(SeatLoad(id_, lk.subject(id_).kind, bodies_of(id_), rank))
    return out


def _seat_bodies(lk: Lookup) -> dict[str, set[str]]:
    """The bodies each organisation or post sits on, seat by seat."""
    on: dict[str, set[str]] = {}
    # who a seat counts for depends on the member alone unless the seat names on_behalf_of:
    # worked out once a member, not once a seat
    counts_for: dict[str, tuple[str, ...]] = {}
    for b in lk.bodies:
        body = b.id
        for m in b.members:
            if m.on_behalf_of:
                post = (m.member,) if _is_post(lk, m.member) else ()
                holders: tuple[str, ...] = (m.on_behalf_of, *post)
            else:
                found = counts_for.get(m.member)
                if found is None:
                    org = lk.seat_organisation(m)
                    post = (m.member,) if _is_post(lk, m.member) else ()
                    found = counts_for[m.member] = (*((org,) if org is not None else ()), *post)
                holders = found
            for h in holders:
                seats = on.get(h)
                if seats is None:
                    on[h] = {body}
                else:
                    seats.add(body)
    return on


def _seats_by_holder(
    lk: Lookup, seats: SeatTable
) -> tuple[list[tuple[int, str]], Callable[[str], tuple[str, ...]]]:
    """(-seats, id) of every organisation and post sitting anywhere, sorted, and a function giving
    one's bodies sorted by id: when no seat names on_behalf_of, so who a seat counts for (its
    organisation, and itself if a post) depends on its member alone."""
    ids = [b.id for b in lk.bodies]
    order = sorted(range(len(ids)), key=ids.__getitem__)
    by_id = np.empty(len(ids), dtype=np.int64)  # each body's place in id order: rows in that order
    by_id[order] = np.arange(len(ids), dtype=np.int64)
    sorted_ids = [ids[i] for i in order]
    codes: dict[str, int] = {}
    pairs: list[tuple[int, int]] = []
    for j, member in enumerate(seats.members):
        org = lk.member_organisation(member)
        if org is not None:
            pairs.append((j, codes.setdefault(org, len(codes))))
        if _is_post(lk, member):
            pairs.append((j, codes.setdefault(member, len(codes))))
    holders = list(codes)
    if not pairs:
        return [], lambda id_: ()
    hr, hc = zip(*pairs, strict=True)
    sat = sp.csr_matrix(
        (np.ones(len(seats.body)), (by_id[seats.body], seats.member)), shape=(len(ids), len(seats.members))
    )
    held = sp.csr_matrix((np.ones(len(hr)), (hr, hc)), shape=(len(seats.members), len(holders)))
    on = (sat @ held).tocsc()  # body x holder: non-zero where the holder sits on the body
    on.sort_indices()
    counts = np.diff(on.indptr)
    ranked = sorted(zip((-counts).tolist(), holders, strict=True))
    indptr, indices = on.indptr, on.indices

    def bodies_of(id_: str) -> tuple[str, ...]:
        c = codes[id_]
        return tuple([sorted_ids[k] for k in indices[indptr[c] : indptr[c + 1]].tolist()])

    return ranked, bodies_of


def _is_post(lk: Lookup, id_: str) -> bool:
    return isinstance(lk.index.get(id_), Post)


def seat_load_findings(
    register: Register,
    min_seats: int = DEFAULT_MIN_SEATS,
    lookup: Lookup | None = None,
    *,
    fold: bool = False,
) -> list[Finding]:
    """One ``seat-load`` finding per organisation or post on at least ``min_seats`` bodies.

    Severity is info; medium from twice ``min_seats``, where the meeting
    burden alone may justify merging meetings.  With ``fold``, the info ones
    (when there are two or more) come already folded into one, as
    :func:`govmap.graph.report.aggregate.aggregate` folds them: the same finding,
    without making one object per organisation first (at national scale, 2,500
    of them); the medium ones stay findings of their own.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... organisations:
    ...   - {id: p, name: Police, type: police-force}
    ...   - {id: f, name: Fire, type: fire-and-rescue}
    ...   - {id: c, name: Council, type: county-council}
    ... bodies:
    ...   - {id: a, name: A, kind: board, members: [p, f, c]}
    ...   - {id: b, name: B, kind: board, members: [p, f, c]}
    ...   - {id: d, name: D, kind: board, members: [p]}
    ... ''')
    >>> [f.title for f in seat_load_findings(reg, min_seats=2)]
    ['Police sits on 3 bodies (rank 1).', 'Council sits on 2 bodies (rank 2).', 'Fire sits on 2 bodies (rank 2).']
    >>> [f.title for f in seat_load_findings(reg, min_seats=2, fold=True)]
    ['3 organisations each sit on 2 to 3 bodies (7 seats in all): Police, Council and Fire.']
    >>> [f.severity.value for f in seat_load_findings(reg, min_seats=1, fold=True)]  # medium: never folded
    ['medium', 'medium', 'medium']
    """
    lk = lookup_of(register, lookup)
    loads = seat_loads(register, lk, min_seats)
    # the sources of each reported member's seats, by body (lk.rel_sources(body, "members", id)),
    # in one pass over the memberships, each source as dedupe_sources keys it: ((doc, section or ""),
    # section); a seat citing no source of its own cites its body's, and bodies citing the same
    # sources share one keyed tuple (most bodies of a register cite one document)
    wanted = {load.id for load in loads}
    seat_sources: dict[str, dict[str, _Keyed]] = {}
    shared: dict[_Keyed, _Keyed] = {}
    # each body's row in a finding's ``bodies``, made once and shared by every finding naming it
    # (read only: written as JSON); nationally 4,746 findings name 116,000 bodies
    rows = {body.id: {"id": body.id, "name": body.name} for body in lk.bodies}
    seats = lk.seat_table
    cited = {_keyed(body.sources) for body in lk.bodies} if not seats.cited else set()
    if len(cited) == 1:  # no seat cites its own, every body the same: every listed member cites those
        only = cited.pop()
        listed = set(seats.members)
        seat_sources = {member: {"": only} for member in wanted if member in listed}
    for body in lk.bodies if not seat_sources else ():
        own: _Keyed | None = None
        for m in body.members:
            if m.member in wanted:
                if m.sources:
                    keyed = _keyed(m.sources)
                else:
                    if own is None:
                        own = _keyed(body.sources)
                        own = shared.setdefault(own, own)
                    keyed = own
                by_body = seat_sources.setdefault(m.member, {})
                by_body[body.id] = by_body[body.id] + keyed if body.id in by_body else keyed
    out: list[Finding] = []
    folding: list[_Part] = []
    for load in loads:
        # dedupe_sources' dictionary (the last section written for a key wins), filled a body at a
        # time (the seat's bodies are among load.bodies); a body's sources the same tuple as the
        # last body's add nothing (the same keys, the same sections, in the same order)
        by_body = seat_sources.get(load.id, {})
        seen: dict[tuple[str, str], str | None]
        if len(set(map(id, by_body.values()))) == 1:  # every body's the same tuple: it alone
            seen = dict(next(iter(by_body.values())))
        else:
            seen = {}
            last: _Keyed | None = None
            for b in load.bodies:
                got = by_body.get(b)
                if got is not None and got is not last:
                    seen.update(got)
                    last = got
        severity = Severity.MEDIUM if load.seats >= 2 * min_seats else Severity.INFO
        title = f"{lk.name(load.id)} sits on {plural(load.seats, 'body', 'bodies')} (rank {load.rank})."
        evidence = {
            "seats": load.seats,
            "rank": load.rank,
            "bodies": list(map(rows.__getitem__, load.bodies)),
        }
        if fold and severity is Severity.INFO:
            folding.append((load, title, evidence, seen))
        else:
            out.append(_seat_load(lk, load, severity, title, evidence, seen))
    if len(folding) > 1:
        out.append(_folded_seat_loads(lk, folding))
    else:
        out += [_seat_load(lk, load, Severity.INFO, title, ev, seen) for load, title, ev, seen in folding]
    return out


SEAT_LOAD_SUGGESTION = (
    "Check whether the same people attend these meetings; consider shared or back-to-back agendas, "
    "or delegating seats."
)

#: A seat load not yet a finding: the load, its title, evidence and sources (as dedupe_sources keys them).
_Part = tuple[SeatLoad, str, dict[str, Any], dict[tuple[str, str], str | None]]


def _seat_load(
    lk: Lookup,
    load: SeatLoad,
    severity: Severity,
    title: str,
    evidence: dict[str, Any],
    seen: dict[tuple[str, str], str | None],
) -> Finding:
    return make_finding(
        Kind.SEAT_LOAD,
        severity,
        title,
        [lk.subject(load.id)],
        evidence=evidence,
        suggestion=SEAT_LOAD_SUGGESTION,
        sources=[SourceRef(doc, section) for (doc, _), section in seen.items()],
        score=load.seats,
    )


def _folded_seat_loads(lk: Lookup, parts: list[_Part]) -> Finding:
    """The info seat loads as one finding, as :func:`aggregate` folds their findings: the parts in
    the report's order (most seats first, then by title and id), every part's sources."""
    level = Severity.INFO.value
    rows = sorted(
        (-load.seats, title, finding_id(Kind.SEAT_LOAD, [load.id]), load.id, evidence, seen)
        for load, title, evidence, seen in parts
    )
    # dedupe_sources over every part's sources in that order: the last section written for a key wins
    cited: dict[tuple[str, str], str | None] = {}
    for row in rows:
        cited.update(row[5])
    subjects = [lk.subject(row[3]) for row in rows]
    return folded(
        Kind.SEAT_LOAD,
        level,
        [
            {
                "id": fid,
                "severity": level,
                "title": title,
                "subjects": [subject.to_json()],
                "evidence": evidence,
            }
            for (_, title, fid, _, evidence, _), subject in zip(rows, subjects, strict=True)
        ],
        subjects=subjects,
        sources=[SourceRef(doc, section) for (doc, _), section in cited.items()],
        severity=Severity.INFO,
        title=seat_load_title(
            [s.kind for s in subjects], [s.name for s in subjects], [-row[0] for row in rows]
        ),
        suggestion=SEAT_LOAD_SUGGESTION,
        score=float(-rows[0][0]),
    )


#: Sources as :func:`dedupe_sources` keys them: ((doc, section or ""), section).
_Keyed = tuple[tuple[tuple[str, str], str | None], ...]


def _keyed(sources: Iterable[Source]) -> _Keyed:
    return tuple(((s.doc, s.section or ""), s.section) for s in sources)


def shared_member_pairs(
    register: Register,
    k: int = DEFAULT_MIN_SHARED,
    lookup: Lookup | None = None,
    min_similarity: float = 0.0,
) -> list[tuple[str, str, int]]:
    """Pairs of active bodies sharing at least ``k`` members, as ``(a, b, shared)`` with a < b.

    ``min_similarity`` also asks the shared members to be that share of both
    memberships (Ochiai coefficient, ``shared / sqrt(n_a * n_b)``).

    Notes
    -----
    Computed as the sparse product ``M @ M.T`` of the body x member incidence
    matrix, thresholded; cost grows with ``sum_m deg(m)^2``, not ``n^2``.  With
    ``min_similarity``, only the pairs that can reach it are counted
    (:func:`_similar_pairs`).
    """
    lk = lookup_of(register, lookup)
    ids = [b.id for b in lk.bodies]
    seats = lk.seat_table
    n = len(seats.members)
    if not n:
        return []
    cells = seats.cells()  # each (body, member) once, as numbers
    r, c = cells // n, cells % n
    M = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(ids), n))
    least = max(k, 1)
    if min_similarity > 0:  # few pairs are similar enough: compare only those that can be
        row, col, data = _similar_pairs(M, least, min_similarity)
    else:
        row, col, data = _sharing_pairs(M, least)
    size = np.diff(M.indptr)  # each body's members (each listed once)
    similarity = data / np.sqrt(size[row] * size[col])
    keep = similarity >= min_similarity - 1e-12
    out = [(ids[i], ids[j], int(v)) for i, j, v in zip(row[keep], col[keep], data[keep], strict=True)]
    return sorted((min(a, b), max(a, b), v) for a, b, v in out)


_Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]


def _sharing_pairs(M: sp.csr_matrix, least: int) -> _Pairs:
    """The rows (bodies) ``a < b`` of the 0/1 matrix ``M`` sharing ``least`` columns (members) or
    more, and how many: from the whole product ``M @ M.T``."""
    product = (M @ M.T).tocoo()
    # the upper triangle (a < b) with least or more shared, picked from the product's arrays directly
    # (scipy's triu builds a matrix of its own first)
    upper = (product.row < product.col) & (product.data >= least)
    return product.row[upper], product.col[upper], product.data[upper]


def _similar_pairs(M: sp.csr_matrix, least: int, min_similarity: float) -> _Pairs:
    """The pairs of :func:`_sharing_pairs` that can also have an Ochiai coefficient of
    ``min_similarity`` or more (and some that cannot, for the caller to drop), without the whole
    product: prefix filtering, as similarity joins do.

    A pair sharing ``s`` members shares the first of them in any fixed order of the members;
    that member is among the first ``|a| - s + 1`` of each body's members in that order.  A pair
    of similarity ``t`` shares ``s >= t * sqrt(|a| |b|) >= t**2 |a|`` members (``|b| >= t**2 |a|``,
    as ``s <= |b|``), and ``s >= least``: so only members among the first ``|a| - need(a) + 1`` of
    each body, ``need(a) = max(least, ceil(t**2 |a|))``, need be compared.  Rarest members
    first, those prefixes leave out the statutory partners on hundreds of bodies, who make most
    of the 5 million pairs of the whole product at 43 force areas; the pairs found are then
    counted exactly from ``M``.
    """
    size = np.diff(M.indptr)
    t2 = max(min_similarity - 1e-9, 0.0) ** 2  # a little short of t: a longer prefix is never wrong
    need = np.maximum(least, np.ceil(t2 * size - 1e-9)).astype(np.int64)
    rows = np.repeat(np.arange(M.shape[0], dtype=np.int64), size)
    cols = M.indices.astype(np.int64)
    # each member's place in the order: by how many bodies list it, then by number
    freq = np.bincount(cols, minlength=M.shape[1])
    rank = np.empty(M.shape[1], dtype=np.int64)
    rank[np.lexsort((np.arange(M.shape[1]), freq))] = np.arange(M.shape[1])
    order = np.lexsort((rank[cols], rows))  # each body's members in that order
    rows, cols = rows[order], cols[order]
    place = np.arange(len(rows)) - M.indptr[rows]  # each member's place among its body's
    first = place < (size - need + 1)[rows]
    P = sp.csr_matrix((np.ones(int(first.sum())), (rows[first], cols[first])), shape=M.shape)
    candidates = (P @ P.T).tocoo()
    a, b = candidates.row, candidates.col
    # a < b, and sizes that allow it: no pair shares more members than the smaller body has
    small = np.minimum(size[a], size[b])
    can = (a < b) & (small >= least) & (small >= (min_similarity - 1e-9) * np.sqrt(size[a] * size[b]))
    a, b = a[can], b[can]
    shared = np.asarray(M[a].multiply(M[b]).sum(axis=1)).ravel() if len(a) else np.zeros(0)
    enough = shared >= least
    return a[enough], b[enough], shared[enough]


def interlocks(
    register: Register,
    k: int = DEFAULT_MIN_SHARED,
    lookup: Lookup | None = None,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
) -> list[Finding]:
    """One ``interlock`` finding per pair of bodies sharing at least ``k`` members.

    By default the shared members must also make up most of both memberships
    (``min_similarity`` 0.8): the same people meeting twice.  Statutory
    partners sit on nearly every body in their area, so "three members in
    common" alone would pair most bodies of a county; pass
    ``min_similarity=0`` for the plain rule.

    Pairs whose shared members are all statutory partners
    (:data:`STATUTORY_PARTNER_TYPES`, or posts in them) covering the areas of
    both bodies (two district partnerships and the county's police, council
    and fire service) are expected, and reported together as one info finding.

    Examples
    --------
    >>> from govmap.ingest.reading.load import loads
    >>> reg = loads('''
    ... organisations: [{id: p, name: Police, type: police-force}, {id: v, name: Trust, type: voluntary-sector}]
    ... bodies:
    ...   - {id: a, name: A, kind: board, members: [p, v]}
    ...   - {id: b, name: B, kind: board, members: [p, v]}
    ... ''')
    >>> [f.title for f in interlocks(reg, k=2)]
    ['A and B share 2 members.']
    """
    lk = lookup_of(register, lookup)
    out = []
    expected: list[tuple[str, str, list[str], list[Source]]] = []
    for a, b, n in shared_member_pairs(register, k, lk, min_similarity):
        body_a, body_b = lk.index[a], lk.index[b]
        members_a = {m.member for m in getattr(body_a, "members", ())}
        shared = sorted({m.member for m in getattr(body_b, "members", ())} & members_a)
        sources: list[Source] = []
        for m in shared:
            sources += lk.rel_sources(a, "members", m) + lk.rel_sources(b, "members", m)
        if all(_partner_of_both(lk, m, a, b) for m in shared):
            expected.append((a, b, shared, sources))
            continue
        out.append(
            make_finding(
                Kind.INTERLOCK,
                Severity.LOW if n >= 2 * k else Severity.INFO,
                f"{body_a.name} and {body_b.name} share {plural(n, 'member')}.",
                [lk.subject(a), lk.subject(b)],
                evidence={
                    "shared_members": [{"id": m, "name": lk.name(m)} for m in shared],
                    "members": {a: len(members_a), b: len(getattr(body_b, "members", ()))},
                    "k": k,
                    "min_similarity": min_similarity,
                },
                suggestion="Shared members can carry work between the bodies; check that decisions are "
                "not taken twice.",
                sources=sources,
                score=n,
            )
        )
    if expected:
        out.append(_expected_interlocks(lk, expected, k, min_similarity))
    return out


#: Organisation types whose seats statute or guidance puts on most partnerships
#: of their area (responsible authorities, safeguarding and health partners).
STATUTORY_PARTNER_TYPES = frozenset(
    {
        "police-force",
        "police-and-crime-commissioner",
        "county-council",
        "district-council",
        "unitary-council",
        "metropolitan-borough-council",
        "combined-authority",
        "fire-and-rescue",
        "probation",
        "integrated-care-board",
    }
)


def _partner_of_both(lk: Lookup, member: str, a: str, b: str) -> bool:
    """``member`` is a statutory partner (or a post in one) whose area covers both bodies.

    An organisation with no area recorded covers both when the bodies' own areas overlap.
    """
    rec = lk.index.get(member)
    if rec is None:
        return False
    org = rec if lk.subject(member).kind == "organisation" else lk.index.get(getattr(rec, "organisation", ""))
    kind = getattr(org, "type", None)
    if getattr(kind, "value", kind) not in STATUTORY_PARTNER_TYPES:
        return False
    areas_a, areas_b = lk.body_areas(a), lk.body_areas(b)
    own = [link.to for link in getattr(org, "areas", ())]
    if not own:
        return lk.areas_overlap(areas_a, areas_b)
    return lk.areas_overlap(own, areas_a) and lk.areas_overlap(own, areas_b) and bool(areas_a and areas_b)


def _expected_interlocks(
    lk: Lookup, pairs: list[tuple[str, str, list[str], list[Source]]], k: int, min_similarity: float
) -> Finding:
    """One info finding for every pair whose shared members are only statutory partners of a shared area."""
    bodies = sorted({x for a, b, _, _ in pairs for x in (a, b)})
    partners = sorted({m for _, _, shared, _ in pairs for m in shared})
    return make_finding(
        Kind.INTERLOCK,
        Severity.INFO,
        f"{plural(len(bodies), 'body', 'bodies')} share only the statutory partners of their area "
        f"({', '.join(lk.name(m) for m in partners[:4])}{' and others' if len(partners) > 4 else ''}): expected.",
        [lk.subject(b) for b in bodies],
        evidence={
            "statutory_partners": [{"id": m, "name": lk.name(m)} for m in partners],
            "pairs": [
                {"a": lk.name(a), "b": lk.name(b), "shared": [lk.name(m) for m in shared]}
                for a, b, shared, _ in pairs
            ],
            "k": k,
            "min_similarity": min_similarity,
        },
        suggestion="Nothing to do: statutory partners sit on every partnership of their area. "
        "Look at shared members beyond them.",
        sources=[s for *_, srcs in pairs for s in srcs],
        key="statutory-partners",
    )
