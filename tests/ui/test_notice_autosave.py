"""Notices are saved as they are typed, like everything else in the app, and each save can be
undone and redone from the window's Undo (issue: only the notice editor needed Save)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from ropa.notices import NoticeRecord
from ropa.register import Register
from tests.helpers.prompts import ScriptedPrompts
from ui.main_window import MainWindow, Page
from ui.notices_view import NoticesView
from ui.settings import AppSettings

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot: QtBot, demo_register: Register) -> NoticesView:
    widget = NoticesView(demo_register)
    qtbot.addWidget(widget)
    return widget


def _stored(view: NoticesView, notice_id: int | None) -> NoticeRecord:
    return view.service.get(notice_id or 0)


def test_typing_is_saved_after_a_pause_without_save(qtbot: QtBot, view: NoticesView) -> None:
    notice = view.create_notice("Typed notice")
    qtbot.keyClicks(view.introduction_edit, "We run the libraries.")
    assert view.dirty
    qtbot.waitUntil(lambda: not view.dirty, timeout=10_000)
    assert _stored(view, notice.id).introduction == "We run the libraries."
    view.function_model.set_checked("Education", True)  # a tick, not typing: saved too
    qtbot.waitUntil(lambda: _stored(view, notice.id).business_functions == ["Education"])


def test_each_save_is_a_step_to_undo_and_redo(qtbot: QtBot, view: NoticesView) -> None:
    notice = view.create_notice("Undone notice")
    qtbot.keyClicks(view.introduction_edit, "First words.")
    qtbot.waitUntil(lambda: not view.dirty, timeout=10_000)
    qtbot.keyClicks(view.introduction_edit, " More words.")  # typing on: the same step
    qtbot.waitUntil(lambda: not view.dirty, timeout=10_000)
    view.function_model.set_checked("Education", True)
    qtbot.waitUntil(lambda: not view.dirty, timeout=10_000)
    stack = view.undo_stack
    assert stack.count() == 2
    assert stack.undoText() == "change notice business functions covered (“Undone notice”)"

    stack.undo()
    assert _stored(view, notice.id).business_functions == []
    assert view.function_model.checked_keys() == []
    assert stack.undoText().startswith("change notice introduction")
    stack.undo()
    assert _stored(view, notice.id).introduction == ""
    assert view.introduction_edit.toPlainText() == ""
    assert not view.dirty  # showing what was stored, nothing to save
    stack.redo()
    stack.redo()
    stored = _stored(view, notice.id)
    assert stored.introduction == "First words. More words."
    assert stored.business_functions == ["Education"]
    assert view.introduction_edit.toPlainText() == "First words. More words."


def test_undo_saves_typing_not_yet_saved_first(qtbot: QtBot, view: NoticesView) -> None:
    """Nothing typed is lost: Undo within the pause saves the typing, then undoes the step."""
    notice = view.create_notice("Hurried notice")
    view.function_model.set_checked("Education", True)
    qtbot.waitUntil(lambda: not view.dirty, timeout=10_000)
    qtbot.keyClicks(view.contact_edit, "Ring us.")
    assert view.dirty
    view.undo_stack.undo()
    stored = _stored(view, notice.id)
    assert stored.business_functions == [] and stored.contact_text == "Ring us."
    assert view.contact_edit.toPlainText() == "Ring us."


def test_undo_over_someone_elses_change_is_refused_and_overwrites_nothing(
    qtbot: QtBot, view: NoticesView, demo_register: Register, prompts: ScriptedPrompts
) -> None:
    prompts.expect("warning", contains="changed by someone else")
    notice = view.create_notice("Shared notice")
    qtbot.keyClicks(view.introduction_edit, "Mine.")
    qtbot.waitUntil(lambda: not view.dirty, timeout=10_000)
    with Register.open(demo_register.path, create=False) as other:
        mine = other.notices.get(notice.id or 0)
        other.notices.update(notice.id or 0, {"title": "Theirs"}, mine.version)
    view.undo_stack.undo()
    assert len(prompts.shown) == 1
    stored = _stored(view, notice.id)
    assert stored.title == "Theirs" and stored.introduction == "Mine."


def test_the_windows_undo_reaches_the_notices(
    qtbot: QtBot, demo_register: Register, settings: AppSettings
) -> None:
    main = MainWindow(demo_register, settings)
    qtbot.addWidget(main)
    main.show_page(Page.NOTICES)
    notices = main.page(Page.NOTICES)
    assert isinstance(notices, NoticesView)
    assert notices.undo_stack is main.undo_stack
    notice = notices.create_notice("Window notice")
    qtbot.keyClicks(notices.title_edit, " (draft)")
    qtbot.waitUntil(lambda: not notices.dirty, timeout=10_000)
    assert _stored(notices, notice.id).title == "Window notice (draft)"
    main.undo()
    assert _stored(notices, notice.id).title == "Window notice"
    assert notices.title_edit.text() == "Window notice"
