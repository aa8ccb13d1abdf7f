"""The import preview's list of changes: per activity the register already holds, each
field the workbook would change, what the register has now and what the workbook says.

Every change starts accepted; the DPO unticks an activity (all its changes) or a single
field to keep what the register has.  After the import the same list shows what was
changed and what was kept, and can no longer be ticked.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ropa.spreadsheets.merge import ActivityChanges, FieldChange, shown_value

_ACTIVITY_ID = Qt.ItemDataRole.UserRole + 1
_FIELD = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Activity and field", "In the register now", "From the workbook")


class ImportChangesView(QWidget):
    """Per activity, the fields an import would change, each with a tick to accept it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.model.itemChanged.connect(self._tick_changed)
        self._propagating = False
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Changes to activities already in the register")
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tree, 1)

    def set_changes(self, activities: Sequence[ActivityChanges], *, preview: bool) -> None:
        """Show the changes of a preview (tickable) or of an import made (read only)."""
        self.model.removeRows(0, self.model.rowCount())
        self.setVisible(bool(activities))
        if not activities:
            return
        count = len(activities)
        held = f"{count} {'activity' if count == 1 else 'activities'} already in the register"
        if preview:
            self.heading.setText(
                f"<b>Changes to {held}.</b> Blank cells in the workbook change nothing. "
                "Untick an activity, or one of its fields, to keep what the register has."
            )
        else:
            self.heading.setText(
                f"<b>Changes made to {held}</b>, and those you chose to keep as they were."
            )
        for row, entry in enumerate(activities):
            self.model.appendRow(self._activity_row(entry, preview=preview))
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()
        self.tree.setColumnWidth(0, 280)  # field names; activity lines span all columns

    def _activity_row(self, entry: ActivityChanges, *, preview: bool) -> list[QStandardItem]:
        fields = len(entry.changes)
        summary = (
            f"{fields} {'field' if fields == 1 else 'fields'} to change"
            if preview
            else f"{fields} changed, {len(entry.kept)} kept"
        )
        # One line across the columns (see set_changes): the activity, where it was read,
        # and how many of its fields change.
        title = QStandardItem(
            f"{entry.reference} {entry.name} \u2014 sheet \u201c{entry.sheet}\u201d, "
            f"row {entry.rows}: {summary}"
        )
        title.setData(entry.activity_id, _ACTIVITY_ID)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        if preview:
            title.setCheckable(True)
            title.setCheckState(Qt.CheckState.Checked)
        for change in entry.changes:
            title.appendRow(self._field_row(entry.activity_id, change, preview, kept=False))
        for change in entry.kept:
            title.appendRow(self._field_row(entry.activity_id, change, preview, kept=True))
        return [title, QStandardItem(), QStandardItem()]

    @staticmethod
    def _field_row(
        activity_id: int, change: FieldChange, preview: bool, *, kept: bool
    ) -> list[QStandardItem]:
        name = QStandardItem(change.label + (" (kept as it was)" if kept else ""))
        name.setData(activity_id, _ACTIVITY_ID)
        name.setData(change.field, _FIELD)
        if preview:
            name.setCheckable(True)
            name.setCheckState(Qt.CheckState.Checked)
        old = QStandardItem(shown_value(change.old, change.old_unknown))
        new = QStandardItem(shown_value(change.new, False))
        for item in (old, new):
            item.setToolTip(item.text())
        return [name, old, new]

    def _tick_changed(self, item: QStandardItem) -> None:
        """An activity's tick sets all its fields'; a field's tick shows on its activity
        (ticked, unticked, or partly).  Done here rather than by Qt's auto-tristate, which
        follows clicks in the view only."""
        if self._propagating or item.column() != 0 or not item.isCheckable():
            return
        self._propagating = True
        try:
            parent = item.parent()
            if parent is None:
                state = item.checkState()
                if state != Qt.CheckState.PartiallyChecked:
                    for row in range(item.rowCount()):
                        item.child(row, 0).setCheckState(state)
            else:
                states = {parent.child(row, 0).checkState() for row in range(parent.rowCount())}
                parent.setCheckState(
                    states.pop() if len(states) == 1 else Qt.CheckState.PartiallyChecked
                )
        finally:
            self._propagating = False

    def rejected(self) -> set[tuple[int, str]]:
        """The (activity id, field) changes the DPO unticked."""
        refused: set[tuple[int, str]] = set()
        for row in range(self.model.rowCount()):
            activity = self.model.item(row, 0)
            for child_row in range(activity.rowCount()):
                child = activity.child(child_row, 0)
                if child.isCheckable() and child.checkState() != Qt.CheckState.Checked:
                    refused.add((int(child.data(_ACTIVITY_ID)), str(child.data(_FIELD))))
        return refused

    def set_activity_accepted(self, row: int, accepted: bool) -> None:
        """Tick or untick all the changes of the activity in `row` (as a click would)."""
        state = Qt.CheckState.Checked if accepted else Qt.CheckState.Unchecked
        self.model.item(row, 0).setCheckState(state)
