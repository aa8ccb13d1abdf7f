"""Reading an ICO Article 30 workbook (controller or processor) into the register.

Our own exports and the ones DPOs fill in by hand: the header row is found by its headings,
multi-value cells are split, rows that continue one activity are merged, and what cannot be
understood is kept in the activity's notes and listed in the report.  Everything happens in
one transaction: a workbook is imported whole, or not at all.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Activity, ActivityLink, LibraryItem, LibraryKind
from ropa.activities import ChildRows, ReferenceAllocator, insert_activity, update_activity
from ropa.errors import RopaError
from ropa.history import ChangeLog
from ropa.library import LibraryResolver, name_key
from ropa.organisation import apply_organisation
from ropa.records import ActivityRecord, Role
from ropa.spreadsheets import layout
from ropa.spreadsheets.cells import EXCEL_CELL_LIMIT, format_date, is_empty
from ropa.spreadsheets.columns import (
    DATE_FIELDS,
    DERIVED_KEYS,
    CellIn,
    Draft,
    empty_defaults,
    read,
    read_plain,
)
from ropa.spreadsheets.errors import ImportCancelled, SpreadsheetError
from ropa.spreadsheets.report import ImportReport

if TYPE_CHECKING:
    from ropa.register import Register

# Workbooks larger than this are refused before they are opened: a record of processing
# activities with thousands of rows is a few megabytes, and reading a much larger file
# would hold the app for minutes and use gigabytes of memory.
MAX_FILE_BYTES = 20 * 1024 * 1024
# The same limit for what the file unpacks to (a small file can unpack to gigabytes).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
HEADER_SEARCH_ROWS = 40
MIN_RECOGNISED_HEADERS = 3

_OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_HEADER = b"PK\x03\x04"

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


def import_workbook(
    register: Register,
    path: Path | str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import a workbook into the register; with `dry_run`, report and change nothing."""
    path = Path(path)
    with _without_cycle_collection():
        table, contacts, drafts = _read(path)
        report = ImportReport(path, dry_run=dry_run, sheet=table.sheet.title)
        for draft in drafts:
            report.problems.extend(draft.problems)
        try:
            with register.transaction() as session:
                _store(session, table, drafts, contacts, report, progress, cancelled)
                if dry_run:
                    raise _RollBack
        except _RollBack:
            pass
    return report


def _read(path: Path) -> tuple[Table, dict[str, str], list[Draft]]:
    """The table, the contact details above it and a draft of each activity in it."""
    workbook = open_workbook(path)
    try:
        with _reading(path):
            table = find_table(workbook, path)
            sheet = read_sheet(table)
        return table, read_contacts(table, sheet), read_drafts(table, sheet)
    finally:
        workbook.close()


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's collector of reference cycles paused while an import runs.

    An import makes hundreds of thousands of objects that all live until it ends (cells,
    drafts, rows to store), and the collector walked through all of them again and again:
    a seventh of the time of importing 10,000 activities.  Objects are still freed as soon
    as they are no longer used; cycles wait until the collector runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _RollBack(Exception):  # noqa: N818 (a signal, not an error)
    """Raised inside the transaction of a dry run, so that nothing it did is kept."""


# --- the file ------------------------------------------------------------------------------


def open_workbook(path: Path) -> Workbook:
    """Open a workbook after checking, without parsing, that it is one we can read."""
    check_file(path)
    with _reading(path):
        # Read-only mode streams the sheets as they are read, several times faster than
        # building every cell; merged cells and hyperlinks are read by read_sheet.
        reader = _WorkbookReader(
            path, read_only=True, keep_vba=False, data_only=False, rich_text=False
        )
        reader.read()
        return reader.wb


class _UnsizedWorksheet(ReadOnlyWorksheet):
    """A read-only worksheet that does not read its size on opening.

    openpyxl reads the size from the sheet's <dimension>, and a sheet without one (as
    write-only openpyxl and other programs write them) is parsed to its last row to find
    it: a third of the time of reading the sheet.  find_table ignores the declared size
    (it may be wrong) and read_sheet finds the last row as it reads, so it is never used.
    """

    def _get_size(self) -> None:
        pass


