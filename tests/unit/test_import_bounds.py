"""An import reads at most a stated number of rows, refusing a larger file before its cells
are read, and stops reading when the user cancels.  (The 1.5-million-row file is built and
measured in bench/import_scale.py; here the limit is made small.)"""

from __future__ import annotations

import threading
import time
import traceback
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from ropa.register import Register
from ropa.spreadsheets import import_workbook
from ropa.spreadsheets.bounds import MAX_ROWS
from ropa.spreadsheets.errors import ImportCancelled, SpreadsheetError
from ropa.spreadsheets.reader import read_spreadsheet
from tests.data.import_corpus import Sheet, write_csv, write_ods, write_xlsx

HEADINGS = [
    "Business function",
    "Purpose of processing",
    "Categories of individuals",
    "Article 6 lawful basis for processing personal data",
]


def _register_sheet(rows: int, title: str = "ROPA") -> Sheet:
    grid: list[list[str | None]] = [list(HEADINGS)]
    grid += [[f"Function {n}", f"Purpose {n}", "Staff", "Public task"] for n in range(rows)]
    return Sheet(title, grid)


def _written(tmp_path: Path, kind: str, sheet: Sheet) -> Path:
    path = tmp_path / f"register.{kind}"
    if kind == "xlsx":
        return write_xlsx(path, [sheet])
    if kind == "ods":
        return write_ods(path, [sheet])
    return write_csv(path, sheet, encoding="utf-8")


def test_the_limit_is_stated_and_leaves_room_for_large_registers() -> None:
    assert MAX_ROWS == 150_000


@pytest.mark.parametrize("kind", ["xlsx", "ods", "csv"])
def test_a_file_past_the_limit_is_refused_with_words_naming_it(tmp_path: Path, kind: str) -> None:
    path = _written(tmp_path, kind, _register_sheet(60))  # 61 rows with the headings
    with pytest.raises(SpreadsheetError) as refused:
        read_spreadsheet(path, max_rows=50)
    message = str(refused.value)
    assert message.startswith(f"register.{kind} holds more than 50 rows with something in them")
    sheet = "CSV" if kind == "csv" else "ROPA"
    assert f"on sheet \u201c{sheet}\u201d" in message
    assert "split the workbook into several" in message
    # At the limit it is read.
    assert len(read_spreadsheet(path, max_rows=61).sheets[0].rows) == 61


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_workbook_past_the_limit_is_refused_before_the_reader_loads_it(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import python_calamine

    def must_not_load(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the workbook was loaded although it was past the limit")

    path = _written(tmp_path, kind, _register_sheet(60))
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", must_not_load)
    with pytest.raises(SpreadsheetError, match="more than 50 rows"):
        read_spreadsheet(path, max_rows=50)


def test_rows_that_only_carry_formatting_are_not_counted(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for values in _register_sheet(10).rows:
        sheet.append(values)
    for row in range(12, 400):  # bordered, empty rows prepared for more activities
        sheet.cell(row, 1).font = Font(bold=True)
    path = tmp_path / "formatted.xlsx"
    workbook.save(path)
    assert len(read_spreadsheet(path, max_rows=11).sheets[0].rows) == 11


def test_the_limit_counts_every_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "two.xlsx", [_register_sheet(30, "Controller"), _register_sheet(30, "More")]
    )
    with pytest.raises(SpreadsheetError, match="on sheet \u201cMore\u201d"):
        read_spreadsheet(path, max_rows=50)


def test_an_import_past_the_limit_changes_nothing(register: Register, tmp_path: Path) -> None:
    path = _written(tmp_path, "xlsx", _register_sheet(60))
    with pytest.raises(SpreadsheetError, match="more than 50 rows"):
        import_workbook(register, path, max_rows=50)
    assert register.activities.load() == []


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_cancel_stops_the_reading_within_a_second(
    register: Register, tmp_path: Path, kind: str
) -> None:
    """Cancel pressed while the rows are read: the import ends within a second, before
    storing anything, wherever the reading had got to."""
    path = _written(tmp_path, kind, _register_sheet(40_000))
    asked = threading.Event()
    pressed: list[float] = []

    def cancelled() -> bool:
        asked.set()
        return bool(pressed)

    def press_cancel() -> None:
        asked.wait(10)
        time.sleep(0.2)  # well into the reading
        pressed.append(time.perf_counter())

    presser = threading.Thread(target=press_cancel)
    presser.start()
    with pytest.raises(ImportCancelled) as stopped_by:
        import_workbook(register, path, cancelled=cancelled)
    stopped = time.perf_counter()
    # It was the reading that stopped, not the storing after it.
    frames = {frame.name for frame in traceback.extract_tb(stopped_by.value.__traceback__)}
    assert "read_workbook" in frames
    presser.join()
    assert pressed, "the import ended before Cancel was pressed"
    assert stopped - pressed[0] < 1.0
    assert register.activities.load() == []


@pytest.mark.parametrize("what", ["link", "formula"])
def test_formulas_and_links_are_found_past_the_first_megabyte(tmp_path: Path, what: str) -> None:
    """The count notes which sheets hold formulas or links, a megabyte of XML at a time;
    one at the very end of a large sheet is still found and read (links are written after
    the last row)."""
    sheet = _register_sheet(15_000)
    last = len(sheet.rows)
    if what == "link":
        sheet.links[(last, 1)] = "https://intranet.example/asset-register"
    else:
        sheet.rows[last - 1][2] = "=1+1"
    path = write_xlsx(tmp_path / "large.xlsx", [sheet])
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 1 << 20
    (read,) = read_spreadsheet(path).sheets
    if what == "link":
        assert read.links == {(last, 1): "https://intranet.example/asset-register"}
    else:
        assert read.formulas == {(last, 3): "1+1"}
