"""Saving long text when focus leaves the box (ui.widgets.focus)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from pytestqt.qtbot import QtBot

from ropa.register import Register
from ui.organisation_dialog import OrganisationDialog
from ui.widgets.focus import on_focus_out

pytestmark = pytest.mark.gui


def leave(widget: QPlainTextEdit) -> None:
    QApplication.sendEvent(widget, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))


def test_focus_out_calls_back_only_when_focus_leaves(qtbot: QtBot) -> None:
    box = QPlainTextEdit()
    qtbot.addWidget(box)
    calls: list[str] = []
    on_focus_out(box, lambda: calls.append(box.toPlainText()))
    box.setPlainText("typed")
    QApplication.sendEvent(box, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason))
    assert calls == []
    leave(box)
    assert calls == ["typed"]


def test_organisation_long_text_is_saved_when_focus_leaves_it(
    qtbot: QtBot, demo_register: Register
) -> None:
    dialog = OrganisationDialog(demo_register)
    qtbot.addWidget(dialog)
    address = dialog.form.editor("dpo_address")
    assert isinstance(address, QPlainTextEdit)
    address.setPlainText("Annexe B, Town Hall")
    leave(address)
    assert demo_register.organisation.get().dpo_address == "Annexe B, Town Hall"
    assert dialog.form.editor("dpo_address") is address
