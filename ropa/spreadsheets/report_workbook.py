"""The import report as a workbook a DPO can sort, filter and work through.

Four sheets: Summary (what was read from each sheet, what was created and updated),
Cells (every cell not understood, not read or to check, with its reference such as
Sheet!C14, its text and why), Activities (each activity created, updated or already up to
date) and Every cell (the ledger: each non-empty cell of the file as written, and where it
went).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

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
    """Write the report to `path` (.xlsx) atomically; the path written.

    The workbook is written as it goes (openpyxl's write-only mode): the sheet of every
    cell of a register of 10,000 activities holds over 170,000 rows, which a workbook
    kept whole in memory took most of a minute to save."""
    workbook = Workbook(write_only=True)
    summary = _Rows(workbook, "Summary", filtered=False)
    verb = "Dry run of importing" if report.dry_run else "Imported"
    # One line, over the empty cells beside it: not wrapped.
    summary.add([[f"{verb} {report.path.name} on {format_date(dt.date.today())}"]], wrapped=False)
    summary.add([[]])
    summary.add(
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
    summary.add(
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
    summary.add([[]])
    summary.add([["Sheets not read", "Why"]], bold=True)
    summary.add([[sheet, why] for sheet, why in report.skipped])
    cells = _Rows(workbook, "Cells")
    cells.add([["What", "Cell", "Sheet", "Text", "Why"]], bold=True)
    cells.add(
        [
            [f.kind, f.reference, f.problem.sheet, f.problem.value, f.problem.why]
            for f in report.findings()
        ]
    )
    activities = _Rows(workbook, "Activities")
    outcomes = (("Created", report.created), ("Updated", report.updated))
    activities.add([["Outcome", "Reference", "Name"]], bold=True)
    activities.add(
        [
            *[[outcome, ref, name] for outcome, entries in outcomes for ref, name in entries],
            *[["Already up to date", ref, name] for ref, name in report.unchanged],
        ]
    )
    ledger = _Rows(workbook, "Every cell")
    ledger.add([["Sheet", "Cell", "As written", "Went to", "Where", "Activity"]], bold=True)
    if report.ledger is not None:
        ledger.add(
            [
                [e.sheet, e.ref, e.text, e.destination.value, e.destination_words(), e.activity]
                for e in report.ledger.entries()
            ],
            plain=True,
        )
    for rows in (cells, activities, ledger):
        rows.filter()
    write_atomically(path, workbook.save)
    return path


class _Rows:
    """Rows written one after another into a new sheet of a write-only workbook; text is
    text, never a formula."""

    def __init__(self, workbook: Workbook, title: str, *, filtered: bool = True) -> None:
        self.sheet = workbook.create_sheet(title)
        self.row = 0
        self.columns = len(_WIDTHS[title])
        # All that a write-only sheet needs before its first row.
        for index, width in enumerate(_WIDTHS[title], start=1):
            self.sheet.column_dimensions[chr(64 + index)].width = width
        if filtered:
            self.sheet.freeze_panes = "A2"
        # Printed across the page, every column on it.
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    def add(
        self,
        rows: Iterable[Sequence[object]],
        *,
        bold: bool = False,
        plain: bool = False,
        wrapped: bool = True,
    ) -> None:
        """Write `rows` below the last; with `bold`, as headings; with `plain`, text without
        the wrapping and font of each cell (a ledger of a large register has hundreds of
        thousands of cells)."""
        for values in rows:
            self.sheet.append(
                [
                    None if value is None else self._cell(value, bold, plain, wrapped)
                    for value in values
                ]
            )
            self.row += 1

    def filter(self) -> None:
        """A filter over the headings and every row below them."""
        last = get_column_letter(self.columns)
        self.sheet.auto_filter.ref = f"A1:{last}{max(self.row, 1)}"

    def _cell(self, value: object, bold: bool, plain: bool, wrapped: bool) -> WriteOnlyCell | str:
        if plain and isinstance(value, str):
            text = clean_for_excel(value)
            if not needs_quote_prefix(text):
                return text  # written as a string, as it is: no cell object to build
        cell = WriteOnlyCell(self.sheet)
        if isinstance(value, str):
            text = clean_for_excel(value)
            cell.value = text
            cell.data_type = "s"  # as typed, even when it starts with "="
            if needs_quote_prefix(text):
                cell.quotePrefix = True
            if not plain and wrapped:
                cell.alignment = _WRAPPED
        else:
            cell.value = value
        if not plain:
            cell.font = _BOLD if bold else _PLAIN
        return cell


_WRAPPED = Alignment(wrap_text=True, vertical="top")
