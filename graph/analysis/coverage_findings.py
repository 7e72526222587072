"""Findings about who covers each place, read from the coverage matrix.

* ``required-body-not-recorded``: a place has no body recorded for a function
  the law requires there.  Worded "not recorded" (a gap in the register, or
  in the arrangements: someone should look), and "lacks" a required body
  only when the area's list of bodies is marked complete (``bodies_complete:
  true`` with a source).  A function recorded for no place of its kind at all
  is one finding listing the places: the register probably never looked for
  that kind of body.
* ``required-body-twice``: two active bodies each claim one statutory function
  for one place where the law wants one (not a body and its own sub-group; a
  body that replaced another is not active twice).
* ``abolished-body-still-covers``: the only body recorded for a function in a
  place was abolished and nothing recorded replaced it.
* ``area-not-in-register``: a body serving a function records no area the
  matrix can place (none at all, or one lying within none of the register's
  other areas), so which places it serves cannot be told.

Each finding cites the law of its rule (``evidence.law``) and says when it
rests on an unconfirmed area or on a body recognised only by its name.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from govmap.graph.analysis.coverage import Cell, Coverage, Provider, Row, State, coverage_matrix
from govmap.graph.analysis.coverage_file import CoverageRule, CoverageRules
from govmap.graph.analysis.findings import Finding, Kind, Severity, Source, make_finding
from govmap.graph.analysis.lookup import Lookup, lookup_of
from govmap.ingest.model import Organisation, Register, Status


def coverage_findings(
    register: Register, rules: CoverageRules | None = None, lookup: Lookup | None = None
) -> list[Finding]:
    """Every coverage finding of ``register`` (see the module's description).

    Examples
    --------
    >>> from govmap.ingest import loads
    >>> reg = loads('''
    ... documents: [{id: list, name: List of districts}]
    ... areas:
    ...   - {id: shire, name: Shire, kind: county, sources: [{doc: list}]}
    ...   - {id: north, name: North, kind: district, within: shire, sources: [{doc: list}]}
    ...   - {id: south, name: South, kind: district, within: shire, sources: [{doc: list}]}
    ... organisations:
    ...   - {id: cc, name: Shire County Council, type: county-council, areas: shire}
    ...   - {id: nc, name: North Council, type: district-council, areas: north}
    ...   - {id: sc, name: South Council, type: district-council, areas: south}
    ... bodies:
    ...   - {id: north-csp, name: North CSP, kind: csp, areas: north}
    ... ''')
    >>> [(f.kind.value, f.severity.value, f.title) for f in coverage_findings(reg)
    ...  if "South" in f.title]  # doctest: +NORMALIZE_WHITESPACE
    [('required-body-not-recorded', 'medium', 'South has no community safety partnership recorded.')]
    """
    lk = lookup_of(register, lookup)
    m = coverage_matrix(register, rules, lk)
    by_id = {r.id: r for r in m.rules}
    folded = _nowhere(m)
    out: list[Finding] = [_fold(lk, [by_id[rid] for rid in folded], m)] if folded else []
    for row in m.rows:
        gaps = [
            (by_id[rid], c)
            for rid, c in row.cells.items()
            if c.state in (State.NOT_RECORDED, State.MISSING) and rid not in folded
        ]
        if gaps:
            out.append(_not_recorded(lk, m, row, gaps))
        for rid, c in row.cells.items():
            if c.state is State.TWICE:
                out.append(_twice(lk, row, by_id[rid], c))
            elif c.state is State.ABOLISHED:
                out.append(_abolished(lk, row, by_id[rid], c))
    unplaced = _unplaced(lk, m)
    if unplaced is not None:
        out.append(unplaced)
    return out


# -- not recorded ----------------------------------------------------------------------


def _nowhere(m: Coverage) -> list[str]:
    """Rules recorded for none of the places needing them (none of which is marked complete)."""
    return [
        rule.id
        for rule in m.rules
        if all(r.cells[rule.id].state is State.NOT_RECORDED for r in m.rows if rule.id in r.cells)
    ]


def _law(rules: list[CoverageRule]) -> list[dict[str, Any]]:
    return [{"rule": r.id, "function": r.title, "legal_basis": r.legal_basis, "url": r.url} for r in rules]


def _either(words: list[str], last: str = "or") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def _councils(lk: Lookup, rule: CoverageRule, area: str) -> list[Organisation]:
    """The active organisations whose duty the rule is in ``area`` (its council, or its force)."""
    by_area = lk.memo.get("coverage-authorities")
    if by_area is None:
        by_area = lk.memo["coverage-authorities"] = defaultdict(list)
        for o in lk.register.organisations:
            if o.dissolved is None and not o.succeeded_by:
                for link in o.areas:
                    by_area[link.to].append(o)
    return [o for o in by_area.get(area, ()) if set(o.all_types) & set(rule.authority)]


def _unconfirmed_area(row: Row) -> str:
    return "" if row.status is Status.CONFIRMED else f" (the area itself is recorded as {row.status.value})"


def _not_recorded(lk: Lookup, m: Coverage, row: Row, gaps: list[tuple[CoverageRule, Cell]]) -> Finding:
    rules = [r for r, _ in gaps]
    nouns = _either([r.words for r in rules])
    councils = list({o.id: o for r in rules for o in _councils(lk, r, row.area)}.values())
    who = _either([o.name for o in councils], "and") if councils else "the council"
    if row.complete:
        severity = max((Severity(r.severity) for r in rules), key=lambda s: s.rank)
        title = (
            f"{row.name} has no {nouns}, although its list of bodies is marked complete: the law requires "
            f"{'it' if len(rules) == 1 else 'them'}."
        )
        suggestion = (
            f"Record the body if it exists but was left out (and correct bodies_complete on {row.name} if the "
            f"list is not whole); otherwise raise the gap with {who}: {'; '.join(r.legal_basis for r in rules)}."
        )
    else:
        severity = max((Severity(r.not_recorded) for r in rules), key=lambda s: s.rank)
        title = f"{row.name} has no {nouns} recorded{_unconfirmed_area(row)}."
        suggestion = (
            f"Find the {_either([r.words for r in rules], 'and')} serving {row.name} and record "
            f"{'it' if len(rules) == 1 else 'each'} with its areas (a body shared with neighbouring areas lists "
            f"them all); if none is found, ask {who} ({'; '.join(r.legal_basis for r in rules)}). When the "
            f"register's list of bodies for "
            f"{row.name} is whole, mark the area bodies_complete: true with its source."
        )
    if row.status is not Status.CONFIRMED:
        severity = min(severity, Severity.LOW, key=lambda s: s.rank)
    in_part = {p.id: p for _, c in gaps for p in c.partial}
    evidence: dict[str, Any] = {
        "area": {"id": row.area, "name": row.name, "kind": list(row.kinds), "status": row.status.value},
        "functions": [{"rule": r.id, "function": r.title, "state": c.state.value} for r, c in gaps],
        "list_complete": row.complete,
        "law": _law(rules),
        "council": [{"id": o.id, "name": o.name} for o in councils],
    }
    if in_part:
        evidence["in_part"] = [{"id": p.id, "name": p.name} for p in in_part.values()]
    return make_finding(
        Kind.REQUIRED_NOT_RECORDED,
        severity,
        title,
        [lk.subject(row.area)],
        evidence=evidence,
        suggestion=suggestion,
        sources=_sources(lk, row.area, *(o.id for o in councils)),
    )


def _fold(lk: Lookup, rules: list[CoverageRule], m: Coverage) -> Finding:
    """One finding for the functions recorded for no place at all: the register never looked for them.

    It is about the authorities whose duty they are (the councils; for a police force area its force or
    commissioner), and names the places.
    """
    rows = [r for r in m.rows if any(rule.id in r.cells for rule in rules)]
    places = _first([r.name for r in rows], "and")
    authorities = list(
        {
            o.id: o for r in rows for rule in rules if rule.id in r.cells for o in _councils(lk, rule, r.area)
        }.values()
    )
    need = ("needs" if len(rows) == 1 else "need") + (" one" if len(rules) == 1 else " them")
    severity = min((Severity(r.not_recorded) for r in rules), key=lambda s: s.rank)
    return make_finding(
        Kind.REQUIRED_NOT_RECORDED,
        min(severity, Severity.LOW, key=lambda s: s.rank),
        f"The register records no {_either([r.words for r in rules])} at all: {places} {need}.",
        [lk.subject(o.id) for o in authorities] or [lk.subject(r.area) for r in rows],
        evidence={
            "functions": [{"rule": r.id, "function": r.title} for r in rules],
            "areas": [{"id": r.area, "name": r.name} for r in rows],
            "authorities": [{"id": o.id, "name": o.name} for o in authorities],
            "law": _law(rules),
        },
        suggestion=(
            "The register may not have looked for these bodies yet: find each place's "
            f"{_either([r.words for r in rules], 'and')} and record them with their areas, or switch a rule "
            "off in the register's own coverage rules file (switch_off:, with the reason) if it is outside "
            f"the register's scope ({'; '.join(r.legal_basis for r in rules)})."
        ),
        sources=_sources(lk, *(r.area for r in rows)),
        key="nowhere",
    )


def _first(names: list[str], last: str = "") -> str:
    """The first six names, then how many more; joined with "and" when ``last`` says so."""
    if len(names) > 6:
        return ", ".join(names[:6]) + f" and {len(names) - 6} more"
    return _either(names, last) if last else ", ".join(names)


# -- two, abolished, unplaced -----------------------------------------------------------


def _who(p: Provider) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "recognised_by": p.by, "status": p.status.value}


_NUMBERS = {2: "Two", 3: "Three", 4: "Four", 5: "Five"}


def _twice(lk: Lookup, row: Row, rule: CoverageRule, cell: Cell) -> Finding:
    names = [p.name for p in cell.providers]
    shaky = [p.name for p in cell.providers if p.status is not Status.CONFIRMED]
    count = _NUMBERS.get(len(names), str(len(names)))
    title = f"{count} bodies are recorded as {row.name}'s {rule.words}: "
    title += _either(names, "and") + "."
    severity = Severity.MEDIUM
    if shaky:
        severity = Severity.LOW
        title = title[:-1] + f" ({_either(shaky, 'and')} unconfirmed)."
    return make_finding(
        Kind.REQUIRED_TWICE,
        severity,
        title,
        [lk.subject(row.area), *(lk.subject(p.id) for p in cell.providers)],
        evidence={
            "area": {"id": row.area, "name": row.name},
            "function": {"rule": rule.id, "function": rule.title},
            "bodies": [_who(p) for p in cell.providers],
            "law": _law([rule]),
        },
        suggestion=(
            f"The law provides one {rule.words} for {row.name} ({rule.legal_basis}). If one replaced the "
            "other, record succeeded_by on the older; if they are one body under two names, keep one record "
            "(the other name as an alias); if one is part of the other, record sub_group_of."
        ),
        sources=_sources(lk, *(p.id for p in cell.providers)),
        key=rule.id,
    )


def _abolished(lk: Lookup, row: Row, rule: CoverageRule, cell: Cell) -> Finding:
    gone = cell.providers
    named = [p.name + (f" (dissolved {p.dissolved})" if p.dissolved else "") for p in gone]
    by_name = all(p.by == "name" for p in gone)
    title = (
        f"The only {rule.words} recorded for {row.name} is {_either(named, 'and')}, abolished with no active "
        "successor recorded" + (" (recognised by its name only)" if by_name else "") + "."
    )
    return make_finding(
        Kind.ABOLISHED_STILL_COVERS,
        Severity.LOW if by_name or row.status is not Status.CONFIRMED else Severity.MEDIUM,
        title,
        [lk.subject(row.area), *(lk.subject(p.id) for p in gone)],
        evidence={
            "area": {"id": row.area, "name": row.name},
            "function": {"rule": rule.id, "function": rule.title},
            "abolished": [_who(p) | {"dissolved": p.dissolved} for p in gone],
            "law": _law([rule]),
        },
        suggestion=(
            f"Record the body that took over its functions (succeeded_by on the old record, and the new body "
            f"with its areas); an abolished body cannot be {row.name}'s {rule.words} ({rule.legal_basis})."
        ),
        sources=_sources(lk, row.area, *(p.id for p in gone)),
        key=rule.id,
    )


def _unplaced(lk: Lookup, m: Coverage) -> Finding | None:
    """One finding for every body serving a function that the matrix cannot place."""
    titles = {r.id: r.words for r in m.rules_used.rules}
    entries = [(i, n, [titles[r] for r in rs if r in titles], "records no area") for i, n, rs in m.unplaced]
    entries += _islands(lk, m)
    if not entries:
        return None
    entries.sort(key=lambda e: (e[1], e[0]))
    parts = [f"{n} ({_either(fs, 'and')}; {why})" for _, n, fs, why in entries]
    if len(entries) == 1:
        title = f"{entries[0][1]} serves as a {_either(entries[0][2])} but {entries[0][3]}"
    else:
        title = f"{len(entries)} bodies serving statutory functions cannot be placed in the coverage matrix"
    waiting = sorted({r.name for r in m.rows for c in r.cells.values() if c.state is State.NOT_PLACED})
    return make_finding(
        Kind.AREA_NOT_IN_REGISTER,
        Severity.LOW,
        f"{title}: which places {'it serves' if len(entries) == 1 else 'they serve'} cannot be told"
        + ("." if len(entries) == 1 else f": {'; '.join(parts)}."),
        [lk.subject(i) for i, *_ in entries],
        evidence={
            "bodies": [{"id": i, "name": n, "functions": fs, "why": why} for i, n, fs, why in entries],
            "places_waiting": waiting,
        },
        suggestion=(
            "Record the areas each body serves (areas: [...], every area of a body shared by several), and "
            "place each area within the register's others (within:); the matrix then shows who covers "
            + (f"{_either(waiting, 'and')}." if waiting else "each place.")
        ),
        sources=_sources(lk, *(i for i, *_ in entries)),
    )


def _islands(lk: Lookup, m: Coverage) -> list[tuple[str, str, list[str], str]]:
    """Active bodies serving a function whose every area lies within no other area and holds none."""
    tree = lk.area_tree
    if len(lk.register.areas) < 2:
        return []
    rows = {r.area for r in m.rows}
    out = []
    for b in lk.bodies:
        own = [link.to for link in b.areas]
        if not own or any(a in rows or tree.parents.get(a) or tree.descendants(a) for a in own):
            continue
        fs = [r.words for r in m.rules_used.rules if r.recognise.how(b) is not None]
        if fs:
            names = _either([m.names.get(a, a) for a in own], "and")
            out.append((b.id, b.name, fs, f"its area {names} lies within none of the register's other areas"))
    return out


def _sources(lk: Lookup, *ids: str) -> list[Source]:
    return lk.record_sources(*ids)


__all__ = ["coverage_findings"]