class _WorkbookReader(ExcelReader):
    """openpyxl's reader, with read-only worksheets that are not sized on opening."""

    def read_worksheets(self) -> None:
        # As ExcelReader.read_worksheets does in read-only mode, without the sizing.
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            worksheet = _UnsizedWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn openpyxl's many kinds of error about a damaged file into one clear one."""
    try:
        yield
    except RopaError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(
            f"{path.name} cannot be read as an Excel workbook ({_first_line(error)}). "
            "Open it in Excel, save it as an Excel Workbook (.xlsx) and try again."
        ) from error


def check_file(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = handle.read(8)
    except FileNotFoundError as error:
        raise SpreadsheetError(f"There is no file {path}. Check the name and folder.") from error
    except IsADirectoryError as error:
        raise SpreadsheetError(f"{path} is a folder, not an Excel workbook.") from error
    except OSError as error:
        raise SpreadsheetError(f"{path} cannot be read: {error.strerror or error}.") from error
    if size == 0:
        raise SpreadsheetError(f"{path.name} is empty (0 bytes). Choose the saved workbook.")
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(
            f"{path.name} is {size / 1024 / 1024:.0f} MB, larger than the "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB a record of processing activities can be. "
            "Remove images and unrelated sheets, or split it into several workbooks."
        )
    if start == _OLE_HEADER:
        if _is_encrypted(path):
            raise SpreadsheetError(
                f"{path.name} is protected with a password. Open it in Excel, remove the "
                "password (File, Info, Protect Workbook) and save a copy to import."
            )
        raise SpreadsheetError(
            f"{path.name} is an old-style Excel 97-2003 workbook (.xls). Open it in Excel and "
            "save it as an Excel Workbook (.xlsx), then import that."
        )
    if not start.startswith(_ZIP_HEADER) or not zipfile.is_zipfile(path):
        raise SpreadsheetError(
            f"{path.name} is not an Excel workbook (.xlsx). Save the spreadsheet as an Excel "
            "Workbook (.xlsx) and import that."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise SpreadsheetError(f"{path.name} is damaged: {_first_line(error)}.") from error
    if "xl/workbook.xml" not in names:
        raise SpreadsheetError(
            f"{path.name} is a zip file but not an Excel workbook (.xlsx). Choose the workbook."
        )
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            f"{path.name} unpacks to {unpacked / 1024 / 1024:.0f} MB, more than a record of "
            "processing activities can hold. Remove images and unrelated sheets and try again."
        )


def _is_encrypted(path: Path) -> bool:
    # A password-protected .xlsx is an OLE compound file holding an "EncryptionInfo" stream.
    with path.open("rb") as handle:
        head = handle.read(1024 * 1024)
    return "EncryptionInfo".encode("utf-16-le") in head


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


# --- finding the table ---------------------------------------------------------------------


def header_key(text: str) -> str:
    """A heading as it is compared: case, spacing, quotes and "(if applicable)" folded."""
    folded = text.casefold().replace("’", "'").replace("‘", "'")
    folded = re.sub(r"\((?:if applicable|if possible|optional)\)", " ", folded)
    folded = re.sub(r"[^\w']+", " ", folded)
    return " ".join(folded.split())


_ALIASES = {
    "purposes of processing": "purposes",
    "purpose s of processing": "purposes",
    "purposes": "purposes",
    "lawful basis": "lawful_bases",
    "lawful basis for processing": "lawful_bases",
    "article 6 lawful basis": "lawful_bases",
    "article 9 condition": "article9",
    "retention": "retention",
    "retention period": "retention",
    "retention schedule": "retention",
    "security measures": "security_measures",
    "activity name": "name",
    "processing activity": "name",
    "ref": "reference",
}


def _header_map(spec: layout.Layout) -> dict[str, str]:
    mapping = {header_key(column.header): column.key for column in spec.columns}
    for alias, key in _ALIASES.items():
        if any(column.key == key for column in spec.columns):
            mapping.setdefault(alias, key)
    return mapping


_HEADER_MAPS = {kind: _header_map(spec) for kind, spec in layout.LAYOUTS.items()}
# Headings only one of the two templates has: they tell which template a sheet is.
_DISTINCTIVE = {
    kind: {header_key(c.header) for c in spec.ico_columns}
    - {
        header_key(c.header)
        for other, other_spec in layout.LAYOUTS.items()
        if other != kind
        for c in other_spec.ico_columns
    }
    for kind, spec in layout.LAYOUTS.items()
}


@dataclass
class Table:
    path: Path
    sheet: ReadOnlyWorksheet
    header_row: int
    kind: layout.Kind
    columns: dict[int, tuple[str, str]]  # column number -> (key, heading as written)


def find_table(workbook: Workbook, path: Path) -> Table:
    """The sheet and row holding the ICO headings; the Template sheet first, however named."""
    best: tuple[int, int, ReadOnlyWorksheet, int, layout.Kind, dict[int, tuple[str, str]]] | None
    best = None
    for sheet in workbook.worksheets:
        if not isinstance(sheet, ReadOnlyWorksheet):
            continue
        # The size a sheet declares may be wrong; read what is there instead.
        sheet.reset_dimensions()
        # The ICO's own example sheet is a fallback, never the first choice.
        preference = 1 if sheet.title.strip().casefold() == "example" else 0
        for row_number, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
        ):
            headings = {
                index: str(value)
                for index, value in enumerate(row, start=1)
                if isinstance(value, str) and value.strip()
            }
            for kind in layout.Kind:
                mapping = _HEADER_MAPS[kind]
                found = {
                    index: (mapping[header_key(text)], text.strip())
                    for index, text in headings.items()
                    if header_key(text) in mapping
                }
                distinctive = sum(
                    1 for text in headings.values() if header_key(text) in _DISTINCTIVE[kind]
                )
                if len(found) < MIN_RECOGNISED_HEADERS or distinctive == 0:
                    continue
                score = (-preference, distinctive * 1000 + len(found))
                candidate = (score[0], score[1], sheet, row_number, kind, found)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
    if best is None:
        raise SpreadsheetError(
            f"{path.name} has no row of ICO template headings (such as “Business function” "
            "and “Purpose of processing”, or “Categories of processing” for processors) in "
            f"its first {HEADER_SEARCH_ROWS} rows. Put the headings in one row and try again."
        )
    _, _, sheet, header_row, kind, columns = best
    return Table(path, sheet, header_row, kind, _first_of_each_key(columns))


