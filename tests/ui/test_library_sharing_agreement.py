"""A recipient's data sharing agreement is recorded in the library, as a processor's contract
is, and the SHARING-AGREEMENT check reads it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack
from pytestqt.qtbot import QtBot

from ropa.checks import check_activities, load_context
from ropa.records import LibraryKind
from ropa.register import Register
from tests.helpers.activities import sample_activity
from ui.libraries_view import LibrariesView

pytestmark = pytest.mark.gui


def test_a_recipients_sharing_agreement_is_typed_saved_and_clears_the_check(
    qtbot: QtBot, register: Register
) -> None:
    register.activities.create(sample_activity(recipients=["Police"], sources=["Families"]))
    records = register.activities.load()
    before = check_activities(records, load_context(register))
    assert any(f.rule_id == "SHARING-AGREEMENT" for f in before)
    view = LibrariesView(register, QUndoStack())
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    view.kinds.setCurrentRow(list(LibraryKind).index(LibraryKind.RECIPIENT))
    police = next(
        view.model.item(row).id
        for row in range(view.model.rowCount())
        if view.model.item(row).name == "Police"
    )
    assert police is not None
    view.select_item(police)
    assert view.contract_edit.isVisible()
    assert view.contract_label.text() == "&Agreement:"
    view.contract_edit.setText("https://example.org/dsa-police")
    view.contract_edit.editingFinished.emit()
    if os.environ.get("ROPA_SHOTS"):
        view.grab().save(str(Path(os.environ["ROPA_SHOTS"]) / "library-recipient.png"))
    assert register.library.get(police).contract_link == "https://example.org/dsa-police"
    after = check_activities(register.activities.load(), load_context(register))
    assert not any(f.rule_id == "SHARING-AGREEMENT" for f in after)
