"""The ``.xlsx`` side of :mod:`govmap.ingest.tabular.layout`: a workbook a council officer can fill in, and reading one back.

openpyxl is imported here only, so loading a YAML register never pays for it.
When ``defusedxml`` is installed (a dependency of govmap) openpyxl parses the
workbook's XML with it, which refuses entity-expansion bombs; the zip's
uncompressed size is checked before openpyxl sees it (:func:`govmap.ingest.tabular.files._check_zip`).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any
from xml.etree.ElementTree import ParseError

from govmap.ingest.model import Register
from govmap.ingest.tabular.cells import record_rows
from govmap.ingest.tabular.layout import (
    BOOL,
    FORMULA_START,
    ID,
    LINK_SHEETS,
    LISTS_SHEET,
    README_SHEET,
    RECORD_SHEETS,
    REGISTER_SHEET,
    SHEETS,
    VOCAB,
    Column,
    Sheet,
    column_letter,
)
from govmap.ingest.tabular.read import (
    Cell,
    Place,
    SpreadsheetUnreadable,
    Table,
)

#: Rows below the data that still get drop-downs, for new records.
SPARE_ROWS = 1000


def _put(ws: Any, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
        return
    cell.value = value
    if isinstance(value, str) and (value.startswith(FORMULA_START) or cell.data_type == "f"):
        # Never a formula: a text cell, with Excel's quote prefix so it stays text when edited.
        cell.data_type = "s"
        cell.quotePrefix = True


def _readme(ws: Any) -> None:
    lines: list[tuple[str, str, str]] = [
        ("govmap register workbook", "", ""),
        ("Each sheet is one section of the register, or one kind of link between records.", "", ""),
        ("Fill it in, then run:  govmap import THIS-FILE.xlsx -o boards.yaml", "", ""),
        (
            "Every problem is reported at its cell (Bodies!C12); nothing is written until there are none.",
            "",
            "",
        ),
        ("Lists in one cell (aliases, sources, top) have one item a line (Alt+Enter in Excel).", "", ""),
        ('A source is a document id, or {doc: id, section: "heading", note: "..."}.', "", ""),
        ("A blank status means: confirmed if the row has a source, else unconfirmed.", "", ""),
        ("A link row with only record and target takes its record's status and sources.", "", ""),
        ("", "", ""),
        ("sheet", "column", "what it holds"),
    ]
    for sheet in SHEETS:
        for col in sheet.columns:
            what = col.help
            if col.kind == VOCAB:
                what = (what + "; " if what else "") + "one of: " + ", ".join(col.vocab)
            elif col.kind == ID and col.targets and col.name != "id":
                what = (what + "; " if what else "") + "an id from " + " or ".join(col.targets)
            lines.append((sheet.title, col.name, what))
    for r, line in enumerate(lines, start=1):
        for c, v in enumerate(line, start=1):
            _put(ws, r, c, v)
    from openpyxl.styles import Font

    ws["A1"].font = Font(bold=True, size=14)
    for letter in "ABC":
        ws[f"{letter}10"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 100


def _lists(wb: Any, register: Register, template: bool) -> dict[tuple[str, ...], str]:
    """A hidden sheet of drop-down values; returns each list's range by its values' key."""
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    ranges: dict[tuple[str, ...], str] = {}
    col = 0

    def add(key: tuple[str, ...], values: list[str]) -> None:
        nonlocal col
        if key in ranges or not values:
            return
        col += 1
        letter = column_letter(col)
        _put(ws, 1, col, " / ".join(key))
        for r, v in enumerate(values, start=2):
            _put(ws, r, col, v)
        ranges[key] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"

    for sheet in SHEETS:
        for c in sheet.columns:
            if c.kind in (VOCAB, BOOL):
                add(("vocab", *c.vocab), list(c.vocab))
            elif c.kind == ID and len(c.targets) > 1 and not template:
                add(("ids", *c.targets), [r.id for s in c.targets for r in getattr(register, s)])
    return ranges


def _validation(ws: Any, c: Column, col: int, last: int, ranges: dict[tuple[str, ...], str]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = column_letter(col)
    if c.kind in (VOCAB, BOOL):
        formula, strict = ranges.get(("vocab", *c.vocab)), True
    elif c.kind == ID and len(c.targets) == 1 and c.name != "id":
        # The id column of the target sheet itself, so ids added there are offered too.
        target = next(s for s in RECORD_SHEETS if s.section == c.targets[0])
        formula, strict = f"'{target.title}'!$A$2:$A${last}", False
    elif c.kind == ID and c.name != "id":
        formula, strict = ranges.get(("ids", *c.targets)), False
    else:
        return
    if formula is None:
        return
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    # Vocabularies are closed lists; an id may name a record not added yet (import checks it).
    dv.errorStyle = "stop" if strict else "warning"
    dv.error = f"{c.name}: {'choose a value from the list' if strict else 'not an id in the list yet'}"
    dv.showErrorMessage = True
    dv.add(f"{letter}2:{letter}{last}")
    ws.add_data_validation(dv)


def _sheet(
    wb: Any, sheet: Sheet, register: Register, template: bool, ranges: dict[tuple[str, ...], str]
) -> None:
    from openpyxl.styles import Font, PatternFill

    ws = wb.create_sheet(sheet.title)
    widths = [len(c.name) + 2 for c in sheet.columns]
    for col, c in enumerate(sheet.columns, start=1):
        _put(ws, 1, col, c.name)
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.cell(row=1, column=col).fill = PatternFill("solid", fgColor="DDE6F0")
    n = 1
    if not template:
        for n, row in enumerate(record_rows(register, sheet), start=2):
            for col, value in enumerate(row, start=1):
                if value is None:
                    continue
                _put(ws, n, col, value)
                longest = max((len(line) for line in str(value).splitlines()), default=0)
                widths[col - 1] = max(widths[col - 1], longest + 2)
    ws.freeze_panes = "A2"
    for col, w in enumerate(widths, start=1):
        ws.column_dimensions[column_letter(col)].width = min(max(w, 10), 60)
    last = n + SPARE_ROWS
    for col, c in enumerate(sheet.columns, start=1):
        _validation(ws, c, col, last, ranges)


def write_xlsx(register: Register, template: bool = False) -> bytes:
    """The register (or, with ``template``, only the headers) as ``.xlsx`` bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    readme = wb.active
    readme.title = README_SHEET
    _readme(readme)
    ranges = _lists(wb, register, template)
    for sheet in [REGISTER_SHEET, *RECORD_SHEETS, *LINK_SHEETS]:
        _sheet(wb, sheet, register, template, ranges)
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: Workbooks whose sheets unpack to more than this are read in two processes (see read_workbook).
SPLIT_BYTES = 4 * 2**20

