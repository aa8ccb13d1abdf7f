"""The import report a DPO can act on: per sheet, and every cell to look at, as a workbook."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from ropa.register import Register
from ropa.spreadsheets import import_workbook
from ropa.spreadsheets.report_workbook import write_report
from tests.data.import_corpus import ico_with_contacts, several_sheets
from tests.data.make_dpo_workbook import build
from tests.helpers.cli import run_ropa


def test_the_report_workbook_lists_sheets_and_every_cell_to_check(
    register: Register, tmp_path: Path
) -> None:
    report = import_workbook(register, several_sheets(tmp_path).path)
    path = write_report(report, tmp_path / "report.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Summary", "Cells", "Activities", "Every cell"]
    summary = [row for row in workbook["Summary"].iter_rows(values_only=True) if any(row)]
    assert ("Children's Services", 9, 1, 1, 0, 0, None) in summary
    assert ("Corporate", 1, 2, 2, 0, 0, None) in summary
    assert ("Lookups", "it has no row of register headings in its first 40 rows") in [
        row[:2] for row in summary
    ]
    cells = list(workbook["Cells"].iter_rows(values_only=True))
    assert cells[0] == ("What", "Cell", "Sheet", "Text", "Why")
    found = {(row[0], row[1], row[3]) for row in cells[1:]}
    assert ("Not understood", "Children's Services!P10", "All the usual ones") in found
    assert any(kind == "Check" for kind, _, _ in found)
    assert any(kind == "Not read" and ref.startswith("Lookups!") for kind, ref, _ in found)
    activities = list(workbook["Activities"].iter_rows(values_only=True))
    assert [row[0] for row in activities[1:]] == ["Created"] * 3
    # The ledger: every non-empty cell of the source, as written, with where it went.
    ledger = list(workbook["Every cell"].iter_rows(values_only=True))
    assert ledger[0] == ("Sheet", "Cell", "As written", "Went to", "Where", "Activity")
    source = openpyxl.load_workbook(several_sheets(tmp_path).path)
    written = {
        (sheet.title, cell.coordinate)
        for sheet in source.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None and str(cell.value).strip()
    }
    assert {(row[0], row[1]) for row in ledger[1:]} == written
    assert "not placed" not in {row[3] for row in ledger[1:]}


def test_the_report_says_which_columns_were_kept_as_the_organisations_own(
    register: Register, tmp_path: Path
) -> None:
    report = import_workbook(register, ico_with_contacts(tmp_path).path)
    path = write_report(report, tmp_path / "report.xlsx")
    summary = openpyxl.load_workbook(path)["Summary"]
    rows = list(summary.iter_rows(values_only=True))
    assert rows[2][6] == "Kept as own columns"
    assert all(cell.font.b for cell in summary[3]) and not summary["A4"].font.b
    assert rows[3][0] == "ROPA"
    assert rows[3][6] == "AE Information asset owner\nAF System supplier"
    assert (
        "Sheet “ROPA”: kept as the organisation's own columns (shown with each activity and "
        "exported after the register's columns): AE “Information asset owner”, "
        "AF “System supplier”." in report.summary()
    )


def test_text_in_the_report_never_becomes_a_formula(register: Register, tmp_path: Path) -> None:
    source = tmp_path / "hostile.csv"
    formula = '=HYPERLINK("http://evil.example","click")'
    source.write_text(
        "Business function,Purpose of processing,Categories of individuals,"
        "Article 9 condition for processing special category data\n"
        f'Housing,Tenancies,Tenants,"{formula.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )
    report = import_workbook(register, source)
    assert [problem.value for problem in report.problems] == [formula]
    path = write_report(report, tmp_path / "report.xlsx")
    cells = openpyxl.load_workbook(path)["Cells"]
    texts = [cell for row in cells.iter_rows() for cell in row if cell.value]
    assert formula in [cell.value for cell in texts]
    assert all(cell.data_type == "s" for cell in texts)
    # The ledger quotes it too, as text.
    ledger = openpyxl.load_workbook(path)["Every cell"]
    quoted = [cell for row in ledger.iter_rows() for cell in row if cell.value == formula]
    assert quoted and all(cell.data_type == "s" and cell.quotePrefix for cell in quoted)


def test_cli_writes_the_report(tmp_path: Path) -> None:
    source = build(tmp_path / "dpo.xlsx")
    report = tmp_path / "report.xlsx"
    done = run_ropa(
        "import",
        str(source),
        "--db",
        str(tmp_path / "r.ropa"),
        "--new",
        "--dry-run",
        "--report",
        str(report),
    )
    assert done.returncode == 0, done.stderr
    assert "Wrote the import report to" in done.stdout
    cells = list(openpyxl.load_workbook(report)["Cells"].iter_rows(values_only=True))
    assert {row[1] for row in cells[1:]} >= {"Council ROPA 2024!M13", "Council ROPA 2024!Q13"}
