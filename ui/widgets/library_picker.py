"""Pick library items for a field of an activity, or type a new one to add it."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

VISIBLE_ROWS = 4


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class _ChosenList(QListWidget):
    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class LibraryPicker(QWidget):
    """The chosen items in order, and a box with a completer to add more.

    A name that is not yet in the library is added to it when the activity is saved, so a
    DPO can type freely; the completer steers them towards the wording already in use.
    """

    changed = Signal(list)

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._what = what
        self._known: dict[str, str] = {}
        self.chosen = _ChosenList()
        self.chosen.setAccessibleName(f"Chosen {what}")
        self.chosen.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.chosen.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.chosen.model().rowsMoved.connect(self._emit)
        self.chosen.delete_pressed.connect(self.remove_selected)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText(f"Type to find or add {what}\u2026")
        self.entry.setAccessibleName(f"Add {what}")
        self.entry.setClearButtonEnabled(True)
        self._completions = QStringListModel(self)
        completer = QCompleter(self._completions, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.entry.setCompleter(completer)
        self.entry.returnPressed.connect(self.add_typed)
        completer.activated.connect(self._add_completion)
        self.add_button = QPushButton("Add")
        self.add_button.setAccessibleName(f"Add {what}")
        self.add_button.clicked.connect(self.add_typed)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove the selected {what}")
        self.remove_button.clicked.connect(self.remove_selected)
        self.remove_button.setEnabled(False)
        # Removed or replaced rows take their selection with them without a signal.
        self.chosen.itemSelectionChanged.connect(self._update_remove)
        self.chosen.model().rowsRemoved.connect(self._update_remove)
        self.chosen.model().modelReset.connect(self._update_remove)

        entry_row = QHBoxLayout()
        entry_row.setContentsMargins(0, 0, 0, 0)
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.add_button)
        entry_row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.chosen)
        layout.addLayout(entry_row)
        self.setFocusProxy(self.entry)
        self._fit_height()

    def set_available(self, names: list[str]) -> None:
        """The library's items of this kind, offered by the completer."""
        self._known = {name_key(name): name for name in names}
        self._completions.setStringList(names)

    def set_names(self, names: list[str]) -> None:
        """Show these names without announcing a change."""
        self.chosen.clear()
        self.chosen.addItems(names)
        self._fit_height()

    def names(self) -> list[str]:
        return [self.chosen.item(row).text() for row in range(self.chosen.count())]

    def add_name(self, text: str) -> bool:
        key = name_key(text)
        if not key or key in {name_key(name) for name in self.names()}:
            return False
        self.chosen.addItem(self._known.get(key, " ".join(text.split())))
        self._fit_height()
        self._emit()
        return True

    def add_typed(self) -> None:
        """Add what is typed; a name already chosen is simply cleared from the box."""
        if self._suggestion_is_being_picked():
            return  # Enter on a highlighted suggestion: the completer adds it (_add_completion)
        if self.entry.text().strip():
            self.add_name(self.entry.text())
            self.entry.clear()

    def _suggestion_is_being_picked(self) -> bool:
        """Enter reaches the box before the completer, with the highlighted suggestion in it."""
        completer = self.entry.completer()
        if completer is None:
            return False
        popup = completer.popup()
        return popup is not None and popup.isVisible() and popup.currentIndex().isValid()

    def _add_completion(self, text: str) -> None:
        self.add_name(text)
        # The completer writes its choice back into the box after this signal returns, even
        # when that name was chosen already; cleared after that, the next entry starts empty.
        QTimer.singleShot(0, self.entry.clear)

    def remove_selected(self) -> None:
        rows = sorted((self.chosen.row(item) for item in self.chosen.selectedItems()), reverse=True)
        if not rows:
            return
        for row in rows:
            self.chosen.takeItem(row)
        self._fit_height()
        self._emit()

    def _update_remove(self, *_args: object) -> None:
        self.remove_button.setEnabled(bool(self.chosen.selectedItems()))

    def _emit(self, *_args: object) -> None:
        self.changed.emit(self.names())

    def _fit_height(self) -> None:
        """VISIBLE_ROWS rows however many are chosen: the list scrolls rather than grows, so
        adding an item never moves the box and its buttons from under the pointer."""
        row_height = self.chosen.sizeHintForRow(0) if self.chosen.count() else 0
        row_height = max(row_height, self.fontMetrics().height() + 4)
        frame = 2 * self.chosen.frameWidth()
        self.chosen.setFixedHeight(VISIBLE_ROWS * row_height + frame + 2)
