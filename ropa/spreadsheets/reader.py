"""Every spreadsheet a DPO keeps, read the same way: .xlsx, .xlsm, .xls, .ods and .csv.

What the file is comes from its first bytes, not its name.  Workbooks are read by
python-calamine (a Rust reader of all four workbook formats, several times quicker than
openpyxl's read-only mode and none of our own parsing to keep).  It reads values and, for
.xlsx and .xls, merged ranges; what it does not tell, an .xlsx's hyperlinks and whether a
cell holds a formula or an error value, and an .ods's merged cells and hyperlinks, is read
from the sheet's XML beside it, cheaply (only the parts that hold them are parsed).  CSV
files are read with the csv module, their encoding (UTF-8 with or without a byte order
mark, else Windows-1252) and separator (comma, semicolon or tab) worked out from the text.

Whatever cannot be read is refused with a SpreadsheetError that names the file (and line,
sheet or cell) and says what to do; nothing is read into the register until all is read.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from ropa.errors import RopaError
from ropa.spreadsheets.bounds import (
    CANCEL_EVERY_ROWS,
    MAX_ROWS,
    Cancelled,
    RowBudget,
    count_ods_rows,
    count_xlsx_rows,
    listening,
)
from ropa.spreadsheets.errors import SpreadsheetError

# Workbooks larger than this are refused before they are opened: a record of processing
# activities with thousands of rows is a few megabytes, and reading a much larger file
# would hold the app for minutes and use gigabytes of memory.
MAX_FILE_BYTES = 20 * 1024 * 1024
# The same limit for what the file unpacks to (a small file can unpack to gigabytes).
MAX_UNPACKED_BYTES = 400 * 1024 * 1024

_OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_HEADER = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
_KINDS = (
    "an Excel workbook (.xlsx, .xlsm or .xls), an OpenDocument spreadsheet (.ods) or a CSV file"
)

Value = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta


@dataclass
class SheetData:
    """One sheet's cells, numbered from 1 as Excel shows them, with what sits beside them."""

    title: str
    rows: dict[int, dict[int, Value]] = field(default_factory=dict)  # empty cells left out
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # -> first
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    # Cells that hold a formula or an error value (.xlsx): what they hold, as written.
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden: bool = False

    @property
    def last_row(self) -> int:
        return max([0, *self.rows, *(row for row, _ in self.links)])

    def where(self, path: Path, row: int, column: int) -> str:
        """How an error names this cell: file, sheet and cell (a CSV has lines instead)."""
        if self.title == CSV_SHEET:
            return f"{path.name}, row {row}, column {get_column_letter(column)}"
        return f"{path.name}, sheet “{self.title}”, cell {get_column_letter(column)}{row}"


CSV_SHEET = "CSV"  # the title given to a CSV file's one sheet


@dataclass
class Spreadsheet:
    path: Path
    format: str  # "xlsx", "xls", "ods" or "csv"
    sheets: list[SheetData]


def read_spreadsheet(
    path: Path, *, max_rows: int = MAX_ROWS, cancelled: Cancelled | None = None
) -> Spreadsheet:
    """Every sheet of the file, or a SpreadsheetError saying why it cannot be read.

    A file with more than `max_rows` rows holding something is refused before its cells are
    read (ropa.spreadsheets.bounds); `cancelled` is asked as the rows are counted and read,
    and ImportCancelled raised once it says yes."""
    budget = RowBudget(path, max_rows, cancelled)
    start = _first_bytes(path)
    if start.startswith(_OLE_HEADER):
        if _is_encrypted(path):
            raise SpreadsheetError(
                f"{path.name} is protected with a password. Open it in Excel, remove the "
                "password (File, Info, Protect Workbook) and save a copy to import."
            )
        return _read_workbook(path, "xls", budget)
    if start.startswith(_ZIP_HEADER):
        return _read_workbook(path, _zip_format(path), budget)
    if _looks_like_html(start):
        raise SpreadsheetError(
            f"{path.name} is a web page (HTML) with a spreadsheet's name, as many systems "
            "export their tables. Open it in Excel and save it as an Excel Workbook (.xlsx), "
            "or export it from that system as CSV, and import that."
        )
    if path.suffix.casefold() in _TEXT_SUFFIXES:
        return Spreadsheet(path, "csv", [read_csv(path, budget)])
    raise SpreadsheetError(
        f"{path.name} is not {_KINDS}. Save the spreadsheet in one of these formats and import "
        "that."
    )


