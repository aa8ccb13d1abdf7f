"""The main window opens on a register and lists its activities."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from ropa.register import Register
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_main_window_lists_the_demo_activities(qtbot: QtBot, demo_register: Register) -> None:
    window = MainWindow(demo_register)
    qtbot.addWidget(window)
    window.show()
    model = window.table.model()
    assert model.rowCount() == len(demo_register.activities.summaries())
    assert model.index(0, 0).data() == "CS-001"
