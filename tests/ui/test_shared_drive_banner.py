"""The main window of a register on a network share says why it saves without WAL."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from db import network_drive
from ropa.register import Register
from ui.app import APP_STORAGE
from ui.main_window import MainWindow
from ui.settings import AppSettings
from ui.shared_drive_banner import SharedDriveBanner

pytestmark = pytest.mark.gui

SHARE = r"the network share \\files.council.local\dpo"


def _window(qtbot: QtBot, register: Register, settings: AppSettings) -> MainWindow:
    main = MainWindow(register, settings)
    qtbot.addWidget(main)
    main.resize(1000, 600)
    main.show()
    return main


def test_a_register_on_a_share_shows_why_and_where_teams_go(
    qtbot: QtBot, register_path: Path, settings: AppSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network_drive, "network_location", lambda _path: SHARE)
    with Register.open(register_path, options=APP_STORAGE) as register:
        main = _window(qtbot, register, settings)
        banner = main.shared_drive_banner
        assert isinstance(banner, SharedDriveBanner)
        assert banner.isVisible()
        text = banner.message.text()
        assert SHARE in text
        assert "one person at a time" in text
        assert "team register" in text and "PostgreSQL" in text
        main.grab().save("/tmp/shared_drive_banner.png")
        main.close()


def test_a_local_register_has_no_such_banner(
    qtbot: QtBot, register: Register, settings: AppSettings
) -> None:
    main = _window(qtbot, register, settings)
    assert main.shared_drive_banner is None
    assert main.findChildren(SharedDriveBanner) == []
    main.close()