def _first_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = handle.read(512)
    except FileNotFoundError as error:
        raise SpreadsheetError(f"There is no file {path}. Check the name and folder.") from error
    except IsADirectoryError as error:
        raise SpreadsheetError(f"{path} is a folder, not a spreadsheet.") from error
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
    return start


def _is_encrypted(path: Path) -> bool:
    # A password-protected .xlsx is an OLE compound file holding an "EncryptionInfo" stream
    # (an encrypted .xls is refused by the reader as it opens it).
    with path.open("rb") as handle:
        head = handle.read(1024 * 1024)
    return "EncryptionInfo".encode("utf-16-le") in head


def _looks_like_html(start: bytes) -> bool:
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) and (
        b"<html" in text or b"<table" in text or text.startswith(b"<!doctype")
    )


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError) as error:
        raise SpreadsheetError(f"{path.name} is damaged: {_first_line(error)}.") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            f"{path.name} unpacks to {unpacked / 1024 / 1024:.0f} MB, more than a record of "
            "processing activities can hold. Remove images and unrelated sheets and try again."
        )
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype.startswith(_ODS_MIMETYPE) and "content.xml" in names:
        return "ods"
    raise SpreadsheetError(f"{path.name} is a zip file but not {_KINDS}. Choose the workbook.")


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


# --- workbooks ---------------------------------------------------------------------------


def _read_workbook(path: Path, kind: str, budget: RowBudget) -> Spreadsheet:
    import python_calamine

    marked = _count_rows_first(path, kind, budget)
    # The rows were counted above (an .xls is bounded by its format): read them without
    # counting again, asking only whether the user cancelled.
    reading = RowBudget.cancel_only(path, budget.cancelled)
    try:
        workbook = listening(lambda: python_calamine.CalamineWorkbook.from_path(str(path)), budget)
        try:
            sheets = []
            for metadata in workbook.sheets_metadata:
                if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
                    continue
                # The reader loads the sheet whole: Cancel is heard while it does.
                sheet = listening(partial(workbook.get_sheet_by_name, metadata.name), budget)
                data = SheetData(metadata.name.strip() or metadata.name)
                data.hidden = metadata.visible != python_calamine.SheetVisibleEnum.Visible
                # Rows come one at a time (not the whole sheet as lists), numbered from the
                # sheet's first row; their cells from its first column that holds anything.
                first_column = sheet.start[1] + 1 if sheet.start is not None else 1
                _take_values(data, sheet.iter_rows(), reading, first_column)
                _take_merges(data, sheet.merged_cell_ranges or [])
                if kind == "xls":
                    budget.add(len(data.rows), data.title)
                sheets.append(data)
        finally:
            # After a Cancel the reader may still be loading a sheet in the background; it
            # then refuses to close ("Already borrowed"), and closes as it is let go.
            with contextlib.suppress(RuntimeError):
                workbook.close()
    except python_calamine.PasswordError as error:
        raise SpreadsheetError(
            f"{path.name} is protected with a password. Open it in Excel, remove the password "
            "and save a copy to import."
        ) from error
    except RopaError:
        raise
    except Exception as error:  # the reader raises several kinds for a damaged file
        raise SpreadsheetError(
            f"{path.name} cannot be read as {_KINDS} ({_first_line(error)}). Open it in the "
            "program that made it, save it again as an Excel Workbook (.xlsx) and try again."
        ) from error
    if kind == "xlsx":
        _read_xlsx_extras(path, sheets, marked)
    elif kind == "ods":
        _read_ods_extras(path, sheets)
    return Spreadsheet(path, kind, sheets)


def _take_values(
    data: SheetData, grid: Iterable[list[Any]], reading: RowBudget, first_column: int = 1
) -> None:
    rows = data.rows
    for row_number, values in enumerate(grid, start=1):
        kept = {
            column: value
            for column, value in enumerate(values, start=first_column)
            if value != "" and value is not None
        }
        if kept:
            rows[row_number] = kept
        if row_number % CANCEL_EVERY_ROWS == 0:
            reading.check_cancelled()


def _count_rows_first(path: Path, kind: str, budget: RowBudget) -> set[str]:
    """Refuse an .xlsx or .ods with too many rows before a reader loads its sheets whole;
    for an .xlsx, the sheet parts that hold formulas, error values or hyperlinks."""
    if kind not in ("xlsx", "ods"):
        return set()
    try:
        with zipfile.ZipFile(path) as archive:
            if kind == "xlsx":
                return count_xlsx_rows(archive, _sheet_parts(archive).items(), budget)
            count_ods_rows(archive, budget)
            return set()
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError) as error:
        raise SpreadsheetError(f"{path.name} is damaged: {_first_line(error)}.") from error


