"""The import dialog never goes away while its thread still runs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import ropa.spreadsheets
from ropa.errors import ValidationError
from ropa.register import Register
from tests.helpers.prompts import ScriptedPrompts
from ui.import_dialog import ImportDialog
from ui.workers import running_workers

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("how", ["reject", "close"])
def test_closing_while_checking_stops_the_thread_first(
    qtbot: QtBot, register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    started = threading.Event()

    def slow_import(*_args: Any, cancelled: Any, **_kwargs: Any) -> None:
        started.set()
        while not cancelled():
            threading.Event().wait(0.001)
        raise ValidationError("stopped")

    monkeypatch.setattr(ropa.spreadsheets, "import_workbook", slow_import)
    dialog = ImportDialog(register, tmp_path / "big <&> register.xlsx")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # as the main window opens it
    dialog.show()
    dialog.run_preview()
    assert started.wait(10)
    assert running_workers(dialog)
    if how == "reject":
        dialog.reject()  # Esc or Cancel, before the progress dialog has appeared
    else:
        dialog.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))


def test_file_names_are_shown_as_text(register: Register, tmp_path: Path, qtbot: QtBot) -> None:
    dialog = ImportDialog(register, tmp_path / "<b>&amp;.xlsx")
    qtbot.addWidget(dialog)
    assert "&lt;b&gt;&amp;amp;.xlsx" in dialog.heading.text()


def test_the_preview_is_a_table_to_sort_and_filter(
    qtbot: QtBot, qtmodeltester: Any, register: Register, tmp_path: Path
) -> None:
    from tests.data.import_corpus import several_sheets

    path = several_sheets(tmp_path).path
    dialog = ImportDialog(register, path)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.run_preview()
    qtmodeltester.check(dialog.findings)
    qtmodeltester.check(dialog.proxy)
    overview = dialog.details.text()
    assert "Sheet “Children's Services” (headings in row 9): 1 row read; 1 created" in overview
    assert "Sheet “Lookups” was not read" in overview
    assert register.activity_list.summaries() == []  # nothing written yet
    rows = dialog.proxy.rowCount()
    cells = [dialog.proxy.index(row, 1).data() for row in range(rows)]
    assert "Children's Services!P10" in cells
    dialog.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    texts = [dialog.proxy.index(row, 2).data() for row in range(rows)]
    assert texts == sorted(texts)
    dialog.filter.setText("usual ones")
    assert dialog.proxy.rowCount() == 1
    assert dialog.proxy.index(0, 2).data() == "All the usual ones"
    dialog.grab().save(str(tmp_path / "import-preview.png"))
    saved = dialog.save_report(tmp_path / "report.xlsx")
    assert saved is not None and saved.exists()
    assert "The report was saved as" in dialog.details.text()


def test_save_report_button_asks_where_and_saves_the_workbook(
    qtbot: QtBot, register: Register, tmp_path: Path, prompts: ScriptedPrompts
) -> None:
    """The button, clicked: clicked(bool) must not reach save_report as its path."""
    from openpyxl import load_workbook

    from tests.data.import_corpus import several_sheets

    dialog = ImportDialog(register, several_sheets(tmp_path).path)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.run_preview()
    chosen = tmp_path / "chosen report.xlsx"
    prompts.expect(
        "save path", contains="Save the import report", answer=(chosen, "Excel workbooks (*.xlsx)")
    )
    assert dialog.save_report_button.isEnabled()
    qtbot.mouseClick(dialog.save_report_button, Qt.MouseButton.LeftButton)
    assert prompts.shown[0].title == "Save the import report"
    assert load_workbook(chosen).sheetnames  # a real workbook, read back
    assert f"The report was saved as {chosen}" in dialog.details.text()


def _settle(dialog: ImportDialog) -> None:
    """Lay the dialog out as the event loop would before it is next painted."""
    from PySide6.QtWidgets import QApplication

    QApplication.sendPostedEvents()
    layout = dialog.layout()
    assert layout is not None
    layout.activate()


def _unsure_workbook(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Register"
    sheet.append(["Business function", "Purpose", "Lawful basis", "Controller"])
    sheet.append([None, None, None, None])
    sheet.cell(1, 5, "Who gets the data (recipients)")
    sheet.cell(1, 6, "Scribbles")
    for column, text in enumerate(
        ["Payroll", "Pay staff", "Contract", "Acme Ltd", "HMRC", "ring Bob"], start=1
    ):
        sheet.cell(2, column, text)
    workbook.save(path)
    return path


def test_the_mapping_step_asks_about_unsure_headings_and_sheets_and_remembers(
    qtbot: QtBot, qtmodeltester: Any, register: Register, tmp_path: Path
) -> None:
    from ropa.spreadsheets.layout import Kind
    from ropa.spreadsheets.vocabulary import IGNORE, header_key
    from ui.settings import AppSettings

    settings = AppSettings.in_file(tmp_path / "settings.ini")
    source = _unsure_workbook(tmp_path / "unsure.xlsx")
    dialog = ImportDialog(register, source, settings=settings)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.run_preview()
    panel = dialog.mapping_panel
    model = panel.model
    qtmodeltester.check(model)
    # A sheet that says both controller and processor: asked, read as a processor's.
    assert dialog.tabs.currentIndex() == 1
    assert dialog.tabs.tabText(1) == "Columns and sheets (1 to confirm)"

    def rows() -> dict[str, list[str]]:
        return {
            model.index(row, 2).data(): [model.index(row, c).data() for c in range(5)]
            for row in range(model.rowCount())
        }

    assert rows()["Who gets the data (recipients)"][3:] == [
        "Keep as an own column",
        "a processor's record has no such field",
    ]
    assert rows()["Business function"][4] == "sure (the ICO's heading)"
    assert rows()["Scribbles"][3:] == [
        "Keep as an own column",
        "no field of the register has this heading",
    ]
    box = panel.role_boxes["Register"]
    assert box.currentData() is None  # asked, not answered for the DPO
    assert "CHECK: Sheet “Register” was read as a processor's record" in dialog.details.text()
    _settle(dialog)
    dialog.grab().save(str(tmp_path / "mapping-step-sheet.png"))
    # The DPO says the sheet is the organisation's own: checked again, the recipients
    # column is matched by a word in its heading, and asked about.
    box.setCurrentIndex(box.findData("controller"))
    assert dialog.check_again_button.isEnabled() and not dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.check_again()
    assert dialog.report.sheets[0].kind == "controller"
    assert not dialog.report.sheets[0].kind_unsure
    assert dialog.tabs.tabText(1) == "Columns and sheets (1 to confirm)"
    assert rows()["Who gets the data (recipients)"][3:] == [
        "Categories of recipients",
        "unsure (a word in the heading)",
    ]
    # A row to confirm is drawn amber with dark text, readable under dark desktop colours
    # too (their light text on the pale amber was not); a sure one keeps the view's colours.
    unsure_row = next(
        r
        for r in range(model.rowCount())
        if model.index(r, 2).data() == "Who gets the data (recipients)"
    )
    sure_row = next(
        r for r in range(model.rowCount()) if model.index(r, 2).data() == "Business function"
    )
    background, text = Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole
    assert model.index(unsure_row, 0).data(background).color().name() == "#fff2cc"
    assert model.index(unsure_row, 0).data(text).color().name() == "#1b1b1b"
    assert model.index(sure_row, 0).data(background) is None
    assert model.index(sure_row, 0).data(text) is None
    _settle(dialog)
    dialog.grab().save(str(tmp_path / "mapping-step.png"))
    # The DPO ignores the scribbles.
    scribbles = next(r for r in range(model.rowCount()) if model.index(r, 2).data() == "Scribbles")
    assert model.setData(model.index(scribbles, 3), IGNORE)
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.check_again()
    report = dialog.report
    assert report.sheets[0].kind == "controller"
    assert "Register!F2: “ring Bob”: not read (in a column the DPO ignored)" in report.summary()
    assert settings.import_mapping(report.sheets[0].signature) == {header_key("Scribbles"): IGNORE}
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.run_import()
    (record,) = register.activities.load()
    assert record.role.value == "controller" and record.recipients == ["HMRC"]
    assert record.extra_fields == {"Controller": "Acme Ltd"}
    # The next workbook of the same layout is read with the choice remembered.
    again = ImportDialog(register, source, settings=settings)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.preview_ready, timeout=20000):
        again.run_preview()
    assert again.mapping == {header_key("Scribbles"): IGNORE}
    assert "not read (in a column the DPO ignored)" in again.report.summary()
    # ... and the record chosen for the sheet, no longer asked.
    assert again.roles == {"Register": Kind.CONTROLLER}
    assert again.report.sheets[0].kind == "controller"
    assert not again.report.sheets[0].kind_unsure
