"""The activity editor saves each edit as one transaction, undoes and redoes it in the file,
and never loses what is being typed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ropa.errors import ConflictError
from ropa.records import ActivityRecord, LawfulBasisEntry
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.editors import open_editor
from tests.helpers.prompts import ScriptedPrompts
from ui.activity_editor import SECTIONS, ActivityEditor
from ui.widgets.conflict import KEPT_NOTE, ask_reload
from ui.widgets.entry_tables import EntryTable, EntryTableModel, lawful_basis_kind
from ui.widgets.library_picker import LibraryPicker

pytestmark = pytest.mark.gui


def stored(path: Path, activity_id: int) -> ActivityRecord:
    """The activity as a fresh connection to the file sees it."""
    with Register.open(path, create=False) as other:
        return other.activities.get(activity_id)


@pytest.fixture
def activity_id(register: Register) -> int:
    created = register.activities.create(sample_activity())
    assert created.id is not None
    return created.id


@pytest.fixture
def editor(qtbot: QtBot, register: Register, activity_id: int) -> ActivityEditor:
    return open_editor(qtbot, register, activity_id)


def a_colleague_saves(register: Register, activity_id: int) -> None:
    """Someone else, in another copy of the app, saves the same activity."""
    with Register.open(register.path, create=False) as other:
        other.activities.update(activity_id, {"owner": "Someone else"})


def line(editor: ActivityEditor, field: str) -> QLineEdit:
    widget = editor.binding(field).widget
    assert isinstance(widget, QLineEdit)
    return widget


def test_every_field_is_in_one_section_with_its_article(editor: ActivityEditor) -> None:
    listed = [field for _title, fields in SECTIONS for field in fields]
    assert sorted(listed) == sorted(ActivityRecord.editable_fields())
    assert len(listed) == len(set(listed))
    purposes = editor.binding("purposes").widget
    assert "Article 30(1)(b)" in purposes.toolTip()
    assert "Required for the Article 30 record" in purposes.toolTip()


def test_an_edit_is_saved_then_undone_and_redone_in_the_file(
    qtbot: QtBot, editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    name = line(editor, "name")
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Section 47 enquiries")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert stored(register.path, activity_id).name == "Section 47 enquiries"
    assert editor.undo_stack.count() == 1

    editor.undo_action.trigger()
    assert stored(register.path, activity_id).name == "Child protection enquiries"
    assert name.text() == "Child protection enquiries"

    editor.redo_action.trigger()
    assert stored(register.path, activity_id).name == "Section 47 enquiries"
    assert name.text() == "Section 47 enquiries"


def test_typing_is_saved_after_a_pause(
    qtbot: QtBot, editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    description = editor.binding("description").widget
    assert isinstance(description, QPlainTextEdit)
    description.setFocus()
    description.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(description, " Also joint visits.")
    qtbot.waitUntil(
        lambda: stored(register.path, activity_id).description.endswith("Also joint visits."),
        timeout=5000,
    )


def test_closing_the_window_saves_what_is_being_typed(
    qtbot: QtBot, editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    owner = line(editor, "owner")
    owner.setFocus()
    owner.selectAll()
    qtbot.keyClicks(owner, "Director of Children's Services")
    with qtbot.waitSignal(editor.closed):
        editor.close()
    assert stored(register.path, activity_id).owner == "Director of Children's Services"


def test_invalid_value_is_shown_inline_and_not_saved(
    qtbot: QtBot,
    editor: ActivityEditor,
    register: Register,
    activity_id: int,
    prompts: ScriptedPrompts,
) -> None:
    name = line(editor, "name")
    name.setFocus()
    name.clear()
    qtbot.keyClick(name, Qt.Key.Key_Return)
    error = editor.binding("name").error
    assert not error.isHidden()
    assert "Name cannot be empty" in error.text()
    assert stored(register.path, activity_id).name == "Child protection enquiries"
    prompts.expect(
        "question", contains="Name: \u26a0 Name cannot be empty. Not saved yet.", answer="Discard"
    )
    with qtbot.waitSignal(editor.closed):
        editor.close()


def test_library_picker_adds_known_and_new_items(
    qtbot: QtBot, editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    picker = editor.binding("recipients").widget
    assert isinstance(picker, LibraryPicker)
    picker.entry.setFocus()
    # setText, not typing: the offscreen platform warns about the completer's popup.
    picker.entry.setText("police")  # the existing "Police": not added twice
    qtbot.keyClick(picker.entry, Qt.Key.Key_Return)
    assert picker.entry.text() == ""
    picker.entry.setText("Ofsted")
    qtbot.keyClick(picker.entry, Qt.Key.Key_Return)
    assert stored(register.path, activity_id).recipients == ["Police", "NHS bodies", "Ofsted"]
    assert "Ofsted" in [item.name for item in register.library.items()]
    editor.undo()
    assert stored(register.path, activity_id).recipients == ["Police", "NHS bodies"]


def test_lawful_basis_rows_are_edited_in_a_table(
    qtmodeltester: ModelTester, editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    table = editor.binding("lawful_bases").widget
    assert isinstance(table, EntryTable)
    qtmodeltester.check(table.model)
    table.add_row()  # a row without its basis yet is not saved
    assert len(stored(register.path, activity_id).lawful_bases) == 1
    model = table.model
    model.setData(model.index(1, 0), "c")
    model.setData(model.index(1, 2), "Education Act 1996; Children Act 2004")
    assert stored(register.path, activity_id).lawful_bases[1] == LawfulBasisEntry(
        "c", "", ["Education Act 1996", "Children Act 2004"]
    )
    assert model.index(1, 0).data() == "Article 6(1)(c) Legal obligation"


def test_entry_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = EntryTableModel(lawful_basis_kind())
    model.set_entries([LawfulBasisEntry("e", "Statutory duty", ["Children Act 1989"])])
    qtmodeltester.check(model)


def test_choice_fields_save_when_chosen(
    editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    combo = editor.binding("dpia_required").widget
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData(True))
    assert stored(register.path, activity_id).dpia_required is True


def test_someone_elses_save_is_reported_and_reload_keeps_what_was_typed(
    qtbot: QtBot,
    editor: ActivityEditor,
    register: Register,
    activity_id: int,
    prompts: ScriptedPrompts,
) -> None:
    a_colleague_saves(register, activity_id)
    prompts.expect("question", contains="changed by someone else", answer="Reload")
    name = line(editor, "name")
    name.setFocus()
    qtbot.keyClicks(name, " (edited)")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert len(prompts.shown) == 1
    assert line(editor, "owner").text() == "Someone else"
    assert stored(register.path, activity_id).name == "Child protection enquiries"
    # Their change is shown, what the user typed is kept, marked as not saved yet...
    assert name.text() == "Child protection enquiries (edited)"
    assert editor.binding("name").error.text() == KEPT_NOTE
    assert editor.binding("name").error.isVisibleTo(editor)
    # ...and Enter saves it over theirs, keeping their owner.
    qtbot.keyClick(name, Qt.Key.Key_Return)
    now = stored(register.path, activity_id)
    assert (now.name, now.owner) == ("Child protection enquiries (edited)", "Someone else")
    assert len(prompts.shown) == 1


def test_cancel_is_the_default_answer_to_a_conflict(
    editor: ActivityEditor, prompts: ScriptedPrompts
) -> None:
    """A stray Enter keeps the user's text: Cancel is what Enter and Escape choose (how the
    Qt box honours `default` is tested in tests/ui/test_prompts.py)."""
    prompts.expect("question", contains="Changed by someone else.", answer="Cancel")
    assert ask_reload(editor.prompts, editor, ConflictError("Changed by someone else.")) is False
    (asked,) = prompts.shown
    assert (asked.choices, asked.default) == (("Reload", "Cancel"), "Cancel")


def test_undo_after_someone_elses_save_then_reload_does_not_crash(
    qtbot: QtBot,
    editor: ActivityEditor,
    register: Register,
    activity_id: int,
    prompts: ScriptedPrompts,
) -> None:
    name = line(editor, "name")
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "Section 47 enquiries")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    a_colleague_saves(register, activity_id)
    prompts.expect("question", contains="Changed by someone else", answer="Reload")
    editor.undo_action.trigger()  # refused: the reload waits until the undo has returned
    assert editor.undo_stack.count() == 0
    assert line(editor, "owner").text() == "Someone else"
    assert name.text() == "Section 47 enquiries"
    assert stored(register.path, activity_id).name == "Section 47 enquiries"
    name.selectAll()
    qtbot.keyClicks(name, "Again")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert stored(register.path, activity_id).name == "Again"
    assert editor.undo_stack.count() == 1


def test_closing_after_a_conflict_keeps_the_text_and_says_why(
    qtbot: QtBot,
    editor: ActivityEditor,
    register: Register,
    activity_id: int,
    prompts: ScriptedPrompts,
) -> None:
    a_colleague_saves(register, activity_id)
    prompts.expect("question", contains="Changed by someone else", answer="Reload")
    prompts.expect("question", contains=f"Name: {KEPT_NOTE}", answer="Cancel")
    name = line(editor, "name")
    name.setText("Typed before closing")
    assert editor.close() is False
    assert prompts.shown[-1].title == "Some changes are not saved"
    assert name.text() == "Typed before closing"


def test_gaps_of_the_activity_are_listed_and_lead_to_their_field(
    qtbot: QtBot, register: Register
) -> None:
    created = register.activities.create(sample_activity(reference="GAP-1", retention=[]))
    editor = ActivityEditor(register, created.id or 0)
    qtbot.addWidget(editor)
    editor.show()
    texts = [editor.gaps_list.item(row).text() for row in range(editor.gaps_list.count())]
    assert any("retention" in text.lower() for text in texts), texts
    assert editor.gaps_title.text().startswith(f"Gaps: {len(texts)}")
    row = next(i for i, text in enumerate(texts) if "retention" in text.lower())
    assert not editor.binding("retention").widget.isVisible()  # another section is shown
    editor.gaps_list.itemActivated.emit(editor.gaps_list.item(row))
    qtbot.waitUntil(lambda: editor.binding("retention").widget.isVisible())


def test_an_incomplete_entry_row_is_reported_not_dropped_silently(
    editor: ActivityEditor, prompts: ScriptedPrompts
) -> None:
    table = editor.binding("lawful_bases").widget
    assert isinstance(table, EntryTable)
    model = table.model
    row = model.add_row()
    assert model.setData(model.index(row, 1), "Needed to protect children")
    problems = editor.flush()
    assert problems == [f"Lawful basis row {row + 1}: choose the Article 6(1) basis"]
    prompts.expect("question", contains=problems[0], answer="Cancel")
    assert editor.close() is False
    # Closed again at the end of the test: this time the row is let go.
    prompts.expect("question", contains=problems[0], answer="Discard")
    assert model.data(model.index(row, 1)) == "Needed to protect children"


def test_text_typed_in_a_library_picker_is_added_on_close(
    editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    picker = editor.binding("recipients").widget
    assert isinstance(picker, LibraryPicker)
    picker.entry.setText("Ofsted")  # typed, Enter never pressed
    with_close = editor.close()
    assert with_close is True
    assert "Ofsted" in stored(register.path, activity_id).recipients


def test_the_register_wide_check_context_is_read_once_per_window(
    qtbot: QtBot, editor: ActivityEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ropa.checks

    loads: list[Register] = []
    real = ropa.checks.load_context

    def counted(register: Register) -> Any:
        loads.append(register)
        return real(register)

    monkeypatch.setattr(ropa.checks, "load_context", counted)
    name = line(editor, "name")
    for text in ("First", "Second"):
        name.setText(text)
        assert editor.flush() == []
        with qtbot.waitSignal(editor._checks_timer.timeout):
            pass
    assert loads == []  # read when the window opened, reused after each save


def test_why_each_recipient_gets_the_data_is_typed_beside_it(
    editor: ActivityEditor, register: Register, activity_id: int
) -> None:
    table = editor.binding("recipient_reasons").widget
    assert isinstance(table, EntryTable)
    model = table.model
    model.add_row()  # (the Add button also opens the row's first cell for typing)
    model.setData(model.index(0, 0), "Police")
    model.setData(model.index(0, 1), "To investigate a crime against a child")
    assert stored(register.path, activity_id).recipient_reasons == {
        "Police": "To investigate a crime against a child"
    }
