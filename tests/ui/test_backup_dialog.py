"""The Restore from backup dialog and the read-only banner, driven as a user would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ropa.backup import make_backup, restore_backup
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.prompts import ScriptedPrompts
from ui.backup_dialog import ReadOnlyBanner, RestoreBackupDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def backed_up(register_path: Path) -> Path:
    with Register.open(register_path) as register:
        register.activities.create(sample_activity())
    make_backup(register_path, "daily", now=dt.datetime(2026, 11, 20, 8, 59, 1))
    make_backup(register_path, "before upgrade", now=dt.datetime(2026, 11, 21, 14, 5, 0))
    return register_path


def test_the_backups_are_listed_newest_first_with_british_dates(
    qtbot: QtBot, qtmodeltester: object, backed_up: Path
) -> None:
    dialog = RestoreBackupDialog(backed_up)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    model = dialog.model
    rows = [
        (model.index(row, 0).data(), model.index(row, 1).data()) for row in range(model.rowCount())
    ]
    assert rows == [
        ("21 November 2026 at 14:05", "Before upgrading to a newer version of ROPA desk"),
        ("20 November 2026 at 08:59", "Daily backup (first opening of the day)"),
    ]
    assert dialog.restore_button.isEnabled()  # the newest is chosen to start with
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save("/tmp/restore_backup_dialog.png")


def test_restore_asks_first_and_cancelling_chooses_nothing(
    qtbot: QtBot, backed_up: Path, prompts: ScriptedPrompts
) -> None:
    dialog = RestoreBackupDialog(backed_up)
    qtbot.addWidget(dialog)
    daily = dialog.model.backup(1)
    assert daily.reason == "daily"
    prompts.expect("question", contains=f"the backup taken on {daily.when}?", answer="Cancel")
    dialog.table.selectRow(1)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert prompts.shown[0].default == "Cancel"
    assert dialog.chosen_backup() is None
    assert dialog.result() != dialog.DialogCode.Accepted


def test_a_confirmed_choice_can_be_restored(
    qtbot: QtBot, backed_up: Path, prompts: ScriptedPrompts
) -> None:
    with Register.open(backed_up, daily_backup=False) as register:
        register.activities.create(sample_activity(reference="CS-002", name="Later"))
    dialog = RestoreBackupDialog(backed_up)
    qtbot.addWidget(dialog)
    prompts.expect("question", contains="Replace the register with the backup", answer="Yes")
    dialog.table.selectRow(1)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    chosen = dialog.chosen_backup()
    assert chosen is not None and "daily" in chosen.name

    restore_backup(backed_up, chosen)
    with Register.open(backed_up, daily_backup=False) as register:
        assert [row.reference for row in register.activity_list.summaries()] == ["CS-001"]


def test_a_register_without_backups_says_so(qtbot: QtBot, register_path: Path) -> None:
    Register.open(register_path).close()
    dialog = RestoreBackupDialog(register_path)
    qtbot.addWidget(dialog)
    assert "no backups of this register yet" in dialog.explanation.text()
    assert not dialog.restore_button.isEnabled()
    assert dialog.model.rowCount() == 0


def test_the_read_only_banner_says_why_and_offers_a_copy(qtbot: QtBot) -> None:
    banner = ReadOnlyBanner("the folder <b>Shared</b> cannot be written to")
    qtbot.addWidget(banner)
    banner.show()
    qtbot.waitExposed(banner)
    text = banner.message.text()
    assert text.startswith("Read-only: this register cannot be changed because the folder")
    assert "<b>Shared</b>" in text  # shown as typed, never as markup
    assert banner.message.textFormat() == Qt.TextFormat.PlainText
    assert "Save a copy" in text
    with qtbot.waitSignal(banner.save_copy_requested):
        qtbot.mouseClick(banner.save_copy_button, Qt.MouseButton.LeftButton)
    banner.resize(900, banner.sizeHint().height())
    banner.grab().save("/tmp/read_only_banner.png")


def test_the_read_only_banner_follows_a_dark_palette(qtbot: QtBot) -> None:
    from PySide6.QtGui import QColor, QPalette

    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202020"),
        (QPalette.ColorRole.WindowText, "#e0e0e0"),
        (QPalette.ColorRole.ToolTipBase, "#303030"),
        (QPalette.ColorRole.ToolTipText, "#f0f0f0"),
    ):
        dark.setColor(role, QColor(colour))
    banner = ReadOnlyBanner("the folder cannot be written to")
    qtbot.addWidget(banner)
    banner.setPalette(dark)
    banner.resize(600, 60)
    image = banner.grab().toImage()
    background = image.pixelColor(3, image.height() // 2)
    assert background.lightness() < 80  # dark, not a bright yellow strip
    assert banner.message.palette().color(banner.message.foregroundRole()).lightness() > 200
