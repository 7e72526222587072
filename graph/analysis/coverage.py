"""Who covers each place: the coverage matrix of the bodies the law requires in every area.

For every area a coverage rule applies to (``data/rules/coverage.yaml``,
:mod:`govmap.graph.analysis.coverage_file`) and every function it requires,
the matrix names the body that serves it there:

* a body recording the area itself, alone or among several (a merged CSP for
  two districts);
* else a body recording an area the place lies within (a county-wide record
  of the district CSPs; a force-area domestic abuse board);
* else the active successor of an abolished body that covered it.

A cell is otherwise "two bodies" (two active bodies each claiming the
function for the place itself, where the law wants one), "area not recorded"
(a body serving the function records no place, so the matrix cannot tell
which it serves), "abolished" (only a body abolished without a successor
covers it) or "not recorded" ("missing" only when the area's list of bodies
is marked complete).  A body working in part of the area only (a district's
own wellbeing board inside a county) is noted, never counted.

The matrix's data types are in :mod:`govmap.graph.analysis.coverage_model`; the
findings built on it in :mod:`govmap.graph.analysis.coverage_findings`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from govmap.graph.analysis.areas import AreaTree, PlaceBasis, body_place
from govmap.graph.analysis.coverage_file import CoverageRule, CoverageRules, Recognisable, load_coverage
from govmap.graph.analysis.coverage_model import Cell, Coverage, Provider, Row, State
from govmap.graph.analysis.lookup import Lookup, is_active, lookup_of
from govmap.ingest.model import Area, Body, Organisation, Register, Status, effective_status

# -- building the matrix -------------------------------------------------------------


def coverage_matrix(
    register: Register, rules: CoverageRules | None = None, lookup: Lookup | None = None
) -> Coverage:
    """The coverage matrix of ``register`` under ``rules`` (the shipped coverage rules by default).

    Examples
    --------
    >>> from govmap.ingest import loads
    >>> reg = loads('''
    ... areas:
    ...   - {id: shire, name: Shire, kind: county}
    ...   - {id: north, name: North, kind: district, within: shire}
    ...   - {id: south, name: South, kind: district, within: shire}
    ...   - {id: west, name: West, kind: district, within: shire}
    ... organisations:
    ...   - {id: cc, name: Shire County Council, type: county-council, areas: shire}
    ...   - {id: nc, name: North Council, type: district-council, areas: north}
    ...   - {id: sc, name: South Council, type: district-council, areas: south}
    ...   - {id: wc, name: West Council, type: district-council, areas: west}
    ... bodies:
    ...   - {id: ns-csp, name: North and South CSP, kind: csp, areas: [north, south]}
    ... ''')
    >>> m = coverage_matrix(reg)
    >>> [(r.name, r.cells["community-safety-partnership"].text(m.names)) for r in m.rows if r.depth]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('North', 'North and South CSP (with South; unconfirmed)'),
     ('South', 'North and South CSP (with North; unconfirmed)'), ('West', 'not recorded')]
    """
    lk = lookup_of(register, lookup)
    rs = rules if rules is not None else load_coverage()
    key = f"coverage-{id(rs)}"
    if key in lk.memo:
        cached: Coverage = lk.memo[key]
        return cached
    result = _Builder(lk, rs).build()
    lk.memo[key] = result
    return result


class _Builder:
    """The matrix made in one pass per rule: candidates indexed by the areas they reach."""

    def __init__(self, lk: Lookup, rules: CoverageRules) -> None:
        self.lk = lk
        self.rules = rules
        self.tree: AreaTree = lk.area_tree
        self.areas: dict[str, Area] = {a.id: a for a in lk.register.areas}
        self.names = {a.id: a.name for a in lk.register.areas}
        # the records every rule asks about, indexed once for all the rules
        self.bodies = Recognisable(lk.register.bodies)
        self.organisations = Recognisable(lk.register.organisations)
        # areas some council (or other organisation) covers directly, by organisation type
        self.org_areas: dict[str, set[str]] = defaultdict(set)
        for org in lk.register.organisations:
            if org.dissolved is None and not org.succeeded_by:
                for t in org.all_types:
                    self.org_areas[t.value].update(link.to for link in org.areas)

    # -- which areas a rule applies to ---------------------------------------------
    def applies(self, rule: CoverageRule, area: Area) -> bool:
        w = rule.where
        if area.id in w.areas:
            return True
        if not set(w.area_kinds) & set(area.kinds):
            return False
        if w.containing and not any(
            self.tree.has_kind(d, w.containing) for d in self.tree.descendants(area.id)
        ):
            return False
        return True

    def in_scope(self, rule: CoverageRule, area: Area) -> bool:
        """The register holds the place, not just names it: it records the authority whose duty it is."""
        if not rule.authority or area.id in rule.where.areas or area.bodies_complete:
            return True
        return any(area.id in self.org_areas.get(t.value, ()) for t in rule.authority)

    # -- the records serving a rule ------------------------------------------------
    def candidates(self, rule: CoverageRule) -> list[tuple[Body | Organisation, str]]:
        out = rule.recognise.recognised(self.bodies)
        if rule.recognise.types:
            out += rule.recognise.recognised(self.organisations)
        return out

    def place(self, rec: Body | Organisation) -> tuple[tuple[str, ...], str]:
        """(areas, via) for a record; via is own, parent, hosts or part_of; none when nothing says."""
        if isinstance(rec, Organisation):
            if rec.areas:
                return tuple(link.to for link in rec.areas), "own"
            seen, todo = {rec.id}, [link.to for link in rec.part_of]
            while todo:  # a service recorded as part of a council serves the council's area
                parent = self.lk.index.get(todo.pop(0))
                if isinstance(parent, Organisation) and parent.id not in seen:
                    seen.add(parent.id)
                    if parent.areas:
                        return tuple(link.to for link in parent.areas), "part_of"
                    todo += [link.to for link in parent.part_of]
            return (), "none"
        p = body_place(self.lk, rec)
        if p.basis is PlaceBasis.AREAS:
            return p.areas, "own"
        if p.basis in (PlaceBasis.PARENT, PlaceBasis.HOSTS):
            return p.areas, p.basis.value
        return (), "none"  # a place read from members is too weak to count a body as covering

    def build(self) -> Coverage:
        rows: dict[str, dict[str, Cell]] = {}
        outside: dict[str, str] = {}
        used: list[CoverageRule] = []
        unplaced: dict[str, tuple[str, list[str]]] = {}
        for rule in self.rules.rules:
            areas = [a for a in self.lk.register.areas if self.applies(rule, a)]
            scoped = [a for a in areas if self.in_scope(rule, a)]
            held = {a.id for a in scoped}
            outside.update({a.id: a.name for a in areas if a.id not in held})
            if not scoped:
                continue
            used.append(rule)
            cells, loose = _RuleCells(self, rule).cells([a.id for a in scoped])
            for area, cell in cells.items():
                rows.setdefault(area, {})[rule.id] = cell
            for p in loose:
                unplaced.setdefault(p.id, (p.name, []))[1].append(rule.id)
        order = self.order(set(rows))
        out_rows = tuple(
            Row(
                a,
                self.names[a],
                tuple(k.value for k in self.areas[a].kinds),
                depth,
                effective_status(self.areas[a]),
                self.complete(self.areas[a]),
                {r.id: rows[a][r.id] for r in used if r.id in rows[a]},
            )
            for a, depth in order
        )
        names = dict(self.names)
        return Coverage(
            tuple(used),
            out_rows,
            self.rules,
            tuple(sorted(((a, n) for a, n in outside.items() if a not in rows), key=lambda x: x[1])),
            tuple((i, n, tuple(rs)) for i, (n, rs) in sorted(unplaced.items())),
            names,
        )

    @staticmethod
    def complete(area: Area) -> bool:
        return area.bodies_complete and bool(area.sources) and effective_status(area) is Status.CONFIRMED

    def order(self, wanted: set[str]) -> list[tuple[str, int]]:
        """The rows in tree order: each area after the one it lies within (its first), depth-first.

        The depth counts only the rows above it (an ICB area that is not a row does not indent).
        """
        out: list[tuple[str, int]] = []
        seen: set[str] = set()
        for a in self.areas:
            if not self.tree.parents.get(a) and a not in seen:
                self._visit(a, 0, wanted, seen, out)
        for a in self.areas:  # areas on a cycle of within
            if a not in seen:
                self._visit(a, 0, wanted, seen, out)
        return out

    def _visit(
        self, a: str, depth: int, wanted: set[str], seen: set[str], out: list[tuple[str, int]]
    ) -> None:
        # a method, not a closure: a recursive closure is a reference cycle, which kept the whole
        # reading (the Lookup this builder holds) alive until the cyclic collector ran
        seen.add(a)
        if a in wanted:
            out.append((a, depth))
        for c in self.tree.children(a):
            if c not in seen:
                self._visit(c, depth + (a in wanted), wanted, seen, out)


class _RuleCells:
    """The cells of one rule: every candidate placed once, then each area judged."""

    def __init__(self, b: _Builder, rule: CoverageRule) -> None:
        self.b, self.rule = b, rule
        self.direct: dict[str, list[Provider]] = defaultdict(list)
        self.wider: dict[str, list[tuple[int, Provider]]] = defaultdict(list)
        self.partial: dict[str, list[Provider]] = defaultdict(list)
        self.abolished: dict[str, list[Provider]] = defaultdict(list)
        self.loose: list[Provider] = []
        self.line: dict[str, set[str]] = {}
        for rec, how in b.candidates(rule):
            self.add(rec, how)

    def provider(self, rec: Body | Organisation, how: str, via: str, **kw: Any) -> Provider:
        gone = rec.dissolved
        return Provider(
            rec.id,
            rec.name,
            how,
            via,
            status=self.b.lk.status.get(rec.id, effective_status(rec)),
            dissolved=str(gone) if gone is not None else None,
            **kw,
        )

    def add(self, rec: Body | Organisation, how: str) -> None:
        areas, via = self.b.place(rec)
        active = is_active(rec) if isinstance(rec, Body) else rec.dissolved is None and not rec.succeeded_by
        if active:
            if via == "none":
                self.loose.append(self.provider(rec, how, "none"))
            else:
                self.spread(self.provider(rec, how, via), areas)
            return
        successors = self.successors(rec)
        if not successors:
            for a in areas:  # abolished, and nothing replaced it: it still "covers" its places
                for d in self.b.tree.down(a):
                    self.abolished[d].append(self.provider(rec, how, via))
        elif how != "name":
            for s in successors:  # a successor with no place of its own takes its predecessor's
                if self.b.place(s)[1] == "none":
                    p = self.provider(s, "succession", "succession", through=rec.id, through_name=rec.name)
                    self.spread(p, areas)

    def spread(self, p: Provider, areas: tuple[str, ...]) -> None:
        """Index ``p`` under each of its areas (own or shared), the areas within them (wider) and the
        areas holding them (in part)."""
        tree = self.b.tree
        for a in areas:
            others = tuple(x for x in areas if x != a)
            if p.via == "succession":
                self.direct[a].append(p)
            else:
                self.direct[a].append(replace(p, via="shared" if others else p.via, with_areas=others))
            depth = len(tree.ancestors(a))
            wide = replace(p, via="wider", through=a, through_name=self.b.names.get(a, a))
            for d in tree.descendants(a):
                self.wider[d].append((depth, wide))
            for up in tree.ancestors(a):
                self.partial[up].append(p)

    def successors(self, rec: Body | Organisation) -> list[Body | Organisation]:
        """The active records that replaced ``rec``, following chains of succession."""
        out: list[Body | Organisation] = []
        seen = {rec.id}
        todo = [link.to for link in rec.succeeded_by]
        while todo:
            i = todo.pop(0)
            if i in seen:
                continue
            seen.add(i)
            nxt = self.b.lk.index.get(i)
            if isinstance(nxt, Body) and is_active(nxt):
                out.append(nxt)
            elif isinstance(nxt, Body | Organisation):
                todo += [link.to for link in nxt.succeeded_by]
        return out

    def cells(self, areas: list[str]) -> tuple[dict[str, Cell], list[Provider]]:
        out = {}
        for a in areas:
            out[a] = self.judge(a)
        return out, self.loose

    def judge(self, area: str) -> Cell:
        rid = self.rule.id
        partial = tuple(p for p in _once(self.partial.get(area, [])) if p.by != "name")
        direct = _once(self.direct.get(area, []))
        if direct:
            certain = self.distinct([p for p in direct if p.by != "name"])
            if self.rule.count == "one" and len(certain) > 1:
                return Cell(rid, State.TWICE, tuple(certain), partial)
            return Cell(rid, State.COVERED, _shown(direct), partial)
        wider = self.wider.get(area, [])
        if wider:
            deepest = max(d for d, _ in wider)
            return Cell(rid, State.COVERED, _shown(_once([p for d, p in wider if d == deepest])), partial)
        if self.loose:
            return Cell(rid, State.NOT_PLACED, _shown(_once(self.loose)), partial)
        gone = _once(self.abolished.get(area, []))
        if gone:
            return Cell(rid, State.ABOLISHED, tuple(gone), partial)
        complete = _Builder.complete(self.b.areas[area])
        return Cell(rid, State.MISSING if complete else State.NOT_RECORDED, (), partial)

    def distinct(self, providers: list[Provider]) -> list[Provider]:
        """Providers that are separate arrangements: not one reporting to (or a sub-group of) another."""
        up = self.b.lk.ancestors
        out: list[Provider] = []
        for p in providers:
            if not any(q.id in up(p.id) or p.id in up(q.id) for q in out):
                out.append(p)
        return out


def _shown(providers: list[Provider]) -> tuple[Provider, ...]:
    """Those the register says serve the function; those inferred from a name only when no other does."""
    certain = [p for p in providers if p.by != "name"]
    return tuple(certain or providers)


def _once(providers: list[Provider]) -> list[Provider]:
    """Each record once, first mention kept, in name order."""
    seen: dict[str, Provider] = {}
    for p in providers:
        seen.setdefault(p.id, p)
    return sorted(seen.values(), key=lambda p: (p.name, p.id))


# The matrix's types are imported from here too (the report, the web page, the findings).
__all__ = ["Cell", "Coverage", "Provider", "Row", "State", "coverage_matrix"]
