"""The editor's rows for the law after DUAA 2025: the Annex 1 condition of a recognised
legitimate interest and a public authority's reason a basis is outside its tasks (Article
6(1), 6(5)), a transfer's data protection test (Article 46(1A)), the ICO's DPIA list, and
consent's review date; each saved to the file and read by the checks."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from ropa.checks import check_activity, load_context
from ropa.records import ActivityRecord, LawfulBasisEntry, TransferEntry
from ropa.register import Register
from tests.helpers.activities import sample_activity
from tests.helpers.editors import open_editor
from ui.widgets.entry_tables import EntryTable

pytestmark = pytest.mark.gui

ON = dt.date(2026, 12, 7)


def stored(path: Path, activity_id: int) -> ActivityRecord:
    with Register.open(path, create=False) as other:
        return other.activities.get(activity_id)


def rules_on(register: Register, record: ActivityRecord) -> set[str]:
    return {f.rule_id for f in check_activity(record, load_context(register, today=ON))}


def test_an_ea_basis_takes_its_annex1_condition_and_a_transfer_its_test(
    qtbot: QtBot, register: Register
) -> None:
    register.organisation.update({"name": "Helping Hands Trust", "is_public_authority": False})
    created = register.activities.create(
        sample_activity(
            lawful_bases=[LawfulBasisEntry("ea", "Keeping vulnerable adults safe")],
            transfers=[TransferEntry("United States", "idta", "IDTA signed")],
        )
    )
    assert created.id is not None
    assert {"RLI-ANNEX1", "TRANSFER-DPT"} <= rules_on(register, created)
    editor = open_editor(qtbot, register, created.id)
    bases = editor.binding("lawful_bases").widget
    assert isinstance(bases, EntryTable)
    headers = [bases.model.headerData(c, _horizontal()) for c in range(4)]
    assert headers[3] == "Annex 1 condition"
    bases.model.setData(bases.model.index(0, 3), "6")
    assert bases.model.index(0, 3).data() == "6: Safeguarding vulnerable individuals"
    transfers = editor.binding("transfers").widget
    assert isinstance(transfers, EntryTable)
    transfers.model.setData(transfers.model.index(0, 3), "yes")
    transfers.model.setData(transfers.model.index(0, 4), "2026-03-02")
    transfers.model.setData(transfers.model.index(0, 5), "https://example.org/tra-us")
    saved = stored(register.path, created.id)
    assert saved.lawful_bases[0].annex1_condition == "6"
    assert saved.transfers[0] == TransferEntry(
        "United States", "idta", "IDTA signed", "yes", "2026-03-02", "https://example.org/tra-us"
    )
    assert not {"RLI-ANNEX1", "TRANSFER-DPT", "TRANSFER-DPT-RECORD"} & rules_on(register, saved)


def test_a_council_records_why_f_is_outside_its_tasks(qtbot: QtBot, register: Register) -> None:
    register.organisation.update({"name": "Northfield Council", "is_public_authority": True})
    created = register.activities.create(
        sample_activity(lawful_bases=[LawfulBasisEntry("f", "Letting rooms", ["Local Act"])])
    )
    assert created.id is not None
    assert "BASIS-PUBLIC-AUTHORITY" in rules_on(register, created)
    editor = open_editor(qtbot, register, created.id)
    bases = editor.binding("lawful_bases").widget
    assert isinstance(bases, EntryTable)
    bases.model.setData(bases.model.index(0, 4), "Commercial lettings, as any landlord would")
    saved = stored(register.path, created.id)
    assert saved.lawful_bases[0].outside_tasks_reason.startswith("Commercial lettings")
    assert "BASIS-PUBLIC-AUTHORITY" not in rules_on(register, saved)


def test_the_ico_list_is_ticked_and_consent_review_dated(
    qtbot: QtBot, register: Register, tmp_path: Path
) -> None:
    created = register.activities.create(sample_activity())
    assert created.id is not None
    editor = open_editor(qtbot, register, created.id)
    editor.resize(1100, 900)
    holder = editor.binding("dpia_criteria").widget
    boxes = {box.text(): box for box in holder.findChildren(QCheckBox)}
    assert len(boxes) == 10
    boxes["Tracking"].setChecked(True)
    saved = stored(register.path, created.id)
    assert saved.dpia_criteria == "tracking"
    assert "DPIA-NEEDED" in rules_on(register, saved)
    if os.environ.get("ROPA_SHOTS"):
        editor.show_field("dpia_criteria", focus=False)
        editor.grab().save(str(Path(os.environ["ROPA_SHOTS"]) / "editor-dpia.png"))
        editor.show_field("lawful_bases", focus=False)
        editor.grab().save(str(Path(os.environ["ROPA_SHOTS"]) / "editor-bases.png"))


def _horizontal():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
