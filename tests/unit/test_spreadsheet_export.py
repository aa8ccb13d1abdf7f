"""The ICO workbooks as written: layout, fills, formula safety, links, atomic writing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.utils import get_column_letter

from ropa.errors import FileWriteError
from ropa.records import ConditionEntry, LawfulBasisEntry, Role, Status
from ropa.register import Register
from ropa.spreadsheets import ExportCancelled, export_workbook
from ropa.spreadsheets.layout import BLUE, GREEN, PROCESSOR_LAYOUT
from ropa.spreadsheets.widths import NARROWEST, WIDEST, WIDEST_KEPT_IN_VIEW
from tests.helpers.activities import sample_activity
from tests.helpers.unprivileged import without_root_powers

DATA = Path(__file__).resolve().parents[1] / "data"
ICO_PROCESSOR = DATA / "ico-ropa-template-processor.xlsx"

# From the ICO controller template, verbatim.
CONTROLLER_HEADERS = {
    "A": "Business function",
    "C": "Name and contact details of joint controller (if applicable)",
    "H": "Names of third countries or international organisations that personal data are "
    "transferred to (if applicable)",
    "L": "Article 6 lawful basis for processing personal data",
    "P": "Rights available to individuals",
    "S": "Link to record of consent",
    "T": "Location of personal data",
    "Z": "Data Protection Act 2018 Schedule 1 Condition for processing",
    "AD": "Reasons for not adhering to policy document (if applicable)",
}
CONTROLLER_SECTIONS = {
    "A8:K8": "Article 30 Record of Processing Activities",
    "L8:R8": "Privacy Notices",
    "S8": "Consent",
    "T8": "Access Requests",
    "U8:W8": "Data Protection Impact Assessments",
    "X8:Y8": "Personal Data Breaches",
    "Z8:AD8": "Data Protection Act 2018 - Special Category or Criminal Conviction and Offence data",
}


def _rgb(cell: openpyxl.cell.cell.Cell) -> str:
    return str(cell.fill.fgColor.rgb)[-6:]


@pytest.fixture
def controller_book(demo_register: Register, tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "ropa.xlsx"
    result = export_workbook(demo_register, path)
    assert result.activity_count == len(
        [r for r in demo_register.activities.load() if r.role != Role.PROCESSOR]
    )
    return openpyxl.load_workbook(path)


def test_controller_workbook_reproduces_the_ico_template(
    controller_book: openpyxl.Workbook, demo_register: Register
) -> None:
    assert controller_book.sheetnames == ["Template", "Example", "Notes"]
    sheet = controller_book["Template"]
    organisation = demo_register.organisation.get()
    assert sheet["A1"].value == "Controller"
    assert (sheet["A2"].value, sheet["C2"].value, sheet["E2"].value) == (
        "Name and contact details",
        "Data Protection Officer (if applicable)",
        "Representative (if applicable)",
    )
    assert [sheet[f"A{row}"].value for row in range(3, 7)] == [
        "Name",
        "Address",
        "Email",
        "Telephone",
    ]
    assert sheet["B3"].value == organisation.name
    assert sheet["D5"].value == organisation.dpo_email
    for column, header in CONTROLLER_HEADERS.items():
        assert sheet[f"{column}9"].value == header
    assert sheet["AE9"].value == "Reference"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    for ref, title in CONTROLLER_SECTIONS.items():
        assert sheet[ref.split(":")[0]].value == title
        assert ":" not in ref or ref in merged
    assert any(r.startswith("AE8:") for r in merged)
    # Rows above the data and the business function stay in view while scrolling.
    assert sheet.freeze_panes == "B10"
    assert sheet.auto_filter.ref.startswith("A9:")
    assert sheet.page_setup.orientation == "landscape"
    # Several pages across at a readable scale, not one page wide (test_export_printing).
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$8:$9"
    assert sheet["B9"].font.b and sheet["B9"].alignment.wrap_text
    assert _rgb(sheet["B9"]) == GREEN and _rgb(sheet["L9"]) == BLUE
    assert _rgb(sheet["Z9"]) == GREEN and _rgb(sheet["AB9"]) == BLUE
    assert sheet["B10"].alignment.wrap_text
    assert "Controller" in str(controller_book["Notes"]["A3"].value) or any(
        "green" in str(cell.value) for cell in controller_book["Notes"]["A"]
    )


def test_column_widths_fit_what_the_columns_hold(controller_book: openpyxl.Workbook) -> None:
    """Each column as wide as its longest line (of the heading's four lines and of the cells
    below), within NARROWEST and WIDEST; wider text wraps in its cell."""
    for name in ("Template", "Example"):
        sheet = controller_book[name]
        widths = {
            letter: sheet.column_dimensions[letter].width
            for letter in (get_column_letter(index) for index in range(1, sheet.max_column + 1))
        }
        assert all(NARROWEST <= width <= WIDEST for width in widths.values()), widths
        assert widths["A"] <= WIDEST_KEPT_IN_VIEW
        assert len(set(widths.values())) > 10, "fitted, not one width for all"
        for letter, width in widths.items():
            widest = WIDEST_KEPT_IN_VIEW if letter == "A" else WIDEST
            for row in range(10, sheet.max_row + 1):
                cell = sheet[f"{letter}{row}"]
                if cell.value is None:
                    continue
                assert cell.alignment.wrap_text, cell.coordinate
                longest = max(len(line) for line in str(cell.value).splitlines())
                # An average character of Calibri 11 is about 0.9 of the width unit.
                assert width >= min(longest * 0.9, widest), cell.coordinate
        # A heading needs four lines at most of its row's 60.75 points, with no word broken.
        for cell in sheet[9]:
            words = str(cell.value).split()
            assert widths[cell.column_letter] >= max(len(word) for word in words)
            assert widths[cell.column_letter] * 4 >= len(str(cell.value)), cell.coordinate
        # The contact headings of row 2 fit on their one line over two merged columns.
        for first, second in (("A", "B"), ("C", "D"), ("E", "F")):
            heading = str(sheet[f"{first}2"].value)
            assert widths[first] + widths[second] >= len(heading), heading
    template = controller_book["Template"]
    # A column of Yes and No is narrow; one of paragraphs stops at WIDEST and wraps.
    assert template.column_dimensions["U"].width < 20
    assert template.column_dimensions["B"].width == WIDEST


def test_cells_hold_values_one_per_line_and_derived_columns(
    controller_book: openpyxl.Workbook, demo_register: Register
) -> None:
    sheet = controller_book["Template"]
    rows = {sheet[f"AE{row}"].value: row for row in range(10, sheet.max_row + 1)}
    record = demo_register.activities.find_by_reference("CS-001")
    assert record is not None
    row = rows["CS-001"]
    assert sheet[f"B{row}"].value.split("\n") == record.purposes
    lawful = sheet[f"L{row}"].value.split("\n")
    assert lawful[0].startswith("Article 6(1)(e) Public task")
    assert record.lawful_bases[0].legislation[0] in lawful
    rights = sheet[f"P{row}"].value.split("\n")
    assert "The right to object" in rights and "The right to data portability" not in rights
    assert sheet[f"AA{row}"].value  # relies on a Schedule 1 condition needing a policy document
    link = sheet[f"W{row}"]
    assert link.hyperlink is not None and link.hyperlink.target == record.dpia_link


def test_schedule1_record_only_for_conditions_needing_a_policy_document(
    register: Register, tmp_path: Path
) -> None:
    register.activities.create(sample_activity(reference="A-1", schedule1=[ConditionEntry("2")]))
    register.activities.create(
        sample_activity(reference="A-2", name="Other", schedule1=[ConditionEntry("18")])
    )
    register.activities.create(
        sample_activity(
            reference="A-3",
            name="Consent",
            lawful_bases=[LawfulBasisEntry("a")],
            status=Status.RETIRED,
        )
    )
    path = tmp_path / "out.xlsx"
    assert export_workbook(register, path).activity_count == 2
    sheet = openpyxl.load_workbook(path)["Template"]
    assert (sheet["AE10"].value, sheet["AA10"].value) == ("A-1", None)
    assert sheet["Z10"].value.startswith("Schedule 1 Part 1 paragraph 2")
    assert sheet["AA11"].value == "Article 6(1)(e) Public task"
    assert export_workbook(register, path, include_retired=True).activity_count == 3
    sheet = openpyxl.load_workbook(path)["Template"]
    assert "The right to withdraw consent" in sheet["P12"].value


DANGEROUS = ['=HYPERLINK("http://evil")', "+44 1632", "-1+2", "@SUM(A1)", "\tTabbed", "\rCR"]


def test_user_text_never_becomes_a_formula(register: Register, tmp_path: Path) -> None:
    register.activities.create(
        sample_activity(
            name=DANGEROUS[0],
            business_function=DANGEROUS[3],
            purposes=DANGEROUS[1:3],
            description=DANGEROUS[4],
            notes=DANGEROUS[5],
            dpia_progress="=1+1",
        )
    )
    path = tmp_path / "out.xlsx"
    export_workbook(register, path)
    workbook = openpyxl.load_workbook(path)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert cells and not [cell.coordinate for cell in cells if cell.data_type == "f"]
    sheet = workbook["Template"]
    assert sheet["AF10"].value == DANGEROUS[0] and sheet["AF10"].quotePrefix
    assert sheet["A10"].value == DANGEROUS[3]
    assert sheet["B10"].value == "+44 1632\n-1+2"
    assert sheet["V10"].value == "=1+1"


def test_processor_workbook_matches_the_ico_processor_file(
    demo_register: Register, tmp_path: Path
) -> None:
    path = tmp_path / "processor.xlsx"
    result = export_workbook(demo_register, path, processor=True)
    assert result.activity_count == 1
    ours = openpyxl.load_workbook(path)
    ico = openpyxl.load_workbook(ICO_PROCESSOR)
    assert ours.sheetnames == ico.sheetnames
    for name in ("Template", "Example"):
        mine, theirs = ours[name], ico[name]
        assert {str(r) for r in theirs.merged_cells.ranges} <= {
            str(r) for r in mine.merged_cells.ranges
        }
        # The ICO freezes rows only; ours keeps the controller's column (B) in view too.
        assert mine["B9"].value == "Name and contact details of controller"
        assert mine.freeze_panes == "C10"
        assert mine.auto_filter.ref.split(":")[0] == theirs.auto_filter.ref.split(":")[0]
        for row in range(1, 10):
            for column in range(1, 8):
                ref = f"{get_column_letter(column)}{row}"
                if row in range(3, 7) and column % 2 == 0:
                    continue  # the organisation's own details
                assert mine[ref].value == theirs[ref].value, ref
                if theirs[ref].fill.fill_type == "solid":
                    assert _close(_rgb(mine[ref]), _theme_rgb(ico, theirs[ref])), ref
                assert bool(mine[ref].font.b) == bool(theirs[ref].font.b), ref
        assert theirs.row_dimensions[9].height == mine.row_dimensions[9].height
        # The frozen columns kept narrow enough to leave room for the rest on a laptop.
        for letter in "AB":
            assert NARROWEST <= mine.column_dimensions[letter].width <= WIDEST_KEPT_IN_VIEW
    sheet = ours["Template"]
    # The row ends with the register's own columns (the example has no own fields).
    after_last = get_column_letter(len(PROCESSOR_LAYOUT.columns) + 1)
    assert sheet["B10"].value and sheet[f"{after_last}10"].value is None
    assert sheet["H9"].value == "Reference"


def _close(one: str, other: str) -> bool:
    """Equal colours, give or take Excel's rounding when it applies a tint (±2 a channel)."""
    return all(abs(int(one[i : i + 2], 16) - int(other[i : i + 2], 16)) <= 2 for i in (0, 2, 4))