def _take_merges(data: SheetData, ranges: list[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Each covered cell pointed at the merge's first cell; as in Excel, only the first cell
    of a merge keeps a value.  A merge reaching below the last row with a value adds nothing
    (and a hostile A1:XFD1048576 must not become a billion cells): it is cut there."""
    if not ranges:
        return
    last_row = max(data.rows, default=0)
    last_column = max((max(cells) for cells in data.rows.values()), default=0)
    for (top, left), (bottom, right) in ranges:
        first = (top + 1, left + 1)
        for row in range(top + 1, min(bottom + 1, last_row) + 1):
            cells = data.rows.get(row)
            for column in range(left + 1, min(right + 1, last_column) + 1):
                if (row, column) != first:
                    data.merged[(row, column)] = first
                    if cells:
                        cells.pop(column, None)


# What calamine does not tell about an .xlsx: found in the sheet's XML.
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CELL_START = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*>')
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.DOTALL)
_ERROR_CELL = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb"<v>(.*?)</v>", re.DOTALL)
_HYPERLINKS = re.compile(rb"<hyperlinks>.*?</hyperlinks>", re.DOTALL)


def _read_xlsx_extras(path: Path, sheets: list[SheetData], marked: set[str]) -> None:
    """Formulas, error values and hyperlinks of the sheets whose XML holds any (`marked`,
    found as the rows were counted): the others are not read again (a sheet of 100,000
    rows is over 100 MB of XML)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _sheet_parts(archive)
            for sheet in sheets:
                part = parts.get(sheet.title)
                if part is None or part not in marked or part not in archive.namelist():
                    continue
                xml = archive.read(part)
                if b"<f" in xml or b't="e"' in xml:
                    _formulas_and_errors(sheet, xml)
                if b"<hyperlink" in xml:
                    _hyperlinks(sheet, archive, part, xml)
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError) as error:
        raise SpreadsheetError(f"{path.name} is damaged: {_first_line(error)}.") from error


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the path of its XML in the package."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in rels.iter(f"{{{_PACKAGE_REL_NS}}}Relationship")
    }
    parts = {}
    for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        name = sheet.get("name", "")
        parts[name.strip() or name] = posixpath.normpath(part)
    return parts


def _formulas_and_errors(sheet: SheetData, xml: bytes) -> None:
    starts = list(_CELL_START.finditer(xml))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(xml)
        body = xml[match.end() : end]
        place = coordinate_to_tuple(match.group(1).decode())
        formula = _FORMULA.search(body)
        if formula is not None:
            sheet.formulas[place] = (formula.group(1) or b"").decode("utf-8", "replace")
        elif _ERROR_CELL.search(match.group(0)):
            value = _VALUE.search(body)
            sheet.errors[place] = (value.group(1) if value else b"#VALUE!").decode()


def _hyperlinks(sheet: SheetData, archive: zipfile.ZipFile, part: str, xml: bytes) -> None:
    """Each linked cell's target (links within the workbook have none and are left out)."""
    found = _HYPERLINKS.search(xml)
    if found is None:
        return
    fragment = found.group(0).replace(
        b"<hyperlinks>", f'<hyperlinks xmlns:r="{_REL_NS}">'.encode(), 1
    )
    links = ElementTree.fromstring(fragment)
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
    targets: dict[str | None, str] = {}
    if rels_part in archive.namelist():
        rels = ElementTree.fromstring(archive.read(rels_part))
        targets = {
            rel.get("Id"): rel.get("Target", "")
            for rel in rels.iter(f"{{{_PACKAGE_REL_NS}}}Relationship")
        }
    last_row = max(sheet.rows, default=0)
    for link in links:
        target = targets.get(link.get(f"{{{_REL_NS}}}id"))
        ref = link.get("ref", "")
        if not target or not ref:
            continue
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_col is None or min_row is None or max_col is None or max_row is None:
            continue
        for row in range(min_row, min(max_row, max(last_row, min_row)) + 1):
            for column in range(min_col, max_col + 1):
                place = sheet.merged.get((row, column), (row, column))
                sheet.links.setdefault(place, target)


