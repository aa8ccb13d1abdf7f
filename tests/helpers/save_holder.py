"""A process that holds a register open and saves to it, for tests/unit/test_lost_save.py.

    python -m tests.helpers.save_holder REGISTER MODE DISTURBANCE

MODE is `apart` (the app's way: SQLite in a helper process) or `inside` (SQLite in this
process, with each save confirmed on the file). DISTURBANCE is what else in this process
opens the register file between the two saves: `open` (a plain open and read, as
Register.open's header check does), `none`, `mime` (QMimeDatabase guessing its type), `dialog`
(the app's real main window and a real Qt file dialog showing the register's folder) or
`export` (the issue's steps: in the app's real main window, Notices, a new notice, Export…,
and in the app's own save dialog, opened on the register's folder, a PDF beside the register;
nothing in this file touches the register file itself).

It saves activity HOLD-1, opens the file as DISTURBANCE says, prints "ready" and waits for a
line on stdin (the test runs other processes meanwhile), saves HOLD-2, prints "saved" or
"not confirmed: <message>" or "refused: <message>" (the file was replaced meanwhile; the
register is then closed as the app closes it), and ends with os._exit: no close, no
clean-up, as a crash would.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from db.storage_options import StorageOptions
from ropa.errors import FileReplacedError, SaveNotConfirmedError
from ropa.register import Register
from tests.helpers.activities import sample_activity

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _disturb(path: Path, disturbance: str) -> object:
    if disturbance == "open":
        with path.open("rb") as handle:
            handle.read(100)
        return None
    from PySide6.QtCore import QMimeDatabase

    from ui.app import make_application

    app = make_application()
    if disturbance == "mime":
        QMimeDatabase().mimeTypeForFile(str(path))
        return None
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QFileDialog, QFileSystemModel

    # Qt's own dialog (not the desktop's), as the app shows on Linux without a portal.
    dialog = QFileDialog(None, "Export", str(path.parent))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    files = dialog.findChild(QFileSystemModel)
    assert files is not None
    waiting = QEventLoop()
    files.directoryLoaded.connect(waiting.quit)
    QTimer.singleShot(10_000, waiting.quit)
    dialog.show()
    waiting.exec()
    # What the dialog shows beside each file: its type, which Qt guesses by reading it.
    shown = files.index(str(path))
    files.type(shown)
    files.fileIcon(shown)
    app.processEvents()
    dialog.close()
    return dialog


def _export_a_notice_beside(window: MainWindow, path: Path) -> Path:
    """Notices → Export… → a PDF beside the register, as a person does it: the app's own
    export action and save dialog, answered once the dialog has listed the folder."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel

    from ui.main_window import Page
    from ui.notices_view import NoticesView
    from ui.settings import AppSettings

    AppSettings().set_last_folder("export", path.parent)  # the test run's own home
    window.show_page(Page.NOTICES)
    notices = window.page(Page.NOTICES)
    assert isinstance(notices, NoticesView)
    notices.create_notice("Held notice")
    target = path.parent / "Held notice.pdf"  # the name the dialog suggests

    def answer_when_listed() -> None:
        dialog = QApplication.activeModalWidget()
        files = dialog.findChild(QFileSystemModel) if isinstance(dialog, QFileDialog) else None
        if not isinstance(dialog, QFileDialog) or files is None:
            QTimer.singleShot(50, answer_when_listed)
            return
        # Once the folder is listed (every file in it looked at, the register too, though
        # the PDF filter hides it), shown for a moment as a person reads it, then answered
        # with the name it suggests.
        listed = QEventLoop()
        files.directoryLoaded.connect(listed.quit)
        QTimer.singleShot(10_000, listed.quit)
        listed.exec()
        QTimer.singleShot(500, dialog.accept)

    QTimer.singleShot(0, answer_when_listed)
    notices.export_action.trigger()  # returns once the dialog is answered
    deadline = time.monotonic() + 60
    while not target.exists() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    assert target.exists(), "the notice was not exported"
    return target


def main() -> int:
    path, mode, disturbance = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    # Every save confirmed on the file, in either mode: what the holder reports is whether
    # the file kept the save, wherever SQLite ran.
    options = StorageOptions(sqlite_apart=mode == "apart", confirm_saves=True)
    register = Register.open(path, options=options)
    window = None
    if disturbance in {"dialog", "export"}:
        # The app's real main window on the register, as ui.app.show_main_window makes it.
        from ui.app import make_application
        from ui.main_window import MainWindow
        from ui.settings import AppSettings

        make_application()
        from main import program_notice_writers

        window = MainWindow(
            register,
            AppSettings.in_file(path.with_suffix(".ini")),
            notice_writers=program_notice_writers(),  # PDF among them, as main.py gives
        )
        window.show()
    register.activities.create(sample_activity(reference="HOLD-1", name="First save"))
    if window is not None and disturbance == "export":
        kept: object = _export_a_notice_beside(window, path)
    else:
        kept = _disturb(path, disturbance)
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        register.activities.create(sample_activity(reference="HOLD-2", name="Second save"))
    except SaveNotConfirmedError as error:
        print(f"not confirmed: {error}", flush=True)
    except FileReplacedError as error:
        # Closed as the app closes a register, which must not touch the file there now.
        register.close()
        print(f"refused: {error}", flush=True)
    else:
        print("saved", flush=True)
    del kept
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
