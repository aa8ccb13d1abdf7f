"""The review cycle in the app: submit, approve (who and when), mark reviewed, reinstate,
from the activities table and the activity editor, each refused whole when someone else
changed an activity first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QLabel, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ropa.dates import add_months
from ropa.identity import current_user
from ropa.records import ActivityRecord, Status
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.editors import open_editor
from tests.helpers.prompts import ScriptedPrompts
from ui.activity_editor import ActivityEditor
from ui.activity_table_model import (
    STATUS_DUE,
    STATUS_OVERDUE,
    ActivityFilterProxy,
    ActivityTableModel,
    Column,
)
from ui.app import APP_STORAGE
from ui.main_window import MainWindow
from ui.review import MARK_REVIEWED, REINSTATE, Approval, ApproveDialog, approve_step
from ui.settings import AppSettings

pytestmark = pytest.mark.gui


def stored(path: Path, activity_id: int) -> ActivityRecord:
    """The activity as a fresh connection to the file sees it."""
    with Register.open(path, create=False, daily_backup=False) as other:
        return other.activities.get(activity_id)


@pytest.fixture
def ids(register: Register) -> list[int]:
    made = [
        register.activities.create(sample_activity(reference=f"CS-00{n}", name=f"Activity {n}"))
        for n in (1, 2, 3)
    ]
    return [record.id for record in made if record.id is not None]


@pytest.fixture
def window(qtbot: QtBot, register: Register, ids: list[int], settings: AppSettings) -> MainWindow:
    main = MainWindow(register, settings)
    qtbot.addWidget(main)
    main.show()
    return main


def approve_as(who: str, next_review: dt.date | None = None) -> object:
    return lambda _what, errors=(): Approval(
        who, next_review or add_months(dt.date.today(), 12), despite_errors=bool(errors)
    )


def test_approving_two_activities_records_who_when_and_the_next_review(
    window: MainWindow, register: Register, ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "ask_approval", approve_as("Jane Smith (DPO)"))
    for activity_id in ids:  # a date the approval will move, so the history has the line
        register.activities.update(activity_id, {"next_review": None})
    window.reload_activities()
    window.activities_page.select_ids(ids[:2])
    assert window.app_actions.approve.isEnabled()
    window.app_actions.approve.trigger()
    for activity_id in ids[:2]:
        record = stored(register.path, activity_id)
        assert record.status == Status.APPROVED
        assert record.approved_by == "Jane Smith (DPO)"
        assert record.approved_on == dt.date.today()
        assert record.last_reviewed == dt.date.today()
        assert record.next_review == add_months(dt.date.today(), 12)
        lines = {
            (change.field, change.new_value)
            for change in register.history.changes(entity_type="activity", entity_id=activity_id)
        }
        assert ("approved_by", "Jane Smith (DPO)") in lines
        assert ("status", "approved") in lines
        assert ("next_review", add_months(dt.date.today(), 12).isoformat()) in lines
    assert stored(register.path, ids[2]).status == Status.DRAFT  # not selected, not touched
    assert "2 activities approved by Jane Smith (DPO)" in window.statusBar().currentMessage()
    assert "not undone with Undo" in window.statusBar().currentMessage()
    # The table shows the new status straight away.
    assert {s.status for s in window.activities_page.model.rows if s.id in ids[:2]} == {
        Status.APPROVED
    }


def test_cancelling_the_approval_changes_nothing(
    window: MainWindow, register: Register, ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "ask_approval", lambda _what, _errors=(): None)
    window.activities_page.select_ids(ids[:1])
    window.app_actions.approve.trigger()
    assert stored(register.path, ids[0]).status == Status.DRAFT


def test_the_approve_dialog_defaults_to_the_os_user_and_twelve_months(qtbot: QtBot) -> None:
    dialog = ApproveDialog("CS-001 \u201cActivity 1\u201d", today=dt.date(2024, 2, 29))
    qtbot.addWidget(dialog)
    assert dialog.approval() == Approval(current_user(), dt.date(2025, 2, 28))
    dialog.approved_by.setText("  ")
    assert not dialog.ok_button.isEnabled()  # someone must be named
    dialog.approved_by.setText("Jane Smith")
    dialog.next_review.setDate(dialog.next_review.date().addMonths(-6))
    assert dialog.approval() == Approval("Jane Smith", dt.date(2024, 8, 28))


def test_submit_for_review_from_the_context_menu(
    window: MainWindow, register: Register, ids: list[int]
) -> None:
    window.activities_page.select_ids(ids)
    menu = window.activity_context_menu()
    submit = next(a for a in menu.actions() if a.text() == "&Submit for review")
    assert submit is window.app_actions.submit_for_review
    menu.deleteLater()
    submit.trigger()
    assert {stored(register.path, i).status for i in ids} == {Status.IN_REVIEW}
    assert stored(register.path, ids[0]).approved_by == ""  # submitting approves nothing
    # Already in review: submitting again is not offered; approving is.
    assert not window.app_actions.submit_for_review.isEnabled()
    assert window.app_actions.approve.isEnabled()


def test_reinstate_a_retired_activity(
    window: MainWindow, register: Register, ids: list[int]
) -> None:
    register.activities.retire([ids[0]])
    window.reload_activities()
    page = window.activities_page
    page.status_filter.setCurrentIndex(page.status_filter.findData(Status.RETIRED.value))
    page.select_ids([ids[0]])
    a = window.app_actions
    assert a.reinstate.isEnabled()
    assert not a.approve.isEnabled() and not a.submit_for_review.isEnabled()
    a.reinstate.trigger()
    assert stored(register.path, ids[0]).status == Status.DRAFT
    changes = register.history.changes(entity_type="activity", entity_id=ids[0], limit=1)
    assert (changes[0].field, changes[0].old_value, changes[0].new_value) == (
        "status",
        "retired",
        "draft",
    )


def test_someone_elses_newer_change_is_refused_clearly_and_nothing_is_overwritten(
    window: MainWindow,
    register: Register,
    ids: list[int],
    monkeypatch: pytest.MonkeyPatch,
    prompts: ScriptedPrompts,
) -> None:
    prompts.expect("warning", contains="changed by someone else")
    monkeypatch.setattr(window, "ask_approval", approve_as("Jane Smith"))
    with Register.open(register.path, create=False, daily_backup=False) as other:
        other.activities.update(ids[1], {"owner": "Someone else"})
    window.activities_page.select_ids(ids[:2])
    assert not window.approve_selected()
    (shown,) = prompts.texts("warning")
    assert "CS-002" in shown and "Nothing was changed" in shown
    # One transaction: the first activity, not changed elsewhere, was not approved either.
    for activity_id in ids[:2]:
        record = stored(register.path, activity_id)
        assert record.status == Status.DRAFT and record.approved_by == ""
    assert stored(register.path, ids[1]).owner == "Someone else"


def test_read_only_register_offers_no_review_steps(
    qtbot: QtBot, register: Register, ids: list[int], settings: AppSettings
) -> None:
    path = register.path
    register.close()
    with Register.open(path, create=False, read_only=True, options=APP_STORAGE) as read_only:
        main = MainWindow(read_only, settings)
        qtbot.addWidget(main)
        main.activities_page.select_ids(ids)
        assert not main.app_actions.approve.isEnabled()
        assert not main.app_actions.submit_for_review.isEnabled()
        main.close()


# --- the activity editor ---------------------------------------------------------------


@pytest.fixture
def editor(qtbot: QtBot, register: Register, ids: list[int]) -> ActivityEditor:
    return open_editor(qtbot, register, ids[0])


def shown_text(editor: ActivityEditor, field: str) -> str:
    widget = editor.binding(field).widget
    assert isinstance(widget, QLabel)  # recorded by the review steps, not typed
    return widget.text()


def test_editor_approves_with_who_and_when_and_shows_it(
    editor: ActivityEditor, register: Register, ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert shown_text(editor, "status") == "Draft"
    assert shown_text(editor, "approved_by") == "Not approved yet"
    monkeypatch.setattr(editor, "ask_approval", approve_as("Jane Smith", dt.date(2030, 1, 31)))
    editor.approve_button.click()
    record = stored(register.path, ids[0])
    assert (record.status, record.approved_by, record.approved_on) == (
        Status.APPROVED,
        "Jane Smith",
        dt.date.today(),
    )
    assert record.next_review == dt.date(2030, 1, 31)
    assert shown_text(editor, "status") == "Approved"
    assert shown_text(editor, "approved_by") == "Jane Smith"
    date_edit = editor.binding("next_review").widget
    assert isinstance(date_edit, QDateEdit)
    assert date_edit.date().toPython() == dt.date(2030, 1, 31)
    assert "not undone with Undo" in editor.save_state.text()
    assert not editor.undo_stack.canUndo()


def test_editor_next_review_edit_is_undone_and_redone(
    editor: ActivityEditor, register: Register, ids: list[int]
) -> None:
    before = stored(register.path, ids[0]).next_review
    date_edit = editor.binding("next_review").widget
    assert isinstance(date_edit, QDateEdit)
    date_edit.setDate(QDate(2031, 5, 1))
    assert stored(register.path, ids[0]).next_review == dt.date(2031, 5, 1)
    editor.undo()
    assert stored(register.path, ids[0]).next_review == before != dt.date(2031, 5, 1)
    editor.redo()
    assert stored(register.path, ids[0]).next_review == dt.date(2031, 5, 1)


def test_editor_mark_reviewed_then_submit(
    editor: ActivityEditor, register: Register, ids: list[int]
) -> None:
    editor.reviewed_button.click()
    record = stored(register.path, ids[0])
    assert (record.last_reviewed, record.next_review) == (
        dt.date.today(),
        add_months(dt.date.today(), 12),
    )
    editor.submit_button.click()
    assert stored(register.path, ids[0]).status == Status.IN_REVIEW
    assert not editor.submit_button.isEnabled()
    assert editor.reinstate_button.isHidden()


def test_editor_review_step_after_someone_elses_change_asks_to_reload(
    editor: ActivityEditor, register: Register, ids: list[int], prompts: ScriptedPrompts
) -> None:
    prompts.expect("question", contains="changed by someone else", answer="Reload")
    with Register.open(register.path, create=False, daily_backup=False) as other:
        other.activities.update(ids[0], {"owner": "Someone else"})
    assert not editor.submit_for_review()
    assert len(prompts.shown) == 1
    record = stored(register.path, ids[0])
    assert (record.status, record.owner) == (Status.DRAFT, "Someone else")


def test_review_steps_say_the_same_in_the_table_and_the_editor() -> None:
    assert REINSTATE.said(1) == "1 activity reinstated as a draft"
    assert REINSTATE.said(3) == "3 activities reinstated as drafts"
    assert REINSTATE.said_of_one() == "Reinstated as a draft"
    assert MARK_REVIEWED.said_of_one().startswith("Marked as reviewed today; next review in ")
    approve = approve_step(Approval("jane smith (DPO)", dt.date(2027, 1, 2)))
    # only the first letter is raised: the approver's name is kept as typed
    assert approve.said_of_one() == "Approved by jane smith (DPO); next review 2 January 2027"
    assert approve.failure == "Not approved"


# --- the due and overdue quick views -----------------------------------------------------


def test_due_and_overdue_views(
    qtmodeltester: ModelTester, register: Register, ids: list[int]
) -> None:
    register.activities.update(ids[0], {"next_review": dt.date.today() - dt.timedelta(days=1)})
    register.activities.update(ids[1], {"next_review": dt.date.today() + dt.timedelta(days=10)})
    register.activities.update(ids[2], {"next_review": dt.date.today() + dt.timedelta(days=200)})
    model = ActivityTableModel(register.activity_list.summaries(include_retired=True))
    proxy = ActivityFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)

    def shown() -> list[str]:
        return sorted(str(proxy.index(row, 0).data()) for row in range(proxy.rowCount()))

    proxy.set_status(STATUS_OVERDUE)
    assert shown() == ["CS-001"]
    proxy.set_status(STATUS_DUE)
    assert shown() == ["CS-001", "CS-002"]
    register.activities.retire([ids[0]])  # retired: never due
    model.set_rows(register.activity_list.summaries(include_retired=True))
    assert shown() == ["CS-002"]
    qtmodeltester.check(proxy)


# --- an approval is of what was approved ------------------------------------------------


def test_approving_with_errors_lists_them_first_and_records_them(
    window: MainWindow, register: Register, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    gap = register.activities.create(sample_activity(reference="CS-009", retention=[])).id or 0
    asked: list[list[str]] = []

    def approve_despite(what: str, errors: object = ()) -> Approval:
        dialog = ApproveDialog(what, window, errors=errors)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        asked.append([dialog.errors_list.item(i).text() for i in range(dialog.errors_list.count())])
        assert dialog.ok_button.text() == "Approve despite 1 error"
        return dialog.approval()

    monkeypatch.setattr(window, "ask_approval", approve_despite)
    window.reload_activities()
    window.activities_page.select_ids([gap])
    window.app_actions.approve.trigger()
    assert asked == [["CS-009: No retention period is recorded."]]
    assert stored(register.path, gap).status == Status.APPROVED
    recorded = [c.new_value for c in register.history.changes(entity_id=gap) if c.field]
    assert "No retention period is recorded." in recorded


def test_an_edit_after_approval_shows_changed_since_approved_in_editor_and_list(
    window: MainWindow, register: Register, ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "ask_approval", approve_as("Jane Smith"))
    window.activities_page.select_ids([ids[0]])
    window.app_actions.approve.trigger()
    editor = window.open_activity(ids[0])
    assert editor is not None
    assert shown_text(editor, "status") == "Approved"

    owner = editor.binding("owner").widget
    assert isinstance(owner, QLineEdit)
    owner.setText("Head of Early Help")
    editor.save_field("owner")

    assert stored(register.path, ids[0]).status == Status.DRAFT  # nobody submitted it
    assert shown_text(editor, "status") == "Changed since approved"
    assert editor.subtitle.text().startswith("Changed since approved")
    model = window.activities_page.model
    row = model.row_of(ids[0])
    assert row is not None
    assert model.index(row, Column.STATUS).data() == "Changed since approved"
    page = window.activities_page
    page.status_filter.setCurrentIndex(page.status_filter.findText("In review"))
    assert page.proxy.rowCount() == 0  # not listed as in review
    page.status_filter.setCurrentIndex(page.status_filter.findText("Changed since approved"))
    assert page.proxy.rowCount() == 1
    assert editor.approve_button.isEnabled() and editor.submit_button.isEnabled()

    editor.submit_button.click()
    assert stored(register.path, ids[0]).status == Status.IN_REVIEW
    assert shown_text(editor, "status") == "In review"
    row = model.row_of(ids[0])
    assert row is not None
    assert model.index(row, Column.STATUS).data() == "In review"


def test_submit_for_review_keeps_the_earlier_edits_undoable(
    window: MainWindow, register: Register, ids: list[int], prompts: ScriptedPrompts
) -> None:
    editor = window.open_activity(ids[0])
    assert editor is not None
    owner = editor.binding("owner").widget
    assert isinstance(owner, QLineEdit)
    before = owner.text()
    owner.setText("Someone new")
    editor.save_field("owner")
    editor.submit_button.click()
    assert stored(register.path, ids[0]).status == Status.IN_REVIEW
    assert editor.undo_stack.canUndo()
    window.activities_page.select_ids([ids[0]])
    assert not window.app_actions.submit_for_review.isEnabled()
    prompts.expect("warning", contains="already in review")
    window.submit_selected_for_review()  # refused by the service: it is in review already
    assert editor.undo_stack.canUndo()
    editor.undo()
    assert stored(register.path, ids[0]).owner == before


def test_approve_suggests_the_dpo_named_in_the_register_not_the_login(
    window: MainWindow, register: Register, ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    suggested: list[str] = []

    def look_and_cancel(dialog: ApproveDialog) -> int:
        suggested.append(dialog.approved_by.text())
        return 0  # Cancel

    monkeypatch.setattr(ApproveDialog, "exec", look_and_cancel)
    window.activities_page.select_ids([ids[0]])
    window.app_actions.approve.trigger()
    assert suggested == [current_user()]  # no DPO named yet: the login, as before

    register.organisation.update({"dpo_name": "Priya Shah"})
    window.app_actions.approve.trigger()
    editor = window.open_activity(ids[0])
    assert editor is not None
    editor.approve_button.click()
    assert suggested[1:] == ["Priya Shah", "Priya Shah"]
    assert stored(register.path, ids[0]).status != Status.APPROVED  # cancelled: nothing done
