"""A register's records as rows of cells (:func:`record_rows`), and as CSV files.

The sheets and their columns are :mod:`govmap.ingest.tabular.layout`'s; the workbook is
:mod:`govmap.ingest.tabular.xlsx`'s.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from govmap.ingest.dates import PartialDate
from govmap.ingest.model import SLUG_RE, Item, Register, RegisterInfo
from govmap.ingest.model import Source as SourceModel
from govmap.ingest.store.dump import entry_data, flow_text
from govmap.ingest.tabular.layout import (
    FLOW,
    FORMULA_START,
    REGISTER_SHEET,
    SHEETS,
    Column,
    Sheet,
)


def scalar_text(value: Any) -> str:
    """A cell value as text: ``true``/``false``, an enum's value, an ISO date."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.date | PartialDate):
        return value.isoformat()
    return str(value)


def _needs_flow(item: str) -> bool:
    return (not item) or item != item.strip() or "\n" in item or item[:1] in "[{'\"" or "\r" in item


def _lines_text(items: Iterable[str]) -> str:
    items = list(items)
    if any(_needs_flow(i) for i in items):
        return "[" + ", ".join(json.dumps(i, ensure_ascii=False) for i in items) + "]"
    return "\n".join(items)


def _source_text(src: SourceModel) -> str:
    data = src.model_dump(mode="json", exclude_none=True)
    if list(data) == ["doc"] and SLUG_RE.match(src.doc):
        return src.doc
    return "{" + ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in data.items()) + "}"


def _cell_value(model: BaseModel, name: str, col: Column | None = None) -> Any:
    """The value of a field as a cell holds it (None: leave the cell blank)."""
    if name in ("period_start", "period_end"):
        period = getattr(model, "period", None)
        if period is None:
            return None
        part = name.split("_", 1)[1]
        value = getattr(period, part) if part in period.model_fields_set else None
        return value.to_yaml() if isinstance(value, PartialDate) else value
    if name not in model.model_fields_set:
        return None  # not written: the default, and written back as not written
    value = getattr(model, name)
    if value is None:
        return None
    if name == "sources":
        return "\n".join(_source_text(s) for s in value) if value else None
    if col is not None and col.kind == FLOW:
        return (
            flow_text([entry_data(v.model_dump(mode="json", exclude_defaults=True)) for v in value])
            if value
            else None
        )
    if isinstance(value, tuple):
        texts = [scalar_text(v) for v in value]
        if col is not None and col.scalar and len(texts) == 1:
            return "[" + json.dumps(texts[0], ensure_ascii=False) + "]"  # a list of one, not the value
        return _lines_text(texts)
    if isinstance(value, PartialDate):
        return value.to_yaml()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def record_rows(register: Register, sheet: Sheet) -> Iterator[list[Any]]:
    """The rows of one sheet (without its header), as Python values."""
    if sheet is REGISTER_SHEET:
        info = register.info
        for name in RegisterInfo.model_fields:
            value = getattr(info, name)
            if name in info.model_fields_set and value not in (None, ()):
                yield [name, _lines_text(value) if isinstance(value, tuple) else value]
        return
    if sheet.section:
        for rec in getattr(register, sheet.section):
            yield [_cell_value(rec, c.name, c) if c.name != "id" else rec.id for c in sheet.columns]
        return
    for section in sheet.owners:
        for rec in getattr(register, section):
            for item in getattr(rec, sheet.field or ""):
                row: list[Any] = [rec.id]
                for c in sheet.columns[1:]:
                    row.append(
                        item.target
                        if isinstance(item, Item) and c.name == sheet.target_key
                        else _cell_value(item, c.name, c)
                    )
                yield row


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    text = scalar_text(value)
    # A leading apostrophe makes a spreadsheet show the rest as text; one is stripped on import.
    return "'" + text if text.startswith((*FORMULA_START, "'")) else text


def write_csvs(register: Register, template: bool = False) -> dict[str, bytes]:
    """Every sheet as CSV: ``{"bodies.csv": b"...", ...}`` (UTF-8 with a BOM, for Excel)."""
    out = {}
    for sheet in SHEETS:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([c.name for c in sheet.columns])
        if not template:
            for row in record_rows(register, sheet):
                w.writerow([_csv_text(v) for v in row])
        out[f"{sheet.slug}.csv"] = ("\ufeff" + buf.getvalue()).encode("utf-8")
    return out


def write_csv_zip(register: Register, template: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in write_csvs(register, template).items():
            z.writestr(name, data)
    return buf.getvalue()
