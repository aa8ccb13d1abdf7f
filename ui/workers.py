"""Long work (import, export, notices, checks) off the GUI thread, with progress and cancel.

A task is a plain function `task(progress, cancelled)` from ropa/: it reports
`progress(done, total)` and stops early when `cancelled()` returns True. It runs in a QThread;
its results come back to the GUI thread by queued signals, so the window keeps repainting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ropa.errors import RopaError

ProgressFn = Callable[[int, int], None]
CancelledFn = Callable[[], bool]
Task = Callable[[ProgressFn, CancelledFn], Any]
PROGRESS_INTERVAL_S = 0.05  # no more than ~20 progress updates a second reach the GUI


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
            self.failed.emit(str(error))
        except Exception as error:  # shown to the user, never lost in a thread
            self.failed.emit(f"Something unexpected went wrong: {error!r}")
        else:
            self.succeeded.emit(result)


class ProgressRunner(QObject):
    """A task in a worker thread behind a progress dialog with Cancel.

    `finished(ok, result_or_message)` fires once, on the GUI thread, when the task has
    succeeded (True, result), failed (False, message) or been cancelled (False, "").
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
        self.worker.succeeded.connect(lambda result: self._finish(True, result))
        self.worker.failed.connect(lambda message: self._finish(False, message))
        self.dialog.canceled.connect(self.cancel)
        self._done = False

    def start(self) -> ProgressRunner:
        self.worker.start()
        return self

    def cancel(self) -> None:
        self.worker.cancel()
        self.dialog.setLabelText("Cancelling\u2026")

    def _progress(self, done: int, total: int) -> None:
        if self.dialog.maximum() != total:
            self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total))

    def _finish(self, ok: bool, payload: object) -> None:
        if self._done:
            return
        self._done = True
        self.worker.wait()
        # The runner stays alive with its parent: deleting it here, inside a slot of its
        # own worker's signal, crashed Qt at teardown.
        cancelled = self.worker.is_cancelled()
        self.dialog.close()
        if cancelled and not ok:
            self.finished.emit(False, "")
        else:
            self.finished.emit(ok, payload)
