"""Spreadsheets in and out: exact round trips, every mistake at its cell, nothing unsafe read or written."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from govmap.cli import ExitStatus, cli
from govmap.ingest.reading.load import load_register, loads
from govmap.ingest.reading.validate import check_data
from govmap.ingest.store.dump import dump_register
from govmap.ingest.tabular import (
    SHEETS,
    check_tables,
    import_register,
    load_tabular,
    read_bytes,
    record_rows,
    write_csv_zip,
    write_csvs,
    write_xlsx,
)
from govmap.ingest.text import clean_text
from govmap.ingest.vocabulary import BodyKind, OrganisationType, Role, Status, ThemeRole
from govmap.support.synth import synth_yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "boards.yaml"
WEB = ROOT / "tests" / "registers" / "web.yaml"

#: Values a spreadsheet would turn into formulas, numbers or dates, or that need the flow form.
AWKWARD = """\
govmap: 1
register: {id: awkward, name: "=HYPERLINK(\\"http://evil.example\\",\\"x\\")", top: [board], version: "007"}
documents:
  - {id: doc, name: "+44 01234 567890", date: 2024-06, kind: report}
  - {id: doc-2, name: "'quoted", date: 2023, url: "https://example.org/a;b"}
areas:
  - {id: ca, name: "@mention", kind: [combined-authority, police-force-area]}
  - {id: one, name: One, kind: [county]}
  - {id: two, name: Two, kind: district, within: [ca, one], code: "0123"}
organisations:
  - id: council
    name: "-1 Council"
    type: county-council
    roles: [police-and-crime-commissioner]
    aliases: ["[bracket", "{brace", "plain", "[x]"]
    sources: [{doc: doc, section: "s; 2 \\"quoted\\"", note: "=1+2", url: "https://example.org/x"}, {doc: doc-2}]
posts:
  - {id: mayor, name: Mayor, organisation: council, status: unconfirmed}
people:
  - {id: pat, name: Pat, holds: [{to: mayor, start: 2021-05-01}]}
bodies:
  - id: board
    name: "-Board"
    kind: board
    top_level: true
    statutory: false
    established: 2019
    review_date: 2025-03-31
    members:
      - council
      - {member: pat, role: member}
      - {member: mayor, role: chair, on_behalf_of: council, start: 2024-01, term: 24, status: unconfirmed}
    themes: [{theme: t, role: lead, delivered_by: [group]}]
    sources: [{doc: doc}]
  - {id: group, name: Group, kind: group, reports_to: [{to: board, status: unconfirmed}], sources: [{doc: doc-2}]}
strategies:
  - {id: plan, name: Plan, kind: plan, owner: board, period: {start: 2022, end: 2025-03}, themes: [t]}
themes:
  - {id: t, name: Theme, kind: priority}
"""


def same(a, b) -> None:
    """Equal as data and as the YAML govmap writes (which also compares short and long link forms)."""
    assert a.model_dump(mode="json") == b.model_dump(mode="json")
    assert dump_register(a) == dump_register(b)


def workbook(register) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(write_xlsx(register)))


def cell(ws, row: int, name: str):
    """The cell of column ``name`` (by header) in ``row``."""
    for c in ws[1]:
        if c.value == name:
            return ws.cell(row=row, column=c.column)
    raise KeyError(name)


def runner() -> CliRunner:
    return CliRunner()


# -- round trips -------------------------------------------------------------------


@pytest.mark.parametrize("source", ["seed", "synth", "awkward"])
def test_a_workbook_and_its_csv_files_import_back_to_the_same_register(source, tmp_path):
    if source == "seed":
        reg = load_register(SEED)
    elif source == "synth":
        reg = loads(synth_yaml(1))  # what `govmap synth -n 1` writes
    else:
        reg = loads(AWKWARD)
    (tmp_path / "r.xlsx").write_bytes(write_xlsx(reg))
    (tmp_path / "r.zip").write_bytes(write_csv_zip(reg))
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, data in write_csvs(reg).items():
        (folder / name).write_bytes(data)
    for path in ("r.xlsx", "r.zip", "csv"):
        imported = import_register(tmp_path / path)
        assert imported.checked.errors == []
        same(imported.register, reg)


def test_the_command_line_round_trip_writes_the_same_yaml_as_dump(tmp_path):
    out = runner().invoke(cli, ["export", str(SEED), "-o", str(tmp_path / "r.xlsx")])
    assert out.exit_code == 0, out.output
    n = len(list(load_register(SEED).records()))
    assert (
        out.stderr
        == f"wrote {tmp_path / 'r.xlsx'}: {n} records, {len(SHEETS) + 2} sheets (with README and Lists)\n"
    )
    out = runner().invoke(cli, ["import", str(tmp_path / "r.xlsx"), "-o", str(tmp_path / "boards.yaml")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "boards.yaml").read_text() == dump_register(load_register(SEED))


def test_a_blank_template_has_every_sheet_and_imports_to_an_empty_register(tmp_path):
    out = runner().invoke(cli, ["export", "--template", "-o", str(tmp_path / "t.xlsx")])
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["README", *(s.title for s in SHEETS), "Lists"]
    assert [c.value for c in wb["Bodies"][1]][:4] == ["id", "name", "aliases", "description"]
    assert wb["Bodies"].max_row == 1
    imported = import_register(tmp_path / "t.xlsx")
    assert imported.checked.problems == []
    assert list(imported.register.records()) == []


def test_the_workbook_has_frozen_headers_widths_and_drop_downs_for_vocabularies_and_ids():
    wb = workbook(load_register(WEB))
    bodies = wb["Bodies"]
    assert bodies.freeze_panes == "A2"
    assert bodies.column_dimensions["B"].width > 20
    rules = {str(dv.sqref).split(":")[0]: dv for dv in bodies.data_validations.dataValidation}
    kind = rules[cell(bodies, 2, "kind").coordinate]
    lists = wb["Lists"]
    column = kind.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    values = [c.value for c in lists[column][1:] if c.value]
    assert values == [k.value for k in BodyKind]
    assert kind.errorStyle == "stop"
    reports = wb["Reporting lines"].data_validations.dataValidation
    to = next(dv for dv in reports if str(dv.sqref).startswith("B2"))
    assert to.formula1.startswith("'Bodies'!$A$2:$A$")  # ids from the sheet itself, new ones included
    assert to.errorStyle == "warning"
    assert lists.sheet_state == "hidden"
    readme = [r[0].value for r in wb["README"].iter_rows(max_row=3)]
    assert readme[0] == "govmap register workbook"


# -- mistakes ----------------------------------------------------------------------


def twenty_mistakes(path: Path) -> None:
    wb = workbook(load_register(WEB))
    b = wb["Bodies"]
    cell(b, 2, "kind").value = "bord"
    cell(b, 4, "statutory").value = "maybe"
    cell(b, 2, "review_date").value = "next year"
    for r, (i, n) in enumerate([("New Board", "New"), ("county-board", "Copy"), ("no-name", None)], start=5):
        cell(b, r, "id").value = i
        cell(b, r, "name").value = n
        cell(b, r, "kind").value = "board"
    b.cell(row=1, column=b.max_column + 1).value = "purpse"
    o = wb["Organisations"]
    cell(o, 2, "type").value = "police"
    cell(o, 3, "status").value = "confirmd"
    cell(o, 4, "sources").value = "csa-2023"
    cell(wb["Within"], 2, "to").value = "testshire-county"
    m = wb["Memberships"]
    cell(m, 3, "role").value = "chairman"
    cell(m, 4, "member").value = "testshire-polce"
    cell(m, 5, "on_behalf_of").value = "north-district"
    cell(m, 6, "record").value = "county-bord"
    cell(wb["Reporting lines"], 2, "to").value = "testshire-council"
    cell(wb["Theme roles"], 2, "role").value = "leader"
    cell(wb["Strategies"], 2, "period_start").value = "soon"
    cell(wb["Themes"], 2, "sources").value = "{doc: csa-2024, pages: 3}"
    wb.create_sheet("Bodys")["A1"] = "id"
    wb.save(path)


def one_of(enum) -> str:
    return ", ".join(e.value for e in enum)


def test_twenty_mistakes_are_reported_together_each_at_its_cell_and_nothing_is_written(tmp_path):
    path = tmp_path / "register.xlsx"
    twenty_mistakes(path)
    out = runner().invoke(cli, ["import", str(path), "-o", str(tmp_path / "boards.yaml")])
    assert out.exit_code == ExitStatus.INVALID
    assert not (tmp_path / "boards.yaml").exists()
    x = f"{path}:"
    assert out.stderr.splitlines() == [
        f"{x}Organisations!E2: error: organisation 'testshire-police': type: 'police' is not one of "
        f"{one_of(OrganisationType)} (did you mean 'police-force'?)",
        f"{x}Organisations!J3: error: organisation 'testshire-council': status: 'confirmd' is not one of "
        f"{one_of(Status)} (did you mean 'confirmed'?)",
        f"{x}Organisations!K4: error: organisation 'north-council': source document 'csa-2023' is not defined "
        "(did you mean 'csa-2024'?)",
        f"{x}Bodies!S1: error: Bodies: unknown column 'purpse' (did you mean 'purpose'?)",
        f"{x}Bodies!E2: error: body 'county-board': kind: 'bord' is not one of {one_of(BodyKind)} "
        "(did you mean 'board'?)",
        f"{x}Bodies!N2: error: body 'county-board': review_date: 'next year' is not a date; "
        "write YYYY-MM-DD, YYYY-MM or YYYY",
        f"{x}Bodies!G4: error: body 'drugs-group': statutory: should be a valid boolean, unable to interpret input",
        f"{x}Bodies!A5: error: body 'New Board': id: 'New Board' is not a valid id "
        "(use lowercase letters, digits and hyphens, e.g. 'new-board')",
        f"{x}Bodies!A6: error: id 'county-board' is used twice (first by a body, item 1 of bodies) "
        "(ids must be unique across the whole register)",
        f"{x}Bodies!A7: error: body 'no-name': missing required key 'name'",
        f"{x}Strategies!F2: error: strategy 'county-plan': period start: 'soon' is not a date; "
        "write YYYY-MM-DD, YYYY-MM or YYYY",
        f"{x}Themes!G2: error: theme 'violence': unknown key 'pages' (allowed keys: doc, section, url, note, value)",
        f"{x}Within!B2: error: area 'north-district': within 'testshire-county' is not defined "
        "(did you mean 'testshire'?)",
        f"{x}Reporting lines!B2: error: body 'north-csp': reports_to 'testshire-council' is an organisation; "
        "reports_to must name a body",
        f"{x}Memberships!C3: error: body 'county-board': members #2 role: 'chairman' is not one of "
        f"{one_of(Role)} (did you mean 'chair'?)",
        f"{x}Memberships!B4: error: body 'north-csp': members 'testshire-polce' is not defined "
        "(did you mean 'testshire-police'?)",
        f"{x}Memberships!D5: error: body 'north-csp': on_behalf_of 'north-district' is an area; "
        "on_behalf_of must name an organisation",
        f"{x}Memberships!A6: error: Memberships: record 'county-bord' is not in bodies (did you mean 'county-board'?)",
        f"{x}Theme roles!C2: error: body 'county-board': themes #1 role: 'leader' is not one of "
        f"{one_of(ThemeRole)} (did you mean 'lead'?)",
        f"{x}Bodys!A1: error: unknown sheet 'Bodys' (did you mean 'Bodies'?)",
        "error: 20 errors in the spreadsheet; nothing was written",
    ]


def test_a_csv_mistake_names_the_file_and_cell(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, data in write_csvs(load_register(WEB)).items():
        (folder / name).write_bytes(data)
    text = (folder / "bodies.csv").read_text(encoding="utf-8-sig").replace(",csp,", ",cps,")
    (folder / "bodies.csv").write_text(text, encoding="utf-8")
    problems = import_register(folder).checked.errors
    assert [p.format() for p in problems] == [
        f"{folder / 'bodies.csv'}:E3: error: body 'north-csp': kind: 'cps' is not one of {one_of(BodyKind)} "
        "(did you mean 'csp'?)"
    ]


# -- formulas ----------------------------------------------------------------------


def test_a_formula_in_a_name_is_written_as_text_and_read_back_as_text(tmp_path):
    reg = loads(AWKWARD)
    wb = workbook(reg)
    name = wb["Register"]["B3"]
    assert name.value == '=HYPERLINK("http://evil.example","x")'
    assert (name.data_type, name.quotePrefix) == ("s", True)  # a text cell: never evaluated
    assert wb["Organisations"]["B2"].data_type == "s"  # "-1 Council"
    rows = list(csv.reader(io.StringIO(write_csvs(reg)["register.csv"].decode("utf-8-sig"))))
    assert ["name", '\'=HYPERLINK("http://evil.example","x")'] in rows
    docs = list(csv.reader(io.StringIO(write_csvs(reg)["documents.csv"].decode("utf-8-sig"))))
    assert [r[1] for r in docs[1:]] == ["'+44 01234 567890", "''quoted"]


def test_a_formula_typed_into_a_cell_is_imported_as_its_text(tmp_path):
    wb = workbook(load_register(WEB))
    wb["Bodies"]["B2"] = '=HYPERLINK("http://evil.example","click")'  # openpyxl writes a real formula
    assert wb["Bodies"]["B2"].data_type == "f"
    wb.save(tmp_path / "f.xlsx")
    reg = import_register(tmp_path / "f.xlsx").register
    assert reg.get("county-board").name == '=HYPERLINK("http://evil.example","click")'


# -- files that are not what they say ------------------------------------------------


def import_error(path: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    out = runner().invoke(cli, ["import", str(path), "-o", str(path.parent / "out.yaml")], env=env)
    assert not (path.parent / "out.yaml").exists()
    return out.exit_code, out.stderr


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_message(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("just some text\n")
    assert import_error(path) == (
        ExitStatus.USAGE,
        f"error: {path} is not a spreadsheet (give an .xlsx workbook, a folder of .csv files or a .zip of "
        "them (govmap export --template makes one))\n",
    )


def test_a_password_protected_workbook_is_refused_with_what_to_do(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(write_xlsx(load_register(WEB)))
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as f, locked.open("wb") as out:
        OOXMLFile(f).encrypt("secret", out)
    assert import_error(locked) == (
        ExitStatus.USAGE,
        f"error: {locked} is password-protected (remove the password in your spreadsheet program, save, "
        "and import again)\n",
    )


def test_an_old_xls_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert (
        import_error(path)[1]
        == f"error: {path} is an old Excel 97-2003 (.xls) file (save it as .xlsx, then import again)\n"
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(write_xlsx(load_register(WEB)))
    size = path.stat().st_size
    assert import_error(path, {"GOVMAP_MAX_BYTES": "1000"}) == (
        ExitStatus.USAGE,
        f"error: {path} is {size:,} bytes, over the limit of 1,000 (split the spreadsheet, or raise the limit "
        "with GOVMAP_MAX_BYTES)\n",
    )


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_inflated(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 3_000_000)  # ~3 kB packed
    packed = path.stat().st_size
    assert packed < 20_000
    assert import_error(path, {"GOVMAP_MAX_BYTES": "1000000"}) == (
        ExitStatus.USAGE,
        f"error: {path} unpacks to 3,000,011 bytes, {3_000_011 // packed:,} times its size of {packed:,} bytes; "
        "a spreadsheet unpacks to at most 100 times its size, so this looks like a zip bomb and was not opened "
        "(save it again from your spreadsheet program; if you trust the file, set GOVMAP_MAX_BYTES to "
        "3,000,011 or more)\n",
    )


def test_a_zip_bomb_of_csv_files_is_refused_at_the_default_limit(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(3):  # 3 x 30 MB of one letter: over the 64 MiB default once unpacked
            z.writestr(f"bodies{n}.csv", b"a" * 30_000_000)
    assert path.stat().st_size < 300_000
    code, err = import_error(path)
    assert code == ExitStatus.USAGE
    assert err.startswith(f"error: {path} unpacks to 90,000,000 bytes, ")
    assert "so this looks like a zip bomb and was not opened" in err


def _unpacked(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(i.file_size for i in z.infolist())


def test_an_honest_workbook_that_unpacks_to_more_than_the_file_limit_is_imported(tmp_path):
    # The national register's workbook is 5 MB and unpacks to 67 MB, over the 64 MiB
    # GOVMAP_MAX_BYTES: the same shape, made small by lowering the limit.
    path = tmp_path / "register.xlsx"
    path.write_bytes(write_xlsx(load_register(WEB)))
    packed, unpacked = path.stat().st_size, _unpacked(path)
    limit = unpacked // 2
    assert packed < limit < unpacked <= 4 * limit and unpacked <= 100 * packed
    out = runner().invoke(
        cli, ["import", str(path), "-o", str(tmp_path / "out.yaml")], env={"GOVMAP_MAX_BYTES": str(limit)}
    )
    assert out.exit_code == 0, out.stderr
    assert load_register(tmp_path / "out.yaml") == load_register(WEB)


def test_a_zip_that_unpacks_to_over_four_times_the_limit_is_refused_however_it_packs(tmp_path):
    import random

    words = "board group council police health probation fire youth".split()
    rng = random.Random(1)
    text = "\n".join(",".join(rng.choice(words) for _ in range(8)) for _ in range(20_000))
    path = tmp_path / "csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bodies.csv", text)
    packed, unpacked = path.stat().st_size, _unpacked(path)
    limit = unpacked // 5
    assert packed < limit and unpacked < 100 * packed  # not a bomb: just too much
    assert import_error(path, {"GOVMAP_MAX_BYTES": str(limit)}) == (
        ExitStatus.USAGE,
        f"error: {path} unpacks to {unpacked:,} bytes, over the limit of {4 * limit:,} (4 times "
        "GOVMAP_MAX_BYTES) (split the spreadsheet, or raise the limit with GOVMAP_MAX_BYTES)\n",
    )


def test_a_damaged_workbook_is_refused_without_a_traceback(tmp_path):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<not-closed")
    code, err = import_error(path)
    assert code == ExitStatus.USAGE
    assert err.startswith(f"error: {path} cannot be read as a spreadsheet (")
    assert "Traceback" not in err


# -- merging into a register -------------------------------------------------------------


def edited_copy(tmp_path: Path) -> tuple[Path, Path]:
    register = tmp_path / "boards.yaml"
    register.write_text(WEB.read_text())
    wb = workbook(load_register(WEB))
    cell(wb["Bodies"], 3, "name").value = "North CSP"
    wb["Memberships"].delete_rows(2)
    new = wb["Themes"]
    cell(new, 4, "id").value = "fraud"
    cell(new, 4, "name").value = "Fraud"
    cell(new, 4, "kind").value = "priority"
    path = tmp_path / "edited.xlsx"
    wb.save(path)
    return register, path


CHANGES = """\
changes to {register}:
  + theme 'fraud' added
  ~ body 'county-board' changed: members[testshire-police]: removed {{member: testshire-police, role: chair}}
  ~ body 'north-csp' changed: name: North Community Safety Partnership -> North CSP
1 record added, 2 changed, 0 renamed, 0 removed
"""


def test_import_into_a_register_with_dry_run_prints_the_changes_and_writes_nothing(tmp_path):
    register, path = edited_copy(tmp_path)
    before = register.read_bytes()
    out = runner().invoke(cli, ["import", str(path), "--into", str(register), "--dry-run"])
    assert out.exit_code == 0, out.output
    first, rest = out.stdout.split("\n", 1)
    assert first == rows_line(path, load_tabular(path))
    assert ", Themes 3, " in first and ", Memberships 4, " in first
    assert rest == CHANGES.format(register=register)
    assert out.stderr == "dry run: nothing written\n"
    assert register.read_bytes() == before


def test_import_into_a_register_changes_only_the_changed_records_and_keeps_comments(tmp_path):
    register, path = edited_copy(tmp_path)
    out = runner().invoke(cli, ["import", str(path), "--into", str(register)])
    assert out.exit_code == 0, out.output
    text = register.read_text()
    assert "  # The top of the landscape.\n" in text
    assert "    name: North CSP\n" in text
    assert "      - member: testshire-police\n        role: chair\n" not in text
    assert text.endswith("  - id: fraud\n    name: Fraud\n    kind: priority\n")
    reg = load_register(register)
    assert [m.target for m in reg.get("county-board").members] == ["testshire-council"]


def test_import_into_refuses_to_remove_most_of_a_register_without_force(tmp_path):
    register = tmp_path / "boards.yaml"
    register.write_text(WEB.read_text())
    wb = workbook(load_register(WEB))
    wb["Bodies"].delete_rows(3, 2)
    wb["Organisations"].delete_rows(3, 2)
    for sheet in ("Memberships", "Reporting lines", "Sub-groups", "Theme roles", "Areas covered"):
        ws = wb[sheet]
        for r in range(ws.max_row, 1, -1):
            if ws.cell(row=r, column=1).value in (
                "north-csp",
                "drugs-group",
                "testshire-council",
                "north-council",
            ):
                ws.delete_rows(r)
        if sheet == "Memberships":
            for r in range(ws.max_row, 1, -1):
                if ws.cell(row=r, column=2).value in ("testshire-council", "north-council"):
                    ws.delete_rows(r)
    path = tmp_path / "less.xlsx"
    wb.save(path)
    before = register.read_bytes()
    out = runner().invoke(cli, ["import", str(path), "--into", str(register)])
    assert out.exit_code == ExitStatus.CONFLICT, out.output
    assert out.stderr == (
        "error: the import would remove 4 of 12 records (33%); nothing was written "
        "(check the spreadsheet holds every sheet, or add --force to remove more than 20%)\n"
    )
    assert register.read_bytes() == before
    out = runner().invoke(cli, ["import", str(path), "--into", str(register), "--force"])
    assert out.exit_code == 0, out.output
    assert len(list(load_register(register).records())) == 8


def test_a_workbook_with_only_some_sheets_keeps_the_rest_of_the_register(tmp_path):
    register = tmp_path / "boards.yaml"
    register.write_text(WEB.read_text())
    wb = workbook(load_register(WEB))
    for name in wb.sheetnames:
        if name not in ("Bodies",):
            del wb[name]
    cell(wb["Bodies"], 2, "meets").value = "quarterly"
    wb.save(tmp_path / "bodies.xlsx")
    out = runner().invoke(cli, ["import", str(tmp_path / "bodies.xlsx"), "--into", str(register)])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[0] == f"read {tmp_path / 'bodies.xlsx'}: 3 rows from 1 sheet (Bodies 3)"
    assert out.stdout.splitlines()[2:] == [
        "  ~ body 'county-board' changed: meets: added quarterly",
        "0 records added, 1 changed, 0 renamed, 0 removed",
    ]
    reg = load_register(register)
    assert [m.target for m in reg.get("county-board").members] == ["testshire-police", "testshire-council"]


def test_text_typed_into_cells_is_cleaned_as_a_form_cleans_it_and_a_control_character_is_an_error(tmp_path):
    wb = workbook(load_register(WEB))
    b = wb["Bodies"]
    cell(b, 2, "name").value = "  Testshire\r\nBoard  "
    cell(b, 2, "purpose").value = "Line one  \r\nline two\n"
    cell(b, 3, "name").value = "North \u202eCSP"  # a bidi override: refused
    wb.save(tmp_path / "typed.xlsx")
    imported = import_register(tmp_path / "typed.xlsx")
    assert [p.format() for p in imported.checked.errors] == [
        f"{tmp_path / 'typed.xlsx'}:Bodies!B3: error: body 'north-csp': name: contains the text-direction "
        "control U+202E (RIGHT-TO-LEFT OVERRIDE); remove it"
    ]
    cell(b, 3, "name").value = "North CSP"
    wb.save(tmp_path / "typed.xlsx")
    reg = import_register(tmp_path / "typed.xlsx").register
    assert (reg.get("county-board").name, reg.get("county-board").purpose) == (
        "Testshire Board",
        "Line one\nline two",
    )


names = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\u0085"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=30, deadline=None)
@given(name=names, alias=names, note=names)
def test_any_clean_text_survives_the_csv_round_trip(name, alias, note):
    assume(clean_text(name, "name") == name and clean_text(alias, "name") == alias)
    assume(clean_text(note, "note") == note)
    data = {
        "govmap": 1,
        "documents": [{"id": "doc", "name": name}],
        "bodies": [
            {
                "id": "board",
                "name": name,
                "kind": "board",
                "aliases": [alias],
                "members": [{"member": "org", "note": note, "sources": [{"doc": "doc", "note": note}]}],
            }
        ],
        "organisations": [{"id": "org", "name": alias, "type": "other"}],
    }
    checked = check_data(data, "<h>", "")
    assume(checked.register is not None)
    reg = checked.register
    back = check_tables(read_bytes(write_csv_zip(reg), "h.zip"), "h.zip").register
    assert back is not None
    assert back.model_dump(mode="json") == reg.model_dump(mode="json")


def test_a_merge_that_breaks_the_rest_of_the_register_points_into_both_files(tmp_path):
    register = tmp_path / "boards.yaml"
    register.write_text(WEB.read_text())
    wb = workbook(load_register(WEB))
    for name in wb.sheetnames:
        if name != "Bodies":
            del wb[name]
    wb["Bodies"].delete_rows(2)  # county-board goes; the YAML's strategy still names it
    wb.save(tmp_path / "b.xlsx")
    out = runner().invoke(cli, ["import", str(tmp_path / "b.xlsx"), "--into", str(register)])
    assert out.exit_code == ExitStatus.INVALID
    assert out.stderr.splitlines() == [
        f"{tmp_path / 'b.xlsx'}:Bodies!A2: error: body 'north-csp': reports_to 'county-board' is not defined "
        "(add a body with id 'county-board')",
        f"{tmp_path / 'b.xlsx'}:Bodies!A3: error: body 'drugs-group': sub_group_of 'county-board' is not defined "
        "(add a body with id 'county-board')",
        f"{register}:6:9: error: register: top 'county-board' is not defined (add a body with id 'county-board')",
        f"{register}:76:12: error: strategy 'county-plan': owner 'county-board' is not defined "
        "(add a body, organisation or post with id 'county-board')",
        "error: 4 errors in the spreadsheet; nothing was written",
    ]
    assert register.read_text() == WEB.read_text()


# -- every row read, whatever a sheet declares (issue 26, defects 2, 10 and 17) ---------------


def shrink_dimension(path: Path, sheet_title: str, ref: str = "A1:B2") -> None:
    """Rewrite a sheet's declared ``<dimension ref=...>`` (what Excel and other writers put at
    the top of a sheet, and may get wrong) to ``ref``, leaving its rows as they are."""
    import re

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet_title) + 1
    wb.close()
    part = f"xl/worksheets/sheet{index}.xml"
    parts[part], n = re.subn(
        rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(), parts[part]
    )
    assert n == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw in parts.items():
            z.writestr(name, raw)


def csv_folder(tmp_path: Path) -> Path:
    """web.yaml as a folder of CSV files."""
    folder = tmp_path / "csvs"
    folder.mkdir()
    for name, data in write_csvs(load_register(WEB)).items():
        (folder / name).write_bytes(data)
    return folder


def rows_line(path: Path, register) -> str:
    """The line an import of ``register``'s workbook at ``path`` prints, from the layout itself:
    every sheet, with as many rows as the register has for it."""
    counts = [(sheet.title, sum(1 for _ in record_rows(register, sheet))) for sheet in SHEETS]
    total = sum(n for _, n in counts)
    each = ", ".join(f"{title} {n}" for title, n in counts)
    return f"read {path}: {total} rows from {len(counts)} sheets ({each})"


def test_a_sheet_whose_declared_dimension_hides_rows_and_columns_is_read_whole(tmp_path):
    path = tmp_path / "w.xlsx"
    path.write_bytes(write_xlsx(load_register(WEB)))
    shrink_dimension(path, "Bodies")
    out = runner().invoke(cli, ["import", str(path), "-o", str(tmp_path / "out.yaml")])
    assert out.exit_code == 0, out.output
    same(load_register(tmp_path / "out.yaml"), load_register(WEB))
    line = out.stderr.splitlines()[0]
    assert line == rows_line(path, load_register(WEB))
    assert ", Bodies 3, " in line and ", Memberships 5, " in line


def test_import_into_never_removes_a_record_because_of_a_declared_dimension(tmp_path):
    register = tmp_path / "boards.yaml"
    register.write_text(WEB.read_text())
    before = register.read_bytes()
    path = tmp_path / "w.xlsx"
    path.write_bytes(write_xlsx(load_register(WEB)))
    for sheet in ("Bodies", "Memberships", "Organisations"):
        shrink_dimension(path, sheet, "A1:Z2")  # every column, but only the first record's row
    out = runner().invoke(cli, ["import", str(path), "--into", str(register)])
    assert out.exit_code == 0, out.output
    assert "removed" not in out.stdout.replace("0 removed", "")
    assert out.stderr == "nothing to change\n"
    assert register.read_bytes() == before


def test_import_into_lists_what_it_would_remove_before_it_writes(tmp_path):
    register = tmp_path / "boards.yaml"
    register.write_text(WEB.read_text())
    wb = workbook(load_register(WEB))
    ws = wb["Bodies"]
    for r in range(ws.max_row, 1, -1):
        if ws.cell(row=r, column=1).value == "drugs-group":
            ws.delete_rows(r)
    for title in ("Memberships", "Theme roles", "Sub-groups", "Areas covered"):
        sheet = wb[title]
        for r in range(sheet.max_row, 1, -1):
            if sheet.cell(row=r, column=1).value == "drugs-group":
                sheet.delete_rows(r)
    path = tmp_path / "less.xlsx"
    wb.save(path)
    out = runner().invoke(cli, ["import", str(path), "--into", str(register), "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "  - body 'drugs-group' removed\n" in out.stdout
    assert "drugs-group" in register.read_text()


def test_a_zip_of_csv_files_with_a_damaged_entry_is_refused_with_one_line(tmp_path):
    folder = csv_folder(tmp_path)
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
    raw = bytearray(path.read_bytes())
    at = raw.find(b"bodies.csv") + len("bodies.csv") + 10
    raw[at] ^= 0xFF
    raw[at + 1] ^= 0xFF
    path.write_bytes(bytes(raw))
    code, err = import_error(path)
    assert code == ExitStatus.USAGE
    assert err == (
        f"error: {path}: bodies.csv cannot be unpacked: the zip file is damaged "
        "(make the zip file again from the .csv files)\n"
    )


def test_a_csv_cell_longer_than_the_csv_reader_takes_is_refused_with_its_line(tmp_path):
    folder = csv_folder(tmp_path)
    bodies = folder / "bodies.csv"
    lines = bodies.read_text(encoding="utf-8-sig").splitlines()
    lines[1] += ',"' + "x" * 140_000 + '"'
    bodies.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = import_error(folder)
    assert code == ExitStatus.USAGE
    assert err == (
        f"error: {bodies}: line 2: a cell is longer than 131,072 characters "
        "(no register field holds that much: check it is the CSV file you meant)\n"
    )


def test_a_csv_file_that_starts_with_two_byte_order_marks_is_refused_saying_so(tmp_path):
    folder = csv_folder(tmp_path)
    bodies = folder / "bodies.csv"
    bodies.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + bodies.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    code, err = import_error(folder)
    assert code == ExitStatus.USAGE
    assert err == (
        f"error: {bodies} starts with two byte-order marks (U+FEFF) "
        "(save it again as 'CSV UTF-8', or delete the invisible characters before 'id')\n"
    )
