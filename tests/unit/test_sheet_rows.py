"""The data rows the export writes as sheet XML itself (ropa.spreadsheets.sheet_rows).

Read back with openpyxl, in normal and read-only mode, they must be what openpyxl would have
written: text cells (never a formula), styled, with real hyperlinks, inside the sheet's
stated used range and autofilter.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from ropa.records import Role
from ropa.register import Register
from ropa.spreadsheets import export_workbook
from ropa.spreadsheets.cells import FORMULA_TRIGGERS
from ropa.spreadsheets.columns import CellOut
from ropa.spreadsheets.export import activity_rows
from ropa.spreadsheets.layout import CONTROLLER_LAYOUT, FIRST_DATA_ROW, HEADER_ROW, Kind
from ropa.spreadsheets.sheet_rows import CellFormats, SheetRows, save_workbook
from tests.helpers.activities import sample_activity

# Text that needs escaping, or that XML cannot hold at all, in the fields of one activity.
HOSTILE = {
    "name": "Fish & chips <b>bold</b> \"quoted\" 'single'",
    "business_function": "=SUM(A1:A9)",
    "description": "Line one\nLine two\r\nLine three\rafter a carriage return",
    "owner": "Bell\x07 and backspace\x08 removed",
    "notes": "Emoji 😀 and ✓ and Welsh ŵ ŷ, not\ufffe or\uffff",
    "purposes": ["+44 1632 960000", "-1+2", "@mention", "\tTabbed"],
    "dpia_link": "https://example.org/dpia?a=1&b=<2>",
    "lia_link": "https://example.org/lia\x01",
}
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@pytest.fixture
def hostile_export(register: Register, tmp_path: Path) -> Path:
    register.activities.create(sample_activity(**HOSTILE))
    register.activities.create(sample_activity(reference="CS-002", name="Plain"))
    path = tmp_path / "hostile.xlsx"
    export_workbook(register, path)
    return path


def expected_rows(register: Register) -> list[list[str | None]]:
    """What each data row should read back as: the export's texts, less what XML cannot hold."""
    records = [r for r in register.activities.load() if r.role != Role.PROCESSOR]
    return [
        [NOT_XML.sub("", text) or None if text is not None else None for text in row]
        for row in activity_rows(Kind.CONTROLLER, records, {})
    ]


# Where the controller workbook's columns are (the register's own are derived from the
# description of an activity, so their places move as fields are added).
_COLUMN = {column.key: index for index, column in enumerate(CONTROLLER_LAYOUT.columns)}
_LAST = get_column_letter(len(CONTROLLER_LAYOUT.columns))


@pytest.mark.parametrize("read_only", [False, True])
def test_data_rows_read_back_as_the_texts_written(
    register: Register, hostile_export: Path, read_only: bool
) -> None:
    workbook = openpyxl.load_workbook(hostile_export, read_only=read_only)
    sheet = workbook["Template"]
    expected = expected_rows(register)
    width = len(expected[0])
    rows = [
        [cell.value for cell in row][:width]
        for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, max_col=width)
    ]
    assert rows == expected
    name = next(row for row in rows if row[_COLUMN["name"]] and "Fish" in row[_COLUMN["name"]])
    assert name[_COLUMN["name"]] == HOSTILE["name"]
    assert name[_COLUMN["description"]] == HOSTILE["description"]  # \r\n and a lone \r survive
    assert name[_COLUMN["owner"]] == "Bell and backspace removed"
    assert name[-1] == "Emoji 😀 and ✓ and Welsh ŵ ŷ, not or"
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if getattr(cell, "data_type", "s") == "f"]
    assert sheet.calculate_dimension() == f"A1:{_LAST}{FIRST_DATA_ROW + 1}"
    workbook.close()


