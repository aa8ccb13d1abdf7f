"""The import preview's mapping step: each source column, the field suggested for it, how
sure that is, and the DPO's choice (another field, keep as an own column, or ignore); and
for each sheet, whether it is the organisation's own processing or a processor's record.

The choices are kept per layout of headings (the table's signature) in the app's settings,
so the next workbook of the same layout is read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ropa.spreadsheets.layout import Kind
from ropa.spreadsheets.report import ImportReport
from ropa.spreadsheets.vocabulary import (
    IGNORE,
    OWN,
    Certainty,
    choosable_keys,
    field_label,
    header_key,
)
from ui.item_models import horizontal_heading

_Index = QModelIndex | QPersistentModelIndex
_UNSURE = QBrush(QColor("#FFF2CC"))  # the amber the export gives the register's own columns
# Its text dark whatever the desktop's colours: light text on pale amber cannot be read.
_ON_UNSURE = QBrush(QColor("#1b1b1b"))
_CHOICE_ROLE = Qt.ItemDataRole.UserRole + 1  # the choice's value: a field key, OWN or IGNORE
_OPTIONS_ROLE = Qt.ItemDataRole.UserRole + 2  # [(label, value)] a column may be read as


@dataclass
class _Row:
    sheet: str
    kind: Kind
    signature: str
    letter: str
    heading: str
    suggested: str | None  # the field the import suggested (None: an own column)
    certainty: Certainty | None
    how: str
    choice: str  # a field key, OWN or IGNORE
    unsure: bool  # matched only by a word (ColumnChoice.unsure): the DPO is asked


def _certainty_words(row: _Row) -> str:
    if row.choice != _initial(row):
        return "your choice"
    if row.certainty is None:
        return row.how
    return row.certainty.words


def _initial(row: _Row) -> str:
    return row.suggested if row.suggested is not None else OWN


def _choice_label(value: str) -> str:
    if value == OWN:
        return "Keep as an own column"
    if value == IGNORE:
        return "Ignore (do not read)"
    return field_label(value)


class ColumnMappingModel(QAbstractTableModel):
    """Every column of every table of the preview, with the DPO's choice for it."""

    HEADINGS = ("Sheet", "Column", "Heading", "Read as", "Certainty")
    CHOICE_COLUMN = 3
    choices_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []

    def set_report(self, report: ImportReport, mapping: dict[str, str]) -> None:
        self.beginResetModel()
        self._rows = []
        for sheet in report.sheets:
            kind = Kind(sheet.kind)
            for choice in sheet.choices:
                suggested = choice.key
                chosen = mapping.get(header_key(choice.heading)) if choice.heading else None
                if choice.ignored:
                    value = IGNORE
                elif chosen is not None:
                    value = chosen
                else:
                    value = suggested if suggested is not None else OWN
                self._rows.append(
                    _Row(
                        sheet.sheet,
                        kind,
                        sheet.signature,
                        choice.letter,
                        choice.heading,
                        suggested,
                        choice.certainty,
                        choice.how,
                        value,
                        choice.unsure,
                    )
                )
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADINGS)

    def unsure_count(self) -> int:
        return sum(1 for row in self._rows if row.unsure)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                row.sheet,
                row.letter,
                row.heading or "(no heading)",
                _choice_label(row.choice),
                _certainty_words(row),
            )
            return values[column]
        if row.unsure and row.choice == _initial(row):
            if role == Qt.ItemDataRole.BackgroundRole:
                return _UNSURE
            if role == Qt.ItemDataRole.ForegroundRole:
                return _ON_UNSURE
        if role == _CHOICE_ROLE:
            return row.choice
        if role == _OPTIONS_ROLE:
            keys = choosable_keys(row.kind)
            return [(_choice_label(key), key) for key in (*keys, OWN, IGNORE)]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        # A column without a heading cannot be named in a mapping.
        if (
            index.isValid()
            and index.column() == self.CHOICE_COLUMN
            and self._rows[index.row()].heading
        ):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.CHOICE_COLUMN:
            return False
        row = self._rows[index.row()]
        if role != Qt.ItemDataRole.EditRole or value == row.choice:
            return False
        row.choice = str(value)
        self.dataChanged.emit(
            self.index(index.row(), 0), self.index(index.row(), len(self.HEADINGS) - 1)
        )
        self.choices_changed.emit()
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return horizontal_heading(self.HEADINGS, section, orientation, role)

    def _changed_rows(self) -> list[_Row]:
        """The columns the DPO read otherwise than the import suggested (a column without a
        heading cannot be chosen for)."""
        return [row for row in self._rows if row.heading and row.choice != _initial(row)]

    def mapping(self) -> dict[str, str]:
        """The DPO's choices that differ from what the import suggested, by heading."""
        return {header_key(row.heading): row.choice for row in self._changed_rows()}

    def mapping_by_layout(self) -> dict[str, dict[str, str]]:
        """The same choices, by the layout (signature) of the table each belongs to."""
        found: dict[str, dict[str, str]] = {}
        for row in self._changed_rows():
            found.setdefault(row.signature, {})[header_key(row.heading)] = row.choice
        return found


