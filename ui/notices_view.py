"""The Notices view: the register's privacy notices, their editor and a live preview.

Left, the list of notices; in the middle, the editor (title, audience, introduction, contact
text, template, extra sections, and the covered activities, chosen one by one or by business
function); right, the live preview with the reading-ease score and the warnings.  Every
action is a call into ropa.notices: this module holds no rules about what a notice says.

A notice is saved as it is typed, like everything else in the app: a pause of AUTOSAVE_DELAY_MS
after a change saves it, and each save is a step on the window's undo stack (ui/notice_undo.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QUndoStack
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ropa.capabilities import ALLOWED, Capability
from ropa.errors import RopaError
from ropa.notice_writers import NoticeWriters
from ropa.notices import (
    AUDIENCES,
    GROUPINGS,
    LAYERS,
    NoticeDocument,
    NoticeRecord,
    NoticeSectionEntry,
    readability,
    render_html,
)
from ropa.records import LibraryKind
from ropa.register import Register
from ui.actions import NoticeActions
from ui.file_dialogs import ask_open_path, ask_save_path
from ui.notice_print import paint_notice
from ui.notice_undo import NoticeEditCommand, changed_fields
from ui.prompts import Prompts, prompts_or_default
from ui.publish_gate import PublishGateDialog
from ui.widgets.page_colours import paper_palette
from ui.widgets.read_only import set_read_only
from ui.workers import CancelledFn, ProgressFn, ProgressRunner

# The names of the formats in the Export dialog, the first the one suggested; only those the
# view's notice writers write are offered.
EXPORT_FILTERS = {
    "pdf": "PDF document (*.pdf)",
    "docx": "Word document (*.docx)",
    "html": "Web page (*.html)",
    "md": "Markdown (*.md)",
    "txt": "Plain text (*.txt)",
}
PREVIEW_DELAY_MS = 300
AUTOSAVE_DELAY_MS = 1000
_DISPLAY = Qt.ItemDataRole.DisplayRole
_CHECK = Qt.ItemDataRole.CheckStateRole


class NoticeListModel(QAbstractListModel):
    """The notices, one row each: the title and how many versions are published."""

    def __init__(self, notices: list[NoticeRecord] | None = None) -> None:
        super().__init__()
        self._notices = notices or []

    def set_notices(self, notices: list[NoticeRecord]) -> None:
        self.beginResetModel()
        self._notices = notices
        self.endResetModel()

    def notice(self, row: int) -> NoticeRecord:
        return self._notices[row]

    def row_of(self, notice_id: int | None) -> int:
        return next((i for i, n in enumerate(self._notices) if n.id == notice_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._notices)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._notices):
            return None
        notice = self._notices[index.row()]
        if role == _DISPLAY:
            return notice.title
        if role == Qt.ItemDataRole.ToolTipRole:
            last = notice.last_published
            audience = AUDIENCES.get(notice.audience, notice.audience)
            if last is None:
                return f"{audience}. Not published yet."
            return f"{audience}. Version {last.number} published {last.published_at:%d %B %Y}."
        return None


@dataclass
class CheckItem:
    key: Any
    label: str
    detail: str = ""


class CheckListModel(QAbstractListModel):
    """A list of things to tick: the activities or business functions a notice covers."""

    checked_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._items: list[CheckItem] = []
        self._checked: set[Any] = set()

    def set_items(self, items: list[CheckItem], checked: set[Any]) -> None:
        self.beginResetModel()
        self._items = items
        self._checked = {key for key in checked if any(i.key == key for i in items)}
        self.endResetModel()

    def checked_keys(self) -> list[Any]:
        return [item.key for item in self._items if item.key in self._checked]

    def set_checked(self, key: Any, checked: bool) -> None:
        row = next((i for i, item in enumerate(self._items) if item.key == key), -1)
        if row >= 0:
            self.setData(
                self.index(row),
                Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked,
                _CHECK,
            )

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == _DISPLAY:
            return item.label
        if role == _CHECK:
            return Qt.CheckState.Checked if item.key in self._checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole and item.detail:
            return item.detail
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index) | Qt.ItemFlag.ItemIsUserCheckable

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = _CHECK
    ) -> bool:
        if role != _CHECK or not index.isValid():
            return False
        key = self._items[index.row()].key
        state = Qt.CheckState(value) if isinstance(value, int) else value
        if state == Qt.CheckState.Checked:
            self._checked.add(key)
        else:
            self._checked.discard(key)
        self.dataChanged.emit(index, index, [_CHECK])
        self.checked_changed.emit()
        return True


class SectionListModel(QAbstractListModel):
    """The DPO's extra sections, by heading; the body is edited beside the list."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[NoticeSectionEntry] = []

    def set_sections(self, sections: list[NoticeSectionEntry]) -> None:
        self.beginResetModel()
        self.sections = [NoticeSectionEntry(s.heading, s.body) for s in sections]
        self.endResetModel()

    def add(self, heading: str) -> int:
        row = len(self.sections)
        self.beginInsertRows(QModelIndex(), row, row)
        self.sections.append(NoticeSectionEntry(heading))
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self.sections):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.sections[row]
            self.endRemoveRows()

    def set_body(self, row: int, body: str) -> None:
        if 0 <= row < len(self.sections):
            self.sections[row].body = body

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.sections)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.sections):
            return None
        if role in (_DISPLAY, Qt.ItemDataRole.EditRole):
            return self.sections[index.row()].heading
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not str(value).strip():
            return False
        self.sections[index.row()].heading = str(value).strip()
        self.dataChanged.emit(index, index, [_DISPLAY, Qt.ItemDataRole.EditRole])
        return True


