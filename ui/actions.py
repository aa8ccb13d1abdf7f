"""Every menu action of the app, defined in one place with standard shortcuts.

Windows create an `AppActions` and connect the `triggered` signals they handle; menus and
toolbars are built from these same objects, so a shortcut or label is written once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

from ropa.dates import REVIEW_INTERVAL_MONTHS

StandardKey = QKeySequence.StandardKey
Pixmap = QStyle.StandardPixmap

PAGE_NAMES = ("Activities", "Notices", "Libraries", "Organisation", "Checks")


# The dynamic property naming the platform's standard key an action stands for.  Any other
# key it has must be free of every platform's standard keys, which Qt's own widgets act on:
# Ctrl+D is Delete on X11, Ctrl+E end of line, Ctrl+I italic, Ctrl+H replace on Windows.
STANDARD_KEY_PROPERTY = "ropa_standard_key"


def make_action(
    parent: QWidget,
    text: str,
    *,
    shortcuts: list[QKeySequence] | None = None,
    standard_key: QKeySequence.StandardKey | None = None,
    tip: str = "",
    icon: QStyle.StandardPixmap | None = None,
) -> QAction:
    """An action; with `standard_key` alone its keys are that key's on this platform."""
    action = QAction(text, parent)
    if standard_key is not None:
        action.setProperty(STANDARD_KEY_PROPERTY, standard_key.name)
        if shortcuts is None:
            shortcuts = standard(standard_key)
    if shortcuts:
        action.setShortcuts(shortcuts)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if icon is not None:
        action.setIcon(parent.style().standardIcon(icon))
    return action


def standard(key: QKeySequence.StandardKey) -> list[QKeySequence]:
    return QKeySequence.keyBindings(key)


def undo_redo_actions(parent: QWidget) -> tuple[QAction, QAction]:
    """Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z and Ctrl+Y on every platform)."""
    undo = make_action(parent, "&Undo", standard_key=StandardKey.Undo)
    redo_keys = standard(StandardKey.Redo)
    for extra in ("Ctrl+Shift+Z", "Ctrl+Y"):
        if QKeySequence(extra) not in redo_keys:
            redo_keys.append(QKeySequence(extra))
    redo = make_action(parent, "&Redo", shortcuts=redo_keys, standard_key=StandardKey.Redo)
    return undo, redo


