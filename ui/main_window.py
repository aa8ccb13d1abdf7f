"""The main window: navigation between the pages, the menus, and the register's state.

The register session, the activity commands and the background reads are modules of their
own (ui/register_session.py, ui/activity_commands.py, ui/background_loads.py); what the
signed-in person may do comes from ropa/capabilities.py."""

from __future__ import annotations

import contextlib
import html
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ropa.capabilities import ALLOWED, Capabilities, Capability, capabilities_of
from ropa.errors import RopaError
from ropa.notice_writers import NoticeWriters
from ropa.paths import APP_NAME
from ropa.records import ActivityRecord, ActivitySummary, LibraryKind
from ropa.register import Register
from ropa.team import Membership, membership_of, without_password
from ui.actions import PAGE_NAMES, AppActions
from ui.activities_page import ActivitiesPage
from ui.activity_commands import ActivityCommands, NewActivityDialog, activities
from ui.background_loads import BackgroundLoads
from ui.error_reports import explain, log_unexpected
from ui.libraries_view import LibrariesView
from ui.organisation_dialog import OrganisationDialog, OrganisationForm
from ui.prompts import Prompts, prompts_or_default
from ui.register_session import RegisterSession
from ui.review import (
    Approval,
    ReviewSteps,
    ask_approval,
)
from ui.settings import AppSettings
from ui.undo import undo_in_add_box
from ui.widgets.message_bar import MessageBar
from ui.widgets.screen_fit import keep_on_screen, resize_within_screen
from ui.widgets.wheel_guard import guard_against_wheel
from ui.workers import CancelledFn, ProgressFn, ProgressRunner, Worker, cancel_and_wait_all

if TYPE_CHECKING:
    from ropa.checks import Finding
    from ui.activity_editor import ActivityEditor
    from ui.opening_notes_banner import OpeningNotesBanner
    from ui.team_watch import TeamWatch

WORKBOOK_FILTER = "Excel workbooks (*.xlsx)"
# What the import reads (ropa/spreadsheets/reader.py).
IMPORT_FILTER = (
    "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv);;Excel workbooks (*.xlsx *.xlsm *.xls);;"
    "OpenDocument spreadsheets (*.ods);;CSV files (*.csv *.txt)"
)
REFRESH_AFTER_EDIT_MS = 1500
WINDOW_KEY = "main"


class Page:
    ACTIVITIES, NOTICES, LIBRARIES, ORGANISATION, CHECKS = range(5)


# --- one small factory per page, so a page another engineer builds plugs in by import ----


def make_notices_page(
    register: Register,
    undo_stack: QUndoStack,
    may: Capabilities,
    prompts: Prompts | None = None,
    notice_writers: NoticeWriters | None = None,
) -> QWidget:
    from ui.notices_view import NoticesView

    # Notices are saved as they are typed; the window's Undo undoes them as any other edit.
    view = NoticesView(
        register, undo_stack=undo_stack, prompts=prompts, notice_writers=notice_writers
    )
    view.set_capabilities(may.edit_notices, may.publish_notices)
    return view


def make_checks_page(
    register: Register,
    open_activity: Callable[[int, str], object],
    open_organisation: Callable[[str], object],
    open_processor_contract: Callable[[int], object],
    prompts: Prompts | None = None,
) -> QWidget:
    from ui.checks_view import ChecksView

    view = ChecksView(register, prompts=prompts)
    view.open_activity.connect(open_activity)
    view.open_organisation.connect(open_organisation)
    view.open_processor_contract.connect(open_processor_contract)
    return view


class LazyPage(QWidget):
    """Holds the place of a page that is built the first time it is shown."""

    def __init__(self, factory: Callable[[], QWidget]) -> None:
        super().__init__()
        self._factory = factory
        self.content: QWidget | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def ensure(self) -> QWidget:
        if self.content is None:
            self.content = self._factory()
            self._layout.addWidget(self.content)
        return self.content


