"""The mouse wheel and Ctrl+PgDn never change a value the user did not click into
(ui.widgets.wheel_guard), tried on "Our role" in the activity editor with real events."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDateEdit, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from ropa.records import ActivityRecord, Role
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.editors import open_editor
from ui.activity_editor import ActivityEditor

pytestmark = pytest.mark.gui

WHEEL_DOWN = QPoint(0, -120)  # one notch towards the user


@pytest.fixture
def editor(qtbot: QtBot, register: Register) -> ActivityEditor:
    created = register.activities.create(sample_activity(role=Role.CONTROLLER))
    assert created.id is not None
    window = open_editor(qtbot, register, created.id)
    window.resize(1000, 420)  # short enough that the Overview section scrolls
    qtbot.waitExposed(window)
    return window


def role_box(editor: ActivityEditor) -> QComboBox:
    editor.show_field("role", focus=False)
    combo = editor.binding("role").widget
    assert isinstance(combo, QComboBox)
    return combo


def stored(path: Path, activity_id: int) -> ActivityRecord:
    with Register.open(path, create=False) as other:
        return other.activities.get(activity_id)


def scroll_area_of(widget: QWidget) -> QScrollArea:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    assert parent is not None
    return parent


def wheel_over(widget: QWidget, delta: QPoint = WHEEL_DOWN) -> None:
    """A wheel notch as the window system delivers it, with the pointer over `widget`."""
    window = widget.window().windowHandle()
    assert window is not None
    at = widget.mapTo(widget.window(), widget.rect().center())
    QTest.wheelEvent(window, QPointF(at), delta)
    QApplication.processEvents()


def sent_wheel(widget: QWidget, delta: QPoint = WHEEL_DOWN) -> None:
    """A wheel event sent straight to the control."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(widget.rect().center())),
        QPoint(0, 0),
        delta,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_our_role_scrolls_the_form_and_changes_nothing(
    editor: ActivityEditor, register: Register
) -> None:
    combo = role_box(editor)
    assert not combo.hasFocus()
    before = combo.currentText()
    area = scroll_area_of(combo)
    form = area.widget()
    assert form is not None
    scroll = area.verticalScrollBar()
    scroll.setValue(max(0, combo.mapTo(form, QPoint()).y() - 60))
    QApplication.processEvents()
    position = scroll.value()
    assert scroll.maximum() > position  # there is room to scroll on

    wheel_over(combo)
    sent_wheel(combo)

    assert combo.currentText() == before == "Controller"
    assert not combo.hasFocus()  # the wheel does not take focus either
    assert scroll.value() > position  # the notch scrolled the form instead
    assert editor.record.id is not None
    assert stored(register.path, editor.record.id).role == Role.CONTROLLER


def test_the_wheel_steps_our_role_once_the_user_has_clicked_into_it(
    editor: ActivityEditor,
) -> None:
    combo = role_box(editor)
    combo.setFocus(Qt.FocusReason.MouseFocusReason)  # as a click gives it (without the list)
    assert combo.hasFocus()
    sent_wheel(combo)
    assert combo.currentText() != "Controller"


def test_ctrl_page_down_does_not_change_a_focused_drop_down(
    qtbot: QtBot, editor: ActivityEditor
) -> None:
    combo = role_box(editor)
    combo.setFocus(Qt.FocusReason.MouseFocusReason)
    assert combo.hasFocus()
    for key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
        qtbot.keyClick(combo, key, Qt.KeyboardModifier.ControlModifier)
        assert combo.currentText() == "Controller"


def test_ctrl_page_down_turns_the_editor_section_not_the_drop_down(
    qtbot: QtBot, editor: ActivityEditor
) -> None:
    combo = role_box(editor)
    editor.activateWindow()
    qtbot.waitActive(editor)
    combo.setFocus(Qt.FocusReason.MouseFocusReason)
    first = editor.sections.currentRow()
    qtbot.keyClick(combo, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert editor.sections.currentRow() == first + 1
    qtbot.keyClick(editor.sections, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert editor.sections.currentRow() == first
    assert combo.currentText() == "Controller"


def test_every_drop_down_spin_and_date_box_takes_focus_only_by_click_or_tab(
    editor: ActivityEditor,
) -> None:
    for index in range(editor.pages.count()):
        editor.sections.setCurrentRow(index)
    guarded = editor.findChildren(QComboBox) + editor.findChildren(QDateEdit)
    assert guarded, "the editor has drop-downs and date boxes"
    for widget in guarded:
        widget.ensurePolished()
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus, widget.accessibleName()


def test_a_date_box_ignores_the_wheel_until_clicked(editor: ActivityEditor) -> None:
    editor.show_field("next_review", focus=False)
    date_box = editor.binding("next_review").widget
    assert isinstance(date_box, QDateEdit)
    before = date_box.date()
    sent_wheel(date_box, QPoint(0, 120))
    wheel_over(date_box, QPoint(0, 120))
    assert date_box.date() == before
