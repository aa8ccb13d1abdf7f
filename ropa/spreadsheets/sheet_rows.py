"""Data rows written straight into a sheet's XML, beside what openpyxl writes.

openpyxl builds a styled cell object for every value it writes, which for ten thousand
activities costs more than everything else in the export put together.  Data rows are only
text, in a handful of cell formats, so `SheetRows` writes their `<row>` elements itself into
a temporary file, and `save_workbook` puts them into the `<sheetData>` of the sheet openpyxl
wrote (contact block, headings, styles, merges, print setup) as the workbook is saved.

Every cell is written as openpyxl writes text: an inline string (`t="inlineStr"`), which
Excel and LibreOffice show as typed and never evaluate.  A cell whose text Excel would take
for the start of a formula gets a cell format with a quote prefix, as it does when a user
types a leading apostrophe.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from ropa.spreadsheets.cells import FORMULA_TRIGGERS

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from ropa.spreadsheets.columns import CellOut

# What XML 1.0 cannot hold at all: the control characters openpyxl strips
# (ropa.spreadsheets.cells.clean_for_excel), lone surrogates, and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# One search finds the few cells that need more than copying (most need none).
_NEEDS_WORK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff&<>\r]")
# Rows gathered before they are encoded and written out together.
_ROWS_PER_CHUNK = 256


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


@dataclass(frozen=True)
class CellFormats:
    """The style ids (`s="N"`) of a data cell, as openpyxl numbered the workbook's formats:
    plain text, a hyperlink, and each with the quote prefix a formula-like text needs."""

    plain: int
    plain_quoted: int
    link: int
    link_quoted: int


class SheetRows:
    """The data rows of one write-only sheet, from `first_row` down, one text cell a column.

    Append the rows above the data through openpyxl first (its writer starts with the first
    row appended), then the data rows here; `save_workbook` puts them together."""

    def __init__(
        self,
        sheet: WriteOnlyWorksheet,
        first_row: int,
        column_count: int,
        formats: CellFormats,
    ) -> None:
        self.sheet = sheet
        self.next_row = first_row
        self._letters = [get_column_letter(index) for index in range(1, column_count + 1)]
        self._formats = formats
        self._links: list[Hyperlink] = []
        self._pending: list[str] = []
        self._pending_rows = 0
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.size = 0  # bytes of row XML written to the file so far

    def append(self, cells: Sequence[CellOut], height: float | None = None) -> None:
        """One row: a cell for each column, in order (a cell without text stays empty);
        `height` in points, when the default one-line height would hide lines."""
        row = self.next_row
        formats = self._formats
        parts = self._pending
        if height is None:
            parts.append(f'<row r="{row}">')
        else:
            parts.append(f'<row r="{row}" ht="{height:g}" customHeight="1">')
        for letter, cell in zip(self._letters, cells, strict=True):
            text = cell.text
            if text is None:
                continue
            if _NEEDS_WORK.search(text) is None:
                body = text
            else:
                text = _NOT_XML.sub("", text)
                body = _escape(text)
            # Judged on the text as written, as it was when openpyxl cleaned each value.
            quoted = text.startswith(FORMULA_TRIGGERS)
            if cell.link:
                style = formats.link_quoted if quoted else formats.link
                target = _NOT_XML.sub("", cell.link)
                self._links.append(Hyperlink(ref=f"{letter}{row}", target=target))
            else:
                style = formats.plain_quoted if quoted else formats.plain
            if not body:  # nothing left that XML can hold: an empty cell, still styled
                parts.append(f'<c r="{letter}{row}" s="{style}"/>')
                continue
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            parts.append(
                f'<c r="{letter}{row}" s="{style}" t="inlineStr"><is><t{space}>{body}</t></is></c>'
            )
        parts.append("</row>")
        self.next_row = row + 1
        self._pending_rows += 1
        if self._pending_rows == _ROWS_PER_CHUNK:
            self._flush()

    @property
    def dimension(self) -> str:
        """The sheet's used range: from A1 to the last column and the last row written."""
        return f"A1:{self._letters[-1]}{self.next_row - 1}"

    def _flush(self) -> None:
        if self._pending:
            data = "".join(self._pending).encode("utf-8")
            self._file.write(data)
            self.size += len(data)
            self._pending.clear()
        self._pending_rows = 0

    def finish(self) -> None:
        """Write out what is pending and hand the data rows' hyperlinks to openpyxl, which
        lists them in the sheet with their relationships when it closes the sheet."""
        self._flush()
        # The writer openpyxl made at the first append keeps the sheet's links here.
        self.sheet._hyperlinks.extend(self._links)
        self._links = []

    def copy_to(self, target: IO[bytes]) -> None:
        self._file.seek(0)
        shutil.copyfileobj(self._file, target, 1 << 20)

    def close(self) -> None:
        self._file.close()


def save_workbook(workbook: Workbook, path: Path, sheets: Sequence[SheetRows]) -> None:
    """Save `workbook` to `path` with each sheet's data rows in place.

    openpyxl writes the package into memory (small: everything but the data rows), then
    each part is copied into `path`, the sheets with their rows put in before
    `</sheetData>`."""
    try:
        for rows in sheets:
            rows.finish()
        package = io.BytesIO()
        workbook.save(package)
        # Sheet paths are numbered as the workbook is saved.
        by_part = {rows.sheet.path.lstrip("/"): rows for rows in sheets}
        with (
            zipfile.ZipFile(package) as source,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for info in source.infolist():
                part = source.read(info)
                spliced = by_part.pop(info.filename, None)
                if spliced is None:
                    target.writestr(info, part)
                else:
                    _write_sheet(target, info, part, spliced)
        if by_part:
            raise RuntimeError(f"No sheet part {sorted(by_part)} in the saved workbook")
    finally:
        for rows in sheets:
            rows.close()


def _write_sheet(
    target: zipfile.ZipFile, source: zipfile.ZipInfo, part: bytes, rows: SheetRows
) -> None:
    head, tail = _split_sheet(part, rows.dimension)
    info = zipfile.ZipInfo(source.filename, date_time=source.date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    # Known in advance, so zipfile uses the Zip64 format only for a sheet that needs it.
    info.file_size = len(head) + rows.size + len(tail)
    with target.open(info, "w") as out:
        out.write(head)
        rows.copy_to(out)
        out.write(tail)


def _split_sheet(part: bytes, dimension: str) -> tuple[bytes, bytes]:
    """The sheet XML before and after where the data rows go (the end of `<sheetData>`),
    with the used range stated (openpyxl's write-only sheets leave it out)."""
    if b"<dimension " not in part:
        views = part.index(b"<sheetViews")
        part = part[:views] + f'<dimension ref="{dimension}"/>'.encode() + part[views:]
    end = part.find(b"</sheetData>")
    if end != -1:
        return part[:end], part[end:]
    empty = part.index(b"<sheetData/>")
    return part[:empty] + b"<sheetData>", b"</sheetData>" + part[empty + len(b"<sheetData/>") :]