def _first_of_each_key(columns: dict[int, tuple[str, str]]) -> dict[int, tuple[str, str]]:
    seen: set[str] = set()
    kept = {}
    for index in sorted(columns):
        key = columns[index][0]
        if key not in seen:
            seen.add(key)
            kept[index] = columns[index]
    return kept


# --- reading cells -------------------------------------------------------------------------

# A cell as the sheet's XML holds it: (value, openpyxl's data type).
_Raw = tuple[Any, str]


@dataclass
class SheetCells:
    """The cells of the table's sheet up to its last column, with its merges and links.

    Read in one pass of the sheet's XML, as openpyxl's read-only mode reads it: read-only
    worksheets do not keep merged cells or hyperlinks, but the same parser finds them
    (they come after the cells), so they are taken from it rather than read again.
    """

    rows: dict[int, dict[int, _Raw]]  # row -> column -> cell; empty cells left out
    merged: dict[tuple[int, int], tuple[int, int]]  # covered cell -> the merge's first cell
    links: dict[tuple[int, int], str]  # cell -> hyperlink target
    last_row: int


def read_sheet(table: Table) -> SheetCells:
    sheet = table.sheet
    last_column = max(table.columns)
    workbook = sheet.parent
    rows: dict[int, dict[int, _Raw]] = {}
    with sheet._get_source() as source:
        parser = _SheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for row_number, cells in parser.parse():
            kept = {
                cell["column"]: (cell["value"], cell["data_type"])
                for cell in cells
                if cell["value"] is not None and cell["column"] <= last_column
            }
            if kept:
                rows[row_number] = kept
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    # Merges and links reaching below the last row with a value add nothing to the table
    # (and a hostile A1:XFD1048576 must not become a billion cells): they are cut there.
    last_row = max(rows, default=0)
    for merge in parser.merged_cells.mergeCell if parser.merged_cells else []:
        min_col, min_row, max_col, max_row = range_boundaries(merge.ref)
        assert min_col is not None and min_row is not None  # a merge is never a whole row
        assert max_col is not None and max_row is not None
        max_row = min(max_row, last_row)
        for row in range(min_row, max_row + 1):
            for column in range(min_col, min(max_col, last_column) + 1):
                if (row, column) != (min_row, min_col):
                    merged[(row, column)] = (min_row, min_col)
        # As in Excel, only the first cell of a merge keeps its value.
        for row in range(min_row, max_row + 1):
            row_cells = rows.get(row)
            if row_cells:
                for column in range(min_col, max_col + 1):
                    if (row, column) != (min_row, min_col):
                        row_cells.pop(column, None)
    links = _hyperlinks(sheet, parser, merged, last_column, last_row)
    last_row = max([last_row, *(row for row, _ in links)])
    return SheetCells(rows, merged, links, last_row)


