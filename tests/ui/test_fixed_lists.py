"""List boxes keep their height as items are added (they scroll), so the buttons under them
never move from under the pointer; long entries wrap rather than being cut off."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ropa.records import RetentionEntry
from ui.activities_page import ActivitiesPage
from ui.activity_table_model import Column
from ui.widgets.entry_tables import EntryTable, retention_kind
from ui.widgets.library_picker import LibraryPicker

pytestmark = pytest.mark.gui

LONG = (
    "Until the child's 25th birthday, or 6 years after the case closes if that is later, "
    "then reviewed by the records manager"
)


def test_a_library_picker_keeps_its_height_and_scrolls(qtbot: QtBot) -> None:
    picker = LibraryPicker("security measures")
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    empty_height = picker.chosen.height()
    button_at = picker.add_button.mapTo(picker, picker.add_button.rect().topLeft())
    for number in range(9):
        picker.add_name(f"Measure {number}")
        QApplication.processEvents()
        assert picker.chosen.height() == empty_height
        assert picker.add_button.mapTo(picker, picker.add_button.rect().topLeft()) == button_at
    assert picker.chosen.verticalScrollBar().maximum() > 0  # the rest is a scroll away


def test_an_entry_table_keeps_its_height_wraps_and_never_covers_its_buttons(
    qtbot: QtBot,
) -> None:
    table = EntryTable(retention_kind(), "Retention")
    qtbot.addWidget(table)
    table.resize(760, table.sizeHint().height())
    table.show()
    qtbot.waitExposed(table)
    table.set_entries([RetentionEntry("6 years", "case closure")])
    QApplication.processEvents()
    height = table.view.height()
    button_top = table.add_button.geometry().top()
    table.set_entries(
        [RetentionEntry("6 years", "case closure"), RetentionEntry(LONG, "case closure")]
    )
    for _ in range(4):
        table.add_row()
        table.view.closePersistentEditor(table.view.currentIndex())
    QApplication.processEvents()
    assert table.view.height() == height
    assert table.add_button.geometry().top() == button_top
    assert table.add_button.geometry().top() >= table.view.geometry().bottom()
    one_line = table.view.rowHeight(0)
    assert table.view.rowHeight(1) > one_line  # the long period wraps onto more lines
    assert table.view.verticalScrollBar().maximum() > 0


def test_the_status_column_is_wide_enough_for_changed_since_approved(qtbot: QtBot) -> None:
    page = ActivitiesPage()
    qtbot.addWidget(page)
    needed = page.table.fontMetrics().horizontalAdvance("Changed since approved")
    assert page.table.columnWidth(Column.STATUS) > needed
