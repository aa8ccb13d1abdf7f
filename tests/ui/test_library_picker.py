"""The "Type to find or add" box (ui.widgets.library_picker), driven by keys as a user would:
a suggestion picked with the arrow keys and Enter is added alone and leaves the box empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication
from pytestqt.qtbot import QtBot

from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.editors import open_editor
from ui.widgets.library_picker import LibraryPicker

pytestmark = [
    pytest.mark.gui,
    # The offscreen platform cannot raise the suggestions or grab the keyboard for them.
    pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard"),
]

LIBRARY = ["Health information", "Name and contact details", "Household composition"]


@pytest.fixture
def picker(qtbot: QtBot) -> LibraryPicker:
    widget = LibraryPicker("categories of personal data")
    qtbot.addWidget(widget)
    widget.set_available(LIBRARY)
    widget.show()
    qtbot.waitExposed(widget)
    widget.entry.setFocus()
    return widget


def suggestions(picker: LibraryPicker) -> QAbstractItemView:
    completer = picker.entry.completer()
    assert completer is not None
    popup = completer.popup()
    assert popup is not None
    return popup


def pick_with_arrow_keys(qtbot: QtBot, picker: LibraryPicker, typed: str) -> None:
    """Type, wait for the suggestions, ↓ to the first, Enter."""
    qtbot.keyClicks(picker.entry, typed)
    popup = suggestions(picker)
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    QApplication.processEvents()


def test_down_then_enter_adds_the_suggestion_and_empties_the_box(
    qtbot: QtBot, picker: LibraryPicker
) -> None:
    pick_with_arrow_keys(qtbot, picker, "heal")
    qtbot.waitUntil(lambda: picker.entry.text() == "")
    assert picker.names() == ["Health information"]


def test_the_next_entry_is_not_glued_to_the_picked_suggestion(
    qtbot: QtBot, picker: LibraryPicker
) -> None:
    pick_with_arrow_keys(qtbot, picker, "heal")
    qtbot.wait(50)  # any late write of the completion into the box has happened by now
    qtbot.keyClicks(picker.entry, "Name and contact details")
    qtbot.keyClick(suggestions(picker), Qt.Key.Key_Escape)
    qtbot.keyClick(picker.entry, Qt.Key.Key_Return)
    assert picker.names() == ["Health information", "Name and contact details"]
    assert picker.entry.text() == ""


def test_two_suggestions_picked_one_after_another(qtbot: QtBot, picker: LibraryPicker) -> None:
    pick_with_arrow_keys(qtbot, picker, "heal")
    qtbot.waitUntil(lambda: picker.entry.text() == "")
    pick_with_arrow_keys(qtbot, picker, "house")
    qtbot.waitUntil(lambda: picker.entry.text() == "")
    assert picker.names() == ["Health information", "Household composition"]


def test_in_the_editor_the_picked_suggestion_alone_reaches_the_file(
    qtbot: QtBot, register: Register
) -> None:
    created = register.activities.create(sample_activity(data_categories=[]))
    assert created.id is not None
    editor = open_editor(qtbot, register, created.id)
    editor.show_field("data_categories")
    box = editor.binding("data_categories").widget
    assert isinstance(box, LibraryPicker)
    box.set_available(LIBRARY)
    pick_with_arrow_keys(qtbot, box, "heal")
    qtbot.wait(50)
    qtbot.keyClicks(box.entry, "Name and contact details")
    qtbot.keyClick(box.entry, Qt.Key.Key_Return)
    with Register.open(Path(register.path), create=False) as other:
        saved = other.activities.get(created.id).data_categories
    assert saved == ["Health information", "Name and contact details"]
