"""The Libraries page: the reusable items activities share, and where each is used.

Renaming an item here renames it in every activity and every notice at once; two items
that mean the same can be merged; an unused item can be deleted.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ropa.errors import RopaError
from ropa.fields import KIND_LABELS
from ropa.records import LibraryItemRecord, LibraryKind
from ropa.register import Register
from ropa.wording import count_of
from ui.prompts import Prompts, prompts_or_default
from ui.undo import LibraryItemEditCommand
from ui.widgets.focus import on_focus_out

ModelIndex = QModelIndex | QPersistentModelIndex
ItemRole = Qt.ItemDataRole
ITEM_ID_ROLE = ItemRole.UserRole + 1
_HEADERS = ("Name", "Used by", "Details")
# Kinds whose items record an agreement: processors' contracts, recipients' sharing agreements.
_AGREEMENT_KINDS = (LibraryKind.PROCESSOR, LibraryKind.RECIPIENT)


def _details(item: LibraryItemRecord) -> str:
    flags = []
    if item.special_category:
        flags.append("Special category")
    if item.criminal_offence:
        flags.append("Criminal offence data")
    if item.kind == LibraryKind.PROCESSOR:
        flags.append("Contract recorded" if item.contract_link else "No contract recorded")
    if item.kind == LibraryKind.RECIPIENT:
        flags.append(
            "Sharing agreement recorded" if item.contract_link else "No sharing agreement recorded"
        )
    if item.adequacy:
        flags.append("Adequacy regulations")
    if item.description:
        flags.append(item.description.splitlines()[0])
    return " \u00b7 ".join(flags)


class LibraryItemModel(QAbstractTableModel):
    """The items of one kind with how many activities use each."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[LibraryItemRecord] = []

    def set_items(self, items: list[LibraryItemRecord]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> LibraryItemRecord:
        return self._items[row]

    def row_of(self, item_id: int) -> int | None:
        for row, item in enumerate(self._items):
            if item.id == item_id:
                return row
        return None

    def replace(self, record: LibraryItemRecord) -> None:
        row = self.row_of(record.id) if record.id is not None else None
        if row is None:
            return
        self._items[row] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(_HEADERS) - 1))

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def data(self, index: ModelIndex, role: int = ItemRole.DisplayRole) -> Any:
        if not index.isValid() or not self.checkIndex(index):
            return None
        item = self._items[index.row()]
        if role == ITEM_ID_ROLE:
            return item.id
        if role in (ItemRole.DisplayRole, ItemRole.AccessibleTextRole):
            if index.column() == 0:
                return item.name
            if index.column() == 1:
                count = item.usage_count
                return "Not used" if not count else count_of(count, "activity", "activities")
            return _details(item)
        if role == ItemRole.UserRole and index.column() == 1:
            return item.usage_count
        if role == ItemRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = ItemRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == ItemRole.DisplayRole
            and 0 <= section < len(_HEADERS)
        ):
            return _HEADERS[section]
        return None


