"""The coverage matrix as data: what a cell says (:class:`State`), who serves a place
(:class:`Provider`), one function in one place (:class:`Cell`), a place's row (:class:`Row`) and
the whole matrix (:class:`Coverage`), with its JSON and CSV.

Built by :func:`govmap.graph.analysis.coverage.coverage_matrix`, which describes what each cell means.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from govmap.graph.analysis.coverage_file import CoverageRule, CoverageRules
from govmap.ingest.model import Status
from govmap.ingest.text import csv_cell


class State(StrEnum):
    """What a cell of the matrix says."""

    COVERED = "covered"
    TWICE = "two bodies"
    NOT_PLACED = "area not recorded"
    ABOLISHED = "abolished"
    NOT_RECORDED = "not recorded"
    #: Not recorded, and the area's list of bodies is marked complete.
    MISSING = "missing"


@dataclass(frozen=True)
class Provider:
    """A record serving a function in a place (or failing to: an abolished or unplaced one)."""

    id: str
    name: str
    #: How it is recognised: kind, legal_basis, rules, type, name (inferred) or succession.
    by: str
    #: How it reaches the place: own (records it), shared (records it among others), wider (records
    #: an area holding it), parent, hosts or part_of (its place read from them), succession, none.
    via: str
    #: The area through which (wider) or the body it succeeded (succession), if any.
    through: str | None = None
    through_name: str | None = None
    #: The other areas a shared body serves.
    with_areas: tuple[str, ...] = ()
    status: Status = Status.CONFIRMED
    dissolved: str | None = None

    @property
    def inferred(self) -> bool:
        """Recognised from its name, or placed from another record: not a fact the register states."""
        return self.by == "name" or self.via in ("parent", "hosts", "part_of")

    def words(self, names: dict[str, str]) -> str:
        """The provider as a cell names it: ``Castle Point and Rochford CSP (with Rochford)``."""
        notes = []
        if self.via == "shared" and self.with_areas:
            notes.append("with " + ", ".join(names.get(a, a) for a in self.with_areas))
        elif self.via == "wider" and self.through_name:
            notes.append(f"for {self.through_name}")
        elif self.via == "succession" and self.through_name:
            notes.append(f"succeeding {self.through_name}")
        elif self.via in ("parent", "hosts", "part_of"):
            whose = {
                "parent": "its parent body",
                "hosts": "its host",
                "part_of": "the organisation it is part of",
            }
            notes.append(f"place from {whose[self.via]}")
        if self.by == "name":
            notes.append("inferred from its name")
        if self.dissolved:
            notes.append(f"dissolved {self.dissolved}")
        if self.status is not Status.CONFIRMED:
            notes.append(self.status.value)
        return self.name + (f" ({'; '.join(notes)})" if notes else "")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "by": self.by, "via": self.via}
        if self.through:
            out["through"] = {"id": self.through, "name": self.through_name}
        if self.with_areas:
            out["with_areas"] = list(self.with_areas)
        out["status"] = self.status.value
        out["inferred"] = self.inferred
        if self.dissolved:
            out["dissolved"] = self.dissolved
        return out


@dataclass(frozen=True)
class Cell:
    """One function in one area."""

    rule: str
    state: State
    #: The bodies covering it; for two bodies, both; for abolished or unplaced, those.
    providers: tuple[Provider, ...] = ()
    #: Bodies serving the function in part of the area only (noted, not counted).
    partial: tuple[Provider, ...] = ()

    @property
    def inferred(self) -> bool:
        return self.state is State.COVERED and all(p.inferred for p in self.providers)

    def text(self, names: dict[str, str]) -> str:
        """The cell as the matrix prints it."""
        listed = "; ".join(p.words(names) for p in self.providers)
        if self.state is State.COVERED:
            return listed
        if self.state is State.TWICE:
            return f"two bodies: {listed}"
        if self.state is State.NOT_PLACED:
            return f"area not recorded: {listed}"
        if self.state is State.ABOLISHED:
            return f"only {listed}, no successor"
        return self.state.value

    def to_json(self, names: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "state": self.state.value,
            "text": self.text(names),
            "providers": [p.to_json() for p in self.providers],
        }
        if self.partial:
            out["in_part"] = [p.to_json() for p in self.partial]
        return out


@dataclass(frozen=True)
class Row:
    """One area and the cells of the functions required there."""

    area: str
    name: str
    kinds: tuple[str, ...]
    depth: int
    status: Status
    #: The area's list of bodies is marked complete, with a source.
    complete: bool
    cells: dict[str, Cell] = field(default_factory=dict)

    def to_json(self, names: dict[str, str]) -> dict[str, Any]:
        return {
            "area": {
                "id": self.area,
                "name": self.name,
                "kind": list(self.kinds),
                "status": self.status.value,
            },
            "depth": self.depth,
            "bodies_complete": self.complete,
            "cells": {rid: c.to_json(names) for rid, c in self.cells.items()},
        }


@dataclass(frozen=True)
class Coverage:
    """The coverage matrix of a register: areas down, required functions across."""

    rules: tuple[CoverageRule, ...]
    rows: tuple[Row, ...]
    rules_used: CoverageRules
    #: Areas of a kind some rule applies to that the register holds only as context (their council
    #: is not recorded): (id, name).
    outside: tuple[tuple[str, str], ...] = ()
    #: Bodies serving a function that record no place the matrix can use: (id, name, rule ids).
    unplaced: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    names: dict[str, str] = field(default_factory=dict)

    def row(self, area: str) -> Row | None:
        return next((r for r in self.rows if r.area == area), None)

    def cell(self, area: str, rule: str) -> Cell | None:
        row = self.row(area)
        return row.cells.get(rule) if row is not None else None

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": [
                {"id": r.id, "title": r.title, "short": r.short, "legal_basis": r.legal_basis, "url": r.url}
                for r in self.rules
            ],
            "switched_off": [{"rule": o.rule, "reason": o.reason} for o in self.rules_used.off],
            "own_rules": self.rules_used.own,
            "rows": [r.to_json(self.names) for r in self.rows],
            "outside": [{"id": a, "name": n} for a, n in self.outside],
        }

    def to_csv(self) -> str:
        """The matrix as CSV: one row an area, a column a function (cells as the matrix words them)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["area_id", "area", "kind", *(r.short for r in self.rules)])
        for row in self.rows:
            cells = [
                row.cells[r.id].text(self.names) if r.id in row.cells else "not required" for r in self.rules
            ]
            w.writerow([csv_cell(x) for x in (row.area, row.name, ", ".join(row.kinds), *cells)])
        return buf.getvalue()


__all__ = ["Cell", "Coverage", "Provider", "Row", "State"]