_INLINE_STRING = f"{{{SHEET_MAIN_NS}}}is"
_TEXT = f"{{{SHEET_MAIN_NS}}}t"
_VALUE = f"{{{SHEET_MAIN_NS}}}v"
_ASCII_DIGITS = "0123456789"


class _ColumnNumbers(dict[str, int | None]):
    """Column letters ("A" to "XFD") to numbers; None for anything else."""

    def __missing__(self, letters: str) -> int | None:
        number = None
        if 1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha() and letters.isupper():
            number = column_index_from_string(letters)
            if number > _LAST_COLUMN:
                number = None
        self[letters] = number
        return number


_LAST_COLUMN = 16_384  # XFD, the last column Excel has
_COLUMN_NUMBERS = _ColumnNumbers()


class _SheetParser(WorkSheetParser):
    """openpyxl's sheet parser, with a quicker way through the cells nearly every
    workbook is made of: text written in the cell (as our export writes it), a shared
    string, or nothing (a formatted blank), at a plain address such as "AB12".

    openpyxl builds a rich-text object for each written-in text and parses each address
    with a regular expression: half the time of reading a sheet.  Any other cell (numbers,
    dates, formulas, rich text, errors, an odd address) goes through openpyxl unchanged,
    and these three give exactly what openpyxl gives for them.
    """

    def parse_cell(self, element: Any) -> dict[str, Any]:
        data_type = element.get("t", "n")
        children = len(element)
        value: Any = _NOT_PLAIN
        if children == 0:
            value = None
        elif children == 1 and not element[0].attrib:
            child = element[0]
            if data_type == "inlineStr" and child.tag == _INLINE_STRING:
                value = _plain_inline_text(child)
                data_type = "s"
            elif data_type == "s" and child.tag == _VALUE:
                # As openpyxl: an empty <v/> is no value, else the index of the string.
                value = self.shared_strings[int(child.text)] if child.text else None
        if value is not _NOT_PLAIN:
            place = _place(element.get("r"))
            if place is not None:
                style_id = element.get("s", 0)
                self.col_counter = place[1]
                return {
                    "row": place[0],
                    "column": place[1],
                    "value": value,
                    "data_type": data_type,
                    "style_id": int(style_id) if style_id else 0,
                }
        return super().parse_cell(element)


_NOT_PLAIN = object()


def _place(coordinate: str | None) -> tuple[int, int] | None:
    """(row, column) of a plain address such as "AB12"; None for anything else."""
    if not coordinate:
        return None
    letters = coordinate.rstrip(_ASCII_DIGITS)
    digits = coordinate[len(letters) :]
    column = _COLUMN_NUMBERS[letters]
    if column is None or not digits or digits[0] == "0":
        return None
    return int(digits), column


def _plain_inline_text(element: Any) -> Any:
    """The text of an <is> element holding one plain <t>, as openpyxl reads it (the <t>'s
    own text, "" when it has none); _NOT_PLAIN for rich text and anything unusual."""
    if len(element) != 1:
        return _NOT_PLAIN
    text = element[0]
    if text.tag != _TEXT or len(text):
        return _NOT_PLAIN
    return text.text or ""