# What calamine does not tell about an .ods: merged cells and hyperlinks, from content.xml.
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def _read_ods_extras(path: Path, sheets: list[SheetData]) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("content.xml")
        if b"spanned" in xml or b"href" in xml:
            _ods_merges_and_links(xml, {sheet.title: sheet for sheet in sheets})
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError, ValueError) as error:
        raise SpreadsheetError(f"{path.name} is damaged: {_first_line(error)}.") from error


def _ods_merges_and_links(xml: bytes, sheets: dict[str, SheetData]) -> None:
    """Walk the tables' rows and cells, counting repeated ones, for each merged range
    (a cell spanning rows or columns) and each cell's first link."""
    sheet: SheetData | None = None
    ranges: list[tuple[tuple[int, int], tuple[int, int]]] = []
    row = column = 0  # the last row and column passed, counted from 1
    row_repeat = 1
    depth = 0  # tables within a cell are not the sheet's
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = element.tag
        if tag == f"{_ODS_TABLE}table":
            depth += 1 if event == "start" else -1
            if event == "start" and depth == 1:
                name = element.get(f"{_ODS_TABLE}name", "")
                sheet, ranges, row = sheets.get(name.strip() or name), [], 0
            elif event == "end" and depth == 0 and sheet is not None:
                _take_merges(sheet, ranges)
                sheet = None
        elif sheet is None or depth != 1:
            continue
        elif tag == f"{_ODS_TABLE}table-row":
            if event == "start":
                row_repeat = int(element.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
                column = 0
            else:
                row += row_repeat
                element.clear()
        elif event == "end" and tag in (
            f"{_ODS_TABLE}table-cell",
            f"{_ODS_TABLE}covered-table-cell",
        ):
            repeat = int(element.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
            top, left = row + 1, column + 1
            rows_spanned = int(element.get(f"{_ODS_TABLE}number-rows-spanned", "1"))
            columns_spanned = int(element.get(f"{_ODS_TABLE}number-columns-spanned", "1"))
            if rows_spanned > 1 or columns_spanned > 1:
                # Counted from 0, as calamine gives them.
                ranges.append(
                    ((top - 1, left - 1), (top + rows_spanned - 2, left + columns_spanned - 2))
                )
            link = next(
                (a.get(_XLINK_HREF) for a in element.iter(f"{_ODS_TEXT}a") if a.get(_XLINK_HREF)),
                None,
            )
            if link:
                sheet.links.setdefault((top, left), link)
            column += repeat
            element.clear()


# --- CSV ---------------------------------------------------------------------------------


def read_csv(path: Path, budget: RowBudget | None = None) -> SheetData:
    """A CSV file as one sheet: Excel's "CSV UTF-8" (with a byte order mark), plain UTF-8 or
    Windows-1252, separated by commas, semicolons (Excel in much of Europe) or tabs; its
    rows counted against `budget` as they are read."""
    budget = budget or RowBudget(path)
    raw = path.read_bytes()
    text = _decode(raw)
    dialect = _dialect(text)
    sheet = SheetData(CSV_SHEET)
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect, strict=True)
    row_number, started = 0, 1
    try:
        for values in reader:
            row_number += 1
            kept: dict[int, Value] = {
                column: value for column, value in enumerate(values, start=1) if value != ""
            }
            if kept:
                sheet.rows[row_number] = kept
                budget.add(1, CSV_SHEET)
            started = reader.line_num + 1  # the line the next record starts on
    except csv.Error as error:
        raise SpreadsheetError(
            f"{path.name}, line {started}: the file cannot be read as CSV ({error}); most "
            'often a quotation mark (") that opens a cell there is never closed. Correct that '
            "line in the file, or open it in Excel and save it as an Excel Workbook (.xlsx), "
            "and import again."
        ) from error
    return sheet


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # What Excel writes as "CSV (Comma delimited)" on a British Windows machine.
        return raw.decode("cp1252", "replace")


def _dialect(text: str) -> type[csv.Dialect]:
    """The separator that splits the first records (the contact block, the headings) into
    the most cells."""
    sample = text[:65_536]
    best, most = ",", 0
    for separator in (",", ";", "\t"):
        widest = 0
        try:
            for number, record in enumerate(
                csv.reader(io.StringIO(sample, newline=""), delimiter=separator)
            ):
                widest = max(widest, len(record))
                if number >= 40:
                    break
        except csv.Error:
            pass
        if widest > most:
            best, most = separator, widest

    class Sniffed(csv.excel):
        delimiter = best

    return Sniffed
