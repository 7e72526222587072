"""A register as spreadsheets: one sheet per section and per kind of link, and back.

:func:`govmap.ingest.tabular.cells.write_csvs` and :func:`govmap.ingest.tabular.xlsx.write_xlsx` lay a register out as tables a council officer
can fill in; ``import_register`` reads them back (a ``.xlsx`` workbook, a
folder of ``.csv`` files or a ``.zip`` of them; :mod:`govmap.ingest.tabular.files`,
:mod:`govmap.ingest.tabular.read`) into the same plain data a YAML file gives, and
validates it with :func:`govmap.ingest.reading.validate.check_data` -- the same rules, the same
words -- placing every problem at a cell (``register.xlsx:Bodies!C12``)
instead of a line.

The layout is derived from the model, never listed by hand: a record sheet has
a column per scalar field of its model, then ``status`` and ``sources``; every
list of references in :data:`govmap.ingest.model.REF_RULES` becomes a link sheet with a
``record`` column (the record the link is written in), the target, the item's
own fields, and again ``status`` and ``sources``.  A list of entries that are
facts but not links (a body's seats by sector, a record's former names) gets a
sheet of the same shape without a target.  So a field added to the model
appears in the spreadsheet without touching this module.

Cells are values, never formulas.  A text starting with ``= + - @`` (or a tab
or carriage return) is written as a text cell with Excel's quote prefix, and
in CSV behind a leading ``'`` (OWASP's advice against formula injection); a
formula found in a workbook is read as its text, never evaluated.

Notes
-----
Lists in one cell (``aliases``, ``sources``, ``top``) are one item a line.  A
source with more than a document id is written in the YAML flow form a
reviewer already knows from the register file, ``{doc: csa, section: "Our
Approach"}``, and read back with :mod:`govmap.ingest.reading.yamlsafe`, so the round trip is exact.
A field's own status (``field_status``) is one cell in the same flow form:
``[{field: period.start, status: disputed}]``.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass
from typing import Any

from govmap.ingest.model import (
    REF_RULES,
    SECTIONS,
    Cited,
    Item,
    Record,
    entry_fields,
)

# -- the layout, derived from the model ------------------------------------------------

TEXT, INT, ID, BOOL, DATE, LINES, SOURCES, VOCAB, FLOW = (
    "text",
    "int",
    "id",
    "bool",
    "date",
    "lines",
    "sources",
    "vocab",
    "flow",
)

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    vocab: tuple[str, ...] = ()
    #: For id columns: the sections whose ids may appear.
    targets: tuple[str, ...] = ()
    help: str = ""
    #: A list of values in one cell (one a line); ``scalar`` if a single value may stand alone.
    many: bool = False
    scalar: bool = True


@dataclass(frozen=True)
class Sheet:
    title: str  # the sheet's name in a workbook
    slug: str  # its file name in a folder of CSVs
    columns: tuple[Column, ...]
    section: str | None = None  # a record sheet
    field: str | None = None  # a link (or entry) sheet: the list field
    item: type[Cited] | None = None
    owners: tuple[str, ...] = ()  # sections whose records write this link

    @property
    def target_key(self) -> str | None:
        """The column naming a link's target; None for a sheet of entries (seats by sector)."""
        if self.item is None:
            return "to"
        return self.item.target_key if issubclass(self.item, Item) else None


def _flat(annotation: Any) -> list[Any]:
    out, todo = [], [annotation]
    while todo:
        t = todo.pop(0)
        args = typing.get_args(t)
        if isinstance(t, types.UnionType) or typing.get_origin(t) in (typing.Union, typing.Annotated):
            todo.extend(args[:1] if typing.get_origin(t) is typing.Annotated else args)
        elif typing.get_origin(t) is tuple:
            out.append(tuple)
            todo.extend(a for a in args if a is not Ellipsis)
        else:
            out.append(t)
    return out


