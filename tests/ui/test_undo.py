"""Undo says what it undid and where, leaves the typing of an "add" box to the box, and
survives the review steps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from ropa.records import LibraryKind
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.editors import open_editor
from ui.activity_editor import SECTIONS, ActivityEditor
from ui.main_window import MainWindow, Page
from ui.settings import AppSettings
from ui.widgets.library_picker import LibraryPicker

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(qtbot: QtBot, register: Register) -> ActivityEditor:
    record = register.activities.create(sample_activity())
    assert record.id is not None
    return open_editor(qtbot, register, record.id)


def section_of(field: str) -> int:
    return next(n for n, (_title, fields) in enumerate(SECTIONS) if field in fields)


def test_undo_in_an_add_box_undoes_its_typing_not_the_last_saved_edit(
    editor: ActivityEditor, register: Register
) -> None:
    owner = editor.binding("owner").widget
    assert isinstance(owner, QLineEdit)
    owner.setText("Head of Early Help")
    editor.save_field("owner")
    picker = editor.binding("purposes").widget
    assert isinstance(picker, LibraryPicker)
    editor.show_field("purposes")
    editor.activateWindow()
    picker.entry.setFocus()
    picker.entry.insert("Xylophone lessons")  # typed, not yet added (no completion offered)
    assert QApplication.focusWidget() is picker.entry
    editor.undo_action.trigger()  # as the Edit menu's Ctrl+Z would
    assert picker.entry.text() == ""
    assert register.activities.get(editor.session.activity_id).owner == "Head of Early Help"
    assert editor.undo_stack.canUndo()
    # The typing never reached the register (it was once added, saved, then undone, which
    # left a new purpose in the library).
    purposes = [item.name for item in register.library.items(LibraryKind.PURPOSE)]
    assert "Xylophone lessons" not in purposes


def test_undoing_a_change_in_another_section_goes_there_and_says_what(
    editor: ActivityEditor, register: Register
) -> None:
    owner = editor.binding("owner").widget
    assert isinstance(owner, QLineEdit)
    before = owner.text()
    owner.setText("Head of Early Help")
    editor.save_field("owner")
    elsewhere = section_of("notes")
    assert elsewhere != section_of("owner")
    editor.sections.setCurrentRow(elsewhere)
    editor.setFocus()
    editor.undo()
    assert register.activities.get(editor.session.activity_id).owner == before
    assert editor.sections.currentRow() == section_of("owner")
    title = SECTIONS[section_of("owner")][0]
    assert editor.save_state.text() == f"Undone: change owner ({title})"
    editor.redo()
    assert editor.save_state.text() == f"Redone: change owner ({title})"


def test_the_main_windows_undo_says_what_it_undid(
    qtbot: QtBot, demo_register: Register, settings: AppSettings
) -> None:
    window = MainWindow(demo_register, settings)
    qtbot.addWidget(window)
    window.show()
    window.show_page(Page.LIBRARIES)
    libraries = window.libraries_view
    libraries.kinds.setCurrentRow(list(LibraryKind).index(LibraryKind.RECIPIENT))
    model = libraries.model
    police = next(
        model.item(row) for row in range(model.rowCount()) if model.item(row).name == "Police"
    )
    libraries.select_item(police.id)
    libraries.name_edit.setText("Police forces")
    libraries.name_edit.editingFinished.emit()
    window.setFocus(Qt.FocusReason.OtherFocusReason)
    window.app_actions.undo.trigger()
    assert window.statusBar().currentMessage() == "Undone: Rename \u201cPolice\u201d"
    assert any(i.name == "Police" for i in demo_register.library.items(LibraryKind.RECIPIENT))
