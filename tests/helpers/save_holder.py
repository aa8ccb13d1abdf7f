"""A process that holds a register open and saves to it, for tests/unit/test_lost_save.py.

    python -m tests.helpers.save_holder REGISTER MODE DISTURBANCE

MODE is `apart` (the app's way: SQLite in a helper process) or `inside` (SQLite in this
process, with each save confirmed on the file). DISTURBANCE is what else in this process
opens the register file between the two saves: `open` (a plain open and read, as
Register.open's header check does), `mime` (QMimeDatabase guessing its type) or `dialog`
(the app's real main window and a real Qt file dialog showing the register's folder).

It saves activity HOLD-1, opens the file as DISTURBANCE says, prints "ready" and waits for a
line on stdin (the test runs other processes meanwhile), saves HOLD-2, prints "saved" or
"not confirmed: <message>", and ends with os._exit: no close, no clean-up, as a crash would.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ropa.errors import SaveNotConfirmedError
from ropa.register import Register, run_sqlite_apart
from tests.conftest import sample_activity


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


def main() -> int:
    path, mode, disturbance = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    if mode == "apart":
        run_sqlite_apart()
    register = Register.open(path)
    if disturbance == "dialog":
        # The app's real main window on the register, as ui.app.show_main_window makes it.
        from ui.app import make_application
        from ui.main_window import MainWindow
        from ui.settings import AppSettings

        make_application()
        window = MainWindow(register, AppSettings.in_file(path.with_suffix(".ini")))
        window.show()
    register.confirm_saves = True
    register.activities.create(sample_activity(reference="HOLD-1", name="First save"))
    kept = _disturb(path, disturbance)
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        register.activities.create(sample_activity(reference="HOLD-2", name="Second save"))
    except SaveNotConfirmedError as error:
        print(f"not confirmed: {error}", flush=True)
    else:
        print("saved", flush=True)
    del kept
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
