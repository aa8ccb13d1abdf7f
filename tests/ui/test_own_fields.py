"""The organisation's own fields in the activity editor: shown, typed, saved and undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ropa.records import ActivityRecord
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.editors import open_editor
from ui.activity_editor import SECTIONS, ActivityEditor
from ui.widgets.entry_tables import EntryTable

pytestmark = pytest.mark.gui

OWN = {"Information asset owner": "Head of Early Help", "System supplier": "Servelec"}


def stored(path: Path, activity_id: int) -> ActivityRecord:
    with Register.open(path, create=False) as other:
        return other.activities.get(activity_id)


@pytest.fixture
def activity_id(register: Register) -> int:
    created = register.activities.create(sample_activity(extra_fields=dict(OWN)))
    assert created.id is not None
    return created.id


@pytest.fixture
def editor(qtbot: QtBot, register: Register, activity_id: int) -> ActivityEditor:
    return open_editor(qtbot, register, activity_id)


def table_of(editor: ActivityEditor) -> EntryTable:
    table = editor.binding("extra_fields").widget
    assert isinstance(table, EntryTable)
    return table


def test_own_fields_have_a_section_of_their_own(
    qtmodeltester: ModelTester, editor: ActivityEditor
) -> None:
    assert ("Your own fields", ["extra_fields"]) in SECTIONS
    editor.show_field("extra_fields")
    assert editor.sections.currentItem().text() == "Your own fields"
    table = table_of(editor)
    qtmodeltester.check(table.model)
    model = table.model
    shown = [
        (model.index(row, 0).data(), model.index(row, 1).data()) for row in range(model.rowCount())
    ]
    assert shown == list(OWN.items())


def test_a_field_typed_in_is_saved_in_the_file_and_undone(
    qtbot: QtBot, editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    table = table_of(editor)
    table.add_row()  # puts the cursor in the new row's name, as a user sees it
    for text in ("Retention owner", "Records manager"):
        typed = QApplication.focusWidget()
        assert isinstance(typed, QLineEdit)
        qtbot.keyClicks(typed, text)
        qtbot.keyClick(typed, Qt.Key.Key_Return)
        # The delegate commits what was typed once the key press has been handled.
        qtbot.waitUntil(lambda: table.view.state() != table.view.State.EditingState)
        if text == "Retention owner":
            assert stored(register.path, activity_id).extra_fields == {
                **OWN,
                "Retention owner": "",
            }
            table.view.setCurrentIndex(table.model.index(2, 1))
            table.view.edit(table.model.index(2, 1))
    assert list(stored(register.path, activity_id).extra_fields.items()) == [
        *OWN.items(),
        ("Retention owner", "Records manager"),
    ]
    # Edits of one field in a row undo as one step, as typing does.
    editor.undo()
    assert list(stored(register.path, activity_id).extra_fields.items()) == list(OWN.items())
    assert table.model.rowCount() == 2
    editor.redo()
    assert table.model.index(2, 1).data() == "Records manager"
    table.view.selectRow(0)
    table.remove_selected()
    assert stored(register.path, activity_id).extra_fields == {
        "System supplier": "Servelec",
        "Retention owner": "Records manager",
    }


def test_a_name_used_twice_in_other_case_is_refused_inline(
    editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    table = table_of(editor)
    row = table.model.add_row()
    table.model.setData(table.model.index(row, 0), "system SUPPLIER")
    error = editor.binding("extra_fields").error
    assert "named twice" in error.text()
    assert not error.isHidden()
    assert stored(register.path, activity_id).extra_fields == OWN
    # Closing then says what is not saved; choosing to lose it closes the window.
    asked: list[list[str]] = []

    def lose_them(problems: list[str]) -> bool:
        asked.append(problems)
        return True

    editor.ask_discard = lose_them  # type: ignore[method-assign]
    assert editor.close()
    assert asked and "named twice" in asked[0][0]
