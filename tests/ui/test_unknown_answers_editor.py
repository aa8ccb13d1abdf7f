"""The editor shows a yes/no question nobody answered as "Not recorded", never as No, and
saves a choice of Yes, No or back to Not recorded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from ropa.records import ActivityRecord
from ropa.register import Register
from tests.helpers.editors import open_editor

pytestmark = pytest.mark.gui

QUESTIONS = ("automated_decisions", "involves_children", "large_scale")


def test_unanswered_questions_show_not_recorded_and_each_choice_is_saved(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> None:
    created = register.activities.create(ActivityRecord(name="Complaints", business_function="HR"))
    assert created.id is not None
    editor = open_editor(qtbot, register, created.id)
    combos = {}
    for field in QUESTIONS:
        widget = editor.binding(field).widget
        assert isinstance(widget, QComboBox)
        assert widget.currentText() == "Not recorded"
        assert [widget.itemText(i) for i in range(widget.count())] == [
            "Not recorded",
            "Yes",
            "No",
        ]
        combos[field] = widget
    if os.environ.get("ROPA_SCREENSHOTS"):
        editor.resize(1366, 768)
        editor.binding("involves_children").widget.parentWidget().parentWidget().grab().save(
            os.environ["ROPA_SCREENSHOTS"]
        )

    combos["involves_children"].setCurrentIndex(1)  # Yes
    combos["automated_decisions"].setCurrentIndex(2)  # No
    saved = register.activities.get(created.id)
    assert (saved.involves_children, saved.automated_decisions, saved.large_scale) == (
        True,
        False,
        None,
    )
    combos["involves_children"].setCurrentIndex(0)  # back to Not recorded
    assert register.activities.get(created.id).involves_children is None


def test_shared_with_no_one_is_asked_beside_the_recipients(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> None:
    """Article 30(1)(d): the answer sits in the sharing section, right after the recipients,
    starts as Not recorded, and each choice is saved."""
    from ui.activity_editor import SECTIONS

    sharing = dict(SECTIONS)["Sharing, processors and transfers"]
    assert sharing[: sharing.index("shared_with_no_one") + 1][-2:] == [
        "recipients",
        "shared_with_no_one",
    ]
    created = register.activities.create(ActivityRecord(name="Payroll", business_function="HR"))
    assert created.id is not None
    editor = open_editor(qtbot, register, created.id)
    combo = editor.binding("shared_with_no_one").widget
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Not recorded", "Yes", "No"]
    assert combo.currentText() == "Not recorded"
    combo.setCurrentIndex(1)
    assert register.activities.get(created.id).shared_with_no_one is True
    combo.setCurrentIndex(2)
    assert register.activities.get(created.id).shared_with_no_one is False
    combo.setCurrentIndex(0)
    assert register.activities.get(created.id).shared_with_no_one is None
