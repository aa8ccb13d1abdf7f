"""What opening a register found is shown in the window, as the command line prints it: a
-wal left by another register and set aside, or a daily backup that could not be made. On
real files, in a real MainWindow; no prompt is shown (the scripted prompts expect none)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ropa.backup import backup_folder
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.register_files import wal_of_another_register
from tests.helpers.unprivileged import without_root_powers
from ui.app import APP_STORAGE
from ui.main_window import MainWindow
from ui.settings import AppSettings


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path, settings: AppSettings) -> Iterator[MainWindow]:
    """A window on a normal register, from which the tests switch to another."""
    main = MainWindow(Register.open(tmp_path / "first.ropa", options=APP_STORAGE), settings)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    yield main
    main.register.close()


def _shown_notes(window: MainWindow) -> str:
    """The notes the window shows, once Qt has shown what the switch put in its layout."""
    QApplication.processEvents()
    banner = window.opening_notes_banner
    if banner is None or not banner.isVisible():
        return ""
    return banner.message.text()


def _with_a_foreign_wal(tmp_path: Path) -> Path:
    """A register with one activity, beside it a -wal holding another register's save."""
    ours = tmp_path / "register.ropa"
    with Register.open(ours) as register:
        register.activities.create(sample_activity(reference="OURS-1"))
    other = tmp_path / "elsewhere" / "other.ropa"
    with Register.open(other) as register:
        register.activities.create(sample_activity(reference="OTHER-1"))
    connection, foreign_wal = wal_of_another_register(other)
    try:
        shutil.copyfile(foreign_wal, ours.with_name(ours.name + "-wal"))
    finally:
        connection.close()
    return ours


def test_the_window_opened_on_a_register_tells_its_set_aside_side_file(
    qtbot: QtBot, tmp_path: Path, settings: AppSettings
) -> None:
    main = MainWindow(Register.open(_with_a_foreign_wal(tmp_path), options=APP_STORAGE), settings)
    qtbot.addWidget(main)
    main.show()
    try:
        assert "left by another register file" in _shown_notes(main)
    finally:
        main.register.close()


def test_a_foreign_side_file_set_aside_is_told_in_the_window(
    window: MainWindow, tmp_path: Path
) -> None:
    ours = _with_a_foreign_wal(tmp_path)

    assert window.session.switch_to(ours, create=False)

    shown = _shown_notes(window)
    assert "left by another register file" in shown
    assert "Nothing needs doing for this register" in shown
    set_aside = list(backup_folder(ours).glob("*not used.ropa-wal"))
    assert len(set_aside) == 1 and set_aside[0].name in shown
    assert "backup copy" not in shown  # the daily backup was made
    assert window.register.daily_backup is not None

    # Dismissible: closed, it takes no room and the register stays open.
    banner = window.opening_notes_banner
    assert banner is not None
    banner.close_button.click()
    assert _shown_notes(window) == ""
    assert [s.reference for s in window.register.activity_list.summaries()] == ["OURS-1"]


def test_a_backup_that_could_not_be_made_is_told_in_the_window(
    window: MainWindow, tmp_path: Path
) -> None:
    ours = tmp_path / "register.ropa"
    Register.open(ours).close()  # new: no daily backup made yet
    locked = backup_folder(ours)
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with without_root_powers():
            assert window.session.switch_to(ours, create=False)
    finally:
        locked.chmod(0o700)

    shown = _shown_notes(window)
    assert window.register.path == ours and not window.register.read_only
    assert "backup copy of this register could not be made" in shown
    assert str(locked) in shown and "read-only" in shown
    assert "left by another register" not in shown
    assert list(locked.iterdir()) == []


def test_a_normal_register_shows_neither(window: MainWindow, tmp_path: Path) -> None:
    ours = tmp_path / "register.ropa"
    Register.open(ours).close()

    assert window.session.switch_to(ours, create=False)

    assert window.register.daily_backup is not None
    assert window.opening_notes_banner is None
    assert _shown_notes(window) == ""


def test_switching_away_drops_the_notes_of_the_register_left(
    window: MainWindow, tmp_path: Path
) -> None:
    ours = tmp_path / "register.ropa"
    Register.open(ours).close()
    locked = backup_folder(ours)
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with without_root_powers():
            assert window.session.switch_to(ours, create=False)
    finally:
        locked.chmod(0o700)
    assert _shown_notes(window)
    left = window.opening_notes_banner
    assert left is not None

    assert window.session.switch_to(tmp_path / "first.ropa", create=False)

    assert _shown_notes(window) == ""
    assert not left.isVisible()  # gone at once, not only when Qt gets round to deleting it