def _hyperlinks(
    sheet: ReadOnlyWorksheet,
    parser: WorkSheetParser,
    merged: dict[tuple[int, int], tuple[int, int]],
    last_column: int,
    last_row: int,
) -> dict[tuple[int, int], str]:
    """Each linked cell's target, as openpyxl's normal mode binds them."""
    found = parser.hyperlinks.hyperlink
    if not found:
        return {}
    archive = sheet.parent._archive
    rels_path = get_rels_path(sheet._worksheet_path)
    targets = {}
    if rels_path in archive.namelist():
        targets = {rel.id: rel.Target for rel in get_dependents(archive, rels_path)}
    links: dict[tuple[int, int], str] = {}
    for link in found:
        target = targets.get(link.id) if link.id else None
        if not target:
            continue  # a link within the workbook: nothing to keep
        if ":" in link.ref:
            min_col, min_row, max_col, max_row = range_boundaries(link.ref)
            assert min_col is not None and min_row is not None
            assert max_col is not None and max_row is not None
            for row in range(min_row, min(max_row, last_row) + 1):
                for column in range(min_col, min(max_col, last_column) + 1):
                    if (row, column) not in merged:  # a covered cell cannot hold a link
                        links[(row, column)] = target
        else:
            place = coordinate_to_tuple(link.ref)
            place = merged.get(place, place)
            if place[1] <= last_column:
                links[place] = target
    return links


def cell_text(
    table: Table, row: int, column: int, raw: _Raw | None, *, date_allowed: bool
) -> str | None:
    """A cell's value as text; formulas, errors, dates in text and huge cells are refused."""
    if raw is None:
        return None
    value, data_type = raw
    if type(value) is str and data_type == "s":  # nearly every cell: checked first
        if len(value) >= EXCEL_CELL_LIMIT:
            _refuse_long(table, row, column)
        return value
    where = f"{table.path.name}, sheet “{table.sheet.title}”, cell {get_column_letter(column)}{row}"
    if data_type == "f" or not isinstance(
        value, str | int | float | bool | dt.date | dt.datetime | dt.time
    ):
        raise SpreadsheetError(
            f"{where} holds a formula ({str(value)[:60]}). Replace formulas in the record with "
            "their values (copy, then Paste Values) and import again."
        )
    if data_type == "e":
        raise SpreadsheetError(
            f"{where} holds the error value {value}. Correct or clear that cell and import again."
        )
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if date_allowed:
            return day.isoformat()
        raise SpreadsheetError(
            f"{where} holds a date ({format_date(day)}) where text is expected. Type it as text "
            "(for example “Reviewed 21 November 2026”) and import again."
        )
    if isinstance(value, dt.time):
        raise SpreadsheetError(
            f"{where} holds a time ({value.isoformat()}) where text is expected. Type it as "
            "text and import again."
        )
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    text = str(value)
    if len(text) >= EXCEL_CELL_LIMIT:
        _refuse_long(table, row, column)
    return text


def _refuse_long(table: Table, row: int, column: int) -> None:
    # openpyxl cuts longer text to Excel's limit as it reads, so reaching the limit means
    # the cell was at least that long: refuse it rather than import a truncated text.
    raise SpreadsheetError(
        f"{table.path.name}, sheet “{table.sheet.title}”, cell {get_column_letter(column)}{row} "
        f"holds {EXCEL_CELL_LIMIT:,} characters or more, the most an Excel cell "
        "can hold, so its text may have been cut short. Shorten that cell (keep long "
        "documents elsewhere and link to them) and import again."
    )


def read_contacts(table: Table, sheet: SheetCells) -> dict[str, str]:
    """Organisation, DPO and representative details from the block above the headings."""
    labels = [label.casefold() for label in layout.CONTACT_LABELS]
    found: dict[str, str] = {}
    for row_number in range(1, table.header_row):
        cells = sheet.rows.get(row_number, {})
        for block, fields in enumerate(layout.CONTACT_FIELDS):
            label_column, value_column = block * 2 + 1, block * 2 + 2
            label = cells.get(label_column, (None, "n"))[0]
            if not isinstance(label, str) or label.strip().casefold() not in labels:
                continue
            text = cell_text(
                table, row_number, value_column, cells.get(value_column), date_allowed=False
            )
            if not is_empty(text) and text is not None:
                found[fields[labels.index(label.strip().casefold())]] = text.strip()
    return found


