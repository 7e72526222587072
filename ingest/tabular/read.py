"""Cells in: a spreadsheet's tables turned into register data, each value's cell remembered.

See :mod:`govmap.ingest.tabular.layout` for the layout; :mod:`govmap.ingest.tabular.files` reads the files and checks the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from govmap.ingest.errors import FileInvalid, Level, Problem, RegisterError, Span
from govmap.ingest.reading.messages import did_you_mean
from govmap.ingest.reading.yamlsafe import Path, parse
from govmap.ingest.tabular.cells import scalar_text
from govmap.ingest.tabular.layout import (
    BOOL,
    DATE,
    FLOW,
    INT,
    LINES,
    LISTS_SHEET,
    README_SHEET,
    REGISTER_SHEET,
    SHEETS,
    SOURCES,
    Column,
    Sheet,
    column_letter,
)
from govmap.ingest.text import TextRefused, clean_text


@dataclass(frozen=True, order=True)
class CellSpan(Span):
    """A cell of a sheet: ``line`` is the row, ``column`` the column (1-based).

    ``sheet`` is empty for a CSV file (the file is the sheet); ``order`` is the
    sheet's place in the workbook, for sorting problems as a reader meets them.

    >>> str(CellSpan("register.xlsx", 12, 3, "Bodies")), str(CellSpan("csv/bodies.csv", 12, 3))
    ('register.xlsx:Bodies!C12', 'csv/bodies.csv:C12')
    """

    sheet: str = ""
    order: int = 0

    @property
    def cell(self) -> str:
        return f"{column_letter(self.column)}{self.line}"

    def __str__(self) -> str:
        return f"{self.file}:{self.sheet}!{self.cell}" if self.sheet else f"{self.file}:{self.cell}"


@dataclass
class Place:
    """The file and sheet a table was read from (one object shared by all its cells)."""

    file: str
    sheet: str = ""
    order: int = 0


class Cell:
    """One cell's value and where it is; the span is made only when a problem needs it."""

    __slots__ = ("value", "row", "column", "place")

    def __init__(self, value: Any, row: int, column: int, place: Place) -> None:
        self.value, self.row, self.column, self.place = value, row, column, place

    @property
    def span(self) -> CellSpan:
        p = self.place
        return CellSpan(p.file, self.row, self.column, p.sheet, p.order)


@dataclass
class Table:
    """One sheet read in: its header cells and its non-blank rows."""

    name: str
    header: list[Cell]
    #: Each row's cells; an empty cell of a workbook is None (most cells are: no object for them).
    rows: list[list[Cell | None]]
    place: Place
    csv: bool = False


class SpreadsheetUnreadable(RegisterError):
    """The file is not a spreadsheet we can read (or is locked, or too large)."""

    exit_status = 2


class TabularInvalid(FileInvalid):
    """Every error found in a spreadsheet, one per cell, in workbook order."""

    holder = "the spreadsheet"
    consequence = "; nothing was written"

    @staticmethod
    def sort_key(problem: Problem) -> tuple[Any, ...]:
        return problem_order(problem)


def problem_order(p: Problem) -> tuple[Any, ...]:
    """Sort key for problems: by file, then sheet order and cell, spanless ones first."""
    s = p.span
    if isinstance(s, CellSpan):
        return (s.file, s.order, s.sheet, s.line, s.column)
    return (s.file, -1, "", s.line, s.column) if s else ("", -1, "", 0, 0)


