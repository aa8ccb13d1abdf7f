"""The activity editor as the GUI tests open it: a real widget, shown, closed by qtbot."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ropa.register import Register
from ui.activity_editor import ActivityEditor


def open_editor(qtbot: QtBot, register: Register, activity_id: int) -> ActivityEditor:
    widget = ActivityEditor(register, activity_id)
    qtbot.addWidget(widget)
    widget.show()
    return widget