_KEY_COLUMNS = {
    layout.Kind.CONTROLLER: ("reference", "name", "business_function", "purposes"),
    layout.Kind.PROCESSOR: (
        "reference",
        "name",
        "controllers",
        "purposes",
        "controller_contract_link",
    ),
}


@dataclass
class _RowCell:
    text: str | None
    link: str | None
    from_above: bool  # the row is covered by a merged cell that starts higher up


def read_drafts(table: Table, sheet: SheetCells) -> list[Draft]:
    """One draft per activity: a row, with the rows that continue it."""
    keys = _KEY_COLUMNS[table.kind]
    key_columns = [index for index, (key, _) in table.columns.items() if key in keys]
    drafts: list[Draft] = []
    group: list[tuple[int, dict[int, _RowCell]]] = []
    plan = _Columns(table)
    for row_number, cells in _rows(table, sheet):
        own = [
            cells[index]
            for index in key_columns
            if index in cells and not cells[index].from_above and cells[index].text is not None
        ]
        if own and group:
            drafts.append(_draft(table, group, plan))
            group = []
        group.append((row_number, cells))
    if group:
        drafts.append(_draft(table, group, plan))
    return drafts


def _rows(table: Table, sheet: SheetCells) -> Iterator[tuple[int, dict[int, _RowCell]]]:
    """The data rows that hold anything, as {column number: cell}; a cell's text is None
    when it is empty or says there is nothing ("N/A", "-"), and a cell with neither text
    nor a link is left out."""
    columns = [(index, key in DATE_FIELDS) for index, (key, _) in table.columns.items()]
    merged, links, rows = sheet.merged, sheet.links, sheet.rows
    no_cells: dict[int, _Raw] = {}
    # Most rows have no merged cell and no link: their cells are read without looking for
    # either (the same cells, in the same order, a good deal quicker).
    plain_rows = set(rows) - {row for row, _ in merged} - {row for row, _ in links}
    for row_number in range(table.header_row + 1, sheet.last_row + 1):
        row = rows.get(row_number, no_cells)
        cells: dict[int, _RowCell] = {}
        if row_number in plain_rows:
            for index, date_allowed in columns:
                raw = row.get(index)
                if raw is not None:
                    text = cell_text(table, row_number, index, raw, date_allowed=date_allowed)
                    if text is not None and not is_empty(text):
                        cells[index] = _RowCell(text, None, False)
            if cells:
                yield row_number, cells
            continue
        for index, date_allowed in columns:
            place = (row_number, index)
            origin = merged.get(place) if merged else None
            if origin is None:
                raw = row.get(index)
                link = links.get(place) if links else None
                if raw is None and link is None:
                    continue
                text = cell_text(table, row_number, index, raw, date_allowed=date_allowed)
                from_above = False
            else:
                raw = rows.get(origin[0], no_cells).get(origin[1])
                link = links.get(origin)
                text = cell_text(table, *origin, raw, date_allowed=date_allowed)
                from_above = origin[0] < row_number
            if text is not None and is_empty(text):
                text = None
            if text is None and link is None:
                continue
            cells[index] = _RowCell(text, link, from_above)
        if cells:
            yield row_number, cells


class _Columns:
    """The table's columns as the drafts are read: what the empty cells of most columns
    mean is put into each draft at once, and only the cells that hold something, and the
    columns whose empty cells must still be read, are read one by one, in column order."""

    def __init__(self, table: Table) -> None:
        self.defaults = empty_defaults(key for key, _ in table.columns.values())
        self.lists = [key for key, value in self.defaults.items() if isinstance(value, list)]
        self.read_when_empty = {
            index
            for index, (key, _) in table.columns.items()
            if key not in self.defaults and key not in DERIVED_KEYS
        }

    def start(self, draft: Draft) -> None:
        draft.values.update(self.defaults)
        for key in self.lists:
            draft.values[key] = []  # a list of the draft's own

    def to_read(self, cells: dict[int, _RowCell]) -> list[int]:
        return sorted(self.read_when_empty.union(cells))


