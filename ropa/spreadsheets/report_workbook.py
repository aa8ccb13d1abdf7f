"""The import report as a workbook a DPO can sort, filter and work through.

Four sheets: Summary (what was read from each sheet, what was created and updated),
Cells (every cell not understood, not read or to check, with its reference such as
Sheet!C14, its text and why), Activities (each activity created, updated or already up to
date) and Every cell (the ledger: each non-empty cell of the file as written, and where it
went).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ropa.files import write_atomically
from ropa.spreadsheets.cells import clean_for_excel, format_date, needs_quote_prefix
from ropa.spreadsheets.report import ImportReport

# Named, so that every program shows the workbook in Excel's own font (a font without a
# name is drawn in the reader's default, a serif one in LibreOffice).
_PLAIN = Font(name="Calibri", size=11)
_BOLD = Font(name="Calibri", size=11, bold=True)

_WIDTHS = {
    "Summary": (28, 14, 14, 14, 14, 18, 40),
    "Cells": (18, 22, 16, 60, 60),
    "Activities": (16, 14, 60),
    "Every cell": (18, 10, 60, 20, 60, 30),
}


def write_report(report: ImportReport, path: Path) -> Path:
    """Write the report to `path` (.xlsx) atomically; the path written."""
    workbook = Workbook()
    summary = workbook.worksheets[0]
    summary.title = "Summary"
    verb = "Dry run of importing" if report.dry_run else "Imported"
    summary_rows = _Rows(summary)
    summary_rows.add([[f"{verb} {report.path.name} on {format_date(dt.date.today())}"]])
    summary["A1"].alignment = Alignment()  # one line, over the empty cells beside it
    summary_rows.add([[]])
    summary_rows.add(
        [
            [
                "Sheet",
                "Headings in row",
                "Rows read",
                "Created",
                "Updated",
                "Already up to date",
                "Kept as own columns",
            ]
        ],
        bold=True,
    )
    summary_rows.add(
        [
            [
                s.sheet,
                s.header_row,
                s.rows,
                s.created,
                s.updated,
                s.unchanged,
                "\n".join(
                    f"{letter} {name}" + ("" if headed else " (no heading)")
                    for letter, name, headed in s.own_columns
                )
                or None,
            ]
            for s in report.sheets
        ]
    )
    summary_rows.add([[]])
    summary_rows.add([["Sheets not read", "Why"]], bold=True)
    summary_rows.add([[sheet, why] for sheet, why in report.skipped])
    cells = workbook.create_sheet("Cells")
    cell_rows = _Rows(cells)
    cell_rows.add([["What", "Cell", "Sheet", "Text", "Why"]], bold=True)
    cell_rows.add(
        [
            [f.kind, f.reference, f.problem.sheet, f.problem.value, f.problem.why]
            for f in report.findings()
        ]
    )
    activities = workbook.create_sheet("Activities")
    outcomes = (("Created", report.created), ("Updated", report.updated))
    activity_rows = _Rows(activities)
    activity_rows.add([["Outcome", "Reference", "Name"]], bold=True)
    activity_rows.add(
        [
            *[[outcome, ref, name] for outcome, entries in outcomes for ref, name in entries],
            *[["Already up to date", ref, name] for ref, name in report.unchanged],
        ]
    )
    ledger_sheet = workbook.create_sheet("Every cell")
    ledger_rows = _Rows(ledger_sheet)
    ledger_rows.add([["Sheet", "Cell", "As written", "Went to", "Where", "Activity"]], bold=True)
    if report.ledger is not None:
        ledger_rows.add(
            [
                [e.sheet, e.ref, e.text, e.destination.value, e.destination_words(), e.activity]
                for e in report.ledger.entries()
            ]
        )
    for sheet in (cells, activities, ledger_sheet):
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    for sheet in workbook.worksheets:
        for index, width in enumerate(_WIDTHS[sheet.title], start=1):
            sheet.column_dimensions[chr(64 + index)].width = width
        # Printed across the page, every column on it.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    write_atomically(path, workbook.save)
    return path


class _Rows:
    """Rows written one after another into a sheet; text is text, never a formula."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

    def add(self, rows: Sequence[Sequence[object]], *, bold: bool = False) -> None:
        """Write `rows` below the last; with `bold`, as headings."""
        for values in rows:
            for column, value in enumerate(values, start=1):
                if value is not None:
                    cell = self.sheet.cell(self.row, column)
                    self._put(cell, value)
                    cell.font = _BOLD if bold else _PLAIN
            self.row += 1

    @staticmethod
    def _put(cell: Cell, value: object) -> None:
        if isinstance(value, str):
            text = clean_for_excel(value)
            cell.value = text
            cell.data_type = "s"  # as typed, even when it starts with "="
            if needs_quote_prefix(text):
                cell.quotePrefix = True
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        else:
            cell.value = value