@dataclass
class Reader:
    """Turns tables into register data, remembering which cell each value came from."""

    filename: str
    problems: list[Problem] = field(default_factory=list)
    where: dict[Path, Cell] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # sheets present (by slug)
    _records: dict[str, tuple[str, int]] = field(default_factory=dict)

    def error(self, span: Span | None, message: str, hint: str | None = None, code: str = "invalid") -> None:
        self.problems.append(Problem(message, span, hint, Level.ERROR, code))

    # -- values ----------------------------------------------------------------------
    def value(self, cell: Cell, col: Column, csv_text: bool) -> Any:
        """A cell's value as the register holds it; text cleaned as a form cleans it."""
        v = self._value(cell, col, csv_text)
        return v if col.name == "value" else clean(v, col.name)

    def _value(self, cell: Cell, col: Column, csv_text: bool) -> Any:
        v = cell.value
        if v is None:
            return None
        if isinstance(v, str):
            if csv_text and v.startswith("'"):
                v = v[1:]
            if v.strip() == "":
                return None
        if isinstance(v, dt.datetime):
            v = v.date()
        if col.kind == SOURCES:
            return self.sources(cell, str(v))
        if col.kind == FLOW:
            return self.flow(cell, str(v), list, "a list like [{field: period.start, status: disputed}]")
        if col.kind == LINES or (
            col.many and isinstance(v, str) and (v.lstrip().startswith("[") or "\n" in v)
        ):
            return self.lines(cell, scalar_text(v))
        if col.many and not col.scalar and isinstance(v, str):
            return [v.strip()]
        if col.kind == BOOL:
            if isinstance(v, str) and v.strip().lower() in ("true", "false", "yes", "no"):
                return v.strip().lower() in ("true", "yes")
            return v
        if col.kind in (DATE, INT):
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if isinstance(v, str) and v.strip().isdigit():
                return int(v.strip())
            if isinstance(v, dt.date):
                return v.isoformat()
            return v
        if isinstance(v, float) and v.is_integer():
            return str(int(v))  # a code or a name typed as a number
        if isinstance(v, int | float) and not isinstance(v, bool):
            return str(v)
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    def lines(self, cell: Cell, text: str) -> Any:
        if text.lstrip().startswith("["):
            return self.flow(cell, text, list, 'a list like ["one", "two"]')
        return [line.strip() for line in text.splitlines() if line.strip()]

    def flow(self, cell: Cell, text: str, kind: type, what: str) -> Any:
        parsed = parse(text, str(cell.span))
        if parsed.problems or not isinstance(parsed.data, kind):
            self.error(cell.span, f"'{text}' is not {what}", code="bad-value")
            return None
        return parsed.data

    def sources(self, cell: Cell, text: str) -> Any:
        out: list[Any] = []
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                item = self.flow(cell, line, dict, 'a source like {doc: csa, section: "Our Approach"}')
                if item is None:
                    return None
                out.append(item)
            else:
                out.append({"doc": line})
        return out

    # -- sheets ----------------------------------------------------------------------
    def columns(self, table: Table, sheet: Sheet) -> dict[int, Column] | None:
        known = {c.name: c for c in sheet.columns}
        out: dict[int, Column] = {}
        for i, cell in enumerate(table.header):
            name = cell.value.strip() if isinstance(cell.value, str) else cell.value
            if name in (None, ""):
                continue
            col = known.get(str(name).lower())
            if col is None:
                self.error(
                    cell.span,
                    f"{table.name}: unknown column '{name}'",
                    did_you_mean(str(name).lower(), known) or f"columns are: {', '.join(known)}",
                    "unknown-key",
                )
            elif col in out.values():
                self.error(
                    cell.span, f"{table.name}: column '{col.name}' appears twice", code="duplicate-key"
                )
            else:
                out[i] = col
        first = sheet.columns[0].name if sheet.section is None else "id"
        if first not in {c.name for c in out.values()}:
            span = table.header[0].span if table.header else None
            self.error(span, f"{table.name}: no '{first}' column", "keep the header row of the template")
            return None
        return out

    def row_values(
        self, table: Table, cols: dict[int, Column], row: list[Cell | None]
    ) -> dict[str, tuple[Any, Cell]]:
        out: dict[str, tuple[Any, Cell]] = {}
        for i, cell in enumerate(row):
            if cell is None:
                continue
            col = cols.get(i)
            if col is None:
                if cell.value not in (None, "") and not (i < len(table.header) and table.header[i].value):
                    self.error(cell.span, f"{table.name}: a value in a column with no header")
                continue
            v = self.value(cell, col, table.csv)
            if v is not None:
                out[col.name] = (v, cell)
        return out

    def register_sheet(self, table: Table) -> None:
        cols = self.columns(table, REGISTER_SHEET)
        if cols is None:
            return
        info: dict[str, Any] = {}
        for row in table.rows:
            vals = self.row_values(table, cols, row)
            if "key" not in vals:
                continue
            key, kcell = vals["key"]
            if "value" not in vals:
                continue
            value, vcell = vals["value"]
            if key == "top":
                value = self.lines(vcell, scalar_text(value))
            value = clean(value, str(key))
            info[key] = value
            self.where[("register", key)] = vcell
            self.where.setdefault(("register",), kcell)
        self.data["register"] = info

    def record_sheet(self, table: Table, sheet: Sheet) -> None:
        cols = self.columns(table, sheet)
        if cols is None:
            return
        items = self.data.setdefault(sheet.section or "", [])
        for row in table.rows:
            vals = self.row_values(table, cols, row)
            if not vals:
                continue
            i = len(items)
            path: Path = (sheet.section or "", i)
            item: dict[str, Any] = {}
            first = vals.get("id", next(iter(vals.values())))[1]
            self.where[path] = first
            for name, (v, cell) in vals.items():
                if name.startswith("period_"):
                    item.setdefault("period", {})[name.split("_", 1)[1]] = v
                    self.where[(*path, "period", name.split("_", 1)[1])] = cell
                    continue
                item[name] = v
                self.where[(*path, name)] = cell
            items.append(item)
            rid = item.get("id")
            if isinstance(rid, str) and rid not in self._records:
                self._records[rid] = (sheet.section or "", i)

    def link_sheet(self, table: Table, sheet: Sheet) -> None:
        cols = self.columns(table, sheet)
        if cols is None:
            return
        key = sheet.target_key
        for row in table.rows:
            vals = self.row_values(table, cols, row)
            if not vals:
                continue
            if "record" not in vals:
                cell = next(iter(vals.values()))[1]
                self.error(cell.span, f"{table.name}: no record id in this row", "fill the 'record' column")
                continue
            rid, rcell = vals.pop("record")
            owner = self._records.get(rid) if isinstance(rid, str) else None
            if owner is None or owner[0] not in sheet.owners:
                ids = [i for i, (s, _) in self._records.items() if s in sheet.owners]
                words = " or ".join(s for s in sheet.owners)
                msg = f"{table.name}: record '{rid}' is not in {words}"
                self.error(rcell.span, msg, did_you_mean(rid, ids), "unknown-ref")
                continue
            if key is not None and key not in vals:
                self.error(rcell.span, f"{table.name}: no '{key}' in this row", f"fill the '{key}' column")
                continue
            item_list = self.data[owner[0]][owner[1]].setdefault(sheet.field or "", [])
            path: Path = (*owner, sheet.field or "", len(item_list))
            if key is not None and list(vals) == [key]:
                item: Any = vals[key][0]  # the short form: a bare id
            else:
                item = {name: v for name, (v, _) in vals.items()}
            item_list.append(item)
            self.where[path] = vals[key][1] if key is not None else rcell
            for name, (_, cell) in vals.items():
                if name != key:
                    self.where[(*path, name)] = cell

    def read(self, tables: list[Table]) -> None:
        by_name = {s.title.lower(): s for s in SHEETS} | {s.slug: s for s in SHEETS}
        ignored = {README_SHEET.lower(), LISTS_SHEET.lower()}
        todo: list[tuple[Table, Sheet]] = []
        for table in tables:
            key = table.name.lower().removesuffix(".csv")
            sheet = by_name.get(key) or by_name.get(key.replace(" ", "_"))
            if sheet is None:
                if key not in ignored:
                    span = table.header[0].span if table.header else CellSpan(self.filename, 1, 1)
                    hint = did_you_mean(table.name, [s.title for s in SHEETS]) or "sheets are: " + ", ".join(
                        s.title for s in SHEETS
                    )
                    self.error(span, f"unknown sheet '{table.name}'", hint, "unknown-section")
                continue
            if sheet.slug in self.seen:
                continue
            self.seen.add(sheet.slug)
            todo.append((table, sheet))
        # Records first, so a link sheet can find its record wherever the sheets are.
        todo.sort(key=lambda ts: SHEETS.index(ts[1]))
        for table, sheet in todo:
            if sheet is REGISTER_SHEET:
                self.register_sheet(table)
            elif sheet.section:
                self.record_sheet(table, sheet)
            else:
                self.link_sheet(table, sheet)

    def locate(self, paths: list[Path], at_key: bool = False) -> dict[Path, Span]:
        """The cell of each path: the nearest enclosing value we read."""
        out: dict[Path, Span] = {}
        for path in paths:
            p = path
            while p and p not in self.where:
                p = p[:-1]
            if p:
                out[path] = self.where[p].span
        return out


def clean(value: Any, name: str) -> Any:
    """Text as :func:`govmap.ingest.text.clean_text` stores it (line breaks, spaces at the ends, NFC).

    A spreadsheet is an edge where people type, so its text is cleaned like a
    form's.  A value with a character govmap refuses is left as it is: the
    register rules report it, at its cell.
    """
    if isinstance(value, str):
        try:
            return clean_text(value, name)
        except TextRefused:
            return value
    if isinstance(value, list):
        return [clean(v, name) for v in value]
    if isinstance(value, dict):
        return {k: clean(v, str(k)) for k, v in value.items()}
    return value
