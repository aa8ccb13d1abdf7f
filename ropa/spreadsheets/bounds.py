"""How much of a spreadsheet an import will read: a stated number of rows, counted before
the rows are read, and the user's Cancel, heard while they are.

A file under the size limits can still hold a million short rows (17 MB of .xlsx unpacks to
a few hundred MB of XML, and a reader that loads a sheet whole then needs gigabytes).  So
the rows of an .xlsx or .ods are first counted by streaming its XML a piece at a time
(memory the same whatever the number of rows), and the file is refused as soon as the count
passes the limit, before any reader holds its cells.  A CSV is counted as it is read; an
.xls holds at most 65,536 rows a sheet by its format and is counted once read.
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar
from xml.etree import ElementTree

from ropa.spreadsheets.errors import ImportCancelled, SpreadsheetError

# The most rows with something in them (in all sheets together) that an import reads.  A
# large council's record of processing activities has a few thousand; a hundred and fifty
# thousand leaves room for registers kept one row per system or per dataset.
MAX_ROWS = 150_000

Cancelled = Callable[[], bool]
T = TypeVar("T")

# How often (in rows) reading stops to ask whether the user pressed Cancel: often enough
# to stop within a fraction of a second, rarely enough to cost nothing measurable.
CANCEL_EVERY_ROWS = 2_048
_CHUNK_BYTES = 1 << 20


class RowBudget:
    """Counts the rows read from a file, refusing it past `limit`, and stops when the user
    cancels."""

    def __init__(
        self, path: Path, limit: int | None = MAX_ROWS, cancelled: Cancelled | None = None
    ) -> None:
        self.path = path
        self.limit = limit
        self.cancelled = cancelled
        self.rows = 0
        self._since_asked = 0

    @classmethod
    def cancel_only(cls, path: Path, cancelled: Cancelled | None) -> RowBudget:
        """For rows already counted: asks only whether the user cancelled."""
        return cls(path, None, cancelled)

    def add(self, rows: int, sheet: str) -> None:
        """Count `rows` more rows of `sheet`; refuse the file once past the limit."""
        self.rows += rows
        if self.limit is not None and self.rows > self.limit:
            raise SpreadsheetError(
                f"{self.path.name} holds more than {self.limit:,} rows with something in "
                f"them (the count passed it on sheet \u201c{sheet}\u201d), more than ROPA desk "
                "reads from one spreadsheet; it was not read any further. Delete the rows "
                "that are not processing activities, or split the workbook into several, "
                "and import again."
            )
        self._since_asked += rows
        if self._since_asked >= CANCEL_EVERY_ROWS:
            self._since_asked = 0
            self.check_cancelled()

    def check_cancelled(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled("The import was stopped; the register has not been changed.")


def listening(work: Callable[[], T], budget: RowBudget, *, every_s: float = 0.05) -> T:
    """`work()`, in a thread of its own, asking every `every_s` whether the user cancelled.

    For a call that cannot stop half-way (the workbook reader loads a sheet whole, in Rust,
    with Python's lock released): on Cancel the import stops at once and the call is left
    to end by itself in the background, its result dropped.  It has at most the rows that
    were counted (MAX_ROWS), so it ends within seconds."""
    if budget.cancelled is None:
        return work()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed to the caller's thread as it is
            failure.append(error)

    thread = threading.Thread(target=run, name="ropa-read-sheet", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(every_s)
        budget.check_cancelled()
    if failure:
        raise failure[0]
    return outcome[0]


def count_xlsx_rows(
    archive: zipfile.ZipFile, parts: Iterable[tuple[str, str]], budget: RowBudget
) -> set[str]:
    """Count the rows holding a value in each (sheet name, XML part), streaming the XML;
    the parts that hold a formula, an error value or a hyperlink, which the reader then
    looks at (the others it need not read again).

    A row written out ends with </row> (an empty one is <row .../>); it holds something when
    one of its cells has a value (<v>) or an inline string (<is>), not when its cells only
    carry formatting.  Split at each </row> with bytes operations: a regular expression
    over the same XML took ten times as long."""
    names = set(archive.namelist())
    marked: set[str] = set()
    for sheet, part in parts:
        if part not in names:
            continue
        with archive.open(part) as stream:
            pending = b""
            while chunk := stream.read(_CHUNK_BYTES):
                # Whatever followed the last </row> is searched again with the next chunk,
                # so a tag cut in two by the chunk is still found.
                text = pending + chunk
                if part not in marked and any(mark in text for mark in _EXTRAS_MARKS):
                    marked.add(part)
                rows = text.split(b"</row>")
                pending = rows.pop()  # the row the chunk cut in two, if any
                counted = sum(1 for row in rows if _holds_value(row))
                budget.add(counted, sheet)
                budget.check_cancelled()
    return marked


# What the reader looks for in a sheet's XML beside the values (reader._read_xlsx_extras).
_EXTRAS_MARKS = (b"<f", b't="e"', b"<hyperlink")


def _holds_value(row: bytes) -> bool:
    """Whether the text before a </row> holds a value, in its own row (after the last
    <row: rows written empty, <row .../>, may come before it)."""
    start = max(row.rfind(b"<row"), 0)
    return row.find(b"<v>", start) >= 0 or row.find(b"<is>", start) >= 0


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT_P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"


def count_ods_rows(archive: zipfile.ZipFile, budget: RowBudget) -> None:
    """Count the rows holding a value in the tables of an .ods (rows repeated by
    number-rows-repeated count as many times), streaming content.xml."""
    sheet = ""
    row_has_value = False
    try:
        with archive.open("content.xml") as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == f"{_TABLE}table":
                        sheet = element.get(f"{_TABLE}name", "")
                    elif tag == f"{_TABLE}table-row":
                        row_has_value = False
                    elif (
                        tag == f"{_TABLE}table-cell"
                        and (element.get(f"{_OFFICE}value-type") is not None)
                    ) or tag == _TEXT_P:
                        row_has_value = True
                    continue
                if tag == f"{_TABLE}table-row":
                    if row_has_value:
                        repeated = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                        budget.add(repeated, sheet)
                    element.clear()
    except ElementTree.ParseError as error:
        raise SpreadsheetError(f"{budget.path.name} is damaged: {error}.") from error