class MainWindow(QMainWindow):
    """The window of one register: its layout, menus and pages, and the state of its actions.

    What it does is in its parts: the register shown and the ways to another
    (ui/register_session.py), the commands on the chosen activities
    (ui/activity_commands.py) and the reads made off the GUI thread
    (ui/background_loads.py)."""

    register_changed = Signal(object)
    activities_loaded = Signal()
    gaps_loaded = Signal()

    def __init__(
        self,
        register: Register,
        settings: AppSettings | None = None,
        membership: Membership | None = None,
        prompts: Prompts | None = None,
        *,
        notice_writers: NoticeWriters | None = None,
    ) -> None:
        super().__init__()
        guard_against_wheel()  # no value changes under the wheel, in any window
        self.register = register
        # The formats notices are exported in: main.py's (PDF too); the domain's without them.
        self.notice_writers = notice_writers
        # Every question and message to the user (ui/prompts.py).
        self.prompts = prompts_or_default(prompts)
        # Who the register's server says is signed in, and what their role lets them do.
        self.membership = membership or membership_of(register)
        self.settings = settings if settings is not None else AppSettings()
        self.undo_stack = QUndoStack(self)
        self.editors: dict[int, ActivityEditor] = {}
        self._export_target = Path()
        self.session = RegisterSession(self, self)
        self.commands = ActivityCommands(self, self)
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName(APP_NAME)
        self.app_actions = AppActions(self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_AFTER_EDIT_MS)
        # Every count the list shows (Gaps included) is worked out again after an edit.
        self._refresh_timer.timeout.connect(self._after_edits)
        self._build()
        self.background = BackgroundLoads(self.activities_page, register, self)
        self.background.gaps_loaded.connect(self.gaps_loaded)
        self.background.failed.connect(self.message_bar.show_message)
        self.activities_page.search.textEdited.connect(self.background.ensure_search_texts)
        self._connect_actions()
        self.open_pages(register, self.membership)
        self._restore_window()

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        self.navigation = QListWidget()
        self.navigation.setAccessibleName("Pages")
        self.navigation.setIconSize(QSize(20, 20))
        for name in PAGE_NAMES:
            self.navigation.addItem(QListWidgetItem(name))
        self.navigation.setSpacing(3)
        self.navigation.setFixedWidth(max(160, self.navigation.sizeHintForColumn(0) + 48))
        self.stack = QStackedWidget()
        self.activities_page = ActivitiesPage()
        self.activities_page.open_requested.connect(self.open_activity)
        self.activities_page.selection_changed.connect(self.update_actions)
        body = QWidget()
        body_layout = QHBoxLayout(body)
        body_layout.setContentsMargins(6, 6, 0, 0)
        body_layout.setSpacing(0)
        body_layout.addWidget(self.navigation)
        body_layout.addWidget(self.stack, 1)
        self.navigation.currentRowChanged.connect(self._page_chosen)

        self.banner_holder = QVBoxLayout()
        self.banner_holder.setContentsMargins(0, 0, 0, 0)
        self.banner: QWidget | None = None
        self.shared_drive_banner: QWidget | None = None
        self.opening_notes_banner: OpeningNotesBanner | None = None
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addLayout(self.banner_holder)
        self.message_bar = MessageBar()
        central_layout.addWidget(self.message_bar)
        central_layout.addWidget(body, 1)
        self.setCentralWidget(central)

        self.path_label = QLabel()
        self.path_label.setAccessibleName("Register file")
        self.state_label = QLabel()
        self.state_label.setAccessibleName("Register state")
        self.team_label = QLabel()
        self.team_label.setAccessibleName("Signed in as")
        self.team_label.setContentsMargins(0, 0, 12, 0)
        self.statusBar().addWidget(self.path_label, 1)
        self.statusBar().addPermanentWidget(self.team_label)
        self.statusBar().addPermanentWidget(self.state_label)
        self._build_menus()

    def _build_menus(self) -> None:
        a = self.app_actions
        menu = self.menuBar().addMenu("&File")
        menu.addAction(a.new_register)
        menu.addAction(a.open_register)
        menu.addAction(a.connect_team)
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu.addAction(a.save_copy)
        menu.addAction(a.restore_backup)
        menu.addSeparator()
        menu.addAction(a.import_workbook)
        menu.addAction(a.export_controller)
        menu.addAction(a.export_processor)
        menu.addSeparator()
        menu.addAction(a.print_)
        menu.addSeparator()
        menu.addAction(a.quit)
        menu = self.menuBar().addMenu("&Edit")
        menu.addAction(a.undo)
        menu.addAction(a.redo)
        menu.addSeparator()
        menu.addAction(a.find)
        menu.addAction(a.organisation)
        menu = self.menuBar().addMenu("&Activities")
        menu.addAction(a.new_activity)
        self._add_row_actions(menu)
        menu.addAction(a.reload)
        menu = self.menuBar().addMenu("&View")
        for action in a.pages:
            menu.addAction(action)
        menu = self.menuBar().addMenu("&Help")
        menu.addAction(a.open_example)
        menu.addAction(a.about)

        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("main toolbar")
        # Words only: only some actions have an icon, and a half-iconned toolbar looks broken.
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setMovable(False)
        for action in (a.new_activity, a.duplicate, a.retire, a.delete):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(a.submit_for_review)
        toolbar.addAction(a.approve)
        toolbar.addSeparator()
        toolbar.addAction(a.import_workbook)
        toolbar.addAction(a.export_controller)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _connect_actions(self) -> None:
        a = self.app_actions
        session, commands = self.session, self.commands
        a.new_register.triggered.connect(session.new_register)
        a.open_register.triggered.connect(session.open_register_dialog)
        a.connect_team.triggered.connect(session.connect_team_dialog)
        a.save_copy.triggered.connect(session.save_copy)
        a.restore_backup.triggered.connect(session.restore_backup)
        a.history.triggered.connect(self.show_history)
        a.import_workbook.triggered.connect(self.import_workbook)
        a.export_controller.triggered.connect(lambda: self.export_workbook(processor=False))
        a.export_processor.triggered.connect(lambda: self.export_workbook(processor=True))
        a.print_.triggered.connect(self.print_activities)
        a.quit.triggered.connect(self.close)
        a.undo.triggered.connect(self.undo)
        a.redo.triggered.connect(self.redo)
        self.undo_stack.canUndoChanged.connect(a.undo.setEnabled)
        self.undo_stack.canRedoChanged.connect(a.redo.setEnabled)
        a.undo.setEnabled(False)
        a.redo.setEnabled(False)
        a.find.triggered.connect(self.focus_search)
        a.organisation.triggered.connect(self.show_organisation_dialog)
        a.new_activity.triggered.connect(commands.new_activity)
        a.open_activity.triggered.connect(self._open_current)
        a.duplicate.triggered.connect(commands.duplicate_selected)
        a.retire.triggered.connect(commands.retire_selected)
        a.delete.triggered.connect(commands.delete_selected)
        # Delete belongs to the activities table: in a text box the key deletes text.
        a.delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.activities_page.table.addAction(a.delete)
        a.submit_for_review.triggered.connect(commands.submit_selected_for_review)
        a.approve.triggered.connect(commands.approve_selected)
        a.mark_reviewed.triggered.connect(commands.mark_selected_reviewed)
        a.reinstate.triggered.connect(commands.reinstate_selected)
        table = self.activities_page.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(
            lambda position: self.activity_context_menu().popup(
                table.viewport().mapToGlobal(position)
            )
        )
        a.reload.triggered.connect(self.reload_everything)
        for number, action in enumerate(a.pages):
            action.triggered.connect(lambda _on=False, n=number: self.show_page(n))
        a.open_example.triggered.connect(session.open_example)
        a.about.triggered.connect(self.about)

    # --- pages ---------------------------------------------------------------------------

    def open_pages(self, register: Register, membership: Membership) -> None:
        """Build the pages for `register` (again, after opening another register)."""
        self.membership = membership
        self.session.watch(register, membership)
        while (old := self.stack.widget(0)) is not None:
            self.stack.removeWidget(old)
            if old is not self.activities_page:
                old.deleteLater()
        self.register = register
        self.background.start_over(register)
        self.undo_stack.clear()
        self._libraries_view: LibrariesView | None = None
        self._organisation_form: OrganisationForm | None = None
        self.stack.addWidget(self.activities_page)
        # Every page but the activities list is built the first time it is shown: the
        # window then appears as soon as the list is read (see Register.plain_reading).
        self.stack.addWidget(
            LazyPage(
                lambda: make_notices_page(
                    register,
                    self.undo_stack,
                    self.capabilities,
                    self.prompts,
                    self.notice_writers,
                )
            )
        )
        self.stack.addWidget(LazyPage(lambda: self._build_libraries_view(register)))
        self.stack.addWidget(LazyPage(lambda: _scrolling(self._build_organisation_form(register))))
        self.stack.addWidget(
            LazyPage(
                lambda: make_checks_page(
                    register,
                    self.open_activity,
                    self.show_organisation_field,
                    self.show_processor_contract,
                    self.prompts,
                )
            )
        )
        self._show_read_only_banner(register)
        self._show_opening_notes(register)
        self.activities_page.model.set_gaps(None)
        self.reload_activities()
        self.show_page(Page.ACTIVITIES)
        self._update_status()
        self.update_actions()
        self.settings.add_recent_register(register.server_url or register.path)
        # Search text and the checks are read off the GUI thread once the table has been
        # drawn, so that they do not slow the window's first appearance.
        self.background.start_after_paint()
        self.register_changed.emit(register)

    def _build_libraries_view(self, register: Register) -> LibrariesView:
        view = LibrariesView(register, self.undo_stack, prompts=self.prompts)
        view.set_editable(self.capabilities.edit_libraries.allowed)
        view.library_changed.connect(self._library_changed)
        view.open_activity.connect(self.open_activity)
        self._libraries_view = view
        return view

    def _build_organisation_form(self, register: Register) -> OrganisationForm:
        self._organisation_form = OrganisationForm(register, prompts=self.prompts)
        may = self.capabilities.edit_organisation
        self._organisation_form.setEnabled(may.allowed)
        self._organisation_form.setToolTip(may.refusal)
        # The checks read the organisation (a public authority may not rely on some bases).
        self._organisation_form.saved.connect(lambda _record: self._refresh_timer.start())
        return self._organisation_form

    @property
    def capabilities(self) -> Capabilities:
        """What the person signed in may do in the open register (ropa/capabilities.py)."""
        return capabilities_of(self.membership, read_only=self.register.read_only)

    @property
    def libraries_view(self) -> LibrariesView:
        """The Libraries page, built now if it has not been shown yet."""
        self.page(Page.LIBRARIES)
        assert self._libraries_view is not None
        return self._libraries_view

    @property
    def organisation_form(self) -> OrganisationForm:
        """The Organisation page's form, built now if it has not been shown yet."""
        self.page(Page.ORGANISATION)
        assert self._organisation_form is not None
        return self._organisation_form

    def flush_built_pages(self) -> None:
        """Save what the Libraries and Organisation pages hold, of those built so far."""
        for page in (self._libraries_view, self._organisation_form):
            if page is not None:
                page.flush()

    def _refresh_built_pages(self) -> None:
        """Show the register's library and organisation again on the pages built so far."""
        if self._libraries_view is not None:
            self._libraries_view.refresh()
        self._reload_organisation_form()

    def _reload_organisation_form(self) -> None:
        if self._organisation_form is not None:
            self._organisation_form.reload()

    def show_page(self, number: int) -> None:
        self.navigation.setCurrentRow(number)

    def current_page(self) -> QWidget | None:
        return self.page(self.stack.currentIndex())

    def page(self, number: int) -> QWidget | None:
        """The page's own widget (built now if it was waiting to be shown)."""
        page = self.stack.widget(number)
        if isinstance(page, LazyPage):
            return page.ensure()
        return page

    def _page_chosen(self, number: int) -> None:
        if number < 0:
            return
        page = self.stack.widget(number)
        if isinstance(page, LazyPage):
            page.ensure()
        self.stack.setCurrentIndex(number)
        for index, action in enumerate(self.app_actions.pages):
            action.setChecked(index == number)
        shown = page.content if isinstance(page, LazyPage) else page
        refresh = getattr(shown, "refresh", None)
        if number not in (Page.ACTIVITIES, Page.LIBRARIES) and callable(refresh):
            refresh()
        self.update_actions()
        self._update_status()

    def focus_search(self) -> None:
        self.show_page(Page.ACTIVITIES)
        self.activities_page.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.activities_page.search.selectAll()

    # --- loading -------------------------------------------------------------------------

    def reload_activities(self) -> None:
        """Read the list again; if the register cannot be read, say so above the list (which
        goes on showing what it last read) rather than only on a terminal."""
        listing = self.register.activity_list
        try:
            rows: list[ActivitySummary] = listing.summaries(include_retired=True)
            functions = listing.business_functions()
        except RopaError as error:
            self.message_bar.show_message(f"The list of activities was not read again. {error}")
            return
        except (sqlite3.Error, OSError) as error:
            log_unexpected(error, "reading the activities list")
            self.message_bar.show_message(
                f"The list of activities was not read again. {explain(error)}"
            )
            return
        self.activities_page.set_rows(rows, functions)
        self.background.list_read_again()
        self.activities_loaded.emit()

    def reload_everything(self) -> None:
        self.reload_activities()
        self._refresh_built_pages()
        self.background.start()

    def wait_for_background(self) -> None:
        """Wait for the background loads (starting them if the window has not been drawn)."""
        self.background.wait()

    def refresh_soon(self) -> None:
        """Edits were saved (here or by others): read the list and its counts again shortly."""
        self._refresh_timer.start()

    def _library_changed(self) -> None:
        self.background.refresh_search_texts()
        for editor in self.editors.values():
            editor.library_changed()
        self._refresh_timer.start()  # the checks read the library's flags and contracts

    # --- activities ----------------------------------------------------------------------

    def new_activity(self) -> NewActivityDialog:
        return self.commands.new_activity()

    def submit_selected_for_review(self) -> bool:
        return self.commands.submit_selected_for_review()

    def approve_selected(self) -> bool:
        return self.commands.approve_selected()

    def open_activity(self, activity_id: int, field: str = "") -> ActivityEditor | None:
        editor = self.editors.get(activity_id)
        if editor is not None:  # already open: bring it forward (a new one comes up in front)
            editor.raise_()
            editor.activateWindow()
        else:
            from ui.activity_editor import ActivityEditor  # imported when first needed

            try:
                editor = ActivityEditor(self.register, activity_id, self, self.prompts)
            except RopaError as error:
                self.show_error("Cannot open the activity", error)
                return None
            if self.membership.team:
                may = self.capabilities
                edit = may.edit_activities([editor.record.business_function])
                editor.set_role_limits(
                    may_edit=edit.allowed, may_approve=may.approve.allowed, why=edit.refusal
                )
            editor.saved.connect(self._activity_saved)
            editor.closed.connect(self._editor_closed)
            editor.contract_opener = self.show_processor_contract
            self.editors[activity_id] = editor
        editor.show()
        if field:
            editor.show_field(field)
        return editor

    def _editor_closed(self, activity_id: int) -> None:
        editor = self.editors.pop(activity_id, None)
        if editor is not None:
            editor.deleteLater()

    def _open_current(self) -> None:
        activity_id = self.activities_page.current_id()
        if activity_id is not None:
            self.open_activity(activity_id)

    def _activity_saved(self, record: ActivityRecord) -> None:
        self.activities_page.model.update_from_record(record)
        self._refresh_timer.start()

    def _review_actions(self) -> list[QAction]:
        a = self.app_actions
        return [a.submit_for_review, a.approve, a.mark_reviewed, a.reinstate]

    def activity_context_menu(self) -> QMenu:
        """The activities table's right-click menu: what the Activities menu offers for a row."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._add_row_actions(menu)
        return menu

    def _add_row_actions(self, menu: QMenu) -> None:
        """What acts on the chosen activities, in the order both menus show it."""
        a = self.app_actions
        for action in (a.open_activity, a.duplicate, a.retire, a.delete):
            menu.addAction(action)
        menu.addSeparator()
        for action in self._review_actions():
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(a.history)

    def undo(self) -> None:
        self._step_through_history(redo=False)

    def redo(self) -> None:
        self._step_through_history(redo=True)

    def _step_through_history(self, *, redo: bool) -> None:
        """The window's Undo or Redo (library edits), saying what it undid; in a search or
        filter box with typing to undo, that typing instead."""
        if undo_in_add_box([], redo=redo):
            return
        stack = self.undo_stack
        what = stack.redoText() if redo else stack.undoText()
        if not what:
            return
        stack.redo() if redo else stack.undo()
        self.statusBar().showMessage(f"{'Redone' if redo else 'Undone'}: {what}", 8000)

    def _after_edits(self) -> None:
        """Some edits were saved a moment ago: read the list and count the gaps again."""
        self.reload_activities()
        self.background.start()

    def after_activities_changed(self, select: list[int]) -> None:
        self.reload_activities()
        if select:
            self.activities_page.select_ids(select)
        self.background.start()

    # --- files ---------------------------------------------------------------------------

    # --- the register session (ui/register_session.py) ----------------------------------------

    def switch_to(self, path: Path, *, create: bool) -> bool:
        return self.session.switch_to(path, create=create)

    def connect_to(self, url: str, password: str | None = None) -> Worker:
        return self.session.connect_to(url, password)

    @property
    def team_watch(self) -> TeamWatch | None:
        return self.session.team_watch

    @property
    def connection_banner(self) -> QWidget | None:
        return self.session.connection_banner

    def _fill_recent_menu(self) -> None:
        self.session.fill_recent_menu(self.recent_menu)

    def ask_password(self, question: str) -> str | None:
        from ui.connect_dialog import ask_password

        return ask_password(self.prompts, self, question)

    # --- files ---------------------------------------------------------------------------

    def import_workbook(self) -> None:
        from ui.import_dialog import ImportDialog

        path = self.ask_open_path("Import ICO workbook", "import", IMPORT_FILTER)
        if path is None:
            return
        dialog = ImportDialog(self.register, path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._after_import)
        dialog.open()
        dialog.run_preview()

    def _after_import(self, _report: object = None) -> None:
        self.after_activities_changed([])
        self._refresh_built_pages()  # an import can add items and change the contact details
        self.reload_editors()

    def reload_editors(self) -> None:
        """The register changed under the open editors (an import): each shows the stored
        activity and version again, keeping what it holds unsaved."""
        for editor in list(self.editors.values()):
            editor.reload(keep=editor.unsaved_fields())

    def export_workbook(self, *, processor: bool) -> ProgressRunner | None:
        kind = "processor" if processor else "controller"
        stem = self.register.path.stem
        path = self.ask_save_path(
            f"Export {kind} workbook", "export", WORKBOOK_FILTER, ".xlsx", f"{stem} {kind}.xlsx"
        )
        if path is None:
            return None
        register = self.register

        def task(progress: ProgressFn, cancelled: CancelledFn) -> Any:
            from ropa.spreadsheets import export_workbook

            return export_workbook(
                register, path, processor=processor, progress=progress, cancelled=cancelled
            )

        runner = ProgressRunner(self, "Export", f"Writing {path.name}\u2026", task)
        # A bound method, not a lambda: the runner deletes itself when it has finished.
        self._export_target = path
        runner.finished.connect(self._exported)
        return runner.start()

    def _exported(self, ok: bool, payload: Any) -> None:
        path = self._export_target
        if ok:
            count = getattr(payload, "activity_count", None)
            what = f" ({activities(count)})" if isinstance(count, int) else ""
            self.statusBar().showMessage(f"Exported {path}{what}", 10000)
        elif payload:
            self.show_error("Not exported", str(payload))
        else:
            self.statusBar().showMessage("Export cancelled; no file was written.", 8000)

    def print_activities(self) -> None:
        from PySide6.QtGui import QTextDocument
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        document = QTextDocument()
        document.setHtml(self.activities_html())
        document.print_(printer)

    def activities_html(self) -> str:
        """The activities shown, as escaped HTML for printing (user text is never markup)."""
        proxy = self.activities_page.proxy
        model = proxy.source()
        horizontal = Qt.Orientation.Horizontal
        headers = [model.headerData(column, horizontal) for column in range(model.columnCount())]
        rows = []
        for row in range(proxy.rowCount()):
            cells = [
                html.escape(str(proxy.index(row, column).data() or ""))
                for column in range(proxy.columnCount())
            ]
            rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        head = "".join(f"<th align='left'>{html.escape(str(h))}</th>" for h in headers)
        title = html.escape(f"Processing activities \u2014 {self.register.path.stem}")
        return (
            f"<h2>{title}</h2><table cellspacing='0' cellpadding='4' border='1'>"
            f"<tr>{head}</tr>{''.join(rows)}</table>"
        )

    def about(self) -> None:
        self.prompts.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME}</h3><p>Keeps your UK GDPR Article 30 record of processing "
            "activities in one local file, and writes the ICO workbooks and your privacy "
            "notices from it.</p><p>Everything stays on this computer.</p>",
        )

    def show_organisation_field(self, field: str) -> None:
        """Go to the Organisation page with the cursor in `field` (from the checks)."""
        self.show_page(Page.ORGANISATION)
        with contextlib.suppress(KeyError):  # a finding not about one field
            self.organisation_form.editor(field).setFocus(Qt.FocusReason.OtherFocusReason)

    def show_processor_contract(self, activity_id: int) -> None:
        """The contract box of the activity's first processor without a contract, on the
        Libraries page: where "No contract is linked for the processor" is put right."""
        from ui.widgets.library_picker import name_key

        try:
            record = self.register.activities.get(activity_id)
        except RopaError as error:
            self.show_error("Cannot open the processor", error)
            return
        processors = {
            name_key(item.name): item for item in self.register.library.items(LibraryKind.PROCESSOR)
        }
        without = [
            processors[name_key(name)]
            for name in record.processors
            if name_key(name) in processors and not processors[name_key(name)].contract_link
        ]
        self.show_page(Page.LIBRARIES)
        self.raise_()
        self.activateWindow()
        self.libraries_view.show_contract_of(without[0].id if without else None)

    def show_history(self) -> None:
        from ui.history_view import HistoryDialog

        ids = self.activities_page.selected_ids() or None
        title = "Change history" if ids is None else f"Change history of {activities(len(ids))}"
        dialog = HistoryDialog(self.register, ids, title, self, self.prompts)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _show_read_only_banner(self, register: Register) -> None:
        from ui.backup_dialog import ReadOnlyBanner

        if self.banner is not None:
            self.banner.deleteLater()
            self.banner = None
        if register.read_only:
            banner = ReadOnlyBanner(register.read_only_reason)
            banner.save_copy_requested.connect(self.session.save_copy)
            self.banner_holder.addWidget(banner)
            self.banner = banner
        self._show_shared_drive_banner(register)

    def _show_shared_drive_banner(self, register: Register) -> None:
        from ui.shared_drive_banner import SharedDriveBanner

        if self.shared_drive_banner is not None:
            self.shared_drive_banner.deleteLater()
            self.shared_drive_banner = None
        if register.network_location:
            self.shared_drive_banner = SharedDriveBanner(register.network_location)
            self.banner_holder.addWidget(self.shared_drive_banner)

    def _show_opening_notes(self, register: Register) -> None:
        """What opening this register found (a side file set aside, no backup made today)."""
        from ui.opening_notes_banner import OpeningNotesBanner, opening_notes

        if self.opening_notes_banner is not None:
            # Hidden at once: deleteLater waits for the event loop, and until then the notes
            # of the register left would show above the one opened.
            self.opening_notes_banner.hide()
            self.opening_notes_banner.deleteLater()
            self.opening_notes_banner = None
        if notes := opening_notes(register):
            self.opening_notes_banner = OpeningNotesBanner(notes)
            self.banner_holder.addWidget(self.opening_notes_banner)

    def show_organisation_dialog(self) -> OrganisationDialog:
        if self._organisation_form is not None:
            self._organisation_form.flush()
        dialog = OrganisationDialog(self.register, self, self.prompts)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._reload_organisation_form())
        dialog.open()
        return dialog

    # --- asking: through self.prompts (ui/prompts.py), answered from a script in tests ---

    def ask_approval(self, what: str, errors: Sequence[Finding] = ()) -> Approval | None:
        from ropa.review import default_approver  # with SQLAlchemy: not at start-up

        return ask_approval(self, what, errors, default_approver(self.register))

    def confirm(self, title: str, text: str, verb: str) -> bool:
        answer = self.prompts.question(
            self, title, text, (verb, "Cancel"), default="Cancel", destructive=verb
        )
        return answer == verb

    def ask_save_path(
        self, title: str, purpose: str, filter_: str, suffix: str, suggested: str = ""
    ) -> Path | None:
        start = self.settings.last_folder(purpose, self._register_folder()) / suggested
        answer = self.prompts.save_path(self, title, start, filter_)
        if answer is None:
            return None
        path = answer[0]
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        self.settings.set_last_folder(purpose, path.parent)
        return path

    def ask_open_path(self, title: str, purpose: str, filter_: str) -> Path | None:
        start = self.settings.last_folder(purpose, self._register_folder())
        path = self.prompts.open_path(self, title, start, filter_)
        if path is None:
            return None
        self.settings.set_last_folder(purpose, path.parent)
        return path

    def _register_folder(self) -> Path | None:
        """The open register file's folder, where a file dialog first starts (None for a team
        register on a server)."""
        from ui.file_dialogs import register_folder

        return register_folder(self.register)

    def show_error(self, title: str, error: RopaError | str) -> None:
        self.prompts.warning(self, title, str(error))

    # --- state ---------------------------------------------------------------------------

    def _update_status(self) -> None:
        path = self.register.path
        where = without_password(self.register.server_url or "") or str(path)
        self.setWindowTitle(f"{path.stem} \u2014 {APP_NAME}")
        self.setWindowFilePath("" if self.register.server_url else str(path))
        self.path_label.setText(where)
        self.path_label.setToolTip(f"The register open in this window: {where}")
        team = self.membership.team
        self.team_label.setVisible(team)
        self.team_label.setText(f"Signed in as {self.membership.describe()}" if team else "")
        self.team_label.setToolTip(
            f"The server knows you as {self.membership.login}, {self.membership.role_words()}; "
            "what your role may not do is greyed out, and the server refuses it anyway."
            if team
            else ""
        )
        self.state_label.setText(self.capabilities.state)

    def update_actions(self) -> None:
        a = self.app_actions
        may = self.capabilities
        on_activities = self.stack.currentIndex() == Page.ACTIVITIES
        selected = bool(self.activities_page.selected_ids()) and on_activities
        wanted = set(self.activities_page.selected_ids()) if selected else set()
        rows = [s for s in self.activities_page.model.rows if s.id in wanted]
        # An editor acts on the activities of their own business functions only.
        edit = may.edit_activities(s.business_function for s in rows)
        mine = edit.allowed
        a.duplicate.setEnabled(mine and selected)
        a.retire.setEnabled(mine and selected)
        a.delete.setEnabled(mine and selected)
        a.open_activity.setEnabled(selected)
        steps = ReviewSteps.for_statuses(s.status for s in rows)
        a.submit_for_review.setEnabled(mine and steps.submit)
        a.approve.setEnabled(may.approve.allowed and steps.approve)
        a.mark_reviewed.setEnabled(mine and steps.mark_reviewed)
        a.reinstate.setEnabled(mine and steps.reinstate)
        on_file = self.register.server_url is None
        a.save_copy.setEnabled(on_file)
        a.restore_backup.setEnabled(on_file)
        for action, capability in (
            (a.approve, may.approve),
            (a.import_workbook, may.import_workbook),
            (a.organisation, may.edit_organisation),
            (a.new_activity, may.add_activities),
        ):
            _explain_capability(action, capability)
        # Why the chosen activities may not be changed (nothing chosen: each action's own tip).
        for action in (a.duplicate, a.retire, a.delete, *self._review_actions()):
            if action is not a.approve:
                _explain_capability(action, edit if selected else ALLOWED)
        a.new_activity.setEnabled(may.add_activities.allowed)
        a.import_workbook.setEnabled(may.import_workbook.allowed)
        a.organisation.setEnabled(may.edit_organisation.allowed)

    # --- closing -------------------------------------------------------------------------

    def close_editors(self) -> bool:
        """Close every editor, saving what they hold; False if the user kept one open."""
        return all(editor.close() for editor in list(self.editors.values()))

    def settle_notices(self) -> bool:
        """The notice being edited, if unsaved: Save, Discard or Cancel (False)."""
        page = self.stack.widget(Page.NOTICES)
        notices = page.content if isinstance(page, LazyPage) else page
        maybe_save = getattr(notices, "maybe_save", None)
        return bool(maybe_save()) if callable(maybe_save) else True

    def _restore_window(self) -> None:
        geometry = self.settings.window_geometry(WINDOW_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            resize_within_screen(self, 1280, 800)  # on a 1366x768 laptop: 1280x720
        keep_on_screen(self)  # a size saved on a bigger screen, say
        state = self.settings.window_state(WINDOW_KEY)
        if state is not None:
            self.restoreState(state)
        header = self.settings.header_state("activities")
        if header is not None:
            self.activities_page.table.horizontalHeader().restoreState(header)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_editors() or not self.settle_notices():
            event.ignore()
            return
        self.flush_built_pages()
        self.settings.set_window_geometry(WINDOW_KEY, self.saveGeometry())
        self.settings.set_window_state(WINDOW_KEY, self.saveState())
        self.settings.set_header_state(
            "activities", self.activities_page.table.horizontalHeader().saveState()
        )
        self.settings.sync()
        self.session.stop_watching()
        self._refresh_timer.stop()  # nothing to read again for a window that is going
        # Gone from the screen at once; the background reads (the checks of a large register
        # take seconds) are asked to stop, and the window waits for their threads unseen.
        self.hide()
        cancel_and_wait_all(self)
        event.accept()


def _explain_capability(action: QAction, capability: Capability) -> None:
    """The action's tip, or why the person signed in may not use it."""
    original = action.property("tip_for_all")
    if original is None:
        original = action.toolTip()
        action.setProperty("tip_for_all", original)
    tip = str(original) if capability.allowed else capability.refusal
    action.setToolTip(tip)
    action.setStatusTip(tip)


def _scrolling(widget: QWidget) -> QWidget:
    from PySide6.QtWidgets import QFrame, QScrollArea

    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll
