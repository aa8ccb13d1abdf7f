"""The window stays alive while the register's database process is slow to answer.

The register's SQLite runs in a helper process (db/hosted.py). A save normally takes a few
hundredths of a second; a hung network drive, or a helper that was paused, can make it take
seconds. Every request has a deadline there, and once one has waited a moment this module
lets the window repaint and its timers run, with the busy cursor, until the answer comes or
the deadline passes (then the save is refused in words). Typing and clicks wait: acting on
them in the middle of a save could start another save.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QThread
from PySide6.QtGui import QGuiApplication

from ropa.register import call_while_waiting

_busy_cursor_shown = False


def keep_the_window_alive_while_waiting() -> None:
    """From now on, waits for the register's database process keep the window alive."""
    call_while_waiting(_while_waiting)


def _while_waiting(waiting: bool) -> None:
    global _busy_cursor_shown
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return  # a worker thread's wait: the window is not held up by it
    if waiting:
        if not _busy_cursor_shown and isinstance(app, QGuiApplication):
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            _busy_cursor_shown = True
        app.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    elif _busy_cursor_shown:
        QGuiApplication.restoreOverrideCursor()
        _busy_cursor_shown = False
