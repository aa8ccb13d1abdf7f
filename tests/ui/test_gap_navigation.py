"""A gap leads to the box where it is put right: "No contract is linked for the processor"
opens the processor's contract box on the Libraries page (the activity's form has none),
from the editor's Gaps list and from the Checks page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem
from pytestqt.qtbot import QtBot

from ropa.checks.rules import PROCESSOR_CONTRACT_RULE
from ropa.records import LibraryKind
from ropa.register import Register
from tests.helpers.activities import sample_activity
from ui.checks_view import ChecksView
from ui.main_window import MainWindow, Page
from ui.settings import AppSettings

pytestmark = [
    pytest.mark.gui,
    pytest.mark.qt_log_ignore("does not support raise"),  # offscreen: the main window raised
]

PROCESSOR = "Payroll Bureau Ltd"


@pytest.fixture
def window(qtbot: QtBot, register: Register, settings: AppSettings) -> MainWindow:
    signed = register.activities.create(
        sample_activity(reference="HR-001", processors=["Signed Services"])
    )
    register.activities.create(
        sample_activity(reference="HR-002", processors=["Signed Services", PROCESSOR])
    )
    assert signed.id is not None
    for item in register.library.items(LibraryKind.PROCESSOR):
        if item.name == "Signed Services" and item.id is not None:
            register.library.update(item.id, {"contract_link": "contracts/signed.pdf"})
    main = MainWindow(register, settings)
    qtbot.addWidget(main)
    main.show()
    return main


def contract_shown_for(window: MainWindow) -> str:
    assert window.stack.currentIndex() == Page.LIBRARIES
    view = window.libraries_view
    assert view.current_kind() == LibraryKind.PROCESSOR
    item = view.current_item()
    assert item is not None
    assert view.contract_edit.isVisible()
    return item.name


def test_the_editor_gap_opens_the_processor_contract_box(
    qtbot: QtBot, window: MainWindow, register: Register
) -> None:
    (activity,) = [s for s in register.activity_list.summaries() if s.reference == "HR-002"]
    editor = window.open_activity(activity.id)
    assert editor is not None
    gaps = [editor.gaps_list.item(row) for row in range(editor.gaps_list.count())]
    (gap,) = [g for g in gaps if g is not None and "No contract is linked" in g.text()]
    assert isinstance(gap, QListWidgetItem)
    editor.gaps_list.setCurrentItem(gap)
    qtbot.keyClick(editor.gaps_list, Qt.Key.Key_Return)  # as a user activates it
    assert contract_shown_for(window) == PROCESSOR


def test_the_checks_page_finding_opens_the_processor_contract_box(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_page(Page.CHECKS)
    view = window.page(Page.CHECKS)
    assert isinstance(view, ChecksView)
    if view.report is None:
        with qtbot.waitSignal(view.checked, timeout=20000):
            pass
    model = view.model
    found = None
    for group in range(model.rowCount()):
        parent = model.index(group, 0)
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            finding = model.finding(index)
            if finding is not None and finding.rule_id == PROCESSOR_CONTRACT_RULE:
                found = index
    assert found is not None
    view.tree.setCurrentIndex(found)
    view.tree.activated.emit(found)
    assert contract_shown_for(window) == PROCESSOR
