"""The activity editor: one window per activity, saving each edit as the DPO works.

Fields are grouped the way a DPO thinks about an activity. Each edit is saved on its own
(editing finished, focus leaving the field, or a short pause in typing), as one transaction
checked against the version this window last saw, and pushed on the window's undo stack.
Closing the window saves whatever is still being typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QPalette, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ropa import law
from ropa.dates import REVIEW_INTERVAL_MONTHS
from ropa.errors import ConflictError, NotFoundError, RopaError, ValidationError
from ropa.fields import FIELDS, ROLE_LABELS, Kind, fields_of_kind
from ropa.records import LINK_FIELDS, ActivityRecord, Status
from ropa.register import Register
from ui.actions import undo_redo_actions
from ui.activity_table_model import format_date, status_text
from ui.own_fields import (
    OwnField,
    own_field_kind,
    own_field_rows,
    own_fields_of,
    reasons_of,
    recipient_reason_kind,
)
from ui.prompts import Prompts, prompts_or_default
from ui.review import (
    MARK_REVIEWED,
    NOT_UNDOABLE,
    REINSTATE,
    SUBMIT,
    Approval,
    ReviewStep,
    ReviewSteps,
    ask_approval,
    ask_approve_step,
)
from ui.undo import ActivityEditSession, FieldEditCommand, undo_in_add_box
from ui.widgets.conflict import KEPT_NOTE, NOT_SAVED_NOTE, ask_reload
from ui.widgets.entry_tables import (
    EntryKind,
    EntryTable,
    article9_kind,
    lawful_basis_kind,
    retention_kind,
    schedule1_kind,
    transfer_kind,
)
from ui.widgets.focus import on_focus_out
from ui.widgets.library_picker import LibraryPicker
from ui.widgets.screen_fit import resize_within_screen
from ui.widgets.wheel_guard import guard_against_wheel

if TYPE_CHECKING:
    from ropa.checks import Finding

TYPING_PAUSE_MS = 800
_RULE_ROLE = Qt.ItemDataRole.UserRole + 1  # a gap's check, beside its field
NO_DATE = QDate(1900, 1, 1)

# The sections of the editor, in the order a DPO works through an activity.
SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Overview",
        [
            "reference",
            "name",
            "business_function",
            "description",
            "owner",
            "role",
            "joint_controllers",
            "controllers",
            "controller_representatives",
            "controller_contract_link",
        ],
    ),
    (
        "Purposes and lawful basis",
        [
            "purposes",
            "lawful_bases",
            "legislation",
            "legitimate_interests",
            "lia_link",
            "consent_record_link",
            "consent_reviewed_on",
            "child_consent_arrangements",
            "article9",
            "schedule1",
            "article10_basis",
            "statutory_requirement",
        ],
    ),
    (
        "People and data",
        ["individuals", "data_categories", "sources", "involves_children", "large_scale"],
    ),
    (
        "Sharing, processors and transfers",
        ["recipients", "shared_with_no_one", "recipient_reasons", "processors", "transfers"],
    ),
    (
        "Retention and security",
        [
            "retention",
            "apd_link",
            "retention_follows_apd",
            "apd_deviation_reason",
            "security_measures",
            "security_description",
            "systems",
            "location_of_data",
        ],
    ),
    (
        "DPIA, automated decisions and breaches",
        [
            "dpia_criteria",
            "dpia_required",
            "dpia_progress",
            "dpia_link",
            "automated_decisions",
            "automated_decision_details",
            "breach_occurred",
            "breach_link",
        ],
    ),
    (
        "Review",
        ["status", "approved_by", "approved_on", "last_reviewed", "next_review", "notes"],
    ),
    ("Your own fields", ["extra_fields"]),
]

# How each field is edited follows what it holds (ropa.fields).  The review steps alone set
# some (ropa.review), so that who approved and when is always recorded: shown, never typed.
_RECORDED = {name for name, info in FIELDS.items() if info.set_by_review}
_LONG_TEXT = fields_of_kind(Kind.LONG_TEXT)
_DATES = fields_of_kind(Kind.DATE) - _RECORDED
_TRI_STATE = fields_of_kind(Kind.TRI_STATE)
_CHECKBOXES = fields_of_kind(Kind.YES_NO)
_ENTRY_KINDS = {
    "lawful_bases": lawful_basis_kind,
    "article9": article9_kind,
    "schedule1": schedule1_kind,
    "transfers": transfer_kind,
    "retention": retention_kind,
}


def quiet(label: QLabel) -> None:
    """Secondary text in the palette's own quieter colour, right in light and dark themes."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)


