"""The main window: pages, activities through the form, multi-select actions, registers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from ropa.records import ActivityRecord, LibraryKind, Status
from ropa.register import Register
from tests.helpers.prompts import ScriptedPrompts
from tests.helpers.register_files import copy_register_file
from tests.helpers.waits import with_short_wait
from ui.activity_table_model import Column
from ui.app import APP_STORAGE
from ui.main_window import MainWindow, Page
from ui.notices_view import NoticesView
from ui.settings import AppSettings
from ui.widgets.library_picker import LibraryPicker

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, demo_register: Register, settings: AppSettings) -> MainWindow:
    main = MainWindow(demo_register, settings)
    qtbot.addWidget(main)
    main.show()
    return main


def references(window: MainWindow) -> list[str]:
    proxy = window.activities_page.proxy
    return [proxy.index(row, Column.REFERENCE).data() for row in range(proxy.rowCount())]


def test_lists_the_demo_activities_and_shows_the_register(
    window: MainWindow, demo_register: Register
) -> None:
    assert len(references(window)) == len(
        demo_register.activity_list.summaries(include_retired=False)
    )
    assert references(window)[0] == "CS-001"
    assert str(demo_register.path) in window.path_label.text()
    assert window.state_label.text() == "Changes are saved as you work"
    assert window.settings.recent_registers() == [demo_register.path.resolve()]


def test_every_page_opens(window: MainWindow) -> None:
    for number, action in enumerate(window.app_actions.pages):
        action.trigger()
        assert window.stack.currentIndex() == number
        assert window.current_page() is not None
    assert window.current_page() is window.page(Page.CHECKS)


def test_gaps_column_fills_in_from_the_checks(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.activities_page.model.index(0, Column.GAPS).data() != "")
    window.activities_page.gaps_filter.setChecked(True)
    assert window.activities_page.proxy.rowCount() > 0


def test_create_an_activity_through_the_form(
    qtbot: QtBot, window: MainWindow, demo_register: Register
) -> None:
    dialog = window.new_activity()
    assert not dialog.ok_button.isEnabled()  # a name is required
    qtbot.keyClicks(dialog.name, "School transport")
    dialog.business_function.setEditText("Education")
    dialog.ok_button.click()
    [summary] = [s for s in demo_register.activity_list.summaries() if s.name == "School transport"]
    created = demo_register.activities.get(summary.id)
    assert created.business_function == "Education"
    assert created.id in window.editors
    assert window.activities_page.selected_ids() == [created.id]
    window.editors[created.id].close()


def test_search_box_finds_text_from_inside_activities(qtbot: QtBot, window: MainWindow) -> None:
    window.app_actions.find.trigger()
    qtbot.keyClicks(window.activities_page.search, "fostering")
    assert 0 < len(references(window)) < len(window.activities_page.model.rows)


def test_duplicate_retire_and_delete_the_selection(
    window: MainWindow, demo_register: Register, prompts: ScriptedPrompts
) -> None:
    page = window.activities_page
    first_two = [summary.id for summary in page.model.rows[:2]]
    page.select_ids(first_two)
    window.app_actions.duplicate.trigger()
    copies = page.selected_ids()
    assert len(copies) == 2 and set(copies).isdisjoint(first_two)
    total = len(demo_register.activity_list.summaries(include_retired=False))

    prompts.expect("question", contains="Retire 2 activities?", answer="Cancel")
    window.app_actions.retire.trigger()  # said no: nothing changes
    assert len(demo_register.activity_list.summaries(include_retired=False)) == total
    prompts.expect("question", contains="Retire 2 activities?", answer="Retire")
    window.app_actions.retire.trigger()
    assert len(demo_register.activity_list.summaries(include_retired=False)) == total - 2
    assert {
        s.status
        for s in demo_register.activity_list.summaries(include_retired=True)
        if s.id in copies
    } == {Status.RETIRED}
    page.status_filter.setCurrentIndex(page.status_filter.findData("all"))
    page.select_ids(copies)
    prompts.expect("question", contains="Delete 2 activities for good?", answer="Delete")
    window.app_actions.delete.trigger()
    remaining = {s.id for s in demo_register.activity_list.summaries(include_retired=True)}
    assert remaining.isdisjoint(copies)


def test_create_and_open_registers(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    demo_register: Register,
    prompts: ScriptedPrompts,
) -> None:
    fresh = tmp_path / "fresh.ropa"
    prompts.expect("save path", contains="New register", answer=fresh)
    with qtbot.waitSignal(window.register_changed):
        window.app_actions.new_register.trigger()
    assert window.register.path == fresh and fresh.exists()
    assert references(window) == []
    assert "fresh" in window.windowTitle()

    prompts.expect("open path", contains="Open register", answer=demo_register.path)
    with qtbot.waitSignal(window.register_changed):
        window.app_actions.open_register.trigger()
    assert window.register.path == demo_register.path
    assert len(references(window)) == len(
        demo_register.activity_list.summaries(include_retired=False)
    )
    assert window.settings.recent_registers()[:2] == [demo_register.path.resolve(), fresh.resolve()]


def test_a_register_in_use_stays_among_the_recent_ones(
    qtbot: QtBot,
    tmp_path: Path,
    demo_register: Register,
    settings: AppSettings,
    prompts: ScriptedPrompts,
    request: pytest.FixtureRequest,
) -> None:
    """Refused because another program holds it, the register is still the DPO's: the
    message says to open it again, so it stays on the list to open it from. A file that is
    not a register leaves the list, as before."""
    from tests.helpers.lock_holder import held_by_another_program

    # The app's way of keeping registers, waiting 1 s for a busy one (its own wait is 5 s).
    options = with_short_wait(APP_STORAGE)
    shown = Register.open(
        copy_register_file(demo_register.path, tmp_path / "shown.ropa"), options=options
    )
    request.addfinalizer(shown.close)
    window = MainWindow(shown, settings)
    qtbot.addWidget(window)
    busy = copy_register_file(demo_register.path, tmp_path / "busy.ropa")
    not_a_register = tmp_path / "notes.ropa"
    not_a_register.write_text("minutes of the last meeting", encoding="utf-8")
    for path in (not_a_register, busy):
        window.settings.add_recent_register(path)
    with held_by_another_program(busy):
        prompts.expect("open path", contains="Open register", answer=busy)
        prompts.expect("warning", contains="in use by another program")
        window.app_actions.open_register.trigger()
    prompts.expect("open path", contains="Open register", answer=not_a_register)
    prompts.expect("warning", contains="Cannot open the register")
    window.app_actions.open_register.trigger()
    assert window.register is shown
    recent = window.settings.recent_registers()
    assert busy.resolve() in recent and not_a_register.resolve() not in recent


def test_window_geometry_is_remembered(
    qtbot: QtBot, demo_register: Register, settings: AppSettings
) -> None:
    first = MainWindow(demo_register, settings)
    qtbot.addWidget(first)
    first.resize(720, 520)
    first.close()
    second = MainWindow(demo_register, settings)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (720, 520)


def test_printed_list_escapes_user_text(window: MainWindow, demo_register: Register) -> None:
    first = window.activities_page.model.rows[0]
    demo_register.activities.update(first.id, {"name": "<b>Bold</b> & co"})
    window.reload_activities()
    html = window.activities_html()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    assert "<b>Bold" not in html


def test_export_runs_off_the_gui_thread(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedPrompts,
) -> None:
    import threading

    import openpyxl

    import ropa.spreadsheets

    # The export is the real one; the thread it ran on is noted on the way in.
    writing_threads: list[threading.Thread] = []
    real_export = ropa.spreadsheets.export_workbook

    def noting_thread(*args: Any, **kwargs: Any) -> Any:
        writing_threads.append(threading.current_thread())
        return real_export(*args, **kwargs)

    monkeypatch.setattr(ropa.spreadsheets, "export_workbook", noting_thread)
    target = tmp_path / "out.xlsx"
    prompts.expect("save path", contains="Export controller workbook", answer=target)
    runner = window.export_workbook(processor=False)
    assert runner is not None
    with qtbot.waitSignal(runner.finished, timeout=20000) as blocker:
        pass
    assert blocker.args is not None and blocker.args[0] is True
    assert openpyxl.load_workbook(target).sheetnames
    assert len(writing_threads) == 1
    assert writing_threads[0] is not threading.main_thread()


def test_the_status_bar_tells_the_truth_about_saving_on_each_page(window: MainWindow) -> None:
    # Notices save as you type too (after a pause, tests/ui/test_notice_autosave.py), so no
    # page may tell the user to press Save.
    pages = (Page.ACTIVITIES, Page.NOTICES, Page.LIBRARIES, Page.ORGANISATION, Page.CHECKS)
    for page in pages:
        window.show_page(page)
        assert window.state_label.text() == "Changes are saved as you work", page


def test_open_editors_follow_an_import_and_keep_unsaved_text(
    qtbot: QtBot, window: MainWindow, demo_register: Register
) -> None:
    activity_id = window.activities_page.model.rows[0].id
    editor = window.open_activity(activity_id)
    assert editor is not None
    with Register.open(demo_register.path, create=False) as other:  # as an import would
        other.activities.update(activity_id, {"owner": "Imported owner"})
    notes = editor.binding("notes").widget
    assert isinstance(notes, QPlainTextEdit)
    notes.setPlainText("Typed, not saved yet")
    window._after_import()
    owner = editor.binding("owner").widget
    assert isinstance(owner, QLineEdit)
    assert owner.text() == "Imported owner"
    assert notes.toPlainText() == "Typed, not saved yet"
    assert editor.flush() == []  # saved on the imported version: no conflict
    stored = demo_register.activities.get(activity_id)
    assert (stored.owner, stored.notes) == ("Imported owner", "Typed, not saved yet")


def test_a_refused_delete_leaves_the_editor_open(
    window: MainWindow, demo_register: Register, prompts: ScriptedPrompts
) -> None:
    activity_id = window.activities_page.model.rows[0].id
    editor = window.open_activity(activity_id)
    assert editor is not None
    with Register.open(demo_register.path, create=False) as other:  # the table is now stale
        other.activities.update(activity_id, {"owner": "Someone else"})
    prompts.expect("question", contains="Delete 1 activity for good?", answer="Delete")
    prompts.expect("warning", contains="Not deleted")
    window.activities_page.select_ids([activity_id])
    window.app_actions.delete.trigger()
    assert len(prompts.texts("warning")) == 1
    assert demo_register.activities.get(activity_id).owner == "Someone else"
    assert window.editors.get(activity_id) is editor
    assert editor.isVisible()


def test_a_library_rename_leaves_what_an_editor_holds(
    window: MainWindow, demo_register: Register
) -> None:
    police = next(
        item for item in demo_register.library.items(LibraryKind.RECIPIENT) if item.name == "Police"
    )
    assert police.id is not None
    activity_id = demo_register.library.where_used(police.id)[0][0]
    editor = window.open_activity(activity_id)
    assert editor is not None
    owner = editor.binding("owner").widget
    assert isinstance(owner, QLineEdit)
    owner.setText("Saved owner")
    assert editor.flush() == []
    notes = editor.binding("notes").widget
    assert isinstance(notes, QPlainTextEdit)
    notes.setPlainText("Typed, not saved yet")
    view = window.libraries_view
    view.kinds.setCurrentRow(list(LibraryKind).index(LibraryKind.RECIPIENT))
    view.select_item(police.id)
    view.name_edit.setText("Constabulary")
    view.name_edit.editingFinished.emit()
    assert notes.toPlainText() == "Typed, not saved yet"
    assert editor.undo_stack.count() == 1
    picker = editor.binding("recipients").widget
    assert isinstance(picker, LibraryPicker)
    assert "Constabulary" in picker.names()
    assert editor.flush() == []  # no false "changed by someone else"
    assert demo_register.activities.get(activity_id).notes == "Typed, not saved yet"


def test_a_review_step_is_refused_while_an_editor_holds_an_unsaveable_change(
    window: MainWindow,
    demo_register: Register,
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedPrompts,
) -> None:
    summary = next(s for s in window.activities_page.model.rows if s.status == Status.DRAFT)
    editor = window.open_activity(summary.id)
    assert editor is not None
    monkeypatch.setattr(editor, "_report_error", lambda *_args: None)
    name = editor.binding("name").widget
    assert isinstance(name, QLineEdit)
    name.setText("")  # a name is required: cannot be saved
    prompts.expect("warning", contains="not saved")
    window.activities_page.select_ids([summary.id])
    assert window.submit_selected_for_review() is False
    assert len(prompts.texts("warning")) == 1
    assert demo_register.activities.get(summary.id).status == Status.DRAFT
    assert name.text() == ""
    # Closing the window at the end closes the editor, which asks about the unsaved name.
    prompts.expect("question", contains="Some changes are not saved", answer="Discard")


def test_unsaved_notice_edits_are_settled_before_closing_or_switching(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notices = window.page(Page.NOTICES)
    asked: list[str] = []

    def cancelled() -> bool:
        asked.append("asked")
        return False

    monkeypatch.setattr(notices, "maybe_save", cancelled)
    other = tmp_path / "other.ropa"
    assert window.switch_to(other, create=True) is False
    assert not other.exists()
    assert window.close() is False
    assert window.isVisible()
    assert asked == ["asked", "asked"]
    monkeypatch.setattr(notices, "maybe_save", lambda: True)


def test_a_reload_reads_the_search_texts_off_the_gui_thread(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After every save the list is reloaded; the search texts of a large register take a
    noticeable moment to read, so that part must never run on the GUI thread."""
    import threading

    from ropa.storage.activity_list import ActivityList

    window.wait_for_background()  # the first texts are loaded
    original = ActivityList.search_texts
    threads: list[str] = []

    def recording(self: ActivityList) -> dict[int, str]:
        threads.append(threading.current_thread().name)
        return original(self)

    monkeypatch.setattr(ActivityList, "search_texts", recording)
    first = window.activities_page.model.rows[0]
    window.register.activities.update(first.id, {"description": "Now includes zebras."})
    window.reload_activities()
    qtbot.waitUntil(lambda: bool(threads))
    window.wait_for_background()
    assert threading.main_thread().name not in threads
    window.activities_page.search.setText("zebras")
    qtbot.waitUntil(lambda: references(window) == [first.reference])


