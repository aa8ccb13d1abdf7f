"""Unexpected errors reach the user in words, with what to do, and the log keeps the details.

Errors we expect (ropa.errors.RopaError) already say what is wrong and what to do, and the
windows show them where they happen.  Anything else -- a bug, a disk that went away -- used
to print a traceback on a terminal the user never sees.  `explain` turns such an error into
words; `install_error_dialogs` makes every uncaught one (a slot, a thread) a dialog and a
log entry; the background workers (ui/workers.py) use `explain` and `log_unexpected` too.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QWidget

from ropa.paths import APP_NAME
from ui.prompts import Prompts, prompts_or_default

logger = logging.getLogger("ropa_desk")

_log_file: Path | None = None
_showing = threading.Event()  # one dialog at a time: an error storm is logged, not stacked

_REGISTER_TROUBLE = (
    "The register file could not be read or written ({detail}). Check that the drive or "
    "network share holding it is still there and has free space, then choose "
    "Activities > Reload. If it keeps happening, close ROPA desk and open the register "
    "again: what was saved before is in the file, and a backup is made each day."
)
_UNEXPECTED = (
    "Something went wrong that ROPA desk did not expect ({detail}). What you saved before "
    "this is in the register. Try again; if it happens again, close ROPA desk and open it "
    "again, and send the log to whoever supports ROPA desk."
)


def explain(error: BaseException) -> str:
    """What an unexpected error means for the user, and what to do about it."""
    detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    # SQLAlchemy wraps the driver's error (in `orig`): the disk's trouble all the same.
    driver_error = getattr(error, "orig", None)
    if isinstance(driver_error, sqlite3.Error | OSError):
        detail = f"{type(driver_error).__name__}: {str(driver_error).splitlines()[0]}"
    if isinstance(error, sqlite3.Error | OSError) or isinstance(
        driver_error, sqlite3.Error | OSError
    ):
        text = _REGISTER_TROUBLE.format(detail=detail)
    else:
        text = _UNEXPECTED.format(detail=detail)
    if _log_file is not None:
        text += f" The details are in {_log_file}."
    return text


def log_unexpected(error: BaseException, where: str) -> None:
    """Keep the whole traceback in the log (the dialog shows the words only)."""
    logger.error(
        "Unexpected error in %s", where, exc_info=(type(error), error, error.__traceback__)
    )


def show_unexpected(
    error: BaseException, parent: QWidget | None = None, prompts: Prompts | None = None
) -> None:
    """A dialog saying what happened and what to do, with the traceback under Details.

    The hook that calls this is process-wide and given no window, hence the default prompts."""
    app = QApplication.instance()
    if (
        app is None
        or _showing.is_set()
        or threading.current_thread() is not threading.main_thread()
    ):
        return  # no GUI, a dialog already up, or not the GUI thread: the log has it
    _showing.set()
    try:
        prompts_or_default(prompts).error(
            parent,
            f"{APP_NAME}: something went wrong",
            explain(error),
            details="".join(traceback.format_exception(type(error), error, error.__traceback__)),
        )
    finally:
        _showing.clear()


def _excepthook(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)
        return
    error.__traceback__ = trace
    log_unexpected(error, "the desktop app")
    show_unexpected(error, QApplication.activeWindow())


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        log_unexpected(args.exc_value, f"thread {args.thread.name if args.thread else '?'}")


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, _context: object, message: str) -> None:
    logger.log(_QT_LEVELS.get(kind, logging.WARNING), "Qt: %s", message)


def install_error_dialogs(log_file: Path | None = None) -> None:
    """For the running app (never the tests, which have pytest-qt's own hook): uncaught
    errors become a dialog and a log entry; Qt's own messages go to the log too."""
    global _log_file
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        _log_file = log_file
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    qInstallMessageHandler(_qt_message)