def field_tooltip(field: str) -> str:
    """The field's help, the law it serves, and whether Article 30 requires it."""
    info = FIELDS[field]
    lines = [info.help]
    if info.article:
        lines.append(f"Serves: {info.article}.")
    if info.required:
        lines.append("Required for the Article 30 record.")
    return "\n".join(lines)


@dataclass
class FieldBinding:
    """One field's input widget and how to read and show its value."""

    field: str
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]
    error: QLabel
    page: int = 0


class ActivityEditor(QWidget):
    """Edits one activity in a window of its own, with its own undo stack."""

    saved = Signal(object)  # ActivityRecord after every successful save
    closed = Signal(int)  # activity id

    def __init__(
        self,
        register: Register,
        activity_id: int,
        parent: QWidget | None = None,
        prompts: Prompts | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        guard_against_wheel()  # scrolling the long form never turns a drop-down's value
        self.register = register
        self.prompts = prompts_or_default(prompts)
        self.record = register.activities.get(activity_id)
        self.session = ActivityEditSession(
            register, self.record, self._after_save, self._report_error
        )
        self.undo_stack = QUndoStack(self)
        # Opens the processor's contract box for "no contract is linked" (the main window's).
        self.contract_opener: Callable[[int], object] | None = None
        self._bindings: dict[str, FieldBinding] = {}
        self._pending: set[str] = set()
        self._loading = False
        # What the signed-in role may do here, on a team register (set_role_limits).
        self._may_edit = True
        self._may_approve = True
        # While the undo stack runs a command, a reload (which clears the stack and so
        # deletes that command) waits until the command has returned.
        self._in_command = False
        self._reload_after_command = False
        self._step_failed = False
        self._check_context: Any = None  # ropa.checks' CheckContext, read when first needed
        self._typing_timer = QTimer(self)
        self._typing_timer.setSingleShot(True)
        self._typing_timer.setInterval(TYPING_PAUSE_MS)
        self._typing_timer.timeout.connect(self.save_pending)
        self._checks_timer = QTimer(self)
        self._checks_timer.setSingleShot(True)
        self._checks_timer.setInterval(600)
        self._checks_timer.timeout.connect(self.refresh_gaps)
        self.setAccessibleName("Activity editor")
        self._build()
        self._show_record(self.record)
        self.refresh_gaps()
        resize_within_screen(self, 1100, 760)  # smaller on a 1366x768 laptop

    # --- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.undo_action, self.redo_action = undo_redo_actions(self)
        self.undo_action.triggered.connect(self.undo)
        self.redo_action.triggered.connect(self.redo)
        self.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_stack.undoTextChanged.connect(
            lambda text: self.undo_action.setToolTip(f"Undo {text.lower()}" if text else "Undo")
        )
        self.undo_stack.redoTextChanged.connect(
            lambda text: self.redo_action.setToolTip(f"Redo {text.lower()}" if text else "Redo")
        )
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.addAction(self.undo_action)
        self.addAction(self.redo_action)
        style = self.style()
        self.undo_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.redo_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        QShortcut(QKeySequence.StandardKey.Close, self, self.close)
        # Ctrl+PgDn and Ctrl+PgUp turn the sections as they turn tabs, wherever the cursor
        # is (a drop-down never takes them: ui/widgets/wheel_guard.py).
        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self._turn_section(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self._turn_section(-1))

        self.title = QLabel()
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        quiet(self.subtitle)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        header = QHBoxLayout()
        header.addLayout(heading, 1)
        for action in (self.undo_action, self.redo_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            header.addWidget(button)

        self.sections = QListWidget()
        self.sections.setAccessibleName("Sections of the activity")
        self.sections.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.pages = QStackedWidget()
        for number, (title, fields) in enumerate(SECTIONS):
            self.sections.addItem(QListWidgetItem(title))
            self.pages.addWidget(self._build_page(number, title, fields))
        self.sections.setSpacing(3)
        self.sections.setFixedWidth(self.sections.sizeHintForColumn(0) + 24)
        self.sections.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.sections.setCurrentRow(0)

        self.gaps_list = QListWidget()
        self.gaps_list.setAccessibleName("Gaps found by the checks")
        self.gaps_list.itemActivated.connect(self._go_to_gap)
        self.gaps_title = QLabel("Gaps")
        self.gaps_title.setBuddy(self.gaps_list)
        gaps_panel = QWidget()
        gaps_layout = QVBoxLayout(gaps_panel)
        gaps_layout.setContentsMargins(0, 0, 0, 0)
        gaps_layout.addWidget(self.gaps_title)
        gaps_layout.addWidget(self.gaps_list)

        self._body = body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(self.pages)
        body.addWidget(gaps_panel)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 0)
        body.setSizes([640, 110])
        self.gaps_list.setMinimumHeight(self.fontMetrics().height() * 2)
        body.setChildrenCollapsible(False)

        middle = QHBoxLayout()
        middle.addWidget(self.sections)
        middle.addWidget(body, 1)

        self.save_state = QLabel("All changes saved")
        self.save_state.setAccessibleName("Save state")
        legend = QLabel("* required for the Article 30 record")
        quiet(legend)
        footer = QHBoxLayout()
        footer.addWidget(self.save_state, 1)
        footer.addWidget(legend)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(middle, 1)
        layout.addLayout(footer)

    def _build_page(self, number: int, title: str, fields: list[str]) -> QWidget:
        content = QWidget()
        form = QFormLayout()
        outer = QVBoxLayout(content)
        outer.addLayout(form)
        outer.addStretch(1)  # spare height goes below the last field, not between the rows
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setVerticalSpacing(10)
        heading = QLabel(title)
        font = QFont(heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        heading.setFont(font)
        form.addRow(heading)
        for field in fields:
            binding = self._make_binding(field)
            binding.page = number
            self._bindings[field] = binding
            info = FIELDS[field]
            text = f"{info.label} *" if info.required else info.label
            # A question ("Shared with no one?") reads as one without a colon after it.
            label = QLabel(text if text.endswith("?") else f"{text}:")
            label.setBuddy(binding.widget)
            label.setToolTip(field_tooltip(field))
            binding.widget.setToolTip(field_tooltip(field))
            binding.widget.setAccessibleName(info.label)
            binding.widget.setAccessibleDescription(field_tooltip(field))
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            if isinstance(binding.widget, QComboBox):
                # A choice as wide as its longest answer, not the whole page: a full-width
                # "No" reads like a text box.
                column.addWidget(binding.widget, 0, Qt.AlignmentFlag.AlignLeft)
            else:
                column.addWidget(binding.widget)
            hint = QLabel(info.help + (f" ({info.article})" if info.article else ""))
            hint.setWordWrap(True)
            quiet(hint)
            column.addWidget(hint)
            column.addWidget(binding.error)
            form.addRow(label, holder)
            if field == "next_review":
                form.addRow("", self._build_review_steps())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        return scroll

    def _make_binding(self, field: str) -> FieldBinding:
        error = QLabel()
        error.setWordWrap(True)
        error.setAccessibleName(f"Problem with {FIELDS[field].label}")
        error.hide()
        if field in LINK_FIELDS:
            return self._library_binding(field, error)
        if field in _ENTRY_KINDS:
            return self._entries_binding(field, error)
        if FIELDS[field].kind == Kind.OWN_FIELDS:
            return self._own_fields_binding(field, error)
        if field == "dpia_criteria":
            return self._dpia_criteria_binding(field, error)
        if FIELDS[field].kind == Kind.REASONS:
            return self._reasons_binding(field, error)
        if field in _LONG_TEXT:
            return self._long_text_binding(field, error)
        if field in _RECORDED:
            return self._recorded_binding(field, error)
        if field in _DATES:
            return self._date_binding(field, error)
        if field in _TRI_STATE:
            return self._choice_binding(
                field, {None: "Not recorded", True: "Yes", False: "No"}, error
            )
        if field in _CHECKBOXES:
            box = QCheckBox(FIELDS[field].help)
            box.toggled.connect(lambda _on: self.save_field(field))
            return FieldBinding(field, box, box.isChecked, lambda v: box.setChecked(bool(v)), error)
        if field == "role":
            return self._choice_binding(field, dict(ROLE_LABELS), error)
        if field == "article10_basis":
            choices = {"": "Not needed (no criminal offence data)"}
            choices.update({code: basis.name for code, basis in law.article10_bases().items()})
            return self._choice_binding(field, choices, error)
        return self._line_binding(field, error)

    def _dpia_criteria_binding(self, field: str, error: QLabel) -> FieldBinding:
        """One box per kind of processing on the ICO's Article 35(4) list; the codes of
        those ticked are stored one a line."""
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        boxes: dict[str, QCheckBox] = {}
        for code, criterion in law.dpia_criteria().items():
            box = QCheckBox(criterion.name)
            box.setToolTip(criterion.description)
            box.setAccessibleName(f"ICO high-risk list: {criterion.name}")
            box.setAccessibleDescription(criterion.description)
            box.toggled.connect(lambda _on: self.save_field(field))
            column.addWidget(box)
            boxes[code] = box

        def get() -> str:
            return "\n".join(code for code, box in boxes.items() if box.isChecked())

        def show(value: Any) -> None:
            ticked = {line.strip() for line in str(value or "").splitlines()}
            for code, box in boxes.items():
                box.blockSignals(True)
                box.setChecked(code in ticked)
                box.blockSignals(False)

        return FieldBinding(field, holder, get, show, error)

    def _line_binding(self, field: str, error: QLabel) -> FieldBinding:
        edit = QLineEdit()
        edit.editingFinished.connect(lambda: self.save_field(field))
        edit.textEdited.connect(lambda _text: self._typed(field))
        if field == "business_function":
            from PySide6.QtWidgets import QCompleter

            completer = QCompleter(self.register.activity_list.business_functions(), edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            edit.setCompleter(completer)
        if field == "reference":
            edit.setMaximumWidth(220)
        return FieldBinding(field, edit, edit.text, lambda v: edit.setText(v or ""), error)

    def _long_text_binding(self, field: str, error: QLabel) -> FieldBinding:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        lines = 4 if field in ("description", "notes") else 3
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
        edit.textChanged.connect(lambda: self._typed(field))
        on_focus_out(edit, lambda: self.save_field(field))
        return FieldBinding(
            field, edit, edit.toPlainText, lambda v: edit.setPlainText(v or ""), error
        )

    def _date_binding(self, field: str, error: QLabel) -> FieldBinding:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("d MMMM yyyy")
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("Not set")
        edit.setDate(NO_DATE)
        edit.setMaximumWidth(220)
        edit.editingFinished.connect(lambda: self.save_field(field))
        edit.dateChanged.connect(lambda _d: self._date_picked(field))

        def get() -> dt.date | None:
            value = edit.date()
            return None if value == NO_DATE else dt.date(value.year(), value.month(), value.day())

        def show(value: Any) -> None:
            edit.setDate(QDate(value) if value else NO_DATE)

        return FieldBinding(field, edit, get, show, error)

    def _recorded_binding(self, field: str, error: QLabel) -> FieldBinding:
        """A value the review steps record: shown as text, never edited here."""
        shown = QLabel()
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        held: list[Any] = [None]
        blank = {
            "approved_by": "Not approved yet",
            "approved_on": "Not approved yet",
            "last_reviewed": "Not reviewed yet",
        }

        def show(value: Any) -> None:
            held[0] = value
            if isinstance(value, Status):
                text = status_text(value, self.record.changed_since_approval)
            elif isinstance(value, dt.date):
                text = format_date(value)
            else:
                text = str(value or "")
            shown.setText(text or blank.get(field, ""))

        return FieldBinding(field, shown, lambda: held[0], show, error)

    def _build_review_steps(self) -> QWidget:
        """The review steps for this activity, each one recorded transaction."""
        self.submit_button = QPushButton("Submit for review")
        self.submit_button.setToolTip("Mark this activity as in review, ready for approval")
        self.submit_button.clicked.connect(self.submit_for_review)
        self.approve_button = QPushButton("Approve\u2026")
        self.approve_button.setToolTip(
            "Records who approved and today's date, and sets the next review"
        )
        self.approve_button.clicked.connect(self.approve)
        self.reviewed_button = QPushButton("Mark as reviewed")
        self.reviewed_button.setToolTip(
            "Checked and still right: records today as the last review and sets the next "
            f"review {REVIEW_INTERVAL_MONTHS} months on"
        )
        self.reviewed_button.clicked.connect(self.mark_reviewed)
        self.reinstate_button = QPushButton("Reinstate")
        self.reinstate_button.setToolTip("Bring this retired activity back into use as a draft")
        self.reinstate_button.clicked.connect(self.reinstate)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        for button in (
            self.submit_button,
            self.approve_button,
            self.reviewed_button,
            self.reinstate_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        hint = QLabel(
            "These steps set the status, the approval and the last review, and record "
            "your name and the date in the change history. They are not undone with Undo."
        )
        hint.setWordWrap(True)
        quiet(hint)
        column.addWidget(hint)
        return holder

    def _choice_binding(self, field: str, choices: dict[Any, str], error: QLabel) -> FieldBinding:
        combo = QComboBox()
        for value, text in choices.items():
            combo.addItem(text, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.currentIndexChanged.connect(lambda _i: self.save_field(field))

        def show(value: Any) -> None:
            position = combo.findData(value)
            if position < 0:  # a value the law no longer lists: show it rather than hide it
                combo.addItem(str(value), value)
                position = combo.count() - 1
            combo.setCurrentIndex(position)

        return FieldBinding(field, combo, combo.currentData, show, error)

    def _library_binding(self, field: str, error: QLabel) -> FieldBinding:
        picker = LibraryPicker(FIELDS[field].label.lower())
        picker.set_available(
            [item.name for item in self.register.library.items(LINK_FIELDS[field])]
        )
        picker.changed.connect(lambda _names: self.save_field(field))
        return FieldBinding(field, picker, picker.names, picker.set_names, error)

    def _entries_binding(self, field: str, error: QLabel) -> FieldBinding:
        table = EntryTable(_ENTRY_KINDS[field](), FIELDS[field].label)
        table.changed.connect(lambda _entries: self.save_field(field))
        return FieldBinding(field, table, table.entries, table.set_entries, error)

    def _own_fields_binding(self, field: str, error: QLabel) -> FieldBinding:
        return self._mapping_binding(field, own_field_kind(), own_fields_of, error)

    def _reasons_binding(self, field: str, error: QLabel) -> FieldBinding:
        """A reason per recipient: rows of the recipient's name and why it gets the data."""
        return self._mapping_binding(field, recipient_reason_kind(), reasons_of, error)

    def _mapping_binding(
        self,
        field: str,
        kind: EntryKind,
        stored: Callable[[list[OwnField]], dict[str, str]],
        error: QLabel,
    ) -> FieldBinding:
        """A field the register keeps as a name -> text mapping, edited as rows of a table;
        `stored` makes the mapping from the rows (ropa.own_fields says how)."""
        table = EntryTable(kind, FIELDS[field].label)
        table.changed.connect(lambda _entries: self.save_field(field))
        return FieldBinding(
            field,
            table,
            lambda: stored(table.entries()),
            lambda value: table.set_entries(own_field_rows(value)),
            error,
        )

    # --- showing -------------------------------------------------------------------------

    def _show_record(self, record: ActivityRecord) -> None:
        self._loading = True
        try:
            for field, binding in self._bindings.items():
                binding.set(getattr(record, field))
                binding.error.hide()
        finally:
            self._loading = False
        self._update_heading(record)

    def _show_recorded(self, record: ActivityRecord) -> None:
        """The values the review steps keep, which a save may change besides its field."""
        for field in _RECORDED:
            if field in self._bindings:
                self._bindings[field].set(getattr(record, field))

    def _update_heading(self, record: ActivityRecord) -> None:
        self.title.setText(f"{record.reference}  {record.name}")
        details = [
            status_text(record.status, record.changed_since_approval),
            record.business_function or "No business function",
        ]
        if record.next_review:
            details.append(f"next review {format_date(record.next_review)}")
        self.subtitle.setText(" \u00b7 ".join(details))
        self.setWindowTitle(f"{record.reference} {record.name} \u2014 ROPA desk")
        self._update_review_steps(record)

    def set_role_limits(self, *, may_edit: bool, may_approve: bool, why: str = "") -> None:
        """Grey out what the signed-in role of a team register may not do here (the server
        refuses it anyway): every field when the activity is not theirs to change."""
        self._may_edit, self._may_approve = may_edit, may_approve
        self.pages.setEnabled(may_edit)
        if why and not may_edit:
            self.save_state.setText(why)
        self._update_review_steps(self.record)

    def _update_review_steps(self, record: ActivityRecord) -> None:
        steps = ReviewSteps.for_statuses([record.status])
        writable = not self.register.read_only and self._may_edit
        self.submit_button.setEnabled(writable and steps.submit)
        self.approve_button.setEnabled(writable and self._may_approve and steps.approve)
        self.reviewed_button.setEnabled(writable and steps.mark_reviewed)
        self.reinstate_button.setEnabled(writable and steps.reinstate)
        self.reinstate_button.setVisible(record.status == Status.RETIRED)

    def _turn_section(self, step: int) -> None:
        row = self.sections.currentRow() + step
        if 0 <= row < self.sections.count():
            self.sections.setCurrentRow(row)

    def show_field(self, field: str, *, focus: bool = True) -> None:
        """Bring a field into view and (unless not wanted) put the cursor in it."""
        binding = self._bindings.get(field)
        if binding is None:
            return
        self.sections.setCurrentRow(binding.page)
        page = self.pages.widget(binding.page)
        if isinstance(page, QScrollArea):
            page.ensureWidgetVisible(binding.widget)
        if focus:
            binding.widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def binding(self, field: str) -> FieldBinding:
        return self._bindings[field]

    # --- saving --------------------------------------------------------------------------

    def _typed(self, field: str) -> None:
        if self._loading:
            return
        self._pending.add(field)
        self.save_state.setText("Editing\u2026")
        self._typing_timer.start()

    def _date_picked(self, field: str) -> None:
        binding = self._bindings.get(field)
        if binding is not None and not binding.widget.hasFocus():
            self.save_field(field)  # picked in the calendar, not typed
        else:
            self._typed(field)

    def save_pending(self) -> None:
        for field in list(self._pending):
            self.save_field(field)

    def save_field(self, field: str) -> bool:
        """Save one field if it differs from what is stored; True when nothing is left unsaved."""
        if self._loading:
            return True
        self._pending.discard(field)
        binding = self._bindings[field]
        new = binding.get()
        old = getattr(self.record, field)
        if new == old:
            binding.error.hide()
            return True
        try:
            self.session.save(field, new)
        except RopaError as error:
            self._report_error(error, field)
            return False
        self.undo_stack.push(
            FieldEditCommand(self.session, field, old, getattr(self.record, field))
        )
        return True

    def flush(self) -> list[str]:
        """Save every field whose shown value is not stored; return what could not be saved."""
        self._typing_timer.stop()
        for binding in self._bindings.values():
            if isinstance(binding.widget, LibraryPicker):
                binding.widget.add_typed()  # typed but not confirmed with Enter: added now
        problems = []
        for field, binding in self._bindings.items():
            if binding.get() != getattr(self.record, field) and not self.save_field(field):
                problems.append(f"{FIELDS[field].label}: {binding.error.text()}")
            if isinstance(binding.widget, EntryTable):
                problems.extend(binding.widget.problems())
        return problems

    def _after_save(self, record: ActivityRecord, field: str) -> None:
        self.record = record
        binding = self._bindings[field]
        binding.error.hide()
        if binding.get() != getattr(record, field):
            # An undo or redo: show the stored value in its field.
            self._loading = True
            try:
                binding.set(getattr(record, field))
            finally:
                self._loading = False
        self._show_recorded(record)  # an edit after approval: changed since approved
        self._update_heading(record)
        saved_at = dt.datetime.now().strftime("%H:%M")
        self.save_state.setText(f"All changes saved (last saved at {saved_at})")
        self._checks_timer.start()
        self.saved.emit(record)

    def _report_error(self, error: RopaError, field: str) -> None:
        self._step_failed = True  # an undo or redo that did not save is not said to be done
        if isinstance(error, ConflictError):
            self._conflict(error, field)
            return
        if isinstance(error, NotFoundError):
            self.prompts.warning(self, "Activity no longer there", str(error))
            return
        binding = self._bindings.get(getattr(error, "field", "") or field)
        if isinstance(error, ValidationError) and binding is not None:
            self._mark_unsaved(binding.field, f"\u26a0 {error} Not saved yet.")
            self.save_state.setText(f"Not saved: {error}")
            return
        self.prompts.warning(self, "Not saved", str(error))

    def _mark_unsaved(self, field: str, note: str) -> None:
        binding = self._bindings[field]
        binding.error.setText(note)
        binding.error.show()

    def _conflict(self, error: ConflictError, field: str | None = None) -> None:
        """Someone else saved first. What the user typed in `field` is never thrown away:
        Reload shows their version of everything else and keeps the typed text, unsaved."""
        # An undo or redo has no typed text to keep: the field shows what we saved earlier.
        typed = field if field in self._bindings and not self._in_command else None
        if ask_reload(self.prompts, self, error):
            self.reload(keep=[typed] if typed else [])
        elif typed:
            self._mark_unsaved(typed, NOT_SAVED_NOTE)
            self.save_state.setText("Not saved: someone else changed this activity")

    def unsaved_fields(self) -> list[str]:
        """The fields whose shown value is not what is stored."""
        return [
            field
            for field, binding in self._bindings.items()
            if binding.get() != getattr(self.record, field)
        ]

    def library_changed(self) -> None:
        """A library item was added, renamed, merged or deleted: show the new names in the
        pickers and in the library fields not being edited, leaving the rest of what the
        window holds (unsaved text, the undo history) alone."""
        for field, kind in LINK_FIELDS.items():
            picker = self._bindings[field].widget
            if isinstance(picker, LibraryPicker):
                picker.set_available([item.name for item in self.register.library.items(kind)])
        self._check_context = None  # the library flags the checks use may have changed
        self._checks_timer.start()
        stored = self.register.activities.get(self.session.activity_id)
        if any(
            getattr(stored, field) != getattr(self.record, field)
            for field in self._bindings
            if field not in LINK_FIELDS
        ):
            return  # someone else changed it too: the next save asks to reload
        shown_as_stored = [
            field
            for field in LINK_FIELDS
            if self._bindings[field].get() == getattr(self.record, field)
        ]
        self.record = stored
        self.session.version = stored.version  # the change was the library's, not a rival's
        self._loading = True
        try:
            for field in shown_as_stored:
                self._bindings[field].set(getattr(stored, field))
        finally:
            self._loading = False

    def reload(self, keep: Iterable[str] = ()) -> None:
        """Read the activity again, dropping the undo history that no longer applies.
        The fields in `keep` go on showing what the user typed, marked as not saved yet."""
        if self._in_command:
            self._reload_after_command = True
            return
        kept = {field: self._bindings[field].get() for field in keep}
        self._typing_timer.stop()
        self._pending.clear()
        self.record = self.register.activities.get(self.session.activity_id)
        self.session.version = self.record.version
        self.undo_stack.clear()
        self._show_record(self.record)
        self._loading = True
        try:
            for field, value in kept.items():
                self._bindings[field].set(value)
        finally:
            self._loading = False
        kept_now = [field for field, value in kept.items() if value != getattr(self.record, field)]
        for field in kept_now:
            self._mark_unsaved(field, KEPT_NOTE)
        self._check_context = None
        self.save_state.setText(
            "Reloaded from the register; your text is kept, not saved yet"
            if kept_now
            else "Reloaded from the register"
        )
        self.refresh_gaps()

    # --- the review cycle ----------------------------------------------------------------

    def submit_for_review(self) -> bool:
        return self._review_step(SUBMIT)

    def approve(self) -> bool:
        problems = self.flush()  # the checks then see what the window shows
        if problems:
            self.show_error("Not approved", "Fix these first:\n\n" + "\n".join(problems))
            return False
        step = ask_approve_step(
            self.register.review,
            [self.session.activity_id],
            f"{self.record.reference} \u201c{self.record.name}\u201d",
            self.ask_approval,
            self.show_error,
        )
        return step is not None and self._review_step(step)

    def mark_reviewed(self) -> bool:
        return self._review_step(MARK_REVIEWED)

    def reinstate(self) -> bool:
        return self._review_step(REINSTATE)

    def _review_step(self, step: ReviewStep) -> bool:
        """One review step on this activity, checked against the version this window saw.
        What is being typed is saved first.  The undo history stays: the step itself is not
        undone, and undoing an earlier edit after an approval is a change like any other,
        which marks the activity as changed since approved."""
        problems = self.flush()
        if problems:
            self.show_error(step.failure, "Fix these first:\n\n" + "\n".join(problems))
            return False
        activity_id = self.session.activity_id
        try:
            step.run(self.register.review, [activity_id], {activity_id: self.session.version})
        except ConflictError as error:
            self._conflict(error)
            return False
        except RopaError as error:
            self.show_error(step.failure, str(error))
            return False
        self.review_step_taken()
        self.save_state.setText(f"{step.said_of_one()}. {NOT_UNDOABLE}")
        self.saved.emit(self.record)
        return True

    def review_step_taken(self) -> None:
        """A review step changed the activity (here or from the activities list): show its
        status, approval and dates, keeping the undo history of the content edits."""
        if self._in_command:
            self._reload_after_command = True
            return
        self.record = self.register.activities.get(self.session.activity_id)
        self.session.version = self.record.version
        self._show_record(self.record)
        self._checks_timer.start()

    def ask_approval(self, what: str, errors: Sequence[Finding] = ()) -> Approval | None:
        from ropa.review import default_approver  # with SQLAlchemy: not at start-up

        return ask_approval(self, what, errors, default_approver(self.register))

    def show_error(self, title: str, text: str) -> None:
        self.prompts.warning(self, title, text)

    # --- undo ----------------------------------------------------------------------------

    def undo(self) -> None:
        if undo_in_add_box(self._field_widgets(), redo=False):
            return  # Ctrl+Z in an "add" box undoes its typing, not the last saved edit
        self.flush()  # what is being typed becomes a step of its own first
        self._step_through_history(self.undo_stack.undo, self.undo_stack.index() - 1, "Undone")

    def redo(self) -> None:
        if undo_in_add_box(self._field_widgets(), redo=True):
            return
        self.flush()
        self._step_through_history(self.undo_stack.redo, self.undo_stack.index(), "Redone")

    def _field_widgets(self) -> list[QWidget]:
        return [binding.widget for binding in self._bindings.values()]

    def _step_through_history(self, step: Callable[[], None], position: int, said: str) -> None:
        """Undo or redo one step and show where it happened: the field's section comes
        into view and the footer says what was undone, so a change in a section out of
        sight is never undone unseen."""
        command = self.undo_stack.command(position) if position >= 0 else None
        # Read now: a step that fails is made obsolete, and the stack then deletes it.
        field, what = (
            (command.field, command.text()) if isinstance(command, FieldEditCommand) else ("", "")
        )
        self._step_failed = False
        self._run_command(step)
        if field and not self._step_failed and field in self._bindings:
            self.show_field(field, focus=False)
            section = SECTIONS[self._bindings[field].page][0]
            self.save_state.setText(f"{said}: {what.lower()} ({section})")

    def _run_command(self, step: Callable[[], None]) -> None:
        """Undo or redo, then any reload the command asked for (never during it: clearing
        the stack from inside QUndoStack.undo() deletes the running command)."""
        self._in_command = True
        try:
            step()
        finally:
            self._in_command = False
        if self._reload_after_command:
            self._reload_after_command = False
            self.reload()

    # --- checks --------------------------------------------------------------------------

    def refresh_gaps(self) -> None:
        try:
            from ropa.checks import check_activities, load_context
        except ImportError:
            self.gaps_title.setText("Gaps (the checks are not available)")
            return
        if self._check_context is None:  # the whole register's context: read once per window
            self._check_context = load_context(self.register)
        findings = [
            finding
            for finding in check_activities([self.record], self._check_context)
            if finding.activity_id == self.record.id
        ]
        self.gaps_list.clear()
        style = self.style()
        for finding in findings:
            icon = (
                QStyle.StandardPixmap.SP_MessageBoxCritical
                if finding.severity == "error"
                else QStyle.StandardPixmap.SP_MessageBoxWarning
            )
            text = finding.message + (f" ({finding.article})" if finding.article else "")
            item = QListWidgetItem(style.standardIcon(icon), text)
            item.setData(Qt.ItemDataRole.UserRole, finding.field)
            item.setData(_RULE_ROLE, finding.rule_id)
            item.setToolTip(finding.fix)
            self.gaps_list.addItem(item)
        self.gaps_title.setText(
            f"Gaps: {len(findings)} \u2014 double-click one to go to its field"
            if findings
            else "Gaps: none found"
        )
        # No gaps, no empty box: the form takes the room.
        if bool(findings) != self.gaps_list.isVisibleTo(self):
            self.gaps_list.setVisible(bool(findings))
            total = sum(self._body.sizes())
            gaps_height = 110 if findings else 0
            self._body.setSizes([total - gaps_height, gaps_height])

    def _go_to_gap(self, item: QListWidgetItem) -> None:
        from ropa.checks.rules import PROCESSOR_CONTRACT_RULE  # not at start-up

        field = item.data(Qt.ItemDataRole.UserRole)
        rule = item.data(_RULE_ROLE)
        if rule == PROCESSOR_CONTRACT_RULE and self.contract_opener is not None:
            # The contract box is the processor's, in the library: not a field of this form.
            self.contract_opener(self.session.activity_id)
        elif isinstance(field, str):
            self.show_field(field)

    # --- closing -------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        problems = self.flush()
        if problems and not self.ask_discard(problems):
            event.ignore()
            return
        self.closed.emit(self.session.activity_id)
        event.accept()

    def ask_discard(self, problems: list[str]) -> bool:
        """Some edits cannot be saved (invalid): True when the user closes anyway."""
        answer = self.prompts.question(
            self,
            "Some changes are not saved",
            "These changes could not be saved:\n\n"
            + "\n".join(problems)
            + "\n\nClose anyway and lose them?",
            ("Discard", "Cancel"),
            default="Cancel",
        )
        return answer == "Discard"


__all__ = ["SECTIONS", "ActivityEditor", "Status", "field_tooltip"]
