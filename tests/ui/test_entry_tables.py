"""The entry tables and library pickers offer Remove only when something is selected, and a
new row's choice starts empty rather than as the first item of the law's list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from ropa.records import LawfulBasisEntry, RetentionEntry
from ui.widgets.entry_tables import (
    CHOOSE_PROMPT,
    EntryTable,
    lawful_basis_kind,
    retention_kind,
    transfer_kind,
)
from ui.widgets.library_picker import LibraryPicker

pytestmark = pytest.mark.gui


def test_remove_follows_the_selection_of_an_entry_table(qtbot: QtBot) -> None:
    table = EntryTable(retention_kind(), "Retention")
    qtbot.addWidget(table)
    table.show()
    table.set_entries([RetentionEntry("6 years", "closure"), RetentionEntry("1 year", "")])
    assert not table.remove_button.isEnabled()
    table.view.selectRow(0)
    assert table.remove_button.isEnabled()
    table.remove_button.click()
    assert len(table.entries()) == 1
    assert not table.view.selectionModel().selectedRows()
    assert not table.remove_button.isEnabled()  # nothing is selected any more
    table.view.selectRow(0)
    table.set_entries([RetentionEntry("2 years", "")])  # the rows replaced (a reload)
    assert not table.remove_button.isEnabled()


def test_remove_follows_the_selection_of_a_library_picker(qtbot: QtBot) -> None:
    picker = LibraryPicker("purposes")
    qtbot.addWidget(picker)
    picker.show()
    picker.set_names(["Safeguarding", "Statutory reporting"])
    assert not picker.remove_button.isEnabled()
    picker.chosen.setCurrentRow(0)
    assert picker.remove_button.isEnabled()
    picker.remove_button.click()
    assert picker.names() == ["Statutory reporting"]
    assert not picker.chosen.selectedItems()
    assert not picker.remove_button.isEnabled()


def test_a_new_lawful_basis_starts_unchosen(qtbot: QtBot) -> None:
    table = EntryTable(lawful_basis_kind(), "Lawful bases")
    qtbot.addWidget(table)
    table.show()
    table.add_button.click()
    editor = open_editor(table)
    assert editor.currentText() == CHOOSE_PROMPT
    delegate = table.view.itemDelegateForColumn(0)
    delegate.commitData.emit(editor)  # what leaving the box does, without choosing
    delegate.closeEditor.emit(editor)
    assert table.model.rowCount() == 1
    assert table.model.index(0, 0).data() == ""  # still to choose: not saved as Consent
    assert table.entries() == []


def test_an_existing_basis_is_shown_as_chosen(qtbot: QtBot) -> None:
    table = EntryTable(lawful_basis_kind(), "Lawful bases")
    qtbot.addWidget(table)
    table.show()
    table.set_entries([LawfulBasisEntry("e", "Statutory duty")])
    index = table.model.index(0, 0)
    table.view.setCurrentIndex(index)
    table.view.edit(index)
    assert open_editor(table).currentData() == "e"


def open_editor(table: EntryTable) -> QComboBox:
    (editor,) = table.view.viewport().findChildren(QComboBox)
    return editor


def test_a_wide_table_cuts_no_heading_short(qtbot: QtBot) -> None:
    """The transfers table has more columns than the editor's width shows: it scrolls
    sideways, and its stretched column (Safeguard documents) keeps room for its heading
    rather than being squeezed to "feguard documer"."""
    table = EntryTable(transfer_kind(), "Transfers abroad")
    qtbot.addWidget(table)
    table.resize(640, 200)
    table.show()
    qtbot.waitExposed(table)
    header = table.view.horizontalHeader()
    metrics = header.fontMetrics()
    for number in range(header.count()):
        heading = str(table.model.headerData(number, Qt.Orientation.Horizontal))
        assert header.sectionSize(number) >= metrics.horizontalAdvance(heading), heading
