"""Editable tables for the rows of an activity: lawful bases, conditions, transfers, retention.

One generic model (EntryTableModel) describes each kind of row by its columns; a choice
column edits through a combo box of the reference law and shows the law's own wording.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ropa import law
from ropa.records import ConditionEntry, LawfulBasisEntry, RetentionEntry, TransferEntry

ModelIndex = QModelIndex | QPersistentModelIndex
ItemRole = Qt.ItemDataRole
LIST_SEPARATOR = "; "
# The lines an entry table shows before it scrolls: two wrapped rows, or five short ones.
VISIBLE_LINES = 5
CHOOSE_PROMPT = "Choose\u2026"


@dataclass(frozen=True)
class EntryColumn:
    attribute: str
    header: str
    choices: dict[str, str] | None = None  # code -> label shown
    is_list: bool = False  # a list of names, edited as "a; b; c"
    stretch: bool = False
    tip: str = ""
    width: int = 0  # a fixed column's starting width (0 = by whether it is a choice)


@dataclass(frozen=True)
class EntryKind:
    """How one kind of row is shown and made: the first column is the one a row needs."""

    make: Callable[[], Any]
    columns: tuple[EntryColumn, ...]
    noun: str


def _lawful_basis_choices() -> dict[str, str]:
    return {code: f"{b.article} {b.name}" for code, b in law.lawful_bases().items()}


def _article9_choices() -> dict[str, str]:
    return {code: f"{c.article} {c.name}" for code, c in law.article9_conditions().items()}


def _schedule1_choices() -> dict[str, str]:
    return {
        code: f"Part {c.part} para {c.paragraph} {c.name}"
        for code, c in law.schedule1_conditions().items()
    }


def _annex1_choices() -> dict[str, str]:
    # Only an (ea) basis needs one (Article 6(5)); "" for every other basis.
    return {
        "": "",
        **{code: f"{code}: {c.name}" for code, c in law.annex1_conditions().items()},
    }


# Article 46(1A)(a)(ii): unknown stays unknown until the DPO records the answer.
_TEST_CHOICES = {"": "Not recorded", "yes": "Yes, met", "no": "No, not met"}


def _mechanism_choices() -> dict[str, str]:
    return {"": "", **{code: m.name for code, m in law.transfer_mechanisms().items()}}


def lawful_basis_kind() -> EntryKind:
    return EntryKind(
        lambda: LawfulBasisEntry(basis=""),
        (
            EntryColumn("basis", "Article 6(1) basis", _lawful_basis_choices()),
            EntryColumn("explanation", "Why it applies", stretch=True),
            EntryColumn(
                "legislation",
                "Legislation",
                is_list=True,
                tip="Acts and regulations, separated by semicolons",
            ),
            EntryColumn(
                "annex1_condition",
                "Annex 1 condition",
                _annex1_choices(),
                width=170,
                tip="For a recognised legitimate interest (ea): the Annex 1 condition it meets "
                "(Article 6(5))",
            ),
            EntryColumn(
                "outside_tasks_reason",
                "Outside our public tasks because",
                width=220,
                tip="A public authority relying on (ea) or (f): why this processing is not "
                "done in the performance of its tasks (Article 6(1), closing words)",
            ),
        ),
        "lawful basis",
    )


def article9_kind() -> EntryKind:
    return EntryKind(
        lambda: ConditionEntry(code=""),
        (
            EntryColumn("code", "Article 9(2) condition", _article9_choices()),
            EntryColumn("explanation", "Why it applies", stretch=True),
        ),
        "condition",
    )


def schedule1_kind() -> EntryKind:
    return EntryKind(
        lambda: ConditionEntry(code=""),
        (
            EntryColumn("code", "Schedule 1 condition", _schedule1_choices()),
            EntryColumn("explanation", "Why it applies", stretch=True),
        ),
        "condition",
    )


def transfer_kind() -> EntryKind:
    return EntryKind(
        lambda: TransferEntry(destination=""),
        (
            EntryColumn("destination", "Country or organisation"),
            EntryColumn("mechanism", "Safeguard", _mechanism_choices()),
            EntryColumn("safeguards", "Safeguard documents", stretch=True),
            EntryColumn(
                "data_protection_test",
                "Data protection test",
                _TEST_CHOICES,
                tip="IDTA, UK Addendum or binding corporate rules: whether you, acting "
                "reasonably and proportionately, consider the data protection test met "
                "(Article 46(1A))",
            ),
            EntryColumn("data_protection_test_date", "Test date", tip="Such as 2026-03-02"),
            EntryColumn(
                "data_protection_test_link",
                "Test record",
                tip="Where the transfer risk assessment is kept",
            ),
        ),
        "transfer",
    )


def retention_kind() -> EntryKind:
    return EntryKind(
        lambda: RetentionEntry(period=""),
        (
            EntryColumn("period", "How long", stretch=True),
            EntryColumn("trigger", "From when"),
            EntryColumn("applies_to", "Which records"),
        ),
        "retention rule",
    )


def _has_text(value: Any) -> bool:
    if isinstance(value, list):
        return any(str(part).strip() for part in value)
    return bool(str(value or "").strip())


class EntryTableModel(QAbstractTableModel):
    """Rows of one entry type (LawfulBasisEntry, TransferEntry...), edited in place."""

    entries_edited = Signal()

    def __init__(self, kind: EntryKind, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._rows: list[Any] = []

    def entries(self) -> list[Any]:
        """Copies of the rows, leaving out rows still missing their first column."""
        key = self.kind.columns[0].attribute
        return [copy.deepcopy(row) for row in self._rows if str(getattr(row, key)).strip()]

    def problems(self) -> list[str]:
        """The rows left out of entries() although something is typed in them: said, so
        that their text is not lost without a word."""
        first, *others = self.kind.columns
        verb = "choose" if first.choices is not None else "fill in"
        what = first.header
        if not what.startswith(("Article", "Schedule")):  # a law's name keeps its capital
            what = what[0].lower() + what[1:]
        return [
            f"{self.kind.noun.capitalize()} row {number}: {verb} the {what}"
            for number, row in enumerate(self._rows, start=1)
            if not str(getattr(row, first.attribute)).strip()
            and any(_has_text(getattr(row, column.attribute)) for column in others)
        ]

    def set_entries(self, entries: list[Any]) -> None:
        self.beginResetModel()
        self._rows = [copy.deepcopy(entry) for entry in entries]
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.kind.columns)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def data(self, index: ModelIndex, role: int = ItemRole.DisplayRole) -> Any:
        if not index.isValid() or not self.checkIndex(index):
            return None
        column = self.kind.columns[index.column()]
        value = getattr(self._rows[index.row()], column.attribute)
        if column.is_list:
            value = LIST_SEPARATOR.join(value)
        if role == ItemRole.EditRole:
            return value
        if role in (ItemRole.DisplayRole, ItemRole.ToolTipRole, ItemRole.AccessibleTextRole):
            if column.choices is not None:
                return column.choices.get(value, value)
            return value
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = ItemRole.EditRole) -> bool:
        if role != ItemRole.EditRole or not index.isValid() or not self.checkIndex(index):
            return False
        column = self.kind.columns[index.column()]
        text = "" if value is None else str(value)
        new: Any = [part.strip() for part in text.split(";") if part.strip()]
        if not column.is_list:
            new = text
        row = self._rows[index.row()]
        if getattr(row, column.attribute) == new:
            return False
        setattr(row, column.attribute, new)
        self.dataChanged.emit(index, index, [ItemRole.DisplayRole, ItemRole.EditRole])
        self.entries_edited.emit()
        return True

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = ItemRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.kind.columns):
            return None
        column = self.kind.columns[section]
        if role == ItemRole.DisplayRole:
            return column.header
        if role == ItemRole.ToolTipRole and column.tip:
            return column.tip
        return None

    def add_row(self) -> int:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(self.kind.make())
        self.endInsertRows()
        return row

    def remove_rows(self, rows: list[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._rows):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        self.entries_edited.emit()


class ChoiceDelegate(QStyledItemDelegate):
    """Edits a code column with a combo box listing the law's wording."""

    def __init__(self, choices: dict[str, str], parent: Any = None) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex
    ) -> QWidget:
        editor = QComboBox(parent)
        if "" not in self.choices:
            # A new row has no choice yet: the first of the law's list would otherwise be
            # shown, and saved, as if the user had chosen it (a new basis read "Consent").
            editor.addItem(CHOOSE_PROMPT, "")
        for code, text in self.choices.items():
            editor.addItem(text or "(none)", code)
        editor.activated.connect(lambda _i: self.commitData.emit(editor))
        return editor

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        position = editor.findData(index.data(ItemRole.EditRole))
        editor.setCurrentIndex(max(position, 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: ModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), ItemRole.EditRole)