#: A sheet's rows as read: the header's values, and (row number, values) of each non-blank row.
SheetRows = tuple[tuple[Any, ...], list[tuple[int, tuple[Any, ...]]]]


def _sheet_rows(ws: Any) -> SheetRows:
    """Every row of a sheet, whatever its declared dimension says.

    A sheet declares its size (``<dimension ref="A1:K40"/>``), and openpyxl's read-only
    mode stops at it; a writer that gets it wrong (or a hostile file) would hide every
    row and column past it, and an import into a register would remove their records.
    So the declaration is dropped and the rows are read to the end."""
    ws.reset_dimensions()
    header: tuple[Any, ...] = ()
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if r == 1:
            header = values
        elif any(v not in (None, "") for v in values):
            rows.append((r, values))
    return header, rows


def _read_sheets(sheets: list[tuple[int, Any]]) -> tuple[dict[int, SheetRows], tuple[int, str] | None]:
    """Sheets read in order until one cannot be: their rows, and (index, message) of that one."""
    out: dict[int, SheetRows] = {}
    for i, ws in sheets:
        try:
            out[i] = _sheet_rows(ws)
        except (ValueError, ParseError, KeyError) as exc:
            return out, (i, f"{type(exc).__name__}: {exc}")
    return out, None


def _halves(wb: Any) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
    """The sheets (index, sheet) in two groups of about the same unpacked size, or all in the
    first when they unpack to no more than :data:`SPLIT_BYTES` (a second process would not pay)."""

    def size(ws: Any) -> int:
        try:  # openpyxl's read-only sheet knows its part of the zip
            return int(wb._archive.getinfo(ws._worksheet_path).file_size)
        except (AttributeError, KeyError):  # no size to go by: read it here
            return 0

    sized = sorted(((size(ws), i, ws) for i, ws in enumerate(wb.worksheets)), key=lambda t: (-t[0], t[1]))
    if sum(n for n, _, _ in sized) <= SPLIT_BYTES:
        return [(i, ws) for _, i, ws in sorted(sized, key=lambda t: t[1])], []
    groups: tuple[list[tuple[int, Any]], list[tuple[int, Any]]] = ([], [])
    loads = [0, 0]
    for n, i, ws in sized:  # largest first, each to the lighter group
        lighter = 0 if loads[0] <= loads[1] else 1
        groups[lighter].append((i, ws))
        loads[lighter] += n
    for g in groups:
        g.sort(key=lambda t: t[0])
    return groups


def read_workbook(raw: bytes, name: str) -> list[Table]:
    """Every sheet of a workbook as a :class:`Table`; formulas come back as their text.

    Notes
    -----
    Parsing the sheets' XML is most of an import.  A workbook whose sheets
    unpack to more than :data:`SPLIT_BYTES` is read in two halves, one in a
    forked child process (:mod:`govmap.support.background`), so two cores read it in about
    half the time; the tables, and the first sheet that cannot be read, are
    the same as when it is read in one.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from govmap.support.background import Background

    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, ParseError, OSError) as exc:
        raise SpreadsheetUnreadable(
            f"{name} cannot be read as a spreadsheet ({type(exc).__name__}: {exc})",
            None,
            "open it in a spreadsheet program and save it again as .xlsx",
            "unreadable",
        ) from None
    try:
        mine, theirs = _halves(wb)
        job = Background(lambda: _read_sheets(theirs)) if theirs else None
        try:
            rows, failed = _read_sheets(mine)
            if job is not None:
                more, other = job.result()
                rows |= more
                failed = min((f for f in (failed, other) if f is not None), default=None)
        finally:
            if job is not None:
                job.cancel()
    finally:
        wb.close()
    if failed is not None:
        raise SpreadsheetUnreadable(f"{name}: a sheet cannot be read ({failed[1]})", None, code="unreadable")
    tables = []
    for i, ws in enumerate(wb.worksheets):
        place = Place(name, ws.title)
        header, body = rows[i]
        tables.append(
            Table(
                ws.title,
                [Cell(v, 1, c, place) for c, v in enumerate(header, start=1)],
                [
                    [None if v is None else Cell(v, r, c, place) for c, v in enumerate(values, start=1)]
                    for r, values in body
                ],
                place,
            )
        )
    return tables
