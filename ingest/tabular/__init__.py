"""Spreadsheets: a register as workbook or CSV tables, and back.

The one name to import: :mod:`.layout` lays a register out as sheets, :mod:`.cells` writes its rows and CSV,
:mod:`.files` reads spreadsheet files safely and checks what they hold, :mod:`.read`
turns cells into register data, :mod:`.xlsx` is the workbook side, :mod:`.merge`
writes an import into a register file.
"""

from govmap.ingest.tabular.cells import record_rows, write_csv_zip, write_csvs
from govmap.ingest.tabular.files import (
    Imported,
    check_tables,
    import_register,
    load_tabular,
    merge_data,
    read_bytes,
    read_tables,
)
from govmap.ingest.tabular.layout import (
    LINK_SHEETS,
    RECORD_SHEETS,
    REGISTER_SHEET,
    SHEETS,
    Column,
    Sheet,
    column_letter,
)
from govmap.ingest.tabular.read import (
    Cell,
    CellSpan,
    Place,
    Reader,
    SpreadsheetUnreadable,
    Table,
    TabularInvalid,
    clean,
)
from govmap.ingest.tabular.xlsx import write_xlsx

__all__ = [
    "LINK_SHEETS",
    "RECORD_SHEETS",
    "REGISTER_SHEET",
    "SHEETS",
    "Cell",
    "CellSpan",
    "Column",
    "Imported",
    "Place",
    "Reader",
    "Sheet",
    "SpreadsheetUnreadable",
    "Table",
    "TabularInvalid",
    "check_tables",
    "clean",
    "column_letter",
    "import_register",
    "load_tabular",
    "merge_data",
    "read_bytes",
    "read_tables",
    "record_rows",
    "write_csv_zip",
    "write_csvs",
    "write_xlsx",
]
