"""Writing the register as the ICO's Article 30 workbook (controller or processor).

openpyxl's write-only mode writes everything but the data rows (contact block, headings,
styles, merges, print setup); the data rows are written as sheet XML by
ropa.spreadsheets.sheet_rows, so ten thousand activities take less time than openpyxl needs
for their bare values.  The file is written beside its target and moved into place only when
complete (ropa.files.write_atomically).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

import ropa.spreadsheets.lawtext as lawtext
import ropa.spreadsheets.layout as layout
from db.models import LibraryKind
from ropa.files import write_atomically
from ropa.records import ActivityRecord, OrganisationRecord, Role, Status
from ropa.spreadsheets.cells import (
    EXCEL_CELL_LIMIT,
    clean_for_excel,
    needs_quote_prefix,
)
from ropa.spreadsheets.columns import IN_THEIR_COLUMN_KEYS, CellOut, render
from ropa.spreadsheets.errors import ExportCancelled, SpreadsheetError
from ropa.spreadsheets.report import ExportResult
from ropa.spreadsheets.sheet_rows import CellFormats, SheetRows, save_workbook
from ropa.spreadsheets.widths import (
    RowHeights,
    Span,
    column_breaks,
    fitted_widths,
    row_height,
    spread_sample,
)

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from ropa.register import Register

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

PAPER_SIZE_A4 = "9"  # the code Excel uses for A4
_THIN = Side(style="thin")
_MEDIUM = Side(style="medium")
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BOLD = Font(name="Calibri", size=11, bold=True)


def _fill(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", fgColor=colour, bgColor=colour)


def _named_styles() -> dict[str, NamedStyle]:
    """The few cell styles of the workbook, registered once (fast in write-only mode)."""
    box = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    heavy = Border(left=_MEDIUM, right=_MEDIUM, top=_MEDIUM, bottom=_MEDIUM)
    plain = Font(name="Calibri", size=11)
    styles = {
        "ropa data": NamedStyle(
            "ropa data",
            font=plain,
            border=box,
            alignment=Alignment(vertical="top", wrap_text=True),
        ),
        "ropa contact": NamedStyle("ropa contact", font=plain, border=heavy, alignment=_CENTRED),
        "ropa label": NamedStyle("ropa label", font=_BOLD, border=heavy, alignment=_CENTRED),
        "ropa note": NamedStyle(
            "ropa note",
            font=plain,
            border=heavy,
            alignment=Alignment(horizontal="left", vertical="center", wrap_text=True),
        ),
    }
    for name, colour, border in (
        ("ropa title", layout.LIGHT_GREY, heavy),
        ("ropa heading green", layout.GREEN, heavy),
        ("ropa section", layout.GREY, heavy),
        ("ropa header green", layout.GREEN, box),
        ("ropa header blue", layout.BLUE, box),
        ("ropa header register", layout.REGISTER_FILL, box),
        ("ropa section register", layout.REGISTER_FILL, heavy),
    ):
        styles[name] = NamedStyle(
            name, font=_BOLD, fill=_fill(colour), border=border, alignment=_CENTRED
        )
    link_font = Font(name="Calibri", size=11, color="0563C1", underline="single")
    styles["ropa link"] = NamedStyle(
        "ropa link",
        font=link_font,
        border=box,
        alignment=Alignment(vertical="top", wrap_text=True),
    )
    return styles


def export_workbook(
    register: Register,
    path: Path | str,
    *,
    processor: bool = False,
    include_retired: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ExportResult:
    """Write the controller workbook (or with `processor`, the processor workbook)."""
    target = Path(path)
    kind = layout.Kind.PROCESSOR if processor else layout.Kind.CONTROLLER
    records = [
        record
        for record in register.activities.load(include_retired=include_retired)
        if (record.role == Role.PROCESSOR) == processor
    ]
    organisation = register.organisation.get()
    contract_links = {
        item.name: item.contract_link
        for item in register.library.items(LibraryKind.PROCESSOR)
        if item.contract_link
    }

    def write(temporary: Path) -> None:
        built = build_workbook(
            kind,
            organisation,
            records,
            contract_links,
            progress=progress,
            cancelled=cancelled,
        )
        if not built.complete:
            built.discard()
            raise ExportCancelled("The export was stopped; no file was written.")
        built.save(temporary)

    write_atomically(target, write)
    return ExportResult(target, len(records))


@dataclass
class BuiltWorkbook:
    """A workbook built but not yet saved: openpyxl's part and the sheets' data rows."""

    workbook: Workbook
    data_rows: list[SheetRows]
    complete: bool  # False when the user stopped the export before the last row

    def save(self, path: Path) -> None:
        save_workbook(self.workbook, path, self.data_rows)

    def discard(self) -> None:
        """Close everything without writing a file.

        A write-only workbook must be saved to be closed (into memory, thrown away), or
        openpyxl complains at garbage collection."""
        self.workbook.save(io.BytesIO())
        for rows in self.data_rows:
            rows.close()


def build_workbook(
    kind: layout.Kind,
    organisation: OrganisationRecord,
    records: Sequence[ActivityRecord],
    contract_links: dict[str, str],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BuiltWorkbook:
    """The workbook, ready to save (or, when `cancelled` stopped it, to discard)."""
    spec = layout.LAYOUTS[kind]
    workbook = Workbook(write_only=True)
    styles = _named_styles()
    for style in styles.values():
        workbook.add_named_style(style)
    built = BuiltWorkbook(workbook, [], complete=False)
    sheet = workbook.create_sheet(layout.TEMPLATE_SHEET)
    try:
        built.complete = _write_register_sheet(
            built, sheet, spec, organisation, records, contract_links, progress, cancelled
        )
        if built.complete:
            example = workbook.create_sheet(layout.EXAMPLE_SHEET)
            _write_register_sheet(
                built,
                example,
                spec,
                _example_organisation(kind),
                _example_activities(kind),
                {},
                None,
                None,
            )
            _write_notes(workbook.create_sheet(layout.NOTES_SHEET), spec)
    except SpreadsheetError:
        # A cell too long for Excel stops the sheet half-written.
        built.discard()
        raise
    return built


class _CellMaker:
    """Makes a sheet's styled text cells.

    Looking a named style up for every cell costs more than writing the cell, so each
    style is looked up once and its style array copied onto the cells that use it.
    """

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self._styles: dict[str, StyleArray] = {}

    def __call__(self, value: str | None, style: str) -> WriteOnlyCell:
        if style not in self._styles:
            prototype = WriteOnlyCell(self.sheet)
            prototype.style = style
            self._styles[style] = prototype._style
        if value is None:
            cell = WriteOnlyCell(self.sheet)
            cell._style = StyleArray(self._styles[style])
            return cell
        text = clean_for_excel(value)
        cell = WriteOnlyCell(self.sheet, text)
        cell._style = StyleArray(self._styles[style])
        # Stored as text: never a formula, however it starts.
        cell.data_type = "s"
        if needs_quote_prefix(text):
            cell.quotePrefix = True
        return cell

    def style_id(self, style: str, *, quoted: bool = False) -> int:
        """The number openpyxl gives the cell format of `style` (with a quote prefix)."""
        prototype = WriteOnlyCell(self.sheet)
        prototype.style = style
        prototype.quotePrefix = quoted
        return int(prototype.style_id)

    def data_formats(self) -> CellFormats:
        return CellFormats(
            plain=self.style_id("ropa data"),
            plain_quoted=self.style_id("ropa data", quoted=True),
            link=self.style_id("ropa link"),
            link_quoted=self.style_id("ropa link", quoted=True),
        )


def _write_register_sheet(
    built: BuiltWorkbook,
    sheet: WriteOnlyWorksheet,
    spec: layout.Layout,
    organisation: OrganisationRecord,
    records: Sequence[ActivityRecord],
    contract_links: dict[str, str],
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> bool:
    make = _CellMaker(sheet)
    own_names = own_field_names(records)
    keys = [column.key for column in spec.columns]
    sections = _sections(spec, own_names)
    column_count = len(keys) + len(own_names)
    last_letter = get_column_letter(column_count)

    def row_cells(record: ActivityRecord) -> list[CellOut]:
        cells = [render(key, record, contract_links) for key in keys]
        own = record.extra_fields
        return cells + [CellOut(own.get(name) or None) for name in own_names]

    sample = ([cell.text for cell in row_cells(record)] for record in spread_sample(records))
    widths = fitted_widths(
        [column.header for _, section_columns, _ in sections for column in section_columns],
        [*_contact_texts(organisation), *sample],
        spans=_title_spans(sections),
        kept_in_view=spec.columns_kept_in_view,
    )
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[layout.HEADER_ROW].height = layout.HEADER_ROW_HEIGHT
    sheet.freeze_panes = (
        f"{get_column_letter(spec.columns_kept_in_view + 1)}{layout.FIRST_DATA_ROW}"
    )
    # The filter covers the data rows, as Excel itself writes it.
    sheet.auto_filter.ref = f"A{layout.HEADER_ROW}:{last_letter}{layout.HEADER_ROW + len(records)}"
    _set_up_printing(sheet, spec, widths, sections)

    other_first = layout.OTHER_DETAILS_FIRST_COLUMN
    other_last = other_first + 2 * _other_blocks() - 1
    for range_text in (
        "A1:F1",
        "A2:B2",
        "C2:D2",
        "E2:F2",
        f"{get_column_letter(other_first)}2:{get_column_letter(other_last)}2",
    ):
        sheet.merged_cells.add(range_text)
    sheet.append([make(spec.title, "ropa title"), *[make(None, "ropa title")] * 5])
    heading_row: list[WriteOnlyCell | None] = []
    for heading in layout.CONTACT_HEADINGS:
        heading_row += [
            make(heading, "ropa heading green"),
            make(None, "ropa heading green"),
        ]
    heading_row += [None] * (other_first - 1 - len(heading_row))
    heading_row.append(make(layout.OTHER_DETAILS_HEADING, "ropa section register"))
    heading_row += [make(None, "ropa section register")] * (other_last - other_first)
    sheet.append(heading_row)
    for number, texts in enumerate(_contact_texts(organisation), start=3):
        # A long address wraps in its cell: the row is made tall enough to show it.
        if (height := row_height(texts, widths)) is not None:
            sheet.row_dimensions[number].height = height
        # Labels in A, C and E (and in our own block from H); the details beside them.
        sheet.append(
            [
                None
                if index == _GAP and text is None
                else make(text, "ropa label" if _is_label(index) else "ropa contact")
                for index, text in enumerate(texts)
            ]
        )
    sheet.append([])

    section_row: list[WriteOnlyCell] = []
    header_row: list[WriteOnlyCell] = []
    for title, section_columns, style in sections:
        start = len(section_row) + 1
        section_row.append(make(title, style))
        section_row += [make(None, style) for _ in section_columns[1:]]
        if len(section_columns) > 1:
            end = start + len(section_columns) - 1
            sheet.merged_cells.add(
                f"{get_column_letter(start)}{layout.SECTION_ROW}:"
                f"{get_column_letter(end)}{layout.SECTION_ROW}"
            )
        for column in section_columns:
            fill = {
                layout.GREEN: "green",
                layout.BLUE: "blue",
                layout.REGISTER_FILL: "register",
            }[column.fill]
            header_row.append(make(column.header, f"ropa header {fill}"))
    sheet.append(section_row)
    sheet.append(header_row)

    data_rows = SheetRows(sheet, layout.FIRST_DATA_ROW, column_count, make.data_formats())
    heights = RowHeights(widths)
    built.data_rows.append(data_rows)
    total = len(records)
    for done, record in enumerate(records, start=1):
        if cancelled is not None and cancelled():
            return False
        cells = row_cells(record)
        for key, cell in zip([*keys, *own_names], cells, strict=True):
            if cell.text is not None and len(cell.text) > EXCEL_CELL_LIMIT:
                _refuse_long_text(record, key, cell.text)
        data_rows.append(cells, heights([cell.text for cell in cells]))
        if progress is not None:
            progress(done, total)
    if progress is not None and total == 0:
        progress(0, 0)
    return True


# The printed page: A4 landscape with narrow margins (inches, as Excel keeps them), at a
# scale whose text stays readable (11 pt at 70 % prints as 7.7 pt).
PRINT_SCALE = 70
PRINT_MARGINS = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.25, footer=0.3)
_A4_LANDSCAPE_POINTS = 841.9


def _set_up_printing(
    sheet: WriteOnlyWorksheet,
    spec: layout.Layout,
    widths: Sequence[float],
    sections: Sequence[_SheetSection],
) -> None:
    """Print the ~50 columns legibly rather than one page wide (2-3 pt text): several pages
    across, each holding whole ICO column groups where they fit; the section and heading
    rows and the columns kept in view repeat on every page, and the footer numbers the
    pages.  Each data row is as tall on every page (row_height), so pages line up."""
    sheet.print_title_rows = f"{layout.SECTION_ROW}:{layout.HEADER_ROW}"
    kept = spec.columns_kept_in_view
    if kept:
        sheet.print_title_cols = f"A:{get_column_letter(kept)}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = PAPER_SIZE_A4
    setup.scale = PRINT_SCALE
    setup.pageOrder = "downThenOver"  # one group of columns for every activity, then the next
    sheet.page_margins = PRINT_MARGINS
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    groups: list[range] = []
    start = 0
    for _title, section_columns, _style in sections:
        groups.append(range(start, start + len(section_columns)))
        start += len(section_columns)
    printable = _A4_LANDSCAPE_POINTS - 72 * (PRINT_MARGINS.left + PRINT_MARGINS.right)
    for after in column_breaks(
        widths, groups, repeated=kept, page_points=printable, scale=PRINT_SCALE
    ):
        sheet.col_breaks.append(Break(id=after + 1))  # a break after column number id
    sheet.oddFooter.center.text = "Page &P of &N"
    # Empty data cells carry no border (they are not written at all, which keeps ten
    # thousand rows fast), so the printed grid comes from the gridlines.
    sheet.print_options.gridLines = True


# A row-8 section: its title, its columns and its cell style.
_SheetSection = tuple[str, tuple[layout.Column, ...], str]


def _sections(spec: layout.Layout, own_names: Sequence[str]) -> list[_SheetSection]:
    """The sheet's sections in order: the ICO's, the register's, and the organisation's own
    columns when its activities have any."""
    sections = [(section.title, section.columns, "ropa section") for section in spec.sections]
    sections.append((layout.REGISTER_SECTION_TITLE, spec.register_columns, "ropa section register"))
    if own_names:
        own_columns = tuple(layout.Column(name, name, register=True) for name in own_names)
        sections.append((layout.OWN_SECTION_TITLE, own_columns, "ropa section register"))
    return sections


def _title_spans(sections: Sequence[_SheetSection]) -> list[Span]:
    """The titles that must show on one line: each contact heading over its two columns
    (row 2) and each section title over its columns (row 8)."""
    spans = [
        Span(2 * index, 2 * index + 1, heading)
        for index, heading in enumerate(layout.CONTACT_HEADINGS)
    ]
    first_other = layout.OTHER_DETAILS_FIRST_COLUMN - 1
    spans.append(
        Span(first_other, first_other + 2 * _other_blocks() - 1, layout.OTHER_DETAILS_HEADING)
    )
    first = 0
    for title, section_columns, _ in sections:
        spans.append(Span(first, first + len(section_columns) - 1, title))
        first += len(section_columns)
    return spans


def _contact_texts(organisation: OrganisationRecord) -> list[list[str | None]]:
    """Rows 3 to 6 as written: each label beside the organisation's, the DPO's and the
    representative's detail (in columns A to F), then, from column H, the organisation's
    other details (layout.OTHER_DETAILS), label beside detail."""
    rows: list[list[str | None]] = [
        [
            text
            for fields in layout.CONTACT_FIELDS
            for text in (label, getattr(organisation, fields[line]) or None)
        ]
        for line, label in enumerate(layout.CONTACT_LABELS)
    ]
    width = layout.OTHER_DETAILS_FIRST_COLUMN - 1 + 2 * _other_blocks()
    for row in rows:
        row += [None] * (width - len(row))
    for index, (name, label) in enumerate(layout.OTHER_DETAILS):
        row_number, column = layout.other_detail_cell(index)
        value = getattr(organisation, name)
        text = lawtext.format_yes_no(value) if isinstance(value, bool) or value is None else value
        row = rows[row_number - 3]
        row[column - 1], row[column] = label, text or None
    return rows


# Column G (index 6) stands empty between the ICO's contact block and ours.
_GAP = layout.OTHER_DETAILS_FIRST_COLUMN - 2


def _is_label(index: int) -> bool:
    """Whether a contact row's cell (0 = column A) holds a label."""
    if index < _GAP:
        return index % 2 == 0
    return (index - _GAP - 1) % 2 == 0


