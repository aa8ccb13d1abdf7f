"""The checks report as an Excel workbook: a summary, the findings, completeness by activity.

Every cell holding text is written as text: a message or a name starting with = + - @ stays
what the user typed and never becomes a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ropa.checks.engine import CheckReport, gap_counts
from ropa.dates import british_date
from ropa.fields import label as field_label
from ropa.files import write_atomically
from ropa.spreadsheets.cells import clean_for_excel, needs_quote_prefix

_HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
_WRAP = Alignment(wrap_text=True, vertical="top")


def set_text(cell: Cell, text: str) -> None:
    """Put user text in a cell as text, never as a formula, without characters xlsx forbids."""
    cell.value = clean_for_excel(text)
    # openpyxl takes a leading "=" as a formula; the type says otherwise, and the quote
    # prefix tells Excel to show it as typed when the cell is edited.
    cell.data_type = "s"
    if needs_quote_prefix(text):
        cell.quotePrefix = True


def write_table(
    sheet: Worksheet,
    headings: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
) -> None:
    """A header row and data rows; str values go through set_text, others as they are."""
    for column, (heading, width) in enumerate(zip(headings, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=column)
        set_text(cell, heading)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                set_text(cell, value)
            else:
                cell.value = value
            cell.alignment = _WRAP
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions


def write_report_xlsx(report: CheckReport, path: Path) -> None:
    """Write the report to `path` (atomically: an open or locked file is left as it was)."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    _write_summary(summary, report)
    findings = workbook.create_sheet("Findings")
    write_table(
        findings,
        ("Severity", "Rule", "Article", "Reference", "Activity", "Field", "Finding", "How to fix"),
        [
            (
                f.severity.label,
                f.rule_id,
                f.article,
                f.reference,
                f.activity_name,
                field_label(f.field),
                f.message,
                f.fix,
            )
            for f in report.findings
        ],
        (10, 20, 26, 12, 36, 24, 60, 60),
    )
    gaps = gap_counts(report.findings)
    by_activity = workbook.create_sheet("Completeness")
    write_table(
        by_activity,
        ("Reference", "Activity", "Complete", "Gaps"),
        [
            (reference, name, share, gaps.get(activity_id, 0))
            for activity_id, (reference, name, share) in sorted(
                report.activities.items(), key=lambda item: item[1][0]
            )
        ],
        (12, 50, 12, 8),
    )
    for row in by_activity.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "0%"
    write_atomically(path, lambda temporary: workbook.save(temporary))


def _write_summary(sheet: Worksheet, report: CheckReport) -> None:
    sheet["A1"] = "Compliance checks report"
    sheet["A1"].font = Font(bold=True, size=14)
    rows: list[tuple[str, Any]] = [
        ("Organisation", report.organisation_name),
        ("Checked on", british_date(report.checked_on)),
        ("Activities checked", len(report.activities)),
        ("Errors", report.errors),
        ("Warnings", report.warnings),
        ("Register completeness", report.completeness),
    ]
    for offset, (name, value) in enumerate(rows, start=3):
        set_text(sheet.cell(row=offset, column=1), name)
        sheet.cell(row=offset, column=1).font = Font(bold=True)
        cell = sheet.cell(row=offset, column=2)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        if isinstance(value, float):
            cell.number_format = "0%"
    set_text(
        sheet.cell(row=len(rows) + 4, column=1),
        "Errors are entries UK GDPR Article 30 or DPA 2018 Schedule 1 requires; warnings are "
        "ICO good practice or answers that do not agree.",
    )
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 50
