"""What the Activities menu does to the chosen activities: add, duplicate, retire, delete and
the review steps.

Each command is one call into the register's services (one transaction), made with the
versions the list shows, so that someone else's newer change is refused rather than
overwritten; what an open editor holds is saved first.  The window it acts for is reached
through `ActivityHost` (a protocol, so that this module does not import the window); every
question goes through the host's prompt methods, which tests replace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from ropa.capabilities import Capabilities
from ropa.errors import ConflictError, RopaError
from ropa.records import ActivityRecord
from ropa.register import Register
from ropa.wording import count_of
from ui.activities_page import ActivitiesPage
from ui.review import (
    MARK_REVIEWED,
    NOT_UNDOABLE,
    REINSTATE,
    SUBMIT,
    Approval,
    ReviewStep,
    ask_approve_step,
)

if TYPE_CHECKING:
    from ropa.checks import Finding
    from ui.activity_editor import ActivityEditor


class ActivityHost(Protocol):
    """What the commands need of the window they act for."""

    register: Register
    activities_page: ActivitiesPage
    editors: dict[int, ActivityEditor]

    @property
    def capabilities(self) -> Capabilities: ...

    def open_activity(self, activity_id: int, field: str = "") -> ActivityEditor | None: ...

    def after_activities_changed(self, select: list[int]) -> None: ...

    def update_actions(self) -> None: ...

    def statusBar(self) -> QStatusBar: ...

    def show_error(self, title: str, error: RopaError | str) -> None: ...

    def confirm(self, title: str, text: str, verb: str) -> bool: ...

    def ask_approval(self, what: str, errors: Sequence[Finding] = ()) -> Approval | None: ...


class NewActivityDialog(QDialog):
    """Name a new activity; everything else is filled in in the editor."""

    def __init__(self, functions: list[str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("New activity")
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.name.setPlaceholderText("For example: Child protection enquiries")
        self.business_function = QComboBox()
        self.business_function.setEditable(True)
        self.business_function.setAccessibleName("Business function")
        self.business_function.addItems(["", *functions])
        self.reference = QLineEdit()
        self.reference.setAccessibleName("Reference")
        self.reference.setPlaceholderText("Leave blank for the next number")
        form = QFormLayout()
        form.addRow("&Name *:", self.name)
        form.addRow("&Business function:", self.business_function)
        form.addRow("&Reference:", self.reference)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create")
        self.ok_button.setEnabled(False)
        self.name.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def record(self) -> ActivityRecord:
        return ActivityRecord(
            reference=self.reference.text().strip(),
            name=self.name.text().strip(),
            business_function=self.business_function.currentText().strip(),
        )


class ActivityCommands:
    """The commands on the activities chosen in `host`'s list."""

    def __init__(self, host: ActivityHost, dialog_parent: QWidget) -> None:
        self._host = host
        self._parent = dialog_parent
        self.new_activity_dialog: NewActivityDialog | None = None

    @property
    def _register(self) -> Register:
        return self._host.register

    def _selected(self) -> list[int]:
        return self._host.activities_page.selected_ids()

    # --- adding ---------------------------------------------------------------------------

    def new_activity(self) -> NewActivityDialog:
        functions = self._host.capabilities.functions_to_add_to(
            self._register.activity_list.business_functions()
        )
        dialog = NewActivityDialog(functions, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._create_activity(dialog.record()))
        self.new_activity_dialog = dialog
        dialog.open()
        return dialog

    def _create_activity(self, record: ActivityRecord) -> None:
        try:
            created = self._register.activities.create(record)
        except RopaError as error:
            self._host.show_error("Activity not created", error)
            return
        assert created.id is not None
        self._host.after_activities_changed([created.id])
        self._host.open_activity(created.id)

    # --- duplicate, retire, delete --------------------------------------------------------

    def duplicate_selected(self) -> None:
        ids = self._selected()
        try:
            copies = [self._register.activities.duplicate(activity_id) for activity_id in ids]
        except RopaError as error:
            self._host.show_error("Not duplicated", error)
            return
        self._host.after_activities_changed([c.id for c in copies if c.id is not None])
        self._host.statusBar().showMessage(f"{activities(len(copies))} duplicated", 5000)

    def retire_selected(self) -> None:
        ids = self._selected()
        if not ids or not self._host.confirm(
            "Retire activities",
            f"Retire {activities(len(ids))}? They are kept and can be found with the "
            "status filter, but are left out of exports and privacy notices.",
            "Retire",
        ):
            return
        if not self.flush_editors(ids, "Not retired"):
            return
        try:
            self._register.activities.retire(ids, self.versions(ids))
        except RopaError as error:
            self._host.show_error("Not retired", error)
            return
        for activity_id in ids:
            if (editor := self._host.editors.get(activity_id)) is not None:
                editor.reload()
        self._host.after_activities_changed([])

    def delete_selected(self) -> None:
        ids = self._selected()
        if not ids:
            return
        wanted = set(ids)
        names = [
            f"{summary.reference} {summary.name}"
            for summary in self._host.activities_page.model.rows
            if summary.id in wanted
        ]
        shown = "\n".join(names[:10])
        if len(names) > 10:
            shown += f"\n\u2026and {len(names) - 10} more"
        if not self._host.confirm(
            "Delete activities",
            f"Delete {activities(len(ids))} for good?\n\n{shown}\n\n"
            "This cannot be undone. To keep them out of use but on record, retire them instead.",
            "Delete",
        ):
            return
        editors = self._host.editors
        for activity_id in ids:  # what they hold goes into the history first
            if (editor := editors.get(activity_id)) is not None:
                editor.flush()
        try:
            self._register.activities.delete(ids, self.versions(ids))
        except RopaError as error:
            self._host.show_error("Not deleted", error)  # their editors stay open
            return
        for activity_id in ids:
            if (editor := editors.pop(activity_id, None)) is not None:
                editor.hide()  # not close(): there is nothing left to save it into
                editor.deleteLater()
        self._host.after_activities_changed([])

    # --- the review cycle -----------------------------------------------------------------

    def submit_selected_for_review(self) -> bool:
        return self.review_step(SUBMIT)

    def approve_selected(self) -> bool:
        ids = self._selected()
        if not ids:
            return False
        if not self.flush_editors(ids, "Not approved"):  # the checks see what editors show
            return False
        step = ask_approve_step(
            self._register.review,
            ids,
            self.describe(ids),
            self._host.ask_approval,
            self._host.show_error,
        )
        return step is not None and self.review_step(step)

    def mark_selected_reviewed(self) -> bool:
        return self.review_step(MARK_REVIEWED)

    def reinstate_selected(self) -> bool:
        return self.review_step(REINSTATE)

    def review_step(self, step: ReviewStep) -> bool:
        """Run one review step on the selection: one transaction, checked against the
        versions the table shows, so that someone else's newer change is never overwritten."""
        ids = self._selected()
        if not ids:
            return False
        if not self.flush_editors(ids, step.failure):  # what an open editor holds is saved first
            return False
        try:
            step.run(self._register.review, ids, self.versions(ids))
        except ConflictError as error:
            self._host.show_error(
                step.failure,
                f"{error}\n\nNothing was changed. Choose Activities > Reload to see the "
                "latest version, then try again.",
            )
            return False
        except RopaError as error:
            self._host.show_error(step.failure, error)
            return False
        for activity_id in ids:
            if (editor := self._host.editors.get(activity_id)) is not None:
                editor.review_step_taken()  # its undo history of content edits stays
        self._host.after_activities_changed(ids)
        self._host.update_actions()  # the statuses changed, the selection may not have
        self._host.statusBar().showMessage(f"{step.said(len(ids))}. {NOT_UNDOABLE}", 12000)
        return True

    # --- shared ---------------------------------------------------------------------------

    def flush_editors(self, ids: list[int], failure: str) -> bool:
        """Save what the open editors of `ids` hold; False (and say why) if some cannot be."""
        for activity_id in ids:
            if (editor := self._host.editors.get(activity_id)) is None:
                continue
            problems = editor.flush()
            if problems:
                self._host.show_error(
                    failure,
                    f"{editor.record.reference} {editor.record.name} has changes that are "
                    "not saved. Fix these first in its window:\n\n" + "\n".join(problems),
                )
                return False
        return True

    def describe(self, ids: list[int]) -> str:
        """The chosen activities in words: the one's reference and name, or how many."""
        model = self._host.activities_page.model
        if len(ids) == 1 and (row := model.row_of(ids[0])) is not None:
            summary = model.rows[row]
            return f"{summary.reference} \u201c{summary.name}\u201d"
        return activities(len(ids))

    def versions(self, ids: list[int]) -> dict[int, int]:
        """The versions the table shows, so a change made elsewhere meanwhile is not lost."""
        wanted = set(ids)
        return {s.id: s.version for s in self._host.activities_page.model.rows if s.id in wanted}


def activities(number: int) -> str:
    return count_of(number, "activity", "activities")