class NoticesView(QWidget):
    """Lists the register's privacy notices and edits, previews, prints and publishes them."""

    preview_updated = Signal()

    def __init__(
        self,
        register: Register,
        parent: QWidget | None = None,
        *,
        undo_stack: QUndoStack | None = None,
        prompts: Prompts | None = None,
        notice_writers: NoticeWriters | None = None,
    ) -> None:
        super().__init__(parent)
        self.register = register
        self.prompts = prompts_or_default(prompts)
        # The formats it exports: the program's (main.py adds PDF), else the domain's own.
        self.notice_writers = NoticeWriters.domain() if notice_writers is None else notice_writers
        self.service = register.notices
        # The window's stack when there is one, so that Edit > Undo reaches notices too.
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self._applying_step = False
        self._current: NoticeRecord | None = None
        self._plain_wording: dict[str, str] = {}
        self._loading_wording = False
        # On a team register only a DPO changes notices; others read, preview, print and
        # export them (set_capabilities), and the server refuses their changes anyway.
        self._editable = True
        self._refusal = ""
        self._publish = ALLOWED
        self._loading = False
        self.dirty = False
        self.document: NoticeDocument | None = None

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_reporting_errors)

        self._build_actions()
        self._build_widgets()
        self.reload()

    # --- building ------------------------------------------------------------------------

    def _build_actions(self) -> None:
        self.actions_ = NoticeActions(self)
        self.new_action = self.actions_.new_notice
        self.new_action.triggered.connect(self._ask_new_notice)
        self.delete_action = self.actions_.delete
        self.delete_action.triggered.connect(self._ask_delete)
        self.save_action = self.actions_.save
        self.save_action.triggered.connect(self._save_reporting_errors)
        self.publish_action = self.actions_.publish
        self.publish_action.triggered.connect(self._ask_publish)
        self.preview_action = self.actions_.print_preview
        self.preview_action.triggered.connect(self.print_preview)
        self.print_action = self.actions_.print
        self.print_action.triggered.connect(self._print)
        self.export_action = self.actions_.export
        self.export_action.triggered.connect(self._ask_export)

    def _build_widgets(self) -> None:
        toolbar = QToolBar("Notice")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in self.actions_.all():
            toolbar.addAction(action)

        self.notice_model = NoticeListModel()
        self.notice_list = QListView()
        self.notice_list.setModel(self.notice_model)
        # Notice titles are long: wrap them rather than hide them behind a scroll bar.
        self.notice_list.setWordWrap(True)
        self.notice_list.setSpacing(2)
        self.notice_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.notice_list.setAccessibleName("Notices")
        self.notice_list.selectionModel().currentChanged.connect(self._on_notice_chosen)

        self.title_edit = QLineEdit()
        self.audience_combo = QComboBox()
        for code, label in AUDIENCES.items():
            self.audience_combo.addItem(label, code)
        self.introduction_edit = QPlainTextEdit()
        self.introduction_edit.setPlaceholderText("A few sentences on what this notice is about.")
        self.contact_edit = QPlainTextEdit()
        self.contact_edit.setPlaceholderText("Other ways to reach us (optional).")
        self.template_edit = QLineEdit()
        self.template_edit.setPlaceholderText("Built-in template")
        self.browse_button = QPushButton("C&hoose…")
        self.browse_button.clicked.connect(self._choose_template)
        template_row = QHBoxLayout()
        template_row.addWidget(self.template_edit)
        template_row.addWidget(self.browse_button)
        self.grouping_combo = QComboBox()
        for code, label in GROUPINGS.items():
            self.grouping_combo.addItem(label, code)
        self.full_url_edit = QLineEdit()
        # Not the home page: the first layer sends readers here for the full notice.
        self.full_url_edit.setPlaceholderText("https://… where the full notice is published")
        self.choices_edit = QPlainTextEdit()
        self.choices_edit.setPlaceholderText(
            "Choices beyond people's rights, one a line, for example:\n"
            "- Stop our newsletter: use the unsubscribe link in any issue\n"
            "- The NHS national data opt-out: https://www.nhs.uk/your-nhs-data-matters"
        )
        self.sar_url_edit = QLineEdit()
        self.sar_url_edit.setPlaceholderText("https://… where people ask for a copy of their data")
        self.schedule_url_edit = QLineEdit()
        self.schedule_url_edit.setPlaceholderText("https://… your published retention schedule")
        details = QWidget()
        form = QFormLayout(details)
        for text, field, name in (
            ("&Title", self.title_edit, "Notice title"),
            ("A&udience", self.audience_combo, "Audience"),
            ("&Introduction", self.introduction_edit, "Introduction"),
            ("C&ontact text", self.contact_edit, "Contact text"),
            ("Se&ctions", self.grouping_combo, "Sections of the full notice"),
            ("&Web address", self.full_url_edit, "Web address of the full notice"),
            ("C&hoices and opt-outs", self.choices_edit, "Choices and opt-outs"),
            (
                "Subject &access requests",
                self.sar_url_edit,
                "Where to make a subject access request",
            ),
            (
                "&Retention schedule",
                self.schedule_url_edit,
                "Web address of the retention schedule",
            ),
            ("Te&mplate", self.template_edit, "Template file"),
        ):
            field.setAccessibleName(name)
            caption = QLabel(text)
            caption.setBuddy(field)
            form.addRow(caption, template_row if field is self.template_edit else field)
        self.browse_button.setAccessibleName("Choose a template file")

        self.function_model = CheckListModel()
        self.function_list = QListView()
        self.function_list.setModel(self.function_model)
        self.function_list.setAccessibleName("Business functions covered")
        self.activity_model = CheckListModel()
        self.activity_list = QListView()
        self.activity_list.setModel(self.activity_model)
        self.activity_list.setAccessibleName("Activities covered one by one")
        covered = QWidget()
        covered_layout = QVBoxLayout(covered)
        covered_layout.addWidget(QLabel("Every activity of these business functions:"))
        covered_layout.addWidget(self.function_list, 1)
        covered_layout.addWidget(QLabel("And these activities, one by one:"))
        covered_layout.addWidget(self.activity_list, 3)
        self.people_model = CheckListModel()
        self.people_list = QListView()
        self.people_list.setModel(self.people_model)
        self.people_list.setAccessibleName("People this notice is for")
        people_label = QLabel(
            "For these people only (none ticked: everyone the activities hold data about; in a "
            "children's notice, the children and young people among them):"
        )
        people_label.setWordWrap(True)
        covered_layout.addWidget(people_label)
        covered_layout.addWidget(self.people_list, 2)

        # Register text the notice says in other words: for a children's notice, each
        # paragraph above a child's reading grade is listed with its grade.
        self.wording_table = QTableWidget(0, 2)
        self.wording_table.setHorizontalHeaderLabels(["In the register", "This notice says"])
        self.wording_table.horizontalHeader().setStretchLastSection(True)
        self.wording_table.setColumnWidth(0, 320)
        self.wording_table.setWordWrap(True)
        self.wording_table.setAccessibleName("Plain wording for register text")
        self.wording_table.itemChanged.connect(self._wording_changed)
        wording = QWidget()
        wording_layout = QVBoxLayout(wording)
        wording_note = QLabel(
            "Register text a child may find hard (above school grade 9) is listed here with its "
            "grade. Type plain words for it: this notice says them instead."
        )
        wording_note.setWordWrap(True)
        wording_layout.addWidget(wording_note)
        wording_layout.addWidget(self.wording_table, 1)

        self.section_model = SectionListModel()
        self.section_list = QListView()
        self.section_list.setModel(self.section_model)
        self.section_list.setAccessibleName("Extra sections")
        self.section_list.selectionModel().currentChanged.connect(self._on_section_chosen)
        self.section_body = QPlainTextEdit()
        self.section_body.setPlaceholderText(
            "Blank lines separate paragraphs; start a line with “- ” for a list."
        )
        self.section_body.setEnabled(False)
        self.section_body.setAccessibleName("Text of the chosen section")
        self.add_section_button = QPushButton("Add section…")
        self.add_section_button.clicked.connect(self._ask_add_section)
        self.remove_section_button = QPushButton("Remove section")
        self.remove_section_button.clicked.connect(self._remove_section)
        sections = QWidget()
        sections_layout = QVBoxLayout(sections)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_section_button)
        buttons.addWidget(self.remove_section_button)
        sections_layout.addLayout(buttons)
        sections_layout.addWidget(self.section_list, 1)
        sections_layout.addWidget(self.section_body, 2)

        self.editor_tabs = QTabWidget()
        self.editor_tabs.addTab(details, "Details")
        self.editor_tabs.addTab(covered, "Covered activities")
        self.editor_tabs.addTab(sections, "Extra sections")
        self.editor_tabs.addTab(wording, "Plain wording")

        self.layer_combo = QComboBox()
        for code, label in LAYERS.items():
            self.layer_combo.addItem(label, code)
        self.layer_combo.setAccessibleName("Layer to preview, print and export")
        layer_label = QLabel("La&yer:")
        layer_label.setBuddy(self.layer_combo)
        layer_row = QHBoxLayout()
        layer_row.addWidget(layer_label)
        layer_row.addWidget(self.layer_combo, 1)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.setAccessibleName("Notice preview")
        # The page as it prints and is published: the notice's colours (its dark blue
        # headings, its near-black text) are chosen for white paper, so the preview is white
        # whatever the desktop's colours, dark ones included.
        self.preview.setPalette(paper_palette())
        self.reading_label = QLabel()
        self.reading_label.setWordWrap(True)
        self.warnings_box = QPlainTextEdit()
        self.warnings_box.setReadOnly(True)
        self.warnings_box.setMaximumHeight(160)
        self.warnings_box.setAccessibleName("Points to check before publishing")
        self.warnings_title = QLabel("Points to check before you publish:")
        self.warnings_title.setBuddy(self.warnings_box)
        preview_panel = QWidget()
        preview_layout = QVBoxLayout(preview_panel)
        preview_layout.addLayout(layer_row)
        preview_layout.addWidget(self.preview, 1)
        preview_layout.addWidget(self.reading_label)
        preview_layout.addWidget(self.warnings_title)
        preview_layout.addWidget(self.warnings_box)

        splitter = QSplitter()
        splitter.addWidget(self.notice_list)
        splitter.addWidget(self.editor_tabs)
        splitter.addWidget(preview_panel)
        splitter.setSizes([200, 420, 560])
        # Read-only fields look like any others: say why typing does nothing.
        # Its words are the capability's refusal (set_capabilities).
        self.read_only_note = QLabel()
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(toolbar)
        layout.addWidget(self.read_only_note)
        layout.addWidget(splitter, 1)

        self.title_edit.textEdited.connect(self._changed)
        self.audience_combo.currentIndexChanged.connect(self._changed)
        self.introduction_edit.textChanged.connect(self._changed)
        self.contact_edit.textChanged.connect(self._changed)
        self.template_edit.textEdited.connect(self._changed)
        self.grouping_combo.currentIndexChanged.connect(self._changed)
        self.full_url_edit.textEdited.connect(self._changed)
        self.choices_edit.textChanged.connect(self._changed)
        self.sar_url_edit.textEdited.connect(self._changed)
        self.schedule_url_edit.textEdited.connect(self._changed)
        self.people_model.checked_changed.connect(self._changed)
        # Another layer is another view of the same notice: nothing to save.
        self.layer_combo.currentIndexChanged.connect(self.refresh_preview)
        self.section_body.textChanged.connect(self._section_body_changed)
        self.function_model.checked_changed.connect(self._changed)
        self.activity_model.checked_changed.connect(self._changed)
        self.section_model.dataChanged.connect(self._changed)
        self.section_model.rowsInserted.connect(self._changed)
        self.section_model.rowsRemoved.connect(self._changed)

    # --- loading and choosing ------------------------------------------------------------

    def _load_choices(self) -> None:
        self._activity_items = [
            CheckItem(s.id, f"{s.reference}  {s.name}", s.business_function)
            for s in self.register.activity_list.summaries(include_retired=False)
        ]
        self._function_items = [
            CheckItem(name, name) for name in self.register.activity_list.business_functions()
        ]
        self._people_items = [
            CheckItem(item.name, item.name)
            for item in self.register.library.items(LibraryKind.INDIVIDUAL_CATEGORY)
        ]

    def reload(self) -> None:
        """Read the notices, activities and business functions again from the register."""
        chosen = self._current.id if self._current else None
        notices = self.service.list()
        self.notice_model.set_notices(notices)
        self._load_choices()
        row = self.notice_model.row_of(chosen)
        if row < 0 and notices:
            row = 0
        if row >= 0:
            self.notice_list.setCurrentIndex(self.notice_model.index(row))
            self._show(self.notice_model.notice(row))
        else:
            self._show(None)

    def refresh(self) -> None:
        """Catch up with the register (called when the page is shown again).

        Reloads the activities, business functions and the notices list. The notice being
        edited stays chosen; if it has unsaved edits they are kept as typed (only ticks of
        activities retired meanwhile fall away), otherwise its stored copy is shown afresh.
        """
        current_id = self._current.id if self._current is not None else None
        draft = self.draft() if self._current is not None else None
        self._load_choices()
        self._loading = True
        try:
            self.notice_model.set_notices(self.service.list())
            row = self.notice_model.row_of(current_id)
            if row >= 0:
                self.notice_list.setCurrentIndex(self.notice_model.index(row))
        finally:
            self._loading = False
        if self.dirty and draft is not None:
            self._loading = True
            try:
                self.function_model.set_items(self._function_items, set(draft.business_functions))
                self.activity_model.set_items(self._activity_items, set(draft.activity_ids))
            finally:
                self._loading = False
            self.refresh_preview()
        elif row >= 0 and current_id is not None:
            self._show(self.service.get(current_id))
        else:
            self.reload()

    def maybe_save(self) -> bool:
        """Before the register is closed or replaced: save typing the pause has not saved yet
        (as every edit is saved, nothing is asked).  False when the save was refused (the
        refusal has been shown; the edits stay in the editor), so the caller stops.
        """
        if not self.dirty or self._current is None:
            return True
        return self._save_reporting_errors()

    def select_notice(self, notice_id: int) -> None:
        row = self.notice_model.row_of(notice_id)
        if row >= 0:
            self.notice_list.setCurrentIndex(self.notice_model.index(row))

    def _on_notice_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._loading or not current.isValid():
            return
        notice = self.notice_model.notice(current.row())
        if self._current is not None and notice.id == self._current.id:
            return
        if self.dirty and not self._save_reporting_errors():
            assert self._current is not None  # only a chosen notice can be dirty
            # The editor still shows the notice that could not be saved: so must the list.
            self._loading = True
            try:
                self.notice_list.setCurrentIndex(
                    self.notice_model.index(self.notice_model.row_of(self._current.id))
                )
            finally:
                self._loading = False
            return
        self._show(self.service.get(notice.id) if notice.id is not None else notice)

    def _show(self, notice: NoticeRecord | None) -> None:
        self._loading = True
        try:
            self._current = notice
            shown = notice or NoticeRecord()
            self.title_edit.setText(shown.title)
            self.audience_combo.setCurrentIndex(
                max(0, self.audience_combo.findData(shown.audience))
            )
            self.introduction_edit.setPlainText(shown.introduction)
            self.contact_edit.setPlainText(shown.contact_text)
            self.template_edit.setText(shown.template)
            self.grouping_combo.setCurrentIndex(
                max(0, self.grouping_combo.findData(shown.grouping))
            )
            self.full_url_edit.setText(shown.full_notice_url)
            self.choices_edit.setPlainText(shown.choices)
            self.sar_url_edit.setText(shown.sar_url)
            self.schedule_url_edit.setText(shown.retention_schedule_url)
            self.people_model.set_items(self._people_items, set(shown.individuals))
            self._plain_wording = dict(shown.plain_wording)
            self._show_wording({})
            self.function_model.set_items(self._function_items, set(shown.business_functions))
            self.activity_model.set_items(self._activity_items, set(shown.activity_ids))
            self.section_model.set_sections(shown.sections)
            self.section_body.setPlainText("")
            self.section_body.setEnabled(False)
            self.editor_tabs.setEnabled(notice is not None)
            for action in (
                self.delete_action,
                self.save_action,
                self.publish_action,
                self.preview_action,
                self.print_action,
                self.export_action,
            ):
                action.setEnabled(notice is not None)
            self._hold_back_changes()
        finally:
            self._loading = False
        self.dirty = False
        self._save_timer.stop()
        self.refresh_preview()

    # --- who may change notices -----------------------------------------------------------

    def set_capabilities(self, edit: Capability, publish: Capability) -> None:
        """Let this person change and publish notices, or only read, preview, print and
        export them: what ropa/capabilities.py says they may do, with its words for why not."""
        self._editable = edit.allowed
        self._refusal = edit.refusal
        self._publish = publish
        self.read_only_note.setText(f"{edit.refusal} You can read, preview, print and export them.")
        self._hold_back_changes()

    def _hold_back_changes(self) -> None:
        """Grey out, or make read-only and shaded, every way of changing a notice, unless
        editable."""
        editable = self._editable
        for line in (
            self.title_edit,
            self.template_edit,
            self.full_url_edit,
            self.sar_url_edit,
            self.schedule_url_edit,
        ):
            set_read_only(line, not editable)
        for text in (
            self.introduction_edit,
            self.contact_edit,
            self.section_body,
            self.choices_edit,
        ):
            set_read_only(text, not editable)
        self.wording_table.setEditTriggers(
            QTableWidget.EditTrigger.AllEditTriggers
            if editable
            else QTableWidget.EditTrigger.NoEditTriggers
        )
        for widget in (
            self.audience_combo,
            self.grouping_combo,
            self.function_list,
            self.activity_list,
            self.people_list,
            self.browse_button,
            self.add_section_button,
            self.remove_section_button,
        ):
            widget.setEnabled(editable)
        self.new_action.setEnabled(editable)
        self.read_only_note.setHidden(editable)
        if not editable:
            for action in (self.delete_action, self.save_action):
                action.setEnabled(False)
                action.setToolTip(self._refusal)
        if not (editable and self._publish.allowed):
            self.publish_action.setEnabled(False)
            self.publish_action.setToolTip(self._publish.refusal or self._refusal)

    # --- editing -------------------------------------------------------------------------

    def _changed(self, *_args: object) -> None:
        if self._loading or self._current is None:
            return
        self.dirty = True
        self._preview_timer.start()
        self._save_timer.start()

    def _on_section_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._loading = True
        try:
            valid = current.isValid()
            self.section_body.setEnabled(valid)
            body = self.section_model.sections[current.row()].body if valid else ""
            self.section_body.setPlainText(body)
        finally:
            self._loading = False

    def _section_body_changed(self) -> None:
        if self._loading:
            return
        self.section_model.set_body(
            self.section_list.currentIndex().row(), self.section_body.toPlainText()
        )
        self._changed()

    def add_section(self, heading: str, body: str = "") -> None:
        row = self.section_model.add(heading)
        self.section_list.setCurrentIndex(self.section_model.index(row))
        self.section_body.setPlainText(body)

    def _ask_add_section(self) -> None:
        heading = self.prompts.text(
            self, "Add section", "Heading of the new section (for example “The MASH”):"
        )
        if heading is not None and heading.strip():
            self.add_section(heading.strip())

    def _remove_section(self) -> None:
        self.section_model.remove(self.section_list.currentIndex().row())

    def _choose_template(self) -> None:
        path = ask_open_path(
            self,
            "Choose a notice template",
            "Notice templates (*.j2 *.html *.md *.txt)",
            purpose="templates",
            prompts=self.prompts,
        )
        if path is not None:
            self.template_edit.setText(str(path))
            self._changed()

    def draft(self) -> NoticeRecord:
        """The notice as the editor shows it now (saved or not)."""
        base = self._current or NoticeRecord()
        return NoticeRecord(
            id=base.id,
            version=base.version,
            published=base.published,
            title=self.title_edit.text(),
            audience=str(self.audience_combo.currentData()),
            introduction=self.introduction_edit.toPlainText(),
            contact_text=self.contact_edit.toPlainText(),
            template=self.template_edit.text(),
            grouping=str(self.grouping_combo.currentData()),
            full_notice_url=self.full_url_edit.text(),
            business_functions=self.function_model.checked_keys(),
            activity_ids=self.activity_model.checked_keys(),
            individuals=self.people_model.checked_keys(),
            plain_wording=dict(self._plain_wording),
            choices=self.choices_edit.toPlainText(),
            sar_url=self.sar_url_edit.text(),
            retention_schedule_url=self.schedule_url_edit.text(),
            sections=[NoticeSectionEntry(s.heading, s.body) for s in self.section_model.sections],
        )

    # --- the register --------------------------------------------------------------------

    def create_notice(self, title: str) -> NoticeRecord:
        if self.dirty:
            self.save()
        notice = self.service.create(title=title)
        self.reload()
        assert notice.id is not None
        self.select_notice(notice.id)
        return notice

    def _ask_new_notice(self) -> None:
        title = self.prompts.text(
            self, "New notice", "Title (for example “Children and families privacy notice”):"
        )
        if title is not None:
            self._run(lambda: self.create_notice(title))

    def save(self) -> NoticeRecord:
        """Store the editor's changes (raises RopaError with a plain message if refused)."""
        self._save_timer.stop()
        if self._current is None or self._current.id is None:
            raise RopaError("Choose or create a notice first.")
        before = self._current
        draft = self.draft()
        changes = {
            "title": draft.title,
            "audience": draft.audience,
            "introduction": draft.introduction,
            "contact_text": draft.contact_text,
            "template": draft.template,
            "grouping": draft.grouping,
            "full_notice_url": draft.full_notice_url,
            "choices": draft.choices,
            "sar_url": draft.sar_url,
            "retention_schedule_url": draft.retention_schedule_url,
            "individuals": draft.individuals,
            "plain_wording": draft.plain_wording,
            "business_functions": draft.business_functions,
            "activity_ids": draft.activity_ids,
            "sections": draft.sections,
        }
        saved = self.service.update(self._current.id, changes, self._current.version)
        self._current = saved
        self.dirty = False
        old, new = changed_fields(before, saved, list(changes))
        if new and not self._applying_step:
            self.undo_stack.push(NoticeEditCommand(self, saved, old, new))
        self._loading = True
        try:
            self.notice_model.set_notices(self.service.list())
            self.notice_list.setCurrentIndex(
                self.notice_model.index(self.notice_model.row_of(saved.id))
            )
        finally:
            self._loading = False
        return saved

    def _save_reporting_errors(self) -> bool:
        return self._run(self.save)

    def apply_notice_change(self, notice_id: int, values: dict[str, Any]) -> bool:
        """Undo or redo a saved change: save `values` to the notice and show it.  Typing not
        yet saved is saved first (nothing typed is lost; an undone field goes back to what it
        was before the step, typing and all).  False, the refusal shown, if it is refused."""
        # Saving pushes a step, and no step may be pushed while the stack undoes one.
        self._applying_step = True
        try:
            if self.dirty and not self._save_reporting_errors():
                return False
        finally:
            self._applying_step = False
        try:
            current = self._current
            # The version this view saw, if it shows the notice; else the stored one.
            seen = current if current is not None and current.id == notice_id else None
            expected = (seen or self.service.get(notice_id)).version
            saved = self.service.update(notice_id, values, expected)
        except RopaError as error:
            self.prompts.warning(self, "Notices", str(error))
            return False
        self._loading = True
        try:
            self.notice_model.set_notices(self.service.list())
            self.select_notice(notice_id)
        finally:
            self._loading = False
        self._show(saved)
        return True

    def delete_current(self) -> None:
        if self._current is None or self._current.id is None:
            return
        self.service.delete(self._current.id)
        self._current = None
        self.dirty = False
        self._save_timer.stop()
        self.reload()

    def _ask_delete(self) -> None:
        if self._current is None:
            return
        answer = self.prompts.question(
            self,
            "Delete notice",
            f"Delete the notice “{self._current.title}” and its published versions? "
            "The activities stay as they are.",
            ("Yes", "No"),
            default="No",
        )
        if answer == "Yes":
            self._run(self.delete_current)

    def publish(self, override_reason: str = "") -> int:
        """Save, then freeze the notice as its next published version; returns its number.
        Refused (PublishRefused) while it has gaps, unless a reason is given."""
        if self.dirty or self._current is None:
            self.save()
        assert self._current is not None and self._current.id is not None
        version = self.service.publish(self._current.id, override_reason=override_reason)
        self._current = self.service.get(self._current.id)
        self.notice_model.set_notices(self.service.list())
        self.select_notice(self._current.id or 0)
        self.refresh_preview()
        return version.number

    def publish_gate(self) -> PublishGateDialog | None:
        """Save, then the dialog listing what stops the notice being published (None when
        nothing does)."""
        if self.dirty or self._current is None:
            self.save()
        assert self._current is not None and self._current.id is not None
        blockers = self.service.blockers(self._current.id)
        if not blockers:
            return None
        return PublishGateDialog(self._current.title, blockers, self)

    def _ask_publish(self) -> None:
        gate: list[PublishGateDialog | None] = []
        if not self._run(lambda: gate.append(self.publish_gate())):
            return
        reason = ""
        dialog = gate[0]
        if dialog is not None:
            if dialog.exec() != PublishGateDialog.DialogCode.Accepted:
                return
            reason = dialog.reason()
        if self._run(lambda: self.publish(reason)):
            self.prompts.information(self, "Publish notice", "The notice has been published.")

    # --- preview, print, export ----------------------------------------------------------

    def refresh_preview(self) -> None:
        """Rebuild the notice from the editor and the register, and show it."""
        self._preview_timer.stop()
        if self._current is None:
            self.document = None
            self.preview.setHtml("<p>Create a notice, or choose one from the list.</p>")
            self.reading_label.setText("")
            self.warnings_box.setPlainText("")
            self._show_warnings_panel(False)
            self.preview_updated.emit()
            return
        try:
            layer = str(self.layer_combo.currentData())
            document = self.service.document(self.draft(), layer=layer)
            html = render_html(document)
        except RopaError as error:
            self.document = None
            self.warnings_box.setPlainText(str(error))
            self.preview_updated.emit()
            return
        self.document = document
        scroll = self.preview.verticalScrollBar().value()
        self.preview.setHtml(html)
        self.preview.verticalScrollBar().setValue(scroll)
        report = readability(document)
        self.reading_label.setText(report.summary())
        lines = [f"{w.section}: {w.message}" for w in document.warnings]
        lines += [
            f"{v.section}: vague word “{v.word}” in “{v.excerpt}”" for v in report.vague_words
        ]
        self.warnings_box.setPlainText("\n".join(lines) or "Nothing: the notice is ready.")
        self._show_warnings_panel(True)
        self._show_wording(document.hard_text)
        self.preview_updated.emit()

    # --- plain wording ---------------------------------------------------------------------

    def _show_wording(self, hard_text: dict[str, float]) -> None:
        """List the register text given plain words and the text a child may find hard;
        rebuilt only when that list changes, so typing in it is never interrupted."""
        wanted = [*self._plain_wording, *(k for k in hard_text if k not in self._plain_wording)]
        shown = [self._wording_key(row) for row in range(self.wording_table.rowCount())]
        # Rows keep their places (a row being typed in stays where it is).
        keys = [k for k in shown if k in wanted] + [k for k in wanted if k not in shown]
        if shown == keys:
            return
        self._loading_wording = True
        try:
            self.wording_table.setRowCount(len(keys))
            for row, key in enumerate(keys):
                grade = hard_text.get(key)
                label = f"{key}\n(school grade {grade:.1f})" if grade is not None else key
                original = QTableWidgetItem(label)
                original.setData(Qt.ItemDataRole.UserRole, key)
                original.setFlags(original.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.wording_table.setItem(row, 0, original)
                self.wording_table.setItem(
                    row, 1, QTableWidgetItem(self._plain_wording.get(key, ""))
                )
            self.wording_table.resizeRowsToContents()
        finally:
            self._loading_wording = False

    def _wording_key(self, row: int) -> str:
        item = self.wording_table.item(row, 0)
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def _wording_changed(self, item: QTableWidgetItem) -> None:
        if self._loading_wording or item.column() != 1:
            return
        key = self._wording_key(item.row())
        words = " ".join(item.text().split())
        if words:
            self._plain_wording[key] = words
        else:
            self._plain_wording.pop(key, None)
        self._changed()

    def _show_warnings_panel(self, shown: bool) -> None:
        self.warnings_title.setVisible(shown)
        self.warnings_box.setVisible(shown)

    def _fresh_document(self) -> NoticeDocument:
        if self._preview_timer.isActive() or self.document is None:
            self.refresh_preview()
        if self.document is None:
            raise RopaError(self.warnings_box.toPlainText() or "There is no notice to show.")
        return self.document

    def export(self, path: Path) -> None:
        """Write the notice to `path`, in the format its suffix names."""
        self.notice_writers.write_file(self._fresh_document(), Path(path))

    def export_filters(self) -> dict[str, str]:
        """The Export dialog's formats: those the notice writers write, PDF first if there."""
        known = set(self.notice_writers.formats())
        named = {fmt: label for fmt, label in EXPORT_FILTERS.items() if fmt in known}
        # A format a writer was added for but that has no name here is still offered.
        return named | {fmt: f"{fmt.upper()} file (*.{fmt})" for fmt in sorted(known - set(named))}

    def _ask_export(self) -> ProgressRunner | None:
        if self._current is None:
            return None
        suggested = "".join(c if c.isalnum() or c in " -_" else "_" for c in self._current.title)
        filters = self.export_filters()
        path = ask_save_path(
            self,
            "Export notice",
            f"{suggested}.{next(iter(filters))}",
            filters,
            prompts=self.prompts,
        )
        if path is None:
            return None
        return self.export_in_worker(path)

    def export_in_worker(self, path: Path) -> ProgressRunner | None:
        """Write the notice to `path` off the GUI thread, behind a progress dialog.

        The notice is built here (it reads the editor); the PDF or Word file is made and
        written in the worker, atomically: cancelling leaves what was there before.
        """
        try:
            document = self._fresh_document()
        except RopaError as error:
            self.prompts.warning(self, "Export notice", str(error))
            return None

        def task(_progress: ProgressFn, cancelled: CancelledFn) -> Path:
            if cancelled():
                raise RopaError("Cancelled: nothing was written.")
            self.notice_writers.write_file(document, path)
            return path

        runner = ProgressRunner(self, "Export notice", f"Writing {path.name}\u2026", task)
        runner.finished.connect(self._exported)
        return runner.start()

    def _exported(self, ok: bool, payload: object) -> None:
        if not ok and payload:
            self.prompts.warning(self, "Export notice", str(payload))

    def paint_to(self, printer: QPrinter) -> None:
        paint_notice(printer, self._fresh_document())

    def print_preview(self) -> None:
        try:
            self._fresh_document()
        except RopaError as error:
            self.prompts.warning(self, "Print preview", str(error))
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle(f"Print preview — {self._fresh_document().title}")
        dialog.paintRequested.connect(self.paint_to)
        dialog.exec()

    def _print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self._run(lambda: self.paint_to(printer))

    def _run(self, work: Any) -> bool:
        """Do `work`, showing a refused change or failed write in plain words."""
        try:
            work()
        except (RopaError, OSError) as error:
            self.prompts.warning(self, "Notices", str(error))
            return False
        return True
