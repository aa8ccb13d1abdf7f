"""Every top-level window and dialog of the app, opened on the screen Qt was started with,
measured against that screen's available geometry.

Run as a module under Xvfb (`xvfb-run -s "-screen 0 1366x768x24" python -m
tests.ui.screen_sizes REGISTER OUT_FOLDER`) it prints one JSON report and saves a PNG of each
window (and of every page of the main window and every section of the editor) in OUT_FOLDER,
to be looked at.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from ui.widgets.screen_fit import FRAME_ALLOWANCE, available_geometry


def measure(name: str, window: QWidget, out: Path | None) -> dict[str, Any]:
    """Where the window is, how big, the least it can be, and whether it fits its screen
    with room for a title bar and borders the window system adds."""
    app = QApplication.instance()
    assert app is not None
    app.processEvents()
    available = available_geometry(window)
    geometry = window.frameGeometry()
    least = window.minimumSizeHint().expandedTo(window.minimumSize())
    room_w = available.width() - FRAME_ALLOWANCE.width()
    room_h = available.height() - FRAME_ALLOWANCE.height()
    if out is not None:
        window.grab().save(str(out / f"{name}.png"))
    return {
        "name": name,
        "geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
        "least": [least.width(), least.height()],
        "available": [available.x(), available.y(), available.width(), available.height()],
        "fits": available.contains(geometry)
        and window.width() <= room_w
        and window.height() <= room_h,
        "least_fits": least.width() <= room_w and least.height() <= room_h,
    }


def bottom_visible(widget: QWidget) -> bool:
    """The widget (a status line, say) is on the screen's available part, with room above the
    window for a title bar (there is none without a window manager, as under Xvfb)."""
    window = widget.window()
    available = available_geometry(window)
    frame = window.frameGeometry()
    title_bar = FRAME_ALLOWANCE.height() if frame == window.geometry() else 0
    bottom = widget.mapToGlobal(widget.rect().bottomLeft()).y()
    top = max(frame.top(), available.top()) if title_bar else frame.top()
    shift = max(0, available.top() + title_bar - top)  # where the window system would put it
    return widget.isVisible() and bottom + shift <= available.bottom()


@contextmanager
def shown(dialog: QDialog) -> Iterator[QDialog]:
    dialog.show()
    try:
        yield dialog
    finally:
        dialog.close()
        dialog.deleteLater()


def every_window(register_path: Path, out: Path | None) -> dict[str, Any]:
    from ropa.checks import check_register
    from ropa.register import Register
    from ui.activity_editor import SECTIONS
    from ui.app import APP_STORAGE
    from ui.backup_dialog import RestoreBackupDialog
    from ui.connect_dialog import ConnectDialog
    from ui.history_view import HistoryDialog
    from ui.import_dialog import ImportDialog
    from ui.libraries_view import MergeDialog
    from ui.main_window import PAGE_NAMES, MainWindow, NewActivityDialog
    from ui.organisation_dialog import OrganisationDialog
    from ui.review import ApproveDialog
    from ui.settings import AppSettings

    windows: list[dict[str, Any]] = []
    visible: dict[str, bool] = {}
    with Register.open(register_path, create=False, options=APP_STORAGE) as register:
        settings_file = register_path.with_name("sizes-settings.ini")
        settings_file.unlink(missing_ok=True)  # a first start: no size remembered
        settings = AppSettings.in_file(settings_file)
        main = MainWindow(register, settings)
        main.show()
        windows.append(measure("main window", main, out))
        for number, page in enumerate(PAGE_NAMES):
            main.show_page(number)
            windows.append(measure(f"main window, {page}", main, out))
            visible[f"status bar on {page}"] = bottom_visible(main.statusBar())
        summaries = register.activity_list.summaries()
        editor = main.open_activity(summaries[0].id)
        assert editor is not None
        for number, (title, _fields) in enumerate(SECTIONS):
            editor.sections.setCurrentRow(number)
            windows.append(measure(f"editor, {title}", editor, out))
            visible[f"editor save state on {title}"] = bottom_visible(editor.save_state)
        editor.close()
        findings = [f for f in check_register(register).findings if f.activity_id][:12]
        dialogs: list[tuple[str, QDialog]] = [
            ("organisation dialog", OrganisationDialog(register, main)),
            ("history dialog", HistoryDialog(register, None, "Change history", main)),
            ("approve dialog", ApproveDialog("16 activities", main, errors=findings)),
            ("new activity dialog", NewActivityDialog(["Children's social care"], main)),
            ("connect dialog", ConnectDialog(["postgresql://dpo@server/ropa"], main)),
            ("import dialog", ImportDialog(register, register_path.with_name("ico.xlsx"), main)),
            ("restore backup dialog", RestoreBackupDialog(register_path, main)),
        ]
        items = register.library.items(next(iter(_kinds())))
        if len(items) > 1:
            dialogs.append(("merge dialog", MergeDialog(items[0], items[1:], main)))
        for name, dialog in dialogs:
            with shown(dialog):
                windows.append(measure(name, dialog, out))
        main.close()
    return {"platform": QApplication.platformName(), "windows": windows, "visible": visible}


def _kinds() -> Iterator[Any]:
    from ropa.records import LibraryKind

    yield LibraryKind.PURPOSE


def main(register_path: Path, out: Path | None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.app import make_application

    make_application()
    report = every_window(register_path, out)
    del app
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    sys.exit(main(Path(sys.argv[1]), folder))
