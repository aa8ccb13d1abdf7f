"""Restore from backup: choose one of the register's backups; and the read-only banner.

The dialog only chooses and confirms.  The caller then runs
`ropa.backup.restore_backup(register_path, dialog.chosen_backup())`, which backs the current
register up first, and reloads its views.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ropa.backup import BackupInfo, backup_folder, list_backups
from ui.item_models import horizontal_heading
from ui.prompts import Prompts, prompts_or_default
from ui.widgets.banner import Banner

_COLUMNS = ("Taken", "Why")


class BackupListModel(QAbstractTableModel):
    """The backups of one register, newest first."""

    def __init__(self, backups: list[BackupInfo], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._backups = backups

    def backup(self, row: int) -> BackupInfo:
        return self._backups[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._backups)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_COLUMNS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        info = self._backups[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return info.when if index.column() == 0 else info.why
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(info.path)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return horizontal_heading(_COLUMNS, section, orientation, role)


class RestoreBackupDialog(QDialog):
    """Lists the register's backups with their dates; Restore asks for confirmation."""

    def __init__(
        self, register_path: Path, parent: QWidget | None = None, prompts: Prompts | None = None
    ) -> None:
        super().__init__(parent)
        self.prompts = prompts_or_default(prompts)
        self.register_path = Path(register_path)
        self._chosen: Path | None = None
        self.setWindowTitle("Restore from backup")
        self.resize(620, 380)

        backups = list_backups(self.register_path)
        folder = backup_folder(self.register_path)
        self.explanation = QLabel(
            "Choose the backup to put back in place of the register. The register as it is "
            "now is backed up first, so a restore can itself be undone.\n"
            f"Backups are kept in the folder \u201c{folder.name}\u201d beside the register."
            if backups
            else "There are no backups of this register yet. ROPA desk makes one on the "
            "first opening of each day and before every upgrade."
        )
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)

        self.model = BackupListModel(backups, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Backups of the register")
        self.table.setVisible(bool(backups))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton(
            "Restore\u2026", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.disconnect()
        self.restore_button.clicked.connect(self._restore_chosen)
        self.buttons.rejected.connect(self.reject)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._restore_chosen)

        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        if backups:
            self.table.selectRow(0)

    def chosen_backup(self) -> Path | None:
        """The backup the user chose and confirmed; None if they cancelled."""
        return self._chosen

    def selected_backup(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.backup(rows[0].row()) if rows else None

    def confirm(self, info: BackupInfo) -> bool:
        """Ask before replacing the register; Cancel unless the user says Yes."""
        answer = self.prompts.question(
            self,
            "Restore from backup",
            f"Replace the register with the backup taken on {info.when}?\n\n"
            "Changes made since then will no longer be in the register. The register as it "
            "is now is backed up first, so you can restore it again if you need to.",
            ("Yes", "Cancel"),
            default="Cancel",
        )
        return answer == "Yes"

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected_backup() is not None)

    def _restore_chosen(self) -> None:
        info = self.selected_backup()
        if info is None or not self.confirm(info):
            return
        self._chosen = info.path
        self.accept()


class ReadOnlyBanner(Banner):
    """A strip across the window: the register is read-only, why, and what to do."""

    save_copy_requested = Signal()

    def __init__(self, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(ReadOnlyBanner.text_for(reason), "Read-only register", parent)
        self.setObjectName("readOnlyBanner")
        self.save_copy_button = QPushButton("Save a copy\u2026")
        self.save_copy_button.setToolTip("Save a copy of the register where you can edit it")
        self.save_copy_button.clicked.connect(self.save_copy_requested)
        self.row.addWidget(self.save_copy_button)

    @staticmethod
    def text_for(reason: str) -> str:
        because = f" because {reason}" if reason else ""
        return (
            f"Read-only: this register cannot be changed{because}. "
            "You can read, export and print it. Save a copy to edit."
        )