def _theme_rgb(workbook: openpyxl.Workbook, cell: openpyxl.cell.cell.Cell) -> str:
    """The RGB a theme colour with a tint shows as (how Excel resolves it)."""
    import colorsys
    import re

    colour = cell.fill.fgColor
    if colour.type == "rgb":
        return str(colour.rgb)[-6:]
    if colour.type == "indexed":
        return COLOR_INDEX[colour.indexed][-6:]
    theme = workbook.loaded_theme.decode()
    names = ["lt1", "dk1", "lt2", "dk2", *[f"accent{i}" for i in range(1, 7)]]
    block = re.search(rf"<a:{names[colour.theme]}>(.*?)</a:{names[colour.theme]}>", theme)
    assert block is not None
    found = re.search(r'(?:lastClr|val)="([0-9A-F]{6})"', block.group(1))
    assert found is not None
    red, green, blue = (int(found.group(1)[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(red, green, blue)
    tint = colour.tint
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    return "".join(f"{round(value * 255):02X}" for value in colorsys.hls_to_rgb(hue, light, sat))


def test_progress_and_cancel_write_nothing(demo_register: Register, tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    seen: list[tuple[int, int]] = []
    export_workbook(demo_register, path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] > 0
    before = path.read_bytes()
    with pytest.raises(ExportCancelled):
        export_workbook(demo_register, path, cancelled=lambda: True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx"] == ["out.xlsx"]


@pytest.mark.skipif(os.name == "nt", reason="needs POSIX permissions")
def test_a_folder_that_cannot_be_written_gives_a_clear_error(
    demo_register: Register, tmp_path: Path
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with without_root_powers(), pytest.raises(FileWriteError, match="Choose another folder"):
            export_workbook(demo_register, folder / "out.xlsx")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(stat.S_IRWXU)


def test_the_processor_workbook_carries_the_activities_own_columns(
    register: Register, tmp_path: Path
) -> None:
    for reference, own in (
        ("PR-1", {"Client account manager": "Sam Patel", "Large scale (details)": "10,000 staff"}),
        ("PR-2", {"Invoice code": "=HYPERLINK(1)", "Client account manager": "Jo Lee"}),
    ):
        register.activities.create(
            sample_activity(
                reference=reference,
                role=Role.PROCESSOR,
                controllers="Example School",
                extra_fields=own,
            )
        )
    path = export_workbook(register, tmp_path / "processor.xlsx", processor=True).path
    sheet = openpyxl.load_workbook(path)["Template"]
    headings = [cell.value for cell in sheet[9]]
    first = headings.index("Client account manager")
    assert headings[first:] == ["Client account manager", "Invoice code"]
    assert sheet.cell(8, first + 1).value == "Our own columns (not part of the ICO template)"
    column = {sheet.cell(row, first + 1).value for row in (10, 11)}
    assert column == {"Sam Patel", "Jo Lee"}
    # Text that looks like a formula stays text.
    codes = [sheet.cell(row, first + 2) for row in (10, 11)]
    assert [cell.data_type for cell in codes if cell.value] == ["s"]
    assert sheet.auto_filter.ref.endswith(f"{get_column_letter(first + 2)}11")
