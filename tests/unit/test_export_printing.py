"""The exported workbook prints legibly: A4 landscape at 70 %, whole ICO column groups per
page with the headings and the first column repeated, and every row tall enough for every
line of its cells, read back with openpyxl and printed to PDF by LibreOffice."""

from __future__ import annotations

import statistics
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ropa.register import Register
from ropa.spreadsheets import layout
from ropa.spreadsheets.export import PRINT_MARGINS, PRINT_SCALE, export_workbook
from ropa.spreadsheets.widths import LINE_POINTS, column_points, wrapped_lines
from tests.helpers.activities import sample_activity
from tests.helpers.programs import require_programs

CATEGORIES = [f"Category number {n} of personal data" for n in range(1, 13)] + [
    "Zebra crossing camera footage"
]
A4_LANDSCAPE = 841.9


@pytest.fixture
def workbook(register: Register, tmp_path: Path) -> Path:
    register.activities.create(sample_activity(data_categories=CATEGORIES))
    register.activities.create(sample_activity(reference="CS-002", name="Short one"))
    path = tmp_path / "printed.xlsx"
    export_workbook(register, path)
    return path


def test_page_setup_is_a4_landscape_at_a_readable_scale_with_titles(workbook: Path) -> None:
    sheet = load_workbook(workbook)[layout.TEMPLATE_SHEET]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.scale) == ("landscape", 9, PRINT_SCALE)
    assert PRINT_SCALE >= 65  # 11 pt prints as at least 7 pt
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage  # not one page wide any more
    assert sheet.print_title_rows == "$8:$9"
    assert sheet.print_title_cols == "$A:$A"


def test_each_printed_page_holds_what_fits_and_breaks_between_column_groups(
    workbook: Path,
) -> None:
    sheet = load_workbook(workbook)[layout.TEMPLATE_SHEET]
    breaks = [brk.id for brk in sheet.col_breaks.brk]
    assert len(breaks) >= 3  # several pages across: the register has ~48 columns
    last = sheet.max_column
    widths = [sheet.column_dimensions[get_column_letter(n)].width for n in range(1, last + 1)]
    printable = A4_LANDSCAPE - 72 * (PRINT_MARGINS.left + PRINT_MARGINS.right)
    room = printable * 100 / PRINT_SCALE - column_points(widths[0])  # column A repeats
    for first, end in zip([1, *breaks], [*breaks, last], strict=True):
        page = sum(column_points(w) for w in widths[first:end])
        assert page <= room, (first, end)
    # Where a section (row 8's merged titles) starts is where most pages start.
    section_starts = {merged.min_col for merged in sheet.merged_cells.ranges if merged.min_row == 8}
    # (The register's own section, one field a column, is longer than a page: the breaks
    # within it fall where each page is full.)
    first_ours = len(layout.CONTROLLER_LAYOUT.ico_columns) + 1
    ico_breaks = [brk for brk in breaks if brk + 1 <= first_ours]
    assert sum(1 for brk in ico_breaks if brk + 1 in section_starts) >= len(ico_breaks) // 2


def test_every_row_is_tall_enough_for_every_line_of_its_cells(workbook: Path) -> None:
    sheet = load_workbook(workbook)[layout.TEMPLATE_SHEET]
    row = layout.FIRST_DATA_ROW
    height = sheet.row_dimensions[row].height
    assert height is not None and height >= len(CATEGORIES) * LINE_POINTS
    for column in range(1, sheet.max_column + 1):
        text = sheet.cell(row, column).value
        if text:
            width = sheet.column_dimensions[get_column_letter(column)].width
            assert wrapped_lines(str(text), width) * LINE_POINTS <= height


@pytest.mark.slow
def test_libreoffice_prints_every_line_at_a_readable_size(workbook: Path, tmp_path: Path) -> None:
    require_programs("soffice", "pdftotext", install="libreoffice-calc, poppler-utils")
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "printed.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    # The last line of a thirteen-line cell is printed, not cut off by a one-line row.
    assert "Zebra crossing camera footage" in text
    assert "Page 1 of" in text
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "3", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    heights = [
        float(line.split('yMax="')[1].split('"')[0]) - float(line.split('yMin="')[1].split('"')[0])
        for line in boxes.splitlines()
        if "<word " in line
    ]
    assert statistics.median(heights) >= 7.0  # points: readable, not the 2-3 pt of one page wide