def _top(annotation: Any) -> list[Any]:
    """The members of a field's top-level union (``X | tuple[X, ...] | None``)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return list(typing.get_args(annotation))
    return [annotation]


def _column(name: str, annotation: Any, help: str = "") -> Column:
    parts = _flat(annotation)
    top = _top(annotation)
    many = any(typing.get_origin(t) is tuple for t in top)
    scalar = any(typing.get_origin(t) is not tuple and t is not type(None) for t in top)
    if name == "sources":
        return Column(name, SOURCES, help='one source a line: a document id, or {doc: id, section: "..."}')
    if name == "status":
        from govmap.ingest.model import Status

        return Column(name, VOCAB, tuple(s.value for s in Status), help="confirmed or unconfirmed")
    if name == "field_status":
        return Column(
            name,
            FLOW,
            help="a field's own status: [{field: period.start, status: disputed, sources: [a, b]}]",
            many=True,
            scalar=False,
        )
    enums = [p for p in parts if isinstance(p, type) and issubclass(p, enum.Enum)]
    if enums:
        vocab = tuple(e.value for e in enums[0])
        return Column(name, VOCAB, vocab, help=help, many=many, scalar=scalar)
    if bool in parts:
        return Column(name, BOOL, ("true", "false"), help=help)
    if dt.date in parts:
        return Column(name, DATE, help=help or "YYYY-MM-DD, YYYY-MM or YYYY")
    if many:
        return Column(name, LINES, help=help or "one a line", many=True, scalar=False)
    if int in parts:
        return Column(name, INT, help=help)
    return Column(name, TEXT, help=help)


def _ref_fields(model: type[Record]) -> dict[str, tuple[str, ...]]:
    """The single-id reference fields of a model (``Post.organisation``): a column, not a sheet."""
    return {r.field: tuple(t.section for t in r.targets) for r in REF_RULES[model] if r.item is None}


def _record_sheet(section: str, model: type[Record]) -> Sheet:
    refs = _ref_fields(model)
    entries = set(entry_fields(model))
    cols: list[Column] = []
    for name, info in model.model_fields.items():
        if name in ("status", "sources", "field_status") or name in entries:
            continue  # entries (seats by sector, former names): a sheet of their own
        if name in refs:
            cols.append(Column(name, ID, targets=refs[name], help=info.description or ""))
        elif name in {r.field for r in REF_RULES[model]}:
            continue  # a list of links: its own sheet
        elif name == "period":
            cols.append(Column("period_start", DATE, help="YYYY, YYYY-MM or YYYY-MM-DD"))
            cols.append(Column("period_end", DATE, help="YYYY, YYYY-MM or YYYY-MM-DD"))
        elif name == "id":
            cols.append(Column("id", ID, targets=(section,), help="unique across the register"))
        else:
            cols.append(_column(name, info.annotation, info.description or ""))
    cols += _provenance(model)
    return Sheet(section.capitalize(), section, tuple(cols), section=section)


def _provenance(model: type[Cited]) -> list[Column]:
    """The closing columns of a sheet: status, sources, and a field's own status (last, so the
    columns of a workbook made before it keep their letters)."""
    tail = [_column("field_status", None)] if "field_status" in model.model_fields else []
    return [_column("status", None), _column("sources", None), *tail]


#: Titles of the link sheets, by list field (the model decides which exist).
LINK_TITLES = {
    "members": "Memberships",
    "themes": "Theme roles",
    "reports_to": "Reporting lines",
    "sub_group_of": "Sub-groups",
    "hosted_by": "Hosting",
    "links_with": "Links",
    "uses": "Uses",
    "informs": "Informs",
    "owner": "Owners",
    "areas": "Areas covered",
    "within": "Within",
    "part_of": "Part of",
    "holds": "Posts held",
    "succeeded_by": "Successors",
    "broader": "Broader themes",
    "matches": "Matching themes",
    "users": "Users",
    "sits_within": "Sits within",
    "convened_by": "Convened by",
    "supports": "Supports",
    "meeting_of": "Meeting of",
    "delegates_to": "Delegations",
    "adopted_by": "Adopted by",
    "accountable_to": "Accountable to",
    "sector_members": "Seats by sector",
    "former_names": "Former names",
}


def _link_sheets() -> list[Sheet]:
    by_field: dict[str, dict[str, tuple[str, ...]]] = {}
    items: dict[str, type[Item]] = {}
    for model in SECTIONS.values():
        for rule in REF_RULES[model]:
            if rule.item is None:
                continue
            by_field.setdefault(rule.field, {})[model.section] = tuple(t.section for t in rule.targets)
            items[rule.field] = rule.item
    sheets = []
    for name, owners in by_field.items():
        item = items[name]
        key = item.target_key
        targets = tuple(dict.fromkeys(t for ts in owners.values() for t in ts))
        cols = [
            Column("record", ID, targets=tuple(owners), help="id of the record the link is written in"),
            Column(key, ID, targets=targets, help="id of the record linked to"),
        ]
        for fname, info in item.model_fields.items():
            if fname in (key, "status", "sources", "field_status"):
                continue
            if fname == "on_behalf_of":
                cols.append(Column(fname, ID, targets=("organisations",), help=info.description or ""))
            else:
                cols.append(_column(fname, info.annotation, info.description or ""))
        cols += _provenance(item)
        sheets.append(_list_sheet(name, tuple(cols), item, tuple(owners)))
    return sheets


def _list_sheet(name: str, cols: tuple[Column, ...], item: type[Cited], owners: tuple[str, ...]) -> Sheet:
    title = LINK_TITLES.get(name, name.replace("_", " ").capitalize())
    slug = title.lower().replace(" ", "_").replace("-", "_")
    return Sheet(title, slug, cols, field=name, item=item, owners=owners)


def _entry_sheets() -> list[Sheet]:
    """A sheet for each list of entries that are facts but not links: ``record``, then the entry's fields."""
    by_field: dict[str, tuple[type[Cited], list[str]]] = {}
    for section, model in SECTIONS.items():
        for name, entry in entry_fields(model).items():
            by_field.setdefault(name, (entry, []))[1].append(section)
    sheets = []
    for name, (entry, owners) in by_field.items():
        cols = [Column("record", ID, targets=tuple(owners), help="id of the record the entry is written in")]
        for fname, info in entry.model_fields.items():
            if fname in ("status", "sources", "field_status"):
                continue
            if fname == "id":
                cols.append(Column(fname, TEXT, help=info.description or ""))
            else:
                cols.append(_column(fname, info.annotation, info.description or ""))
        cols += _provenance(entry)
        sheets.append(_list_sheet(name, tuple(cols), entry, tuple(owners)))
    return sheets


REGISTER_SHEET = Sheet(
    "Register",
    "register",
    (Column("key", TEXT, help="id, name, description, version or top"), Column("value", TEXT)),
)
RECORD_SHEETS = [_record_sheet(s, m) for s, m in SECTIONS.items()]
#: Link sheets, then entry sheets: lists written in records (an absent one keeps the base's).
LINK_SHEETS = _link_sheets() + _entry_sheets()
SHEETS: list[Sheet] = [REGISTER_SHEET, *RECORD_SHEETS, *LINK_SHEETS]
#: Sheets written for people, ignored on import.
README_SHEET, LISTS_SHEET = "README", "Lists"


def column_letter(n: int) -> str:
    """A spreadsheet column's letters.

    >>> column_letter(1), column_letter(28)
    ('A', 'AB')
    """
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out
