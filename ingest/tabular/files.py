"""Reading spreadsheet files (xlsx, a folder or zip of CSVs) safely, and checking what they hold.

Refused before anything is parsed: files over ``GOVMAP_MAX_BYTES``; zip files
(``.xlsx`` is one) that would unpack to more than :func:`unpack_limit` allows
(the zip's directory gives the sizes): a zip bomb, or a workbook too large to
read; password-protected workbooks and old ``.xls`` files; anything that is not
a spreadsheet.

A file-size limit and a zip-bomb guard are different things.  An ``.xlsx``
unpacks to about 12 times its size, so a workbook well under
``GOVMAP_MAX_BYTES`` (64 MiB) may unpack to more than that: the national
register (51,470 records) is a 5 MB file that unpacks to 67 MB.  So the
unpacked size may pass ``GOVMAP_MAX_BYTES`` as long as it stays within
:data:`MAX_UNPACK_RATIO` (100) times the file's size, which no honest
spreadsheet reaches and every zip bomb does, and within :data:`UNPACK_CEILING`
(4) times ``GOVMAP_MAX_BYTES`` (256 MiB by default), what we are prepared to
hold in memory.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from govmap.ingest.errors import Problem, Span, unreadable
from govmap.ingest.model import SECTIONS, Register
from govmap.ingest.reading.validate import Checked, check_data
from govmap.ingest.reading.yamlsafe import Limits, Path
from govmap.ingest.tabular.layout import LINK_SHEETS, SHEETS
from govmap.ingest.tabular.read import (
    Cell,
    Place,
    Reader,
    SpreadsheetUnreadable,
    Table,
    TabularInvalid,
    problem_order,
)

# -- reading files ---------------------------------------------------------------------


def _refuse(
    name: str, message: str, hint: str | None = None, code: str = "unreadable"
) -> SpreadsheetUnreadable:
    return SpreadsheetUnreadable(message, None, hint, code)


def _check_size(name: str, size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise _refuse(
            name,
            f"{name} is {size:,} bytes, over the limit of {limits.max_bytes:,}",
            "split the spreadsheet, or raise the limit with GOVMAP_MAX_BYTES",
            "too-large",
        )


#: A spreadsheet unpacks to 5 to 20 times its file size (the national register's workbook: 12.5
#: times); a zip bomb to thousands or millions of times.  Apache POI refuses the same ratio
#: (``ZipSecureFile.MIN_INFLATE_RATIO = 0.01``).
MAX_UNPACK_RATIO = 100

#: However honestly it packs, a workbook unpacks to at most this many times GOVMAP_MAX_BYTES
#: (256 MiB by default; the national register's 51,470 records unpack to 67 MB).
UNPACK_CEILING = 4


def unpack_limit(packed: int, limits: Limits) -> int:
    """The most a zip file (xlsx, or a zip of CSVs) of ``packed`` bytes may unpack to.

    Anything up to ``GOVMAP_MAX_BYTES``; above that, up to :data:`MAX_UNPACK_RATIO`
    times the file's size and at most :data:`UNPACK_CEILING` times ``GOVMAP_MAX_BYTES``.

    >>> lim = Limits(max_bytes=64 * 2**20)
    >>> unpack_limit(5_400_000, lim) == 4 * lim.max_bytes  # a national workbook: 256 MiB
    True
    >>> unpack_limit(1_000_000, lim) == 100 * 1_000_000    # over GOVMAP_MAX_BYTES by the ratio
    True
    >>> unpack_limit(3_000, lim) == lim.max_bytes          # a small file: GOVMAP_MAX_BYTES
    True
    """
    return max(limits.max_bytes, min(MAX_UNPACK_RATIO * packed, UNPACK_CEILING * limits.max_bytes))


def _check_zip(name: str, z: zipfile.ZipFile, packed: int, limits: Limits) -> None:
    """Refuse a zip bomb before anything is inflated: the sizes are in the zip's directory.

    The directory can lie, but not to us: Python's ``zipfile`` (which openpyxl
    reads through) stops inflating an entry at its stated size and refuses it
    when the checksum then fails.
    """
    total = sum(i.file_size for i in z.infolist())
    if total <= unpack_limit(packed, limits):
        return
    if total > UNPACK_CEILING * limits.max_bytes:
        raise _refuse(
            name,
            f"{name} unpacks to {total:,} bytes, over the limit of {UNPACK_CEILING * limits.max_bytes:,} "
            f"({UNPACK_CEILING} times GOVMAP_MAX_BYTES)",
            "split the spreadsheet, or raise the limit with GOVMAP_MAX_BYTES",
            "too-large",
        )
    raise _refuse(
        name,
        f"{name} unpacks to {total:,} bytes, {total // max(packed, 1):,} times its size of {packed:,} bytes; "
        f"a spreadsheet unpacks to at most {MAX_UNPACK_RATIO} times its size, so this looks like a zip bomb "
        "and was not opened",
        f"save it again from your spreadsheet program; if you trust the file, set GOVMAP_MAX_BYTES to {total:,} "
        "or more",
        "zip-bomb",
    )


def _csv_table(name: str, label: str, raw: bytes) -> Table:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            name, f"{label} is not UTF-8 text (byte {exc.start + 1})", "save it as 'CSV UTF-8'"
        ) from None
    if "\x00" in text:
        raise _refuse(name, f"{label} is not a CSV file", "save the sheet as 'CSV UTF-8'")
    if text.startswith("\ufeff"):  # utf-8-sig took one byte-order mark: this is a second
        first = next(csv.reader([text.lstrip("\ufeff").partition("\n")[0]]), [""])
        raise _refuse(
            name,
            f"{label} starts with two byte-order marks (U+FEFF)",
            f"save it again as 'CSV UTF-8', or delete the invisible characters before '{(first or [''])[0]}'",
        )
    rows: list[list[Cell | None]] = []
    header: list[Cell] = []
    place = Place(label)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for r, values in enumerate(reader, start=1):
            cells = [Cell(v, r, c, place) for c, v in enumerate(values, start=1)]
            if r == 1:
                header = cells
            elif any(v.strip() for v in values):
                rows.append(list[Cell | None](cells))
    except csv.Error as exc:
        if "field limit" not in str(exc):
            raise _refuse(
                name, f"{label}: line {reader.line_num}: {exc}", "save it again as 'CSV UTF-8'"
            ) from None
        raise _refuse(
            name,
            f"{label}: line {reader.line_num}: a cell is longer than {csv.field_size_limit():,} characters",
            "no register field holds that much: check it is the CSV file you meant",
        ) from None
    stem = FsPath(label).stem
    return Table(stem, header, rows, place, csv=True)


def _order(tables: list[Table]) -> list[Table]:
    """Number the tables so problems sort in workbook order."""
    rank = {s.slug: i for i, s in enumerate(SHEETS)} | {s.title.lower(): i for i, s in enumerate(SHEETS)}
    for t in tables:
        t.place.order = rank.get(t.name.lower(), len(SHEETS))
    return tables


def read_tables(path: str | os.PathLike[str], limits: Limits | None = None) -> list[Table]:
    """The sheets of an ``.xlsx`` workbook, a folder of CSV files, or a ``.zip`` of them."""
    name = os.fspath(path)
    limits = limits or Limits()
    p = FsPath(name)
    try:
        folder = p.is_dir()
    except (OSError, ValueError) as exc:  # a name too long, or holding NUL
        raise _refuse(name, unreadable(name, exc).message) from None
    if folder:
        files = sorted(p.glob("*.csv"))
        if not files:
            raise _refuse(
                name, f"{name} holds no .csv files", "export a register with --format csv to see the layout"
            )
        tables = []
        for f in files:
            try:
                _check_size(str(f), f.stat().st_size, limits)
                raw = f.read_bytes()
            except (OSError, ValueError) as exc:
                raise _refuse(name, unreadable(str(f), exc).message) from None
            tables.append(_csv_table(name, str(f), raw))
        return _order(tables)
    try:
        size = p.stat().st_size
        _check_size(name, size, limits)
        raw = p.read_bytes()
    except (OSError, ValueError) as exc:  # missing, no permission, a symlink loop, a socket ...
        raise _refuse(name, unreadable(name, exc).message) from None
    return _order(read_bytes(raw, name, limits))


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_bytes(raw: bytes, name: str, limits: Limits | None = None) -> list[Table]:
    """The tables in the bytes of an uploaded file (xlsx, zip of CSVs, or one CSV)."""
    limits = limits or Limits()
    _check_size(name, len(raw), limits)
    if raw.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in raw:
            raise _refuse(
                name,
                f"{name} is password-protected",
                "remove the password in your spreadsheet program, save, and import again",
                "encrypted",
            )
        raise _refuse(
            name, f"{name} is an old Excel 97-2003 (.xls) file", "save it as .xlsx, then import again"
        )
    if raw.startswith(b"PK"):
        try:
            z = zipfile.ZipFile(io.BytesIO(raw))
        except zipfile.BadZipFile:
            raise _refuse(name, f"{name} is not a spreadsheet (a damaged zip file)") from None
        with z:
            _check_zip(name, z, len(raw), limits)
            names = z.namelist()
            if "xl/workbook.xml" in names:
                from govmap.ingest.tabular.xlsx import read_workbook

                return read_workbook(raw, name)
            csvs = [n for n in names if n.lower().endswith(".csv") and not n.endswith("/")]
            if not csvs:
                raise _refuse(name, f"{name} is a zip file with no .xlsx workbook and no .csv files")
            return [_csv_table(name, f"{name}/{n}", _unpack(z, name, n)) for n in sorted(csvs)]
    if name.lower().endswith(".csv"):
        return [_csv_table(name, name, raw)]
    raise _refuse(
        name,
        f"{name} is not a spreadsheet",
        "give an .xlsx workbook, a folder of .csv files or a .zip of them (govmap export --template makes one)",
        "not-a-spreadsheet",
    )


def _unpack(z: zipfile.ZipFile, name: str, entry: str) -> bytes:
    """One entry of a zip file, or a message if the zip is damaged there (bad data, bad CRC)."""
    try:
        return z.read(entry)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        why = (
            "it uses a compression govmap cannot read"
            if isinstance(exc, NotImplementedError)
            else ("the zip file is damaged")
        )
        raise _refuse(
            name, f"{name}: {entry} cannot be unpacked: {why}", "make the zip file again from the .csv files"
        ) from None


@dataclass
class Imported:
    """A spreadsheet read and checked."""

    checked: Checked
    reader: Reader
    #: The rows read from each sheet of the layout, in workbook order: (sheet title, rows).
    rows: list[tuple[str, int]] = field(default_factory=list)

    def rows_read(self, name: str) -> str:
        """What was read, for the reviewer to check against the spreadsheet:
        ``read boards.xlsx: 49 rows from 29 sheets (Register 1, Documents 1, ...)``."""
        total = sum(n for _, n in self.rows)
        each = ", ".join(f"{title} {n}" for title, n in self.rows)
        sheets = f"{len(self.rows)} sheet{'s' if len(self.rows) != 1 else ''}"
        return f"read {name}: {total:,} row{'s' if total != 1 else ''} from {sheets} ({each})"

    @property
    def register(self) -> Register | None:
        return self.checked.register

    @property
    def problems(self) -> list[Problem]:
        return self.checked.problems


def check_tables(
    tables: list[Table],
    filename: str,
    base: Any = None,
    base_locator: Callable[[list[Path], bool], dict[Path, Span]] | None = None,
) -> Imported:
    """Validate tables with the register rules; every problem at its cell.

    ``base`` is plain register data to merge into: sections (and link fields)
    the tables do not hold are kept from it (see :func:`merge_data`).
    """
    reader = Reader(filename)
    reader.read(tables)
    data = reader.data
    origins: dict[Path, Path] = {}
    if base is not None:
        data, origins = merge_data(base, reader)

    def origin(p: Path) -> Path | None:
        """Where a path of the merged data is in the base, if it came from there."""
        if p[:2] in origins:
            return (*origins[p[:2]], *p[2:])
        if base is not None and p[:1] == ("register",) and "register" not in reader.seen:
            return p
        return None

    def locate(paths: list[Path], at_key: bool) -> dict[Path, Span]:
        found = reader.locate([p for p in paths if origin(p) is None], at_key)
        if base_locator is not None:
            moved = {p: q for p in paths if (q := origin(p)) is not None}
            spans = base_locator(list(moved.values()), at_key)
            found |= {p: spans[q] for p, q in moved.items() if q in spans}
        return found

    checked = check_data({"govmap": 1, **data}, filename, "", locator=locate)
    checked.problems = sorted([*reader.problems, *checked.problems], key=problem_order)
    if reader.problems:
        checked.register = None
    return Imported(checked, reader, rows_by_sheet(tables))


def rows_by_sheet(tables: list[Table]) -> list[tuple[str, int]]:
    """(sheet title, data rows read) for each table that is a sheet of the layout, in layout order."""
    title = {s.slug: s.title for s in SHEETS} | {s.title.lower(): s.title for s in SHEETS}
    known = [t for t in tables if t.name.lower() in title]
    known.sort(key=lambda t: t.place.order)
    return [(title[t.name.lower()], len(t.rows)) for t in known]


def merge_data(base: dict[str, Any], reader: Reader) -> tuple[dict[str, Any], dict[Path, Path]]:
    """The tables' data laid over ``base``: a section the tables hold replaces the base's.

    A link sheet that is absent keeps the links the base wrote for the same
    record, so a workbook with only ``Bodies`` does not drop their members.
    Returns the data and, for each record kept from the base, its path there.
    """
    base = base if isinstance(base, dict) else {}
    out: dict[str, Any] = {}
    origins: dict[Path, Path] = {}
    out["register"] = (
        reader.data.get("register", base.get("register"))
        if "register" in reader.seen
        else base.get("register")
    )
    absent_links = [s for s in LINK_SHEETS if s.slug not in reader.seen]
    for section in SECTIONS:
        base_items = base.get(section) or []
        if section not in reader.seen:
            if base_items:
                out[section] = base_items
                for i in range(len(base_items) if isinstance(base_items, list) else 0):
                    origins[(section, i)] = (section, i)
            continue
        items = reader.data.get(section, [])
        old = (
            {it.get("id"): it for it in base_items if isinstance(it, dict)}
            if isinstance(base_items, list)
            else {}
        )
        for item in items:
            prev = old.get(item.get("id"))
            if prev is None:
                continue
            for sheet in absent_links:
                if section in sheet.owners and sheet.field in prev and sheet.field not in item:
                    item[sheet.field] = prev[sheet.field]
        out[section] = items
    if out["register"] is None:
        del out["register"]
    return out, origins


def import_register(path: str | os.PathLike[str], limits: Limits | None = None) -> Imported:
    """Read and check a spreadsheet (xlsx, folder or zip of CSVs)."""
    name = os.fspath(path)
    return check_tables(read_tables(name, limits), name)


def load_tabular(path: str | os.PathLike[str], limits: Limits | None = None) -> Register:
    """A register from a spreadsheet; raise :class:`TabularInvalid` listing every error."""
    imported = import_register(path, limits)
    if imported.register is None:
        raise TabularInvalid(imported.problems)
    return imported.register
