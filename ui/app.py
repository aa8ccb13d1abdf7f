"""Start the desktop app on a register."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ropa.errors import RopaError
from ropa.paths import APP_NAME
from ropa.register import StorageOptions, open_in_background

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ropa.notice_writers import NoticeWriters
    from ui.main_window import MainWindow
    from ui.prompts import Prompts
    from ui.settings import AppSettings


def make_application(argv: list[str] | None = None) -> QApplication:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

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
    from ui.widgets.wheel_guard import guard_against_wheel

    guard_against_wheel(app)  # every window: the wheel changes only what was clicked into
    # No style sheet and no fixed colours: the system palette (light or dark) rules.
    return app


def show_main_window(
    register_path: Path,
    settings: AppSettings | None = None,
    prompts: Prompts | None = None,
    notice_writers: NoticeWriters | None = None,
) -> MainWindow | None:
    """The main window on `register_path`, shown; None (after saying why) if it cannot open.

    The register is opened on a thread of its own while Qt and the window's modules load,
    which is why PySide6 is imported here rather than at the top of this module.
    """
    opening = open_in_background(register_path, options=APP_STORAGE)
    make_application()
    from ui.main_window import MainWindow
    from ui.prompts import prompts_or_default

    prompts = prompts_or_default(prompts)
    try:
        register = opening.result()
    except RopaError as error:
        prompts.error(None, APP_NAME, str(error))
        return None
    window = MainWindow(register, settings, prompts=prompts, notice_writers=notice_writers)
    window.show()
    return window


# How the app keeps its registers, chosen here once and passed to everything that opens one
# (the window opens the next register with `register.options`). Qt opens files behind our
# back (file dialogs guess types by reading them), which on POSIX would drop SQLite's locks
# on the register: the app's SQLite runs in a process apart, and each save is confirmed on
# the file from outside. The GUI tests open their registers with these too
# (tests/ui/conftest.py), so that widgets are tested over the storage the user gets.
APP_STORAGE = StorageOptions(sqlite_apart=True)


def run_app(register_path: Path | str, notice_writers: NoticeWriters) -> int:
    """The app on a register, writing notices with `notice_writers` (main.py builds them)."""
    APP_STORAGE.start_helpers()
    from ui.busy_wait import keep_the_window_alive_while_waiting

    keep_the_window_alive_while_waiting()
    from ui.prompts import QtPrompts

    prompts = QtPrompts()  # the one prompt service: every window's questions go through it
    if isinstance(register_path, str):  # a team register: a window at once (ui/team_start.py)
        return _run_on_team_register(register_path, prompts, notice_writers)
    window = show_main_window(register_path, prompts=prompts, notice_writers=notice_writers)
    if window is None:
        return 1
    try:
        return make_application().exec()
    finally:
        window.register.close()  # the one open now: the user may have opened another


def _run_on_team_register(url: str, prompts: Prompts, notice_writers: NoticeWriters) -> int:
    make_application()
    from ui.team_start import StartWindow

    starting = StartWindow(url, prompts=prompts, options=APP_STORAGE, notice_writers=notice_writers)
    starting.show()
    starting.start()
    code = make_application().exec()
    if starting.main_window is not None:
        starting.main_window.register.close()
    return code