def _other_blocks() -> int:
    return -(-len(layout.OTHER_DETAILS) // len(layout.CONTACT_LABELS))


def own_field_names(records: Iterable[ActivityRecord]) -> list[str]:
    """The organisation's own columns, one per field name, in the order they first appear
    (the order of the DPO's own workbook, when they came from one).  The details written
    after a yes or no go back into that column, not into one of their own."""
    names: dict[str, None] = {}
    for record in records:
        for name in record.extra_fields:
            if name not in IN_THEIR_COLUMN_KEYS:
                names.setdefault(name, None)
    return list(names)


def _refuse_long_text(record: ActivityRecord, key: str, text: str) -> NoReturn:
    raise SpreadsheetError(
        f"Activity {record.reference} “{record.name}” has {len(text):,} characters "
        f"for “{key.replace('_', ' ')}”, more than an Excel cell holds "
        f"({EXCEL_CELL_LIMIT:,}). Shorten it, then export again; no file was written."
    )


def _write_notes(sheet: WriteOnlyWorksheet, spec: layout.Layout) -> None:
    make = _CellMaker(sheet)
    sheet.column_dimensions["A"].width = 90
    for heading, paragraphs in spec.notes:
        sheet.append([make(heading, "ropa title")])
        for paragraph in paragraphs:
            sheet.append([make(paragraph, "ropa note")])


def _example_organisation(kind: layout.Kind) -> OrganisationRecord:
    return OrganisationRecord(
        name="Example Borough Council" if kind == layout.Kind.CONTROLLER else "Example Ltd",
        address="1 High Street, Exampletown, EX1 1AA",
        email="dpo@example.org",
        telephone="01632 960000",
        dpo_name="Example DPO",
        dpo_address="1 High Street, Exampletown, EX1 1AA",
        dpo_email="dpo@example.org",
        dpo_telephone="01632 960001",
    )


def _example_activities(kind: layout.Kind) -> list[ActivityRecord]:
    from ropa.records import LawfulBasisEntry, RetentionEntry

    if kind == layout.Kind.PROCESSOR:
        return [
            ActivityRecord(
                reference="EX-1",
                name="Payroll for a client school",
                role=Role.PROCESSOR,
                status=Status.APPROVED,
                controllers="Example Primary School, 2 School Lane, Exampletown",
                controller_contract_link="https://example.org/contracts/payroll",
                purposes=["Payroll"],
                security_measures=["Encrypted storage", "Access controls"],
            )
        ]
    return [
        ActivityRecord(
            reference="EX-1",
            name="Paying staff",
            business_function="Human resources",
            status=Status.APPROVED,
            purposes=["Paying staff", "Pension administration"],
            individuals=["Employees"],
            data_categories=["Name and contact details", "Bank details", "Salary"],
            recipients=["HM Revenue and Customs", "Pension schemes"],
            security_measures=["Role-based access control", "Encryption at rest"],
            lawful_bases=[
                LawfulBasisEntry("b", "Employment contracts"),
                LawfulBasisEntry("c", "", ["Income Tax (Earnings and Pensions) Act 2003"]),
            ],
            retention=[RetentionEntry("6 years", "the end of the tax year")],
            systems=["Payroll system"],
        )
    ]


def example_organisation_values(kind: layout.Kind) -> list[str]:
    """The organisation details the export writes on its Example sheet (for the import)."""
    return [value for value in vars(_example_organisation(kind)).values() if isinstance(value, str)]


def example_rows(kind: layout.Kind) -> list[list[str | None]]:
    """The text of each row of the Example sheet the export writes for this kind of record
    (the import knows them, so that they are never read as the organisation's activities)."""
    return list(activity_rows(kind, _example_activities(kind), {}))


def activity_rows(
    kind: layout.Kind, records: Iterable[ActivityRecord], contract_links: dict[str, str]
) -> Iterable[list[str | None]]:
    """The text of each data row, as the export writes it (for benchmarks and checks)."""
    keys = [column.key for column in layout.LAYOUTS[kind].columns]
    for record in records:
        yield [render(key, record, contract_links).text for key in keys]
