"""The import dialog never goes away while its thread still runs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

import ropa.spreadsheets
from ropa.errors import ValidationError
from ropa.register import Register
from ui.import_dialog import ImportDialog
from ui.workers import running_workers

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("how", ["reject", "close"])
def test_closing_while_checking_stops_the_thread_first(
    qtbot: QtBot, register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    started = threading.Event()

    def slow_import(*_args: Any, cancelled: Any, **_kwargs: Any) -> None:
        started.set()
        while not cancelled():
            threading.Event().wait(0.001)
        raise ValidationError("stopped")

    monkeypatch.setattr(ropa.spreadsheets, "import_workbook", slow_import)
    dialog = ImportDialog(register, tmp_path / "big <&> register.xlsx")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # as the main window opens it
    dialog.show()
    dialog.run_preview()
    assert started.wait(10)
    assert running_workers(dialog)
    if how == "reject":
        dialog.reject()  # Esc or Cancel, before the progress dialog has appeared
    else:
        dialog.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))


def test_file_names_are_shown_as_text(register: Register, tmp_path: Path, qtbot: QtBot) -> None:
    dialog = ImportDialog(register, tmp_path / "<b>&amp;.xlsx")
    qtbot.addWidget(dialog)
    assert "&lt;b&gt;&amp;amp;.xlsx" in dialog.heading.text()