def _draft(table: Table, group: list[tuple[int, dict[int, _RowCell]]], plan: _Columns) -> Draft:
    first_row, last_row = group[0][0], group[-1][0]
    draft = Draft(first_row)
    title = table.sheet.title
    if len(group) == 1:
        cells = group[0][1]
        plan.start(draft)
        for index in plan.to_read(cells):
            key, heading = table.columns[index]
            cell = cells.get(index)
            text, link = (None, None) if cell is None else (cell.text, cell.link)
            if not read_plain(key, draft, text, link):
                ref = f"{_LETTERS[index]}{first_row}"
                read(key, draft, CellIn(title, ref, heading, text, link))
        _complete(table, draft)
        return draft
    # Rows that continue one activity: each column's texts joined, line after line.
    for index, (key, heading) in table.columns.items():
        texts: list[str] = []
        link = None
        for position, (_row, cells) in enumerate(group):
            cell = cells.get(index)
            if cell is None or (cell.from_above and position > 0):
                continue
            if cell.text is not None:
                texts.append(cell.text)
            link = link or cell.link
        text = "\n".join(texts) or None
        if not read_plain(key, draft, text, link):
            ref = f"{_LETTERS[index]}{first_row}:{_LETTERS[index]}{last_row}"
            read(key, draft, CellIn(title, ref, heading, text, link))
    _complete(table, draft)
    return draft


class _ColumnLetters(dict[int, str]):
    def __missing__(self, index: int) -> str:
        self[index] = get_column_letter(index)
        return self[index]


_LETTERS = _ColumnLetters()


def _complete(table: Table, draft: Draft) -> None:
    """Fill what the sheet left to be worked out: name, role, legislation, notes."""
    values = draft.values
    if not str(values.get("name", "")).strip():
        parts = [str(values.get("business_function", "")).strip()]
        purposes = values.get("purposes") or []
        parts.append(purposes[0] if purposes else "")
        name = " – ".join(part for part in parts if part)
        values["name"] = name or f"Activity from row {draft.first_row}"
    if "role" not in values:
        if table.kind == layout.Kind.PROCESSOR:
            values["role"] = Role.PROCESSOR
        elif str(values.get("joint_controllers", "")).strip():
            values["role"] = Role.JOINT_CONTROLLER
        else:
            values["role"] = Role.CONTROLLER
    if "legislation" not in values and values.get("lawful_bases"):
        names: list[str] = []
        for entry in values["lawful_bases"]:
            names += [name for name in entry.legislation if name not in names]
        values["legislation"] = names
    if draft.problems:
        kept = [
            f"Not understood when importing {table.path.name} ({problem.sheet}!{problem.cell}, "
            f"{problem.why}): {problem.value}"
            for problem in draft.problems
        ]
        values["notes"] = "\n".join(
            part for part in (str(values.get("notes", "")).rstrip(), *kept) if part
        )


# --- storing -------------------------------------------------------------------------------


