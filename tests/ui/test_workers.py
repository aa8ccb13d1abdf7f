"""ProgressRunner and Worker: cancel, wait for a window's threads, clean up after a run."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ropa.errors import ValidationError
from ui.workers import (
    CancelledFn,
    ProgressFn,
    ProgressRunner,
    cancel_and_wait_all,
    running_workers,
)

pytestmark = pytest.mark.gui


def endless(started: threading.Event) -> object:
    def task(progress: ProgressFn, cancelled: CancelledFn) -> None:
        started.set()
        while not cancelled():
            progress(0, 1)
        raise ValidationError("stopped")  # as ropa's tasks do when cancelled

    return task


def test_cancel_and_wait_all_stops_only_the_owners_threads(qtbot: QtBot) -> None:
    window, other = QWidget(), QWidget()
    qtbot.addWidget(window)
    qtbot.addWidget(other)
    child = QWidget(window)  # a dialog of the window owns its runner
    started = [threading.Event(), threading.Event()]
    mine = ProgressRunner(child, "Test", "Working", endless(started[0])).start()  # type: ignore[arg-type]
    theirs = ProgressRunner(other, "Test", "Working", endless(started[1])).start()  # type: ignore[arg-type]
    assert all(event.wait(10) for event in started)
    outcomes: list[tuple[bool, object]] = []
    mine.finished.connect(lambda ok, payload: outcomes.append((ok, payload)))
    assert running_workers(window) == [mine.worker]

    assert cancel_and_wait_all(window) == 1
    assert outcomes == [(False, "")]  # delivered at once, not left in the event queue
    assert running_workers(window) == []
    assert theirs.worker.isRunning()
    with qtbot.waitSignal(theirs.finished, timeout=10000):
        assert ProgressRunner.cancel_and_wait_all(other) == 1


def test_a_finished_runner_and_its_progress_dialog_are_deleted(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = ProgressRunner(parent, "Test", "Working", lambda _p, _c: 7)
    dialog = runner.dialog
    with qtbot.waitSignal(runner.finished) as blocker:
        runner.start()
    assert blocker.args == [True, 7]
    qtbot.waitUntil(lambda: not shiboken6.isValid(runner) and not shiboken6.isValid(dialog))


def test_cancel_keeps_a_visible_cancelling_state(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    release = threading.Event()
    started = threading.Event()

    def slow_to_stop(progress: ProgressFn, cancelled: CancelledFn) -> None:
        started.set()
        release.wait(10)  # a step that cannot be interrupted
        if cancelled():
            raise ValidationError("stopped")

    runner = ProgressRunner(parent, "Test", "Working", slow_to_stop).start()
    assert started.wait(10)
    runner.dialog.canceled.emit()  # what the Cancel button and Esc do
    assert runner.worker.is_cancelled()
    assert runner.dialog.isVisible()
    assert runner.dialog.labelText() == "Cancelling\u2026"
    with qtbot.waitSignal(runner.finished, timeout=10000) as blocker:
        release.set()
    assert blocker.args == [False, ""]
