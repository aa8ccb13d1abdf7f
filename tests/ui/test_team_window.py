"""The main window on a team register: who is signed in, and what their role greys out.

Against a real PostgreSQL server (tests/postgres.py), signed in as real logins.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from ropa.register import Register
from ropa.team_connect import connect_team_register
from tests.helpers.prompts import ScriptedPrompts
from tests.helpers.team_register import CHILDREN, WATCHING, Team, end_sessions
from ui.app import APP_STORAGE
from ui.main_window import MainWindow, Page
from ui.notices_view import NoticesView
from ui.settings import AppSettings
from ui.team_start import StartWindow
from ui.team_watch import ConnectionBanner

pytestmark = pytest.mark.gui


def window_as(qtbot: QtBot, team: Team, login: str, settings: AppSettings) -> MainWindow:
    register, membership = connect_team_register(team.url_for(login))
    window = MainWindow(register, settings, membership)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.activities_page.model.rowCount() == 2)
    window.destroyed.connect(register.close)
    return window


def test_an_editor_sees_who_they_are_and_only_their_actions(
    qtbot: QtBot, team: Team, settings: AppSettings
) -> None:
    window = window_as(qtbot, team, team.editor, settings)
    a = window.app_actions
    assert window.team_label.isVisible()
    assert window.team_label.text() == f"Signed in as {team.editor} (editor: Finance)"
    assert team.editor in window.path_label.text()
    assert a.new_activity.isEnabled()
    assert not a.import_workbook.isEnabled() and not a.organisation.isEnabled()
    assert "Only a DPO may import" in a.import_workbook.toolTip()
    window.activities_page.select_ids([team.finance_id])
    assert a.retire.isEnabled() and a.delete.isEnabled() and a.submit_for_review.isEnabled()
    assert not a.approve.isEnabled()
    window.activities_page.select_ids([team.children_id])
    assert not a.retire.isEnabled() and not a.delete.isEnabled()
    assert not a.submit_for_review.isEnabled()
    assert a.retire.toolTip() == (
        "Only a DPO or an editor of \u201cChildren's services\u201d may change these activities; "
        f"you are signed in as {team.editor} (editor: Finance)."
    )
    window.activities_page.select_ids([team.finance_id])
    assert "Only a DPO" not in a.retire.toolTip()  # the action's own tip again
    # A new activity can go into the editor's own functions only.
    dialog = window.new_activity()
    choices = dialog.business_function
    functions = [choices.itemText(i) for i in range(choices.count())]
    assert functions == ["", "Finance"]
    dialog.reject()
    # The libraries and the organisation's details are the DPO's: readable, greyed out.
    window.show_page(Page.LIBRARIES)
    libraries = window.libraries_view
    assert libraries.model.rowCount() > 0  # the starter libraries, readable
    assert not libraries.add_button.isEnabled() and not libraries.details.isEnabled()
    window.show_page(Page.ACTIVITIES)
    assert not window.organisation_form.isEnabled()


def test_a_viewer_can_change_nothing_and_a_dpo_everything(
    qtbot: QtBot, team: Team, settings: AppSettings
) -> None:
    viewer = window_as(qtbot, team, team.viewer, settings)
    a = viewer.app_actions
    assert viewer.team_label.text() == f"Signed in as {team.viewer} (viewer)"
    assert viewer.state_label.text() == "Your role may read this register, not change it"
    viewer.activities_page.select_ids([team.finance_id])
    assert not any(
        action.isEnabled()
        for action in (a.new_activity, a.retire, a.delete, a.submit_for_review, a.approve)
    )
    assert a.open_activity.isEnabled()  # reading is allowed
    dpo = window_as(qtbot, team, team.dpo, settings)
    assert dpo.team_label.text() == f"Signed in as {team.dpo} (DPO)"
    dpo.activities_page.select_ids([team.children_id])
    b = dpo.app_actions
    assert b.delete.isEnabled() and b.organisation.isEnabled() and b.import_workbook.isEnabled()
    assert dpo.libraries_view.add_button.isEnabled() and dpo.organisation_form.isEnabled()


def test_notices_are_the_dpos_to_change_and_everyones_to_read(
    qtbot: QtBot, team: Team, settings: AppSettings
) -> None:
    with Register.open(team.url_for(team.dpo)) as register:
        register.notices.create(title="Finance privacy notice")
    editor = window_as(qtbot, team, team.editor, settings)
    notices = editor.page(Page.NOTICES)
    assert isinstance(notices, NoticesView)
    qtbot.waitUntil(lambda: notices.title_edit.text() == "Finance privacy notice")
    assert notices.title_edit.isReadOnly() and notices.introduction_edit.isReadOnly()
    assert not notices.audience_combo.isEnabled() and not notices.function_list.isEnabled()
    assert not notices.add_section_button.isEnabled()
    for action in (notices.new_action, notices.save_action, notices.publish_action):
        assert not action.isEnabled()
    assert "Only a DPO" in notices.publish_action.toolTip()
    assert not notices.read_only_note.isHidden()  # says why typing does nothing
    # Reading, printing and exporting stay open to everyone.
    assert notices.export_action.isEnabled() and notices.print_action.isEnabled()
    dpo = window_as(qtbot, team, team.dpo, settings)
    own = dpo.page(Page.NOTICES)
    assert isinstance(own, NoticesView)
    qtbot.waitUntil(lambda: own.title_edit.text() == "Finance privacy notice")
    assert not own.title_edit.isReadOnly() and own.audience_combo.isEnabled()
    assert own.publish_action.isEnabled() and own.new_action.isEnabled()
    assert own.read_only_note.isHidden()


def test_connecting_happens_behind_the_open_window(
    qtbot: QtBot, team: Team, settings: AppSettings, tmp_path: Path
) -> None:
    file_register = Register.open(tmp_path / "own.ropa", options=APP_STORAGE)
    window = MainWindow(file_register, settings)
    qtbot.addWidget(window)
    window.show()
    assert not window.team_label.isVisible()
    url = team.url_for(team.editor)
    with qtbot.waitSignal(window.register_changed) as changed:
        window.connect_to(url)
        # The window stays usable while the server answers.
        assert "Connecting to" in window.statusBar().currentMessage()
        assert window.register is file_register
    team_register = changed.args[0]
    window.destroyed.connect(team_register.close)
    assert team_register.server_url == url
    assert window.team_label.text() == f"Signed in as {team.editor} (editor: Finance)"
    assert window.settings.recent_registers()[0] == url
    window._fill_recent_menu()
    labels = [action.text() for action in window.recent_menu.actions()]
    assert any("own.ropa" in label for label in labels)
    # And back to the file: nothing is greyed out there.
    assert window.switch_to(tmp_path / "own.ropa", create=False)
    assert not window.team_label.isVisible() and window.app_actions.import_workbook.isEnabled()
    window.register.close()


def test_someone_elses_save_shows_up_and_a_lost_connection_is_a_banner(
    qtbot: QtBot, team: Team, settings: AppSettings, postgres_server: str
) -> None:
    window = window_as(qtbot, team, team.viewer, settings)
    assert window.team_watch is not None
    qtbot.waitUntil(window.team_watch.watcher.connected.is_set)
    with team.open_as(team.dpo) as register:
        register.activities.update(team.children_id, {"name": "Child protection enquiries"})
    model = window.activities_page.model
    qtbot.waitUntil(
        lambda: any(row.name == "Child protection enquiries" for row in model.rows), timeout=10000
    )
    end_sessions(postgres_server, team, WATCHING)
    qtbot.waitUntil(lambda: window.connection_banner is not None, timeout=10000)
    banner = window.connection_banner
    assert isinstance(banner, ConnectionBanner)
    assert "was lost" in banner.message.text() and "What you type is kept" in banner.message.text()
    qtbot.waitUntil(lambda: window.connection_banner is None, timeout=20000)
    assert window.statusBar().currentMessage() == "Connected to the team register again"


def test_starting_on_a_team_register_shows_a_window_first(
    qtbot: QtBot, team: Team, settings: AppSettings
) -> None:
    start = StartWindow(team.url_for(team.editor), settings, options=APP_STORAGE)
    qtbot.addWidget(start)
    start.show()
    start.start()
    assert start.message.text().startswith("Connecting to the team register at postgresql://")
    qtbot.waitUntil(lambda: start.main_window is not None, timeout=10000)
    window = start.main_window
    assert window is not None
    qtbot.addWidget(window)
    assert window.isVisible() and not start.isVisible()
    assert window.team_label.text() == f"Signed in as {team.editor} (editor: Finance)"
    # The register carries the app's storage options, which the window opens files with next.
    assert window.register.options == APP_STORAGE
    window.close()
    window.register.close()


def test_a_refused_start_says_why_and_offers_to_try_again(
    qtbot: QtBot, team: Team, settings: AppSettings
) -> None:
    missing = team.url_for(team.editor).rsplit("/", 1)[0] + "/no_such_register"
    start = StartWindow(missing, settings, options=APP_STORAGE)
    qtbot.addWidget(start)
    start.show()
    start.start()
    qtbot.waitUntil(start.retry_button.isEnabled, timeout=10000)
    assert "Cannot connect to the team register" in start.message.text()
    assert "no_such_register" in start.message.text()
    assert start.main_window is None


def test_the_servers_refusal_in_an_editor_window_is_words_and_keeps_the_text(
    qtbot: QtBot, team: Team, settings: AppSettings, prompts: ScriptedPrompts
) -> None:
    window = window_as(qtbot, team, team.editor, settings)
    own = window.open_activity(team.finance_id)
    assert own is not None and own.pages.isEnabled()
    assert own.submit_button.isEnabled() and not own.approve_button.isEnabled()
    editor = window.open_activity(team.children_id)
    assert editor is not None
    # Another function's activity opens to be read, greyed out...
    assert not editor.pages.isEnabled() and not editor.submit_button.isEnabled()
    # Why, in ropa/capabilities.py's words.
    assert editor.save_state.text() == (
        f"Only a DPO or an editor of \u201c{CHILDREN}\u201d may change these activities; "
        f"you are signed in as {team.editor} (editor: Finance)."
    )
    # ...and were the app to let the editor type anyway, the server still refuses, in words.
    editor.set_role_limits(may_edit=True, may_approve=True)
    prompts.expect("warning", contains="The server refused the change")
    name = editor.binding("name").widget
    assert isinstance(name, QLineEdit)
    name.setFocus()
    qtbot.keyClicks(name, " (edited)")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    (told,) = prompts.texts("warning")
    assert told.startswith(
        "The server refused the change: Only a DPO or an editor of the business function "
        "\u201cChildren's services\u201d may change or delete ACT-0002 Child protection"
    )
    assert f"You are signed in as {team.editor}, an editor of Finance" in told
    assert name.text() == "Child protection (edited)"
    with team.open_as(team.dpo) as register:
        assert register.activities.get(team.children_id).name == "Child protection"
    # Closing the window asks before the typed text is lost.
    # (The close tries the save once more, and is refused once more, in words, first.)
    prompts.expect("warning", contains="The server refused the change")
    prompts.expect("question", contains="Close anyway and lose them?", answer="Discard")
    editor.close()
    assert prompts.shown[-1].title == "Some changes are not saved"
    own.close()
