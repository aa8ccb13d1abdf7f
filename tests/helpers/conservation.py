"""Conservation of what a DPO wrote, checked on an import and its export.

Shared by the test of the real registers and the property test of generated ones: every
word (four letters or more) of every non-empty cell of the source, read with openpyxl
(or the csv module) apart from the import, must be in the export or in the import report;
in the export whenever the ledger says the cell went into the register; every cell must
be in the ledger; and "Every cell was understood" only when the ledger shows it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from ropa.register import Register
from ropa.spreadsheets import export_workbook
from ropa.spreadsheets.ledger import Destination
from ropa.spreadsheets.report import ImportReport
from ropa.spreadsheets.report_workbook import write_report

_WORD = re.compile(r"[^\W\d_]{4,}")
UNDERSTOOD = "Every cell was understood."
# Destinations that say the cell's text is in the register, so in the export.
_IN_REGISTER = {Destination.FIELD, Destination.OWN_FIELD, Destination.NOTES}


@dataclass(frozen=True)
class SourceCell:
    sheet: str
    row: int
    column: int
    text: str


def source_cells(path: Path) -> list[SourceCell]:
    """Every non-empty cell of the file as its owner sees it, read without the import's
    reader.  A spreadsheet's TRUE and FALSE are the answers yes and no."""
    if path.suffix.casefold() == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        return [
            SourceCell("CSV", row, column, value)
            for row, values in enumerate(csv.reader(text.splitlines(keepends=True)), start=1)
            for column, value in enumerate(values, start=1)
            if value.strip()
        ]
    workbook = openpyxl.load_workbook(path)
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or not str(value).strip():
                    continue
                if isinstance(value, bool):
                    value = "yes" if value else "no"
                text = str(value)
                if text.upper() in {"=TRUE()", "=FALSE()"}:
                    text = "yes" if "TRUE" in text.upper() else "no"
                found.append(SourceCell(sheet.title.strip(), cell.row, cell.column, text))
    return found


def workbook_text(path: Path, *, leave_out: tuple[str, ...] = ()) -> str:
    workbook = openpyxl.load_workbook(path)
    return "\n".join(
        str(cell.value)
        for sheet in workbook.worksheets
        if sheet.title not in leave_out
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ).casefold()


def _answer_as_exported(text: str) -> str:
    """ "true" or "false" typed as a word is a yes or no answer (ropa/spreadsheets/lawtext.py
    reads it so, as a spreadsheet's TRUE and FALSE, "true, since 2023" included), which the
    export writes as Yes or No."""
    return _ANSWER_WORD.sub(lambda found: _ANSWERS[found.group(0).casefold()], text)


_ANSWERS = {"true": "yes", "false": "no"}
_ANSWER_WORD = re.compile(r"\b(?:true|false)\b", re.IGNORECASE)


def words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]


def check_conservation(
    register: Register,
    source: Path,
    report: ImportReport,
    folder: Path,
    cells: list[SourceCell] | None = None,
) -> dict[str, int]:
    """Export the register both ways, write the report, and check every source cell;
    the number of cells found in each destination."""
    folder = folder / "conservation"
    folder.mkdir(exist_ok=True)
    controller = export_workbook(register, folder / "controller.xlsx").path
    processor = export_workbook(register, folder / "processor.xlsx", processor=True).path
    exported = workbook_text(controller) + "\n" + workbook_text(processor)
    summary = report.summary()
    # The report as the DPO reads it: the printed summary and the table of cells to look
    # at; not the sheet of every cell, which would hold every word by definition.
    written = write_report(report, folder / "report.xlsx")
    reported = (summary + "\n" + workbook_text(written, leave_out=("Every cell",))).casefold()
    ledger = report.ledger
    assert ledger is not None
    counts: dict[str, int] = {}
    # The cells as written: read from the file apart from the import, or, for a file
    # written by the test in a format openpyxl cannot read (.ods), as the test wrote them.
    cells = source_cells(source) if cells is None else cells
    assert len(cells) == len(ledger), (len(cells), len(ledger))
    for cell in cells:
        entry = ledger.get(cell.sheet, cell.row, cell.column)
        where = f"{source.name} {cell.sheet}!R{cell.row}C{cell.column} “{cell.text}”"
        assert entry is not None, f"{where} is not in the ledger"
        assert entry.destination != Destination.NOT_PLACED, f"{where} was not placed"
        counts[entry.destination.value] = counts.get(entry.destination.value, 0) + 1
        reported_here = f"{entry.sheet}!{entry.ref}".casefold() in reported
        for word in words(_answer_as_exported(cell.text)):
            if entry.destination in _IN_REGISTER and not reported_here:
                assert word in exported, f"{where}: “{word}” is not in the export"
            else:
                assert word in exported or word in reported, (
                    f"{where}: “{word}” is in neither the export nor the report"
                )
    if report.all_understood:
        assert UNDERSTOOD in summary
        assert not counts.get(Destination.NOT_READ.value)
        assert not counts.get(Destination.NOTES.value)
    else:
        assert UNDERSTOOD not in summary
    if any(sheet for sheet, _ in report.skipped):
        assert UNDERSTOOD not in summary
    return counts