class EntryTable(QWidget):
    """A compact table of entries with Add and Remove; emits `changed` with complete rows."""

    changed = Signal(list)

    def __init__(self, kind: EntryKind, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = EntryTableModel(kind, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(what)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.setTabKeyNavigation(False)  # Tab leaves the table, as in a form
        self.view.verticalHeader().hide()
        # Long answers ("Until the child's 25th birthday...") wrap rather than being cut off;
        # each row is as tall as its text, and the box scrolls past VISIBLE_LINES lines.
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        # A kind with many columns scrolls sideways rather than squeezing them; there Qt's
        # Stretch would squeeze the stretched column below its heading (it ignores the
        # minimum section size once the others fill the box), so it gets a width instead.
        many = len(kind.columns) > 4
        for number, column in enumerate(kind.columns):
            if column.choices is not None:
                self.view.setItemDelegateForColumn(number, ChoiceDelegate(column.choices, self))
            stretch = column.stretch and not many
            mode = QHeaderView.ResizeMode.Stretch if stretch else QHeaderView.ResizeMode.Interactive
            header.setSectionResizeMode(number, mode)
            if not stretch:
                # The explanation (stretched) needs the room most; the rest wrap.
                default = 220 if column.stretch else 170 if column.choices else 150
                self.view.setColumnWidth(number, column.width or default)
        # Typed columns never shrink to a sliver when a kind has many: the table scrolls.
        header.setMinimumSectionSize(130 if many else 40)
        self.model.entries_edited.connect(self._emit)
        self.add_button = QPushButton(f"Add {kind.noun}")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove the selected {kind.noun}")
        self.remove_button.clicked.connect(self.remove_selected)
        self.remove_button.setEnabled(False)
        # Qt says nothing of a selection that goes with its rows (removed, or all replaced):
        # the button follows the rows as well as the selection.
        self.view.selectionModel().selectionChanged.connect(self._update_remove)
        self.model.modelReset.connect(self._update_remove)
        self.model.rowsRemoved.connect(self._update_remove)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self.setFocusProxy(self.view)
        self._fit_height()

    def set_entries(self, entries: list[Any]) -> None:
        self.model.set_entries(entries)
        self._fit_height()

    def entries(self) -> list[Any]:
        return self.model.entries()

    def problems(self) -> list[str]:
        return self.model.problems()

    def add_row(self) -> None:
        row = self.model.add_row()
        self._fit_height()
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.edit(index)

    def remove_selected(self) -> None:
        rows = [index.row() for index in self.view.selectionModel().selectedRows()]
        self.model.remove_rows(rows)
        self._fit_height()

    def _update_remove(self, *_args: object) -> None:
        self.remove_button.setEnabled(bool(self.view.selectionModel().selectedRows()))

    def _emit(self) -> None:
        self.changed.emit(self.entries())

    def _fit_height(self) -> None:
        """A fixed height whatever the number of rows, so that adding a row never moves the
        buttons (or the fields below) from under the pointer; measured again when the style
        or font changes, since the header's height is only right once polished."""
        row_height = self.view.fontMetrics().lineSpacing() + 8  # a line and its padding
        header = self.view.horizontalHeader().sizeHint().height()
        frame = 2 * self.view.frameWidth()
        self.view.setFixedHeight(header + VISIBLE_LINES * row_height + frame + 2)

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_height()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._fit_height()
        super().changeEvent(event)