def test_an_empty_register_says_where_to_start(
    qtbot: QtBot, register: Register, settings: AppSettings
) -> None:
    window = MainWindow(register, settings)
    qtbot.addWidget(window)
    window.show()
    hint = window.activities_page.empty_hint
    assert hint.isVisible()
    assert "Import ICO workbook" in hint.text() and "example register" in hint.text()
    window.register.activities.create(ActivityRecord(name="First"))
    window.reload_activities()
    assert not hint.isVisible()


def test_a_keystroke_before_the_search_text_arrives_waits_for_that_read(
    qtbot: QtBot, demo_register: Register, settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a large register the first keystroke can come while the search text is still being
    read: it waits for that read rather than reading it all again on the GUI thread."""
    import threading

    from ropa.storage.activity_list import ActivityList

    original = ActivityList.search_texts
    reads: list[str] = []
    gate = threading.Event()

    def slow(self: ActivityList) -> dict[int, str]:
        reads.append(threading.current_thread().name)
        gate.wait(10)
        return original(self)

    monkeypatch.setattr(ActivityList, "search_texts", slow)
    window = MainWindow(demo_register, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(reads))  # the background read has begun, and is held
    threading.Timer(0.2, gate.set).start()
    qtbot.keyClicks(window.activities_page.search, "fostering")
    assert len(reads) == 1 and reads[0] != threading.main_thread().name
    assert "CS-003" in references(window)
    window.wait_for_background()
    assert len(reads) == 1


def test_closing_stops_the_background_checks(
    qtbot: QtBot, demo_register: Register, settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks for the Gaps column take seconds on a large register; closing the window
    asks them to stop rather than waiting for them to finish."""
    import threading

    import ropa.checks.engine as engine

    started, asked_to_stop = threading.Event(), threading.Event()
    original = engine.check_activities

    def long_check(records, context, *, cancelled):  # type: ignore[no-untyped-def]
        started.set()
        for _ in range(1000):  # ten seconds at most, far longer than closing should take
            if cancelled():
                asked_to_stop.set()
                break
            threading.Event().wait(0.01)
        return original(records, context, cancelled=cancelled)

    monkeypatch.setattr(engine, "check_activities", long_check)
    window = MainWindow(demo_register, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(started.is_set, timeout=20000)
    assert window.close()
    assert asked_to_stop.is_set()
    assert not window.isVisible()


def test_the_gaps_column_follows_an_edit_in_the_editor(
    qtbot: QtBot, register: Register, settings: AppSettings
) -> None:
    """Adding a retention rule in the editor: the list's Gaps count drops with the editor's
    (it stayed at the old count until the register was opened again)."""
    from ropa.checks import gap_counts, run_checks
    from ropa.records import RetentionEntry
    from tests.helpers.activities import sample_activity

    created = register.activities.create(sample_activity(retention=[]))
    assert created.id is not None
    main = MainWindow(register, settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: main.activities_page.model.gaps(created.id or 0) not in (None, 0))
    before = main.activities_page.model.gaps(created.id) or 0
    assert before == gap_counts(run_checks(register))[created.id] >= 1

    editor = main.open_activity(created.id)
    assert editor is not None
    editor.binding("retention").set([RetentionEntry("6 years", "case closure")])
    assert editor.save_field("retention")
    with qtbot.waitSignal(main.gaps_loaded, timeout=15000):
        pass
    after = main.activities_page.model.gaps(created.id)
    assert after == before - 1 == gap_counts(run_checks(register)).get(created.id, 0)
    qtbot.waitUntil(lambda: editor.gaps_list.count() == after)


def test_export_and_new_register_dialogs_start_beside_the_register(
    window: MainWindow, demo_register: Register, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    for _cancelled in range(3):
        prompts.expect("save path", answer=None)
    beside = Path(demo_register.path).parent
    assert beside != Path.home()
    window.app_actions.export_controller.trigger()
    window.app_actions.new_register.trigger()
    starts = [shown.start or Path() for shown in prompts.shown]
    assert starts[0].parent == beside  # with the workbook's suggested name
    assert starts[0].name.endswith("controller.xlsx")
    assert starts[1] == beside
    # A folder chosen once for exports is where the next export starts.
    elsewhere = tmp_path / "exports"
    elsewhere.mkdir()
    window.settings.set_last_folder("export", elsewhere)
    window.app_actions.export_controller.trigger()
    last = prompts.shown[-1].start
    assert last is not None and last.parent == elsewhere


def test_a_read_only_register_greys_out_every_change_and_says_why(
    qtbot: QtBot, register: Register, settings: AppSettings
) -> None:
    path = register.path
    register.activities.create(ActivityRecord(name="Payroll", business_function="Finance"))
    register.notices.create(title="Staff privacy notice")
    register.close()
    with Register.open(path, create=False, read_only=True, options=APP_STORAGE) as read_only:
        window = MainWindow(read_only, settings)
        qtbot.addWidget(window)
        window.show()
        a = window.app_actions
        assert window.state_label.text() == "Read-only: save a copy to make changes"
        for action in (a.new_activity, a.import_workbook, a.organisation, a.approve):
            assert not action.isEnabled()
        assert "read-only" in a.organisation.toolTip()
        window.activities_page.select_ids([window.activities_page.model.rows[0].id])
        assert a.open_activity.isEnabled()  # reading stays open
        assert not (a.retire.isEnabled() or a.delete.isEnabled() or a.duplicate.isEnabled())
        assert not window.libraries_view.add_button.isEnabled()
        assert not window.organisation_form.isEnabled()
        notices = window.page(Page.NOTICES)
        assert isinstance(notices, NoticesView)
        assert notices.title_edit.isReadOnly() and not notices.new_action.isEnabled()
        assert notices.read_only_note.text().startswith("The register is read-only")
        assert "read-only" in notices.publish_action.toolTip()
        window.close()
