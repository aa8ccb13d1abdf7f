"""The activities table: models pass qtmodeltester; search and filters pick the right rows."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ropa.records import Status
from ropa.register import Register
from tests.helpers.activities import sample_activity
from ui.activities_page import ActivitiesPage
from ui.activity_table_model import (
    STATUS_ALL,
    STATUS_OVERDUE,
    ActivityFilterProxy,
    ActivityTableModel,
    Column,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def page(qtbot: QtBot, register: Register) -> ActivitiesPage:
    service = register.activities
    service.create_many(
        [
            sample_activity(
                reference="HR-1",
                name="Payroll",
                business_function="Human resources",
                purposes=["Paying staff"],
                data_categories=["Bank details"],
            ),
            sample_activity(reference="CS-1", name="Child protection enquiries"),
            sample_activity(reference="CS-2", name="Fostering", status=Status.RETIRED),
            sample_activity(
                reference="ED-1",
                name="Admissions",
                business_function="Education",
                purposes=["School place allocation"],
            ),
        ]
    )
    widget = ActivitiesPage()
    qtbot.addWidget(widget)
    listing = register.activity_list
    widget.set_rows(listing.summaries(include_retired=True), listing.business_functions())
    widget.proxy.set_search_texts(listing.search_texts())
    return widget


def shown_references(page: ActivitiesPage) -> list[str]:
    proxy = page.proxy
    return sorted(proxy.index(row, Column.REFERENCE).data() for row in range(proxy.rowCount()))


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, page: ActivitiesPage) -> None:
    page.model.set_gaps({page.model.summary(0).id: 2})
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)


def test_empty_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ActivityTableModel()
    proxy = ActivityFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)


def test_retired_activities_are_hidden_until_asked_for(page: ActivitiesPage) -> None:
    assert shown_references(page) == ["CS-1", "ED-1", "HR-1"]
    page.status_filter.setCurrentIndex(page.status_filter.findData(STATUS_ALL))
    assert shown_references(page) == ["CS-1", "CS-2", "ED-1", "HR-1"]
    page.status_filter.setCurrentIndex(page.status_filter.findData(Status.RETIRED.value))
    assert shown_references(page) == ["CS-2"]
    assert page.count.text() == "Showing 1 of 4 activities"


def test_search_as_you_type_looks_at_all_the_text(qtbot: QtBot, page: ActivitiesPage) -> None:
    qtbot.keyClicks(page.search, "bank")  # a library item, not in any column
    assert shown_references(page) == ["HR-1"]
    page.search.clear()
    qtbot.keyClicks(page.search, "SCHOOL place")  # case-insensitive, every word must match
    assert shown_references(page) == ["ED-1"]
    qtbot.keyClicks(page.search, " nowhere")
    assert shown_references(page) == []
    page.search.clear()
    assert shown_references(page) == ["CS-1", "ED-1", "HR-1"]


def test_typing_on_and_deleting_give_what_a_fresh_search_gives(
    qtbot: QtBot, page: ActivitiesPage
) -> None:
    """Typing on only looks again at what matched before; deleting looks at everything."""

    def fresh(text: str) -> list[str]:
        proxy = ActivityFilterProxy()
        proxy.setSourceModel(page.model)
        proxy.set_search_texts(page.proxy._texts)
        proxy.set_search(text)
        return sorted(proxy.index(row, Column.REFERENCE).data() for row in range(proxy.rowCount()))

    typed = ""
    for letter in "s pl":  # "s" matches all three; "s pl" only the school place
        typed += letter
        qtbot.keyClicks(page.search, letter)
        assert shown_references(page) == fresh(typed), typed
    assert shown_references(page) == ["ED-1"]
    for _ in range(3):
        qtbot.keyClick(page.search, Qt.Key.Key_Backspace)
        typed = typed[:-1]
        assert shown_references(page) == fresh(typed), typed
    assert shown_references(page) == ["CS-1", "ED-1", "HR-1"]


def test_filters_by_business_function_special_data_and_gaps(page: ActivitiesPage) -> None:
    page.function_filter.setCurrentIndex(page.function_filter.findText("Human resources"))
    assert shown_references(page) == ["HR-1"]
    page.function_filter.setCurrentIndex(0)
    by_reference = {s.reference: s.id for s in page.model.rows}
    page.model.set_gaps({by_reference["ED-1"]: 3})
    page.gaps_filter.setChecked(True)
    assert shown_references(page) == ["ED-1"]
    page.gaps_filter.setChecked(False)
    special = sorted(
        s.reference
        for s in page.model.rows
        if (s.has_special_category or s.has_criminal_offence) and s.status != Status.RETIRED
    )
    page.special_filter.setChecked(True)
    assert shown_references(page) == special


def test_sorting_by_a_column_reorders_and_keeps_the_selection(page: ActivitiesPage) -> None:
    page.table.sortByColumn(Column.NAME, page.table.horizontalHeader().sortIndicatorOrder())
    names = [page.proxy.index(row, Column.NAME).data() for row in range(page.proxy.rowCount())]
    assert names in (sorted(names), sorted(names, reverse=True))
    target = next(s.id for s in page.model.rows if s.reference == "HR-1")
    page.select_ids([target])
    page.table.sortByColumn(Column.REFERENCE, page.table.horizontalHeader().sortIndicatorOrder())
    assert page.selected_ids() == [target]


def test_new_rows_keep_the_sort_order_the_header_shows(
    page: ActivitiesPage, register: Register
) -> None:
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    rows = register.activity_list.summaries(include_retired=True)
    page.set_rows(rows, register.activity_list.business_functions())
    names = [page.proxy.index(row, Column.NAME).data() for row in range(page.proxy.rowCount())]
    assert len(names) > 2
    assert names == sorted(names, key=str.casefold, reverse=True)
    assert page.table.horizontalHeader().sortIndicatorSection() == Column.NAME


def test_searching_sorting_and_reloading_keep_none_alive(page: ActivitiesPage) -> None:
    """PySide6 6.12.0 lost a reference to None on every filter change, sort and model reset,
    so a long day of searching aborted the app (none_dealloc) and lost what the editors
    held. pyproject.toml keeps to releases without that; this catches it in a later one."""
    rows = page.model.rows
    before = sys.getrefcount(None)
    for step in range(300):
        page.proxy.set_search(("s", "sc", "")[step % 3])
        page.model.sort(Column.NAME)
        page.model.set_rows(rows)
    # Objects made meanwhile may hold None; a leak would show as 1,500 or more fewer.
    assert sys.getrefcount(None) >= before - 100


def test_from_the_search_box_to_a_chosen_row_by_keyboard(
    qtbot: QtBot, page: ActivitiesPage
) -> None:
    """Ctrl+F, type, then Down (or Return): the first result is chosen and has the focus,
    so Open, Duplicate and Retire act on it at once."""
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    page.search.setFocus()
    qtbot.keyClicks(page.search, "school place")
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    qtbot.waitUntil(page.table.hasFocus)
    assert [s.reference for s in page.model.rows if s.id in page.selected_ids()] == ["ED-1"]

    page.table.clearSelection()
    page.search.setFocus()
    page.search.clear()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(page.table.hasFocus)
    assert len(page.selected_ids()) == 1


def test_overdue_follows_the_models_clock_across_midnight(
    qtmodeltester: ModelTester, register: Register
) -> None:
    due_on = dt.date(2027, 1, 1)
    register.activities.create(sample_activity(reference="HR-1", next_review=due_on))
    days = [due_on]
    model = ActivityTableModel(register.activity_list.summaries(), clock=lambda: days[0])
    proxy = ActivityFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_status(STATUS_OVERDUE)
    next_review = model.index(0, Column.NEXT_REVIEW)
    # On the day itself the review is due, not yet overdue: no warning, not listed.
    assert proxy.rowCount() == 0 and next_review.data(Qt.ItemDataRole.DecorationRole) is None
    days[0] = due_on + dt.timedelta(days=1)  # the window stayed open overnight
    proxy.set_status(STATUS_OVERDUE)  # the filter is applied again
    assert proxy.rowCount() == 1
    assert next_review.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "has passed" in next_review.data(Qt.ItemDataRole.ToolTipRole)
    qtmodeltester.check(proxy)
