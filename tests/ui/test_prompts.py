"""The prompt service: Qt's boxes answer as the service promises, the windows use the one
they are given, and the tests' script fails on any prompt it was not told to expect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from ropa.records import LibraryItemRecord, LibraryKind
from ropa.register import Register
from tests.helpers.prompts import ScriptedPrompts, UnexpectedPromptError
from ui.app import show_main_window
from ui.checks_view import ChecksView
from ui.libraries_view import LibrariesView
from ui.main_window import MainWindow, Page
from ui.prompts import QtPrompts
from ui.settings import AppSettings

pytestmark = pytest.mark.gui


def when_shown(answer: Callable[[QWidget], None]) -> None:
    """Answer the modal box about to open, once it is the active modal widget."""

    def answer_it() -> None:
        box = QApplication.activeModalWidget()
        if box is None:  # not up yet
            QTimer.singleShot(10, answer_it)
            return
        answer(box)

    QTimer.singleShot(0, answer_it)


def ask_reload_or_cancel(parent: QWidget) -> str:
    return QtPrompts().question(
        parent,
        "Changed by someone else",
        "Someone saved first.",
        ("Reload", "Cancel"),
        default="Cancel",
    )


@pytest.mark.real_dialogs
@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape])
def test_enter_and_escape_choose_the_default_in_a_real_box(qtbot: QtBot, key: Qt.Key) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    when_shown(lambda box: qtbot.keyClick(box, key))
    assert ask_reload_or_cancel(parent) == "Cancel"


@pytest.mark.real_dialogs
def test_a_named_choice_clicked_in_a_real_box_is_returned(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[list[str]] = []

    def click_reload(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append([button.text().replace("&", "") for button in box.buttons()])
        (reload_button,) = [b for b in box.buttons() if b.text() == "Reload"]
        reload_button.click()

    when_shown(click_reload)
    assert ask_reload_or_cancel(parent) == "Reload"
    assert sorted(seen[0]) == ["Cancel", "Reload"]


@pytest.mark.real_dialogs
def test_a_secret_text_is_typed_as_dots_and_cancel_gives_none(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    modes: list[QLineEdit.EchoMode] = []

    def type_and_accept(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        modes.append(dialog.textEchoMode())
        dialog.setTextValue("s3cret")
        dialog.accept()

    when_shown(type_and_accept)
    assert QtPrompts().text(parent, "Password", "Password:", secret=True) == "s3cret"
    assert modes == [QLineEdit.EchoMode.Password]
    when_shown(lambda dialog: qtbot.keyClick(dialog, Qt.Key.Key_Escape))
    assert QtPrompts().text(parent, "Name", "Name:") is None


def test_a_question_whose_default_is_not_offered_is_refused() -> None:
    with pytest.raises(ValueError, match="must be among the choices"):
        QtPrompts().question(None, "Delete", "Delete it?", ("Delete", "Cancel"), default="No")


def test_a_window_made_without_prompts_uses_the_tests_script(
    qtbot: QtBot, register: Register, prompts: ScriptedPrompts
) -> None:
    police = register.library.create(LibraryItemRecord(kind=LibraryKind.RECIPIENT, name="Met"))
    assert police.id is not None
    view = LibrariesView(register, QUndoStack())
    qtbot.addWidget(view)
    assert view.prompts is prompts
    view.kinds.setCurrentRow(list(LibraryKind).index(LibraryKind.RECIPIENT))
    view.select_item(police.id)
    prompts.expect("question", contains="Delete \u201cMet\u201d from the library?", answer="No")
    view.delete_current()
    assert prompts.shown[0].default == "No"
    assert police.id in {item.id for item in register.library.items(LibraryKind.RECIPIENT)}
    prompts.expect("question", contains="Delete \u201cMet\u201d", answer="Yes")
    view.delete_current()
    assert police.id not in {item.id for item in register.library.items(LibraryKind.RECIPIENT)}


def test_the_app_hands_its_prompts_to_the_window_and_says_why_a_file_cannot_open(
    qtbot: QtBot, tmp_path: Path, register: Register, settings: AppSettings
) -> None:
    given = ScriptedPrompts()
    window = show_main_window(register.path, settings, given)
    assert window is not None
    qtbot.addWidget(window)
    assert window.prompts is given
    window.register.close()
    not_a_register = tmp_path / "notes.ropa"
    not_a_register.write_text("shopping list")
    given.expect("error", contains="is not a ROPA desk register")
    assert show_main_window(not_a_register, settings, given) is None
    given.check_finished()


def test_an_unexpected_prompt_fails_at_once_and_again_at_the_end() -> None:
    script = ScriptedPrompts()
    with pytest.raises(UnexpectedPromptError, match="unexpected warning 'Not saved'"):
        script.warning(None, "Not saved", "The disk is full.")
    with pytest.raises(UnexpectedPromptError, match="unexpected warning 'Not saved'"):
        script.check_finished()  # even if the code swallowed the first failure


def test_a_prompt_other_than_the_next_expected_fails() -> None:
    script = ScriptedPrompts()
    script.expect("question", contains="Delete", answer="Delete")
    with pytest.raises(UnexpectedPromptError, match="next expected is a question"):
        script.question(None, "Retire", "Retire 2?", ("Retire", "Cancel"), default="Cancel")
    with pytest.raises(UnexpectedPromptError):
        script.check_finished()


def test_an_answer_that_is_not_one_of_the_choices_fails() -> None:
    script = ScriptedPrompts()
    script.expect("question", contains="Delete", answer="Yes")
    with pytest.raises(UnexpectedPromptError, match="offers \\('Delete', 'Cancel'\\)"):
        script.question(None, "Delete", "Delete it?", ("Delete", "Cancel"), default="Cancel")
    with pytest.raises(UnexpectedPromptError):
        script.check_finished()


def test_an_expected_prompt_never_shown_fails_at_the_end() -> None:
    script = ScriptedPrompts()
    script.expect("warning", contains="Not saved")
    with pytest.raises(UnexpectedPromptError, match="containing 'Not saved', never shown"):
        script.check_finished()


def test_expected_prompts_are_answered_in_order_and_recorded() -> None:
    script = ScriptedPrompts()
    script.expect("question", contains="Delete", answer="Delete")
    script.expect("save path", contains="Export", answer=Path("out.xlsx"))
    script.expect("text", contains="Name", answer=None)
    assert script.question(None, "Delete", "Delete it?", ("Delete", "Cancel"), default="Cancel")
    assert script.save_path(None, "Export", Path("start"), "*.xlsx") == (Path("out.xlsx"), "")
    assert script.text(None, "Add", "Name of the new item:") is None
    assert [shown.kind for shown in script.shown] == ["question", "save path", "text"]
    script.check_finished()


def test_a_direct_qt_box_in_a_gui_test_fails_instead_of_waiting(
    prompts: ScriptedPrompts,
) -> None:
    with pytest.raises(UnexpectedPromptError, match=r"QMessageBox\.warning called directly"):
        QMessageBox.warning(None, "Not saved", "The disk is full.")
    with pytest.raises(UnexpectedPromptError):
        prompts.check_finished()  # taken here, so that this test itself passes


def test_the_main_window_hands_its_prompts_to_the_pages_and_windows_it_makes(
    qtbot: QtBot, demo_register: Register, settings: AppSettings
) -> None:
    given = ScriptedPrompts()
    window = MainWindow(demo_register, settings, prompts=given)
    qtbot.addWidget(window)
    checks = window.page(Page.CHECKS)
    assert isinstance(checks, ChecksView)
    editor = window.open_activity(window.activities_page.model.rows[0].id)
    assert editor is not None
    dialog = window.show_organisation_dialog()
    used = [
        window.libraries_view.prompts,
        window.organisation_form.prompts,
        checks.prompts,
        editor.prompts,
        dialog.form.prompts,
    ]
    assert all(prompts is given for prompts in used)


SCRIPTED_RUN = """
import ui.prompts