class _ChoiceDelegate(QStyledItemDelegate):
    """A list of the fields a column may be read as, own column and ignore."""

    def createEditor(
        self, parent: QWidget, _option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        editor = QComboBox(parent)
        editor.setAccessibleName("Read the column as")
        for label, value in index.data(_OPTIONS_ROLE) or []:
            editor.addItem(label, value)
        editor.currentIndexChanged.connect(lambda _i: self.commitData.emit(editor))
        return editor

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        position = editor.findData(index.data(_CHOICE_ROLE))
        editor.blockSignals(True)
        editor.setCurrentIndex(max(position, 0))
        editor.blockSignals(False)

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class MappingPanel(QWidget):
    """The mapping step: which record each sheet is, and what each column is read as."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.roles_form = QFormLayout()
        self.roles_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.role_boxes: dict[str, QComboBox] = {}
        self.unsure_sheets: set[str] = set()
        self._suggested_kinds: dict[str, Kind] = {}
        self.model = ColumnMappingModel(self)
        self.model.choices_changed.connect(self.changed)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Columns and the fields they are read as")
        self.table.setItemDelegateForColumn(ColumnMappingModel.CHOICE_COLUMN, _ChoiceDelegate(self))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 320)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.roles_form)
        layout.addWidget(self.table, 1)

    def show_report(self, report: ImportReport, mapping: dict[str, str]) -> None:
        self.model.set_report(report, mapping)
        while self.roles_form.rowCount():
            self.roles_form.removeRow(0)
        self.role_boxes = {}
        asked = [sheet.sheet for sheet in report.sheets if sheet.kind_unsure]
        self.unsure_sheets = set(asked)
        for sheet in report.sheets:
            box = QComboBox()
            box.setAccessibleName(f"Sheet {sheet.sheet} is")
            if sheet.kind_unsure:
                # No answer until the DPO gives one: read as a processor's meanwhile.
                box.addItem("Please choose (read as a processor's record until then)", None)
            box.addItem("The organisation's own processing (controller)", Kind.CONTROLLER.value)
            box.addItem("Processing for clients (a processor's record)", Kind.PROCESSOR.value)
            box.setCurrentIndex(0 if sheet.kind_unsure else box.findData(sheet.kind))
            box.setToolTip(sheet.kind_reason)
            box.currentIndexChanged.connect(lambda _i: self.changed.emit())
            label = QLabel(f"Sheet “{sheet.sheet}” is")
            self.roles_form.addRow(label, box)
            # Added to a panel already on screen: shown now, not when Qt next gets round to it.
            label.show()
            box.show()
            self.role_boxes[sheet.sheet] = box
            self._suggested_kinds[sheet.sheet] = Kind(sheet.kind)
        unsure = self.model.unsure_count()
        parts = [
            "Each column of the workbook, the field it will be read into and how sure that "
            "is. Choose another field, keep a column as the organisation's own, or ignore it; "
            "then press Check again. Your choices are remembered for workbooks laid out "
            "the same way."
        ]
        if unsure:
            parts.append(
                f"{unsure} {'heading was' if unsure == 1 else 'headings were'} matched only "
                "by a word in it (shaded): please confirm."
            )
        if asked:
            parts.append(
                "Which record a sheet is could not be told for "
                + ", ".join(f"“{name}”" for name in asked)
                + ": it is read as a processor's record until you choose."
            )
        self.intro.setText(" ".join(parts))
        for row in range(self.model.rowCount()):
            index = self.model.index(row, ColumnMappingModel.CHOICE_COLUMN)
            if self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
                self.table.openPersistentEditor(index)

    def roles(self) -> dict[str, Kind]:
        """The sheets whose record the DPO chose: an unsure sheet left unanswered is not
        among them (it stays a processor's record, and asked about)."""
        found = {}
        for sheet, box in self.role_boxes.items():
            value = box.currentData()
            if value is None:
                continue
            if sheet in self.unsure_sheets or value != self._suggested_kinds[sheet].value:
                found[sheet] = Kind(value)
        return found
