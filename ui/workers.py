"""Long work (import, export, notices, checks) off the GUI thread, with progress and cancel.

A task is a plain function `task(progress, cancelled)` from ropa/: it reports
`progress(done, total)` and stops early when `cancelled()` returns True. It runs in a QThread;
its results come back to the GUI thread by queued signals, so the window keeps repainting.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ropa.errors import RopaError
from ui.error_reports import explain, log_unexpected

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]
Task = Callable[[ProgressFn, CancelledFn], Any]
PROGRESS_INTERVAL_S = 0.05  # no more than ~20 progress updates a second reach the GUI


# Every worker between start() and the end of its thread, so that a window about to close
# (or to open another register) can stop and wait for the threads it owns: a QThread
# destroyed while it runs aborts the whole app.
# Weak: a worker deleted with its parent simply drops out.
_started: weakref.WeakSet[Worker] = weakref.WeakSet()


def _owned_by(obj: QObject, owner: QObject) -> bool:
    node: QObject | None = obj
    while node is not None:
        if node is owner:
            return True
        node = node.parent()
    return False


def running_workers(owner: QObject) -> list[Worker]:
    """The workers still running whose parent chain includes `owner` (a window or dialog)."""
    return [
        worker
        for worker in list(_started)
        if shiboken6.isValid(worker) and worker.isRunning() and _owned_by(worker, owner)
    ]


def cancel_and_wait_all(owner: QObject) -> int:
    """Ask every running worker owned by `owner` to stop, and wait until each has stopped.

    Call it before closing or deleting `owner` (closeEvent, reject, opening another
    register). Returns how many workers were stopped. Tasks see `cancelled()` turn True;
    anything they write is atomic, so a cancelled export leaves no half file.
    """
    workers = running_workers(owner)
    for worker in workers:
        worker.cancel()
    for worker in workers:
        worker.wait()
        runner = worker.parent()
        if isinstance(runner, ProgressRunner):
            runner.finish_now()
    return len(workers)


class Worker(QThread):
    """Runs one task in its own thread."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, task: Task, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._task = task
        self._cancel = threading.Event()
        self._last_progress = 0.0
        # (ok, result or message) once the task has returned; read after wait().
        self.outcome: tuple[bool, object] | None = None

    def start(self, priority: QThread.Priority = QThread.Priority.InheritPriority) -> None:
        _started.add(self)
        super().start(priority)

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.progressed.emit(done, total)

    def run(self) -> None:
        try:
            result = self._task(self._progress, self.is_cancelled)
        except RopaError as error:
            self.outcome = (False, str(error))
            self.failed.emit(str(error))
        except Exception as error:  # shown to the user in words, never lost in a thread
            log_unexpected(error, "a background task")
            message = explain(error)
            self.outcome = (False, message)
            self.failed.emit(message)
        else:
            self.outcome = (True, result)
            self.succeeded.emit(result)


class ProgressRunner(QObject):
    """A task in a worker thread behind a progress dialog with Cancel.

    `finished(ok, result_or_message)` fires once, on the GUI thread, when the task has
    succeeded (True, result), failed (False, message) or been cancelled (False, "").
    The runner and its progress dialog delete themselves after that.
    """

    finished = Signal(bool, object)

    def __init__(self, parent: QWidget, title: str, label: str, task: Task) -> None:
        super().__init__(parent)
        self.dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.worker = Worker(task, self)
        self.worker.progressed.connect(self._progress)
        # Bound slots, not lambdas: Qt drops queued calls to a runner that has been deleted.
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)
        self.dialog.canceled.connect(self.cancel)
        self._done = False

    @staticmethod
    def cancel_and_wait_all(owner: QObject) -> int:
        """Stop every running task owned by `owner` and wait for it (see cancel_and_wait_all)."""
        return cancel_and_wait_all(owner)

    def start(self) -> ProgressRunner:
        self.worker.start()
        return self

    def is_running(self) -> bool:
        return not self._done

    def cancel(self) -> None:
        """Ask the task to stop; the dialog stays up, saying so, until it has."""
        if self._done:
            return
        self.worker.cancel()
        # QProgressDialog hides itself when Cancel is pressed: show it again, busy, with
        # no Cancel button, so the user sees the work is being stopped.
        self.dialog.setCancelButton(None)
        self.dialog.setLabelText("Cancelling\u2026")
        self.dialog.setRange(0, 0)
        owner = self.dialog.parentWidget()
        if owner is None or owner.isVisible():
            self.dialog.show()

    def cancel_and_wait(self) -> None:
        """Stop the task and return once its thread has ended (`finished` has fired)."""
        self.worker.cancel()
        self.worker.wait()
        self.finish_now()

    def finish_now(self) -> None:
        """Deliver the outcome of a task whose thread has ended, without waiting for events."""
        if not self._done and self.worker.outcome is not None:
            self._finish(*self.worker.outcome)
        elif not self._done:
            self._finish(False, "")

    def _progress(self, done: int, total: int) -> None:
        if self._done or self.worker.is_cancelled():
            return
        if self.dialog.maximum() != total:
            self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total))

    def _succeeded(self, result: object) -> None:
        self._finish(True, result)

    def _failed(self, message: str) -> None:
        self._finish(False, message)

    def _finish(self, ok: bool, payload: object) -> None:
        if self._done:
            return
        self._done = True
        self.worker.wait()
        cancelled = self.worker.is_cancelled()
        self.dialog.close()
        self.dialog.deleteLater()
        if cancelled and not ok:
            self.finished.emit(False, "")
        else:
            self.finished.emit(ok, payload)
        self.deleteLater()
