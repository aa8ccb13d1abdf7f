"""The main window: for now, the list of the register's activities."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QMainWindow, QTableView

from ropa.records import ActivitySummary
from ropa.register import Register

_COLUMNS = ("Reference", "Name", "Business function", "Status", "Next review")


class ActivityListModel(QAbstractTableModel):
    def __init__(self, rows: list[ActivitySummary]) -> None:
        super().__init__()
        self._rows = rows

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self._rows[index.row()]
        values = (
            row.reference,
            row.name,
            row.business_function,
            row.status.value,
            row.next_review.strftime("%d %B %Y") if row.next_review else "",
        )
        return values[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _COLUMNS[section]
        return None


class MainWindow(QMainWindow):
    def __init__(self, register: Register) -> None:
        super().__init__()
        self.register = register
        self.setWindowTitle(f"{register.path.name} \u2014 ROPA desk")
        self.table = QTableView()
        self.model = ActivityListModel(register.activities.summaries())
        self.table.setModel(self.model)
        self.setCentralWidget(self.table)
        self.resize(1100, 700)
