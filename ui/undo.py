"""Undo commands that hold both the old and the new value and save through the services.

Every edit is saved the moment it is made (one transaction), and only then pushed on the
window's QUndoStack; undo and redo save again, each in its own transaction, checking the
version the window last saw so that someone else's change is never silently overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from ropa.errors import RopaError
from ropa.fields import label
from ropa.records import ActivityRecord, LibraryItemRecord
from ropa.register import Register

FIELD_EDIT_ID = 1001


def undo_in_add_box(fields: list[QWidget], *, redo: bool) -> bool:
    """Undo (or redo) the typing of the text box being typed in, if it is an "add" box
    (a picker's entry, a table cell being edited) with typing to undo; True if it did.

    Those boxes are not saved as they are typed, so the window's Undo would otherwise
    reach past them to the last saved edit (a menu shortcut fires before the box sees the
    key on some platforms).  The fields themselves (`fields`) are saved as they are typed:
    their steps are the window's, and Undo goes on undoing those."""
    box = QApplication.focusWidget()
    if not isinstance(box, QLineEdit) or box.isReadOnly() or box in fields:
        return False
    if not box.text():
        return False  # nothing being typed (an added name clears the box): the window's step
    if not (box.isRedoAvailable() if redo else box.isUndoAvailable()):
        return False
    box.redo() if redo else box.undo()
    return True


class ActivityEditSession:
    """The one activity a window edits: its id and the version the window last saw."""

    def __init__(
        self,
        register: Register,
        record: ActivityRecord,
        on_saved: Callable[[ActivityRecord, str], None],
        on_error: Callable[[RopaError, str], None],
    ) -> None:
        assert record.id is not None
        self.register = register
        self.activity_id: int = record.id
        self.version = record.version
        self._on_saved = on_saved
        self._on_error = on_error

    def save(self, field: str, value: Any) -> ActivityRecord:
        """One transaction: refused (ConflictError) if someone saved since our last look."""
        record = self.register.activities.update(
            self.activity_id, {field: value}, expected_version=self.version
        )
        self.version = record.version
        self._on_saved(record, field)
        return record

    def save_or_report(self, field: str, value: Any) -> bool:
        try:
            self.save(field, value)
        except RopaError as error:
            self._on_error(error, field)
            return False
        return True


class SavedChangeCommand(QUndoCommand):
    """A change pushed once it has been saved: redo and undo save its new or old value again
    through `apply` (False when refused, the refusal shown, and the step is then dropped);
    steps on the same target (`same_target`) merge, so typing saved every pause is one."""

    def __init__(self, text: str, old: Any, new: Any) -> None:
        super().__init__(text)
        self.old = old
        self.new = new
        self._already_saved = True

    def apply(self, value: Any) -> bool:
        raise NotImplementedError

    def same_target(self, other: SavedChangeCommand) -> bool:
        raise NotImplementedError

    def redo(self) -> None:
        if self._already_saved:  # QUndoStack.push calls redo; the edit is saved already
            self._already_saved = False
            return
        if not self.apply(self.new):
            self.setObsolete(True)

    def undo(self) -> None:
        if not self.apply(self.old):
            self.setObsolete(True)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if type(other) is not type(self) or not self.same_target(other):
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)
        return True


class FieldEditCommand(SavedChangeCommand):
    """A change to one field of one activity. Pushed after the change has been saved."""

    def __init__(self, session: ActivityEditSession, field: str, old: Any, new: Any) -> None:
        super().__init__(f"Change {label(field).lower()}", old, new)
        self.session = session
        self.field = field

    def id(self) -> int:
        return FIELD_EDIT_ID

    def apply(self, value: Any) -> bool:
        return self.session.save_or_report(self.field, value)

    def same_target(self, other: SavedChangeCommand) -> bool:
        """Typing in one field, saved every pause, undoes as one step."""
        return (
            isinstance(other, FieldEditCommand)
            and other.session is self.session
            and other.field == self.field
        )


class LibraryItemEditCommand(QUndoCommand):
    """A rename or change of a library item (it reaches every activity that uses it)."""

    def __init__(
        self,
        register: Register,
        item: LibraryItemRecord,
        changes: dict[str, Any],
        on_saved: Callable[[LibraryItemRecord], None],
        on_error: Callable[[RopaError], None],
        seen_versions: dict[int, int],
    ) -> None:
        action = "Rename" if "name" in changes else "Change"
        super().__init__(f"{action} \u201c{item.name}\u201d")
        assert item.id is not None
        self.register = register
        self.item_id: int = item.id
        # Shared by every command of the window: item id -> the version it last saw, so
        # that undoing one of two edits to an item checks against the newest, not its own.
        self.seen_versions = seen_versions
        seen_versions[item.id] = item.version
        self.old = {name: getattr(item, name) for name in changes}
        self.new = dict(changes)
        self._on_saved = on_saved
        self._on_error = on_error

    def redo(self) -> None:
        self._save(self.new)

    def undo(self) -> None:
        self._save(self.old)

    def _save(self, values: dict[str, Any]) -> None:
        try:
            record = self.register.library.update(
                self.item_id, values, expected_version=self.seen_versions[self.item_id]
            )
        except RopaError as error:
            self.setObsolete(True)
            self._on_error(error)
            return
        self.seen_versions[self.item_id] = record.version
        self._on_saved(record)