def test_data_cells_are_styled_linked_and_quoted(hostile_export: Path) -> None:
    sheet = openpyxl.load_workbook(hostile_export)["Template"]
    row = FIRST_DATA_ROW + 1 if sheet["AF10"].value == "Plain" else FIRST_DATA_ROW
    plain = sheet[f"A{row}"]
    assert plain.alignment.wrap_text and plain.alignment.vertical == "top"
    assert plain.border.left.style == "thin" and not plain.font.u
    formula_like = [sheet[f"{column}{row}"] for column in ("A", "B")]
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in formula_like)
    assert not sheet[f"AF{row}"].quotePrefix
    link = sheet[f"W{row}"]
    assert link.hyperlink is not None and link.hyperlink.target == HOSTILE["dpia_link"]
    assert link.value == HOSTILE["dpia_link"] and link.font.u == "single"
    assert link.alignment.wrap_text and link.border.left.style == "thin"
    assert sheet[f"O{row}"].hyperlink.target == "https://example.org/lia"  # no \x01
    assert sheet[f"C{row}"].value is None and not sheet[f"C{row}"].has_style  # not written
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:{_LAST}{FIRST_DATA_ROW + 1}"
    assert sheet.freeze_panes == f"B{FIRST_DATA_ROW}"  # the business function stays in view


def test_the_sheet_xml_has_no_formula_and_only_inline_text(hostile_export: Path) -> None:
    with zipfile.ZipFile(hostile_export) as package:
        sheets = [name for name in package.namelist() if name.startswith("xl/worksheets/sheet")]
        for name in sheets:
            xml = package.read(name).decode("utf-8")
            # No formula and no value Excel could read as anything but text anywhere; the
            # empty styled cells openpyxl writes in merged headings are typed "n".
            assert "<f>" not in xml and "<f " not in xml and "<v>" not in xml, name
            types = set(re.findall(r'<c r="[A-Z]+\d+"(?: s="\d+")?(?: t="(\w+)")?', xml))
            assert types <= {"inlineStr", "n", ""}, (name, types)
        template = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert template.index("<dimension ") < template.index("<sheetViews")
    assert template.count("<sheetData>") == template.count("</sheetData>") == 1
    assert "Fish &amp; chips &lt;b&gt;bold&lt;/b&gt;" in template
    assert "Line two&#13;\nLine three&#13;after" in template


def test_an_empty_register_still_has_its_headings(register: Register, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    assert export_workbook(register, path).activity_count == 0
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheet = workbook["Template"]
    assert sheet.calculate_dimension() == f"A1:{_LAST}{HEADER_ROW}"
    assert [row[0] for row in sheet.iter_rows(min_row=HEADER_ROW, values_only=True)] == [
        "Business function"
    ]
    workbook.close()


def _one_column_sheet(path: Path, texts: list[str]) -> None:
    """A bare workbook with a heading and `texts` down column A, written by SheetRows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet")
    sheet.append(["Heading"])
    quoted = WriteOnlyCell(sheet)
    quoted.quotePrefix = True
    formats = CellFormats(0, quoted.style_id, 0, quoted.style_id)
    rows = SheetRows(sheet, first_row=2, column_count=1, formats=formats)
    for text in texts:
        rows.append([CellOut(text)])
    save_workbook(workbook, path, [rows])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(
        st.text(st.characters(exclude_categories=()), min_size=1, max_size=12),
        min_size=1,
        max_size=5,
    )
)
@example(texts=["lone \ud800 surrogate", "\x01=judged as written", " spaced ", "\r", "\x02"])
def test_any_text_reads_back_as_written_less_what_xml_cannot_hold(
    tmp_path: Path, texts: list[str]
) -> None:
    path = tmp_path / "any.xlsx"
    _one_column_sheet(path, texts)
    expected = [NOT_XML.sub("", re.sub("[\ud800-\udfff]", "", text)) or None for text in texts]
    for read_only in (False, True):
        workbook = openpyxl.load_workbook(path, read_only=read_only)
        cells = [row[0] for row in workbook["Sheet"].iter_rows(min_row=2)]
        assert [cell.value for cell in cells] == expected
        assert all(cell.data_type != "f" for cell in cells)
        if not read_only:
            assert [cell.quotePrefix for cell in cells] == [
                value is not None and value.startswith(FORMULA_TRIGGERS) for value in expected
            ]
        workbook.close()