class MergeDialog(QDialog):
    """Choose the item that `source` is merged into."""

    def __init__(
        self, source: LibraryItemRecord, candidates: list[LibraryItemRecord], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Merge \u201c{source.name}\u201d")
        self.target = QComboBox()
        self.target.setAccessibleName("Merge into")
        for item in candidates:
            self.target.addItem(item.name, item.id)
        self.target.setEditable(True)
        self.target.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        explanation = QLabel(
            f"Every activity that uses \u201c{source.name}\u201d will use the item you choose "
            f"instead, and \u201c{source.name}\u201d will be deleted."
        )
        explanation.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Merge into:", self.target)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok_button.setText("Merge")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def target_id(self) -> int | None:
        index = self.target.findText(self.target.currentText(), Qt.MatchFlag.MatchFixedString)
        value = self.target.itemData(index) if index >= 0 else None
        return value if isinstance(value, int) else None


class LibrariesView(QWidget):
    """Edit, rename, merge and delete library items; see where each is used."""

    library_changed = Signal()
    open_activity = Signal(int, str)  # activity id, field name

    def __init__(
        self,
        register: Register,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.prompts = prompts_or_default(prompts)
        self.undo_stack = undo_stack
        self._seen_versions: dict[int, int] = {}  # item id -> version, for the undo steps
        self._editable = True
        self.kinds = QListWidget()
        self.kinds.setAccessibleName("Kinds of library item")
        for kind, (_singular, plural) in KIND_LABELS.items():
            entry = QListWidgetItem(plural)
            entry.setData(ItemRole.UserRole, kind)
            self.kinds.addItem(entry)
        self.kinds.setFixedWidth(self.kinds.sizeHintForColumn(0) + 36)

        self.model = LibraryItemModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter items\u2026")
        self.filter.setAccessibleName("Filter library items")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setAccessibleName("Library items")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(2, 200)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.add_button = QPushButton("Add\u2026")
        self.add_button.clicked.connect(self.add_item)
        self.merge_button = QPushButton("Merge into\u2026")
        self.merge_button.clicked.connect(self.merge_current)
        self.delete_button = QPushButton("Delete\u2026")
        self.delete_button.clicked.connect(self.delete_current)
        list_buttons = QHBoxLayout()
        for button in (self.add_button, self.merge_button, self.delete_button):
            list_buttons.addWidget(button)
        list_buttons.addStretch(1)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.filter)
        centre_layout.addWidget(self.table, 1)
        centre_layout.addLayout(list_buttons)

        self.details = self._build_details()
        splitter = QSplitter()
        splitter.addWidget(centre)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 360])  # the item names need the room more than the details
        splitter.setChildrenCollapsible(False)
        layout = QHBoxLayout(self)
        layout.addWidget(self.kinds)
        layout.addWidget(splitter, 1)

        # The items are read when the page is first shown (or a kind is chosen), not at start-up.
        self.kinds.blockSignals(True)
        self.kinds.setCurrentRow(0)
        self.kinds.blockSignals(False)
        self._loaded = False
        self.kinds.currentRowChanged.connect(lambda _row: self.refresh())

    def showEvent(self, event: QShowEvent) -> None:
        # Read again each time the page is shown: an activity saved meanwhile may have added
        # items or changed what uses them. Not when the window is merely restored, nor over
        # text typed here and not yet saved.
        if not self._loaded or (not event.spontaneous() and not self._holds_unsaved_text()):
            self.refresh()
        super().showEvent(event)

    def _holds_unsaved_text(self) -> bool:
        item = self.current_item()
        if item is None:
            return False
        contract_typed = item.kind in _AGREEMENT_KINDS and (
            self.contract_edit.text() != item.contract_link
        )
        return (
            self.name_edit.text() != item.name
            or self.description_edit.toPlainText() != item.description
            or contract_typed
        )

    def _build_details(self) -> QGroupBox:
        box = QGroupBox("Item")
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Item name")
        self.name_edit.setToolTip("Renaming changes the wording in every activity and notice.")
        self.name_edit.editingFinished.connect(lambda: self._edit("name", self.name_edit.text()))
        self.description_edit = QPlainTextEdit()
        self.description_edit.setAccessibleName("Item description")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        on_focus_out(
            self.description_edit,
            lambda: self._edit("description", self.description_edit.toPlainText()),
        )
        self.special_box = QCheckBox("Special category data (Article 9)")
        self.special_box.clicked.connect(lambda on: self._edit("special_category", on))
        self.criminal_box = QCheckBox("Criminal offence data (Article 10)")
        self.criminal_box.clicked.connect(lambda on: self._edit("criminal_offence", on))
        self.contract_edit = QLineEdit()
        self.contract_edit.setAccessibleName("Contract link")
        self.contract_edit.setPlaceholderText("Where the Article 28 contract is kept")
        self.contract_edit.editingFinished.connect(
            lambda: self._edit("contract_link", self.contract_edit.text())
        )
        self.used_by = QListWidget()
        self.used_by.setAccessibleName("Activities using this item")
        self.used_by.itemActivated.connect(self._open_user)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Description:", self.description_edit)
        form.addRow("", self.special_box)
        form.addRow("", self.criminal_box)
        self.contract_label = QLabel("&Contract:")
        # Wide enough for "Agreement:" too (a recipient's data sharing agreement).
        metrics = self.contract_label.fontMetrics()
        self.contract_label.setMinimumWidth(metrics.horizontalAdvance("Agreement:") + 2)
        self.contract_label.setBuddy(self.contract_edit)
        form.addRow(self.contract_label, self.contract_edit)
        self.used_by_label = QLabel("Used by:")
        bold = QFont(self.used_by_label.font())
        bold.setBold(True)
        self.used_by_label.setFont(bold)
        self.used_by_label.setBuddy(self.used_by)
        form.addRow(self.used_by_label)
        form.addRow(self.used_by)
        return box

    # --- state ---------------------------------------------------------------------------

    def current_kind(self) -> LibraryKind:
        item = self.kinds.currentItem()
        kind = item.data(ItemRole.UserRole) if item is not None else LibraryKind.PURPOSE
        return LibraryKind(kind)

    def current_item(self) -> LibraryItemRecord | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.item(self.proxy.mapToSource(index).row())

    def refresh(self, select_id: int | None = None) -> None:
        if select_id is None and (current := self.current_item()) is not None:
            select_id = current.id
        self._loaded = True
        self.model.set_items(self.register.library.items(self.current_kind()))
        self.select_item(select_id)

    def select_item(self, item_id: int | None) -> None:
        row = self.model.row_of(item_id) if item_id is not None else None
        if row is None and self.model.rowCount():
            row = 0
        if row is not None:
            self.table.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))
        self._show_current()

    def show_contract_of(self, processor_id: int | None) -> None:
        """The Processors list with this processor chosen and the cursor in its contract box
        (from a "no contract is linked" gap)."""
        for row in range(self.kinds.count()):
            entry = self.kinds.item(row)
            if entry is not None and entry.data(ItemRole.UserRole) == LibraryKind.PROCESSOR:
                self.kinds.setCurrentRow(row)
        self.refresh(select_id=processor_id)
        self.contract_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_editable(self, editable: bool) -> None:
        """Grey out adding, changing, merging and deleting (a team register's non-DPO)."""
        self._editable = editable
        self.add_button.setEnabled(editable)
        self._show_current()

    def _show_current(self) -> None:
        item = self.current_item()
        editable = item is not None and self._editable
        self.details.setEnabled(editable)
        self.merge_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)
        kind = self.current_kind()
        data = kind == LibraryKind.DATA_CATEGORY
        self.special_box.setVisible(data)
        self.criminal_box.setVisible(data)
        # A processor's Article 28 contract; a recipient's data sharing agreement (the ICO's
        # data sharing code, DPA 2018 s.121), or why none is needed.
        self.contract_label.setVisible(kind in _AGREEMENT_KINDS)
        self.contract_edit.setVisible(kind in _AGREEMENT_KINDS)
        recipient = kind == LibraryKind.RECIPIENT
        self.contract_label.setText("&Agreement:" if recipient else "&Contract:")
        self.contract_edit.setAccessibleName(
            "Data sharing agreement" if recipient else "Contract link"
        )
        self.contract_edit.setPlaceholderText(
            "Where the data sharing agreement is kept, or why none is needed"
            if recipient
            else "Where the Article 28 contract is kept"
        )
        self.used_by.clear()
        if item is None:
            for edit in (self.name_edit, self.contract_edit):
                edit.clear()
            self.description_edit.clear()
            self.details.setTitle(KIND_LABELS[kind][1])
            return
        self.details.setTitle(KIND_LABELS[kind][0].capitalize())
        self.name_edit.setText(item.name)
        self.description_edit.setPlainText(item.description)
        self.special_box.setChecked(item.special_category)
        self.criminal_box.setChecked(item.criminal_offence)
        self.contract_edit.setText(item.contract_link)
        assert item.id is not None
        users = self.register.library.where_used(item.id)
        for activity_id, reference, name in users:
            entry = QListWidgetItem(f"{reference}  {name}")
            entry.setData(ItemRole.UserRole, activity_id)
            self.used_by.addItem(entry)
        count = len(users)
        self.used_by_label.setText(
            "Used by no activity"
            if not count
            else f"Used by {count_of(count, 'activity', 'activities')} (double-click to open):"
        )

    # --- editing -------------------------------------------------------------------------

    def flush(self) -> None:
        """Save what is still in the boxes (the window is closing)."""
        item = self.current_item()
        if item is None:
            return
        self._edit("name", self.name_edit.text())
        self._edit("description", self.description_edit.toPlainText())
        if item.kind in _AGREEMENT_KINDS:
            self._edit("contract_link", self.contract_edit.text())

    def _edit(self, attribute: str, value: Any) -> None:
        item = self.current_item()
        if item is None or getattr(item, attribute) == value:
            return
        self.undo_stack.push(
            LibraryItemEditCommand(
                self.register,
                item,
                {attribute: value},
                self._saved,
                self._failed,
                self._seen_versions,
            )
        )

    def _saved(self, record: LibraryItemRecord) -> None:
        if record.kind != self.current_kind():
            row = self.kinds.currentRow()
            for number in range(self.kinds.count()):
                if self.kinds.item(number).data(ItemRole.UserRole) == record.kind:
                    row = number
            self.kinds.setCurrentRow(row)
        self.model.replace(record)
        self.select_item(record.id)
        self.library_changed.emit()

    def _failed(self, error: RopaError) -> None:
        self.prompts.warning(self, "Not saved", str(error))
        self.refresh()

    def add_item(self) -> None:
        kind = self.current_kind()
        name = self.prompts.text(
            self, "Add to the library", f"Name of the new {KIND_LABELS[kind][0]}:"
        )
        if name is None or not name.strip():
            return
        try:
            record = self.register.library.create(LibraryItemRecord(kind=kind, name=name))
        except RopaError as error:
            self.prompts.warning(self, "Not added", str(error))
            return
        self.refresh(record.id)
        self.library_changed.emit()

    def merge_current(self) -> None:
        item = self.current_item()
        if item is None or item.id is None:
            return
        candidates = [
            other for other in self.register.library.items(item.kind) if other.id != item.id
        ]
        if not candidates:
            self.prompts.information(self, "Nothing to merge into", "There is no other item.")
            return
        dialog = MergeDialog(item, candidates, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.target_id() is None:
            return
        target_id = dialog.target_id()
        assert target_id is not None
        self.merge(item.id, target_id)

    def merge(self, source_id: int, target_id: int) -> None:
        try:
            record = self.register.library.merge(source_id, target_id)
        except RopaError as error:
            self.prompts.warning(self, "Not merged", str(error))
            return
        # The merged item is gone, so earlier steps about it can no longer be undone.
        self.undo_stack.clear()
        self.refresh(record.id)
        self.library_changed.emit()

    def delete_current(self) -> None:
        item = self.current_item()
        if item is None or item.id is None:
            return
        answer = self.prompts.question(
            self,
            "Delete library item",
            f"Delete \u201c{item.name}\u201d from the library?",
            ("Yes", "No"),
            default="No",
        )
        if answer != "Yes":
            return
        try:
            self.register.library.delete(item.id)
        except RopaError as error:
            self.prompts.warning(self, "Not deleted", str(error))
            return
        self.undo_stack.clear()
        self.refresh()
        self.library_changed.emit()

    def _open_user(self, entry: QListWidgetItem) -> None:
        activity_id = entry.data(ItemRole.UserRole)
        if isinstance(activity_id, int):
            self.open_activity.emit(activity_id, "")
