"""The change history: who changed what and when, for one activity or the whole register,
optionally only since a date, with export to Excel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ropa.errors import RopaError
from ropa.history_export import (
    HEADINGS,
    HistoryRow,
    changes,
    sheet_title,
    to_rows,
    write_history_xlsx,
)
from ropa.register import Register
from ropa.wording import count_of
from ui.file_dialogs import ask_save_path, register_folder
from ui.item_models import horizontal_heading
from ui.prompts import Prompts, prompts_or_default
from ui.widgets.screen_fit import resize_within_screen
from ui.workers import CancelledFn, ProgressFn, ProgressRunner

Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()


class HistoryModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[HistoryRow] = []

    def set_rows(self, rows: list[HistoryRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(HEADINGS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.rows[index.row()].values()[index.column()]
            # One line in the table; the tooltip shows lists in full.
            return (
                value
                if role == Qt.ItemDataRole.ToolTipRole
                else " \u00b7 ".join(value.splitlines())
            )
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return horizontal_heading(HEADINGS, section, orientation, role)


class HistoryView(QWidget):
    """Changes newest first; `activity_ids` limits them to some activities."""

    def __init__(
        self,
        register: Register,
        activity_ids: Collection[int] | None = None,
        parent: QWidget | None = None,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__(parent)
        self.prompts = prompts_or_default(prompts)
        self.register = register
        self.activity_ids = activity_ids
        self.only_since = QCheckBox("Only changes since")
        self.since = QDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("d MMMM yyyy")
        self.since.setDate(QDate.currentDate().addYears(-1))
        self.since.setEnabled(False)
        self.count = QLabel()
        self.export_button = QPushButton("Export to Excel\u2026")

        bar = QHBoxLayout()
        bar.addWidget(self.only_since)
        bar.addWidget(self.since)
        bar.addSpacing(16)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.export_button)

        self.model = HistoryModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Changes")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((150, 90, 220, 80, 150, 200)):
            header.resizeSection(column, width)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self.only_since.toggled.connect(self.since.setEnabled)
        self.only_since.toggled.connect(self.refresh)
        self.since.dateChanged.connect(self.refresh)
        self.export_button.clicked.connect(self._ask_export)
        self.refresh()

    def since_date(self) -> dt.date | None:
        if not self.only_since.isChecked():
            return None
        chosen = self.since.date()
        return dt.date(chosen.year(), chosen.month(), chosen.day())

    def set_since(self, day: dt.date | None) -> None:
        if day is not None:
            self.since.setDate(QDate(day.year, day.month, day.day))
        self.only_since.setChecked(day is not None)

    def refresh(self) -> None:
        found = changes(self.register, activity_ids=self.activity_ids, since=self.since_date())
        self.model.set_rows(to_rows(found))
        total = len(self.model.rows)
        self.count.setText(count_of(total, "change"))

    def export(self, path: Path) -> None:
        write_history_xlsx(self.model.rows, path, title=sheet_title(self.since_date()))

    def _ask_export(self) -> ProgressRunner | None:
        path = ask_save_path(
            self,
            "Export the changes",
            "changes.xlsx",
            {"xlsx": "Excel workbook (*.xlsx)"},
            beside=register_folder(self.register),
            prompts=self.prompts,
        )
        return None if path is None else self.export_in_worker(path)

    def export_in_worker(self, path: Path) -> ProgressRunner:
        """Write the shown changes to `path` off the GUI thread, behind a progress dialog
        (atomically: cancelling leaves what was there before)."""
        rows, title = list(self.model.rows), sheet_title(self.since_date())

        def task(_progress: ProgressFn, cancelled: CancelledFn) -> Path:
            if cancelled():
                raise RopaError("Cancelled: nothing was written.")
            write_history_xlsx(rows, path, title=title)
            return path

        runner = ProgressRunner(self, "Export the changes", f"Writing {path.name}\u2026", task)
        runner.finished.connect(self._exported)
        return runner.start()

    def _exported(self, ok: bool, payload: object) -> None:
        if not ok and payload:
            self.prompts.warning(self, "Export the changes", str(payload))


class HistoryDialog(QDialog):
    def __init__(
        self,
        register: Register,
        activity_ids: Collection[int] | None = None,
        title: str = "Change history",
        parent: QWidget | None = None,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.view = HistoryView(register, activity_ids, self, prompts)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        resize_within_screen(self, 1000, 600)
