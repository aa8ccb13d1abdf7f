"""Start the desktop app on a register."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from ropa.errors import RopaError
from ropa.paths import APP_NAME
from ropa.register import Register


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Sharp at 125 % and 150 % display scaling too, not rounded to whole pixels.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    # No style sheet and no fixed colours: the system palette (light or dark) rules.
    return app


def run_app(register_path: Path) -> int:
    from ui.main_window import MainWindow

    app = make_application()
    try:
        register = Register.open(register_path)
    except RopaError as error:
        QMessageBox.critical(None, APP_NAME, str(error))
        return 1
    window = MainWindow(register)
    window.show()
    try:
        return app.exec()
    finally:
        window.register.close()  # the one open now: the user may have opened another
