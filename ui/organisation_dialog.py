"""The organisation's details: controller, DPO, UK representative and ICO registration.

Shown as a page of the main window and as a dialog from the menu; both save each field as
it is finished, one transaction each, like the activity editor.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ropa import law
from ropa.errors import ConflictError, RopaError
from ropa.records import OrganisationRecord
from ropa.register import Register
from ui.prompts import Prompts, prompts_or_default
from ui.widgets.conflict import KEPT_NOTE, NOT_SAVED_NOTE, ask_reload
from ui.widgets.focus import on_focus_out
from ui.widgets.screen_fit import resize_within_screen

# (group title, article it serves, [(field, label, multi-line)])
GROUPS: list[tuple[str, str, list[tuple[str, str, bool]]]] = [
    (
        "Organisation (the controller)",
        "Article 30(1)(a)",
        [
            ("name", "Name", False),
            ("address", "Address", True),
            ("email", "Email", False),
            ("telephone", "Telephone", False),
            ("website", "Website", False),
            # The regulator's name is dated data: "ICO" today, its successor on its day.
            ("ico_registration", f"{law.regulator().short_name} registration number", False),
        ],
    ),
    (
        "Data protection officer",
        "Articles 30(1)(a), 37\u201339",
        [
            ("dpo_name", "Name or post", False),
            ("dpo_address", "Address", True),
            ("dpo_email", "Email", False),
            ("dpo_telephone", "Telephone", False),
        ],
    ),
    (
        "UK representative (only if established outside the UK)",
        "Article 27",
        [
            ("representative_name", "Name", False),
            ("representative_address", "Address", True),
            ("representative_email", "Email", False),
            ("representative_telephone", "Telephone", False),
        ],
    ),
    (
        "Complaints to you first (DPA 2018 s.164A)",
        "DPA 2018 s.164A and s.165; Article 13(2)(d)",
        [
            ("complaints_contact", "How people complain to you", True),
            ("complaints_form_url", "Complaint form (web address)", False),
            ("complaints_acknowledgement", "How you acknowledge them", True),
        ],
    ),
]


class OrganisationForm(QWidget):
    """The organisation's details, saved field by field."""

    saved = Signal(object)  # OrganisationRecord

    def __init__(
        self, register: Register, parent: QWidget | None = None, prompts: Prompts | None = None
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.prompts = prompts_or_default(prompts)
        self.record = register.organisation.get()
        self._texts: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.public_authority = QCheckBox(
            "We are a public authority (councils, schools, NHS bodies\u2026)"
        )
        self.public_authority.setToolTip(
            "Public authorities cannot rely on legitimate interests, Article 6(1)(f), "
            "for their public tasks."
        )
        self.public_authority.clicked.connect(
            lambda on: self._save({"is_public_authority": bool(on)})
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(12)
        for number, (title, article, fields) in enumerate(GROUPS):
            box = QGroupBox(title)
            box.setToolTip(f"Serves {article}.")
            form = QFormLayout(box)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for field, text, multi_line in fields:
                edit = self._make_edit(field, multi_line)
                edit.setAccessibleName(f"{title}: {text}")
                label = QLabel(f"{text}:")
                label.setBuddy(edit)
                form.addRow(label, edit)
            if number == 0:
                form.addRow("", self.public_authority)
            if field == "complaints_acknowledgement":
                # Paragraphs, not fields: labels above, the text the box's full width.
                form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
                hint = QLabel(
                    "Since 19 June 2026 people may complain to you first: offer a form that "
                    "can be filled in online and by other means, acknowledge each complaint "
                    "within 30 days and tell them the outcome without undue delay. Notices "
                    "tell people this before the regulator's details."
                )
                hint.setWordWrap(True)
                hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                form.addRow(hint)
            grid.addWidget(box, number // 2, number % 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(2, 1)
        intro = QLabel(
            "Who you are, and how people reach your data protection officer. These details "
            "head the Article 30 record and every privacy notice. Changes are saved as you go."
        )
        intro.setWordWrap(True)
        # What could not be saved (someone else saved first), said where the user looks.
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.note)
        layout.addLayout(grid, 1)
        self.show_record(self.record)

    def _make_edit(self, field: str, multi_line: bool) -> QLineEdit | QPlainTextEdit:
        edit: QLineEdit | QPlainTextEdit
        if multi_line:
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            lines = 5 if field == "complaints_contact" else 3
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
            on_focus_out(edit, lambda: self.save_field(field))
        else:
            line = QLineEdit()
            line.editingFinished.connect(lambda: self.save_field(field))
            edit = line
        self._texts[field] = edit
        return edit

    def editor(self, field: str) -> QLineEdit | QPlainTextEdit:
        return self._texts[field]

    def showEvent(self, event: QShowEvent) -> None:
        # The details may have changed meanwhile (an import, the dialog): show them again.
        if not event.spontaneous():
            self.reload()
        super().showEvent(event)

    def reload(self) -> None:
        """Show the stored details again, unless the form holds text not yet saved (kept
        after someone else's change), which showing them would lose."""
        if not any(self._value(field) != getattr(self.record, field) for field in self._texts):
            self.show_record(self.register.organisation.get())

    def show_record(self, record: OrganisationRecord) -> None:
        self.record = record
        for field in self._texts:
            self._set_text(field, getattr(record, field))
        self.public_authority.setChecked(bool(record.is_public_authority))

    def _value(self, field: str) -> str:
        edit = self._texts[field]
        return edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()

    def save_field(self, field: str) -> None:
        if self._value(field) != getattr(self.record, field):
            self._save({field: self._value(field)})

    def flush(self) -> None:
        changes = {
            field: self._value(field)
            for field in self._texts
            if self._value(field) != getattr(self.record, field)
        }
        if changes:
            self._save(changes)

    def _save(self, changes: dict[str, Any]) -> None:
        try:
            record = self.register.organisation.update(
                changes, expected_version=self.record.version
            )
        except ConflictError as error:
            self._conflict(error, changes)
            return
        except RopaError as error:
            self.prompts.warning(self, "Not saved", str(error))
            return
        self.record = record
        self.note.hide()
        self.saved.emit(record)

    def _conflict(self, error: ConflictError, changes: dict[str, Any]) -> None:
        """Someone else saved first: what the user typed stays in its field, unsaved."""
        typed = {field: value for field, value in changes.items() if field in self._texts}
        if ask_reload(self.prompts, self, error):
            self.show_record(self.register.organisation.get())
            for field, value in typed.items():
                self._set_text(field, value)
            note = KEPT_NOTE
        else:
            note = NOT_SAVED_NOTE
        if typed:
            self.note.setText(note)
            self.note.show()

    def _set_text(self, field: str, value: str) -> None:
        edit = self._texts[field]
        if isinstance(edit, QLineEdit):
            edit.setText(value)
        else:
            edit.setPlainText(value)


class OrganisationDialog(QDialog):
    """The organisation and DPO details, from the menu."""

    def __init__(
        self, register: Register, parent: QWidget | None = None, prompts: Prompts | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Organisation and DPO details")
        self.form = OrganisationForm(register, prompts=prompts)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        # Enter finishes a field (and saves it); it must not close the dialog as well.
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        resize_within_screen(self, 980, 640)

    def done(self, result: int) -> None:
        self.form.flush()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.form.flush()
        super().closeEvent(event)