class AppActions:
    """The main window's actions. Handlers are connected by the window."""

    def __init__(self, parent: QWidget) -> None:
        a = make_action
        # File
        self.new_register = a(
            parent,
            "New &register\u2026",
            shortcuts=[QKeySequence("Ctrl+Shift+N")],
            tip="Create a new, empty register file",
        )
        self.open_register = a(
            parent,
            "&Open register\u2026",
            standard_key=StandardKey.Open,
            tip="Open another register file",
            icon=Pixmap.SP_DialogOpenButton,
        )
        self.connect_team = a(
            parent,
            "Connect to a &team register\u2026",
            tip="Open the register your team keeps on a PostgreSQL server",
        )
        self.save_copy = a(
            parent,
            "Save a &copy\u2026",
            standard_key=StandardKey.SaveAs,
            tip="Write a consistent copy of this register to another file",
            icon=Pixmap.SP_DialogSaveButton,
        )
        self.restore_backup = a(
            parent,
            "Restore from a &backup\u2026",
            tip="Put one of this register's automatic backups back in its place",
        )
        self.import_workbook = a(
            parent,
            "&Import ICO workbook\u2026",
            shortcuts=[QKeySequence("Ctrl+Shift+I")],
            tip="Read an ICO controller or processor workbook into this register",
        )
        self.export_controller = a(
            parent,
            "&Export controller workbook\u2026",
            shortcuts=[QKeySequence("Ctrl+Shift+E")],
            tip="Write the ICO controller workbook (Article 30(1))",
        )
        self.export_processor = a(
            parent,
            "Export &processor workbook\u2026",
            shortcuts=[QKeySequence("Ctrl+Shift+P")],
            tip="Write the ICO processor workbook (Article 30(2))",
        )
        self.print_ = a(
            parent,
            "&Print\u2026",
            standard_key=StandardKey.Print,
            tip="Print the activities shown",
        )
        self.quit = a(parent, "&Quit", standard_key=StandardKey.Quit)
        # Edit
        self.undo, self.redo = undo_redo_actions(parent)
        self.find = a(
            parent,
            "&Find activities",
            standard_key=StandardKey.Find,
            tip="Search all the text of every activity",
        )
        # Activities
        self.new_activity = a(
            parent,
            "&New activity\u2026",
            standard_key=StandardKey.New,
            tip="Add a processing activity",
            icon=Pixmap.SP_FileIcon,
        )
        # Enter and double-click open an activity through the table's own `activated` signal.
        self.open_activity = a(parent, "&Open activity", tip="Edit the selected activity")
        self.duplicate = a(
            parent,
            "&Duplicate",
            shortcuts=[QKeySequence("Ctrl+Shift+D")],
            tip="Copy the selected activities as new drafts",
        )
        self.retire = a(
            parent,
            "&Retire\u2026",
            tip="Keep the selected activities but leave them out of exports and notices",
        )
        self.delete = a(
            parent,
            "De&lete\u2026",
            # The Delete key alone: X11's standard Delete keys include Ctrl+D, which must
            # never delete activities.
            shortcuts=[QKeySequence(Qt.Key.Key_Delete)],
            standard_key=StandardKey.Delete,
            tip="Delete the selected activities for good",
            icon=Pixmap.SP_TrashIcon,
        )
        # The review cycle (ropa.review): each acts on the selected activities at once.
        self.submit_for_review = a(
            parent,
            "&Submit for review",
            tip="Mark the selected activities as in review, ready for someone to approve",
        )
        self.approve = a(
            parent,
            "&Approve\u2026",
            tip="Approve the selected activities: records who and when, and the next review",
        )
        self.mark_reviewed = a(
            parent,
            "&Mark as reviewed",
            tip="The selected activities were checked and are still right: "
            f"set the next review {REVIEW_INTERVAL_MONTHS} months on",
        )
        self.reinstate = a(
            parent,
            "Rein&state",
            tip="Bring the selected retired activities back into use as drafts",
        )
        self.history = a(
            parent,
            "Change &history\u2026",
            shortcuts=[QKeySequence("Ctrl+Shift+H")],
            tip="Who changed what, and when, in the selected activities (or all of them)",
        )
        self.reload = a(
            parent,
            "Re&load",
            standard_key=StandardKey.Refresh,
            tip="Read the register again (after someone else changed it)",
            icon=Pixmap.SP_BrowserReload,
        )
        self.organisation = a(
            parent, "Organisation and &DPO details\u2026", tip="Who the controller and DPO are"
        )
        # View: one action per page, Ctrl+1 ... Ctrl+5
        self.pages = [
            a(parent, f"&{name}", shortcuts=[QKeySequence(f"Ctrl+{number}")])
            for number, name in enumerate(PAGE_NAMES, start=1)
        ]
        for page in self.pages:
            page.setCheckable(True)
        # Help
        self.open_example = a(
            parent,
            "Open the &example register",
            tip="A council's children's services, to try things out without touching your own",
        )
        self.about = a(parent, "&About ROPA desk")


class NoticeActions:
    """The Notices page's toolbar actions (Save is Ctrl+S while the page has focus)."""

    def __init__(self, parent: QWidget) -> None:
        a = make_action
        self.new_notice = a(parent, "&New notice\u2026", tip="Start a new privacy notice")
        self.delete = a(parent, "&Delete", tip="Delete this notice and its published versions")
        self.save = a(
            parent,
            "&Save",
            standard_key=StandardKey.Save,
            tip="Store the changes to this notice",
            icon=Pixmap.SP_DialogSaveButton,
        )
        self.publish = a(
            parent, "&Publish\u2026", tip="Freeze this notice as a new published version"
        )
        self.print_preview = a(parent, "Print pre&view\u2026", tip="See the notice as printed")
        self.print = a(parent, "P&rint\u2026", tip="Print the notice")
        self.export = a(
            parent, "&Export\u2026", tip="Write the notice as PDF, Word, web page or text"
        )
        for action in self.all():
            # Only while the Notices page (or a widget in it) has focus: the main window's
            # menus keep their own shortcuts.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            parent.addAction(action)

    def all(self) -> tuple[QAction, ...]:
        return (
            self.new_notice,
            self.delete,
            self.save,
            self.publish,
            self.print_preview,
            self.print,
            self.export,
        )
