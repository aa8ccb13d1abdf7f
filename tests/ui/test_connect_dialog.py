"""File > Connect to a team register: the address form asks for the port and explains a
port that is not a number."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from ui.connect_dialog import ConnectDialog

pytestmark = pytest.mark.gui


def test_the_form_shows_the_port_and_explains_a_wrong_one(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ConnectDialog([])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    line = dialog.address.lineEdit()
    assert line is not None
    assert ":5432/" in line.placeholderText()
    line.setText("postgresql://alice@ropa.council.local:54x2/ropa")
    dialog.connect_button.click()
    assert not dialog.problem.isHidden()
    assert "port" in dialog.problem.text() and "5432" in dialog.problem.text()
    assert dialog.result() == 0
    qtbot.wait(50)
    # Every wrapped line shows: no label is shorter than its text needs.
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.wordWrap():
            assert label.height() >= label.heightForWidth(label.width()), label.text()
    dialog.grab().save(str(tmp_path / "connect.png"))
    line.setText("postgresql://alice@ropa.council.local:5432/ropa")
    dialog.connect_button.click()
    assert dialog.result() == ConnectDialog.DialogCode.Accepted
