"""The import preview lists, per activity already in the register, each field the workbook
would change (old, new); the DPO unticks what the register should keep."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ropa.records import LawfulBasisEntry, RetentionEntry
from ropa.register import Register
from ropa.spreadsheets import import_workbook
from tests.data.import_corpus import hand_made
from ui.import_dialog import ImportDialog

pytestmark = pytest.mark.gui

RETENTION = "Retention schedule (if possible)"
RECIPIENTS = "Categories of recipients"
BASIS = "Article 6 lawful basis for processing personal data"


def _older_workbook(tmp_path: Path) -> Path:
    return hand_made(
        tmp_path / "register-2024.xlsx",
        [
            {
                "Business function": "HR",
                "Purpose of processing": "Payroll",
                RETENTION: "6 years after employment ends",
                RECIPIENTS: "HMRC\nPension scheme",
            },
            {
                "Business function": "Admissions",
                "Purpose of processing": "Allocating school places",
                RETENTION: "1 year after the appeal",
            },
        ],
    )


def _worked_on_in_the_app(register: Register) -> dict[str, int]:
    ids = {}
    for record in register.activities.load():
        assert record.id is not None
        ids[record.business_function] = record.id
    register.activities.update(
        ids["HR"],
        {
            "lawful_bases": [LawfulBasisEntry("b", "Employment contracts")],
            "retention": [RetentionEntry("7 years after employment ends")],
            "recipients": ["HMRC"],
        },
    )
    register.activities.update(
        ids["Admissions"], {"retention": [RetentionEntry("2 years after the appeal")]}
    )
    return ids


def _previewed_again(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> tuple[ImportDialog, dict[str, int]]:
    """The older workbook imported, worked on in the app, then opened again in the import
    dialog (shown at a laptop's size) and checked; with the activities' ids by function."""
    source = _older_workbook(tmp_path)
    import_workbook(register, source)
    ids = _worked_on_in_the_app(register)
    dialog = ImportDialog(register, source)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.run_preview()
    return dialog, ids


def test_the_preview_shows_each_change_and_an_unticked_activity_is_kept(
    qtbot: QtBot, qtmodeltester: Any, register: Register, tmp_path: Path
) -> None:
    dialog, ids = _previewed_again(qtbot, register, tmp_path)
    view = dialog.changes
    assert view.isVisible()
    qtmodeltester.check(view.model)
    model = view.model
    assert model.rowCount() == 2
    hr = model.item(0, 0)
    assert hr.text().endswith(
        "HR \u2013 Payroll \u2014 sheet \u201cSheet1\u201d, row 2: 2 fields to change"
    )
    rows = [
        tuple(model.itemFromIndex(hr.child(row, column).index()).text() for column in range(3))
        for row in range(hr.rowCount())
    ]
    assert rows == [
        ("Categories of recipients", "HMRC", "HMRC\nPension scheme"),
        ("Retention", "7 years after employment ends", "6 years after employment ends"),
    ]
    assert "Blank cells in the workbook change nothing" in view.heading.text()
    if os.environ.get("ROPA_SCREENSHOTS"):
        dialog.grab().save(os.environ["ROPA_SCREENSHOTS"])

    # Keep the whole HR activity as the register has it; accept only Admissions.
    view.set_activity_accepted(0, False)
    assert view.rejected() == {(ids["HR"], "recipients"), (ids["HR"], "retention")}
    # And one field of the other: untick nothing there.
    assert model.item(1, 0).checkState() == Qt.CheckState.Checked
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.run_import()

    hr_now = register.activities.get(ids["HR"])
    assert [r.period for r in hr_now.retention] == ["7 years after employment ends"]
    assert hr_now.recipients == ["HMRC"]
    assert hr_now.lawful_bases == [LawfulBasisEntry("b", "Employment contracts")]
    admissions = register.activities.get(ids["Admissions"])
    assert [r.period for r in admissions.retention] == ["1 year after the appeal"]
    # After the import the list says what was changed and what was kept, and cannot be ticked.
    assert "Changes made to 2 activities" in view.heading.text()
    assert not model.item(0, 0).isCheckable()
    assert model.item(0, 0).text().endswith(": 0 changed, 2 kept")


def test_unticking_one_field_keeps_only_that_field(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> None:
    dialog, ids = _previewed_again(qtbot, register, tmp_path)
    hr = dialog.changes.model.item(0, 0)
    hr.child(1, 0).setCheckState(Qt.CheckState.Unchecked)  # retention
    assert hr.checkState() == Qt.CheckState.PartiallyChecked
    assert dialog.changes.rejected() == {(ids["HR"], "retention")}
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.run_import()
    record = register.activities.get(ids["HR"])
    assert [r.period for r in record.retention] == ["7 years after employment ends"]
    assert record.recipients == ["HMRC", "Pension scheme"]


def test_cancel_stops_reading_a_large_workbook_within_a_second(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> None:
    """The window stays free and Cancel is done within a second while rows are read."""
    import time

    from tests.data.import_corpus import Sheet, write_xlsx

    grid: list[list[str | None]] = [["Business function", "Purpose of processing", RETENTION]]
    grid += [[f"Function {n}", f"Purpose {n}", "6 years"] for n in range(40_000)]
    path = write_xlsx(tmp_path / "large.xlsx", [Sheet("ROPA", grid)])
    dialog = ImportDialog(register, path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.run_preview()
    qtbot.wait(300)  # reading by now (a preview of 40,000 rows takes several seconds)
    from ui.workers import running_workers

    assert running_workers(dialog)
    pressed = time.perf_counter()
    dialog.reject()
    assert time.perf_counter() - pressed < 1.0
    assert not running_workers(dialog)
    assert register.activities.load() == []
