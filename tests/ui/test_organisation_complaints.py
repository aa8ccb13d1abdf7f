"""The organisation's complaints route (DPA 2018 s.164A) typed on the Organisation page:
saved field by field and read by the checks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from ropa.checks import check_activities, load_context
from ropa.register import Register
from ui.organisation_dialog import OrganisationDialog


def test_the_complaint_form_and_acknowledgement_are_saved_and_clear_the_checks(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> None:
    register.organisation.update({"name": "Helping Hands Trust", "is_public_authority": False})
    on = dt.date(2026, 12, 7)
    before = {f.rule_id for f in check_activities([], load_context(register, today=on))}
    assert "ORG-COMPLAINTS" in before
    dialog = OrganisationDialog(register)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 900)
    dialog.show()
    route = dialog.form.editor("complaints_contact")
    assert isinstance(route, QPlainTextEdit)
    route.setFocus()
    qtbot.keyClicks(route, "Email privacy@helping-hands.example")
    form = dialog.form.editor("complaints_form_url")
    assert isinstance(form, QLineEdit)
    form.setFocus()  # leaving the route saves it
    qtbot.keyClicks(form, "https://helping-hands.example/complain")
    qtbot.keyClick(form, Qt.Key.Key_Return)
    acknowledged = dialog.form.editor("complaints_acknowledgement")
    acknowledged.setFocus()
    qtbot.keyClicks(acknowledged, "By email within five working days.")
    if os.environ.get("ROPA_SHOTS"):
        dialog.grab().save(str(Path(os.environ["ROPA_SHOTS"]) / "organisation-complaints.png"))
    dialog.close()
    saved = register.organisation.get()
    assert saved.complaints_contact == "Email privacy@helping-hands.example"
    assert saved.complaints_form_url == "https://helping-hands.example/complain"
    assert saved.complaints_acknowledgement == "By email within five working days."
    after = {f.rule_id for f in check_activities([], load_context(register, today=on))}
    assert not after & {"ORG-COMPLAINTS", "ORG-COMPLAINT-FORM", "ORG-COMPLAINT-ACK"}
