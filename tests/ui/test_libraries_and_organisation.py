"""Libraries (rename, merge, where used), the organisation form, workers and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ropa.errors import ValidationError
from ropa.records import LibraryKind
from ropa.register import Register
from tests.helpers.prompts import ScriptedPrompts
from ui.libraries_view import LibrariesView
from ui.main_window import MainWindow, Page
from ui.organisation_dialog import OrganisationDialog
from ui.settings import AppSettings
from ui.widgets.conflict import KEPT_NOTE
from ui.workers import CancelledFn, ProgressFn, ProgressRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def libraries(qtbot: QtBot, demo_register: Register) -> LibrariesView:
    view = LibrariesView(demo_register, QUndoStack())
    qtbot.addWidget(view)
    return view


def item_named(view: LibrariesView, name: str) -> int:
    for row in range(view.model.rowCount()):
        if view.model.item(row).name == name:
            item_id = view.model.item(row).id
            assert item_id is not None
            return item_id
    raise AssertionError(name)


def test_library_model_passes_the_model_tester(
    qtmodeltester: ModelTester, libraries: LibrariesView
) -> None:
    qtmodeltester.check(libraries.model)
    qtmodeltester.check(libraries.proxy)


def test_rename_reaches_activities_and_the_table_and_undoes(
    libraries: LibrariesView, demo_register: Register
) -> None:
    kind_row = list(LibraryKind).index(LibraryKind.RECIPIENT)
    libraries.kinds.setCurrentRow(kind_row)
    police = item_named(libraries, "Police")
    users = demo_register.library.where_used(police)
    assert users
    libraries.select_item(police)
    assert libraries.used_by.count() == len(users)

    libraries.name_edit.setText("Police forces")
    libraries.name_edit.editingFinished.emit()
    assert item_named(libraries, "Police forces") == police
    activity = demo_register.activities.get(users[0][0])
    assert "Police forces" in activity.recipients

    libraries.undo_stack.undo()
    assert item_named(libraries, "Police") == police
    assert "Police" in demo_register.activities.get(users[0][0]).recipients


def test_merge_moves_every_use(libraries: LibrariesView, demo_register: Register) -> None:
    libraries.kinds.setCurrentRow(list(LibraryKind).index(LibraryKind.RECIPIENT))
    source = item_named(libraries, "Police")
    uses = {activity_id for activity_id, *_ in demo_register.library.where_used(source)}
    target = next(
        libraries.model.item(row).id
        for row in range(libraries.model.rowCount())
        if libraries.model.item(row).id != source
    )
    assert target is not None
    libraries.merge(source, target)
    assert uses <= {activity_id for activity_id, *_ in demo_register.library.where_used(target)}
    assert all(libraries.model.item(row).id != source for row in range(libraries.model.rowCount()))


def test_renaming_a_library_item_changes_what_activity_search_finds(
    qtbot: QtBot, demo_register: Register, settings: AppSettings
) -> None:
    window = MainWindow(demo_register, settings)
    qtbot.addWidget(window)
    window.show_page(Page.LIBRARIES)
    view = window.libraries_view
    view.kinds.setCurrentRow(list(LibraryKind).index(LibraryKind.RECIPIENT))
    view.select_item(item_named(view, "Police"))
    view.name_edit.setText("Constabulary")
    view.name_edit.editingFinished.emit()
    window.show_page(Page.ACTIVITIES)
    qtbot.keyClicks(window.activities_page.search, "constabulary")
    assert window.activities_page.proxy.rowCount() > 0
    window.app_actions.undo.trigger()
    # The search texts are read again in a worker, so the window never stalls after an edit.
    qtbot.waitUntil(lambda: window.activities_page.proxy.rowCount() == 0)


def test_organisation_dialog_saves_each_field(qtbot: QtBot, demo_register: Register) -> None:
    dialog = OrganisationDialog(demo_register)
    qtbot.addWidget(dialog)
    dialog.show()
    email = dialog.form.editor("dpo_email")
    assert isinstance(email, QLineEdit)
    email.setFocus()
    email.selectAll()
    qtbot.keyClicks(email, "dpo@example.gov.uk")
    qtbot.keyClick(email, Qt.Key.Key_Return)
    assert demo_register.organisation.get().dpo_email == "dpo@example.gov.uk"
    assert dialog.isVisible()  # Enter saved the field without closing the dialog
    address = dialog.form.editor("dpo_address")
    address.setFocus()
    qtbot.keyClicks(address, "Annexe B, ")  # typed at the start of the address
    dialog.close()  # typed text still in the box is saved on close
    assert demo_register.organisation.get().dpo_address.startswith("Annexe B, ")


def test_progress_runner_reports_and_cancels(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[int] = []

    def task(progress: ProgressFn, cancelled: CancelledFn) -> int:
        for done in range(1, 4):
            progress(done, 3)
        return 42

    runner = ProgressRunner(parent, "Test", "Working", task)
    runner.worker.progressed.connect(lambda done, _total: seen.append(done))
    with qtbot.waitSignal(runner.finished) as blocker:
        runner.start()
    assert blocker.args == [True, 42]
    assert seen[-1] == 3

    def endless(progress: ProgressFn, cancelled: CancelledFn) -> None:
        while not cancelled():
            progress(0, 1)
        raise ValidationError("stopped")

    runner = ProgressRunner(parent, "Test", "Working", endless)
    with qtbot.waitSignal(runner.finished) as blocker:
        runner.start()
        runner.cancel()
    assert blocker.args == [False, ""]


def test_settings_remember_recent_registers_and_folders(tmp_path: Path) -> None:
    settings = AppSettings.in_file(tmp_path / "s.ini")
    for name in ("a", "b", "a"):
        settings.add_recent_register(tmp_path / f"{name}.ropa")
    assert settings.recent_registers() == [tmp_path / "a.ropa", tmp_path / "b.ropa"]
    settings.set_last_folder("export", tmp_path)
    settings.sync()
    again = AppSettings.in_file(tmp_path / "s.ini")
    assert again.last_folder("export") == tmp_path
    assert again.recent_registers()[0] == tmp_path / "a.ropa"


def test_import_dialog_previews_then_imports(
    qtbot: QtBot, demo_register: Register, register: Register, tmp_path: Path
) -> None:
    from ropa import spreadsheets
    from ui.import_dialog import ImportDialog

    workbook = tmp_path / "ico.xlsx"
    spreadsheets.export_workbook(demo_register, workbook)
    dialog = ImportDialog(register, workbook)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_ready, timeout=20000):
        dialog.run_preview()
    assert register.activity_list.summaries() == []  # the preview changed nothing
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.import_button.click()
    exported = {s.reference for s in demo_register.activity_list.summaries()}
    imported = {s.reference for s in register.activity_list.summaries()}
    assert imported and imported <= exported


def test_organisation_conflict_keeps_what_was_typed(
    qtbot: QtBot, demo_register: Register, prompts: ScriptedPrompts
) -> None:
    prompts.expect("question", contains="Changed by someone else", answer="Reload")
    dialog = OrganisationDialog(demo_register)
    qtbot.addWidget(dialog)
    dialog.show()
    with Register.open(demo_register.path, create=False) as other:
        other.organisation.update({"name": "Their council"})
    email = dialog.form.editor("dpo_email")
    assert isinstance(email, QLineEdit)
    email.setFocus()
    email.selectAll()
    qtbot.keyClicks(email, "mine@example.gov.uk")
    qtbot.keyClick(email, Qt.Key.Key_Return)
    assert demo_register.organisation.get().dpo_email != "mine@example.gov.uk"
    name = dialog.form.editor("name")
    assert isinstance(name, QLineEdit)
    assert name.text() == "Their council"
    assert email.text() == "mine@example.gov.uk"
    assert dialog.form.note.text() == KEPT_NOTE
    qtbot.keyClick(email, Qt.Key.Key_Return)
    saved = demo_register.organisation.get()
    assert (saved.name, saved.dpo_email) == ("Their council", "mine@example.gov.uk")
    assert dialog.form.note.isHidden()


def test_undoing_two_edits_of_one_item_undoes_both(
    libraries: LibrariesView, demo_register: Register
) -> None:
    libraries.kinds.setCurrentRow(list(LibraryKind).index(LibraryKind.RECIPIENT))
    police = item_named(libraries, "Police")
    libraries.select_item(police)
    before = demo_register.library.get(police)
    libraries.name_edit.setText("Police forces")
    libraries.name_edit.editingFinished.emit()
    libraries.description_edit.setPlainText("All forces in England and Wales")
    libraries.flush()
    assert libraries.undo_stack.count() == 2
    libraries.undo_stack.undo()
    libraries.undo_stack.undo()
    after = demo_register.library.get(police)
    assert (after.name, after.description) == (before.name, before.description)
    assert libraries.undo_stack.index() == 0
    libraries.undo_stack.redo()
    libraries.undo_stack.redo()
    assert demo_register.library.get(police).description == "All forces in England and Wales"


def test_pages_shown_again_show_what_changed_meanwhile(
    qtbot: QtBot, demo_register: Register, settings: AppSettings
) -> None:
    """Libraries and Organisation are read again each time they are shown: an activity saved
    meanwhile may add an item or drop a use, and an import may change the contact details."""
    window = MainWindow(demo_register, settings)
    qtbot.addWidget(window)
    window.show()
    window.show_page(Page.LIBRARIES)
    view = window.libraries_view
    view.kinds.setCurrentRow(list(LibraryKind).index(LibraryKind.RECIPIENT))
    police = item_named(view, "Police")
    police_users = view.model.item(view.model.row_of(police) or 0).usage_count
    window.show_page(Page.ORGANISATION)
    telephone = window.organisation_form.editor("telephone")
    assert isinstance(telephone, QLineEdit)
    window.show_page(Page.ACTIVITIES)

    first = next(
        a for a in demo_register.activities.load() if "Police" in a.recipients
    )  # what the activity editor's save does, through the same service
    recipients = [name for name in first.recipients if name != "Police"] + ["Ofsted inspectors"]
    demo_register.activities.update(first.id or 0, {"recipients": recipients})
    demo_register.organisation.update({"telephone": "01632 999999"})

    window.show_page(Page.LIBRARIES)
    item_named(view, "Ofsted inspectors")  # raises if it is not listed
    assert view.model.item(view.model.row_of(police) or 0).usage_count == police_users - 1
    window.show_page(Page.ORGANISATION)
    assert telephone.text() == "01632 999999"
    website = window.organisation_form.editor("website")
    assert isinstance(website, QLineEdit)
    website.setText("https://example.gov.uk")
    website.editingFinished.emit()  # saved, not refused as someone else's change
    assert demo_register.organisation.get().website == "https://example.gov.uk"
    assert window.organisation_form.note.isHidden()