def test_an_unexpected_warning():
    ui.prompts.prompts_or_default(None).warning(None, "Not saved", "The disk is full.")


def test_an_unexpected_warning_the_code_swallowed():
    try:
        ui.prompts.prompts_or_default(None).warning(None, "Not saved", "The disk is full.")
    except AssertionError:
        pass


def test_an_expected_warning_never_shown(prompts):
    prompts.expect("warning", contains="Not saved")


def test_an_expected_warning_shown(prompts):
    prompts.expect("warning", contains="Not saved")
    ui.prompts.prompts_or_default(None).warning(None, "Not saved", "The disk is full.")
"""


def test_the_fixture_fails_the_tests_whose_prompts_were_not_as_expected(tmp_path: Path) -> None:
    """The `prompts` fixture itself, in a pytest run of its own: each way a test's prompts
    can differ from its script fails that test; the one that matches passes."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    (tmp_path / "conftest.py").write_text(
        "from tests.ui.conftest import (  # noqa: F401\n"
        "    prompts, pytest_configure, pytest_runtest_makereport\n"
        ")\n"
    )
    (tmp_path / "test_scripted.py").write_text(SCRIPTED_RUN)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rA",
            "-c",
            os.devnull,
            "--rootdir=.",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    outcome = {
        line.split(" ")[0] + " " + line.split("::")[-1].split(" ")[0]
        for line in run.stdout.splitlines()
        if line.startswith(("PASSED ", "FAILED ", "ERROR "))
    }
    assert outcome == {
        "FAILED test_an_unexpected_warning",
        "PASSED test_an_unexpected_warning_the_code_swallowed",
        "ERROR test_an_unexpected_warning_the_code_swallowed",
        "PASSED test_an_expected_warning_never_shown",
        "ERROR test_an_expected_warning_never_shown",
        "PASSED test_an_expected_warning_shown",
    }, run.stdout