def _store(
    session: Session,
    table: Table,
    drafts: list[Draft],
    contacts: dict[str, str],
    report: ImportReport,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> None:
    log = ChangeLog(session)
    resolver = LibraryResolver(session, log)
    if contacts:
        from ropa.organisation import load_organisation

        before = load_organisation(session).version
        apply_organisation(session, contacts, log)
        report.organisation_updated = load_organisation(session).version != before
    matcher = _Matcher(session)
    pending = ChildRows()
    references = ReferenceAllocator(session)
    references.reserve(str(draft.values.get("reference", "")) for draft in drafts)
    total = len(drafts)
    for done, draft in enumerate(drafts, start=1):
        if cancelled is not None and cancelled():
            raise ImportCancelled("The import was stopped; the register has not been changed.")
        try:
            _store_one(session, draft, matcher, resolver, log, report, pending, references)
        except RopaError as error:
            if isinstance(error, ImportCancelled):
                raise
            raise SpreadsheetError(
                f"{table.path.name}, sheet “{table.sheet.title}”, row {draft.first_row}: "
                f"{error} Nothing was imported."
            ) from error
        if progress is not None:
            progress(done, total)
    pending.write(session)


def _store_one(
    session: Session,
    draft: Draft,
    matcher: _Matcher,
    resolver: LibraryResolver,
    log: ChangeLog,
    report: ImportReport,
    pending: ChildRows,
    references: ReferenceAllocator,
) -> None:
    values = draft.values
    existing_id = matcher.find(values)
    if existing_id is None:
        record = ActivityRecord(**values)
        activity_id = insert_activity(session, record, resolver, log, pending, references)
        if pending.activities >= _CHILD_ROWS_BATCH:
            pending.write(session)
        # Stored as given, the reference trimmed; only a new reference must be read back.
        reference, name = record.reference.strip(), record.name
        if not reference:
            # Plain SQL on the connection: no ORM flush and no statement to build.
            cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                reference, name = cursor.execute(_CREATED_SQL, (activity_id,)).fetchone()
            finally:
                cursor.close()
        report.created.append((reference, name))
    else:
        pending.write(session)  # the activity may be one this import has just created
        activity = session.get_one(Activity, existing_id)
        changes = dict(values)
        if "reference" in changes and not str(changes["reference"]).strip():
            del changes["reference"]
        if draft.problems:
            changes["notes"] = _merge_notes(activity.notes, values.get("notes", ""))
        changed = update_activity(session, activity, changes, resolver, log)
        activity_id, reference = activity.id, activity.reference
        entry = (activity.reference, activity.name)
        (report.updated if changed else report.unchanged).append(entry)
    matcher.remember(activity_id, reference, values)
    for name, link in draft.processor_links.items():
        item = resolver.find(LibraryKind.PROCESSOR, name)
        if item is not None and not item.contract_link:
            item.contract_link = link
            log.add(
                "library_item",
                item.id,
                f"processor: {item.name}",
                "update",
                "contract_link",
                "",
                link,
            )


# New activities whose child rows are written together (see ChildRows).
_CHILD_ROWS_BATCH = 500
_CREATED_SQL = f"SELECT reference, name FROM {Activity.__tablename__} WHERE id = ?"


def _merge_notes(existing: str, incoming: str) -> str:
    if not existing.strip():
        return incoming
    new_lines = [line for line in incoming.splitlines() if line not in existing]
    return "\n".join([existing.rstrip(), *new_lines]) if new_lines else existing


class _Matcher:
    """Finds the existing activity a workbook row describes: same reference, else same
    business function and the same purposes."""

    def __init__(self, session: Session) -> None:
        self.by_reference: dict[str, int] = {}
        self.by_content: dict[tuple[str, frozenset[str]], int] = {}
        purposes: dict[int, set[str]] = {}
        for activity_id, purpose_key in session.execute(
            select(ActivityLink.activity_id, LibraryItem.name_key)
            .join(LibraryItem, LibraryItem.id == ActivityLink.item_id)
            .where(LibraryItem.kind == LibraryKind.PURPOSE)
        ):
            purposes.setdefault(activity_id, set()).add(purpose_key)
        for activity_id, reference, function in session.execute(
            select(Activity.id, Activity.reference, Activity.business_function)
        ):
            self.by_reference[reference.strip().casefold()] = activity_id
            content = (name_key(function), frozenset(purposes.get(activity_id, set())))
            self.by_content.setdefault(content, activity_id)

    def find(self, values: dict[str, Any]) -> int | None:
        reference = str(values.get("reference", "")).strip().casefold()
        if reference:
            return self.by_reference.get(reference)
        return self.by_content.get(self._content_key(values))

    def remember(self, activity_id: int, reference: str, values: dict[str, Any]) -> None:
        self.by_reference[reference.strip().casefold()] = activity_id
        self.by_content.setdefault(self._content_key(values), activity_id)

    @staticmethod
    def _content_key(values: dict[str, Any]) -> tuple[str, frozenset[str]]:
        purposes = frozenset(name_key(p) for p in values.get("purposes", []) if name_key(p))
        return (name_key(str(values.get("business_function", ""))), purposes)
