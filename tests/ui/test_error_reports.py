"""Errors reach the user in words with what to do, and the log keeps the traceback: from
the background workers, from the activities list's reload, and from any slot at all."""

from __future__ import annotations

import logging
import sqlite3
import sys

import pytest
from PySide6.QtCore import qInstallMessageHandler
from pytestqt.qtbot import QtBot

from ropa.register import Register
from ropa.storage.activity_list import ActivityList
from tests.helpers.prompts import ScriptedPrompts
from ui import error_reports
from ui.main_window import MainWindow
from ui.settings import AppSettings
from ui.workers import CancelledFn, ProgressFn, Worker

pytestmark = pytest.mark.gui


def failing_read(_progress: ProgressFn, _cancelled: CancelledFn) -> None:
    raise sqlite3.OperationalError("disk I/O error")


def test_a_worker_that_fails_unexpectedly_says_what_to_do_and_logs_the_traceback(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    worker = Worker(failing_read)
    with qtbot.waitSignal(worker.failed, timeout=5000) as failed:
        worker.start()
    worker.wait()
    message = failed.args[0]
    assert "could not be read or written (OperationalError: disk I/O error)" in message
    assert "Activities > Reload" in message
    logged = [r for r in caplog.records if r.name == "ropa_desk" and r.levelno == logging.ERROR]
    assert logged and logged[0].exc_info is not None


def test_a_failed_reload_of_the_list_is_shown_above_it(
    qtbot: QtBot,
    register: Register,
    settings: AppSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = MainWindow(register, settings)
    qtbot.addWidget(window)
    window.show()
    assert not window.message_bar.isVisible()

    def broken(_self: ActivityList, **_options: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # what the terminal showed

    monkeypatch.setattr(ActivityList, "summaries", broken)
    window.reload_activities()
    assert window.message_bar.isVisible()
    text = window.message_bar.text.text()
    assert text.startswith("The list of activities was not read again.")
    assert "disk I/O error" in text and "Activities > Reload" in text
    window.message_bar.close_button.click()
    assert not window.message_bar.isVisible()


def test_a_background_failure_is_shown_in_the_message_bar(
    qtbot: QtBot, register: Register, settings: AppSettings
) -> None:
    window = MainWindow(register, settings)
    qtbot.addWidget(window)
    window.show()
    worker = Worker(failing_read, window)
    with qtbot.waitSignal(worker.failed, timeout=5000):
        window.background.run(worker)
    qtbot.waitUntil(window.message_bar.isVisible)
    assert "could not be brought up to date" in window.message_bar.text.text()


def test_an_uncaught_error_in_a_slot_becomes_a_dialog(
    qtbot: QtBot, prompts: ScriptedPrompts
) -> None:
    prompts.expect("error", contains="did not expect (ValueError: an unexpected value)")
    try:
        raise ValueError("an unexpected value")
    except ValueError as error:
        error_reports._excepthook(ValueError, error, error.__traceback__)
    (shown,) = prompts.texts("error")
    assert "close ROPA desk and open it again" in shown


def test_installing_the_fallback_hooks_errors_and_qt_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back afterwards
    monkeypatch.setattr(error_reports, "_log_file", None)
    pytest_qt_handler = qInstallMessageHandler(None)
    try:
        error_reports.install_error_dialogs()
        assert sys.excepthook is error_reports._excepthook
    finally:
        qInstallMessageHandler(pytest_qt_handler)


def test_a_wrapped_disk_error_is_register_trouble_not_unexpected() -> None:
    """Issue 19: SQLAlchemy's OperationalError around sqlite3's was "did not expect", with
    its SQL and a web address; it is the register file's trouble, said plainly."""
    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError(
        "UPDATE activities SET name=?", ("x",), sqlite3.OperationalError("disk I/O error")
    )

    words = error_reports.explain(wrapped)

    assert words.startswith("The register file could not be read or written (")
    assert "OperationalError: disk I/O error)" in words
    assert "did not expect" not in words
    assert "sqlalche.me" not in words
