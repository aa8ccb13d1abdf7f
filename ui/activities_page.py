"""The Activities page: the table of activities with search-as-you-type and filters."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ropa.dates import DUE_SOON_DAYS
from ropa.fields import STATUS_LABELS
from ropa.records import ActivitySummary, Status
from ropa.review_rules import CHANGED_SINCE_APPROVED
from ui.activity_table_model import (
    ID_ROLE,
    STATUS_ALL,
    STATUS_CHANGED,
    STATUS_CURRENT,
    STATUS_DUE,
    STATUS_OVERDUE,
    ActivityFilterProxy,
    ActivityTableModel,
    Column,
)

_STATUS_CHOICES = [
    ("All current (not retired)", STATUS_CURRENT),
    (f"Due for review (next {DUE_SOON_DAYS} days)", STATUS_DUE),
    ("Overdue for review", STATUS_OVERDUE),
    (STATUS_LABELS[Status.DRAFT], Status.DRAFT.value),
    (CHANGED_SINCE_APPROVED, STATUS_CHANGED),  # approved, then changed: not yet submitted
    *((label, status.value) for status, label in STATUS_LABELS.items() if status != Status.DRAFT),
    ("All, including retired", STATUS_ALL),
]
ALL_FUNCTIONS = "All business functions"


class ActivitiesPage(QWidget):
    open_requested = Signal(int)  # activity id
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ActivityTableModel(parent=self)
        self.proxy = ActivityFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search every field of every activity\u2026")
        self.search.setAccessibleName("Search activities")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_search)
        # Return or the down arrow in the search box goes to the first result.
        self.search.returnPressed.connect(self.go_to_results)
        self.search.installEventFilter(self)
        self.function_filter = QComboBox()
        self.function_filter.setAccessibleName("Filter by business function")
        self.function_filter.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.function_filter.setMinimumContentsLength(len(ALL_FUNCTIONS))
        self.function_filter.currentIndexChanged.connect(self._function_chosen)
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Filter by status")
        for text, value in _STATUS_CHOICES:
            self.status_filter.addItem(text, value)
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self.proxy.set_status(str(self.status_filter.currentData()))
        )
        self.special_filter = QCheckBox("Special category data")
        self.special_filter.setToolTip(
            "Only activities using special category (Article 9) or criminal offence "
            "(Article 10) data"
        )
        self.special_filter.toggled.connect(self.proxy.set_special_only)
        self.gaps_filter = QCheckBox("Has gaps")
        self.gaps_filter.setToolTip("Only activities the checks found gaps in")
        self.gaps_filter.toggled.connect(self.proxy.set_gaps_only)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.function_filter, 1)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.special_filter)
        filters.addWidget(self.gaps_filter)

        self.table = QTableView()
        self.table.setAccessibleName("Activities")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        # Fixed row heights let the view skip measuring thousands of rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # register order until asked
        self.table.setSortingEnabled(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        widths = {
            Column.REFERENCE: 110,
            Column.BUSINESS_FUNCTION: 230,
            # Wide enough for the longest status, "Changed since approved".
            Column.STATUS: max(
                self.fontMetrics().horizontalAdvance(label)
                for label in (CHANGED_SINCE_APPROVED, *STATUS_LABELS.values())
            )
            + 24,
            Column.NEXT_REVIEW: 160,
            Column.GAPS: 70,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._activated)
        self.table.installEventFilter(self)  # arriving by Tab selects a row to act on
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit()
        )

        self.count = QLabel()
        self.count.setAccessibleName("Number of activities shown")
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_count)

        # What a first-time user sees instead of an empty grid: where to start.
        self.empty_hint = QLabel(
            "<p><b>No processing activities yet.</b></p>"
            "<p>Add one with <b>New activity</b>, bring in the spreadsheet you keep today with "
            "<b>File \u2192 Import ICO workbook</b>, or look around a council's example "
            "register with <b>Help \u2192 Open the example register</b>.</p>"
        )
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setAccessibleName("The register has no activities yet")
        self.empty_hint.setMargin(24)
        self.empty_hint.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.setFocusProxy(self.table)

    # --- data ----------------------------------------------------------------------------

    def set_rows(self, rows: list[ActivitySummary], functions: list[str]) -> None:
        selected = self.selected_ids()
        self.model.set_rows(rows)  # in register order: sorted again as the header shows
        header = self.table.horizontalHeader()
        if self.table.isSortingEnabled() and header.sortIndicatorSection() >= 0:
            self.proxy.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        current = self.function_filter.currentText()
        self.function_filter.blockSignals(True)
        self.function_filter.clear()
        self.function_filter.addItem(ALL_FUNCTIONS, "")
        for name in functions:
            self.function_filter.addItem(name, name)
        position = self.function_filter.findText(current)
        self.function_filter.setCurrentIndex(max(position, 0))
        self.function_filter.blockSignals(False)
        if position < 0 and current not in ("", ALL_FUNCTIONS):  # its function is gone
            self.proxy.set_business_function("")
        self.select_ids(selected)
        self._update_count()

    def _function_chosen(self, _index: int) -> None:
        self.proxy.set_business_function(str(self.function_filter.currentData() or ""))

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.empty_hint.setVisible(total == 0)
        noun = "activity" if total == 1 else "activities"
        self.count.setText(
            f"{total} {noun}" if shown == total else f"Showing {shown} of {total} {noun}"
        )

    # --- selection -----------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows()
        return [int(index.data(ID_ROLE)) for index in sorted(rows, key=lambda i: i.row())]

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return int(index.data(ID_ROLE)) if index.isValid() else None

    def select_ids(self, ids: list[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        first = None
        for activity_id in ids:
            row = self.model.row_of(activity_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, flags)
                first = first or index
        if first is not None:
            selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.table.scrollTo(first)

    def go_to_results(self) -> None:
        """Move into the table, on the row already chosen or else the first one shown."""
        self.table.setFocus(Qt.FocusReason.TabFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.go_to_results()
            return True
        if (
            watched is self.table
            and event.type() == QEvent.Type.FocusIn
            and isinstance(event, QFocusEvent)
            and event.reason() != Qt.FocusReason.MouseFocusReason  # a click chooses its own
            and not self.selected_ids()
            and self.proxy.rowCount()
        ):
            # Arriving from the keyboard with nothing chosen: choose the current row (or the
            # first), so that Open, Duplicate and Retire act at once, as in a file manager.
            row = max(self.table.currentIndex().row(), 0)
            self.table.selectRow(row)
        return super().eventFilter(watched, event)

    def _activated(self, index: object) -> None:
        activity_id = self.current_id()
        if activity_id is not None:
            self.open_requested.emit(activity_id)


__all__ = ["ActivitiesPage", "Status"]
